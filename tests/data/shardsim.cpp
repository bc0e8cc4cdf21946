// shardsim: an MMO economy-shard server loop, instrumented with Tracy 0.14.0.
// Benchmark data for profiler-analysis tools; not part of any product.
//
// Usage: shardsim <scenario>
//   contention   Db::Flush (Db Writer thread) keeps Db::m_lock for the whole WAL write (~12 ms every 100 ms);
//                trade commits take Inventory::m_lock and then Db::m_lock, so the chain stalls.
//   fixed        Db::Flush only swaps the dirty-row buffer under Db::m_lock and writes the WAL outside it.
//
// Run ONLY through /work/team/bin/record.sh (loopback-only namespace; a Tracy client broadcasts).

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

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static volatile uint64_t g_checksum = 0;

// Busy for `us` microseconds of wall time: sleep through most of it, then hash to the deadline.
// Sleeping keeps zone lengths stable on a shared 2-core box.
static void Busy( double us )
{
    const auto deadline = SteadyClock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > 250.0 ) std::this_thread::sleep_until( deadline - 150us );
    uint64_t h = 1469598103934665603ull;
    while( SteadyClock::now() < deadline )
    {
        for( int i = 0; i < 64; i++ ) h = ( h ^ (uint64_t)i ) * 1099511628211ull;
    }
    g_checksum = g_checksum + h;
}

struct Rng
{
    std::minstd_rand e;
    explicit Rng( unsigned s ) : e( s ) {}
    double Around( double v, double spread = 0.08 )
    {
        return v * std::uniform_real_distribution<double>( 1.0 - spread, 1.0 + spread )( e );
    }
    int Pick( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( e ); }
};

// ---------------------------------------------------------------------------------------------------------
// Shared state

static bool g_lockWholeFlush = true;
static std::atomic<bool> g_shutdown{ false };

struct Inventory
{
    TracyLockableN( std::mutex, m_lock, "Inventory::m_lock" );
    std::vector<int> slots = std::vector<int>( 4096, 1 );
};

struct Db
{
    TracyLockableN( std::mutex, m_lock, "Db::m_lock" );
    std::vector<uint32_t> dirtyRows;
};

struct SessionTable
{
    TracyLockableN( std::mutex, m_lock, "SessionTable::m_lock" );
    int online = 2400;
};

static Inventory* g_inventory;
static Db* g_db;
static SessionTable* g_sessions;

// Job queue feeding the trade workers (plain mutex: infrastructure, not instrumented).
enum class JobKind { TradeCommit, LootRoll };
struct Job { JobKind kind; uint32_t id; };

static std::mutex g_queueMutex;
static std::condition_variable g_queueCv;
static std::deque<Job> g_queue;
static uint32_t g_nextJobId = 1;

static void Enqueue( JobKind kind, int count )
{
    {
        std::lock_guard<std::mutex> lk( g_queueMutex );
        for( int i = 0; i < count; i++ ) g_queue.push_back( Job{ kind, g_nextJobId++ } );
    }
    g_queueCv.notify_all();
}

// ---------------------------------------------------------------------------------------------------------
// Trade workers

static void CommitTrade( Rng& r, uint32_t id )
{
    ZoneScopedN( "Trade::Commit" );
    ZoneValue( id );
    {
        ZoneScopedN( "Trade::ValidateOffer" );
        Busy( r.Around( 260 ) );
    }
    {
        std::lock_guard<LockableBase( std::mutex )> inv( g_inventory->m_lock );
        {
            ZoneScopedN( "Inventory::TransferItems" );
            Busy( r.Around( 330 ) );
            g_inventory->slots[id % 4096] ^= 1;
        }
        {
            std::lock_guard<LockableBase( std::mutex )> db( g_db->m_lock );
            ZoneScopedN( "Db::WriteTradeRecord" );
            Busy( r.Around( 140 ) );
            g_db->dirtyRows.push_back( id );
        }
    }
    {
        ZoneScopedN( "Trade::NotifyParties" );
        Busy( r.Around( 110 ) );
    }
}

static void RollLoot( Rng& r )
{
    ZoneScopedN( "Loot::RollDrops" );
    Busy( r.Around( 1400, 0.15 ) );
}

static void TradeWorker( int index )
{
    char name[32];
    snprintf( name, sizeof( name ), "Trade Worker %d", index );
    tracy::SetThreadName( name );
    Rng r( 1000 + index * 17 );
    for( ;; )
    {
        Job job;
        {
            std::unique_lock<std::mutex> lk( g_queueMutex );
            g_queueCv.wait( lk, [] { return !g_queue.empty() || g_shutdown.load(); } );
            if( g_queue.empty() ) return;
            job = g_queue.front();
            g_queue.pop_front();
        }
        if( job.kind == JobKind::TradeCommit ) CommitTrade( r, job.id );
        else RollLoot( r );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Db writer: periodic write-ahead-log flush

static void DbWriter()
{
    tracy::SetThreadName( "Db Writer" );
    Rng r( 4242 );
    auto next = SteadyClock::now() + 60ms;
    int flushes = 0;
    while( !g_shutdown.load() )
    {
        std::this_thread::sleep_until( next );
        next += std::chrono::microseconds( (int64_t)r.Around( 100000, 0.05 ) );
        ZoneScopedN( "Db::Flush" );
        size_t rows = 0;
        if( g_lockWholeFlush )
        {
            std::lock_guard<LockableBase( std::mutex )> db( g_db->m_lock );
            {
                ZoneScopedN( "Db::SerializeDirtyRows" );
                Busy( r.Around( 2200 ) );
            }
            {
                ZoneScopedN( "Db::WriteWal" );
                Busy( r.Around( 9800 ) );
            }
            rows = g_db->dirtyRows.size();
            g_db->dirtyRows.clear();
        }
        else
        {
            std::vector<uint32_t> batch;
            {
                std::lock_guard<LockableBase( std::mutex )> db( g_db->m_lock );
                ZoneScopedN( "Db::SwapDirtyRows" );
                batch.swap( g_db->dirtyRows );
                Busy( 60 );
            }
            {
                ZoneScopedN( "Db::SerializeDirtyRows" );
                Busy( r.Around( 2200 ) );
            }
            {
                ZoneScopedN( "Db::WriteWal" );
                Busy( r.Around( 9800 ) );
            }
            rows = batch.size();
        }
        ZoneValue( rows );
        if( ++flushes % 10 == 0 )
        {
            char msg[96];
            const int n = snprintf( msg, sizeof( msg ), "wal: checkpoint after %d flushes", flushes );
            TracyMessage( msg, n );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Background distractors

static void AuctionIndexer()
{
    tracy::SetThreadName( "Auction Indexer" );
    Rng r( 99 );
    auto next = SteadyClock::now() + 150ms;
    while( !g_shutdown.load() )
    {
        std::this_thread::sleep_until( next );
        next += 500ms;
        ZoneScopedN( "Auction::RebuildIndex" );
        {
            ZoneScopedN( "Auction::SortListings" );
            Busy( r.Around( 21000 ) );
        }
        {
            ZoneScopedN( "Auction::BuildPriceBuckets" );
            Busy( r.Around( 14000 ) );
        }
    }
}

// Network gateway: decodes client trade requests and queues one Trade::Commit job per request.
static void NetGateway()
{
    tracy::SetThreadName( "Net Gateway" );
    Rng r( 555 );
    std::exponential_distribution<double> gap( 1.0 / 1600.0 );  // mean 1.6 ms between requests
    auto next = SteadyClock::now();
    while( !g_shutdown.load() )
    {
        next += std::chrono::microseconds( 200 + (int64_t)gap( r.e ) );
        std::this_thread::sleep_until( next );
        {
            ZoneScopedN( "Net::DecodeTradeRequest" );
            Busy( r.Around( 45 ) );
        }
        Enqueue( JobKind::TradeCommit, 1 );
    }
}

static void ChatRelay()
{
    tracy::SetThreadName( "Chat Relay" );
    Rng r( 7 );
    auto next = SteadyClock::now();
    while( !g_shutdown.load() )
    {
        next += 10ms;
        std::this_thread::sleep_until( next );
        ZoneScopedN( "Chat::RouteMessages" );
        Busy( r.Around( 1600, 0.2 ) );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Main: boot, then the 50 Hz server tick

static void BootShard( Rng& r )
{
    ZoneScopedN( "Shard::Boot" );
    {
        ZoneScopedN( "Db::LoadCharacters" );
        Busy( r.Around( 120000 ) );
    }
    {
        ZoneScopedN( "Market::LoadOrderBook" );
        Busy( r.Around( 80000 ) );
    }
    {
        ZoneScopedN( "Net::BindListeners" );
        Busy( r.Around( 25000 ) );
    }
    TracyMessageL( "shard 'eu-west-3' online" );
}

static void ServerTick( Rng& r )
{
    ZoneScopedN( "Server::Tick" );
    {
        ZoneScopedN( "Net::PollSockets" );
        std::lock_guard<LockableBase( std::mutex )> s( g_sessions->m_lock );
        Busy( r.Around( 1300 ) );
    }
    {
        ZoneScopedN( "World::SimulateNpcs" );
        Busy( r.Around( 7000 ) );
    }
    {
        ZoneScopedN( "Market::MatchOrders" );
        Busy( r.Around( 1500 ) );
    }
    Enqueue( JobKind::LootRoll, 1 );
    {
        ZoneScopedN( "Net::FlushOutbound" );
        std::lock_guard<LockableBase( std::mutex )> s( g_sessions->m_lock );
        Busy( r.Around( 800 ) );
    }
}

int main( int argc, char** argv )
{
    const char* scen = argc > 1 ? argv[1] : "";
    if( strcmp( scen, "contention" ) == 0 ) g_lockWholeFlush = true;
    else if( strcmp( scen, "fixed" ) == 0 ) g_lockWholeFlush = false;
    else { fprintf( stderr, "usage: shardsim contention|fixed\n" ); return 2; }

    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    char info[128];
    const int n = snprintf( info, sizeof( info ), "shardsim 1.4.2 (shard eu-west-3, tick 50 Hz)" );
    TracyAppInfo( info, n );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );

    g_inventory = new Inventory;
    g_db = new Db;
    g_sessions = new SessionTable;

    Rng r( 1 );
    BootShard( r );
    FrameMark;

    std::vector<std::thread> threads;
    for( int i = 0; i < 3; i++ ) threads.emplace_back( TradeWorker, i );
    threads.emplace_back( DbWriter );
    threads.emplace_back( AuctionIndexer );
    threads.emplace_back( ChatRelay );
    threads.emplace_back( NetGateway );

    const int ticks = 300;  // 6 s at 20 ms
    auto next = SteadyClock::now();
    for( int t = 0; t < ticks; t++ )
    {
        ServerTick( r );
        next += 20ms;
        std::this_thread::sleep_until( next );
        FrameMark;
    }

    g_shutdown = true;
    g_queueCv.notify_all();
    for( auto& th : threads ) th.join();
    TracyMessageL( "shard shutting down" );
    fprintf( stderr, "done, checksum %llu\n", (unsigned long long)g_checksum );
    return 0;
}
