// cutroom: a video editor's UI process on a 2-core machine. Threads:
//   "Main thread"         60 Hz UI frame: UI::PollEvents, Timeline::Layout, AssetCache::Lookup (takes
//                         AssetCache::mutex to resolve the clips under the playhead), Preview::DecodeFrame,
//                         Render::DrawUI, Render::Present (sleeps to the next vblank), FrameMark.
//                         All its work is a fixed amount of CPU time per frame (thread CPU clock), so its zones only
//                         get longer in wall time when the thread is not on a CPU.
//   "Background Loader"   low priority (nice 19): Loader::ScanFolder (I/O: sleeps), Loader::ExtractMetadata (CPU),
//                         Loader::CommitBatch (takes AssetCache::mutex), Loader::Idle (sleeps).
//   "Encoder 0".."3"      export encoders (nice 0, pure CPU): Encoder::FetchJob (EncodeQueue::mutex, short),
//                         Encoder::CompressBlock (real compression-like work over a buffer), Encoder::WriteBitstream;
//                         in preempted_holder then Encoder::WaitForSourceFrames (condition variable, woken by the Loader).
//   "Autosave"            every 500 ms: Autosave::Serialize (CPU, takes Project::mutex) + Autosave::WriteFile (sleeps).
//
// Scenarios:
//   calm              no export: encoders idle (Encoder::WaitForJob), Loader rebuilds its index outside the lock and
//                     only swaps it in under AssetCache::mutex.
//   cpu_starved       export running: 4 encoders spin (6 ms CPU blocks, no waits) on 2 cores; main thread (nice 0) is
//                     runnable but off-CPU a lot, so its zones stretch although its CPU work per frame is unchanged.
//                     Loader as in calm.
//   preempted_holder  export running, main thread boosted (nice -10, set after the other threads are created) so it
//                     is not starved. The Loader (nice 19) takes AssetCache::mutex in Loader::CommitBatch, publishes
//                     the batch to the encoders (notify_all wakes them) and does ~1 ms of CPU (Loader::RebuildIndex)
//                     while still holding the lock; the woken encoders (12 ms CPU blocks) preempt it, so it sits
//                     runnable-but-off-CPU holding the lock and the main thread waits 10-30 ms in AssetCache::Lookup.
//
// Optional args (tuning only): SCENARIO [seconds=4] [encoder block ms] [encoder wait timeout us] [loader nice]
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tracy/Tracy.hpp"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
#define NOINLINE __attribute__((noinline))

namespace
{
enum class Scenario { Calm, CpuStarved, PreemptedHolder };
Scenario g_scn = Scenario::Calm;
double g_runSeconds = 4.0;

std::atomic<bool> g_stop{ false };
volatile uint64_t g_sink = 0;

pid_t gettid_() { return (pid_t)syscall(SYS_gettid); }
void set_nice(int n) { setpriority(PRIO_PROCESS, (id_t)gettid_(), n); }

double thread_cpu_ms()
{
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// ------------------------------------------------------------------ CPU work: each runs until `ms` of THIS thread's
// CPU time is used, so the amount of work is constant and wall time grows only when the thread is off-CPU.
struct Buf { std::vector<uint8_t> d; explicit Buf(size_t n) : d(n) { for (size_t i = 0; i < n; ++i) d[i] = (uint8_t)(i * 131u + (i >> 7)); } };

NOINLINE uint64_t HashRows(const uint8_t* p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

NOINLINE uint64_t MatchRuns(uint8_t* p, size_t n, uint64_t h)
{
    // toy LZ-style match finder + in-place delta
    for (size_t i = 4; i < n; ++i) {
        uint32_t a = (uint32_t)p[i] | (uint32_t)p[i - 1] << 8, b = (uint32_t)p[i - 2] | (uint32_t)p[i - 3] << 8;
        if (a == b) h += i; else p[i] = (uint8_t)(p[i] - p[i - 4] + (uint8_t)h);
        h = h * 31 + a;
    }
    return h;
}

NOINLINE void burn_hash(const Buf& b, double ms)
{
    double t0 = thread_cpu_ms();
    uint64_t h = 1469598103934665603ull;
    do { h = HashRows(b.d.data(), 4096, h); } while (thread_cpu_ms() - t0 < ms);
    g_sink += h;
}

NOINLINE void LayoutClips(Buf& b, double ms) { burn_hash(b, ms); }
NOINLINE void DecodePreviewMacroblocks(Buf& b, double ms)
{
    double t0 = thread_cpu_ms();
    uint64_t h = 7;
    do { h = MatchRuns(b.d.data(), 4096, h); } while (thread_cpu_ms() - t0 < ms);
    g_sink += h;
}
NOINLINE void DrawWidgets(Buf& b, double ms) { burn_hash(b, ms); }
NOINLINE void ResolveClipRefs(Buf& b, double ms) { burn_hash(b, ms); }
NOINLINE void ParseExif(Buf& b, double ms) { burn_hash(b, ms); }
NOINLINE void SortIndexEntries(Buf& b, double ms)
{
    double t0 = thread_cpu_ms();
    uint64_t h = 3;
    do { h = MatchRuns(b.d.data(), 2048, h); } while (thread_cpu_ms() - t0 < ms);
    g_sink += h;
}
NOINLINE void DeflateBlock(Buf& b, double ms)
{
    double t0 = thread_cpu_ms();
    uint64_t h = 11;
    do { h = MatchRuns(b.d.data(), 8192, h); h = HashRows(b.d.data(), 2048, h); } while (thread_cpu_ms() - t0 < ms);
    g_sink += h;
}

// ------------------------------------------------------------------ shared state
TracyLockableN(std::mutex, g_assetCacheMutex, "AssetCache::mutex");
TracyLockableN(std::mutex, g_encodeQueueMutex, "EncodeQueue::mutex");
TracyLockableN(std::mutex, g_projectMutex, "Project::mutex");
std::deque<int> g_encodeJobs;
int g_nextJob = 0;
bool g_exportRunning = false;
std::atomic<int> g_blocksDone{ 0 };
double g_encBlockMs = 6.0;
int g_encWaitUs = 60000;
std::mutex g_srcMutex;
std::condition_variable g_srcCv;
uint64_t g_srcGen = 0;
int g_loaderNice = 19;

// ------------------------------------------------------------------ threads
void encoder_thread(int idx)
{
    char name[32];
    snprintf(name, sizeof name, "Encoder %d", idx);
    tracy::SetThreadName(name);
    set_nice(0);  // normal priority (do not inherit the UI thread's boost)
    Buf buf(64 * 1024);
    const bool busy = g_scn != Scenario::Calm;
    uint64_t seenGen = 0;
    while (!g_stop.load()) {
        if (!busy) {
            ZoneScopedN("Encoder::WaitForJob");
            std::this_thread::sleep_for(100ms);
            continue;
        }
        int job;
        {
            ZoneScopedN("Encoder::FetchJob");
            std::lock_guard<LockableBase(std::mutex)> lk(g_encodeQueueMutex);
            LockMark(g_encodeQueueMutex);
            job = g_nextJob++;
        }
        {
            ZoneScopedN("Encoder::CompressBlock");
            ZoneValue((uint64_t)job);
            DeflateBlock(buf, g_encBlockMs);
        }
        {
            ZoneScopedN("Encoder::WriteBitstream");
            HashRows(buf.d.data(), 16384, job);
        }
        if (g_scn == Scenario::PreemptedHolder) {
            // export paced by the loader: wait until it publishes the next batch of proxy frames
            ZoneScopedN("Encoder::WaitForSourceFrames");
            std::unique_lock<std::mutex> lk(g_srcMutex);
            g_srcCv.wait_for(lk, std::chrono::microseconds(g_encWaitUs), [&] { return g_srcGen != seenGen || g_stop.load(); });
            seenGen = g_srcGen;
        }
        int done = ++g_blocksDone;
        if (idx == 0 && (job % 40) == 0) TracyPlot("Export blocks done", (int64_t)done);
    }
}

void loader_thread()
{
    tracy::SetThreadName("Background Loader");
    set_nice(g_loaderNice);
    Buf buf(32 * 1024);
    std::mt19937 rng(42);
    int batch = 0;
    while (!g_stop.load()) {
        {
            ZoneScopedN("Loader::ScanFolder");
            std::this_thread::sleep_for(std::chrono::milliseconds(8 + rng() % 8));
        }
        int entries = 24 + (int)(rng() % 16);
        {
            ZoneScopedN("Loader::ExtractMetadata");
            ZoneValue((uint64_t)entries);
            ParseExif(buf, 1.5);
        }
        if (g_scn == Scenario::PreemptedHolder) {
            ZoneScopedN("Loader::CommitBatch");
            std::lock_guard<LockableBase(std::mutex)> lk(g_assetCacheMutex);
            LockMark(g_assetCacheMutex);
            {
                // hand the new proxy frames to the export encoders (wakes them)
                std::lock_guard<std::mutex> sl(g_srcMutex);
                ++g_srcGen;
                g_srcCv.notify_all();
            }
            {
                ZoneScopedN("Loader::RebuildIndex");
                SortIndexEntries(buf, 1.0);  // ~1 ms of CPU under the lock
            }
        } else {
            {
                ZoneScopedN("Loader::RebuildIndex");
                SortIndexEntries(buf, 1.0);  // same work, outside the lock
            }
            ZoneScopedN("Loader::CommitBatch");
            std::lock_guard<LockableBase(std::mutex)> lk(g_assetCacheMutex);
            LockMark(g_assetCacheMutex);
            g_sink += entries;  // swap in the prebuilt index: a pointer swap
        }
        ++batch;
        if (batch % 10 == 0) TracyMessageL("Loader: committed 10 batches to AssetCache");
        {
            ZoneScopedN("Loader::Idle");
            std::this_thread::sleep_for(20ms);
        }
    }
}

void autosave_thread()
{
    tracy::SetThreadName("Autosave");
    set_nice(0);
    Buf buf(16 * 1024);
    while (!g_stop.load()) {
        {
            ZoneScopedN("Autosave::Wait");
            for (int i = 0; i < 10 && !g_stop.load(); ++i) std::this_thread::sleep_for(50ms);
        }
        if (g_stop.load()) break;
        {
            ZoneScopedN("Autosave::Serialize");
            std::lock_guard<LockableBase(std::mutex)> lk(g_projectMutex);
            LockMark(g_projectMutex);
            burn_hash(buf, 0.8);
        }
        {
            ZoneScopedN("Autosave::WriteFile");
            std::this_thread::sleep_for(12ms);
        }
        TracyMessageL("Autosave: project.cutroom written");
    }
}

}  // namespace

int main(int argc, char** argv)
{
    std::string s = argc > 1 ? argv[1] : "calm";
    if (s == "calm") g_scn = Scenario::Calm;
    else if (s == "cpu_starved") g_scn = Scenario::CpuStarved;
    else if (s == "preempted_holder") g_scn = Scenario::PreemptedHolder;
    else { fprintf(stderr, "unknown scenario %s\n", s.c_str()); return 2; }
    if (argc > 2) g_runSeconds = atof(argv[2]);
    if (g_scn == Scenario::PreemptedHolder) g_encBlockMs = 12.0;
    if (argc > 3) g_encBlockMs = atof(argv[3]);
    if (argc > 4) g_encWaitUs = atoi(argv[4]);
    if (argc > 5) g_loaderNice = atoi(argv[5]);

    tracy::SetThreadName("Main thread");
    TracyMessageL("cutroom 3.2 started; project: trailer_v7.cutroom");

    std::vector<std::thread> threads;
    threads.emplace_back(loader_thread);
    threads.emplace_back(autosave_thread);
    if (g_scn != Scenario::Calm) TracyMessageL("Export started: trailer_v7.mp4 (4 encoder threads)");
    for (int i = 0; i < 4; ++i) threads.emplace_back(encoder_thread, i);
    if (g_scn == Scenario::PreemptedHolder) set_nice(-10);  // UI thread gets a priority boost

    Buf buf(64 * 1024);
    const auto frame = std::chrono::microseconds(16667);
    auto start = Clock::now();
    auto next = start + frame;
    int frameNo = 0;
    while (Clock::now() - start < std::chrono::duration<double>(g_runSeconds)) {
        {
            ZoneScopedN("UI::PollEvents");
            burn_hash(buf, 0.2);
        }
        {
            ZoneScopedN("Timeline::Layout");
            LayoutClips(buf, 2.0);
        }
        {
            ZoneScopedN("AssetCache::Lookup");
            std::lock_guard<LockableBase(std::mutex)> lk(g_assetCacheMutex);
            LockMark(g_assetCacheMutex);
            ResolveClipRefs(buf, 0.2);
        }
        {
            ZoneScopedN("Preview::DecodeFrame");
            ZoneValue((uint64_t)frameNo);
            DecodePreviewMacroblocks(buf, 4.0);
        }
        {
            ZoneScopedN("Render::DrawUI");
            DrawWidgets(buf, 2.0);
        }
        {
            ZoneScopedN("Render::Present");
            auto now = Clock::now();
            if (now < next) std::this_thread::sleep_until(next);
            else next = now;  // late: present immediately
            next += frame;
        }
        FrameMark;
        ++frameNo;
        if (frameNo % 60 == 0) TracyPlot("Export blocks done", (int64_t)g_blocksDone.load());
    }
    g_stop = true;
    for (auto& t : threads) t.join();
    TracyMessageL("cutroom shutting down");
    return 0;
}
