// Small game-style simulation loop. Scenario: "run" (default).
// Main thread: Game::Frame -> Input::Poll, Sim::Step (one zone, no child zones), Render::BuildDrawLists
// (with children), Frame::WaitVsync (sleep). Worker threads: audio mixer, asset streamer.
#include "tracy/Tracy.hpp"
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;
static std::atomic<bool> g_running{true};

struct Body { float px, py, pz, vx, vy, vz, mass, radius; };
static std::vector<Body> g_bodies(4096);
static std::vector<float> g_bounds(4096 * 6);
volatile float g_sink = 0.f;

static inline bool before(Clock::time_point t) { return Clock::now() < t; }

// ---- the three plain (uninstrumented) functions inside Sim::Step ----
__attribute__((noinline, noclone)) void integrate_bodies(double ms) {
    auto end = Clock::now() + std::chrono::microseconds((long)(ms * 1000));
    float dt = 1.f / 600.f;
    do {
        for (auto &b : g_bodies) {
            float ax = -b.px * 0.01f, ay = -9.81f - b.py * 0.01f, az = -b.pz * 0.01f;
            b.vx += ax * dt; b.vy += ay * dt; b.vz += az * dt;
            b.vx *= 0.999f; b.vy *= 0.999f; b.vz *= 0.999f;
            b.px += b.vx * dt; b.py += b.vy * dt; b.pz += b.vz * dt;
            if (b.py < -100.f) { b.py = 100.f; b.vy = 0.f; }
        }
    } while (before(end));
}

__attribute__((noinline, noclone)) void solve_contacts(double ms) {
    auto end = Clock::now() + std::chrono::microseconds((long)(ms * 1000));
    const size_t n = g_bodies.size();
    size_t i = 0;
    do {
        for (int k = 0; k < 256; ++k, ++i) {
            Body &a = g_bodies[i % n];
            Body &b = g_bodies[(i * 7919 + 13) % n];
            float dx = a.px - b.px, dy = a.py - b.py, dz = a.pz - b.pz;
            float d = std::sqrt(dx * dx + dy * dy + dz * dz) + 1e-4f;
            float pen = (a.radius + b.radius) - d;
            if (pen > 0.f) {
                float s = pen / d * 0.5f;
                a.px += dx * s; a.py += dy * s; a.pz += dz * s;
                b.px -= dx * s; b.py -= dy * s; b.pz -= dz * s;
            }
        }
    } while (before(end));
}

__attribute__((noinline, noclone)) void update_bounds(double ms) {
    auto end = Clock::now() + std::chrono::microseconds((long)(ms * 1000));
    do {
        for (size_t i = 0; i < g_bodies.size(); ++i) {
            const Body &b = g_bodies[i];
            float *o = &g_bounds[i * 6];
            o[0] = b.px - b.radius; o[1] = b.py - b.radius; o[2] = b.pz - b.radius;
            o[3] = b.px + b.radius; o[4] = b.py + b.radius; o[5] = b.pz + b.radius;
        }
        g_sink = g_sink + g_bounds[17];
    } while (before(end));
}

namespace Sim {
void Step() {
    ZoneScopedN("Sim::Step");
    integrate_bodies(12.0);   // ~60%
    solve_contacts(6.0);      // ~30%
    update_bounds(2.0);       // ~10%
}
}

// ---- distractors (instrumented, normal) ----
static void spin_math(double ms) {
    auto end = Clock::now() + std::chrono::microseconds((long)(ms * 1000));
    float x = 1.f;
    do { for (int i = 0; i < 2000; ++i) x = std::sin(x) * 1.0001f + 0.5f; } while (before(end));
    g_sink = g_sink + x;
}

namespace Input { void Poll() { ZoneScopedN("Input::Poll"); spin_math(0.3); } }

namespace Render {
void Cull()   { ZoneScopedN("Render::Cull");   spin_math(2.5); }
void Encode() { ZoneScopedN("Render::Encode"); spin_math(3.5); }
void BuildDrawLists() {
    ZoneScopedN("Render::BuildDrawLists");
    Cull();
    Encode();
}
}

static void audio_thread() {
    tracy::SetThreadName("Audio Mixer");
    while (g_running.load()) {
        {
            ZoneScopedN("Audio::MixBlock");
            spin_math(3.0);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(8));
    }
}

static void streamer_thread() {
    tracy::SetThreadName("Asset Streamer");
    int n = 0;
    while (g_running.load()) {
        {
            ZoneScopedN("Streaming::LoadChunk");
            {
                ZoneScopedN("Streaming::ReadFile");
                std::this_thread::sleep_for(std::chrono::milliseconds(15));
            }
            {
                ZoneScopedN("Streaming::Decompress");
                spin_math(8.0);
            }
        }
        ++n;
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
}

int main(int argc, char **argv) {
    std::string scen = argc > 1 ? argv[1] : "run";
    int frames = argc > 2 ? std::atoi(argv[2]) : 150;
    for (size_t i = 0; i < g_bodies.size(); ++i) {
        Body &b = g_bodies[i];
        b.px = float(i % 64); b.py = float((i / 64) % 64); b.pz = float(i % 17);
        b.vx = b.vy = b.vz = 0.f; b.mass = 1.f; b.radius = 0.6f;
    }
    tracy::SetThreadName("Main");
    std::thread audio(audio_thread), streamer(streamer_thread);
    for (int f = 0; f < frames; ++f) {
        auto start = Clock::now();
        {
            ZoneScopedN("Game::Frame");
            Input::Poll();
            Sim::Step();
            Render::BuildDrawLists();
        }
        {
            ZoneScopedN("Frame::WaitVsync");
            std::this_thread::sleep_until(start + std::chrono::microseconds(33333));
        }
        FrameMark;
    }
    g_running = false;
    audio.join(); streamer.join();
    std::fprintf(stderr, "done %s %d frames\n", scen.c_str(), frames);
    return 0;
}
