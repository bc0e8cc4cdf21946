// navtiles (blind456; it names itself "skirmish"): an RTS-engine-shaped workload instrumented with Tracy.
// All gameplay work runs through a generic task system: every unit of work is
//     Task::Run > Job::Execute > Work::Invoke > <system>
// on the main thread (one per system, each frame) and on three "Worker N" threads (job batches per frame).
// Two background threads: "StreamIO" (map chunk streaming) and "SoundMixer" (audio blocks).
//
// Usage: skirmish play        planted problem: every ~1.4 s the navmesh tile cache rebuilds a dirty tile
//                             synchronously on the main thread (Nav::RebuildTile ~30 ms, deep under Nav::UpdateAgents)
//
// Run ONLY through /work/team/bin/record.sh (loopback-only namespace; the Tracy client broadcasts UDP).

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
using std::chrono::microseconds;

static volatile uint64_t g_churn = 0;

// Busy for `usec` of wall-clock time: sleep for most of it (robust on a loaded 2-core box), then hash data
// until the deadline so the tail is real CPU work.
static void Burn( double usec )
{
    const auto deadline = SteadyClock::now() + std::chrono::nanoseconds( (long long)( usec * 1000.0 ) );
    if( usec > 500.0 ) std::this_thread::sleep_until( deadline - microseconds( 250 ) );
    uint64_t h = 1469598103934665603ull;
    do
    {
        for( int k = 0; k < 64; ++k ) h = ( h ^ (uint64_t)k ) * 1099511628211ull;
    } while( SteadyClock::now() < deadline );
    g_churn = g_churn ^ h;
}

struct Rng
{
    std::mt19937_64 gen;
    explicit Rng( uint64_t s ) : gen( s ) {}
    double Around( double v, double spread = 0.06 )
    {
        return v * std::uniform_real_distribution<double>( 1.0 - spread, 1.0 + spread )( gen );
    }
    int Between( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( gen ); }
    bool Chance( double p ) { return std::uniform_real_distribution<double>( 0.0, 1.0 )( gen ) < p; }
};

// The generic wrapper chain every piece of work goes through.
template<class F> static void RunTask( F&& body )
{
    ZoneScopedN( "Task::Run" );
    Burn( 15 );
    {
        ZoneScopedN( "Job::Execute" );
        Burn( 10 );
        {
            ZoneScopedN( "Work::Invoke" );
            body();
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Main-thread systems

static std::atomic<bool> g_quit{ false };

struct NavState
{
    int dirtyTiles = 0;
    bool bigRebuild = false;  // set by the simulation when a destructible collapses onto a large tile
};

static void NavRebuildTile( Rng& r, bool big )
{
    ZoneScopedN( "Nav::RebuildTile" );
    if( big )
        Burn( r.Around( 30000, 0.08 ) );  // full voxelisation + region build of a 64x64 tile, synchronously
    else
        Burn( r.Around( 320, 0.25 ) );    // small incremental patch
}

static void NavUpdateAgents( Rng& r, NavState& nav )
{
    ZoneScopedN( "Nav::UpdateAgents" );
    Burn( r.Around( 450 ) );  // steer 300 agents
    {
        ZoneScopedN( "Nav::TileCache::Update" );
        Burn( 40 );
        {
            ZoneScopedN( "Nav::TileCache::ProcessDirty" );
            Burn( 30 );
            while( nav.dirtyTiles > 0 )
            {
                NavRebuildTile( r, nav.bigRebuild );
                nav.bigRebuild = false;
                nav.dirtyTiles--;
            }
        }
    }
}

// One main-thread system run through the task wrappers; its zone has a static name.
#define SYSTEM( zoneName, usec )                                        \
    do                                                                  \
    {                                                                   \
        const double u_ = r.Around( usec );                             \
        RunTask( [u_] { ZoneScopedN( zoneName ); Burn( u_ ); } );       \
    } while( 0 )

// ---------------------------------------------------------------------------------------------------------
// Workers

struct JobQueue
{
    std::mutex m;
    std::condition_variable cv;
    std::deque<std::function<void()>> jobs;
    void Push( std::function<void()> f )
    {
        {
            std::lock_guard<std::mutex> g( m );
            jobs.push_back( std::move( f ) );
        }
        cv.notify_one();
    }
};

static JobQueue g_jobs;

static void WorkerMain( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    tracy::SetThreadName( name );
    for( ;; )
    {
        std::function<void()> job;
        {
            std::unique_lock<std::mutex> lk( g_jobs.m );
            g_jobs.cv.wait( lk, [] { return g_quit.load() || !g_jobs.jobs.empty(); } );
            if( g_jobs.jobs.empty() ) return;
            job = std::move( g_jobs.jobs.front() );
            g_jobs.jobs.pop_front();
        }
        RunTask( job );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Background threads

static void StreamIOMain()
{
    tracy::SetThreadName( "StreamIO" );
    Rng r( 0x5EED10 );
    int chunk = 0;
    while( !g_quit.load() )
    {
        std::this_thread::sleep_for( microseconds( r.Between( 60000, 160000 ) ) );
        if( g_quit.load() ) break;
        ZoneScopedN( "Stream::LoadChunk" );
        {
            ZoneScopedN( "Stream::ReadFile" );
            // Disk reads; every few chunks a large one (normal, off the main thread).
            Burn( r.Chance( 0.25 ) ? r.Around( 45000, 0.15 ) : r.Around( 9000, 0.3 ) );
        }
        {
            ZoneScopedN( "Stream::Decompress" );
            Burn( r.Around( 3500, 0.2 ) );
        }
        chunk++;
        if( chunk % 12 == 0 )
        {
            char msg[64];
            int n = snprintf( msg, sizeof( msg ), "stream: %d map chunks resident", chunk );
            TracyMessage( msg, n );
        }
    }
}

static void SoundMixerMain()
{
    tracy::SetThreadName( "SoundMixer" );
    Rng r( 0xA0D10 );
    auto next = SteadyClock::now();
    while( !g_quit.load() )
    {
        next += microseconds( 10667 );  // 512 samples @ 48 kHz
        {
            ZoneScopedN( "Sound::MixBlock" );
            Burn( r.Around( 1400, 0.1 ) );
            {
                ZoneScopedN( "Sound::ApplyReverb" );
                Burn( r.Around( 600, 0.1 ) );
            }
        }
        std::this_thread::sleep_until( next );
    }
}

// ---------------------------------------------------------------------------------------------------------

static void LoadMap( Rng& r )
{
    ZoneScopedN( "Map::Load" );
    {
        ZoneScopedN( "Map::ReadTerrain" );
        std::this_thread::sleep_for( microseconds( (long long)r.Around( 140000 ) ) );
    }
    {
        ZoneScopedN( "Nav::BuildNavmesh" );
        Burn( r.Around( 80000 ) );
    }
    {
        ZoneScopedN( "Render::WarmShaderCache" );
        Burn( r.Around( 60000 ) );
    }
    TracyMessageL( "map 'iron_delta' loaded (4 players, 300 units)" );
}

int main( int argc, char** argv )
{
    const char* scenario = argc > 1 ? argv[1] : "play";
    if( strcmp( scenario, "play" ) != 0 )
    {
        fprintf( stderr, "usage: skirmish play\n" );
        return 2;
    }
    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char info[] = "skirmish 1.4.2 (map iron_delta, 2560x1440, 60 Hz)";
    TracyAppInfo( info, sizeof( info ) - 1 );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 1 ) );
    TracyPlotConfig( "Frame time (ms)", tracy::PlotFormatType::Number, false, true, 0x4080F0 );

    Rng r( 0xC0FFEE42 );
    std::vector<std::thread> threads;
    for( int i = 0; i < 3; i++ ) threads.emplace_back( WorkerMain, i );
    threads.emplace_back( StreamIOMain );
    threads.emplace_back( SoundMixerMain );

    LoadMap( r );

    // Loop iterations where a destructible collapse dirties a large nav tile (irregular, ~1.0-1.6 s apart).
    const int bigRebuildAt[] = { 30, 118, 189, 283, 356, 447 };
    size_t nextBig = 0;
    const int kFrames = 460;

    NavState nav;
    const auto period = std::chrono::nanoseconds( 16666667 );
    auto vsync = SteadyClock::now() + period;
    auto lastMark = SteadyClock::now();
    FrameMark;

    for( int frame = 0; frame < kFrames; frame++ )
    {
        // Kick this frame's worker jobs (same wrapper chain on the workers).
        for( int b = 0; b < 3; b++ )
        {
            const double u = r.Around( 1300 );
            g_jobs.Push( [u] { ZoneScopedN( "Anim::Blend" ); Burn( u ); } );
        }
        for( int b = 0; b < 2; b++ )
        {
            const double u = r.Around( 1100 );
            g_jobs.Push( [u] { ZoneScopedN( "Physics::Narrowphase" ); Burn( u ); } );
        }
        {
            const double u = r.Around( 1000 );
            g_jobs.Push( [u] { ZoneScopedN( "Particles::Simulate" ); Burn( u ); } );
        }
        {
            const double u = r.Around( 700 );
            g_jobs.Push( [u] { ZoneScopedN( "Render::CullChunks" ); Burn( u ); } );
        }

        SYSTEM( "Input::Poll", 200 );
        SYSTEM( "AI::Think", 1600 );
        SYSTEM( "Anim::Blend", 2800 );

        // Navigation: ~1 in 4 frames has a small dirty tile; the planted frames a large one.
        if( r.Chance( 0.25 ) ) nav.dirtyTiles++;
        if( nextBig < sizeof( bigRebuildAt ) / sizeof( bigRebuildAt[0] ) && frame == bigRebuildAt[nextBig] )
        {
            nav.dirtyTiles++;
            nav.bigRebuild = true;
            nextBig++;
        }
        RunTask( [&] { NavUpdateAgents( r, nav ); } );

        SYSTEM( "Physics::Integrate", 1200 );
        SYSTEM( "Gameplay::RunScripts", 900 );
        SYSTEM( "Camera::Update", 250 );
        SYSTEM( "Render::BuildDrawLists", 1500 );

        {
            ZoneScopedN( "Render::SwapBuffers" );
            if( SteadyClock::now() < vsync ) std::this_thread::sleep_until( vsync );
            Burn( 60 );
            const auto now = SteadyClock::now();
            vsync = ( now > vsync + std::chrono::milliseconds( 2 ) ) ? now + period : vsync + period;
        }
        const auto now = SteadyClock::now();
        const double frameMs = std::chrono::duration<double, std::milli>( now - lastMark ).count();
        TracyPlot( "Frame time (ms)", frameMs );
        lastMark = now;
        FrameMark;
    }

    TracyMessageL( "match ended" );
    g_quit = true;
    g_jobs.cv.notify_all();
    for( auto& t : threads ) t.join();
    return 0;
}
