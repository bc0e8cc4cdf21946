// harbor: a small 60 fps game instrumented with Tracy (benchmark data for profiler-analysis tools; not part of any
// project). Threads:
//   "Main thread"  Game::Frame > Input::Poll, Game::ProcessEvents, Game::UpdateEntities (takes the EntityRegistry
//                  lock, ~3 ms), GC::Minor (0.3 ms, once per second), Physics::Step, Jobs::Dispatch, Jobs::Wait,
//                  Game::UpdateCamera, Audio::Update, Render::Submit (RenderQueue lock), Game::WaitForVSync
//                  (sleeps to start + 16.667 ms; an overrun frame ends when its work ends), then FrameMark.
//                  The first frame also runs Game::LoadLevel (~180 ms: Assets::LoadTextures, Assets::LoadMeshes,
//                  World::SpawnEntities).
//   "Render"       Render::WaitForFrame, Render::DrawScene > Render::Cull, Render::DrawOpaque, Render::PostFX
//   "Worker 0/1"   Job::Animate, Job::Particles, Job::Skinning (JobQueue lock), Job::Idle waits
//   "Telemetry"    every flush_interval (first at 0.8 s after the level loaded, aligned to the next frame start):
//                  Telemetry::Flush > Telemetry::SerializeEntities (holds EntityRegistry ~25 ms),
//                  Telemetry::Compress, Telemetry::Upload (lock released)
//   "Saver"        every 5 s (first at 1.5 s): Saver::Autosave > Saver::SerializeWorld, Saver::WriteFile (~60 ms,
//                  own private state only; no shared lock)
//
// Usage: harbor <scenario>
//   every2s     telemetry flush interval 2.0 s, 7.5 s run
//   regress_a   telemetry flush interval 10.0 s, 6.2 s run
//   regress_b   telemetry flush interval 1.0 s, 6.2 s run
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

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
#include <vector>

#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

constexpr int64_t kFrameNs = 16666667;
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
    int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    if( n > (int)sizeof( buf ) - 1 ) n = sizeof( buf ) - 1;
    TracyMessage( buf, (size_t)n );
}

// ---------------------------------------------------------------------------------------------------------------

double g_flushInterval = 2.0;
double g_seconds = 7.5;

TracyLockableN( std::mutex, g_entityRegistry, "EntityRegistry" );
TracyLockableN( std::mutex, g_renderQueue, "RenderQueue" );
TracyLockableN( std::mutex, g_jobQueue, "JobQueue" );

int g_entityCount = 4096;

// frame hand-off main -> render
std::mutex g_frameMtx;
std::condition_variable g_frameCv;
uint64_t g_submitted = 0;

// jobs
struct job_t { int kind; double ms; };
std::vector<job_t> g_jobs;
std::condition_variable_any g_jobCv;
std::mutex g_doneMtx;
std::condition_variable g_doneCv;
int g_pending = 0;

// telemetry trigger (frame-aligned)
std::mutex g_telMtx;
std::condition_variable g_telCv;
bool g_telDue = false;      // set by the Telemetry thread's timer
bool g_telGo = false;       // set by main at the next frame start
int64_t g_loopStart = 0;

void render_thread()
{
    name_thread( "Render" );
    rng_t r( 0x52454e44 );
    uint64_t seen = 0;
    for( ;; )
    {
        {
            ZoneScopedN( "Render::WaitForFrame" );
            std::unique_lock<std::mutex> lk( g_frameMtx );
            g_frameCv.wait( lk, [&] { return g_submitted > seen || g_stop.load(); } );
            if( g_submitted <= seen ) return;
            seen = g_submitted;
        }
        ZoneScopedN( "Render::DrawScene" );
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_renderQueue );
            LockMark( g_renderQueue );
            ZoneScopedN( "Render::AcquireCommands" );
            busy_ms( r( 0.3 ) );
        }
        { ZoneScopedN( "Render::Cull" ); busy_ms( r( 1.8 ) ); }
        { ZoneScopedN( "Render::DrawOpaque" ); busy_ms( r( 5.5 ) ); }
        { ZoneScopedN( "Render::PostFX" ); busy_ms( r( 2.2 ) ); }
    }
}

void worker_thread( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    name_thread( name );
    rng_t r( 0x574b0000 + idx );
    for( ;; )
    {
        job_t j;
        {
            std::unique_lock<LockableBase( std::mutex )> lk( g_jobQueue );
            if( g_jobs.empty() )
            {
                ZoneScopedN( "Job::Idle" );
                g_jobCv.wait( lk, [] { return !g_jobs.empty() || g_stop.load(); } );
            }
            if( g_jobs.empty() ) return;
            j = g_jobs.back();
            g_jobs.pop_back();
        }
        switch( j.kind )
        {
        case 0: { ZoneScopedN( "Job::Animate" ); busy_ms( r( j.ms ) ); break; }
        case 1: { ZoneScopedN( "Job::Particles" ); busy_ms( r( j.ms ) ); break; }
        default: { ZoneScopedN( "Job::Skinning" ); busy_ms( r( j.ms ) ); break; }
        }
        {
            std::lock_guard<std::mutex> lk( g_doneMtx );
            if( --g_pending == 0 ) g_doneCv.notify_one();
        }
    }
}

void telemetry_thread()
{
    name_thread( "Telemetry" );
    rng_t r( 0x54454c45 );
    int batch = 0;
    int64_t next = g_loopStart + (int64_t)( 0.8e9 );
    for( ;; )
    {
        // timer
        while( now_ns() < next )
        {
            if( g_stop.load() ) return;
            std::this_thread::sleep_for( std::chrono::milliseconds( std::min<int64_t>( 20, ( next - now_ns() ) / 1000000 + 1 ) ) );
        }
        {
            std::unique_lock<std::mutex> lk( g_telMtx );
            g_telDue = true;
            g_telCv.wait( lk, [] { return g_telGo || g_stop.load(); } );
            if( g_stop.load() ) return;
            g_telGo = false;
            g_telDue = false;
        }
        batch++;
        ZoneScopedN( "Telemetry::Flush" );
        ZoneValue( (uint64_t)batch );
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_entityRegistry );
            LockMark( g_entityRegistry );
            ZoneScopedN( "Telemetry::SerializeEntities" );
            ZoneValue( (uint64_t)g_entityCount );
            busy_ms( r( 25.0, 0.03 ) );
        }
        { ZoneScopedN( "Telemetry::Compress" ); busy_ms( r( 4.0 ) ); }
        { ZoneScopedN( "Telemetry::Upload" ); busy_ms( r( 3.0 ) ); }
        message( "telemetry: batch %d sent (%d entities, %d KB)", batch, g_entityCount, 780 + r.range( 0, 60 ) );
        next += (int64_t)( g_flushInterval * 1e9 );
    }
}

void saver_thread()
{
    name_thread( "Saver" );
    rng_t r( 0x53415645 );
    std::mutex saveState;   // private, not instrumented, never shared
    int slot = 0;
    int64_t next = g_loopStart + (int64_t)( 1.5e9 );
    for( ;; )
    {
        while( now_ns() < next )
        {
            if( g_stop.load() ) return;
            std::this_thread::sleep_for( std::chrono::milliseconds( std::min<int64_t>( 20, ( next - now_ns() ) / 1000000 + 1 ) ) );
        }
        {
            ZoneScopedN( "Saver::Autosave" );
            std::lock_guard<std::mutex> lk( saveState );
            { ZoneScopedN( "Saver::SerializeWorld" ); busy_ms( r( 35.0, 0.03 ) ); }
            { ZoneScopedN( "Saver::WriteFile" ); ZoneText( "autosave_0.sav", 14 ); busy_ms( r( 25.0, 0.03 ) ); }
        }
        slot++;
        message( "Autosave complete: slot %d, %.1f MB", slot % 3, 4.0 + 0.1 * r.range( 0, 5 ) );
        next += (int64_t)( 5.0e9 );
    }
}

void load_level( rng_t& r )
{
    ZoneScopedN( "Game::LoadLevel" );
    ZoneText( "harbor_district", 15 );
    message( "Loading level 'harbor_district'" );
    { ZoneScopedN( "Assets::LoadTextures" ); busy_ms( r( 100.0, 0.02 ) ); }
    { ZoneScopedN( "Assets::LoadMeshes" ); busy_ms( r( 60.0, 0.02 ) ); }
    { ZoneScopedN( "World::SpawnEntities" ); busy_ms( r( 20.0, 0.02 ) ); }
    message( "Level 'harbor_district' loaded: %d entities", g_entityCount );
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string sc = argc > 1 ? argv[1] : "every2s";
    if( sc == "every2s" ) { g_flushInterval = 2.0; g_seconds = 7.5; }
    else if( sc == "regress_a" ) { g_flushInterval = 10.0; g_seconds = 6.2; }
    else if( sc == "regress_b" ) { g_flushInterval = 1.0; g_seconds = 6.2; }
    else { fprintf( stderr, "unknown scenario %s\n", sc.c_str() ); return 2; }

    name_thread( "Main thread" );
    std::this_thread::sleep_for( std::chrono::milliseconds( 200 ) );
    message( "harbor 0.9.4 (build 2231) starting" );
    message( "Config: telemetry.flush_interval_s = %.1f, autosave.interval_s = 5.0, workers = 2", g_flushInterval );

    rng_t r( 0x4d41494e );
    std::thread render( render_thread );
    std::thread w0( worker_thread, 0 ), w1( worker_thread, 1 );

    std::thread tel, saver;
    int64_t frameStart = now_ns();
    bool first = true;
    int frame = 0;
    int64_t nextGc = 0;
    for( ;; )
    {
        frameStart = now_ns();
        if( !first && frameStart - g_loopStart >= (int64_t)( g_seconds * 1e9 ) ) break;
        {
            ZoneScopedN( "Game::Frame" );
            if( first )
            {
                load_level( r );
                g_loopStart = now_ns();
                nextGc = g_loopStart + 1000000000ll;
                tel = std::thread( telemetry_thread );
                saver = std::thread( saver_thread );
            }
            else
            {
                // frame-aligned telemetry snapshot: release a due flush at frame start
                std::lock_guard<std::mutex> lk( g_telMtx );
                if( g_telDue && !g_telGo ) { g_telGo = true; g_telCv.notify_one(); }
            }
            { ZoneScopedN( "Input::Poll" ); busy_ms( r( 0.4 ) ); }
            { ZoneScopedN( "Game::ProcessEvents" ); busy_ms( r( 0.6 ) ); }
            {
                ZoneScopedN( "Game::UpdateEntities" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_entityRegistry );
                LockMark( g_entityRegistry );
                busy_ms( r( 3.0 ) );
                g_entityCount += r.range( -2, 2 );
            }
            if( now_ns() >= nextGc )
            {
                ZoneScopedN( "GC::Minor" );
                busy_ms( r( 0.3 ) );
                nextGc += 1000000000ll;
            }
            { ZoneScopedN( "Physics::Step" ); busy_ms( r( 3.5 ) ); }
            {
                ZoneScopedN( "Jobs::Dispatch" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_jobQueue );
                LockMark( g_jobQueue );
                {
                    std::lock_guard<std::mutex> dk( g_doneMtx );
                    g_pending = 6;
                }
                g_jobs.push_back( { 0, 1.4 } );
                g_jobs.push_back( { 0, 1.4 } );
                g_jobs.push_back( { 1, 0.9 } );
                g_jobs.push_back( { 1, 0.9 } );
                g_jobs.push_back( { 2, 1.2 } );
                g_jobs.push_back( { 2, 1.2 } );
                g_jobCv.notify_all();
            }
            {
                ZoneScopedN( "Jobs::Wait" );
                std::unique_lock<std::mutex> dk( g_doneMtx );
                g_doneCv.wait( dk, [] { return g_pending == 0; } );
            }
            { ZoneScopedN( "Game::UpdateCamera" ); busy_ms( r( 0.5 ) ); }
            { ZoneScopedN( "Audio::Update" ); busy_ms( r( 0.6 ) ); }
            {
                ZoneScopedN( "Render::Submit" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_renderQueue );
                LockMark( g_renderQueue );
                busy_ms( r( 1.0 ) );
            }
            {
                std::lock_guard<std::mutex> lk( g_frameMtx );
                g_submitted++;
                g_frameCv.notify_one();
            }
            TracyPlot( "Entities", (int64_t)g_entityCount );
            {
                ZoneScopedN( "Game::WaitForVSync" );
                sleep_until_ns( frameStart + kFrameNs );
            }
        }
        FrameMark;
        first = false;
        frame++;
    }
    message( "Shutting down after %d frames", frame );
    g_stop = true;
    {
        std::lock_guard<std::mutex> lk( g_telMtx );
        g_telCv.notify_all();
    }
    {
        std::lock_guard<std::mutex> lk( g_frameMtx );
        g_frameCv.notify_all();
    }
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_jobQueue );
        g_jobCv.notify_all();
    }
    render.join();
    w0.join();
    w1.join();
    tel.join();
    saver.join();
    return 0;
}
