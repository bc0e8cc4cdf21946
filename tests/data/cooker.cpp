// Offline asset cooker: scans sources, compresses textures on a small worker pool,
// builds the navigation mesh, writes the pak file. No frames: one batch run.
// Usage: prog [cook|navpar]
//   cook   : current pipeline (nav mesh tiles built serially on the main thread)
//   navpar : nav mesh tiles dispatched to the worker pool (the "after" of a change)
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

static volatile uint64_t g_sink = 0;

// CPU work over `data` for `ms` wall milliseconds (FNV-style hashing / mixing passes).
static uint64_t Crunch(std::vector<uint32_t>& data, double ms, uint64_t seed)
{
    const auto end = Clock::now() + std::chrono::microseconds((int64_t)(ms * 1000.0));
    uint64_t h = 1469598103934665603ull ^ seed;
    size_t i = seed % data.size();
    while (Clock::now() < end) {
        for (int k = 0; k < 2048; ++k) {
            h ^= data[i];
            h *= 1099511628211ull;
            data[i] = (uint32_t)(h >> 17);
            i = (i + 97) % data.size();
        }
    }
    g_sink = g_sink + h;
    return h;
}

static double Jitter(std::mt19937& rng, double base, double pct)
{
    std::uniform_real_distribution<double> d(1.0 - pct, 1.0 + pct);
    return base * d(rng);
}

// ---------------------------------------------------------------- worker pool
struct CookPool {
    TracyLockable(std::mutex, mtx);
    std::condition_variable_any cv;
    std::condition_variable_any doneCv;
    std::deque<std::function<void()>> queue;
    int pending = 0;
    bool quit = false;

    void Push(std::function<void()> f)
    {
        {
            std::lock_guard<LockableBase(std::mutex)> lk(mtx);
            queue.push_back(std::move(f));
            ++pending;
            TracyPlot("cook_jobs_pending", (int64_t)pending);
        }
        cv.notify_one();
    }
    void WaitIdle()
    {
        std::unique_lock<LockableBase(std::mutex)> lk(mtx);
        doneCv.wait(lk, [&] { return pending == 0; });
    }
};
static CookPool g_pool;

static void WorkerMain(int idx)
{
    char name[32];
    snprintf(name, sizeof(name), "CookWorker %d", idx);
    tracy::SetThreadName(name);
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock<LockableBase(std::mutex)> lk(g_pool.mtx);
            g_pool.cv.wait(lk, [] { return g_pool.quit || !g_pool.queue.empty(); });
            if (g_pool.quit && g_pool.queue.empty()) return;
            job = std::move(g_pool.queue.front());
            g_pool.queue.pop_front();
        }
        job();
        {
            std::lock_guard<LockableBase(std::mutex)> lk(g_pool.mtx);
            --g_pool.pending;
            TracyPlot("cook_jobs_pending", (int64_t)g_pool.pending);
            if (g_pool.pending == 0) g_pool.doneCv.notify_all();
        }
    }
}

// ---------------------------------------------------------------- phases
static void ScanSources(std::mt19937& rng)
{
    ZoneScopedN("Cook::ScanSources");
    TracyMessageL("phase: scan sources");
    std::vector<uint32_t> buf(64 * 1024, 7u);
    // 48 source files, each hashed for change detection (~10 ms each)
    for (int f = 0; f < 48; ++f) {
        ZoneScopedN("Cook::HashSource");
        Crunch(buf, Jitter(rng, 10.0, 0.15), (uint64_t)f);
    }
    {
        ZoneScopedN("Cook::ResolveDependencies");
        Crunch(buf, 20.0, 999);
    }
}

static void CompressOneTexture(int tex, double mipMs, double encMs)
{
    ZoneScopedN("Cook::CompressTexture");
    const size_t bytes = 1u << 20;  // 1 MiB working buffer per texture
    uint32_t* raw = (uint32_t*)malloc(bytes);
    TracyAlloc(raw, bytes);
    std::vector<uint32_t> pixels(raw, raw + bytes / 4);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = (uint32_t)(i * 2654435761u + tex);
    {
        ZoneScopedN("Texture::GenerateMips");
        Crunch(pixels, mipMs, (uint64_t)tex * 31);
    }
    {
        ZoneScopedN("Texture::EncodeBC7");
        Crunch(pixels, encMs, (uint64_t)tex * 17);
    }
    TracyFree(raw);
    free(raw);
}

static void CompressTextures(std::mt19937& rng)
{
    ZoneScopedN("Cook::CompressTextures");
    TracyMessageL("phase: compress textures");
    // 40 textures x ~100 ms on 2 workers -> ~2 s wall, ~4 s of worker time
    for (int t = 0; t < 40; ++t) {
        double mip = Jitter(rng, 30.0, 0.1);
        double enc = Jitter(rng, 70.0, 0.1);
        g_pool.Push([t, mip, enc] { CompressOneTexture(t, mip, enc); });
    }
    {
        ZoneScopedN("Cook::WaitForWorkers");
        g_pool.WaitIdle();
    }
}

static void BuildNavTile(int tile, double voxMs, double regMs, double triMs)
{
    ZoneScopedN("NavMesh::BuildTile");
    ZoneValue((uint64_t)tile);
    std::vector<uint32_t> grid(128 * 1024, (uint32_t)tile);
    {
        ZoneScopedN("NavMesh::Voxelize");
        Crunch(grid, voxMs, (uint64_t)tile * 3);
    }
    {
        ZoneScopedN("NavMesh::BuildRegions");
        Crunch(grid, regMs, (uint64_t)tile * 5);
    }
    {
        ZoneScopedN("NavMesh::Triangulate");
        Crunch(grid, triMs, (uint64_t)tile * 7);
    }
}

static void BuildNavMesh(std::mt19937& rng, bool parallel)
{
    ZoneScopedN("Cook::BuildNavMesh");
    TracyMessageL("phase: build navmesh");
    // 16 independent tiles x ~150 ms, then a short stitch pass (~100 ms)
    for (int tile = 0; tile < 16; ++tile) {
        double vox = Jitter(rng, 60.0, 0.1);
        double reg = Jitter(rng, 50.0, 0.1);
        double tri = Jitter(rng, 40.0, 0.1);
        if (parallel)
            g_pool.Push([tile, vox, reg, tri] { BuildNavTile(tile, vox, reg, tri); });
        else
            BuildNavTile(tile, vox, reg, tri);
    }
    if (parallel) {
        ZoneScopedN("Cook::WaitForWorkers");
        g_pool.WaitIdle();
    }
    {
        ZoneScopedN("NavMesh::StitchTiles");
        std::vector<uint32_t> edges(64 * 1024, 3u);
        Crunch(edges, 100.0, 4242);
    }
}

static void WritePak(std::mt19937& rng)
{
    ZoneScopedN("Cook::WritePak");
    TracyMessageL("phase: write pak");
    std::vector<uint32_t> chunk(128 * 1024, 1u);
    // 12 chunks: deflate (~30 ms CPU) then flush to disk (~20 ms wait)
    for (int c = 0; c < 12; ++c) {
        ZoneScopedN("Pak::WriteChunk");
        {
            ZoneScopedN("Pak::Deflate");
            Crunch(chunk, Jitter(rng, 30.0, 0.1), (uint64_t)c);
        }
        {
            ZoneScopedN("Pak::Flush");
            std::this_thread::sleep_for(std::chrono::microseconds((int64_t)Jitter(rng, 20000.0, 0.1)));
        }
    }
}

int main(int argc, char** argv)
{
    tracy::SetThreadName("Main");
    const std::string scen = argc > 1 ? argv[1] : "cook";
    const bool navParallel = (scen == "navpar");
    std::mt19937 rng(209);

    std::thread w0(WorkerMain, 0), w1(WorkerMain, 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));

    {
        ZoneScopedN("Cook::Run");
        ScanSources(rng);
        CompressTextures(rng);
        BuildNavMesh(rng, navParallel);
        WritePak(rng);
    }
    TracyMessageL("cook finished");

    {
        std::lock_guard<LockableBase(std::mutex)> lk(g_pool.mtx);
        g_pool.quit = true;
    }
    g_pool.cv.notify_all();
    w0.join();
    w1.join();
    fprintf(stderr, "cook done (%s), sink=%llu\n", scen.c_str(), (unsigned long long)g_sink);
    return 0;
}
