// crowdsim: a crowd-simulation frame loop instrumented with Tracy (blind test program, blind420).
//
// Usage: crowdsim a|b
//   a  last week's build: each frame the main thread dispatches 16 Anim::Skin jobs (+4 Cloth::Simulate jobs)
//      to a pool of 4 "Worker N" threads and blocks in Jobs::Wait until they are done.
//   b  today's build: identical, except every Anim::Skin job takes 1.8x as long (new skinning path),
//      so Jobs::Wait on the main thread grows and the frame goes from ~14 ms to ~20 ms.
//
// Run ONLY through /work/team/bin/record.sh (loopback-only network namespace, TRACY_NO_EXIT=1).
// Busy time is emulated as "sleep until shortly before the deadline, then crunch data until it": zone lengths
// are wall-clock exact even on a loaded 2-core machine.

#include <algorithm>
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

using SteadyClock = std::chrono::steady_clock;

namespace crowd
{

static volatile float g_result = 0.f;

// Burn `ms` milliseconds of wall time: sleep most of it, then transform a small vertex block until the deadline.
static void Busy( double ms )
{
    const auto deadline = SteadyClock::now() + std::chrono::microseconds( (long long)( ms * 1000.0 ) );
    if( ms > 0.5 ) std::this_thread::sleep_until( deadline - std::chrono::microseconds( 250 ) );
    float v[48];
    for( int i = 0; i < 48; ++i ) v[i] = 0.01f * (float)i;
    while( SteadyClock::now() < deadline )
    {
        for( int i = 0; i < 48; i += 3 )
        {
            const float x = v[i], y = v[i + 1], z = v[i + 2];
            v[i] = 0.99f * x - 0.01f * y + 0.001f;
            v[i + 1] = 0.01f * x + 0.99f * y + 0.002f * z;
            v[i + 2] = z * 0.999f + 0.0005f;
        }
    }
    g_result = g_result + v[7];
}

class Rng
{
public:
    explicit Rng( unsigned seed ) : m_gen( seed ) {}
    // around `base`, +- `spread` (fraction)
    double Around( double base, double spread ) { return base * std::uniform_real_distribution<double>( 1.0 - spread, 1.0 + spread )( m_gen ); }
private:
    std::mt19937_64 m_gen;
};

static void Log( const std::string& s ) { TracyMessage( s.c_str(), s.size() ); }

// ---------------------------------------------------------------- job system
class JobPool
{
public:
    explicit JobPool( int n )
    {
        for( int i = 0; i < n; ++i ) m_threads.emplace_back( [this, i] { WorkerMain( i ); } );
    }
    ~JobPool()
    {
        {
            std::lock_guard<std::mutex> g( m_mtx );
            m_quit = true;
        }
        m_cv.notify_all();
        for( auto& t : m_threads ) t.join();
    }
    void Push( std::function<void()> fn )
    {
        {
            std::lock_guard<std::mutex> g( m_mtx );
            m_queue.push_back( std::move( fn ) );
            ++m_pending;
        }
        m_cv.notify_one();
    }
    void WaitAll()
    {
        std::unique_lock<std::mutex> lk( m_mtx );
        m_doneCv.wait( lk, [this] { return m_pending == 0; } );
    }

private:
    void WorkerMain( int idx )
    {
        char name[32];
        snprintf( name, sizeof( name ), "Worker %d", idx );
        tracy::SetThreadName( name );
        for( ;; )
        {
            std::function<void()> job;
            {
                std::unique_lock<std::mutex> lk( m_mtx );
                m_cv.wait( lk, [this] { return m_quit || !m_queue.empty(); } );
                if( m_queue.empty() ) return;
                job = std::move( m_queue.front() );
                m_queue.pop_front();
            }
            job();
            {
                std::lock_guard<std::mutex> g( m_mtx );
                if( --m_pending == 0 ) m_doneCv.notify_all();
            }
        }
    }

    std::mutex m_mtx;
    std::condition_variable m_cv, m_doneCv;
    std::deque<std::function<void()>> m_queue;
    int m_pending = 0;
    bool m_quit = false;
    std::vector<std::thread> m_threads;
};

// ---------------------------------------------------------------- background services
struct Services
{
    std::atomic<bool> stop{ false };
    std::atomic<int> tileRequests{ 0 };
    std::thread sound, nav;

    void Start()
    {
        // Audio runs on its own clock: one 512-sample block at 48 kHz every ~10.7 ms.
        sound = std::thread( [this] {
            tracy::SetThreadName( "SoundThread" );
            Rng r( 77 );
            auto next = SteadyClock::now();
            while( !stop.load() )
            {
                {
                    ZoneScopedN( "Audio::MixCrowdVoices" );
                    Busy( r.Around( 1.6, 0.1 ) );
                }
                next += std::chrono::microseconds( 10667 );
                std::this_thread::sleep_until( next );
            }
        } );
        // Navmesh tiles are streamed when the main thread asks (every 12th frame).
        nav = std::thread( [this] {
            tracy::SetThreadName( "NavStreamer" );
            Rng r( 91 );
            while( !stop.load() )
            {
                if( tileRequests.load() == 0 )
                {
                    std::this_thread::sleep_for( std::chrono::milliseconds( 1 ) );
                    continue;
                }
                tileRequests.fetch_sub( 1 );
                ZoneScopedN( "Nav::StreamTile" );
                {
                    ZoneScopedN( "Nav::DecompressTile" );
                    Busy( r.Around( 5.5, 0.08 ) );
                }
                {
                    ZoneScopedN( "Nav::StitchPortals" );
                    Busy( r.Around( 2.0, 0.08 ) );
                }
            }
        } );
    }
    void Stop()
    {
        stop = true;
        sound.join();
        nav.join();
    }
};

// ---------------------------------------------------------------- the simulation
struct Config
{
    bool newSkinning = false;      // build b
    int frames = 300;
    int skinJobs = 16;
    int clothJobs = 4;
    double skinMs = 1.8;           // per Anim::Skin job in build a
    double skinFactor = 1.8;       // build b multiplier
    double clothMs = 0.6;
};

static void LoadScenario( Rng& r )
{
    ZoneScopedN( "Crowd::LoadScenario" );
    {
        ZoneScopedN( "Nav::BuildMeshGraph" );
        Busy( r.Around( 120.0, 0.05 ) );
    }
    {
        ZoneScopedN( "Anim::LoadRigs" );
        Busy( r.Around( 90.0, 0.05 ) );
    }
    {
        ZoneScopedN( "Crowd::SpawnAgents" );
        Busy( r.Around( 60.0, 0.05 ) );
    }
    Log( "Scenario 'stadium_exit' loaded: 2400 agents, 16 skinning batches" );
}

static void RunSim( const Config& cfg )
{
    Rng r( cfg.newSkinning ? 2002 : 1001 );
    Log( cfg.newSkinning ? "CrowdSim 3.8.0 (build 5127, skinning: LinearBlend4 + corrective blendshapes)"
                         : "CrowdSim 3.7.2 (build 5066, skinning: LinearBlend4)" );
    LoadScenario( r );
    FrameMark;

    JobPool pool( 4 );
    Services svc;
    svc.Start();

    const double skinMs = cfg.skinMs * ( cfg.newSkinning ? cfg.skinFactor : 1.0 );
    std::mutex rngMtx;
    Rng jobRng( cfg.newSkinning ? 3003 : 4004 );
    auto jitter = [&]( double base, double spread ) {
        std::lock_guard<std::mutex> g( rngMtx );
        return jobRng.Around( base, spread );
    };

    for( int f = 0; f < cfg.frames; ++f )
    {
        {
            ZoneScopedN( "Sim::Tick" );
            {
                ZoneScopedN( "Input::PollDevices" );
                Busy( r.Around( 0.3, 0.1 ) );
            }
            {
                ZoneScopedN( "Crowd::UpdateAgents" );
                Busy( r.Around( 3.0, 0.06 ) );
            }
            {
                ZoneScopedN( "Jobs::Dispatch" );
                for( int j = 0; j < cfg.clothJobs; ++j )
                {
                    const double ms = jitter( cfg.clothMs, 0.1 );
                    pool.Push( [ms] {
                        ZoneScopedN( "Cloth::Simulate" );
                        Busy( ms );
                    } );
                }
                for( int j = 0; j < cfg.skinJobs; ++j )
                {
                    const double ms = jitter( skinMs, 0.08 );
                    pool.Push( [ms] {
                        ZoneScopedN( "Anim::Skin" );
                        Busy( ms );
                    } );
                }
            }
            {
                ZoneScopedN( "Audio::UpdateEmitters" );
                Busy( r.Around( 0.6, 0.1 ) );
            }
            if( f % 12 == 0 ) svc.tileRequests.fetch_add( 1 );
            {
                ZoneScopedN( "Jobs::Wait" );
                pool.WaitAll();
            }
        }
        {
            ZoneScopedN( "Render::SubmitCrowd" );
            Busy( r.Around( 2.4, 0.06 ) );
        }
        {
            ZoneScopedN( "Render::Present" );
            Busy( r.Around( 0.4, 0.1 ) );
        }
        FrameMark;
    }
    Log( "Simulation finished: " + std::to_string( cfg.frames ) + " frames" );
    svc.Stop();
}

}  // namespace crowd

int main( int argc, char** argv )
{
    if( argc != 2 || ( strcmp( argv[1], "a" ) != 0 && strcmp( argv[1], "b" ) != 0 ) )
    {
        fprintf( stderr, "usage: crowdsim a|b\n" );
        return 2;
    }
    prctl( PR_SET_TIMERSLACK, 1UL );  // tight sleeps, inherited by all threads created later
    tracy::SetThreadName( "Main thread" );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );
    FrameMark;

    crowd::Config cfg;
    cfg.newSkinning = argv[1][0] == 'b';
    crowd::RunSim( cfg );
    return 0;
}
