// overlaplost: a game with a pipelined render thread, instrumented with Tracy (benchmark data for profiler-analysis
// tools; not part of any project). Threads:
//   main ("Main thread")  Game loop: Input::Poll, [B only: Render::ReadbackQueries > Render::WaitForGpuReadback,
//                         Render::ResolveQueries], Game::Update (~9 ms: AI::Think, Physics::Step > Physics::Broadphase,
//                         Physics::Solve, Anim::Update, Scene::Sync under lock "Scene::Mutex"), Game::SubmitFrame
//                         (> Game::WaitForRenderSlot, only blocks if the render thread is a whole frame behind),
//                         Game::Housekeeping, then FrameMark.
//   RenderThread          Render::WaitForFrame (cv wait for the next submitted frame), Render::Frame (~9 ms:
//                         Render::Cull, Render::Draw, Render::Present) for frame N while main simulates frame N+1.
//   AudioMixer            Audio::Mix every 5 ms (~1.8 ms, steady).
//   AssetStreamer         Stream::LoadChunk every ~400 ms (~30 ms: Stream::ReadFile, Stream::Decompress, Scene::Mutex).
// Locks: "FrameQueue::Mutex" (frame handoff, held briefly), "Scene::Mutex" (main + streamer, rarely contended).
// Plots: "draw calls", "live entities". Messages: level load, streamed chunks.
//
// Usage: overlaplost <scenario>
//   regress_a   baseline: main and render overlap, frames ~10 ms
//   regress_b   Render::ReadbackQueries at the start of each main frame waits (Render::WaitForGpuReadback) until the
//               render thread has finished the previously submitted frame: no overlap, frames ~19 ms. No zone's own
//               work changes.
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>

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

TracyLockableN( std::mutex, g_queueMutex, "FrameQueue::Mutex" );
std::condition_variable_any g_queueCv;
int64_t g_submitted = 0;      // frames handed to the render thread
int64_t g_renderStarted = 0;  // frames the render thread has picked up
int64_t g_renderDone = 0;     // frames the render thread has finished
bool g_quit = false;

TracyLockableN( std::mutex, g_sceneMutex, "Scene::Mutex" );

std::mt19937 g_rng( 115 );
double jitter( std::mt19937& rng, double base, double spread )
{
    std::uniform_real_distribution<double> d( -spread, spread );
    return base + d( rng );
}

void render_thread()
{
    tracy::SetThreadName( "RenderThread" );
    std::mt19937 rng( 7 );
    for( ;; )
    {
        int64_t frame;
        {
            ZoneScopedN( "Render::WaitForFrame" );
            std::unique_lock<LockableBase( std::mutex )> lk( g_queueMutex );
            g_queueCv.wait( lk, [] { return g_quit || g_renderStarted < g_submitted; } );
            if( g_renderStarted >= g_submitted ) return;
            frame = ++g_renderStarted;
            g_queueCv.notify_all();
        }
        {
            ZoneScopedN( "Render::Frame" );
            ZoneValue( frame );
            int draws;
            {
                ZoneScopedN( "Render::Cull" );
                busy_ms( jitter( rng, 3.0, 0.15 ) );
            }
            {
                ZoneScopedN( "Render::Draw" );
                draws = 1800 + int( rng() % 200 );
                ZoneValue( draws );
                busy_ms( jitter( rng, 5.4, 0.2 ) );
            }
            {
                ZoneScopedN( "Render::Present" );
                busy_ms( 0.4 );
            }
            TracyPlot( "draw calls", (int64_t)draws );
        }
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_queueMutex );
            g_renderDone = frame;
        }
        g_queueCv.notify_all();
    }
}

void audio_thread()
{
    tracy::SetThreadName( "AudioMixer" );
    std::mt19937 rng( 11 );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( jitter( rng, 1.8, 0.1 ) );
        }
        next += 5000000;
        sleep_until_ns( next );
    }
}

void streamer_thread()
{
    tracy::SetThreadName( "AssetStreamer" );
    std::mt19937 rng( 23 );
    int chunk = 0;
    sleep_until_ns( now_ns() + 150000000 );
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Stream::LoadChunk" );
            char name[64];
            snprintf( name, sizeof( name ), "terrain/chunk_%02d_%02d.pak", chunk % 8, chunk / 8 );
            ZoneText( name, strlen( name ) );
            {
                ZoneScopedN( "Stream::ReadFile" );
                busy_ms( jitter( rng, 12.0, 2.0 ) );
            }
            {
                ZoneScopedN( "Stream::Decompress" );
                busy_ms( jitter( rng, 16.0, 2.0 ) );
            }
            {
                ZoneScopedN( "Scene::InsertChunk" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_sceneMutex );
                busy_ms( 0.3 );
            }
            char msg[96];
            snprintf( msg, sizeof( msg ), "Streamed %s", name );
            TracyMessage( msg, strlen( msg ) );
            chunk++;
        }
        // idle between chunks, in short naps so shutdown does not wait for a whole interval
        const int64_t wake = now_ns() + int64_t( jitter( rng, 370.0, 30.0 ) * 1e6 );
        while( !g_stop.load() && now_ns() < wake ) sleep_until_ns( std::min( wake, now_ns() + 5000000 ) );
    }
}

} // namespace

int main( int argc, char** argv )
{
    const char* scenario = argc > 1 ? argv[1] : "regress_a";
    bool readback;
    if( strcmp( scenario, "regress_a" ) == 0 ) readback = false;
    else if( strcmp( scenario, "regress_b" ) == 0 ) readback = true;
    else
    {
        fprintf( stderr, "usage: overlaplost regress_a|regress_b\n" );
        return 2;
    }

    std::thread rt( render_thread );
    std::thread at( audio_thread );
    std::thread st( streamer_thread );

    TracyMessageL( "Level loaded: harbor_district" );
    if( readback ) TracyMessageL( "Renderer: occlusion query readback enabled" );

    std::mt19937& rng = g_rng;
    const int64_t start = now_ns();
    const int64_t runNs = 5000000000ll;
    int64_t frame = 0;
    while( now_ns() - start < runNs )
    {
        frame++;
        {
            ZoneScopedN( "Input::Poll" );
            busy_ms( 0.25 );
        }
        if( readback )
        {
            ZoneScopedN( "Render::ReadbackQueries" );
            {
                ZoneScopedN( "Render::WaitForGpuReadback" );
                std::unique_lock<LockableBase( std::mutex )> lk( g_queueMutex );
                g_queueCv.wait( lk, [] { return g_renderDone >= g_submitted; } );
            }
            {
                ZoneScopedN( "Render::ResolveQueries" );
                busy_ms( 0.15 );
            }
        }
        {
            ZoneScopedN( "Game::Update" );
            ZoneValue( frame );
            {
                ZoneScopedN( "AI::Think" );
                busy_ms( jitter( rng, 2.4, 0.15 ) );
            }
            {
                ZoneScopedN( "Physics::Step" );
                {
                    ZoneScopedN( "Physics::Broadphase" );
                    busy_ms( jitter( rng, 1.2, 0.1 ) );
                }
                {
                    ZoneScopedN( "Physics::Solve" );
                    busy_ms( jitter( rng, 2.8, 0.15 ) );
                }
            }
            {
                ZoneScopedN( "Anim::Update" );
                busy_ms( jitter( rng, 1.8, 0.1 ) );
            }
            {
                ZoneScopedN( "Scene::Sync" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_sceneMutex );
                busy_ms( 0.6 );
            }
            TracyPlot( "live entities", (int64_t)( 4200 + ( frame % 97 ) ) );
        }
        {
            ZoneScopedN( "Game::SubmitFrame" );
            {
                ZoneScopedN( "Game::WaitForRenderSlot" );
                std::unique_lock<LockableBase( std::mutex )> lk( g_queueMutex );
                // only blocks if the render thread has not even picked up the previous frame
                g_queueCv.wait( lk, [] { return g_renderStarted >= g_submitted; } );
                g_submitted++;
            }
            g_queueCv.notify_all();
            busy_ms( 0.1 );
        }
        {
            ZoneScopedN( "Game::Housekeeping" );
            busy_ms( 0.3 );
        }
        FrameMark;
    }

    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_queueMutex );
        g_quit = true;
    }
    g_queueCv.notify_all();
    g_stop = true;
    rt.join();
    at.join();
    st.join();
    TracyMessageL( "Shutdown" );
    return 0;
}
