// physgame: a 60 Hz action game built on a physics middleware, instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project). Zones are named by subsystem prefix.
//
// Threads:
//   "Main thread"   per frame: Game::Tick > Input::Poll, Phys::Simulate (> Phys::Broadphase; then kicks the
//                   islands to the workers), Script::Update (> Script::RunEvent, ZoneText = event name;
//                   "OnAIThink" does line-of-sight queries: Phys::RaycastBatch), Script::CollectGarbage,
//                   Phys::FetchResults (blocks until the workers have solved every island, then
//                   > Phys::SyncTransforms), Anim::Update (> Anim::UpdateStateMachines, kicks 4 character batches to
//                   the workers, waits, > Anim::ApplyRootMotion), Audio::UpdateEmitters, Render::PrepareFrame
//                   (kicks 3 cull jobs, waits), Render::SubmitFrame; then Game::WaitForVSync (sleeps to the next
//                   16.667 ms vblank) and FrameMark.
//   "Worker 0..2"   job workers: Phys::SolveIsland (ZoneText = island), Anim::SampleClips / Anim::BlendPoses /
//                   Anim::SolveIK (one batch job = the three in a row; ZoneText = batch), Render::CullObjects.
//   "Render thread" Render::Frame (ZoneText = frame) > Render::BuildShadowMaps, Render::DrawOpaque,
//                   Render::PostProcess, Render::DrawUI; Render::Present.
//   "Audio"         Audio::Mix every 5.333 ms (> Audio::DecodeStreams, Audio::ApplyDSP); one Audio::LoadBank (30 ms).
//
// Usage: physgame <scenario> [a|b]
//   budget        baseline game (the question is how much of the frame physics takes)
//   script_spike  every 36-44 frames the script event "OnQuestUpdate" runs for ~25 ms (frame -> 33 ms)
//   regress a     baseline build
//   regress b     animation 1.5x slower overall, spread over 5 zones: UpdateStateMachines 1.3x, SampleClips 1.4x,
//                 BlendPoses 1.6x, SolveIK 1.8x, ApplyRootMotion 1.5x; distractors: Render::BuildShadowMaps 0.8x,
//                 Render::DrawOpaque 1.08x
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see /work/team/bin/record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them.

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
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyMessage( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ) );
}

#define ZONE_TEXTF( zone, ... )                                           \
    do                                                                    \
    {                                                                     \
        char zbuf_[96];                                                   \
        const int zn_ = snprintf( zbuf_, sizeof( zbuf_ ), __VA_ARGS__ ); \
        zone.Text( zbuf_, (size_t)zn_ );                                  \
    } while( 0 )

// ---------------------------------------------------------------------------------------------------------------

struct params
{
    std::string scenario;
    uint32_t seed = 0x70687973;
    int frames = 360;
    bool quest_spike = false;
    // animation cost multipliers (regress b)
    double anim_fsm = 1.0, anim_sample = 1.0, anim_blend = 1.0, anim_ik = 1.0, anim_root = 1.0;
    double shadows = 1.0, opaque = 1.0;
};

params g_p;

// ---------------------------------------------------------------------------------------------------------------
// Job system: one queue, 3 workers; a job group counts its unfinished jobs.

struct job_group
{
    std::mutex m;
    std::condition_variable cv;
    int remaining = 0;
    void add( int n )
    {
        std::lock_guard<std::mutex> lk( m );
        remaining += n;
    }
    void done()
    {
        std::lock_guard<std::mutex> lk( m );
        if( --remaining == 0 ) cv.notify_all();
    }
    void wait()
    {
        std::unique_lock<std::mutex> lk( m );
        cv.wait( lk, [this] { return remaining == 0; } );
    }
};

struct job
{
    std::function<void( rng_t& )> fn;
    job_group* group;
};

struct job_queue
{
    std::mutex m;
    std::condition_variable cv;
    std::deque<job> q;
    bool stop = false;
} g_jobs;

void submit( job_group& g, std::vector<std::function<void( rng_t& )>> fns )
{
    g.add( (int)fns.size() );
    {
        std::lock_guard<std::mutex> lk( g_jobs.m );
        for( auto& f : fns ) g_jobs.q.push_back( job{ std::move( f ), &g } );
    }
    g_jobs.cv.notify_all();
}

void worker( int w )
{
    char nm[16];
    snprintf( nm, sizeof( nm ), "Worker %d", w );
    name_thread( nm );
    rng_t r( g_p.seed ^ ( 0x1000u * ( w + 1 ) ) );
    for( ;; )
    {
        job j;
        {
            std::unique_lock<std::mutex> lk( g_jobs.m );
            g_jobs.cv.wait( lk, [] { return g_jobs.stop || !g_jobs.q.empty(); } );
            if( g_jobs.q.empty() ) return;
            j = std::move( g_jobs.q.front() );
            g_jobs.q.pop_front();
        }
        j.fn( r );
        j.group->done();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Physics middleware

// island costs in ms (sum 7.0) and body counts
const double kIslandMs[9] = { 1.40, 1.10, 0.90, 0.80, 0.70, 0.60, 0.60, 0.50, 0.40 };
const int kIslandBodies[9] = { 96, 71, 58, 52, 44, 37, 36, 30, 24 };

job_group g_phys_group;

void phys_simulate( rng_t& r )
{
    ZoneScopedN( "Phys::Simulate" );
    busy_ms( r( 0.12 ) );  // integrate kinematic targets, update shapes
    {
        ZoneScopedN( "Phys::Broadphase" );
        busy_ms( r( 0.30 ) );
    }
    busy_ms( r( 0.05 ) );  // island generation
    std::vector<std::function<void( rng_t& )>> jobs;
    for( int i = 0; i < 9; i++ )
    {
        jobs.push_back( [i]( rng_t& rr ) {
            ZoneScopedN( "Phys::SolveIsland" );
            ZONE_TEXTF( ___tracy_scoped_zone, "island %d (%d bodies)", i, kIslandBodies[i] );
            busy_ms( rr( kIslandMs[i], 0.06 ) );
        } );
    }
    submit( g_phys_group, std::move( jobs ) );
}

void phys_fetch_results( rng_t& r )
{
    ZoneScopedN( "Phys::FetchResults" );
    g_phys_group.wait();  // blocks until every island is solved
    {
        ZoneScopedN( "Phys::SyncTransforms" );
        busy_ms( r( 0.25 ) );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Scripting VM

const char* const kQuestNames[] = { "The Drowned Crown", "Ashes of Varn", "A Debt in Silver", "The Lantern Road" };

void script_event( const char* ev, double ms, rng_t& r )
{
    ZoneScopedN( "Script::RunEvent" );
    ZoneText( ev, strlen( ev ) );
    busy_ms( r( ms ) );
}

void script_update( int frame, int& next_quest, int& quest_stage, rng_t& r )
{
    ZoneScopedN( "Script::Update" );
    script_event( "OnTick", 0.35, r );
    script_event( "OnPlayerInput", 0.18, r );
    {
        ZoneScopedN( "Script::RunEvent" );
        ZoneText( "OnAIThink", 9 );
        busy_ms( r( 0.12 ) );
        {
            ZoneScopedN( "Phys::RaycastBatch" );  // line-of-sight queries against the physics scene
            ZoneValue( 24 );
            busy_ms( r( 0.20 ) );
        }
        busy_ms( r( 0.06 ) );
    }
    if( g_p.quest_spike && frame == next_quest )
    {
        ZoneScopedN( "Script::RunEvent" );
        ZoneText( "OnQuestUpdate", 13 );
        busy_ms( r( 25.0, 0.04 ) );
        const int q = ( quest_stage / 3 ) % 4;
        message( "quest '%s' stage %d -> %d", kQuestNames[q], quest_stage % 3 + 1, quest_stage % 3 + 2 );
        quest_stage++;
        next_quest = frame + r.range( 36, 44 );
    }
    script_event( "OnUIRefresh", 0.12, r );
}

// ---------------------------------------------------------------------------------------------------------------
// Animation

job_group g_anim_group;

void anim_update( rng_t& r )
{
    ZoneScopedN( "Anim::Update" );
    {
        ZoneScopedN( "Anim::UpdateStateMachines" );
        busy_ms( r( 0.40 * g_p.anim_fsm ) );
    }
    std::vector<std::function<void( rng_t& )>> jobs;
    const int chars[4] = { 14, 12, 11, 9 };
    for( int b = 0; b < 4; b++ )
    {
        const int n = chars[b];
        const double k = n / 11.5;  // cost scales with characters in the batch
        jobs.push_back( [b, n, k]( rng_t& rr ) {
            {
                ZoneScopedN( "Anim::SampleClips" );
                ZONE_TEXTF( ___tracy_scoped_zone, "batch %d (%d characters)", b, n );
                busy_ms( rr( 0.35 * k * g_p.anim_sample ) );
            }
            {
                ZoneScopedN( "Anim::BlendPoses" );
                ZONE_TEXTF( ___tracy_scoped_zone, "batch %d (%d characters)", b, n );
                busy_ms( rr( 0.25 * k * g_p.anim_blend ) );
            }
            {
                ZoneScopedN( "Anim::SolveIK" );
                ZONE_TEXTF( ___tracy_scoped_zone, "batch %d (%d characters)", b, n );
                busy_ms( rr( 0.20 * k * g_p.anim_ik ) );
            }
        } );
    }
    submit( g_anim_group, std::move( jobs ) );
    g_anim_group.wait();
    {
        ZoneScopedN( "Anim::ApplyRootMotion" );
        busy_ms( r( 0.30 * g_p.anim_root ) );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

job_group g_cull_group;

struct render_mailbox
{
    std::mutex m;
    std::condition_variable cv;
    int frame = -1;  // newest submitted frame
    bool stop = false;
} g_rmb;

void render_prepare( rng_t& r )
{
    ZoneScopedN( "Render::PrepareFrame" );
    busy_ms( r( 0.30 ) );
    std::vector<std::function<void( rng_t& )>> jobs;
    const char* views[3] = { "main camera", "sun shadow cascades", "reflection probe" };
    const double cost[3] = { 0.70, 0.55, 0.35 };
    for( int i = 0; i < 3; i++ )
    {
        const char* v = views[i];
        const double c = cost[i];
        jobs.push_back( [v, c]( rng_t& rr ) {
            ZoneScopedN( "Render::CullObjects" );
            ZoneText( v, strlen( v ) );
            busy_ms( rr( c ) );
        } );
    }
    submit( g_cull_group, std::move( jobs ) );
    g_cull_group.wait();
    busy_ms( r( 0.15 ) );  // sort visible lists
}

void render_thread()
{
    name_thread( "Render thread" );
    rng_t r( g_p.seed ^ 0x5151u );
    int last = -1;
    for( ;; )
    {
        int f;
        {
            std::unique_lock<std::mutex> lk( g_rmb.m );
            g_rmb.cv.wait( lk, [&] { return g_rmb.stop || g_rmb.frame != last; } );
            if( g_rmb.frame == last ) return;
            f = g_rmb.frame;
        }
        last = f;
        {
            ZoneScopedN( "Render::Frame" );
            ZONE_TEXTF( ___tracy_scoped_zone, "frame %d", f );
            {
                ZoneScopedN( "Render::BuildShadowMaps" );
                busy_ms( r( 2.50 * g_p.shadows ) );
            }
            {
                ZoneScopedN( "Render::DrawOpaque" );
                busy_ms( r( 4.00 * g_p.opaque ) );
            }
            {
                ZoneScopedN( "Render::PostProcess" );
                busy_ms( r( 1.20 ) );
            }
            {
                ZoneScopedN( "Render::DrawUI" );
                busy_ms( r( 0.40 ) );
            }
        }
        {
            ZoneScopedN( "Render::Present" );
            busy_ms( r( 0.30 ) );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Audio

void audio_thread()
{
    name_thread( "Audio" );
    rng_t r( g_p.seed ^ 0xa0d10u );
    const int64_t period = 5333333;
    int64_t next = now_ns();
    int n = 0;
    bool loaded = false;
    const int64_t t0 = now_ns();
    while( !g_stop.load() )
    {
        if( !loaded && now_ns() - t0 > 2400000000ll )
        {
            ZoneScopedN( "Audio::LoadBank" );
            ZoneText( "music_combat.bank", 17 );
            busy_ms( r( 30.0, 0.02 ) );
            loaded = true;
            message( "audio: bank music_combat.bank loaded (18.4 MB)" );
            next = now_ns();
        }
        {
            ZoneScopedN( "Audio::Mix" );
            ZoneValue( (uint64_t)n );
            {
                ZoneScopedN( "Audio::DecodeStreams" );
                busy_ms( r( 0.25 ) );
            }
            {
                ZoneScopedN( "Audio::ApplyDSP" );
                busy_ms( r( 0.15 ) );
            }
            busy_ms( r( 0.05 ) );
        }
        n++;
        next += period;
        if( next < now_ns() ) next = now_ns();
        sleep_until_ns( next );
    }
}

// ---------------------------------------------------------------------------------------------------------------

void game_loop()
{
    rng_t r( g_p.seed );
    int next_quest = 37, quest_stage = 0;
    int64_t vblank = now_ns();
    for( int f = 1; f <= g_p.frames; f++ )
    {
        {
            ZoneScopedN( "Game::Tick" );
            ZoneValue( (uint64_t)f );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.15 ) );
            }
            phys_simulate( r );
            script_update( f, next_quest, quest_stage, r );
            {
                ZoneScopedN( "Script::CollectGarbage" );
                busy_ms( f % 100 == 50 ? r( 4.0 ) : r( 0.30 ) );  // incremental step; a full mark every 100 frames
            }
            phys_fetch_results( r );
            anim_update( r );
            {
                ZoneScopedN( "Audio::UpdateEmitters" );
                busy_ms( r( 0.15 ) );
            }
            render_prepare( r );
            {
                ZoneScopedN( "Render::SubmitFrame" );
                busy_ms( r( 0.10 ) );
                {
                    std::lock_guard<std::mutex> lk( g_rmb.m );
                    g_rmb.frame = f;
                }
                g_rmb.cv.notify_one();
            }
        }
        {
            ZoneScopedN( "Game::WaitForVSync" );
            vblank += kVblankNs;
            const int64_t t = now_ns();
            while( vblank < t ) vblank += kVblankNs;  // missed the vblank: wait for the next one
            sleep_until_ns( vblank );
        }
        FrameMark;
        if( f % 60 == 0 ) TracyPlot( "awake bodies", (int64_t)( 380 + r.range( 0, 60 ) ) );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: physgame budget|script_spike|regress a|regress b\n" );
        return 2;
    }
    g_p.scenario = argv[1];
    const std::string var = argc > 2 ? argv[2] : "";
    if( g_p.scenario == "budget" ) {}
    else if( g_p.scenario == "script_spike" ) g_p.quest_spike = true;
    else if( g_p.scenario == "regress" && ( var == "a" || var == "b" ) )
    {
        if( var == "b" )
        {
            g_p.anim_fsm = 1.3;
            g_p.anim_sample = 1.4;
            g_p.anim_blend = 1.6;
            g_p.anim_ik = 1.8;
            g_p.anim_root = 1.5;
            g_p.shadows = 0.8;
            g_p.opaque = 1.08;
        }
    }
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 2;
    }
    name_thread( "Main thread" );
    const char* ver = "physgame 0.9.4 (build 2291, Release) - physics: Havok-style SDK 2024.1, 3 solver threads";
    TracyAppInfo( ver, strlen( ver ) );
    message( "%s", ver );
    message( "world: harbor_district loaded, 412 rigid bodies in 9 islands, 46 animated characters" );

    std::vector<std::thread> th;
    for( int w = 0; w < 3; w++ ) th.emplace_back( worker, w );
    std::thread rt( render_thread );
    std::thread at( audio_thread );

    game_loop();

    message( "shutdown: %d frames", g_p.frames );
    g_stop = true;
    {
        std::lock_guard<std::mutex> lk( g_rmb.m );
        g_rmb.stop = true;
    }
    g_rmb.cv.notify_all();
    {
        std::lock_guard<std::mutex> lk( g_jobs.m );
        g_jobs.stop = true;
    }
    g_jobs.cv.notify_all();
    for( auto& t : th ) t.join();
    rt.join();
    at.join();
    return 0;
}
