// leveled: a level editor with two viewports, each rendered by its own thread, instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   main ("Editor UI")         editor main loop at 60 Hz: Editor::Frame > UI::PollInput, Editor::Update,
//                              UI::DrawPanels, UI::Present (waits for vblank), then plain FrameMark.
//                              Mouse-wheel zoom on the top view logs "Top view zoom 1.25x" (TracyMessage).
//   "ViewportRender 0"         perspective viewport, FrameMarkNamed("Viewport Perspective"):
//                              Viewport::Render > Viewport::CullScene, Viewport::DrawMeshes (big, steady ~9 ms),
//                              Viewport::DrawGrid, Viewport::Present (vblank wait).
//   "ViewportRender 1"         top viewport, FrameMarkNamed("Viewport Top"): same zones; when the zoom changed,
//                              Viewport::DrawGrid > Grid::Rebuild (ZoneText "zoom 1.25x", ZoneValue = lines).
//   "AssetWatcher"             AssetDB::ScanDirectory (~30 ms) every ~1 s: big, but off every frame thread.
// Lock: Scene::Mutex (shared): viewports read it in CullScene, the UI writes it briefly in Editor::ApplyGizmo.
// Plots: "top zoom", "grid lines".
//
// Usage: leveled <scenario>
//   top_hitch     every ~0.5 s the top view zoom changes and Grid::Rebuild takes ~40 ms: 50 ms "Viewport Top" frames
//   top_baseline  same zoom changes, but Grid::Rebuild is incremental (~3 ms): no frame misses (regression pair A;
//                 top_hitch is B)
//
// Run ONLY inside a loopback-only network namespace with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

constexpr int64_t kVblankNs = 16666667;
volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };
int64_t g_epoch = 0;

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

// Sleep to the first vblank boundary after now (vsync).
void wait_vblank()
{
    const int64_t t = now_ns() - g_epoch;
    const int64_t next = ( t / kVblankNs + 1 ) * kVblankNs;
    sleep_until_ns( g_epoch + next );
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

struct params
{
    std::string scenario;
    double seconds = 6.0;
    double rebuild_ms = 40.0;
};
params g_p;

TracySharedLockableN( std::shared_mutex, g_sceneMutex, "Scene::Mutex" );

// zoom generation: bumped by the UI thread, observed by the top viewport
std::atomic<int> g_zoomGen{ 0 };
std::atomic<int> g_zoomCenti{ 100 };

const char* const kPersp = "Viewport Perspective";
const char* const kTop = "Viewport Top";

struct viewport_cfg
{
    const char* thread;
    const char* frameName;
    double cull_ms, meshes_ms, grid_ms;
    bool top;
    uint32_t seed;
};

void viewport_thread( viewport_cfg c )
{
    name_thread( c.thread );
    rng_t r( c.seed );
    int seenGen = 0;
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Viewport::Render" );
            ZoneText( c.frameName, strlen( c.frameName ) );
            {
                ZoneScopedN( "Viewport::CullScene" );
                std::shared_lock<SharedLockableBase( std::shared_mutex )> lk( g_sceneMutex );
                busy_ms( r( c.cull_ms, 0.08 ) );
            }
            {
                ZoneScopedN( "Viewport::DrawMeshes" );
                busy_ms( r( c.meshes_ms, 0.05 ) );
            }
            {
                ZoneScopedN( "Viewport::DrawGrid" );
                busy_ms( r( c.grid_ms, 0.10 ) );
                if( c.top )
                {
                    const int gen = g_zoomGen.load();
                    if( gen != seenGen )
                    {
                        seenGen = gen;
                        ZoneScopedN( "Grid::Rebuild" );
                        const int z = g_zoomCenti.load();
                        char buf[64];
                        const int n = snprintf( buf, sizeof( buf ), "zoom %.2fx", z / 100.0 );
                        ZoneText( buf, n );
                        const int lines = (int)( 2048 * z / 100 );
                        ZoneValue( lines );
                        TracyPlot( "grid lines", (int64_t)lines );
                        busy_ms( r( g_p.rebuild_ms, 0.04 ) );
                    }
                }
            }
            {
                ZoneScopedN( "Viewport::Present" );
                wait_vblank();
            }
        }
        FrameMarkNamed( c.frameName );
    }
}

void asset_watcher()
{
    name_thread( "AssetWatcher" );
    rng_t r( 0x61737374 );
    int64_t next = now_ns() + 400000000ll;
    int scan = 0;
    static const char* dirs[] = { "content/meshes", "content/textures", "content/prefabs", "content/materials" };
    while( !g_stop.load() )
    {
        sleep_until_ns( std::min<int64_t>( next, now_ns() + 50000000ll ) );
        if( now_ns() < next ) continue;
        ZoneScopedN( "AssetDB::ScanDirectory" );
        const char* d = dirs[scan++ % 4];
        ZoneText( d, strlen( d ) );
        busy_ms( r( 30.0, 0.08 ) );
        next = now_ns() + (int64_t)( r.uni( 0.9, 1.1 ) * 1e9 );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    name_thread( "Editor UI" );
    g_p.scenario = s;
    if( s == "top_hitch" ) g_p.rebuild_ms = 40.0;
    else if( s == "top_baseline" ) g_p.rebuild_ms = 3.0;
    else
    {
        fprintf( stderr, "usage: leveled top_hitch|top_baseline\n" );
        return 2;
    }
    if( getenv( "LEVELED_SECONDS" ) ) g_p.seconds = atof( getenv( "LEVELED_SECONDS" ) );

    TracyMessageL( "leveled 3.4.1: opened level 'harbor_docks.lvl' (2 viewports)" );
    g_epoch = now_ns();
    std::thread vp0( viewport_thread, viewport_cfg{ "ViewportRender 0", kPersp, 2.5, 9.0, 0.6, false, 0x70657273 } );
    std::thread vp1( viewport_thread, viewport_cfg{ "ViewportRender 1", kTop, 1.5, 4.0, 0.8, true, 0x746f7076 } );
    std::thread aw( asset_watcher );

    rng_t r( 0x75696d6e );
    static const int zoomSeq[] = { 125, 150, 175, 200, 175, 150, 125, 100 };
    int zoomIdx = 0;
    const int64_t start = now_ns();
    const int64_t end = start + (int64_t)( g_p.seconds * 1e9 );
    int64_t nextZoom = start + 600000000ll;
    int64_t nextOrbit = start + 350000000ll;
    int64_t nextGizmo = start + 250000000ll;
    int orbit = 0;
    TracyPlot( "top zoom", 1.0 );
    while( now_ns() < end - 300000000ll )
    {
        {
            ZoneScopedN( "Editor::Frame" );
            {
                ZoneScopedN( "UI::PollInput" );
                busy_ms( r( 0.3, 0.2 ) );
                const int64_t t = now_ns();
                if( t >= nextZoom )
                {
                    const int z = zoomSeq[zoomIdx++ % 8];
                    g_zoomCenti.store( z );
                    g_zoomGen.fetch_add( 1 );
                    message( "Top view zoom %.2fx", z / 100.0 );
                    TracyPlot( "top zoom", z / 100.0 );
                    nextZoom = t + (int64_t)( r.uni( 0.47, 0.53 ) * 1e9 );
                }
                if( t >= nextOrbit )
                {
                    orbit++;
                    message( "Perspective camera orbit yaw %d deg", ( orbit * 15 ) % 360 );
                    nextOrbit = t + (int64_t)( r.uni( 0.38, 0.46 ) * 1e9 );
                }
            }
            {
                ZoneScopedN( "Editor::Update" );
                busy_ms( r( 1.0, 0.1 ) );
                if( now_ns() >= nextGizmo )
                {
                    ZoneScopedN( "Editor::ApplyGizmo" );
                    std::unique_lock<SharedLockableBase( std::shared_mutex )> lk( g_sceneMutex );
                    busy_ms( r( 0.2, 0.1 ) );
                    nextGizmo = now_ns() + 250000000ll;
                }
            }
            {
                ZoneScopedN( "UI::DrawPanels" );
                busy_ms( r( 6.0, 0.05 ) );
            }
            {
                ZoneScopedN( "UI::Present" );
                wait_vblank();
            }
        }
        FrameMark;
    }
    g_stop.store( true );
    vp0.join();
    vp1.join();
    aw.join();
    TracyMessageL( "leveled: shutdown" );
    return 0;
}
