// Particle-heavy game loop: 8 emitters simulated each frame, plus physics, rendering, audio and streaming.
// Usage: prog burst|capped [seed] [seconds]
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
#include <sys/prctl.h>

using Clock = std::chrono::steady_clock;
using namespace std::chrono;

static void spin_until(Clock::time_point t) {
    volatile double sink = 0;
    while (Clock::now() < t) { for (int i = 0; i < 64; ++i) sink = sink + std::sqrt(double(i) + sink * 1e-9); }
}
static void busy_us(double us) { spin_until(Clock::now() + duration_cast<Clock::duration>(duration<double, std::micro>(us))); }
// A job that computes for ~20% of its time and waits on worker jobs / GPU fences for the rest.
static void work_us(double us) {
    auto end = Clock::now() + duration_cast<Clock::duration>(duration<double, std::micro>(us));
    busy_us(us * 0.2);
    std::this_thread::sleep_until(end);
}

struct Particle { float px, py, pz, vx, vy, vz, life, size; };

struct Emitter {
    const char* name;
    int base;     // typical live particle count
    int jitter;   // +- per frame
    std::vector<Particle> pool;
    int count = 0;
};

namespace Particles {
// ~0.5 us of work per live particle (integration + collision vs. ground + sort key), so cost follows count.
void Simulate(Emitter& e, float dt) {
    ZoneScopedN("Particles::Simulate");
    ZoneText(e.name, strlen(e.name));
    ZoneValue((uint64_t)e.count);
    auto t0 = Clock::now();
    if ((int)e.pool.size() < e.count) e.pool.resize(e.count, Particle{0, 0, 0, 0.1f, 1.0f, 0.2f, 2.0f, 0.05f});
    for (int i = 0; i < e.count; ++i) {
        Particle& p = e.pool[i];
        p.vy -= 9.81f * dt;
        p.px += p.vx * dt; p.py += p.vy * dt; p.pz += p.vz * dt;
        if (p.py < 0) { p.py = -p.py; p.vy = -p.vy * 0.5f; }
        p.life -= dt;
        if (p.life < 0) { p.life = 2.0f; p.py = 1.0f; }
    }
    // collision queries / sort keys run on the job system at a fixed cost per particle; wait for them
    std::this_thread::sleep_until(t0 + nanoseconds((long long)e.count * 500));
}
}  // namespace Particles

static std::atomic<bool> g_run{true};
static TracyLockable(std::mutex, g_assetMutex);
static int g_assetsReady = 0;

static void audio_thread() {
    tracy::SetThreadName("Audio");
    std::mt19937 rng(77);
    while (g_run.load()) {
        {
            ZoneScopedN("Audio::MixBlock");
            work_us(900 + rng() % 300);
        }
        std::this_thread::sleep_for(milliseconds(5));
    }
}

static void streaming_thread(unsigned seed) {
    tracy::SetThreadName("Streaming");
    std::mt19937 rng(seed * 31 + 5);
    while (g_run.load()) {
        auto wake = Clock::now() + milliseconds(120 + rng() % 200);
        while (g_run.load() && Clock::now() < wake) std::this_thread::sleep_for(milliseconds(5));
        if (!g_run.load()) break;
        ZoneScopedN("Streaming::LoadChunk");
        {
            ZoneScopedN("Streaming::ReadFile");
            std::this_thread::sleep_for(milliseconds(3 + rng() % 4));
        }
        {
            ZoneScopedN("Streaming::Decompress");
            work_us(6000 + rng() % 4000);  // heavy but off the game thread
        }
        {
            std::lock_guard<LockableBase(std::mutex)> lk(g_assetMutex);
            ZoneScopedN("Streaming::Publish");
            ++g_assetsReady;
            busy_us(100);
        }
    }
}

int main(int argc, char** argv) {
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    const char* scen = argc > 1 ? argv[1] : "burst";
    unsigned seed = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
    double seconds = argc > 3 ? atof(argv[3]) : 5.0;
    const bool capped = strcmp(scen, "capped") == 0;
    const int sparksBurst = capped ? 2000 : 20000;  // "capped": spark pool limited to 2000

    std::vector<Emitter> emitters = {
        {"fire", 800, 80},  {"smoke", 1200, 120}, {"sparks", 150, 40}, {"dust", 400, 60},
        {"rain", 1000, 100}, {"embers", 300, 50}, {"steam", 600, 60},  {"magic", 250, 40},
    };

    std::thread audio(audio_thread);
    std::thread streaming(streaming_thread, seed);

    std::mt19937 rng(seed);
    auto start = Clock::now();
    int lastBurst = -100;
    int frame = 0;
    const auto vsync = milliseconds(10);
    while (duration<double>(Clock::now() - start).count() < seconds) {
        auto fstart = Clock::now();
        {
            ZoneScopedN("Game::Tick");
            {
                ZoneScopedN("Input::Poll");
                busy_us(150);
            }
            {
                ZoneScopedN("Physics::Step");
                int contacts = 200 + rng() % 200;
                ZoneValue((uint64_t)contacts);
                work_us(700 + contacts * 2.0);  // 1.1 - 1.5 ms
            }
            {
                ZoneScopedN("Particles::Update");
                // emitter counts for this frame
                for (auto& e : emitters) e.count = e.base + (int)(rng() % (2 * e.jitter + 1)) - e.jitter;
                // sparks: an impact occasionally spawns a shower
                if (frame - lastBurst > 15 && rng() % 25 == 0) {
                    emitters[2].count = sparksBurst + (int)(rng() % 500);
                    if (emitters[2].count > sparksBurst) emitters[2].count = sparksBurst;
                    lastBurst = frame;
                }
                int total = 0;
                for (auto& e : emitters) { Particles::Simulate(e, 0.01f); total += e.count; }
                TracyPlot("particles_live", (int64_t)total);
            }
            {
                ZoneScopedN("Render::BuildCommandLists");
                work_us(1400 + rng() % 400);
            }
            {
                ZoneScopedN("Render::Submit");
                std::lock_guard<LockableBase(std::mutex)> lk(g_assetMutex);
                work_us(400);
            }
        }
        {
            ZoneScopedN("Render::Present");
            // wait for the next vsync boundary (10 ms grid from frame start)
            auto elapsed = Clock::now() - fstart;
            auto n = elapsed / vsync + 1;
            std::this_thread::sleep_until(fstart + n * vsync);
        }
        FrameMark;
        ++frame;
    }
    g_run.store(false);
    audio.join();
    streaming.join();
    fprintf(stderr, "frames=%d assets=%d scen=%s\n", frame, g_assetsReady, scen);
    return 0;
}
