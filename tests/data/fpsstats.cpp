// fpsstats: one game session (main menu -> level "docks" -> level "city") instrumented with Tracy, for frame-metric
// and level-segment questions (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   main ("Main thread")      the game loop, no vsync, FrameMark at the end of every frame (loading frames too):
//                             Game::Frame > Input::Poll, then per segment:
//                               menu:    UI::Update, Scene::UpdateMenuBackdrop, Render::BuildCommandList   (~8 ms)
//                               loading: Loader::LoadChunk (ZoneText = chunk) > Loader::ReadPak, Loader::Decompress,
//                                        Loader::CreateResources (one long frame per chunk, 110-170 ms)
//                               docks:   Physics::Step, Jobs::Dispatch, Jobs::Wait, AI::Update, Water::Simulate,
//                                        Render::BuildCommandList                                          (~14 ms)
//                               city:    Physics::Step, Jobs::Dispatch, Jobs::Wait, AI::Update, Crowd::Update
//                                        (0.045 ms per agent, crowd 50 -> 300), Render::BuildCommandList   (~19 ms)
//                             then Render::WaitForRenderThread (hands the frame to the render thread).
//   "Render thread"           Render::Submit (steady ~5 ms for every frame, > Render::SortDrawCalls), Render::Present
//   "Worker 0".."Worker 2"    Job::Animate / Job::Skinning / Job::Cull jobs of docks and city frames
// Plots: "crowd count" (city frames), "draw calls" (steady, all frames). Messages announce the segments:
//   "Entering main menu", "Loading level: docks", "Level docks started", "Loading level: city", "Level city started".
//
// Usage: fpsstats <scenario>
//   session     the session as described
//   regress_a   same session, other seed (baseline)
//   regress_b   Water::Simulate 2 ms -> 5 ms in the docks level; menu and city unchanged
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
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

// Emulated work: sleep to just before the deadline, then spin briefly.
void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    const int64_t d = end - 40000 - now_ns();
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

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

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t s ) : g( s ) {}
    double operator()( double base, double pct = 0.05 )
    {
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
};

struct params
{
    uint32_t seed = 0x66707331;
    double water_ms = 2.0;
} g_p;

// ---------------------------------------------------------------------------------------------------------------
// Job system: the main thread dispatches a frame's animation jobs and waits for all of them.

struct job_t
{
    const char* name;
    double ms;
};

std::mutex g_jobMutex;
std::condition_variable g_jobCv, g_doneCv;
std::vector<job_t> g_jobs;
int g_pending = 0;
bool g_quit = false;

void worker_main( int idx )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "Worker %d", idx );
    name_thread( nm );
    for( ;; )
    {
        job_t j;
        {
            std::unique_lock<std::mutex> lk( g_jobMutex );
            g_jobCv.wait( lk, [] { return g_quit || !g_jobs.empty(); } );
            if( g_jobs.empty() ) return;
            j = g_jobs.back();
            g_jobs.pop_back();
        }
        {
            ZoneScopedN( "Job::Execute" );
            ZoneText( j.name, strlen( j.name ) );
            if( !strcmp( j.name, "Anim.Pose" ) ) { ZoneScopedN( "Job::Animate" ); busy_ms( j.ms ); }
            else if( !strcmp( j.name, "Anim.Skin" ) ) { ZoneScopedN( "Job::Skinning" ); busy_ms( j.ms ); }
            else { ZoneScopedN( "Job::Cull" ); busy_ms( j.ms ); }
        }
        {
            std::lock_guard<std::mutex> lk( g_jobMutex );
            if( --g_pending == 0 ) g_doneCv.notify_all();
        }
    }
}

void run_jobs( rng_t& r )
{
    {
        ZoneScopedN( "Jobs::Dispatch" );
        std::lock_guard<std::mutex> lk( g_jobMutex );
        g_jobs.push_back( { "Anim.Pose", r( 1.6 ) } );
        g_jobs.push_back( { "Anim.Skin", r( 1.8 ) } );
        g_jobs.push_back( { "Vis.Cull", r( 1.2 ) } );
        g_pending += 3;
        busy_ms( 0.1 );
    }
    g_jobCv.notify_all();
    ZoneScopedN( "Jobs::Wait" );
    std::unique_lock<std::mutex> lk( g_jobMutex );
    g_doneCv.wait( lk, [] { return g_pending == 0; } );
}

// ---------------------------------------------------------------------------------------------------------------
// Render thread: submits the previous frame while the main thread simulates the next one (steady cost).

std::mutex g_rMutex;
std::condition_variable g_rCv;
int64_t g_rRequested = 0, g_rDone = 0;
bool g_rQuit = false;

void render_main()
{
    name_thread( "Render thread" );
    rng_t r( g_p.seed ^ 0x5eed );
    int64_t done = 0;
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( g_rMutex );
            g_rCv.wait( lk, [&] { return g_rQuit || g_rRequested > done; } );
            if( g_rRequested <= done ) return;
        }
        {
            ZoneScopedN( "Render::Submit" );
            {
                ZoneScopedN( "Render::SortDrawCalls" );
                busy_ms( r( 1.0 ) );
            }
            busy_ms( r( 3.6, 0.03 ) );
        }
        {
            ZoneScopedN( "Render::Present" );
            busy_ms( r( 0.4 ) );
        }
        std::lock_guard<std::mutex> lk( g_rMutex );
        done = ++g_rDone;
        g_rCv.notify_all();
    }
}

// Main thread end of frame: wait until the render thread has finished the previous frame, hand over this one.
void hand_to_render( int64_t frame, int draw_calls )
{
    {
        ZoneScopedN( "Render::WaitForRenderThread" );
        std::unique_lock<std::mutex> lk( g_rMutex );
        g_rCv.wait( lk, [&] { return g_rDone >= frame - 1; } );
        g_rRequested = frame;
    }
    g_rCv.notify_all();
    TracyPlot( "draw calls", (int64_t)draw_calls );
}

// ---------------------------------------------------------------------------------------------------------------

enum class seg
{
    menu,
    docks,
    city
};

int64_t g_frame = 0;

void input_poll( rng_t& r )
{
    ZoneScopedN( "Input::Poll" );
    busy_ms( r( 0.25 ) );
}

void gameplay_frame( seg s, rng_t& r, int crowd )
{
    ZoneScopedN( "Game::Frame" );
    input_poll( r );
    int draws = 0;
    if( s == seg::menu )
    {
        { ZoneScopedN( "UI::Update" ); busy_ms( r( 2.4 ) ); }
        { ZoneScopedN( "Scene::UpdateMenuBackdrop" ); busy_ms( r( 3.0 ) ); }
        { ZoneScopedN( "Render::BuildCommandList" ); busy_ms( r( 1.9 ) ); }
        draws = 610 + r.range( -8, 8 );
    }
    else
    {
        { ZoneScopedN( "Physics::Step" ); busy_ms( r( 3.0, 0.15 ) ); }
        run_jobs( r );
        { ZoneScopedN( "AI::Update" ); busy_ms( r( 1.5, 0.1 ) ); }
        if( s == seg::docks )
        {
            ZoneScopedN( "Water::Simulate" );
            busy_ms( r( g_p.water_ms, 0.06 ) );
        }
        else
        {
            ZoneScopedN( "Crowd::Update" );
            ZoneValue( (uint64_t)crowd );
            busy_ms( r( 0.045 * crowd, 0.08 ) );
        }
        { ZoneScopedN( "Render::BuildCommandList" ); busy_ms( r( 4.2, 0.08 ) ); }
        draws = ( s == seg::docks ? 1480 : 1530 ) + r.range( -20, 20 );
    }
    hand_to_render( ++g_frame, draws );
}

void loading_frame( const char* level, const char* chunk, double ms, rng_t& r )
{
    ZoneScopedN( "Game::Frame" );
    input_poll( r );
    {
        ZoneScopedN( "Loader::LoadChunk" );
        char t[96];
        const int n = snprintf( t, sizeof( t ), "%s/%s", level, chunk );
        ZoneText( t, n );
        { ZoneScopedN( "Loader::ReadPak" ); busy_ms( ms * 0.35 ); }
        { ZoneScopedN( "Loader::Decompress" ); busy_ms( ms * 0.40 ); }
        { ZoneScopedN( "Loader::CreateResources" ); busy_ms( ms * 0.25 ); }
    }
    hand_to_render( ++g_frame, 40 );
}

void load_level( const char* level, const std::vector<std::pair<const char*, double>>& chunks, rng_t& r )
{
    message( "Loading level: %s", level );
    for( auto& c : chunks )
    {
        loading_frame( level, c.first, r( c.second, 0.04 ), r );
        FrameMark;
    }
}

void run_for( seg s, double seconds, rng_t& r, int crowd_from = 0, int crowd_to = 0 )
{
    const int64_t t0 = now_ns();
    const int64_t t1 = t0 + (int64_t)( seconds * 1e9 );
    for( ;; )
    {
        const int64_t t = now_ns();
        if( t >= t1 ) break;
        int crowd = 0;
        if( s == seg::city )
        {
            crowd = crowd_from + (int)( ( crowd_to - crowd_from ) * double( t - t0 ) / double( t1 - t0 ) + 0.5 );
            TracyPlot( "crowd count", (int64_t)crowd );
        }
        gameplay_frame( s, r, crowd );
        FrameMark;
    }
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string sc = argc > 1 ? argv[1] : "session";
    if( sc == "session" ) {}
    else if( sc == "regress_a" ) g_p.seed = 0x72656761;
    else if( sc == "regress_b" ) { g_p.seed = 0x72656762; g_p.water_ms = 5.0; }
    else { fprintf( stderr, "unknown scenario %s\n", sc.c_str() ); return 2; }

    name_thread( "Main thread" );
    TracyAppInfo( "fpsstats 0.9 (Docks & City demo)", 32 );
    rng_t r( g_p.seed );
    std::thread render( render_main );
    std::vector<std::thread> workers;
    for( int i = 0; i < 3; i++ ) workers.emplace_back( worker_main, i );

    {
        ZoneScopedN( "Game::Init" );
        message( "Renderer: Vulkan 1.3, 1920x1080, vsync off" );
        { ZoneScopedN( "Render::CompileShaderCache" ); busy_ms( 300 ); }
        { ZoneScopedN( "Audio::Init" ); busy_ms( 80 ); }
    }
    FrameMark;

    message( "Entering main menu" );
    run_for( seg::menu, 1.5, r );

    load_level( "docks", { { "terrain.pak", 140 }, { "props.pak", 120 }, { "water_fx.pak", 150 } }, r );
    message( "Level docks started" );
    run_for( seg::docks, 2.0, r );
    message( "Checkpoint saved (docks_pier)" );

    load_level( "city", { { "terrain.pak", 160 }, { "buildings.pak", 170 }, { "npc_models.pak", 130 },
                          { "audio_ambient.pak", 110 } }, r );
    message( "Level city started" );
    run_for( seg::city, 2.5, r, 50, 300 );
    message( "Session ended" );

    {
        std::lock_guard<std::mutex> lk( g_rMutex );
        g_rQuit = true;
    }
    g_rCv.notify_all();
    render.join();
    {
        std::lock_guard<std::mutex> lk( g_jobMutex );
        g_quit = true;
    }
    g_jobCv.notify_all();
    for( auto& w : workers ) w.join();
    return 0;
}
