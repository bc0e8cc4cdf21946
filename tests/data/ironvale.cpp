// ironvale: a 60 fps action game (benchmark data for profiler-analysis tools; not part of any project), instrumented
// with Tracy. Threads:
//   Main thread   Level::Load once (before the first frame mark), then per frame Game::Frame > Input::Poll,
//                 Game::Simulate (> Gameplay::Tick, Particles::Update, Particles::SpawnEmitter per explosion,
//                 Audio::PlaySound), Jobs::Dispatch, Jobs::Wait, UI::BuildText, UI::DrawHUD, Game::SubmitToRender,
//                 Game::WaitForVSync (sleeps to the next 16.667 ms vblank), FrameMark.
//   Worker 0..3   job workers: ECS::UpdateTransforms (takes EntityRegistry::m_mutex), Animation::Sample,
//                 Physics::Integrate, AI::Think (ZoneText = batch).
//   Render        Render::Frame > Render::BuildCommandLists, Render::Submit, Render::Present per main frame.
//   Streaming     Streaming::LoadChunk > Streaming::ReadFile, Streaming::Decompress; plot "Streaming queue".
//   Audio         Audio::Mix every 5.33 ms (takes Audio::m_voiceMutex).
// Memory: default heap (level data, resident world chunks in an LRU of 16, UI strings, emitter sort buffers),
// pools "ParticlePool" (emitter particle buffers) and "StreamingPool" (chunk read buffers).
// Locks: EntityRegistry::m_mutex, Render::m_cmdQueueMutex, Audio::m_voiceMutex.
// Plots: "Streaming queue", "Live particles", "Draw calls", "Entity count".
//
// Usage: ironvale <scenario>
//   two_problems  (a) ECS::UpdateTransforms holds EntityRegistry::m_mutex ~0.4 ms for the whole transform pass:
//                 the 4 workers queue on it; (b) Particles::SpawnEmitter's 24 KiB sort buffer is never freed.
//   all_clear     the same game: UpdateTransforms holds the lock ~0.03 ms; the sort buffer is freed with the
//                 emitter.
//   three_small   as all_clear, plus: one 45 ms Audio::LoadBank on the main thread; a streaming backlog that
//                 never drains (Streaming::LoadChunk back to back); UI::BuildText makes 1000 small allocations
//                 per frame (freed in the same call).
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
const char* const kParticlePool = "ParticlePool";
const char* const kStreamingPool = "StreamingPool";

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
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
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

struct params
{
    std::string scenario;
    uint32_t seed = 0x1a0e7a1e;
    double seconds = 6.0;
    double registry_hold_ms = 0.03;  // two_problems: 0.40
    bool leak_sort_buffer = false;   // two_problems
    bool loadbank_on_main = false;   // three_small
    bool stream_backlog = false;     // three_small
    int ui_allocs = 40;              // three_small: 1000
};

params g_p;

// ---------------------------------------------------------------------------------------------------------------
// Memory

void* heap_alloc( size_t sz )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 32 ) );
    TracyAlloc( p, sz );
    return p;
}

void heap_free( void* p )
{
    TracyFree( p );
    free( p );
}

__attribute__( ( noinline ) ) void* emitter_alloc( size_t sz )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 32 ) );
    TracyAllocS( p, sz, 6 );
    return p;
}

__attribute__( ( noinline ) ) void emitter_free( void* p )
{
    TracyFreeS( p, 6 );
    free( p );
}

void* pool_alloc( size_t sz, const char* pool )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 32 ) );
    TracyAllocN( p, sz, pool );
    return p;
}

void pool_free( void* p, const char* pool )
{
    TracyFreeN( p, pool );
    free( p );
}

// ---------------------------------------------------------------------------------------------------------------
// Locks

TracyLockableN( std::mutex, g_registryMutex, "EntityRegistry::m_mutex" );
TracyLockableN( std::mutex, g_cmdQueueMutex, "Render::m_cmdQueueMutex" );
TracyLockableN( std::mutex, g_voiceMutex, "Audio::m_voiceMutex" );

// ---------------------------------------------------------------------------------------------------------------
// Job system: one queue, 4 workers; the main thread waits for all of a frame's jobs.

struct job_t
{
    int kind;   // 0 transforms, 1 animation, 2 physics, 3 ai
    int batch;
};

std::mutex g_jobMutex;
std::condition_variable g_jobCv, g_doneCv;
std::deque<job_t> g_jobs;
int g_jobsPending = 0;

void run_job( const job_t& j, rng_t& r )
{
    char txt[48];
    switch( j.kind )
    {
    case 0:
    {
        ZoneScopedN( "ECS::UpdateTransforms" );
        const int n = snprintf( txt, sizeof( txt ), "batch %d (256 entities)", j.batch );
        ZoneText( txt, n );
        busy_ms( r( 0.15 ) );  // gather dirty entities
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_registryMutex );
            busy_ms( r( g_p.registry_hold_ms ) );  // registry lookups (+ the whole pass in two_problems)
        }
        busy_ms( r( g_p.registry_hold_ms > 0.1 ? 0.10 : 0.47 ) );  // write back world matrices
        break;
    }
    case 1:
    {
        ZoneScopedN( "Animation::Sample" );
        const int n = snprintf( txt, sizeof( txt ), "rig batch %d", j.batch );
        ZoneText( txt, n );
        busy_ms( r( 0.9, 0.1 ) );
        break;
    }
    case 2:
    {
        ZoneScopedN( "Physics::Integrate" );
        const int n = snprintf( txt, sizeof( txt ), "island %d", j.batch );
        ZoneText( txt, n );
        busy_ms( r( 1.3, 0.1 ) );
        break;
    }
    default:
    {
        ZoneScopedN( "AI::Think" );
        const int n = snprintf( txt, sizeof( txt ), "squad %d", j.batch );
        ZoneText( txt, n );
        busy_ms( r( 1.0, 0.15 ) );
        break;
    }
    }
}

void worker_main( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    name_thread( name );
    rng_t r( g_p.seed + 100 + idx );
    for( ;; )
    {
        job_t j;
        {
            std::unique_lock<std::mutex> lk( g_jobMutex );
            g_jobCv.wait( lk, [] { return g_stop.load() || !g_jobs.empty(); } );
            if( g_jobs.empty() ) return;
            j = g_jobs.front();
            g_jobs.pop_front();
        }
        run_job( j, r );
        {
            std::lock_guard<std::mutex> lk( g_jobMutex );
            if( --g_jobsPending == 0 ) g_doneCv.notify_all();
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Render thread

std::mutex g_renderSignalMutex;
std::condition_variable g_renderCv;
std::deque<int> g_cmdQueue;  // guarded by g_cmdQueueMutex; signalled through g_renderSignalMutex
int g_submitted = 0;         // guarded by g_renderSignalMutex

void render_main()
{
    name_thread( "Render" );
    rng_t r( g_p.seed + 7 );
    int consumed = 0;
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( g_renderSignalMutex );
            g_renderCv.wait( lk, [&] { return g_stop.load() || g_submitted > consumed; } );
        }
        int frame = -1;
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_cmdQueueMutex );
            if( !g_cmdQueue.empty() )
            {
                frame = g_cmdQueue.front();
                g_cmdQueue.pop_front();
                consumed++;
            }
        }
        if( frame < 0 )
        {
            if( g_stop ) return;
            continue;
        }
        ZoneScopedN( "Render::Frame" );
        ZoneValue( frame );
        const int draws = r.range( 1850, 2250 );
        {
            ZoneScopedN( "Render::BuildCommandLists" );
            busy_ms( r( 5.5, 0.08 ) );
        }
        {
            ZoneScopedN( "Render::Submit" );
            busy_ms( r( 1.8, 0.1 ) );
        }
        {
            ZoneScopedN( "Render::Present" );
            busy_ms( r( 0.6, 0.1 ) );
        }
        TracyPlot( "Draw calls", (int64_t)draws );
        if( frame == 95 ) message( "Render: pipeline cache warm (412 PSOs)" );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Audio thread

struct voice_t
{
    int id;
    int64_t end_ns;
};
std::vector<voice_t> g_voices;  // guarded by g_voiceMutex

void audio_main()
{
    name_thread( "Audio" );
    rng_t r( g_p.seed + 9 );
    const int64_t period = 5333333;
    int64_t next = now_ns();
    while( !g_stop )
    {
        next += period;
        {
            ZoneScopedN( "Audio::Mix" );
            int active = 0;
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_voiceMutex );
                const int64_t t = now_ns();
                g_voices.erase( std::remove_if( g_voices.begin(), g_voices.end(),
                                                [t]( const voice_t& v ) { return v.end_ns < t; } ),
                                g_voices.end() );
                active = (int)g_voices.size();
                busy_ms( r( 0.06, 0.2 ) );
            }
            ZoneValue( active );
            busy_ms( r( 0.55, 0.1 ) );
        }
        sleep_until_ns( next );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Streaming thread: world chunks, resident set capped at 16 (LRU in the default heap).

std::mutex g_streamMutex;
std::condition_variable g_streamCv;
std::deque<int> g_streamRequests;
std::atomic<bool> g_loadBankAsync{ false };
std::deque<void*> g_resident;  // streaming thread only (after loading)

// Streaming I/O in 2 ms slices, so that shutdown can cancel a chunk in flight.
void stream_busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    while( !g_stop && now_ns() + 2000000 < end ) std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );
    if( !g_stop ) busy_ms( ( end - now_ns() ) / 1e6 );
}

void plot_queue( size_t n ) { TracyPlot( "Streaming queue", (int64_t)n ); }

void request_chunks( int first, int count )
{
    std::lock_guard<std::mutex> lk( g_streamMutex );
    for( int i = 0; i < count; i++ ) g_streamRequests.push_back( first + i );
    plot_queue( g_streamRequests.size() );
    g_streamCv.notify_one();
}

void load_bank( const char* name, rng_t& r )
{
    ZoneScopedN( "Audio::LoadBank" );
    ZoneText( name, strlen( name ) );
    void* p = heap_alloc( 3 << 20 );
    {
        ZoneScopedN( "Audio::DecodeBank" );
        busy_ms( r( 44.0, 0.01 ) );
    }
    heap_free( p );  // decoded into the mixer's voice bank; the staging copy is released
    message( "Audio: bank '%s' loaded (212 samples)", name );
}

void streaming_main()
{
    name_thread( "Streaming" );
    rng_t r( g_p.seed + 11 );
    for( ;; )
    {
        int chunk = -1;
        {
            std::unique_lock<std::mutex> lk( g_streamMutex );
            g_streamCv.wait_for( lk, std::chrono::milliseconds( 20 ) );
            if( !g_streamRequests.empty() )
            {
                chunk = g_streamRequests.front();
                g_streamRequests.pop_front();
                plot_queue( g_streamRequests.size() );
            }
        }
        if( g_loadBankAsync.exchange( false ) ) load_bank( "ambience_night", r );
        while( chunk >= 0 )
        {
            {
                ZoneScopedN( "Streaming::LoadChunk" );
                char txt[48];
                const int n = snprintf( txt, sizeof( txt ), "chunk %d_%d", chunk / 64, chunk % 64 );
                ZoneText( txt, n );
                void* raw = pool_alloc( 1 << 20, kStreamingPool );
                {
                    ZoneScopedN( "Streaming::ReadFile" );
                    stream_busy_ms( r( 42.0, 0.1 ) );
                }
                void* resident = heap_alloc( 512 << 10 );
                {
                    ZoneScopedN( "Streaming::Decompress" );
                    stream_busy_ms( r( 28.0, 0.1 ) );
                }
                pool_free( raw, kStreamingPool );
                g_resident.push_back( resident );
                if( g_resident.size() > 16 )
                {
                    ZoneScopedN( "Streaming::EvictChunk" );
                    heap_free( g_resident.front() );
                    g_resident.pop_front();
                    busy_ms( 0.2 );
                }
            }
            if( g_stop ) return;
            std::lock_guard<std::mutex> lk( g_streamMutex );
            chunk = -1;
            if( !g_streamRequests.empty() )
            {
                chunk = g_streamRequests.front();
                g_streamRequests.pop_front();
                plot_queue( g_streamRequests.size() );
            }
        }
        if( g_stop ) return;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Game state

struct emitter_t
{
    void* particles;   // ParticlePool, 48 KiB
    void* sortKeys;    // default heap, 24 KiB
    int64_t death_ns;
    int count;
};

std::vector<emitter_t> g_emitters;
std::vector<void*> g_levelData;

void level_load( rng_t& r )
{
    ZoneScopedN( "Level::Load" );
    ZoneText( "harbor_district", 15 );
    {
        ZoneScopedN( "Level::LoadEntities" );
        for( int i = 0; i < 2048; i++ ) g_levelData.push_back( heap_alloc( 1024 * (size_t)r.range( 1, 4 ) ) );
        busy_ms( 90 );
    }
    {
        ZoneScopedN( "Level::LoadTextures" );
        for( int i = 0; i < 40; i++ ) g_levelData.push_back( heap_alloc( 1 << 20 ) );
        busy_ms( 150 );
    }
    {
        ZoneScopedN( "Level::LoadWorldChunks" );
        for( int i = 0; i < 16; i++ ) g_resident.push_back( heap_alloc( 512 << 10 ) );
        busy_ms( 110 );
    }
    TracyPlot( "Entity count", (int64_t)2048 );
    message( "Level 'harbor_district' loaded: 2048 entities, 40 textures, 16 world chunks" );
}

void spawn_emitter( int64_t t, rng_t& r, int idx )
{
    ZoneScopedN( "Particles::SpawnEmitter" );
    emitter_t e;
    e.particles = pool_alloc( 48 << 10, kParticlePool );
    e.sortKeys = emitter_alloc( 24 << 10 );
    e.death_ns = t + (int64_t)( r.uni( 1.0, 1.6 ) * 1e9 );
    e.count = r.range( 300, 600 );
    busy_ms( r( 0.12 ) );
    g_emitters.push_back( e );
    if( idx % 25 == 0 ) message( "Explosion #%d: %s, %d particles", idx, ( idx / 25 ) % 2 ? "grenade" : "barrel", e.count );
}

void particles_update( int64_t t, rng_t& r )
{
    ZoneScopedN( "Particles::Update" );
    int live = 0;
    for( size_t i = 0; i < g_emitters.size(); )
    {
        if( g_emitters[i].death_ns < t )
        {
            pool_free( g_emitters[i].particles, kParticlePool );
            if( !g_p.leak_sort_buffer ) emitter_free( g_emitters[i].sortKeys );
            g_emitters[i] = g_emitters.back();
            g_emitters.pop_back();
        }
        else
        {
            live += g_emitters[i].count;
            i++;
        }
    }
    busy_ms( 0.3 + 0.01 * g_emitters.size() );
    TracyPlot( "Live particles", (int64_t)live );
}

void ui_build_text( rng_t& r, int frame )
{
    ZoneScopedN( "UI::BuildText" );
    const int n = g_p.ui_allocs;
    std::vector<void*> strs;
    strs.reserve( n );
    const int64_t t0 = now_ns();
    const double budget = n > 500 ? 1.1 : 0.35;  // the churny version also formats every label each frame
    for( int i = 0; i < n; i++ ) strs.push_back( heap_alloc( 24 + 8 * ( ( i * 7 + frame ) % 8 ) ) );
    for( void* p : strs ) heap_free( p );
    const double used = ( now_ns() - t0 ) / 1e6;
    busy_ms( std::max( 0.05, r( budget, 0.08 ) - used ) );
    ZoneValue( (uint64_t)n );
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: %s two_problems|all_clear|three_small\n", argv[0] );
        return 2;
    }
    g_p.scenario = argv[1];
    if( g_p.scenario == "two_problems" )
    {
        g_p.registry_hold_ms = 0.40;
        g_p.leak_sort_buffer = true;
    }
    else if( g_p.scenario == "all_clear" )
    {
    }
    else if( g_p.scenario == "three_small" )
    {
        g_p.loadbank_on_main = true;
        g_p.stream_backlog = true;
        g_p.ui_allocs = 1000;  // 4000 per frame made a 9 MB capture; 1000 per frame over 4 s keeps it near 2 MB
        g_p.seconds = 4.0;
        g_p.seed += 3;
    }
    else
    {
        fprintf( stderr, "unknown scenario %s\n", argv[1] );
        return 2;
    }

    name_thread( "Main thread" );
    TracyAppInfo( "ironvale 0.9.4 (Development)", 28 );
    rng_t r( g_p.seed );

    level_load( r );

    std::vector<std::thread> threads;
    for( int i = 0; i < 4; i++ ) threads.emplace_back( worker_main, i );
    std::thread render( render_main );
    std::thread audio( audio_main );
    std::thread streaming( streaming_main );

    if( g_p.stream_backlog ) request_chunks( 1000, 30 );  // a long queue that the streamer never catches up on

    const int64_t start = now_ns();
    const int nframes = (int)( g_p.seconds * 60.0 );
    int64_t vblank = start;
    int explosions = 0;
    double explosion_acc = 0.0;
    int next_burst = 60;
    int next_chunk = 2000;
    const int bank_frame = 180;
    FrameMark;
    for( int f = 1; f <= nframes; f++ )
    {
        vblank += kVblankNs;
        const int64_t t = now_ns();
        {
            ZoneScopedN( "Game::Frame" );
            ZoneValue( f );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.25, 0.1 ) );
            }
            {
                ZoneScopedN( "Game::Simulate" );
                {
                    ZoneScopedN( "Gameplay::Tick" );
                    busy_ms( r( 1.6, 0.1 ) );
                }
                // explosions: ~0.85 per frame on average (a battle)
                explosion_acc += r.uni( 0.0, 1.7 );
                while( explosion_acc >= 1.0 )
                {
                    explosion_acc -= 1.0;
                    explosions++;
                    spawn_emitter( t, r, explosions );
                    ZoneScopedN( "Audio::PlaySound" );
                    std::lock_guard<LockableBase( std::mutex )> lk( g_voiceMutex );
                    g_voices.push_back( { explosions, t + 2000000000ll } );
                }
                particles_update( t, r );
                if( f == bank_frame )
                {
                    if( g_p.loadbank_on_main )
                        load_bank( "ambience_night", r );
                    else
                        g_loadBankAsync = true;
                    message( "Weather: night falls, switching ambience" );
                }
            }
            {
                ZoneScopedN( "Jobs::Dispatch" );
                std::lock_guard<std::mutex> lk( g_jobMutex );
                // transform batches interleaved with the other systems' jobs
                static const int kinds[16] = { 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 1, 2, 3, 1, 1 };
                int batch[4] = { 0, 0, 0, 0 };
                for( int k : kinds ) g_jobs.push_back( { k, batch[k]++ } );
                g_jobsPending += 16;
                g_jobCv.notify_all();
            }
            {
                ZoneScopedN( "Jobs::Wait" );
                std::unique_lock<std::mutex> lk( g_jobMutex );
                g_doneCv.wait( lk, [] { return g_jobsPending == 0; } );
            }
            ui_build_text( r, f );
            {
                ZoneScopedN( "UI::DrawHUD" );
                busy_ms( r( 0.5, 0.1 ) );
            }
            {
                ZoneScopedN( "Game::SubmitToRender" );
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_cmdQueueMutex );
                    g_cmdQueue.push_back( f );
                    busy_ms( r( 0.05, 0.2 ) );
                }
                {
                    std::lock_guard<std::mutex> sl( g_renderSignalMutex );
                    g_submitted++;
                }
                g_renderCv.notify_one();
                busy_ms( r( 0.2, 0.1 ) );
            }
            // streaming requests
            if( g_p.stream_backlog )
            {
                if( f % 4 == 0 ) request_chunks( next_chunk++, 1 );  // one new chunk every 67 ms
            }
            else if( f == next_burst )
            {
                request_chunks( next_chunk, 6 );
                next_chunk += 6;
                next_burst += 90;
            }
        }
        {
            ZoneScopedN( "Game::WaitForVSync" );
            if( now_ns() > vblank )
                while( vblank < now_ns() ) vblank += kVblankNs;  // missed: wait for the next one
            sleep_until_ns( vblank );
        }
        FrameMark;
    }
    message( "Session end: %d explosions, %zu emitters alive", explosions, g_emitters.size() );
    {
        ZoneScopedN( "Particles::Shutdown" );
        for( emitter_t& e : g_emitters )
        {
            pool_free( e.particles, kParticlePool );
            if( !g_p.leak_sort_buffer ) emitter_free( e.sortKeys );
        }
        g_emitters.clear();
        busy_ms( 0.5 );
    }

    g_stop = true;
    g_jobCv.notify_all();
    g_renderCv.notify_all();
    g_streamCv.notify_all();
    for( auto& th : threads ) th.join();
    render.join();
    audio.join();
    streaming.join();
    fprintf( stderr, "%s: %d explosions\n", g_p.scenario.c_str(), explosions );
    return 0;
}
