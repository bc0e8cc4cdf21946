// taskarena (blind469; it names itself "driftline"): a rally-racing-game-shaped workload instrumented with Tracy (benchmark data for profiler tools).
//
// Usage: driftline spawn | pool
//   spawn   Jobs::RunAsync starts a fresh std::thread for every small job (12 per frame); each job thread
//           creates a 1 MiB scratch arena on start and destroys it on exit (planted problem).
//   pool    the same jobs go to 4 persistent JobWorker threads that keep one arena each (reference build).
//   Both: Particles::Spawn makes ~200 small (56-72 B) allocations per frame on the main thread, freed the
//   same frame (distractor); the track load keeps 3 big buffers for the whole race (distractor).
//
// Run ONLY through /work/team/bin/record.sh (loopback-only network namespace, TRACY_NO_EXIT=1).

#include <atomic>
#include <chrono>
#include <condition_variable>
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

#include "tracy/Tracy.hpp"

using SteadyClock = std::chrono::steady_clock;

namespace
{

std::atomic<uint64_t> g_checksum{ 0 };

// Burn `micros` of wall time: sleep through most of it, spin the last 250 us so the end is precise even
// when the two cores are shared with other jobs.
void Busy( double micros )
{
    const auto deadline = SteadyClock::now() + std::chrono::nanoseconds( (int64_t)( micros * 1e3 ) );
    if( micros > 350.0 ) std::this_thread::sleep_until( deadline - std::chrono::microseconds( 250 ) );
    uint64_t h = 1469598103934665603ull;
    while( SteadyClock::now() < deadline )
        for( int k = 0; k < 64; k++ ) h = ( h ^ (uint64_t)k ) * 1099511628211ull;
    g_checksum.fetch_add( h, std::memory_order_relaxed );
}

struct Rng
{
    std::minstd_rand eng;
    explicit Rng( unsigned seed ) : eng( seed ) {}
    double Around( double v, double spread = 0.08 )
    {
        return v * std::uniform_real_distribution<double>( 1.0 - spread, 1.0 + spread )( eng );
    }
    int Between( int a, int b ) { return std::uniform_int_distribution<int>( a, b )( eng ); }
};

void* TrackedMalloc( size_t bytes )
{
    void* p = malloc( bytes );
    memset( p, 0xCD, bytes < 256 ? bytes : 256 );
    TracyAlloc( p, bytes );
    return p;
}

void TrackedFree( void* p )
{
    TracyFree( p );
    free( p );
}

// ---- scratch arena ---------------------------------------------------------------------------------------

struct Arena
{
    static constexpr size_t kBytes = 1u << 20;  // 1 MiB
    unsigned char* base = nullptr;
    size_t used = 0;

    static Arena Create()
    {
        ZoneScopedN( "Arena::Create" );
        Arena a;
        a.base = (unsigned char*)TrackedMalloc( kBytes );
        return a;
    }
    void Destroy()
    {
        ZoneScopedN( "Arena::Destroy" );
        TrackedFree( base );
        base = nullptr;
        used = 0;
    }
    void Reset() { used = 0; }
    void* Push( size_t n )
    {
        if( used + n > kBytes ) n = kBytes - used;
        void* p = base + used;
        used += n;
        return p;
    }
};

// ---- job kinds -------------------------------------------------------------------------------------------

struct JobDesc
{
    const char* kind;
    double micros;
    size_t scratch;
    int seed;
};

void RunJobBody( const JobDesc& d, Arena& arena )
{
    unsigned char* scratch = (unsigned char*)arena.Push( d.scratch );
    for( size_t i = 0; i < d.scratch; i += 4096 ) scratch[i] = (unsigned char)( i + d.seed );
    // each kind has its own zone so the timeline reads like a real game
    if( !strcmp( d.kind, "tyre" ) )
    {
        ZoneScopedN( "Tyre::SampleContactPatch" );
        Busy( d.micros );
    }
    else if( !strcmp( d.kind, "crowd" ) )
    {
        ZoneScopedN( "Crowd::AnimateStands" );
        Busy( d.micros );
    }
    else if( !strcmp( d.kind, "ghost" ) )
    {
        ZoneScopedN( "Replay::CompressGhostLap" );
        Busy( d.micros );
    }
    else
    {
        ZoneScopedN( "Terrain::DeformGravel" );
        Busy( d.micros );
    }
}

void BuildFrameJobs( Rng& rng, std::vector<JobDesc>& out )
{
    out.clear();
    static const char* kinds[] = { "tyre", "tyre", "tyre", "tyre", "crowd", "crowd",
                                   "crowd", "terrain", "terrain", "terrain", "ghost", "terrain" };
    for( int i = 0; i < 12; i++ )
        out.push_back( { kinds[i], rng.Around( 450 ), (size_t)( 96 * 1024 ), rng.Between( 0, 255 ) } );
}

// ---- Jobs: spawn-per-job ---------------------------------------------------------------------------------

class SpawningJobs
{
public:
    void RunAsync( const JobDesc& d )
    {
        ZoneScopedN( "Jobs::RunAsync" );
        m_threads.emplace_back( [d]() {
            ZoneScopedN( "Jobs::TaskMain" );
            Arena arena = Arena::Create();
            RunJobBody( d, arena );
            arena.Destroy();
        } );
    }
    void WaitAll()
    {
        ZoneScopedN( "Jobs::WaitAll" );
        for( auto& t : m_threads ) t.join();
        m_threads.clear();
    }

private:
    std::vector<std::thread> m_threads;
};

// ---- Jobs: persistent workers (reference build) ---------------------------------------------------------

class PooledJobs
{
public:
    explicit PooledJobs( int n )
    {
        for( int i = 0; i < n; i++ ) m_workers.emplace_back( [this, i]() { WorkerMain( i ); } );
    }
    ~PooledJobs()
    {
        {
            std::lock_guard<std::mutex> g( m_mx );
            m_quit = true;
        }
        m_cv.notify_all();
        for( auto& t : m_workers ) t.join();
    }
    void RunAsync( const JobDesc& d )
    {
        ZoneScopedN( "Jobs::RunAsync" );
        {
            std::lock_guard<std::mutex> g( m_mx );
            m_queue.push_back( d );
            m_pending++;
        }
        m_cv.notify_one();
    }
    void WaitAll()
    {
        ZoneScopedN( "Jobs::WaitAll" );
        std::unique_lock<std::mutex> g( m_mx );
        m_done.wait( g, [this] { return m_pending == 0; } );
    }

private:
    void WorkerMain( int idx )
    {
        char name[32];
        snprintf( name, sizeof( name ), "JobWorker %d", idx );
        tracy::SetThreadName( name );
        Arena arena = Arena::Create();
        for( ;; )
        {
            JobDesc d;
            {
                std::unique_lock<std::mutex> g( m_mx );
                m_cv.wait( g, [this] { return m_quit || !m_queue.empty(); } );
                if( m_queue.empty() ) break;
                d = m_queue.front();
                m_queue.pop_front();
            }
            {
                ZoneScopedN( "Jobs::TaskMain" );
                arena.Reset();
                RunJobBody( d, arena );
            }
            {
                std::lock_guard<std::mutex> g( m_mx );
                if( --m_pending == 0 ) m_done.notify_all();
            }
        }
        arena.Destroy();
    }

    std::mutex m_mx;
    std::condition_variable m_cv, m_done;
    std::deque<JobDesc> m_queue;
    int m_pending = 0;
    bool m_quit = false;
    std::vector<std::thread> m_workers;
};

// ---- background threads ----------------------------------------------------------------------------------

std::atomic<bool> g_raceOver{ false };

void SoundEngineThread()
{
    tracy::SetThreadName( "SoundEngine" );
    Rng rng( 4242 );
    auto tick = SteadyClock::now();
    while( !g_raceOver.load() )
    {
        {
            ZoneScopedN( "Audio::MixEngineNotes" );
            Busy( rng.Around( 420 ) );
        }
        tick += std::chrono::microseconds( 10667 );  // 512 samples @ 48 kHz
        std::this_thread::sleep_until( tick );
    }
}

void TrackStreamerThread()
{
    tracy::SetThreadName( "TrackStreamer" );
    Rng rng( 99 );
    int segment = 0;
    while( !g_raceOver.load() )
    {
        {
            ZoneScopedN( "Track::StreamSegment" );
            ZoneValue( segment++ );
            {
                ZoneScopedN( "IO::ReadSegmentPak" );
                std::this_thread::sleep_for( std::chrono::microseconds( (int)rng.Around( 9000 ) ) );
            }
            {
                ZoneScopedN( "Track::DecodeSplines" );
                Busy( rng.Around( 2200 ) );
            }
        }
        for( int i = 0; i < 25 && !g_raceOver.load(); i++ )
            std::this_thread::sleep_for( std::chrono::milliseconds( 10 ) );
    }
}

// ---- the race ------------------------------------------------------------------------------------------------

struct TrackData
{
    void* heightfield = nullptr;
    void* collision = nullptr;
    void* splines = nullptr;
};

TrackData LoadTrack( Rng& rng )
{
    ZoneScopedN( "Race::LoadTrack" );
    TrackData t;
    {
        ZoneScopedN( "Track::LoadHeightfield" );
        t.heightfield = TrackedMalloc( 24u << 20 );
        std::this_thread::sleep_for( std::chrono::microseconds( (int)rng.Around( 120000 ) ) );
    }
    {
        ZoneScopedN( "Track::BuildCollisionMesh" );
        t.collision = TrackedMalloc( 8u << 20 );
        Busy( rng.Around( 80000 ) );
    }
    {
        ZoneScopedN( "Track::LoadSplines" );
        t.splines = TrackedMalloc( 2u << 20 );
        Busy( rng.Around( 20000 ) );
    }
    {
        ZoneScopedN( "Audio::LoadEngineSamples" );
        std::this_thread::sleep_for( std::chrono::microseconds( (int)rng.Around( 60000 ) ) );
    }
    TracyMessageL( "Track 'Col de Turini (night)' loaded, 6 cars" );
    return t;
}

template <class Jobs>
void RaceLoop( Jobs& jobs, Rng& rng )
{
    static const size_t particleSizes[] = { 56, 64, 64, 72 };
    std::vector<JobDesc> frameJobs;
    std::vector<void*> particles;
    particles.reserve( 512 );
    const auto period = std::chrono::nanoseconds( 16666667 );
    auto vsync = SteadyClock::now() + period;
    auto lastMark = SteadyClock::now();
    const int kFrames = 240;
    for( int frame = 0; frame < kFrames; frame++ )
    {
        {
            ZoneScopedN( "Race::Tick" );
            {
                ZoneScopedN( "Input::PollWheel" );
                Busy( rng.Around( 150 ) );
            }
            {
                ZoneScopedN( "Vehicle::IntegrateDynamics" );
                Busy( rng.Around( 1400 ) );
            }
            {
                ZoneScopedN( "Race::DispatchJobs" );
                BuildFrameJobs( rng, frameJobs );
                for( const JobDesc& d : frameJobs ) jobs.RunAsync( d );
            }
            {
                ZoneScopedN( "Particles::Spawn" );
                const int n = rng.Between( 185, 215 );
                for( int i = 0; i < n; i++ ) particles.push_back( TrackedMalloc( particleSizes[( i + frame ) & 3] ) );
                Busy( rng.Around( 250 ) );
            }
            {
                ZoneScopedN( "Particles::Simulate" );
                Busy( rng.Around( 900 ) );
            }
            {
                ZoneScopedN( "Track::UpdateCheckpoints" );
                Busy( rng.Around( 300 ) );
            }
            jobs.WaitAll();
            {
                ZoneScopedN( "Particles::Retire" );
                for( void* p : particles ) TrackedFree( p );
                particles.clear();
            }
        }
        {
            ZoneScopedN( "Render::BuildCommandLists" );
            Busy( rng.Around( 3600 ) );
        }
        {
            ZoneScopedN( "Render::Present" );
            if( SteadyClock::now() < vsync ) std::this_thread::sleep_until( vsync );
            Busy( 50 );
            const auto now = SteadyClock::now();
            vsync = ( now > vsync + std::chrono::milliseconds( 2 ) ) ? now + period : vsync + period;
        }
        const auto now = SteadyClock::now();
        const double frameMs = std::chrono::duration<double, std::milli>( now - lastMark ).count();
        TracyPlot( "Frame ms", frameMs );
        lastMark = now;
        FrameMark;
    }
}

void RunRace( bool pooled )
{
    // main thread keeps its default name (Tracy shows "Main thread")
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char* info = pooled ? "driftline 0.9.3 (jobs: 4 persistent workers)" : "driftline 0.9.4 (jobs: thread per task)";
    TracyAppInfo( info, strlen( info ) );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 1 ) );
    TracyPlotConfig( "Frame ms", tracy::PlotFormatType::Number, false, true, 0xE0A020 );

    Rng rng( pooled ? 1001 : 2002 );
    TrackData track = LoadTrack( rng );
    FrameMark;
    std::thread sound( SoundEngineThread );
    std::thread streamer( TrackStreamerThread );
    TracyMessageL( "Race start" );
    if( pooled )
    {
        PooledJobs jobs( 4 );
        RaceLoop( jobs, rng );
    }
    else
    {
        SpawningJobs jobs;
        RaceLoop( jobs, rng );
    }
    g_raceOver = true;
    sound.join();
    streamer.join();
    TracyMessageL( "Race finished" );
    TrackedFree( track.splines );
    TrackedFree( track.collision );
    TrackedFree( track.heightfield );
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if( mode != "spawn" && mode != "pool" )
    {
        fprintf( stderr, "usage: driftline spawn|pool\n" );
        return 2;
    }
    RunRace( mode == "pool" );
    fprintf( stderr, "driftline %s: done (%llu)\n", mode.c_str(), (unsigned long long)( g_checksum.load() & 0xff ) );
    return 0;
}
