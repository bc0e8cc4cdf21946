// Small audio engine + game loop instrumented with Tracy 0.14.0.
// Threads:
//   Main          : game loop at 60 Hz (FrameMark): Game::Update, Renderer::DrawScene, sleep to vsync.
//   AudioCallback : device callback every 5 ms (FrameMarkNamed("Audio")): Audio::Render
//                   (FetchVoices under SoundBank::m_mutex, MixVoices, ApplyEffects).
//   Loader        : loads a new sound bank every ~1.5 s (SoundBank::LoadBank), logs "loading bank X".
//   Streaming     : texture streaming (Texture::Decode, Texture::Upload under TextureCache::m_mutex).
// Scenarios (argv[1]):
//   locked : LoadBank reads + decodes the bank while holding SoundBank::m_mutex (shipping build)
//   swap   : LoadBank reads + decodes into a private buffer, then swaps it in under the lock (fix)
#include "tracy/Tracy.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <sched.h>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static volatile uint64_t g_sink = 0;
static std::atomic<bool> g_quit{false};
static bool g_swapFix = false;

// Wait until `deadline`: sleep most of it, spin the last ~0.4 ms over real data (keeps zone lengths exact
// on a loaded machine).
static void work_until(Clock::time_point deadline, std::vector<float>* data = nullptr) {
    auto now = Clock::now();
    if (deadline - now > 600us) std::this_thread::sleep_for(deadline - now - 400us);
    float acc = 0.f;
    size_t i = 0;
    while (Clock::now() < deadline) {
        if (data && !data->empty()) {
            for (int k = 0; k < 64; ++k) {
                float& v = (*data)[i];
                v = v * 0.999f + std::sqrt(std::fabs(v) + 1.0f) * 0.001f;
                acc += v;
                i = (i + 31) % data->size();
            }
        }
    }
    g_sink += (uint64_t)acc;
}
static void work_us(int us, std::vector<float>* data = nullptr) {
    work_until(Clock::now() + std::chrono::microseconds(us), data);
}

// ---------------------------------------------------------------------------------------------
// Sound bank shared between the loader and the audio callback
// ---------------------------------------------------------------------------------------------
struct Voice {
    float gain, pan, pitch;
    uint32_t sample;
};

struct SoundBank {
    TracyLockableN(std::mutex, m_mutex, "SoundBank::m_mutex");
    std::vector<float> samples = std::vector<float>(1 << 16, 0.25f);
    std::vector<Voice> voices = std::vector<Voice>(48, Voice{0.8f, 0.f, 1.f, 0});
    std::string name = "startup";

    // Audio thread: copy the active voice list.
    void FetchVoices(std::vector<Voice>& out) {
        ZoneScopedN("Audio::FetchVoices");
        std::lock_guard<LockableBase(std::mutex)> lock(m_mutex);
        out = voices;
        work_us(40);
    }

    // Loader thread.
    void LoadBank(const char* bankName, int readMs, int decodeMs) {
        ZoneScopedN("SoundBank::LoadBank");
        ZoneText(bankName, strlen(bankName));
        char msg[96];
        snprintf(msg, sizeof msg, "loading bank %s", bankName);
        TracyMessage(msg, strlen(msg));
        if (!g_swapFix) {
            // Shipping build: everything under the bank lock.
            std::lock_guard<LockableBase(std::mutex)> lock(m_mutex);
            ReadFile(bankName, readMs);
            DecodeSamples(samples, decodeMs);
            voices.assign(48, Voice{0.7f, 0.1f, 1.f, 1});
            name = bankName;
        } else {
            std::vector<float> fresh(1 << 16, 0.f);
            ReadFile(bankName, readMs);
            DecodeSamples(fresh, decodeMs);
            SwapBank(fresh, bankName);
        }
    }

    void ReadFile(const char* /*bankName*/, int ms) {
        ZoneScopedN("SoundBank::ReadFile");
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));  // "disk"
    }
    void DecodeSamples(std::vector<float>& dst, int ms) {
        ZoneScopedN("SoundBank::DecodeSamples");
        work_until(Clock::now() + std::chrono::milliseconds(ms), &dst);
    }
    void SwapBank(std::vector<float>& fresh, const char* bankName) {
        ZoneScopedN("SoundBank::SwapBank");
        std::lock_guard<LockableBase(std::mutex)> lock(m_mutex);
        samples.swap(fresh);
        voices.assign(48, Voice{0.7f, 0.1f, 1.f, 1});
        name = bankName;
        work_us(30);
    }
};

static SoundBank g_bank;

// ---------------------------------------------------------------------------------------------
// Texture cache (distractor lock: streaming thread vs render)
// ---------------------------------------------------------------------------------------------
struct TextureCache {
    TracyLockableN(std::mutex, m_mutex, "TextureCache::m_mutex");
    std::vector<float> pages = std::vector<float>(1 << 15, 1.0f);

    void Lookup(int us) {
        ZoneScopedN("Renderer::ResolveTextures");
        std::lock_guard<LockableBase(std::mutex)> lock(m_mutex);
        work_us(us, &pages);
    }
    void Upload(int us) {
        ZoneScopedN("Texture::Upload");
        std::lock_guard<LockableBase(std::mutex)> lock(m_mutex);
        work_us(us, &pages);
    }
};
static TextureCache g_textures;

// ---------------------------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------------------------
static void AudioThread(Clock::time_point t0, Clock::time_point tEnd) {
    tracy::SetThreadName("AudioCallback");
    {   // like a real device callback thread: real-time priority (ignored if not permitted)
        sched_param sp{};
        sp.sched_priority = 20;
        pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
    }
    const auto period = 5ms;
    std::vector<float> mixBuf(4096, 0.1f);
    std::vector<Voice> active;
    int64_t slot = 0;
    uint64_t callbacks = 0;
    while (true) {
        auto due = t0 + slot * period;
        if (due >= tEnd) break;
        work_until(due);  // device wakes us
        FrameMarkNamed("Audio");
        {
            ZoneScopedN("Audio::Render");
            g_bank.FetchVoices(active);
            {
                ZoneScopedN("Audio::MixVoices");
                work_us(600, &mixBuf);
            }
            {
                ZoneScopedN("Audio::ApplyEffects");
                if (callbacks % 150 == 75) {
                    ZoneScopedN("Audio::UpdateReverb");  // heavy but normal: impulse-response refresh
                    work_us(2600, &mixBuf);
                } else {
                    work_us(250, &mixBuf);
                }
            }
        }
        ++callbacks;
        // Next device period that is still ahead of us (a late callback drops the periods it overran).
        auto now = Clock::now();
        int64_t next = (int64_t)((now - t0) / period) + 1;
        slot = next > slot ? next : slot + 1;
    }
}

static void LoaderThread(Clock::time_point t0, Clock::time_point tEnd) {
    tracy::SetThreadName("Loader");
    struct Job { int atMs; const char* bank; int readMs; int decodeMs; };
    const Job jobs[] = {
        {800, "ambience_forest", 6, 18},
        {2300, "weapons_common", 9, 28},
        {3750, "vo_chapter2", 7, 22},
        {5250, "music_combat", 10, 26},
    };
    for (const Job& j : jobs) {
        auto at = t0 + std::chrono::milliseconds(j.atMs);
        if (at >= tEnd) break;
        std::this_thread::sleep_until(at);
        g_bank.LoadBank(j.bank, j.readMs, j.decodeMs);
    }
}

static void StreamingThread(Clock::time_point t0, Clock::time_point tEnd) {
    tracy::SetThreadName("Streaming");
    std::vector<float> staging(1 << 16, 0.5f);
    const char* tex[] = {"rock_albedo", "tree_bark_n", "terrain_splat", "hero_face", "sky_cube", "water_n"};
    int n = 0;
    auto next = t0 + 350ms;
    while (next < tEnd) {
        std::this_thread::sleep_until(next);
        const char* name = tex[n % 6];
        char msg[96];
        snprintf(msg, sizeof msg, "streaming texture %s", name);
        TracyMessage(msg, strlen(msg));
        {
            ZoneScopedN("Texture::Decode");
            ZoneText(name, strlen(name));
            work_us(30000 + (n * 7919) % 16000, &staging);  // 30-46 ms of BC7 transcoding
        }
        g_textures.Upload(1500);
        ++n;
        next += 420ms;
    }
}

int main(int argc, char** argv) {
    const char* scen = argc > 1 ? argv[1] : "locked";
    g_swapFix = strcmp(scen, "swap") == 0;
    while (!TracyIsConnected) std::this_thread::sleep_for(10ms);
    tracy::SetThreadName("Main");
    TracyMessageL(g_swapFix ? "audio engine: build 1.4.1" : "audio engine: build 1.4.2");

    auto t0 = Clock::now() + 20ms;
    auto tEnd = t0 + 6200ms;
    std::thread audio(AudioThread, t0, tEnd);
    std::thread loader(LoaderThread, t0, tEnd);
    std::thread streaming(StreamingThread, t0, tEnd);

    std::vector<float> world(1 << 15, 0.3f);
    const auto frame = std::chrono::microseconds(16667);
    auto next = t0;
    int f = 0;
    while (next + frame <= tEnd) {
        {
            ZoneScopedN("Game::Update");
            {
                ZoneScopedN("Physics::Step");
                work_us(1800, &world);
            }
            {
                ZoneScopedN("AI::Tick");
                work_us(f % 90 == 40 ? 3500 : 900, &world);  // periodic path replan: heavy but within budget
            }
        }
        {
            ZoneScopedN("Renderer::DrawScene");
            g_textures.Lookup(300);
            {
                ZoneScopedN("Renderer::SubmitDrawCalls");
                work_us(5200, &world);
            }
        }
        next += frame;
        {
            ZoneScopedN("Renderer::Present");
            work_until(next);
        }
        FrameMark;
        ++f;
    }
    audio.join();
    loader.join();
    streaming.join();
    fprintf(stderr, "done: %d frames, scenario %s\n", f, scen);
    return 0;
}
