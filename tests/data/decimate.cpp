// Small "game" main loop with Tracy instrumentation.
// Usage: prog SCENARIO [seconds]
//   SCENARIO = decimated : AI::Think runs the whole agent set every 2nd frame (~17 ms), nothing on the others
//              sliced    : AI::Think runs half the agent set every frame (~8.5 ms)
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
static volatile float g_sink = 0.f;

// Do real math over a data array for a quarter of `ms`, then wait (simulating the rest of the step:
// cache misses / job completion) so the step takes `ms` of wall time even on a busy 2-core machine.
static void crunch(std::vector<float>& data, double ms, float k) {
    auto t0 = Clock::now();
    auto end = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(ms));
    auto busy_end = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(ms * 0.25));
    size_t i = 0;
    float acc = 0.f;
    while (true) {
        for (int n = 0; n < 256; ++n) {
            float& v = data[i];
            v = v * 0.999f + std::sin(v * k + (float)n) * 0.001f;
            acc += v;
            if (++i == data.size()) i = 0;
        }
        if (Clock::now() >= busy_end) break;
    }
    g_sink = g_sink + acc;
    std::this_thread::sleep_until(end);
}

static void sleep_ms(double ms) {
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms));
}

// ---------------------------------------------------------------- subsystems
namespace Input {
void Poll(std::vector<float>& d) { ZoneScopedN("Input::Poll"); crunch(d, 0.3, 0.7f); }
}

namespace Physics {
void Step(std::vector<float>& d) {
    ZoneScopedN("Physics::Step");
    { ZoneScopedN("Physics::BroadPhase"); crunch(d, 0.5, 1.1f); }
    { ZoneScopedN("Physics::Solve");      crunch(d, 0.8, 1.3f); }
}
}

namespace Anim {
void Update(std::vector<float>& d) { ZoneScopedN("Anim::Update"); crunch(d, 0.7, 0.9f); }
}

namespace Game {
void UpdateEntities(std::vector<float>& d) { ZoneScopedN("Game::UpdateEntities"); crunch(d, 0.5, 0.5f); }
}

namespace AI {
// Runs perception / pathfinding / behaviour evaluation for `fraction` of all agents.
void Think(std::vector<float>& d, double fraction) {
    ZoneScopedN("AI::Think");
    const double full_ms = 16.5;  // cost of updating all agents once
    { ZoneScopedN("AI::UpdatePerception");  crunch(d, full_ms * 0.30 * fraction, 1.7f); }
    { ZoneScopedN("AI::Pathfind");          crunch(d, full_ms * 0.45 * fraction, 2.1f); }
    { ZoneScopedN("AI::EvaluateBehaviors"); crunch(d, full_ms * 0.25 * fraction, 0.3f); }
}
}

namespace Render {
void Draw(std::vector<float>& d) {
    ZoneScopedN("Render::Draw");
    { ZoneScopedN("Render::BuildCommandLists"); crunch(d, 2.0, 0.4f); }
    { ZoneScopedN("Render::SubmitAndPresent");  sleep_ms(3.0); }   // waiting on the GPU/driver
}
}

// ---------------------------------------------------------------- worker threads
static void audio_thread() {
    tracy::SetThreadName("Audio");
    std::vector<float> buf(48000 / 100 * 2 * 8, 0.1f);
    while (g_running.load()) {
        {
            ZoneScopedN("Audio::Mix");
            crunch(buf, 1.5, 0.2f);
        }
        sleep_ms(8.0);
    }
}

static void streaming_thread() {
    tracy::SetThreadName("Streaming");
    std::vector<float> chunk(1 << 15, 0.3f);
    int n = 0;
    while (g_running.load()) {
        {
            ZoneScopedN("Asset::StreamChunk");
            { ZoneScopedN("Asset::ReadFile");   sleep_ms(6.0); }
            { ZoneScopedN("Asset::Decompress"); crunch(chunk, 3.0, 0.6f); }
        }
        ++n;
        sleep_ms(60.0);
    }
}

int main(int argc, char** argv) {
    std::string scen = argc > 1 ? argv[1] : "decimated";
    double seconds = argc > 2 ? std::atof(argv[2]) : 5.0;
    bool decimated = scen == "decimated";
    if (!decimated && scen != "sliced") { std::fprintf(stderr, "unknown scenario %s\n", scen.c_str()); return 2; }

    tracy::SetThreadName("Main");
    TracyMessageL("Level loaded: harbor_district");

    std::vector<float> world(1 << 16), ai(1 << 16), render(1 << 15);
    for (size_t i = 0; i < world.size(); ++i) world[i] = (float)(i % 97) * 0.01f;
    for (size_t i = 0; i < ai.size(); ++i) ai[i] = (float)(i % 31) * 0.02f;
    for (size_t i = 0; i < render.size(); ++i) render[i] = (float)(i % 13) * 0.05f;

    std::thread audio(audio_thread);
    std::thread stream(streaming_thread);

    auto start = Clock::now();
    auto last = start;
    uint64_t frame = 0;
    double dt_hist[30] = {};
    while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
        Input::Poll(world);
        Physics::Step(world);
        if (decimated) {
            if (frame % 2 == 1) AI::Think(ai, 1.0);   // all agents, every other frame
        } else {
            AI::Think(ai, 0.5);                        // half the agents, every frame
        }
        Anim::Update(world);
        Game::UpdateEntities(world);
        Render::Draw(render);

        // HUD FPS counter: average over the last 30 frames
        auto now = Clock::now();
        double dt = std::chrono::duration<double, std::milli>(now - last).count();
        last = now;
        dt_hist[frame % 30] = dt;
        if (frame >= 30) {
            double sum = 0; for (double v : dt_hist) sum += v;
            TracyPlot("fps_counter", 1000.0 * 30.0 / sum);
        }
        FrameMark;
        ++frame;
    }
    TracyMessageL("Shutting down");
    g_running = false;
    audio.join();
    stream.join();
    std::fprintf(stderr, "frames=%llu\n", (unsigned long long)frame);
    return 0;
}
