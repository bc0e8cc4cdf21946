// The Tracy client program behind tests/data/discardpool-0.14.0.tracy (see README.md there). It is built outside
// this project against Tracy 0.14.0's public client sources; nothing here is compiled by the project.
//  - pool "Arena": allocations, some single frees, then TracyMemoryDiscard (every live block freed at one time),
//    three rounds; the default pool gets a few allocations too;
//  - threads "Early" and "Late": "Early" runs zones first and takes the lock only later, "Late" starts later and
//    takes the lock first, so the lock's thread list and the thread list order them differently; neither sends
//    messages or memory events; both burn CPU in their own function so CPU samples land on them.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "tracy/Tracy.hpp"

static TracyLockable(std::mutex, g_lock);
static std::atomic<bool> g_stop{false};

__attribute__((noinline)) static double spin_early(int n) {
    volatile double x = 1.0;
    for (int i = 0; i < n; i++) x = x * 1.0000001 + 0.5;
    return x;
}

__attribute__((noinline)) static double spin_late(int n) {
    volatile double x = 2.0;
    for (int i = 0; i < n; i++) x = x * 0.9999999 + 0.25;
    return x;
}

static void early() {
    tracy::SetThreadName("Early");
    auto start = std::chrono::steady_clock::now();
    while (!g_stop) {
        ZoneScopedN("EarlyWork");
        spin_early(200000);
        if (std::chrono::steady_clock::now() - start > std::chrono::milliseconds(200)) {
            std::lock_guard<LockableBase(std::mutex)> g(g_lock);
            ZoneScopedN("EarlyLocked");
            spin_early(20000);
        }
    }
}

static void late() {
    tracy::SetThreadName("Late");
    while (!g_stop) {
        std::lock_guard<LockableBase(std::mutex)> g(g_lock);
        ZoneScopedN("LateWork");
        spin_late(200000);
    }
}

int main() {
    // Wait for the receiver, so events arrive in the order they happen (queued events of several threads are
    // drained in producer order otherwise).
    for (int i = 0; i < 3000 && !TracyIsConnected; i++) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    TracyMessageL("discardpool start");
    std::vector<void*> keep;
    for (int i = 0; i < 8; i++) {
        void* p = std::malloc(64 + 16 * i);
        TracyAlloc(p, 64 + 16 * i);
        keep.push_back(p);
    }
    std::thread a(early);
    std::this_thread::sleep_for(std::chrono::milliseconds(80));
    std::thread b(late);

    // The arena hands out slots of one buffer; a discard drops every live slot at once.
    static char arena[1 << 16];
    unsigned seed = 7;
    for (int round = 0; round < 3; round++) {
        ZoneScopedN("ArenaRound");
        std::vector<std::pair<char*, size_t>> live;
        size_t off = 0;
        for (int i = 0; i < 150; i++) {
            seed = seed * 1103515245u + 12345u;
            const size_t size = 16 + (seed >> 16) % 200;
            char* p = arena + off;
            off += size;
            TracyAllocN(p, size, "Arena");
            live.emplace_back(p, size);
            if (i % 5 == 4) {  // free an older one now and then
                auto victim = live[live.size() / 2];
                TracyFreeN(victim.first, "Arena");
                live.erase(live.begin() + long(live.size() / 2));
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        TracyMemoryDiscard("Arena");
        FrameMark;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    g_stop = true;
    a.join();
    b.join();
    for (void* p : keep) {
        TracyFree(p);
        std::free(p);
    }
    TracyMessageL("discardpool end");
    return 0;
}
