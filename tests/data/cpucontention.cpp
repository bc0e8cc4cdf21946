// cpucontention: a small game's frame loop instrumented with Tracy (benchmark data for profiler-analysis tools).
// "Main thread" runs a 60 Hz loop: Game::Update > Physics::Step, Anim::Update, Jobs::KickSkinning,
// Jobs::WaitForSkinning, Render::BuildCommandLists, Render::Submit; FrameMark. Two job workers ("JobWorker 0/1")
// run Job::Skinning jobs (each a FIXED 2 ms of the thread's CPU time, measured with CLOCK_THREAD_CPUTIME_ID, so on a
// busy machine its wall duration stretches). A separate asset-loader pool ("AssetLoader 0/1") waits for stream
// requests (Loader::WaitForRequest); on a request each loader thread runs Asset::ReadFile (I/O, sleep) then
// Asset::Decompress (real busy spinning for 150-300 ms of wall clock) then Asset::Upload (sleep). An "AudioMixer"
// thread mixes every 10 ms (mostly sleep). A "JobSystem::queueMutex" lock is taken briefly per job (never
// contended). No lock is held across any long work.
//
// Usage: cpucontention <scenario>
//   loader_bursts  the loader streams 4 packs (bursts at ~0.9, 2.1, 3.3, 4.4 s, each both loader threads spinning
//                  150-300 ms): 2 job workers + 2 loader threads = 4 busy threads on a 2-core machine, so
//                  Job::Skinning takes ~2x as long during the bursts
//   calm           same game, the loader only gets tiny requests (no Asset::Decompress bursts); regression base
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <atomic>
#include <chrono>
#include <condition_variable>
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

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace
{

volatile double g_sink = 0.0;

inline void spin_a_bit( double& x )
{
    for( int i = 0; i < 64; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
}

// Spin until the calling thread has consumed `us` microseconds of CPU time.
void burn_cpu_us( double us )
{
    timespec t0;
    clock_gettime( CLOCK_THREAD_CPUTIME_ID, &t0 );
    const int64_t start = (int64_t)t0.tv_sec * 1000000000LL + t0.tv_nsec;
    const int64_t target = start + (int64_t)( us * 1000.0 );
    double x = 1.0;
    for( ;; )
    {
        spin_a_bit( x );
        timespec t;
        clock_gettime( CLOCK_THREAD_CPUTIME_ID, &t );
        if( (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec >= target ) break;
    }
    g_sink = g_sink + x;
}

// Busy-spin for `us` microseconds of wall clock (real spinning, no sleep).
void spin_wall_us( double us )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    double x = 1.0;
    while( Clock::now() < end ) spin_a_bit( x );
    g_sink = g_sink + x;
}

// Wall-clock wait (sleep then short spin) for predictable non-CPU zones.
void wait_us( double us )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > 200 ) std::this_thread::sleep_until( end - 80us );
    double x = 1.0;
    while( Clock::now() < end ) spin_a_bit( x );
    g_sink = g_sink + x;
}

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_TIMERSLACK, 1UL );
}

void log_msg( const std::string& s ) { TracyMessage( s.c_str(), s.size() ); }

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
};

std::atomic<bool> g_quit { false };

// ---- job system --------------------------------------------------------------------------------------------

TracyLockableN( std::mutex, g_queueMutex, "JobSystem::queueMutex" );

struct skin_job
{
    const char* mesh;
    int verts;
};

const skin_job kMeshes[] = {
    { "hero_body", 18400 }, { "hero_cloak", 9600 }, { "npc_guard_a", 12800 },
    { "npc_guard_b", 12800 }, { "horse", 15200 }, { "villager_f", 11200 },
};

struct worker_state
{
    std::deque<skin_job> q;
    std::atomic<int> pending { 0 };
};

worker_state g_workers[2];
std::condition_variable_any g_jobCv;
std::atomic<int> g_jobsLeft { 0 };
std::mutex g_doneM;
std::condition_variable g_doneCv;

void job_worker( int idx )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "JobWorker %d", idx );
    name_thread( nm );
    for( ;; )
    {
        skin_job job;
        {
            std::unique_lock<LockableBase( std::mutex )> lk( g_queueMutex );
            g_jobCv.wait( lk, [&] { return g_quit.load() || !g_workers[idx].q.empty(); } );
            if( g_workers[idx].q.empty() ) return;
            job = g_workers[idx].q.front();
            g_workers[idx].q.pop_front();
        }
        {
            ZoneScopedN( "Job::Skinning" );
            ZoneText( job.mesh, strlen( job.mesh ) );
            ZoneValue( job.verts );
            burn_cpu_us( 2000.0 );
        }
        if( g_jobsLeft.fetch_sub( 1 ) == 1 )
        {
            std::lock_guard<std::mutex> lk( g_doneM );
            g_doneCv.notify_all();
        }
    }
}

// ---- asset loader ------------------------------------------------------------------------------------------

struct load_req
{
    std::string pack;
    double decompress_ms;   // 0 = small request, no decompress burst
    int assets;
};

std::mutex g_loadM;
std::condition_variable g_loadCv;
std::deque<load_req> g_loadQ[2];

void asset_loader( int idx )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "AssetLoader %d", idx );
    name_thread( nm );
    for( ;; )
    {
        load_req r;
        {
            ZoneScopedN( "Loader::WaitForRequest" );
            std::unique_lock<std::mutex> lk( g_loadM );
            g_loadCv.wait( lk, [&] { return g_quit.load() || !g_loadQ[idx].empty(); } );
            if( g_loadQ[idx].empty() ) return;
            r = g_loadQ[idx].front();
            g_loadQ[idx].pop_front();
        }
        ZoneScopedN( "Loader::StreamPack" );
        ZoneText( r.pack.c_str(), r.pack.size() );
        {
            ZoneScopedN( "Asset::ReadFile" );
            ZoneText( r.pack.c_str(), r.pack.size() );
            wait_us( r.decompress_ms > 0 ? 22000 : 3000 );   // disk I/O (sleep)
        }
        if( r.decompress_ms > 0 )
        {
            ZoneScopedN( "Asset::Decompress" );
            ZoneText( r.pack.c_str(), r.pack.size() );
            ZoneValue( r.assets );
            spin_wall_us( r.decompress_ms * 1000.0 );
        }
        {
            ZoneScopedN( "Asset::Upload" );
            wait_us( r.decompress_ms > 0 ? 4000 : 800 );
        }
        log_msg( "AssetLoader " + std::to_string( idx ) + ": finished " + r.pack );
    }
}

// ---- audio -------------------------------------------------------------------------------------------------

void audio_mixer()
{
    name_thread( "AudioMixer" );
    auto next = Clock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            burn_cpu_us( 250 );
            wait_us( 400 );
        }
        next += 10ms;
        std::this_thread::sleep_until( next );
    }
}

// ---- main loop ---------------------------------------------------------------------------------------------

struct burst
{
    double at_s;
    const char* pack;
    double ms[2];
    int assets;
};

void run( bool bursts )
{
    name_thread( "Main thread" );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );

    std::vector<std::thread> threads;
    for( int i = 0; i < 2; i++ ) threads.emplace_back( job_worker, i );
    for( int i = 0; i < 2; i++ ) threads.emplace_back( asset_loader, i );
    threads.emplace_back( audio_mixer );

    const burst kBursts[] = {
        { 0.9, "level2_textures.pak", { 180, 170 }, 48 },
        { 2.1, "level2_meshes.pak", { 260, 250 }, 36 },
        { 3.3, "ui_atlas.pak", { 150, 160 }, 12 },
        { 4.4, "level3_streaming.pak", { 300, 290 }, 64 },
    };
    const double kSmall[] = { 0.6, 1.5, 2.7, 3.8, 4.9 };
    size_t nb = 0, ns = 0;

    {
        ZoneScopedN( "Game::Init" );
        wait_us( 700000 );   // level load (sleep); also lets the profiler finish its own startup work
        log_msg( "Game: world loaded, 6 skinned meshes, 2 job workers, 2 asset loader threads" );
    }

    rng_t rng( 1234 );
    const auto t0 = Clock::now();
    auto next = t0;
    const int kFrames = 330;   // ~5.5 s at 60 Hz
    for( int f = 0; f < kFrames; f++ )
    {
        const double now_s = std::chrono::duration<double>( Clock::now() - t0 ).count();
        if( bursts && nb < 4 && now_s >= kBursts[nb].at_s )
        {
            const burst& b = kBursts[nb++];
            log_msg( std::string( "Streaming: requesting " ) + b.pack + " (" + std::to_string( b.assets ) + " assets)" );
            std::lock_guard<std::mutex> lk( g_loadM );
            for( int i = 0; i < 2; i++ )
                g_loadQ[i].push_back( { std::string( b.pack ) + "#" + std::to_string( i ), b.ms[i], b.assets / 2 } );
            g_loadCv.notify_all();
        }
        if( ns < 5 && now_s >= kSmall[ns] )
        {
            ns++;
            std::lock_guard<std::mutex> lk( g_loadM );
            g_loadQ[ns % 2].push_back( { "sfx_bank_" + std::to_string( ns ) + ".bnk", 0, 1 } );
            g_loadCv.notify_all();
        }

        {
            ZoneScopedN( "Game::Update" );
            {
                ZoneScopedN( "Input::Poll" );
                wait_us( 150 );
            }
            {
                ZoneScopedN( "Physics::Step" );
                wait_us( rng.uni( 2300, 2500 ) );   // big but steady
            }
            {
                ZoneScopedN( "Anim::Update" );
                wait_us( rng.uni( 500, 600 ) );
            }
            {
                ZoneScopedN( "Jobs::KickSkinning" );
                g_jobsLeft.store( 6 );
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_queueMutex );
                    for( int j = 0; j < 6; j++ ) g_workers[j % 2].q.push_back( kMeshes[j] );
                }
                g_jobCv.notify_all();
            }
            {
                ZoneScopedN( "AI::Think" );
                wait_us( rng.uni( 900, 1100 ) );
            }
            {
                ZoneScopedN( "Jobs::WaitForSkinning" );
                std::unique_lock<std::mutex> lk( g_doneM );
                g_doneCv.wait( lk, [] { return g_jobsLeft.load() == 0; } );
            }
        }
        {
            ZoneScopedN( "Render::BuildCommandLists" );
            wait_us( rng.uni( 1200, 1400 ) );
        }
        {
            ZoneScopedN( "Render::Submit" );
            wait_us( rng.uni( 2800, 3000 ) );   // big but steady
        }
        FrameMark;
        next += std::chrono::microseconds( 16667 );
        if( Clock::now() < next )
        {
            ZoneScopedN( "Frame::WaitVSync" );
            std::this_thread::sleep_until( next );
        }
        else next = Clock::now();
    }

    g_quit.store( true );
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_queueMutex );
    }
    g_jobCv.notify_all();
    {
        std::lock_guard<std::mutex> lk( g_loadM );
    }
    g_loadCv.notify_all();
    for( auto& t : threads ) t.join();
    log_msg( "Game: shutdown" );
}

}   // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    if( s == "loader_bursts" ) run( true );
    else if( s == "calm" ) run( false );
    else
    {
        fprintf( stderr, "usage: cpucontention loader_bursts|calm\n" );
        return 1;
    }
    return 0;
}
