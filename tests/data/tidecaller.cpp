// tidecaller: a vsync-paced 60 fps action game (main thread + render thread + 3 job workers + streaming + audio),
// instrumented with Tracy (benchmark data for profiler-analysis tools; not part of any project).
//
// Threads:
//   "Main thread"    Game::Frame > Input::Poll, Platform::PumpMessages, World::Simulate (> AI::UpdatePerception,
//                    AI::UpdateBehavior, Physics::Step (> Physics::Integrate, Physics::SolveContacts
//                    [, Physics::RebuildBroadphase]), Anim::Update), Jobs::Dispatch, Jobs::Wait, UI::DrawHUD,
//                    Render::Submit, Platform::WaitForVsync (sleeps to the next 16.667 ms vblank); then FrameMark.
//                    Background (window not focused): Game::Frame > Input::Poll, Platform::PumpMessages,
//                    Render::Submit, Platform::ThrottleBackground (sleeps until 100 ms after the frame start).
//                    Paused: Game::Frame > Input::Poll, Platform::PumpMessages, UI::DrawPauseMenu, Render::Submit,
//                    Platform::WaitForVsync (no simulation, no jobs).
//   "Render thread"  Render::WaitForFrame, then Render::Frame > Render::ShadowPass, Render::DrawScene
//                    [, Render::BlurBackground while paused], Render::Present, for each submitted frame.
//   "Worker 0-2"     Job::Skinning, Job::Particles, Job::Cull, Job::ClothSim (ZoneText = batch)
//                    and Save::WriteSnapshot (autosave when the game is paused).
//   "Streaming"      Stream::LoadChunk (> Stream::ReadFile, Stream::Decompress) every ~450 ms.
//   "Audio"          Audio::Mix every 10.67 ms.
// Plots: "Physics bodies", "Draw calls".  Messages: focus changes, pause/resume, streaming, autosave.
//
// Usage: tidecaller <scenario>   (times below are from the end of Game::LoadLevel, ~0.48 s into the capture)
//   minimized   7 s; window unfocused from 2.5 s to 4.5 s (10 fps throttle); Physics::RebuildBroadphase (35 ms)
//               runs inside Physics::Step 4 times during active play (at ~1.0, 1.9, 5.2, 6.1 s).
//   pause_menu  7 s; pause menu open 1.5-2.7 s and 4.2-5.4 s; on each resume World::ResumeSimulation re-creates all
//               2400 physics bodies (~45 ms) in the first frame back.
//   regress_a   6 s; window unfocused 2.5-3.5 s.
//   regress_b   6 s; window unfocused 2.0-4.5 s; AI::UpdatePerception 1.6x slower (2.5 -> 4.0 ms).
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them.

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

constexpr int64_t kVblankNs = 16666667;
constexpr int64_t kThrottleNs = 100000000;

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
// Scenario

struct span
{
    double from, to;  // seconds since start
};

struct params
{
    std::string scenario;
    uint32_t seed = 0x7e1dca11;
    double seconds = 7.0;
    std::vector<span> unfocused;
    std::vector<span> paused;
    std::vector<double> broadphase_at;  // minimized: Physics::RebuildBroadphase at these times
    double perception_ms = 2.5;         // regress_b: 4.0
};

params g_p;

// ---------------------------------------------------------------------------------------------------------------
// Job system

struct job
{
    int kind;  // 0 skinning, 1 particles, 2 cull, 3 cloth, 4 autosave
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

void zone_text( tracy::ScopedZone& z, const char* what, int id )
{
    char buf[64];
    const int n = snprintf( buf, sizeof( buf ), "%s %d", what, id );
    z.Text( buf, (size_t)n );
}

void run_job( const job& j )
{
    switch( j.kind )
    {
    case 0:
    {
        ZoneNamedN( z, "Job::Skinning", true );
        zone_text( z, "mesh batch", j.id );
        busy_ms( j.ms );
        break;
    }
    case 1:
    {
        ZoneNamedN( z, "Job::Particles", true );
        zone_text( z, "emitter group", j.id );
        busy_ms( j.ms );
        break;
    }
    case 2:
    {
        ZoneNamedN( z, "Job::Cull", true );
        zone_text( z, "view", j.id );
        busy_ms( j.ms );
        break;
    }
    case 3:
    {
        ZoneNamedN( z, "Job::ClothSim", true );
        zone_text( z, "cloth", j.id );
        busy_ms( j.ms );
        break;
    }
    case 4:
    {
        // autosave while paused: off the main thread, nobody waits for it
        ZoneNamedN( z, "Save::WriteSnapshot", true );
        zone_text( z, "slot", j.id );
        {
            ZoneNamedN( zs, "Save::SerializeWorld", true );
            busy_ms( j.ms * 0.6 );
        }
        {
            ZoneNamedN( zw, "Save::WriteFile", true );
            busy_ms( j.ms * 0.4 );
        }
        message( "Autosave written to slot %d (3.4 MB)", j.id );
        break;
    }
    }
}

void worker_main( int w )
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
        run_job( j );
        if( j.kind == 4 ) continue;  // fire-and-forget
        std::lock_guard<std::mutex> lk( g_jobs.m );
        if( --g_jobs.remaining == 0 ) g_jobs.done_cv.notify_one();
    }
}

void post_async( const job& j )
{
    std::lock_guard<std::mutex> lk( g_jobs.m );
    g_jobs.q.push_back( j );
    g_jobs.cv.notify_one();
}

// ---------------------------------------------------------------------------------------------------------------
// Render thread: renders the frame the main thread submitted.

enum class mode
{
    active,
    paused,
    background
};

struct render_queue
{
    std::mutex m;
    std::condition_variable cv;
    int64_t submitted = 0;
    mode md = mode::active;
    bool stop = false;
};

render_queue g_rq;

void render_main()
{
    name_thread( "Render thread" );
    rng_t r( g_p.seed ^ 0x5151u );
    int64_t done = 0;
    for( ;; )
    {
        mode md;
        {
            ZoneScopedN( "Render::WaitForFrame" );
            std::unique_lock<std::mutex> lk( g_rq.m );
            g_rq.cv.wait( lk, [&] { return g_rq.stop || g_rq.submitted > done; } );
            if( g_rq.stop && g_rq.submitted <= done ) return;
            done = g_rq.submitted;
            md = g_rq.md;
        }
        ZoneScopedN( "Render::Frame" );
        int draws = 0;
        if( md == mode::background )
        {
            // minimized: only the swapchain keep-alive
            ZoneScopedN( "Render::Present" );
            busy_ms( r( 0.3 ) );
        }
        else
        {
            {
                ZoneScopedN( "Render::ShadowPass" );
                busy_ms( r( 1.5 ) );
                draws += 420;
            }
            {
                ZoneScopedN( "Render::DrawScene" );
                busy_ms( r( 4.5 ) );  // big but steady
                draws += 1850 + r.range( -40, 40 );
            }
            if( md == mode::paused )
            {
                ZoneScopedN( "Render::BlurBackground" );
                busy_ms( r( 1.8 ) );
                draws += 6;
            }
            {
                ZoneScopedN( "Render::Present" );
                busy_ms( r( 0.4 ) );
            }
        }
        TracyPlot( "Draw calls", (int64_t)draws );
    }
}

void submit_frame( mode md )
{
    ZoneScopedN( "Render::Submit" );
    busy_ms( 0.15 );
    std::lock_guard<std::mutex> lk( g_rq.m );
    g_rq.submitted++;
    g_rq.md = md;
    g_rq.cv.notify_one();
}

// ---------------------------------------------------------------------------------------------------------------
// Streaming and audio (background threads)

void streaming_main()
{
    name_thread( "Streaming" );
    rng_t r( g_p.seed ^ 0x9a9au );
    int chunk = 0;
    const int64_t t0 = now_ns();
    int64_t next = t0 + 300000000;
    while( !g_stop.load() )
    {
        sleep_until_ns( std::min( next, now_ns() + 20000000 ) );
        if( now_ns() < next ) continue;
        if( g_stop.load() ) break;
        {
            ZoneScopedN( "Stream::LoadChunk" );
            char buf[48];
            const int cx = 10 + chunk % 5, cy = 4 + chunk / 5;
            const int n = snprintf( buf, sizeof( buf ), "chunk %d,%d", cx, cy );
            ZoneText( buf, (size_t)n );
            {
                ZoneScopedN( "Stream::ReadFile" );
                busy_ms( r( 12.0, 0.2 ) );
            }
            {
                ZoneScopedN( "Stream::Decompress" );
                busy_ms( r( 14.0, 0.15 ) );
            }
            message( "Streaming: loaded chunk %d,%d", cx, cy );
        }
        chunk++;
        next += (int64_t)( r.uni( 420, 480 ) * 1e6 );
    }
}

void audio_main()
{
    name_thread( "Audio" );
    rng_t r( g_p.seed ^ 0xa0d1u );
    int64_t next = now_ns();
    const int64_t period = 10666667;  // 512 samples at 48 kHz
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( r( 0.9, 0.1 ) );
        }
        next += period;
        sleep_until_ns( next );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main thread

bool in_spans( const std::vector<span>& v, double t )
{
    for( auto& s : v )
        if( t >= s.from && t < s.to ) return true;
    return false;
}

struct world
{
    int bodies = 2400;
    bool suspended = false;
};

world g_world;

void dispatch_and_wait( rng_t& r )
{
    std::vector<job> v;
    for( int i = 0; i < 3; i++ ) v.push_back( { 0, i, r.uni( 0.45, 0.55 ) } );
    for( int i = 0; i < 2; i++ ) v.push_back( { 1, i, r.uni( 0.35, 0.45 ) } );
    for( int i = 0; i < 2; i++ ) v.push_back( { 2, i, r.uni( 0.25, 0.3 ) } );
    v.push_back( { 3, 0, r.uni( 0.75, 0.85 ) } );
    {
        ZoneScopedN( "Jobs::Dispatch" );
        ZoneValue( (uint64_t)v.size() );
        busy_ms( 0.05 );
        std::lock_guard<std::mutex> lk( g_jobs.m );
        for( auto& j : v ) g_jobs.q.push_back( j );
        g_jobs.remaining += (int)v.size();
        g_jobs.cv.notify_all();
    }
    {
        ZoneScopedN( "Jobs::Wait" );
        std::unique_lock<std::mutex> lk( g_jobs.m );
        g_jobs.done_cv.wait( lk, [] { return g_jobs.remaining == 0; } );
    }
}

void simulate( rng_t& r, bool rebuild )
{
    ZoneScopedN( "World::Simulate" );
    {
        ZoneScopedN( "AI::UpdatePerception" );
        ZoneValue( 180 );  // agents
        busy_ms( r( g_p.perception_ms, 0.04 ) );
    }
    {
        ZoneScopedN( "AI::UpdateBehavior" );
        busy_ms( r( 1.0, 0.05 ) );
    }
    {
        ZoneScopedN( "Physics::Step" );
        ZoneValue( (uint64_t)g_world.bodies );
        if( rebuild )
        {
            ZoneScopedN( "Physics::RebuildBroadphase" );
            ZoneValue( (uint64_t)g_world.bodies );
            busy_ms( r( 35.0, 0.03 ) );
        }
        {
            ZoneScopedN( "Physics::Integrate" );
            busy_ms( r( 0.5, 0.05 ) );
        }
        {
            ZoneScopedN( "Physics::SolveContacts" );
            busy_ms( r( 1.2, 0.08 ) );
        }
    }
    {
        ZoneScopedN( "Anim::Update" );
        busy_ms( r( 0.5, 0.05 ) );
    }
}

void suspend_simulation()
{
    ZoneScopedN( "World::SuspendSimulation" );
    busy_ms( 0.4 );
    g_world.bodies = 0;  // bodies released to the pool while paused
    g_world.suspended = true;
    TracyPlot( "Physics bodies", (int64_t)0 );
}

void resume_simulation( rng_t& r )
{
    ZoneScopedN( "World::ResumeSimulation" );
    ZoneValue( 2400 );
    // re-creates every physics body from the saved world state, island by island
    for( int island = 0; island < 8; island++ )
    {
        ZoneScopedN( "Physics::CreateBodies" );
        char buf[32];
        const int n = snprintf( buf, sizeof( buf ), "island %d", island );
        ZoneText( buf, (size_t)n );
        ZoneValue( 300 );
        busy_ms( r( 6.0, 0.04 ) );
    }
    g_world.bodies = 2400;
    g_world.suspended = false;
    TracyPlot( "Physics bodies", (int64_t)2400 );
}

void main_loop()
{
    rng_t r( g_p.seed );
    {
        // level load before the first frame (frame 0 of the capture)
        ZoneScopedN( "Game::LoadLevel" );
        ZoneText( "Saltmarsh Docks", 15 );
        {
            ZoneScopedN( "Level::LoadAssets" );
            busy_ms( 300.0 );
        }
        {
            ZoneScopedN( "Physics::CreateWorld" );
            ZoneValue( 2400 );
            busy_ms( 45.0 );
        }
        {
            ZoneScopedN( "AI::SpawnAgents" );
            ZoneValue( 180 );
            busy_ms( 20.0 );
        }
    }
    const int64_t t0 = now_ns();
    const int64_t tend = t0 + (int64_t)( g_p.seconds * 1e9 );
    int64_t frame_start = t0;
    mode prev = mode::active;
    std::vector<bool> bp_done( g_p.broadphase_at.size(), false );
    TracyPlot( "Physics bodies", (int64_t)g_world.bodies );
    message( "Level 'Saltmarsh Docks' loaded: 2400 bodies, 180 agents" );

    while( frame_start < tend )
    {
        const double t = ( frame_start - t0 ) * 1e-9;
        mode md = mode::active;
        if( in_spans( g_p.unfocused, t ) )
            md = mode::background;
        else if( in_spans( g_p.paused, t ) )
            md = mode::paused;

        int64_t next;
        {
            ZoneScopedN( "Game::Frame" );
            if( md != prev )
            {
                if( md == mode::background ) message( "Window lost focus: throttling to 10 fps" );
                if( prev == mode::background ) message( "Window focus regained" );
                if( md == mode::paused ) message( "Paused" );
                if( prev == mode::paused && md == mode::active ) message( "Resumed" );
            }
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.1, 0.1 ) );
            }
            {
                ZoneScopedN( "Platform::PumpMessages" );
                busy_ms( r( 0.05, 0.1 ) );
            }
            if( md == mode::active )
            {
                if( g_world.suspended ) resume_simulation( r );
                bool rebuild = false;
                for( size_t i = 0; i < bp_done.size(); i++ )
                    if( !bp_done[i] && t >= g_p.broadphase_at[i] )
                    {
                        bp_done[i] = true;
                        rebuild = true;
                    }
                simulate( r, rebuild );
                dispatch_and_wait( r );
                {
                    ZoneScopedN( "UI::DrawHUD" );
                    busy_ms( r( 0.4, 0.08 ) );
                }
            }
            else if( md == mode::paused )
            {
                if( prev != mode::paused )
                {
                    suspend_simulation();
                    static int slot = 0;
                    post_async( { 4, ++slot, r( 38.0, 0.05 ) } );  // autosave on pause
                }
                ZoneScopedN( "UI::DrawPauseMenu" );
                busy_ms( r( 1.2, 0.08 ) );
            }
            submit_frame( md );
            if( md == mode::background )
            {
                ZoneScopedN( "Platform::ThrottleBackground" );
                next = frame_start + kThrottleNs;
                sleep_until_ns( next );
            }
            else
            {
                ZoneScopedN( "Platform::WaitForVsync" );
                // next vblank on the 60 Hz grid that is still ahead of us
                const int64_t now = now_ns();
                int64_t k = ( now - t0 ) / kVblankNs + 1;
                next = t0 + k * kVblankNs;
                sleep_until_ns( next );
            }
        }
        FrameMark;
        prev = md;
        frame_start = next;
    }
}

bool setup( const std::string& s )
{
    g_p.scenario = s;
    if( s == "minimized" )
    {
        g_p.seconds = 7.0;
        g_p.unfocused = { { 2.5, 4.5 } };
        g_p.broadphase_at = { 1.0, 1.9, 5.2, 6.1 };
    }
    else if( s == "pause_menu" )
    {
        g_p.seconds = 7.0;
        g_p.paused = { { 1.5, 2.7 }, { 4.2, 5.4 } };
    }
    else if( s == "regress_a" )
    {
        g_p.seconds = 6.0;
        g_p.unfocused = { { 2.5, 3.5 } };
    }
    else if( s == "regress_b" )
    {
        g_p.seconds = 6.0;
        g_p.unfocused = { { 2.0, 4.5 } };
        g_p.perception_ms = 4.0;
    }
    else
        return false;
    return true;
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 || !setup( argv[1] ) )
    {
        fprintf( stderr, "usage: tidecaller minimized|pause_menu|regress_a|regress_b\n" );
        return 2;
    }
    name_thread( "Main thread" );
    {
        const char* info = "tidecaller 0.9.4 (Development)";
        TracyAppInfo( info, strlen( info ) );
    }
    std::vector<std::thread> workers;
    for( int w = 0; w < 3; w++ ) workers.emplace_back( worker_main, w );
    std::thread render( render_main );
    std::thread streaming( streaming_main );
    std::thread audio( audio_main );

    main_loop();

    g_stop = true;
    {
        std::lock_guard<std::mutex> lk( g_rq.m );
        g_rq.stop = true;
        g_rq.cv.notify_all();
    }
    render.join();
    streaming.join();
    audio.join();
    {
        std::lock_guard<std::mutex> lk( g_jobs.m );
        g_jobs.stop = true;
        g_jobs.cv.notify_all();
    }
    for( auto& w : workers ) w.join();
    message( "Shutdown complete" );
    return 0;
}
