// rallybench: the built-in benchmark mode of a small rally-racing game, instrumented with Tracy.
// Benchmark mode runs frames back to back (no vsync, no frame limiter) along a replayed lap.
// Benchmark data tooling; not part of any project.
//
// Usage: rallybench hitch|steady
//   hitch    in a handful of frames the decal atlas overflows and Decals::RebuildAtlas repacks it (~8 ms) inline
//   steady   same run, atlas never overflows (reference)
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see /work/team/bin/record.sh).
// Busy periods are wall-clock (sleep to just before the deadline, then spin), so they survive a loaded 2-core box.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static volatile uint64_t g_acc = 0;

// Occupy the calling thread for `us` microseconds of wall time.
static void Busy( double us )
{
    const auto deadline = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > 350.0 ) std::this_thread::sleep_until( deadline - 250us );
    uint64_t h = 1469598103934665603ull;
    while( Clock::now() < deadline )
    {
        for( int i = 0; i < 64; i++ ) h = ( h ^ (uint64_t)i ) * 1099511628211ull;
    }
    g_acc = g_acc + h;
}

class Rng
{
public:
    explicit Rng( uint32_t s ) : m_e( s ) {}
    double Around( double v, double spread = 0.03 )
    {
        return v * std::uniform_real_distribution<double>( 1.0 - spread, 1.0 + spread )( m_e );
    }
    int Pick( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( m_e ); }

private:
    std::mt19937 m_e;
};

static std::atomic<bool> g_quit{ false };

// ---------------------------------------------------------------------------------------------------------
// Simulation task pool: two workers, the main thread posts a batch and waits for it.
// ---------------------------------------------------------------------------------------------------------
class TaskPool
{
public:
    explicit TaskPool( int n )
    {
        for( int i = 0; i < n; i++ ) m_threads.emplace_back( [this, i] { Run( i ); } );
    }
    ~TaskPool()
    {
        {
            std::lock_guard<std::mutex> g( m_mx );
            m_exit = true;
        }
        m_cv.notify_all();
        for( auto& t : m_threads ) t.join();
    }
    void Post( std::function<void()> f )
    {
        {
            std::lock_guard<std::mutex> g( m_mx );
            m_q.push_back( std::move( f ) );
            m_pending++;
        }
        m_cv.notify_one();
    }
    void WaitIdle()
    {
        std::unique_lock<std::mutex> l( m_mx );
        m_done.wait( l, [this] { return m_pending == 0; } );
    }

private:
    void Run( int idx )
    {
        char name[32];
        snprintf( name, sizeof( name ), "SimWorker %d", idx );
        tracy::SetThreadName( name );
        for( ;; )
        {
            std::function<void()> f;
            {
                std::unique_lock<std::mutex> l( m_mx );
                m_cv.wait( l, [this] { return m_exit || !m_q.empty(); } );
                if( m_exit && m_q.empty() ) return;
                f = std::move( m_q.front() );
                m_q.pop_front();
            }
            f();
            {
                std::lock_guard<std::mutex> g( m_mx );
                if( --m_pending == 0 ) m_done.notify_all();
            }
        }
    }
    std::vector<std::thread> m_threads;
    std::mutex m_mx;
    std::condition_variable m_cv, m_done;
    std::deque<std::function<void()>> m_q;
    int m_pending = 0;
    bool m_exit = false;
};

// ---------------------------------------------------------------------------------------------------------
// Background threads: track-tile streaming (long, bursty) and the audio device callback (steady).
// ---------------------------------------------------------------------------------------------------------
static void TrackStreamer()
{
    tracy::SetThreadName( "TrackStreamer" );
    Rng r( 4242 );
    int tile = 100;
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Stream::ReadTile" );
            char txt[48];
            const int n = snprintf( txt, sizeof( txt ), "forest_stage/tile_%03d.trk", tile++ );
            ZoneText( txt, n );
            std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)r.Around( 9000, 0.2 ) ) );
        }
        {
            ZoneScopedN( "Stream::DecodeTile" );
            Busy( r.Around( 24000, 0.15 ) );  // big, but off the main thread
        }
        // idle until the car approaches the next tile
        for( int i = 0; i < 60 && !g_quit.load(); i++ ) std::this_thread::sleep_for( 10ms );
    }
}

static void AudioDevice()
{
    tracy::SetThreadName( "AudioDevice" );
    Rng r( 99 );
    auto due = Clock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Sound::MixEngineLayers" );
            Busy( r.Around( 420 ) );
        }
        due += 10667us;  // 512 samples @ 48 kHz
        std::this_thread::sleep_until( due );
    }
}

// ---------------------------------------------------------------------------------------------------------
// The game.
// ---------------------------------------------------------------------------------------------------------
struct Game
{
    Rng rng{ 20240611 };
    TaskPool pool{ 2 };
    int decalCount = 0;

    void LoadStage()
    {
        ZoneScopedN( "Stage::Load" );
        {
            ZoneScopedN( "Stage::ReadTrackSpline" );
            std::this_thread::sleep_for( 60ms );
        }
        {
            ZoneScopedN( "Stage::BuildCollisionMesh" );
            Busy( 110000 );
        }
        {
            ZoneScopedN( "Render::WarmPipelineCache" );
            Busy( 70000 );
        }
        TracyMessageL( "Stage 'forest_stage' loaded, benchmark replay starting" );
    }

    void Simulate()
    {
        ZoneScopedN( "Sim::Step" );
        {
            ZoneScopedN( "Sim::ReadReplayInput" );
            Busy( rng.Around( 120 ) );
        }
        {
            ZoneScopedN( "Sim::AIDrivers" );
            Busy( rng.Around( 900 ) );
        }
        {
            ZoneScopedN( "Sim::DispatchVehicles" );
            for( int car = 0; car < 8; car++ )
            {
                const double us = rng.Around( 480 );
                pool.Post( [us, car] {
                    ZoneScopedN( "Vehicle::SolveSuspension" );
                    ZoneValue( car );
                    Busy( us );
                } );
            }
            pool.WaitIdle();
        }
        {
            ZoneScopedN( "Sim::UpdateTrackProps" );
            Busy( rng.Around( 550 ) );
        }
    }

    void DecalPass( bool rebuild )
    {
        ZoneScopedN( "Render::DecalPass" );
        decalCount += rng.Pick( 1, 3 );  // tyre marks, gravel sprays
        if( rebuild )
        {
            ZoneScopedN( "Decals::RebuildAtlas" );
            char txt[64];
            const int n = snprintf( txt, sizeof( txt ), "%d decals repacked into 4096x4096 atlas", decalCount );
            ZoneText( txt, n );
            Busy( rng.Around( 8000, 0.04 ) );
        }
        {
            ZoneScopedN( "Decals::Draw" );
            Busy( rng.Around( 380 ) );
        }
    }

    void RenderFrame( bool rebuild )
    {
        ZoneScopedN( "Render::Frame" );
        {
            ZoneScopedN( "Render::CullScene" );
            Busy( rng.Around( 1100 ) );
        }
        {
            ZoneScopedN( "Render::ShadowCascades" );
            Busy( rng.Around( 2900 ) );
        }
        {
            ZoneScopedN( "Render::OpaquePass" );
            Busy( rng.Around( 2300 ) );
        }
        DecalPass( rebuild );
        {
            ZoneScopedN( "Render::PostFX" );
            Busy( rng.Around( 1150 ) );
        }
        {
            ZoneScopedN( "Render::SubmitCommands" );
            Busy( rng.Around( 300 ) );
        }
    }
};

static void RunBenchmark( bool hitches )
{
    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char* info = hitches ? "rallybench 0.9.3 benchmark (forest_stage, 2560x1440, vsync off, uncapped)"
                               : "rallybench 0.9.3 benchmark (forest_stage, 2560x1440, vsync off, uncapped) [ref]";
    TracyAppInfo( info, strlen( info ) );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );

    Game game;
    game.LoadStage();
    FrameMark;

    std::thread streamer( TrackStreamer );
    std::thread audio( AudioDevice );

    const int kFrames = 400;
    const std::set<int> atlasOverflow = { 58, 131, 197, 268, 334 };
    for( int f = 0; f < kFrames; f++ )
    {
        const bool rebuild = hitches && atlasOverflow.count( f ) != 0;
        {
            ZoneScopedN( "Game::RunFrame" );
            game.Simulate();
            game.RenderFrame( rebuild );
            if( f % 75 == 40 )
            {
                ZoneScopedN( "Replay::WriteTelemetry" );  // periodic but small
                Busy( game.rng.Around( 1300 ) );
            }
        }
        if( f == 120 ) TracyMessageL( "Split 1: 0:41.207" );
        if( f == 260 ) TracyMessageL( "Split 2: 1:22.913" );
        FrameMark;
    }
    TracyMessageL( "Benchmark complete" );
    g_quit = true;
    streamer.join();
    audio.join();
}

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    if( s == "hitch" ) RunBenchmark( true );
    else if( s == "steady" ) RunBenchmark( false );
    else
    {
        fprintf( stderr, "usage: rallybench hitch|steady\n" );
        return 2;
    }
    printf( "rallybench %s: done\n", s.c_str() );
    return 0;
}
