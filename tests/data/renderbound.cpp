// renderbound: a game with a pipelined main thread and render thread, instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project).
//
// Threads:
//   "Main thread"   Game::Frame > Input::Poll, Game::Update (> AI::Think, Physics::Step, Anim::Update),
//                   Scene::Cull, Scene::BuildDrawList; then Render::WaitForRenderThread (blocks while the render
//                   thread is still drawing the previous frame), hands the frame over, FrameMark.
//   "RenderThread"  Render::WaitForFrame (idle until the main thread hands a frame over), then Render::Frame >
//                   Render::Submit (> Render::UpdateConstants; ZoneValue = draw calls; cost grows with the draw
//                   calls), Render::PostProcess, Render::Present; FrameMarkNamed("Render"). Plot "draw calls".
//   "AudioMixer"    Audio::Mix every 10 ms.
//   "AssetStreamer" Stream::LoadArea (ZoneText = area; > Stream::ReadPak, Stream::Decompress) when an area is
//                   entered, Stream::Prefetch every ~250 ms; takes AssetCache::mutex (also used by the main thread's
//                   Scene::BuildDrawList for material lookups: busy, hardly contended).
// Messages: "Entering area: <area>", streaming messages, renderer config. Plots: "draw calls", "visible objects".
//
// Usage: renderbound <scenario>
//   forest     town (1500 draw calls) -> forest (6000) -> town; main thread work is the same everywhere
//   regress_a  same session, another seed
//   regress_b  foliage instancing disabled: forest 11000 draw calls, town unchanged
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
    int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    if( n > (int)sizeof( buf ) - 1 ) n = sizeof( buf ) - 1;
    TracyMessage( buf, (size_t)n );
}

// ---------------------------------------------------------------------------------------------------------------

struct area_t
{
    const char* name;
    int opaque, foliage, shadow;  // draw calls
    int visible;                   // visible objects (after instancing)
};

struct params
{
    std::string scenario;
    uint32_t seed = 0x72656e64;
    bool foliage_instancing = true;
};

params g_p;

const area_t kTown{ "town", 1100, 180, 220, 4200 };
const area_t kForestInst{ "forest", 1250, 3650, 1100, 4300 };
const area_t kForestNoInst{ "forest", 1250, 8650, 1100, 4300 };

// Session: town 2.0 s, forest 3.0 s, town 1.5 s
const area_t* area_at( double t )
{
    if( t < 2.0 || t >= 5.0 ) return &kTown;
    return g_p.foliage_instancing ? &kForestInst : &kForestNoInst;
}

// Per-draw-call CPU cost in the driver (state validation + command recording) and the fixed part of a submit.
constexpr double kSubmitFixedMs = 3.4;   // outside Render::UpdateConstants
constexpr double kConstantsMs = 1.2;     // Render::UpdateConstants
constexpr double kPerDrawUs = 2.9;

// Handoff main -> render (depth 1)
std::mutex g_qm;
std::condition_variable g_qcv;
bool g_has_frame = false;   // a frame is waiting for the render thread
bool g_render_busy = false; // the render thread is drawing
int g_frame_dc = 0;
bool g_quit = false;

TracyLockableN( std::mutex, g_asset_mutex, "AssetCache::mutex" );

std::atomic<int> g_area_request{ -1 };  // 0 town, 1 forest

// ---------------------------------------------------------------------------------------------------------------

void render_thread()
{
    name_thread( "RenderThread" );
    rng_t r( g_p.seed ^ 0x1111 );
    for( ;; )
    {
        int dc;
        {
            ZoneScopedN( "Render::WaitForFrame" );
            std::unique_lock<std::mutex> lk( g_qm );
            g_qcv.wait( lk, [] { return g_has_frame || g_quit; } );
            if( !g_has_frame && g_quit ) break;
            g_has_frame = false;
            g_render_busy = true;
            dc = g_frame_dc;
        }
        g_qcv.notify_all();
        {
            ZoneScopedN( "Render::Frame" );
            {
                ZoneScopedN( "Render::Submit" );
                ZoneValue( (uint64_t)dc );
                {
                    ZoneScopedN( "Render::UpdateConstants" );
                    busy_ms( r( kConstantsMs ) );
                }
                busy_ms( r( kSubmitFixedMs + dc * kPerDrawUs / 1000.0, 0.04 ) );
            }
            TracyPlot( "draw calls", (int64_t)dc );
            {
                ZoneScopedN( "Render::PostProcess" );
                busy_ms( r( 1.8 ) );
            }
            {
                ZoneScopedN( "Render::Present" );
                busy_ms( r( 0.4, 0.2 ) );
            }
        }
        FrameMarkNamed( "Render" );
        {
            std::lock_guard<std::mutex> lk( g_qm );
            g_render_busy = false;
        }
        g_qcv.notify_all();
    }
}

void audio_thread()
{
    name_thread( "AudioMixer" );
    rng_t r( g_p.seed ^ 0x2222 );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( r( 1.4, 0.15 ) );
        }
        next += 10000000;
        sleep_until_ns( next );
    }
}

void streamer_thread()
{
    name_thread( "AssetStreamer" );
    rng_t r( g_p.seed ^ 0x3333 );
    int64_t next_prefetch = now_ns() + 250000000;
    while( !g_stop.load() )
    {
        const int req = g_area_request.exchange( -1 );
        if( req >= 0 )
        {
            const char* an = req == 1 ? "forest" : "town";
            ZoneScopedN( "Stream::LoadArea" );
            ZoneText( an, strlen( an ) );
            message( "Streaming area '%s' started", an );
            {
                ZoneScopedN( "Stream::ReadPak" );
                busy_ms( r( req == 1 ? 55.0 : 30.0 ) );
            }
            {
                ZoneScopedN( "Stream::Decompress" );
                busy_ms( r( req == 1 ? 70.0 : 40.0 ) );
            }
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_asset_mutex );
                ZoneScopedN( "Stream::RegisterAssets" );
                busy_ms( r( 3.0 ) );
            }
            message( "Streaming area '%s' done (%d MB resident)", an, req == 1 ? 412 : 268 );
        }
        if( now_ns() >= next_prefetch )
        {
            ZoneScopedN( "Stream::Prefetch" );
            busy_ms( r( 4.0, 0.3 ) );
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_asset_mutex );
                busy_ms( 0.05 );
            }
            next_prefetch = now_ns() + 250000000;
        }
        std::this_thread::sleep_for( std::chrono::milliseconds( 5 ) );
    }
}

void main_loop()
{
    rng_t r( g_p.seed );
    const int64_t t0 = now_ns();
    const area_t* cur = nullptr;
    int frame = 0;
    for( ;; )
    {
        const double t = ( now_ns() - t0 ) / 1e9;
        if( t >= 6.5 ) break;
        const area_t* a = area_at( t );
        if( a != cur )
        {
            if( cur ) message( "Leaving area: %s", cur->name );
            message( "Entering area: %s", a->name );
            g_area_request.store( a == &kTown ? 0 : 1 );
            cur = a;
        }
        const int dc = a->opaque + a->foliage + a->shadow + r.range( -40, 40 );
        {
            ZoneScopedN( "Game::Frame" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.3, 0.2 ) );
            }
            {
                ZoneScopedN( "Game::Update" );
                {
                    ZoneScopedN( "AI::Think" );
                    busy_ms( r( 2.4 ) );
                }
                {
                    ZoneScopedN( "Physics::Step" );
                    busy_ms( r( 4.6 ) );
                }
                {
                    ZoneScopedN( "Anim::Update" );
                    busy_ms( r( 1.9 ) );
                }
            }
            {
                ZoneScopedN( "Scene::Cull" );
                busy_ms( r( 1.5 ) );
            }
            TracyPlot( "visible objects", (int64_t)( a->visible + r.range( -60, 60 ) ) );
            {
                ZoneScopedN( "Scene::BuildDrawList" );
                busy_ms( r( 1.0 ) );
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_asset_mutex );
                    busy_ms( r( 0.35 ) );
                }
            }
        }
        {
            ZoneScopedN( "Render::WaitForRenderThread" );
            std::unique_lock<std::mutex> lk( g_qm );
            g_qcv.wait( lk, [] { return !g_has_frame && !g_render_busy; } );
            g_frame_dc = dc;
            g_has_frame = true;
        }
        g_qcv.notify_all();
        FrameMark;
        frame++;
    }
    {
        std::unique_lock<std::mutex> lk( g_qm );
        g_qcv.wait( lk, [] { return !g_has_frame && !g_render_busy; } );
        g_quit = true;
    }
    g_qcv.notify_all();
    message( "Session ended after %d frames", frame );
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: renderbound forest|regress_a|regress_b\n" );
        return 2;
    }
    g_p.scenario = argv[1];
    if( g_p.scenario == "forest" ) {}
    else if( g_p.scenario == "regress_a" ) g_p.seed = 0x0a0a0a0a;
    else if( g_p.scenario == "regress_b" )
    {
        g_p.seed = 0x0b0b0b0b;
        g_p.foliage_instancing = false;
    }
    else
    {
        fprintf( stderr, "unknown scenario %s\n", argv[1] );
        return 2;
    }
    name_thread( "Main thread" );
    const char* info = "renderbound 0.9.3 (Vulkan 1.3)";
    TracyAppInfo( info, strlen( info ) );
    std::this_thread::sleep_for( std::chrono::milliseconds( 50 ) );
    message( "Renderer: Vulkan 1.3, 2560x1440, shadow cascades 3" );
    message( "Config: r.Foliage.Instancing=%d r.Foliage.Density=1.0", g_p.foliage_instancing ? 1 : 0 );
    message( "Session start: spawn in town" );

    std::thread rt( render_thread );
    std::thread at( audio_thread );
    std::thread st( streamer_thread );
    main_loop();
    rt.join();
    g_stop.store( true );
    at.join();
    st.join();
    std::this_thread::sleep_for( std::chrono::milliseconds( 100 ) );
    return 0;
}
