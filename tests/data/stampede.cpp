// stampede: a crowd/herd game loop instrumented with Tracy (benchmark data for profiler-analysis tools).
// Threads:
//   main ("Main thread")  per frame: Input::Poll, Jobs::ParallelAnimate (Jobs::Kick + Jobs::WaitAll: 16 animation
//                         jobs handed to the workers), Scene::MergeResults (~8 ms, serial), Render::Submit (~4 ms,
//                         serial), then FrameMark
//   "Worker 0".."Worker N-1"  run Jobs::Animate (ZoneText "herd K", ~1 ms: Anim::Evaluate ~0.55 ms then
//                         Jobs::WriteBack ~0.45 ms)
//   "Streaming"           Streaming::ReadChunk (~6 ms blocking read) every ~30 ms, Assets::Register under Assets::CacheLock
// Locks (TracyLockableN): Jobs::ResultLock (regress_b only), Assets::CacheLock (main + Streaming, brief).
//
// Usage: stampede <scenario>
//   regress_a   2 workers; each job writes its results into its own per-worker slice (no lock)
//   regress_b   4 workers; each job's write-back goes into a shared result table under Jobs::ResultLock
//               (held for the whole ~0.45 ms write-back), so the 4 workers serialize on it
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
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

constexpr int kJobsPerFrame = 16;
constexpr double kRunSeconds = 5.0;

volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC_RAW, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

// Emulated work: sleep to just before the deadline, then spin.
void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    const int64_t d = end - 60000 - now_ns();
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
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
};

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    char shortn[16];
    snprintf( shortn, sizeof shortn, "%s", n );
    prctl( PR_SET_NAME, shortn );
    prctl( PR_SET_TIMERSLACK, 1000UL );
}

void message( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void message( const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    int n = vsnprintf( buf, sizeof buf, fmt, ap );
    va_end( ap );
    TracyMessage( buf, (size_t)n );
}

TracyLockableN( std::mutex, g_result_lock, "Jobs::ResultLock" );
TracyLockableN( std::mutex, g_cache_lock, "Assets::CacheLock" );

struct JobSystem
{
    std::mutex m;
    std::condition_variable cv_work, cv_done;
    uint64_t generation = 0;
    std::atomic<int> next{ 0 };
    int remaining = 0;
    bool shared_results = false;
};

JobSystem g_jobs;
uint64_t g_frame = 0;

void run_job( int job, rng_t& r )
{
    ZoneScopedN( "Jobs::Animate" );
    char txt[32];
    int n = snprintf( txt, sizeof txt, "herd %d", job );
    ZoneText( txt, n );
    {
        ZoneScopedN( "Anim::Evaluate" );
        busy_ms( r( 0.55 ) );
    }
    if( g_jobs.shared_results )
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_result_lock );
        ZoneScopedN( "Jobs::WriteBack" );
        busy_ms( r( 0.45 ) );
    }
    else
    {
        ZoneScopedN( "Jobs::WriteBack" );
        busy_ms( r( 0.45 ) );
    }
}

void worker_main( int idx )
{
    char name[32];
    snprintf( name, sizeof name, "Worker %d", idx );
    name_thread( name );
    rng_t r( 1000 + idx );
    uint64_t seen = 0;
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( g_jobs.m );
            g_jobs.cv_work.wait( lk, [&] { return g_stop.load() || g_jobs.generation != seen; } );
            if( g_stop.load() ) return;
            seen = g_jobs.generation;
        }
        for( ;; )
        {
            int j = g_jobs.next.fetch_add( 1 );
            if( j >= kJobsPerFrame ) break;
            run_job( j, r );
            std::lock_guard<std::mutex> lk( g_jobs.m );
            if( --g_jobs.remaining == 0 ) g_jobs.cv_done.notify_one();
        }
    }
}

void streaming_main()
{
    name_thread( "Streaming" );
    rng_t r( 77 );
    int chunk = 0;
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Streaming::ReadChunk" );
            char txt[48];
            int n = snprintf( txt, sizeof txt, "terrain/chunk_%03d.pak", chunk % 240 );
            ZoneText( txt, n );
            std::this_thread::sleep_for( std::chrono::microseconds( (int)r( 6000, 0.15 ) ) );
        }
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_cache_lock );
            ZoneScopedN( "Assets::Register" );
            busy_ms( r( 0.15 ) );
        }
        chunk++;
        std::this_thread::sleep_for( std::chrono::milliseconds( 24 ) );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 ) { fprintf( stderr, "usage: stampede regress_a|regress_b\n" ); return 2; }
    std::string sc = argv[1];
    int workers;
    if( sc == "regress_a" ) { workers = 2; g_jobs.shared_results = false; }
    else if( sc == "regress_b" ) { workers = 4; g_jobs.shared_results = true; }
    else { fprintf( stderr, "unknown scenario %s\n", sc.c_str() ); return 2; }

    name_thread( "Main thread" );
    prctl( PR_SET_NAME, "stampede" );
    message( "Stampede build 1.%d starting, scenario %s", workers == 2 ? 41 : 42, sc.c_str() );
    message( "JobSystem: %d worker threads, %d animation jobs per frame", workers, kJobsPerFrame );

    std::vector<std::thread> th;
    for( int i = 0; i < workers; i++ ) th.emplace_back( worker_main, i );
    std::thread streaming( streaming_main );

    rng_t r( 4242 );
    const int64_t t_end = now_ns() + (int64_t)( kRunSeconds * 1e9 );
    while( now_ns() < t_end )
    {
        {
            ZoneScopedN( "Input::Poll" );
            busy_ms( r( 0.3 ) );
        }
        {
            ZoneScopedN( "Jobs::ParallelAnimate" );
            {
                ZoneScopedN( "Jobs::Kick" );
                std::lock_guard<std::mutex> lk( g_jobs.m );
                g_jobs.next.store( 0 );
                g_jobs.remaining = kJobsPerFrame;
                g_jobs.generation++;
                g_jobs.cv_work.notify_all();
            }
            {
                ZoneScopedN( "Jobs::WaitAll" );
                std::unique_lock<std::mutex> lk( g_jobs.m );
                g_jobs.cv_done.wait( lk, [] { return g_jobs.remaining == 0; } );
            }
        }
        {
            ZoneScopedN( "Scene::MergeResults" );
            busy_ms( r( 7.6 ) );
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_cache_lock );
                ZoneScopedN( "Assets::ResolveHandles" );
                busy_ms( r( 0.4 ) );
            }
        }
        {
            ZoneScopedN( "Render::Submit" );
            busy_ms( r( 4.0 ) );
        }
        g_frame++;
        if( g_frame % 60 == 0 ) message( "Frame %llu: %d herds animated", (unsigned long long)g_frame, kJobsPerFrame );
        FrameMark;
    }

    message( "Shutting down after %llu frames", (unsigned long long)g_frame );
    {
        std::lock_guard<std::mutex> lk( g_jobs.m );
        g_stop.store( true );
        g_jobs.cv_work.notify_all();
    }
    for( auto& t : th ) t.join();
    streaming.join();
    return 0;
}
