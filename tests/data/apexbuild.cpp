// Apex Circuit -- racing game frame loop (Tracy-instrumented test program).
// Usage: prog release|debug [seconds]
//   release : the -O2 build (baseline)
//   debug   : emulates the same game built with -O0: every piece of CPU work is
//             ~2.8x longer, uniformly (Physics, AI, Render, Audio, Streaming).
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

static double g_codegenFactor = 1.0;  // cost multiplier of the build config
static std::atomic<bool> g_running{true};

// Real work over a data set for part of the (build-scaled) budget, then wait out the rest.
static float g_sink = 0.f;
static void Burn(double baseUs, std::vector<float>& data) {
    const auto t0 = Clock::now();
    const long long budgetNs = (long long)(baseUs * 1000.0 * g_codegenFactor);
    const auto end = t0 + std::chrono::nanoseconds(budgetNs);
    const auto cpuEnd = t0 + std::chrono::nanoseconds(budgetNs / 10);
    float acc = 0.f;
    size_t i = 0;
    const size_t n = data.size();
    do {
        for (int k = 0; k < 64; ++k) {
            float& v = data[i];
            v = v * 0.999f + std::sin(v + (float)k) * 0.001f;
            acc += v;
            i = (i + 1) % n;
        }
    } while (Clock::now() < cpuEnd);
    g_sink += acc;
    // The rest of the budget is spent waiting (GPU/driver fences, cache misses stand-in), so the
    // per-zone cost stays exact on a loaded 2-core machine.
    const auto wakeAt = end - std::chrono::microseconds(80);
    if (Clock::now() < wakeAt) std::this_thread::sleep_until(wakeAt);
    while (Clock::now() < end) { /* short spin to hit the budget exactly */ }
}

static double Jitter(std::mt19937& rng, double base, double spread = 0.08) {
    std::uniform_real_distribution<double> d(1.0 - spread, 1.0 + spread);
    return base * d(rng);
}

struct Car {
    float pos[3], vel[3];
    std::vector<float> tireState;
};

// Shared between the streaming thread and the game thread.
static TracyLockable(std::mutex, g_assetQueueLock);
static std::deque<int> g_readyChunks;

// ---------------------------------------------------------------- Physics
namespace Physics {
static std::vector<float> s_broad(4096), s_narrow(4096), s_tires(8192);
void Broadphase(std::mt19937& rng) { ZoneScopedN("Physics::Broadphase"); Burn(Jitter(rng, 350), s_broad); }
void Narrowphase(std::mt19937& rng) { ZoneScopedN("Physics::Narrowphase"); Burn(Jitter(rng, 600), s_narrow); }
void TireModel(Car& car, std::mt19937& rng) {
    ZoneScopedN("Physics::TireModel");
    Burn(Jitter(rng, 140), car.tireState);
}
void Integrate(std::vector<Car>& cars, std::mt19937& rng) {
    ZoneScopedN("Physics::Integrate");
    for (auto& c : cars) TireModel(c, rng);  // 8 cars x 140 us
    Burn(Jitter(rng, 180), s_tires);
}
void Step(std::vector<Car>& cars, std::mt19937& rng) {
    ZoneScopedN("Physics::Step");
    Broadphase(rng);
    Narrowphase(rng);
    Integrate(cars, rng);
}
}  // namespace Physics

// ---------------------------------------------------------------- AI
namespace AI {
static std::vector<float> s_paths(4096), s_decide(4096);
void PlanRacingLine(std::mt19937& rng) { ZoneScopedN("AI::PlanRacingLine"); Burn(Jitter(rng, 800), s_paths); }
void DriverDecisions(std::mt19937& rng) { ZoneScopedN("AI::DriverDecisions"); Burn(Jitter(rng, 500), s_decide); }
void UpdateDrivers(std::mt19937& rng) {
    ZoneScopedN("AI::UpdateDrivers");
    PlanRacingLine(rng);
    DriverDecisions(rng);
}
}  // namespace AI

// ---------------------------------------------------------------- Render
namespace Render {
static std::vector<float> s_cull(8192), s_draw(8192), s_post(8192), s_submit(4096);
void CullScene(std::mt19937& rng) { ZoneScopedN("Render::CullScene"); Burn(Jitter(rng, 900), s_cull); }
void BuildDrawLists(std::mt19937& rng) { ZoneScopedN("Render::BuildDrawLists"); Burn(Jitter(rng, 2000), s_draw); }
void PostFX(std::mt19937& rng) { ZoneScopedN("Render::PostFX"); Burn(Jitter(rng, 1000), s_post); }
void Submit(std::mt19937& rng) { ZoneScopedN("Render::Submit"); Burn(Jitter(rng, 700), s_submit); }
void Frame(std::mt19937& rng) {
    ZoneScopedN("Render::Frame");
    CullScene(rng);
    BuildDrawLists(rng);
    PostFX(rng);
    Submit(rng);
}
}  // namespace Render

// ---------------------------------------------------------------- Game
namespace Game {
static std::vector<float> s_input(1024), s_logic(2048), s_hud(2048);
void PollInput(std::mt19937& rng) { ZoneScopedN("Game::PollInput"); Burn(Jitter(rng, 120), s_input); }
void UpdateRaceState(std::mt19937& rng) { ZoneScopedN("Game::UpdateRaceState"); Burn(Jitter(rng, 300), s_logic); }
void UpdateHUD(std::mt19937& rng) { ZoneScopedN("Game::UpdateHUD"); Burn(Jitter(rng, 250), s_hud); }
void IntegrateStreamedChunks() {
    ZoneScopedN("Game::IntegrateStreamedChunks");
    std::lock_guard<LockableBase(std::mutex)> lk(g_assetQueueLock);
    LockMark(g_assetQueueLock);
    while (!g_readyChunks.empty()) g_readyChunks.pop_front();
}
}  // namespace Game

// ---------------------------------------------------------------- Audio thread
static void AudioThread() {
    tracy::SetThreadName("Audio");
    std::mt19937 rng(77);
    std::vector<float> voices(4096), reverb(2048);
    while (g_running.load()) {
        {
            ZoneScopedN("Audio::MixBuffer");
            {
                ZoneScopedN("Audio::MixVoices");
                Burn(Jitter(rng, 600), voices);
            }
            {
                ZoneScopedN("Audio::ApplyReverb");
                Burn(Jitter(rng, 300), reverb);
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(8));
    }
}

// ---------------------------------------------------------------- Streaming thread
static void StreamingThread() {
    tracy::SetThreadName("Streaming");
    std::mt19937 rng(99);
    std::vector<float> decomp(16384), upload(8192);
    int chunk = 0;
    while (g_running.load()) {
        {
            ZoneScopedN("Streaming::LoadTrackChunk");
            {
                ZoneScopedN("Streaming::ReadFile");
                std::this_thread::sleep_for(std::chrono::milliseconds(2));  // I/O wait, not CPU
            }
            {
                ZoneScopedN("Streaming::Decompress");
                Burn(Jitter(rng, 1800), decomp);
            }
            {
                ZoneScopedN("Streaming::BuildMeshes");
                Burn(Jitter(rng, 1000), upload);
            }
            {
                std::lock_guard<LockableBase(std::mutex)> lk(g_assetQueueLock);
                LockMark(g_assetQueueLock);
                g_readyChunks.push_back(chunk++);
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(120));
    }
}

int main(int argc, char** argv) {
    const std::string config = argc > 1 ? argv[1] : "release";
    const double seconds = argc > 2 ? atof(argv[2]) : 4.0;
    if (config == "debug") g_codegenFactor = 2.8;
    else if (config != "release") { fprintf(stderr, "usage: %s release|debug [seconds]\n", argv[0]); return 2; }

    const std::string info = "ApexCircuit 0.9.3 (" + std::string(__DATE__) + ") build: " + config +
                             (config == "debug" ? " (-O0 -g, asserts on)" : " (-O2 -g)");
    TracyAppInfo(info.c_str(), info.size());
    TracyMessage(info.c_str(), info.size());
    fprintf(stderr, "%s\n", info.c_str());

    std::vector<Car> cars(8);
    for (auto& c : cars) { c.tireState.assign(2048, 0.5f); memset(c.pos, 0, sizeof c.pos); memset(c.vel, 0, sizeof c.vel); }

    TracyMessageL("Track loaded: Monza GP, 8 cars");
    std::thread audio(AudioThread);
    std::thread streaming(StreamingThread);

    std::mt19937 rng(1234);
    const auto stop = Clock::now() + std::chrono::milliseconds((long long)(seconds * 1000));
    long frame = 0;
    while (Clock::now() < stop) {
        {
            ZoneScopedN("Game::Tick");
            Game::PollInput(rng);
            Game::IntegrateStreamedChunks();
            Physics::Step(cars, rng);
            AI::UpdateDrivers(rng);
            Game::UpdateRaceState(rng);
            Game::UpdateHUD(rng);
            Render::Frame(rng);
        }
        ++frame;
        if (frame == 60) TracyMessageL("Race started: lap 1");
        FrameMark;
    }
    g_running = false;
    audio.join();
    streaming.join();
    TracyMessageL("Session ended");
    fprintf(stderr, "frames=%ld sink=%f\n", frame, (double)g_sink);
    return 0;
}
