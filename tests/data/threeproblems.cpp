// blind262: action game loop with three planted problems of different kinds.
//   (1) Save::Checkpoint every ~2.5 s on the main thread, ~40 ms (frame hitch)
//   (2) Worker 1..3 contend on JobQueue::m_mutex: JobQueue::Pop scans ~0.3 ms while holding it
//   (3) Decal::Spawn leaks 2 KB blocks (~4/s, never freed)
// Distractors: Physics::Step / Render::Submit (heavy every frame), Streaming thread with
// long Assets::StreamChunk zones, Level::Load 4 MB persistent-until-exit before the loop,
// Particles::Emit transient allocations (freed after 30 frames).
// Scenario "game" (planted problems) or "clean" (no checkpoint hitch, short scan, no leak).
#include "tracy/Tracy.hpp"
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;
static std::atomic<bool> g_run{true};
static bool g_planted = true;
static volatile double g_sink = 0;

static void* TAlloc(size_t n) { void* p = malloc(n); memset(p, 1, n); TracyAlloc(p, n); return p; }
static void TFree(void* p) { TracyFree(p); free(p); }

// busy work over data until `us` microseconds have elapsed
static void Crunch(std::vector<float>& data, int us) {
    auto end = Clock::now() + std::chrono::microseconds(us);
    size_t i = 0;
    double acc = 0;
    while (Clock::now() < end) {
        for (int k = 0; k < 64; ++k) {
            float& v = data[i % data.size()];
            v = v * 0.999f + std::sqrt(float(i & 1023));
            acc += v;
            ++i;
        }
    }
    g_sink = g_sink + acc;
}
static void SleepUs(int us) { std::this_thread::sleep_for(std::chrono::microseconds(us)); }

struct Job { int priority; int kind; };

class JobQueue {
public:
    // main thread never blocks: if the queue is busy, jobs stay staged until next frame
    bool TryPushBatch(std::vector<Job>& staged) {
        ZoneScopedN("JobQueue::TryPushBatch");
        if (!m_mutex.try_lock()) return false;
        m_jobs.insert(m_jobs.end(), staged.begin(), staged.end());
        m_mutex.unlock();
        staged.clear();
        return true;
    }
    bool Pop(Job& out) {
        ZoneScopedN("JobQueue::Pop");
        std::lock_guard<LockableBase(std::mutex)> lk(m_mutex);
        if (m_jobs.empty()) return false;
        // picks the highest-priority job by a linear scan with per-entry dependency checks
        auto end = Clock::now() + std::chrono::microseconds(g_planted ? 300 : 20);
        size_t best = 0;
        unsigned probe = 0;
        while (Clock::now() < end) {
            for (int k = 0; k < 32; ++k) {
                size_t idx = (probe++) % m_jobs.size();
                if (m_jobs[idx].priority > m_jobs[best].priority) best = idx;
                g_sink = g_sink + m_jobs[idx].kind * 0.5;
            }
        }
        out = m_jobs[best];
        m_jobs[best] = m_jobs.back();
        m_jobs.pop_back();
        return true;
    }
private:
    TracyLockableN(std::mutex, m_mutex, "JobQueue::m_mutex");
    std::vector<Job> m_jobs;
};

static JobQueue g_queue;

static void WorkerMain(int id) {
    std::string name = "Worker " + std::to_string(id);
    tracy::SetThreadName(name.c_str());
    std::vector<float> scratch(4096, 1.0f);
    unsigned seed = 777u * id;
    while (g_run.load()) {
        Job j;
        if (!g_queue.Pop(j)) { SleepUs(500); continue; }
        if (j.kind % 2 == 0) {
            ZoneScopedN("Job::AnimateSkeleton");
            Crunch(scratch, 100);
            seed = seed * 1664525u + 1013904223u;
            SleepUs(300 + int((seed >> 8) % 1600));  // waits on skinning results (varies per rig)
        } else {
            ZoneScopedN("Job::CullCluster");
            Crunch(scratch, 80);
            seed = seed * 1664525u + 1013904223u;
            SleepUs(300 + int((seed >> 8) % 1600));  // waits on visibility results
        }
    }
}

static void StreamingMain() {
    tracy::SetThreadName("Streaming");
    std::vector<float> buf(16384, 2.0f);
    while (g_run.load()) {
        ZoneScopedN("Assets::StreamChunk");
        { ZoneScopedN("Assets::ReadFile"); SleepUs(22000); }
        { ZoneScopedN("Assets::Decompress"); Crunch(buf, 2500); }
        SleepUs(8000);
    }
}

int main(int argc, char** argv) {
    std::string scen = argc > 1 ? argv[1] : "game";
    g_planted = (scen != "clean");
    tracy::SetThreadName("Main");
    const double runSeconds = 6.6;

    void* levelData = nullptr;
    std::vector<float> world(32768, 0.5f);
    {
        ZoneScopedN("Level::Load");
        levelData = TAlloc(4 << 20);
        Crunch(world, 30000);
        SleepUs(50000);
    }

    std::vector<std::thread> workers;
    for (int i = 1; i <= 3; ++i) workers.emplace_back(WorkerMain, i);
    std::thread streaming(StreamingMain);

    std::deque<std::pair<int, void*>> particles;  // (frame allocated, ptr)
    std::vector<Job> staged;
    std::vector<void*> decals;                     // never freed in planted scenario
    const auto start = Clock::now();
    auto nextFrame = start;
    auto nextCheckpoint = start + std::chrono::milliseconds(1200);
    auto nextDecal = start + std::chrono::milliseconds(150);
    int frame = 0;
    unsigned rng = 12345;
    while (std::chrono::duration<double>(Clock::now() - start).count() < runSeconds) {
        ++frame;
        {
            ZoneScopedN("Game::Tick");
            {
                ZoneScopedN("Input::Poll");
                Crunch(world, 150);
            }
            {
                ZoneScopedN("Game::Update");
                Crunch(world, 1000);
                ZoneNamedN(dispatchZone, "Jobs::Dispatch", true);
                for (int k = 0; k < 48; ++k) {
                    rng = rng * 1103515245u + 12345u;
                    staged.push_back(Job{int(rng >> 20) % 100, int(rng >> 8) & 7});
                }
                g_queue.TryPushBatch(staged);
            }
            {
                ZoneScopedN("Physics::Step");
                Crunch(world, 2600);
            }
            {
                ZoneScopedN("Particles::Emit");
                rng = rng * 1103515245u + 12345u;
                size_t sz = 8192 + (rng >> 16) % 24576;
                particles.emplace_back(frame, TAlloc(sz));
                while (!particles.empty() && particles.front().first <= frame - 30) {
                    TFree(particles.front().second);
                    particles.pop_front();
                }
                Crunch(world, 300);
            }
            if (Clock::now() >= nextDecal) {
                ZoneScopedN("Decal::Spawn");
                void* d = TAlloc(2048);
                if (g_planted) decals.push_back(d);  // BUG: decal records never released
                else TFree(d);
                Crunch(world, 100);
                nextDecal += std::chrono::milliseconds(250);
            }
            if (g_planted && Clock::now() >= nextCheckpoint) {
                ZoneScopedN("Save::Checkpoint");
                { ZoneScopedN("Save::Serialize"); Crunch(world, 8000); }
                { ZoneScopedN("Save::WriteFile"); SleepUs(32000); }
                nextCheckpoint += std::chrono::milliseconds(2500);
            }
            {
                ZoneScopedN("Render::Submit");
                Crunch(world, 2200);
            }
        }
        FrameMark;
        nextFrame += std::chrono::microseconds(16667);
        auto now = Clock::now();
        if (nextFrame > now) std::this_thread::sleep_until(nextFrame);
        else nextFrame = now;
    }

    g_run = false;
    for (auto& t : workers) t.join();
    streaming.join();
    {
        ZoneScopedN("Game::Shutdown");
        for (auto& p : particles) TFree(p.second);
        particles.clear();
        TFree(levelData);
    }
    fprintf(stderr, "frames %d decals leaked %zu\n", frame, decals.size());
    return 0;
}
