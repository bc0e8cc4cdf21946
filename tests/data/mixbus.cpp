// mixbus: a small audio engine. The "Audio" thread runs a render callback every 10 ms (FrameMarkNamed
// "Audio callback"); its zones are coarse (one per stage / per effect) and the DSP inside them is done by
// un-instrumented noinline functions that loop over float buffers, so only Tracy's CPU samples show which function
// burns the time. Threads:
//   "Audio"         (SCHED_FIFO, set in Audio::OpenDevice) every 10 ms: Audio::Callback > Mixer::MixVoices (resample_linear, mix_voice; takes the
//                   "VoiceTable" lock briefly), Bus::ApplyEffects > Reverb::Process (early_reflections,
//                   convolve_block, damp_tail), EQ::Process (biquad_run [, compute_coeffs]), Limiter::Process
//                   (envelope_follow, apply_gain). Plots "Active voices" and "DSP load %"; a message on each xrun.
//   "UI"            (main thread) 60 Hz: UI::PollEvents, UI::DrawSpectrum (fft_radix2, draw_bars), UI::DrawMeters,
//                   then sleeps to the next vsync.
//   "SampleLoader"  every ~250 ms: Loader::ReadFile (I/O: sleeps), Loader::DecodeFlac (decode_frames, CPU),
//                   Loader::Register (takes "VoiceTable" to add the sample). TracyMessage "loaded <file>".
//
// Scenarios:
//   hot_effect   callback ~7 ms of its 10 ms; Reverb::Process ~4.6 ms, most of it in convolve_block (naive
//                time-domain convolution with a long impulse response).
//   regress a    baseline: callback ~5 ms (Reverb ~1.4 ms, EQ ~1 ms).
//   regress b    EQ::Process ~3x slower: biquad_run recomputes its coefficients per sample (compute_coeffs);
//                callbacks during a voice burst (64 voices) overrun 10 ms.
//
// Every DSP function burns real CPU until a wall-clock budget is used, so durations stay steady on a loaded machine.
// Run ONLY inside a loopback-only network namespace with TRACY_NO_EXIT=1 (see record_sys.sh).

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <sched.h>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tracy/Tracy.hpp"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

#define NOINLINE __attribute__((noinline))
// GCC 12 sets up no frame pointer in a leaf function that needs no stack, even with -fno-omit-frame-pointer; then a
// CPU sample taken inside it skips its caller in the callstack. A volatile local forces a frame.
#define FRAME_GUARD volatile int frame_guard_ = 0; (void)frame_guard_

namespace
{

enum class Scenario { HotEffect, RegressA, RegressB };
Scenario g_scn = Scenario::RegressA;

std::atomic<bool> g_stop{ false };
volatile float g_fsink = 0.0f;
volatile double g_sink = 0.0;

constexpr int kBlock = 480;          // 10 ms at 48 kHz
constexpr float kRate = 48000.0f;

inline double ms_since(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

TracyLockableN(std::mutex, g_voiceLock, "VoiceTable");
int g_loadedSamples = 0;

// ------------------------------------------------------------------------------------------------ buffers
struct Bus
{
    std::vector<float> l = std::vector<float>(kBlock), r = std::vector<float>(kBlock);
};
Bus g_bus;
std::vector<float> g_ir;             // reverb impulse response
std::vector<float> g_history;        // reverb input history (IR length + block)
std::vector<float> g_wet(kBlock);
std::vector<std::vector<float>> g_voiceSrc;   // per-voice source samples
std::vector<float> g_scratch(kBlock * 2);

// ------------------------------------------------------------------------------------------------ mixer
NOINLINE void resample_linear(const std::vector<float>& src, double& phase, double step, float* out, int n)
{
    const size_t len = src.size();
    for (int i = 0; i < n; ++i) {
        size_t k = (size_t)phase;
        float f = (float)(phase - (double)k);
        float a = src[k % len], b = src[(k + 1) % len];
        out[i] = a + (b - a) * f;
        phase += step;
        if (phase >= (double)len) phase -= (double)len;
    }
}

NOINLINE void mix_voice(const float* in, float gainL, float gainR, float* l, float* r, int n)
{
    FRAME_GUARD;
    for (int i = 0; i < n; ++i) {
        l[i] += in[i] * gainL;
        r[i] += in[i] * gainR;
    }
}

// Renders `voices` voices, repeating passes until `ms` of wall time is used.
void mix_all(int voices, double ms)
{
    auto t0 = Clock::now();
    static std::vector<double> phases(256, 0.0);
    do {
        std::fill(g_bus.l.begin(), g_bus.l.end(), 0.0f);
        std::fill(g_bus.r.begin(), g_bus.r.end(), 0.0f);
        for (int v = 0; v < voices; ++v) {
            const auto& src = g_voiceSrc[v % g_voiceSrc.size()];
            resample_linear(src, phases[v % 256], 0.75 + 0.01 * (v % 17), g_scratch.data(), kBlock);
            float pan = (float)(v % 11) / 10.0f;
            mix_voice(g_scratch.data(), 0.05f * (1.0f - pan), 0.05f * pan, g_bus.l.data(), g_bus.r.data(), kBlock);
            if ((v & 7) == 7 && ms_since(t0) >= ms) return;
        }
    } while (ms_since(t0) < ms);
}

// ------------------------------------------------------------------------------------------------ reverb
NOINLINE void early_reflections(double ms)
{
    auto t0 = Clock::now();
    static const int taps[8] = { 113, 241, 367, 419, 467, 577, 701, 811 };
    do {
        for (int i = 0; i < kBlock; ++i) {
            float acc = 0.0f;
            for (int t = 0; t < 8; ++t) acc += g_history[g_ir.size() + i - taps[t]] * (0.6f - 0.05f * t);
            g_wet[i] = acc;
        }
    } while (ms_since(t0) < ms);
}

// Naive time-domain convolution of one block with the impulse response: O(block * IR length).
NOINLINE void convolve_block(double ms)
{
    auto t0 = Clock::now();
    const size_t irLen = g_ir.size();
    const float* h = g_ir.data();
    do {
        for (int i = 0; i < kBlock; ++i) {
            const float* x = g_history.data() + irLen + i;
            float acc = 0.0f;
            for (size_t k = 0; k < irLen; ++k) acc += h[k] * x[-(ptrdiff_t)k];
            g_wet[i] += acc * 0.001f;
            if ((i & 31) == 31 && ms_since(t0) >= ms) return;
        }
    } while (ms_since(t0) < ms);
}

NOINLINE void damp_tail(double ms)
{
    auto t0 = Clock::now();
    float z = 0.0f;
    do {
        for (int i = 0; i < kBlock; ++i) {
            z = z + 0.3f * (g_wet[i] - z);
            g_bus.l[i] += z * 0.25f;
            g_bus.r[i] += z * 0.23f;
        }
    } while (ms_since(t0) < ms);
    g_fsink = z;
}

// ------------------------------------------------------------------------------------------------ EQ
struct Biquad { float b0, b1, b2, a1, a2, z1, z2; float freq, q, gainDb; };
Biquad g_bands[2][6];

// Small series approximations (no libm calls, so compute_coeffs itself is where the CPU samples land).
__attribute__((always_inline)) inline double series_exp(double x)
{
    double term = 1.0, sum = 1.0;
    for (int n = 1; n < 14; ++n) { term *= x / n; sum += term; }
    return sum;
}
__attribute__((always_inline)) inline double series_sin(double x)
{
    double term = x, sum = x, x2 = x * x;
    for (int n = 1; n < 9; ++n) { term *= -x2 / ((2 * n) * (2 * n + 1)); sum += term; }
    return sum;
}
__attribute__((always_inline)) inline double series_cos(double x)
{
    double term = 1.0, sum = 1.0, x2 = x * x;
    for (int n = 1; n < 9; ++n) { term *= -x2 / ((2 * n - 1) * (2 * n)); sum += term; }
    return sum;
}

NOINLINE void compute_coeffs(Biquad& bq)
{
    FRAME_GUARD;
    // RBJ peaking EQ
    const double A = series_exp(bq.gainDb / 40.0 * 2.302585093);
    const double w0 = 2.0 * 3.14159265358979 * bq.freq / kRate;
    const double alpha = series_sin(w0) / (2.0 * bq.q);
    const double c = series_cos(w0);
    const double a0 = 1.0 + alpha / A;
    bq.b0 = (float)((1.0 + alpha * A) / a0);
    bq.b1 = (float)((-2.0 * c) / a0);
    bq.b2 = (float)((1.0 - alpha * A) / a0);
    bq.a1 = (float)((-2.0 * c) / a0);
    bq.a2 = (float)((1.0 - alpha / A) / a0);
}

// Runs the 6-band EQ over the block until `ms` is used. With `perSample` (regress b) the coefficients of every band
// are recomputed for every sample for the automated band (4, "presence") (meant to follow parameter automation smoothly, but
// done unconditionally, every sample, even when the parameters did not move).
NOINLINE void biquad_run(double ms, bool perSample)
{
    auto t0 = Clock::now();
    do {
        for (int ch = 0; ch < 2; ++ch) {
            float* x = ch == 0 ? g_bus.l.data() : g_bus.r.data();
            for (int i = 0; i < kBlock; ++i) {
                float s = x[i];
                for (int b = 0; b < 6; ++b) {
                    Biquad& bq = g_bands[ch][b];
                    if (perSample && b == 4) {
                        bq.gainDb = bq.gainDb * 0.999999f + 0.000001f * (float)(b - 3);
                        compute_coeffs(bq);
                    }
                    float y = bq.b0 * s + bq.z1;
                    bq.z1 = bq.b1 * s - bq.a1 * y + bq.z2;
                    bq.z2 = bq.b2 * s - bq.a2 * y;
                    s = y;
                }
                x[i] = s * 0.999f + 1e-20f;
                if ((i & 63) == 63 && ms_since(t0) >= ms) return;
            }
        }
    } while (ms_since(t0) < ms);
}

// ------------------------------------------------------------------------------------------------ limiter
float g_env = 0.0f;
NOINLINE void envelope_follow(double ms)
{
    auto t0 = Clock::now();
    do {
        for (int i = 0; i < kBlock; ++i) {
            float a = std::fabs(g_bus.l[i]) > std::fabs(g_bus.r[i]) ? std::fabs(g_bus.l[i]) : std::fabs(g_bus.r[i]);
            g_env = a > g_env ? a : g_env * 0.9995f + a * 0.0005f;
            g_scratch[i] = g_env;
        }
    } while (ms_since(t0) < ms);
}

NOINLINE void apply_gain(double ms)
{
    auto t0 = Clock::now();
    do {
        for (int i = 0; i < kBlock; ++i) {
            float g = g_scratch[i] > 0.9f ? 0.9f / g_scratch[i] : 1.0f;
            g_bus.l[i] *= g;
            g_bus.r[i] *= g;
        }
    } while (ms_since(t0) < ms);
}

// ------------------------------------------------------------------------------------------------ audio thread
struct Budget { double mix, er, conv, damp, eq, env, gain; int burstVoices; };

Budget budget_for(Scenario s)
{
    switch (s) {
    case Scenario::HotEffect: return { 1.6, 0.25, 3.9, 0.35, 0.5, 0.2, 0.15, 40 };
    case Scenario::RegressA:  return { 2.0, 0.25, 0.85, 0.3, 1.0, 0.25, 0.15, 64 };
    case Scenario::RegressB:  return { 2.0, 0.25, 0.85, 0.3, 3.0, 0.25, 0.15, 64 };
    }
    return {};
}

void audio_thread(double seconds)
{
    tracy::SetThreadName("Audio");
    const Budget B = budget_for(g_scn);
    {
        ZoneScopedN("Audio::OpenDevice");
        sched_param sp{};
        sp.sched_priority = 10;
        int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
        char buf[96];
        int n = snprintf(buf, sizeof buf, "audio device opened: 48000 Hz, 480 frames, SCHED_FIFO %s", rc == 0 ? "ok" : "denied");
        TracyMessage(buf, n);
        std::this_thread::sleep_for(150ms);
    }
    std::mt19937 rng(1234);
    std::normal_distribution<double> jit(1.0, 0.04);
    auto start = Clock::now();
    auto next = start;
    int cb = 0;
    int burstLeft = 0;
    while (ms_since(start) < seconds * 1000.0) {
        std::this_thread::sleep_until(next);
        next += 10ms;
        auto now = Clock::now();
        if (now > next + 20ms) next = now + 10ms;   // fell far behind: resync

        // voice count: 24 steady, a burst of 40 voices for a few callbacks every ~0.3-0.5 s (note chords)
        if (burstLeft == 0 && cb % 37 == 20) burstLeft = 3 + (int)(rng() % 3);
        int voices = burstLeft > 0 ? B.burstVoices : 24;
        if (burstLeft > 0) --burstLeft;
        double mixMs = B.mix * voices / 24.0;

        auto t0 = Clock::now();
        {
            ZoneScopedN("Audio::Callback");
            ZoneValue(cb);
            {
                ZoneScopedN("Mixer::MixVoices");
                ZoneValue(voices);
                {
                    std::lock_guard<LockableBase(std::mutex)> lk(g_voiceLock);
                    g_sink = g_sink + g_loadedSamples;
                }
                mix_all(voices, mixMs * jit(rng));
            }
            {
                ZoneScopedN("Bus::ApplyEffects");
                {
                    ZoneScopedN("Reverb::Process");
                    // shift input history and append this block
                    std::memmove(g_history.data(), g_history.data() + kBlock, (g_history.size() - kBlock) * sizeof(float));
                    for (int i = 0; i < kBlock; ++i)
                        g_history[g_history.size() - kBlock + i] = 0.5f * (g_bus.l[i] + g_bus.r[i]);
                    early_reflections(B.er * jit(rng));
                    convolve_block(B.conv * jit(rng));
                    damp_tail(B.damp * jit(rng));
                }
                {
                    ZoneScopedN("EQ::Process");
                    biquad_run(B.eq * jit(rng), g_scn == Scenario::RegressB);
                }
                {
                    ZoneScopedN("Limiter::Process");
                    envelope_follow(B.env * jit(rng));
                    apply_gain(B.gain * jit(rng));
                }
            }
        }
        double took = ms_since(t0);
        TracyPlot("Active voices", (int64_t)voices);
        TracyPlot("DSP load %", took * 10.0);
        if (took > 10.0) {
            char buf[96];
            int n = snprintf(buf, sizeof buf, "xrun: render callback took %.2f ms (budget 10.00 ms), %d voices", took, voices);
            TracyMessage(buf, n);
        }
        FrameMarkNamed("Audio callback");
        ++cb;
    }
}

// ------------------------------------------------------------------------------------------------ UI (main thread)
std::vector<float> g_fftRe(2048), g_fftIm(2048), g_bars(64);

NOINLINE void fft_radix2(float* re, float* im, int n)
{
    FRAME_GUARD;
    for (int i = 1, j = 0; i < n; ++i) {
        int bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) { std::swap(re[i], re[j]); std::swap(im[i], im[j]); }
    }
    for (int len = 2; len <= n; len <<= 1) {
        const float ang = -2.0f * 3.14159265f / (float)len;
        const float half = 0.5f * ang;
        const float stepr = 1.0f - 2.0f * half * half, stepi = ang;   // small-angle rotation, renormalised below
        for (int i = 0; i < n; i += len) {
            float wr = 1.0f, wi = 0.0f;
            for (int k = 0; k < len / 2; ++k) {
                float ur = re[i + k], ui = im[i + k];
                float vr = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
                float vi = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;
                re[i + k] = ur + vr; im[i + k] = ui + vi;
                re[i + k + len / 2] = ur - vr; im[i + k + len / 2] = ui - vi;
                float nr = wr * stepr - wi * stepi, ni = wr * stepi + wi * stepr;
                wr = nr; wi = ni;
            }
        }
    }
}

NOINLINE void draw_bars(double ms)
{
    auto t0 = Clock::now();
    do {
        for (int b = 0; b < 64; ++b) {
            float acc = 0.0f;
            for (int k = b * 16; k < b * 16 + 16; ++k) acc += std::sqrt(g_fftRe[k] * g_fftRe[k] + g_fftIm[k] * g_fftIm[k]);
            g_bars[b] = g_bars[b] * 0.8f + 0.2f * acc * (1.0f / 16.0f);
        }
    } while (ms_since(t0) < ms);
}

NOINLINE void spectrum(double ms)
{
    auto t0 = Clock::now();
    do {
        for (int i = 0; i < 2048; ++i) { g_fftRe[i] = g_history[g_history.size() - 2048 + i]; g_fftIm[i] = 0.0f; }
        fft_radix2(g_fftRe.data(), g_fftIm.data(), 2048);
    } while (ms_since(t0) < ms);
}

NOINLINE void poll_events(double ms)
{
    auto t0 = Clock::now();
    double acc = 0;
    do { for (int i = 0; i < 2000; ++i) acc += std::sqrt((double)i); } while (ms_since(t0) < ms);
    g_sink = g_sink + acc;
}

NOINLINE void draw_meters(double ms)
{
    auto t0 = Clock::now();
    float pk = 0;
    do { for (int i = 0; i < kBlock; ++i) pk = std::max(pk, std::fabs(g_bus.l[i])); } while (ms_since(t0) < ms);
    g_fsink = pk;
}

void ui_loop(double seconds)
{
    auto start = Clock::now();
    auto next = start;
    std::mt19937 rng(99);
    std::uniform_real_distribution<double> u(0.9, 1.1);
    while (ms_since(start) < seconds * 1000.0 + 150.0) {
        { ZoneScopedN("UI::PollEvents"); poll_events(0.3 * u(rng)); }
        { ZoneScopedN("UI::DrawSpectrum"); spectrum(2.2 * u(rng)); draw_bars(0.4 * u(rng)); }
        { ZoneScopedN("UI::DrawMeters"); draw_meters(0.5 * u(rng)); }
        {
            ZoneScopedN("UI::WaitVsync");
            next += std::chrono::microseconds(16667);
            std::this_thread::sleep_until(next);
        }
        FrameMark;
    }
}

// ------------------------------------------------------------------------------------------------ loader
NOINLINE void decode_frames(std::vector<float>& out, double ms)
{
    auto t0 = Clock::now();
    uint32_t s = 12345;
    do {
        for (size_t i = 0; i < out.size(); ++i) {
            s = s * 1664525u + 1013904223u;
            int32_t residual = (int32_t)(s >> 20) - 2048;
            float pred = i >= 2 ? 2.0f * out[i - 1] - out[i - 2] : 0.0f;
            out[i] = pred * 0.5f + (float)residual / 32768.0f;
        }
    } while (ms_since(t0) < ms);
}

void loader_thread(double seconds)
{
    tracy::SetThreadName("SampleLoader");
    static const char* files[] = { "piano_C4.flac", "strings_A3.flac", "kick_01.flac", "pad_warm.flac",
                                   "vox_chop_07.flac", "bass_E1.flac", "hat_open.flac", "brass_stab.flac" };
    auto start = Clock::now();
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(0.85, 1.15);
    int k = 0;
    std::vector<float> pcm(32768);
    while (ms_since(start) < seconds * 1000.0) {
        {
            ZoneScopedN("Loader::WaitRequest");
            std::this_thread::sleep_for(std::chrono::microseconds((int)(180000 * u(rng))));
        }
        const char* f = files[k++ % 8];
        {
            ZoneScopedN("Loader::ReadFile");
            ZoneText(f, strlen(f));
            std::this_thread::sleep_for(std::chrono::microseconds((int)(25000 * u(rng))));
        }
        {
            ZoneScopedN("Loader::DecodeFlac");
            ZoneText(f, strlen(f));
            decode_frames(pcm, 12.0 * u(rng));
        }
        {
            ZoneScopedN("Loader::Register");
            std::lock_guard<LockableBase(std::mutex)> lk(g_voiceLock);
            ++g_loadedSamples;
        }
        char buf[80];
        int n = snprintf(buf, sizeof buf, "loaded %s (%zu frames)", f, pcm.size());
        TracyMessage(buf, n);
    }
}

} // namespace

int main(int argc, char** argv)
{
    std::string s = argc > 1 ? argv[1] : "regress";
    std::string v = argc > 2 ? argv[2] : "a";
    if (s == "hot_effect") g_scn = Scenario::HotEffect;
    else if (s == "regress" && v == "a") g_scn = Scenario::RegressA;
    else if (s == "regress" && v == "b") g_scn = Scenario::RegressB;
    else { fprintf(stderr, "usage: mixbus hot_effect | regress a|b\n"); return 2; }

    // impulse response: hot_effect uses a 2.0 s hall IR truncated to 4096 taps; regress uses 1024 taps
    size_t irLen = g_scn == Scenario::HotEffect ? 4096 : 1024;
    g_ir.resize(irLen);
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (size_t i = 0; i < irLen; ++i) g_ir[i] = u(rng) * std::exp(-3.0f * (float)i / (float)irLen);
    g_history.assign(irLen + kBlock + 2048, 0.0f);
    for (auto& x : g_history) x = u(rng) * 0.1f;
    g_voiceSrc.resize(8);
    for (auto& src : g_voiceSrc) { src.resize(24000); for (auto& x : src) x = u(rng); }
    for (int ch = 0; ch < 2; ++ch)
        for (int b = 0; b < 6; ++b) {
            Biquad& bq = g_bands[ch][b];
            bq = {};
            bq.freq = 80.0f * std::pow(2.6f, (float)b);
            bq.q = 0.9f;
            bq.gainDb = (float)(b - 3) * 1.5f;
            compute_coeffs(bq);
        }

    tracy::SetThreadName("UI");
    const double seconds = 4.0;
    TracyMessageL("mixbus: audio engine started, 48000 Hz, 480-frame blocks");
    std::thread audio(audio_thread, seconds);
    std::thread loader(loader_thread, seconds);
    ui_loop(seconds);
    audio.join();
    loader.join();
    TracyMessageL("mixbus: shutting down");
    return 0;
}
