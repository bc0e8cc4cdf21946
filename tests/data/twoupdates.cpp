// Small game loop: player + enemy systems, physics, render, background asset streaming.
// Scenarios:  spike    - enemy system runs its full pathfinding rebuild on every 40th frame
//             baseline - enemy pathfinding rebuild is amortised (a small slice every frame)
#include "tracy/Tracy.hpp"
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <queue>
#include <random>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

static volatile double g_sink = 0.0;

// A fixed slice of real arithmetic over a data array, then wait (as for GPU/job fences) until `ms` of
// wall time has passed since the call: keeps the lengths stable on a busy machine.
static void crunch_for(std::vector<float>& data, double ms) {
    auto end = Clock::now() + std::chrono::microseconds((long long)(ms * 1000.0));
    double acc = 0.0;
    const size_t n = data.size();
    const size_t iters = (size_t)(ms * 1500.0);
    for (size_t j = 0; j < iters; ++j) {
        size_t i = (j * 7) % n;
        float& v = data[i];
        v = v * 0.999f + std::sin((float)i * 0.001f) * 0.01f;
        acc += v;
    }
    g_sink = g_sink + acc;
    std::this_thread::sleep_until(end);
}

struct Grid {
    int w = 96, h = 96;
    std::vector<uint8_t> cost;
    std::vector<float> dist;
    Grid() : cost(w * h), dist(w * h) {
        std::mt19937 rng(7);
        for (auto& c : cost) c = (uint8_t)(1 + rng() % 9);
    }
    // one Dijkstra sweep from a source cell
    void flood(int src) {
        std::fill(dist.begin(), dist.end(), 1e30f);
        using Item = std::pair<float, int>;
        std::priority_queue<Item, std::vector<Item>, std::greater<Item>> pq;
        dist[src] = 0.f;
        pq.push({0.f, src});
        while (!pq.empty()) {
            auto [d, c] = pq.top();
            pq.pop();
            if (d > dist[c]) continue;
            int x = c % w, y = c / w;
            const int nx[4] = {x - 1, x + 1, x, x};
            const int ny[4] = {y, y, y - 1, y + 1};
            for (int k = 0; k < 4; ++k) {
                if (nx[k] < 0 || ny[k] < 0 || nx[k] >= w || ny[k] >= h) continue;
                int n = ny[k] * w + nx[k];
                float nd = d + cost[n];
                if (nd < dist[n]) { dist[n] = nd; pq.push({nd, n}); }
            }
        }
    }
};

// Runs `floods` Dijkstra floods, then waits for the rest of the nav job until `ms` have passed.
static void pathfind_for(Grid& g, double ms, int floods, int& seed) {
    auto end = Clock::now() + std::chrono::microseconds((long long)(ms * 1000.0));
    for (int k = 0; k < floods; ++k) {
        g.flood((seed * 7919) % (g.w * g.h));
        ++seed;
        g_sink = g_sink + g.dist[(seed * 31) % (g.w * g.h)];
    }
    std::this_thread::sleep_until(end);
}

struct World {
    std::vector<float> players = std::vector<float>(1 << 14, 1.f);
    std::vector<float> enemies = std::vector<float>(1 << 15, 1.f);
    std::vector<float> bodies = std::vector<float>(1 << 15, 1.f);
    std::vector<float> verts = std::vector<float>(1 << 16, 1.f);
    Grid navgrid;
    int pathSeed = 1;
    bool burstMode = true;
};

static void physics_step(World& w) {
    ZoneScopedN("Physics::Step");
    crunch_for(w.bodies, 3.0);
}

static void render_draw(World& w, int frame) {
    ZoneScopedN("Render::Draw");
    {
        ZoneScopedN("Render::Cull");
        crunch_for(w.verts, 1.0);
    }
    // mild, normal variation in draw cost (more objects on screen at times)
    double extra = (frame % 25 < 5) ? 1.5 : 0.0;
    crunch_for(w.verts, 4.0 + extra);
}

static void animation_sample(World& w) {
    ZoneScopedN("Anim::Sample");
    crunch_for(w.players, 0.8);
}

#line 40 "src/Player.cpp"
struct PlayerSystem {
    void Update(World& w) {
        ZoneScopedN("Update");
        crunch_for(w.players, 2.2);
        animation_sample(w);
    }
};

#line 120 "src/Enemy.cpp"
struct EnemySystem {
    void Update(World& w, int frame) {
        ZoneScopedN("Update");
        crunch_for(w.enemies, 1.5);
        if (w.burstMode) {
            // full nav rebuild every 40th frame
            if (frame % 40 == 39) pathfind_for(w.navgrid, 28.0, 6, w.pathSeed);
            else pathfind_for(w.navgrid, 0.5, 0, w.pathSeed);
        } else {
            // amortised: a small slice every frame
            pathfind_for(w.navgrid, 0.9, (frame % 6 == 0) ? 1 : 0, w.pathSeed);
        }
    }
};

#line 300 "src/Main.cpp"
static std::atomic<bool> g_running{true};
static std::mutex g_stopMutex;
static std::condition_variable g_stopCv;

// sleeps up to `d`, returns early when the game shuts down
static void wait_or_stop(std::chrono::microseconds d) {
    std::unique_lock<std::mutex> lk(g_stopMutex);
    g_stopCv.wait_for(lk, d, [] { return !g_running.load(); });
}

static void asset_streamer() {
    tracy::SetThreadName("AssetStreamer");
    std::vector<float> buf(1 << 15, 1.f);
    std::mt19937 rng(11);
    while (g_running.load()) {
        {
            ZoneScopedN("Asset::WaitIO");
            wait_or_stop(std::chrono::milliseconds(300 + rng() % 200));
        }
        if (!g_running.load()) break;
        {
            ZoneScopedN("Asset::Decompress");
            size_t bytes = 1u << 20;
            void* p = std::malloc(bytes);
            TracyAlloc(p, bytes);
            std::memset(p, 1, bytes);
            crunch_for(buf, 35.0);
            TracyFree(p);
            std::free(p);
        }
    }
}

static void audio_mixer() {
    tracy::SetThreadName("AudioMixer");
    std::vector<float> buf(1 << 12, 1.f);
    while (g_running.load()) {
        {
            ZoneScopedN("Audio::Mix");
            crunch_for(buf, 1.0);
        }
        wait_or_stop(std::chrono::milliseconds(10));
    }
}

int main(int argc, char** argv) {
    std::string scen = argc > 1 ? argv[1] : "spike";
    int frames = argc > 2 ? std::atoi(argv[2]) : 320;
    World world;
    world.burstMode = (scen != "baseline");
    std::fprintf(stderr, "scenario=%s frames=%d\n", scen.c_str(), frames);

    std::thread streamer(asset_streamer);
    std::thread audio(audio_mixer);

    PlayerSystem player;
    EnemySystem enemy;
    {
        ZoneScopedN("Game::Load");
        for (int k = 0; k < 4; ++k) world.navgrid.flood(k * 1000);  // bake initial nav data
        crunch_for(world.verts, 150.0);
    }
    for (int f = 0; f < frames; ++f) {
        {
            ZoneScopedN("Game::Tick");
            {
                ZoneScopedN("Input::Poll");
                std::this_thread::sleep_for(std::chrono::microseconds(300));
            }
            player.Update(world);
            enemy.Update(world, f);
            physics_step(world);
            render_draw(world, f);
        }
        FrameMark;
    }
    {
        std::lock_guard<std::mutex> lk(g_stopMutex);
        g_running = false;
    }
    g_stopCv.notify_all();
    streamer.join();
    audio.join();
    std::fprintf(stderr, "done sink=%g\n", (double)g_sink);
    return 0;
}
