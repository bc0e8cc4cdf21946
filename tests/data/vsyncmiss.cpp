// vsyncmiss: a small game ("Skyforge") that presents with vsync at 60 Hz, instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   "Main thread"    Game::Frame > Input::Poll, Game::Logic, Physics::Step (> Physics::Broadphase, Jobs::Wait,
//                    Physics::Integrate), Anim::Update, Particles::Simulate, Scene::Cull, Render::Kick,
//                    Sync::WaitForRender; then FrameMark. The main thread hands the frame to the render thread and
//                    waits for it (vsync included) before starting the next frame (no pipelining).
//   "Render thread"  Render::Frame > Render::BuildCommands, Render::Submit, Render::Present. Present emulates a
//                    vsync swap: it sleeps until the next 16.667 ms boundary of a fixed clock (started at launch),
//                    so a frame whose CPU work exceeds 16.667 ms takes 33.3 ms.
//   "Worker 0/1"     Physics::SolveIsland (ZoneText = island), dispatched by Physics::Step.
//   "Audio thread"   Audio::Mix every 10 ms (~1.6 ms), independent of the frame.
// Plots: "particles alive", "draw calls". Messages: level load, autosaves, and (drops only) "Explosion at ...".
//
// Usage: skyforge <scenario>   (built from vsyncmiss.cpp as "skyforge" so the capture name does not hint)
//   drops      ~1 frame in 6 a burst of emitters ("Explosion at ..." message first) makes Particles::Simulate
//              take ~5 ms instead of ~2 ms: the CPU work goes past 16.67 ms and that frame takes 33.3 ms.
//   regress_a  baseline build: CPU work ~14.4-15.8 ms, every frame 16.7 ms (60 fps)
//   regress_b  Anim::Update 3.0 -> 4.5 ms; CPU work straddles 16.67 ms, ~30% of frames take 33.3 ms
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see /work/team/bin/record.sh).

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

constexpr int64_t kVblankNs = 16666667;
volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };
int64_t g_clock0 = 0;

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC_RAW, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

void spin_until_ns( int64_t end )
{
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

// Sleep to shortly before the deadline, then spin: wall-clock accurate on a loaded machine.
void wait_until_ns( int64_t end )
{
    const int64_t d = end - now_ns() - 300000;
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
    spin_until_ns( end );
}

void busy_ms( double ms ) { wait_until_ns( now_ns() + (int64_t)( ms * 1e6 ) ); }

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    double jit( double base, double pct ) { return base * uni( 1.0 - pct, 1.0 + pct ); }
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
    int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    if( n > (int)sizeof( buf ) - 1 ) n = sizeof( buf ) - 1;
    TracyMessage( buf, (size_t)n );
}

struct params
{
    std::string scenario;
    double seconds = 5.0;
    bool explosions = false;     // drops
    double anim_ms = 3.0;        // regress_b: 4.5
    // per-frame CPU work (ms) of the steady parts; regress_* run closer to the budget
    double logic_ms = 0.8, cull_ms = 1.0, build_ms = 2.2, submit_ms = 1.2, jitter = 0.08;
};
params g_p;

// ---------------------------------------------------------------------------------------------------------------
// Workers: physics islands

struct worker_pool
{
    std::mutex m;
    std::condition_variable cv, done_cv;
    int generation = 0;
    int pending = 0;
    double job_ms[2] = { 0, 0 };
    int island[2] = { 0, 0 };
};
worker_pool g_pool;

void worker_main( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    name_thread( name );
    int seen = 0;
    for( ;; )
    {
        double ms;
        int isl;
        {
            std::unique_lock<std::mutex> lk( g_pool.m );
            g_pool.cv.wait( lk, [&] { return g_stop.load() || g_pool.generation != seen; } );
            if( g_stop.load() ) return;
            seen = g_pool.generation;
            ms = g_pool.job_ms[idx];
            isl = g_pool.island[idx];
        }
        {
            ZoneScopedN( "Physics::SolveIsland" );
            char txt[32];
            const int n = snprintf( txt, sizeof( txt ), "island %d", isl );
            ZoneText( txt, n );
            busy_ms( ms );
        }
        {
            std::lock_guard<std::mutex> lk( g_pool.m );
            if( --g_pool.pending == 0 ) g_pool.done_cv.notify_one();
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Render thread

struct render_link
{
    std::mutex m;
    std::condition_variable cv;
    int kicked = 0, presented = 0;
    int draw_calls = 0;
};
render_link g_rl;

void render_main()
{
    name_thread( "Render thread" );
    rng_t rng( 0x52454e44 );
    int seen = 0;
    for( ;; )
    {
        int draws;
        {
            std::unique_lock<std::mutex> lk( g_rl.m );
            g_rl.cv.wait( lk, [&] { return g_stop.load() || g_rl.kicked != seen; } );
            if( g_stop.load() && g_rl.kicked == seen ) return;
            seen = g_rl.kicked;
            draws = g_rl.draw_calls;
        }
        {
            ZoneScopedN( "Render::Frame" );
            {
                ZoneScopedN( "Render::BuildCommands" );
                ZoneValue( (uint64_t)draws );
                busy_ms( rng.jit( g_p.build_ms, g_p.jitter * 2 ) );
            }
            {
                ZoneScopedN( "Render::Submit" );
                busy_ms( rng.jit( g_p.submit_ms, g_p.jitter ) );
            }
            {
                // vsync: the swap blocks until the next vblank of the display's fixed 60 Hz clock
                ZoneScopedN( "Render::Present" );
                const int64_t t = now_ns() - g_clock0;
                const int64_t next = ( t / kVblankNs + 1 ) * kVblankNs;
                wait_until_ns( g_clock0 + next );
            }
        }
        {
            std::lock_guard<std::mutex> lk( g_rl.m );
            g_rl.presented = seen;
        }
        g_rl.cv.notify_all();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Audio thread

void audio_main()
{
    name_thread( "Audio thread" );
    rng_t rng( 0x41554449 );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( rng.jit( 1.6, 0.06 ) );
        }
        next += 10000000;
        wait_until_ns( next );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main thread

void run()
{
    name_thread( "Main thread" );
    rng_t rng( 0x534b5946 );
    std::thread workers[2] = { std::thread( worker_main, 0 ), std::thread( worker_main, 1 ) };
    std::thread render( render_main );
    std::thread audio( audio_main );

    message( "Skyforge 0.9.3 starting, vsync on, 60 Hz" );
    {
        ZoneScopedN( "Level::Load" );
        {
            ZoneScopedN( "Assets::LoadMeshes" );
            busy_ms( 180 );
        }
        {
            ZoneScopedN( "Assets::LoadTextures" );
            busy_ms( 240 );
        }
    }
    message( "Level loaded: harbor_district (412 entities, 36 emitters)" );

    const int64_t start = now_ns();
    g_clock0 = start;
    double particles = 1800;
    int frame = 0;
    int pending_explosion = 0;
    while( now_ns() - start < (int64_t)( g_p.seconds * 1e9 ) )
    {
        frame++;
        int draws = 0;
        {
            ZoneScopedN( "Game::Frame" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( rng.jit( 0.3, 0.1 ) );
            }
            {
                ZoneScopedN( "Game::Logic" );
                if( g_p.explosions && frame > 8 && rng.uni( 0, 1 ) < 1.0 / 6.0 )
                {
                    pending_explosion = rng.range( 18, 30 );
                    message( "Explosion at (%.1f, %.1f, %.1f): %d emitters spawned", rng.uni( -200, 200 ),
                             rng.uni( 0, 40 ), rng.uni( -200, 200 ), pending_explosion );
                }
                if( frame % 120 == 60 ) message( "Autosave complete (slot 2, %d KB)", rng.range( 380, 420 ) );
                if( frame % 90 == 45 ) message( "NPC wave spawned: %d guards", rng.range( 3, 6 ) );
                busy_ms( rng.jit( g_p.logic_ms, g_p.jitter * 3 ) );
            }
            {
                ZoneScopedN( "Physics::Step" );
                {
                    ZoneScopedN( "Physics::Broadphase" );
                    busy_ms( rng.jit( 0.45, 0.06 ) );
                }
                {
                    std::lock_guard<std::mutex> lk( g_pool.m );
                    for( int i = 0; i < 2; i++ )
                    {
                        g_pool.job_ms[i] = rng.jit( 3.1, 0.04 );
                        g_pool.island[i] = rng.range( 1, 24 );
                    }
                    g_pool.pending = 2;
                    g_pool.generation++;
                }
                g_pool.cv.notify_all();
                {
                    ZoneScopedN( "Jobs::Wait" );
                    std::unique_lock<std::mutex> lk( g_pool.m );
                    g_pool.done_cv.wait( lk, [] { return g_pool.pending == 0; } );
                }
                {
                    ZoneScopedN( "Physics::Integrate" );
                    busy_ms( rng.jit( 0.3, 0.06 ) );
                }
            }
            {
                ZoneScopedN( "Anim::Update" );
                busy_ms( rng.jit( g_p.anim_ms, 0.03 ) );
            }
            {
                ZoneScopedN( "Particles::Simulate" );
                if( pending_explosion )
                {
                    ZoneValue( (uint64_t)pending_explosion );
                    particles += pending_explosion * 120;
                    busy_ms( rng.jit( 5.0, 0.04 ) );
                    pending_explosion = 0;
                }
                else
                {
                    ZoneValue( 0 );
                    busy_ms( rng.jit( 2.0, 0.04 ) );
                }
                particles = 1800 + ( particles - 1800 ) * 0.9;
                TracyPlot( "particles alive", (int64_t)particles );
            }
            {
                ZoneScopedN( "Scene::Cull" );
                draws = rng.range( 1400, 1700 );
                busy_ms( rng.jit( g_p.cull_ms, g_p.jitter * 3 ) );
            }
            {
                ZoneScopedN( "Render::Kick" );
                {
                    std::lock_guard<std::mutex> lk( g_rl.m );
                    g_rl.draw_calls = draws;
                    g_rl.kicked = frame;
                }
                g_rl.cv.notify_all();
            }
            {
                ZoneScopedN( "Sync::WaitForRender" );
                std::unique_lock<std::mutex> lk( g_rl.m );
                g_rl.cv.wait( lk, [&] { return g_rl.presented == frame; } );
            }
        }
        TracyPlot( "draw calls", (int64_t)draws );
        FrameMark;
    }
    message( "Shutting down after %d frames", frame );

    g_stop.store( true );
    g_pool.cv.notify_all();
    g_rl.cv.notify_all();
    for( auto& w : workers ) w.join();
    render.join();
    audio.join();
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: %s drops|regress_a|regress_b\n", argv[0] );
        return 2;
    }
    g_p.scenario = argv[1];
    if( g_p.scenario == "drops" )
        g_p.explosions = true;
    else if( g_p.scenario == "regress_a" || g_p.scenario == "regress_b" )
    {
        g_p.logic_ms = 0.8;
        g_p.cull_ms = 1.0;
        g_p.build_ms = 2.3;
        g_p.submit_ms = 1.3;
        g_p.jitter = 0.12;
        if( g_p.scenario == "regress_b" ) g_p.anim_ms = 4.5;
    }
    else
    {
        fprintf( stderr, "unknown scenario %s\n", argv[1] );
        return 2;
    }
    run();
    return 0;
}
