// Racing game main loop: per-system frame budget.
// Scenarios: "base" (before: lighter render submission) and "heavy" (after: full Render::Submit).
#include "tracy/Tracy.hpp"
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

// Real work for a fixed wall-clock length: crunch over a data array until the deadline.
static std::vector<float> g_data(16384, 1.0f);
static volatile float g_sink = 0.f;

static void crunch_for(double ms, std::vector<float>& data) {
    auto end = Clock::now() + std::chrono::microseconds((long long)(ms * 1000.0));
    float acc = 0.f;
    size_t i = 0;
    while (Clock::now() < end) {
        for (int k = 0; k < 256; ++k) {
            size_t j = (i + k * 17) % data.size();
            data[j] = data[j] * 0.999f + std::sqrt(data[j] + 1.0f) * 0.001f;
            acc += data[j];
        }
        i += 256;
    }
    g_sink = g_sink + acc;
}

// Mostly-waiting work: a short real crunch (20%), then sleep to the deadline (robust on a busy 2-core box;
// stands in for GPU/driver waits, DSP callbacks, etc.). Zone length is set by the deadline, not CPU speed.
static void work_for(double ms, std::vector<float>& data) {
    auto end = Clock::now() + std::chrono::microseconds((long long)(ms * 1000.0));
    crunch_for(ms * 0.2, data);
    std::this_thread::sleep_until(end - std::chrono::microseconds(80));
    while (Clock::now() < end) {}  // absorb wake-up latency
}

// ---------------- Physics job system (2 workers) ----------------
struct PhysicsJobs {
    std::mutex m;
    std::condition_variable cv_start, cv_done;
    int generation = 0;
    int pending = 0;
    bool quit = false;
    double island_ms = 1.1;
    int islands_per_worker = 4;
};
static PhysicsJobs g_jobs;

static void physics_worker(int idx) {
    char name[32];
    snprintf(name, sizeof name, "PhysicsWorker %d", idx);
    tracy::SetThreadName(name);
    std::vector<float> local(8192, 0.5f);
    int seen = 0;
    for (;;) {
        {
            std::unique_lock<std::mutex> lk(g_jobs.m);
            g_jobs.cv_start.wait(lk, [&] { return g_jobs.quit || g_jobs.generation != seen; });
            if (g_jobs.quit) return;
            seen = g_jobs.generation;
        }
        {
            ZoneScopedN("Physics::SolveIslands");
            for (int i = 0; i < g_jobs.islands_per_worker; ++i) {
                ZoneScopedN("Physics::SolveIsland");
                work_for(g_jobs.island_ms, local);
            }
        }
        {
            std::lock_guard<std::mutex> lk(g_jobs.m);
            if (--g_jobs.pending == 0) g_jobs.cv_done.notify_one();
        }
    }
}

// ---------------- Streaming (background, I/O bound) ----------------
static std::atomic<bool> g_quit{false};
static void streaming_thread() {
    tracy::SetThreadName("Streaming");
    std::vector<float> buf(4096, 0.f);
    while (!g_quit.load()) {
        {
            ZoneScopedN("Streaming::LoadTrackChunk");
            {
                ZoneScopedN("Streaming::ReadFile");
                std::this_thread::sleep_for(std::chrono::milliseconds(45));
            }
            {
                ZoneScopedN("Streaming::Decompress");
                work_for(3.0, buf);
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
}

// ---------------- Main-thread systems ----------------
static void Input() {
    ZoneScopedN("Input");
    work_for(0.3, g_data);
}

static void Physics() {
    ZoneScopedN("Physics");
    {
        ZoneScopedN("Physics::Broadphase");
        work_for(1.2, g_data);
    }
    {
        ZoneScopedN("Physics::WaitForWorkers");
        std::unique_lock<std::mutex> lk(g_jobs.m);
        g_jobs.pending = 2;
        g_jobs.generation++;
        g_jobs.cv_start.notify_all();
        g_jobs.cv_done.wait(lk, [] { return g_jobs.pending == 0; });
    }
    {
        ZoneScopedN("Physics::Integrate");
        work_for(0.4, g_data);
    }
}

static void AI() {
    ZoneScopedN("AI");
    {
        ZoneScopedN("AI::Pathfind");
        work_for(1.8, g_data);
    }
    {
        ZoneScopedN("AI::DecideRacingLine");
        work_for(1.2, g_data);
    }
}

static void AudioUpdate() {
    ZoneScopedN("Audio::Update");
    work_for(1.0, g_data);
}

static void RenderCull() {
    ZoneScopedN("Render::Cull");
    work_for(2.0, g_data);
}

static void RenderSubmit(double build_ms, double draw_ms) {
    ZoneScopedN("Render::Submit");
    {
        ZoneScopedN("Render::BuildCommandLists");
        work_for(build_ms, g_data);
    }
    {
        ZoneScopedN("Render::DrawCalls");
        work_for(draw_ms, g_data);
    }
}

static void Ui() {
    ZoneScopedN("Ui");
    work_for(1.5, g_data);
}

int main(int argc, char** argv) {
    std::string scen = argc > 1 ? argv[1] : "heavy";
    double build_ms = 3.0, draw_ms = 4.0;        // Render::Submit ~7 ms
    if (scen == "base") { build_ms = 1.2; draw_ms = 1.8; }  // ~3 ms
    int frames = 240;

    tracy::SetThreadName("Main");
    std::thread w0(physics_worker, 0), w1(physics_worker, 1);
    std::thread st(streaming_thread);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));

    for (int f = 0; f < frames; ++f) {
        Input();
        Physics();
        AI();
        AudioUpdate();
        RenderCull();
        RenderSubmit(build_ms, draw_ms);
        Ui();
        FrameMark;
    }

    g_quit = true;
    {
        std::lock_guard<std::mutex> lk(g_jobs.m);
        g_jobs.quit = true;
    }
    g_jobs.cv_start.notify_all();
    w0.join(); w1.join(); st.join();
    fprintf(stderr, "done %s\n", scen.c_str());
    return 0;
}
