// colonysim: the simulation core of a colony-management game, instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project). The entity registry (World) is guarded by a reader-writer
// lock, "World::registryLock" (std::shared_mutex, TracySharedLockableN). Threads:
//   "Main"            60 Hz frame loop: Game::Frame > Input::Poll, Jobs::Dispatch, Gameplay::Update,
//                     World::ApplyChanges (takes World::registryLock EXCLUSIVE; > World::CommitSpawns,
//                     World::CommitTransforms [, World::RebuildSpatialIndex]), Assets::PollCompleted (takes
//                     AssetCache::mutex), Script::CollectGarbage (every 60 frames), Render::Submit, then
//                     Frame::WaitVsync (sleeps to the 16.667 ms boundary), FrameMark.
//   "Worker 0..3"     job loop: Jobs::ReadWorld (takes World::registryLock SHARED; > World::GatherComponents, or
//                     AI::QueryNavMesh during a replan wave), then Jobs::Simulate (no lock).
//   "Asset Streamer"  after each Assets::PollCompleted: Streaming::DecodeChunk holding AssetCache::mutex ~4 ms
//                     (busy, never contended: it runs only after main has released the mutex for the frame).
// Plots: "entities", "jobs completed" (per frame). Messages: game events.
//
// Usage: colonysim <scenario>
//   writer_starved  some frames the main thread requests an AI replan wave: the 4 workers then take
//                   World::registryLock shared in long, overlapping holds (AI::QueryNavMesh ~4 ms each) for
//                   12-38 ms; the reader-preferring rwlock never lets the writer in, so World::ApplyChanges waits
//                   and those frames hitch.
//   long_writer     every 30 frames World::ApplyChanges runs World::RebuildSpatialIndex (~7 ms) inside the
//                   exclusive lock; all 4 workers block in Jobs::ReadWorld meanwhile.
//   regress_a       baseline: heavier reads (0.6 ms holds), shared.
//   regress_b       the same but Jobs::ReadWorld takes the lock exclusively (std::unique_lock by mistake): the
//                   workers serialize on it. Render::Submit is slightly faster (an unrelated change).
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

constexpr int64_t kVsyncNs = 16666667;
constexpr int kWorkers = 4;

std::atomic<bool> g_stop{ false };

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC, &ts );
    return int64_t( ts.tv_sec ) * 1000000000 + ts.tv_nsec;
}

// Sleep most of the way to the deadline, then spin the rest: predictable durations on a loaded machine.
void busy_until( int64_t deadline )
{
    const int64_t sleepTo = deadline - 60000;
    int64_t t = now_ns();
    if( t < sleepTo ) std::this_thread::sleep_for( std::chrono::nanoseconds( sleepTo - t ) );
    while( now_ns() < deadline ) {}
}

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_NAME, n );
    prctl( PR_SET_TIMERSLACK, 1000UL );
    // steady timing on a busy machine: a low real-time priority if allowed (the threads mostly sleep; spins are
    // at most 60 us)
    sched_param sp{};
    sp.sched_priority = 5;
    pthread_setschedparam( pthread_self(), SCHED_FIFO, &sp );
}

void work_us( double us ) { busy_until( now_ns() + int64_t( us * 1000.0 ) ); }

struct Rng
{
    std::mt19937 g;
    explicit Rng( unsigned seed ) : g( seed ) {}
    double jitter( double base, double frac )  // base * (1 +- frac)
    {
        std::uniform_real_distribution<double> d( 1.0 - frac, 1.0 + frac );
        return base * d( g );
    }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
};

enum class Scenario { WriterStarved, LongWriter, RegressA, RegressB };
Scenario g_scn;

// ---------------------------------------------------------------- shared state
TracySharedLockableN( std::shared_mutex, g_registryLock, "World::registryLock" );
TracyLockableN( std::mutex, g_assetMutex, "AssetCache::mutex" );

std::atomic<int64_t> g_waveEnd{ 0 };        // AI replan wave: workers do long navmesh queries until then
std::atomic<int> g_jobsDone{ 0 };
int g_entities = 4200;

std::mutex g_streamMx;
std::condition_variable g_streamCv;
int g_streamTicket = 0;

// ---------------------------------------------------------------- workers
struct WorkerParams
{
    double readUs, simUs;
};

WorkerParams worker_params()
{
    switch( g_scn )
    {
    case Scenario::RegressA:
    case Scenario::RegressB: return { 600, 1000 };
    default: return { 250, 1500 };
    }
}

void worker_main( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    name_thread( name );
    Rng rng( 1000 + idx * 77 + int( g_scn ) * 13 );
    const WorkerParams p = worker_params();
    const bool exclusiveReads = g_scn == Scenario::RegressB;
    // de-phase the workers
    work_us( 300.0 * idx + 100 );
    while( !g_stop.load( std::memory_order_relaxed ) )
    {
        const bool wave = now_ns() < g_waveEnd.load( std::memory_order_relaxed );
        {
            ZoneScopedN( "Jobs::ReadWorld" );
            if( exclusiveReads )
            {
                std::unique_lock<SharedLockableBase( std::shared_mutex )> lk( g_registryLock );
                ZoneScopedN( "World::GatherComponents" );
                work_us( rng.jitter( p.readUs, 0.25 ) );
            }
            else
            {
                std::shared_lock<SharedLockableBase( std::shared_mutex )> lk( g_registryLock );
                if( wave )
                {
                    ZoneScopedN( "AI::QueryNavMesh" );
                    work_us( rng.jitter( 4000, 0.15 ) );
                }
                else
                {
                    ZoneScopedN( "World::GatherComponents" );
                    work_us( rng.jitter( p.readUs, 0.25 ) );
                }
            }
        }
        if( wave )
        {
            work_us( 120 );  // hand the path results over (tiny, no zone)
        }
        else
        {
            ZoneScopedN( "Jobs::Simulate" );
            work_us( rng.jitter( p.simUs, 0.25 ) );
        }
        g_jobsDone.fetch_add( 1, std::memory_order_relaxed );
    }
}

// ---------------------------------------------------------------- asset streamer
void streamer_main()
{
    name_thread( "Asset Streamer" );
    Rng rng( 4242 + int( g_scn ) );
    int seen = 0;
    while( true )
    {
        {
            std::unique_lock<std::mutex> lk( g_streamMx );
            g_streamCv.wait( lk, [&] { return g_streamTicket != seen || g_stop.load(); } );
            if( g_stop.load() && g_streamTicket == seen ) return;
            seen = g_streamTicket;
        }
        ZoneScopedN( "Streaming::DecodeChunk" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_assetMutex );
        work_us( rng.jitter( 4000, 0.2 ) );
    }
}

// ---------------------------------------------------------------- main thread
// writer_starved: frames that start an AI replan wave, and its length (ms)
struct Wave
{
    int frame;
    double ms;
};
const Wave kWaves[] = { { 41, 16 }, { 78, 33 }, { 119, 22 }, { 163, 40 }, { 197, 14 }, { 236, 28 }, { 271, 19 } };

void main_frame( int frame, Rng& rng )
{
    ZoneScopedN( "Game::Frame" );
    {
        ZoneScopedN( "Input::Poll" );
        work_us( rng.jitter( 300, 0.2 ) );
    }
    {
        ZoneScopedN( "Jobs::Dispatch" );
        work_us( rng.jitter( 120, 0.2 ) );
        if( g_scn == Scenario::WriterStarved )
        {
            for( const Wave& w : kWaves )
            {
                if( w.frame == frame )
                {
                    const int agents = rng.range( 180, 340 );
                    char msg[96];
                    int n = snprintf( msg, sizeof( msg ), "AI: replan requested for %d agents", agents );
                    TracyMessage( msg, n );
                    g_waveEnd.store( now_ns() + int64_t( w.ms * 1e6 ), std::memory_order_relaxed );
                }
            }
        }
    }
    {
        ZoneScopedN( "Gameplay::Update" );
        work_us( rng.jitter( 2000, 0.15 ) );
    }
    {
        ZoneScopedN( "World::ApplyChanges" );
        std::unique_lock<SharedLockableBase( std::shared_mutex )> lk( g_registryLock );
        {
            ZoneScopedN( "World::CommitSpawns" );
            work_us( rng.jitter( 250, 0.2 ) );
            if( frame % 7 == 0 ) g_entities += rng.range( 1, 6 );
        }
        {
            ZoneScopedN( "World::CommitTransforms" );
            work_us( rng.jitter( 350, 0.2 ) );
        }
        if( g_scn == Scenario::LongWriter && frame % 30 == 17 )
        {
            ZoneScopedN( "World::RebuildSpatialIndex" );
            ZoneValue( g_entities );
            work_us( rng.jitter( 7000, 0.12 ) );
        }
    }
    {
        ZoneScopedN( "Assets::PollCompleted" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_assetMutex );
        work_us( rng.jitter( 100, 0.2 ) );
    }
    {
        std::lock_guard<std::mutex> lk( g_streamMx );
        ++g_streamTicket;
    }
    g_streamCv.notify_one();
    if( frame % 60 == 29 )
    {
        ZoneScopedN( "Script::CollectGarbage" );
        work_us( rng.jitter( 2500, 0.1 ) );
    }
    {
        ZoneScopedN( "Render::Submit" );
        const double base = g_scn == Scenario::RegressB ? 4600 : 5000;
        work_us( rng.jitter( base, 0.08 ) );
    }
    TracyPlot( "entities", int64_t( g_entities ) );
    TracyPlot( "jobs completed", int64_t( g_jobsDone.exchange( 0 ) ) );
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: colonysim writer_starved|long_writer|regress_a|regress_b\n" );
        return 2;
    }
    const std::string s = argv[1];
    if( s == "writer_starved" ) g_scn = Scenario::WriterStarved;
    else if( s == "long_writer" ) g_scn = Scenario::LongWriter;
    else if( s == "regress_a" ) g_scn = Scenario::RegressA;
    else if( s == "regress_b" ) g_scn = Scenario::RegressB;
    else { fprintf( stderr, "unknown scenario %s\n", s.c_str() ); return 2; }

    name_thread( "Main" );
    TracyMessageL( "colonysim 1.4.2 starting" );
    {
        ZoneScopedN( "Game::Load" );
        work_us( 150000 );
    }
    FrameMark;

    std::vector<std::thread> threads;
    for( int i = 0; i < kWorkers; i++ ) threads.emplace_back( worker_main, i );
    std::thread streamer( streamer_main );

    Rng rng( 7 + int( g_scn ) );
    const int kFrames = 300;
    int64_t deadline = now_ns() + kVsyncNs;
    for( int frame = 1; frame <= kFrames; frame++ )
    {
        if( frame == 120 ) TracyMessageL( "Autosave queued" );
        if( frame == 210 ) TracyMessageL( "Raid event: 12 raiders spawned at north gate" );
        main_frame( frame, rng );
        {
            ZoneScopedN( "Frame::WaitVsync" );
            int64_t t = now_ns();
            if( t < deadline ) busy_until( deadline );
            else deadline = t;  // missed: restart the cadence
        }
        deadline += kVsyncNs;
        FrameMark;
    }
    TracyMessageL( "shutting down" );
    g_stop = true;
    {
        std::lock_guard<std::mutex> lk( g_streamMx );
        g_streamCv.notify_all();
    }
    for( auto& t : threads ) t.join();
    streamer.join();
    return 0;
}
