// Fiber-based job system demo (Tracy 0.14.0, built with -DTRACY_FIBERS).
// Main thread: Game::Update -> Jobs::Submit -> Jobs::WaitAll -> Render::BuildCommandList -> FrameMark.
// Two worker threads ("JobWorker 0/1") each own a job queue; every job runs on its own ucontext fiber
// ("Job Fiber N", N = job slot in the frame), announced to Tracy with TracyFiberEnter/TracyFiberLeave.
// Usage: prog baseline|problem [frames]
//   baseline: cloth solver runs 4 constraint iterations
//   problem : cloth solver runs 12 constraint iterations (Cloth::Simulate ~9 ms, on the critical path)
#include "tracy/Tracy.hpp"

#include <ucontext.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- real work helpers
static std::vector<float> g_bones(4096), g_cloth(32 * 1024), g_audio(8192);

// Do real arithmetic over `data` for the first quarter of `us` microseconds, then wait out the rest
// (stands in for memory stalls / waits on other units; keeps lengths stable on a busy 2-core machine).
static float BurnOver(std::vector<float>& data, int us)
{
    const auto start = Clock::now();
    const auto end = start + std::chrono::microseconds(us);
    const auto burnEnd = start + std::chrono::microseconds(us / 4);
    float acc = 0.f;
    size_t i = 0;
    while (Clock::now() < burnEnd) {
        for (int k = 0; k < 256; ++k) {
            float& v = data[i];
            v = v * 0.999f + std::sqrt(std::fabs(v) + 1.0f) * 0.001f;
            acc += v;
            i = (i + 1) % data.size();
        }
    }
    std::this_thread::sleep_until(end);
    return acc;
}

static volatile float g_sink;

// ---------------------------------------------------------------- jobs
static int g_clothIterations = 4;

static void Anim_Pose()
{
    ZoneScopedN("Anim::Pose");
    g_sink = BurnOver(g_bones, 1000);
}

static void Audio_Mix()
{
    ZoneScopedN("Audio::Mix");
    g_sink = BurnOver(g_audio, 500);
}

static void Cloth_Simulate()
{
    ZoneScopedN("Cloth::Simulate");
    {
        ZoneScopedN("Cloth::Integrate");
        g_sink = BurnOver(g_cloth, 400);
    }
    {
        ZoneScopedN("Cloth::SolveConstraints");
        ZoneValue(g_clothIterations);
        for (int it = 0; it < g_clothIterations; ++it) g_sink = BurnOver(g_cloth, 700);
    }
    {
        ZoneScopedN("Cloth::UpdateNormals");
        g_sink = BurnOver(g_cloth, 300);
    }
}

// ---------------------------------------------------------------- fibers
static const char* const kFiberNames[] = {
    "Job Fiber 0", "Job Fiber 1", "Job Fiber 2", "Job Fiber 3", "Job Fiber 4",
    "Job Fiber 5", "Job Fiber 6", "Job Fiber 7", "Job Fiber 8",
};
constexpr int kNumFibers = sizeof(kFiberNames) / sizeof(kFiberNames[0]);
constexpr size_t kFiberStack = 256 * 1024;

struct Fiber {
    ucontext_t ctx;
    ucontext_t* ret = nullptr;
    void (*fn)() = nullptr;
    const char* name = nullptr;
    std::vector<char> stack;
};
static Fiber g_fibers[kNumFibers];

static void FiberEntry(unsigned lo, unsigned hi)
{
    Fiber* f = reinterpret_cast<Fiber*>((uintptr_t(hi) << 32) | uintptr_t(lo));
    TracyFiberEnter(f->name);
    f->fn();
    TracyFiberLeave;
    swapcontext(&f->ctx, f->ret);
}

static void RunOnFiber(int slot, void (*fn)())
{
    Fiber& f = g_fibers[slot];
    ucontext_t here;
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = f.stack.data();
    f.ctx.uc_stack.ss_size = f.stack.size();
    f.ctx.uc_link = nullptr;
    f.ret = &here;
    f.fn = fn;
    uintptr_t p = reinterpret_cast<uintptr_t>(&f);
    makecontext(&f.ctx, (void (*)())FiberEntry, 2, unsigned(p & 0xffffffffu), unsigned(p >> 32));
    swapcontext(&here, &f.ctx);
}

// ---------------------------------------------------------------- job system
struct Job { int slot; void (*fn)(); };

struct WorkerQueue {
    std::mutex m;
    std::condition_variable cv;
    std::deque<Job> q;
};

static WorkerQueue g_queues[2];
static std::atomic<int> g_pending{0};
static std::mutex g_doneM;
static std::condition_variable g_doneCv;
static std::atomic<bool> g_quit{false};

static void WorkerMain(int idx)
{
    char name[32];
    snprintf(name, sizeof(name), "JobWorker %d", idx);
    tracy::SetThreadName(strdup(name));
    WorkerQueue& wq = g_queues[idx];
    for (;;) {
        Job job;
        {
            std::unique_lock<std::mutex> lk(wq.m);
            wq.cv.wait(lk, [&] { return !wq.q.empty() || g_quit.load(); });
            if (wq.q.empty()) return;
            job = wq.q.front();
            wq.q.pop_front();
        }
        RunOnFiber(job.slot, job.fn);
        if (g_pending.fetch_sub(1) == 1) {
            std::lock_guard<std::mutex> lk(g_doneM);
            g_doneCv.notify_all();
        }
    }
}

static void Submit(int worker, int slot, void (*fn)())
{
    g_pending.fetch_add(1);
    std::lock_guard<std::mutex> lk(g_queues[worker].m);
    g_queues[worker].q.push_back({slot, fn});
    g_queues[worker].cv.notify_one();
}

// ---------------------------------------------------------------- main loop
static std::vector<float> g_world(16384), g_cmds(16384);

int main(int argc, char** argv)
{
    const char* scen = argc > 1 ? argv[1] : "baseline";
    int frames = argc > 2 ? atoi(argv[2]) : 300;
    if (!strcmp(scen, "problem")) g_clothIterations = 12;
    else if (!strcmp(scen, "baseline")) g_clothIterations = 4;
    else { fprintf(stderr, "usage: %s baseline|problem [frames]\n", argv[0]); return 2; }

    for (size_t i = 0; i < g_cloth.size(); ++i) g_cloth[i] = float(i % 97) * 0.01f;
    for (size_t i = 0; i < g_bones.size(); ++i) g_bones[i] = float(i % 31) * 0.1f;
    for (auto& f : g_fibers) f.stack.resize(kFiberStack);
    for (int i = 0; i < kNumFibers; ++i) g_fibers[i].name = kFiberNames[i];

    tracy::SetThreadName("Main");
    std::thread w0(WorkerMain, 0), w1(WorkerMain, 1);

    for (int frame = 0; frame < frames; ++frame) {
        {
            ZoneScopedN("Game::Update");
            g_sink = BurnOver(g_world, 1500);
        }
        {
            ZoneScopedN("Jobs::Submit");
            // slot -> fiber "Job Fiber <slot>"; static partitioning across the two workers
            Submit(0, 0, Anim_Pose);
            Submit(0, 1, Anim_Pose);
            Submit(1, 2, Audio_Mix);
            Submit(0, 3, Anim_Pose);
            Submit(1, 4, Cloth_Simulate);
            Submit(0, 5, Anim_Pose);
            Submit(0, 6, Anim_Pose);
            Submit(0, 7, Audio_Mix);
            Submit(0, 8, Anim_Pose);
        }
        {
            ZoneScopedN("Jobs::WaitAll");
            std::unique_lock<std::mutex> lk(g_doneM);
            g_doneCv.wait(lk, [] { return g_pending.load() == 0; });
        }
        {
            ZoneScopedN("Render::BuildCommandList");
            g_sink = BurnOver(g_cmds, 2500);
        }
        FrameMark;
    }

    g_quit = true;
    for (auto& q : g_queues) { std::lock_guard<std::mutex> lk(q.m); q.cv.notify_all(); }
    w0.join();
    w1.join();
    fprintf(stderr, "done: %s, %d frames, cloth iterations %d\n", scen, frames, g_clothIterations);
    return 0;
}
