// wildroad: an uncapped open-world 3D game (no vsync: frame time = work), instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   main ("Main thread")   Game::Frame > Input::Poll, Camera::Update, AI::Update (> AI::Replan now and then),
//                          Physics::Step (> Physics::Broadphase, Physics::Solve), Anim::Update, Audio::Update,
//                          [Save::Autosave], Game::WaitForRender (waits until the render thread finished the previous
//                          frame), Render::Kick (hands this frame to the render thread), then FrameMark.
//   "Render thread"        Render::Frame > Render::BeginFrame, Render::Terrain, Render::Foliage, Render::Shadows,
//                          Render::Water (> Water::Reflection, Water::Refraction when water is on screen),
//                          Render::PostFX, Render::Present.
//   "Streamer"             Stream::LoadCell (ZoneText = cell) > Stream::ReadFile, Stream::Decompress after each area
//                          change (background, never waited for).
// The frame is pipelined: the main thread simulates frame N while the render thread draws frame N-1, so the frame
// time is the longer of the two (the render thread, ~10.5 ms per frame normally).
// Before the first frame the main thread loads the level (Level::Load, 350 ms).
// Plots: "Camera area" (0/1/2 each frame), "draw calls", "water pixels". Messages: "entered <area>", autosave.
//
// Usage: wildroad <scenario>
//   areas      route village -> forest -> meadow -> forest -> village (1.0/1.5/1.0/1.5/1.0 s); in the forest
//              Render::Foliage costs 9 ms (1 ms elsewhere): frames ~11 ms vs ~19 ms in long stretches
//   water      route town -> harbor -> hills -> harbor -> town; Render::Water draws reflections (9 ms instead of 1 ms)
//              only while water is on screen (harbor); one 40 ms Save::Autosave on the main thread in the hills
//   regress_a  same as areas (forest Foliage 9 ms); Physics::Step 2.0 ms
//   regress_b  forest Foliage 14 ms (outside unchanged 1 ms); Physics::Step 1.7 ms (innocent improvement)
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

volatile double g_sink = 0.0;

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

struct segment
{
    int area;
    const char* name;
    double seconds;
    bool water;   // water on screen
    bool forest;  // dense foliage
};

struct params
{
    std::string scenario;
    std::vector<segment> route;
    double foliage_forest_ms = 9.0;
    double foliage_ms = 1.0;
    double water_on_ms = 9.0;
    double water_off_ms = 1.0;
    double physics_ms = 2.0;
    double autosave_at = -1.0;  // seconds into the route
    uint32_t seed = 0x77696c64;
};

params g_p;

// ---------------------------------------------------------------------------------------------------------------
// Frame hand-off main -> render (one frame in flight)

struct frame_packet
{
    uint64_t index = 0;
    int area = 0;
    bool forest = false;
    bool water = false;
    int draw_calls = 0;
};

std::mutex g_rmx;
std::condition_variable g_rcv;
bool g_have_work = false;
bool g_render_busy = false;
bool g_quit = false;
frame_packet g_packet;

void render_thread()
{
    name_thread( "Render thread" );
    rng_t r( g_p.seed ^ 0x52454e44 );
    for( ;; )
    {
        frame_packet f;
        {
            std::unique_lock<std::mutex> lk( g_rmx );
            g_rcv.wait( lk, [] { return g_have_work || g_quit; } );
            if( !g_have_work && g_quit ) break;
            f = g_packet;
            g_have_work = false;
        }
        {
            ZoneScopedN( "Render::Frame" );
            ZoneValue( f.index );
            {
                ZoneScopedN( "Render::BeginFrame" );
                busy_ms( r( 0.35 ) );
            }
            {
                ZoneScopedN( "Render::Terrain" );
                busy_ms( r( 3.4 ) );
            }
            {
                ZoneScopedN( "Render::Foliage" );
                const double ms = f.forest ? g_p.foliage_forest_ms : g_p.foliage_ms;
                busy_ms( r( ms ) );
            }
            {
                ZoneScopedN( "Render::Shadows" );
                busy_ms( r( 2.6 ) );
            }
            {
                ZoneScopedN( "Render::Water" );
                if( f.water )
                {
                    ZoneText( "visible", 7 );
                    const double total = r( g_p.water_on_ms );
                    {
                        ZoneScopedN( "Water::Reflection" );
                        busy_ms( total * 0.78 );
                    }
                    {
                        ZoneScopedN( "Water::Refraction" );
                        busy_ms( total * 0.18 );
                    }
                }
                else
                {
                    ZoneText( "distant", 7 );
                    busy_ms( r( g_p.water_off_ms ) );
                }
            }
            {
                ZoneScopedN( "Render::PostFX" );
                busy_ms( r( 1.5 ) );
            }
            {
                ZoneScopedN( "Render::Present" );
                busy_ms( r( 0.6, 0.15 ) );
            }
        }
        {
            std::lock_guard<std::mutex> lk( g_rmx );
            g_render_busy = false;
        }
        g_rcv.notify_all();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Streamer: loads the cells of a newly entered area in the background

std::mutex g_smx;
std::condition_variable g_scv;
std::deque<std::string> g_cells;
bool g_squit = false;

void streamer_thread()
{
    name_thread( "Streamer" );
    rng_t r( g_p.seed ^ 0x5354524d );
    for( ;; )
    {
        std::string cell;
        {
            std::unique_lock<std::mutex> lk( g_smx );
            g_scv.wait( lk, [] { return !g_cells.empty() || g_squit; } );
            if( g_cells.empty() ) break;
            cell = g_cells.front();
            g_cells.pop_front();
        }
        ZoneScopedN( "Stream::LoadCell" );
        ZoneText( cell.c_str(), cell.size() );
        {
            ZoneScopedN( "Stream::ReadFile" );
            busy_ms( r.uni( 8.0, 14.0 ) );
        }
        {
            ZoneScopedN( "Stream::Decompress" );
            busy_ms( r.uni( 12.0, 20.0 ) );
        }
    }
}

void request_cells( const char* area, int n )
{
    {
        std::lock_guard<std::mutex> lk( g_smx );
        for( int i = 0; i < n; i++ )
        {
            char buf[64];
            snprintf( buf, sizeof( buf ), "%s_%02d", area, i );
            g_cells.push_back( buf );
        }
    }
    g_scv.notify_one();
}

// ---------------------------------------------------------------------------------------------------------------

void setup( const std::string& s )
{
    g_p.scenario = s;
    if( s == "water" )
    {
        g_p.route = { { 0, "town", 1.0, false, false },
                      { 1, "harbor", 1.5, true, false },
                      { 2, "hills", 1.0, false, false },
                      { 1, "harbor", 1.5, true, false },
                      { 0, "town", 1.0, false, false } };
        g_p.autosave_at = 3.05;
        g_p.seed = 0x77617472;
    }
    else
    {
        g_p.route = { { 0, "village", 1.0, false, false },
                      { 1, "forest", 1.5, false, true },
                      { 2, "meadow", 1.0, false, false },
                      { 1, "forest", 1.5, false, true },
                      { 0, "village", 1.0, false, false } };
        if( s == "regress_b" )
        {
            g_p.foliage_forest_ms = 14.0;
            g_p.physics_ms = 1.7;
            g_p.seed = 0x72656762;
        }
        else if( s == "regress_a" )
            g_p.seed = 0x72656761;
        else if( s != "areas" )
        {
            fprintf( stderr, "unknown scenario %s\n", s.c_str() );
            exit( 2 );
        }
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: wildroad areas|water|regress_a|regress_b\n" );
        return 2;
    }
    setup( argv[1] );
    name_thread( "Main thread" );
    {
        char info[128];
        const int n = snprintf( info, sizeof( info ), "wildroad 0.9.4 (scenario %s)", argv[1] );
        TracyAppInfo( info, n );
    }
    TracyPlotConfig( "Camera area", tracy::PlotFormatType::Number, true, false, 0 );
    TracyPlotConfig( "draw calls", tracy::PlotFormatType::Number, false, false, 0 );
    TracyPlotConfig( "water pixels", tracy::PlotFormatType::Number, false, true, 0 );

    std::thread rt( render_thread );
    std::thread st( streamer_thread );
    rng_t r( g_p.seed );

    message( "wildroad 0.9.4 started, renderer: Vulkan, 2560x1440, vsync off" );
    {
        ZoneScopedN( "Level::Load" );
        ZoneText( "valley_of_thorns", 16 );
        busy_ms( 350.0 );
    }
    message( "level loaded: valley_of_thorns" );

    double total = 0.0;
    for( auto& s : g_p.route ) total += s.seconds;

    const int64_t t0 = now_ns();
    int cur_seg = -1;
    bool saved = false;
    uint64_t frame = 0;
    for( ;; )
    {
        const double t = ( now_ns() - t0 ) * 1e-9;
        if( t >= total ) break;
        int seg = 0;
        double acc = 0.0;
        for( int i = 0; i < (int)g_p.route.size(); i++ )
        {
            acc += g_p.route[i].seconds;
            seg = i;
            if( t < acc ) break;
        }
        const segment& sg = g_p.route[seg];
        frame_packet f;
        f.index = frame;
        f.area = sg.area;
        f.forest = sg.forest;
        f.water = sg.water;
        f.draw_calls = 1800 + r.range( -60, 60 ) + ( sg.forest ? 2600 : 0 ) + ( sg.water ? 350 : 0 );
        {
            ZoneScopedN( "Game::Frame" );
            ZoneValue( frame );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.2, 0.2 ) );
            }
            {
                ZoneScopedN( "Camera::Update" );
                busy_ms( r( 0.3 ) );
                if( seg != cur_seg )
                {
                    cur_seg = seg;
                    message( "entered %s", sg.name );
                    request_cells( sg.name, 2 );
                }
            }
            {
                ZoneScopedN( "AI::Update" );
                busy_ms( r( 2.2, 0.12 ) );
                if( r.range( 0, 39 ) == 0 )
                {
                    ZoneScopedN( "AI::Replan" );
                    busy_ms( r.uni( 2.0, 3.0 ) );
                }
            }
            {
                ZoneScopedN( "Physics::Step" );
                {
                    ZoneScopedN( "Physics::Broadphase" );
                    busy_ms( r( g_p.physics_ms * 0.35 ) );
                }
                {
                    ZoneScopedN( "Physics::Solve" );
                    busy_ms( r( g_p.physics_ms * 0.65 ) );
                }
            }
            {
                ZoneScopedN( "Anim::Update" );
                busy_ms( r( 0.8 ) );
            }
            {
                ZoneScopedN( "Audio::Update" );
                busy_ms( r( 0.25 ) );
            }
            if( g_p.autosave_at >= 0 && !saved && t >= g_p.autosave_at )
            {
                saved = true;
                ZoneScopedN( "Save::Autosave" );
                message( "autosave: writing slot 2 (1.8 MB)" );
                busy_ms( 40.0 );
                message( "autosave: done" );
            }
            {
                ZoneScopedN( "Game::WaitForRender" );
                std::unique_lock<std::mutex> lk( g_rmx );
                g_rcv.wait( lk, [] { return !g_render_busy; } );
            }
            {
                ZoneScopedN( "Render::Kick" );
                {
                    std::lock_guard<std::mutex> lk( g_rmx );
                    g_packet = f;
                    g_have_work = true;
                    g_render_busy = true;
                }
                g_rcv.notify_all();
            }
        }
        TracyPlot( "Camera area", (int64_t)sg.area );
        TracyPlot( "draw calls", (int64_t)f.draw_calls );
        TracyPlot( "water pixels", (int64_t)( sg.water ? 820000 + r.range( -40000, 40000 ) : 0 ) );
        FrameMark;
        frame++;
    }
    {
        std::unique_lock<std::mutex> lk( g_rmx );
        g_rcv.wait( lk, [] { return !g_render_busy; } );
        g_quit = true;
    }
    g_rcv.notify_all();
    rt.join();
    {
        std::lock_guard<std::mutex> lk( g_smx );
        g_squit = true;
    }
    g_scv.notify_all();
    st.join();
    message( "shutting down" );
    return 0;
}
