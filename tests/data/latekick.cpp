// Game frame loop with a physics job on a worker thread.
// Scenario "a": job kicked at the start of the frame (overlaps gameplay).
// Scenario "b": after a "refactor" the job is kicked after gameplay, so the main thread waits for it.
#include "tracy/Tracy.hpp"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

static std::atomic<bool> g_quit{false};

// Real work over data for the first part of the budget, then the rest is spent waiting (stands in for
// memory stalls / GPU readback / IO in the real engine). Bounded by wall-clock so per-call duration stays
// stable even when the 2-core box is shared with other processes.
static float crunch(std::vector<float>& data, double ms) {
    auto start = Clock::now();
    auto end = start + std::chrono::microseconds((long long)(ms * 1000.0));
    auto busy_end = start + std::chrono::microseconds((long long)(ms * 120.0));  // 12% busy
    float acc = 0.f;
    size_t i = 0;
    do {
        for (int k = 0; k < 256; ++k) {
            float& v = data[i];
            v = v * 0.999f + std::sqrt(std::fabs(v) + 1.0f) * 0.001f;
            acc += v;
            i = (i + 1) % data.size();
        }
    } while (Clock::now() < busy_end);
    std::this_thread::sleep_until(end);
    return acc;
}

struct PhysicsJob {
    TracyLockable(std::mutex, m);
    std::condition_variable_any cv;
    bool kicked = false;
    bool done = true;
    int frame = 0;
};
static PhysicsJob g_job;
static std::atomic<float> g_sink{0.f};

static void physics_worker() {
    tracy::SetThreadName("PhysicsWorker");
    std::vector<float> bodies(64 * 1024, 1.0f);
    for (;;) {
        {
            std::unique_lock<LockableBase(std::mutex)> lk(g_job.m);
            g_job.cv.wait(lk, [] { return g_job.kicked || g_quit.load(); });
            if (g_quit.load() && !g_job.kicked) return;
            g_job.kicked = false;
        }
        float s = 0.f;
        {
            ZoneScopedN("Physics::Step");
            { ZoneScopedN("Physics::Broadphase");  s += crunch(bodies, 1.8); }
            { ZoneScopedN("Physics::Narrowphase"); s += crunch(bodies, 2.2); }
            { ZoneScopedN("Physics::SolveContacts"); s += crunch(bodies, 3.0); }
            { ZoneScopedN("Physics::Integrate");   s += crunch(bodies, 0.6); }
        }
        g_sink.store(s, std::memory_order_relaxed);
        {
            std::lock_guard<LockableBase(std::mutex)> lk(g_job.m);
            g_job.done = true;
        }
        g_job.cv.notify_all();
    }
}

static void kick_physics(int frame) {
    ZoneScopedN("Jobs::KickPhysics");
    {
        std::lock_guard<LockableBase(std::mutex)> lk(g_job.m);
        g_job.kicked = true;
        g_job.done = false;
        g_job.frame = frame;
    }
    g_job.cv.notify_all();
}

static void wait_physics() {
    ZoneScopedN("Jobs::WaitPhysics");
    std::unique_lock<LockableBase(std::mutex)> lk(g_job.m);
    g_job.cv.wait(lk, [] { return g_job.done; });
}

static void audio_thread() {
    tracy::SetThreadName("AudioMixer");
    std::vector<float> buf(16 * 1024, 0.5f);
    while (!g_quit.load()) {
        {
            ZoneScopedN("Audio::MixVoices");
            g_sink.store(crunch(buf, 1.2), std::memory_order_relaxed);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

static void streaming_thread() {
    tracy::SetThreadName("AssetStreaming");
    std::vector<float> chunk(256 * 1024, 2.0f);
    int n = 0;
    while (!g_quit.load()) {
        {
            ZoneScopedN("Streaming::DecompressChunk");
            ZoneValue(n++);
            g_sink.store(crunch(chunk, 18.0), std::memory_order_relaxed);
        }
        {
            ZoneScopedN("Streaming::ReadFile");
            std::this_thread::sleep_for(std::chrono::milliseconds(60));
        }
    }
}

int main(int argc, char** argv) {
    const bool late_kick = (argc > 1 && std::strcmp(argv[1], "b") == 0);
    const int frames = (argc > 2) ? std::atoi(argv[2]) : 300;
    tracy::SetThreadName("Main");
    TracyMessageL(late_kick ? "build: 2024.11.3-r4821" : "build: 2024.11.2-r4790");

    std::thread phys(physics_worker);
    std::thread audio(audio_thread);
    std::thread stream(streaming_thread);

    std::vector<float> world(128 * 1024, 1.0f);
    std::vector<float> gpu(64 * 1024, 1.0f);
    float s = 0.f;

    for (int f = 0; f < frames; ++f) {
        {
            ZoneScopedN("Game::Frame");
            { ZoneScopedN("Input::Poll"); s += crunch(world, 0.4); }
            if (!late_kick) kick_physics(f);
            {
                ZoneScopedN("Gameplay::Update");
                { ZoneScopedN("Gameplay::AI"); s += crunch(world, 3.0); }
                if (!late_kick) { ZoneScopedN("Gameplay::Scripts"); s += crunch(world, 2.0); }
                else            { ZoneScopedN("Script::VM::Tick");  s += crunch(world, 2.0); }
                { ZoneScopedN("Gameplay::Animation"); s += crunch(world, 2.6); }
            }
            if (late_kick) kick_physics(f);
            wait_physics();
            {
                ZoneScopedN("Render::BuildFrame");
                // slightly faster in b (unrelated optimisation)
                { ZoneScopedN("Render::Cull"); s += crunch(gpu, late_kick ? 1.0 : 1.6); }
                { ZoneScopedN("Render::RecordCommands"); s += crunch(gpu, 2.2); }
                { ZoneScopedN("Render::Submit"); s += crunch(gpu, 0.8); }
            }
        }
        FrameMark;
    }
    g_sink.store(s);
    g_quit.store(true);
    {
        std::lock_guard<LockableBase(std::mutex)> lk(g_job.m);
    }
    g_job.cv.notify_all();
    phys.join();
    audio.join();
    stream.join();
    std::fprintf(stderr, "done %d frames (%s)\n", frames, late_kick ? "b" : "a");
    return 0;
}
