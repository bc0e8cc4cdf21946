// blind221: 60 Hz shooter loop. Opening the map screen allocates a big transient buffer.
// Scenarios:
//   transient : UI::OpenMap allocates a fresh 96 MB map buffer each time the map opens and
//               frees it when the map closes (first-touch of fresh pages on every open).
//   pooled    : the 96 MB map buffer is allocated + touched once in UI::Init at load time and reused.
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <thread>
#include <mutex>
#include <condition_variable>
#include <vector>

using Clock = std::chrono::steady_clock;

static std::atomic<bool> g_running{true};
static std::mutex g_stopMutex;
static std::condition_variable g_stopCv;
static volatile uint64_t g_sink = 0;

// Real CPU work for roughly `ms` milliseconds (checks the clock every few thousand iterations).
static uint64_t spin_work(double ms, uint64_t seed) {
    auto end = Clock::now() + std::chrono::microseconds((int64_t)(ms * 1000.0));
    uint64_t x = seed | 1;
    while (Clock::now() < end) {
        for (int i = 0; i < 2000; ++i) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        }
    }
    g_sink += x;
    return x;
}

// ---------------------------------------------------------------- gameplay
struct Entity { float px, py, pz, vx, vy, vz; int hp; };

static void Gameplay_Update(std::vector<Entity>& ents, std::mt19937& rng, int frame) {
    ZoneScopedN("Gameplay::Update");
    // small per-frame allocations: event lists, path queries, hit results
    std::vector<void*> scratch;
    scratch.reserve(24);
    std::uniform_int_distribution<int> sz(64, 4096);
    for (int i = 0; i < 16; ++i) {
        size_t n = (size_t)sz(rng);
        void* p = malloc(n);
        TracyAlloc(p, n);
        memset(p, i, n);
        scratch.push_back(p);
    }
    {
        ZoneScopedN("Gameplay::Physics");
        for (auto& e : ents) {
            e.vy -= 9.81f * (1.0f / 60.0f);
            e.px += e.vx / 60.0f; e.py += e.vy / 60.0f; e.pz += e.vz / 60.0f;
            if (e.py < 0) { e.py = 0; e.vy = -e.vy * 0.5f; }
        }
        spin_work(1.2, (uint64_t)frame * 31 + 7);
    }
    {
        ZoneScopedN("Gameplay::AI");
        spin_work(0.8, (uint64_t)frame * 17 + 3);
    }
    for (void* p : scratch) { TracyFree(p); free(p); }
}

// ---------------------------------------------------------------- render
static void Render_Scene(int frame) {
    ZoneScopedN("Render::Scene");
    {
        ZoneScopedN("Render::Culling");
        spin_work(1.5, (uint64_t)frame * 5 + 1);
    }
    {
        ZoneScopedN("Render::DrawCalls");
        spin_work(3.0, (uint64_t)frame * 11 + 2);
    }
    {
        ZoneScopedN("Render::PostFX");
        spin_work(1.5, (uint64_t)frame * 13 + 9);
    }
}

// ---------------------------------------------------------------- UI / map
static const size_t kMapBufferBytes = 96u << 20;   // 96 MB fog-of-war + tile cache
static unsigned char* g_mapBuffer = nullptr;
static bool g_mapOpen = false;
static bool g_pooled = false;

static unsigned char* alloc_map_buffer() {
    unsigned char* p = (unsigned char*)malloc(kMapBufferBytes);
    TracyAlloc(p, kMapBufferBytes);
    asm volatile("" ::"r"(p) : "memory");
    memset(p, 0, kMapBufferBytes);          // touches every page: first-touch page faults
    asm volatile("" ::"r"(p) : "memory");
    return p;
}

static void UI_Init() {
    ZoneScopedN("UI::Init");
    if (g_pooled) g_mapBuffer = alloc_map_buffer();
    spin_work(2.0, 99);
}

static void UI_OpenMap() {
    ZoneScopedN("UI::OpenMap");
    TracyMessageL("ui: map opened");
    if (!g_pooled) {
        g_mapBuffer = alloc_map_buffer();
    } else {
        // reuse pooled buffer: just reset the header region
        memset(g_mapBuffer, 0, 64 * 1024);
        asm volatile("" ::"r"(g_mapBuffer) : "memory");
    }
    g_mapOpen = true;
}

static void UI_CloseMap() {
    ZoneScopedN("UI::CloseMap");
    TracyMessageL("ui: map closed");
    if (!g_pooled) {
        TracyFree(g_mapBuffer);
        free(g_mapBuffer);
        g_mapBuffer = nullptr;
    }
    g_mapOpen = false;
}

static void UI_Draw(int frame) {
    ZoneScopedN("UI::Draw");
    if (g_mapOpen) {
        ZoneScopedN("UI::DrawMap");
        // fog-of-war update over a small window of the buffer
        size_t off = ((size_t)frame * 262144) % (kMapBufferBytes - 262144);
        for (size_t i = 0; i < 262144; i += 64) g_mapBuffer[off + i] += 1;
        spin_work(0.6, (uint64_t)frame);
    } else {
        ZoneScopedN("UI::DrawHUD");
        spin_work(0.4, (uint64_t)frame);
    }
}

// ---------------------------------------------------------------- streaming thread
static void streaming_thread() {
    tracy::SetThreadName("Streaming");
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int> mb(2, 4);
    std::uniform_int_distribution<int> waitMs(180, 420);
    std::deque<std::pair<void*, size_t>> resident;
    int chunkId = 0;
    while (g_running.load()) {
        {
            ZoneScopedN("Streaming::LoadChunk");
            size_t n = (size_t)mb(rng) << 20;
            std::string label = "chunk " + std::to_string(chunkId++);
            ZoneText(label.c_str(), label.size());
            unsigned char* p = (unsigned char*)malloc(n);
            TracyAlloc(p, n);
            {
                ZoneScopedN("Streaming::Decompress");
                memset(p, 0x5a, n);
                asm volatile("" ::"r"(p) : "memory");
                spin_work(2.5, (uint64_t)chunkId);
            }
            resident.emplace_back(p, n);
            while (resident.size() > 6) {
                ZoneScopedN("Streaming::EvictChunk");
                TracyFree(resident.front().first);
                free(resident.front().first);
                resident.pop_front();
            }
        }
        std::unique_lock<std::mutex> lk(g_stopMutex);
        g_stopCv.wait_for(lk, std::chrono::milliseconds(waitMs(rng)), [] { return !g_running.load(); });
    }
    for (auto& r : resident) { TracyFree(r.first); free(r.first); }
}

// ---------------------------------------------------------------- main loop
int main(int argc, char** argv) {
    std::string scen = argc > 1 ? argv[1] : "transient";
    g_pooled = (scen == "pooled");
    if (scen != "transient" && scen != "pooled") {
        fprintf(stderr, "usage: %s transient|pooled\n", argv[0]);
        return 2;
    }
    tracy::SetThreadName("Main");
    std::vector<Entity> ents(4000);
    std::mt19937 rng(42);
    for (auto& e : ents) e = Entity{(float)(rng() % 100), (float)(rng() % 20), (float)(rng() % 100), 1, 0, 1, 100};

    UI_Init();
    std::thread streamer(streaming_thread);

    const int kFrames = 360;                       // 6 s at 60 Hz
    const int opens[4] = {50, 130, 210, 290};      // map opens; closes 60 frames (1 s) later
    const auto framePeriod = std::chrono::microseconds(16667);
    auto deadline = Clock::now() + framePeriod;

    for (int f = 0; f < kFrames; ++f) {
        for (int o : opens) {
            if (f == o) UI_OpenMap();
            if (f == o + 60) UI_CloseMap();
        }
        Gameplay_Update(ents, rng, f);
        Render_Scene(f);
        UI_Draw(f);
        {
            ZoneScopedN("Frame::Wait");
            auto now = Clock::now();
            if (now < deadline) std::this_thread::sleep_until(deadline);
            else deadline = now;               // late: drop the missed time, no catch-up
        }
        deadline += framePeriod;
        FrameMark;
    }
    if (g_mapOpen) UI_CloseMap();
    { std::lock_guard<std::mutex> lk(g_stopMutex); g_running = false; }
    g_stopCv.notify_all();
    streamer.join();
    if (g_pooled && g_mapBuffer) { TracyFree(g_mapBuffer); free(g_mapBuffer); }
    return 0;
}
