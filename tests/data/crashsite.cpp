// crashsite: a small multiplayer trading-game server ("Harborline") instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project). It CRASHES at the end of some scenarios, so that the capture
// holds Tracy's crash report (thread, time, signal text, callstack).
//
// Threads: "Main" runs a 30 Hz Server::Tick with FrameMark: Net::PollInput, World::Simulate (big but steady),
// Jobs::Dispatch (pushes jobs onto a queue), Replication::Broadcast, Replay::Record (per-tick replay chunk,
// TracyAllocN pool "replay"), every 30 ticks Save::Autosave > Save::Serialize + Save::WriteFile.
// "Worker 1".."Worker 3" pop jobs: Jobs::Run (ZoneText = job) > Inventory::ApplyTrade (> Inventory::FindItem,
// Ledger::Commit under lock Ledger::mutex) | Pathing::Solve | Loot::Roll. "DB Writer": Db::Flush every 250 ms
// (a long, harmless 40 ms zone) > Db::WriteBatch. "Metrics": Metrics::Sample every 100 ms, plots.
// Messages (TracyMessageL / TracyMessage): player joins/leaves, trades rejected ("item not found", handled),
// autosave done, high ping warnings.
//
// Usage: crashsite <scenario>
//   nullptr   at ~4.0 s, Worker 2 runs trade 8812 whose item is not in the inventory: Inventory::FindItem returns
//             null, the message "trade 8812: item not found" is logged, but ApplyTrade goes on (Inventory::
//             ReserveSlots ~3 ms) and then dereferences the null item -> SIGSEGV inside Inventory::ApplyTrade
//             (called from Jobs::Run). Earlier "item not found" trades on other workers were rejected cleanly.
//   assert    the replay recorder never trims: Replay::Record allocates a chunk per tick (pool "replay") and never
//             frees it (it does in the other scenarios); Save::Serialize gets slower as it serializes the growing
//             replay; at the 5th autosave (~5 s) the replay section exceeds the limit: message
//             "assert failed: replay.size() <= kMaxSaveChunk (save/serializer.cpp:214)" then abort() on Main.
//   clean     same load, no crash, exits normally after ~5 s (a control).
//   slow      like clean, but Ledger::Commit is 2.5x slower (regression partner of clean).
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

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
#include <unordered_map>
#include <vector>

#include "tracy/Tracy.hpp"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static volatile double g_sink = 0.0;

static void busy_for( double us, double tail_us = 80.0 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > tail_us + 150.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

struct Rng
{
    std::mt19937 g;
    explicit Rng( uint32_t s ) : g( s ) {}
    double operator()( double base, double pct = 0.08 ) { return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g ); }
    int irange( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
};

enum class Scenario { Nullptr, Assert, Clean, Slow };
static Scenario g_scn = Scenario::Clean;
static std::atomic<bool> g_stop{ false };
static Clock::time_point g_start;

static double elapsed_s() { return std::chrono::duration<double>( Clock::now() - g_start ).count(); }

// ---------------------------------------------------------------- jobs
enum class JobKind { Trade, Path, Loot };
struct Job
{
    JobKind kind;
    int id;
    int item;
    int qty;
};

// one queue per worker; Jobs::Dispatch deals jobs round-robin
struct JobQueue
{
    std::mutex mtx;
    std::condition_variable cv;
    std::deque<Job> q;
};
static JobQueue g_queues[3];
static std::atomic<int> g_queueDepth{ 0 };

// ---------------------------------------------------------------- inventory
struct Item
{
    int id;
    int count;
    int slot;
};

namespace Inventory
{
static std::unordered_map<int, Item> g_items;
static std::mutex g_itemsMtx;

__attribute__( ( noinline ) ) Item* FindItem( int itemId, Rng& r )
{
    ZoneScopedN( "Inventory::FindItem" );
    busy_for( r( 250 ) );
    std::lock_guard<std::mutex> lk( g_itemsMtx );
    auto it = g_items.find( itemId );
    return it == g_items.end() ? nullptr : &it->second;
}

__attribute__( ( noinline ) ) void ReserveSlots( int tradeId, Rng& r )
{
    ZoneScopedN( "Inventory::ReserveSlots" );
    ZoneValue( tradeId );
    busy_for( r( 3000, 0.03 ) );
}
}

static TracyLockableN( std::mutex, g_ledgerMutex, "Ledger::mutex" );

namespace Ledger
{
void Commit( int tradeId, Rng& r )
{
    ZoneScopedN( "Ledger::Commit" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_ledgerMutex );
    busy_for( r( g_scn == Scenario::Slow ? 1500 : 600 ) );
    (void)tradeId;
}
}

namespace Inventory
{
__attribute__( ( noinline ) ) bool ApplyTrade( const Job& j, Rng& r, bool buggy )
{
    ZoneScopedN( "Inventory::ApplyTrade" );
    ZoneValue( j.id );
    Item* item = FindItem( j.item, r );
    if( !item )
    {
        char buf[96];
        snprintf( buf, sizeof( buf ), "trade %d: item not found", j.id );
        TracyMessage( buf, strlen( buf ) );
        if( !buggy )
        {
            TracyMessageL( "trade rejected, buyer refunded" );
            return false;
        }
        // the bug: the "offer from stash" path forgets to bail out
        ReserveSlots( j.id, r );
    }
    else
    {
        busy_for( r( 400 ) );
    }
    Item* volatile held = item;   // (the offer keeps a pointer to the stash item)
    Item* it = held;
    it->count -= j.qty;          // SIGSEGV when the item was not found
    it->slot = ( it->slot + 1 ) & 63;
    Ledger::Commit( j.id, r );
    return true;
}
}

namespace Pathing
{
void Solve( const Job& j, Rng& r )
{
    ZoneScopedN( "Pathing::Solve" );
    ZoneValue( j.id );
    busy_for( r( 2200, 0.25 ) );
}
}

namespace Loot
{
void Roll( const Job& j, Rng& r )
{
    ZoneScopedN( "Loot::Roll" );
    busy_for( r( 500 ) );
    (void)j;
}
}

namespace Jobs
{
void Run( const Job& j, Rng& r )
{
    ZoneScopedN( "Jobs::Run" );
    char txt[48];
    const char* kind = j.kind == JobKind::Trade ? "trade" : j.kind == JobKind::Path ? "path" : "loot";
    int n = snprintf( txt, sizeof( txt ), "%s %d", kind, j.id );
    ZoneText( txt, n );
    switch( j.kind )
    {
    case JobKind::Trade:
    {
        const bool buggy = ( g_scn == Scenario::Nullptr && j.id == 8812 );
        Inventory::ApplyTrade( j, r, buggy );
        break;
    }
    case JobKind::Path: Pathing::Solve( j, r ); break;
    case JobKind::Loot: Loot::Roll( j, r ); break;
    }
}
}

static void worker_main( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    tracy::SetThreadName( name );
    Rng r( 1000 + idx );
    for( ;; )
    {
        Job j;
        {
            JobQueue& jq = g_queues[idx - 1];
            std::unique_lock<std::mutex> lk( jq.mtx );
            jq.cv.wait( lk, [&] { return !jq.q.empty() || g_stop.load(); } );
            if( jq.q.empty() ) return;
            j = jq.q.front();
            jq.q.pop_front();
        }
        Jobs::Run( j, r );
    }
}

// ---------------------------------------------------------------- db writer, metrics
namespace Db
{
void WriteBatch( Rng& r )
{
    ZoneScopedN( "Db::WriteBatch" );
    busy_for( r( 38000, 0.05 ), 300 );
}
void Flush( Rng& r )
{
    ZoneScopedN( "Db::Flush" );
    busy_for( r( 1500 ) );
    WriteBatch( r );
}
}

static void db_main()
{
    tracy::SetThreadName( "DB Writer" );
    Rng r( 77 );
    auto next = Clock::now();
    while( !g_stop )
    {
        next += 250ms;
        Db::Flush( r );
        std::this_thread::sleep_until( next );
    }
}

static std::atomic<int> g_players{ 180 };
static std::atomic<int64_t> g_replayBytes{ 0 };

static void metrics_main()
{
    tracy::SetThreadName( "Metrics" );
    auto next = Clock::now();
    while( !g_stop )
    {
        next += 100ms;
        {
            ZoneScopedN( "Metrics::Sample" );
            busy_for( 200 );
            TracyPlot( "players online", (int64_t)g_players.load() );
            TracyPlot( "job queue depth", (int64_t)g_queueDepth.load() );
            TracyPlot( "replay bytes", (int64_t)g_replayBytes.load() );
        }
        std::this_thread::sleep_until( next );
    }
}

// ---------------------------------------------------------------- main thread pieces
namespace Net
{
void PollInput( Rng& r )
{
    ZoneScopedN( "Net::PollInput" );
    busy_for( r( 1200 ) );
}
}

namespace World
{
void Simulate( Rng& r )
{
    ZoneScopedN( "World::Simulate" );
    busy_for( r( 9000, 0.04 ) );
}
}

namespace Replication
{
void Broadcast( Rng& r )
{
    ZoneScopedN( "Replication::Broadcast" );
    busy_for( r( 2500 ) );
}
}

static const size_t kReplayChunk = 96 * 1024;
static std::deque<void*> g_replay;

namespace Replay
{
void Record( Rng& r )
{
    ZoneScopedN( "Replay::Record" );
    void* p = malloc( kReplayChunk );
    memset( p, 0x5a, 4096 );
    TracyAllocN( p, kReplayChunk, "replay" );
    g_replay.push_back( p );
    g_replayBytes += kReplayChunk;
    // keep the last 2 s (60 ticks) of replay -- except in the assert scenario, where trimming is broken
    if( g_scn != Scenario::Assert )
    {
        while( g_replay.size() > 60 )
        {
            void* old = g_replay.front();
            g_replay.pop_front();
            TracyFreeN( old, "replay" );
            free( old );
            g_replayBytes -= kReplayChunk;
        }
    }
    busy_for( r( 300 ) );
}
}

// net receive buffers: allocated and freed every tick (innocent churn)
namespace Net
{
void RecvPackets( Rng& r )
{
    ZoneScopedN( "Net::RecvPackets" );
    std::vector<void*> bufs;
    int n = r.irange( 6, 12 );
    for( int i = 0; i < n; i++ )
    {
        void* p = malloc( 16384 );
        TracyAllocN( p, 16384, "net buffers" );
        bufs.push_back( p );
    }
    busy_for( r( 500 ) );
    for( void* p : bufs )
    {
        TracyFreeN( p, "net buffers" );
        free( p );
    }
}
}

static const size_t kMaxSaveChunk = 12u * 1024 * 1024;   // 12 MiB

namespace Save
{
void Serialize( int saveNo, Rng& r )
{
    ZoneScopedN( "Save::Serialize" );
    ZoneValue( saveNo );
    const size_t replaySize = g_replay.size() * kReplayChunk;
    // world state: steady; replay section: proportional to the replay kept
    busy_for( r( 3000 ) + (double)replaySize / ( 1024.0 * 1024.0 ) * 900.0 );
    if( !( replaySize <= kMaxSaveChunk ) )
    {
        TracyMessageL( "assert failed: replay.size() <= kMaxSaveChunk (save/serializer.cpp:214)" );
        fprintf( stderr, "crashsite: save/serializer.cpp:214: Save::Serialize: Assertion `replay.size() <= kMaxSaveChunk' failed.\n" );
        abort();
    }
}
void WriteFile( Rng& r )
{
    ZoneScopedN( "Save::WriteFile" );
    busy_for( r( 2000 ) );
}
void Autosave( int saveNo, Rng& r )
{
    ZoneScopedN( "Save::Autosave" );
    Serialize( saveNo, r );
    WriteFile( r );
    char buf[64];
    snprintf( buf, sizeof( buf ), "autosave #%d written", saveNo );
    TracyMessage( buf, strlen( buf ) );
}
}

namespace Jobs
{
void Dispatch( int tick, Rng& r, int& nextTradeId, bool plantMissing )
{
    ZoneScopedN( "Jobs::Dispatch" );
    std::vector<Job> batch[3];
    // ~6 trades, 2 path, 3 loot per tick, dealt round-robin onto the workers' queues
    int trades = r.irange( 5, 7 );
    int rr = 0;
    for( int i = 0; i < trades; i++ )
    {
        Job j{ JobKind::Trade, nextTradeId++, r.irange( 1, 400 ), r.irange( 1, 5 ) };
        if( plantMissing && i == 0 ) { j.id = 8812; j.item = 291; batch[1].push_back( j ); continue; }   // Worker 2
        batch[rr++ % 3].push_back( j );
    }
    for( int i = 0; i < 2; i++ ) batch[rr++ % 3].push_back( Job{ JobKind::Path, 5000 + tick * 2 + i, 0, 0 } );
    for( int i = 0; i < 3; i++ ) batch[rr++ % 3].push_back( Job{ JobKind::Loot, 9000 + tick * 3 + i, 0, 0 } );
    int depth = 0;
    for( int w = 0; w < 3; w++ )
    {
        std::lock_guard<std::mutex> lk( g_queues[w].mtx );
        for( auto& j : batch[w] ) g_queues[w].q.push_back( j );
        depth += (int)g_queues[w].q.size();
    }
    g_queueDepth = depth;
    for( auto& jq : g_queues ) jq.cv.notify_one();
    busy_for( r( 200 ) );
}
}

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: crashsite nullptr|assert|clean|slow\n" );
        return 2;
    }
    const std::string s = argv[1];
    if( s == "nullptr" ) g_scn = Scenario::Nullptr;
    else if( s == "assert" ) g_scn = Scenario::Assert;
    else if( s == "clean" ) g_scn = Scenario::Clean;
    else if( s == "slow" ) g_scn = Scenario::Slow;
    else { fprintf( stderr, "unknown scenario\n" ); return 2; }

    tracy::SetThreadName( "Main" );
    g_start = Clock::now();
    TracyMessageL( "Harborline server 2.7.1 starting" );

    // inventory: items 1..400 exist except a handful (trades for those are "item not found")
    for( int i = 1; i <= 400; i++ )
        if( i % 97 != 0 ) Inventory::g_items[i] = Item{ i, 50, i & 63 };

    std::vector<std::thread> workers;
    for( int i = 1; i <= 3; i++ ) workers.emplace_back( worker_main, i );
    std::thread db( db_main ), metrics( metrics_main );
    TracyMessageL( "listening on 0.0.0.0:27015" );

    Rng r( 4242 );
    int nextTradeId = 8100;
    int saveNo = 0;
    const int ticks = 150;   // 5 s at 30 Hz
    auto next = Clock::now();
    for( int tick = 0; tick < ticks; tick++ )
    {
        next += std::chrono::microseconds( 33333 );
        {
            ZoneScopedN( "Server::Tick" );
            ZoneValue( tick );
            Net::PollInput( r );
            Net::RecvPackets( r );
            World::Simulate( r );
            // the trade with the missing item: dispatched at ~4.0 s in the nullptr scenario
            const bool plant = ( g_scn == Scenario::Nullptr && tick == 119 );
            if( plant ) nextTradeId = 8812;
            Jobs::Dispatch( tick, r, nextTradeId, plant );
            Replication::Broadcast( r );
            Replay::Record( r );
            if( tick % 30 == 29 ) Save::Autosave( ++saveNo, r );
        }
        FrameMark;
        if( tick % 17 == 5 )
        {
            char buf[64];
            int pid = 1400 + r.irange( 0, 300 );
            if( r.irange( 0, 1 ) ) { g_players++; snprintf( buf, sizeof( buf ), "player %d joined", pid ); }
            else { g_players--; snprintf( buf, sizeof( buf ), "player %d disconnected (timeout)", pid ); }
            TracyMessage( buf, strlen( buf ) );
        }
        if( tick % 41 == 20 )
        {
            char buf[64];
            snprintf( buf, sizeof( buf ), "warning: player %d ping 412 ms", 1400 + r.irange( 0, 300 ) );
            TracyMessage( buf, strlen( buf ) );
        }
        std::this_thread::sleep_until( next );
    }
    TracyMessageL( "shutdown requested, draining jobs" );
    g_stop = true;
    for( auto& jq : g_queues ) { std::lock_guard<std::mutex> lk( jq.mtx ); jq.cv.notify_all(); }
    for( auto& t : workers ) t.join();
    db.join();
    metrics.join();
    for( void* p : g_replay ) { TracyFreeN( p, "replay" ); free( p ); }
    TracyMessageL( "server stopped cleanly" );
    return 0;
}
