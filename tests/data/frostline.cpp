// frostline: a 60 fps open-world game (main, render, 3 job workers, an IO thread, a watchdog), instrumented with
// Tracy (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   Main thread    Game::Frame > Input::Poll, Render::WaitFence (cv: previous frame's GPU submit), Game::Update
//                  (> Physics::Step, AI::Think, Script::Tick), Jobs::Dispatch, Jobs::WaitForCompletion (cv: all
//                  of the frame's jobs), RenderQueue::Push (RenderQueue::m_mutex), UI::DrawHUD; then
//                  Frame::WaitVsync and FrameMark.
//   Render Thread  Render::Frame > RenderQueue::Drain (RenderQueue::m_mutex), Render::ShadowPass (big, steady),
//                  Render::MainPass, Render::Submit; signals the fence.
//   Worker 0..2    Job::Animate, Job::Cull, Job::Particles, Job::Skinning, Job::StreamTexture (> IO::ReadBlocking
//                  > IO::Read / IO::Retry); Assets::m_cacheMutex (busy, mostly uncontended).
//   IO Thread      IO::ServiceQueue (> IO::ReadFile, IO::m_requestMutex) every 50 ms, Save::Autosave every ~1.5 s;
//                  Level::Load in not_hung.
//   Watchdog       checks the frame counter every 100 ms; after 2.5 s without a frame it logs an error and ends
//                  the process with std::exit(0) (static destructors run, so Tracy's client hands its data over).
//
// Usage: frostline cv_hang|lock_hang|not_hung
//   cv_hang    frame 225: Job::StreamTexture (streaming/terrain_04.pak) never completes: its worker retries a read
//              forever (IO::Retry every 200 ms); the main thread waits in Jobs::WaitForCompletion until the
//              watchdog ends the process. Distractors: a 40 ms shader hitch (frame 90), one read that times out
//              once and recovers (frame 150, a ~210 ms frame).
//   lock_hang  frame 225: RenderQueue full: main (holding RenderQueue::m_mutex) kicks the render thread and waits
//              for its fence (cv); the render thread blocks on RenderQueue::m_mutex in RenderQueue::Drain.
//   not_hung   frame 200: 2.5 s Level::Load on the IO thread; main draws UI::DrawLoadingScreen at 10 fps; then
//              normal frames and a clean exit. Also the B side of the regression pair load_a -> not_hung.
//   load_a     not_hung's baseline build: Level::LoadSection paced at 125 ms (Level::Deserialize shorter: a 1.5 s
//              load) and Render::ShadowPass 0.5 ms slower (5.05 ms instead of 4.55 ms).
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
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
};

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_NAME, n );
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
    tracy::Profiler::LogString( tracy::MessageSourceType::User, sev, 0, 0, (size_t)std::min( n, 255 ), buf );
}

void zone_text( tracy::ScopedZone& z, const char* fmt, ... ) __attribute__( ( format( printf, 2, 3 ) ) );
void zone_text( tracy::ScopedZone& z, const char* fmt, ... )
{
    char buf[160];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    z.Text( buf, (size_t)std::min( n, 159 ) );
}

// ---------------------------------------------------------------------------------------------------------------

struct params
{
    std::string scenario;
    int frames = 330;           // normal frames to run (cv_hang / lock_hang never get there)
    int cv_hang_frame = -1;     // cv_hang: 225
    int lock_hang_frame = -1;   // lock_hang: 225
    int load_frame = -1;        // not_hung: 200
    int shader_hitch_frame = 90;
    int read_retry_frame = -1;  // cv_hang: 150 (one timeout, then success)
    int64_t section_ns = 208000000ll;  // Level::LoadSection pacing (load_a: 125 ms)
    double shadow_ms = 4.55;           // Render::ShadowPass (load_a: 5.05)
};

params g_p;

// Every synchronisation object lives on the heap and is never destroyed: the watchdog may end the process while
// threads are blocked on them.
struct locks_t
{
    TracyLockableN( std::mutex, renderQueue, "RenderQueue::m_mutex" );
    TracyLockableN( std::mutex, assetCache, "Assets::m_cacheMutex" );
    TracyLockableN( std::mutex, ioRequests, "IO::m_requestMutex" );
};
locks_t* g_locks = nullptr;

std::atomic<bool> g_exiting{ false };
std::atomic<bool> g_quit{ false };
std::atomic<int64_t> g_last_frame_ns{ 0 };
std::atomic<int> g_frames_done{ 0 };

// ---------------------------------------------------------------------------------------------------------------
// Jobs: one queue (plain std::mutex + condition variables, not Tracy-instrumented)

enum job_kind
{
    J_ANIMATE,
    J_CULL,
    J_PARTICLES,
    J_SKINNING,
    J_STREAM,
};

const char* const kTextures[] = { "streaming/rocks_02.pak", "streaming/foliage_11.pak", "streaming/props_07.pak",
                                  "streaming/npc_faces.pak", "streaming/water_01.pak" };

struct job
{
    job_kind kind;
    int id;
    int frame;
    double ms;
    const char* file = nullptr;
    int mode = 0;  // J_STREAM: 0 normal, 1 one timeout then ok, 2 never completes
};

struct jobs_t
{
    std::mutex m;
    std::condition_variable cv, done_cv;
    std::deque<job> q;
    int remaining = 0;
};
jobs_t* g_jobs = nullptr;

void io_read_blocking( const job& j, rng_t& r )
{
    ZoneScopedN( "IO::ReadBlocking" );
    zone_text( ___tracy_scoped_zone, "%s", j.file );
    if( j.mode == 0 )
    {
        ZoneScopedN( "IO::Read" );
        busy_ms( r.uni( 1.6, 2.6 ) );
        return;
    }
    {
        ZoneScopedN( "IO::Read" );
        busy_ms( r.uni( 0.3, 0.5 ) );  // request issued, the device does not answer
    }
    for( int attempt = 1;; attempt++ )
    {
        ZoneScopedN( "IO::Retry" );
        ZoneValue( (uint64_t)attempt );
        const int64_t deadline = now_ns() + 200000000ll;
        if( j.mode == 1 && attempt == 2 )
        {
            busy_ms( r.uni( 2.2, 2.8 ) );  // the second try succeeds
            message( tracy::MessageSeverity::Info, "IO: read ok after %d retry (%s)", attempt - 1, j.file );
            return;
        }
        while( now_ns() < deadline )
        {
            if( g_exiting )
                for( ;; ) std::this_thread::sleep_for( std::chrono::seconds( 1 ) );  // still stuck at exit
            std::this_thread::sleep_for( std::chrono::milliseconds( 5 ) );
        }
        message( tracy::MessageSeverity::Warning, "IO: read timeout, retrying (attempt %d)", attempt );
    }
}

void run_job( const job& j, rng_t& r )
{
    switch( j.kind )
    {
    case J_ANIMATE:
    {
        ZoneScopedN( "Job::Animate" );
        zone_text( ___tracy_scoped_zone, "job %d (frame %d)", j.id, j.frame );
        busy_ms( j.ms );
        break;
    }
    case J_CULL:
    {
        ZoneScopedN( "Job::Cull" );
        zone_text( ___tracy_scoped_zone, "job %d (frame %d)", j.id, j.frame );
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_locks->assetCache );
            ZoneScopedN( "Assets::LookupLOD" );
            busy_ms( r.uni( 0.10, 0.16 ) );
        }
        busy_ms( j.ms );
        break;
    }
    case J_PARTICLES:
    {
        ZoneScopedN( "Job::Particles" );
        zone_text( ___tracy_scoped_zone, "job %d (frame %d)", j.id, j.frame );
        busy_ms( j.ms );
        break;
    }
    case J_SKINNING:
    {
        ZoneScopedN( "Job::Skinning" );
        zone_text( ___tracy_scoped_zone, "job %d (frame %d)", j.id, j.frame );
        busy_ms( j.ms );
        break;
    }
    case J_STREAM:
    {
        ZoneScopedN( "Job::StreamTexture" );
        zone_text( ___tracy_scoped_zone, "job %d (frame %d) %s", j.id, j.frame, j.file );
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_locks->assetCache );
            ZoneScopedN( "Assets::ReserveSlot" );
            busy_ms( r.uni( 0.12, 0.2 ) );
        }
        io_read_blocking( j, r );
        {
            ZoneScopedN( "Texture::Upload" );
            busy_ms( r.uni( 0.5, 0.8 ) );
        }
        break;
    }
    }
}

void worker_thread( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    name_thread( name );
    rng_t r( 0x776b0000u + idx );
    for( ;; )
    {
        job j;
        {
            std::unique_lock<std::mutex> lk( g_jobs->m );
            g_jobs->cv.wait( lk, [] { return !g_jobs->q.empty() || g_quit || g_exiting; } );
            if( g_jobs->q.empty() ) return;
            j = g_jobs->q.front();
            g_jobs->q.pop_front();
        }
        run_job( j, r );
        {
            std::lock_guard<std::mutex> lk( g_jobs->m );
            if( --g_jobs->remaining == 0 ) g_jobs->done_cv.notify_all();
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Render thread: kicked by the main thread once per frame, signals a fence when the frame is submitted.

struct render_sync_t
{
    std::mutex m;
    std::condition_variable cv;
    int kicked = 0;   // last frame kicked
    int fence = 0;    // last frame completed
    int queued = 0;   // commands in RenderQueue (protected by RenderQueue::m_mutex)
};
render_sync_t* g_rs = nullptr;

void render_thread()
{
    name_thread( "Render Thread" );
    rng_t r( 0x72656e64 );
    int done = 0;
    for( ;; )
    {
        int f;
        {
            std::unique_lock<std::mutex> lk( g_rs->m );
            g_rs->cv.wait( lk, [&] { return g_rs->kicked > done || g_quit || g_exiting; } );
            if( g_rs->kicked <= done ) return;
            f = g_rs->kicked;
        }
        {
            ZoneScopedN( "Render::Frame" );
            ZoneValue( (uint64_t)f );
            int cmds;
            {
                ZoneScopedN( "RenderQueue::Drain" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_locks->renderQueue );
                cmds = g_rs->queued;
                g_rs->queued = 0;
                busy_ms( r.uni( 0.4, 0.6 ) );
                ZoneValue( (uint64_t)cmds );
            }
            if( f == g_p.shader_hitch_frame )
            {
                ZoneScopedN( "Render::CompileShaderVariant" );
                ZoneText( "water_caustics_ps (permutation 0x3a)", 36 );
                busy_ms( 38.0 );
            }
            {
                ZoneScopedN( "Render::ShadowPass" );
                busy_ms( r.uni( g_p.shadow_ms - 0.15, g_p.shadow_ms + 0.15 ) );
            }
            {
                ZoneScopedN( "Render::MainPass" );
                busy_ms( r.uni( 2.2, 2.8 ) );
            }
            {
                ZoneScopedN( "Render::Submit" );
                busy_ms( r.uni( 0.4, 0.6 ) );
            }
        }
        {
            std::lock_guard<std::mutex> lk( g_rs->m );
            g_rs->fence = f;
            done = f;
        }
        g_rs->cv.notify_all();
    }
}

void wait_fence( int f )
{
    ZoneScopedN( "Render::WaitFence" );
    ZoneValue( (uint64_t)f );
    std::unique_lock<std::mutex> lk( g_rs->m );
    g_rs->cv.wait( lk, [&] { return g_rs->fence >= f; } );
}

// ---------------------------------------------------------------------------------------------------------------
// IO thread

std::atomic<bool> g_load_request{ false };
std::atomic<bool> g_loading{ false };

void level_load( rng_t& r )
{
    ZoneScopedN( "Level::Load" );
    ZoneText( "harbor_02", 9 );
    const int64_t t0 = now_ns();
    message( tracy::MessageSeverity::Info, "Level: loading harbor_02 (12 sections)" );
    const char* const sections[] = { "terrain", "navmesh", "static_props", "foliage", "lighting", "audio_banks",
                                     "npc_spawns", "quests", "water", "decals", "probes", "scripts" };
    for( int i = 0; i < 12; i++ )
    {
        ZoneScopedN( "Level::LoadSection" );
        zone_text( ___tracy_scoped_zone, "%s", sections[i] );
        const int64_t end = t0 + (int64_t)( i + 1 ) * g_p.section_ns;
        {
            ZoneScopedN( "IO::ReadFile" );
            zone_text( ___tracy_scoped_zone, "levels/harbor_02/%s.bin", sections[i] );
            busy_ms( r.uni( 60.0, 80.0 ) );
        }
        {
            ZoneScopedN( "Level::Deserialize" );
            const double left = ( end - now_ns() ) / 1e6 - 0.2;
            busy_ms( std::max( 1.0, left ) );
        }
        message( tracy::MessageSeverity::Info, "Level: harbor_02 %d%% (%d/12 sections)", ( i + 1 ) * 100 / 12,
                 i + 1 );
    }
    {
        ZoneScopedN( "Level::Activate" );
        busy_ms( 12.0 );
    }
    message( tracy::MessageSeverity::Info, "Level: harbor_02 loaded in %.2f s", ( now_ns() - t0 ) / 1e9 );
}

void io_thread()
{
    name_thread( "IO Thread" );
    rng_t r( 0x696f7468 );
    int64_t next = now_ns();
    int tick = 0;
    while( !g_quit && !g_exiting )
    {
        if( g_load_request.exchange( false ) )
        {
            level_load( r );
            g_loading = false;
            next = now_ns();
        }
        tick++;
        {
            ZoneScopedN( "IO::ServiceQueue" );
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_locks->ioRequests );
                busy_ms( r.uni( 0.05, 0.1 ) );
            }
            {
                ZoneScopedN( "IO::ReadFile" );
                ZoneText( "audio/ambience_wind.ogg", 23 );
                busy_ms( r.uni( 0.8, 1.4 ) );
            }
        }
        if( tick % 30 == 0 )
        {
            ZoneScopedN( "Save::Autosave" );
            busy_ms( r.uni( 26.0, 32.0 ) );
            message( tracy::MessageSeverity::Info, "Save: autosave slot 2 written (%d KB)", 412 + tick / 30 );
        }
        next += 50000000ll;
        while( now_ns() < next && !g_quit && !g_exiting && !g_load_request )
            std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Watchdog

void watchdog_thread()
{
    name_thread( "Watchdog" );
    while( !g_quit )
    {
        std::this_thread::sleep_for( std::chrono::milliseconds( 100 ) );
        const int64_t last = g_last_frame_ns.load();
        if( last == 0 ) continue;
        const int64_t gap = now_ns() - last;
        if( gap > 2500000000ll && !g_quit )
        {
            message( tracy::MessageSeverity::Error,
                     "Watchdog: no frame for %.0f ms (last frame %d), terminating process", gap / 1e6,
                     g_frames_done.load() );
            g_exiting = true;
            g_jobs->cv.notify_all();
            g_rs->cv.notify_all();
            std::this_thread::sleep_for( std::chrono::milliseconds( 80 ) );  // idle threads leave
            fprintf( stderr, "frostline: watchdog: main thread hung, exiting\n" );
            std::exit( 0 );  // static destructors run: Tracy's client flushes to the recorder (TRACY_NO_EXIT=1)
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main thread

void game_load( rng_t& r )
{
    ZoneScopedN( "Game::Load" );
    message( tracy::MessageSeverity::Info, "Frostline 2.3.1 (build 18842): loading world frost_valley" );
    {
        ZoneScopedN( "Assets::LoadManifest" );
        busy_ms( r.uni( 80.0, 90.0 ) );
    }
    {
        ZoneScopedN( "Render::CreatePipelines" );
        busy_ms( r.uni( 120.0, 130.0 ) );
    }
    {
        ZoneScopedN( "World::Spawn" );
        busy_ms( r.uni( 50.0, 60.0 ) );
    }
    message( tracy::MessageSeverity::Info, "World frost_valley ready: 1843 entities" );
}

int g_job_id = 1400;
int g_last_kicked = 0;  // main thread only

void dispatch_and_wait( int f, rng_t& r )
{
    std::vector<job> js;
    js.push_back( { J_ANIMATE, g_job_id++, f, r.uni( 1.1, 1.4 ) } );
    js.push_back( { J_CULL, g_job_id++, f, r.uni( 0.7, 0.9 ) } );
    js.push_back( { J_PARTICLES, g_job_id++, f, r.uni( 0.9, 1.2 ) } );
    js.push_back( { J_SKINNING, g_job_id++, f, r.uni( 1.3, 1.6 ) } );
    js.push_back( { J_ANIMATE, g_job_id++, f, r.uni( 0.9, 1.2 ) } );
    js.push_back( { J_CULL, g_job_id++, f, r.uni( 0.6, 0.8 ) } );
    if( f % 12 == 5 || f == g_p.cv_hang_frame || f == g_p.read_retry_frame )
    {
        job s{ J_STREAM, g_job_id++, f, 0.0 };
        s.file = kTextures[( f / 12 ) % 5];
        if( f == g_p.read_retry_frame )
        {
            s.file = "streaming/ui_atlas.pak";
            s.mode = 1;
        }
        if( f == g_p.cv_hang_frame )
        {
            s.file = "streaming/terrain_04.pak";
            s.mode = 2;
        }
        js.insert( js.begin() + 1, s );
    }
    {
        ZoneScopedN( "Jobs::Dispatch" );
        ZoneValue( (uint64_t)js.size() );
        std::lock_guard<std::mutex> lk( g_jobs->m );
        for( auto& j : js ) g_jobs->q.push_back( j );
        g_jobs->remaining += (int)js.size();
        busy_ms( 0.08 );
    }
    g_jobs->cv.notify_all();
    {
        ZoneScopedN( "Jobs::WaitForCompletion" );
        zone_text( ___tracy_scoped_zone, "frame %d: jobs %d-%d", f, js.front().id, js.front().id + (int)js.size() - 1 );
        std::unique_lock<std::mutex> lk( g_jobs->m );
        g_jobs->done_cv.wait( lk, [] { return g_jobs->remaining == 0; } );
    }
}

void normal_frame( int f, rng_t& r )
{
    ZoneScopedN( "Game::Frame" );
    ZoneValue( (uint64_t)f );
    {
        ZoneScopedN( "Input::Poll" );
        busy_ms( r.uni( 0.2, 0.35 ) );
    }
    wait_fence( g_last_kicked );
    {
        ZoneScopedN( "Game::Update" );
        {
            ZoneScopedN( "Physics::Step" );
            busy_ms( r.uni( 1.8, 2.2 ) );
        }
        {
            ZoneScopedN( "AI::Think" );
            busy_ms( r.uni( 1.0, 1.3 ) );
        }
        {
            ZoneScopedN( "Script::Tick" );
            busy_ms( r.uni( 0.6, 0.8 ) );
        }
    }
    dispatch_and_wait( f, r );
    {
        ZoneScopedN( "RenderQueue::Push" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_locks->renderQueue );
        const int cmds = f == g_p.lock_hang_frame ? 4096 : r.range( 1800, 2300 );
        g_rs->queued += cmds;
        busy_ms( r.uni( 0.3, 0.45 ) );
        if( f == g_p.lock_hang_frame )
        {
            message( tracy::MessageSeverity::Warning, "RenderQueue: 4096 commands queued (full), flushing synchronously" );
            ZoneScopedN( "RenderQueue::FlushSync" );
            {
                std::lock_guard<std::mutex> k( g_rs->m );
                g_rs->kicked = f;
            }
            g_rs->cv.notify_all();
            wait_fence( f );  // still holding RenderQueue::m_mutex: the render thread needs it to drain
        }
    }
    g_last_kicked = f;
    if( f != g_p.lock_hang_frame )
    {
        {
            std::lock_guard<std::mutex> k( g_rs->m );
            g_rs->kicked = f;
        }
        g_rs->cv.notify_all();
    }
    {
        ZoneScopedN( "UI::DrawHUD" );
        busy_ms( r.uni( 0.7, 0.9 ) );
    }
}

void loading_frame( int f, rng_t& r )
{
    ZoneScopedN( "Game::Frame" );
    ZoneValue( (uint64_t)f );
    {
        ZoneScopedN( "Input::Poll" );
        busy_ms( r.uni( 0.2, 0.35 ) );
    }
    {
        ZoneScopedN( "UI::DrawLoadingScreen" );
        busy_ms( r.uni( 1.3, 1.7 ) );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    g_p.scenario = s;
    if( s == "cv_hang" )
    {
        g_p.cv_hang_frame = 225;
        g_p.read_retry_frame = 150;
    }
    else if( s == "lock_hang" )
        g_p.lock_hang_frame = 225;
    else if( s == "not_hung" || s == "load_a" )
    {
        if( s == "load_a" )
        {
            g_p.section_ns = 125000000ll;
            g_p.shadow_ms = 5.05;
        }
        g_p.load_frame = 200;
        g_p.frames = 218;  // frames after the load (+ ~25 loading frames)
    }
    else
    {
        fprintf( stderr, "usage: frostline cv_hang|lock_hang|not_hung|load_a\n" );
        return 2;
    }
    name_thread( "Main thread" );
    const char* app = "frostline 2.3.1";
    TracyAppInfo( app, strlen( app ) );
    g_locks = new locks_t;
    g_jobs = new jobs_t;
    g_rs = new render_sync_t;

    std::thread render( render_thread ), io( io_thread ), wd( watchdog_thread );
    std::thread workers[3] = { std::thread( worker_thread, 0 ), std::thread( worker_thread, 1 ),
                               std::thread( worker_thread, 2 ) };
    rng_t r( 0x6d61696e );
    game_load( r );
    FrameMark;
    g_last_frame_ns = now_ns();
    int64_t next = now_ns();
    int f = 1;
    for( int n = 1; n <= g_p.frames; n++, f++ )
    {
        if( f == g_p.load_frame )
        {
            message( tracy::MessageSeverity::Info, "UI: player entered portal, travelling to harbor_02" );
            g_loading = true;
            g_load_request = true;
            while( g_loading )
            {
                const int64_t lstart = now_ns();
                loading_frame( f, r );
                {
                    ZoneScopedN( "Frame::Throttle" );
                    next += 100000000ll;
                    sleep_until_ns( next );
                }
                FrameMark;
                TracyPlot( "frame ms", ( now_ns() - lstart ) / 1e6 );
                g_frames_done = f;
                g_last_frame_ns = now_ns();
                f++;
            }
        }
        const int64_t start = now_ns();
        normal_frame( f, r );
        {
            ZoneScopedN( "Frame::WaitVsync" );
            next += kVblankNs;
            if( next < now_ns() )
                while( next < now_ns() ) next += kVblankNs;
            sleep_until_ns( next );
        }
        FrameMark;
        TracyPlot( "frame ms", ( now_ns() - start ) / 1e6 );
        g_frames_done = f;
        g_last_frame_ns = now_ns();
    }
    wait_fence( g_last_kicked );
    message( tracy::MessageSeverity::Info, "Game: quit requested, shutting down" );
    g_quit = true;
    g_jobs->cv.notify_all();
    {
        std::lock_guard<std::mutex> k( g_rs->m );
    }
    g_rs->cv.notify_all();
    render.join();
    for( auto& w : workers ) w.join();
    io.join();
    wd.join();
    return 0;
}
