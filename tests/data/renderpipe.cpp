// renderpipe: a game with a pipelined main thread and render thread, instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project). No vsync: the game runs as fast as the pipeline allows.
//
// Threads:
//   main ("Main thread")  simulates frame N+1: Main::Frame > Input::Poll, Game::Tick (> AI::Think, Physics::Step
//                         (> Physics::Broadphase, Physics::SolveContacts), Jobs::Dispatch, Jobs::Wait,
//                         Gameplay::UpdateScripts), Main::BuildRenderFrame, Main::WaitForRenderSlot (waits until the
//                         depth-1 render queue has room: the render thread took the previous frame), then FrameMark.
//   RenderThread          Render::WaitForFrame (waits for the main thread's next frame), then Render::Frame >
//                         Render::BeginFrame, Render::ShadowPass, Render::SubmitDrawCalls, Render::PostProcess,
//                         Render::Present, then FrameMarkNamed("Render").
//   Worker 0..2           job workers: Job::Animate, Job::Cull, Job::Particles (ZoneText = batch)
//   AudioMixer            Audio::Mix every 10 ms (> Audio::DecodeStream now and then)
//   AssetStreamer         Stream::LoadTexture every 350-550 ms (> IO::Read, Stream::Decompress; 15-30 ms each)
// Lock: FrameQueue::mutex guards the depth-1 render queue (held for microseconds; the waits are on condition
// variables, not on the lock). Plots: "physics bodies", "draw calls", "audio voices".
//
// Usage: renderpipe render_bound | main_bound | regress_a | regress_b
//   render_bound  Render::SubmitDrawCalls ~14 ms: the render thread needs ~22 ms a frame, the main thread ~8 ms of
//                 work and then waits in Main::WaitForRenderSlot.
//   main_bound    main ~10.5 ms, render ~8 ms (~90 fps); at 3.0 s an explosion spawns 2400 debris bodies and
//                 Physics::Step (mostly Physics::SolveContacts) grows to ~12 ms: ~50 fps, the render thread waits in
//                 Render::WaitForFrame. Render::SubmitDrawCalls grows a little too (more draw calls; not the cause).
//   regress_a     baseline build: main ~9 ms, render ~12.3 ms
//   regress_b     Render::ShadowPass 2x (3.5 -> 7 ms), Render::PostProcess 0.8x, Audio::Mix 1.25x (other thread)
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

// Emulated work: sleep to just before the deadline, then spin a little.
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

// ---------------------------------------------------------------------------------------------------------------

struct params
{
    std::string scenario;
    uint32_t seed = 0x72706970;
    double seconds = 6.0;
    // main thread (ms)
    double ai = 1.6, broad = 0.7, solve = 1.6, scripts = 1.1, build = 1.0;
    // render thread (ms)
    double begin = 0.3, shadow = 3.0, submit = 4.0, post = 2.0, present = 0.5;
    double audio_scale = 1.0;
    bool explosion = false;        // main_bound
    double explosion_at = 3.0;     // s
    const char* app = "renderpipe 2.4.1";
};

params g_p;

// ---------------------------------------------------------------------------------------------------------------
// Job system: the main thread dispatches a batch and waits for it.

enum job_kind { J_ANIMATE, J_CULL, J_PARTICLES };

struct job
{
    job_kind kind;
    int id;
    double ms;
};

struct job_system
{
    std::mutex m;
    std::condition_variable cv, done_cv;
    std::deque<job> q;
    int remaining = 0;
    bool stop = false;
};

job_system g_jobs;

void job_worker( int w )
{
    char nm[16];
    snprintf( nm, sizeof( nm ), "Worker %d", w );
    name_thread( nm );
    for( ;; )
    {
        job j;
        {
            std::unique_lock<std::mutex> lk( g_jobs.m );
            g_jobs.cv.wait( lk, [] { return g_jobs.stop || !g_jobs.q.empty(); } );
            if( g_jobs.stop ) return;
            j = g_jobs.q.front();
            g_jobs.q.pop_front();
        }
        char buf[48];
        int n = 0;
        switch( j.kind )
        {
        case J_ANIMATE:
        {
            ZoneScopedN( "Job::Animate" );
            n = snprintf( buf, sizeof( buf ), "skeleton batch %d", j.id );
            ZoneText( buf, (size_t)n );
            busy_ms( j.ms );
            break;
        }
        case J_CULL:
        {
            ZoneScopedN( "Job::Cull" );
            n = snprintf( buf, sizeof( buf ), "frustum cell %d", j.id );
            ZoneText( buf, (size_t)n );
            busy_ms( j.ms );
            break;
        }
        case J_PARTICLES:
        {
            ZoneScopedN( "Job::Particles" );
            n = snprintf( buf, sizeof( buf ), "emitter group %d", j.id );
            ZoneText( buf, (size_t)n );
            busy_ms( j.ms );
            break;
        }
        }
        std::lock_guard<std::mutex> lk( g_jobs.m );
        if( --g_jobs.remaining == 0 ) g_jobs.done_cv.notify_one();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The depth-1 render queue between the main thread and the render thread.

struct render_frame
{
    int64_t number;
    int draw_calls;
    int bodies;
};

struct frame_queue
{
    TracyLockableN( std::mutex, m, "FrameQueue::mutex" );
    std::condition_variable_any cv;
    bool full = false;
    bool closed = false;
    render_frame slot{};
};

frame_queue g_fq;

// ---------------------------------------------------------------------------------------------------------------
// Render thread

void render_thread()
{
    name_thread( "RenderThread" );
    rng_t r( g_p.seed ^ 0x5e11u );
    for( ;; )
    {
        render_frame f;
        {
            ZoneScopedN( "Render::WaitForFrame" );
            std::unique_lock<LockableBase( std::mutex )> lk( g_fq.m );
            g_fq.cv.wait( lk, [] { return g_fq.full || g_fq.closed; } );
            if( !g_fq.full ) return;
            f = g_fq.slot;
            g_fq.full = false;
            g_fq.cv.notify_all();  // the main thread may hand over its next frame now
        }
        {
            ZoneScopedN( "Render::Frame" );
            ZoneValue( (uint64_t)f.number );
            {
                ZoneScopedN( "Render::BeginFrame" );
                busy_ms( r( g_p.begin ) );
            }
            {
                ZoneScopedN( "Render::ShadowPass" );
                busy_ms( r( g_p.shadow ) );
            }
            {
                ZoneScopedN( "Render::SubmitDrawCalls" );
                ZoneValue( (uint64_t)f.draw_calls );
                busy_ms( r( g_p.submit ) * ( f.draw_calls / 1800.0 ) );
            }
            {
                ZoneScopedN( "Render::PostProcess" );
                busy_ms( r( g_p.post ) );
            }
            {
                ZoneScopedN( "Render::Present" );
                busy_ms( r( g_p.present, 0.2 ) );
            }
        }
        TracyPlot( "draw calls", (int64_t)f.draw_calls );
        FrameMarkNamed( "Render" );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Audio and streaming threads (distractors)

void audio_thread( int64_t t0 )
{
    name_thread( "AudioMixer" );
    rng_t r( g_p.seed ^ 0xa0d1u );
    int64_t next = t0 + 3000000;
    int voices = 24;
    for( int i = 0; !g_stop.load(); i++ )
    {
        sleep_until_ns( next );
        next += 10000000;
        {
            ZoneScopedN( "Audio::Mix" );
            if( i % 8 == 0 )
            {
                ZoneScopedN( "Audio::DecodeStream" );
                ZoneText( "music/ambience_harbor.ogg", 25 );
                busy_ms( r( 0.6 ) * g_p.audio_scale );
            }
            busy_ms( r( 1.3 ) * g_p.audio_scale );
        }
        voices = std::clamp( voices + r.range( -2, 2 ), 16, 40 );
        TracyPlot( "audio voices", (int64_t)voices );
    }
}

void streamer_thread( int64_t t0 )
{
    name_thread( "AssetStreamer" );
    rng_t r( g_p.seed ^ 0x57e4u );
    static const char* const kTex[] = { "tex/harbor_crates_albedo.dds", "tex/dock_planks_normal.dds",
                                        "tex/warehouse_roof_albedo.dds", "tex/crane_rust_orm.dds",
                                        "tex/water_foam_albedo.dds",     "tex/barrel_cluster_albedo.dds" };
    int64_t next = t0 + (int64_t)( r.uni( 150.0, 250.0 ) * 1e6 );
    for( int i = 0;; i++ )
    {
        while( !g_stop.load() && now_ns() < next ) std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );
        if( g_stop.load() ) return;
        const char* tex = kTex[i % 6];
        const int kb = 2048 + r.range( 0, 4096 );
        {
            ZoneScopedN( "Stream::LoadTexture" );
            ZoneText( tex, strlen( tex ) );
            {
                ZoneScopedN( "IO::Read" );
                busy_ms( r.uni( 8.0, 16.0 ) );
            }
            {
                ZoneScopedN( "Stream::Decompress" );
                busy_ms( r.uni( 6.0, 12.0 ) );
            }
        }
        message( "streamer: %s resident (%d KB)", tex, kb );
        next = now_ns() + (int64_t)( r.uni( 350.0, 550.0 ) * 1e6 );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main thread

void game_loop( int64_t t0 )
{
    rng_t r( g_p.seed ^ 0x11u );
    rng_t rj( g_p.seed ^ 0x22u );
    const int64_t end = t0 + (int64_t)( g_p.seconds * 1e9 );
    const int64_t boom = t0 + (int64_t)( g_p.explosion_at * 1e9 );
    bool exploded = false;
    double bodies = 850.0;
    double debris = 0.0;
    for( int64_t n = 1; now_ns() < end; n++ )
    {
        {
            ZoneScopedN( "Main::Frame" );
            ZoneValue( (uint64_t)n );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.2 ) );
            }
            {
                ZoneScopedN( "Game::Tick" );
                {
                    ZoneScopedN( "AI::Think" );
                    busy_ms( r( g_p.ai ) );
                }
                if( g_p.explosion && !exploded && now_ns() >= boom )
                {
                    exploded = true;
                    debris = 2400.0;
                    TracyMessageL( "gameplay: barrel_cluster_07 detonated at dock_east" );
                    message( "physics: explosion spawned %d debris bodies (total %d)", (int)debris,
                             (int)( bodies + debris ) );
                }
                // the broadphase grows with the body count, contact solving faster (debris piles touch each other)
                const double broad_load = 1.0 + 0.8 * debris / 2400.0;
                const double solve_load = 1.0 + 3.4 * debris / 2400.0;
                {
                    ZoneScopedN( "Physics::Step" );
                    ZoneValue( (uint64_t)( bodies + debris ) );
                    {
                        ZoneScopedN( "Physics::Broadphase" );
                        busy_ms( r( g_p.broad ) * broad_load );
                    }
                    {
                        ZoneScopedN( "Physics::SolveContacts" );
                        busy_ms( r( g_p.solve ) * solve_load );
                    }
                }
                TracyPlot( "physics bodies", (int64_t)( bodies + debris ) );
                {
                    ZoneScopedN( "Jobs::Dispatch" );
                    std::vector<job> jobs;
                    for( int i = 0; i < 3; i++ ) jobs.push_back( { J_ANIMATE, i, rj.uni( 0.5, 0.7 ) } );
                    for( int i = 0; i < 2; i++ ) jobs.push_back( { J_CULL, i, rj.uni( 0.4, 0.6 ) } );
                    for( int i = 0; i < 2; i++ ) jobs.push_back( { J_PARTICLES, i, rj.uni( 0.3, 0.5 ) } );
                    {
                        std::lock_guard<std::mutex> lk( g_jobs.m );
                        for( const job& j : jobs ) g_jobs.q.push_back( j );
                        g_jobs.remaining = (int)jobs.size();
                    }
                    g_jobs.cv.notify_all();
                    busy_ms( 0.05 );
                }
                {
                    ZoneScopedN( "Gameplay::UpdateScripts" );
                    busy_ms( r( g_p.scripts ) );
                }
                {
                    ZoneScopedN( "Jobs::Wait" );
                    std::unique_lock<std::mutex> lk( g_jobs.m );
                    g_jobs.done_cv.wait( lk, [] { return g_jobs.remaining == 0; } );
                }
            }
            render_frame f;
            {
                ZoneScopedN( "Main::BuildRenderFrame" );
                f.number = n;
                f.bodies = (int)( bodies + debris );
                f.draw_calls = 1800 + r.range( -40, 40 ) + (int)( debris * 0.15 );
                busy_ms( r( g_p.build ) );
            }
            {
                ZoneScopedN( "Main::WaitForRenderSlot" );
                std::unique_lock<LockableBase( std::mutex )> lk( g_fq.m );
                g_fq.cv.wait( lk, [] { return !g_fq.full; } );
                g_fq.slot = f;
                g_fq.full = true;
                g_fq.cv.notify_all();
            }
        }
        FrameMark;
        if( exploded ) debris = std::max( 2000.0, debris - 0.5 );  // a few pieces settle and sleep
    }
}

int run()
{
    TracyAppInfo( g_p.app, strlen( g_p.app ) );
    {
        ZoneScopedN( "Level::Load" );
        busy_ms( 25.0 );
    }
    TracyMessageL( "renderpipe: level 'harbor_district' loaded" );
    message( "renderer: pipelined render thread, frame queue depth 1, vsync off, 3 job workers" );
    const int64_t t0 = now_ns() + 10000000;
    std::vector<std::thread> th;
    for( int w = 0; w < 3; w++ ) th.emplace_back( job_worker, w );
    std::thread rt( render_thread );
    std::thread audio( audio_thread, t0 );
    std::thread streamer( streamer_thread, t0 );
    sleep_until_ns( t0 );
    game_loop( t0 );
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_fq.m );
        g_fq.closed = true;
        g_fq.cv.notify_all();
    }
    rt.join();
    g_stop.store( true );
    {
        std::lock_guard<std::mutex> lk( g_jobs.m );
        g_jobs.stop = true;
    }
    g_jobs.cv.notify_all();
    for( auto& t : th ) t.join();
    audio.join();
    streamer.join();
    TracyMessageL( "renderpipe: shutdown" );
    return 0;
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    name_thread( "GameThread" );
    params& p = g_p;
    p.scenario = s;
    if( getenv( "RENDERPIPE_SECONDS" ) ) p.seconds = atof( getenv( "RENDERPIPE_SECONDS" ) );
    if( s == "render_bound" )
    {
        p.seed ^= 1;
        p.submit = 15.5;  // the scene's draw-call submission (no instancing, per-draw state changes)
        p.ai = 2.2;
        p.solve = 2.0;
        p.shadow = 3.2;
        p.post = 2.4;
    }
    else if( s == "main_bound" )
    {
        p.seed ^= 2;
        p.ai = 3.0;
        p.broad = 1.0;
        p.solve = 2.4;
        p.scripts = 2.2;
        p.build = 1.5;
        p.shadow = 2.4;
        p.submit = 3.0;
        p.post = 1.6;
        p.explosion = true;
    }
    else if( s == "regress_a" || s == "regress_b" )
    {
        p.seed ^= 3;
        p.ai = 1.6;
        p.shadow = 3.5;
        p.submit = 5.5;
        p.post = 2.5;
        if( s == "regress_b" )
        {
            p.shadow = 7.0;        // the regression: shadow cascades rendered at 2x resolution
            p.post = 2.0;          // faster bloom (distractor)
            p.audio_scale = 1.25;  // new reverb (distractor, other thread)
            p.app = "renderpipe 2.5.0-dev";
        }
    }
    else
    {
        fprintf( stderr, "usage: renderpipe render_bound|main_bound|regress_a|regress_b\n" );
        return 2;
    }
    const int rc = run();
    printf( "renderpipe %s: done\n", s.c_str() );
    return rc;
}
