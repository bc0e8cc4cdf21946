// gpusim: a small game/renderer frame loop instrumented with Tracy (benchmark data for profiler-analysis tools; not
// part of any project). The main thread runs one frame per FrameMark (60 Hz target, frame limiter): Game::Update
// (Input::Poll, Physics::Step, AI::Update, Anim::Update, Scene::Cull), Renderer::WaitForGPU (waits until the GPU
// has finished frame N-2: two frames in flight; N-1 in gpu_spikes), Renderer::RecordShadows / RecordGBuffer / RecordCompute /
// RecordLighting / RecordPost, Renderer::Submit, Renderer::Present, Frame::Limiter. GPU work is recorded through
// Tracy's C API for manual GPU contexts (two emulated queues: "Graphics queue" and "Async compute"); an emulated GPU
// executes the submitted passes one after the other (ShadowPass > ShadowCascade0..3, GBufferPass, LightingPass,
// PostFX > Bloom, ToneMap; compute: ParticleSim) and its timestamps (CLOCK_MONOTONIC_RAW, the clock of this Tracy
// client, period 1.0) are collected once the GPU is past them. Background threads: asset-stream
// (Streaming::DecodeTexture), audio (Audio::Mix every 10 ms).
//
// Usage: gpusim <scenario>
//   gpu_bound           LightingPass takes ~22 ms on the GPU; the frame is GPU-bound at ~40 fps while the CPU
//                       waits in Renderer::WaitForGPU most of the frame
//   gpu_spikes          GPU ~10 ms per frame, but every ~1.5 s PostFX (its Bloom) takes ~30 ms: periodic hitches
//   cpu_bound_baseline  Physics::Step ~20 ms on the main thread: CPU-bound at ~37 fps, the GPU mostly idle
//   fibers              (binary built with TRACY_FIBERS) a job system on fibers (3 workers, 12 fibers); AI::PlanPath
//                       jobs take ~17 ms (their AI::AStarSearch) and the main thread waits for them in Jobs::WaitAll
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
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
#include "tracy/TracyC.h"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace
{

volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };

// The Tracy client's own clock (TRACY_DISALLOW_HW_TIMER on Linux): the emulated GPU timestamps use it too.
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

void busy_for( double us, double tail_us = 60.0 )
{
    const int64_t end = now_ns() + (int64_t)( us * 1000.0 );
    if( us > tail_us + 150.0 ) sleep_until_ns( end - (int64_t)( tail_us * 1000.0 ) );
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}
void busy_ms( double ms ) { busy_for( ms * 1000.0 ); }

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.05 )
    {
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    int pick( int n ) { return std::uniform_int_distribution<int>( 0, n - 1 )( g ); }
};

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_NAME, n );
}

// ---------------------------------------------------------------------------------------------------------------
// Emulated GPU: queries are recorded on the CPU (zone begin/end with a query id), the GPU timeline is computed at
// submit (passes run back to back, never before the submit) and the timestamps are sent once the GPU is past them.

struct srcloc_t
{
    ___tracy_source_location_data d;
};

#define GPU_SRCLOC( var, name, color ) \
    static const ___tracy_source_location_data var = { name, "Renderer::Record", "src/gpusim.cpp", (uint32_t)__LINE__, color }

GPU_SRCLOC( sl_shadow, "ShadowPass", 0x404080 );
GPU_SRCLOC( sl_gbuffer, "GBufferPass", 0x408040 );
GPU_SRCLOC( sl_lighting, "LightingPass", 0xc08020 );
GPU_SRCLOC( sl_post, "PostFX", 0x8040c0 );
GPU_SRCLOC( sl_bloom, "Bloom", 0x9050d0 );
GPU_SRCLOC( sl_tonemap, "ToneMap", 0xa060e0 );
GPU_SRCLOC( sl_particles, "ParticleSim", 0x20a0a0 );

struct gpu_query
{
    uint8_t ctx;
    uint16_t id;
    int64_t t = -1;  // GPU timestamp, set at submit
};

struct gpu_zone_rec
{
    size_t q_begin, q_end;  // indices into the frame's query list
};

struct gpu_t
{
    uint16_t next_query = 0;
    std::vector<gpu_query> pending;          // queries with timestamps not yet sent (ordered by time per frame)
    int64_t free_at[2] = { 0, 0 };           // when each queue becomes idle
    std::deque<int64_t> frame_done;          // GPU completion time per submitted frame
    int64_t frames_submitted = 0;

    void init()
    {
        const char* names[2] = { "Graphics queue (emulated)", "Async compute (emulated)" };
        for( uint8_t c = 0; c < 2; c++ )
        {
            ___tracy_gpu_new_context_data nc;
            nc.gpuTime = now_ns();
            nc.period = 1.0f;
            nc.context = c;
            nc.flags = 0;
            nc.type = 7;  // GpuContextType::Custom
            ___tracy_emit_gpu_new_context_serial( nc );
            ___tracy_gpu_context_name_data nd;
            nd.context = c;
            nd.name = names[c];
            nd.len = (uint16_t)strlen( names[c] );
            ___tracy_emit_gpu_context_name_serial( nd );
        }
    }
    uint16_t take() { return next_query++; }
};

gpu_t g_gpu;

// One frame's recorded GPU work: a tree of zones per queue with their planned GPU durations.
struct gpu_pass
{
    uint8_t ctx;
    uint16_t qb, qe;
    double dur_ms;       // own duration (for a parent: its children's sum + gaps)
    int parent;          // index in the frame's pass list, -1 for a queue-level pass
};

struct gpu_frame
{
    std::vector<gpu_pass> passes;

    int begin( uint8_t ctx, const ___tracy_source_location_data* sl, int parent, double dur_ms )
    {
        ___tracy_gpu_zone_begin_data b;
        b.srcloc = (uint64_t)sl;
        b.queryId = g_gpu.take();
        b.context = ctx;
        ___tracy_emit_gpu_zone_begin_serial( b );
        passes.push_back( { ctx, b.queryId, 0, dur_ms, parent } );
        return (int)passes.size() - 1;
    }
    int begin_alloc( uint8_t ctx, const char* name, int parent, double dur_ms )
    {
        const uint64_t sl = ___tracy_alloc_srcloc_name( 190, "src/gpusim.cpp", 14, "Renderer::RecordShadows", 23, name,
                                                        strlen( name ), 0 );
        ___tracy_gpu_zone_begin_data b;
        b.srcloc = sl;
        b.queryId = g_gpu.take();
        b.context = ctx;
        ___tracy_emit_gpu_zone_begin_alloc_serial( b );
        passes.push_back( { ctx, b.queryId, 0, dur_ms, parent } );
        return (int)passes.size() - 1;
    }
    void end( int i )
    {
        ___tracy_gpu_zone_end_data e;
        e.queryId = g_gpu.take();
        e.context = passes[i].ctx;
        ___tracy_emit_gpu_zone_end_serial( e );
        passes[i].qe = e.queryId;
    }
};

// Plan the GPU timeline of a submitted frame; returns the graphics queue's completion time.
int64_t gpu_submit( gpu_frame& f, int64_t submit_ns )
{
    const int64_t gap = 8000;  // 8 us between passes
    int64_t done = 0;
    for( uint8_t c = 0; c < 2; c++ )
    {
        int64_t t = std::max( g_gpu.free_at[c], submit_ns + 120000 );  // ~0.12 ms submit latency
        bool any = false;
        for( size_t i = 0; i < f.passes.size(); i++ )
        {
            auto& p = f.passes[i];
            if( p.ctx != c || p.parent >= 0 ) continue;
            any = true;
            const int64_t start = t;
            // children run inside the parent, back to back
            int64_t ct = start + 3000;
            bool kids = false;
            for( size_t k = i + 1; k < f.passes.size(); k++ )
            {
                auto& ch = f.passes[k];
                if( ch.parent != (int)i ) continue;
                kids = true;
                const int64_t cs = ct, ce = cs + (int64_t)( ch.dur_ms * 1e6 );
                g_gpu.pending.push_back( { c, ch.qb, cs } );
                g_gpu.pending.push_back( { c, ch.qe, ce } );
                ct = ce + 3000;
            }
            const int64_t end = kids ? ct : start + (int64_t)( p.dur_ms * 1e6 );
            g_gpu.pending.push_back( { c, p.qb, start } );
            g_gpu.pending.push_back( { c, p.qe, end } );
            t = end + gap;
        }
        if( any ) g_gpu.free_at[c] = t;
        if( c == 0 ) done = t;
    }
    std::stable_sort( g_gpu.pending.begin(), g_gpu.pending.end(),
                      []( const gpu_query& a, const gpu_query& b ) { return a.t < b.t; } );
    g_gpu.frame_done.push_back( done );
    g_gpu.frames_submitted++;
    return done;
}

// Send the timestamps the GPU is past (like reading back resolved timestamp queries).
void gpu_collect( bool all = false )
{
    const int64_t now = now_ns();
    size_t n = 0;
    while( n < g_gpu.pending.size() && ( all || g_gpu.pending[n].t <= now ) )
    {
        ___tracy_gpu_time_data d;
        d.gpuTime = g_gpu.pending[n].t;
        d.queryId = g_gpu.pending[n].id;
        d.context = g_gpu.pending[n].ctx;
        ___tracy_emit_gpu_time_serial( d );
        n++;
    }
    g_gpu.pending.erase( g_gpu.pending.begin(), g_gpu.pending.begin() + n );
}

// ---------------------------------------------------------------------------------------------------------------
// Scenario parameters

struct params
{
    const char* scenario;
    double seconds;
    // CPU (ms)
    double input = 0.12, physics = 1.6, ai = 1.1, anim = 0.7, cull = 0.35;
    double rec_shadows = 0.45, rec_gbuffer = 0.9, rec_compute = 0.12, rec_lighting = 0.35, rec_post = 0.25;
    double submit = 0.3, present = 0.25;
    // GPU (ms)
    double cascade = 0.45, gbuffer = 2.8, lighting = 4.0, bloom = 0.8, tonemap = 0.35, particles = 2.2;
    // periodic PostFX spike (gpu_spikes)
    double spike_every_s = 0.0, spike_bloom = 0.0;
    // streaming thread: decode period and duration range
    double stream_every_s = 0.9, stream_lo = 18.0, stream_hi = 34.0;
    // main-thread periodic distractor
    double telemetry_every_s = 0.0, telemetry_ms = 0.0;
    double autosave_at_s = -1.0, autosave_ms = 0.0;
    size_t frames_in_flight = 2;
};

void audio_thread()
{
    name_thread( "audio" );
    rng_t r( 11 );
    int64_t t = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( r( 0.55, 0.15 ) );
        }
        t += 10000000;
        sleep_until_ns( t );
    }
}

const char* k_textures[] = { "harbor_crane_albedo.ktx2", "dock_planks_normal.ktx2", "ship_hull_orm.ktx2",
                             "fog_volume_noise.ktx2", "lighthouse_emissive.ktx2", "crate_set_albedo.ktx2" };

void stream_thread( const params* p )
{
    name_thread( "asset-stream" );
    rng_t r( 23 );
    int64_t t = now_ns() + (int64_t)( 0.35e9 );
    int k = 0;
    while( !g_stop.load() )
    {
        while( !g_stop.load() && now_ns() < t ) std::this_thread::sleep_for( 5ms );  // quick exit at shutdown
        if( g_stop.load() ) break;
        sleep_until_ns( t );
        const char* tex = k_textures[k++ % 6];
        {
            ZoneScopedN( "Streaming::DecodeTexture" );
            ZoneText( tex, strlen( tex ) );
            {
                ZoneScopedN( "Streaming::ReadFile" );
                busy_ms( r( 2.0, 0.3 ) );
            }
            {
                ZoneScopedN( "Streaming::TranscodeBC7" );
                busy_ms( r.uni( p->stream_lo, p->stream_hi ) );
            }
        }
        char msg[160];
        snprintf( msg, sizeof msg, "Streaming: %s resident (mip 0..10)", tex );
        TracyMessage( msg, strlen( msg ) );
        t += (int64_t)( r( p->stream_every_s, 0.1 ) * 1e9 );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The frame loop (gpu_bound, gpu_spikes, cpu_bound_baseline)

void frame_loop( const params& p )
{
    rng_t r( 7 );
    g_gpu.init();
    {
        char m[128];
        snprintf( m, sizeof m, "Renderer: emulated GPU, %zu frame(s) in flight, 60 Hz frame limiter", p.frames_in_flight );
        TracyMessage( m, strlen( m ) );
    }
    TracyMessageL( "Level loaded: harbor_night" );
    std::thread audio( audio_thread );
    std::thread stream( stream_thread, &p );

    const int64_t t0 = now_ns();
    const int64_t end = t0 + (int64_t)( p.seconds * 1e9 );
    const int64_t budget = 16666667;
    int64_t frame_start = now_ns();
    int64_t next_spike = p.spike_every_s > 0 ? t0 + (int64_t)( 0.9e9 ) : INT64_MAX;
    int64_t next_tel = p.telemetry_every_s > 0 ? t0 + (int64_t)( 0.5e9 ) : INT64_MAX;
    bool autosaved = false;
    int spikes = 0;
    long frame = 0;

    while( now_ns() < end )
    {
        frame++;
        gpu_collect();
        double cpu_busy = 0.0;
        const int64_t cb0 = now_ns();
        {
            ZoneScopedN( "Game::Update" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( p.input, 0.2 ) );
            }
            {
                ZoneScopedN( "Physics::Step" );
                busy_ms( r( p.physics, 0.06 ) );
            }
            {
                ZoneScopedN( "AI::Update" );
                busy_ms( r( p.ai, 0.1 ) );
            }
            {
                ZoneScopedN( "Anim::Update" );
                busy_ms( r( p.anim, 0.1 ) );
            }
            {
                ZoneScopedN( "Scene::Cull" );
                busy_ms( r( p.cull, 0.1 ) );
            }
            if( now_ns() >= next_tel )
            {
                ZoneScopedN( "Telemetry::Flush" );
                busy_ms( r( p.telemetry_ms, 0.1 ) );
                next_tel += (int64_t)( p.telemetry_every_s * 1e9 );
            }
            if( !autosaved && p.autosave_at_s >= 0 && now_ns() >= t0 + (int64_t)( p.autosave_at_s * 1e9 ) )
            {
                autosaved = true;
                ZoneScopedN( "Save::Autosave" );
                busy_ms( p.autosave_ms );
                TracyMessageL( "Autosave: slot 2 written (1.9 MB)" );
            }
        }
        cpu_busy += ( now_ns() - cb0 ) / 1e6;
        {
            ZoneScopedN( "Renderer::WaitForGPU" );
            if( g_gpu.frame_done.size() >= p.frames_in_flight )
            {
                const int64_t wait_for = g_gpu.frame_done.front();  // frame N-2 (N-1 with one frame in flight)
                g_gpu.frame_done.pop_front();
                sleep_until_ns( wait_for );
                busy_for( 15.0 );  // fence poll
            }
        }
        gpu_collect();

        const int64_t cb1 = now_ns();
        gpu_frame gf;
        const bool spike = now_ns() >= next_spike;
        {
            ZoneScopedN( "Renderer::RecordShadows" );
            const int sp = gf.begin( 0, &sl_shadow, -1, 0 );
            for( int c = 0; c < 4; c++ )
            {
                static const char* cn[4] = { "ShadowCascade0", "ShadowCascade1", "ShadowCascade2", "ShadowCascade3" };
                const int ci = gf.begin_alloc( 0, cn[c], sp, r( p.cascade * ( 1.0 + 0.25 * c ), 0.06 ) );
                busy_ms( r( p.rec_shadows / 4, 0.1 ) );
                gf.end( ci );
            }
            gf.end( sp );
        }
        {
            ZoneScopedN( "Renderer::RecordGBuffer" );
            const int g = gf.begin( 0, &sl_gbuffer, -1, r( p.gbuffer, 0.05 ) );
            busy_ms( r( p.rec_gbuffer, 0.1 ) );
            gf.end( g );
        }
        {
            ZoneScopedN( "Renderer::RecordCompute" );
            const int c = gf.begin( 1, &sl_particles, -1, r( p.particles, 0.06 ) );
            busy_ms( r( p.rec_compute, 0.1 ) );
            gf.end( c );
        }
        {
            ZoneScopedN( "Renderer::RecordLighting" );
            const int l = gf.begin( 0, &sl_lighting, -1, r( p.lighting, 0.04 ) );
            busy_ms( r( p.rec_lighting, 0.1 ) );
            gf.end( l );
        }
        {
            ZoneScopedN( "Renderer::RecordPost" );
            const int pp = gf.begin( 0, &sl_post, -1, 0 );
            double bloom = r( p.bloom, 0.06 );
            if( spike )
            {
                bloom = r( p.spike_bloom, 0.04 );
                spikes++;
                next_spike += (int64_t)( r( p.spike_every_s, 0.04 ) * 1e9 );
                TracyMessageL( "PostFX: bloom mip chain rebuilt (resolution change)" );
            }
            const int b = gf.begin( 0, &sl_bloom, pp, bloom );
            busy_ms( r( p.rec_post * 0.6, 0.1 ) );
            gf.end( b );
            const int tm = gf.begin( 0, &sl_tonemap, pp, r( p.tonemap, 0.06 ) );
            busy_ms( r( p.rec_post * 0.4, 0.1 ) );
            gf.end( tm );
            gf.end( pp );
        }
        int64_t gpu_done;
        {
            ZoneScopedN( "Renderer::Submit" );
            busy_ms( r( p.submit, 0.1 ) );
            gpu_done = gpu_submit( gf, now_ns() );
        }
        {
            ZoneScopedN( "Renderer::Present" );
            busy_ms( r( p.present, 0.1 ) );
        }
        cpu_busy += ( now_ns() - cb1 ) / 1e6;
        TracyPlot( "CPU busy ms", cpu_busy );
        TracyPlot( "draw calls", (int64_t)( 1800 + r.pick( 200 ) ) );
        (void)gpu_done;
        {
            const int64_t target = frame_start + budget;
            if( now_ns() < target )
            {
                ZoneScopedN( "Frame::Limiter" );
                sleep_until_ns( target - 50000 );
                busy_for( std::max( 0.0, ( target - now_ns() ) / 1e3 ) );
            }
        }
        FrameMark;
        const int64_t fs = now_ns();
        TracyPlot( "frame ms", ( fs - frame_start ) / 1e6 );
        frame_start = fs;
    }
    // drain the GPU and send the remaining timestamps
    {
        ZoneScopedN( "Renderer::WaitIdle" );
        int64_t last = 0;
        for( auto t : g_gpu.frame_done ) last = std::max( last, t );
        last = std::max( last, g_gpu.free_at[1] );
        sleep_until_ns( last + 100000 );
    }
    gpu_collect( true );
    g_stop = true;
    audio.join();
    stream.join();
    char m[128];
    snprintf( m, sizeof m, "Shutdown after %ld frames (%d bloom rebuilds)", frame, spikes );
    TracyMessage( m, strlen( m ) );
    printf( "%s\n", m );
}

#ifdef TRACY_FIBERS
// ---------------------------------------------------------------------------------------------------------------
// fibers: a job system on fibers. Each job runs on a fiber ("job fiber N"); a job can suspend (waiting for data)
// and resume later on another worker thread. AI::PlanPath jobs are slow (their A* search).

struct job_kind
{
    const char* name;
    double ms;        // total work
    bool suspends;    // waits for data halfway
};

const job_kind k_kinds[] = {
    { "Anim::SampleClips", 0.9, false }, { "Physics::Integrate", 1.3, false }, { "Culling::Frustum", 0.6, false },
    { "Particles::Update", 0.7, false }, { "Audio::Spatialize", 0.4, false }, { "AI::PlanPath", 17.0, true },
    { "AI::Perception", 1.1, true },
};
constexpr int k_nkinds = sizeof( k_kinds ) / sizeof( k_kinds[0] );

const char* k_fiber_names[] = { "job fiber 0", "job fiber 1", "job fiber 2", "job fiber 3", "job fiber 4",
                                "job fiber 5", "job fiber 6", "job fiber 7", "job fiber 8", "job fiber 9",
                                "job fiber 10", "job fiber 11" };
constexpr int k_nfibers = 12;

struct job
{
    int kind;
    int fiber;
    int phase = 0;
    int64_t ready_at = 0;
    TracyCZoneCtx zone{};
    double ms;
};

struct jobsys
{
    std::mutex m;
    std::condition_variable cv;
    std::deque<job> q;
    int outstanding = 0;
    std::condition_variable done_cv;
    std::vector<int> free_fibers;
};

jobsys g_js;

uint64_t kind_srcloc( int k )
{
    const char* n = k_kinds[k].name;
    return ___tracy_alloc_srcloc_name( 400 + k, "src/gpusim.cpp", 14, "JobSystem::Run", 14, n, strlen( n ), 0 );
}

void worker_thread( int idx )
{
    char tn[32];
    snprintf( tn, sizeof tn, "job-worker-%d", idx );
    name_thread( tn );
    rng_t r( 100 + idx );
    for( ;; )
    {
        job j;
        {
            std::unique_lock<std::mutex> lk( g_js.m );
            for( ;; )
            {
                if( g_stop.load() && g_js.q.empty() ) return;
                const int64_t now = now_ns();
                auto it = std::find_if( g_js.q.begin(), g_js.q.end(), [&]( const job& x ) { return x.ready_at <= now; } );
                if( it != g_js.q.end() )
                {
                    j = *it;
                    g_js.q.erase( it );
                    break;
                }
                g_js.cv.wait_for( lk, 200us );
            }
        }
        TracyFiberEnter( k_fiber_names[j.fiber] );
        const job_kind& k = k_kinds[j.kind];
        bool finished = true;
        if( j.phase == 0 )
        {
            j.zone = ___tracy_emit_zone_begin_alloc( kind_srcloc( j.kind ), 1 );
            if( k.suspends )
            {
                {
                    ZoneScopedN( "Jobs::GatherInputs" );
                    busy_ms( r( 0.25, 0.1 ) );
                }
                j.phase = 1;
                j.ready_at = now_ns() + (int64_t)( r( 0.6, 0.2 ) * 1e6 );  // wait for the navmesh tile / sensor data
                finished = false;
            }
            else
            {
                busy_ms( j.ms );
            }
        }
        else
        {
            if( k.suspends && strcmp( k.name, "AI::PlanPath" ) == 0 )
            {
                ZoneScopedN( "AI::AStarSearch" );
                busy_ms( j.ms - 0.25 );
            }
            else
            {
                ZoneScopedN( "Jobs::Process" );
                busy_ms( j.ms - 0.25 );
            }
        }
        if( finished ) ___tracy_emit_zone_end( j.zone );
        TracyFiberLeave;
        std::lock_guard<std::mutex> lk( g_js.m );
        if( finished )
        {
            g_js.free_fibers.push_back( j.fiber );
            if( --g_js.outstanding == 0 ) g_js.done_cv.notify_all();
        }
        else
        {
            g_js.q.push_back( j );
            g_js.cv.notify_one();
        }
    }
}

void fibers( const params& p )
{
    rng_t r( 9 );
    g_gpu.init();
    TracyMessageL( "Jobs: 3 workers, 12 fibers" );
    for( int i = 0; i < k_nfibers; i++ ) g_js.free_fibers.push_back( i );
    std::thread audio( audio_thread );
    std::vector<std::thread> workers;
    for( int i = 0; i < 3; i++ ) workers.emplace_back( worker_thread, i );
    const int64_t t0 = now_ns();
    const int64_t end = t0 + (int64_t)( p.seconds * 1e9 );
    int64_t frame_start = now_ns();
    long frame = 0;
    while( now_ns() < end )
    {
        frame++;
        gpu_collect();
        {
            ZoneScopedN( "Game::Update" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.12, 0.2 ) );
            }
            {
                ZoneScopedN( "Jobs::Dispatch" );
                std::lock_guard<std::mutex> lk( g_js.m );
                // per frame: 2x each cheap kind, 1x AI::Perception, 1 AI::PlanPath (2 every 4th frame)
                std::vector<int> kinds = { 0, 0, 1, 1, 2, 2, 3, 3, 4, 6, 5 };
                if( frame % 4 == 0 ) kinds.push_back( 5 );
                for( int k : kinds )
                {
                    job j;
                    j.kind = k;
                    j.fiber = g_js.free_fibers.back();
                    g_js.free_fibers.pop_back();
                    j.ms = r( k_kinds[k].ms, k == 5 ? 0.15 : 0.1 );
                    g_js.q.push_back( j );
                    g_js.outstanding++;
                }
                g_js.cv.notify_all();
            }
            {
                ZoneScopedN( "Jobs::WaitAll" );
                std::unique_lock<std::mutex> lk( g_js.m );
                g_js.done_cv.wait( lk, [] { return g_js.outstanding == 0; } );
            }
        }
        {
            ZoneScopedN( "Renderer::WaitForGPU" );
            if( g_gpu.frame_done.size() >= 2 )
            {
                const int64_t wait_for = g_gpu.frame_done.front();
                g_gpu.frame_done.pop_front();
                sleep_until_ns( wait_for );
            }
        }
        gpu_collect();
        gpu_frame gf;
        {
            ZoneScopedN( "Renderer::RecordGBuffer" );
            const int g = gf.begin( 0, &sl_gbuffer, -1, r( 2.6, 0.05 ) );
            busy_ms( r( 0.9, 0.1 ) );
            gf.end( g );
        }
        {
            ZoneScopedN( "Renderer::RecordLighting" );
            const int l = gf.begin( 0, &sl_lighting, -1, r( 3.6, 0.05 ) );
            busy_ms( r( 0.35, 0.1 ) );
            gf.end( l );
        }
        {
            ZoneScopedN( "Renderer::Submit" );
            busy_ms( r( 0.3, 0.1 ) );
            gpu_submit( gf, now_ns() );
        }
        const int64_t target = frame_start + 16666667;
        if( now_ns() < target )
        {
            ZoneScopedN( "Frame::Limiter" );
            sleep_until_ns( target );
        }
        FrameMark;
        const int64_t fs = now_ns();
        TracyPlot( "frame ms", ( fs - frame_start ) / 1e6 );
        frame_start = fs;
    }
    {
        ZoneScopedN( "Renderer::WaitIdle" );
        int64_t last = 0;
        for( auto t : g_gpu.frame_done ) last = std::max( last, t );
        sleep_until_ns( last + 100000 );
    }
    gpu_collect( true );
    g_stop = true;
    g_js.cv.notify_all();
    for( auto& w : workers ) w.join();
    audio.join();
    printf( "fibers: %ld frames\n", frame );
}
#endif

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    name_thread( "gpusim" );
    params p;
    p.scenario = argv[1] ? argv[1] : "";
    p.seconds = getenv( "GPUSIM_SECONDS" ) ? atof( getenv( "GPUSIM_SECONDS" ) ) : 6.0;
    if( s == "gpu_bound" )
    {
        p.cascade = 0.22;           // shadows ~1.25 ms
        p.gbuffer = 1.6;
        p.lighting = 22.0;          // the planted problem
        p.bloom = 0.5;
        p.tonemap = 0.25;
        p.particles = 3.0;          // async compute, overlaps
        p.autosave_at_s = 3.1;
        p.autosave_ms = 9.0;
        frame_loop( p );
    }
    else if( s == "gpu_spikes" )
    {
        p.spike_every_s = 1.5;
        p.frames_in_flight = 1;
        p.seconds = 7.0;
        p.spike_bloom = 29.0;       // the planted problem (PostFX ~30 ms)
        p.stream_every_s = 1.1;
        p.stream_lo = 25.0;
        p.stream_hi = 40.0;
        p.telemetry_every_s = 1.0;
        p.telemetry_ms = 1.6;
        frame_loop( p );
    }
    else if( s == "cpu_bound_baseline" )
    {
        p.physics = 20.0;           // the planted problem
        p.cascade = 0.3;
        p.gbuffer = 2.2;
        p.lighting = 3.4;
        p.bloom = 0.7;
        frame_loop( p );
    }
#ifdef TRACY_FIBERS
    else if( s == "fibers" )
    {
        fibers( p );
    }
#endif
    else
    {
        fprintf( stderr, "usage: gpusim gpu_bound|gpu_spikes|cpu_bound_baseline|fibers\n" );
        return 2;
    }
    printf( "gpusim %s: done\n", s.c_str() );
    return 0;
}
