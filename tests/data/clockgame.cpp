// clockgame: a small action game's frame loop (uncapped / vsync off "benchmark mode"), instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Every emulated CPU cost is multiplied by
// a "clock factor" that emulates the CPU's frequency (1.0 = nominal clock; 1.3 = a machine 1.3x slower, or a
// throttled CPU). Threads:
//   main ("Main thread")  Game::Frame > Input::Poll, Net::ProcessPackets, Game::Update (> AI::Think,
//                         Physics::Step (> Physics::Broadphase, Physics::Solve), Anim::Update), Jobs::Kick,
//                         UI::Update, Jobs::Wait (for the frame's jobs), Render::BuildCommands, Render::Handoff
//                         (hands the command list to the render thread under Render::queueMutex), FrameMark.
//   "Worker 0..2"         job workers pulling from one queue: Job::FrustumCull, Job::OcclusionCull, Job::Skinning
//                         (x2, ZoneText = batch), Job::Particles, Job::ClothSim, Job::LightBinning, and sometimes
//                         Stream::DecompressChunk (ZoneText = chunk).
//   "Render thread"       Render::Frame > Render::SubmitDrawCalls, Render::UploadConstants, Render::Present
//   "Audio mixer"         Audio::Mix > Audio::MixVoices, Audio::ApplyReverb every 10.667 ms (512 samples at 48 kHz;
//                         the period is set by the audio device, only the mixing work follows the clock)
// Plots: "entities", "draw calls", "jobs per frame". Messages: level / area / autosave / settings.
// Lock: Render::queueMutex (busy, never contended in practice).
//
// Usage: clockgame <scenario> [variant]
//   regress a     400 frames at clock factor 1.0 (~12 ms frames)
//   regress b     same 400 frames, same seed, clock factor 1.3 ("slower machine"): every zone x1.3
//   throttle      45 s; clock factor 1.0 until 20 s, ramps to 1.4 by 22.5 s (thermal throttling), stays ~1.4
//                 distractors: an area-streaming burst at 14.5-16.5 s, a one-off autosave at 31 s
//   mixed a       400 frames at clock factor 1.0
//   mixed b       same frames at clock factor 1.2, and Physics::Solve regressed 2x on top (2.4x in total)
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
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

volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };
int64_t g_t0 = 0;

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC_RAW, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

double elapsed_s() { return ( now_ns() - g_t0 ) * 1e-9; }

void sleep_until_ns( int64_t t )
{
    const int64_t d = t - now_ns();
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
}

// ---------------------------------------------------------------------------------------------------------------
// Scenario parameters

struct params
{
    std::string scenario;
    std::string variant;
    uint32_t seed = 0x636c6b67;
    int frames = 400;           // regress / mixed: fixed frame count (same work in a and b)
    double seconds = 0.0;       // throttle: fixed wall time
    double clock = 1.0;         // constant clock factor
    bool throttle = false;      // clock factor 1.0 -> 1.4 after 20 s
    double solve_scale = 1.0;   // mixed b: 2.0
    bool area_burst = false;    // throttle distractor
    int autosave_frame = 250;   // regress / mixed: one autosave at this frame
    double autosave_s = 0.0;    // throttle: autosave at this time
    const char* app = "clockgame 0.9.4";
};

params g_p;

// The emulated CPU clock: the factor every CPU cost is multiplied by.
double clock_factor()
{
    if( !g_p.throttle ) return g_p.clock;
    const double t = elapsed_s();
    if( t < 20.0 ) return 1.0;
    if( t < 22.5 ) return 1.0 + 0.4 * ( t - 20.0 ) / 2.5;
    return 1.4 + 0.015 * std::sin( t * 1.7 );
}

// Emulated CPU work of `ms` at nominal clock: sleep to just before the deadline, then spin.
void cpu_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * clock_factor() * 1e6 );
    if( ms > 0.15 ) sleep_until_ns( end - 120000 );
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
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyMessage( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ) );
}

// ---------------------------------------------------------------------------------------------------------------
// Job system

enum job_kind
{
    JOB_FRUSTUM,
    JOB_OCCLUSION,
    JOB_SKINNING,
    JOB_PARTICLES,
    JOB_CLOTH,
    JOB_LIGHTS,
    JOB_STREAM,
};

struct job
{
    job_kind kind;
    double ms;
    int arg;
};

std::mutex g_qm;
std::condition_variable g_qcv;
std::condition_variable g_donecv;
std::deque<job> g_queue;
int g_pending = 0;

void run_job( const job& j )
{
    char buf[64];
    switch( j.kind )
    {
    case JOB_FRUSTUM:
    {
        ZoneScopedN( "Job::FrustumCull" );
        cpu_ms( j.ms );
        break;
    }
    case JOB_OCCLUSION:
    {
        ZoneScopedN( "Job::OcclusionCull" );
        cpu_ms( j.ms );
        break;
    }
    case JOB_SKINNING:
    {
        ZoneScopedN( "Job::Skinning" );
        const int n = snprintf( buf, sizeof( buf ), "batch %d", j.arg );
        ZoneText( buf, n );
        cpu_ms( j.ms );
        break;
    }
    case JOB_PARTICLES:
    {
        ZoneScopedN( "Job::Particles" );
        cpu_ms( j.ms );
        break;
    }
    case JOB_CLOTH:
    {
        ZoneScopedN( "Job::ClothSim" );
        cpu_ms( j.ms );
        break;
    }
    case JOB_LIGHTS:
    {
        ZoneScopedN( "Job::LightBinning" );
        cpu_ms( j.ms );
        break;
    }
    case JOB_STREAM:
    {
        ZoneScopedN( "Stream::DecompressChunk" );
        const int n = snprintf( buf, sizeof( buf ), "harbor_district/chunk_%03d.pak", j.arg );
        ZoneText( buf, n );
        cpu_ms( j.ms );
        break;
    }
    }
}

void worker_main( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    name_thread( name );
    for( ;; )
    {
        job j;
        {
            std::unique_lock<std::mutex> lk( g_qm );
            g_qcv.wait( lk, [] { return g_stop.load() || !g_queue.empty(); } );
            if( g_queue.empty() ) return;
            j = g_queue.front();
            g_queue.pop_front();
        }
        run_job( j );
        {
            std::lock_guard<std::mutex> lk( g_qm );
            if( --g_pending == 0 ) g_donecv.notify_all();
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Render thread

TracyLockableN( std::mutex, g_renderQueueMutex, "Render::queueMutex" );
std::condition_variable_any g_rcv;
int g_submitted = 0;   // frames handed to the render thread
int g_rendered = 0;    // frames finished by it
int g_drawCalls = 0;

void render_main()
{
    name_thread( "Render thread" );
    rng_t r( g_p.seed ^ 0x52454e44 );
    for( ;; )
    {
        int draws;
        {
            std::unique_lock<LockableBase( std::mutex )> lk( g_renderQueueMutex );
            g_rcv.wait( lk, [] { return g_stop.load() || g_submitted > g_rendered; } );
            if( g_submitted == g_rendered ) return;
            draws = g_drawCalls;
        }
        {
            ZoneScopedN( "Render::Frame" );
            {
                ZoneScopedN( "Render::SubmitDrawCalls" );
                ZoneValue( draws );
                cpu_ms( 4.2 * draws / 1800.0 );
            }
            {
                ZoneScopedN( "Render::UploadConstants" );
                cpu_ms( r( 0.9 ) );
            }
            {
                ZoneScopedN( "Render::Present" );
                cpu_ms( r( 1.3 ) );
            }
        }
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_renderQueueMutex );
            g_rendered++;
        }
        g_rcv.notify_all();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Audio thread: the device asks for 512 samples every 10.667 ms

void audio_main()
{
    name_thread( "Audio mixer" );
    rng_t r( g_p.seed ^ 0x41554449 );
    const int64_t period = 10666667;
    int64_t next = now_ns() + period;
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            {
                ZoneScopedN( "Audio::MixVoices" );
                cpu_ms( r( 1.1 ) );
            }
            {
                ZoneScopedN( "Audio::ApplyReverb" );
                cpu_ms( r( 0.7 ) );
            }
        }
        sleep_until_ns( next );
        next += period;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main thread

struct frame_plan
{
    double input, net, ai, broad, solve, anim, kick, ui, build;
    std::vector<job> jobs;
    int entities, draws;
};

void make_plan( rng_t& r, int frame, bool burst, int& chunk, frame_plan& p )
{
    p.input = r( 0.3 );
    p.net = r( 0.5, 0.2 );
    p.ai = r( 1.2, 0.3 );   // noisy, but the same sequence in every run
    p.broad = r( 0.8 );
    p.solve = r( 2.0, 0.08 ) * g_p.solve_scale;
    p.anim = r( 1.0 );
    p.kick = r( 0.2 );
    p.ui = r( 0.6 );
    p.entities = 1180 + r.range( -40, 40 );
    p.draws = 1800 + r.range( -90, 90 );
    p.build = 3.0 * p.draws / 1800.0;   // big but steady
    p.jobs.clear();
    p.jobs.push_back( { JOB_FRUSTUM, r( 1.0 ), 0 } );
    p.jobs.push_back( { JOB_OCCLUSION, r( 0.8 ), 0 } );
    p.jobs.push_back( { JOB_SKINNING, r( 1.5 ), 0 } );
    p.jobs.push_back( { JOB_SKINNING, r( 1.5 ), 1 } );
    p.jobs.push_back( { JOB_PARTICLES, r( 1.2 ), 0 } );
    p.jobs.push_back( { JOB_CLOTH, r( 1.0 ), 0 } );
    p.jobs.push_back( { JOB_LIGHTS, r( 0.9 ), 0 } );
    if( burst || ( frame % 90 == 45 ) )
        p.jobs.push_back( { JOB_STREAM, r( burst ? 3.5 : 2.5, 0.1 ), chunk++ } );
}

void game_frame( const frame_plan& p, bool autosave )
{
    ZoneScopedN( "Game::Frame" );
    {
        ZoneScopedN( "Input::Poll" );
        cpu_ms( p.input );
    }
    {
        ZoneScopedN( "Net::ProcessPackets" );
        cpu_ms( p.net );
    }
    {
        ZoneScopedN( "Game::Update" );
        {
            ZoneScopedN( "AI::Think" );
            cpu_ms( p.ai );
        }
        {
            ZoneScopedN( "Physics::Step" );
            {
                ZoneScopedN( "Physics::Broadphase" );
                cpu_ms( p.broad );
            }
            {
                ZoneScopedN( "Physics::Solve" );
                cpu_ms( p.solve );
            }
        }
        {
            ZoneScopedN( "Anim::Update" );
            cpu_ms( p.anim );
        }
    }
    {
        ZoneScopedN( "Jobs::Kick" );
        cpu_ms( p.kick );
        {
            std::lock_guard<std::mutex> lk( g_qm );
            for( const job& j : p.jobs ) g_queue.push_back( j );
            g_pending += (int)p.jobs.size();
        }
        g_qcv.notify_all();
    }
    {
        ZoneScopedN( "UI::Update" );
        cpu_ms( p.ui );
    }
    {
        ZoneScopedN( "Jobs::Wait" );
        std::unique_lock<std::mutex> lk( g_qm );
        g_donecv.wait( lk, [] { return g_pending == 0; } );
    }
    if( autosave )
    {
        ZoneScopedN( "Save::WriteSnapshot" );
        cpu_ms( 22.0 );
        message( "Autosave complete: slot 2 (1.8 MB)" );
    }
    {
        ZoneScopedN( "Render::BuildCommands" );
        ZoneValue( p.draws );
        cpu_ms( p.build );
    }
    {
        ZoneScopedN( "Render::Handoff" );
        std::unique_lock<LockableBase( std::mutex )> lk( g_renderQueueMutex );
        g_rcv.wait( lk, [] { return g_submitted == g_rendered; } );   // one frame in flight
        g_drawCalls = p.draws;
        g_submitted++;
    }
    g_rcv.notify_all();
    TracyPlot( "entities", (int64_t)p.entities );
    TracyPlot( "draw calls", (int64_t)p.draws );
    TracyPlot( "jobs per frame", (int64_t)p.jobs.size() );
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: clockgame regress|mixed a|b  |  clockgame throttle\n" );
        return 2;
    }
    g_p.scenario = argv[1];
    g_p.variant = argc > 2 ? argv[2] : "";
    if( g_p.scenario == "regress" )
    {
        g_p.clock = g_p.variant == "b" ? 1.3 : 1.0;
    }
    else if( g_p.scenario == "mixed" )
    {
        g_p.clock = g_p.variant == "b" ? 1.2 : 1.0;
        g_p.solve_scale = g_p.variant == "b" ? 2.0 : 1.0;
    }
    else if( g_p.scenario == "throttle" )
    {
        g_p.frames = 0;
        g_p.seconds = 45.0;
        g_p.throttle = true;
        g_p.area_burst = true;
        g_p.autosave_frame = -1;
        g_p.autosave_s = 31.0;
    }
    else
    {
        fprintf( stderr, "unknown scenario %s\n", argv[1] );
        return 2;
    }

    name_thread( "Main thread" );
    TracyAppInfo( g_p.app, strlen( g_p.app ) );
    g_t0 = now_ns();
    std::this_thread::sleep_for( std::chrono::milliseconds( 200 ) );   // let the profiler connect

    std::vector<std::thread> threads;
    for( int i = 0; i < 3; i++ ) threads.emplace_back( worker_main, i );
    threads.emplace_back( render_main );
    threads.emplace_back( audio_main );

    rng_t r( g_p.seed );
    frame_plan plan;
    int chunk = 0;
    {
        ZoneScopedN( "Game::LoadLevel" );
        cpu_ms( 120.0 );
        message( "Level 'old_town' loaded: 1180 entities, 212 MB resident" );
        message( "Renderer: DX12-compatible backend, vsync off (benchmark mode), 2560x1440" );
    }
    FrameMark;
    g_t0 = now_ns();   // scenario clock starts at the first game frame

    bool entered = false, saved = false;
    for( int frame = 0;; frame++ )
    {
        const double t = elapsed_s();
        if( g_p.frames > 0 && frame >= g_p.frames ) break;
        if( g_p.frames == 0 && t >= g_p.seconds ) break;
        bool burst = false;
        if( g_p.area_burst && t >= 14.5 && t < 16.5 )
        {
            burst = true;
            if( !entered )
            {
                entered = true;
                message( "Entering area 'harbor_district': streaming 120 chunks" );
            }
        }
        else if( entered && burst == false && g_p.area_burst && t >= 16.5 && t < 16.6 )
        {
            static bool once = false;
            if( !once )
            {
                once = true;
                message( "Area 'harbor_district' streamed in (%d chunks)", chunk );
            }
        }
        make_plan( r, frame, burst, chunk, plan );
        bool autosave = false;
        if( g_p.autosave_frame >= 0 && frame == g_p.autosave_frame ) autosave = true;
        if( g_p.autosave_s > 0 && !saved && t >= g_p.autosave_s ) autosave = saved = true;
        game_frame( plan, autosave );
        FrameMark;
        if( frame % 600 == 300 ) message( "Settings: quality preset 'High', draw distance 1200 m" );
    }

    {
        std::lock_guard<std::mutex> lk( g_qm );
        g_stop = true;
    }
    g_qcv.notify_all();
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_renderQueueMutex );
    }
    g_rcv.notify_all();
    for( auto& th : threads ) th.join();
    message( "Shutdown" );
    return 0;
}
