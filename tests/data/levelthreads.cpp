// blind235: "Dungeon Hopper" - a small game loop that streams each level on a fresh loader thread.
// Scenarios:  leak   - Level::BuildNavHints blocks are kept in a loader-local list and never freed.
//             fixed  - the nav hints are handed to the main thread with the entities and freed at unload.
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

static bool g_fixed = false;

// ---------------------------------------------------------------- tracked allocation helpers
static void* TrackedAlloc(size_t n) {
    void* p = std::malloc(n);
    std::memset(p, 0xCD, n);
    TracyAlloc(p, n);
    return p;
}
static void TrackedFree(void* p) {
    TracyFree(p);
    std::free(p);
}

// burn CPU for about `us` microseconds doing real arithmetic over a buffer
static volatile double g_sink = 0;
static void BusyWork(double us, std::vector<float>& data) {
    auto end = Clock::now() + std::chrono::duration<double, std::micro>(us);
    double acc = 0;
    size_t i = 0;
    while (Clock::now() < end) {
        for (int k = 0; k < 256; ++k) {
            float& v = data[i % data.size()];
            v = v * 0.999f + std::sqrt(float(i & 1023) + 1.0f);
            acc += v;
            ++i;
        }
    }
    g_sink = g_sink + acc;
}

// ---------------------------------------------------------------- level data
struct Block { void* p; size_t n; };

struct LoadedLevel {
    int index = 0;
    std::vector<Block> entities;   // Level::ParseEntities blocks, handed to main thread
    std::vector<Block> navHints;   // only filled in the fixed build
    std::vector<Block> textures;   // Render::TexturePool, allocated on main thread at activation
};

static TracyLockable(std::mutex, g_handoffMutex);
static LoadedLevel* g_handoff = nullptr;    // set by loader when done
static std::atomic<bool> g_loaderDone{false};

// ---------------------------------------------------------------- loader thread
static void LevelLoaderMain(int levelIndex) {
    tracy::SetThreadName("LevelLoader");
    ZoneScopedN("Level::Load");
    {
        char msg[64];
        std::snprintf(msg, sizeof msg, "loading level %d", levelIndex);
        TracyMessage(msg, std::strlen(msg));
    }
    std::vector<float> scratch(8192, 1.0f);
    auto* lvl = new LoadedLevel();
    lvl->index = levelIndex;
    std::mt19937 rng(1234 + levelIndex);

    {
        ZoneScopedN("Level::ReadPackage");
        std::this_thread::sleep_for(std::chrono::milliseconds(60));   // disk read
    }
    {
        ZoneScopedN("Level::ParseEntities");
        std::uniform_int_distribution<int> sz(1, 8);   // 512..4096 in 512 steps
        const int count = 300;
        lvl->entities.reserve(count);
        for (int i = 0; i < count; ++i) {
            size_t n = size_t(sz(rng)) * 512;
            void* p = TrackedAlloc(n);
            lvl->entities.push_back({p, n});
            if ((i % 20) == 19) BusyWork(9000, scratch);   // ~135 ms of parsing
        }
    }
    {
        ZoneScopedN("Level::BuildNavHints");
        // navigation hint tiles: 40 per level, 2 KB each
        std::vector<Block> hints;
        for (int i = 0; i < 40; ++i) {
            void* p = TrackedAlloc(2048);
            hints.push_back({p, 2048});
            BusyWork(400, scratch);
        }
        if (g_fixed) {
            lvl->navHints = std::move(hints);
        }
        // leak build: the hint list goes out of scope here, the blocks are never released
    }
    {
        ZoneScopedN("Level::LinkScripts");
        BusyWork(25000, scratch);
    }
    {
        std::lock_guard<LockableBase(std::mutex)> lk(g_handoffMutex);
        g_handoff = lvl;
    }
    g_loaderDone.store(true);
}

// ---------------------------------------------------------------- audio thread (steady streaming, distractor)
static std::atomic<bool> g_quit{false};
static void AudioThreadMain() {
    tracy::SetThreadName("Audio");
    std::vector<float> mixbuf(4096, 0.5f);
    std::vector<Block> ring;   // keeps 4 decoded chunks alive
    while (!g_quit.load()) {
        {
            ZoneScopedN("Audio::DecodeStream");
            void* p = TrackedAlloc(32768);
            ring.push_back({p, 32768});
            if (ring.size() > 4) {
                TrackedFree(ring.front().p);
                ring.erase(ring.begin());
            }
            BusyWork(1500, mixbuf);
        }
        {
            ZoneScopedN("Audio::Mix");
            BusyWork(800, mixbuf);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(18));
    }
    for (auto& b : ring) TrackedFree(b.p);
}

// ---------------------------------------------------------------- main-thread game pieces
static void ActivateLevel(LoadedLevel* lvl) {
    ZoneScopedN("Level::Activate");
    // texture pool: large but balanced; freed at unload
    for (int i = 0; i < 6; ++i) {
        size_t n = 256 * 1024;
        lvl->textures.push_back({TrackedAlloc(n), n});
    }
    char msg[64];
    std::snprintf(msg, sizeof msg, "level %d ready", lvl->index);
    TracyMessage(msg, std::strlen(msg));
}

static void UnloadLevel(LoadedLevel* lvl) {
    ZoneScopedN("Level::Unload");
    char msg[64];
    std::snprintf(msg, sizeof msg, "unloading level %d", lvl->index);
    TracyMessage(msg, std::strlen(msg));
    {
        ZoneScopedN("Level::FreeEntities");
        for (auto& b : lvl->entities) TrackedFree(b.p);
        for (auto& b : lvl->navHints) TrackedFree(b.p);
    }
    {
        ZoneScopedN("Render::ReleaseTextures");
        for (auto& b : lvl->textures) TrackedFree(b.p);
    }
    delete lvl;
}

static void GameFrame(bool loading, std::vector<float>& data, int frameNo) {
    ZoneScopedN("Game::Frame");
    auto t0 = Clock::now();
    std::vector<Block> scratch;
    {
        ZoneScopedN("Frame::ScratchAlloc");
        for (int i = 0; i < 3; ++i) scratch.push_back({TrackedAlloc(16384), 16384});
    }
    if (loading) {
        ZoneScopedN("UI::LoadingScreen");
        BusyWork(1500, data);
    } else {
        {
            ZoneScopedN("Physics::Step");
            BusyWork(2500, data);
        }
        {
            ZoneScopedN("AI::Update");
            BusyWork(1200, data);
        }
        {
            ZoneScopedN("Render::DrawScene");
            BusyWork(5500 + (frameNo % 7) * 150, data);
        }
    }
    {
        ZoneScopedN("Frame::ReleaseScratch");
        for (auto& b : scratch) TrackedFree(b.p);
    }
    {
        ZoneScopedN("Render::Present");
        auto target = t0 + std::chrono::microseconds(16667);
        std::this_thread::sleep_until(target);
    }
}

int main(int argc, char** argv) {
    std::string scen = argc > 1 ? argv[1] : "leak";
    g_fixed = (scen == "fixed");
    std::fprintf(stderr, "dungeon hopper: scenario %s\n", scen.c_str());
    TracyMessageL(g_fixed ? "build: navhint-fix" : "build: baseline");

    std::thread audio(AudioThreadMain);
    std::vector<float> data(16384, 1.0f);
    int frameNo = 0;
    const int kLevels = 5;
    const int kPlayFrames = 55;   // ~0.9 s of gameplay per level

    for (int level = 1; level <= kLevels; ++level) {
        g_loaderDone.store(false);
        std::thread loader(LevelLoaderMain, level);
        while (!g_loaderDone.load()) {
            GameFrame(true, data, frameNo++);
            FrameMark;
        }
        loader.join();
        LoadedLevel* lvl;
        {
            std::lock_guard<LockableBase(std::mutex)> lk(g_handoffMutex);
            lvl = g_handoff;
            g_handoff = nullptr;
        }
        ActivateLevel(lvl);
        for (int f = 0; f < kPlayFrames; ++f) {
            GameFrame(false, data, frameNo++);
            FrameMark;
        }
        UnloadLevel(lvl);
    }
    TracyMessageL("shutdown");
    g_quit.store(true);
    audio.join();
    std::fprintf(stderr, "done, %d frames\n", frameNo);
    return 0;
}
