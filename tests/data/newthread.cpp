// skyrace: a small racing-game loop with one job worker, instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   "Main thread"  Game::Frame > Input::Poll, Game::UpdateLogic, Jobs::Kick, Physics::Step (> Physics::Broadphase,
//                  Physics::Solve), Anim::UpdateBlendTrees, Scene::BuildRenderList, Render::Submit, Audio::Update,
//                  Jobs::WaitForWorker; then FrameMark. No vsync: the frame runs as fast as the CPU work allows.
//   "Worker 1"     per frame: Anim::Skinning, Particles::Simulate (kicked by Jobs::Kick, waited by
//                  Jobs::WaitForWorker at the end of the frame).
//   "Streaming"    Streaming::LoadChunk every ~250 ms (mostly I/O wait, sleeps), present in both builds.
//   "Telemetry"    (build b only) Telemetry::Compress back to back (~5 ms each, busy spin) and
//                  Telemetry::Send every 100 ms.
// Work is emulated as a timed sleep plus a short busy spin (predictable on the loaded 2-core recording machine, where
// real contention from other processes made even build a noisy). The effect of sharing 2 cores among 3 busy threads
// in build b is emulated with a uniform 1.3x stretch of every main-thread and worker work item (g_cpuShare); the
// Telemetry thread itself really busy-spins (wall time) for each Telemetry::Compress.
// Plots: "Game::activeCars", "Particles::alive". Messages at startup / track load / lap events.
//
// Usage: skyrace regress a|b
//   a   baseline build: main thread + Worker 1 + a mostly idle Streaming thread on a 2-core machine (~14 ms frames)
//   b   same frame code, plus the new "Telemetry" thread spinning ~90% of a core -> 3 busy threads on 2 cores
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
#include <string>
#include <thread>

#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

volatile double g_sink = 0.0;

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

int64_t cpu_ns()
{
    timespec ts;
    clock_gettime( CLOCK_THREAD_CPUTIME_ID, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

// Busy spin for `ms` of wall time.
void spin_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

// Frame work of `ms` (uncontended): sleep most of it, spin the tail; stretched by the emulated core share.
double g_cpuShare = 1.0;
void cpu_work( double ms )
{
    ms *= g_cpuShare;
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    if( ms > 0.1 )
    {
        const int64_t d = end - 60000 - now_ns();
        if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
    }
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

void sleep_ms( double ms ) { std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)( ms * 1000 ) ) ); }

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.04 )
    {
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
};

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_NAME, n );
    prctl( PR_SET_TIMERSLACK, 1000UL );
}

std::atomic<bool> g_quit{ false };

// ---- job hand-off main -> worker ----
std::mutex g_jobMx;
std::condition_variable g_jobCv;
uint64_t g_kicked = 0, g_done = 0;

void worker_main()
{
    name_thread( "Worker 1" );
    rng_t r( 77 );
    uint64_t seen = 0;
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( g_jobMx );
            g_jobCv.wait( lk, [&] { return g_kicked > seen || g_quit.load(); } );
            if( g_quit.load() && g_kicked == seen ) return;
            seen = g_kicked;
        }
        {
            ZoneScopedN( "Anim::Skinning" );
            ZoneValue( 24 );
            cpu_work( r( 4.6 ) );
        }
        {
            ZoneScopedN( "Particles::Simulate" );
            const int alive = 5200 + r.range( -300, 300 );
            ZoneValue( alive );
            TracyPlot( "Particles::alive", (int64_t)alive );
            cpu_work( r( 3.8 ) );
        }
        {
            std::lock_guard<std::mutex> lk( g_jobMx );
            g_done = seen;
        }
        g_jobCv.notify_all();
    }
}

void streaming_main()
{
    name_thread( "Streaming" );
    rng_t r( 5 );
    int chunk = 0;
    while( !g_quit.load() )
    {
        sleep_ms( r( 240, 0.1 ) );
        if( g_quit.load() ) break;
        ZoneScopedN( "Streaming::LoadChunk" );
        char buf[64];
        int n = snprintf( buf, sizeof buf, "track/sector_%02d.pak", chunk++ % 24 );
        ZoneText( buf, n );
        sleep_ms( r( 6.0, 0.3 ) );   // disk read (blocked, no CPU)
        {
            ZoneScopedN( "Streaming::Decode" );
            cpu_work( r( 0.35 ) );
        }
    }
}

void telemetry_main()
{
    name_thread( "Telemetry" );
    TracyMessageL( "Telemetry: session started, endpoint telemetry.internal:7400, batch every 100 ms" );
    rng_t r( 99 );
    int64_t nextSend = now_ns() + 100000000ll;
    int batch = 0;
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Telemetry::Compress" );
            spin_ms( r( 5.0, 0.06 ) );
        }
        sleep_ms( 0.45 );   // queue hand-off
        if( now_ns() >= nextSend )
        {
            nextSend += 100000000ll;
            ZoneScopedN( "Telemetry::Send" );
            ZoneValue( batch++ );
            sleep_ms( r( 1.2, 0.2 ) );   // socket write
        }
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 3 || strcmp( argv[1], "regress" ) != 0 || ( strcmp( argv[2], "a" ) != 0 && strcmp( argv[2], "b" ) != 0 ) )
    {
        fprintf( stderr, "usage: %s regress a|b\n", argv[0] );
        return 1;
    }
    const bool buildB = argv[2][0] == 'b';
    if( buildB ) g_cpuShare = 1.3;   // emulated: 3 busy threads on 2 cores
    name_thread( "Main thread" );
    TracyMessageL( buildB ? "skyrace 1.8.3 (build 5121) starting" : "skyrace 1.8.2 (build 5087) starting" );

    {
        ZoneScopedN( "Game::LoadTrack" );
        TracyMessageL( "Loading track: Coastal Ridge" );
        sleep_ms( 30 );
        cpu_work( 8 );
    }

    std::thread worker( worker_main );
    std::thread streaming( streaming_main );
    std::thread telemetry;
    if( buildB ) telemetry = std::thread( telemetry_main );

    rng_t r( 1234 );
    const int64_t tEnd = now_ns() + 5500000000ll;
    uint64_t frame = 0;
    int lap = 0;
    int64_t lapStart = now_ns();
    while( now_ns() < tEnd )
    {
        {
            ZoneScopedN( "Game::Frame" );
            ++frame;
            {
                ZoneScopedN( "Input::Poll" );
                cpu_work( r( 0.3 ) );
            }
            {
                ZoneScopedN( "Game::UpdateLogic" );
                const int cars = 12;
                TracyPlot( "Game::activeCars", (int64_t)cars );
                cpu_work( r( 3.0 ) );
            }
            {
                ZoneScopedN( "Jobs::Kick" );
                {
                    std::lock_guard<std::mutex> lk( g_jobMx );
                    g_kicked = frame;
                }
                g_jobCv.notify_all();
                cpu_work( 0.05 );
            }
            {
                ZoneScopedN( "Physics::Step" );
                {
                    ZoneScopedN( "Physics::Broadphase" );
                    cpu_work( r( 0.9 ) );
                }
                {
                    ZoneScopedN( "Physics::Solve" );
                    cpu_work( r( 2.1 ) );
                }
            }
            {
                ZoneScopedN( "Anim::UpdateBlendTrees" );
                cpu_work( r( 1.4 ) );
            }
            {
                ZoneScopedN( "Scene::BuildRenderList" );
                cpu_work( r( 1.9 ) );
            }
            {
                ZoneScopedN( "Render::Submit" );
                cpu_work( r( 3.6 ) );
            }
            {
                ZoneScopedN( "Audio::Update" );
                cpu_work( r( 0.4 ) );
            }
            {
                ZoneScopedN( "Jobs::WaitForWorker" );
                std::unique_lock<std::mutex> lk( g_jobMx );
                g_jobCv.wait( lk, [&] { return g_done >= frame; } );
            }
        }
        FrameMark;
        if( now_ns() - lapStart > 1800000000ll )
        {
            lapStart = now_ns();
            char buf[64];
            int n = snprintf( buf, sizeof buf, "Lap %d complete (player P%d)", ++lap, 1 + lap % 4 );
            TracyMessage( buf, n );
        }
    }
    TracyMessageL( "Shutting down" );
    g_quit.store( true );
    {
        std::lock_guard<std::mutex> lk( g_jobMx );
    }
    g_jobCv.notify_all();
    worker.join();
    streaming.join();
    if( telemetry.joinable() ) telemetry.join();
    return 0;
}
