// jobsys: a small game engine frame loop with a job system (4 workers) and the engine's OWN spin lock class
// (SpinLock, not Tracy-instrumented as a lock: Tracy's lock view shows nothing). The engine marks every acquisition
// with a zone "SpinLock::Acquire" whose ZoneText is the lock name; the held region is covered by the caller's zones.
// Benchmark data for profiler-analysis tools; not part of any project.
//
// Threads:
//   Main thread    Game::Update, Jobs::Dispatch, Jobs::WaitForAll (waits for the frame's jobs), Game::LateUpdate,
//                  then sleeps to the 60 Hz frame boundary; FrameMark
//   Worker 0..3    Job::SolvePhysics, Job::AnimateSkeletons, Job::StreamAssets, Job::BuildDrawCalls, Job::CullVisibility
//   Render thread  Render::Frame > SpinLock::Acquire(RenderQueue) + RenderQueue::Swap (held), Render::SortQueue,
//                  Render::Submit  (kicked by the main thread at frame start)
//   Audio          Audio::Mix every ~5.3 ms (steady distractor)
// Locks (SpinLock): "AssetTable", "RenderQueue", "Physics.Islands".
//
// Usage: jobsys <scenario>
//   hot_spin         every job that touches assets holds "AssetTable" ~0.5 ms (AssetTable::FindClip / ::Insert):
//                    the 4 workers spin on it
//   one_long_holder  the render thread sorts the render queue (Render::SortQueue, 8 ms) while holding "RenderQueue":
//                    Job::BuildDrawCalls spin in RenderQueue::Push's acquire
//   regress a        Physics.Islands taken once per island (Physics::SolveIsland held)
//   regress b        Physics.Islands taken once per body (Physics::IntegrateBody held, 10x the acquisitions)
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <atomic>
#include <chrono>
#include <condition_variable>
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
    if( ms > 0.12 ) sleep_until_ns( end - 60000 );
    double x = 1.0;
    while( now_ns() < end ) x = x * 1.0000001 + 0.5;
    g_sink = g_sink + x;
}

// The engine's own spin lock (test-and-test-and-set with backoff). Not a TracyLockable.
class SpinLock
{
public:
    explicit SpinLock( const char* name ) : m_name( name ), m_len( strlen( name ) ) {}
    void lock()
    {
        ZoneScopedN( "SpinLock::Acquire" );
        ZoneText( m_name, m_len );
        int spins = 0;
        for( ;; )
        {
            if( !m_locked.load( std::memory_order_relaxed ) && !m_locked.exchange( true, std::memory_order_acquire ) ) return;
            if( ++spins < 32 )
            {
                for( int i = 0; i < 50; i++ ) g_sink = g_sink + 1.0;
            }
            else
            {
                std::this_thread::sleep_for( std::chrono::microseconds( 20 ) );   // backoff
            }
        }
    }
    void unlock() { m_locked.store( false, std::memory_order_release ); }
    const char* name() const { return m_name; }
private:
    std::atomic<bool> m_locked{ false };
    const char* m_name;
    size_t m_len;
};

SpinLock g_assetTable( "AssetTable" );
SpinLock g_renderQueue( "RenderQueue" );
SpinLock g_physIslands( "Physics.Islands" );

enum class Scenario { HotSpin, OneLongHolder, RegressA, RegressB };
Scenario g_sc;

// ---------------------------------------------------------------- job system
struct JobSystem
{
    std::mutex m;
    std::condition_variable cv, done;
    std::deque<std::function<void()>> q;
    int pending = 0;
    bool quit = false;

    void push( std::function<void()> f )
    {
        std::lock_guard<std::mutex> lk( m );
        q.push_back( std::move( f ) );
        pending++;
        cv.notify_one();
    }
    void kick() { std::lock_guard<std::mutex> lk( m ); cv.notify_all(); }
    void wait_all()
    {
        std::unique_lock<std::mutex> lk( m );
        done.wait( lk, [&] { return pending == 0; } );
    }
    void worker( int idx )
    {
        char nm[32];
        snprintf( nm, sizeof nm, "Worker %d", idx );
        tracy::SetThreadName( nm );
        for( ;; )
        {
            std::function<void()> f;
            {
                std::unique_lock<std::mutex> lk( m );
                cv.wait( lk, [&] { return quit || !q.empty(); } );
                if( q.empty() ) return;
                f = std::move( q.front() );
                q.pop_front();
            }
            f();
            std::lock_guard<std::mutex> lk( m );
            if( --pending == 0 ) done.notify_all();
        }
    }
};
JobSystem g_jobs;

// ---------------------------------------------------------------- jobs
void JobSolvePhysics( int job, int frame )
{
    ZoneScopedN( "Job::SolvePhysics" );
    ZoneValue( job );
    const bool regress = g_sc == Scenario::RegressA || g_sc == Scenario::RegressB;
    const int islands = regress ? 2 : 4, bodies = 10;
    for( int i = 0; i < islands; i++ )
    {
        {
            ZoneScopedN( "Physics::Broadphase" );
            busy_ms( 0.35 );
        }
        if( g_sc == Scenario::RegressB )
        {
            ZoneScopedN( "Physics::SolveIsland" );
            for( int b = 0; b < bodies; b++ )
            {
                g_physIslands.lock();
                {
                    ZoneScopedN( "Physics::IntegrateBody" );
                    busy_ms( 0.045 );   // re-reads the island's constraint state after every re-acquire
                }
                g_physIslands.unlock();
            }
        }
        else
        {
            g_physIslands.lock();
            {
                ZoneScopedN( "Physics::SolveIsland" );
                busy_ms( 0.30 );
            }
            g_physIslands.unlock();
        }
    }
    (void)frame;
}

void JobAnimateSkeletons( int job, std::mt19937& rng )
{
    ZoneScopedN( "Job::AnimateSkeletons" );
    ZoneValue( job );
    g_assetTable.lock();
    {
        ZoneScopedN( "AssetTable::FindClip" );
        busy_ms( g_sc == Scenario::HotSpin ? 0.5 : 0.03 );
    }
    g_assetTable.unlock();
    {
        ZoneScopedN( "Anim::SampleClips" );
        busy_ms( 0.35 + 0.2 * std::uniform_real_distribution<double>( 0, 1 )( rng ) );
    }
}

void JobStreamAssets( int job )
{
    ZoneScopedN( "Job::StreamAssets" );
    ZoneValue( job );
    {
        ZoneScopedN( "Asset::Decode" );     // big but steady
        busy_ms( 1.6 );
    }
    g_assetTable.lock();
    {
        ZoneScopedN( "AssetTable::Insert" );
        busy_ms( g_sc == Scenario::HotSpin ? 0.5 : 0.06 );
    }
    g_assetTable.unlock();
}

void JobBuildDrawCalls( int job )
{
    ZoneScopedN( "Job::BuildDrawCalls" );
    ZoneValue( job );
    {
        ZoneScopedN( "Render::BuildCommands" );
        busy_ms( 0.6 );
    }
    g_renderQueue.lock();
    {
        ZoneScopedN( "RenderQueue::Push" );
        busy_ms( 0.04 );
    }
    g_renderQueue.unlock();
}

void JobCullVisibility( int job )
{
    ZoneScopedN( "Job::CullVisibility" );
    ZoneValue( job );
    {
        ZoneScopedN( "Cull::Frustum" );
        busy_ms( 0.8 );
    }
}

// ---------------------------------------------------------------- render thread
std::mutex g_rm;
std::condition_variable g_rcv;
int g_renderKick = 0;

void RenderThread()
{
    tracy::SetThreadName( "Render thread" );
    int seen = 0;
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( g_rm );
            g_rcv.wait( lk, [&] { return g_stop.load() || g_renderKick != seen; } );
            if( g_stop.load() ) return;
            seen = g_renderKick;
        }
        ZoneScopedN( "Render::Frame" );
        ZoneValue( seen );
        if( g_sc == Scenario::OneLongHolder )
        {
            g_renderQueue.lock();
            {
                ZoneScopedN( "Render::SortQueue" );   // sorts the shared queue in place, lock held
                busy_ms( 8.0 );
            }
            g_renderQueue.unlock();
        }
        else
        {
            g_renderQueue.lock();
            {
                ZoneScopedN( "RenderQueue::Swap" );
                busy_ms( 0.03 );
            }
            g_renderQueue.unlock();
            {
                ZoneScopedN( "Render::SortQueue" );   // sorts the swapped-out buffer, no lock
                busy_ms( 1.5 );
            }
        }
        {
            ZoneScopedN( "Render::Submit" );
            busy_ms( 2.5 );
        }
    }
}

void AudioThread()
{
    tracy::SetThreadName( "Audio" );
    int64_t t = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( 1.2 );
        }
        t += 5333000;
        sleep_until_ns( t );
    }
}

} // namespace

int main( int argc, char** argv )
{
    if( argc < 2 ) { fprintf( stderr, "usage: jobsys hot_spin|one_long_holder|regress a|regress b\n" ); return 1; }
    std::string s = argv[1];
    if( s == "hot_spin" ) g_sc = Scenario::HotSpin;
    else if( s == "one_long_holder" ) g_sc = Scenario::OneLongHolder;
    else if( s == "regress" && argc > 2 && argv[2][0] == 'a' ) g_sc = Scenario::RegressA;
    else if( s == "regress" && argc > 2 && argv[2][0] == 'b' ) g_sc = Scenario::RegressB;
    else { fprintf( stderr, "unknown scenario\n" ); return 1; }

    tracy::SetThreadName( "Main thread" );
    TracyMessageL( "Engine: job system started with 4 workers" );
    std::vector<std::thread> th;
    for( int i = 0; i < 4; i++ ) th.emplace_back( [i] { g_jobs.worker( i ); } );
    std::thread rt( RenderThread ), at( AudioThread );
    {
        ZoneScopedN( "World::LoadLevel" );
        ZoneText( "harbor_district", 15 );
        busy_ms( 120 );
    }
    TracyMessageL( "Level 'harbor_district' loaded" );

    std::mt19937 rng( 72 );
    const int frames = 300;
    const int64_t period = 16667000;
    int64_t next = now_ns() + period;
    FrameMark;
    for( int f = 0; f < frames; f++ )
    {
        {
            ZoneScopedN( "Game::Update" );
            busy_ms( 1.8 + 0.3 * std::uniform_real_distribution<double>( 0, 1 )( rng ) );
        }
        {
            ZoneScopedN( "Jobs::Dispatch" );
            {
                std::lock_guard<std::mutex> lk( g_rm );
                g_renderKick = f + 1;          // render thread starts on the previous frame's draw list
            }
            g_rcv.notify_one();
            int id = 0;
            auto phys = [&] { int j = id++; g_jobs.push( [j, f] { JobSolvePhysics( j, f ); } ); };
            auto anim = [&] { int j = id++; unsigned seed = rng(); g_jobs.push( [j, seed] { std::mt19937 r( seed ); JobAnimateSkeletons( j, r ); } ); };
            if( g_sc == Scenario::RegressA || g_sc == Scenario::RegressB )
            {
                for( int i = 0; i < 4; i++ ) phys();   // physics split into 4 jobs of 2 islands
            }
            else
            {
                phys();
            }
            for( int i = 0; i < 4; i++ ) { int j = id++; g_jobs.push( [j] { JobBuildDrawCalls( j ); } ); }
            for( int i = 0; i < 12; i++ ) anim();
            for( int i = 0; i < 2; i++ ) { int j = id++; g_jobs.push( [j] { JobStreamAssets( j ); } ); }
            for( int i = 0; i < 2; i++ ) { int j = id++; g_jobs.push( [j] { JobCullVisibility( j ); } ); }
            if( g_sc != Scenario::RegressA && g_sc != Scenario::RegressB ) phys();
            ZoneValue( id );
        }
        {
            ZoneScopedN( "Jobs::WaitForAll" );
            g_jobs.wait_all();
        }
        {
            ZoneScopedN( "Game::LateUpdate" );
            busy_ms( 0.5 );
        }
        if( f % 60 == 59 )
        {
            char buf[96];
            int n = snprintf( buf, sizeof buf, "Streaming: %d assets resident, %d queued", 1200 + f, 12 + ( f % 7 ) );
            TracyMessage( buf, n );
        }
        sleep_until_ns( next );
        next += period;
        if( now_ns() > next ) next = now_ns() + period;   // fell behind: resync
        FrameMark;
    }
    g_stop.store( true );
    {
        std::lock_guard<std::mutex> lk( g_jobs.m );
        g_jobs.quit = true;
    }
    g_jobs.kick();
    { std::lock_guard<std::mutex> lk( g_rm ); }
    g_rcv.notify_all();
    for( auto& t : th ) t.join();
    rt.join();
    at.join();
    TracyMessageL( "Engine: shutdown" );
    return 0;
}
