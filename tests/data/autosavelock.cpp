// Small game-loop simulation: main thread runs Game::Update / Render, an Autosave thread periodically
// snapshots the world, a Streaming thread decodes assets, an Audio thread mixes.
// Usage: prog SCENARIO [seconds]
//   SCENARIO = bad   : autosave serializes the world while holding World::m_lock
//              good  : autosave only copies entity state under the lock, serializes outside it
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

using Clock = std::chrono::steady_clock;
static std::atomic<bool> g_running{true};

// Thread priorities as a game sets them: main/audio above normal, streaming below (ignored if not permitted).
static void set_thread_nice(int nice) {
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}

// Real arithmetic work until the deadline (keeps durations steady on a noisy 2-core box).
static double busy_for(double ms, std::vector<float>& data) {
    auto end = Clock::now() + std::chrono::microseconds((long long)(ms * 1000.0));
    double acc = 0.0;
    size_t i = 0;
    while (Clock::now() < end) {
        for (int k = 0; k < 256; ++k) {
            float& v = data[i];
            v = v * 0.999f + std::sin(v + (float)k) * 0.001f;
            acc += v;
            i = (i + 1) % data.size();
        }
    }
    return acc;
}

struct Entity {
    float pos[3], vel[3];
    float health;
    int id;
};

struct World {
    TracyLockableN(std::mutex, m_lock, "World::m_lock");
    std::vector<Entity> entities;
    std::vector<float> scratch;
    World() : entities(20000), scratch(1 << 14, 1.0f) {
        for (size_t i = 0; i < entities.size(); ++i) {
            entities[i] = Entity{{(float)i, 0, 0}, {1, 0, 0}, 100.f, (int)i};
        }
    }
};

struct AssetCache {
    TracyLockableN(std::mutex, m_lock, "AssetCache::m_lock");
    int ready = 0;
};

static World g_world;

// The game asks for an autosave on a timer; the Autosave thread sleeps until asked.
static std::mutex g_saveReqMutex;
static std::condition_variable g_saveReqCv;
static bool g_saveRequested = false;
static AssetCache g_assets;
static volatile double g_sink = 0;

// ---------------- main thread pieces ----------------
static void World_Tick(std::vector<float>& tmp) {
    ZoneScopedN("World::Tick");
    std::lock_guard<LockableBase(std::mutex)> lk(g_world.m_lock);
    LockMark(g_world.m_lock);
    for (auto& e : g_world.entities) {
        for (int a = 0; a < 3; ++a) e.pos[a] += e.vel[a] * 0.016f;
    }
    g_sink = g_sink + busy_for(1.0, tmp);
}

static void AI_Think(std::vector<float>& tmp) {
    ZoneScopedN("AI::Think");
    g_sink = g_sink + busy_for(1.0, tmp);
}

static void Physics_Step(std::vector<float>& tmp) {
    ZoneScopedN("Physics::Step");
    {
        ZoneScopedN("Physics::Broadphase");
        g_sink = g_sink + busy_for(1.0, tmp);
    }
    {
        ZoneScopedN("Physics::Solve");
        g_sink = g_sink + busy_for(2.2, tmp);
    }
}

static void Game_Update(std::vector<float>& tmp) {
    ZoneScopedN("Game::Update");
    {
        ZoneScopedN("Input::Poll");
        g_sink = g_sink + busy_for(0.2, tmp);
    }
    World_Tick(tmp);
    AI_Think(tmp);
    Physics_Step(tmp);
}

static void Render_Frame(std::vector<float>& tmp) {
    ZoneScopedN("Render::Frame");
    {
        ZoneScopedN("Render::Cull");
        g_sink = g_sink + busy_for(0.6, tmp);
    }
    {
        ZoneScopedN("Render::Submit");
        {
            std::lock_guard<LockableBase(std::mutex)> lk(g_assets.m_lock);
            LockMark(g_assets.m_lock);
            g_sink = g_sink + busy_for(0.2, tmp);
        }
        g_sink = g_sink + busy_for(1.3, tmp);
    }
    {
        ZoneScopedN("Render::WaitGPU");  // fence wait for the previous frame
        std::this_thread::sleep_for(std::chrono::microseconds(2500));
    }
}

static void Level_Load(std::vector<float>& tmp) {
    ZoneScopedN("Level::Load");
    {
        ZoneScopedN("Level::ParseMap");
        g_sink = g_sink + busy_for(60.0, tmp);
    }
    {
        ZoneScopedN("Level::SpawnEntities");
        std::lock_guard<LockableBase(std::mutex)> lk(g_world.m_lock);
        LockMark(g_world.m_lock);
        g_sink = g_sink + busy_for(50.0, tmp);
    }
}

// ---------------- Autosave thread ----------------
static void Save_Serialize(const std::vector<Entity>& copy, std::vector<float>& tmp) {
    ZoneScopedN("Save::SerializeComponents");
    double s = 0;
    for (const auto& e : copy) s += e.pos[0] + e.health;
    g_sink = g_sink + s + busy_for(1.5, tmp);
    {
        // component blobs are streamed to the save journal; waits on the journal's I/O queue
        ZoneScopedN("Save::FlushJournal");
        std::this_thread::sleep_for(std::chrono::milliseconds(24));
    }
}

static void AutosaveThread(bool bad) {
    tracy::SetThreadName("Autosave");
    std::vector<float> tmp(1 << 14, 0.5f);
    std::vector<Entity> copy;
    int slot = 0;
    while (true) {
        {
            std::unique_lock<std::mutex> lk(g_saveReqMutex);
            g_saveReqCv.wait(lk, [] { return g_saveRequested || !g_running; });
            if (!g_running) break;
            g_saveRequested = false;
        }
        {
            ZoneScopedN("Save::Autosave");
            {
                ZoneScopedN("Save::Snapshot");
                std::lock_guard<LockableBase(std::mutex)> lk(g_world.m_lock);
                LockMark(g_world.m_lock);
                {
                    ZoneScopedN("Save::CopyEntities");
                    copy = g_world.entities;
                    g_sink = g_sink + busy_for(1.5, tmp);
                }
                if (bad) Save_Serialize(copy, tmp);  // serializing while the world is locked
            }
            if (!bad) Save_Serialize(copy, tmp);
            {
                ZoneScopedN("Save::Compress");
                g_sink = g_sink + busy_for(38.0, tmp);
            }
            {
                ZoneScopedN("Save::WriteFile");
                std::this_thread::sleep_for(std::chrono::milliseconds(18));
            }
            char msg[64];
            int n = std::snprintf(msg, sizeof msg, "autosave written to slot %d", slot);
            TracyMessage(msg, n);
            slot = (slot + 1) % 3;
        }
    }
}

// ---------------- Streaming thread ----------------
static void StreamingThread() {
    tracy::SetThreadName("Streaming");
    set_thread_nice(10);
    std::vector<float> tmp(1 << 14, 0.25f);
    auto next = Clock::now() + std::chrono::milliseconds(300);
    int n = 0;
    while (g_running) {
        std::this_thread::sleep_until(next);
        next += std::chrono::milliseconds(800);
        if (!g_running) break;
        ZoneScopedN("Asset::LoadChunk");
        {
            ZoneScopedN("Asset::ReadFile");
            std::this_thread::sleep_for(std::chrono::milliseconds(12));
        }
        {
            ZoneScopedN("Asset::DecodeTexture");
            g_sink = g_sink + busy_for(42.0, tmp);
        }
        {
            ZoneScopedN("Asset::Publish");
            std::lock_guard<LockableBase(std::mutex)> lk(g_assets.m_lock);
            LockMark(g_assets.m_lock);
            g_assets.ready = ++n;
            g_sink = g_sink + busy_for(0.5, tmp);
        }
    }
}

// ---------------- Audio thread ----------------
static void AudioThread() {
    tracy::SetThreadName("Audio");
    set_thread_nice(-10);
    std::vector<float> tmp(4096, 0.1f);
    auto next = Clock::now();
    while (g_running) {
        next += std::chrono::milliseconds(10);
        std::this_thread::sleep_until(next);
        ZoneScopedN("Audio::Mix");
        g_sink = g_sink + busy_for(1.0, tmp);
    }
}

int main(int argc, char** argv) {
    const char* scen = argc > 1 ? argv[1] : "bad";
    double seconds = argc > 2 ? std::atof(argv[2]) : 7.5;
    bool bad = std::strcmp(scen, "bad") == 0;
    if (!bad && std::strcmp(scen, "good") != 0) {
        std::fprintf(stderr, "usage: %s bad|good [seconds]\n", argv[0]);
        return 2;
    }
    tracy::SetThreadName("Main");
    set_thread_nice(-10);
    std::vector<float> tmp(1 << 14, 1.0f);

    {
        Level_Load(tmp);
        FrameMark;
    }

    std::thread autosave(AutosaveThread, bad);
    std::thread streaming(StreamingThread);
    std::thread audio(AudioThread);

    const auto frameBudget = std::chrono::microseconds(16667);
    auto start = Clock::now();
    auto frameStart = Clock::now();
    auto nextAutosave = start + std::chrono::milliseconds(750);
    int frame = 0;
    while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
        Game_Update(tmp);
        Render_Frame(tmp);
        if (Clock::now() >= nextAutosave) {
            nextAutosave += std::chrono::milliseconds(1500);
            std::lock_guard<std::mutex> lk(g_saveReqMutex);
            g_saveRequested = true;
            g_saveReqCv.notify_one();
        }
        {
            ZoneScopedN("Game::WaitVSync");
            auto target = frameStart + frameBudget;
            if (Clock::now() < target) std::this_thread::sleep_until(target);
        }
        auto now = Clock::now();
        double frameMs = std::chrono::duration<double, std::milli>(now - frameStart).count();
        TracyPlot("frame_ms", frameMs);
        frameStart = now;
        FrameMark;
        ++frame;
    }
    {
        std::lock_guard<std::mutex> lk(g_saveReqMutex);
        g_running = false;
        g_saveReqCv.notify_all();
    }
    autosave.join();
    streaming.join();
    audio.join();
    std::fprintf(stderr, "%s: %d frames\n", scen, frame);
    return 0;
}
