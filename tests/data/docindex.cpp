// docindex (blind463; built as doc_indexer): doc_indexer: batch tool that builds a full-text index over a source tree.
// Main thread: load config, scan the tree, then start one std::thread per file (at most N alive at once),
// then finalize (sort postings) and save the index. Each worker runs File::Process: read + parse the file,
// then insert its tokens into the shared index under the global Index::m_mutex.
// A Progress thread reports progress 20x per second under Progress::m_mutex.
// Usage: doc_indexer [threads=8] [files=150]
#include "tracy/Tracy.hpp"
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

using Clock = std::chrono::steady_clock;
static Clock::time_point After(Clock::time_point t, double ms) { return t + std::chrono::microseconds((long long)(ms * 1000.0)); }
static void SleepMs(double ms) { std::this_thread::sleep_for(std::chrono::microseconds((long long)(ms * 1000.0))); }

static uint64_t Mix(uint64_t x) {
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL; x ^= x >> 33;
    return x;
}

struct FileEntry {
    std::string path;
    size_t bytes;
};

struct Doc {
    int id;
    std::vector<uint64_t> tokens;
};

// ---------------- shared index ----------------
struct Index {
    TracyLockableN(std::mutex, m_mutex, "Index::m_mutex");
    std::unordered_map<uint64_t, std::vector<int>> postings;
    uint64_t checksum = 0;

    // Caller holds m_mutex. Inserts all tokens and keeps the term dictionary balanced (~4 ms per file).
    void Insert(const Doc& d, double ms) {
        ZoneScopedN("Index::Insert");
        auto end = After(Clock::now(), ms * 0.38);   // update the term dictionary / postings (CPU)
        size_t i = 0;
        while (Clock::now() < end) {
            for (int k = 0; k < 64; ++k) {
                uint64_t t = d.tokens[i % d.tokens.size()];
                auto& v = postings[t & 0xffff];
                if (v.empty() || v.back() != d.id) v.push_back(d.id);
                checksum += Mix(t + i);
                ++i;
            }
        }
        {
            ZoneScopedN("Index::AppendJournal");   // write-ahead journal record, synchronous write
            SleepMs(ms * 0.62);
        }
    }
};
static Index g_index;

// ---------------- progress ----------------
struct Progress {
    TracyLockableN(std::mutex, m_mutex, "Progress::m_mutex");
    std::string current;
    int started = 0;
    std::atomic<int> finished{0};
    std::atomic<bool> quit{false};
};
static Progress g_progress;

static void ProgressThread(int total) {
    tracy::SetThreadName("progress");
    int lastShown = -1;
    while (!g_progress.quit.load()) {
        {
            ZoneScopedN("Progress::Report");
            std::string cur;
            int started;
            {
                std::lock_guard<LockableBase(std::mutex)> lk(g_progress.m_mutex);
                cur = g_progress.current;
                started = g_progress.started;
            }
            int fin = g_progress.finished.load();
            if (fin / 20 != lastShown) {
                lastShown = fin / 20;
                fprintf(stderr, "[%3d/%3d] started %d, %s\n", fin, total, started, cur.c_str());
            }
            TracyPlot("files_finished", (int64_t)fin);
        }
        SleepMs(50);
    }
}

// ---------------- per-file worker ----------------
static void ProcessFile(int id, const FileEntry* fe) {
    char tname[32];
    snprintf(tname, sizeof tname, "idx-worker-%03d", id);
    tracy::SetThreadName(tname);

    ZoneScopedN("File::Process");
    ZoneText(fe->path.c_str(), fe->path.size());

    uint64_t h = Mix((uint64_t)id * 7919 + 17);
    double sizeFactor = (double)fe->bytes / 48000.0;   // 0.75 .. 1.25

    std::vector<char> buf;
    {
        ZoneScopedN("File::Read");
        buf.resize(fe->bytes);
        for (size_t i = 0; i < buf.size(); i += 64) buf[i] = (char)(h >> (i % 56));
        SleepMs(7.0 * sizeFactor);   // disk read
    }
    Doc doc;
    doc.id = id;
    {
        ZoneScopedN("File::Parse");
        auto end = After(Clock::now(), 3.0 * sizeFactor);
        uint64_t acc = h;
        size_t i = 0;
        while (Clock::now() < end) {
            for (int k = 0; k < 128; ++k) {
                acc = Mix(acc + (unsigned char)buf[i % buf.size()]);
                if ((acc & 7) == 0 && doc.tokens.size() < 8192) doc.tokens.push_back(acc);
                ++i;
            }
        }
        if (doc.tokens.empty()) doc.tokens.push_back(acc);
    }
    {
        std::lock_guard<LockableBase(std::mutex)> lk(g_index.m_mutex);
        g_index.Insert(doc, 3.4 + 0.6 * sizeFactor);
    }
    g_progress.finished.fetch_add(1);
}

// ---------------- main-thread phases ----------------
static std::vector<FileEntry> ScanTree(int nfiles) {
    ZoneScopedN("Indexer::ScanTree");
    static const char* dirs[] = {"src/core", "src/render", "src/net", "src/audio", "src/tools", "include", "docs", "tests"};
    static const char* exts[] = {".cpp", ".h", ".md", ".inl"};
    std::vector<FileEntry> out;
    for (int d = 0; d < 8; ++d) {
        ZoneScopedN("Indexer::ListDirectory");
        ZoneText(dirs[d], strlen(dirs[d]));
        SleepMs(60);   // readdir + stat
        auto end = After(Clock::now(), 25);
        uint64_t acc = d;
        while (Clock::now() < end) acc = Mix(acc);   // glob / ignore-rule matching
        for (int f = d; f < nfiles; f += 8) {
            uint64_t r = Mix((uint64_t)f * 131 + 7);
            char name[96];
            snprintf(name, sizeof name, "%s/module_%03d%s", dirs[d], f, exts[r % 4]);
            out.push_back({name, (size_t)(36000 + r % 24000)});
        }
    }
    std::sort(out.begin(), out.end(), [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
    return out;
}

static void Finalize() {
    ZoneScopedN("Index::Finalize");
    std::vector<uint64_t> keys;
    {
        ZoneScopedN("Index::SortPostings");
        for (auto& kv : g_index.postings) {
            keys.push_back(kv.first);
            std::sort(kv.second.begin(), kv.second.end());
        }
        std::sort(keys.begin(), keys.end());
        auto end = After(Clock::now(), 700);
        uint64_t acc = keys.size();
        while (Clock::now() < end) for (int k = 0; k < 256; ++k) acc = Mix(acc + keys[acc % keys.size()]);
        g_index.checksum ^= acc;
    }
    {
        ZoneScopedN("Index::BuildSkipLists");
        auto end = After(Clock::now(), 350);
        uint64_t acc = 1;
        while (Clock::now() < end) for (int k = 0; k < 256; ++k) acc = Mix(acc + k);
        g_index.checksum ^= acc;
    }
}

static void Save() {
    ZoneScopedN("Index::Save");
    for (int s = 0; s < 6; ++s) {
        ZoneScopedN("Index::WriteSegment");
        auto end = After(Clock::now(), 20);   // compress
        uint64_t acc = s;
        while (Clock::now() < end) acc = Mix(acc);
        SleepMs(75);                           // write + fsync
        g_index.checksum ^= acc;
    }
}

int main(int argc, char** argv) {
    int maxThreads = argc > 1 ? atoi(argv[1]) : 8;
    int nfiles = argc > 2 ? atoi(argv[2]) : 150;
    if (maxThreads < 1) maxThreads = 1;
    tracy::SetThreadName("main");
    TracyMessageL("doc_indexer start");
    {
        char msg[64];
        snprintf(msg, sizeof msg, "max worker threads: %d", maxThreads);
        TracyMessage(msg, strlen(msg));
    }

    {
        ZoneScopedN("Config::Load");
        SleepMs(40);
    }
    std::vector<FileEntry> files = ScanTree(nfiles);
    std::thread progress(ProgressThread, (int)files.size());

    std::mutex slotMutex;   // plain mutex: thread-slot bookkeeping only
    std::condition_variable slotCv;
    int alive = 0;
    std::vector<std::thread> threads;
    threads.reserve(files.size());
    {
        ZoneScopedN("Indexer::IndexFiles");
        for (size_t i = 0; i < files.size(); ++i) {
            {
                std::unique_lock<std::mutex> lk(slotMutex);
                if (alive >= maxThreads) {
                    ZoneScopedN("Indexer::WaitForSlot");
                    slotCv.wait(lk, [&] { return alive < maxThreads; });
                }
                ++alive;
            }
            {
                std::lock_guard<LockableBase(std::mutex)> lk(g_progress.m_mutex);
                g_progress.current = files[i].path;
                g_progress.started++;
            }
            const FileEntry* fe = &files[i];
            int id = (int)i;
            threads.emplace_back([id, fe, &slotMutex, &slotCv, &alive] {
                ProcessFile(id, fe);
                {
                    std::lock_guard<std::mutex> lk(slotMutex);
                    --alive;
                }
                slotCv.notify_one();
            });
        }
        {
            ZoneScopedN("Indexer::JoinWorkers");
            for (auto& t : threads) t.join();
        }
    }
    TracyMessageL("all files indexed");
    Finalize();
    Save();
    g_progress.quit.store(true);
    progress.join();
    fprintf(stderr, "indexed %zu files, %zu terms, checksum %016llx\n", files.size(), g_index.postings.size(),
            (unsigned long long)g_index.checksum);
    TracyMessageL("doc_indexer done");
    return 0;
}
