// holblock: a small game loop with a job system, instrumented with Tracy (benchmark data for profiler-analysis
// tools; not part of any project).
//
// Main thread ("Main"): ~60 Hz frames (FrameMark), each: Input::Poll, Gameplay::Update (with SaveSystem::Autosave
// every ~0.8 s), Jobs::KickFrameJobs (enqueues 12 Job::Animate + 12 Job::Cull, ~0.8 ms each, into the ONE FIFO queue
// of the job system), Scene::UpdateTransforms, Jobs::WaitForFrameJobs (blocks until the frame's jobs are done),
// Render::Submit (~4 ms, holds RenderQueue::mutex), Platform::WaitForVSync (paces to 16.67 ms).
// Job system: threads "Worker 0".."Worker 2" pop jobs from the shared FIFO queue; each job is a zone named after its
// kind with ZoneText "kind=... frame=N idx=I". Plot "Jobs queue depth" after each enqueue.
// Thread "Streaming": Streaming::LoadSector (~9 ms, mostly IO) + Streaming::Decompress (~2 ms) every ~40 ms, briefly
// takes Assets::RegistryLock (the main thread also takes it briefly in Gameplay::Update; never contended in practice).
//
// Usage: holblock <scenario>
//   hol    every ~0.8 s SaveSystem::Autosave enqueues two Job::CompressSaveChunk (~60 ms each) into the SAME job
//          queue, ahead of the frame's jobs: two of the three workers are tied up for ~60 ms and the frame jobs squeeze
//          onto the last worker, so Jobs::WaitForFrameJobs grows from ~3 ms to ~10-20 ms in those frames.
//   base   same program, but the autosave chunks are compressed on a dedicated "SaveIO" thread (the state before the
//          autosave was moved onto the job system); frame jobs never wait behind them.
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them much.

#include <atomic>
#include <chrono>
#include <condition_variable>
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

namespace
{

volatile double g_sink = 0.0;

void WorkFor(double ms)
{
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(ms));
    auto sleepUntil = deadline - 80us;
    if (Clock::now() < sleepUntil) std::this_thread::sleep_until(sleepUntil);
    double x = 1.0;
    while (Clock::now() < deadline) { x = x * 1.0000001 + 0.5; }
    g_sink = g_sink + x;
}

enum class JobKind { Animate, Cull, CompressSaveChunk };

struct Job
{
    JobKind kind;
    int frame;
    int idx;
    double ms;
};

struct JobSystem
{
    std::mutex m;
    std::condition_variable cv;
    std::deque<Job> queue;
    bool quit = false;

    std::mutex doneM;
    std::condition_variable doneCv;
    int pendingFrameJobs = 0;

    void Push(const std::vector<Job>& jobs, bool frameJobs)
    {
        size_t depth;
        {
            std::lock_guard<std::mutex> lk(m);
            for (auto& j : jobs) queue.push_back(j);
            depth = queue.size();
            if (frameJobs)
            {
                std::lock_guard<std::mutex> lk2(doneM);
                pendingFrameJobs += (int)jobs.size();
            }
        }
        TracyPlot("Jobs queue depth", (int64_t)depth);
        cv.notify_all();
    }

    bool Pop(Job& out)
    {
        std::unique_lock<std::mutex> lk(m);
        cv.wait(lk, [&] { return quit || !queue.empty(); });
        if (queue.empty()) return false;
        out = queue.front();
        queue.pop_front();
        return true;
    }

    void FrameJobDone()
    {
        std::lock_guard<std::mutex> lk(doneM);
        if (--pendingFrameJobs == 0) doneCv.notify_all();
    }

    void WaitFrameJobs()
    {
        std::unique_lock<std::mutex> lk(doneM);
        doneCv.wait(lk, [&] { return pendingFrameJobs == 0; });
    }

    void Quit()
    {
        {
            std::lock_guard<std::mutex> lk(m);
            quit = true;
        }
        cv.notify_all();
    }
};

JobSystem g_jobs;

void RunJob(const Job& j)
{
    char txt[64];
    int n;
    switch (j.kind)
    {
    case JobKind::Animate:
    {
        ZoneScopedN("Job::Animate");
        n = snprintf(txt, sizeof txt, "kind=Animate frame=%d idx=%d", j.frame, j.idx);
        ZoneText(txt, n);
        WorkFor(j.ms);
        break;
    }
    case JobKind::Cull:
    {
        ZoneScopedN("Job::Cull");
        n = snprintf(txt, sizeof txt, "kind=Cull frame=%d idx=%d", j.frame, j.idx);
        ZoneText(txt, n);
        WorkFor(j.ms);
        break;
    }
    case JobKind::CompressSaveChunk:
    {
        ZoneScopedN("Job::CompressSaveChunk");
        n = snprintf(txt, sizeof txt, "kind=CompressSaveChunk save=%d chunk=%d", j.frame, j.idx);
        ZoneText(txt, n);
        WorkFor(j.ms);
        break;
    }
    }
}

void WorkerMain(int id)
{
    char name[32];
    snprintf(name, sizeof name, "Worker %d", id);
    tracy::SetThreadName(name);
    Job j;
    while (g_jobs.Pop(j))
    {
        RunJob(j);
        if (j.kind != JobKind::CompressSaveChunk) g_jobs.FrameJobDone();
    }
}

// Dedicated save thread, used by scenario "base".
struct SaveIO
{
    std::mutex m;
    std::condition_variable cv;
    std::deque<Job> queue;
    bool quit = false;
} g_saveio;

void SaveIOMain()
{
    tracy::SetThreadName("SaveIO");
    for (;;)
    {
        Job j;
        {
            std::unique_lock<std::mutex> lk(g_saveio.m);
            g_saveio.cv.wait(lk, [] { return g_saveio.quit || !g_saveio.queue.empty(); });
            if (g_saveio.queue.empty()) return;
            j = g_saveio.queue.front();
            g_saveio.queue.pop_front();
        }
        RunJob(j);
    }
}

TracyLockableN(std::mutex, g_registryLock, "Assets::RegistryLock");
TracyLockableN(std::mutex, g_renderQueueMutex, "RenderQueue::mutex");
std::atomic<bool> g_quit{false};

void StreamingMain()
{
    tracy::SetThreadName("Streaming");
    std::mt19937 rng(77);
    std::uniform_real_distribution<double> io(7.5, 10.5), dec(1.6, 2.4);
    int sector = 0;
    auto next = Clock::now();
    while (!g_quit.load())
    {
        {
            ZoneScopedN("Streaming::LoadSector");
            char txt[48];
            int n = snprintf(txt, sizeof txt, "sector=%d", sector);
            ZoneText(txt, n);
            {
                ZoneScopedN("Streaming::ReadFile");
                std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(io(rng)));
            }
            {
                ZoneScopedN("Streaming::Decompress");
                WorkFor(dec(rng));
            }
            {
                ZoneScopedN("Streaming::RegisterAsset");
                std::lock_guard<LockableBase(std::mutex)> lk(g_registryLock);
                WorkFor(0.03);
            }
        }
        if (sector % 25 == 0) { char msg[64]; int n = snprintf(msg, sizeof msg, "Streaming: sector %d resident", sector); TracyMessage(msg, n); }
        sector++;
        next += 40ms;
        std::this_thread::sleep_until(next);
    }
}

} // namespace

int main(int argc, char** argv)
{
    const char* scenario = argc > 1 ? argv[1] : "hol";
    const bool hol = strcmp(scenario, "hol") == 0;
    if (!hol && strcmp(scenario, "base") != 0) { fprintf(stderr, "usage: holblock hol|base\n"); return 2; }
    tracy::SetThreadName("Main");
    TracyMessageL(hol ? "Game start (autosave: job system)" : "Game start (autosave: SaveIO thread)");

    std::vector<std::thread> workers;
    for (int i = 0; i < 3; i++) workers.emplace_back(WorkerMain, i);
    std::thread saveThread;
    if (!hol) saveThread = std::thread(SaveIOMain);
    std::thread streaming(StreamingMain);

    std::mt19937 rng(12345);
    std::uniform_real_distribution<double> jobMs(0.7, 0.9), jitter(-0.05, 0.05), saveMs(57.0, 63.0);

    const auto start = Clock::now();
    const auto runFor = 6.0s;
    auto nextAutosave = start + 600ms;
    auto frameStart = start;
    const auto framePeriod = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(16.667));
    int frame = 0;
    int saveNo = 0;
    char txt[48];
    while (Clock::now() - start < runFor)
    {
        frame++;
        {
            ZoneScopedN("Input::Poll");
            WorkFor(0.25);
        }
        {
            ZoneScopedN("Gameplay::Update");
            WorkFor(1.0);
            {
                std::lock_guard<LockableBase(std::mutex)> lk(g_registryLock);
                WorkFor(0.02);
            }
            WorkFor(0.3);
            if (Clock::now() >= nextAutosave)
            {
                ZoneScopedN("SaveSystem::Autosave");
                saveNo++;
                int n = snprintf(txt, sizeof txt, "save=%d", saveNo);
                ZoneText(txt, n);
                WorkFor(0.3);  // snapshot world state
                std::vector<Job> chunks;
                for (int c = 0; c < 2; c++) chunks.push_back(Job{JobKind::CompressSaveChunk, saveNo, c, saveMs(rng)});
                if (hol)
                    g_jobs.Push(chunks, false);
                else
                {
                    {
                        std::lock_guard<std::mutex> lk(g_saveio.m);
                        for (auto& c : chunks) g_saveio.queue.push_back(c);
                    }
                    g_saveio.cv.notify_all();
                }
                n = snprintf(txt, sizeof txt, "Autosave %d: 2 chunks queued", saveNo);
                TracyMessage(txt, n);
                nextAutosave += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(800.0 + 200.0 * jitter(rng)));
            }
        }
        {
            ZoneScopedN("Jobs::KickFrameJobs");
            int n = snprintf(txt, sizeof txt, "frame=%d", frame);
            ZoneText(txt, n);
            std::vector<Job> jobs;
            for (int i = 0; i < 12; i++) jobs.push_back(Job{JobKind::Animate, frame, i, jobMs(rng)});
            for (int i = 0; i < 12; i++) jobs.push_back(Job{JobKind::Cull, frame, 12 + i, jobMs(rng)});
            g_jobs.Push(jobs, true);
        }
        {
            ZoneScopedN("Scene::UpdateTransforms");
            WorkFor(0.5);
        }
        {
            ZoneScopedN("Jobs::WaitForFrameJobs");
            int n = snprintf(txt, sizeof txt, "frame=%d", frame);
            ZoneText(txt, n);
            g_jobs.WaitFrameJobs();
        }
        {
            ZoneScopedN("Render::Submit");
            std::lock_guard<LockableBase(std::mutex)> lk(g_renderQueueMutex);
            WorkFor(4.0 + jitter(rng));
        }
        {
            ZoneScopedN("Platform::WaitForVSync");
            auto target = frameStart + framePeriod;
            auto now = Clock::now();
            while (target < now) target += framePeriod;  // missed vsync: wait for the next one
            std::this_thread::sleep_until(target);
            frameStart = target;
        }
        FrameMark;
    }

    TracyMessageL("Game shutdown");
    g_quit = true;
    g_jobs.Quit();
    for (auto& w : workers) w.join();
    if (!hol)
    {
        {
            std::lock_guard<std::mutex> lk(g_saveio.m);
            g_saveio.quit = true;
        }
        g_saveio.cv.notify_all();
        saveThread.join();
    }
    streaming.join();
    return 0;
}
