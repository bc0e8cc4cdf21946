// kvserver: a small in-memory key-value service.
// An acceptor thread feeds requests into a queue; 3 "Handler N" threads serve them:
//   Request::Handle { Request::Parse, Cache::Lookup, [Db::Fetch on miss], Response::Write }
// A "Compactor" thread merges storage segments in the background (heavy but off the request path).
// Usage: kvserver [normal|bigcache|smallcache] [seconds]
//   normal     : cache hit rate ~95%            (the problem capture)
//   bigcache   : cache hit rate ~99%            (regression pair "before")
//   smallcache : cache hit rate ~80%            (regression pair "after")
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

using Clock = std::chrono::steady_clock;

static std::atomic<bool> g_quit{false};
static volatile uint64_t g_sink = 0;

// Busy CPU work for about `us` microseconds over a scratch buffer.
static uint64_t Burn(double us, std::vector<uint32_t>& buf, uint32_t seed)
{
    const auto end = Clock::now() + std::chrono::nanoseconds((int64_t)(us * 1000.0));
    uint64_t acc = seed;
    size_t i = seed % buf.size();
    while (Clock::now() < end) {
        for (int k = 0; k < 128; ++k) {
            acc = acc * 6364136223846793005ull + buf[i];
            buf[i] = (uint32_t)(acc >> 33);
            i = (i + 97) % buf.size();
        }
    }
    return acc;
}

static void SleepUs(double us)
{
    std::this_thread::sleep_for(std::chrono::nanoseconds((int64_t)(us * 1000.0)));
}

// ------------------------------------------------------------------ request queue
struct RawRequest {
    uint64_t id;
    std::string wire;  // "GET key:<n>"
};

struct RequestQueue {
    TracyLockable(std::mutex, mtx);
    std::condition_variable_any cv;
    std::deque<RawRequest> q;

    void Push(RawRequest r)
    {
        {
            std::lock_guard<LockableBase(std::mutex)> lk(mtx);
            q.push_back(std::move(r));
        }
        cv.notify_one();
    }
    bool Pop(RawRequest& out)
    {
        std::unique_lock<LockableBase(std::mutex)> lk(mtx);
        cv.wait(lk, [&] { return !q.empty() || g_quit.load(); });
        if (q.empty()) return false;
        out = std::move(q.front());
        q.pop_front();
        return true;
    }
};

static RequestQueue g_queue;

// ------------------------------------------------------------------ cache
struct Cache {
    TracyLockable(std::mutex, mtx);
    std::unordered_map<uint64_t, std::string> map;
};
static Cache g_cache;
static int g_missPercent = 5;  // keys with (key % 100) < g_missPercent are not cached

static constexpr uint64_t kKeySpace = 200000;

static void FillCache()
{
    ZoneScopedN("Cache::Warmup");
    for (uint64_t k = 0; k < kKeySpace; ++k) {
        if ((int)(k % 100) < g_missPercent) continue;
        g_cache.map.emplace(k, "value-" + std::to_string(k * 2654435761u));
    }
}

// ------------------------------------------------------------------ handler
static void HandlerThread(int idx)
{
    char name[32];
    snprintf(name, sizeof name, "Handler %d", idx);
    tracy::SetThreadName(name);
    std::vector<uint32_t> scratch(16384);
    for (size_t i = 0; i < scratch.size(); ++i) scratch[i] = (uint32_t)(i * 2246822519u + idx);
    std::mt19937 rng(1234 + idx);
    std::uniform_real_distribution<double> u01(0.0, 1.0);

    RawRequest req;
    while (g_queue.Pop(req)) {
        ZoneScopedN("Request::Handle");
        uint64_t key = 0;
        {
            ZoneScopedN("Request::Parse");
            const char* p = strchr(req.wire.c_str(), ':');
            key = p ? strtoull(p + 1, nullptr, 10) : 0;
            g_sink += Burn(150, scratch, (uint32_t)key);
            SleepUs(250);  // reading the rest of the body off the socket
        }
        std::string value;
        bool hit = false;
        {
            ZoneScopedN("Cache::Lookup");
            {
                std::lock_guard<LockableBase(std::mutex)> lk(g_cache.mtx);
                auto it = g_cache.map.find(key);
                if (it != g_cache.map.end()) { value = it->second; hit = true; }
            }
            g_sink += Burn(200, scratch, (uint32_t)key * 3u);  // checksum/decode of the cached blob
            SleepUs(400);
        }
        if (!hit) {
            ZoneScopedN("Db::Fetch");
            ZoneValue(key);
            // round trip to the backing database
            SleepUs(37000.0 + 6000.0 * u01(rng));
            g_sink += Burn(200, scratch, (uint32_t)key);
            value = "db-value-" + std::to_string(key);
        }
        {
            ZoneScopedN("Response::Write");
            const bool big = u01(rng) < 0.04;  // large values: multi-chunk write
            g_sink += Burn(150, scratch, (uint32_t)value.size());
            SleepUs(big ? 2900.0 : 550.0);
        }
    }
}

// ------------------------------------------------------------------ acceptor
static void AcceptorThread(double seconds)
{
    tracy::SetThreadName("Acceptor");
    std::mt19937_64 rng(99);
    std::uniform_int_distribution<uint64_t> keyDist(0, kKeySpace - 1);
    std::exponential_distribution<double> gap(1.0 / 4500.0);  // mean 4.5 ms between arrivals
    const auto end = Clock::now() + std::chrono::milliseconds((int64_t)(seconds * 1000));
    uint64_t id = 0;
    while (Clock::now() < end) {
        SleepUs(gap(rng));
        RawRequest r;
        r.id = ++id;
        r.wire = "GET key:" + std::to_string(keyDist(rng));
        g_queue.Push(std::move(r));
    }
    fprintf(stderr, "acceptor: %llu requests\n", (unsigned long long)id);
}

// ------------------------------------------------------------------ compactor
static void CompactorThread()
{
    tracy::SetThreadName("Compactor");
    std::vector<uint32_t> seg(1 << 18);
    for (size_t i = 0; i < seg.size(); ++i) seg[i] = (uint32_t)(i * 2654435761u);
    uint32_t round = 0;
    while (!g_quit.load()) {
        ZoneScopedN("Compactor::CompactLevel");
        {
            ZoneScopedN("Compactor::MergeSegments");
            g_sink += Burn(90000, seg, round);
        }
        {
            ZoneScopedN("Compactor::WriteSegment");
            g_sink += Burn(20000, seg, round + 7);
            SleepUs(40000);
        }
        ++round;
        // idle between compactions
        for (int i = 0; i < 20 && !g_quit.load(); ++i) SleepUs(10000);
    }
}

int main(int argc, char** argv)
{
    const char* scen = argc > 1 ? argv[1] : "normal";
    double seconds = argc > 2 ? atof(argv[2]) : 5.0;
    if (!strcmp(scen, "normal")) g_missPercent = 5;
    else if (!strcmp(scen, "bigcache")) g_missPercent = 1;
    else if (!strcmp(scen, "smallcache")) g_missPercent = 20;
    else { fprintf(stderr, "unknown scenario %s\n", scen); return 2; }
    tracy::SetThreadName("Main");
    FillCache();

    std::vector<std::thread> th;
    th.emplace_back(CompactorThread);
    for (int i = 1; i <= 3; ++i) th.emplace_back(HandlerThread, i);
    std::thread acc(AcceptorThread, seconds);
    acc.join();
    // drain
    while (true) {
        {
            std::lock_guard<LockableBase(std::mutex)> lk(g_queue.mtx);
            if (g_queue.q.empty()) break;
        }
        SleepUs(5000);
    }
    g_quit = true;
    g_queue.cv.notify_all();
    for (auto& t : th) t.join();
    fprintf(stderr, "done (%s)\n", scen);
    return 0;
}
