// buildtool (blind464): buildtool: a tiny "make -j4"-style build driver instrumented with Tracy.
// The main thread spawns one std::thread per compile job (at most 4 alive at once).
// Scenarios: "leak" (default) keeps every Diagnostics::Record in a global list forever;
//            "fixed" releases the records once the build summary has been printed.
#include "tracy/Tracy.hpp"

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
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr int kJobs = 100;
constexpr int kMaxParallel = 4;
constexpr size_t kParseTreeBytes = 64 * 1024;
constexpr size_t kObjectBufferBytes = 4 * 1024 * 1024;
constexpr size_t kDiagRecordBytes = 2 * 1024;
constexpr int kStackDepth = 8;

struct DiagRecord {
    char* data;
    size_t size;
};

TracyLockable(std::mutex, g_diagMutex);
std::vector<DiagRecord> g_diagnostics;  // global list of warnings, printed at the end

std::atomic<uint64_t> g_sink{0};

const char* kDirs[] = {"src/core/", "src/render/", "src/net/", "src/audio/", "src/ui/"};
const char* kStems[] = {"allocator", "scheduler", "mesh", "texture", "socket", "packet", "mixer",
                        "voice", "widget", "layout", "string_pool", "hash_map", "shader", "camera",
                        "physics", "collider", "archive", "config", "logger", "timer"};

std::string sourceName(int i) {
    return std::string(kDirs[i % 5]) + kStems[(i / 5) % 20] + "_" + std::to_string(i) + ".cpp";
}

// 40 of the 100 files produce a warning.
bool hasWarnings(int i) { return (i % 5 == 1) || (i % 5 == 3); }

uint64_t burn(const unsigned char* p, size_t n, int rounds) {
    uint64_t h = 1469598103934665603ull;
    for (int r = 0; r < rounds; ++r)
        for (size_t k = 0; k < n; k += 64) {
            h ^= p[k] + r;
            h *= 1099511628211ull;
        }
    return h;
}

void lexSource(const std::string& file, std::vector<unsigned char>& tokens) {
    ZoneScopedN("Compile::Lex");
    tokens.resize(16 * 1024);
    for (size_t k = 0; k < tokens.size(); ++k) tokens[k] = (unsigned char)(file[k % file.size()] + k);
    g_sink += burn(tokens.data(), tokens.size(), 200);
    std::this_thread::sleep_for(4ms);
}

void parseUnit(const std::vector<unsigned char>& tokens) {
    ZoneScopedN("Compile::Parse");
    char* tree = (char*)std::malloc(kParseTreeBytes);  // Compile::ParseTree
    TracyAllocS(tree, kParseTreeBytes, kStackDepth);
    std::memset(tree, 0x2a, kParseTreeBytes);
    for (size_t k = 0; k < kParseTreeBytes; k += 97) tree[k] ^= tokens[k % tokens.size()];
    g_sink += burn((const unsigned char*)tree, kParseTreeBytes, 20);
    std::this_thread::sleep_for(12ms);
    {
        ZoneScopedN("Compile::SemanticCheck");
        std::this_thread::sleep_for(8ms);
    }
    TracyFreeS(tree, kStackDepth);
    std::free(tree);
}

void recordDiagnostics(int job, const std::string& file) {
    ZoneScopedN("Diagnostics::Record");
    ZoneText(file.c_str(), file.size());
    char* rec = (char*)std::malloc(kDiagRecordBytes);
    TracyAllocS(rec, kDiagRecordBytes, kStackDepth);
    std::snprintf(rec, kDiagRecordBytes, "%s:%d:5: warning: unused variable 'tmp%d' [-Wunused-variable]",
                  file.c_str(), 40 + job, job);
    std::lock_guard<LockableBase(std::mutex)> lk(g_diagMutex);
    g_diagnostics.push_back({rec, kDiagRecordBytes});
}

void codegen(int job) {
    ZoneScopedN("Compile::Codegen");
    char* obj = (char*)std::malloc(kObjectBufferBytes);  // Compile::ObjectBuffer
    TracyAllocS(obj, kObjectBufferBytes, kStackDepth);
    std::memset(obj, job & 0xff, kObjectBufferBytes);
    {
        ZoneScopedN("Compile::Optimize");
        g_sink += burn((const unsigned char*)obj, kObjectBufferBytes, 1);
        std::this_thread::sleep_for(60ms);
    }
    {
        ZoneScopedN("Compile::EmitObject");
        std::this_thread::sleep_for(30ms);
    }
    // object written to disk: the buffer is released as the job ends
    TracyFreeS(obj, kStackDepth);
    std::free(obj);
}

void compileUnit(int job) {
    std::string file = sourceName(job);
    std::string tname = "cc1 job " + std::to_string(job);
    tracy::SetThreadName(tname.c_str());
    ZoneScopedN("Compile::Unit");
    ZoneText(file.c_str(), file.size());
    std::vector<unsigned char> tokens;
    lexSource(file, tokens);
    parseUnit(tokens);
    if (hasWarnings(job)) recordDiagnostics(job, file);
    codegen(job);
}

}  // namespace

int main(int argc, char** argv) {
    std::string scenario = argc > 1 ? argv[1] : "leak";
    tracy::SetThreadName("make");
    std::this_thread::sleep_for(50ms);
    {
        ZoneScopedN("Build::Run");
        {
            ZoneScopedN("Build::ScanDependencies");
            std::vector<unsigned char> graph(256 * 1024, 7);
            g_sink += burn(graph.data(), graph.size(), 60);
            std::this_thread::sleep_for(60ms);
        }
        {
            ZoneScopedN("Build::CompileAll");
            std::mutex m;
            std::condition_variable cv;
            int alive = 0;
            std::vector<std::thread> threads;
            threads.reserve(kJobs);
            for (int j = 0; j < kJobs; ++j) {
                {
                    std::unique_lock<std::mutex> lk(m);
                    cv.wait(lk, [&] { return alive < kMaxParallel; });
                    ++alive;
                }
                threads.emplace_back([&, j] {
                    compileUnit(j);
                    {
                        std::lock_guard<std::mutex> lk(m);
                        --alive;
                    }
                    cv.notify_one();
                });
            }
            for (auto& t : threads) t.join();
        }
        {
            ZoneScopedN("Build::Link");
            std::this_thread::sleep_for(150ms);
        }
        {
            ZoneScopedN("Build::PrintSummary");
            std::lock_guard<LockableBase(std::mutex)> lk(g_diagMutex);
            std::fprintf(stderr, "%zu warnings\n", g_diagnostics.size());
            if (scenario == "fixed") {
                for (auto& d : g_diagnostics) {
                    TracyFreeS(d.data, kStackDepth);
                    std::free(d.data);
                }
                g_diagnostics.clear();
            }
        }
    }
    std::this_thread::sleep_for(100ms);
    std::fprintf(stderr, "done (%llu)\n", (unsigned long long)g_sink.load());
    return 0;
}
