// plotcorr: an open-world game's render loop during a scripted camera flythrough, instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   main ("Main thread")  per frame: Input::Poll, Camera::Update, Scene::Cull (~1 ms), Render::Draw
//                         (0.2 ms + 1 us per draw call), Shadows::Render (> Shadows::CullCasters,
//                         Shadows::DrawCascade x3; 0.15 ms + 40 us per shadow caster), Particles::Update
//                         (0.8 ms + 0.06 us per particle), UI::DrawHUD, Render::Present (~2.4 ms), FrameMark.
//   "Streaming"           Stream::LoadArea (> Stream::ReadPak, Stream::Decompress, 40-70 ms) when an area is entered.
//   "Audio"               Audio::Mix every 10 ms (~1 ms).
//   before the first frame: World::Load (> World::LoadTerrain, World::LoadNavMesh, Shaders::WarmCache, ~1.1 s).
// Plots (every frame): "Draw calls", "Shadow casters", "Particles", "Visible lights".
// Messages: "Entering area: <name>", streaming messages.
//
// The camera flies through 8 areas (~0.7 s each); each area has its own counter targets, chosen so the counters
// move independently. Only "Shadow casters" drives frame time (through Shadows::Render).
//
// Usage: plotcorr <scenario>
//   flythrough   as above
//   regress_a    same as flythrough (baseline build)
//   regress_b    same camera path and counters, but Particles::Update costs 0.24 us per particle instead of 0.06
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
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

struct area_t
{
    const char* name;
    const char* pak;
    double draws, casters, particles, lights;
};

const area_t kAreas[] = {
    { "Harbor", "harbor.pak", 2400, 60, 18000, 6 },
    { "Market", "market.pak", 1000, 380, 2500, 3 },
    { "Cathedral", "cathedral.pak", 2300, 360, 16000, 8 },
    { "Sewers", "sewers.pak", 850, 40, 4000, 2 },
    { "Castle", "castle.pak", 1600, 250, 9000, 5 },
    { "Forest", "forest.pak", 2200, 150, 1500, 4 },
    { "Docks", "docks.pak", 1200, 100, 19000, 7 },
    { "Old Town", "oldtown.pak", 900, 310, 12000, 3 },
};
constexpr int kNumAreas = sizeof( kAreas ) / sizeof( kAreas[0] );
constexpr double kAreaSeconds = 0.7;
constexpr double kBlendSeconds = 0.2;

// streaming thread
std::mutex g_streamMutex;
std::condition_variable g_streamCv;
int g_streamRequest = -1;

void streaming_thread()
{
    name_thread( "Streaming" );
    std::mt19937 g( 7 );
    for( ;; )
    {
        int area;
        {
            std::unique_lock<std::mutex> lk( g_streamMutex );
            g_streamCv.wait( lk, [] { return g_streamRequest >= 0 || g_stop.load(); } );
            if( g_stop.load() ) return;
            area = g_streamRequest;
            g_streamRequest = -1;
        }
        const area_t& a = kAreas[area];
        ZoneScopedN( "Stream::LoadArea" );
        ZoneText( a.name, strlen( a.name ) );
        const double mb = std::uniform_real_distribution<double>( 20, 60 )( g );
        {
            ZoneScopedN( "Stream::ReadPak" );
            ZoneText( a.pak, strlen( a.pak ) );
            busy_ms( mb * 0.6 );
        }
        {
            ZoneScopedN( "Stream::Decompress" );
            busy_ms( mb * 0.5 );
        }
        message( "Streaming: loaded %s (%.0f MB)", a.pak, mb );
    }
}

void audio_thread()
{
    name_thread( "Audio" );
    std::mt19937 g( 11 );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        next += 10000000;
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( std::uniform_real_distribution<double>( 0.8, 1.2 )( g ) );
        }
        sleep_until_ns( next );
    }
}

double smoothstep( double t )
{
    t = std::clamp( t, 0.0, 1.0 );
    return t * t * ( 3 - 2 * t );
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string scenario = argc > 1 ? argv[1] : "flythrough";
    if( scenario != "flythrough" && scenario != "regress_a" && scenario != "regress_b" )
    {
        fprintf( stderr, "unknown scenario %s\n", scenario.c_str() );
        return 1;
    }
    const double perParticleUs = scenario == "regress_b" ? 0.24 : 0.06;

    name_thread( "Main thread" );
    std::this_thread::sleep_for( std::chrono::milliseconds( 200 ) );
    std::thread streamer( streaming_thread );
    std::thread audio( audio_thread );

    std::mt19937 g( 1234 );  // same camera path for every scenario
    auto jitter = [&]( double pct ) { return std::uniform_real_distribution<double>( 1 - pct, 1 + pct )( g ); };

    {
        // level load before the flythrough (no frames yet): lets the machine settle
        ZoneScopedN( "World::Load" );
        message( "Loading world: openworld.map" );
        {
            ZoneScopedN( "World::LoadTerrain" );
            busy_ms( 450 );
        }
        {
            ZoneScopedN( "World::LoadNavMesh" );
            busy_ms( 350 );
        }
        {
            ZoneScopedN( "Shaders::WarmCache" );
            busy_ms( 300 );
        }
    }
    message( "Flythrough: %d areas, %.1f s each", kNumAreas, kAreaSeconds );
    const int64_t t0 = now_ns();
    int curArea = -1;
    uint64_t frame = 0;
    for( ;; )
    {
        const double t = ( now_ns() - t0 ) * 1e-9;
        const int area = (int)( t / kAreaSeconds );
        if( area >= kNumAreas ) break;
        if( area != curArea )
        {
            curArea = area;
            message( "Entering area: %s", kAreas[area].name );
            {
                std::lock_guard<std::mutex> lk( g_streamMutex );
                g_streamRequest = area;
            }
            g_streamCv.notify_one();
        }
        // counters: blend from previous area's targets, plus independent wobble per counter
        const area_t& cur = kAreas[area];
        const area_t& prev = kAreas[area > 0 ? area - 1 : 0];
        const double b = smoothstep( ( t - area * kAreaSeconds ) / kBlendSeconds );
        auto mix = [&]( double p, double c ) { return p + ( c - p ) * b; };
        const double ph = t * 6.2831853;
        const int draws = (int)std::clamp( mix( prev.draws, cur.draws ) * ( 1 + 0.06 * std::sin( ph * 1.3 ) ) * jitter( 0.03 ), 800.0, 2500.0 );
        const int casters = (int)std::clamp( mix( prev.casters, cur.casters ) * ( 1 + 0.08 * std::sin( ph * 0.9 + 1.0 ) ) * jitter( 0.04 ), 20.0, 400.0 );
        const int particles = (int)std::clamp( mix( prev.particles, cur.particles ) * ( 1 + 0.10 * std::sin( ph * 1.7 + 2.0 ) ) * jitter( 0.05 ), 1000.0, 20000.0 );
        const int lights = (int)std::clamp( std::lround( mix( prev.lights, cur.lights ) + 0.6 * std::sin( ph * 2.1 ) ), 2l, 8l );

        TracyPlot( "Draw calls", (int64_t)draws );
        TracyPlot( "Shadow casters", (int64_t)casters );
        TracyPlot( "Particles", (int64_t)particles );
        TracyPlot( "Visible lights", (int64_t)lights );

        {
            ZoneScopedN( "Input::Poll" );
            busy_ms( 0.08 * jitter( 0.2 ) );
        }
        {
            ZoneScopedN( "Camera::Update" );
            busy_ms( 0.1 * jitter( 0.2 ) );
        }
        {
            ZoneScopedN( "Scene::Cull" );
            busy_ms( 1.0 * jitter( 0.08 ) );
        }
        {
            ZoneScopedN( "Render::Draw" );
            busy_ms( ( 0.2 + draws * 0.001 ) * jitter( 0.03 ) );
        }
        {
            ZoneScopedN( "Shadows::Render" );
            {
                ZoneScopedN( "Shadows::CullCasters" );
                busy_ms( 0.15 * jitter( 0.1 ) );
            }
            const double total = casters * 0.040 * jitter( 0.03 );
            const double split[3] = { 0.5, 0.3, 0.2 };
            for( int c = 0; c < 3; c++ )
            {
                ZoneScopedN( "Shadows::DrawCascade" );
                ZoneValue( (uint64_t)c );
                busy_ms( total * split[c] );
            }
        }
        {
            ZoneScopedN( "Particles::Update" );
            busy_ms( ( 0.8 + particles * perParticleUs * 0.001 ) * jitter( 0.04 ) );
        }
        {
            ZoneScopedN( "UI::DrawHUD" );
            busy_ms( 0.5 * jitter( 0.1 ) );
        }
        {
            ZoneScopedN( "Render::Present" );
            busy_ms( 2.4 * jitter( 0.1 ) );
        }
        FrameMark;
        frame++;
    }
    message( "Flythrough finished: %llu frames", (unsigned long long)frame );
    g_stop = true;
    g_streamCv.notify_all();
    streamer.join();
    audio.join();
    return 0;
}
