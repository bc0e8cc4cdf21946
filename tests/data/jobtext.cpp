// jobtext: a 60 fps game with a generic job system, instrumented with Tracy (benchmark data for profiler-analysis
// tools; not part of any project). Every job, whatever it does, runs inside ONE zone `Jobs::Execute` whose ZoneText
// is the job's type ("Physics.Broadphase", "Anim.Sample", "AI.Plan", "Render.Cull", "Audio.Decode", ...). Only
// Physics.Broadphase has a zone inside (Physics::SweepAndPrune). Threads:
//   main ("Main thread")  Game::Frame > Input::Poll, Game::Update, Jobs::Dispatch, Jobs::WaitAll,
//                         Render::BuildCommandLists, Render::Submit, Render::Present (sleeps to the next 16.667 ms
//                         vblank), then FrameMark.
//   "Worker 0".."Worker 3"  job workers, one shared queue (Jobs::Execute, ZoneText = job type)
//   "Audio Mixer"         Audio::MixBlock every 5.33 ms (256 frames @ 48 kHz)
//   "Streaming"           Streaming::LoadChunk (ZoneText = file) every ~250 ms > Streaming::Read, Streaming::Inflate
// Plots: "jobs per frame", "job queue depth". Messages: level load, stream chunk loaded, etc.
//
// Usage: jobtext <scenario>
//   one_type       AI.Plan jobs cost 4 ms each (others 0.2-0.8 ms) and are dispatched last: the frame waits for them
//   worker_thread  Audio.Decode requests come from the mixer every 5.33 ms and are pinned to Worker 2
//   regress_a      baseline
//   regress_b      Render.Cull jobs cost 2.5x (same count); distractor: Anim.Sample split into 2x jobs at half cost
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
    double operator()( double base, double pct = 0.06 )
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

struct job_type
{
    const char* name;
    int count;   // per frame
    double ms;   // cost of one job
};

struct params
{
    std::string scenario;
    uint32_t seed = 0x6a6f6274;
    double seconds = 6.0;
    double ai_ms = 0.8;          // one_type: 4.0
    double cull_scale = 1.0;     // regress_b: 2.5
    bool anim_split = false;     // regress_b: Anim.Sample 16 x 0.15 ms instead of 8 x 0.3 ms
    bool pinned_audio = false;   // worker_thread
};

params g_p;

struct job
{
    const char* type;
    double ms;
    bool frame_job;
};

struct job_system
{
    std::mutex m;
    std::condition_variable cv, done_cv;
    std::deque<job> q;
    std::deque<job> pinned[4];
    int remaining = 0;
    bool stop = false;
};

job_system g_jobs;

void run_job( const job& j )
{
    ZoneScopedN( "Jobs::Execute" );
    ZoneText( j.type, strlen( j.type ) );
    if( j.type[0] == 'P' && strcmp( j.type, "Physics.Broadphase" ) == 0 )
    {
        busy_ms( j.ms * 0.2 );
        {
            ZoneScopedN( "Physics::SweepAndPrune" );
            busy_ms( j.ms * 0.7 );
        }
        busy_ms( j.ms * 0.1 );
        return;
    }
    busy_ms( j.ms );
}

void worker( int w )
{
    char nm[16];
    snprintf( nm, sizeof( nm ), "Worker %d", w );
    name_thread( nm );
    for( ;; )
    {
        job j;
        {
            std::unique_lock<std::mutex> lk( g_jobs.m );
            g_jobs.cv.wait( lk, [&] { return g_jobs.stop || !g_jobs.q.empty() || !g_jobs.pinned[w].empty(); } );
            if( !g_jobs.pinned[w].empty() )
            {
                j = g_jobs.pinned[w].front();
                g_jobs.pinned[w].pop_front();
            }
            else if( !g_jobs.q.empty() )
            {
                j = g_jobs.q.front();
                g_jobs.q.pop_front();
            }
            else
                return;
        }
        run_job( j );
        if( j.frame_job )
        {
            std::lock_guard<std::mutex> lk( g_jobs.m );
            if( --g_jobs.remaining == 0 ) g_jobs.done_cv.notify_all();
        }
    }
}

void audio_mixer()
{
    name_thread( "Audio Mixer" );
    rng_t r( g_p.seed ^ 0xa0d10u );
    const int64_t period = 5333333;
    int64_t next = now_ns();
    int block = 0;
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::MixBlock" );
            busy_ms( r( 0.9 ) );
            if( g_p.pinned_audio )
            {
                // the decoder for streamed voices runs on Worker 2 (it owns the codec state)
                ZoneScopedN( "Audio::RequestDecode" );
                std::lock_guard<std::mutex> lk( g_jobs.m );
                g_jobs.pinned[2].push_back( job{ "Audio.Decode", r( 1.5, 0.08 ), false } );
                g_jobs.cv.notify_all();
            }
        }
        if( ++block % 400 == 0 ) message( "Audio: %d voices active, %d blocks mixed", r.range( 18, 26 ), block );
        next += period;
        sleep_until_ns( next );
    }
}

void streaming()
{
    name_thread( "Streaming" );
    rng_t r( g_p.seed ^ 0x57e4u );
    static const char* files[] = { "harbor_district/terrain_07.pak", "harbor_district/props_12.pak",
                                   "harbor_district/npc_dockworkers.pak", "harbor_district/audio_ambience.pak",
                                   "harbor_district/terrain_08.pak", "harbor_district/lighting_probe_3.pak" };
    int i = 0;
    while( !g_stop.load() )
    {
        const char* f = files[i % 6];
        {
            ZoneScopedN( "Streaming::LoadChunk" );
            ZoneText( f, strlen( f ) );
            {
                ZoneScopedN( "Streaming::Read" );
                busy_ms( r( 6.0, 0.2 ) );
            }
            {
                ZoneScopedN( "Streaming::Inflate" );
                busy_ms( r( 2.5, 0.2 ) );
            }
        }
        message( "Streaming: loaded %s", f );
        i++;
        const int64_t until = now_ns() + (int64_t)( r( 250.0, 0.2 ) * 1e6 );
        while( !g_stop.load() && now_ns() < until ) std::this_thread::sleep_for( std::chrono::milliseconds( 5 ) );
    }
}

std::vector<job_type> frame_jobs()
{
    std::vector<job_type> t = {
        { "Physics.Broadphase", 2, 0.6 },
        { "Physics.Narrowphase", 4, 0.5 },
        { "Anim.Sample", 8, 0.3 },
        { "Anim.Blend", 4, 0.2 },
        { "Particles.Update", 4, 0.25 },
        { "Render.Cull", 6, 0.6 * g_p.cull_scale },
        { "Audio.Decode", 2, 0.4 },
        { "AI.Plan", 2, g_p.ai_ms },  // plans use this frame's physics and animation state: dispatched last
    };
    if( g_p.anim_split ) t[2] = { "Anim.Sample", 16, 0.15 };
    if( g_p.pinned_audio ) t.erase( t.begin() + 6 );  // audio decode is not a frame job there
    return t;
}

void game_loop()
{
    rng_t r( g_p.seed );
    const auto types = frame_jobs();
    int64_t vblank = now_ns();
    const int64_t end = vblank + (int64_t)( g_p.seconds * 1e9 );
    int frame = 0;
    int last_jobs = 0;
    while( now_ns() < end )
    {
        {
            ZoneScopedN( "Game::Frame" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.2 ) );
            }
            {
                ZoneScopedN( "Game::Update" );
                busy_ms( r( 1.2 ) );
            }
            int njobs = 0;
            {
                ZoneScopedN( "Jobs::Dispatch" );
                std::lock_guard<std::mutex> lk( g_jobs.m );
                for( const auto& t : types )
                    for( int i = 0; i < t.count; i++ )
                    {
                        g_jobs.q.push_back( job{ t.name, r( t.ms ), true } );
                        njobs++;
                    }
                g_jobs.remaining += njobs;
                g_jobs.cv.notify_all();
            }
            TracyPlot( "jobs per frame", (int64_t)njobs );
            last_jobs = njobs;
            {
                ZoneScopedN( "Jobs::WaitAll" );
                std::unique_lock<std::mutex> lk( g_jobs.m );
                g_jobs.done_cv.wait( lk, [] { return g_jobs.remaining == 0; } );
            }
            {
                ZoneScopedN( "Render::BuildCommandLists" );
                busy_ms( r( 2.6 ) );
            }
            {
                ZoneScopedN( "Render::Submit" );
                busy_ms( r( 0.5 ) );
            }
            {
                ZoneScopedN( "Render::Present" );
                int64_t now = now_ns();
                while( vblank <= now ) vblank += kVblankNs;
                sleep_until_ns( vblank );
            }
        }
        FrameMark;
        frame++;
        if( frame % 120 == 0 )
        {
            size_t depth;
            {
                std::lock_guard<std::mutex> lk( g_jobs.m );
                depth = g_jobs.q.size() + g_jobs.pinned[2].size();
            }
            TracyPlot( "job queue depth", (int64_t)depth );
            message( "Frame %d: %d jobs/frame, entities %d", frame, last_jobs, r.range( 1180, 1240 ) );
        }
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: jobtext one_type|worker_thread|regress_a|regress_b\n" );
        return 2;
    }
    g_p.scenario = argv[1];
    if( g_p.scenario == "one_type" )
        g_p.ai_ms = 4.0;
    else if( g_p.scenario == "worker_thread" )
        g_p.pinned_audio = true;
    else if( g_p.scenario == "regress_a" )
        ;
    else if( g_p.scenario == "regress_b" )
    {
        g_p.cull_scale = 2.5;
        g_p.anim_split = true;
    }
    else
    {
        fprintf( stderr, "unknown scenario %s\n", argv[1] );
        return 2;
    }
    name_thread( "Main thread" );
    {
        const char* info = "jobtext 0.9.3 (harbor_district)";
        TracyAppInfo( info, strlen( info ) );
    }
    message( "JobSystem: 4 workers, shared queue" );
    message( "Level loaded: harbor_district (1204 entities)" );

    std::vector<std::thread> threads;
    for( int w = 0; w < 4; w++ ) threads.emplace_back( worker, w );
    std::thread mixer( audio_mixer );
    std::thread streamer( streaming );

    game_loop();

    g_stop = true;
    mixer.join();
    streamer.join();
    {
        std::lock_guard<std::mutex> lk( g_jobs.m );
        g_jobs.stop = true;
        g_jobs.cv.notify_all();
    }
    for( auto& t : threads ) t.join();
    message( "Shutdown" );
    return 0;
}
