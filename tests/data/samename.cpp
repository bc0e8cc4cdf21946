// samename: a small game loop whose three threads each have a zone called plainly "Update" (blind test data for
// profiler-analysis tools; not part of any project). Threads:
//   main ("Main")      Game::Frame > Input::Poll, Game::KickAI (wakes the AI thread), Update (~3 ms, game-object
//                      update), Game::WaitForAI (blocks until the AI tick of this frame is done), Renderer::DrawScene
//                      (~5 ms, big but steady), Renderer::Present (~1 ms), then FrameMark. No vsync.
//   "AI"               per frame, when kicked: AI::Tick > AI::Perception (~0.5 ms), Update (~4 ms, behaviour update),
//                      AI::Plan (~0.5 ms).
//   "Physics"          fixed 100 Hz step, independent of the frame: Physics::Tick > Physics::Broadphase (~0.6 ms),
//                      Update (~2 ms, rigid-body integration), Physics::Solve (~1.2 ms).
// Plots: "ai agents", "rigid bodies". Messages: build id, level load, periodic stats.
//
// Usage: samename <scenario>
//   regress_a   baseline build
//   regress_b   only the AI thread's Update is slower (4 -> 9 ms per call); main waits for it in Game::WaitForAI
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
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
std::atomic<bool> g_stop{ false };

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

// Emulated work: sleep to just before the deadline, then spin briefly.
void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    if( ms > 0.08 ) sleep_until_ns( end - 30000 );
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.05 )
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

void message( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void message( const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyMessage( buf, (size_t)( n < (int)sizeof( buf ) ? n : (int)sizeof( buf ) - 1 ) );
}

struct params
{
    double seconds = 5.0;
    double ai_update_ms = 4.0;  // regress_b: 9.0
    const char* build = "ironvale 0.9.14 (a3f1c02)";
};
params g_p;

// ---------------------------------------------------------------------------------------------------------------
// AI thread: one tick per frame, kicked by the main thread.

std::mutex g_aiMutex;
std::condition_variable g_aiCv;
uint64_t g_aiKicked = 0;  // frame number requested
uint64_t g_aiDone = 0;    // frame number finished

void ai_thread()
{
    name_thread( "AI" );
    rng_t r( 0xA1A1 );
    uint64_t frame = 0;
    int agents = 48;
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( g_aiMutex );
            g_aiCv.wait( lk, [&] { return g_aiKicked > frame || g_stop.load(); } );
            if( g_aiKicked <= frame ) return;
            frame = g_aiKicked;
        }
        {
            ZoneScopedN( "AI::Tick" );
            {
                ZoneScopedN( "AI::Perception" );
                busy_ms( r( 0.5 ) );
            }
            {
                ZoneScopedN( "Update" );
                ZoneValue( (uint64_t)agents );
                busy_ms( r( g_p.ai_update_ms ) );
            }
            {
                ZoneScopedN( "AI::Plan" );
                busy_ms( r( 0.5 ) );
            }
        }
        if( frame % 20 == 0 ) agents = 46 + r.range( 0, 4 );
        TracyPlot( "ai agents", (int64_t)agents );
        {
            std::lock_guard<std::mutex> lk( g_aiMutex );
            g_aiDone = frame;
        }
        g_aiCv.notify_all();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Physics thread: fixed 100 Hz step, independent of the render frame.

void physics_thread()
{
    name_thread( "Physics" );
    rng_t r( 0xB2B2 );
    const int64_t step = 10000000;  // 10 ms
    int64_t next = now_ns();
    int bodies = 320;
    uint64_t n = 0;
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Physics::Tick" );
            {
                ZoneScopedN( "Physics::Broadphase" );
                busy_ms( r( 0.6 ) );
            }
            {
                ZoneScopedN( "Update" );
                ZoneValue( (uint64_t)bodies );
                busy_ms( r( 2.0 ) );
            }
            {
                ZoneScopedN( "Physics::Solve" );
                busy_ms( r( 1.2 ) );
            }
        }
        if( ++n % 50 == 0 )
        {
            bodies = 310 + r.range( 0, 20 );
            message( "Physics: %d rigid bodies, %d contacts", bodies, 900 + r.range( 0, 200 ) );
        }
        TracyPlot( "rigid bodies", (int64_t)bodies );
        next += step;
        if( next < now_ns() ) next = now_ns();
        sleep_until_ns( next );
    }
}

// ---------------------------------------------------------------------------------------------------------------

void run()
{
    name_thread( "Main" );
    message( "Build: %s", g_p.build );
    {
        ZoneScopedN( "Game::LoadLevel" );
        busy_ms( 60.0 );
        TracyMessageL( "Level loaded: harbor_district" );
    }
    std::thread ai( ai_thread );
    std::thread phys( physics_thread );

    rng_t r( 0xC3C3 );
    const int64_t t_end = now_ns() + (int64_t)( g_p.seconds * 1e9 );
    uint64_t frame = 0;
    while( now_ns() < t_end )
    {
        ++frame;
        {
            ZoneScopedN( "Game::Frame" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.3 ) );
            }
            {
                ZoneScopedN( "Game::KickAI" );
                {
                    std::lock_guard<std::mutex> lk( g_aiMutex );
                    g_aiKicked = frame;
                }
                g_aiCv.notify_all();
            }
            {
                ZoneScopedN( "Update" );
                ZoneValue( (uint64_t)1850 );
                busy_ms( r( 3.0 ) );
            }
            {
                ZoneScopedN( "Game::WaitForAI" );
                std::unique_lock<std::mutex> lk( g_aiMutex );
                g_aiCv.wait( lk, [&] { return g_aiDone >= frame; } );
            }
            {
                ZoneScopedN( "Renderer::DrawScene" );
                busy_ms( r( 5.0 ) );
            }
            {
                ZoneScopedN( "Renderer::Present" );
                busy_ms( r( 1.0 ) );
            }
        }
        FrameMark;
        if( frame % 120 == 0 ) message( "Frame %llu: streaming 2 cells, 0 pending", (unsigned long long)frame );
    }
    g_stop.store( true );
    g_aiCv.notify_all();
    ai.join();
    phys.join();
    TracyMessageL( "Shutdown" );
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string sc = argc > 1 ? argv[1] : "regress_a";
    if( sc == "regress_a" ) {}
    else if( sc == "regress_b" ) { g_p.ai_update_ms = 9.0; g_p.build = "ironvale 0.9.15 (7c2e9b4)"; }
    else { fprintf( stderr, "unknown scenario %s\n", sc.c_str() ); return 2; }
    run();
    std::this_thread::sleep_for( std::chrono::milliseconds( 200 ) );
    return 0;
}
