// lockchain: a 60 Hz networked game client whose main thread sometimes waits on a lock whose holder is itself
// waiting on a second lock (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   "Main thread"    per 16.667 ms vsync slot: FrameMark, Game::Frame > Input::Poll, Assets::Stream (takes
//                    Assets::CacheLock ~0.15 ms), Game::ApplyNetworkUpdates (takes World::StateLock, World::ApplyDeltas
//                    ~0.2 ms), Physics::Step (5 ms: Physics::Broadphase, Physics::Solve), Game::UpdateEntities,
//                    Render::Submit; then sleeps to the next free vsync slot (a late frame drops slots).
//   "NetWorker"      each slot at +11.5 ms Net::DecodePacket (1 ms, no lock), at +13.5 ms Net::MergeSnapshot: takes
//                    World::StateLock, Net::ApplyDelta (0.05 ms), then Net::SocketLock for Net::SendAck (0.02 ms).
//   "NetIO"          each slot Net::Send (0.3 ms under Net::SocketLock) at +4 and +9 ms; every ~0.7 s (42 +-3 slots)
//                    at +12.0 ms Net::FlushReliable > Net::BlockingSend under Net::SocketLock: a sleep of 25-32 ms
//                    (the kernel send buffer is full) in `chain` / `regress_b`, 1.0-1.8 ms in `regress_a`.
//   "AssetStreamer"  each slot at +5.5 ms Assets::ReadFile (4 ms sleep, no lock), then (not in +13..+2 ms of a slot) Assets::Decode under
//                    Assets::CacheLock (~2.5 ms): a busy lock that main also takes but never at the same time.
// Locks: World::StateLock, Net::SocketLock, Assets::CacheLock (TracyLockableN). Plot "net send queue KB".
//
// Usage: lockchain chain | regress_a | regress_b
//   chain      the chain main -> World::StateLock (NetWorker in Net::MergeSnapshot) -> Net::SocketLock (NetIO in
//              Net::BlockingSend 25-32 ms) stalls main ~20-27 ms every ~0.7 s
//   regress_a  baseline: the reliable flush does not block (Net::BlockingSend 1.0-1.8 ms), no stall
//   regress_b  same as chain (different seed)
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

volatile double g_sink = 0.0;

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC_RAW, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

void sleep_until_ns( int64_t t )
{
    const int64_t d = t - now_ns();
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
}

void spin_until_ns( int64_t end )
{
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

// Emulated work: sleep to just before the deadline, then spin.
void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    if( ms > 0.08 ) sleep_until_ns( end - 30000 );
    spin_until_ns( end );
}

// Pure blocking (a syscall that sleeps).
void block_ms( double ms )
{
    sleep_until_ns( now_ns() + (int64_t)( ms * 1e6 ) );
}

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
};

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_NAME, n );
    prctl( PR_SET_TIMERSLACK, 1000UL );
}

void message( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void message( const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyMessage( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ) );
}

struct params
{
    std::string scenario;
    uint32_t seed = 0x6c6f636b;
    double seconds = 6.0;
    double send_lo = 25.0, send_hi = 32.0;  // Net::BlockingSend of the reliable flush, ms
};

params g_p;
constexpr double kSlotMs = 1000.0 / 60.0;
int64_t g_t0 = 0;
int g_slots = 0;

int64_t slot_ns( int k, double off_ms ) { return g_t0 + (int64_t)( ( k * kSlotMs + off_ms ) * 1e6 ); }

struct game_locks
{
    TracyLockableN( std::mutex, state, "World::StateLock" );
    TracyLockableN( std::mutex, socket, "Net::SocketLock" );
    TracyLockableN( std::mutex, cache, "Assets::CacheLock" );
};
std::unique_ptr<game_locks> g_locks;

using lock_t = std::lock_guard<LockableBase( std::mutex )>;

// ---------------------------------------------------------------------------------------------------------------

void main_thread()
{
    rng_t r( g_p.seed ^ 0x11 );
    int k = 0;
    uint64_t frame = 0;
    while( k < g_slots )
    {
        sleep_until_ns( slot_ns( k, 0.0 ) );
        FrameMark;
        frame++;
        {
            ZoneScopedN( "Game::Frame" );
            ZoneValue( frame );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r.uni( 0.12, 0.2 ) );
            }
            {
                ZoneScopedN( "Assets::Stream" );
                lock_t lk( g_locks->cache );
                busy_ms( r.uni( 0.12, 0.18 ) );
            }
            {
                ZoneScopedN( "Game::ApplyNetworkUpdates" );
                lock_t lk( g_locks->state );
                {
                    ZoneScopedN( "World::ApplyDeltas" );
                    busy_ms( r.uni( 0.17, 0.23 ) );
                }
            }
            {
                ZoneScopedN( "Physics::Step" );
                {
                    ZoneScopedN( "Physics::Broadphase" );
                    busy_ms( r.uni( 1.4, 1.6 ) );
                }
                {
                    ZoneScopedN( "Physics::Solve" );
                    busy_ms( r.uni( 3.4, 3.6 ) );
                }
            }
            {
                ZoneScopedN( "Game::UpdateEntities" );
                busy_ms( r.uni( 1.1, 1.3 ) );
            }
            {
                ZoneScopedN( "Render::Submit" );
                busy_ms( r.uni( 2.1, 2.4 ) );
            }
        }
        // next vsync slot that is still ahead (a late frame drops slots)
        const int64_t t = now_ns();
        k++;
        while( k < g_slots && slot_ns( k, 0.0 ) < t ) k++;
    }
}

void net_worker()
{
    name_thread( "NetWorker" );
    rng_t r( g_p.seed ^ 0x22 );
    uint32_t seq = 1000;
    for( int k = 0; k < g_slots; k++ )
    {
        if( now_ns() > slot_ns( k, 12.5 ) ) continue;  // fell behind: skip this snapshot
        sleep_until_ns( slot_ns( k, 11.5 ) );
        {
            ZoneScopedN( "Net::DecodePacket" );
            busy_ms( r.uni( 0.9, 1.0 ) );
        }
        sleep_until_ns( slot_ns( k, 13.5 ) );
        {
            ZoneScopedN( "Net::MergeSnapshot" );
            ZoneValue( seq );
            lock_t st( g_locks->state );
            {
                ZoneScopedN( "Net::ApplyDelta" );
                busy_ms( 0.05 );
            }
            {
                lock_t sk( g_locks->socket );
                ZoneScopedN( "Net::SendAck" );
                busy_ms( 0.02 );
            }
        }
        seq++;
    }
}

void net_io()
{
    name_thread( "NetIO" );
    rng_t r( g_p.seed ^ 0x33 );
    int next_flush = r.range( 26, 34 );
    int flushes = 0;
    double queue_kb = 4.0;
    for( int k = 0; k < g_slots; k++ )
    {
        for( double off : { 4.0, 9.0 } )
        {
            if( now_ns() > slot_ns( k, off + 1.0 ) ) continue;  // that slot passed during a flush
            sleep_until_ns( slot_ns( k, off ) );
            ZoneScopedN( "Net::Send" );
            lock_t sk( g_locks->socket );
            busy_ms( r.uni( 0.25, 0.35 ) );
            queue_kb += r.uni( 2.0, 4.0 );
        }
        TracyPlot( "net send queue KB", queue_kb );
        if( k == next_flush )
        {
            sleep_until_ns( slot_ns( k, 12.0 ) );
            flushes++;
            const int kb = (int)queue_kb + r.range( 60, 90 );
            message( "Net: flushing reliable channel (%d KB queued)", kb );
            ZoneScopedN( "Net::FlushReliable" );
            ZoneValue( (uint64_t)kb );
            lock_t sk( g_locks->socket );
            {
                ZoneScopedN( "Net::BlockingSend" );
                block_ms( r.uni( g_p.send_lo, g_p.send_hi ) );
            }
            queue_kb = 4.0;
            TracyPlot( "net send queue KB", queue_kb );
            next_flush = k + r.range( 39, 45 );
        }
    }
    message( "Net: %d reliable flushes", flushes );
}

void asset_streamer()
{
    name_thread( "AssetStreamer" );
    rng_t r( g_p.seed ^ 0x44 );
    static const char* files[] = { "textures/terrain_albedo_07.ktx2", "meshes/rock_cluster_b.mesh",
                                   "textures/foliage_atlas_02.ktx2", "audio/ambience_forest.ogg" };
    for( int k = 0; k < g_slots; k++ )
    {
        sleep_until_ns( slot_ns( k, 5.5 ) );
        const char* f = files[k % 4];
        {
            ZoneScopedN( "Assets::ReadFile" );
            ZoneText( f, strlen( f ) );
            block_ms( r.uni( 3.6, 4.0 ) );
        }
        {
            // keep clear of the main thread's Assets::Stream at the start of each slot (a late read defers the decode)
            const double ph = std::fmod( ( now_ns() - g_t0 ) / 1e6, kSlotMs );
            if( ph > 13.0 ) sleep_until_ns( now_ns() + (int64_t)( ( kSlotMs - ph + 2.0 ) * 1e6 ) );
            else if( ph < 2.0 ) sleep_until_ns( now_ns() + (int64_t)( ( 2.0 - ph ) * 1e6 ) );
        }
        {
            ZoneScopedN( "Assets::Decode" );
            lock_t lk( g_locks->cache );
            busy_ms( r.uni( 2.3, 2.6 ) );
        }
    }
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    name_thread( "Main thread" );
    params& p = g_p;
    p.scenario = s;
    if( s == "chain" ) {}
    else if( s == "regress_a" )
    {
        p.seed ^= 0xa;
        p.send_lo = 1.0;
        p.send_hi = 1.8;
    }
    else if( s == "regress_b" )
        p.seed ^= 0xb;
    else
    {
        fprintf( stderr, "usage: lockchain chain|regress_a|regress_b\n" );
        return 2;
    }
    TracyAppInfo( "lockchain client 0.9.3", 23 );
    g_locks.reset( new game_locks );
    message( "Game: connected to server 10.0.0.7:27015, scenario %s", s.c_str() );
    g_slots = (int)( p.seconds * 60.0 );
    g_t0 = now_ns() + 100000000ll;
    std::thread w( net_worker ), io( net_io ), as( asset_streamer );
    main_thread();
    w.join();
    io.join();
    as.join();
    message( "Game: disconnected" );
    std::this_thread::sleep_for( std::chrono::milliseconds( 200 ) );
    return 0;
}
