// brawlarena: a ragdoll arena-brawler shaped workload instrumented with Tracy 0.14.0.
// A tiny fixed-role job system with two workers ("Job 0", "Job 1"); the game thread kicks the frame's jobs
// and then blocks in Frame::Sync until both workers are done.
//
// Usage: brawlarena <scenario>
//   fixed     physics islands are all pinned to Job 0 (~19 ms), audio mixing to Job 1 (~3 ms)  -> ~22 ms frames
//   balanced  same work, but the islands are dealt round-robin to whichever worker is free       -> ~14 ms frames
//
// Run ONLY through /work/team/bin/record.sh (loopback-only namespace, TRACY_NO_EXIT=1).
// Work is emulated with a sleep to just before a deadline plus a spin to it, so zone lengths hold on a busy box.

#include <atomic>
#include <chrono>
#include <condition_variable>
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

#include "tracy/Tracy.hpp"

namespace
{
using SteadyClock = std::chrono::steady_clock;

volatile uint64_t g_burn = 0;

// Busy for `ms` milliseconds of wall time: sleep most of it, spin the final ~0.25 ms.
void Burn( double ms )
{
    const auto deadline = SteadyClock::now() + std::chrono::microseconds( (int64_t)( ms * 1000.0 ) );
    if( ms > 0.5 ) std::this_thread::sleep_until( deadline - std::chrono::microseconds( 250 ) );
    uint64_t h = 1469598103934665603ull;
    while( SteadyClock::now() < deadline )
        for( int k = 0; k < 64; ++k ) h = ( h ^ (uint64_t)k ) * 1099511628211ull;
    g_burn = g_burn + h;
}

class Rng
{
public:
    explicit Rng( uint32_t seed ) : m_gen( seed ) {}
    // value * (1 +/- spread), uniform
    double Around( double value, double spread = 0.04 )
    {
        std::uniform_real_distribution<double> d( 1.0 - spread, 1.0 + spread );
        return value * d( m_gen );
    }

private:
    std::mt19937 m_gen;
};

// ---- job system ---------------------------------------------------------------------------------------

struct Worker
{
    std::mutex mtx;
    std::condition_variable cv;
    std::deque<std::function<void()>> queue;
};

class JobSystem
{
public:
    explicit JobSystem( int n ) : m_workers( n )
    {
        for( int i = 0; i < n; ++i ) m_threads.emplace_back( [this, i] { Run( i ); } );
    }
    ~JobSystem()
    {
        m_quit = true;
        for( auto& w : m_workers )
        {
            std::lock_guard<std::mutex> g( w.mtx );
            w.cv.notify_all();
        }
        for( auto& t : m_threads ) t.join();
    }
    void Push( int worker, std::function<void()> fn )
    {
        m_pending.fetch_add( 1 );
        Worker& w = m_workers[worker];
        {
            std::lock_guard<std::mutex> g( w.mtx );
            w.queue.push_back( std::move( fn ) );
        }
        w.cv.notify_one();
    }
    // Shared queue: any worker may take it (used by the "balanced" scenario).
    void PushAny( std::function<void()> fn )
    {
        m_pending.fetch_add( 1 );
        {
            std::lock_guard<std::mutex> g( m_sharedMtx );
            m_shared.push_back( std::move( fn ) );
        }
        for( auto& w : m_workers )
        {
            std::lock_guard<std::mutex> g( w.mtx );
            w.cv.notify_one();
        }
    }
    void WaitIdle()
    {
        std::unique_lock<std::mutex> lk( m_doneMtx );
        m_doneCv.wait( lk, [this] { return m_pending.load() == 0; } );
    }

private:
    bool TakeShared( std::function<void()>& out )
    {
        std::lock_guard<std::mutex> g( m_sharedMtx );
        if( m_shared.empty() ) return false;
        out = std::move( m_shared.front() );
        m_shared.pop_front();
        return true;
    }
    void Run( int index )
    {
        char name[16];
        snprintf( name, sizeof( name ), "Job %d", index );
        tracy::SetThreadName( name );
        Worker& w = m_workers[index];
        for( ;; )
        {
            std::function<void()> job;
            {
                std::unique_lock<std::mutex> lk( w.mtx );
                w.cv.wait( lk, [&] {
                    if( m_quit || !w.queue.empty() ) return true;
                    std::lock_guard<std::mutex> g( m_sharedMtx );
                    return !m_shared.empty();
                } );
                if( !w.queue.empty() )
                {
                    job = std::move( w.queue.front() );
                    w.queue.pop_front();
                }
            }
            if( !job && !TakeShared( job ) )
            {
                if( m_quit ) return;
                continue;
            }
            job();
            if( m_pending.fetch_sub( 1 ) == 1 )
            {
                std::lock_guard<std::mutex> g( m_doneMtx );
                m_doneCv.notify_all();
            }
        }
    }

    std::vector<Worker> m_workers;
    std::vector<std::thread> m_threads;
    std::mutex m_sharedMtx;
    std::deque<std::function<void()>> m_shared;
    std::atomic<int> m_pending{ 0 };
    std::atomic<bool> m_quit{ false };
    std::mutex m_doneMtx;
    std::condition_variable m_doneCv;
};

// ---- game pieces ----------------------------------------------------------------------------------------

constexpr int kIslandBatches = 4;        // per frame
constexpr double kIslandBatchMs = 4.75;  // 4 x 4.75 = 19 ms of island solving per frame
constexpr double kMixBusMs = 3.0;
constexpr int kFrames = 220;

void SolveIslandBatch( int batch, double ms )
{
    ZoneScopedN( "Physics::SolveIslands" );
    ZoneValue( (uint64_t)batch );
    Burn( ms );
}

void MixBus( double ms )
{
    ZoneScopedN( "Audio::MixBus" );
    Burn( ms );
}

void LoadArena( Rng& r )
{
    ZoneScopedN( "Arena::Load" );
    {
        ZoneScopedN( "Arena::ReadPak" );
        std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)r.Around( 160000 ) ) );
    }
    {
        ZoneScopedN( "Physics::BuildRagdollTemplates" );
        Burn( r.Around( 110.0 ) );
    }
    {
        ZoneScopedN( "Audio::DecodeBanks" );
        Burn( r.Around( 70.0 ) );
    }
    TracyMessageL( "Arena 'rooftop_brawl' loaded: 16 fighters, 4 island batches/frame" );
}

void Stream_Thread( std::atomic<bool>& stop )
{
    tracy::SetThreadName( "Stream IO" );
    Rng r( 991 );
    while( !stop.load() )
    {
        {
            ZoneScopedN( "Stream::PrefetchCosmetics" );
            std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)r.Around( 9000 ) ) );
            Burn( 1.0 );
        }
        for( int i = 0; i < 50 && !stop.load(); ++i ) std::this_thread::sleep_for( std::chrono::milliseconds( 10 ) );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string scenario = argc > 1 ? argv[1] : "fixed";
    if( scenario != "fixed" && scenario != "balanced" )
    {
        fprintf( stderr, "usage: brawlarena fixed|balanced\n" );
        return 2;
    }
    const bool balanced = scenario == "balanced";

    tracy::SetThreadName( "Game Thread" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    char info[128];
    const int n = snprintf( info, sizeof( info ), "brawlarena %s (arena rooftop_brawl, 2 job workers)", scenario.c_str() );
    TracyAppInfo( info, n );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 1 ) );
    TracyPlotConfig( "frame_ms", tracy::PlotFormatType::Number, false, true, 0xE08030 );

    Rng rng( balanced ? 4242 : 4241 );
    LoadArena( rng );

    std::atomic<bool> stopStream{ false };
    std::thread streamer( Stream_Thread, std::ref( stopStream ) );
    JobSystem jobs( 2 );
    std::vector<Rng> jobRng;
    jobRng.emplace_back( 11 );
    jobRng.emplace_back( 12 );

    FrameMark;
    auto last = SteadyClock::now();
    for( int frame = 0; frame < kFrames; ++frame )
    {
        {
            ZoneScopedN( "Input::PollPads" );
            Burn( rng.Around( 0.3 ) );
        }
        {
            ZoneScopedN( "Brawl::UpdateFighters" );
            {
                ZoneScopedN( "Brawl::ResolveHits" );
                Burn( rng.Around( 0.5 ) );
            }
            {
                ZoneScopedN( "Brawl::DriveRagdolls" );
                Burn( rng.Around( 0.6 ) );
            }
        }
        {
            ZoneScopedN( "Jobs::Kick" );
            double islandMs[kIslandBatches];
            for( int b = 0; b < kIslandBatches; ++b ) islandMs[b] = rng.Around( kIslandBatchMs );
            const double mixMs = rng.Around( kMixBusMs );
            if( !balanced )
            {
                for( int b = 0; b < kIslandBatches; ++b )
                    jobs.Push( 0, [b, ms = islandMs[b]] { SolveIslandBatch( b, ms ); } );
                jobs.Push( 1, [mixMs] { MixBus( mixMs ); } );
            }
            else
            {
                jobs.Push( 1, [mixMs] { MixBus( mixMs ); } );
                for( int b = 0; b < kIslandBatches; ++b )
                    jobs.PushAny( [b, ms = islandMs[b]] { SolveIslandBatch( b, ms ); } );
            }
        }
        {
            ZoneScopedN( "Frame::Sync" );
            jobs.WaitIdle();
        }
        {
            ZoneScopedN( "Render::Submit" );
            {
                ZoneScopedN( "Render::CullFighters" );
                Burn( rng.Around( 0.4 ) );
            }
            {
                ZoneScopedN( "Render::RecordDraws" );
                Burn( rng.Around( 0.9 ) );
            }
        }
        const auto now = SteadyClock::now();
        const double ms = std::chrono::duration<double, std::milli>( now - last ).count();
        last = now;
        TracyPlot( "frame_ms", ms );
        FrameMark;
    }

    TracyMessageL( "Match over" );
    stopStream = true;
    streamer.join();
    return 0;
}
