// presentbound: a game main loop that is limited by the GPU/driver (Render::Present blocks), not by the CPU.
// Instrumented with Tracy (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   main ("Main thread")   per frame: Input::Poll, Game::Update (> Physics::Step, AI::Think, Anim::Update),
//                          Render::BuildCommands (> Render::Cull, Render::SortDrawCalls, Render::RecordCmdBuffer),
//                          UI::Draw, Net::SendSnapshot, Render::Present (blocks waiting for the GPU; vsync OFF), then FrameMark.
//   render-worker          Render::UploadConstants / Render::CompileShaderVariant on request (idle most of the time)
//   audio                  Audio::Mix every 10 ms (~0.4 ms)
//   streamer               Stream::LoadTexture every ~400 ms (> Stream::ReadFile, Stream::Decompress)
// Lock: Render::CmdMutex (main + render-worker, uncontended). Plots: "draw calls", "visible objects".
//
// Usage: presentbound <scenario>
//   gpubound    CPU work ~9 ms per frame, Render::Present blocks 14-17.5 ms -> ~25 ms frames (~40 fps)
//   regress_a   same as gpubound
//   regress_b   CPU zones unchanged, Render::Present blocks 21-24.5 ms (heavier GPU pass) -> ~32 ms frames
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

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

void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    if( ms > 0.08 )
    {
        const int64_t d = end - 40000 - now_ns();
        if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
    }
    double x = 1.0;
    while( now_ns() < end ) x = x * 1.0000001 + 0.5;
    g_sink = g_sink + x;
}

TracyLockableN( std::mutex, g_cmdMutex, "Render::CmdMutex" );
std::mutex g_reqMutex;
std::condition_variable g_reqCv;
int g_requests = 0;

void RenderWorker()
{
    tracy::SetThreadName( "render-worker" );
    std::mt19937 rng( 7 );
    int n = 0;
    while( true )
    {
        {
            std::unique_lock<std::mutex> lk( g_reqMutex );
            g_reqCv.wait( lk, [] { return g_requests > 0 || g_stop.load(); } );
            if( g_stop.load() && g_requests == 0 ) break;
            --g_requests;
        }
        {
            ZoneScopedN( "Render::UploadConstants" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_cmdMutex );
            busy_ms( 0.6 + ( rng() % 100 ) / 250.0 );
        }
        if( ++n % 40 == 0 )
        {
            ZoneScopedN( "Render::CompileShaderVariant" );
            ZoneText( "pbr_skinned_shadow.frag", 23 );
            busy_ms( 3.0 );
        }
    }
}

void AudioThread()
{
    tracy::SetThreadName( "audio" );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        next += 10000000;
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( 0.4 );
        }
        const int64_t d = next - now_ns();
        if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
    }
}

void StreamerThread()
{
    tracy::SetThreadName( "streamer" );
    const char* tex[] = { "terrain/grass_albedo.ktx2", "chars/hero_normal.ktx2", "props/crate_orm.ktx2",
                          "sky/clouds_hdr.ktx2", "terrain/rock_albedo.ktx2" };
    int i = 0;
    std::mt19937 rng( 11 );
    while( !g_stop.load() )
    {
        for( int k = 0; k < 40 && !g_stop.load(); ++k ) std::this_thread::sleep_for( std::chrono::milliseconds( 10 ) );
        if( g_stop.load() ) break;
        ZoneScopedN( "Stream::LoadTexture" );
        const char* t = tex[i++ % 5];
        ZoneText( t, strlen( t ) );
        {
            ZoneScopedN( "Stream::ReadFile" );
            busy_ms( 3.0 + ( rng() % 100 ) / 50.0 );
        }
        {
            ZoneScopedN( "Stream::Decompress" );
            busy_ms( 2.0 );
        }
        TracyMessageL( "Texture streamed in" );
    }
}

}

int main( int argc, char** argv )
{
    const std::string sc = argc > 1 ? argv[1] : "gpubound";
    double presentLo = 14.0, presentHi = 17.5;
    if( sc == "regress_b" ) { presentLo = 21.0; presentHi = 24.5; }
    else if( sc != "gpubound" && sc != "regress_a" ) { fprintf( stderr, "unknown scenario\n" ); return 1; }

    tracy::SetThreadName( "Main thread" );
    TracyMessageL( "Renderer: swapchain 1920x1080, present mode IMMEDIATE (vsync off), 3 images" );
    TracyMessageL( "Level loaded: harbor_district" );

    std::thread rw( RenderWorker ), au( AudioThread ), st( StreamerThread );
    std::mt19937 rng( 1234 );
    auto U = [&]( double lo, double hi ) { return lo + ( hi - lo ) * ( rng() % 10000 ) / 10000.0; };

    const int64_t start = now_ns();
    int frame = 0;
    while( now_ns() - start < 5000000000ll )
    {
        {
            ZoneScopedN( "Input::Poll" );
            busy_ms( U( 0.15, 0.25 ) );
        }
        {
            ZoneScopedN( "Game::Update" );
            { ZoneScopedN( "Physics::Step" ); busy_ms( U( 1.4, 1.6 ) ); }
            { ZoneScopedN( "AI::Think" ); busy_ms( U( 0.9, 1.1 ) ); }
            { ZoneScopedN( "Anim::Update" ); busy_ms( U( 1.2, 1.4 ) ); }
        }
        int draws = 0;
        {
            ZoneScopedN( "Render::BuildCommands" );
            { ZoneScopedN( "Render::Cull" ); busy_ms( U( 0.9, 1.1 ) ); TracyPlot( "visible objects", (int64_t)U( 2400, 2600 ) ); }
            { ZoneScopedN( "Render::SortDrawCalls" ); busy_ms( U( 0.45, 0.55 ) ); }
            {
                ZoneScopedN( "Render::RecordCmdBuffer" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_cmdMutex );
                busy_ms( U( 1.3, 1.5 ) );
                draws = (int)U( 1800, 1900 );
                ZoneValue( draws );
            }
            {
                std::lock_guard<std::mutex> lk( g_reqMutex );
                g_requests += 2;
            }
            g_reqCv.notify_one();
        }
        TracyPlot( "draw calls", (int64_t)draws );
        {
            ZoneScopedN( "UI::Draw" );
            busy_ms( U( 0.9, 1.1 ) );
        }
        {
            ZoneScopedN( "Net::SendSnapshot" );
            busy_ms( U( 0.35, 0.45 ) );
        }
        {
            ZoneScopedN( "Render::Present" );
            // blocks until the GPU frees a swapchain image (driver wait); no vsync
            busy_ms( U( presentLo, presentHi ) );
        }
        FrameMark;
        ++frame;
        if( frame % 100 == 0 ) TracyMessageL( "Autosave checkpoint written" );
    }
    g_stop.store( true );
    g_reqCv.notify_all();
    rw.join(); au.join(); st.join();
    TracyMessageL( "Shutdown" );
    return 0;
}
