// nightly: the automated benchmark run of a game ("Harborfall"), recorded once per nightly build, instrumented with
// Tracy (benchmark data for profiler-analysis tools; not part of any project).
//
// The benchmark loads the "harbor_district" level, then plays a fixed camera fly-through ("harbor_flyby", 260
// frames, uncapped: no vsync, so frame time = work), then shuts down. Threads:
//   Main thread      per frame: Input::Poll, Jobs::Dispatch, Physics::Step (> Physics::Broadphase,
//                    Physics::Narrowphase, Physics::Solve), Anim::Evaluate x3 (ZoneText = skeleton group: Heroes,
//                    Crowd, Wildlife), Jobs::Wait, Render::BuildDrawLists, UI::Update, Render::Submit,
//                    Render::Present, FrameMark. Occasional hitches (1-2 per run, random frame, NOT a regression):
//                    Streaming::BlockingLoad (a texture that was not resident) or Shader::CompilePSO (PSO cache miss).
//   JobWorker 0/1    Job::Cull, Job::Particles, Job::Occlusion, Job::ClothSim (ZoneText = batch), dispatched at the
//                    start of the frame; they finish well before the main thread reaches Jobs::Wait.
//   AudioMixer       Audio::Mix every 5.33 ms (256 frames @ 48 kHz), ~0.7 ms (> Audio::DecodeStreams).
// Plots: "visible characters", "draw calls". Messages: build id, benchmark start/end, hitch reasons.
//
// Usage: nightly <build>     build = mon | tue | wed | thu | fri
//   mon  baseline
//   tue  same code as mon (noise only)
//   wed  Anim::Evaluate is 1.4x slower per call (every skeleton group)
//   thu  same code as wed
//   fri  as wed, plus a bug: Render::BuildDrawLists runs twice per frame (each call the same cost as before)
// Noise: every zone gets +-4% uniform jitter (seeded by build name), and the camera path makes some systems vary
// smoothly along the fly-through (the same pattern every night).
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
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

// Each thread keeps a schedule cursor: work ends at cursor + ms (absolute deadline), so a late wake-up in one zone
// is taken back from the next one and a frame's total stays on plan on this loaded 2-core machine. sync_cursor()
// restarts the schedule (frame start, job start, audio tick, after a wait). A lag of over 5 ms is accepted.
thread_local int64_t t_cursor = 0;

void sync_cursor() { t_cursor = std::max( t_cursor, now_ns() ); }
void reset_cursor() { t_cursor = now_ns(); }

void busy_ms( double ms )
{
    const int64_t now = now_ns();
    if( t_cursor == 0 || now - t_cursor > 5000000 ) t_cursor = now;
    t_cursor += (int64_t)( ms * 1e6 );
    const int64_t end = t_cursor;
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
    std::string build;
    uint32_t seed = 1;
    int frames = 260;
    double anim_scale = 1.0;     // wed, thu, fri: 1.4
    int drawlist_calls = 1;      // fri: 2
    const char* build_id = "";
};

params g_p;

// Camera path: scene complexity along the fly-through (identical every night).
double path_factor( int frame, double amp, double phase )
{
    const double t = double( frame ) / 260.0;
    return 1.0 + amp * std::sin( 2.0 * M_PI * ( 1.3 * t ) + phase );
}

// ---------------------------------------------------------------------------------------------------------------
// Job system: two workers pulling from one queue

struct job_t
{
    const char* name;
    const char* text;
    double ms;
};

std::mutex g_qmx;
std::condition_variable g_qcv;
std::deque<job_t> g_queue;
std::atomic<int> g_pending{ 0 };
std::mutex g_donemx;
std::condition_variable g_donecv;

void run_job( const job_t& j )
{
    // Different zone names need distinct source locations: switch on the name.
    if( strcmp( j.name, "Job::Cull" ) == 0 )
    {
        ZoneScopedN( "Job::Cull" );
        ZoneText( j.text, strlen( j.text ) );
        busy_ms( j.ms );
    }
    else if( strcmp( j.name, "Job::Particles" ) == 0 )
    {
        ZoneScopedN( "Job::Particles" );
        ZoneText( j.text, strlen( j.text ) );
        busy_ms( j.ms );
    }
    else if( strcmp( j.name, "Job::Occlusion" ) == 0 )
    {
        ZoneScopedN( "Job::Occlusion" );
        ZoneText( j.text, strlen( j.text ) );
        busy_ms( j.ms );
    }
    else
    {
        ZoneScopedN( "Job::ClothSim" );
        ZoneText( j.text, strlen( j.text ) );
        busy_ms( j.ms );
    }
}

void worker_main( int idx )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "JobWorker %d", idx );
    name_thread( nm );
    for( ;; )
    {
        job_t j;
        {
            std::unique_lock<std::mutex> lk( g_qmx );
            g_qcv.wait( lk, [] { return g_stop.load() || !g_queue.empty(); } );
            if( g_queue.empty() ) return;
            j = g_queue.front();
            g_queue.pop_front();
        }
        reset_cursor();
        run_job( j );
        if( g_pending.fetch_sub( 1 ) == 1 )
        {
            std::lock_guard<std::mutex> lk( g_donemx );
            g_donecv.notify_all();
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Audio

void audio_main( uint32_t seed )
{
    name_thread( "AudioMixer" );
    rng_t r( seed ^ 0xa0d10u );
    const int64_t period = 5333333;
    int64_t next = now_ns() + period;
    while( !g_stop.load() )
    {
        reset_cursor();
        {
            ZoneScopedN( "Audio::Mix" );
            {
                ZoneScopedN( "Audio::DecodeStreams" );
                busy_ms( r( 0.25 ) );
            }
            busy_ms( r( 0.45 ) );
        }
        sleep_until_ns( next );
        next += period;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main-thread systems

rng_t* g_r = nullptr;

void input_poll()
{
    ZoneScopedN( "Input::Poll" );
    busy_ms( ( *g_r )( 0.22 ) );
}

void jobs_dispatch( int frame )
{
    ZoneScopedN( "Jobs::Dispatch" );
    rng_t& r = *g_r;
    const double f = path_factor( frame, 0.10, 1.0 );
    std::vector<job_t> jobs = {
        { "Job::Cull", "frustum: near", r( 0.9 * f ) },     { "Job::Cull", "frustum: far", r( 0.8 * f ) },
        { "Job::Occlusion", "hi-z", r( 0.9 ) },              { "Job::Particles", "harbor_smoke", r( 0.7 ) },
        { "Job::Particles", "sea_spray", r( 0.6 * f ) },     { "Job::ClothSim", "sails", r( 1.2 ) },
    };
    g_pending.store( (int)jobs.size() );
    {
        std::lock_guard<std::mutex> lk( g_qmx );
        for( auto& j : jobs ) g_queue.push_back( j );
    }
    g_qcv.notify_all();
    busy_ms( 0.04 );
}

void jobs_wait()
{
    ZoneScopedN( "Jobs::Wait" );
    std::unique_lock<std::mutex> lk( g_donemx );
    g_donecv.wait( lk, [] { return g_pending.load() == 0; } );
    sync_cursor();
}

void physics_step( int frame )
{
    ZoneScopedN( "Physics::Step" );
    rng_t& r = *g_r;
    const double f = path_factor( frame, 0.08, 2.0 );
    {
        ZoneScopedN( "Physics::Broadphase" );
        busy_ms( r( 0.85 * f ) );
    }
    {
        ZoneScopedN( "Physics::Narrowphase" );
        busy_ms( r( 1.0 * f ) );
    }
    {
        ZoneScopedN( "Physics::Solve" );
        busy_ms( r( 1.25 ) );
    }
}

void anim_evaluate( const char* group, double base_ms )
{
    ZoneScopedN( "Anim::Evaluate" );
    ZoneText( group, strlen( group ) );
    busy_ms( ( *g_r )( base_ms * g_p.anim_scale ) );
}

void build_draw_lists( double ms, int64_t drawcalls )
{
    ZoneScopedN( "Render::BuildDrawLists" );
    ZoneValue( (uint64_t)drawcalls );
    busy_ms( ms );
}

void ui_update()
{
    ZoneScopedN( "UI::Update" );
    busy_ms( ( *g_r )( 1.1 ) );
}

void render_submit( int frame )
{
    ZoneScopedN( "Render::Submit" );
    busy_ms( ( *g_r )( 4.0 * path_factor( frame, 0.06, 0.5 ) ) );
}

void render_present()
{
    ZoneScopedN( "Render::Present" );
    busy_ms( ( *g_r )( 0.6 ) );
}

void hitch_streaming( double ms, const char* tex )
{
    ZoneScopedN( "Streaming::BlockingLoad" );
    ZoneText( tex, strlen( tex ) );
    message( "Streaming: '%s' not resident at draw time, blocking load", tex );
    busy_ms( ms );
}

void hitch_pso( double ms, const char* pso )
{
    ZoneScopedN( "Shader::CompilePSO" );
    ZoneText( pso, strlen( pso ) );
    message( "PSO cache miss: compiling '%s' on the render thread", pso );
    busy_ms( ms );
}

void load_level()
{
    ZoneScopedN( "Level::Load" );
    message( "Loading level 'harbor_district'" );
    {
        ZoneScopedN( "Level::ReadPackage" );
        busy_ms( ( *g_r )( 180.0 ) );
    }
    {
        ZoneScopedN( "Level::CreateEntities" );
        busy_ms( ( *g_r )( 120.0 ) );
    }
    {
        ZoneScopedN( "Shader::WarmPSOCache" );
        busy_ms( ( *g_r )( 150.0 ) );
    }
    message( "Level 'harbor_district' loaded: 4812 entities, 143 skeletons" );
}

}  // namespace

int main( int argc, char** argv )
{
    g_p.build = argc > 1 ? argv[1] : "mon";
    const std::string& b = g_p.build;
    if( b == "mon" ) { g_p.seed = 0x6d6f6e01; g_p.build_id = "nightly-2026.11.23-r48211"; }
    else if( b == "tue" ) { g_p.seed = 0x74756502; g_p.build_id = "nightly-2026.11.24-r48236"; }
    else if( b == "wed" ) { g_p.seed = 0x77656403; g_p.build_id = "nightly-2026.11.25-r48270"; g_p.anim_scale = 1.4; }
    else if( b == "thu" ) { g_p.seed = 0x74687504; g_p.build_id = "nightly-2026.11.26-r48302"; g_p.anim_scale = 1.4; }
    else if( b == "fri" )
    {
        g_p.seed = 0x66726905; g_p.build_id = "nightly-2026.11.27-r48339"; g_p.anim_scale = 1.4; g_p.drawlist_calls = 2;
    }
    else { fprintf( stderr, "unknown build %s\n", b.c_str() ); return 2; }

    name_thread( "Main thread" );
    TracySetProgramName( "Harborfall benchmark" );
    rng_t r( g_p.seed );
    g_r = &r;

    // Hitches: 1 or 2 per run, random frame, not part of the build's code changes.
    struct hitch_t { int frame; int kind; double ms; const char* what; };
    std::vector<hitch_t> hitches;
    {
        static const char* texs[] = { "textures/harbor/crane_albedo_4k.dds", "textures/harbor/pier_wood_n.dds",
                                      "textures/chars/fisherman_body_d.dds", "textures/fx/smoke_atlas.dds" };
        static const char* psos[] = { "ps_water_foam|vs_ocean_lod2", "ps_skin_sss|vs_skinned_4w",
                                      "ps_glass_refract|vs_static", "ps_decal_blend|vs_decal" };
        const int n = r.range( 1, 2 );
        for( int i = 0; i < n; i++ )
        {
            hitch_t h;
            h.frame = r.range( 15, g_p.frames - 10 );
            h.kind = r.range( 0, 1 );
            h.ms = r.uni( 22.0, 38.0 );
            h.what = h.kind == 0 ? texs[r.range( 0, 3 )] : psos[r.range( 0, 3 )];
            hitches.push_back( h );
        }
    }

    std::thread audio( audio_main, g_p.seed );
    std::thread w0( worker_main, 0 ), w1( worker_main, 1 );

    message( "Harborfall %s (%s) benchmark, preset 'High', 1920x1080", g_p.build_id, b.c_str() );
    reset_cursor();
    load_level();
    FrameMark;

    message( "Benchmark: camera path 'harbor_flyby', %d frames, vsync off", g_p.frames );
    TracyPlot( "visible characters", (int64_t)0 );
    for( int frame = 0; frame < g_p.frames; frame++ )
    {
        reset_cursor();
        input_poll();
        jobs_dispatch( frame );
        physics_step( frame );
        const double crowd = path_factor( frame, 0.15, 0.0 );
        TracyPlot( "visible characters", (int64_t)std::lround( 96.0 * crowd ) );
        anim_evaluate( "Heroes", 1.5 );
        anim_evaluate( "Crowd", 1.1 * crowd );
        anim_evaluate( "Wildlife", 0.5 );
        for( auto& h : hitches )
        {
            if( h.frame != frame ) continue;
            if( h.kind == 0 ) hitch_streaming( h.ms, h.what );
            else hitch_pso( h.ms, h.what );
        }
        jobs_wait();
        const double dl_ms = r( 2.4 * path_factor( frame, 0.10, 1.5 ) );
        const int64_t draws = std::lround( 2150.0 * path_factor( frame, 0.10, 1.5 ) );
        for( int c = 0; c < g_p.drawlist_calls; c++ ) build_draw_lists( r( dl_ms, 0.02 ), draws );
        TracyPlot( "draw calls", draws );
        ui_update();
        render_submit( frame );
        render_present();
        FrameMark;
    }
    message( "Benchmark: camera path 'harbor_flyby' finished" );

    {
        ZoneScopedN( "Game::Shutdown" );
        busy_ms( 60.0 );
    }
    g_stop.store( true );
    g_qcv.notify_all();
    w0.join();
    w1.join();
    audio.join();
    message( "Exiting" );
    return 0;
}
