// Small game loop with a pipelined render thread.
// Scenarios:  explosions  : particle effects uncapped (explosion every ~1.5 s)
//             capped      : explosion particle count capped at 4000 (before a change)
//             uncapped    : cap removed (after the change), also new reverb in audio mix
// usage: prog SCENARIO [seconds]
#include "tracy/Tracy.hpp"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;
static std::atomic<bool> g_quit{false};
static volatile float g_sink = 0.f;

// Real work over data for `busy_us`, then sleep until `total_us` has elapsed since start.
static void Work(std::vector<float>& data, double busy_us, double total_us) {
    auto t0 = Clock::now();
    auto busyEnd = t0 + std::chrono::microseconds((long long)busy_us);
    auto end = t0 + std::chrono::microseconds((long long)total_us);
    float acc = 0.f;
    size_t i = 0;
    while (Clock::now() < busyEnd) {
        for (int k = 0; k < 256; ++k) {
            float& v = data[i];
            v = v * 0.999f + std::sqrt(std::fabs(v) + 1.f) * 0.001f;
            acc += v;
            i = (i + 1) % data.size();
        }
    }
    g_sink = g_sink + acc;
    std::this_thread::sleep_until(end);
}

// ---------------- frame sync between main and render thread ----------------
namespace Sync {
static TracyLockable(std::mutex, g_frameMutex);
static std::condition_variable_any g_cv;
static long long g_submitted = -1;   // last frame kicked by main
static long long g_built = -1;       // last frame whose command lists are built
static int g_particles[2] = {0, 0};

void WaitForRenderThread(long long frame) {
    ZoneScopedN("Sync::WaitForRenderThread");
    std::unique_lock<LockableBase(std::mutex)> lk(g_frameMutex);
    g_cv.wait(lk, [&] { return g_built >= frame - 1 || g_quit.load(); });
}
void KickRenderThread(long long frame, int particles) {
    ZoneScopedN("Sync::KickRenderThread");
    {
        std::lock_guard<LockableBase(std::mutex)> lk(g_frameMutex);
        g_particles[frame & 1] = particles;
        g_submitted = frame;
    }
    g_cv.notify_all();
}
}  // namespace Sync

// ---------------- render thread ----------------
namespace RT {
static std::vector<float> s_data(1 << 16, 1.f);
static std::vector<float> s_particles(1 << 17, 0.5f);

void CullScene() { ZoneScopedN("RT::CullScene"); Work(s_data, 500, 2200); }
void BuildParticleBatches(int n) {
    ZoneScopedN("RT::BuildParticleBatches");
    double total = 300 + n * 1.25;           // ~1.25 us per particle
    Work(s_particles, total * 0.2, total);
}
void RecordDrawCalls() { ZoneScopedN("RT::RecordDrawCalls"); Work(s_data, 600, 2500); }
void BuildCommandLists(int n) {
    ZoneScopedN("RT::BuildCommandLists");
    TracyPlot("particles", (int64_t)n);
    CullScene();
    BuildParticleBatches(n);
    RecordDrawCalls();
}
void Present() { ZoneScopedN("RT::Present"); Work(s_data, 100, 400); }

void ThreadMain() {
    tracy::SetThreadName("Render");
    long long done = -1;
    for (;;) {
        long long frame;
        int n;
        {
            std::unique_lock<LockableBase(std::mutex)> lk(Sync::g_frameMutex);
            Sync::g_cv.wait(lk, [&] { return Sync::g_submitted > done || g_quit.load(); });
            if (Sync::g_submitted <= done) break;
            frame = done + 1;
            n = Sync::g_particles[frame & 1];
        }
        BuildCommandLists(n);
        {
            std::lock_guard<LockableBase(std::mutex)> lk(Sync::g_frameMutex);
            Sync::g_built = frame;
        }
        Sync::g_cv.notify_all();
        Present();
        done = frame;
    }
}
}  // namespace RT

// ---------------- audio thread (distractor) ----------------
namespace Audio {
static std::vector<float> s_buf(1 << 15, 0.25f);
static double s_mixUs = 3000;
static bool s_reverb = false;
void ApplyReverb() { ZoneScopedN("Audio::ApplyReverb"); Work(s_buf, 400, 2000); }
void Mix() {
    ZoneScopedN("Audio::Mix");
    Work(s_buf, 600, s_mixUs);
    if (s_reverb) ApplyReverb();
}
void ThreadMain() {
    tracy::SetThreadName("Audio");
    auto next = Clock::now();
    while (!g_quit.load()) {
        Mix();
        next += std::chrono::milliseconds(10);
        std::this_thread::sleep_until(next);
    }
}
}  // namespace Audio

// ---------------- asset streaming thread (distractor) ----------------
namespace Streaming {
static std::vector<float> s_buf(1 << 16, 2.f);
void ThreadMain() {
    tracy::SetThreadName("AssetStreaming");
    std::mt19937 rng(7);
    auto next = Clock::now() + std::chrono::milliseconds(300);
    while (!g_quit.load()) {
        std::this_thread::sleep_until(next);
        if (g_quit.load()) break;
        {
            ZoneScopedN("IO::ReadChunk");
            std::this_thread::sleep_for(std::chrono::milliseconds(40 + rng() % 10));
        }
        {
            ZoneScopedN("Streaming::Decompress");
            Work(s_buf, 1500, 6000);
        }
        next += std::chrono::milliseconds(700);
    }
}
}  // namespace Streaming

// ---------------- main-thread game systems ----------------
namespace Game {
static std::vector<float> s_world(1 << 16, 3.f);
void PhysicsStep() { ZoneScopedN("Physics::Step"); Work(s_world, 800, 2600); }
void AITick() { ZoneScopedN("AI::Tick"); Work(s_world, 500, 1600); }
void AnimUpdate() { ZoneScopedN("Anim::Update"); Work(s_world, 400, 1300); }
int SpawnEffects(double t, double& nextExplosion, int& explosionFrames, int cap, std::mt19937& rng) {
    ZoneScopedN("Game::SpawnEffects");
    Work(s_world, 150, 300);
    if (t >= nextExplosion) {
        explosionFrames = 4;
        nextExplosion += 1.5;
        TracyMessageL("explosion spawned");
    }
    int n;
    if (explosionFrames > 0) {
        --explosionFrames;
        n = 19000 + (int)(rng() % 1500);
    } else {
        n = 1800 + (int)(rng() % 500);
    }
    if (n > cap) n = cap;
    return n;
}
}  // namespace Game

int main(int argc, char** argv) {
    std::string scen = argc > 1 ? argv[1] : "explosions";
    double seconds = argc > 2 ? atof(argv[2]) : 6.0;
    int cap = 1 << 30;
    if (scen == "capped") cap = 4000;
    else if (scen == "uncapped") { Audio::s_reverb = true; }
    else if (scen != "explosions") { fprintf(stderr, "unknown scenario %s\n", scen.c_str()); return 2; }

    tracy::SetThreadName("Main");
    std::thread render(RT::ThreadMain), audio(Audio::ThreadMain), stream(Streaming::ThreadMain);

    std::mt19937 rng(42);
    auto start = Clock::now();
    double nextExplosion = 0.7;
    int explosionFrames = 0;
    long long frame = 0;
    for (;; ++frame) {
        double t = std::chrono::duration<double>(Clock::now() - start).count();
        if (t > seconds) break;
        int particles;
        {
            ZoneScopedN("Game::Update");
            Game::PhysicsStep();
            Game::AITick();
            Game::AnimUpdate();
            particles = Game::SpawnEffects(t, nextExplosion, explosionFrames, cap, rng);
        }
        Sync::WaitForRenderThread(frame);
        Sync::KickRenderThread(frame, particles);
        FrameMark;
    }
    Sync::WaitForRenderThread(frame);
    g_quit = true;
    Sync::g_cv.notify_all();
    render.join(); audio.join(); stream.join();
    fprintf(stderr, "done: %lld frames\n", frame);
    return 0;
}
