// Small game-loop sample: main thread simulates + builds command lists at a 60 Hz budget,
// a render thread submits, an audio thread mixes, a telemetry thread uploads now and then.
// Usage: prog SCENARIO [seconds]   SCENARIO in {beat, a, b}
//   beat / a : periodic jobs run whenever they are due (AI every 7th frame, streaming every 11th frame)
//   b        : frame job scheduler never runs two periodic jobs in the same frame (streaming slips one frame)
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static std::atomic<bool> g_quit{false};
static std::atomic<uint64_t> g_sink{0};

// Real CPU work over a data set until the wall-clock deadline (keeps lengths stable on a busy 2-core box).
static void CrunchFor(std::vector<uint32_t>& data, double ms, uint32_t salt) {
    const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(ms));
    uint64_t acc = salt;
    size_t i = 0;
    do {
        for (int k = 0; k < 256; ++k) {
            uint32_t& v = data[i];
            v = v * 2654435761u + static_cast<uint32_t>(acc);
            acc ^= (acc << 13) ^ v;
            acc ^= acc >> 7;
            i = (i + 1) % data.size();
        }
    } while (Clock::now() < end);
    g_sink.fetch_add(acc, std::memory_order_relaxed);
}


// A system step: real CPU work over its data for cpuMs, then wait (job workers / IO) until totalMs have passed.
static void WorkFor(std::vector<uint32_t>& data, double totalMs, double cpuMs, uint32_t salt) {
    const auto start = Clock::now();
    CrunchFor(data, cpuMs, salt);
    std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(totalMs)));
}

struct World {
    std::vector<uint32_t> bodies = std::vector<uint32_t>(1 << 15, 1);
    std::vector<uint32_t> skeletons = std::vector<uint32_t>(1 << 14, 2);
    std::vector<uint32_t> agents = std::vector<uint32_t>(1 << 14, 3);
    std::vector<uint32_t> navmesh = std::vector<uint32_t>(1 << 16, 4);
    std::vector<uint32_t> pages = std::vector<uint32_t>(1 << 16, 5);
    std::vector<uint32_t> drawItems = std::vector<uint32_t>(1 << 15, 6);
    std::vector<uint32_t> input = std::vector<uint32_t>(256, 7);
};

// ---- main-thread systems ------------------------------------------------------------
namespace Input {
void Poll(World& w) { ZoneScopedN("Input::Poll"); CrunchFor(w.input, 0.2, 1); }
}

namespace Physics {
void Broadphase(World& w) { ZoneScopedN("Physics::Broadphase"); WorkFor(w.bodies, 1.0, 0.6, 11); }
void Solve(World& w) { ZoneScopedN("Physics::SolveContacts"); WorkFor(w.bodies, 2.0, 0.5, 12); }
void Step(World& w) {
    ZoneScopedN("Physics::Step");
    Broadphase(w);
    Solve(w);
}
}

namespace AI {
void BuildNavQueries(World& w) { ZoneScopedN("AI::BuildNavQueries"); WorkFor(w.agents, 2.0, 1.0, 21); }
void Pathfind(World& w) { ZoneScopedN("AI::Pathfind"); WorkFor(w.navmesh, 5.5, 1.5, 22); }
void Replan(World& w) {
    ZoneScopedN("AI::Replan");
    BuildNavQueries(w);
    Pathfind(w);
}
}

namespace Streaming {
void DecompressPages(World& w) { ZoneScopedN("Streaming::DecompressPages"); WorkFor(w.pages, 4.5, 1.5, 31); }
void UpdateResidency(World& w) { ZoneScopedN("Streaming::UpdateResidency"); WorkFor(w.pages, 3.0, 0.8, 32); }
void Tick(World& w) {
    ZoneScopedN("Streaming::Tick");
    DecompressPages(w);
    UpdateResidency(w);
}
}

namespace Anim {
void Update(World& w) { ZoneScopedN("Anim::Update"); WorkFor(w.skeletons, 1.2, 0.5, 41); }
}

namespace UI {
void RebuildFontAtlas(World& w) { ZoneScopedN("UI::RebuildFontAtlas"); WorkFor(w.drawItems, 3.0, 1.0, 51); }
}

// ---- render thread ------------------------------------------------------------------
struct RenderQueue {
    std::mutex m;
    std::condition_variable cv;
    uint64_t submitted = 0;
    uint64_t consumed = 0;
};
static RenderQueue g_rq;

namespace Render {
void BuildCommandLists(World& w) { ZoneScopedN("Render::BuildCommandLists"); WorkFor(w.drawItems, 2.5, 0.8, 61); }

void RenderThread() {
    tracy::SetThreadName("RenderThread");
    std::vector<uint32_t> cmd(1 << 15, 9);
    while (true) {
        {
            std::unique_lock<std::mutex> lk(g_rq.m);
            g_rq.cv.wait(lk, [] { return g_rq.submitted > g_rq.consumed || g_quit.load(); });
            if (g_rq.submitted == g_rq.consumed && g_quit.load()) break;
            g_rq.consumed = g_rq.submitted;
        }
        {
            ZoneScopedN("Render::Submit");
            WorkFor(cmd, 2.0, 0.6, 71);
        }
        {
            ZoneScopedN("GPU::WaitFence");
            std::this_thread::sleep_for(4ms);
        }
    }
}
}

// ---- audio thread -------------------------------------------------------------------
namespace Audio {
void AudioThread() {
    tracy::SetThreadName("AudioThread");
    std::vector<uint32_t> buf(4096, 8);
    auto next = Clock::now();
    while (!g_quit.load()) {
        {
            ZoneScopedN("Audio::Mix");
            CrunchFor(buf, 0.4, 81);
        }
        next += 10ms;
        std::this_thread::sleep_until(next);
    }
}
}

// ---- telemetry thread (rare, off the frame path) ---------------------------------------
namespace Telemetry {
void TelemetryThread(double runSec) {
    tracy::SetThreadName("TelemetryThread");
    std::vector<uint32_t> batch(1 << 16, 10);
    const auto start = Clock::now();
    const double at[] = {1.9, runSec * 0.75};
    for (double t : at) {
        auto when = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(t));
        while (!g_quit.load() && Clock::now() < when) std::this_thread::sleep_for(5ms);
        if (g_quit.load()) break;
        ZoneScopedN("Telemetry::UploadBatch");
        {
            ZoneScopedN("Telemetry::Compress");
            WorkFor(batch, 8.0, 3.0, 91);
        }
        {
            ZoneScopedN("Telemetry::Send");
            std::this_thread::sleep_for(25ms);
        }
    }
}
}

int main(int argc, char** argv) {
    const std::string scen = argc > 1 ? argv[1] : "beat";
    const double runSec = argc > 2 ? std::atof(argv[2]) : 6.5;
    const bool stagger = (scen == "b");
    if (scen != "beat" && scen != "a" && scen != "b") {
        std::fprintf(stderr, "unknown scenario %s (beat|a|b)\n", scen.c_str());
        return 2;
    }
    tracy::SetThreadName("MainThread");

    World world;
    std::thread render(Render::RenderThread);
    std::thread audio(Audio::AudioThread);
    std::thread telemetry(Telemetry::TelemetryThread, runSec);

    const auto budget = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(16.6));
    const auto t0 = Clock::now();
    auto frameStart = t0;
    uint64_t frame = 1;
    bool streamingPending = false;
    int slow = 0;

    while (Clock::now() - t0 < std::chrono::duration<double>(runSec)) {
        Input::Poll(world);
        Physics::Step(world);

        const bool aiDue = (frame % 7) == 0;
        const bool streamDue = (frame % 11) == 0;
        if (streamDue) streamingPending = true;

        bool ranPeriodic = false;
        if (aiDue) {
            AI::Replan(world);
            ranPeriodic = true;
        }
        if (streamingPending && !(stagger && ranPeriodic)) {
            Streaming::Tick(world);
            streamingPending = false;
        }

        Anim::Update(world);
        if (frame == 200) UI::RebuildFontAtlas(world);  // one-off, lands in a frame with slack
        Render::BuildCommandLists(world);
        {
            std::lock_guard<std::mutex> lk(g_rq.m);
            g_rq.submitted++;
        }
        g_rq.cv.notify_one();

        const auto workEnd = Clock::now();
        if (workEnd - frameStart > budget) ++slow;
        {
            ZoneScopedN("Frame::WaitForVSync");
            if (workEnd < frameStart + budget) std::this_thread::sleep_until(frameStart + budget);
        }
        FrameMark;
        frameStart = Clock::now();
        ++frame;
    }

    g_quit.store(true);
    g_rq.cv.notify_all();
    render.join();
    audio.join();
    telemetry.join();
    std::fprintf(stderr, "scenario=%s frames=%llu over_budget=%d sink=%llu\n", scen.c_str(),
                 (unsigned long long)(frame - 1), slow, (unsigned long long)g_sink.load());
    return 0;
}
