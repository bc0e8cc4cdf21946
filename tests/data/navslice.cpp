// navslice: a small action game whose AI navigation rebuilds navmesh tiles time-sliced on the main thread,
// instrumented with Tracy (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   main ("Main thread")  the game loop (no vsync; ~14.5 ms of steady work): Game::Frame > Input::Poll,
//                         AI::Update (> AI::Think, AI::RequestPath [ZoneText "NPC 12 -> tile 37"], AI::AssignPath),
//                         Nav::RebuildSlice (at most one slice of the budget per frame, ZoneText "tile 37 (3/12)"),
//                         Physics::Step, Anim::Update, Renderer::Submit, Renderer::Present (GPU wait), FrameMark.
//   "NavWorker"           async Nav::Raycast batches (ZoneText "batch 812 (64 rays)") for AI line-of-sight.
//   "Audio"               Audio::Mix every 10 ms.
// Before the loop Game::LoadLevel (0.6 s, its own frame, so capture start-up noise does not hit the game frames).
// When a door opens (message "Door 3 opened: tile 37 dirty"), the tiles it touches are queued for a rebuild (FIFO);
// NPCs that want to walk through issue AI::RequestPath (message "NPC 12 waiting for tile 37") and stand still
// until the tile is done (message "Navmesh tile 37 rebuilt", then AI::AssignPath, message "NPC 12 path ready").
// Plot "nav pending slices".
//
// Usage: navslice <scenario>
//   slow_rebuild  budget 1.5 ms; one dense city tile (tile 37) needs 120 ms of rebuild work = 80 slices
//                 (~1.3 s wall); every other tile needs 2-4 slices
//   regress_a     budget 1.5 ms; 7 doors (every 50 frames), tiles of 18-24 ms of work (12-16 slices)
//   regress_b     same doors and tiles; budget lowered to 0.5 ms (36-48 slices)
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
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

// Emulated work: sleep to just before the deadline, then spin.
void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    if( ms > 0.08 ) sleep_until_ns( end - 40000 );
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
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyMessage( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ) );
}

// ---------------------------------------------------------------------------------------------------------------

struct door_event
{
    int frame;
    int door;
    int tile;
    double work_ms;             // total rebuild work of the tile
    std::vector<int> npcs;      // NPCs that want a path through the tile
};

struct tile_job
{
    int tile;
    double work_ms;
    double done_ms = 0.0;
    int slices = 0;
    int slice = 0;
    bool requested = false;
    std::vector<int> npcs;
};

struct params
{
    std::string scenario;
    double budget_ms = 1.5;
    int frames = 380;
    std::vector<door_event> doors;
};

params g_p;

void nav_worker()
{
    name_thread( "NavWorker" );
    rng_t r( 0x6e617677 );
    int batch = 800;
    while( !g_stop.load() )
    {
        const int rays = 32 << r.range( 0, 2 );
        {
            ZoneScopedN( "Nav::Raycast" );
            char t[64];
            const int n = snprintf( t, sizeof( t ), "batch %d (%d rays)", batch++, rays );
            ZoneText( t, n );
            busy_ms( r( 0.025 * rays, 0.1 ) );
        }
        busy_ms( 0 );
        std::this_thread::sleep_for( std::chrono::microseconds( r.range( 3000, 6000 ) ) );
    }
}

void audio_thread()
{
    name_thread( "Audio" );
    rng_t r( 0x61756469 );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( r( 1.2 ) );
        }
        next += 10000000;
        sleep_until_ns( next );
    }
}

void game_loop()
{
    name_thread( "Main thread" );
    rng_t r( 0x67616d65 );
    std::deque<tile_job> pending;
    std::vector<std::pair<int, int>> ready;   // (npc, tile) paths to assign next AI::Update
    size_t next_door = 0;
    std::vector<door_event> doors = g_p.doors;
    message( "navslice 2.3.1 scenario %s", g_p.scenario.c_str() );
    message( "Nav slice budget %.1f ms", g_p.budget_ms );
    {
        ZoneScopedN( "Game::LoadLevel" );
        ZoneText( "harbor_district", 15 );
        busy_ms( 600.0 );
        message( "Level harbor_district loaded" );
    }
    FrameMark;   // the loading frame ends here
    for( int f = 0; f < g_p.frames; f++ )
    {
        {
            ZoneScopedN( "Game::Frame" );
            // Doors opened by gameplay this frame.
            while( next_door < doors.size() && doors[next_door].frame == f )
            {
                const door_event& d = doors[next_door++];
                message( "Door %d opened: tile %d dirty", d.door, d.tile );
                tile_job j;
                j.tile = d.tile;
                j.work_ms = d.work_ms;
                j.slices = (int)std::ceil( d.work_ms / g_p.budget_ms - 1e-9 );
                j.npcs = d.npcs;
                pending.push_back( j );
            }
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.3, 0.1 ) );
            }
            {
                ZoneScopedN( "AI::Update" );
                {
                    ZoneScopedN( "AI::Think" );
                    busy_ms( r( 1.4, 0.08 ) );
                }
                // New path requests for NPCs blocked by freshly dirtied tiles.
                for( auto& j : pending )
                {
                    if( j.requested ) continue;
                    j.requested = true;
                    for( int npc : j.npcs )
                    {
                        ZoneScopedN( "AI::RequestPath" );
                        char t[64];
                        const int n = snprintf( t, sizeof( t ), "NPC %d -> tile %d", npc, j.tile );
                        ZoneText( t, n );
                        busy_ms( r( 0.08, 0.1 ) );
                        message( "NPC %d waiting for tile %d", npc, j.tile );
                    }
                }
                for( auto& p : ready )
                {
                    ZoneScopedN( "AI::AssignPath" );
                    char t[64];
                    const int n = snprintf( t, sizeof( t ), "NPC %d via tile %d", p.first, p.second );
                    ZoneText( t, n );
                    busy_ms( r( 0.12, 0.1 ) );
                    message( "NPC %d path ready", p.first );
                }
                ready.clear();
            }
            if( !pending.empty() )
            {
                tile_job& j = pending.front();
                j.slice++;
                const double remaining = j.work_ms - j.done_ms;
                const double work = std::min( g_p.budget_ms, remaining );
                {
                    ZoneScopedN( "Nav::RebuildSlice" );
                    char t[64];
                    const int n = snprintf( t, sizeof( t ), "tile %d (%d/%d)", j.tile, j.slice, j.slices );
                    ZoneText( t, n );
                    busy_ms( work * 0.98 );
                }
                j.done_ms += work;
                if( j.slice >= j.slices )
                {
                    message( "Navmesh tile %d rebuilt", j.tile );
                    for( int npc : j.npcs ) ready.emplace_back( npc, j.tile );
                    pending.pop_front();
                }
            }
            {
                double left = 0;
                for( auto& j : pending ) left += j.slices - j.slice;
                TracyPlot( "nav pending slices", (int64_t)left );
            }
            {
                ZoneScopedN( "Physics::Step" );
                busy_ms( r( 3.4, 0.06 ) );
            }
            {
                ZoneScopedN( "Anim::Update" );
                busy_ms( r( 2.1, 0.06 ) );
            }
            {
                ZoneScopedN( "Renderer::Submit" );
                busy_ms( r( 5.2, 0.05 ) );
            }
            {
                ZoneScopedN( "Renderer::Present" );
                busy_ms( r( 1.9, 0.1 ) );
            }
        }
        FrameMark;
    }
    message( "Shutdown" );
}

void setup( const std::string& s )
{
    g_p.scenario = s;
    auto D = []( int frame, int door, int tile, double work, std::vector<int> npcs ) {
        return door_event{ frame, door, tile, work, std::move( npcs ) };
    };
    if( s == "slow_rebuild" )
    {
        g_p.budget_ms = 1.5;
        g_p.doors = {
            D( 30, 2, 12, 4.2, { 4 } ),
            D( 75, 5, 18, 2.6, { 9, 15 } ),
            D( 76, 6, 19, 4.4, {} ),
            D( 120, 3, 37, 120.0, { 12, 7, 31 } ),
            D( 235, 8, 41, 5.7, { 22 } ),
            D( 285, 1, 22, 3.9, { 3, 18 } ),
            D( 330, 4, 8, 2.8, { 26 } ),
        };
    }
    else if( s == "regress_a" || s == "regress_b" )
    {
        g_p.budget_ms = s == "regress_a" ? 1.5 : 0.5;
        g_p.doors = {
            D( 20, 2, 5, 18.0, { 4, 11 } ),
            D( 70, 5, 14, 22.5, { 9 } ),
            D( 120, 3, 23, 20.4, { 12, 7 } ),
            D( 170, 7, 31, 24.0, { 15 } ),
            D( 220, 1, 9, 19.5, { 3, 20 } ),
            D( 270, 6, 27, 23.1, { 26 } ),
            D( 320, 4, 44, 21.0, { 18, 30 } ),
        };
    }
    else
    {
        fprintf( stderr, "unknown scenario %s\n", s.c_str() );
        exit( 2 );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: navslice slow_rebuild|regress_a|regress_b\n" );
        return 2;
    }
    setup( argv[1] );
    std::thread nw( nav_worker );
    std::thread au( audio_thread );
    game_loop();
    g_stop = true;
    nw.join();
    au.join();
    return 0;
}
