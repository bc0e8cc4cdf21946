// zoneserver: an MMO zone-server-shaped workload instrumented with Tracy (benchmark data for profiler-analysis
// tools; not part of any project). The server ticks at 30 Hz on the main thread (FrameMark per tick).
//
// Usage: zoneserver contention | baseline
//   contention  Broadcast::Snapshot holds Zone::m_entityLock for ~5 ms at the start of every tick while it
//               serializes the world; Zone Worker 0/1 (which apply entity deltas right away) block on it.
//   baseline    the snapshot copies entity state under the lock (~0.6 ms) and serializes after unlocking.
// Distractors: Zone::UpdatePerception (5.5 ms, lock-free, Zone Worker 2/3), Broadcast::CompressPackets,
// Persistence::WriteCheckpoint (DB Writer, 14 ms every 15 ticks), Persistence::m_queueMutex (busy, uncontended).
//
// Run ONLY through record.sh (loopback-only network namespace).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

namespace
{
using SteadyClock = std::chrono::steady_clock;

volatile uint64_t g_hashSink = 0;

// Burn `micros` of wall time: sleep most of it, hash data for the final stretch (stable on a loaded machine).
void Burn( double micros )
{
    const auto deadline = SteadyClock::now() + std::chrono::nanoseconds( (long long)( micros * 1000.0 ) );
    if( micros > 120.0 ) std::this_thread::sleep_until( deadline - std::chrono::microseconds( 60 ) );
    uint64_t h = 1469598103934665603ull;
    while( SteadyClock::now() < deadline )
    {
        for( int i = 0; i < 64; i++ ) h = ( h ^ (uint64_t)i ) * 1099511628211ull;
    }
    g_hashSink = g_hashSink + h;
}

struct Rng
{
    std::minstd_rand eng;
    explicit Rng( unsigned s ) : eng( s ) {}
    double Around( double v, double spread = 0.06 )
    {
        std::uniform_real_distribution<double> d( 1.0 - spread, 1.0 + spread );
        return v * d( eng );
    }
};

constexpr int kWorkers = 4;
constexpr int kBatchesPerTick = 8;
constexpr int kTicks = 120;  // 4 s at 30 Hz
constexpr double kTickUs = 1e6 / 30.0;

TracyLockableN( std::mutex, g_entityLock, "Zone::m_entityLock" );
TracyLockableN( std::mutex, g_persistQueueLock, "Persistence::m_queueMutex" );

bool g_longSnapshotHold = true;
std::atomic<bool> g_quit{ false };

// Tick dispatch: a generation counter that workers / broadcast / db writer wait on.
struct TickGate
{
    std::mutex m;
    std::condition_variable cv;
    uint64_t gen = 0;
    bool quit = false;

    uint64_t WaitNext( uint64_t seen )
    {
        std::unique_lock<std::mutex> lk( m );
        cv.wait( lk, [&] { return quit || gen != seen; } );
        return quit ? 0 : gen;
    }
    void Open()
    {
        { std::lock_guard<std::mutex> lk( m ); gen++; }
        cv.notify_all();
    }
    void Close()
    {
        { std::lock_guard<std::mutex> lk( m ); quit = true; }
        cv.notify_all();
    }
};

TickGate g_workerGate, g_broadcastGate, g_dbGate;
std::atomic<int> g_jobsPending{ 0 };
std::atomic<bool> g_snapshotLocked{ false };
std::mutex g_doneM;
std::condition_variable g_doneCv;
int g_dirtyQueued = 0;

// ---- zone workers ------------------------------------------------------------------------------------
void ZoneWorkerMain( int idx )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "Zone Worker %d", idx );
    tracy::SetThreadName( nm );
    Rng rng( 9100 + idx );
    const bool npcShard = idx >= 2;  // shards 2/3 hold NPCs: they run perception first
    uint64_t seen = 0;
    for( ;; )
    {
        seen = g_workerGate.WaitNext( seen );
        if( seen == 0 ) break;
        {
            ZoneScopedN( "Zone::UpdateEntities" );
            if( npcShard )
            {
                ZoneScopedN( "Zone::UpdatePerception" );
                Burn( rng.Around( 5500 ) );
            }
            for( int b = 0; b < kBatchesPerTick; b++ )
            {
                ZoneScopedN( "Zone::UpdateEntityBatch" );
                {
                    ZoneScopedN( "Zone::IntegrateMovement" );
                    Burn( rng.Around( 300 ) );
                }
                std::lock_guard<LockableBase( std::mutex )> guard( g_entityLock );
                LockMark( g_entityLock );
                ZoneNamedN( applyZone, "Zone::ApplyEntityDeltas", true );
                Burn( rng.Around( 200 ) );
            }
        }
        if( g_jobsPending.fetch_sub( 1 ) == 1 )
        {
            std::lock_guard<std::mutex> lk( g_doneM );
            g_doneCv.notify_one();
        }
    }
}

// ---- broadcast ---------------------------------------------------------------------------------------
void BroadcastMain()
{
    tracy::SetThreadName( "Broadcast" );
    Rng rng( 4711 );
    uint64_t seen = 0;
    for( ;; )
    {
        seen = g_broadcastGate.WaitNext( seen );
        if( seen == 0 ) break;
        {
            ZoneScopedN( "Broadcast::Snapshot" );
            std::unique_lock<LockableBase( std::mutex )> guard( g_entityLock );
            LockMark( g_entityLock );
            g_snapshotLocked.store( true );
            if( g_longSnapshotHold )
            {
                ZoneScopedN( "Broadcast::SerializeEntities" );
                Burn( rng.Around( 5000, 0.04 ) );
                guard.unlock();
            }
            else
            {
                {
                    ZoneScopedN( "Broadcast::CopyEntityState" );
                    Burn( rng.Around( 600, 0.04 ) );
                }
                guard.unlock();
                ZoneScopedN( "Broadcast::SerializeEntities" );
                Burn( rng.Around( 4400, 0.04 ) );
            }
        }
        {
            ZoneScopedN( "Broadcast::CompressPackets" );
            Burn( rng.Around( 3200 ) );
        }
        {
            ZoneScopedN( "Broadcast::SendPackets" );
            Burn( rng.Around( 900 ) );
        }
    }
}

// ---- persistence ---------------------------------------------------------------------------------------
void DbWriterMain()
{
    tracy::SetThreadName( "DB Writer" );
    Rng rng( 31337 );
    uint64_t seen = 0;
    int flushes = 0;
    for( ;; )
    {
        seen = g_dbGate.WaitNext( seen );
        if( seen == 0 ) break;
        int rows = 0;
        {
            ZoneScopedN( "Persistence::DrainQueue" );
            std::lock_guard<LockableBase( std::mutex )> guard( g_persistQueueLock );
            LockMark( g_persistQueueLock );
            rows = g_dirtyQueued;
            g_dirtyQueued = 0;
            Burn( rng.Around( 250 ) );
        }
        {
            ZoneScopedN( "Persistence::WriteRows" );
            ZoneValue( (uint64_t)rows );
            Burn( rng.Around( 1500 ) );
        }
        if( ++flushes % 15 == 0 )
        {
            ZoneScopedN( "Persistence::WriteCheckpoint" );
            Burn( rng.Around( 14000, 0.03 ) );
        }
    }
}

// ---- main tick ---------------------------------------------------------------------------------------
void LoadZone( Rng& rng )
{
    ZoneScopedN( "Server::LoadZone" );
    {
        ZoneScopedN( "World::LoadNavmesh" );
        std::this_thread::sleep_for( std::chrono::microseconds( (long long)rng.Around( 120000 ) ) );
    }
    {
        ZoneScopedN( "World::SpawnEntities" );
        Burn( rng.Around( 60000 ) );
    }
    {
        ZoneScopedN( "Scripting::CompileQuests" );
        Burn( rng.Around( 40000 ) );
    }
    TracyMessageL( "Zone 'Highmoor' loaded: 2400 entities, 4 shards" );
}

void ServerTick( Rng& rng, int tick )
{
    ZoneScopedN( "Server::Tick" );
    {
        ZoneScopedN( "Net::PollInbound" );
        Burn( rng.Around( 1200 ) );
    }
    {
        ZoneScopedN( "Server::DispatchJobs" );
        g_snapshotLocked.store( false );
        g_broadcastGate.Open();
        // the snapshot must observe the world as of tick start: let it take the lock before jobs run
        while( !g_snapshotLocked.load() ) std::this_thread::sleep_for( std::chrono::microseconds( 20 ) );
        g_jobsPending.store( kWorkers );
        g_workerGate.Open();
    }
    {
        ZoneScopedN( "Server::WaitForJobs" );
        std::unique_lock<std::mutex> lk( g_doneM );
        g_doneCv.wait( lk, [] { return g_jobsPending.load() == 0; } );
    }
    {
        ZoneScopedN( "Server::CommitTick" );
        Burn( rng.Around( 1000 ) );
    }
    {
        ZoneScopedN( "Persistence::EnqueueDirty" );
        std::lock_guard<LockableBase( std::mutex )> guard( g_persistQueueLock );
        LockMark( g_persistQueueLock );
        g_dirtyQueued += 150 + tick % 7;
        Burn( rng.Around( 2500 ) );
    }
    g_dbGate.Open();
}
}  // namespace

int main( int argc, char** argv )
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if( mode == "contention" ) g_longSnapshotHold = true;
    else if( mode == "baseline" ) g_longSnapshotHold = false;
    else
    {
        fprintf( stderr, "usage: zoneserver contention|baseline\n" );
        return 2;
    }
    tracy::SetThreadName( "ServerMain" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    char info[128];
    const int n = snprintf( info, sizeof( info ), "zoneserver %s (zone Highmoor, 30 Hz tick)", mode.c_str() );
    TracyAppInfo( info, n );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 1 ) );

    Rng rng( 2024 );
    LoadZone( rng );

    std::vector<std::thread> threads;
    for( int i = 0; i < kWorkers; i++ ) threads.emplace_back( ZoneWorkerMain, i );
    threads.emplace_back( BroadcastMain );
    threads.emplace_back( DbWriterMain );
    std::this_thread::sleep_for( std::chrono::milliseconds( 20 ) );
    FrameMark;

    auto next = SteadyClock::now();
    for( int t = 0; t < kTicks; t++ )
    {
        next += std::chrono::nanoseconds( (long long)( kTickUs * 1000.0 ) );
        ServerTick( rng, t );
        TracyPlot( "Players online", (int64_t)( 180 + ( t % 40 ) ) );
        if( t % 30 == 29 )
        {
            char msg[64];
            const int m = snprintf( msg, sizeof( msg ), "tick %d: 2400 entities, %d players", t + 1, 180 + t % 40 );
            TracyMessage( msg, m );
        }
        {
            ZoneScopedN( "Server::IdleUntilNextTick" );
            const auto now = SteadyClock::now();
            if( now < next ) std::this_thread::sleep_until( next );
            else next = now;
        }
        FrameMark;
    }
    g_workerGate.Close();
    g_broadcastGate.Close();
    g_dbGate.Close();
    for( auto& th : threads ) th.join();
    TracyMessageL( "Zone server shutting down" );
    return 0;
}
