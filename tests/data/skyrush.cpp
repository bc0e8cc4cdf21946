// skyrush: a fast arena shooter running at a high frame rate, instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project). Threads:
//   "Main thread"   Game::Frame > Input::Poll, Net::ProcessPackets, Script::Update, AI::Update, Physics::Step,
//                   Particles::Update, Culling::Frustum, Jobs::WaitAll, Render::BuildCommandLists,
//                   Render::WaitForRenderThread (waits until the render thread has presented the previous frame),
//                   then hands the frame to the render thread and calls FrameMark.
//   "Render"        Render::Frame > Render::DrawScene, Render::PostFX, Render::Present. With the frame limiter
//                   on (240 Hz), Present sleeps until 4.167 ms after the previous present; otherwise it only swaps.
//   "Worker 0..3"   four per-frame jobs (Job::AnimateSkeletons, Job::SkinMeshes, Job::ClothSim, Job::UpdateLights)
//                   plus now and then an asynchronous Nav::BuildTile nobody waits for.
//   "Audio"         Audio::Mix every 5.333 ms (256 samples at 48 kHz).
//   "Streaming"     Stream::LoadChunk every 1.2-2.0 s > Stream::ReadFile, Stream::Decompress.
// Memory: default pool (per-frame command buffers, freed by the render thread; particle chunks), named pool
// "TexturePool" (streamed textures: warms up to ~48 MB, then one in, one out). Plots: "Particles alive",
// "Draw calls".
//
// Usage: skyrush <scenario>
//   rare_hitch    60 s at 240 Hz; three one-off hitches: Save::Autosave (main), Shader::CompileVariant (render
//                 thread), Net::Reconnect (main); plus ordinary noise (AI::Replan)
//   slow_drift    60 s at 240 Hz; the particle slot list is never compacted, so Particles::Update's cost grows
//                 linearly with time, and a 24 KiB particle chunk is allocated every 256 slots and never freed
//   regress a|b   20 s, frame limiter off (benchmark run). b: Culling::Frustum 30% slower; Render::PostFX faster
//                 (render thread, off the critical path); a new Telemetry::Flush once a second.
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

#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

constexpr int64_t kFrameNs = 4166667;  // 240 Hz
const char* const kTexPool = "TexturePool";

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

void spin_until_ns( int64_t end )
{
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

// Emulated work: sleep to just before the deadline, then spin.
void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    if( ms > 0.06 ) sleep_until_ns( end - 25000 );
    spin_until_ns( end );
}

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.06 )
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
    prctl( PR_SET_TIMERSLACK, 1UL );
    // The emulated work is timed sleeps: on the shared 2-core recording machine, run the game's own threads (not
    // Tracy's) at a real-time priority so their wake-ups are punctual. Ignored where not permitted.
    sched_param sp{};
    sp.sched_priority = 10;
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

// ---------------------------------------------------------------------------------------------------------------
// Scenario parameters

struct params
{
    std::string scenario;
    uint32_t seed = 0x5359524b;
    double seconds = 60.0;
    bool limiter = true;
    bool hitches = false;       // rare_hitch
    bool drift = false;         // slow_drift
    double cull_ms = 0.60;      // regress b: 0.78
    double postfx_ms = 0.45;    // regress b: 0.33
    bool telemetry = false;     // regress b
};

params g_p;
int64_t g_t0 = 0;  // program start

double elapsed_s() { return ( now_ns() - g_t0 ) * 1e-9; }

// ---------------------------------------------------------------------------------------------------------------
// Memory

void* heap_alloc( size_t sz )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 64 ) );
    TracyAlloc( p, sz );
    return p;
}

void heap_free( void* p )
{
    TracyFree( p );
    free( p );
}

// Texture memory lives on the GPU: the pool is tracked with the texture handles' fake addresses.
std::atomic<uint64_t> g_tex_handle{ 0x7f0000100000ull };

// ---------------------------------------------------------------------------------------------------------------
// Job system: one queue, four workers.

struct job_t
{
    const char* name;
    double ms;
    bool counted;  // the main thread waits for it in Jobs::WaitAll
};

std::mutex g_jq_mtx;
std::condition_variable g_jq_cv;
std::deque<job_t> g_jq;
std::condition_variable g_jdone_cv;
int g_jobs_pending = 0;

void push_job( const job_t& j )
{
    std::lock_guard<std::mutex> lk( g_jq_mtx );
    g_jq.push_back( j );
    if( j.counted ) g_jobs_pending++;
    g_jq_cv.notify_one();
}

#define JOB_CASE( NAME )                                                                                         \
    if( strcmp( j.name, NAME ) == 0 )                                                                              \
    {                                                                                                              \
        ZoneScopedN( NAME );                                                                                       \
        busy_ms( j.ms );                                                                                           \
        return;                                                                                                    \
    }

void run_job( const job_t& j )
{
    JOB_CASE( "Job::AnimateSkeletons" )
    JOB_CASE( "Job::SkinMeshes" )
    JOB_CASE( "Job::ClothSim" )
    JOB_CASE( "Job::UpdateLights" )
    JOB_CASE( "Nav::BuildTile" )
}

void worker_main( int idx )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "Worker %d", idx );
    name_thread( nm );
    rng_t r( g_p.seed + 100 + idx );
    for( ;; )
    {
        job_t j;
        {
            std::unique_lock<std::mutex> lk( g_jq_mtx );
            g_jq_cv.wait( lk, [] { return !g_jq.empty() || g_stop.load(); } );
            if( g_jq.empty() ) return;
            j = g_jq.front();
            g_jq.pop_front();
        }
        run_job( j );
        if( j.counted )
        {
            std::lock_guard<std::mutex> lk( g_jq_mtx );
            if( --g_jobs_pending == 0 ) g_jdone_cv.notify_all();
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Render thread

std::mutex g_rt_mtx;
std::condition_variable g_rt_cv;
bool g_rt_has_frame = false;  // a frame was handed over and not yet presented
void* g_rt_cmdbuf = nullptr;
int64_t g_rt_frame = 0;
std::atomic<int64_t> g_shader_hitch_frame{ -1 };

void render_main()
{
    name_thread( "Render" );
    rng_t r( g_p.seed + 7 );
    int64_t last_present = now_ns();
    for( ;; )
    {
        void* cmdbuf;
        int64_t frame;
        {
            std::unique_lock<std::mutex> lk( g_rt_mtx );
            g_rt_cv.wait( lk, [] { return g_rt_has_frame || g_stop.load(); } );
            if( !g_rt_has_frame ) return;
            cmdbuf = g_rt_cmdbuf;
            frame = g_rt_frame;
        }
        {
            ZoneScopedN( "Render::Frame" );
            {
                ZoneScopedN( "Render::DrawScene" );
                if( frame == g_shader_hitch_frame.load() )
                {
                    ZoneScopedN( "Shader::CompileVariant" );
                    const char* v = "pbr_opaque|SKINNED|WET_SURFACE|DECALS";
                    ZoneText( v, strlen( v ) );
                    busy_ms( 50.0 );
                }
                busy_ms( r( 1.10 ) );
            }
            {
                ZoneScopedN( "Render::PostFX" );
                busy_ms( r( g_p.postfx_ms ) );
            }
            {
                ZoneScopedN( "Render::Present" );
                busy_ms( 0.10 );
                if( g_p.limiter )
                {
                    int64_t target = last_present + kFrameNs;
                    const int64_t n = now_ns();
                    if( target > n ) sleep_until_ns( target );
                    else target = n;
                    last_present = target;
                }
                else
                    last_present = now_ns();
            }
            heap_free( cmdbuf );
        }
        {
            std::lock_guard<std::mutex> lk( g_rt_mtx );
            g_rt_has_frame = false;
            g_rt_cv.notify_all();
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Audio and streaming

void audio_main()
{
    name_thread( "Audio" );
    rng_t r( g_p.seed + 11 );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        next += 5333333;
        sleep_until_ns( next );
        ZoneScopedN( "Audio::Mix" );
        busy_ms( r( 0.25, 0.2 ) );
    }
}

void streaming_main()
{
    name_thread( "Streaming" );
    rng_t r( g_p.seed + 13 );
    std::deque<std::pair<uint64_t, size_t>> resident;
    size_t resident_bytes = 0;
    const size_t budget = 48ull << 20;
    int cx = 12, cy = 7;
    while( !g_stop.load() )
    {
        const int64_t wake = now_ns() + (int64_t)( r.uni( 1.2, 2.0 ) * 1e9 );
        while( now_ns() < wake && !g_stop.load() ) std::this_thread::sleep_for( std::chrono::milliseconds( 20 ) );
        if( g_stop.load() ) break;
        cx += r.range( -1, 1 );
        cy += r.range( -1, 1 );
        char txt[64];
        const int tl = snprintf( txt, sizeof( txt ), "chunk_%d_%d", cx, cy );
        ZoneScopedN( "Stream::LoadChunk" );
        ZoneText( txt, tl );
        {
            ZoneScopedN( "Stream::ReadFile" );
            busy_ms( r.uni( 8.0, 16.0 ) );
        }
        {
            ZoneScopedN( "Stream::Decompress" );
            busy_ms( r.uni( 6.0, 12.0 ) );
        }
        // Textures: load 4-6 per chunk; above the budget, evict the oldest.
        const int n = r.range( 4, 6 );
        for( int i = 0; i < n; i++ )
        {
            const size_t sz = (size_t)r.range( 1, 4 ) << 20;
            const uint64_t h = g_tex_handle.fetch_add( 0x10000000ull );
            TracyAllocN( (void*)h, sz, kTexPool );
            resident.emplace_back( h, sz );
            resident_bytes += sz;
        }
        while( resident_bytes > budget )
        {
            TracyFreeN( (void*)resident.front().first, kTexPool );
            resident_bytes -= resident.front().second;
            resident.pop_front();
        }
        message( "Stream: %s resident (%zu textures, %.1f MB)", txt, resident.size(), resident_bytes / 1048576.0 );
    }
    while( !resident.empty() )
    {
        TracyFreeN( (void*)resident.front().first, kTexPool );
        resident.pop_front();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Particles: emitters spawn 500 particles/s that live ~4 s. Dead particles are flagged, but the slot list is never
// compacted (slow_drift): the update walks every slot ever used. The fixed build reuses dead slots.

struct particles_t
{
    int64_t slots = 0;
    double alive = 0;
    double emit_acc = 0;
    std::vector<void*> chunks;  // 256 slots x 96 B each
};

particles_t g_parts;

}  // namespace

// ---------------------------------------------------------------------------------------------------------------

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: skyrush rare_hitch|slow_drift|regress a|b\n" );
        return 2;
    }
    g_p.scenario = argv[1];
    if( g_p.scenario == "rare_hitch" )
        g_p.hitches = true;
    else if( g_p.scenario == "slow_drift" )
        g_p.drift = true, g_p.seed += 1;
    else if( g_p.scenario == "regress" && argc >= 3 )
    {
        g_p.seconds = 20.0;
        g_p.limiter = false;
        g_p.seed += 2;
        if( std::string( argv[2] ) == "b" )
        {
            g_p.cull_ms = 0.78;
            g_p.postfx_ms = 0.33;
            g_p.telemetry = true;
        }
    }
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 2;
    }

    if( const char* e = getenv( "SKYRUSH_SECONDS" ) ) g_p.seconds = atof( e );  // for quick test runs only
    g_t0 = now_ns();
    name_thread( "Main thread" );
    const std::string app = "skyrush 0.9.3 (" + g_p.scenario + ( argc >= 3 ? std::string( " " ) + argv[2] : "" ) + ")";
    TracyAppInfo( app.c_str(), app.size() );
    std::this_thread::sleep_for( std::chrono::milliseconds( 200 ) );

    rng_t r( g_p.seed );
    std::vector<std::thread> threads;
    {
        ZoneScopedN( "Game::Init" );
        {
            ZoneScopedN( "Level::Load" );
            const char* lvl = "maps/skyrush_arena_03";
            ZoneText( lvl, strlen( lvl ) );
            busy_ms( 120.0 );
        }
        {
            ZoneScopedN( "Shader::WarmCache" );
            busy_ms( 25.0 );
        }
        threads.emplace_back( render_main );
        for( int i = 0; i < 4; i++ ) threads.emplace_back( worker_main, i );
        threads.emplace_back( audio_main );
        threads.emplace_back( streaming_main );
        message( "Level maps/skyrush_arena_03 loaded; %s", g_p.limiter ? "frame limiter 240 Hz" : "frame limiter off (benchmark)" );
    }

    // One-off hitches (rare_hitch), in seconds since start.
    const double t_autosave = 14.3, t_shader = 31.6, t_reconnect = 47.2;
    bool did_autosave = false, did_shader = false, did_reconnect = false;
    const double t_checkpoint = 22.8;  // a message with no hitch
    bool did_checkpoint = false;

    double next_replan = r.uni( 0.8, 1.6 );
    double next_nav = r.uni( 2.0, 3.0 );
    double next_cloth_spike = r.uni( 1.5, 2.5 );
    double next_telemetry = 1.0;
    double last_t = elapsed_s();
    const double t_end = last_t + g_p.seconds;
    int64_t frame = 0;
    while( true )
    {
        const double t = elapsed_s();
        if( t >= t_end ) break;
        const double dt = t - last_t;
        last_t = t;
        frame++;
        {
            ZoneScopedN( "Game::Frame" );
            // Kick this frame's jobs.
            double cloth = r( 1.0 );
            if( t >= next_cloth_spike )
            {
                cloth = r.uni( 2.0, 2.6 );
                next_cloth_spike = t + r.uni( 1.5, 2.5 );
            }
            push_job( { "Job::AnimateSkeletons", r( 0.9 ), true } );
            push_job( { "Job::SkinMeshes", r( 1.2 ), true } );
            push_job( { "Job::ClothSim", cloth, true } );
            push_job( { "Job::UpdateLights", r( 0.7 ), true } );
            if( t >= next_nav )
            {
                push_job( { "Nav::BuildTile", r.uni( 6.0, 10.0 ), false } );
                next_nav = t + r.uni( 2.0, 3.5 );
            }
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.05 ) );
            }
            {
                ZoneScopedN( "Net::ProcessPackets" );
                if( g_p.hitches && !did_reconnect && t >= t_reconnect )
                {
                    did_reconnect = true;
                    message( "Net: connection to eu-west.skyrush-match.net:7777 timed out; reconnecting" );
                    ZoneScopedN( "Net::Reconnect" );
                    busy_ms( 72.0 );
                    message( "Net: reconnected to eu-west.skyrush-match.net:7777 (session resumed)" );
                }
                busy_ms( r( 0.12 ) );
            }
            {
                ZoneScopedN( "Script::Update" );
                busy_ms( r( 0.35 ) );
            }
            {
                ZoneScopedN( "AI::Update" );
                if( t >= next_replan )
                {
                    ZoneScopedN( "AI::Replan" );
                    busy_ms( r.uni( 1.5, 3.5 ) );
                    next_replan = t + r.uni( 0.8, 1.6 );
                }
                busy_ms( r( 0.45, 0.2 ) );
            }
            if( g_p.hitches && !did_autosave && t >= t_autosave )
            {
                did_autosave = true;
                ZoneScopedN( "Save::Autosave" );
                busy_ms( 61.0 );
                message( "Autosave: slot 2 written (3.4 MB)" );
            }
            if( g_p.hitches && !did_checkpoint && t >= t_checkpoint )
            {
                did_checkpoint = true;
                message( "Checkpoint reached: arena_03/wave_5" );
            }
            {
                ZoneScopedN( "Physics::Step" );
                busy_ms( r( 1.0 ) );
            }
            {
                ZoneScopedN( "Particles::Update" );
                // 500 particles/s, each lives 4 s.
                g_parts.emit_acc += 500.0 * dt;
                const int emit = (int)g_parts.emit_acc;
                g_parts.emit_acc -= emit;
                g_parts.alive = ( g_parts.alive + emit ) * ( 1.0 - dt / 4.0 );
                const int64_t alive = (int64_t)( g_parts.alive + 0.5 );
                double cost = 0.35;
                if( g_p.drift )
                {
                    g_parts.slots += emit;  // never compacted: every emitted particle gets a new slot
                    while( (int64_t)g_parts.chunks.size() * 256 < g_parts.slots )
                        g_parts.chunks.push_back( heap_alloc( 256 * 96 ) );
                    cost += g_parts.slots * 83e-6;
                }
                ZoneValue( (uint64_t)alive );
                busy_ms( r( cost, 0.04 ) );
                TracyPlot( "Particles alive", alive );
            }
            {
                ZoneScopedN( "Culling::Frustum" );
                busy_ms( r( g_p.cull_ms, 0.05 ) );
            }
            {
                ZoneScopedN( "Jobs::WaitAll" );
                std::unique_lock<std::mutex> lk( g_jq_mtx );
                g_jdone_cv.wait( lk, [] { return g_jobs_pending == 0; } );
            }
            void* cmdbuf;
            {
                ZoneScopedN( "Render::BuildCommandLists" );
                cmdbuf = heap_alloc( (size_t)r.range( 192, 320 ) << 10 );
                busy_ms( r( 0.40 ) );
                TracyPlot( "Draw calls", (int64_t)r.range( 1800, 2400 ) );
            }
            if( g_p.telemetry && t >= next_telemetry )
            {
                ZoneScopedN( "Telemetry::Flush" );
                busy_ms( r( 0.2 ) );
                next_telemetry += 1.0;
            }
            {
                ZoneScopedN( "Render::WaitForRenderThread" );
                std::unique_lock<std::mutex> lk( g_rt_mtx );
                g_rt_cv.wait( lk, [] { return !g_rt_has_frame; } );
                g_rt_has_frame = true;
                g_rt_cmdbuf = cmdbuf;
                g_rt_frame = frame;
                if( g_p.hitches && !did_shader && t >= t_shader )
                {
                    did_shader = true;
                    g_shader_hitch_frame.store( frame );
                }
                g_rt_cv.notify_all();
            }
        }
        FrameMark;
    }

    // Shutdown: wait for the last frame, stop the threads.
    {
        ZoneScopedN( "Game::Shutdown" );
        {
            std::unique_lock<std::mutex> lk( g_rt_mtx );
            g_rt_cv.wait( lk, [] { return !g_rt_has_frame; } );
        }
        g_stop.store( true );
        g_rt_cv.notify_all();
        {
            std::lock_guard<std::mutex> lk( g_jq_mtx );
            g_jq_cv.notify_all();
        }
        for( auto& th : threads ) th.join();
        for( void* c : g_parts.chunks ) heap_free( c );
        g_parts.chunks.clear();
        message( "Shutdown complete after %lld frames", (long long)frame );
    }
    std::this_thread::sleep_for( std::chrono::milliseconds( 200 ) );
    return 0;
}
