// Batch asset importer: a manifest is loaded, N "Import k" worker threads parse items and
// write one import-log line per item to a shared Log, a "Progress" thread reports stats,
// and the main thread builds the final index.
// Usage: importer MODE [THREADS] [ITEMS_TOTAL]
//   MODE = perline  : Log::Write called once per item (flush per line, under Log::m_mutex)
//          batched  : lines buffered per batch of 64 items, one Log::Write per batch
#include "tracy/Tracy.hpp"
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <sys/prctl.h>
#include <time.h>

using Clock = std::chrono::steady_clock;
using namespace std::chrono;

static volatile uint64_t g_sink = 0;

static uint64_t thread_cpu_ns() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
}

// Real work (FNV-style hashing over a byte buffer) until this thread has used `us` of CPU.
static uint64_t hash_cpu(const std::vector<uint8_t>& data, int us, uint64_t seed) {
    uint64_t end = thread_cpu_ns() + uint64_t(us) * 1000;
    uint64_t h = 1469598103934665603ull ^ seed;
    size_t i = seed % data.size();
    do {
        for (int k = 0; k < 512; ++k) {
            h ^= data[i];
            h *= 1099511628211ull;
            i = (i + 7) % data.size();
        }
    } while (thread_cpu_ns() < end);
    g_sink = g_sink + h;
    return h;
}

// ---------------- Log ----------------
class Log {
public:
    // One write call: format + write + flush to the import log (the flush is a device wait).
    void Write(const std::string& text, int lines) {
        std::lock_guard<LockableBase(std::mutex)> lk(m_mutex);
        ZoneScopedN("Log::Write");
        m_bytes += text.size();
        m_lines += lines;
        // flush: ~60 us fixed cost per call + a little per line
        std::this_thread::sleep_for(microseconds(60 + lines / 4));
    }
    size_t lines() const { return m_lines; }

private:
    TracyLockableN(std::mutex, m_mutex, "Log::m_mutex");
    size_t m_bytes = 0;
    size_t m_lines = 0;
};
static Log g_log;

// ---------------- Stats (distractor lock, lightly used) ----------------
struct Stats {
    TracyLockableN(std::mutex, m_mutex, "Stats::m_mutex");
    long items = 0;
    long bytes = 0;
};
static Stats g_stats;
static std::atomic<bool> g_done{false};

struct Item { int id; const std::vector<uint8_t>* blob; };

static void import_thread(int idx, std::vector<Item>* items, size_t begin, size_t end, bool perline) {
    char name[32];
    snprintf(name, sizeof name, "Import %d", idx);
    tracy::SetThreadName(name);
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    ZoneScopedN("Import::Worker");
    std::string pending;
    int pendingLines = 0;
    const size_t kBatch = 64;
    for (size_t b = begin; b < end; b += kBatch) {
        size_t be = std::min(end, b + kBatch);
        for (size_t i = b; i < be; ++i) {
            Item& it = (*items)[i];
            uint64_t h;
            {
                ZoneScopedN("Import::Parse");
                // read the source chunk (device wait), then tokenize/hash it
                std::this_thread::sleep_for(microseconds(60));
                h = hash_cpu(*it.blob, 30, uint64_t(it.id));
            }
            char line[96];
            int n = snprintf(line, sizeof line, "item %d ok hash=%016llx\n", it.id, (unsigned long long)h);
            if (perline) {
                g_log.Write(std::string(line, n), 1);
            } else {
                pending.append(line, n);
                ++pendingLines;
            }
        }
        {
            ZoneScopedN("Import::ValidateBatch");
            hash_cpu(*(*items)[b].blob, 900, b);
        }
        if (!perline && pendingLines) {
            g_log.Write(pending, pendingLines);
            pending.clear();
            pendingLines = 0;
        }
        {
            std::lock_guard<LockableBase(std::mutex)> lk(g_stats.m_mutex);
            g_stats.items += long(be - b);
            g_stats.bytes += long((be - b) * 4096);
        }
    }
}

static void progress_thread() {
    tracy::SetThreadName("Progress");
    long last = 0;
    while (!g_done) {
        std::this_thread::sleep_for(milliseconds(100));
        ZoneScopedN("Progress::Report");
        long items;
        {
            std::lock_guard<LockableBase(std::mutex)> lk(g_stats.m_mutex);
            items = g_stats.items;
        }
        char msg[64];
        int n = snprintf(msg, sizeof msg, "imported %ld items (+%ld)", items, items - last);
        TracyMessage(msg, n);
        TracyPlot("items_imported", int64_t(items));
        last = items;
    }
}

int main(int argc, char** argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s perline|batched [THREADS] [ITEMS]\n", argv[0]); return 2; }
    bool perline = strcmp(argv[1], "perline") == 0;
    int threads = argc > 2 ? atoi(argv[2]) : 6;
    size_t total = argc > 3 ? size_t(atol(argv[3])) : 26000;
    tracy::SetThreadName("Main");

    std::vector<Item> items;
    std::vector<uint8_t> seedData(1 << 16);
    {
        ZoneScopedN("Import::LoadManifest");
        for (size_t i = 0; i < seedData.size(); ++i) seedData[i] = uint8_t(i * 2654435761u >> 13);
        items.resize(total);
        // shared blobs so memory stays small; ids unique
        for (size_t i = 0; i < total; ++i) { items[i].id = int(i); items[i].blob = &seedData; }
        hash_cpu(seedData, 150000, 1);
    }

    std::thread prog(progress_thread);
    {
        ZoneScopedN("Import::RunWorkers");
        std::vector<std::thread> ws;
        size_t per = (total + threads - 1) / threads;
        for (int t = 0; t < threads; ++t) {
            size_t b = t * per, e = std::min(total, b + per);
            ws.emplace_back(import_thread, t, &items, b, e, perline);
        }
        for (auto& w : ws) w.join();
    }
    {
        ZoneScopedN("Import::BuildIndex");
        std::vector<uint8_t> idx(1 << 16, 3);
        hash_cpu(idx, 200000, 2);
    }
    g_done = true;
    prog.join();
    fprintf(stderr, "done: %zu lines logged\n", g_log.lines());
    return 0;
}
