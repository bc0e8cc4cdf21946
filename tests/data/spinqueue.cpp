// spinqueue: a log-processing pipeline (log shipper / indexer) instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project). Threads:
//   "Reader"    reads the input file in chunks (Reader::ReadChunk, short I/O sleep every 32 lines) and parses each
//               line (Reader::ParseLine, real CPU) into a LogRecord (memory pool "LogRecord"), pushes it on the
//               work queue
//   "Worker 1", "Worker 2"
//               pop records from the work queue and process them: Worker::Process > Parse::Fields,
//               Index::Insert (takes Tracy lock "Index::mutex", shared by both workers), then hand the record
//               to the writer (Tracy lock "Output::mutex")
//   "Writer"    waits for records (Writer::WaitBatch), writes them out in batches of 64 (Writer::Flush, an I/O
//               sleep), frees them; marks a named frame "Batch written" (FrameMarkNamed) per batch
//   "Stats"     every 500 ms Stats::Report: plots "processed items/s", "work queue depth" and logs a message
//
// Usage: spinqueue <scenario>
//   slow_producer  the work queue is a lock-free MPMC ring (atomics); when it is empty the workers busy-spin in
//                  Queue::SpinPop (a pause loop): they burn CPU while waiting for the Reader, whose
//                  ParseLine (~0.9 ms of CPU per line) is the pipeline's limit; on a 2-core machine the spinning
//                  workers take CPU from the Reader, so ParseLine's wall time grows and throughput drops
//   fixed          same pipeline but the work queue is a mutex + condition variable ("WorkQueue::mutex"); idle
//                  workers block in Queue::Pop (sleep) and leave the CPUs to the Reader
//
// CPU work is a fixed amount of *thread CPU time* (CLOCK_THREAD_CPUTIME_ID), so a call's CPU cost is the same in
// both scenarios and its wall time grows only when the thread is preempted. The Reader runs for 4.0 s; then the
// workers drain the queue and everything ends.
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh / record_sys.sh).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <immintrin.h>
#include <time.h>

#include "tracy/Tracy.hpp"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace
{

bool g_spin = false;  // slow_producer: lock-free ring + spinning workers

volatile uint64_t g_sink = 0;

inline int64_t ThreadCpuNs()
{
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Real CPU work over a small buffer until the thread has used `cpuNs` of CPU time.
__attribute__((noinline)) uint64_t CrunchBytes(uint8_t* buf, size_t n, int64_t cpuNs, uint64_t seed)
{
    const int64_t until = ThreadCpuNs() + cpuNs;
    uint64_t h = seed | 1;
    for (;;)
    {
        for (int rep = 0; rep < 48; ++rep)
            for (size_t i = 0; i < n; ++i)
            {
                h ^= buf[i];
                h *= 0x100000001b3ull;
                buf[i] = uint8_t(h >> 29);
            }
        if (ThreadCpuNs() >= until) break;
    }
    return h;
}

__attribute__((noinline)) uint64_t TokenizeLine(uint8_t* buf, size_t n, int64_t cpuNs, uint64_t seed)
{
    return CrunchBytes(buf, n, cpuNs, seed);
}
__attribute__((noinline)) uint64_t DecodeTimestamp(uint8_t* buf, size_t n, int64_t cpuNs, uint64_t seed)
{
    return CrunchBytes(buf, n, cpuNs, seed ^ 0x9e37);
}
__attribute__((noinline)) uint64_t SplitFields(uint8_t* buf, size_t n, int64_t cpuNs, uint64_t seed)
{
    return CrunchBytes(buf, n, cpuNs, seed ^ 0x51ed);
}
__attribute__((noinline)) uint64_t HashTerms(uint8_t* buf, size_t n, int64_t cpuNs, uint64_t seed)
{
    return CrunchBytes(buf, n, cpuNs, seed ^ 0xabcd);
}

struct LogRecord
{
    uint64_t seq;
    uint32_t bytes;
    uint8_t payload[200];
};

// ---------------------------------------------------------------- work queues

// Lock-free bounded MPMC ring (Vyukov): one producer (Reader), two consumers (Workers).
class LockFreeRing
{
public:
    explicit LockFreeRing(size_t cap) : m_mask(cap - 1), m_cells(cap)
    {
        for (size_t i = 0; i < cap; ++i) m_cells[i].seq.store(i, std::memory_order_relaxed);
    }
    bool TryPush(LogRecord* r)
    {
        size_t pos = m_tail.load(std::memory_order_relaxed);
        for (;;)
        {
            Cell& c = m_cells[pos & m_mask];
            size_t seq = c.seq.load(std::memory_order_acquire);
            intptr_t dif = intptr_t(seq) - intptr_t(pos);
            if (dif == 0)
            {
                if (m_tail.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
            }
            else if (dif < 0)
                return false;
            else
                pos = m_tail.load(std::memory_order_relaxed);
        }
        Cell& c = m_cells[pos & m_mask];
        c.data = r;
        c.seq.store(pos + 1, std::memory_order_release);
        return true;
    }
    bool TryPop(LogRecord*& r)
    {
        size_t pos = m_head.load(std::memory_order_relaxed);
        for (;;)
        {
            Cell& c = m_cells[pos & m_mask];
            size_t seq = c.seq.load(std::memory_order_acquire);
            intptr_t dif = intptr_t(seq) - intptr_t(pos + 1);
            if (dif == 0)
            {
                if (m_head.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
            }
            else if (dif < 0)
                return false;
            else
                pos = m_head.load(std::memory_order_relaxed);
        }
        Cell& c = m_cells[pos & m_mask];
        r = c.data;
        c.seq.store(pos + m_mask + 1, std::memory_order_release);
        return true;
    }
    size_t Depth() const { return m_tail.load() - m_head.load(); }

private:
    struct Cell
    {
        std::atomic<size_t> seq;
        LogRecord* data;
    };
    size_t m_mask;
    std::vector<Cell> m_cells;
    alignas(64) std::atomic<size_t> m_head{0};
    alignas(64) std::atomic<size_t> m_tail{0};
};

LockFreeRing g_ring(1024);

// Blocking queue (fixed): mutex + condition variable.
TracyLockableN(std::mutex, g_workMutex, "WorkQueue::mutex");
std::condition_variable_any g_workCv;
std::deque<LogRecord*> g_workQ;

std::atomic<bool> g_readerDone{false};
std::atomic<uint64_t> g_processed{0};
std::atomic<uint64_t> g_written{0};

void PushWork(LogRecord* r)
{
    if (g_spin)
    {
        while (!g_ring.TryPush(r)) _mm_pause();
    }
    else
    {
        {
            std::lock_guard<LockableBase(std::mutex)> lk(g_workMutex);
            g_workQ.push_back(r);
        }
        g_workCv.notify_one();
    }
}

// Returns nullptr when the reader is done and the queue is drained.
LogRecord* PopWork()
{
    if (g_spin)
    {
        ZoneScopedN("Queue::SpinPop");
        LogRecord* r = nullptr;
        uint64_t spins = 0;
        for (;;)
        {
            if (g_ring.TryPop(r)) break;
            if (g_readerDone.load(std::memory_order_acquire) && g_ring.Depth() == 0)
            {
                r = nullptr;
                break;
            }
            for (int i = 0; i < 32; ++i) _mm_pause();  // pure busy-wait: never yields the core
            ++spins;
        }
        ZoneValue(spins);
        return r;
    }
    ZoneScopedN("Queue::Pop");
    std::unique_lock<LockableBase(std::mutex)> lk(g_workMutex);
    g_workCv.wait(lk, [] { return !g_workQ.empty() || g_readerDone.load(); });
    if (g_workQ.empty()) return nullptr;
    LogRecord* r = g_workQ.front();
    g_workQ.pop_front();
    return r;
}

size_t WorkDepth()
{
    if (g_spin) return g_ring.Depth();
    std::lock_guard<LockableBase(std::mutex)> lk(g_workMutex);
    return g_workQ.size();
}

// ---------------------------------------------------------------- index + output
TracyLockableN(std::mutex, g_indexMutex, "Index::mutex");
uint64_t g_indexTerms = 0;

TracyLockableN(std::mutex, g_outMutex, "Output::mutex");
std::condition_variable_any g_outCv;
std::deque<LogRecord*> g_outQ;
std::atomic<int> g_workersLeft{2};

// ---------------------------------------------------------------- threads
void ReaderThread()
{
    tracy::SetThreadName("Reader");
    std::mt19937 rng(7);
    uint8_t line[240];
    for (auto& b : line) b = uint8_t(rng());
    const auto end = Clock::now() + 4000ms;
    uint64_t seq = 0;
    TracyMessageL("Reader: opened /var/log/ingest/app-2024-11-30.log");
    while (Clock::now() < end)
    {
        if (seq % 32 == 0)
        {
            ZoneScopedN("Reader::ReadChunk");
            std::this_thread::sleep_for(1200us);  // read(2) of the next 8 KiB chunk
        }
        LogRecord* r = new LogRecord;
        TracyAllocN(r, sizeof(LogRecord), "LogRecord");
        r->seq = seq;
        r->bytes = 120 + uint32_t(rng() % 120);
        {
            ZoneScopedN("Reader::ParseLine");
            // ~0.9 ms of CPU per line: tokenizer + timestamp decoding (the slow part of the pipeline)
            g_sink += TokenizeLine(line, 240, 620000, seq);
            g_sink += DecodeTimestamp(line, 240, 280000, seq);
            memcpy(r->payload, line, sizeof(r->payload));
        }
        PushWork(r);
        ++seq;
    }
    g_readerDone.store(true);
    if (!g_spin)
    {
        std::lock_guard<LockableBase(std::mutex)> lk(g_workMutex);
        g_workCv.notify_all();
    }
    char msg[128];
    snprintf(msg, sizeof msg, "Reader: end of input after %llu lines", (unsigned long long)seq);
    TracyMessage(msg, strlen(msg));
}

void WorkerThread(int idx)
{
    char name[32];
    snprintf(name, sizeof name, "Worker %d", idx);
    tracy::SetThreadName(name);
    uint8_t scratch[200];
    for (;;)
    {
        LogRecord* r = PopWork();
        if (!r) break;
        {
            ZoneScopedN("Worker::Process");
            ZoneValue(r->seq);
            memcpy(scratch, r->payload, sizeof scratch);
            {
                ZoneScopedN("Parse::Fields");
                // every 150th record is a multi-line stack trace: much longer to split (a harmless spike)
                const int64_t cost = (r->seq % 150 == 77) ? 2500000 : 130000;
                g_sink += SplitFields(scratch, sizeof scratch, cost, r->seq);
            }
            {
                ZoneScopedN("Index::Insert");
                std::lock_guard<LockableBase(std::mutex)> lk(g_indexMutex);
                LockMark(g_indexMutex);
                g_sink += HashTerms(scratch, sizeof scratch, 90000, r->seq);
                g_indexTerms += 7;
            }
        }
        {
            std::lock_guard<LockableBase(std::mutex)> lk(g_outMutex);
            g_outQ.push_back(r);
        }
        g_outCv.notify_one();
        g_processed.fetch_add(1);
    }
    if (g_workersLeft.fetch_sub(1) == 1)
    {
        std::lock_guard<LockableBase(std::mutex)> lk(g_outMutex);
        g_outCv.notify_all();
    }
}

void WriterThread()
{
    tracy::SetThreadName("Writer");
    std::vector<LogRecord*> batch;
    for (;;)
    {
        bool last = false;
        {
            ZoneScopedN("Writer::WaitBatch");
            std::unique_lock<LockableBase(std::mutex)> lk(g_outMutex);
            g_outCv.wait(lk, [] { return g_outQ.size() >= 64 || g_workersLeft.load() == 0; });
            while (!g_outQ.empty() && batch.size() < 64)
            {
                batch.push_back(g_outQ.front());
                g_outQ.pop_front();
            }
            last = g_workersLeft.load() == 0 && g_outQ.empty();
        }
        if (!batch.empty())
        {
            ZoneScopedN("Writer::Flush");
            ZoneValue(batch.size());
            std::this_thread::sleep_for(9ms);  // write(2) + fsync of the output segment
            for (LogRecord* r : batch)
            {
                TracyFreeN(r, "LogRecord");
                delete r;
            }
            g_written.fetch_add(batch.size());
            batch.clear();
            FrameMarkNamed("Batch written");
        }
        if (last) break;
    }
    char msg[128];
    snprintf(msg, sizeof msg, "Writer: closed output, %llu records written", (unsigned long long)g_written.load());
    TracyMessage(msg, strlen(msg));
}

std::atomic<bool> g_stop{false};

void StatsThread()
{
    tracy::SetThreadName("Stats");
    uint64_t last = 0;
    auto lastT = Clock::now();
    while (!g_stop.load())
    {
        for (int i = 0; i < 50 && !g_stop.load(); ++i) std::this_thread::sleep_for(10ms);
        ZoneScopedN("Stats::Report");
        const auto now = Clock::now();
        const uint64_t p = g_processed.load();
        const double dt = std::chrono::duration<double>(now - lastT).count();
        const double rate = (p - last) / dt;
        last = p;
        lastT = now;
        TracyPlot("processed items/s", rate);
        TracyPlot("work queue depth", int64_t(WorkDepth()));
        char msg[160];
        snprintf(msg, sizeof msg, "stats: processed=%llu written=%llu rate=%.0f/s",
                 (unsigned long long)p, (unsigned long long)g_written.load(), rate);
        TracyMessage(msg, strlen(msg));
    }
}

}  // namespace

int main(int argc, char** argv)
{
    const char* sc = argc > 1 ? argv[1] : "fixed";
    if (!strcmp(sc, "slow_producer"))
        g_spin = true;
    else if (!strcmp(sc, "fixed"))
        g_spin = false;
    else
    {
        fprintf(stderr, "usage: spinqueue slow_producer|fixed\n");
        return 2;
    }
    tracy::SetThreadName("Main thread");
    std::this_thread::sleep_for(200ms);  // let the profiler connect
    TracyMessageL(g_spin ? "work queue: lock-free ring, spinning consumers" : "work queue: mutex + condvar");
    std::thread stats(StatsThread);
    std::thread writer(WriterThread);
    std::thread w1(WorkerThread, 1), w2(WorkerThread, 2);
    std::thread reader(ReaderThread);
    reader.join();
    w1.join();
    w2.join();
    writer.join();
    g_stop.store(true);
    stats.join();
    char msg[128];
    snprintf(msg, sizeof msg, "pipeline done: %llu records processed", (unsigned long long)g_processed.load());
    TracyMessage(msg, strlen(msg));
    fprintf(stderr, "%s (%s)\n", msg, sc);
    return 0;
}
