// Strategy game "Warfront" - main loop with a simulation, pathfinding, an event log for replays,
// a render submit pass, an asset streaming thread and an audio mixer thread.
//
// Scenarios (argv[1]):
//   unbounded : EventLog keeps every frame's events in one growing buffer (std::vector-like doubling),
//               only released at shutdown (EventLog::Clear).
//   capped    : EventLog flushes to disk when 1 MB is reached and reuses its buffer.
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

static std::atomic<bool> g_running{true};
static std::atomic<long long> g_liveAllocs{0};   // what the in-game "leak checker" counts

static void* GameAlloc(size_t sz)
{
    void* p = std::malloc(sz);
    TracyAlloc(p, sz);
    g_liveAllocs.fetch_add(1);
    return p;
}
static void GameFree(void* p)
{
    if (!p) return;
    TracyFree(p);
    std::free(p);
    g_liveAllocs.fetch_sub(1);
}

// Real work over data until a deadline (keeps durations stable on a noisy 2-core box).
static float g_sink = 0.f;
static void Crunch(std::vector<float>& data, double ms)
{
    auto end = Clock::now() + std::chrono::microseconds((long long)(ms * 1000.0));
    float acc = 0.f;
    size_t i = 0;
    do {
        for (int k = 0; k < 512; ++k, ++i) {
            float& v = data[i % data.size()];
            v = v * 0.999f + std::sqrt(std::fabs(v) + 1.0f) * 0.001f;
            acc += v;
        }
    } while (Clock::now() < end);
    g_sink += acc;
}

// ---------------------------------------------------------------------------------------------
// EventLog: replay/event history. Appends one FrameEvents record per frame.
struct EntityEvent { uint32_t entity; uint32_t kind; float x, y, z; float hp; uint32_t target; uint32_t tick;
                     uint64_t payload[4]; };                               // 64 bytes
static_assert(sizeof(EntityEvent) == 64, "event size");

class EventLog {
public:
    explicit EventLog(bool capped) : m_capped(capped) {}

    void Append(const EntityEvent* ev, size_t count, uint32_t frame)
    {
        ZoneScopedN("EventLog::Append");
        const size_t bytes = count * sizeof(EntityEvent) + 16;
        if (m_capped && m_size + bytes > kCapBytes) Flush();
        if (m_size + bytes > m_capacity) Grow(m_size + bytes);
        uint8_t* dst = m_data + m_size;
        uint64_t hdr[2] = { frame, count };
        std::memcpy(dst, hdr, 16);
        std::memcpy(dst + 16, ev, count * sizeof(EntityEvent));
        m_size += bytes;
        ++m_records;
    }

    void Clear()
    {
        ZoneScopedN("EventLog::Clear");
        GameFree(m_data);
        m_data = nullptr; m_size = 0; m_capacity = 0;
    }

    size_t Size() const { return m_size; }
    size_t Capacity() const { return m_capacity; }

private:
    void Grow(size_t need)
    {
        ZoneScopedN("EventLog::Grow");
        size_t cap = m_capacity ? m_capacity : kInitialBytes;
        while (cap < need) cap *= 2;
        uint8_t* nd = (uint8_t*)GameAlloc(cap);
        if (m_size) std::memcpy(nd, m_data, m_size);
        GameFree(m_data);
        m_data = nd;
        m_capacity = cap;
    }

    void Flush()
    {
        ZoneScopedN("EventLog::Flush");
        // "write to the replay file": checksum the block and drop it.
        uint64_t h = 1469598103934665603ull;
        for (size_t i = 0; i < m_size; i += 64) h = (h ^ m_data[i]) * 1099511628211ull;
        g_sink += (float)(h & 0xff);
        m_size = 0;
    }

    static constexpr size_t kInitialBytes = 64 * 1024;
    static constexpr size_t kCapBytes = 1024 * 1024;
    bool m_capped;
    uint8_t* m_data = nullptr;
    size_t m_size = 0;
    size_t m_capacity = 0;
    size_t m_records = 0;
};

// ---------------------------------------------------------------------------------------------
// Pathfinding: per-query temporary open/closed lists, freed when the query ends.
static void PathfindingQuery(std::vector<float>& grid, int q)
{
    ZoneScopedN("Pathfinding::Query");
    void* tmp[6];
    for (int i = 0; i < 6; ++i) {
        size_t sz = 256u << ((q + i) % 4);          // 256 .. 2048 bytes
        tmp[i] = GameAlloc(sz);
        std::memset(tmp[i], i, sz);
    }
    Crunch(grid, 0.35);
    for (int i = 0; i < 6; ++i) GameFree(tmp[i]);
}

// ---------------------------------------------------------------------------------------------
// Asset streamer: loads textures into a bounded LRU cache (4 entries).
static void AssetStreamerThread()
{
    tracy::SetThreadName("AssetStreamer");
    std::deque<void*> cache;
    std::vector<float> scratch(64 * 1024, 1.0f);
    int n = 0;
    while (g_running.load()) {
        {
            ZoneScopedN("TextureStreamer::Load");
            size_t sz = (size_t)3 * 1024 * 1024;             // 3 MB mip chain
            void* tex = GameAlloc(sz);
            std::memset(tex, n & 0xff, sz);                   // "decode"
            Crunch(scratch, 2.5);
            cache.push_back(tex);
            if (cache.size() > 4) {
                ZoneScopedN("TextureStreamer::Evict");
                GameFree(cache.front());
                cache.pop_front();
            }
            ++n;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ZoneScopedN("TextureStreamer::Shutdown");
    while (!cache.empty()) { GameFree(cache.front()); cache.pop_front(); }
}

static void AudioMixerThread()
{
    tracy::SetThreadName("AudioMixer");
    std::vector<float> buf(4096, 0.5f);
    while (g_running.load()) {
        {
            ZoneScopedN("Audio::Mix");
            Crunch(buf, 0.8);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

// ---------------------------------------------------------------------------------------------
int main(int argc, char** argv)
{
    std::string scen = argc > 1 ? argv[1] : "unbounded";
    const bool capped = (scen == "capped");
    const int kFrames = 250;
    const size_t kEventsPerFrame = 800;   // 800 * 64 B + 16 B header = 51,216 B per frame

    tracy::SetThreadName("Main");
    std::vector<float> simData(256 * 1024, 1.0f);
    std::vector<float> grid(128 * 1024, 2.0f);
    std::vector<float> renderData(512 * 1024, 3.0f);
    std::vector<EntityEvent> events(kEventsPerFrame);

    void* levelBuf = nullptr;
    {
        ZoneScopedN("Level::Load");
        const size_t levelBytes = 20u * 1024 * 1024;
        levelBuf = GameAlloc(levelBytes);
        std::memset(levelBuf, 0x5a, levelBytes);
        Crunch(simData, 40.0);
    }
    FrameMark;

    std::thread streamer(AssetStreamerThread);
    std::thread audio(AudioMixerThread);

    EventLog log(capped);
    auto next = Clock::now();
    for (int frame = 0; frame < kFrames; ++frame) {
        {
            ZoneScopedN("Game::Update");
            {
                ZoneScopedN("Sim::Tick");
                Crunch(simData, 2.0);
            }
            for (int q = 0; q < 4; ++q) PathfindingQuery(grid, frame + q);
            for (size_t i = 0; i < kEventsPerFrame; ++i) {
                EntityEvent& e = events[i];
                e.entity = (uint32_t)i; e.kind = (uint32_t)((frame + i) % 7);
                e.x = (float)i; e.y = (float)frame; e.z = 0.f; e.hp = 100.f - (float)(frame % 100);
                e.target = (uint32_t)((i * 31) % kEventsPerFrame); e.tick = (uint32_t)frame;
                e.payload[0] = e.payload[1] = e.payload[2] = e.payload[3] = i * frame;
            }
            log.Append(events.data(), kEventsPerFrame, (uint32_t)frame);
        }
        {
            ZoneScopedN("Render::Submit");
            Crunch(renderData, 3.5);
        }
        TracyPlot("Entities", (int64_t)(kEventsPerFrame + (frame % 40)));
        {
            ZoneScopedN("Frame::WaitVSync");
            next += std::chrono::milliseconds(15);
            std::this_thread::sleep_until(next);
            if (Clock::now() > next + std::chrono::milliseconds(15)) next = Clock::now();
        }
        FrameMark;
    }

    {
        ZoneScopedN("Game::Shutdown");
        g_running.store(false);
        streamer.join();
        audio.join();
        log.Clear();
        {
            ZoneScopedN("Level::Unload");
            GameFree(levelBuf);
        }
        char msg[128];
        std::snprintf(msg, sizeof msg, "LeakCheck: %lld allocations outstanding at exit", g_liveAllocs.load());
        TracyMessage(msg, std::strlen(msg));
        std::fprintf(stderr, "%s (sink %f)\n", msg, (double)g_sink);
    }
    FrameMark;
    return 0;
}
