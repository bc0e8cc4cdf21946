// blind257: "Hollowmere" - a small game loop with a slow quit.
// Usage: hollowmere perentity|arena [frames_seconds]
//   perentity : shutdown destroys the world entity by entity (each EntityBlock freed on its own)
//   arena     : entities live in one pool, the world frees the pool in one go
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

static volatile float g_sink = 0.f;

// Real CPU work over a data buffer until `us` microseconds have passed.
static void crunch(std::vector<float>& data, double us) {
    auto end = Clock::now() + std::chrono::duration<double, std::micro>(us);
    size_t i = 0;
    float acc = 0.f;
    while (Clock::now() < end) {
        for (int k = 0; k < 64; ++k) {
            float& v = data[i];
            v = v * 0.999f + std::sqrt(std::fabs(v) + 1.f);
            acc += v;
            i = (i + 1) % data.size();
        }
    }
    g_sink = g_sink + acc;
}

static void sleep_us(double us) { std::this_thread::sleep_for(std::chrono::duration<double, std::micro>(us)); }

// ---------------------------------------------------------------------------------------------------------------
// Entities
struct EntityBlock {
    uint32_t id;
    uint32_t flags;
    float pos[3];
    float vel[3];
    uint32_t components[6];
    EntityBlock* next;
};

static constexpr int kEntityCount = 150000;
static constexpr int kSectors = 60;

struct World {
    std::vector<EntityBlock*> entities;  // perentity scenario: individually allocated
    EntityBlock* pool = nullptr;          // arena scenario: one block
    float* terrain = nullptr;
    size_t terrainBytes = 0;
    bool arena = false;
};

static World g_world;
static std::vector<float> g_scratchMain(1 << 14, 1.f);

static void World_Load(bool arena) {
    ZoneScopedN("World::Load");
    g_world.arena = arena;
    {
        ZoneScopedN("World::LoadTerrain");
        g_world.terrainBytes = 8u << 20;
        g_world.terrain = (float*)std::malloc(g_world.terrainBytes);
        TracyAlloc(g_world.terrain, g_world.terrainBytes);
        std::memset(g_world.terrain, 0, g_world.terrainBytes);
        crunch(g_scratchMain, 120000);
    }
    {
        ZoneScopedN("World::SpawnEntities");
        if (arena) {
            g_world.pool = (EntityBlock*)std::malloc(sizeof(EntityBlock) * kEntityCount);
            TracyAlloc(g_world.pool, sizeof(EntityBlock) * kEntityCount);
            for (int i = 0; i < kEntityCount; ++i) {
                EntityBlock* e = &g_world.pool[i];
                std::memset(e, 0, sizeof(*e));
                e->id = (uint32_t)i;
            }
        } else {
            g_world.entities.reserve(kEntityCount);
            for (int i = 0; i < kEntityCount; ++i) {
                EntityBlock* e = (EntityBlock*)std::malloc(sizeof(EntityBlock));
                TracyAlloc(e, sizeof(EntityBlock));
                std::memset(e, 0, sizeof(*e));
                e->id = (uint32_t)i;
                g_world.entities.push_back(e);
            }
        }
        crunch(g_scratchMain, 60000);
    }
}

// Entity teardown: unregister components, unlink from spatial hash, then free the block.
// Paced at ~14.7 us per entity (component-table walks in the real engine).
static void World_Destroy() {
    ZoneScopedN("World::Destroy");
    if (g_world.arena) {
        {
            ZoneScopedN("World::ReleaseEntityPool");
            crunch(g_scratchMain, 25000);
            TracyFree(g_world.pool);
            std::free(g_world.pool);
            g_world.pool = nullptr;
        }
    } else {
        const double perEntityUs = 2200000.0 / kEntityCount;  // ~14.7 us
        const int perSector = kEntityCount / kSectors;
        auto t0 = Clock::now();
        size_t idx = 0;
        for (int s = 0; s < kSectors; ++s) {
            ZoneScopedN("World::DestroySector");
            for (int k = 0; k < perSector; ++k, ++idx) {
                EntityBlock* e = g_world.entities[idx];
                // unregister components (real work on the block), paced to the per-entity budget
                auto deadline = t0 + std::chrono::duration<double, std::micro>(perEntityUs * (idx + 1));
                float acc = 0.f;
                while (Clock::now() < deadline) {
                    for (int c = 0; c < 6; ++c) {
                        e->components[c] = e->components[c] * 1664525u + 1013904223u;
                        acc += (float)(e->components[c] & 0xff);
                    }
                }
                g_sink = g_sink + acc;
                TracyFree(e);
                std::free(e);
            }
        }
        g_world.entities.clear();
    }
    {
        ZoneScopedN("World::ReleaseTerrain");
        TracyFree(g_world.terrain);
        std::free(g_world.terrain);
        g_world.terrain = nullptr;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Audio thread
static TracyLockable(std::mutex, g_audioLock);
static std::condition_variable_any g_audioCv;
static bool g_audioStop = false;
static bool g_audioDone = false;
static std::atomic<bool> g_running{true};

static void AudioThread() {
    tracy::SetThreadName("Audio");
    std::vector<float> mixbuf(4096, 0.5f);
    for (;;) {
        {
            std::unique_lock<LockableBase(std::mutex)> lk(g_audioLock);
            if (g_audioStop) break;
        }
        {
            ZoneScopedN("Audio::Mix");
            crunch(mixbuf, 1100);
        }
        sleep_us(9000);
    }
    {
        // Drain the queued voices/reverb tails before the device can be closed: ~0.5 s.
        ZoneScopedN("Audio::Drain");
        for (int i = 0; i < 25; ++i) {
            ZoneScopedN("Audio::FlushVoiceBuffer");
            crunch(mixbuf, 400);
            sleep_us(19600);
        }
    }
    {
        std::unique_lock<LockableBase(std::mutex)> lk(g_audioLock);
        g_audioDone = true;
    }
    g_audioCv.notify_all();
}

static void Audio_Shutdown() {
    ZoneScopedN("Audio::Shutdown");
    {
        std::unique_lock<LockableBase(std::mutex)> lk(g_audioLock);
        g_audioStop = true;
    }
    {
        ZoneScopedN("Audio::WaitForDrain");
        std::unique_lock<LockableBase(std::mutex)> lk(g_audioLock);
        g_audioCv.wait(lk, [] { return g_audioDone; });
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Worker thread: animation/particles jobs each frame
static TracyLockable(std::mutex, g_jobLock);
static std::condition_variable_any g_jobCv;
static int g_jobFrame = 0;

static void WorkerThread() {
    tracy::SetThreadName("Worker");
    std::vector<float> data(1 << 14, 2.f);
    int seen = 0;
    for (;;) {
        {
            std::unique_lock<LockableBase(std::mutex)> lk(g_jobLock);
            g_jobCv.wait(lk, [&] { return g_jobFrame != seen || !g_running.load(); });
            if (!g_running.load()) break;
            seen = g_jobFrame;
        }
        {
            ZoneScopedN("Anim::SkinCharacters");
            crunch(data, 3500);
        }
        {
            ZoneScopedN("Particles::Simulate");
            crunch(data, 1500);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
static void Save_WriteProfile() {
    ZoneScopedN("Save::WriteProfile");
    std::vector<float> buf(1 << 15, 3.f);
    {
        ZoneScopedN("Save::SerializeProfile");
        crunch(buf, 220000);
    }
    {
        ZoneScopedN("Save::Compress");
        crunch(buf, 180000);
    }
    {
        ZoneScopedN("Save::FlushToDisk");
        sleep_us(200000);
    }
}

int main(int argc, char** argv) {
    tracy::SetThreadName("Main");
    std::string scen = argc > 1 ? argv[1] : "perentity";
    double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
    bool arena = scen == "arena";
    if (scen != "arena" && scen != "perentity") {
        std::fprintf(stderr, "usage: %s perentity|arena [seconds]\n", argv[0]);
        return 2;
    }
    TracyMessageL("game start");
    World_Load(arena);
    std::thread audio(AudioThread);
    std::thread worker(WorkerThread);

    std::vector<float> sim(1 << 14, 1.f);
    auto start = Clock::now();
    auto frameStart = start;
    int frame = 0;
    while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
        {
            ZoneScopedN("Game::Frame");
            {
                std::unique_lock<LockableBase(std::mutex)> lk(g_jobLock);
                ++g_jobFrame;
            }
            g_jobCv.notify_one();
            {
                ZoneScopedN("Game::Update");
                crunch(sim, 2500);
            }
            {
                ZoneScopedN("Physics::Step");
                crunch(sim, 2000);
            }
            {
                ZoneScopedN("Render::Frame");
                {
                    ZoneScopedN("Render::Cull");
                    crunch(sim, 1200);
                }
                {
                    ZoneScopedN("Render::DrawScene");
                    crunch(sim, 4500);
                }
            }
            {
                ZoneScopedN("Render::Present");
                auto target = frameStart + std::chrono::microseconds(16667);
                if (Clock::now() < target) std::this_thread::sleep_until(target);
            }
        }
        FrameMark;
        frameStart = Clock::now();
        ++frame;
    }
    TracyMessageL("quit requested");
    std::fprintf(stderr, "quit requested after %d frames\n", frame);
    {
        ZoneScopedN("Game::Shutdown");
        {
            ZoneScopedN("Net::Disconnect");
            sleep_us(15000);
        }
        g_running = false;
        {
            std::unique_lock<LockableBase(std::mutex)> lk(g_jobLock);
        }
        g_jobCv.notify_all();
        worker.join();
        World_Destroy();
        Save_WriteProfile();
        Audio_Shutdown();
        audio.join();
        {
            ZoneScopedN("Render::Shutdown");
            crunch(g_scratchMain, 30000);
        }
    }
    TracyMessageL("shutdown complete");
    std::fprintf(stderr, "done\n");
    return 0;
}
