// Game server: 20 Hz authoritative tick loop, no FrameMark (servers do not render frames).
// Scenarios:
//   inline   : Matchmaking::Rebalance runs inside Server::Tick on a few ticks (the problem)
//   offload  : Matchmaking::Rebalance runs on its own background thread (the "before" of the pair)
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
using ms = std::chrono::milliseconds;
using us = std::chrono::microseconds;

static std::atomic<bool> g_running{true};
static volatile double g_sink = 0;

// Real work over data until `dur` has elapsed (wall clock), so lengths survive CPU noise.
static void crunch(std::vector<float>& data, Clock::duration dur) {
    auto end = Clock::now() + dur;
    size_t i = 0;
    double acc = 0;
    while (Clock::now() < end) {
        for (int k = 0; k < 256; ++k) {
            float& v = data[i];
            v = v * 0.999f + std::sqrt(std::fabs(v) + 1.0f) * 0.001f;
            acc += v;
            i = (i + 1) % data.size();
        }
    }
    g_sink = g_sink + acc;
}

struct Packet { int player; int bytes; };

static TracyLockable(std::mutex, g_inboxMutex);
static std::deque<Packet> g_inbox;

struct Player { float x, y, vx, vy, skill; int lobby; };

struct World {
    std::vector<Player> players;
    std::vector<float> scratch;
    World() : players(2000), scratch(1 << 16, 1.0f) {
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> d(0.f, 100.f);
        for (auto& p : players) { p.x = d(rng); p.y = d(rng); p.vx = d(rng) * 0.01f; p.vy = d(rng) * 0.01f; p.skill = d(rng) * 30.f; p.lobby = rng() % 64; }
    }
};

namespace Net {
static int ReceivePackets() {
    ZoneScopedN("Net::ReceivePackets");
    std::deque<Packet> local;
    {
        std::lock_guard<LockableBase(std::mutex)> lk(g_inboxMutex);
        local.swap(g_inbox);
    }
    volatile int sum = 0;
    for (auto& p : local) sum = sum + p.bytes;
    std::this_thread::sleep_for(us(600));
    return (int)local.size();
}
static void SendSnapshots(World& w, bool full) {
    ZoneScopedN("Net::SendSnapshots");
    crunch(w.scratch, us(2500));
    if (full) {
        // Every 2 s: full (non-delta) snapshot for late joiners -- heavy but fine (tick stays ~28 ms).
        ZoneScopedN("Replication::BuildFullSnapshot");
        crunch(w.scratch, ms(12));
    }
}
}  // namespace Net

namespace Game {
static void ProcessInput(World& w, int n) {
    ZoneScopedN("Game::ProcessInput");
    ZoneValue(n);
    crunch(w.scratch, us(1500));
}
static void SimulatePhysics(World& w) {
    ZoneScopedN("Physics::Step");
    for (auto& p : w.players) { p.x += p.vx; p.y += p.vy; }
    crunch(w.scratch, ms(7));
}
static void UpdateAI(World& w) {
    ZoneScopedN("AI::UpdateBots");
    crunch(w.scratch, ms(3));
}
}  // namespace Game

namespace Matchmaking {
static std::vector<float> g_mmData(1 << 15, 2.0f);
// Re-sorts all players by skill and reassigns lobbies. Expensive: 45-75 ms.
static void Rebalance(World& w, int which) {
    ZoneScopedN("Matchmaking::Rebalance");
    static const int lens[] = {48, 62, 55, 70, 45, 66, 58, 74};
    int len = lens[which % 8];
    {
        ZoneScopedN("Matchmaking::ScorePlayers");
        crunch(g_mmData, ms(len / 2));
    }
    {
        ZoneScopedN("Matchmaking::QueryRatingsDB");
        std::this_thread::sleep_for(ms(len - len / 2));  // blocking query to the ratings service
    }
    for (size_t i = 0; i < w.players.size(); ++i) w.players[i].lobby = (int)(w.players[i].skill / 30.f * 64) % 64;
}
}  // namespace Matchmaking

// Background: network IO thread pushing packets into the inbox.
static void NetIoThread() {
    tracy::SetThreadName("NetIO");
    std::mt19937 rng(11);
    while (g_running) {
        {
            ZoneScopedN("Net::PollSockets");
            std::this_thread::sleep_for(ms(4));
            std::lock_guard<LockableBase(std::mutex)> lk(g_inboxMutex);
            for (int i = 0; i < 20; ++i) g_inbox.push_back({(int)(rng() % 2000), 40 + (int)(rng() % 200)});
        }
    }
}

// Background: persistence thread, big but harmless zones (runs off the tick thread).
static void PersistenceThread() {
    tracy::SetThreadName("Persistence");
    std::vector<float> buf(1 << 15, 3.0f);
    while (g_running) {
        std::this_thread::sleep_for(ms(700));
        if (!g_running) break;
        ZoneScopedN("Persistence::FlushPlayerState");
        crunch(buf, ms(90));
        {
            ZoneScopedN("Persistence::WriteSnapshot");
            std::this_thread::sleep_for(ms(60));
        }
    }
}

// "before" variant: matchmaking on its own thread, the tick never waits for it.
static std::atomic<int> g_rebalanceRequests{0};
static void MatchmakingThread(World* w) {
    tracy::SetThreadName("Matchmaking");
    int done = 0;
    while (g_running) {
        if (g_rebalanceRequests.load() > done) {
            Matchmaking::Rebalance(*w, done);
            ++done;
        } else {
            std::this_thread::sleep_for(ms(5));
        }
    }
}

int main(int argc, char** argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s inline|offload [seconds]\n", argv[0]); return 2; }
    std::string scen = argv[1];
    bool inlineMM = scen == "inline";
    if (!inlineMM && scen != "offload") { fprintf(stderr, "unknown scenario\n"); return 2; }
    double seconds = argc > 2 ? atof(argv[2]) : 6.0;
    tracy::SetThreadName("ServerMain");

    World world;
    std::thread io(NetIoThread), pers(PersistenceThread);
    std::thread mm;
    if (!inlineMM) mm = std::thread(MatchmakingThread, &world);

    const int totalTicks = (int)(seconds * 20);
    // Ticks on which a matchmaking rebalance is due (queue thresholds crossed).
    const int rebalanceTicks[] = {9, 23, 31, 47, 58, 74, 88, 103};
    int nextRb = 0;
    int overruns = 0;
    auto next = Clock::now();
    for (int tick = 0; tick < totalTicks; ++tick) {
        auto start = Clock::now();
        {
            ZoneScopedN("Server::Tick");
            ZoneValue(tick);
            int n = Net::ReceivePackets();
            Game::ProcessInput(world, n);
            Game::SimulatePhysics(world);
            Game::UpdateAI(world);
            if (nextRb < 8 && tick == rebalanceTicks[nextRb]) {
                if (inlineMM) Matchmaking::Rebalance(world, nextRb);
                else g_rebalanceRequests.fetch_add(1);
                ++nextRb;
            }
            Net::SendSnapshots(world, tick % 40 == 20);
        }
        auto took = Clock::now() - start;
        if (took > ms(50)) ++overruns;
        next += ms(50);
        auto now = Clock::now();
        if (next > now) {
            std::this_thread::sleep_until(next);
        } else {
            next = now;  // behind schedule: start the next tick immediately
        }
    }
    g_running = false;
    io.join(); pers.join();
    if (mm.joinable()) mm.join();
    fprintf(stderr, "ticks=%d overruns=%d\n", totalTicks, overruns);
    return 0;
}
