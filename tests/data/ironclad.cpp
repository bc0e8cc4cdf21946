// ironclad: a small naval-tactics game loop (60 Hz) with a physics thread, a job system, an audio mixer and a
// watchdog, instrumented with Tracy (benchmark data for profiler-analysis tools; not part of any project).
//
// Threads:
//   Main thread      Game::Load once, then 60 Hz frames (FrameMark at the end of each):
//                    Game::Frame > Input::Poll, Audio::QueueSounds (Audio::mixerLock, try_lock),
//                    Scene::Update (Scene::mutex) > Scene::UpdateTransforms, Scene::ReadPhysicsResults
//                    (Physics::mutex), Scene::ResolveTriggers; Jobs::Dispatch; [SaveGame::Autosave];
//                    Render::BuildCommandList [> Shader::CompileVariant], Render::Submit; then Frame::WaitVsync
//   Physics Worker   one tick per frame, 5 ms after the frame starts: Physics::Tick > Physics::Step (Physics::mutex)
//                    > Physics::Broadphase, Physics::Solve; then Physics::SyncToScene (Scene::mutex)
//   Worker 0, 1      3 AI jobs per frame after Jobs::Dispatch: AI::Think > AI::GatherPerception (Scene::mutex),
//                    AI::Plan
//   Audio Mixer      Audio::MixVoices (holds Audio::mixerLock ~6 ms) once per frame (or every 16.7 ms if no frame)
//   Watchdog         checks every 100 ms that frames keep coming; after 1.5 s without a frame it logs an error and
//                    exits the process (std::exit), so the capture of a hung game is kept.
// Locks: Scene::mutex, Physics::mutex, Audio::mixerLock (TracyLockableN, std::mutex).
// Plots: "frame ms", "ships". Messages: level load, autosave, watchdog.
//
// Usage: ironclad <scenario>
//   deadlock      frame 150: a contact callback inside Physics::Step (holding Physics::mutex) calls
//                 Physics::SyncToScene (wants Scene::mutex) while the main thread's Scene::Update holds Scene::mutex
//                 and wants Physics::mutex: ABBA deadlock; the watchdog ends the process ~1.5 s later.
//   stall_on_io   frame ~180: SaveGame::Autosave holds Scene::mutex through SaveGame::Flush > File::Fsync (1.2 s);
//                 the physics thread and both AI workers wait on Scene::mutex; then everything resumes.
//   autosave_async  same game, autosave serializes under Scene::mutex then hands the file to the IO Worker thread
//                 (File::Write / File::Fsync off the main thread, no lock): baseline for stall_on_io.
//   regress_a     = autosave_async (app info "ironclad 0.9.3"); regress_b = stall_on_io (app info "ironclad 0.9.4"):
//                 a regression pair recorded separately from the two single captures.
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
#include <vector>

#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

constexpr double kPeriodMs = 1000.0 / 60.0;

volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };
std::atomic<bool> g_exiting{ false };

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
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
};

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    char b[16];
    snprintf( b, sizeof( b ), "%s", n );
    prctl( PR_SET_NAME, b );
    prctl( PR_SET_TIMERSLACK, 1000UL );
}

void message( tracy::MessageSeverity sev, const char* fmt, ... ) __attribute__( ( format( printf, 2, 3 ) ) );
void message( tracy::MessageSeverity sev, const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyLogString( sev, 0, TRACY_CALLSTACK, (size_t)std::min( n, (int)sizeof( buf ) - 1 ), buf );
}

void zone_text( tracy::ScopedZone& z, const char* fmt, ... ) __attribute__( ( format( printf, 2, 3 ) ) );
void zone_text( tracy::ScopedZone& z, const char* fmt, ... )
{
    char buf[128];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    z.Text( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ) );
}

struct params
{
    std::string scenario;
    double seconds = 6.0;
    int deadlock_frame = -1;     // deadlock: 150
    int autosave_frame = -1;     // stall_on_io / autosave_async: 180
    bool autosave_async = false;
    double fsync_ms = 1200.0;
    int shader_frame = 90;       // distractor hitch: Shader::CompileVariant 30 ms
    const char* app = "ironclad 0.9.3 (development build)";
};

params g_p;

// Locks (never destroyed: the watchdog may end the process while threads are blocked on them)
struct game_locks
{
    TracyLockableN( std::mutex, scene, "Scene::mutex" );
    TracyLockableN( std::mutex, physics, "Physics::mutex" );
    TracyLockableN( std::mutex, mixer, "Audio::mixerLock" );
};
game_locks* g_locks = nullptr;
using lock_t = LockableBase( std::mutex );

// Frame signalling (plain, not instrumented)
std::mutex g_sig_m;
std::condition_variable g_sig_cv;
int64_t g_frame_started = -1;      // frame index whose start was signalled (physics)
int64_t g_frame_start_ns = 0;
int64_t g_jobs_frame = -1;         // frame whose AI jobs were dispatched
int64_t g_audio_frame = -1;        // frame whose sounds were queued
int64_t g_io_request = 0;          // autosave_async: pending file writes

std::atomic<int64_t> g_last_frame_ns{ 0 };
std::atomic<int64_t> g_frames_done{ 0 };
std::atomic<int> g_scene_locked_in_frame{ -1 };  // deadlock choreography

// ---------------------------------------------------------------------------------------------------------------
// Physics

void physics_thread()
{
    name_thread( "Physics Worker" );
    rng_t r( 0x70687973 );
    int64_t seen = -1;
    while( true )
    {
        int64_t f, fstart;
        {
            std::unique_lock<std::mutex> lk( g_sig_m );
            g_sig_cv.wait_for( lk, std::chrono::milliseconds( 50 ), [&] { return g_stop || g_frame_started > seen; } );
            if( g_stop || g_exiting ) return;
            if( g_frame_started <= seen ) continue;
            f = g_frame_started;
            fstart = g_frame_start_ns;
        }
        seen = f;
        sleep_until_ns( fstart + 5000000 );
        if( g_exiting ) return;
        ZoneScopedN( "Physics::Tick" );
        ZoneValue( (uint64_t)f );
        const bool wake = f == g_p.deadlock_frame;
        {
            ZoneScopedN( "Physics::Step" );
            std::lock_guard<lock_t> lk( g_locks->physics );
            {
                ZoneScopedN( "Physics::Broadphase" );
                busy_ms( r.uni( 0.9, 1.1 ) );
            }
            {
                ZoneScopedN( "Physics::Solve" );
                if( !wake )
                    busy_ms( r.uni( 2.3, 2.7 ) );
                else
                {
                    // A big contact pile-up: the solve runs long, into the next frame's Scene::Update.
                    const int64_t t0 = now_ns();
                    while( g_scene_locked_in_frame.load() != (int)f + 1 && now_ns() - t0 < 200000000 )
                        busy_ms( 0.1 );
                    busy_ms( 0.3 );
                }
            }
            if( wake )
            {
                // Bug: a contact on a sleeping island syncs the woken bodies to the scene right away, from inside
                // the step, while Physics::mutex is still held (normally this happens after the step).
                ZoneScopedN( "Physics::OnContactBegin" );
                zone_text( ___tracy_scoped_zone, "ship_07 vs pier_02 (wake island 3)" );
                busy_ms( 0.15 );
                {
                    ZoneScopedN( "Physics::SyncToScene" );
                    std::lock_guard<lock_t> lk2( g_locks->scene );  // never obtained
                    busy_ms( 0.4 );
                }
            }
        }
        {
            ZoneScopedN( "Physics::SyncToScene" );
            std::lock_guard<lock_t> lk( g_locks->scene );
            busy_ms( r.uni( 0.35, 0.45 ) );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// AI workers

void worker_thread( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    name_thread( name );
    rng_t r( 0x776f726b + idx );
    int64_t seen = -1;
    while( true )
    {
        int64_t f;
        {
            std::unique_lock<std::mutex> lk( g_sig_m );
            g_sig_cv.wait_for( lk, std::chrono::milliseconds( 50 ), [&] { return g_stop || g_jobs_frame > seen; } );
            if( g_stop || g_exiting ) return;
            if( g_jobs_frame <= seen ) continue;
            f = g_jobs_frame;
        }
        seen = f;
        for( int j = 0; j < 3; j++ )
        {
            ZoneScopedN( "AI::Think" );
            zone_text( ___tracy_scoped_zone, "squad %d", idx * 3 + j );
            {
                ZoneScopedN( "AI::GatherPerception" );
                std::lock_guard<lock_t> lk( g_locks->scene );
                busy_ms( r.uni( 0.25, 0.35 ) );
            }
            {
                ZoneScopedN( "AI::Plan" );
                busy_ms( r.uni( 0.9, 1.3 ) );
            }
        }
        (void)f;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Audio: busy but uncontended lock (main thread only try_locks it, and only before the mixer starts)

void audio_thread()
{
    name_thread( "Audio Mixer" );
    rng_t r( 0x6d6978 );
    int64_t seen = -1;
    int64_t last_mix = now_ns();
    while( true )
    {
        bool mix = false;
        {
            std::unique_lock<std::mutex> lk( g_sig_m );
            g_sig_cv.wait_for( lk, std::chrono::milliseconds( 2 ), [&] { return g_stop || g_audio_frame > seen; } );
            if( g_stop || g_exiting ) return;
            if( g_audio_frame > seen )
            {
                seen = g_audio_frame;
                mix = true;
            }
        }
        // no frames for a while: keep the sound going on our own clock
        if( !mix && now_ns() - last_mix > (int64_t)( 2 * kPeriodMs * 1e6 ) ) mix = true;
        if( !mix ) continue;
        last_mix = now_ns();
        ZoneScopedN( "Audio::MixVoices" );
        std::lock_guard<lock_t> lk( g_locks->mixer );
        busy_ms( r.uni( 5.8, 6.2 ) );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// IO worker (autosave_async)

void io_thread()
{
    name_thread( "IO Worker" );
    int64_t done = 0;
    while( true )
    {
        {
            std::unique_lock<std::mutex> lk( g_sig_m );
            g_sig_cv.wait_for( lk, std::chrono::milliseconds( 50 ), [&] { return g_stop || g_io_request > done; } );
            if( g_stop || g_exiting ) return;
            if( g_io_request <= done ) continue;
            done = g_io_request;
        }
        ZoneScopedN( "SaveGame::Flush" );
        const int64_t t0 = now_ns();
        {
            ZoneScopedN( "File::Write" );
            ZoneText( "saves/autosave_03.sav", 21 );
            busy_ms( 15.0 );
        }
        {
            ZoneScopedN( "File::Fsync" );
            busy_ms( g_p.fsync_ms );
        }
        message( tracy::MessageSeverity::Info, "SaveGame: autosave_03 written in %.0f ms (background)",
                 ( now_ns() - t0 ) / 1e6 );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Watchdog

void watchdog_thread()
{
    name_thread( "Watchdog" );
    while( !g_stop )
    {
        std::this_thread::sleep_for( std::chrono::milliseconds( 100 ) );
        const int64_t last = g_last_frame_ns.load();
        if( last == 0 ) continue;
        const int64_t gap = now_ns() - last;
        if( gap > 1500000000ll && !g_stop )
        {
            message( tracy::MessageSeverity::Error,
                     "Watchdog: main thread unresponsive for %.0f ms (last completed frame %lld), terminating",
                     gap / 1e6, (long long)g_frames_done.load() );
            g_exiting = true;
            g_sig_cv.notify_all();
            std::this_thread::sleep_for( std::chrono::milliseconds( 60 ) );  // let the other threads leave
            fflush( stdout );
            fprintf( stderr, "ironclad: watchdog: main thread hung, exiting\n" );
            std::exit( 0 );  // static destructors run: Tracy's client flushes to the recorder (TRACY_NO_EXIT=1)
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main thread

void game_load()
{
    ZoneScopedN( "Game::Load" );
    message( tracy::MessageSeverity::Info, "Ironclad 0.9.3: loading map harbor_dusk" );
    {
        ZoneScopedN( "Assets::LoadMap" );
        busy_ms( 110.0 );
    }
    {
        ZoneScopedN( "Scene::Build" );
        std::lock_guard<lock_t> lk( g_locks->scene );
        busy_ms( 40.0 );
    }
    message( tracy::MessageSeverity::Info, "Level loaded: 48 ships, 3 physics islands" );
}

void autosave( int64_t f )
{
    ZoneScopedN( "SaveGame::Autosave" );
    ZoneText( "slot=autosave_03", 16 );
    message( tracy::MessageSeverity::Info, "SaveGame: autosave to slot autosave_03 (frame %lld)", (long long)f );
    const int64_t t0 = now_ns();
    std::lock_guard<lock_t> lk( g_locks->scene );
    {
        ZoneScopedN( "SaveGame::Serialize" );
        busy_ms( 24.0 );
    }
    if( g_p.autosave_async )
    {
        ZoneScopedN( "SaveGame::QueueWrite" );
        busy_ms( 0.2 );
        {
            std::lock_guard<std::mutex> s( g_sig_m );
            g_io_request++;
        }
        g_sig_cv.notify_all();
        return;
    }
    {
        ZoneScopedN( "SaveGame::Flush" );
        {
            ZoneScopedN( "File::Write" );
            ZoneText( "saves/autosave_03.sav", 21 );
            busy_ms( 15.0 );
        }
        {
            ZoneScopedN( "File::Fsync" );
            busy_ms( g_p.fsync_ms );
        }
    }
    message( tracy::MessageSeverity::Info, "SaveGame: autosave_03 written in %.0f ms", ( now_ns() - t0 ) / 1e6 );
}

void frame( int64_t f, rng_t& r )
{
    ZoneScopedN( "Game::Frame" );
    ZoneValue( (uint64_t)f );
    {
        ZoneScopedN( "Input::Poll" );
        busy_ms( r.uni( 0.15, 0.25 ) );
    }
    {
        ZoneScopedN( "Audio::QueueSounds" );
        if( g_locks->mixer.try_lock() )
        {
            busy_ms( 0.05 );
            g_locks->mixer.unlock();
        }
        {
            std::lock_guard<std::mutex> s( g_sig_m );
            g_audio_frame = f;
        }
        g_sig_cv.notify_all();
    }
    {
        ZoneScopedN( "Scene::Update" );
        std::lock_guard<lock_t> lk( g_locks->scene );
        g_scene_locked_in_frame = (int)f;
        {
            ZoneScopedN( "Scene::UpdateTransforms" );
            busy_ms( r.uni( 1.6, 2.0 ) );
        }
        {
            ZoneScopedN( "Scene::ReadPhysicsResults" );
            std::lock_guard<lock_t> lk2( g_locks->physics );
            busy_ms( r.uni( 0.25, 0.35 ) );
        }
        {
            ZoneScopedN( "Scene::ResolveTriggers" );
            busy_ms( r.uni( 0.5, 0.7 ) );
        }
    }
    {
        ZoneScopedN( "Jobs::Dispatch" );
        busy_ms( 0.1 );
        {
            std::lock_guard<std::mutex> s( g_sig_m );
            g_jobs_frame = f;
        }
        g_sig_cv.notify_all();
    }
    if( f == g_p.autosave_frame ) autosave( f );
    {
        ZoneScopedN( "Render::BuildCommandList" );
        if( f == g_p.shader_frame )
        {
            ZoneScopedN( "Shader::CompileVariant" );
            ZoneText( "water_foam.ps [MSAA4X]", 22 );
            busy_ms( 30.0 );
        }
        busy_ms( r.uni( 4.8, 5.2 ) );
    }
    {
        ZoneScopedN( "Render::Submit" );
        busy_ms( r.uni( 0.9, 1.1 ) );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    g_p.scenario = s;
    if( s == "deadlock" )
    {
        g_p.deadlock_frame = 150;
        g_p.seconds = 30.0;  // never reached: the watchdog ends it
    }
    else if( s == "stall_on_io" || s == "regress_b" )
    {
        g_p.autosave_frame = 180;
        if( s == "regress_b" ) g_p.app = "ironclad 0.9.4 (development build)";
    }
    else if( s == "autosave_async" || s == "regress_a" )
    {
        g_p.autosave_frame = 180;
        g_p.autosave_async = true;
    }
    else
    {
        fprintf( stderr, "usage: ironclad deadlock|stall_on_io|autosave_async|regress_a|regress_b\n" );
        return 2;
    }
    name_thread( "Main thread" );
    g_locks = new game_locks;  // intentionally leaked
    TracyAppInfo( g_p.app, strlen( g_p.app ) );

    std::thread phys( physics_thread ), w0( worker_thread, 0 ), w1( worker_thread, 1 ), audio( audio_thread ),
        wd( watchdog_thread );
    std::thread io;
    if( g_p.autosave_async ) io = std::thread( io_thread );

    game_load();
    FrameMark;
    rng_t r( 0x6d61696e );
    const int64_t run_start = now_ns();
    int64_t next = now_ns();
    for( int64_t f = 1; now_ns() - run_start < (int64_t)( g_p.seconds * 1e9 ); f++ )
    {
        const int64_t start = now_ns();
        {
            std::lock_guard<std::mutex> s( g_sig_m );
            g_frame_started = f;
            g_frame_start_ns = start;
        }
        g_sig_cv.notify_all();
        frame( f, r );
        {
            ZoneScopedN( "Frame::WaitVsync" );
            next += (int64_t)( kPeriodMs * 1e6 );
            if( next < now_ns() )  // missed vsync: realign to the next one
                while( next < now_ns() ) next += (int64_t)( kPeriodMs * 1e6 );
            sleep_until_ns( next );
        }
        FrameMark;
        TracyPlot( "frame ms", ( now_ns() - start ) / 1e6 );
        TracyPlot( "ships", (int64_t)48 );
        g_frames_done = f;
        g_last_frame_ns = now_ns();
    }
    message( tracy::MessageSeverity::Info, "Game: quit requested, shutting down" );
    {
        std::lock_guard<std::mutex> s( g_sig_m );
        g_stop = true;
    }
    g_sig_cv.notify_all();
    phys.join();
    w0.join();
    w1.join();
    audio.join();
    wd.join();
    if( io.joinable() ) io.join();
    return 0;
}
