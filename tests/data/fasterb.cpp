// fasterb: a small action game's frame loop (uncapped frame rate, no vsync), instrumented with Tracy.
// Benchmark data for profiler-analysis tools. Threads:
//   "Main thread"    Game::Frame > Input::Poll, Jobs::Dispatch, Game::UpdateEntities, Physics::Step
//                    (> Physics::Broadphase, Physics::Solve, Physics::Integrate), Anim::Evaluate (build A),
//                    Jobs::Wait, UI::Update (> UI::Layout, UI::Draw), Render::BuildDrawList,
//                    Render::WaitForRenderThread, Render::Kick, then FrameMark.
//   "Render thread"  Render::Frame > Render::SortDrawCalls, Render::RecordCommands, Render::Submit, Render::Present
//                    (pipelined one frame behind main; never the bottleneck).
//   "Worker 0..2"    Job::CullVisibility, Job::Particles (ZoneText = chunk), Anim::Evaluate in opt2 b.
// Lock: Assets::CacheMutex (workers + render thread, short and uncontended). Plots: "draw calls", "frame ms".
//
// Usage: fasterb <opt1|opt2|noop> <a|b>
//   opt1 b  Physics::Solve 4.0 -> 1.5 ms, UI::Layout 0.8 -> 1.6 ms (accidental regression)
//   opt2 b  Anim::Evaluate (5 ms on main) split into 3 jobs of ~1.67 ms on the workers
//   noop b  "radix sort" Render::SortDrawCalls: same cost as a (only the noise/seed differs)
// Run ONLY through record.sh (loopback-only network namespace, TRACY_NO_EXIT=1).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
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

constexpr int kFrames = 420;

std::atomic<bool> g_stop{ false };
volatile double g_sink = 0.0;

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

void busy_until( int64_t end )
{
    const int64_t d = end - now_ns() - 150000;
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
    double x = 1.0;
    while( now_ns() < end ) { for( int i = 0; i < 64; i++ ) x = x * 1.0000001 + 0.5; }
    g_sink = g_sink + x;
}

struct Rng
{
    std::mt19937 gen;
    std::normal_distribution<double> n{ 0.0, 1.0 };
    explicit Rng( unsigned s ) : gen( s ) {}
    // mean ms, relative sd
    double ms( double mean, double rel = 0.04 )
    {
        double v = mean * ( 1.0 + rel * n( gen ) );
        if( v < mean * 0.8 ) v = mean * 0.8;
        if( v > mean * 1.2 ) v = mean * 1.2;
        return v;
    }
};

// Emulation only: ask for a modest real-time priority so wake-ups from the timed sleeps are prompt on a loaded
// 2-core machine (durations stay predictable); silently ignored if not permitted.
void thread_setup()
{
    prctl( PR_SET_TIMERSLACK, 1 );
    sched_param sp{};
    sp.sched_priority = 5;
    pthread_setschedparam( pthread_self(), SCHED_FIFO, &sp );
}

void work( double ms ) { busy_until( now_ns() + (int64_t)( ms * 1e6 ) ); }

TracyLockableN( std::mutex, g_assetCache, "Assets::CacheMutex" );

// ---- job system -------------------------------------------------------------------------------------------
struct Job
{
    int kind;  // 0 cull, 1 particles, 2 anim
    int chunk;
    double ms;
};

std::mutex g_qm;
std::condition_variable g_qcv;
std::condition_variable g_donecv;
std::deque<Job> g_queue;
int g_pending = 0;

void run_job( const Job& j )
{
    char txt[64];
    if( j.kind == 0 )
    {
        ZoneScopedN( "Job::CullVisibility" );
        int n = snprintf( txt, sizeof txt, "cells chunk %d/3", j.chunk );
        ZoneText( txt, n );
        work( j.ms * 0.85 );
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_assetCache );
            work( 0.04 );
        }
        work( j.ms * 0.15 );
    }
    else if( j.kind == 1 )
    {
        ZoneScopedN( "Job::Particles" );
        int n = snprintf( txt, sizeof txt, "emitters chunk %d/3", j.chunk );
        ZoneText( txt, n );
        work( j.ms );
    }
    else
    {
        ZoneScopedN( "Anim::Evaluate" );
        int n = snprintf( txt, sizeof txt, "skeletons %d-%d", j.chunk * 96, j.chunk * 96 + 95 );
        ZoneText( txt, n );
        work( j.ms );
    }
}

void worker_main( int idx )
{
    char name[32];
    snprintf( name, sizeof name, "Worker %d", idx );
    tracy::SetThreadName( name );
    thread_setup();
    for( ;; )
    {
        Job j;
        {
            std::unique_lock<std::mutex> lk( g_qm );
            g_qcv.wait( lk, [] { return g_stop.load() || !g_queue.empty(); } );
            if( g_queue.empty() ) return;
            j = g_queue.front();
            g_queue.pop_front();
        }
        run_job( j );
        {
            std::lock_guard<std::mutex> lk( g_qm );
            if( --g_pending == 0 ) g_donecv.notify_all();
        }
    }
}

// ---- render thread ----------------------------------------------------------------------------------------
std::mutex g_rm;
std::condition_variable g_rcv;
bool g_renderBusy = false;
bool g_renderHasWork = false;
int g_renderFrame = 0;
int g_drawCalls = 0;

void render_main( unsigned seed, bool noopB )
{
    tracy::SetThreadName( "Render thread" );
    thread_setup();
    Rng rng( seed );
    for( ;; )
    {
        int frame, draws;
        {
            std::unique_lock<std::mutex> lk( g_rm );
            g_rcv.wait( lk, [] { return g_stop.load() || g_renderHasWork; } );
            if( !g_renderHasWork ) return;
            g_renderHasWork = false;
            frame = g_renderFrame;
            draws = g_drawCalls;
        }
        {
            ZoneScopedN( "Render::Frame" );
            ZoneValue( frame );
            {
                ZoneScopedN( "Render::SortDrawCalls" );
                ZoneValue( draws );
                // noop b: the "radix sort" costs the same as a's std::sort here
                work( rng.ms( noopB ? 1.2 : 1.2 ) );
            }
            {
                ZoneScopedN( "Render::RecordCommands" );
                work( rng.ms( 3.3 ) * 0.9 );
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_assetCache );
                    work( 0.05 );
                }
                work( rng.ms( 3.3 ) * 0.1 );
            }
            {
                ZoneScopedN( "Render::Submit" );
                work( rng.ms( 0.6 ) );
            }
            {
                ZoneScopedN( "Render::Present" );
                work( rng.ms( 0.3 ) );
            }
        }
        {
            std::lock_guard<std::mutex> lk( g_rm );
            g_renderBusy = false;
        }
        g_rcv.notify_all();
    }
}

} // namespace

int main( int argc, char** argv )
{
    if( argc < 3 )
    {
        fprintf( stderr, "usage: fasterb <opt1|opt2|noop> <a|b>\n" );
        return 1;
    }
    const std::string sc = argv[1];
    const bool b = strcmp( argv[2], "b" ) == 0;
    if( sc != "opt1" && sc != "opt2" && sc != "noop" )
    {
        fprintf( stderr, "unknown scenario %s\n", sc.c_str() );
        return 1;
    }
    const bool opt1B = sc == "opt1" && b;
    const bool opt2B = sc == "opt2" && b;
    const bool noopB = sc == "noop" && b;

    unsigned seed = 1000u + ( sc == "opt1" ? 10u : sc == "opt2" ? 20u : 30u ) + ( b ? 7u : 0u );

    tracy::SetThreadName( "Main thread" );
    thread_setup();

    {
        char msg[160];
        int n = snprintf( msg, sizeof msg, "fasterb 0.9.%d (%s) starting: %s", b ? 5 : 4, b ? "build B" : "build A",
                          opt1B ? "physics solver SIMD path enabled"
                          : opt2B ? "animation evaluation on job workers"
                          : noopB ? "draw-call sort: radix sort"
                                  : "baseline" );
        TracyMessage( msg, n );
    }
    std::this_thread::sleep_for( std::chrono::milliseconds( 100 ) );

    std::vector<std::thread> workers;
    for( int i = 0; i < 3; i++ ) workers.emplace_back( worker_main, i );
    std::thread render( render_main, seed + 100, noopB );
    TracyMessageL( "Level loaded: harbor_district (812 entities)" );

    Rng rng( seed );
    int64_t lastFrame = now_ns();
    int64_t secStart = lastFrame;
    int secFrames = 0;

    for( int f = 0; f < kFrames; f++ )
    {
        {
            ZoneScopedN( "Game::Frame" );
            ZoneValue( f );
            {
                ZoneScopedN( "Input::Poll" );
                work( rng.ms( 0.3 ) );
            }
            {
                ZoneScopedN( "Jobs::Dispatch" );
                std::lock_guard<std::mutex> lk( g_qm );
                for( int c = 0; c < 3; c++ ) g_queue.push_back( Job{ 0, c, rng.ms( 1.0 ) } );
                for( int c = 0; c < 3; c++ ) g_queue.push_back( Job{ 1, c, rng.ms( 0.8 ) } );
                if( opt2B )
                    for( int c = 0; c < 3; c++ ) g_queue.push_back( Job{ 2, c, rng.ms( 5.0 / 3.0 ) } );
                g_pending += opt2B ? 9 : 6;
                g_qcv.notify_all();
            }
            {
                ZoneScopedN( "Game::UpdateEntities" );
                work( rng.ms( 2.0 ) );
            }
            {
                ZoneScopedN( "Physics::Step" );
                {
                    ZoneScopedN( "Physics::Broadphase" );
                    work( rng.ms( 0.6 ) );
                }
                {
                    ZoneScopedN( "Physics::Solve" );
                    work( rng.ms( opt1B ? 1.5 : 4.0 ) );
                }
                {
                    ZoneScopedN( "Physics::Integrate" );
                    work( rng.ms( 0.4 ) );
                }
            }
            if( !opt2B )
            {
                ZoneScopedN( "Anim::Evaluate" );
                ZoneText( "skeletons 0-287", 15 );
                work( rng.ms( 5.0 ) );
            }
            {
                ZoneScopedN( "Jobs::Wait" );
                std::unique_lock<std::mutex> lk( g_qm );
                g_donecv.wait( lk, [] { return g_pending == 0; } );
            }
            {
                ZoneScopedN( "UI::Update" );
                {
                    ZoneScopedN( "UI::Layout" );
                    work( rng.ms( opt1B ? 1.6 : 0.8 ) );
                }
                {
                    ZoneScopedN( "UI::Draw" );
                    work( rng.ms( 0.3 ) );
                }
            }
            int draws = 1800 + (int)( rng.n( rng.gen ) * 60.0 );
            {
                ZoneScopedN( "Render::BuildDrawList" );
                ZoneValue( draws );
                work( rng.ms( 0.6 ) );
            }
            {
                ZoneScopedN( "Render::WaitForRenderThread" );
                std::unique_lock<std::mutex> lk( g_rm );
                g_rcv.wait( lk, [] { return !g_renderBusy; } );
            }
            {
                ZoneScopedN( "Render::Kick" );
                std::lock_guard<std::mutex> lk( g_rm );
                g_renderBusy = true;
                g_renderHasWork = true;
                g_renderFrame = f;
                g_drawCalls = draws;
                g_rcv.notify_all();
            }
            TracyPlot( "draw calls", (int64_t)draws );
        }
        FrameMark;
        const int64_t t = now_ns();
        TracyPlot( "frame ms", ( t - lastFrame ) / 1e6 );
        lastFrame = t;
        secFrames++;
        if( t - secStart >= 1000000000ll )
        {
            char msg[96];
            int n = snprintf( msg, sizeof msg, "perf: %d frames in %.2f s (%.1f fps)", secFrames,
                              ( t - secStart ) / 1e9, secFrames * 1e9 / ( t - secStart ) );
            TracyMessage( msg, n );
            secStart = t;
            secFrames = 0;
        }
    }

    {
        std::unique_lock<std::mutex> lk( g_rm );
        g_rcv.wait( lk, [] { return !g_renderBusy; } );
    }
    g_stop = true;
    g_qcv.notify_all();
    g_rcv.notify_all();
    for( auto& w : workers ) w.join();
    render.join();
    TracyMessageL( "Shutdown complete" );
    std::this_thread::sleep_for( std::chrono::milliseconds( 200 ) );
    return 0;
}
