// budgetgame: an action game's frame loop (~21 ms, main-thread bound), instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   "Main thread"   Game::Frame > Input::Poll, Jobs::Dispatch (kicks the frame's worker jobs), AI::Think
//                   (> AI::Perception, AI::Plan), Physics::Step (> Physics::Broadphase, Physics::Solve),
//                   Anim::Update (> Anim::BlendTrees), UI::Layout, Audio::Update, Gameplay::Scripts, Jobs::Wait
//                   (waits until all of the frame's jobs are done), Render::PrepareFrame (hands the frame to the
//                   render thread), Game::EndFrame; then FrameMark.
//   "Worker 0..3"   job workers pulling from one FIFO queue: Job::Skinning, Job::Particles, Job::Cull,
//                   Job::Cloth (long, ~16 ms each, but parallel and dispatched at frame start: done early).
//   "RenderThread"  renders the previous frame: Render::Frame > Render::DrawScene, Render::PostProcess,
//                   Render::Present (~9 ms), then idles until the next frame is handed over.
// Plots: "jobs in flight", "entities". Messages at level load and every 60 frames.
//
// Usage: budgetgame <scenario>
//   over_budget  baseline; ~21 ms frames, the main thread is the critical path
//   regress_a    same as over_budget (baseline build)
//   regress_b    Physics::Solve (3 ms) moved from the main thread into a worker job (Physics::Solve on a worker,
//                pushed in Physics::Step); the job queues behind the long jobs, so Jobs::Wait grows by ~3 ms and
//                the frame is no faster
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
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

bool g_physics_jobs = false;  // regress_b

// ---------------------------------------------------------------------------------------------------------------
// Job system: one FIFO queue, 4 workers, per-frame completion counter.

struct job_system
{
    std::mutex m;
    std::condition_variable cv_work, cv_done;
    std::deque<std::function<void()>> q;
    int pending = 0;
    std::vector<std::thread> threads;

    void push( std::function<void()> f )
    {
        {
            std::lock_guard<std::mutex> lk( m );
            q.push_back( std::move( f ) );
            pending++;
            TracyPlot( "jobs in flight", (int64_t)pending );
        }
        cv_work.notify_one();
    }
    void wait_all()
    {
        std::unique_lock<std::mutex> lk( m );
        cv_done.wait( lk, [this] { return pending == 0; } );
    }
    void worker( int idx )
    {
        char name[32];
        snprintf( name, sizeof( name ), "Worker %d", idx );
        name_thread( name );
        for( ;; )
        {
            std::function<void()> f;
            {
                std::unique_lock<std::mutex> lk( m );
                cv_work.wait( lk, [this] { return !q.empty() || g_stop.load(); } );
                if( q.empty() ) return;
                f = std::move( q.front() );
                q.pop_front();
            }
            f();
            {
                std::lock_guard<std::mutex> lk( m );
                pending--;
                TracyPlot( "jobs in flight", (int64_t)pending );
                if( pending == 0 ) cv_done.notify_all();
            }
        }
    }
    void start( int n )
    {
        for( int i = 0; i < n; i++ ) threads.emplace_back( [this, i] { worker( i ); } );
    }
    void stop()
    {
        {
            std::lock_guard<std::mutex> lk( m );
            g_stop = true;
        }
        cv_work.notify_all();
        for( auto& t : threads ) t.join();
    }
};

job_system g_jobs;

// ---------------------------------------------------------------------------------------------------------------
// Render thread: renders frame N while the main thread simulates N+1.

struct render_thread
{
    std::mutex m;
    std::condition_variable cv;
    int64_t submitted = -1, rendered = -1;
    std::thread t;

    void run()
    {
        name_thread( "RenderThread" );
        rng_t r( 0x52454e44 );
        for( ;; )
        {
            int64_t frame;
            {
                std::unique_lock<std::mutex> lk( m );
                cv.wait( lk, [this] { return submitted > rendered || g_stop.load(); } );
                if( submitted <= rendered ) return;
                frame = submitted;
            }
            {
                ZoneScopedN( "Render::Frame" );
                ZoneValue( (uint64_t)frame );
                {
                    ZoneScopedN( "Render::DrawScene" );
                    busy_ms( r( 5.5 ) );
                }
                {
                    ZoneScopedN( "Render::PostProcess" );
                    busy_ms( r( 2.4 ) );
                }
                {
                    ZoneScopedN( "Render::Present" );
                    busy_ms( r( 0.9 ) );
                }
            }
            std::lock_guard<std::mutex> lk( m );
            rendered = frame;
        }
    }
    void submit( int64_t frame )
    {
        {
            std::lock_guard<std::mutex> lk( m );
            submitted = frame;
        }
        cv.notify_one();
    }
    void stop()
    {
        cv.notify_all();
        t.join();
    }
};

render_thread g_render;

void long_job( const char* zname, const char* text, double ms, uint32_t seed )
{
    rng_t r( seed );
    const double d = r( ms, 0.03 );
    g_jobs.push( [zname, text, d] {
        ZoneScopedN( "Job::Run" );
        ZoneText( text, strlen( text ) );
        // The job's own zone name is set per job via a nested named zone.
        if( zname[5] == 'S' )
        {
            ZoneScopedN( "Job::Skinning" );
            busy_ms( d );
        }
        else if( zname[5] == 'P' )
        {
            ZoneScopedN( "Job::Particles" );
            busy_ms( d );
        }
        else if( zname[5] == 'C' && zname[6] == 'u' )
        {
            ZoneScopedN( "Job::Cull" );
            busy_ms( d );
        }
        else
        {
            ZoneScopedN( "Job::Cloth" );
            busy_ms( d );
        }
    } );
}

void game_frame( int64_t frame, rng_t& r )
{
    ZoneScopedN( "Game::Frame" );
    ZoneValue( (uint64_t)frame );
    {
        ZoneScopedN( "Input::Poll" );
        busy_ms( r( 0.35 ) );
    }
    {
        ZoneScopedN( "Jobs::Dispatch" );
        const uint32_t s = (uint32_t)frame * 7919u;
        long_job( "Job::Skinning", "skin 212 characters", 16.4, s + 1 );
        long_job( "Job::Particles", "particles 38 emitters", 16.2, s + 2 );
        long_job( "Job::Cull", "cull 4 views", 16.0, s + 3 );
        long_job( "Job::Cloth", "cloth 12 capes", 16.6, s + 4 );
        busy_ms( r( 0.25 ) );
    }
    {
        ZoneScopedN( "AI::Think" );
        {
            ZoneScopedN( "AI::Perception" );
            busy_ms( r( 2.0 ) );
        }
        {
            ZoneScopedN( "AI::Plan" );
            busy_ms( r( 3.45 ) );
        }
    }
    {
        ZoneScopedN( "Physics::Step" );
        {
            ZoneScopedN( "Physics::Broadphase" );
            busy_ms( r( 0.95 ) );
        }
        if( g_physics_jobs )
        {
            const double d = r( 3.0 );
            g_jobs.push( [d] {
                ZoneScopedN( "Job::Run" );
                ZoneText( "physics islands", 15 );
                {
                    ZoneScopedN( "Physics::Solve" );
                    busy_ms( d );
                }
            } );
        }
        else
        {
            ZoneScopedN( "Physics::Solve" );
            busy_ms( r( 3.0 ) );
        }
    }
    {
        ZoneScopedN( "Anim::Update" );
        busy_ms( r( 0.5 ) );
        {
            ZoneScopedN( "Anim::BlendTrees" );
            busy_ms( r( 2.5 ) );
        }
    }
    {
        ZoneScopedN( "UI::Layout" );
        busy_ms( r( 2.5 ) );
    }
    {
        ZoneScopedN( "Audio::Update" );
        busy_ms( r( 1.5 ) );
    }
    {
        ZoneScopedN( "Gameplay::Scripts" );
        busy_ms( r( 1.4 ) );
    }
    {
        ZoneScopedN( "Jobs::Wait" );
        g_jobs.wait_all();
    }
    {
        ZoneScopedN( "Render::PrepareFrame" );
        busy_ms( r( 1.3 ) );
        g_render.submit( frame );
    }
    {
        ZoneScopedN( "Game::EndFrame" );
        busy_ms( r( 0.3 ) );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    if( s != "over_budget" && s != "regress_a" && s != "regress_b" )
    {
        fprintf( stderr, "usage: budgetgame over_budget|regress_a|regress_b\n" );
        return 2;
    }
    name_thread( "Main thread" );
    const char* app = s == "regress_b" ? "budgetgame 0.9.4 (physics-jobs)" : "budgetgame 0.9.3";
    TracyAppInfo( app, strlen( app ) );
    g_physics_jobs = s == "regress_b";
    uint32_t seed = 0x42554447;
    if( s == "regress_a" ) seed ^= 1;
    if( s == "regress_b" ) seed ^= 2;
    rng_t r( seed );
    double seconds = 5.0;
    if( getenv( "BUDGETGAME_SECONDS" ) ) seconds = atof( getenv( "BUDGETGAME_SECONDS" ) );

    g_jobs.start( 4 );
    g_render.t = std::thread( [] { g_render.run(); } );
    message( "Level loaded: harbor_district (212 characters, 38 emitters)" );
    message( "Job system: 4 workers" );
    if( g_physics_jobs ) message( "Physics: solver runs as a job (r_physicsJobs=1)" );

    const int64_t t0 = now_ns();
    int64_t frame = 0;
    while( now_ns() - t0 < (int64_t)( seconds * 1e9 ) )
    {
        game_frame( frame, r );
        FrameMark;
        TracyPlot( "entities", (int64_t)( 1400 + ( frame % 50 ) ) );
        if( frame % 60 == 59 ) message( "frame %lld: %d entities", (long long)frame + 1, int( 1400 + frame % 50 ) );
        frame++;
    }
    message( "Shutting down after %lld frames", (long long)frame );
    g_jobs.wait_all();
    {
        std::unique_lock<std::mutex> lk( g_render.m );
    }
    g_stop = true;
    g_jobs.stop();
    g_render.stop();
    return 0;
}
