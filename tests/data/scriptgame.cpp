// scriptgame: a small game engine with an embedded scripting VM (think Lua in a game), instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   main ("Main thread")  the game loop (60 Hz with vsync): Game::Frame > Input::Poll, Script::Update (script
//                         callbacks: Script::Call, ZoneText = script function), Script::GC::Step (incremental GC),
//                         Physics::Step (> Physics::Broadphase, Physics::Narrowphase), Jobs::Dispatch, Jobs::Wait,
//                         Renderer::BuildShadowMaps, UI::DrawHUD, Renderer::Submit, Renderer::Present (sleeps to the
//                         next 16.667 ms vblank; with vsync off it only swaps), then FrameMark.
//   job-0..job-5          job workers: Job::Animate, Job::Cull, Job::Particles, Job::Skinning, Nav::UpdateAgents, ...
//                         (ZoneText = job), pulled from one queue; the main thread waits for all of a frame's jobs.
//   streamer              Stream::LoadChunk (ZoneText = chunk) every 300-500 ms > Stream::ReadFile, Stream::Decompress
//   net                   Net::Receive, Net::Send (> Net::Serialize) every 20 ms
// Memory (script_leak, realloc_churn): TracyAlloc/TracyFree for the default heap; named pool "ScriptHeap" with
// allocation callstacks (TracyAllocNS/TracyFreeNS, depth 8). Plots: "script heap KB", "live entities",
// "jobs per frame". Locks (alloc_lock only): Alloc::heapMutex, Render::CmdMutex.
//
// Usage: scriptgame <scenario>
//   gc_hitch       every ~1.2 s Script::Update runs a full GC (Script::GC::FullCollect, 35-45 ms): 50 ms frames
//   regress_a      baseline build
//   regress_b      Physics::Narrowphase 1.6x slower, Renderer::BuildShadowMaps 0.7x, "ui.lua:refresh" called 3x
//                  per frame at 1/3 the cost, Job::Cull renamed Job::Visibility
//   script_leak    Script::SpawnEntity's 512 B script object (ScriptHeap) is never freed when the entity dies
//   critical_path  vsync off; per frame ~20 short jobs and one 10-12 ms Nav::BuildNavTiles dispatched last
//   alloc_lock     vsync off; the jobs allocate through one allocator behind Alloc::heapMutex: the workers convoy
//   realloc_churn  Net::Serialize grows each packet buffer by doubling 64 B -> 128 KiB (12 allocations per packet)
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
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
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

constexpr int64_t kVblankNs = 16666667;
const char* const kScriptHeap = "ScriptHeap";

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

// Emulated work: sleep to just before the deadline, then spin (keeps the CPU load low on a shared machine).
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
    prctl( PR_SET_TIMERSLACK, 1000UL );  // 1 us: accurate sleeps
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
    uint32_t seed = 0x73676d65;
    double seconds = 6.0;
    int workers = 6;
    bool vsync = true;
    bool gc_full = false;        // gc_hitch
    bool long_chunk = false;     // gc_hitch distractor: one 25 ms Stream::LoadChunk
    double narrow_scale = 1.0;   // regress_b: 1.6
    double shadow_scale = 1.0;   // regress_b: 0.7
    int refresh_split = 1;       // regress_b: 3 calls of "ui.lua:refresh" at 1/3 the cost
    bool rename_cull = false;    // regress_b: Job::Cull -> Job::Visibility
    bool memory = false;         // script_leak, realloc_churn: memory events
    bool script_leak = false;    // script_leak
    bool critical = false;       // critical_path
    bool alloc_lock = false;     // alloc_lock
    bool churn = false;          // realloc_churn
    const char* app = "scriptgame 1.8.2";
};

params g_p;

// ---------------------------------------------------------------------------------------------------------------
// Memory: default heap and the script VM's heap (pool "ScriptHeap", with allocation callstacks)

void* heap_alloc( size_t sz )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 64 ) );
    if( g_p.memory ) TracyAlloc( p, sz );
    return p;
}

void heap_free( void* p )
{
    if( g_p.memory ) TracyFree( p );
    free( p );
}

__attribute__( ( noinline ) ) void* script_alloc( size_t sz )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 64 ) );
    TracyAllocNS( p, sz, 8, kScriptHeap );
    return p;
}

__attribute__( ( noinline ) ) void script_free( void* p )
{
    TracyFreeNS( p, 8, kScriptHeap );
    free( p );
}

// Locks of alloc_lock only (constructed on demand, so that other captures announce no locks).
struct game_locks
{
    TracyLockableN( std::mutex, heap, "Alloc::heapMutex" );
    TracyLockableN( std::mutex, cmd, "Render::CmdMutex" );
};

std::unique_ptr<game_locks> g_locks;

// The engine's general-purpose allocator (alloc_lock): one global heap behind one mutex.
void* locked_malloc( size_t sz, rng_t& r )
{
    std::lock_guard<LockableBase( std::mutex )> lk( g_locks->heap );
    ZoneScopedN( "Alloc::Malloc" );
    busy_ms( r.uni( 0.020, 0.040 ) );  // free-list search + coalescing bookkeeping
    return malloc( sz );
}

void locked_free( void* p, rng_t& r )
{
    std::lock_guard<LockableBase( std::mutex )> lk( g_locks->heap );
    ZoneScopedN( "Alloc::Free" );
    busy_ms( r.uni( 0.015, 0.025 ) );
    free( p );
}

// ---------------------------------------------------------------------------------------------------------------
// Job system: one queue, N workers; the main thread waits until all of a frame's jobs are done.

enum job_kind
{
    J_ANIMATE,
    J_CULL,
    J_PARTICLES,
    J_SKINNING,
    J_NAV_AGENTS,
    J_NAV_TILES,
};

struct job
{
    job_kind kind;
    int id;
    double ms;
};

struct job_system
{
    std::mutex m;
    std::condition_variable cv, done_cv;
    std::deque<job> q;
    int remaining = 0;
    bool stop = false;
};

job_system g_jobs;

void job_text( tracy::ScopedZone& zone, const char* what, int id )
{
    char buf[64];
    const int n = snprintf( buf, sizeof( buf ), "%s #%d", what, id );
    zone.Text( buf, (size_t)n );
}

// The work of one job; in alloc_lock it allocates its scratch through the locked engine allocator.
void job_body( const job& j, rng_t& r )
{
    if( g_p.alloc_lock )
    {
        void* blocks[30];
        busy_ms( j.ms * 0.5 );
        for( auto& b : blocks ) b = locked_malloc( (size_t)r.range( 2, 32 ) * 16, r );
        busy_ms( j.ms * 0.5 );
        for( auto& b : blocks ) locked_free( b, r );
        return;
    }
    if( g_p.churn && j.kind == J_PARTICLES )
    {
        void* blocks[4];
        for( auto& b : blocks ) b = heap_alloc( (size_t)r.range( 2, 4 ) * 16 );
        busy_ms( j.ms );
        for( auto& b : blocks ) heap_free( b );  // the emitter's scratch, freed at once
        return;
    }
    busy_ms( j.ms );
}

void run_job( const job& j, rng_t& r )
{
    switch( j.kind )
    {
    case J_ANIMATE:
    {
        ZoneNamedN( zj, "Job::Animate", true );
        job_text( zj, "skeleton batch", j.id );
        job_body( j, r );
        break;
    }
    case J_CULL:
        if( g_p.rename_cull )
        {
            ZoneNamedN( zj, "Job::Visibility", true );
            job_text( zj, "view", j.id );
            job_body( j, r );
        }
        else
        {
            ZoneNamedN( zj, "Job::Cull", true );
            job_text( zj, "view", j.id );
            job_body( j, r );
            if( g_locks && j.id == 0 )
            {
                // publishes the main view's visible list into the command stream (before the main thread records)
                std::lock_guard<LockableBase( std::mutex )> lk( g_locks->cmd );
                busy_ms( 0.1 );
            }
        }
        break;
    case J_PARTICLES:
    {
        ZoneNamedN( zj, "Job::Particles", true );
        job_text( zj, "emitter group", j.id );
        job_body( j, r );
        break;
    }
    case J_SKINNING:
    {
        ZoneNamedN( zj, "Job::Skinning", true );
        job_text( zj, "mesh batch", j.id );
        job_body( j, r );
        break;
    }
    case J_NAV_AGENTS:
    {
        ZoneNamedN( zj, "Nav::UpdateAgents", true );
        job_text( zj, "agent group", j.id );
        job_body( j, r );
        break;
    }
    case J_NAV_TILES:
    {
        ZoneNamedN( zj, "Nav::BuildNavTiles", true );
        job_text( zj, "navmesh rebuild, tiles", j.id );
        job_body( j, r );
        break;
    }
    }
}

void job_worker( int w )
{
    char nm[16];
    snprintf( nm, sizeof( nm ), "job-%d", w );
    name_thread( nm );
    rng_t r( g_p.seed ^ ( 0x1000u * ( w + 1 ) ) );
    for( ;; )
    {
        job j;
        {
            std::unique_lock<std::mutex> lk( g_jobs.m );
            g_jobs.cv.wait( lk, [] { return g_jobs.stop || !g_jobs.q.empty(); } );
            if( g_jobs.stop ) return;
            j = g_jobs.q.front();
            g_jobs.q.pop_front();
        }
        run_job( j, r );
        std::lock_guard<std::mutex> lk( g_jobs.m );
        if( --g_jobs.remaining == 0 ) g_jobs.done_cv.notify_one();
    }
}

// This frame's jobs, in dispatch order.
std::vector<job> frame_jobs( rng_t& r )
{
    std::vector<job> v;
    auto add = []( std::vector<job>& out, job_kind k, int n, double ms_lo, double ms_hi, rng_t& rr ) {
        for( int i = 0; i < n; i++ ) out.push_back( { k, i, rr.uni( ms_lo, ms_hi ) } );
    };
    if( g_p.critical )
    {
        add( v, J_ANIMATE, 6, 0.3, 0.6, r );
        add( v, J_CULL, 3, 0.3, 0.6, r );
        add( v, J_PARTICLES, 4, 0.3, 0.6, r );
        add( v, J_SKINNING, 5, 0.3, 0.6, r );
        add( v, J_NAV_AGENTS, 2, 0.3, 0.6, r );
        add( v, J_NAV_TILES, 1, 10.0, 12.0, r );  // the navmesh rebuild, queued last
    }
    else if( g_p.alloc_lock )
    {
        add( v, J_ANIMATE, 2, 0.8, 1.2, r );
        add( v, J_CULL, 1, 0.8, 1.2, r );
        add( v, J_PARTICLES, 1, 0.8, 1.2, r );
        add( v, J_SKINNING, 1, 0.8, 1.2, r );
        add( v, J_NAV_AGENTS, 1, 0.8, 1.2, r );
    }
    else
    {
        add( v, J_ANIMATE, 4, 0.33, 0.37, r );
        add( v, J_CULL, 2, 0.28, 0.32, r );
        add( v, J_PARTICLES, 2, 0.38, 0.42, r );
        add( v, J_SKINNING, 3, 0.28, 0.32, r );
        add( v, J_NAV_AGENTS, 1, 0.47, 0.53, r );
    }
    return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Script VM (main thread)

struct entity
{
    void* script_obj;   // ScriptHeap, 512 B
    void* component;    // default heap
    int64_t dies_at;    // frame
};

struct script_vm
{
    std::vector<entity> entities;
    std::deque<std::pair<void*, size_t>> interned;  // string intern table, oldest first
    size_t interned_bytes = 0;
    std::vector<std::pair<void*, size_t>> temps;    // this frame's temporary tables (collected by the next GC step)
    int64_t heap_live = 0;                          // ScriptHeap bytes alive (script_leak)
    double heap_kb = 6144.0;                        // emulated VM heap (other scenarios)
    int spawned = 0;
};

script_vm g_vm;

constexpr size_t kInternCap = 128 * 1024;

__attribute__( ( noinline ) ) void make_temp_table( rng_t& r )
{
    const size_t sz = (size_t)r.range( 4, 10 ) * 16;
    g_vm.temps.emplace_back( script_alloc( sz ), sz );
    g_vm.heap_live += (int64_t)sz;
}

__attribute__( ( noinline ) ) void intern_string( rng_t& r )
{
    const size_t sz = (size_t)r.range( 3, 25 ) * 8;
    g_vm.interned.emplace_back( script_alloc( sz ), sz );
    g_vm.interned_bytes += sz;
    g_vm.heap_live += (int64_t)sz;
    while( g_vm.interned_bytes > kInternCap )  // bounded: evict the oldest strings
    {
        script_free( g_vm.interned.front().first );
        g_vm.interned_bytes -= g_vm.interned.front().second;
        g_vm.heap_live -= (int64_t)g_vm.interned.front().second;
        g_vm.interned.pop_front();
    }
}

__attribute__( ( noinline ) ) void* new_script_object()
{
    void* o = script_alloc( 512 );
    static_cast<uint32_t*>( o )[0] = 0x4f424a31u;  // object header
    g_vm.heap_live += 512;
    return o;
}

__attribute__( ( noinline ) ) void spawn_entity( int n, rng_t& r )
{
    ZoneScopedN( "Script::SpawnEntity" );
    entity e;
    e.script_obj = new_script_object();
    e.component = heap_alloc( 192 );
    e.dies_at = n + r.range( 30, 90 );
    g_vm.entities.push_back( e );
    g_vm.spawned++;
    busy_ms( r( 0.04 ) );
}

__attribute__( ( noinline ) ) void destroy_entity( size_t i, rng_t& r )
{
    ZoneScopedN( "Script::DestroyEntity" );
    heap_free( g_vm.entities[i].component );
    // the entity's script object is not released here (the planted leak)
    g_vm.entities.erase( g_vm.entities.begin() + (long)i );
    busy_ms( r( 0.02 ) );
}

__attribute__( ( noinline ) ) void spawner_tick( int n, rng_t& r )
{
    const int k = r.range( 1, 3 );
    for( int i = 0; i < k; i++ ) spawn_entity( n, r );
    for( size_t i = 0; i < g_vm.entities.size(); )
        if( g_vm.entities[i].dies_at <= n ) destroy_entity( i, r );
        else i++;
}

__attribute__( ( noinline ) ) void script_call( const char* fn, double ms, int n, rng_t& r )
{
    ZoneScopedN( "Script::Call" );
    ZoneText( fn, strlen( fn ) );
    if( g_p.script_leak )
    {
        make_temp_table( r );
        if( strcmp( fn, "spawner.lua:tick" ) == 0 ) spawner_tick( n, r );
        if( strcmp( fn, "ui.lua:refresh" ) == 0 || strcmp( fn, "quest.lua:update" ) == 0 )
            for( int i = 0; i < 5; i++ ) intern_string( r );
    }
    busy_ms( ms );
}

void full_collect( rng_t& r )
{
    ZoneScopedN( "Script::GC::FullCollect" );
    const double total = r.uni( 34.0, 38.0 );
    const double before = g_vm.heap_kb;
    {
        ZoneScopedN( "Script::GC::Mark" );
        busy_ms( total * 0.6 );
    }
    {
        ZoneScopedN( "Script::GC::Sweep" );
        busy_ms( total * 0.4 );
    }
    g_vm.heap_kb = r.uni( 6100.0, 6200.0 );
    message( "gc: full collect, %d objects freed, heap %.0f KB", (int)( ( before - g_vm.heap_kb ) * 1024.0 / 48.0 ),
             g_vm.heap_kb );
}

__attribute__( ( noinline ) ) void script_update( int n, const std::set<int>& gc_frames, rng_t& r, rng_t& rr )
{
    ZoneScopedN( "Script::Update" );
    script_call( "player.lua:update", r( 0.45 ), n, r );
    for( int i = 0; i < 3; i++ ) script_call( "enemy_ai.lua:think", r( 0.35 ), n, r );
    script_call( "spawner.lua:tick", r( 0.10 ), n, r );
    const double refresh = r( 0.75 );
    for( int i = 0; i < g_p.refresh_split; i++ )
        script_call( "ui.lua:refresh", refresh / g_p.refresh_split * rr( 1.0, 0.03 ), n, r );
    script_call( "quest.lua:update", r( 0.20 ), n, r );
    if( gc_frames.count( n ) ) full_collect( r );
}

void gc_step( rng_t& r )
{
    ZoneScopedN( "Script::GC::Step" );
    for( auto& t : g_vm.temps )  // last frame's temporaries are garbage now
    {
        script_free( t.first );
        g_vm.heap_live -= (int64_t)t.second;
    }
    g_vm.temps.clear();
    g_vm.heap_kb += r.uni( 8.0, 12.0 );                        // garbage created by this frame's scripts
    g_vm.heap_kb -= g_p.gc_full ? r.uni( 2.0, 4.0 ) : r.uni( 8.0, 12.0 );  // collected incrementally
    g_vm.heap_kb = std::max( g_vm.heap_kb, 6000.0 );
    busy_ms( r( 0.30 ) );
}

// ---------------------------------------------------------------------------------------------------------------
// streamer and net threads

void streamer_thread( int64_t t0 )
{
    name_thread( "streamer" );
    rng_t r( g_p.seed ^ 0x57e4u );
    int64_t next = t0 + (int64_t)( r.uni( 100.0, 200.0 ) * 1e6 );
    for( int i = 0;; i++ )
    {
        while( !g_stop.load() && now_ns() < next ) std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );
        if( g_stop.load() ) return;
        const int cx = r.range( -20, 20 ), cy = r.range( -20, 20 );
        const bool big = g_p.long_chunk && i == 8;
        const double read = big ? r.uni( 17.0, 18.0 ) : r.uni( 2.0, 5.0 );
        const double dec = big ? r.uni( 7.0, 8.0 ) : r.uni( 1.0, 3.0 );
        const int kb = big ? 6144 + r.range( 0, 512 ) : 300 + r.range( 0, 200 );
        {
            ZoneScopedN( "Stream::LoadChunk" );
            char label[48];
            const int n = snprintf( label, sizeof( label ), "chunk (%d,%d)", cx, cy );
            ZoneText( label, (size_t)n );
            {
                ZoneScopedN( "Stream::ReadFile" );
                busy_ms( read );
            }
            {
                ZoneScopedN( "Stream::Decompress" );
                busy_ms( dec );
            }
        }
        message( "stream: chunk (%d,%d) loaded, %d KB", cx, cy, kb );
        next = now_ns() + (int64_t)( r.uni( 300.0, 500.0 ) * 1e6 );
    }
}

void net_thread( int64_t t0 )
{
    name_thread( "net" );
    rng_t r( g_p.seed ^ 0x4e37u );
    int64_t next = t0 + 5000000;
    for( int seq = 0; !g_stop.load(); seq++ )
    {
        sleep_until_ns( next );
        next += 20000000;
        {
            ZoneScopedN( "Net::Receive" );
            busy_ms( r.uni( 0.15, 0.30 ) );
        }
        {
            ZoneScopedN( "Net::Send" );
            char label[32];
            const int n = snprintf( label, sizeof( label ), "snapshot #%d", seq );
            ZoneText( label, (size_t)n );
            void* packet = nullptr;
            {
                ZoneScopedN( "Net::Serialize" );
                if( g_p.churn )
                {
                    // grows the packet buffer by doubling as the world snapshot is written (no reserve)
                    size_t cap = 64;
                    packet = heap_alloc( cap );
                    while( cap < 131072 )
                    {
                        void* bigger = heap_alloc( cap * 2 );
                        memcpy( bigger, packet, std::min<size_t>( cap, 64 ) );
                        heap_free( packet );
                        packet = bigger;
                        cap *= 2;
                    }
                    busy_ms( r.uni( 0.25, 0.35 ) );
                }
                else busy_ms( r.uni( 0.08, 0.12 ) );
            }
            busy_ms( r.uni( 0.10, 0.20 ) );
            if( packet ) heap_free( packet );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Game loop (main thread)

void game_loop( int64_t t0 )
{
    rng_t r( g_p.seed ^ 0x11u );
    rng_t rr( 77 );  // changed-between-builds draws: separate stream, so the other draws match between builds
    rng_t rm( g_p.seed ^ 0x3e3u );
    const int64_t end = t0 + (int64_t)( g_p.seconds * 1e9 );
    std::set<int> gc_frames;
    if( g_p.gc_full )
        for( int i = 0; i < 5; i++ ) gc_frames.insert( 50 + i * 70 + r.range( -6, 6 ) );
    double fake_entities = 120.0;
    for( int n = 0; now_ns() < end; n++ )
    {
        int njobs = 0;
        {
            ZoneScopedN( "Game::Frame" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.20 ) );
            }
            script_update( n, gc_frames, r, rr );
            gc_step( r );
            {
                ZoneScopedN( "Physics::Step" );
                {
                    ZoneScopedN( "Physics::Broadphase" );
                    busy_ms( r( 0.50 ) );
                }
                {
                    ZoneScopedN( "Physics::Narrowphase" );
                    busy_ms( r( 1.30 ) * g_p.narrow_scale );
                }
            }
            {
                ZoneScopedN( "Jobs::Dispatch" );
                std::vector<job> jobs = frame_jobs( r );
                njobs = (int)jobs.size();
                {
                    std::lock_guard<std::mutex> lk( g_jobs.m );
                    for( const job& j : jobs ) g_jobs.q.push_back( j );
                    g_jobs.remaining = njobs;
                }
                g_jobs.cv.notify_all();
            }
            {
                ZoneScopedN( "Jobs::Wait" );
                std::unique_lock<std::mutex> lk( g_jobs.m );
                g_jobs.done_cv.wait( lk, [] { return g_jobs.remaining == 0; } );
            }
            {
                ZoneScopedN( "Renderer::BuildShadowMaps" );
                busy_ms( r( 2.00 ) * g_p.shadow_scale );
            }
            {
                ZoneScopedN( "UI::DrawHUD" );
                void* text[2] = { nullptr, nullptr };
                if( g_p.churn )
                    for( auto& t : text ) t = heap_alloc( (size_t)rm.range( 1, 4 ) * 1024 );
                busy_ms( r( 0.40 ) );
                if( g_p.churn )
                    for( auto& t : text ) heap_free( t );
            }
            {
                ZoneScopedN( "Renderer::Submit" );
                std::vector<void*> cmd;
                if( g_p.script_leak )
                {
                    const int k = rm.range( 2, 4 );
                    for( int i = 0; i < k; i++ ) cmd.push_back( heap_alloc( (size_t)rm.range( 8, 32 ) * 1024 ) );
                }
                if( g_locks )
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_locks->cmd );
                    busy_ms( r( 0.20 ) );
                }
                busy_ms( r( 1.00 ) );
                for( void* p : cmd ) heap_free( p );
            }
            {
                ZoneScopedN( "Renderer::Present" );
                if( g_p.vsync )
                {
                    const int64_t now = now_ns();
                    sleep_until_ns( t0 + ( ( now - t0 ) / kVblankNs + 1 ) * kVblankNs );
                }
                else busy_ms( r( 0.35 ) );
            }
        }
        FrameMark;
        if( g_p.script_leak )
        {
            TracyPlot( "script heap KB", (double)g_vm.heap_live / 1024.0 );
            TracyPlot( "live entities", (int64_t)g_vm.entities.size() );
        }
        else
        {
            fake_entities = std::clamp( fake_entities + rm.uni( -3.0, 3.0 ), 90.0, 150.0 );
            TracyPlot( "script heap KB", g_vm.heap_kb );
            TracyPlot( "live entities", (int64_t)fake_entities );
        }
        TracyPlot( "jobs per frame", (int64_t)njobs );
    }
}

int run()
{
    TracyAppInfo( g_p.app, strlen( g_p.app ) );
    void* level = nullptr;
    {
        ZoneScopedN( "Level::Load" );
        if( g_p.memory ) level = heap_alloc( 32u << 20 );
        if( g_p.alloc_lock ) g_locks = std::make_unique<game_locks>();
        busy_ms( 20.0 );
    }
    TracyMessageL( "scriptgame: level 'harbor_district' loaded" );
    message( "script VM: 412 scripts loaded, %d job workers, vsync %s", g_p.workers, g_p.vsync ? "on" : "off" );
    const int64_t t0 = now_ns() + 20000000;
    std::vector<std::thread> th;
    for( int w = 0; w < g_p.workers; w++ ) th.emplace_back( job_worker, w );
    std::thread streamer( streamer_thread, t0 );
    std::thread net( net_thread, t0 );
    sleep_until_ns( t0 );
    game_loop( t0 );
    g_stop.store( true );
    {
        std::lock_guard<std::mutex> lk( g_jobs.m );
        g_jobs.stop = true;
    }
    g_jobs.cv.notify_all();
    for( auto& t : th ) t.join();
    streamer.join();
    net.join();
    if( g_p.script_leak )
    {
        ZoneScopedN( "Script::Shutdown" );
        for( auto& t : g_vm.temps ) script_free( t.first );
        for( auto& s : g_vm.interned ) script_free( s.first );
        for( auto& e : g_vm.entities ) heap_free( e.component );  // the script objects are lost (leak)
        busy_ms( 2.0 );
    }
    if( level )
    {
        ZoneScopedN( "Level::Unload" );
        heap_free( level );
        busy_ms( 2.0 );
    }
    TracyMessageL( "scriptgame: shutdown" );
    return 0;
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    name_thread( "game-main" );
    params& p = g_p;
    p.scenario = s;
    if( getenv( "SCRIPTGAME_SECONDS" ) ) p.seconds = atof( getenv( "SCRIPTGAME_SECONDS" ) );
    if( s == "gc_hitch" )
    {
        p.seed ^= 1;
        p.gc_full = true;
        p.long_chunk = true;
    }
    else if( s == "regress_a" || s == "regress_b" )
    {
        p.seed ^= 2;
        if( s == "regress_b" )
        {
            p.narrow_scale = 1.6;
            p.shadow_scale = 0.7;
            p.refresh_split = 3;
            p.rename_cull = true;
            p.app = "scriptgame 1.9.0-dev";
        }
    }
    else if( s == "script_leak" )
    {
        p.seed ^= 3;
        p.memory = true;
        p.script_leak = true;
    }
    else if( s == "critical_path" )
    {
        p.seed ^= 4;
        p.critical = true;
        p.vsync = false;
    }
    else if( s == "alloc_lock" )
    {
        p.seed ^= 5;
        p.alloc_lock = true;
        p.vsync = false;
    }
    else if( s == "realloc_churn" )
    {
        p.seed ^= 6;
        p.memory = true;
        p.churn = true;
    }
    else
    {
        fprintf( stderr,
                 "usage: scriptgame gc_hitch|regress_a|regress_b|script_leak|critical_path|alloc_lock|realloc_churn\n" );
        return 2;
    }
    const int rc = run();
    printf( "scriptgame %s: done\n", s.c_str() );
    return rc;
}
