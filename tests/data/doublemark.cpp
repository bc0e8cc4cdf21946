// doublemark: a small 60 Hz vsync-paced game (main thread + render thread + asset streamer), instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). The game itself is fine in most scenarios;
// the instrumentation has mistakes (frame marks).
//
// Threads:
//   main ("Main thread")   Game::Tick per loop > Input::Poll, Game::Update (> AI::Think, Physics::Step,
//                          Anim::Update, sometimes Save::Autosave), Audio::Mix, Render::Submit (hands the frame to the
//                          render thread under Render::QueueMutex), then either Render::Present (sleeps to the next
//                          16.667 ms vblank) or, when the render thread presents, Sim::WaitNextTick (fixed 60 Hz tick).
//   "Render thread"        Render::WaitForFrame, Render::Frame > Render::BuildCommandLists, Render::UploadTextures,
//                          Render::Draw [, Render::Present when the render thread owns the swap chain]
//   "Streamer"             Asset::LoadChunk (ZoneText = chunk) every ~400 ms > IO::Read, Asset::Decompress
// Plots: "sim entities", "texture upload KB". Lock: Render::QueueMutex (busy, uncontended).
//
// Usage: doublemark <scenario>
//   twice         FrameMark after Game::Update (leftover in Game::EndUpdate) AND after Render::Present: two marks per
//                 loop. Real hitch: Save::Autosave (14 ms) every 2 s -> that loop misses one vblank (33.3 ms).
//   render_marks  render thread presents and marks FrameMarkNamed("Render"); main marks FrameMark at a fixed 60 Hz
//                 tick and never waits for render. Render::UploadTextures spikes to ~31 ms every ~2 s.
//   no_marks      no FrameMark at all; Audio::Mix spikes to ~30 ms every ~1.5 s.
//   regress a     baseline: one FrameMark per loop after Render::Present.
//   regress b     leftover FrameMark after Game::Update added (two per loop); AI::Think 1.2 -> 2.7 ms;
//                 Render::BuildCommandLists 3.0 -> 2.2 ms (faster, off the main thread).
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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

constexpr int64_t kVblankNs = 16666667;
volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };
int64_t g_t0 = 0;

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

void spin_until_ns( int64_t end )
{
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

// Emulated work: sleep to just before the deadline, then spin.
void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    if( ms > 0.08 ) sleep_until_ns( end - 40000 );
    spin_until_ns( end );
}

// Sleep to the next vblank boundary strictly after now.
int64_t wait_vblank()
{
    const int64_t n = now_ns();
    const int64_t k = ( n - g_t0 ) / kVblankNs + 1;
    const int64_t t = g_t0 + k * kVblankNs;
    sleep_until_ns( t - 40000 );
    spin_until_ns( t );
    return k;
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
    double seconds = 6.0;
    bool mark_after_update = false;    // twice, regress b
    bool mark_after_present = true;    // all but no_marks / render_marks (main marks after its tick)
    bool render_presents = false;      // render_marks
    bool autosave = false;             // twice
    bool upload_spikes = false;        // render_marks
    bool audio_spikes = false;         // no_marks
    double ai_ms = 1.2;                // regress b: 2.7
    double cmdlist_ms = 3.0;           // regress b: 2.2
};
params g_p;

// ---------------------------------------------------------------------------------------------------------------
// Render thread

TracyLockableN( std::mutex, g_queueMutex, "Render::QueueMutex" );
std::condition_variable_any g_queueCv;
uint64_t g_submitted = 0;   // last submitted sim frame id
uint64_t g_consumed = 0;

void render_thread()
{
    name_thread( "Render thread" );
    rng_t r( 0x52454e44 );
    uint64_t rendered = 0;
    uint64_t nextSpike = 0;
    int64_t nextSpikeNs = g_t0 + (int64_t)( 1.65e9 );
    while( true )
    {
        uint64_t frame = 0;
        {
            ZoneScopedN( "Render::WaitForFrame" );
            std::unique_lock<LockableBase( std::mutex )> lk( g_queueMutex );
            g_queueCv.wait( lk, [] { return g_stop.load() || g_submitted != g_consumed; } );
            if( g_submitted == g_consumed ) break;
            frame = g_submitted;
            g_consumed = g_submitted;
        }
        {
            ZoneScopedN( "Render::Frame" );
            ZoneValue( frame );
            {
                ZoneScopedN( "Render::BuildCommandLists" );
                busy_ms( r( g_p.cmdlist_ms, 0.06 ) );
            }
            {
                ZoneScopedN( "Render::UploadTextures" );
                double kb = r( 180.0, 0.3 );
                double ms = r( 0.4, 0.15 );
                if( g_p.upload_spikes && now_ns() >= nextSpikeNs )
                {
                    kb = r( 24000.0, 0.1 );
                    ms = r( 31.0, 0.04 );
                    nextSpikeNs += (int64_t)( r( 2.0e9, 0.06 ) );
                    nextSpike++;
                }
                ZoneValue( (uint64_t)kb );
                TracyPlot( "texture upload KB", kb );
                busy_ms( ms );
            }
            {
                ZoneScopedN( "Render::Draw" );
                busy_ms( r( 2.5, 0.06 ) );
            }
            if( g_p.render_presents )
            {
                ZoneScopedN( "Render::Present" );
                wait_vblank();
            }
        }
        rendered++;
        if( g_p.render_presents ) FrameMarkNamed( "Render" );
    }
    (void)nextSpike;
    message( "Render: rendered %llu frames", (unsigned long long)rendered );
}

// ---------------------------------------------------------------------------------------------------------------
// Streamer thread

void streamer_thread()
{
    name_thread( "Streamer" );
    rng_t r( 0x53545245 );
    static const char* chunks[] = { "world/forest_03.pak", "world/forest_04.pak", "world/river_01.pak",
                                    "world/village_02.pak", "world/cliffs_07.pak", "audio/ambience_forest.pak" };
    int i = 0;
    sleep_until_ns( g_t0 + 200000000ll );
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Asset::LoadChunk" );
            const char* c = chunks[i++ % 6];
            ZoneText( c, strlen( c ) );
            {
                ZoneScopedN( "IO::Read" );
                busy_ms( r( 5.0, 0.2 ) );
            }
            {
                ZoneScopedN( "Asset::Decompress" );
                busy_ms( r( 4.5, 0.2 ) );
            }
        }
        const int64_t until = now_ns() + (int64_t)r( 400e6, 0.1 );
        while( !g_stop.load() && now_ns() < until ) std::this_thread::sleep_for( std::chrono::milliseconds( 5 ) );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main thread

void leftover_end_update()
{
    // Game::EndUpdate: left over from when the simulation ran on its own thread.
    if( g_p.mark_after_update ) FrameMark;
}

void run()
{
    rng_t r( 0x47414d45 );
    int entities = 420;
    int64_t nextAutosave = g_t0 + (int64_t)1.85e9;
    int64_t nextAudioSpike = g_t0 + (int64_t)1.55e9;
    int slot = 0;
    int64_t end = 0;
    uint64_t frame = 0;
    {
        ZoneScopedN( "World::Load" );
        {
            ZoneScopedN( "World::LoadLevel" );
            ZoneText( "levels/forest_valley.lvl", 24 );
            busy_ms( 260.0 );
        }
        {
            ZoneScopedN( "Shader::WarmCache" );
            busy_ms( 90.0 );
        }
    }
    message( "Level loaded: forest_valley (420 entities)" );
    end = now_ns() + (int64_t)( g_p.seconds * 1e9 );
    wait_vblank();
    while( now_ns() < end )
    {
        frame++;
        {
            ZoneScopedN( "Game::Tick" );
            ZoneValue( frame );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.25, 0.1 ) );
            }
            {
                ZoneScopedN( "Game::Update" );
                {
                    ZoneScopedN( "AI::Think" );
                    busy_ms( r( g_p.ai_ms, 0.06 ) );
                }
                {
                    ZoneScopedN( "Physics::Step" );
                    busy_ms( r( 1.8, 0.06 ) );
                }
                {
                    ZoneScopedN( "Anim::Update" );
                    busy_ms( r( 0.6, 0.08 ) );
                }
                if( g_p.autosave && now_ns() >= nextAutosave )
                {
                    ZoneScopedN( "Save::Autosave" );
                    busy_ms( r( 14.0, 0.03 ) );
                    nextAutosave += (int64_t)2.0e9;
                    message( "Autosave: slot %d written (1.8 MB)", slot++ % 3 );
                }
                entities += r.range( -2, 2 );
                TracyPlot( "sim entities", (int64_t)entities );
            }
            leftover_end_update();
            {
                ZoneScopedN( "Audio::Mix" );
                int voices = r.range( 10, 16 );
                double ms = r( 0.5, 0.1 );
                if( g_p.audio_spikes && now_ns() >= nextAudioSpike )
                {
                    voices = r.range( 40, 48 );
                    ms = r( 30.0, 0.04 );
                    nextAudioSpike += (int64_t)r( 1.5e9, 0.05 );
                }
                ZoneValue( (uint64_t)voices );
                busy_ms( ms );
            }
            {
                ZoneScopedN( "Render::Submit" );
                busy_ms( r( 0.2, 0.1 ) );
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_queueMutex );
                    busy_ms( 0.05 );
                    g_submitted = frame;
                }
                g_queueCv.notify_one();
            }
            if( g_p.render_presents )
            {
                ZoneScopedN( "Sim::WaitNextTick" );
                wait_vblank();
            }
            else
            {
                ZoneScopedN( "Render::Present" );
                wait_vblank();
            }
        }
        if( g_p.mark_after_present ) FrameMark;
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: doublemark twice|render_marks|no_marks|regress a|b\n" );
        return 2;
    }
    g_p.scenario = argv[1];
    if( g_p.scenario == "twice" )
    {
        g_p.mark_after_update = true;
        g_p.autosave = true;
    }
    else if( g_p.scenario == "render_marks" )
    {
        g_p.render_presents = true;
        g_p.upload_spikes = true;
    }
    else if( g_p.scenario == "no_marks" )
    {
        g_p.mark_after_present = false;
        g_p.audio_spikes = true;
    }
    else if( g_p.scenario == "regress" && argc >= 3 )
    {
        if( std::string( argv[2] ) == "b" )
        {
            g_p.mark_after_update = true;
            g_p.ai_ms = 2.7;
            g_p.cmdlist_ms = 2.2;
        }
    }
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 2;
    }
    name_thread( "Main thread" );
    g_t0 = now_ns();
    message( "doublemark 0.9.3 starting: 1920x1080, vsync 60 Hz" );
    std::thread rt( render_thread );
    std::thread st( streamer_thread );
    run();
    g_stop = true;
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_queueMutex );
    }
    g_queueCv.notify_all();
    rt.join();
    st.join();
    message( "Shutdown complete" );
    return 0;
}
