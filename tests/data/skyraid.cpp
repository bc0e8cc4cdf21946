// skyraid: a small vsync-paced 3D arcade shooter, instrumented with Tracy (benchmark data for profiler-analysis
// tools; not part of any project). Threads:
//   main ("Main thread")  the game loop at 60 Hz with vsync: Game::Frame > Input::Poll, World::Update
//                         (> Physics::Step > Physics::Broadphase / Physics::Solve, Particles::Simulate,
//                         AI::Update > AI::Perception / AI::Plan, Audio::Update, Gameplay::Triggers), Jobs::Kick,
//                         Renderer::BuildCommandLists (> Renderer::Cull, Renderer::EncodeDraws),
//                         Renderer::Present (sleeps to the next 16.667 ms vsync boundary), then FrameMark.
//   "Render thread"       RenderThread::WaitForFrame (blocked until main hands over the command lists), then
//                         RenderThread::Execute > RHI::SubmitDraws, RHI::UploadConstants.
//   "Job worker 0/1"      Anim::UpdateSkeletons jobs kicked each frame (not waited for by main);
//                         worker 1 also runs Streaming::LoadSector (150-260 ms) every ~1.5-2 s.
// Plots: "particles", "draw calls", "enemies". Messages: game events (explosions, waves, pickups, checkpoints).
//
// Usage: skyraid <scenario>
//   judder      explosions: while a debris cloud is alive the "particles" plot jumps to ~9-11k and
//               Particles::Simulate grows from ~1.3 ms to ~6 ms: the frame's CPU work goes to 17-19 ms and
//               misses the vsync boundary (33.3 ms frames) on roughly a third of the frames.
//   one_frame   at ~3 s the player reaches a checkpoint: Gameplay::Triggers runs Save::WriteCheckpoint
//               synchronously (~250 ms: Save::SerializeWorld, Save::Compress, Save::WriteFile) in one frame.
//   regress_a   baseline (AI::Update ~2.5 ms; work ~11 ms per frame)
//   regress_b   AI::Update ~5 ms (AI::Plan 2.5x), Audio::Update slightly faster; frames still 16.7 ms.
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

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

#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

constexpr int64_t kVsyncNs = 16666667;

volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

void sleep_until_ns( int64_t t )
{
    const int64_t d = t - now_ns();
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
}

// Emulated work: sleep to just before the deadline, then spin briefly (low CPU load on a shared machine).
void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    if( ms > 0.08 ) sleep_until_ns( end - 40000 );
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.04 )
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
    // steady timing on a busy machine: a low real-time priority if allowed (the threads mostly sleep)
    sched_param sp{};
    sp.sched_priority = 5;
    pthread_setschedparam( pthread_self(), SCHED_FIFO, &sp );
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
    uint32_t seed = 0x5a1d0b;
    double seconds = 6.0;
    bool judder = false;
    bool checkpoint = false;
    double ai_perception_ms = 0.9;
    double ai_plan_ms = 1.9;     // regress_b: 2x AI::Update
    double audio_ms = 0.7;       // regress_b: 0.55
    double physics_ms = 4.4;     // big steady distractor
    double build_ms = 2.6;       // Renderer::BuildCommandLists
};
params g_p;

// ---------------------------------------------------------------------------------------------------------------
// Render thread: executes the command lists main hands over each frame.

struct render_handoff
{
    std::mutex m;
    std::condition_variable cv;
    int pending = 0;
    int frame = 0;
    int draws = 0;
} g_render;

void render_thread()
{
    name_thread( "Render thread" );
    rng_t r( g_p.seed ^ 0x4e4d );
    for( ;; )
    {
        int draws, frame;
        {
            ZoneScopedN( "RenderThread::WaitForFrame" );
            std::unique_lock<std::mutex> lk( g_render.m );
            g_render.cv.wait( lk, [] { return g_render.pending > 0 || g_stop.load(); } );
            if( g_render.pending == 0 ) return;
            g_render.pending--;
            draws = g_render.draws;
            frame = g_render.frame;
        }
        ZoneScopedN( "RenderThread::Execute" );
        ZoneValue( (uint64_t)frame );
        {
            ZoneScopedN( "RHI::UploadConstants" );
            busy_ms( r( 0.8 ) );
        }
        {
            ZoneScopedN( "RHI::SubmitDraws" );
            busy_ms( r( 0.0021 * draws ) );  // ~4.2 ms for 2000 draws
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Job workers: skeleton jobs each frame; worker 1 streams level sectors now and then (a long job, off main).

struct job_t
{
    int kind;  // 0 skeletons, 1 streaming
    int arg;
};
std::mutex g_jobs_m;
std::condition_variable g_jobs_cv;
std::deque<job_t> g_jobs;
std::deque<job_t> g_stream_jobs;

void job_worker( int idx )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "Job worker %d", idx );
    name_thread( nm );
    rng_t r( g_p.seed + 97 * idx );
    for( ;; )
    {
        job_t j;
        {
            std::unique_lock<std::mutex> lk( g_jobs_m );
            g_jobs_cv.wait( lk, [idx] {
                return g_stop.load() || !g_jobs.empty() || ( idx == 1 && !g_stream_jobs.empty() );
            } );
            if( idx == 1 && !g_stream_jobs.empty() )
            {
                j = g_stream_jobs.front();
                g_stream_jobs.pop_front();
            }
            else if( !g_jobs.empty() )
            {
                j = g_jobs.front();
                g_jobs.pop_front();
            }
            else
                return;
        }
        if( j.kind == 0 )
        {
            ZoneScopedN( "Anim::UpdateSkeletons" );
            ZoneValue( (uint64_t)j.arg );
            busy_ms( r( 0.045 * j.arg ) );
        }
        else
        {
            ZoneScopedN( "Streaming::LoadSector" );
            char t[48];
            const int n = snprintf( t, sizeof( t ), "sector_%02d_%02d.pak", j.arg / 10, j.arg % 10 );
            ZoneText( t, n );
            const double total = r.uni( 150.0, 260.0 );
            {
                ZoneScopedN( "Streaming::ReadPak" );
                busy_ms( total * 0.35 );
            }
            {
                ZoneScopedN( "Streaming::DecodeTextures" );
                busy_ms( total * 0.55 );
            }
            {
                ZoneScopedN( "Streaming::RegisterAssets" );
                busy_ms( total * 0.10 );
            }
            message( "Streaming: sector %02d_%02d resident", j.arg / 10, j.arg % 10 );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Game state

struct game_t
{
    rng_t r{ 1 };
    int frame = 0;
    int enemies = 8;
    int wave = 1;
    // particles: a steady ambient count plus, in judder, debris clouds from explosions
    double ambient = 2000;
    int cloud_frames_left = 0;
    double cloud = 0;
    int next_explosion = 40;
    int small_left = 0;
    double small = 0;
    int next_small = 25;
    int next_stream = 50;
    int sector = 11;
    bool checkpoint_done = false;
    int next_pickup = 70;
};
game_t g;

const char* const kWeapons[] = { "rocket", "grenade", "barrel", "plasma mine" };
const char* const kPickups[] = { "health pack", "ammo crate", "shield cell", "rocket pod" };

double particle_count()
{
    return g.ambient + g.cloud + g.small;
}

void advance_particles()
{
    // debris clouds (judder only): a big cloud lives 6-12 frames, then burns out
    if( g_p.judder )
    {
        if( g.cloud_frames_left > 0 )
        {
            g.cloud_frames_left--;
            g.cloud *= g.r.uni( 0.97, 1.0 );
            if( g.cloud_frames_left == 0 ) g.cloud = 0;
        }
        else if( --g.next_explosion <= 0 )
        {
            g.cloud = g.r.uni( 9800, 11600 );
            g.cloud_frames_left = g.r.range( 6, 12 );
            g.next_explosion = g.r.range( 14, 24 );  // frames between clouds
            message( "Explosion: %s hit at (%d, %d), %d debris particles",
                     kWeapons[g.r.range( 0, 3 )], g.r.range( -400, 400 ), g.r.range( -400, 400 ), (int)g.cloud );
        }
    }
    // small muzzle-flash / spark bursts (all scenarios): +1-2k particles for a few frames, harmless
    if( g.small_left > 0 )
    {
        if( --g.small_left == 0 ) g.small = 0;
    }
    else if( --g.next_small <= 0 )
    {
        g.small = g.r.uni( 900, 1800 );
        g.small_left = g.r.range( 3, 6 );
        g.next_small = g.r.range( 12, 30 );
    }
    g.ambient = 2000 + 150 * std::sin( g.frame * 0.05 );
}

void save_checkpoint()
{
    ZoneScopedN( "Save::WriteCheckpoint" );
    ZoneText( "checkpoint_03_bridge.sav", 24 );
    {
        ZoneScopedN( "Save::SerializeWorld" );
        for( int i = 0; i < 6; i++ )
        {
            ZoneScopedN( "Save::SerializeEntities" );
            ZoneValue( (uint64_t)( 1800 + 150 * i ) );
            busy_ms( g.r( 27.0 ) );
        }
    }
    {
        ZoneScopedN( "Save::Compress" );
        busy_ms( g.r( 58.0 ) );
    }
    {
        ZoneScopedN( "Save::WriteFile" );
        busy_ms( g.r( 24.0 ) );
    }
    message( "Checkpoint saved: checkpoint_03_bridge.sav (4.1 MB)" );
}

void game_frame( int64_t epoch )
{
    ZoneScopedN( "Game::Frame" );
    ZoneValue( (uint64_t)g.frame );
    {
        ZoneScopedN( "Input::Poll" );
        busy_ms( g.r( 0.25 ) );
    }
    advance_particles();
    const double parts = particle_count();
    TracyPlot( "particles", (int64_t)parts );
    {
        ZoneScopedN( "World::Update" );
        {
            ZoneScopedN( "Physics::Step" );
            {
                ZoneScopedN( "Physics::Broadphase" );
                busy_ms( g.r( g_p.physics_ms * 0.35, 0.03 ) );
            }
            {
                ZoneScopedN( "Physics::Solve" );
                busy_ms( g.r( g_p.physics_ms * 0.65, 0.03 ) );
            }
        }
        {
            ZoneScopedN( "Particles::Simulate" );
            ZoneValue( (uint64_t)parts );
            busy_ms( 0.25 + parts * g.r( 0.00052, 0.03 ) );
        }
        {
            ZoneScopedN( "AI::Update" );
            ZoneValue( (uint64_t)g.enemies );
            {
                ZoneScopedN( "AI::Perception" );
                busy_ms( g.r( g_p.ai_perception_ms ) );
            }
            {
                ZoneScopedN( "AI::Plan" );
                busy_ms( g.r( g_p.ai_plan_ms ) );
            }
        }
        {
            ZoneScopedN( "Audio::Update" );
            busy_ms( g.r( g_p.audio_ms ) );
        }
        {
            ZoneScopedN( "Gameplay::Triggers" );
            busy_ms( g.r( 0.3 ) );
            if( --g.next_pickup <= 0 )
            {
                message( "Player picked up %s", kPickups[g.r.range( 0, 3 )] );
                g.next_pickup = g.r.range( 60, 110 );
            }
            if( g.frame % 100 == 60 )
            {
                g.wave++;
                g.enemies = 8 + 3 * g.wave;
                message( "Wave %d started: %d enemies", g.wave, g.enemies );
            }
            if( g_p.checkpoint && !g.checkpoint_done && g.frame == 183 )
            {
                g.checkpoint_done = true;
                message( "Checkpoint reached: 'Bridge' (checkpoint 3)" );
                save_checkpoint();
            }
        }
        TracyPlot( "enemies", (int64_t)g.enemies );
    }
    {
        ZoneScopedN( "Jobs::Kick" );
        std::lock_guard<std::mutex> lk( g_jobs_m );
        for( int i = 0; i < 4; i++ ) g_jobs.push_back( { 0, 14 + g.r.range( 0, 10 ) } );
        if( --g.next_stream <= 0 )
        {
            g_stream_jobs.push_back( { 1, g.sector } );
            message( "Streaming: requesting sector %02d_%02d", g.sector / 10, g.sector % 10 );
            g.sector += g.r.range( 1, 3 );
            g.next_stream = g.r.range( 95, 120 );
        }
        g_jobs_cv.notify_all();
    }
    int draws;
    {
        ZoneScopedN( "Renderer::BuildCommandLists" );
        draws = 1800 + (int)( parts / 40 ) + g.r.range( -80, 80 );
        {
            ZoneScopedN( "Renderer::Cull" );
            busy_ms( g.r( g_p.build_ms * 0.4 ) );
        }
        {
            ZoneScopedN( "Renderer::EncodeDraws" );
            ZoneValue( (uint64_t)draws );
            busy_ms( g.r( g_p.build_ms * 0.6 ) );
        }
        TracyPlot( "draw calls", (int64_t)draws );
    }
    {
        std::lock_guard<std::mutex> lk( g_render.m );
        g_render.pending++;
        g_render.frame = g.frame;
        g_render.draws = draws;
    }
    g_render.cv.notify_one();
    {
        ZoneScopedN( "Renderer::Present" );
        // wait for the next vsync boundary (a frame that misses one waits for the one after)
        const int64_t t = now_ns();
        const int64_t k = ( t - epoch ) / kVsyncNs + 1;
        sleep_until_ns( epoch + k * kVsyncNs );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: skyraid judder|one_frame|regress_a|regress_b\n" );
        return 1;
    }
    g_p.scenario = argv[1];
    if( g_p.scenario == "judder" )
    {
        g_p.judder = true;
        g_p.seconds = 6.0;
    }
    else if( g_p.scenario == "one_frame" )
    {
        g_p.checkpoint = true;
        g_p.seconds = 5.0;
    }
    else if( g_p.scenario == "regress_a" || g_p.scenario == "regress_b" )
    {
        g_p.physics_ms = 3.8;
        g_p.build_ms = 2.2;
        g_p.ai_perception_ms = 0.8;
        g_p.ai_plan_ms = 1.7;
        if( g_p.scenario == "regress_b" )
        {
            g_p.ai_plan_ms = 4.2;   // AI::Update ~2.5 -> ~5 ms
            g_p.audio_ms = 0.55;
        }
    }
    else
    {
        fprintf( stderr, "unknown scenario %s\n", argv[1] );
        return 1;
    }
    g.r = rng_t( g_p.seed ^ (uint32_t)std::hash<std::string>()( g_p.scenario ) );
    name_thread( "Main thread" );
    TracyAppInfo( "skyraid 0.9.4 (vsync on)", 24 );
    message( "skyraid 0.9.4 starting: 1920x1080 fullscreen, vsync 60 Hz" );

    std::thread rt( render_thread );
    std::thread w0( job_worker, 0 );
    std::thread w1( job_worker, 1 );

    {
        ZoneScopedN( "Game::LoadLevel" );
        ZoneText( "level_03_canyon", 15 );
        busy_ms( 180 );
    }
    message( "Level level_03_canyon loaded" );
    const int64_t start = now_ns();
    const int64_t epoch = ( start / kVsyncNs + 1 ) * kVsyncNs;
    sleep_until_ns( epoch );  // first vsync after loading
    FrameMark;
    const int64_t stop_at = epoch + (int64_t)( g_p.seconds * 1e9 );
    while( now_ns() < stop_at )
    {
        game_frame( epoch );
        FrameMark;
        g.frame++;
    }
    message( "Quit requested after %d frames", g.frame );

    g_stop = true;
    g_jobs_cv.notify_all();
    g_render.cv.notify_all();
    rt.join();
    w0.join();
    w1.join();
    return 0;
}
