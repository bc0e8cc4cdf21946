// Platformer main loop at 60 Hz: Game::Update, Render::Submit, Render::WaitVsync, FrameMark.
// Side threads: Audio (mixer every ~10 ms), Streaming (level chunk loads).
// A hot-reload watcher checks the game config between update and render; when it reloads,
// it blocks (stat + reparse, emulated by a sleep) with no zone around it.
// Usage: platformer SCENARIO [SECONDS]
//   SCENARIO = reload   : config hot-reload fires ~8 times during the run
//              baseline : hot-reload disabled
#include "tracy/Tracy.hpp"
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

using Clock = std::chrono::steady_clock;
using namespace std::chrono;

static std::atomic<bool> g_run{true};
static volatile double g_sink = 0;

struct Entity { float px, py, vx, vy, ax, ay, w; int state; };

static void crunch(std::vector<Entity>& e, Clock::time_point until) {
    double acc = 0;
    size_t i = 0;
    do {
        for (int k = 0; k < 256; ++k, ++i) {
            Entity& x = e[i % e.size()];
            x.vx += x.ax * 0.016f; x.vy += (x.ay - 9.81f) * 0.016f;
            x.px += x.vx * 0.016f; x.py += x.vy * 0.016f;
            if (x.py < 0) { x.py = 0; x.vy = -x.vy * 0.5f; x.state ^= 1; }
            x.ax = -x.px * 0.001f; x.ay = x.state ? 2.0f : 0.0f;
            acc += std::sqrt(x.vx * x.vx + x.vy * x.vy + x.w);
        }
    } while (Clock::now() < until);
    g_sink = g_sink + acc;
}
// Part compute, part waiting (jobs / GPU / IO) so wall time stays precise on a busy 2-core box.
static void work_for(std::vector<Entity>& e, int us, int cpuPct) {
    auto end = Clock::now() + microseconds(us);
    crunch(e, Clock::now() + microseconds(us * cpuPct / 100));
    std::this_thread::sleep_until(end - microseconds(150));
    while (Clock::now() < end) {}
}
static std::vector<Entity> make_entities(size_t n, unsigned seed) {
    std::vector<Entity> v(n);
    srand(seed);
    for (auto& x : v) x = {float(rand() % 500), float(rand() % 300), 0, 0, 0, 0, 1.0f + rand() % 3, 0};
    return v;
}

// ---------------- Audio thread ----------------
static void audio_thread() {
    tracy::SetThreadName("Audio");
    std::vector<float> buf(4096), reverb(4096, 0.f);
    auto next = Clock::now();
    int block = 0;
    while (g_run.load()) {
        next += microseconds(10667);  // 512 samples @ 48 kHz
        {
            ZoneScopedN("Audio::MixVoices");
            auto end = Clock::now() + microseconds(900);
            float ph = 0;
            do {
                for (size_t i = 0; i < buf.size(); ++i) { ph += 0.01f; buf[i] = std::sin(ph) * 0.3f + buf[i] * 0.5f; }
            } while (Clock::now() < end);
            if (block % 4 == 0) {
                ZoneScopedN("Audio::ApplyReverb");
                auto end2 = Clock::now() + microseconds(700);
                do { for (size_t i = 1; i < buf.size(); ++i) reverb[i] = reverb[i - 1] * 0.7f + buf[i] * 0.3f; } while (Clock::now() < end2);
            }
        }
        g_sink = g_sink + buf[7] + reverb[9];
        ++block;
        std::this_thread::sleep_until(next);
    }
}

// ---------------- Streaming thread ----------------
static void streaming_thread() {
    tracy::SetThreadName("Streaming");
    auto ents = make_entities(4096, 7);
    std::vector<unsigned char> chunk;
    int n = 0;
    auto next = Clock::now() + milliseconds(150);
    while (g_run.load()) {
        while (g_run.load() && Clock::now() < next) std::this_thread::sleep_for(milliseconds(4));
        if (!g_run.load()) break;
        {
            ZoneScopedN("Streaming::LoadChunk");
            ZoneValue(n);
            {
                ZoneScopedN("Streaming::ReadFile");
                std::this_thread::sleep_for(milliseconds(22 + (n % 3) * 6));  // disk read: 22..34 ms
            }
            {
                ZoneScopedN("Streaming::Decompress");
                chunk.assign(256 * 1024, (unsigned char)n);
                work_for(ents, 6000, 30);
            }
            {
                ZoneScopedN("Streaming::BuildCollision");
                work_for(ents, 3000, 30);
            }
        }
        char msg[64];
        snprintf(msg, sizeof msg, "chunk %d resident", n);
        TracyMessage(msg, strlen(msg));
        ++n;
        next += milliseconds(370);
    }
    g_sink = g_sink + chunk.size();
}

// ---------------- Main thread ----------------
struct Config { int gravityScale = 100; int jumpHeight = 42; };

static void reload_config(Config& cfg) {
    // Blocking stat() of the config file on a network share + reparse: ~25 ms, not instrumented.
    std::this_thread::sleep_for(milliseconds(25));
    cfg.jumpHeight += 1;
}

int main(int argc, char** argv) {
    const char* scen = argc > 1 ? argv[1] : "reload";
    double seconds = argc > 2 ? atof(argv[2]) : 5.0;
    bool reload = strcmp(scen, "reload") == 0;
    if (!reload && strcmp(scen, "baseline") != 0) { fprintf(stderr, "unknown scenario %s\n", scen); return 2; }

    tracy::SetThreadName("Main");
    // The game thread asks for a higher scheduling priority (like a console title pinning its main thread).
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), -15) != 0) perror("setpriority");
    TracyMessageL("level 1-2 loaded");
    std::thread au(audio_thread), st(streaming_thread);

    auto ents = make_entities(8192, 1);
    Config cfg;
    const int totalFrames = int(seconds * 60);
    // config hot-reload fires on these frames (file watcher saw an mtime change)
    const int reloadFrames[] = {24, 61, 98, 131, 172, 209, 243, 281};
    size_t nextReload = 0;
    const auto period = microseconds(16667);

    for (int f = 0; f < totalFrames; ++f) {
        auto frameStart = Clock::now();
        {
            ZoneScopedN("Game::Update");
            { ZoneScopedN("Input::Poll"); work_for(ents, 300, 40); }
            { ZoneScopedN("Physics::Step"); work_for(ents, 2200, 40); }
            { ZoneScopedN("AI::Think"); work_for(ents, 1000, 40); }
            { ZoneScopedN("Anim::Evaluate"); work_for(ents, 800, 40); }
        }
        // between update and render: config hot-reload check (no zone)
        if (reload && nextReload < sizeof(reloadFrames) / sizeof(reloadFrames[0]) && f == reloadFrames[nextReload]) {
            TracyMessageL("config reloaded");
            reload_config(cfg);
            ++nextReload;
        }
        {
            ZoneScopedN("Render::Submit");
            { ZoneScopedN("Render::Cull"); work_for(ents, 1500, 40); }
            { ZoneScopedN("Render::BuildCommandLists"); work_for(ents, 3500, 40); }
            { ZoneScopedN("Render::UploadConstants"); work_for(ents, 1000, 40); }
        }
        {
            ZoneScopedN("Render::WaitVsync");
            auto deadline = frameStart + period;
            if (Clock::now() + microseconds(500) < deadline) {
                std::this_thread::sleep_until(deadline);
            } else {
                // missed the vblank: present blocks on the swapchain queue for the next one
                std::this_thread::sleep_for(microseconds(5500));
            }
        }
        FrameMark;
    }
    g_run = false;
    au.join();
    st.join();
    g_sink = g_sink + cfg.jumpHeight;
    fprintf(stderr, "done %d frames, sink %f\n", totalFrames, (double)g_sink);
    return 0;
}
