// riftrunner: an action game's frame loop whose hot code is coarsely instrumented (one zone per system, no child
// zones); the time inside those zones goes to un-instrumented noinline functions that burn real CPU over arrays, so
// only Tracy's CPU sampling (callstacks) and context switches show what happens inside. Threads:
//   "Main thread"          60 Hz: Input::Poll, Physics::Solve (IntegrateBodies, Broadphase*, SolveContacts),
//                          AI::Pathfinding::Update (AStarExpand, SmoothPaths), Render::BuildCommands
//                          (CullInstances, SortDrawCalls), Render::Present (sleeps to the next vblank), FrameMark.
//                          Every 6th frame it queues an asset request (TracyMessage "request <asset>").
//   "AssetLoader"          Loader::WaitForRequest (condition variable) > Asset::Read (I/O: sleeps) >
//                          Asset::Decode (ParseHeader, LookupDictionary [takes g_cacheMutex, a plain std::mutex],
//                          InflateBlocks, ConvertTexels) > Asset::Upload. ZoneText = asset name.
//   "CacheCompactor"       woken by each request: Cache::Compact holds g_cacheMutex while it "writes pages"
//                          (sleeps) then WritePages CPU.
//   "AudioMixer"           every 10 ms: Audio::WaitBuffer (condition variable with timeout) > Audio::Mix (MixVoices)
//   "Telemetry"            every 250 ms: Telemetry::Flush (sleeps in a send), TracyPlot "telemetry queue"
//
// Scenarios:
//   baseline          Physics::Solve ~3 ms (BroadphaseSweep), Asset::Decode ~9 ms CPU, Cache::Compact ~2 ms
//   hidden_hotspot    Physics::Solve ~9 ms: BroadphaseNaive (all-pairs AABB tests) takes ~7 ms of it
//   blocked_not_busy  Cache::Compact holds g_cacheMutex ~45 ms; Asset::Decode waits for it in LookupDictionary:
//                     Decode is ~40 ms long but runs on the CPU only ~5 ms
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record_sys.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tracy/Tracy.hpp"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

#define NOINLINE __attribute__((noinline))

namespace
{

enum class Scenario { Baseline, HiddenHotspot, BlockedNotBusy };
Scenario g_scn = Scenario::Baseline;

std::atomic<bool> g_stop{ false };
volatile double g_sink = 0.0;
volatile uint64_t g_isink = 0;

double ms_since(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// ---------------------------------------------------------------- physics (un-instrumented inner functions)
struct Body { float x, y, z, vx, vy, vz, r, pad; };
struct Aabb { float minx, miny, minz, maxx, maxy, maxz; };

std::vector<Body> g_bodies;
std::vector<Aabb> g_boxes;
std::vector<std::pair<int, int>> g_pairs;

// Each of these burns real CPU over the arrays until `ms` of wall time has passed, so durations stay predictable
// on a busy machine while the samples land inside the function.
NOINLINE void IntegrateBodies(double ms)
{
    auto t0 = Clock::now();
    const float dt = 1.0f / 60.0f;
    do {
        for (auto& b : g_bodies) {
            b.vy -= 9.81f * dt * 0.001f;
            b.x += b.vx * dt; b.y += b.vy * dt; b.z += b.vz * dt;
            if (b.y < 0) { b.y = -b.y; b.vy = -b.vy * 0.8f; }
        }
    } while (ms_since(t0) < ms);
    for (size_t i = 0; i < g_bodies.size(); ++i) {
        const Body& b = g_bodies[i];
        g_boxes[i] = { b.x - b.r, b.y - b.r, b.z - b.r, b.x + b.r, b.y + b.r, b.z + b.r };
    }
}

NOINLINE void BroadphaseSweep(double ms)
{
    auto t0 = Clock::now();
    std::vector<int> order(g_boxes.size());
    do {
        for (size_t i = 0; i < order.size(); ++i) order[i] = (int)i;
        std::sort(order.begin(), order.end(), [](int a, int b) { return g_boxes[a].minx < g_boxes[b].minx; });
        g_pairs.clear();
        for (size_t i = 0; i < order.size(); ++i) {
            const Aabb& a = g_boxes[order[i]];
            for (size_t j = i + 1; j < order.size() && g_boxes[order[j]].minx <= a.maxx; ++j) {
                const Aabb& b = g_boxes[order[j]];
                if (a.miny <= b.maxy && b.miny <= a.maxy && a.minz <= b.maxz && b.minz <= a.maxz)
                    g_pairs.emplace_back(order[i], order[j]);
            }
        }
    } while (ms_since(t0) < ms);
}

NOINLINE void BroadphaseNaive(double ms)
{
    auto t0 = Clock::now();
    const size_t n = g_boxes.size();
    do {
        g_pairs.clear();
        for (size_t i = 0; i < n; ++i) {
            const Aabb a = g_boxes[i];
            for (size_t j = i + 1; j < n; ++j) {
                const Aabb& b = g_boxes[j];
                if (a.minx <= b.maxx && b.minx <= a.maxx && a.miny <= b.maxy && b.miny <= a.maxy &&
                    a.minz <= b.maxz && b.minz <= a.maxz)
                    g_pairs.emplace_back((int)i, (int)j);
            }
            if ((i & 63) == 63 && ms_since(t0) >= ms) return;
        }
    } while (ms_since(t0) < ms);
}

NOINLINE void SolveContacts(double ms)
{
    auto t0 = Clock::now();
    do {
        for (int it = 0; it < 4; ++it)
            for (auto& p : g_pairs) {
                Body& a = g_bodies[p.first];
                Body& b = g_bodies[p.second];
                float dx = b.x - a.x, dy = b.y - a.y, dz = b.z - a.z;
                float d2 = dx * dx + dy * dy + dz * dz + 1e-6f;
                float push = 0.001f / d2;
                a.vx -= dx * push; b.vx += dx * push;
                a.vy -= dy * push; b.vy += dy * push;
            }
        g_sink = g_sink + (g_pairs.empty() ? 0.0 : g_bodies[g_pairs[0].first].vx);
    } while (ms_since(t0) < ms);
}

// ---------------------------------------------------------------- AI
std::vector<uint16_t> g_navCost;   // 256 x 256 grid
std::vector<uint32_t> g_navDist;

NOINLINE void AStarExpand(double ms)
{
    auto t0 = Clock::now();
    const int W = 256;
    uint32_t seed = 7;
    do {
        // relaxation sweeps over the cost grid (a stand-in for A* expansion)
        seed = seed * 1664525u + 1013904223u;
        int sx = (seed >> 8) % W, sy = (seed >> 16) % W;
        std::fill(g_navDist.begin(), g_navDist.end(), 0xffffffffu);
        g_navDist[sy * W + sx] = 0;
        for (int pass = 0; pass < 2; ++pass)
            for (int y = 1; y < W - 1; ++y)
                for (int x = 1; x < W - 1; ++x) {
                    uint32_t best = g_navDist[y * W + x];
                    uint32_t c = g_navCost[y * W + x];
                    uint32_t l = g_navDist[y * W + x - 1], u = g_navDist[(y - 1) * W + x];
                    if (l != 0xffffffffu && l + c < best) best = l + c;
                    if (u != 0xffffffffu && u + c < best) best = u + c;
                    g_navDist[y * W + x] = best;
                }
    } while (ms_since(t0) < ms);
    g_isink = g_isink + g_navDist[W * W / 2];
}

NOINLINE void SmoothPaths(double ms)
{
    auto t0 = Clock::now();
    double acc = 0;
    do {
        for (int i = 0; i < 20000; ++i) acc += std::sqrt((double)(i % 97) * 0.5 + acc * 1e-9);
    } while (ms_since(t0) < ms);
    g_sink = g_sink + acc;
}

// ---------------------------------------------------------------- render
std::vector<uint64_t> g_drawKeys;

NOINLINE void CullInstances(double ms)
{
    auto t0 = Clock::now();
    uint64_t vis = 0;
    do {
        for (size_t i = 0; i < g_boxes.size(); ++i) vis += (g_boxes[i].maxx > -50.0f && g_boxes[i].minx < 50.0f);
    } while (ms_since(t0) < ms);
    g_isink = g_isink + vis;
}

NOINLINE void SortDrawCalls(double ms)
{
    auto t0 = Clock::now();
    std::mt19937_64 rng(11);
    do {
        for (auto& k : g_drawKeys) k = rng();
        std::sort(g_drawKeys.begin(), g_drawKeys.end());
    } while (ms_since(t0) < ms);
}

// ---------------------------------------------------------------- assets
std::mutex g_cacheMutex;          // a plain std::mutex: not a Tracy lock
std::vector<uint8_t> g_dictionary(1 << 16);
std::vector<uint8_t> g_blob(1 << 20);
std::vector<uint32_t> g_texels(1 << 18);

NOINLINE void ParseHeader(double ms)
{
    auto t0 = Clock::now();
    uint32_t h = 2166136261u;
    do {
        for (int i = 0; i < 4096; ++i) h = (h ^ g_blob[i]) * 16777619u;
    } while (ms_since(t0) < ms);
    g_isink = g_isink + h;
}

NOINLINE uint32_t LookupDictionary()
{
    std::lock_guard<std::mutex> lk(g_cacheMutex);   // blocks while Cache::Compact holds it
    uint32_t h = 0;
    for (size_t i = 0; i < g_dictionary.size(); i += 64) h += g_dictionary[i];
    return h;
}

NOINLINE void InflateBlocks(double ms)
{
    auto t0 = Clock::now();
    uint32_t s = 1;
    do {
        for (size_t i = 0; i < g_blob.size(); i += 4) {
            s = s * 31 + g_blob[i];
            g_blob[i] = (uint8_t)(s >> 13);
        }
    } while (ms_since(t0) < ms);
    g_isink = g_isink + s;
}

NOINLINE void ConvertTexels(double ms)
{
    auto t0 = Clock::now();
    do {
        for (size_t i = 0; i < g_texels.size(); ++i) {
            uint32_t t = g_texels[i] + (uint32_t)i;
            g_texels[i] = ((t & 0xff) << 16) | (t & 0xff00) | ((t >> 16) & 0xff) | 0xff000000u;
        }
    } while (ms_since(t0) < ms);
}

NOINLINE void WritePages(double ms)
{
    auto t0 = Clock::now();
    uint64_t s = 0;
    do {
        for (size_t i = 0; i < g_dictionary.size(); ++i) s += g_dictionary[i] * (i | 1);
    } while (ms_since(t0) < ms);
    g_isink = g_isink + s;
}

NOINLINE void MixVoices(double ms)
{
    auto t0 = Clock::now();
    static float buf[2048];
    do {
        for (int v = 0; v < 16; ++v)
            for (int i = 0; i < 2048; ++i) buf[i] = buf[i] * 0.99f + (float)((i * (v + 1)) % 64) * 0.01f;
    } while (ms_since(t0) < ms);
    g_sink = g_sink + buf[7];
}

void sleep_ms(double ms) { std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms)); }

// ---------------------------------------------------------------- request queue
std::mutex g_reqMutex;
std::condition_variable g_reqCv;
std::deque<std::string> g_requests;
bool g_reqDone = false;

std::mutex g_compMutex;
std::condition_variable g_compCv;
int g_compPending = 0;
bool g_compDone = false;

void loader_thread()
{
    tracy::SetThreadName("AssetLoader");
    std::mt19937 rng(5);
    for (;;) {
        std::string name;
        {
            ZoneScopedN("Loader::WaitForRequest");
            std::unique_lock<std::mutex> lk(g_reqMutex);
            g_reqCv.wait(lk, [] { return !g_requests.empty() || g_reqDone; });
            if (g_requests.empty()) return;
            name = g_requests.front();
            g_requests.pop_front();
        }
        {
            ZoneScopedN("Asset::Read");
            ZoneText(name.c_str(), name.size());
            sleep_ms(5.0 + (rng() % 100) / 50.0);   // reading the pak file
        }
        {
            ZoneScopedN("Asset::Decode");
            ZoneText(name.c_str(), name.size());
            ParseHeader(0.6);
            g_isink = g_isink + LookupDictionary();
            InflateBlocks(g_scn == Scenario::BlockedNotBusy ? 2.6 : 5.0);
            ConvertTexels(g_scn == Scenario::BlockedNotBusy ? 1.6 : 3.2);
        }
        {
            ZoneScopedN("Asset::Upload");
            ZoneText(name.c_str(), name.size());
            sleep_ms(1.0);
        }
        TracyMessageL("asset ready");
    }
}

void compactor_thread()
{
    tracy::SetThreadName("CacheCompactor");
    for (;;) {
        {
            std::unique_lock<std::mutex> lk(g_compMutex);
            g_compCv.wait(lk, [] { return g_compPending > 0 || g_compDone; });
            if (g_compPending == 0) return;
            --g_compPending;
        }
        ZoneScopedN("Cache::Compact");
        std::lock_guard<std::mutex> lk(g_cacheMutex);
        if (g_scn == Scenario::BlockedNotBusy) {
            sleep_ms(43.0);          // rewriting the whole page file while holding the cache
            WritePages(0.8);
        } else {
            sleep_ms(0.8);
            WritePages(0.8);
        }
    }
}

void audio_thread()
{
    tracy::SetThreadName("AudioMixer");
    std::mutex m;
    std::condition_variable cv;
    auto next = Clock::now();
    while (!g_stop.load()) {
        next += 10ms;
        {
            ZoneScopedN("Audio::WaitBuffer");
            std::unique_lock<std::mutex> lk(m);
            cv.wait_until(lk, next, [] { return g_stop.load(); });
        }
        {
            ZoneScopedN("Audio::Mix");
            MixVoices(0.5);
        }
    }
}

void telemetry_thread()
{
    tracy::SetThreadName("Telemetry");
    int queued = 0;
    while (!g_stop.load()) {
        for (int i = 0; i < 25 && !g_stop.load(); ++i) { sleep_ms(10.0); queued += 3; }
        TracyPlot("telemetry queue", (int64_t)queued);
        ZoneScopedN("Telemetry::Flush");
        sleep_ms(12.0);   // blocking send to the telemetry endpoint
        queued = 0;
        TracyPlot("telemetry queue", (int64_t)queued);
    }
}

const char* const kAssets[] = { "tex/rock_albedo.ktx", "tex/rock_normal.ktx", "mesh/ruin_arch.mesh",
                                "tex/moss_albedo.ktx", "mesh/crate_a.mesh", "anim/run_cycle.anim",
                                "tex/water_foam.ktx", "mesh/bridge_01.mesh", "tex/sky_hdr.ktx" };

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) { std::fprintf(stderr, "usage: riftrunner baseline|hidden_hotspot|blocked_not_busy\n"); return 2; }
    std::string s = argv[1];
    if (s == "baseline") g_scn = Scenario::Baseline;
    else if (s == "hidden_hotspot") g_scn = Scenario::HiddenHotspot;
    else if (s == "blocked_not_busy") g_scn = Scenario::BlockedNotBusy;
    else { std::fprintf(stderr, "unknown scenario %s\n", s.c_str()); return 2; }

    // (no SetThreadName here: Tracy 0.14 always reports the main thread as "Main thread")
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> pos(-100.0f, 100.0f), vel(-1.0f, 1.0f);
    g_bodies.resize(1800);
    for (auto& b : g_bodies) b = { pos(rng), pos(rng) * 0.2f + 30.0f, pos(rng), vel(rng), vel(rng), vel(rng), 1.5f, 0 };
    g_boxes.resize(g_bodies.size());
    g_navCost.resize(256 * 256);
    for (auto& c : g_navCost) c = 1 + rng() % 9;
    g_navDist.resize(256 * 256);
    g_drawKeys.resize(6000);
    for (size_t i = 0; i < g_blob.size(); ++i) g_blob[i] = (uint8_t)rng();
    for (size_t i = 0; i < g_dictionary.size(); ++i) g_dictionary[i] = (uint8_t)rng();

    TracyMessageL("riftrunner start");
    std::thread loader(loader_thread), compactor(compactor_thread), audio(audio_thread), telem(telemetry_thread);

    const double physMs = g_scn == Scenario::HiddenHotspot ? 0.0 : 1.4;   // sweep broadphase time
    const int kFrames = 330;
    const auto kVblank = std::chrono::nanoseconds(16666667);
    auto vblank = Clock::now() + kVblank;
    int assetIdx = 0;
    for (int f = 0; f < kFrames; ++f) {
        {
            ZoneScopedN("Input::Poll");
            sleep_ms(0.2);
        }
        {
            ZoneScopedN("Physics::Solve");
            IntegrateBodies(0.6);
            if (g_scn == Scenario::HiddenHotspot) BroadphaseNaive(7.2);
            else BroadphaseSweep(physMs);
            SolveContacts(0.9);
        }
        {
            ZoneScopedN("AI::Pathfinding::Update");
            AStarExpand(1.5);
            SmoothPaths(0.5);
        }
        {
            ZoneScopedN("Render::BuildCommands");
            CullInstances(0.4);
            SortDrawCalls(0.8);
        }
        if (f % 6 == 3 && f < kFrames - 12) {
            std::string name = kAssets[assetIdx++ % (sizeof(kAssets) / sizeof(kAssets[0]))];
            std::string msg = "request " + name;
            TracyMessage(msg.c_str(), msg.size());
            {
                std::lock_guard<std::mutex> lk(g_reqMutex);
                g_requests.push_back(name);
            }
            g_reqCv.notify_one();
            {
                std::lock_guard<std::mutex> lk(g_compMutex);
                ++g_compPending;
            }
            g_compCv.notify_one();
        }
        {
            ZoneScopedN("Render::Present");
            auto now = Clock::now();
            if (now < vblank) std::this_thread::sleep_until(vblank);
            else while (vblank <= now) vblank += kVblank;   // missed a vblank: wait for the next one
            if (Clock::now() < vblank) std::this_thread::sleep_until(vblank);
            vblank += kVblank;
        }
        FrameMark;
    }

    {
        std::lock_guard<std::mutex> lk(g_reqMutex);
        g_reqDone = true;
    }
    g_reqCv.notify_all();
    {
        std::lock_guard<std::mutex> lk(g_compMutex);
        g_compDone = true;
    }
    g_compCv.notify_all();
    g_stop = true;
    loader.join(); compactor.join(); audio.join(); telem.join();
    TracyMessageL("riftrunner shutdown");
    return 0;
}
