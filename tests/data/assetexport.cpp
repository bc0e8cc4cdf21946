// assetexport (blind458): Batch asset exporter: no frames. The main thread plans ~120 export tasks and starts one std::thread per task,
// at most 4 at a time, then waits for the rest in Pipeline::WaitAll.
// Scenarios:  smallest_first (default plan order: ascending source size, "so the progress bar moves quickly")
//             largest_first  (same assets, descending estimated cost)
#include "tracy/Tracy.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

static std::atomic<uint64_t> g_sink{0};

// Real CPU work until a wall-clock deadline (precise length regardless of how many threads share the 2 cores).
static uint64_t BusyUntil(Clock::time_point until, uint32_t seed) {
    std::vector<uint32_t> block(4096);
    uint64_t acc = seed;
    for (size_t i = 0; i < block.size(); ++i) block[i] = (uint32_t)(i * 2654435761u) ^ seed;
    while (Clock::now() < until) {
        for (int rep = 0; rep < 8; ++rep) {
            for (size_t i = 0; i < block.size(); ++i) {
                uint32_t v = block[i];
                v ^= v << 13; v ^= v >> 17; v ^= v << 5;
                block[i] = v;
                acc += v & 0xff;
            }
        }
    }
    g_sink += acc;
    return acc;
}

static void BusyFor(double ms, uint32_t seed) {
    BusyUntil(Clock::now() + std::chrono::microseconds((int64_t)(ms * 1000.0)), seed);
}

static void SleepMs(double ms) {
    std::this_thread::sleep_for(std::chrono::microseconds((int64_t)(ms * 1000.0)));
}

struct AssetJob {
    std::string name;
    uint64_t sourceBytes;
    double loadMs;
    double compressMs;   // total compress time, split over mips
    double writeMs;
    int mips;
};

// ---------------------------------------------------------------------------------------------------------------
// Manifest: every finished asset registers itself (short lock, not contended in practice).
static TracyLockable(std::mutex, g_manifestMutex);
static std::vector<std::string> g_manifest;

namespace Manifest {
static void Register(const AssetJob& job) {
    ZoneScopedN("Manifest::Register");
    std::lock_guard<LockableBase(std::mutex)> lk(g_manifestMutex);
    g_manifest.push_back(job.name);
    BusyFor(0.05, (uint32_t)job.sourceBytes);
}
}  // namespace Manifest

namespace Asset {
static void Load(const AssetJob& job) {
    ZoneScopedN("Asset::Load");
    SleepMs(job.loadMs * 0.7);  // read from disk
    BusyFor(job.loadMs * 0.3, 7);  // decode source
}

static void CompressMip(const AssetJob& job, int mip, double ms) {
    ZoneScopedN("Asset::CompressMip");
    char buf[32];
    int n = snprintf(buf, sizeof buf, "mip %d", mip);
    ZoneText(buf, n);
    BusyFor(ms, (uint32_t)(mip * 31 + job.sourceBytes));
}

static void Compress(const AssetJob& job) {
    ZoneScopedN("Asset::Compress");
    // each mip level has a quarter of the texels of the previous one
    double wsum = 0.0;
    for (int m = 0; m < job.mips; ++m) wsum += 1.0 / (double)(1 << (2 * m));
    for (int m = 0; m < job.mips; ++m) CompressMip(job, m, job.compressMs / (double)(1 << (2 * m)) / wsum);
}

static void Write(const AssetJob& job) {
    ZoneScopedN("Asset::Write");
    BusyFor(job.writeMs * 0.2, 11);  // pack container
    SleepMs(job.writeMs * 0.8);      // write to disk
}

static void Export(const AssetJob& job) {
    ZoneScopedN("Asset::Export");
    ZoneText(job.name.c_str(), job.name.size());
    Load(job);
    Compress(job);
    Write(job);
    Manifest::Register(job);
}
}  // namespace Asset

// ---------------------------------------------------------------------------------------------------------------
namespace Pipeline {
static std::mutex g_slotMutex;
static std::condition_variable g_slotCv;
static int g_active = 0;
static const int kMaxThreads = 4;

static std::vector<AssetJob> ScanSources() {
    ZoneScopedN("Pipeline::ScanSources");
    std::vector<AssetJob> jobs;
    std::mt19937 rng(458);
    std::uniform_real_distribution<double> comp(20.0, 40.0), load(3.0, 8.0), wr(2.0, 5.0);
    const char* kinds[] = {"mesh", "tex", "anim", "mat", "sfx", "ui"};
    for (int i = 0; i < 117; ++i) {
        AssetJob j;
        char nm[64];
        snprintf(nm, sizeof nm, "%s_%03d_%s", kinds[i % 6], i, (i % 3 == 0) ? "lod0" : (i % 3 == 1 ? "lod1" : "a"));
        j.name = nm;
        j.sourceBytes = 200000 + (uint64_t)(rng() % 4000000);
        j.loadMs = load(rng);
        j.compressMs = comp(rng);
        j.writeMs = wr(rng);
        j.mips = 4;
        jobs.push_back(j);
    }
    jobs.push_back({"hero_diffuse_8k", 268435456ull, 9.0, 1250.0, 6.0, 6});
    jobs.push_back({"terrain_height_16k", 1073741824ull, 12.0, 1480.0, 7.0, 6});
    jobs.push_back({"sky_cubemap_8k", 402653184ull, 10.0, 1320.0, 6.0, 6});
    // walking the source tree + hashing file headers
    BusyFor(180.0, 3);
    return jobs;
}

static void Plan(std::vector<AssetJob>& jobs, bool largestFirst) {
    ZoneScopedN("Pipeline::Plan");
    if (largestFirst) {
        std::stable_sort(jobs.begin(), jobs.end(),
                         [](const AssetJob& a, const AssetJob& b) { return a.sourceBytes > b.sourceBytes; });
    } else {
        // smallest first, so the progress bar moves quickly
        std::stable_sort(jobs.begin(), jobs.end(),
                         [](const AssetJob& a, const AssetJob& b) { return a.sourceBytes < b.sourceBytes; });
    }
    BusyFor(40.0, 5);  // dependency resolution
}

static void AcquireSlot() {
    std::unique_lock<std::mutex> lk(g_slotMutex);
    if (g_active >= kMaxThreads) {
        ZoneScopedN("Pipeline::AcquireSlot");
        g_slotCv.wait(lk, [] { return g_active < kMaxThreads; });
    }
    ++g_active;
}

static void ReleaseSlot() {
    {
        std::lock_guard<std::mutex> lk(g_slotMutex);
        --g_active;
    }
    g_slotCv.notify_all();
}

static void RunTask(AssetJob job) {
    Asset::Export(job);
    ReleaseSlot();
}

static void WaitAll(std::vector<std::thread>& threads) {
    ZoneScopedN("Pipeline::WaitAll");
    for (auto& t : threads)
        if (t.joinable()) t.join();
}

static void WriteManifest() {
    ZoneScopedN("Pipeline::WriteManifest");
    std::lock_guard<LockableBase(std::mutex)> lk(g_manifestMutex);
    std::sort(g_manifest.begin(), g_manifest.end());
    BusyFor(60.0, 13);
    SleepMs(30.0);
}
}  // namespace Pipeline

int main(int argc, char** argv) {
    const char* scen = argc > 1 ? argv[1] : "smallest_first";
    bool largestFirst = strcmp(scen, "largest_first") == 0;
    TracyMessageL("asset export start");
    std::vector<AssetJob> jobs = Pipeline::ScanSources();
    Pipeline::Plan(jobs, largestFirst);
    {
        char msg[96];
        int n = snprintf(msg, sizeof msg, "planned %zu assets, %d worker threads max", jobs.size(),
                         Pipeline::kMaxThreads);
        TracyMessage(msg, n);
    }
    std::vector<std::thread> threads;
    threads.reserve(jobs.size());
    {
        ZoneScopedN("Pipeline::Dispatch");
        for (size_t i = 0; i < jobs.size(); ++i) {
            Pipeline::AcquireSlot();
            threads.emplace_back(Pipeline::RunTask, jobs[i]);
        }
    }
    Pipeline::WaitAll(threads);
    Pipeline::WriteManifest();
    TracyMessageL("asset export done");
    fprintf(stderr, "exported %zu assets (%s), sink=%llu\n", g_manifest.size(), scen,
            (unsigned long long)g_sink.load());
    return 0;
}
