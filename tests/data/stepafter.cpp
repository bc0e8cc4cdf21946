// stepafter: a small uncapped game loop (no vsync) instrumented with Tracy (benchmark data for profiler-analysis
// tools; not part of any project). Threads:
//   main ("Main thread")  Game::Frame > Input::Poll, Scene::Update (> Physics::Step, Anim::Update), Renderer::DrawScene
//                         (> Renderer::ShadowPass, Renderer::OpaquePass), Renderer::PostProcess (> PostFX::Apply per
//                         registered post-process chain, ZoneText = render target, > PostFX::Bloom, PostFX::ToneMap,
//                         PostFX::FXAA), UI::DrawHUD, Renderer::Present, FrameMark. Window events are handled at the
//                         start of a frame: Window::OnResize > Swapchain::Recreate (~30 ms), PostFX::CreateChain.
//   AudioMixer            Audio::Mix every 10 ms
//   AssetStreamer         Texture::StreamIn (ZoneText = texture) every ~250 ms
// Memory: per-frame transient buffers (default heap, TracyAlloc/TracyFree, freed the same frame); named pool
// "GPU RenderTargets" (swapchain images and post-process targets). Plot: "draw calls".
//
// Usage: stepafter <scenario> [a|b]
//   resize      three window-resize events ~1.5 s apart; the resize handler registers a NEW post-process chain
//               each time without removing the old one: PostFX::Apply runs 1x, then 2x, 3x, 4x per frame.
//   session a   same playtest, fixed handler (old chain destroyed before the new one is created): always 1x
//   session b   same playtest, the leaking handler (as `resize`)
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{
const char* const kGpuPool = "GPU RenderTargets";
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
    if( ms > 0.12 ) sleep_until_ns( end - 60000 );
    double x = 1.0;
    while( now_ns() < end ) { x = x * 1.0000001 + 0.5; }
    g_sink = g_sink + x;
}

// fake GPU addresses for the render-target pool
uintptr_t g_nextGpu = 0x7f0000000000ull;
void* gpu_alloc( size_t bytes )
{
    void* p = (void*)g_nextGpu;
    g_nextGpu += ( bytes + 0xffff ) & ~size_t( 0xffff );
    TracyAllocN( p, bytes, kGpuPool );
    return p;
}
void gpu_free( void* p ) { TracyFreeN( p, kGpuPool ); }

struct PostChain
{
    std::string target;      // e.g. "rt_main#2"
    std::vector<void*> rts;  // bloom mips, tonemap LDR target
};

struct Renderer
{
    bool leaky = true;
    int chainSerial = 0;
    int width = 1920, height = 1080;
    std::vector<void*> swapImages;
    std::vector<PostChain> chains;

    void CreateSwapchain()
    {
        for( int i = 0; i < 3; i++ ) swapImages.push_back( gpu_alloc( size_t( width ) * height * 4 ) );
    }
    void CreateChain()
    {
        ZoneScopedN( "PostFX::CreateChain" );
        PostChain c;
        c.target = "rt_main#" + std::to_string( ++chainSerial );
        ZoneText( c.target.c_str(), c.target.size() );
        c.rts.push_back( gpu_alloc( size_t( width ) * height * 8 ) );      // HDR bloom source
        c.rts.push_back( gpu_alloc( size_t( width / 2 ) * height / 2 * 8 ) );
        c.rts.push_back( gpu_alloc( size_t( width ) * height * 4 ) );      // LDR tonemapped
        busy_ms( 0.6 );
        chains.push_back( std::move( c ) );
        TracyMessageL( "PostFX chain created for rt_main" );
    }
    void DestroyChain( PostChain& c )
    {
        ZoneScopedN( "PostFX::DestroyChain" );
        ZoneText( c.target.c_str(), c.target.size() );
        for( void* p : c.rts ) gpu_free( p );
        c.rts.clear();
        busy_ms( 0.2 );
    }
    void OnResize( int w, int h )
    {
        ZoneScopedN( "Window::OnResize" );
        char buf[ 64 ];
        int n = snprintf( buf, sizeof( buf ), "Window resized to %dx%d", w, h );
        TracyMessage( buf, n );
        width = w; height = h;
        {
            ZoneScopedN( "Swapchain::Recreate" );
            for( void* p : swapImages ) gpu_free( p );
            swapImages.clear();
            busy_ms( 29.0 );
            CreateSwapchain();
        }
        if( !leaky )
        {
            for( auto& c : chains ) DestroyChain( c );
            chains.clear();
        }
        CreateChain();
    }
};

void audio_thread()
{
    tracy::SetThreadName( "AudioMixer" );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( 0.9 );
        }
        next += 10000000;
        sleep_until_ns( next );
    }
}

void streamer_thread()
{
    tracy::SetThreadName( "AssetStreamer" );
    static const char* tex[] = { "T_Rock_Albedo", "T_Rock_Normal", "T_Grass_Albedo", "T_Bark_Normal", "T_Sky_HDR",
                                 "T_Water_Foam", "T_Char_Face", "T_Char_Armor", "T_Road_Decal", "T_Banner_Red" };
    std::mt19937 rng( 7 );
    int i = 0;
    int64_t next = now_ns() + 120000000;
    while( !g_stop.load() )
    {
        while( !g_stop.load() && now_ns() < next ) std::this_thread::sleep_for( std::chrono::milliseconds( 5 ) );
        if( g_stop.load() ) break;
        {
            ZoneScopedN( "Texture::StreamIn" );
            const char* t = tex[ i++ % 10 ];
            ZoneText( t, strlen( t ) );
            busy_ms( 6.0 + ( rng() % 60 ) / 10.0 );
        }
        next += 250000000;
    }
}

void frame( Renderer& r, std::mt19937& rng, int frameNo )
{
    ZoneScopedN( "Game::Frame" );
    // per-frame transient buffers: allocated and freed within the frame
    std::vector<void*> transient;
    {
        ZoneScopedN( "Input::Poll" );
        busy_ms( 0.15 );
    }
    {
        ZoneScopedN( "Scene::Update" );
        {
            ZoneScopedN( "Physics::Step" );
            void* p = malloc( 48 * 1024 );
            TracyAlloc( p, 48 * 1024 );
            transient.push_back( p );
            busy_ms( 2.2 );
        }
        {
            ZoneScopedN( "Anim::Update" );
            busy_ms( 1.7 );
        }
    }
    {
        ZoneScopedN( "Renderer::DrawScene" );
        void* cmd = malloc( 256 * 1024 );
        TracyAlloc( cmd, 256 * 1024 );
        transient.push_back( cmd );
        {
            ZoneScopedN( "Renderer::ShadowPass" );
            busy_ms( 0.6 );
        }
        {
            ZoneScopedN( "Renderer::OpaquePass" );
            busy_ms( 0.9 );
        }
        TracyPlot( "draw calls", int64_t( 1180 + rng() % 60 ) );
    }
    {
        ZoneScopedN( "Renderer::PostProcess" );
        for( auto& c : r.chains )
        {
            ZoneScopedN( "PostFX::Apply" );
            ZoneText( c.target.c_str(), c.target.size() );
            {
                ZoneScopedN( "PostFX::Bloom" );
                busy_ms( 0.7 );
            }
            {
                ZoneScopedN( "PostFX::ToneMap" );
                busy_ms( 0.45 );
            }
            {
                ZoneScopedN( "PostFX::FXAA" );
                busy_ms( 0.3 );
            }
        }
    }
    {
        ZoneScopedN( "UI::DrawHUD" );
        void* p = malloc( 16 * 1024 );
        TracyAlloc( p, 16 * 1024 );
        transient.push_back( p );
        busy_ms( 0.35 );
    }
    {
        ZoneScopedN( "Renderer::Present" );
        busy_ms( 0.45 );
    }
    for( void* p : transient )
    {
        TracyFree( p );
        free( p );
    }
    (void)frameNo;
}

}  // namespace

int main( int argc, char** argv )
{
    std::string scen = argc > 1 ? argv[ 1 ] : "resize";
    std::string var = argc > 2 ? argv[ 2 ] : "";
    Renderer r;
    if( scen == "resize" ) r.leaky = true;
    else if( scen == "session" && var == "a" ) r.leaky = false;
    else if( scen == "session" && var == "b" ) r.leaky = true;
    else { fprintf( stderr, "usage: stepafter resize | session a|b\n" ); return 1; }

    tracy::SetThreadName( "Main thread" );
    std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );
    TracyMessageL( "Game start" );
    {
        ZoneScopedN( "Renderer::Init" );
        r.CreateSwapchain();
        TracyMessageL( "Window created 1920x1080" );
        r.CreateChain();
        busy_ms( 5 );
    }
    std::thread audio( audio_thread ), streamer( streamer_thread );
    std::mt19937 rng( 42 );
    const int64_t t0 = now_ns();
    const double resizeAt[ 3 ] = { 1.5, 3.0, 4.5 };
    // the player drags the window edge and lets go: each resize event ends at the original 1920x1080 again
    int nextResize = 0;
    int frameNo = 0;
    FrameMark;
    while( true )
    {
        const double t = ( now_ns() - t0 ) / 1e9;
        if( t >= 6.2 ) break;
        if( nextResize < 3 && t >= resizeAt[ nextResize ] )
        {
            r.OnResize( 1920, 1080 );
            nextResize++;
        }
        frame( r, rng, frameNo++ );
        FrameMark;
    }
    TracyMessageL( "Quit requested" );
    g_stop = true;
    audio.join();
    streamer.join();
    return 0;
}
