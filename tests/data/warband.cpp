// warband: a small real-time-tactics game loop at 60 Hz with vsync-like pacing, instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   "Main thread"    the game loop: Game::Frame > Input::Poll, Net::ProcessPackets, Jobs::Dispatch, Streaming::Poll,
//                    AI::UpdateSquads, Nav::UpdateFlowField (every 3rd frame), Physics::Step (> Physics::Broadphase,
//                    Physics::SolveContacts, Physics::Integrate), Gameplay::UpdateEntities, Jobs::Wait,
//                    Camera::Update, Render::BuildCommandLists, UI::Update, Render::Present (sleeps to the next
//                    16.667 ms vblank boundary; a frame whose work ends after a boundary waits for the next one),
//                    then FrameMark.
//   "Render thread"  Render::WaitForWork, Render::ExecuteFrame (> Render::ShadowPass, Render::MainPass,
//                    Render::PostFX) for the command lists the main thread pushed (lock Render::QueueMutex).
//   "job-0", "job-1" Anim::SampleClips / Particles::Simulate jobs dispatched at the start of each frame.
//   "Audio"          Audio::Mix every 10 ms.
//   "Loader"         Asset::LoadPackage (> Asset::ReadFile, Asset::DecodeTexture) with long-tailed durations.
// Memory: pool "FrameArena" (two blocks per frame, freed at the end of the frame). Plots: "squads updated",
// "draw calls", "streaming requests".
//
// Usage: warband <scenario> [a|b]
//   alternating  AI::UpdateSquads runs every other frame (5.3 ms): those frames' work (~17.9 ms) misses the vblank,
//                so frame times alternate 16.7 / 33.3 ms (~40 fps average).
//   jitter       Streaming::Poll is usually 0.3-0.9 ms but ~8% of frames (random) take 4.5-11 ms: those frames miss
//                the vblank (33.3 ms); everything else fits in ~13 ms.
//   regress a    baseline (~15.4 ms of work per frame, 60 fps)
//   regress b    Physics::SolveContacts 1.8 -> 3.3 ms: work ~16.9 ms > 16.667, every frame 33.3 ms (30 fps).
//                Distractors: Render::ExecuteFrame +2.5 ms on the render thread, Anim::SampleClips +1 ms on job-0
//                (both off the main thread's critical path).
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see /work/team/bin/record.sh).
// Main-thread durations are scheduled from the frame's vblank boundary (each zone ends at its planned time, or after
// at least half its planned length if the thread is late), so the frame's total work is predictable on a loaded box.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cmath>
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

#include <pthread.h>
#include <sched.h>
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

void spin_until( int64_t t )
{
    double x = 1.0;
    while( now_ns() < t )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

// Sleep to just before t, then spin to t.
void work_until( int64_t t )
{
    const int64_t d = t - now_ns();
    if( d > 60000 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d - 40000 ) );
    spin_until( t );
}

void busy_ms( double ms ) { work_until( now_ns() + (int64_t)( ms * 1e6 ) ); }

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    double scale = 1.0;   // regress: 0.25 (tighter per-zone noise)
    double jit( double base, double pct = 0.04 ) { return base * uni( 1.0 - pct * scale, 1.0 + pct * scale ); }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
    double expo( double mean ) { return std::exponential_distribution<double>( 1.0 / mean )( g ); }
    bool chance( double p ) { return uni( 0.0, 1.0 ) < p; }
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
// Scenario parameters (ms)

struct params
{
    std::string scenario;
    uint32_t seed = 0x77617262;
    double seconds = 6.0;
    const char* app = "warband 0.9.3 (build 4411)";

    double input = 0.3, net = 0.6, dispatch = 0.1;
    double stream_lo = 0.3, stream_hi = 0.9;
    double stream_tail_p = 0.0;          // jitter: probability of a long Streaming::Poll
    double stream_tail_min = 5.8, stream_tail_mean = 1.6, stream_tail_max = 11.0;
    double ai = 3.0;                     // AI::UpdateSquads
    int ai_every = 1;                    // alternating: 2
    double nav = 0.0;                    // Nav::UpdateFlowField every 3rd frame
    double broad = 0.7, solve = 1.8, integ = 0.4;
    double phys_var = 0.0;               // jitter: uniform +- on SolveContacts
    double gameplay = 1.9, camera = 0.2, build_cl = 4.6, ui = 0.8;
    double anim = 4.0, particles = 3.5;  // jobs
    double render_exec = 8.0;            // render thread
    double jit_scale = 1.0;
};

params g_p;

// ---------------------------------------------------------------------------------------------------------------
// Main-thread schedule: each zone ends at its planned time relative to the vblank boundary.

struct schedule_t
{
    int64_t cur;
    void step( double ms )
    {
        const int64_t dur = (int64_t)( ms * 1e6 );
        const int64_t n = now_ns();
        cur = std::max( cur + dur, n + dur / 2 );
        work_until( cur );
    }
};

// ---------------------------------------------------------------------------------------------------------------
// Jobs (job-0: Anim::SampleClips, job-1: Particles::Simulate)

struct job_slot
{
    std::mutex m;
    std::condition_variable cv;
    int64_t dispatched = 0;   // ns of dispatch; 0 = none pending
    uint64_t frame = 0;
    bool done = true;
};

job_slot g_jobs[2];
std::mutex g_done_m;
std::condition_variable g_done_cv;

void job_thread( int idx )
{
    name_thread( idx == 0 ? "job-0" : "job-1" );
    rng_t r( g_p.seed * 31 + idx );
    job_slot& s = g_jobs[idx];
    for( ;; )
    {
        int64_t t0;
        uint64_t frame;
        {
            std::unique_lock<std::mutex> lk( s.m );
            s.cv.wait( lk, [&] { return s.dispatched != 0 || g_stop.load(); } );
            if( s.dispatched == 0 ) return;
            t0 = s.dispatched;
            frame = s.frame;
            s.dispatched = 0;
        }
        if( idx == 0 )
        {
            ZoneScopedN( "Anim::SampleClips" );
            ZoneValue( frame );
            const int64_t dur = (int64_t)( r.jit( g_p.anim ) * 1e6 );
            work_until( std::max( t0 + dur, now_ns() + dur / 2 ) );
        }
        else
        {
            ZoneScopedN( "Particles::Simulate" );
            ZoneValue( frame );
            const int64_t dur = (int64_t)( r.jit( g_p.particles ) * 1e6 );
            work_until( std::max( t0 + dur, now_ns() + dur / 2 ) );
        }
        {
            std::lock_guard<std::mutex> lk( s.m );
            s.done = true;
        }
        {
            std::lock_guard<std::mutex> lk( g_done_m );
        }
        g_done_cv.notify_all();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Render thread

TracyLockableN( std::mutex, g_render_q_mutex, "Render::QueueMutex" );
std::condition_variable_any g_render_cv;
uint64_t g_render_pending = 0;   // frame number of the newest command lists, 0 = none
int g_render_drawcalls = 0;

void render_thread()
{
    name_thread( "Render thread" );
    rng_t r( g_p.seed * 7 + 3 );
    for( ;; )
    {
        uint64_t frame = 0;
        int draws = 0;
        {
            ZoneScopedN( "Render::WaitForWork" );
            std::unique_lock<LockableBase( std::mutex )> lk( g_render_q_mutex );
            g_render_cv.wait( lk, [&] { return g_render_pending != 0 || g_stop.load(); } );
            if( g_render_pending == 0 ) return;
            frame = g_render_pending;
            draws = g_render_drawcalls;
            g_render_pending = 0;
        }
        ZoneScopedN( "Render::ExecuteFrame" );
        ZoneValue( frame );
        const double total = r.jit( g_p.render_exec, 0.03 );
        const double shadow = total * 0.35, post = 1.2;
        {
            ZoneScopedN( "Render::ShadowPass" );
            busy_ms( shadow );
        }
        {
            ZoneScopedN( "Render::MainPass" );
            ZoneValue( draws );
            busy_ms( total - shadow - post );
        }
        {
            ZoneScopedN( "Render::PostFX" );
            busy_ms( post );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Audio and loader threads (distractors)

void audio_thread()
{
    name_thread( "Audio" );
    rng_t r( g_p.seed * 13 + 5 );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            ZoneValue( r.range( 18, 26 ) );
            busy_ms( r.jit( 1.2, 0.1 ) );
        }
        next += 10000000;
        work_until( next );
    }
}

const char* const kAssets[] = {
    "textures/terrain_ash_07.ktx2", "textures/rock_cliff_02.ktx2", "meshes/squad_infantry_a.mesh",
    "textures/banner_red.ktx2",     "audio/ambience_canyon.ogg",   "textures/sky_dusk_hdr.ktx2",
    "meshes/siege_tower.mesh",      "textures/foliage_scrub_03.ktx2",
};

void loader_thread()
{
    name_thread( "Loader" );
    rng_t r( g_p.seed * 17 + 9 );
    int n = 0;
    while( !g_stop.load() )
    {
        const char* a = kAssets[r.range( 0, 7 )];
        {
            ZoneScopedN( "Asset::LoadPackage" );
            ZoneText( a, strlen( a ) );
            {
                ZoneScopedN( "Asset::ReadFile" );
                busy_ms( r.uni( 1.0, 3.0 ) );
            }
            {
                ZoneScopedN( "Asset::DecodeTexture" );
                // long-tailed: mostly 2-6 ms, sometimes 20-45 ms (off the main thread)
                double d = r.chance( 0.15 ) ? r.uni( 20.0, 45.0 ) : r.uni( 2.0, 6.0 );
                busy_ms( d );
            }
        }
        if( ( ++n % 6 ) == 0 ) message( "Loader: %s resident (%d packages)", a, n );
        // idle between packages (in short naps so that shutdown is quick)
        const int64_t wake = now_ns() + (int64_t)r.range( 30, 90 ) * 1000000;
        while( !g_stop.load() && now_ns() < wake ) std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main loop

int run()
{
    params& p = g_p;
    TracyAppInfo( p.app, strlen( p.app ) );
    message( "%s starting: Vulkan 1.3, 1920x1080, vsync on (60 Hz)", p.app );
    rng_t r( p.seed );
    r.scale = p.jit_scale;

    std::thread jt0( job_thread, 0 ), jt1( job_thread, 1 ), rt( render_thread ), at( audio_thread ),
        lt( loader_thread );
    // The game loop's thread only (spawned threads keep the normal policy): steadier vblank pacing on a busy box.
    {
        sched_param sp{};
        sp.sched_priority = 5;
        if( pthread_setschedparam( pthread_self(), SCHED_FIFO, &sp ) != 0 )
            fprintf( stderr, "warband: SCHED_FIFO not available, running at normal priority\n" );
    }

    {
        ZoneScopedN( "Game::Init" );
        busy_ms( 20.0 );
        message( "Level 'ashfall_canyon' ready: 48 squads, 1312 entities" );
    }

    const int64_t t0 = now_ns();
    int64_t boundary = t0;
    FrameMark;
    const int64_t end_at = t0 + (int64_t)( p.seconds * 1e9 );
    uint64_t frame = 0;
    int missed = 0;
    int pending_requests = 4;
    while( now_ns() < end_at )
    {
        frame++;
        schedule_t s{ boundary };
        {
            ZoneScopedN( "Game::Frame" );
            ZoneValue( frame );
            void* arena0 = malloc( 256 * 1024 );
            TracyAllocN( arena0, 256 * 1024, "FrameArena" );
            {
                ZoneScopedN( "Input::Poll" );
                s.step( r.jit( p.input ) );
            }
            {
                ZoneScopedN( "Net::ProcessPackets" );
                ZoneValue( r.range( 3, 9 ) );
                s.step( r.jit( p.net ) );
            }
            {
                ZoneScopedN( "Jobs::Dispatch" );
                const int64_t t = now_ns();
                for( int i = 0; i < 2; i++ )
                {
                    std::lock_guard<std::mutex> lk( g_jobs[i].m );
                    g_jobs[i].dispatched = t;
                    g_jobs[i].frame = frame;
                    g_jobs[i].done = false;
                }
                g_jobs[0].cv.notify_one();
                g_jobs[1].cv.notify_one();
                s.step( p.dispatch );
            }
            {
                ZoneScopedN( "Streaming::Poll" );
                double d;
                int completed;
                pending_requests += r.range( 0, 2 );
                if( p.stream_tail_p > 0 && r.chance( p.stream_tail_p ) )
                {
                    d = std::min( p.stream_tail_min + r.expo( p.stream_tail_mean ), p.stream_tail_max );
                    completed = std::min( pending_requests, r.range( 6, 14 ) );
                }
                else
                {
                    d = r.uni( p.stream_lo, p.stream_hi );
                    completed = std::min( pending_requests, p.stream_tail_p > 0 ? r.range( 0, 1 )
                                                                                : r.range( 0, 2 ) + ( pending_requests > 8 ) );
                }
                ZoneValue( completed );
                pending_requests -= completed;
                TracyPlot( "streaming requests", (int64_t)pending_requests );
                if( completed >= 6 )
                    message( "Streaming: %d sector requests completed, residency table patched", completed );
                s.step( d );
            }
            const bool ai_frame = ( frame % p.ai_every ) == 0;
            if( ai_frame )
            {
                ZoneScopedN( "AI::UpdateSquads" );
                ZoneValue( 48 );
                s.step( r.jit( p.ai ) );
            }
            TracyPlot( "squads updated", (int64_t)( ai_frame ? 48 : 0 ) );
            if( p.nav > 0 && ( frame % 3 ) == 0 )
            {
                ZoneScopedN( "Nav::UpdateFlowField" );
                s.step( r.jit( p.nav ) );
            }
            {
                ZoneScopedN( "Physics::Step" );
                {
                    ZoneScopedN( "Physics::Broadphase" );
                    s.step( r.jit( p.broad ) );
                }
                {
                    ZoneScopedN( "Physics::SolveContacts" );
                    const int contacts = r.range( 380, 460 );
                    ZoneValue( contacts );
                    double d = r.jit( p.solve, 0.03 );
                    if( p.phys_var > 0 ) d = p.solve + r.uni( -p.phys_var, p.phys_var );
                    s.step( d );
                }
                {
                    ZoneScopedN( "Physics::Integrate" );
                    s.step( r.jit( p.integ ) );
                }
            }
            {
                ZoneScopedN( "Gameplay::UpdateEntities" );
                ZoneValue( 1312 );
                s.step( r.jit( p.gameplay ) );
            }
            {
                ZoneScopedN( "Jobs::Wait" );
                std::unique_lock<std::mutex> lk( g_done_m );
                g_done_cv.wait( lk, [&] {
                    bool all = true;
                    for( int i = 0; i < 2; i++ )
                    {
                        std::lock_guard<std::mutex> l2( g_jobs[i].m );
                        all = all && g_jobs[i].done;
                    }
                    return all;
                } );
                s.cur = std::max( s.cur, now_ns() );
            }
            {
                ZoneScopedN( "Camera::Update" );
                s.step( r.jit( p.camera ) );
            }
            void* arena1 = malloc( 128 * 1024 );
            TracyAllocN( arena1, 128 * 1024, "FrameArena" );
            {
                ZoneScopedN( "Render::BuildCommandLists" );
                const int draws = r.range( 2100, 2400 );
                ZoneValue( draws );
                TracyPlot( "draw calls", (int64_t)draws );
                s.step( r.jit( p.build_cl, 0.03 ) );
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_render_q_mutex );
                    g_render_pending = frame;
                    g_render_drawcalls = draws;
                }
                g_render_cv.notify_one();
            }
            {
                ZoneScopedN( "UI::Update" );
                s.step( r.jit( p.ui ) );
            }
            TracyFreeN( arena1, "FrameArena" );
            free( arena1 );
            TracyFreeN( arena0, "FrameArena" );
            free( arena0 );
            {
                ZoneScopedN( "Render::Present" );
                const int64_t n = now_ns();
                int64_t k = ( n - t0 ) / kVblankNs + 1;
                int64_t next = t0 + k * kVblankNs;
                if( next - boundary > kVblankNs + kVblankNs / 2 ) missed++;
                work_until( next );
                boundary = next;
            }
        }
        FrameMark;
    }
    message( "Shutting down after %llu frames (%d presented late)", (unsigned long long)frame, missed );

    g_stop.store( true );
    for( int i = 0; i < 2; i++ )
    {
        std::lock_guard<std::mutex> lk( g_jobs[i].m );
        g_jobs[i].cv.notify_all();
    }
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_render_q_mutex );
    }
    g_render_cv.notify_all();
    jt0.join();
    jt1.join();
    rt.join();
    at.join();
    lt.join();
    return 0;
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    const std::string v = argc > 2 ? argv[2] : "";
    name_thread( "Main thread" );
    params& p = g_p;
    p.scenario = s;
    if( getenv( "WARBAND_SECONDS" ) ) p.seconds = atof( getenv( "WARBAND_SECONDS" ) );
    if( s == "alternating" )
    {
        // non-AI frames ~13.2 ms (14.2 with the flow field), AI frames +5.3 ms -> ~18.5 ms: miss every other vblank
        p.seed ^= 1;
        p.ai = 5.3;
        p.ai_every = 2;
        p.nav = 1.0;
        p.gameplay = 2.5;
        p.build_cl = 4.6;
        p.render_exec = 9.0;
    }
    else if( s == "jitter" )
    {
        // ~13.5 ms + Streaming::Poll (0.3-0.9 ms, or 4.5-11 ms in ~8% of frames)
        p.seed ^= 2;
        p.stream_tail_p = 0.08;
        p.stream_tail_min = 4.5;
        p.phys_var = 0.45;
        p.gameplay = 1.6;
        p.build_cl = 4.0;
        p.render_exec = 8.5;
    }
    else if( s == "regress" && ( v == "a" || v == "b" ) )
    {
        p.seed ^= 3;
        p.seconds = 6.0;
        // a: ~15.4 ms of work (1.3 ms of slack, so scheduling noise does not push frames over); b: ~16.9 ms, just
        // over the vblank (noise can only make b's frames later, never earlier).
        p.stream_lo = 0.55;
        p.stream_hi = 0.65;
        p.gameplay = 2.3;
        p.jit_scale = 0.25;
        if( v == "b" )
        {
            p.app = "warband 0.9.4 (build 4473)";
            p.solve = 3.3;          // the regression: +1.5 ms on the main thread
            p.render_exec = 10.5;   // distractor: +2.5 ms on the render thread (not on the critical path)
            p.anim = 5.0;           // distractor: +1 ms on job-0 (finished before Jobs::Wait either way)
        }
    }
    else
    {
        fprintf( stderr, "usage: warband alternating|jitter|regress a|regress b\n" );
        return 2;
    }
    const int rc = run();
    printf( "warband %s %s: done\n", s.c_str(), v.c_str() );
    return rc;
}
