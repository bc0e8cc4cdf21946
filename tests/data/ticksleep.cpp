// Arena game server: authoritative simulation meant to tick at 20 Hz.
// Scenarios:
//   fixed     - as shipped: after each tick, Server::Sleep sleeps a fixed 50 ms
//   deadline  - sleep until the next 50 ms deadline (sleep_until)
// Usage: prog SCENARIO [seconds]
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static std::atomic<bool> g_running{true};
static volatile double g_sink = 0.0;

struct Entity {
    float x, y, z, vx, vy, vz, hp, pad;
};

// Spin over real data for roughly `us` microseconds (data-driven, checked against the clock).
static double burn_entities(std::vector<Entity>& ents, int us) {
    auto end = Clock::now() + std::chrono::microseconds(us);
    double acc = 0.0;
    do {
        for (size_t i = 0; i < ents.size(); i += 1) {
            Entity& e = ents[i];
            e.vx += 0.001f * std::sin(e.y);
            e.vy -= 0.0098f;
            e.vz += 0.001f * std::cos(e.x);
            e.x += e.vx * 0.05f;
            e.y += e.vy * 0.05f;
            e.z += e.vz * 0.05f;
            if (e.y < 0.f) { e.y = 0.f; e.vy = -e.vy * 0.5f; }
            acc += e.x + e.z;
            if ((i & 255) == 255 && Clock::now() >= end) break;
        }
    } while (Clock::now() < end);
    return acc;
}

// ---------------------------------------------------------------- NetIO thread
struct Packet { int client; int bytes; };
static TracyLockable(std::mutex, g_inboxMutex);
static std::deque<Packet> g_inbox;

static void net_io_thread() {
    tracy::SetThreadName("NetIO");
    std::mt19937 rng(7);
    std::vector<unsigned char> buf(64 * 1024);
    while (g_running.load()) {
        {
            ZoneScopedN("NetIO::Poll");
            std::this_thread::sleep_for(8ms);  // epoll_wait
        }
        {
            ZoneScopedN("NetIO::Recv");
            int n = 4 + (int)(rng() % 8);
            unsigned h = 2166136261u;
            for (int k = 0; k < n; ++k) {
                for (size_t i = 0; i < buf.size(); ++i) { buf[i] = (unsigned char)(rng() + i); h = (h ^ buf[i]) * 16777619u; }
            }
            g_sink += h;
            std::lock_guard<LockableBase(std::mutex)> lk(g_inboxMutex);
            for (int k = 0; k < n; ++k) g_inbox.push_back({k, 64 + (int)(rng() % 900)});
        }
    }
}

// ---------------------------------------------------------------- DbWriter thread
static TracyLockable(std::mutex, g_dbQueueMutex);
static std::vector<std::string> g_dbQueue;

static void db_writer_thread() {
    tracy::SetThreadName("DbWriter");
    std::vector<Entity> rows(20000);
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = {float(i), 1.f, 2.f, 0, 0, 0, 100.f, 0};
    while (g_running.load()) {
        std::this_thread::sleep_for(250ms);
        if (!g_running.load()) break;
        ZoneScopedN("DbWriter::FlushBatch");
        std::vector<std::string> batch;
        {
            std::lock_guard<LockableBase(std::mutex)> lk(g_dbQueueMutex);
            batch.swap(g_dbQueue);
        }
        {
            ZoneScopedN("DbWriter::SerializeRows");
            g_sink += burn_entities(rows, 14000);  // heavy but off the tick thread
        }
        {
            ZoneScopedN("DbWriter::Fsync");
            std::this_thread::sleep_for(18ms);
        }
    }
}

// ---------------------------------------------------------------- Server
class Server {
public:
    explicit Server(bool deadline) : m_deadline(deadline), m_rng(12345), m_ents(6000) {
        for (size_t i = 0; i < m_ents.size(); ++i) m_ents[i] = {float(i % 97), 10.f, float(i % 13), 0, 0, 0, 100.f, 0};
        m_next = Clock::now();
    }

    void Tick() {
        ZoneScopedN("Server::Tick");
        // Work varies between ~1 and ~3 ms per tick with load (player count, combat, ...).
        int workUs = 1000 + (int)(m_rng() % 2000);
        int inputUs = workUs * 20 / 100;
        int simUs = workUs * 60 / 100;
        int bcastUs = workUs - inputUs - simUs;
        {
            ZoneScopedN("Server::ProcessInput");
            std::deque<Packet> pk;
            {
                std::lock_guard<LockableBase(std::mutex)> lk(g_inboxMutex);
                pk.swap(g_inbox);
            }
            ZoneValue(pk.size());
            g_sink += burn_entities(m_ents, inputUs);
        }
        {
            ZoneScopedN("Server::SimulateWorld");
            g_sink += burn_entities(m_ents, simUs);
        }
        {
            ZoneScopedN("Server::BroadcastState");
            g_sink += burn_entities(m_ents, bcastUs);
        }
        if (++m_tick % 10 == 0) {
            std::lock_guard<LockableBase(std::mutex)> lk(g_dbQueueMutex);
            g_dbQueue.push_back("snapshot " + std::to_string(m_tick));
        }
    }

    void Sleep() {
        ZoneScopedN("Server::Sleep");
        if (m_deadline) {
            m_next += 50ms;
            std::this_thread::sleep_until(m_next);
        } else {
            std::this_thread::sleep_for(50ms);  // tick interval
        }
    }

private:
    bool m_deadline;
    std::mt19937 m_rng;
    std::vector<Entity> m_ents;
    Clock::time_point m_next;
    long m_tick = 0;
};

int main(int argc, char** argv) {
    std::string scen = argc > 1 ? argv[1] : "fixed";
    double seconds = argc > 2 ? std::atof(argv[2]) : 5.0;
    bool deadline = scen == "deadline";
    tracy::SetThreadName("ServerMain");
    TracyMessageL("server start: tick_rate=20");

    std::thread net(net_io_thread);
    std::thread db(db_writer_thread);

    Server server(deadline);
    auto stop = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    while (Clock::now() < stop) {
        server.Tick();
        server.Sleep();
        FrameMark;
    }
    g_running = false;
    net.join();
    db.join();
    std::fprintf(stderr, "done (%s)\n", scen.c_str());
    return 0;
}
