// Streaming asset loader inside a small game loop, instrumented with Tracy 0.14.0.
// Usage: prog a|b
//   a: baseline build
//   b: "after the change" build (new decoder config for PNG, header validation step, etc.)
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
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

using Clock = std::chrono::steady_clock;

enum class AssetType { Png, Ktx, Ogg, Mesh };

static const char* TypeName(AssetType t) {
    switch (t) {
    case AssetType::Png: return "png";
    case AssetType::Ktx: return "ktx";
    case AssetType::Ogg: return "ogg";
    case AssetType::Mesh: return "mesh";
    }
    return "?";
}

struct AssetRequest {
    std::string path;
    AssetType type;
    uint32_t sizeKb;
};

struct DecoderConfig {
    int pngFilterPasses;   // passes of the unfilter/inflate-like loop per PNG
    bool validateHeaders;  // new in b: cheap header validation
};

static DecoderConfig g_cfg;
static bool g_variantB = false;

// ---------------------------------------------------------------------------------------------------------------
// Work kernels (real CPU work over real buffers)
static uint64_t Churn(std::vector<uint8_t>& buf, int rounds) {
    uint64_t h = 1469598103934665603ull;
    const size_t n = buf.size();
    for (int r = 0; r < rounds; ++r) {
        for (size_t i = 0; i < n; ++i) {
            h ^= buf[i];
            h *= 1099511628211ull;
            buf[i] = (uint8_t)(h >> 29);
        }
    }
    return h;
}

static std::atomic<uint64_t> g_sink{0};

// ---------------------------------------------------------------------------------------------------------------
// Request queue shared between the game thread (producer) and the loader threads (consumers)
static TracyLockable(std::mutex, g_queueMutex);
static std::condition_variable_any g_queueCv;
static std::deque<AssetRequest> g_queue;
static bool g_queueClosed = false;

static TracyLockable(std::mutex, g_residentMutex);
static std::vector<std::string> g_resident;

static std::atomic<int> g_loaded{0};

static void ReadFile(const AssetRequest& req, std::vector<uint8_t>& out) {
    ZoneScopedN("Assets::ReadFile");
    out.resize((size_t)req.sizeKb * 1024);
    // simulated disk / pak read latency
    std::this_thread::sleep_for(std::chrono::microseconds(100 + req.sizeKb / 2));
    for (size_t i = 0; i < out.size(); ++i) out[i] = (uint8_t)(i * 131 + req.sizeKb);
}

static void ValidateHeader(const AssetRequest& req, std::vector<uint8_t>& data) {
    ZoneScopedN("Assets::ValidateHeader");
    uint32_t crc = 0;
    for (size_t i = 0; i < 4096 && i < data.size(); ++i) crc = (crc << 1) ^ data[i] ^ (crc >> 31);
    g_sink += crc + req.sizeKb;
}

// Decoder kernels: process the buffer in 16 KB blocks (real work) until the block budget of this asset type is
// spent; a block budget is the decoder's cost model, so the wall time stays stable when the machine is busy.
static uint64_t DecodeBlocks(std::vector<uint8_t>& data, int budgetUs) {
    const auto deadline = Clock::now() + std::chrono::microseconds(budgetUs);
    uint64_t h = 0;
    size_t off = 0;
    const size_t blk = 16 * 1024;
    do {
        if (off + blk > data.size()) off = 0;
        for (size_t i = off; i < off + blk; ++i) {
            h = (h ^ data[i]) * 1099511628211ull;
            data[i] = (uint8_t)(h >> 31);
        }
        off += blk;
    } while (Clock::now() < deadline);
    return h;
}

static void Decode(const AssetRequest& req, std::vector<uint8_t>& data) {
    ZoneScopedN("Assets::Decode");
    const char* tn = TypeName(req.type);
    ZoneText(tn, strlen(tn));
    int budgetUs = 0;
    switch (req.type) {
    case AssetType::Png: budgetUs = 4 * req.sizeKb * g_cfg.pngFilterPasses; break;  // a: ~0.9 ms, b: ~2.7 ms
    case AssetType::Ktx: budgetUs = 2 * req.sizeKb; break;                          // ~0.6 ms
    case AssetType::Ogg: budgetUs = 7 * req.sizeKb; break;                          // ~1.3 ms
    case AssetType::Mesh: budgetUs = 10 * req.sizeKb; break;                        // ~1.7 ms
    }
    g_sink += DecodeBlocks(data, budgetUs);
}

static void Upload(const AssetRequest& req, const std::vector<uint8_t>& data) {
    ZoneScopedN("Assets::Upload");
    std::lock_guard<LockableBase(std::mutex)> lk(g_residentMutex);
    LockMark(g_residentMutex);
    uint64_t s = 0;
    for (size_t i = 0; i < data.size(); i += 64) s += data[i];
    g_sink += s;
    g_resident.push_back(req.path);
}

static void LoaderThread(int idx) {
    char name[32];
    snprintf(name, sizeof(name), "AssetLoader %d", idx);
    tracy::SetThreadName(name);
    std::vector<uint8_t> buf;
    for (;;) {
        AssetRequest req;
        {
            std::unique_lock<LockableBase(std::mutex)> lk(g_queueMutex);
            g_queueCv.wait(lk, [] { return !g_queue.empty() || g_queueClosed; });
            if (g_queue.empty()) return;
            req = std::move(g_queue.front());
            g_queue.pop_front();
        }
        ZoneScopedN("Assets::LoadFile");
        ZoneText(req.path.c_str(), req.path.size());
        ReadFile(req, buf);
        if (g_cfg.validateHeaders) ValidateHeader(req, buf);
        Decode(req, buf);
        Upload(req, buf);
        g_loaded++;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Audio mixer: heavy but steady, unchanged between a and b
static std::atomic<bool> g_running{true};

static void AudioThread() {
    tracy::SetThreadName("AudioMixer");
    std::vector<uint8_t> mixbuf(24 * 1024);
    auto next = Clock::now();
    while (g_running) {
        {
            ZoneScopedN("Audio::MixBlock");
            g_sink += Churn(mixbuf, 4);
        }
        next += std::chrono::milliseconds(10);
        std::this_thread::sleep_until(next);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Manifest: deterministic list of assets to stream, identical in a and b
static std::vector<AssetRequest> BuildManifest() {
    std::mt19937 rng(1234);
    std::vector<AssetRequest> m;
    const char* dirs[] = {"textures/env", "textures/chars", "ui", "audio/sfx", "audio/music", "meshes/props",
                          "meshes/chars"};
    for (int i = 0; i < 720; ++i) {
        int r = (int)(rng() % 100);
        AssetType t;
        if (r < 22) t = AssetType::Png;          // ~22 %
        else if (r < 55) t = AssetType::Ktx;     // ~33 %
        else if (r < 78) t = AssetType::Ogg;     // ~23 %
        else t = AssetType::Mesh;                // ~22 %
        char path[128];
        const char* dir;
        uint32_t kb;
        switch (t) {
        case AssetType::Png: dir = (rng() & 1) ? dirs[2] : dirs[0]; kb = 200 + rng() % 48; break;
        case AssetType::Ktx: dir = (rng() & 1) ? dirs[0] : dirs[1]; kb = 280 + rng() % 48; break;
        case AssetType::Ogg: dir = (rng() & 1) ? dirs[3] : dirs[4]; kb = 160 + rng() % 48; break;
        default: dir = (rng() & 1) ? dirs[5] : dirs[6]; kb = 144 + rng() % 48; break;
        }
        snprintf(path, sizeof(path), "%s/asset_%04d.%s", dir, i, TypeName(t));
        m.push_back({path, t, kb});
    }
    return m;
}

// ---------------------------------------------------------------------------------------------------------------
// Game thread
static std::mt19937 g_frameRng(99);

static void SimulateWorld(std::vector<uint8_t>& world) {
    ZoneScopedN("Game::Update");
    // natural frame-to-frame variance; b draws from a slightly different distribution (noise, not a bug)
    std::uniform_int_distribution<int> jitter(2, g_variantB ? 6 : 5);
    g_sink += Churn(world, jitter(g_frameRng));
}

static void SubmitRender(std::vector<uint8_t>& cmds) {
    ZoneScopedN("Render::Submit");
    g_sink += Churn(cmds, 3);
    std::this_thread::sleep_for(std::chrono::microseconds(1500));
}

static void StreamRequests(const std::vector<AssetRequest>& manifest, size_t& cursor, int perFrame) {
    ZoneScopedN("Streaming::Request");
    std::lock_guard<LockableBase(std::mutex)> lk(g_queueMutex);
    LockMark(g_queueMutex);
    for (int i = 0; i < perFrame && cursor < manifest.size(); ++i) g_queue.push_back(manifest[cursor++]);
    g_queueCv.notify_all();
}

int main(int argc, char** argv) {
    const char* scen = argc > 1 ? argv[1] : "a";
    g_variantB = strcmp(scen, "b") == 0;
    g_cfg.pngFilterPasses = g_variantB ? 3 : 1;
    g_cfg.validateHeaders = g_variantB;
    tracy::SetThreadName("Main");
    TracyMessageL(g_variantB ? "asset loader build b" : "asset loader build a");

    const auto manifest = BuildManifest();
    std::thread audio(AudioThread);
    std::thread l0(LoaderThread, 0), l1(LoaderThread, 1);

    std::vector<uint8_t> world(48 * 1024), cmds(32 * 1024);
    size_t cursor = 0;
    // Level load: the manifest is queued in batches over the first frames, the game keeps ticking (loading
    // screen) until every asset is resident, then plays a fixed number of gameplay frames.
    const int kGameplayFrames = 240;
    int gameplayLeft = -1;
    Clock::time_point loadStart{};
    auto next = Clock::now();
    for (int f = 0; gameplayLeft != 0; ++f) {
        {
            ZoneScopedN("Game::Frame");
            if (f >= 5 && cursor < manifest.size()) {
                if (cursor == 0) {
                    loadStart = Clock::now();
                    TracyMessageL("level load: begin");
                }
                StreamRequests(manifest, cursor, 120);
            }
            SimulateWorld(world);
            SubmitRender(cmds);
            if (gameplayLeft < 0 && g_loaded.load() == (int)manifest.size()) {
                double ms = std::chrono::duration<double, std::milli>(Clock::now() - loadStart).count();
                char msg[96];
                snprintf(msg, sizeof(msg), "level load: done, %zu assets in %.1f ms", manifest.size(), ms);
                TracyMessage(msg, strlen(msg));
                fprintf(stderr, "%s\n", msg);
                gameplayLeft = kGameplayFrames;
            }
            if (gameplayLeft > 0) --gameplayLeft;
        }
        FrameMark;
        next += std::chrono::microseconds(16667);
        auto now = Clock::now();
        if (next > now) std::this_thread::sleep_until(next);
        else next = now;
    }
    {
        std::lock_guard<LockableBase(std::mutex)> lk(g_queueMutex);
        g_queueClosed = true;
    }
    g_queueCv.notify_all();
    l0.join();
    l1.join();
    g_running = false;
    audio.join();
    fprintf(stderr, "loaded %d assets, sink %llu\n", g_loaded.load(), (unsigned long long)g_sink.load());
    return 0;
}
