// offpath: a small action game with an asynchronous pathfinding worker, instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   "Main"        Game::LoadLevel (~0.7 s, before the first frame), then the game loop: Game::Frame > Input::Poll, Game::Update (> AI::RequestPaths, AI::ConsumePathResults,
//                 Physics::Step, Gameplay::Tick, Animation::Update), UI::Layout, Render::Submit (> Render::Cull,
//                 Render::BuildCommands), Render::Present (vsync-like fixed wait), then FrameMark.
//                 The main thread queues one path batch request per frame and picks up finished results with
//                 a non-blocking check; it never waits for the Background thread.
//   "Background"  AI::PathfindBatch jobs (ZoneValue = agents) > AI::AStarSearch, AI::SmoothPaths
//   "Streaming"   Stream::LoadChunk (ZoneText = chunk) every ~400 ms > Stream::ReadFile, Stream::Decompress
//   "Audio"       Audio::Mix every 10 ms
// Lock: AI::ResultsMutex (short critical sections, uncontended). Plots: "path requests pending", "frame ms".
//
// Usage: offpath <scenario>
//   regress_a   baseline
//   regress_b   AI::PathfindBatch ~8 ms instead of ~4 ms (off the frame's critical path);
//               UI::Layout ~0.9 ms instead of ~0.3 ms (on the main thread)
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{
volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };
bool g_b = false;

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC_RAW, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    const int64_t d = end - 40000 - now_ns();
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
    double x = 1.0;
    while( now_ns() < end ) x = x * 1.0000001 + 0.5;
    g_sink = g_sink + x;
}

struct PathRequest { int id; int agents; };
struct PathResult { int id; int agents; };

std::mutex g_reqMutex;
std::condition_variable g_reqCv;
std::deque<PathRequest> g_requests;

TracyLockableN( std::mutex, g_resultsMutex, "AI::ResultsMutex" );
std::vector<PathResult> g_results;

void background_thread()
{
    tracy::SetThreadName( "Background" );
    std::mt19937 rng( 1234 );
    std::uniform_real_distribution<double> jit( -0.15, 0.15 );
    int done = 0;
    for( ;; )
    {
        PathRequest req;
        {
            std::unique_lock<std::mutex> lk( g_reqMutex );
            g_reqCv.wait( lk, [] { return !g_requests.empty() || g_stop.load(); } );
            if( g_requests.empty() ) break;
            req = g_requests.front();
            g_requests.pop_front();
        }
        {
            ZoneScopedN( "AI::PathfindBatch" );
            ZoneValue( req.agents );
            const double total = ( g_b ? 8.0 : 4.0 ) * ( 1.0 + jit( rng ) * 0.5 );
            {
                ZoneScopedN( "AI::AStarSearch" );
                busy_ms( total * 0.8 );
            }
            {
                ZoneScopedN( "AI::SmoothPaths" );
                busy_ms( total * 0.2 - 0.05 );
            }
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_resultsMutex );
                g_results.push_back( { req.id, req.agents } );
            }
        }
        if( ++done % 60 == 0 )
        {
            char buf[96];
            int n = snprintf( buf, sizeof buf, "AI: %d path batches completed", done );
            TracyMessage( buf, n );
        }
    }
}

void streaming_thread()
{
    tracy::SetThreadName( "Streaming" );
    std::mt19937 rng( 99 );
    std::uniform_real_distribution<double> u( 0.0, 1.0 );
    static const char* chunks[] = { "terrain/r03_c07.pak", "terrain/r03_c08.pak", "props/harbor.pak",
                                    "audio/amb_forest.bank", "terrain/r04_c07.pak", "textures/rock_set2.pak" };
    int i = 0;
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Stream::LoadChunk" );
            const char* c = chunks[i % 6];
            ZoneText( c, strlen( c ) );
            {
                ZoneScopedN( "Stream::ReadFile" );
                busy_ms( 14.0 + 6.0 * u( rng ) );
            }
            {
                ZoneScopedN( "Stream::Decompress" );
                busy_ms( 9.0 + 4.0 * u( rng ) );
            }
            char buf[96];
            int n = snprintf( buf, sizeof buf, "Streaming: loaded %s", c );
            TracyMessage( buf, n );
            ++i;
        }
        for( int k = 0; k < 36 && !g_stop.load(); k++ ) std::this_thread::sleep_for( std::chrono::milliseconds( 10 ) );
    }
}

void audio_thread()
{
    tracy::SetThreadName( "Audio" );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( 0.6 );
        }
        next += 10000000;
        const int64_t d = next - now_ns();
        if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 ) { fprintf( stderr, "usage: offpath regress_a|regress_b\n" ); return 1; }
    const std::string sc = argv[1];
    if( sc == "regress_b" ) g_b = true;
    else if( sc != "regress_a" ) { fprintf( stderr, "unknown scenario\n" ); return 1; }

    tracy::SetThreadName( "Main" );
    {
        ZoneScopedN( "Game::LoadLevel" );
        ZoneText( "harbor_district", 15 );
        busy_ms( 700.0 );
    }
    TracyMessageL( "Game: level 'harbor_district' loaded" );
    std::thread bg( background_thread );
    std::thread st( streaming_thread );
    std::thread au( audio_thread );

    std::mt19937 rng( 42 );
    std::uniform_real_distribution<double> jit( -1.0, 1.0 );
    int reqId = 0, consumed = 0;
    const int kFrames = 360;
    int64_t last = now_ns();
    for( int f = 0; f < kFrames; f++ )
    {
        {
            ZoneScopedN( "Game::Frame" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( 0.25 + 0.03 * jit( rng ) );
            }
            {
                ZoneScopedN( "Game::Update" );
                {
                    ZoneScopedN( "AI::RequestPaths" );
                    busy_ms( 0.15 );
                    {
                        std::lock_guard<std::mutex> lk( g_reqMutex );
                        g_requests.push_back( { reqId++, 48 + (int)( 16 * jit( rng ) ) } );
                        TracyPlot( "path requests pending", (int64_t)g_requests.size() );
                    }
                    g_reqCv.notify_one();
                }
                {
                    ZoneScopedN( "AI::ConsumePathResults" );
                    std::vector<PathResult> got;
                    {
                        std::lock_guard<LockableBase( std::mutex )> lk( g_resultsMutex );
                        got.swap( g_results );
                    }
                    consumed += (int)got.size();
                    ZoneValue( got.size() );
                    busy_ms( 0.1 + 0.05 * got.size() );
                }
                {
                    ZoneScopedN( "Physics::Step" );
                    busy_ms( 2.4 + 0.1 * jit( rng ) );
                }
                {
                    ZoneScopedN( "Gameplay::Tick" );
                    busy_ms( 1.9 + 0.1 * jit( rng ) );
                }
                {
                    ZoneScopedN( "Animation::Update" );
                    busy_ms( 1.3 + 0.05 * jit( rng ) );
                }
            }
            {
                ZoneScopedN( "UI::Layout" );
                busy_ms( ( g_b ? 0.9 : 0.3 ) + 0.02 * jit( rng ) );
            }
            {
                ZoneScopedN( "Render::Submit" );
                {
                    ZoneScopedN( "Render::Cull" );
                    busy_ms( 1.2 + 0.05 * jit( rng ) );
                }
                {
                    ZoneScopedN( "Render::BuildCommands" );
                    busy_ms( 2.75 + 0.1 * jit( rng ) );
                }
            }
            {
                ZoneScopedN( "Render::Present" );
                busy_ms( 5.4 + 0.05 * jit( rng ) );
            }
        }
        FrameMark;
        const int64_t t = now_ns();
        TracyPlot( "frame ms", ( t - last ) / 1e6 );
        last = t;
        if( f % 120 == 119 )
        {
            char buf[96];
            int n = snprintf( buf, sizeof buf, "Game: frame %d, %d path batches consumed", f + 1, consumed );
            TracyMessage( buf, n );
        }
    }
    TracyMessageL( "Game: shutting down" );
    g_stop.store( true );
    g_reqCv.notify_all();
    bg.join();
    st.join();
    au.join();
    return 0;
}
