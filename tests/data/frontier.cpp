// frontier: an open-world game (60 Hz main loop, render thread, 2 job workers, streaming, audio), instrumented with
// Tracy (benchmark data for profiler-analysis tools; not part of any project). Runs ~7 s. Several things happen at
// fixed moments, each announced with a message (a full script GC, an autosave, a streaming burst, a cutscene, a
// checkpoint save). Threads:
//   "Main thread"    Game::Frame > Input::Poll, World::Update (> AI::Think, Physics::Step), Script::Update
//                    (> Script::GC::Step, or Script::GC::FullCollect > Script::GC::Mark, Script::GC::Sweep),
//                    Jobs::Dispatch, Jobs::Wait, Audio::PlayOneShot, Render::Submit, then Game::WaitForVBlank and
//                    FrameMark at the 16.667 ms vblank. Saves: SaveSystem::WriteSnapshot (ZoneValue = entities)
//                    > SaveSystem::SerializeEntities, SaveSystem::Compress, SaveSystem::WriteFile.
//   "Render thread"  Render::Frame > Render::Cull, Render::DrawScene, Render::Present (one per submitted frame)
//   "Worker 0/1"     Job::Animate, Job::Skinning, Job::Particles, Job::Cull from one queue
//   "Streaming"      Streaming::LoadChunk (ZoneText = cell) > Streaming::ReadFile (under SaveSystem::m_fileMutex),
//                    Streaming::Decompress; Streaming::FlushCache (under SaveSystem::m_fileMutex) now and then
//   "Audio"          Audio::Mix every 10 ms > Audio::DecodeStream (under Audio::m_voiceMutex)
// Locks: SaveSystem::m_fileMutex, Render::m_cmdMutex, Audio::m_voiceMutex. Plots: "stream queue", "live entities".
//
// Usage: frontier <scenario>
//   freeze       at ~4.3 s a checkpoint save (SaveSystem::WriteSnapshot) on the main thread waits ~385 ms for
//                SaveSystem::m_fileMutex, held 420 ms by the streaming thread's Streaming::FlushCache
//   the_cutscene at ~3.6 s the cutscene starts; the next frame runs Cutscene::PreloadAssets (~70 ms, mostly
//                Asset::DecompressSync) on the main thread
//   regress_a    baseline timeline (autosave at 2 s serializes 1200 entities, ~30 ms)
//   regress_b    same, but the autosave serializes 3600 entities (~90 ms)
// All scenarios: full GC at ~1.5 s and ~5.8 s (32-38 ms), autosave at ~2.0 s, streaming burst 3.4-3.9 s.
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
#include <deque>
#include <functional>
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

double elapsed_s() { return double( now_ns() - g_t0 ) * 1e-9; }

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

// ---------------------------------------------------------------------------------------------------------------

struct params
{
    std::string scenario;
    double seconds = 7.0;
    bool freeze = false;
    bool cutscene = false;
    int autosave_entities = 1200;
};
params g_p;

struct Locks
{
    TracyLockableN( std::mutex, file, "SaveSystem::m_fileMutex" );
    TracyLockableN( std::mutex, cmd, "Render::m_cmdMutex" );
    TracyLockableN( std::mutex, voice, "Audio::m_voiceMutex" );
};
Locks* g_locks = nullptr;

// ---------------------------------------------------------------------------------------------------------------
// Job workers

std::mutex g_jobMx;
std::condition_variable g_jobCv, g_doneCv;
std::deque<std::pair<const char*, double>> g_jobs;
int g_pending = 0;

void worker_main( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    name_thread( name );
    for( ;; )
    {
        std::pair<const char*, double> job;
        {
            std::unique_lock<std::mutex> lk( g_jobMx );
            g_jobCv.wait( lk, [] { return g_stop.load() || !g_jobs.empty(); } );
            if( g_jobs.empty() ) return;
            job = g_jobs.front();
            g_jobs.pop_front();
        }
        {
            ZoneTransientN( zj, job.first, true );
            busy_ms( job.second );
        }
        std::lock_guard<std::mutex> lk( g_jobMx );
        if( --g_pending == 0 ) g_doneCv.notify_all();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Render thread

std::mutex g_rMx;
std::condition_variable g_rCv;
std::deque<int> g_rQueue;

void render_main()
{
    name_thread( "Render thread" );
    rng_t r( 0x52454e44 );
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( g_rMx );
            g_rCv.wait( lk, [] { return g_stop.load() || !g_rQueue.empty(); } );
            if( g_rQueue.empty() ) return;
            g_rQueue.pop_front();
        }
        ZoneScopedN( "Render::Frame" );
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_locks->cmd );
            ZoneScopedN( "Render::FetchCommands" );
            busy_ms( r( 0.15, 0.2 ) );
        }
        {
            ZoneScopedN( "Render::Cull" );
            busy_ms( r( 1.4 ) );
        }
        {
            ZoneScopedN( "Render::DrawScene" );
            busy_ms( r( 6.5, 0.08 ) );
        }
        {
            ZoneScopedN( "Render::Present" );
            busy_ms( r( 0.8 ) );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Audio thread: mixes every 10 ms

void audio_main()
{
    name_thread( "Audio" );
    rng_t r( 0x41554449 );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        next += 10000000;
        {
            ZoneScopedN( "Audio::Mix" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_locks->voice );
            busy_ms( r( 0.5 ) );
            {
                ZoneScopedN( "Audio::DecodeStream" );
                busy_ms( r( 0.7 ) );
            }
        }
        sleep_until_ns( next );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Streaming thread

void load_chunk( rng_t& r, int cx, int cy, double decomp_ms )
{
    ZoneScopedN( "Streaming::LoadChunk" );
    char cell[32];
    const int n = snprintf( cell, sizeof( cell ), "cell_%02d_%02d", cx, cy );
    ZoneText( cell, n );
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_locks->file );
        ZoneScopedN( "Streaming::ReadFile" );
        busy_ms( r( 2.5, 0.2 ) );
    }
    {
        ZoneScopedN( "Streaming::Decompress" );
        busy_ms( decomp_ms );
    }
}

void streaming_main()
{
    name_thread( "Streaming" );
    rng_t r( 0x5354524d );
    struct flush_t { double t, ms; };
    std::vector<flush_t> flushes = { { 1.05, 6.0 }, { 2.55, 5.5 }, { 4.28, g_p.freeze ? 420.0 : 6.5 }, { 5.45, 6.0 },
                                     { 6.45, 5.0 } };
    size_t fi = 0;
    double next_chunk = 0.25;
    bool burst_announced = false;
    int cx = 10, cy = 4;
    int queue = 0;
    while( !g_stop.load() )
    {
        const double t = elapsed_s();
        const double next_flush = fi < flushes.size() ? flushes[fi].t : 1e9;
        if( t >= next_flush )
        {
            {
                ZoneScopedN( "Streaming::FlushCache" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_locks->file );
                busy_ms( flushes[fi].ms );
            }
            fi++;
            continue;
        }
        const bool burst = t >= 3.4 && t < 3.9;
        if( burst && !burst_announced )
        {
            burst_announced = true;
            queue = 24;
            message( "Streaming: entering region Highlands, %d cells queued", queue );
            TracyPlot( "stream queue", (int64_t)queue );
        }
        if( t + 0.03 < next_flush && ( ( burst && queue > 0 ) || t >= next_chunk ) )
        {
            if( ++cx > 18 ) { cx = 10; cy++; }
            load_chunk( r, cx, cy, burst ? r( 14.0, 0.15 ) : r( 8.0, 0.15 ) );
            if( burst )
            {
                if( queue > 0 ) queue--;
                TracyPlot( "stream queue", (int64_t)queue );
            }
            next_chunk = elapsed_s() + r.uni( 0.20, 0.30 );
            continue;
        }
        std::this_thread::sleep_for( std::chrono::milliseconds( 1 ) );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main thread pieces

void write_snapshot( rng_t& r, const char* slot, int entities )
{
    ZoneScopedN( "SaveSystem::WriteSnapshot" );
    ZoneText( slot, strlen( slot ) );
    ZoneValue( (uint64_t)entities );
    std::lock_guard<LockableBase( std::mutex )> lk( g_locks->file );
    const double k = entities / 1200.0;
    {
        ZoneScopedN( "SaveSystem::SerializeEntities" );
        ZoneValue( (uint64_t)entities );
        busy_ms( r( 24.0, 0.03 ) * k );
    }
    {
        ZoneScopedN( "SaveSystem::Compress" );
        busy_ms( r( 4.0, 0.03 ) * k );
    }
    {
        ZoneScopedN( "SaveSystem::WriteFile" );
        busy_ms( r( 2.0, 0.03 ) * k );
    }
}

void full_gc( rng_t& r, int heap_mb )
{
    message( "ScriptVM: full garbage collection (heap %d MB)", heap_mb );
    ZoneScopedN( "Script::GC::FullCollect" );
    {
        ZoneScopedN( "Script::GC::Mark" );
        busy_ms( r( 21.0, 0.05 ) );
    }
    {
        ZoneScopedN( "Script::GC::Sweep" );
        busy_ms( r( 13.0, 0.05 ) );
    }
}

void main_loop()
{
    rng_t r( 0x46524f4e );
    {
        // Level load before the first frame (also lets the profiler's start-up work settle).
        ZoneScopedN( "Game::LoadWorld" );
        message( "Loading world frontier_main" );
        busy_ms( 380.0 );
    }
    FrameMark;
    int64_t vblank = now_ns() + kVblankNs;
    bool gc1 = false, gc2 = false, autosave = false, checkpoint = false, cs_msg = false, cs_preload = false;
    bool cs_active = false;
    int frame = 0;
    int entities = 1180;
    while( elapsed_s() < g_p.seconds )
    {
        const double t = elapsed_s();
        {
            ZoneScopedN( "Game::Frame" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.3 ) );
            }
            {
                ZoneScopedN( "World::Update" );
                {
                    ZoneScopedN( "AI::Think" );
                    busy_ms( r( 1.6, 0.1 ) );
                }
                {
                    ZoneScopedN( "Physics::Step" );
                    busy_ms( r( 2.2, 0.1 ) );
                }
            }
            {
                ZoneScopedN( "Script::Update" );
                busy_ms( r( 0.9, 0.1 ) );
                if( !gc1 && t >= 1.5 ) { gc1 = true; full_gc( r, 184 ); }
                else if( !gc2 && t >= 5.8 ) { gc2 = true; full_gc( r, 191 ); }
                else
                {
                    ZoneScopedN( "Script::GC::Step" );
                    busy_ms( r( 0.4, 0.1 ) );
                }
            }
            if( g_p.cutscene )
            {
                if( cs_msg && !cs_preload )
                {
                    cs_preload = true;
                    ZoneScopedN( "Cutscene::PreloadAssets" );
                    {
                        ZoneScopedN( "Asset::DecompressSync" );
                        ZoneText( "cinematics/cs_harbor_arrival.pak", 32 );
                        busy_ms( r( 66.0, 0.02 ) );
                    }
                    {
                        ZoneScopedN( "Asset::Register" );
                        busy_ms( r( 3.5, 0.05 ) );
                    }
                    cs_active = true;
                }
                if( !cs_msg && t >= 3.6 )
                {
                    cs_msg = true;
                    ZoneScopedN( "Cutscene::Start" );
                    message( "Cutscene: starting cs_harbor_arrival" );
                    busy_ms( r( 0.2 ) );
                }
                if( cs_active )
                {
                    ZoneScopedN( "Cutscene::Update" );
                    busy_ms( r( 0.6 ) );
                }
            }
            if( !autosave && t >= 2.0 )
            {
                autosave = true;
                message( "Autosave: writing slot autosave_02 (%d entities)", g_p.autosave_entities );
                write_snapshot( r, "autosave_02", g_p.autosave_entities );
                message( "Autosave: done" );
            }
            if( g_p.freeze && !checkpoint && t >= 4.3 )
            {
                checkpoint = true;
                message( "Checkpoint reached: Old Mill, saving" );
                write_snapshot( r, "checkpoint_old_mill", 1200 );
                message( "Checkpoint save done" );
            }
            {
                ZoneScopedN( "Jobs::Dispatch" );
                std::lock_guard<std::mutex> lk( g_jobMx );
                g_jobs.push_back( { "Job::Animate", r( 2.0, 0.1 ) } );
                g_jobs.push_back( { "Job::Skinning", r( 1.5, 0.1 ) } );
                g_jobs.push_back( { "Job::Particles", r( 1.0, 0.1 ) } );
                g_jobs.push_back( { "Job::Cull", r( 1.2, 0.1 ) } );
                g_pending += 4;
                g_jobCv.notify_all();
            }
            if( frame % 20 == 7 )
            {
                ZoneScopedN( "Audio::PlayOneShot" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_locks->voice );
                busy_ms( r( 0.1 ) );
            }
            {
                ZoneScopedN( "Jobs::Wait" );
                std::unique_lock<std::mutex> lk( g_jobMx );
                g_doneCv.wait( lk, [] { return g_pending == 0; } );
            }
            {
                ZoneScopedN( "Render::Submit" );
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_locks->cmd );
                    busy_ms( r( 0.25, 0.2 ) );
                }
                std::lock_guard<std::mutex> lk( g_rMx );
                g_rQueue.push_back( frame );
                g_rCv.notify_one();
            }
        }
        {
            ZoneScopedN( "Game::WaitForVBlank" );
            const int64_t n = now_ns();
            if( n > vblank ) vblank += ( ( n - vblank ) / kVblankNs + 1 ) * kVblankNs;
            sleep_until_ns( vblank );
        }
        vblank += kVblankNs;
        FrameMark;
        if( frame % 30 == 0 )
        {
            entities += r.range( -6, 9 );
            TracyPlot( "live entities", (int64_t)entities );
        }
        frame++;
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: %s freeze|the_cutscene|regress_a|regress_b\n", argv[0] );
        return 2;
    }
    g_p.scenario = argv[1];
    if( g_p.scenario == "freeze" ) g_p.freeze = true;
    else if( g_p.scenario == "the_cutscene" ) g_p.cutscene = true;
    else if( g_p.scenario == "regress_a" ) {}
    else if( g_p.scenario == "regress_b" ) g_p.autosave_entities = 3600;
    else
    {
        fprintf( stderr, "unknown scenario %s\n", argv[1] );
        return 2;
    }
    name_thread( "Main thread" );
    // Note: the length 35 counts the terminating NUL, so the recorded app info ends in "\0" (kept as recorded).
    TracyAppInfo( "frontier 0.9.4 (open world, 60 Hz)", 35 );
    g_locks = new Locks;
    g_t0 = now_ns();
    message( "Game started: world frontier_main, save profile 1" );

    std::vector<std::thread> th;
    th.emplace_back( render_main );
    th.emplace_back( worker_main, 0 );
    th.emplace_back( worker_main, 1 );
    th.emplace_back( streaming_main );
    th.emplace_back( audio_main );

    main_loop();

    message( "Game shutting down" );
    g_stop = true;
    g_jobCv.notify_all();
    {
        std::lock_guard<std::mutex> lk( g_rMx );
        g_rCv.notify_all();
    }
    for( auto& t : th ) t.join();
    return 0;
}
