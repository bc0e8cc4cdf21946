// spawnpool: the job runner of a colony-sim game ("spawnpool 0.9 (colony-sim jobs)"), instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Every frame the main thread runs the
// colonists' path requests / chunk updates as a parallel batch on "Worker" threads (all named the same).
//
// Threads:
//   main ("Main thread")  Frame loop: Sim::Update, Batch::Run (the parallel batch), Render::Submit,
//                         Render::Present (waits for the next vsync boundary), FrameMark.
//   "Worker" (many)       run Task::Process (ZoneText = the task) -- spawned per task or a persistent pool.
//   "IO Thread"           IO::ReadPack every ~120 ms (10-16 ms, long but off the frame path).
//   "Audio Mixer"         Audio::Mix every 10 ms (~1 ms).
//
// Usage: spawnpool <scenario>
//   spawn_per_task  Batch::Run spawns one std::thread per task (16 per frame) and joins them all: Task::Spawn
//                   (0.45-0.6 ms each on main) + late thread starts cost more than the 16 tasks' work.
//   regress_a       persistent pool of 8 Workers on the 2-core machine; 64 short tasks per frame.
//   regress_b       the same with 32 Workers: threads wait their turn for a core (emulated: a FIFO of 2 "cores"
//                   and a cache-refill cost that grows with the number of runnable threads), Task::Process takes
//                   ~4x longer wall time and the batch gets slower.
//   straggler       persistent pool of 32 Workers, static partitioning (task i -> worker i % 32); in about one
//                   frame in six chunk task #43 needs Chunk::BuildNavMesh (15-22 ms) and the batch waits for it
//                   on Worker #11 while the other 31 Workers idle.
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

// Emulated work: sleep to just before the deadline, then spin.
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
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
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

#define ZONE_TEXTF( ... ) do { char zt_[96]; const int zn_ = snprintf( zt_, sizeof( zt_ ), __VA_ARGS__ ); ZoneText( zt_, (size_t)std::min( zn_, (int)sizeof( zt_ ) - 1 ) ); } while( 0 )

// ---------------------------------------------------------------------------------------------------------------

struct params
{
    std::string scenario;
    double seconds = 4.5;
    double frame_ms = 33.3;     // vsync period Render::Present waits for
    double sim_ms = 3.0;        // Sim::Update
    double render_ms = 4.5;     // Render::Submit
    int tasks = 16;             // tasks per batch
    int workers = 0;            // 0 = spawn a thread per task
    double task_lo = 0.38, task_hi = 0.52;  // Task::Process work
    double spawn_lo = 0.45, spawn_hi = 0.60; // spawn_per_task: Task::Spawn on main
    double start_lo = 0.3, start_hi = 1.6;   // spawn_per_task: thread start latency before it runs
    int vcores = 0;             // >0: emulate a machine with this many cores (FIFO turn-taking)
    double switch_base = 0.02, switch_per_runnable = 0.0055;  // cache-refill cost after waiting for a core
    bool straggler = false;
    int straggler_task = 43;
    double straggler_p = 0.17;
    const char* app = "spawnpool 0.9 (colony-sim jobs)";
};
params g_p;

// ---- emulated CPU: a FIFO of vcores "cores" (what the OS scheduler does to runnable threads) ---------------------
struct VirtualCpu
{
    std::mutex m;
    std::condition_variable cv;
    uint64_t next = 0, released = 0;
    int k = 2;

    // Returns the number of runnable threads (running + waiting) seen when the thread asked for a core.
    uint64_t acquire()
    {
        std::unique_lock<std::mutex> lk( m );
        const uint64_t t = next++;
        const uint64_t runnable = next - released;
        cv.wait( lk, [&] { return t < released + (uint64_t)k; } );
        return runnable;
    }
    void release()
    {
        {
            std::lock_guard<std::mutex> lk( m );
            released++;
        }
        cv.notify_all();
    }
};
VirtualCpu g_cpu;

void run_task_work( rng_t& r, double ms )
{
    if( g_p.vcores > 0 )
    {
        const uint64_t runnable = g_cpu.acquire();
        const double refill = runnable > (uint64_t)g_p.vcores ? g_p.switch_base + g_p.switch_per_runnable * (double)runnable : 0.0;
        busy_ms( ms + refill * r.uni( 0.9, 1.1 ) );
        g_cpu.release();
    }
    else
    {
        busy_ms( ms );
    }
}

struct Task
{
    int index = 0;
    uint64_t id = 0;
    double work_ms = 0.4;
    double navmesh_ms = 0.0;  // straggler: Chunk::BuildNavMesh
    int cx = 0, cz = 0;
};

void process_task( rng_t& r, const Task& t )
{
    ZoneScopedN( "Task::Process" );
    if( g_p.straggler )
    {
        ZONE_TEXTF( "chunk #%d (%d,%d)", t.index, t.cx, t.cz );
        {
            ZoneScopedN( "Chunk::Decompress" );
            busy_ms( t.work_ms * 0.4 );
        }
        {
            ZoneScopedN( "Chunk::UpdateCells" );
            busy_ms( t.work_ms * 0.6 );
        }
        if( t.navmesh_ms > 0 )
        {
            ZoneScopedN( "Chunk::BuildNavMesh" );
            busy_ms( t.navmesh_ms );
        }
    }
    else
    {
        ZONE_TEXTF( "path #%llu", (unsigned long long)t.id );
        run_task_work( r, t.work_ms );
    }
}

// ---- persistent pool ---------------------------------------------------------------------------------------------
struct Pool
{
    TracyLockableN( std::mutex, queueMutex, "Pool::queueMutex" );
    std::condition_variable_any cv;
    std::condition_variable_any doneCv;
    std::vector<std::deque<Task>> perWorker;  // static partitioning (straggler)
    std::deque<Task> shared;
    int pending = 0;
    bool quit = false;
    std::vector<std::thread> threads;
};
Pool g_pool;

void pool_worker( int w )
{
    name_thread( "Worker" );
    rng_t r( 1000 + w );
    for( ;; )
    {
        Task t;
        {
            std::unique_lock<LockableBase( std::mutex )> lk( g_pool.queueMutex );
            auto& q = g_p.straggler ? g_pool.perWorker[w] : g_pool.shared;
            g_pool.cv.wait( lk, [&] { return g_pool.quit || !q.empty(); } );
            if( g_pool.quit && q.empty() ) return;
            t = q.front();
            q.pop_front();
        }
        process_task( r, t );
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_pool.queueMutex );
            if( --g_pool.pending == 0 ) g_pool.doneCv.notify_all();
        }
    }
}

// ---- long-lived distractor threads -------------------------------------------------------------------------------
void io_thread()
{
    name_thread( "IO Thread" );
    rng_t r( 77 );
    int pack = 0;
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "IO::ReadPack" );
            ZONE_TEXTF( "terrain_%02d.pak", pack % 24 );
            busy_ms( r.uni( 10.0, 16.0 ) );
        }
        if( ++pack % 8 == 0 ) message( "io: streamed %d packs", pack );
        std::this_thread::sleep_for( std::chrono::milliseconds( 110 ) );
    }
}

void audio_thread()
{
    name_thread( "Audio Mixer" );
    rng_t r( 78 );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( r.uni( 0.8, 1.2 ) );
        }
        next += 10000000;
        sleep_until_ns( next );
    }
}

// ---- the batch -------------------------------------------------------------------------------------------------
uint64_t g_task_id = 0;

std::vector<Task> make_tasks( rng_t& r )
{
    std::vector<Task> v( g_p.tasks );
    for( int i = 0; i < g_p.tasks; i++ )
    {
        v[i].index = i;
        v[i].id = ++g_task_id;
        v[i].work_ms = r.uni( g_p.task_lo, g_p.task_hi );
        v[i].cx = i % 8;
        v[i].cz = i / 8;
    }
    if( g_p.straggler && r.chance( g_p.straggler_p ) ) v[g_p.straggler_task].navmesh_ms = r.uni( 15.0, 22.0 );
    return v;
}

void spawned_worker( Task t, double start_delay_ms, uint32_t seed )
{
    name_thread( "Worker" );
    // thread start-up latency (stack setup, scheduler placing the new thread): nothing happens yet
    std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)( start_delay_ms * 1000 ) ) );
    rng_t r( seed );
    process_task( r, t );
}

void batch_spawn_per_task( rng_t& r, const std::vector<Task>& tasks )
{
    std::vector<std::thread> th;
    th.reserve( tasks.size() );
    for( const Task& t : tasks )
    {
        ZoneScopedN( "Task::Spawn" );
        busy_ms( r.uni( g_p.spawn_lo, g_p.spawn_hi ) );  // thread creation cost (clone, stack mmap, TLS init)
        th.emplace_back( spawned_worker, t, r.uni( g_p.start_lo, g_p.start_hi ), (uint32_t)( t.id * 7919u ) );
    }
    for( auto& t : th )
    {
        ZoneScopedN( "Task::Join" );
        t.join();
    }
}

void batch_pool( const std::vector<Task>& tasks )
{
    {
        ZoneScopedN( "Batch::Submit" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_pool.queueMutex );
        for( const Task& t : tasks )
        {
            if( g_p.straggler ) g_pool.perWorker[t.index % g_p.workers].push_back( t );
            else g_pool.shared.push_back( t );
        }
        g_pool.pending += (int)tasks.size();
    }
    g_pool.cv.notify_all();
    {
        ZoneScopedN( "Batch::Wait" );
        std::unique_lock<LockableBase( std::mutex )> lk( g_pool.queueMutex );
        g_pool.doneCv.wait( lk, [] { return g_pool.pending == 0; } );
    }
}

void run()
{
    rng_t r( 4242 );
    TracySetProgramName( "spawnpool" );
    TracyAppInfo( g_p.app, strlen( g_p.app ) );
    if( g_p.workers > 0 )
    {
        if( g_p.straggler ) g_pool.perWorker.resize( g_p.workers );
        for( int w = 0; w < g_p.workers; w++ ) g_pool.threads.emplace_back( pool_worker, w );
        message( "jobs: persistent pool of %d Worker threads, %d tasks per frame", g_p.workers, g_p.tasks );
    }
    else
    {
        message( "jobs: one thread per task (jobs.spawn_per_task=1), %d tasks per frame", g_p.tasks );
    }
    std::thread io( io_thread ), audio( audio_thread );
    std::this_thread::sleep_for( std::chrono::milliseconds( 20 ) );

    const int64_t t0 = now_ns();
    const int64_t period = (int64_t)( g_p.frame_ms * 1e6 );
    int64_t vsync = t0;
    int frame = 0;
    while( now_ns() - t0 < (int64_t)( g_p.seconds * 1e9 ) )
    {
        {
            ZoneScopedN( "Sim::Update" );
            busy_ms( g_p.sim_ms * r.uni( 0.9, 1.1 ) );
        }
        std::vector<Task> tasks = make_tasks( r );
        const int64_t b0 = now_ns();
        {
            ZoneScopedN( "Batch::Run" );
            ZONE_TEXTF( "frame %d, %d tasks", frame, (int)tasks.size() );
            if( g_p.workers > 0 ) batch_pool( tasks );
            else batch_spawn_per_task( r, tasks );
        }
        TracyPlot( "batch ms", ( now_ns() - b0 ) / 1e6 );
        {
            ZoneScopedN( "Render::Submit" );
            busy_ms( g_p.render_ms * r.uni( 0.92, 1.08 ) );
        }
        if( period > 0 )
        {
            ZoneScopedN( "Render::Present" );  // waits for the next vsync boundary
            while( vsync <= now_ns() ) vsync += period;
            sleep_until_ns( vsync );
        }
        else
        {
            ZoneScopedN( "Render::Present" );  // no vsync: swap cost only
            busy_ms( 1.0 * r.uni( 0.9, 1.1 ) );
        }
        FrameMark;
        frame++;
        if( frame % 50 == 0 ) message( "sim: frame %d, %llu tasks run", frame, (unsigned long long)g_task_id );
    }
    message( "spawnpool: stopped after %d frames, %llu tasks", frame, (unsigned long long)g_task_id );
    g_stop = true;
    if( g_p.workers > 0 )
    {
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_pool.queueMutex );
            g_pool.quit = true;
        }
        g_pool.cv.notify_all();
        for( auto& t : g_pool.threads ) t.join();
    }
    io.join();
    audio.join();
}

}  // namespace

int main( int argc, char** argv )
{
    name_thread( "Main thread" );
    g_p.scenario = argc > 1 ? argv[1] : "spawn_per_task";
    const std::string& s = g_p.scenario;
    if( s == "spawn_per_task" )
    {
        g_p.workers = 0;
        g_p.tasks = 16;
    }
    else if( s == "regress_a" || s == "regress_b" )
    {
        g_p.workers = s == "regress_a" ? 8 : 32;
        g_p.tasks = 48;
        g_p.task_lo = 0.26;
        g_p.task_hi = 0.34;
        g_p.vcores = 2;
        g_p.frame_ms = 0;  // benchmark mode: vsync off
        g_p.render_ms = 2.5;
        g_p.sim_ms = 2.0;
        g_cpu.k = g_p.vcores;
    }
    else if( s == "straggler" )
    {
        g_p.workers = 32;
        g_p.tasks = 64;
        g_p.task_lo = 0.5;
        g_p.task_hi = 0.8;
        g_p.straggler = true;
        g_p.frame_ms = 16.67;
        g_p.render_ms = 4.0;
    }
    else
    {
        fprintf( stderr, "unknown scenario %s\n", s.c_str() );
        return 1;
    }
    run();
    return 0;
}
