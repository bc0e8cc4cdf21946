// emberfall: a 60 fps action game (Main thread, Render Thread, Worker 0/1, Streaming), instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Several independent hitch sources.
//   Main thread    Game::Frame (ZoneValue = game frame number) > Input::Poll, Jobs::Dispatch, Game::Update
//                  (> Physics::Step (big, steady), AI::Think, Script::Tick (> Script::GarbageCollect every 90 frames,
//                  3 ms, fits in the vsync slack)), Navmesh::Rebuild (hitch), Save::Autosave (hitch, regress b),
//                  Jobs::WaitForWorkers, Render::KickRenderThread, UI::BuildHUD, Render::WaitForRenderThread (waits
//                  for the render thread to finish this frame; ~5 ms every frame), Frame::WaitVsync; FrameMark.
//   Render Thread  Render::WaitForWork (idle), Render::Frame > Render::ShadowPass (big, steady), Render::CompilePSO
//                  (hitch: 30 ms, the main thread waits for it in Render::WaitForRenderThread), Render::MainPass,
//                  Render::PostFX, Render::Submit.
//   Worker 0/1     Job::Animate, Job::Cull, Job::Particles; Assets::m_cacheMutex (busy, uncontended).
//   Streaming      Streaming::LoadChunk every 100 ms (18 ms, off the critical path), Assets::m_cacheMutex.
//
// Usage: emberfall two_kinds|same_frame|regress_a|regress_b
//   two_kinds   330 frames; Navmesh::Rebuild 25 ms at frames 33+66k (every ~1.1 s); Render::CompilePSO 30 ms at
//               frames 60+102k (every ~1.7 s).
//   same_frame  330 frames; Navmesh::Rebuild at 20+66k, Render::CompilePSO at 50+102k: both in frame 152.
//   regress_a   330 frames; Navmesh::Rebuild at 20+45k; Render::CompilePSO at 130+102k.
//   regress_b   330 frames; Navmesh::Rebuild at 20+90k (rarer); Save::Autosave 40 ms at 45+120k (new);
//               Render::CompilePSO at 130+102k (unchanged).
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see /work/team/bin/record.sh).

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
#include <vector>

#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{
constexpr int64_t kFrameNs = 16666667;
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
// timed sleep plus a short spin
void work_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    if( ms > 0.15 ) sleep_until_ns( end - 120000 );
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

struct params
{
    int frames = 330;
    int nav_first = 33, nav_every = 66;
    int pso_first = 60, pso_every = 102;
    int save_first = -1, save_every = 120;
};
params g_p;

bool hits( int frame, int first, int every ) { return first >= 0 && frame >= first && ( frame - first ) % every == 0; }

TracyLockableN( std::mutex, g_assetCache, "Assets::m_cacheMutex" );

// render hand-off (plain mutex + condition variable)
std::mutex g_rmx;
std::condition_variable g_rcv;
int g_kicked = 0;   // last frame kicked to the render thread
int g_rendered = 0; // last frame the render thread finished
bool g_quit = false;

// worker job queue
std::mutex g_jmx;
std::condition_variable g_jcv;
int g_jobsPending = 0;
int g_jobsFrame = 0;
std::atomic<bool> g_stop{ false };

const char* kShaders[] = { "pso/foliage_wind_alphatest", "pso/water_caustics_hq", "pso/skin_sss_dualspec",
                           "pso/decal_emissive_parallax", "pso/volumetric_fog_froxel" };

void render_thread()
{
    name_thread( "Render Thread" );
    int last = 0;
    int psoCount = 0;
    std::mt19937 rng( 7 );
    for( ;; )
    {
        int frame;
        {
            ZoneScopedN( "Render::WaitForWork" );
            std::unique_lock<std::mutex> lk( g_rmx );
            g_rcv.wait( lk, [&] { return g_quit || g_kicked > last; } );
            if( g_kicked <= last ) return;
            frame = g_kicked;
        }
        {
            ZoneScopedN( "Render::Frame" );
            ZoneValue( frame );
            {
                ZoneScopedN( "Render::ShadowPass" );
                work_ms( 2.6 );
            }
            if( hits( frame, g_p.pso_first, g_p.pso_every ) )
            {
                ZoneScopedN( "Render::CompilePSO" );
                const char* s = kShaders[psoCount++ % 5];
                zone_text( ___tracy_scoped_zone, "%s (first use)", s );
                message( tracy::MessageSeverity::Warning, "Render: PSO cache miss, compiling %s on render thread", s );
                work_ms( 30.0 );
            }
            {
                ZoneScopedN( "Render::MainPass" );
                work_ms( 2.2 + std::uniform_real_distribution<double>( 0, 0.3 )( rng ) );
            }
            {
                ZoneScopedN( "Render::PostFX" );
                work_ms( 0.7 );
            }
            {
                ZoneScopedN( "Render::Submit" );
                work_ms( 0.3 );
            }
        }
        {
            std::lock_guard<std::mutex> lk( g_rmx );
            g_rendered = frame;
            last = frame;
        }
        g_rcv.notify_all();
    }
}

void worker_thread( int idx )
{
    char nm[16];
    snprintf( nm, sizeof( nm ), "Worker %d", idx );
    name_thread( nm );
    int last = 0;
    std::mt19937 rng( 100 + idx );
    for( ;; )
    {
        int frame;
        {
            std::unique_lock<std::mutex> lk( g_jmx );
            g_jcv.wait( lk, [&] { return g_stop.load() || g_jobsFrame > last; } );
            if( g_stop.load() ) return;
            frame = g_jobsFrame;
            last = frame;
        }
        {
            ZoneScopedN( "Job::Animate" );
            work_ms( 1.2 + std::uniform_real_distribution<double>( 0, 0.2 )( rng ) );
        }
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_assetCache );
            ZoneScopedN( "Assets::LookupCache" );
            work_ms( 0.05 );
        }
        if( idx == 0 )
        {
            ZoneScopedN( "Job::Cull" );
            work_ms( 0.8 );
        }
        else
        {
            ZoneScopedN( "Job::Particles" );
            work_ms( 0.8 );
        }
        {
            std::lock_guard<std::mutex> lk( g_jmx );
            g_jobsPending--;
        }
        g_jcv.notify_all();
    }
}

void streaming_thread()
{
    name_thread( "Streaming" );
    int chunk = 0;
    while( !g_stop.load() )
    {
        const int64_t next = now_ns() + 100000000ll;
        {
            ZoneScopedN( "Streaming::LoadChunk" );
            const int cx = chunk % 7, cy = chunk / 7 % 5;
            zone_text( ___tracy_scoped_zone, "world/chunk_%d_%d.bin", cx, cy );
            work_ms( 14.0 );
            {
                ZoneScopedN( "Streaming::Decompress" );
                work_ms( 3.5 );
            }
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_assetCache );
                ZoneScopedN( "Assets::RegisterChunk" );
                work_ms( 0.1 );
            }
            if( chunk % 10 == 0 ) message( tracy::MessageSeverity::Info, "Streaming: chunk (%d,%d) resident", cx, cy );
            chunk++;
        }
        sleep_until_ns( next );
    }
}

} // namespace

int main( int argc, char** argv )
{
    const std::string sc = argc > 1 ? argv[1] : "two_kinds";
    if( sc == "two_kinds" ) {}
    else if( sc == "same_frame" ) { g_p.nav_first = 20; g_p.pso_first = 50; }
    else if( sc == "regress_a" ) { g_p.nav_first = 20; g_p.nav_every = 45; g_p.pso_first = 130; }
    else if( sc == "regress_b" ) { g_p.nav_first = 20; g_p.nav_every = 90; g_p.pso_first = 130; g_p.save_first = 45; }
    else { fprintf( stderr, "unknown scenario %s\n", sc.c_str() ); return 1; }

    name_thread( "Main thread" );
    message( tracy::MessageSeverity::Info, "emberfall 1.4.2 starting, scenario %s", sc.c_str() );
    std::thread rt( render_thread );
    std::thread w0( worker_thread, 0 ), w1( worker_thread, 1 );
    std::thread st( streaming_thread );

    {
        ZoneScopedN( "Game::Init" );
        work_ms( 120.0 );
    }
    message( tracy::MessageSeverity::Info, "Level 'harbor_district' loaded" );

    std::mt19937 rng( 42 );
    int navCount = 0, saveCount = 0;
    int64_t deadline = now_ns();
    for( int frame = 1; frame <= g_p.frames; frame++ )
    {
        const int64_t fstart = now_ns();
        {
            ZoneScopedN( "Game::Frame" );
            ZoneValue( frame );
            {
                ZoneScopedN( "Input::Poll" );
                work_ms( 0.25 );
            }
            {
                ZoneScopedN( "Jobs::Dispatch" );
                {
                    std::lock_guard<std::mutex> lk( g_jmx );
                    g_jobsPending = 2;
                    g_jobsFrame = frame;
                }
                g_jcv.notify_all();
            }
            {
                ZoneScopedN( "Game::Update" );
                {
                    ZoneScopedN( "Physics::Step" );
                    work_ms( 2.4 + std::uniform_real_distribution<double>( 0, 0.3 )( rng ) );
                }
                {
                    ZoneScopedN( "AI::Think" );
                    work_ms( 0.9 );
                }
                {
                    ZoneScopedN( "Script::Tick" );
                    work_ms( 0.4 );
                    if( frame % 90 == 7 )
                    {
                        ZoneScopedN( "Script::GarbageCollect" );
                        work_ms( 3.0 );
                    }
                }
            }
            if( hits( frame, g_p.nav_first, g_p.nav_every ) )
            {
                ZoneScopedN( "Navmesh::Rebuild" );
                navCount++;
                zone_text( ___tracy_scoped_zone, "dynamic obstacle moved, region %d: 48 tiles", navCount );
                message( tracy::MessageSeverity::Info, "Navmesh: rebuilding 48 tiles (region %d)", navCount );
                work_ms( 25.0 );
            }
            if( hits( frame, g_p.save_first, g_p.save_every ) )
            {
                ZoneScopedN( "Save::Autosave" );
                saveCount++;
                zone_text( ___tracy_scoped_zone, "slot autosave_%d", saveCount % 3 );
                work_ms( 40.0 );
                message( tracy::MessageSeverity::Info, "Autosave: wrote autosave_%d.sav (1.8 MB)", saveCount % 3 );
            }
            {
                ZoneScopedN( "Jobs::WaitForWorkers" );
                std::unique_lock<std::mutex> lk( g_jmx );
                g_jcv.wait( lk, [] { return g_jobsPending == 0; } );
            }
            {
                ZoneScopedN( "Render::KickRenderThread" );
                {
                    std::lock_guard<std::mutex> lk( g_rmx );
                    g_kicked = frame;
                }
                g_rcv.notify_all();
            }
            {
                ZoneScopedN( "UI::BuildHUD" );
                work_ms( 0.6 );
            }
            {
                ZoneScopedN( "Render::WaitForRenderThread" );
                std::unique_lock<std::mutex> lk( g_rmx );
                g_rcv.wait( lk, [&] { return g_rendered >= frame; } );
            }
            TracyPlot( "Draw calls", (int64_t)( 1800 + ( frame * 37 ) % 400 ) );
        }
        {
            ZoneScopedN( "Frame::WaitVsync" );
            deadline = std::max( fstart, deadline ) + kFrameNs;
            if( deadline < now_ns() ) deadline = now_ns();
            sleep_until_ns( deadline );
        }
        FrameMark;
    }
    message( tracy::MessageSeverity::Info, "Shutting down after %d frames", g_p.frames );
    {
        std::lock_guard<std::mutex> lk( g_rmx );
        g_quit = true;
    }
    g_rcv.notify_all();
    g_stop = true;
    g_jcv.notify_all();
    rt.join();
    w0.join();
    w1.join();
    st.join();
    return 0;
}
