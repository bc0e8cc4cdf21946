// gemfall: a small match-3 puzzle game loop, capped at 60 fps.
// Threads: main (game loop), "Loader" (streams and decodes level/texture chunks), "Audio" (mixes sound).
// Usage: gemfall SCENARIO [seconds]
//   SCENARIO = "ship"    : current build (frame limiter as shipped)
//              "precise" : frame limiter using sleep_until on the exact deadline
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static std::atomic<bool> g_running{true};

// ---------------------------------------------------------------- helpers
// Do real work over a data set in chunks until roughly `budget` has elapsed (so the work
// length is stable on a busy 2-core machine, while still touching real data).
static uint64_t crunch(std::vector<float>& data, std::chrono::microseconds budget, uint64_t seed) {
    auto start = Clock::now();
    uint64_t acc = seed;
    size_t i = seed % data.size();
    do {
        for (int k = 0; k < 512; ++k) {
            float v = data[i];
            v = v * 1.0001f + 0.5f * std::sin(v);
            data[i] = v;
            acc = acc * 6364136223846793005ull + (uint64_t)(v * 1000.0f);
            i = (i + 97) % data.size();
        }
    } while (Clock::now() - start < budget);
    return acc;
}

// ---------------------------------------------------------------- game systems
struct World {
    std::vector<float> physics = std::vector<float>(1 << 16, 1.0f);
    std::vector<float> ai = std::vector<float>(1 << 15, 2.0f);
    std::vector<float> board = std::vector<float>(1 << 14, 3.0f);
    std::vector<float> verts = std::vector<float>(1 << 17, 0.5f);
    std::vector<float> cmds = std::vector<float>(1 << 15, 0.25f);
    uint64_t sink = 0;
    int frame = 0;
};

namespace Input {
static void Poll(World& w) {
    ZoneScopedN("Input::Poll");
    w.sink += crunch(w.board, 150us, w.frame);
}
}

namespace Physics {
static void Step(World& w) {
    ZoneScopedN("Physics::Step");
    w.sink += crunch(w.physics, 1000us, w.frame);
}
}
namespace AI {
static void Think(World& w) {
    ZoneScopedN("AI::Think");
    w.sink += crunch(w.ai, 500us, w.frame);
}
}
namespace Puzzle {
static void MatchGems(World& w) {
    ZoneScopedN("Puzzle::MatchGems");
    // cascades make some frames a bit heavier (normal gameplay variation)
    auto us = (w.frame % 7 == 0) ? 700us : 350us;
    w.sink += crunch(w.board, us, w.frame);
}
}

namespace Game {
static void Update(World& w) {
    ZoneScopedN("Game::Update");
    Physics::Step(w);
    AI::Think(w);
    Puzzle::MatchGems(w);
}
}

namespace Render {
static void BuildDrawList(World& w) {
    ZoneScopedN("Render::BuildDrawList");
    w.sink += crunch(w.verts, 1600us, w.frame);
}
static void WaitGpuFence() {
    ZoneScopedN("Render::WaitGpuFence");
    std::this_thread::sleep_for(2800us);  // previous frame's GPU work still in flight
}
static void Submit(World& w) {
    ZoneScopedN("Render::Submit");
    w.sink += crunch(w.cmds, 600us, w.frame);
    WaitGpuFence();
}
static void Draw(World& w) {
    ZoneScopedN("Render::Draw");
    BuildDrawList(w);
    Submit(w);
}
}

namespace Frame {
constexpr auto kTarget = std::chrono::nanoseconds(16666667);  // 60 fps

// As shipped: convert the remaining time to whole milliseconds (rounded UP), then add a
// 2 ms "safety margin" against sleep jitter. Every frame therefore sleeps past its deadline.
static void LimitShipped(Clock::time_point frameStart) {
    ZoneScopedN("Frame::Limit");
    auto deadline = frameStart + kTarget;
    auto remaining = deadline - Clock::now();
    if (remaining <= Clock::duration::zero()) return;
    double remMs = std::chrono::duration<double, std::milli>(remaining).count();
    auto sleepMs = std::chrono::milliseconds((long long)std::ceil(remMs) + 2);
    std::this_thread::sleep_for(sleepMs);
}

// Precise: sleep until the deadline itself.
static void LimitPrecise(Clock::time_point frameStart) {
    ZoneScopedN("Frame::Limit");
    auto deadline = frameStart + kTarget;
    if (Clock::now() >= deadline) return;
    std::this_thread::sleep_until(deadline);
}
}

// ---------------------------------------------------------------- background threads
static void LoaderThread() {
    tracy::SetThreadName("Loader");
    std::vector<float> chunk(1 << 16, 1.5f);
    uint64_t sink = 0;
    int n = 0;
    while (g_running.load()) {
        {
            ZoneScopedN("Loader::ReadChunk");
            std::this_thread::sleep_for(4ms);  // file I/O wait
        }
        {
            ZoneScopedN("Loader::DecodeChunk");
            sink += crunch(chunk, 3000us, n);
        }
        {
            ZoneScopedN("Loader::UploadTexture");
            sink += crunch(chunk, 1000us, n + 1);
        }
        ++n;
        std::this_thread::sleep_for(16ms);
    }
    if (sink == 42) std::printf("?\n");
}

static void AudioThread() {
    tracy::SetThreadName("Audio");
    std::vector<float> buf(1 << 12, 0.1f);
    uint64_t sink = 0;
    int n = 0;
    while (g_running.load()) {
        {
            ZoneScopedN("Audio::Mix");
            sink += crunch(buf, 400us, n++);
        }
        std::this_thread::sleep_for(10ms);
    }
    if (sink == 42) std::printf("?\n");
}

// ---------------------------------------------------------------- main
int main(int argc, char** argv) {
    std::string scen = argc > 1 ? argv[1] : "ship";
    double seconds = argc > 2 ? std::atof(argv[2]) : 5.0;
    bool precise = (scen == "precise");
    if (scen != "ship" && scen != "precise") {
        std::fprintf(stderr, "unknown scenario %s\n", scen.c_str());
        return 2;
    }
    tracy::SetThreadName("Main");
    TracyMessageL("gemfall: frame cap 60 fps");

    World w;
    std::thread loader(LoaderThread);
    std::thread audio(AudioThread);

    auto runStart = Clock::now();
    auto prev = Clock::now();
    while (Clock::now() - runStart < std::chrono::duration<double>(seconds)) {
        auto frameStart = Clock::now();
        Input::Poll(w);
        Game::Update(w);
        Render::Draw(w);
        if (precise)
            Frame::LimitPrecise(frameStart);
        else
            Frame::LimitShipped(frameStart);
        FrameMark;
        auto now = Clock::now();
        double dtMs = std::chrono::duration<double, std::milli>(now - prev).count();
        prev = now;
        TracyPlot("frame_ms", dtMs);
        ++w.frame;
    }

    g_running = false;
    loader.join();
    audio.join();
    std::fprintf(stderr, "frames %d sink %llu\n", w.frame, (unsigned long long)w.sink);
    return 0;
}
