// Small action game: main thread runs the frame loop and reads the managed world heap
// (World::Read, shared lock) several times per frame; two job workers read it too; a
// streaming thread loads level chunks; an audio thread mixes voices; a GC thread collects
// the managed heap every ~1.5 s.
// Usage: prog [stw|incremental] [seconds]
//   stw          GC::Collect holds World::m_heapLock exclusively for the whole collection
//   incremental  GC::Collect does the same work in short exclusive slices
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

static std::atomic<bool> g_quit{false};
static volatile float g_sink = 0.f;

// Real work for `ms` wall milliseconds: `busyFrac` of it iterating over `data`,
// the rest sleeping (IO / GPU / driver waits that are part of the work).
static float DoWork(std::vector<float>& data, double ms, double busyFrac, uint32_t seed)
{
    const auto start = Clock::now();
    const auto busyEnd = start + std::chrono::microseconds((int64_t)(ms * 1000.0 * busyFrac));
    const auto end = start + std::chrono::microseconds((int64_t)(ms * 1000.0));
    float acc = 0.f;
    size_t i = seed % data.size();
    while (Clock::now() < busyEnd) {
        for (int k = 0; k < 256; ++k) {
            float v = data[i];
            acc += v * 0.5f + (acc > 1e6f ? -acc : 0.f);
            data[i] = v * 0.999f + 0.001f * acc;
            i = (i * 1664525u + 1013904223u) % data.size();
        }
    }
    if (busyFrac < 1.0) std::this_thread::sleep_until(end);
    return acc;
}

static double Jitter(std::mt19937& rng, double base, double pct)
{
    std::uniform_real_distribution<double> d(1.0 - pct, 1.0 + pct);
    return base * d(rng);
}

// ---------------------------------------------------------------- managed world heap
struct World {
    TracySharedLockableN(std::shared_mutex, m_heapLock, "World::m_heapLock");
    std::vector<float> objects = std::vector<float>(1 << 16, 1.0f);

    // Read a slice of the managed heap (entity components, script state).
    float Read(uint32_t seed, double ms)
    {
        ZoneScopedN("World::Read");
        std::shared_lock<SharedLockableBase(std::shared_mutex)> lk(m_heapLock);
        // walk a few thousand object headers, then wait on the rest (cache misses / page-ins)
        const auto end = Clock::now() + std::chrono::microseconds((int64_t)(ms * 1000.0));
        float acc = 0.f;
        size_t i = seed % objects.size();
        for (int k = 0; k < 4096; ++k) {
            acc += objects[i];
            i = (i * 2654435761u + 1u) % objects.size();
        }
        std::this_thread::sleep_until(end);
        return acc;
    }
};
static World g_world;

// ---------------------------------------------------------------- audio
struct Audio {
    TracyLockableN(std::mutex, m_voiceLock, "Audio::m_voiceLock");
    std::vector<float> voices = std::vector<float>(4096, 0.5f);
    int pendingSounds = 0;
};
static Audio g_audio;

static void AudioThread()
{
    tracy::SetThreadName("Audio");
    std::mt19937 rng(7);
    std::vector<float> buf(8192, 0.f);
    auto next = Clock::now();
    while (!g_quit.load()) {
        next += std::chrono::milliseconds(10);
        {
            ZoneScopedN("Audio::MixBlock");
            std::lock_guard<LockableBase(std::mutex)> lk(g_audio.m_voiceLock);
            g_audio.pendingSounds = 0;
            g_sink = g_sink + DoWork(g_audio.voices, Jitter(rng, 1.2, 0.2), 0.15, rng());
        }
        std::this_thread::sleep_until(next);
    }
}

// ---------------------------------------------------------------- streaming
static void StreamingThread()
{
    tracy::SetThreadName("Streaming");
    std::mt19937 rng(11);
    std::vector<float> chunk(1 << 15, 2.f);
    std::this_thread::sleep_for(std::chrono::milliseconds(350));
    int n = 0;
    while (!g_quit.load()) {
        {
            ZoneScopedN("Asset::LoadChunk");
            char name[64];
            int len = snprintf(name, sizeof(name), "level01/chunk_%02d.pak", n++);
            ZoneText(name, len);
            {
                ZoneScopedN("Asset::ReadFile");
                std::this_thread::sleep_for(std::chrono::microseconds((int64_t)(Jitter(rng, 70.0, 0.15) * 1000)));
            }
            {
                ZoneScopedN("Asset::Decompress");
                g_sink = g_sink + DoWork(chunk, Jitter(rng, 14.0, 0.2), 0.15, rng());
            }
            {
                ZoneScopedN("Asset::UploadTextures");
                g_sink = g_sink + DoWork(chunk, Jitter(rng, 9.0, 0.2), 0.1, rng());
            }
        }
        // period ~1.1 s (close to, but not the same as, the GC period)
        std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    }
}

// ---------------------------------------------------------------- jobs
static void WorkerThread(int idx)
{
    char tname[32];
    snprintf(tname, sizeof(tname), "Worker %d", idx);
    tracy::SetThreadName(tname);
    std::mt19937 rng(100 + idx);
    std::vector<float> scratch(1 << 14, 0.25f);
    while (!g_quit.load()) {
        {
            ZoneScopedN("Jobs::AnimationBatch");
            g_sink = g_sink + g_world.Read(rng(), Jitter(rng, 0.25, 0.3));
            g_sink = g_sink + DoWork(scratch, Jitter(rng, 2.5, 0.3), 0.1, rng());
        }
        {
            ZoneScopedN("Jobs::PathfindRequest");
            g_sink = g_sink + g_world.Read(rng(), Jitter(rng, 0.2, 0.3));
            g_sink = g_sink + DoWork(scratch, Jitter(rng, 3.0, 0.3), 0.1, rng());
        }
        std::this_thread::sleep_for(std::chrono::microseconds((int64_t)Jitter(rng, 1500, 0.4)));
    }
}

// ---------------------------------------------------------------- GC
static bool g_incremental = false;

static void GcPhase(const char* phase, std::vector<float>& mark, double ms, uint32_t seed)
{
    (void)phase;
    g_sink = g_sink + DoWork(mark, ms, 0.1, seed);
}

static void GcThread()
{
    tracy::SetThreadName("GC");
    std::mt19937 rng(3);
    std::vector<float> markBits(1 << 15, 0.f);
    std::this_thread::sleep_for(std::chrono::milliseconds(900));
    auto next = Clock::now();
    while (!g_quit.load()) {
        {
            ZoneScopedN("GC::Collect");
            if (!g_incremental) {
                std::unique_lock<SharedLockableBase(std::shared_mutex)> lk(g_world.m_heapLock);
                {
                    ZoneScopedN("GC::MarkRoots");
                    GcPhase("roots", markBits, Jitter(rng, 8.0, 0.1), rng());
                }
                {
                    ZoneScopedN("GC::MarkHeap");
                    GcPhase("mark", markBits, Jitter(rng, 22.0, 0.1), rng());
                }
                {
                    ZoneScopedN("GC::Sweep");
                    GcPhase("sweep", markBits, Jitter(rng, 15.0, 0.1), rng());
                }
            } else {
                // same 45 ms of work, in 1.5 ms exclusive slices with the lock released between
                for (int s = 0; s < 30 && !g_quit.load(); ++s) {
                    {
                        ZoneScopedN("GC::Slice");
                        std::unique_lock<SharedLockableBase(std::shared_mutex)> lk(g_world.m_heapLock);
                        GcPhase("slice", markBits, Jitter(rng, 1.5, 0.1), rng());
                    }
                    std::this_thread::sleep_for(std::chrono::milliseconds(4));
                }
            }
        }
        {
            ZoneScopedN("GC::UpdateStats");
            g_sink = g_sink + DoWork(markBits, 0.3, 0.3, rng());
        }
        next += std::chrono::milliseconds(1500);
        std::this_thread::sleep_until(next);
    }
}

// ---------------------------------------------------------------- main loop
int main(int argc, char** argv)
{
    const char* scen = argc > 1 ? argv[1] : "stw";
    double seconds = argc > 2 ? atof(argv[2]) : 6.0;
    if (!strcmp(scen, "incremental")) g_incremental = true;
    else if (strcmp(scen, "stw")) { fprintf(stderr, "unknown scenario %s\n", scen); return 2; }
    fprintf(stderr, "scenario %s, %.1f s\n", scen, seconds);

    TracyMessageL("Game started");
    std::thread audio(AudioThread);
    std::thread streaming(StreamingThread);
    std::thread w1(WorkerThread, 1), w2(WorkerThread, 2);
    std::thread gc(GcThread);

    std::mt19937 rng(1);
    std::vector<float> sim(1 << 16, 1.f);
    std::vector<float> cmds(1 << 15, 0.f);
    const auto stop = Clock::now() + std::chrono::microseconds((int64_t)(seconds * 1e6));
    while (Clock::now() < stop) {
        {
            ZoneScopedN("Input::Poll");
            g_sink = g_sink + DoWork(sim, 0.2, 0.3, rng());
        }
        {
            ZoneScopedN("Game::Update");
            {
                ZoneScopedN("Scripts::Tick");
                for (int k = 0; k < 3; ++k) g_sink = g_sink + g_world.Read(rng(), Jitter(rng, 0.15, 0.3));
                g_sink = g_sink + DoWork(sim, Jitter(rng, 0.8, 0.2), 0.25, rng());
            }
            {
                ZoneScopedN("AI::Think");
                g_sink = g_sink + g_world.Read(rng(), Jitter(rng, 0.2, 0.3));
                g_sink = g_sink + DoWork(sim, Jitter(rng, 1.2, 0.2), 0.2, rng());
            }
            {
                ZoneScopedN("Audio::PlaySounds");
                std::lock_guard<LockableBase(std::mutex)> lk(g_audio.m_voiceLock);
                g_audio.pendingSounds += 2;
            }
        }
        {
            ZoneScopedN("Physics::Step");
            g_sink = g_sink + g_world.Read(rng(), Jitter(rng, 0.15, 0.3));
            g_sink = g_sink + DoWork(sim, Jitter(rng, 2.2, 0.15), 0.2, rng());
        }
        {
            ZoneScopedN("Render::BuildCommandList");
            g_sink = g_sink + g_world.Read(rng(), Jitter(rng, 0.15, 0.3));
            g_sink = g_sink + DoWork(cmds, Jitter(rng, 1.8, 0.15), 0.2, rng());
        }
        {
            ZoneScopedN("Render::Present");  // GPU / vsync wait
            std::this_thread::sleep_for(std::chrono::microseconds((int64_t)(Jitter(rng, 5.0, 0.1) * 1000)));
        }
        FrameMark;
    }
    g_quit = true;
    audio.join();
    streaming.join();
    w1.join();
    w2.join();
    gc.join();
    TracyMessageL("Game shutdown");
    fprintf(stderr, "done %f\n", (double)g_sink);
    return 0;
}
