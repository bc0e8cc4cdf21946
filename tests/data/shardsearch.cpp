// searchd: a small sharded search server.
// One request thread (Api) fans each query out to 4 shard threads and waits for all of them,
// then merges and serializes. A background indexer compacts segments; a stats thread reports.
// Scenarios: "healthy"    - all shards warm
//            "cold_shard" - shard 3's index is cold on ~15% of queries (extra ~22 ms segment reads)
#include "tracy/Tracy.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static constexpr int kShards = 4;
static constexpr double kRunSeconds = 5.0;

static volatile uint64_t g_sink = 0;

static void burn_us(int us) {
    auto end = Clock::now() + std::chrono::microseconds(us);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    while (Clock::now() < end) {
        for (int i = 0; i < 200; ++i) x = x * 6364136223846793005ull + 1442695040888963407ull;
    }
    g_sink += x;
}

struct Hit { uint32_t doc; float score; };

struct Request {
    uint64_t id = 0;
    std::string query;
    std::vector<uint32_t> terms;
};

// ---- fan-out plumbing -------------------------------------------------------------------
struct FanOut {
    TracyLockable(std::mutex, mtx);
    std::condition_variable_any cvWork;
    std::condition_variable_any cvDone;
    uint64_t generation = 0;      // bumped per request
    const Request* req = nullptr;
    int pending = 0;
    bool stop = false;
    std::vector<Hit> results[kShards];
};

static FanOut g_fan;
static std::atomic<bool> g_running{true};

// ---- shard -------------------------------------------------------------------------------
struct Shard {
    int index;
    bool coldScenario;
    std::vector<uint32_t> postings;
    std::mt19937 rng;

    Shard(int i, bool cold) : index(i), coldScenario(cold), rng(1000 + i) {
        postings.resize(20000);
        for (size_t k = 0; k < postings.size(); ++k) postings[k] = (uint32_t)(k * 2654435761u + i);
    }

    void Score(const Request& r, std::vector<Hit>& out) {
        ZoneScopedN("Shard::Score");
        out.clear();
        uint64_t acc = 0;
        for (uint32_t t : r.terms)
            for (size_t k = t % 97; k < postings.size(); k += 7) acc += postings[k] ^ t;
        for (int h = 0; h < 10; ++h) out.push_back(Hit{(uint32_t)(acc + h * 31 + index), float((acc >> h) & 1023)});
        burn_us(300);
    }

    void Query(const Request& r, std::vector<Hit>& out) {
        ZoneScopedN("Shard::Query");
        // posting-list reads from the segment cache (I/O wait)
        std::uniform_int_distribution<int> jitter(2200, 2800);
        int ioUs = jitter(rng);
        std::uniform_real_distribution<double> coin(0.0, 1.0);
        double c = coin(rng);
        if (coldScenario && index == 3 && c < 0.15) {
            ioUs += 22000; // cold segment: page in from disk
        }
        std::this_thread::sleep_for(std::chrono::microseconds(ioUs));
        Score(r, out);
    }
};

static void shard_thread(int idx, bool cold) {
    char name[32];
    std::snprintf(name, sizeof name, "Shard %d", idx);
    tracy::SetThreadName(name);
    Shard shard(idx, cold);
    uint64_t seen = 0;
    std::vector<Hit> local;
    for (;;) {
        const Request* req = nullptr;
        {
            std::unique_lock<LockableBase(std::mutex)> lk(g_fan.mtx);
            g_fan.cvWork.wait(lk, [&] { return g_fan.stop || g_fan.generation != seen; });
            if (g_fan.stop) return;
            seen = g_fan.generation;
            req = g_fan.req;
        }
        shard.Query(*req, local);
        {
            std::lock_guard<LockableBase(std::mutex)> lk(g_fan.mtx);
            g_fan.results[idx] = local;
            if (--g_fan.pending == 0) g_fan.cvDone.notify_one();
        }
    }
}

// ---- api ---------------------------------------------------------------------------------
struct Api {
    std::mt19937 rng{42};
    std::vector<Hit> merged;
    std::string body;

    Request ParseQuery(uint64_t id) {
        ZoneScopedN("Api::ParseQuery");
        static const char* words[] = {"tracy", "profiler", "zone", "frame", "lock", "memory", "shard", "index",
                                      "latency", "render", "audio", "network"};
        Request r;
        r.id = id;
        std::uniform_int_distribution<int> nw(2, 5), w(0, 11);
        int n = nw(rng);
        for (int i = 0; i < n; ++i) {
            if (i) r.query += ' ';
            r.query += words[w(rng)];
        }
        size_t start = 0;
        while (start < r.query.size()) {
            size_t sp = r.query.find(' ', start);
            if (sp == std::string::npos) sp = r.query.size();
            uint32_t h = 2166136261u;
            for (size_t k = start; k < sp; ++k) h = (h ^ (uint8_t)r.query[k]) * 16777619u;
            r.terms.push_back(h);
            start = sp + 1;
        }
        burn_us(80);
        return r;
    }

    void Dispatch(const Request& r) {
        ZoneScopedN("Api::Dispatch");
        std::lock_guard<LockableBase(std::mutex)> lk(g_fan.mtx);
        g_fan.req = &r;
        g_fan.pending = kShards;
        ++g_fan.generation;
        g_fan.cvWork.notify_all();
    }

    void WaitShards() {
        ZoneScopedN("Api::WaitShards");
        std::unique_lock<LockableBase(std::mutex)> lk(g_fan.mtx);
        g_fan.cvDone.wait(lk, [] { return g_fan.pending == 0; });
    }

    void MergeResults() {
        ZoneScopedN("Api::MergeResults");
        merged.clear();
        {
            std::lock_guard<LockableBase(std::mutex)> lk(g_fan.mtx);
            for (int s = 0; s < kShards; ++s) merged.insert(merged.end(), g_fan.results[s].begin(), g_fan.results[s].end());
        }
        std::sort(merged.begin(), merged.end(), [](const Hit& a, const Hit& b) { return a.score > b.score; });
        burn_us(450);
    }

    void Serialize() {
        ZoneScopedN("Api::Serialize");
        body.clear();
        char buf[64];
        for (const Hit& h : merged) {
            std::snprintf(buf, sizeof buf, "{\"doc\":%u,\"score\":%.2f},", h.doc, h.score);
            body += buf;
        }
        burn_us(150);
    }

    void HandleSearch(uint64_t id) {
        ZoneScopedN("Api::HandleSearch");
        Request r = ParseQuery(id);
        Dispatch(r);
        WaitShards();
        MergeResults();
        Serialize();
    }
};

// ---- background: indexer compaction (heavy, off the request path) -------------------------
static void indexer_thread() {
    tracy::SetThreadName("Indexer");
    std::vector<uint32_t> seg(1 << 16);
    uint32_t round = 0;
    while (g_running.load()) {
        {
            ZoneScopedN("Index::Compact");
            for (size_t k = 0; k < seg.size(); ++k) seg[k] = (uint32_t)(k * 2246822519u + round);
            {
                ZoneScopedN("Index::SortSegment");
                std::sort(seg.begin(), seg.end());
                burn_us(30000);
            }
            {
                ZoneScopedN("Index::WriteSegment");
                std::this_thread::sleep_for(20ms);
            }
        }
        ++round;
        for (int i = 0; i < 35 && g_running.load(); ++i) std::this_thread::sleep_for(10ms);
    }
}

// ---- background: stats reporter ------------------------------------------------------------
static std::atomic<uint64_t> g_served{0};
static void stats_thread() {
    tracy::SetThreadName("Stats");
    while (g_running.load()) {
        {
            ZoneScopedN("Stats::Report");
            burn_us(2000);
            TracyPlot("requests_served", (int64_t)g_served.load());
        }
        for (int i = 0; i < 25 && g_running.load(); ++i) std::this_thread::sleep_for(10ms);
    }
}

int main(int argc, char** argv) {
    const char* scen = argc > 1 ? argv[1] : "cold_shard";
    bool cold;
    if (!std::strcmp(scen, "healthy")) cold = false;
    else if (!std::strcmp(scen, "cold_shard")) cold = true;
    else { std::fprintf(stderr, "usage: %s healthy|cold_shard\n", argv[0]); return 2; }

    TracyMessageL("searchd starting");

    std::vector<std::thread> shards;
    for (int i = 0; i < kShards; ++i) shards.emplace_back(shard_thread, i, cold);
    std::thread indexer(indexer_thread), stats(stats_thread);

    uint64_t id = 0;
    std::thread apiThread([&] {
        tracy::SetThreadName("Api");
        Api api;
        auto t0 = Clock::now();
        while (std::chrono::duration<double>(Clock::now() - t0).count() < kRunSeconds) {
            api.HandleSearch(++id);
            g_served.fetch_add(1);
            std::this_thread::sleep_for(1500us); // wait for next request on the socket
        }
    });
    apiThread.join();

    {
        std::lock_guard<LockableBase(std::mutex)> lk(g_fan.mtx);
        g_fan.stop = true;
        g_fan.cvWork.notify_all();
    }
    for (auto& t : shards) t.join();
    g_running = false;
    indexer.join();
    stats.join();
    TracyMessageL("searchd stopping");
    std::fprintf(stderr, "served %llu requests (%s)\n", (unsigned long long)id, scen);
    return 0;
}
