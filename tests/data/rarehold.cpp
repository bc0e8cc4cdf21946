// rarehold: a small 3D game client (60 Hz, FrameMark) with a render thread, a texture streaming thread and an
// audio mixer, instrumented with Tracy (benchmark data for profiler-analysis tools; not part of any project).
// Threads:
//   Main          Game::Frame > Game::Update (> Input::Poll, Physics::Step, Audio::PostEvents, AI::Tick,
//                 Anim::Update), Render::Kick, Render::WaitForRenderThread, Render::Present (vsync pacing); FrameMark
//   RenderThread  RenderThread::Frame > Render::Cull, Render::BuildDrawLists > 40x (TextureCache::Lookup,
//                 Render::DrawBatch). TextureCache::Lookup holds TextureCache::Mutex ~20 us.
//   Streaming     Streaming::Tick > 3x Streaming::LoadTexture (> Streaming::ReadFile, Streaming::Decode,
//                 TextureCache::Insert: holds TextureCache::Mutex ~50 us). Every 150 frames (~2.5 s; defrag only):
//                 Streaming::Maintenance > TextureCache::Defragment holds TextureCache::Mutex ~50 ms
//                 (> TextureCache::MovePages, TextureCache::RebuildIndex).
//   AudioMixer    Audio::MixBlock every 2 ms, holds Audio::QueueLock ~400 us (contends with Audio::PostEvents).
// Locks: TextureCache::Mutex, Audio::QueueLock. Plots: "texture cache MB", "audio voices".
//
// Usage: rarehold <scenario>
//   defrag     the streaming thread's periodic TextureCache::Defragment holds TextureCache::Mutex ~50 ms:
//              the render thread blocks in TextureCache::Lookup, the main thread in Render::WaitForRenderThread
//   regress_a  baseline (no defrag)
//   regress_b  TextureCache::Lookup holds the mutex ~75 us instead of ~20 us (linear probe after a hash change)
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
    explicit rng_t( uint32_t s ) : g( s ) {}
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

struct params
{
    std::string scenario;
    int frames = 390;
    bool defrag = false;
    double lookup_hold_ms = 0.020;
} g_p;

constexpr int kDefragFirst = 60, kDefragEvery = 150;
constexpr int kLookups = 40;

struct TextureCache
{
    TracyLockableN( std::mutex, Mutex, "TextureCache::Mutex" );
    double mb = 310.0;
} g_tex;

struct AudioSys
{
    TracyLockableN( std::mutex, QueueLock, "Audio::QueueLock" );
    int voices = 24;
} g_audio;

// frame hand-off
std::mutex g_sync;
std::condition_variable g_cv;
int g_render_req = -1, g_render_done = -1, g_stream_req = -1;

// ---------------------------------------------------------------------------------------------------------------
void TextureLookup( rng_t& r )
{
    ZoneScopedN( "TextureCache::Lookup" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_tex.Mutex );
    busy_ms( g_p.lookup_hold_ms * r.uni( 0.85, 1.15 ) );
}

void render_thread()
{
    name_thread( "RenderThread" );
    rng_t r( 0x52454e44 );
    int last = -1;
    for( ;; )
    {
        int f;
        {
            std::unique_lock<std::mutex> lk( g_sync );
            g_cv.wait( lk, [&] { return g_render_req > last || g_stop.load(); } );
            if( g_render_req <= last ) return;
            f = g_render_req;
        }
        {
            ZoneScopedN( "RenderThread::Frame" );
            ZoneValue( f );
            {
                ZoneScopedN( "Render::Cull" );
                busy_ms( 0.5 * r.uni( 0.9, 1.1 ) );
            }
            {
                ZoneScopedN( "Render::BuildDrawLists" );
                for( int i = 0; i < kLookups; i++ )
                {
                    TextureLookup( r );
                    ZoneScopedN( "Render::DrawBatch" );
                    busy_ms( 0.15 * r.uni( 0.85, 1.15 ) );
                }
            }
        }
        last = f;
        {
            std::lock_guard<std::mutex> lk( g_sync );
            g_render_done = f;
        }
        g_cv.notify_all();
    }
}

// ---------------------------------------------------------------------------------------------------------------
void Defragment( int f, rng_t& r )
{
    ZoneScopedN( "Streaming::Maintenance" );
    const int frag = r.range( 31, 44 );
    message( "TextureCache: fragmentation %d%%, defragmenting (frame %d)", frag, f );
    {
        ZoneScopedN( "TextureCache::Defragment" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_tex.Mutex );
        {
            ZoneScopedN( "TextureCache::MovePages" );
            busy_ms( 42.0 * r.uni( 0.97, 1.03 ) );
        }
        {
            ZoneScopedN( "TextureCache::RebuildIndex" );
            busy_ms( 8.0 * r.uni( 0.95, 1.05 ) );
        }
        g_tex.mb -= 6.0;
    }
    TracyPlot( "texture cache MB", g_tex.mb );
}

void streaming_thread()
{
    name_thread( "Streaming" );
    rng_t r( 0x53545245 );
    static const char* names[] = { "rock_albedo_2k.ktx2", "terrain_normal_4k.ktx2", "npc_guard_diffuse.ktx2",
                                   "foliage_atlas_01.ktx2", "sky_cubemap_hdr.ktx2", "crate_orm_1k.ktx2" };
    int last = -1;
    for( ;; )
    {
        int f;
        {
            std::unique_lock<std::mutex> lk( g_sync );
            g_cv.wait( lk, [&] { return g_stream_req > last || g_stop.load(); } );
            if( g_stream_req <= last ) return;
            f = g_stream_req;
        }
        last = f;
        if( g_p.defrag && f >= kDefragFirst && ( f - kDefragFirst ) % kDefragEvery == 0 ) Defragment( f, r );
        ZoneScopedN( "Streaming::Tick" );
        for( int i = 0; i < 3; i++ )
        {
            ZoneScopedN( "Streaming::LoadTexture" );
            const char* n = names[r.range( 0, 5 )];
            ZoneText( n, strlen( n ) );
            {
                ZoneScopedN( "Streaming::ReadFile" );
                busy_ms( 1.2 * r.uni( 0.8, 1.2 ) );
            }
            {
                ZoneScopedN( "Streaming::Decode" );
                busy_ms( 0.8 * r.uni( 0.8, 1.2 ) );
            }
            {
                ZoneScopedN( "TextureCache::Insert" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_tex.Mutex );
                busy_ms( 0.050 * r.uni( 0.9, 1.1 ) );
                g_tex.mb += 0.02;
            }
        }
        TracyPlot( "texture cache MB", g_tex.mb );
    }
}

// ---------------------------------------------------------------------------------------------------------------
void audio_thread()
{
    name_thread( "AudioMixer" );
    rng_t r( 0x41554449 );
    int64_t next = now_ns();
    int n = 0;
    while( !g_stop.load() )
    {
        next += 2000000;
        sleep_until_ns( next );
        ZoneScopedN( "Audio::MixBlock" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_audio.QueueLock );
        busy_ms( 0.40 * r.uni( 0.9, 1.1 ) );
        if( ++n % 50 == 0 )
        {
            g_audio.voices = 20 + r.range( 0, 10 );
            TracyPlot( "audio voices", (int64_t)g_audio.voices );
        }
    }
}

void PostAudioEvents( rng_t& r )
{
    ZoneScopedN( "Audio::PostEvents" );
    for( int i = 0; i < 8; i++ )
    {
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_audio.QueueLock );
            busy_ms( 0.030 * r.uni( 0.9, 1.1 ) );
        }
        busy_ms( 0.040 );
    }
}

void GameUpdate( int f, rng_t& r )
{
    ZoneScopedN( "Game::Update" );
    {
        ZoneScopedN( "Input::Poll" );
        busy_ms( 0.2 );
    }
    {
        ZoneScopedN( "Physics::Step" );
        const bool spike = ( f == 110 || f == 275 );
        if( spike ) message( "Physics: rebuilding broadphase islands (%d bodies)", 1800 + r.range( 0, 200 ) );
        busy_ms( ( spike ? 8.5 : 2.0 ) * r.uni( 0.92, 1.08 ) );
    }
    PostAudioEvents( r );
    {
        ZoneScopedN( "AI::Tick" );
        busy_ms( 1.3 * r.uni( 0.9, 1.1 ) );
    }
    {
        ZoneScopedN( "Anim::Update" );
        busy_ms( 0.9 * r.uni( 0.9, 1.1 ) );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    g_p.scenario = argc > 1 ? argv[1] : "defrag";
    if( g_p.scenario == "defrag" ) g_p.defrag = true;
    else if( g_p.scenario == "regress_a" ) {}
    else if( g_p.scenario == "regress_b" ) g_p.lookup_hold_ms = 0.075;
    else { fprintf( stderr, "unknown scenario %s\n", g_p.scenario.c_str() ); return 2; }

    name_thread( "Main" );
    const char* app = "Ironvale client 0.9.3 (x86_64, Vulkan)";
    TracyAppInfo( app, strlen( app ) );
    message( "Level loaded: harbor_district (scenario %s)", g_p.scenario.c_str() );
    TracyPlot( "texture cache MB", g_tex.mb );

    std::thread rt( render_thread ), st( streaming_thread ), at( audio_thread );
    rng_t r( 0x4d41494e );
    const int64_t period = 16666667;
    int64_t vsync = now_ns() + period;
    for( int f = 0; f < g_p.frames; f++ )
    {
        {
            ZoneScopedN( "Game::Frame" );
            ZoneValue( f );
            {
                std::lock_guard<std::mutex> lk( g_sync );
                g_stream_req = f;
            }
            g_cv.notify_all();
            GameUpdate( f, r );
            {
                ZoneScopedN( "Render::Kick" );
                {
                    std::lock_guard<std::mutex> lk( g_sync );
                    g_render_req = f;
                }
                g_cv.notify_all();
            }
            {
                ZoneScopedN( "Render::WaitForRenderThread" );
                std::unique_lock<std::mutex> lk( g_sync );
                g_cv.wait( lk, [&] { return g_render_done >= f; } );
            }
            {
                ZoneScopedN( "Render::Present" );
                const int64_t t = now_ns();
                if( t > vsync ) vsync = t + 500000;   // missed vsync: present late
                sleep_until_ns( vsync );
                vsync += period;
            }
        }
        FrameMark;
    }
    message( "Shutting down" );
    g_stop = true;
    g_cv.notify_all();
    rt.join();
    st.join();
    at.join();
    return 0;
}
