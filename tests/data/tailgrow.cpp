// tailgrow: a small game loop with texture streaming, instrumented with Tracy (benchmark data for profiler-analysis
// tools; not part of any project). No vsync: a frame lasts as long as its work (~14 ms).
// Threads:
//   main ("Main thread")   Game::Frame > Input::Poll, Gameplay::Update, Physics::Step (> Physics::Broadphase,
//                          Physics::Narrowphase, Physics::Solve), Streaming::Update, Render::BuildDrawLists,
//                          Render::Submit, UI::Draw, then FrameMark.
//   "Stream Worker 0/1"    Streaming::DecodeTexture jobs (ZoneText = texture), the async decode path, both builds.
//   "Audio"                Audio::Mix every 10 ms (steady, innocent).
// Lock: Streaming::QueueMutex (short, not contended). Plot: "texture pool free slots".
//
// Usage: tailgrow regress a | tailgrow regress b
//   a  baseline build
//   b  about 1 frame in 25 the texture pool is exhausted and Streaming::Update falls back to
//      Streaming::DecodeTextureSync on the main thread (14-18 ms, message "Texture pool exhausted, decoding
//      synchronously"); Render::BuildDrawLists is 0.7 ms cheaper per frame (5.2 -> 4.5 ms) (optimization), so the mean stays equal.
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
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
    while( now_ns() < end ) x = x * 1.0000001 + 0.5;
    g_sink = g_sink + x;
}

const char* const kTextures[] = { "T_Rock_Cliff_02_D", "T_Grass_Meadow_N", "T_Building_Facade_07_D", "T_Road_Asphalt_R",
                                  "T_Tree_Oak_Bark_D", "T_Char_Soldier_Body_D", "T_Terrain_Mud_N", "T_Sky_Clouds_HDR",
                                  "T_Vehicle_Truck_D", "T_Water_Foam_N", "T_Props_Crates_ORM", "T_Char_Civilian_Head_D" };
constexpr int kNumTextures = sizeof( kTextures ) / sizeof( kTextures[0] );

struct Job { int tex; double ms; };

TracyLockableN( std::mutex, g_queueMutex, "Streaming::QueueMutex" );
std::condition_variable_any g_queueCv;
std::deque<Job> g_queue;

void stream_worker( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Stream Worker %d", idx );
    tracy::SetThreadName( name );
    for( ;; )
    {
        Job job;
        {
            std::unique_lock<LockableBase( std::mutex )> lk( g_queueMutex );
            g_queueCv.wait( lk, [] { return g_stop.load() || !g_queue.empty(); } );
            if( g_queue.empty() ) return;
            job = g_queue.front();
            g_queue.pop_front();
        }
        ZoneScopedN( "Streaming::DecodeTexture" );
        ZoneText( kTextures[job.tex], strlen( kTextures[job.tex] ) );
        busy_ms( job.ms );
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
            busy_ms( 0.8 );
        }
        next += 10000000;
        sleep_until_ns( next );
    }
}

double jit( std::mt19937& rng, double ms, double frac = 0.05 )
{
    std::uniform_real_distribution<double> d( 1.0 - frac, 1.0 + frac );
    return ms * d( rng );
}

}

int main( int argc, char** argv )
{
    if( argc < 3 || strcmp( argv[1], "regress" ) != 0 || ( strcmp( argv[2], "a" ) != 0 && strcmp( argv[2], "b" ) != 0 ) )
    {
        fprintf( stderr, "usage: tailgrow regress a|b\n" );
        return 1;
    }
    const bool buildB = argv[2][0] == 'b';
    tracy::SetThreadName( "Main thread" );
    // give the profiler a moment to connect
    std::this_thread::sleep_for( std::chrono::milliseconds( 300 ) );

    TracyMessageL( buildB ? "Game build 1.4.1-b (render: draw-list batching v2)" : "Game build 1.4.0-a" );
    TracyMessageL( "Streaming: texture pool 64 slots, 2 decode workers" );

    std::vector<std::thread> threads;
    threads.emplace_back( stream_worker, 0 );
    threads.emplace_back( stream_worker, 1 );
    threads.emplace_back( audio_thread );
    FrameMark;  // loading done: the next frame is the first game frame

    std::mt19937 rng( 1350 );                 // same frame-to-frame jitter in both builds
    std::mt19937 srng( 7135 );                // sync-fallback schedule (build B)
    std::uniform_int_distribution<int> gap( 20, 30 );
    std::uniform_real_distribution<double> syncMs( 14.0, 18.0 );
    std::uniform_real_distribution<double> asyncMs( 5.0, 9.0 );
    int nextSync = gap( srng );
    int poolFree = 40;
    int texCursor = 0;

    const int kFrames = 420;
    for( int f = 0; f < kFrames; f++ )
    {
        {
            ZoneScopedN( "Game::Frame" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( jit( rng, 0.3 ) );
            }
            {
                ZoneScopedN( "Gameplay::Update" );
                busy_ms( jit( rng, 1.8 ) );
            }
            {
                ZoneScopedN( "Physics::Step" );
                { ZoneScopedN( "Physics::Broadphase" ); busy_ms( jit( rng, 0.9 ) ); }
                { ZoneScopedN( "Physics::Narrowphase" ); busy_ms( jit( rng, 1.5 ) ); }
                { ZoneScopedN( "Physics::Solve" ); busy_ms( jit( rng, 1.2 ) ); }
            }
            {
                ZoneScopedN( "Streaming::Update" );
                busy_ms( jit( rng, 0.4 ) );
                // async path (both builds): queue a decode job every 6 frames
                if( f % 6 == 0 )
                {
                    const int tex = texCursor++ % kNumTextures;
                    std::lock_guard<LockableBase( std::mutex )> lk( g_queueMutex );
                    g_queue.push_back( Job{ tex, asyncMs( srng ) } );
                    g_queueCv.notify_one();
                    poolFree = 40 - ( f / 6 ) % 9;
                }
                if( buildB && f == nextSync )
                {
                    poolFree = 0;
                    const int tex = texCursor++ % kNumTextures;
                    TracyMessageL( "Texture pool exhausted, decoding synchronously" );
                    ZoneScopedN( "Streaming::DecodeTextureSync" );
                    ZoneText( kTextures[tex], strlen( kTextures[tex] ) );
                    busy_ms( syncMs( srng ) );
                    nextSync = f + gap( srng );
                }
                TracyPlot( "texture pool free slots", (int64_t)poolFree );
            }
            {
                ZoneScopedN( "Render::BuildDrawLists" );
                busy_ms( jit( rng, buildB ? 4.5 : 5.2 ) );
            }
            {
                ZoneScopedN( "Render::Submit" );
                busy_ms( jit( rng, 2.4 ) );
            }
            {
                ZoneScopedN( "UI::Draw" );
                busy_ms( jit( rng, 0.3 ) );
            }
        }
        FrameMark;
        if( f % 100 == 99 ) TracyMessageL( "Autosave checkpoint reached" );
    }

    g_stop.store( true );
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_queueMutex );
        g_queueCv.notify_all();
    }
    for( auto& t : threads ) t.join();
    TracyMessageL( "Shutting down" );
    return 0;
}
