// vrgame: a VR-title-shaped workload (90 Hz HMD) instrumented with Tracy 0.14.0, for blind tests of
// profiler-analysis tools. Benchmark data tooling only.
//
// Usage: vrgame a|b     (two builds of the same title; run ONLY via /work/team/bin/record.sh)
//
// Threads: XR main loop (sim + two eye passes + frame submit), 2 job workers (physics islands, pose
// evaluation), a compositor thread (reprojection + lens distortion of each submitted frame; the main
// thread waits for it before the next vsync), a head-tracker thread (IMU fusion, 500 Hz), an audio
// spatializer thread (5.33 ms blocks) and an asset streamer (mesh LOD decode on request).
// Pacing is vsync-quantized: a frame that does not finish within one 11.11 ms period waits for the next
// vsync, so it lasts 22.2 ms.
// Work is emulated by a sleep to just before a deadline plus a short spin (exact lengths on a busy box).

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
using namespace std::chrono_literals;

static volatile uint64_t g_acc = 0;

// Busy for `us` of wall time: nap until 120 us before the end, then hash a buffer until the deadline.
static void Busy( double us )
{
    const auto deadline = SteadyClock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > 200.0 ) std::this_thread::sleep_until( deadline - 120us );
    uint64_t h = 1469598103934665603ull;
    unsigned char buf[64];
    memset( buf, 7, sizeof( buf ) );
    while( SteadyClock::now() < deadline )
    {
        for( unsigned char c : buf ) h = ( h ^ c ) * 1099511628211ull;
        buf[h & 63] ^= (unsigned char)h;
    }
    g_acc = g_acc + h;
}

static void Nap( double us ) { std::this_thread::sleep_for( std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) ) ); }

class Rng
{
public:
    explicit Rng( uint32_t seed ) : m_eng( seed ) {}
    // v * (1 +- spread), uniform
    double Vary( double v, double spread = 0.06 )
    {
        return v * std::uniform_real_distribution<double>( 1.0 - spread, 1.0 + spread )( m_eng );
    }

private:
    std::mt19937 m_eng;
};

static std::atomic<bool> g_quit{ false };

// ------------------------------------------------------------------------------------------------------
// Job system: 2 workers pulling closures from a shared queue.
// ------------------------------------------------------------------------------------------------------
class JobSystem
{
public:
    void Start( int n )
    {
        for( int i = 0; i < n; i++ ) m_threads.emplace_back( [this, i] { WorkerMain( i ); } );
    }
    void Stop()
    {
        {
            std::lock_guard<LockableBase( std::mutex )> lk( m_mutex );
            m_stop = true;
        }
        m_cv.notify_all();
        for( auto& t : m_threads ) t.join();
    }
    void Push( std::function<void()> fn )
    {
        {
            std::lock_guard<LockableBase( std::mutex )> lk( m_mutex );
            m_queue.push_back( std::move( fn ) );
            m_pending++;
        }
        m_cv.notify_one();
    }
    void WaitAll()
    {
        ZoneScopedN( "JobSystem::WaitAll" );
        std::unique_lock<LockableBase( std::mutex )> lk( m_mutex );
        m_doneCv.wait( lk, [this] { return m_pending == 0; } );
    }

private:
    void WorkerMain( int idx )
    {
        char name[32];
        snprintf( name, sizeof( name ), "JobWorker %d", idx );
        tracy::SetThreadName( name );
        for( ;; )
        {
            std::function<void()> fn;
            {
                std::unique_lock<LockableBase( std::mutex )> lk( m_mutex );
                m_cv.wait( lk, [this] { return m_stop || !m_queue.empty(); } );
                if( m_queue.empty() ) return;
                fn = std::move( m_queue.front() );
                m_queue.pop_front();
            }
            fn();
            {
                std::lock_guard<LockableBase( std::mutex )> lk( m_mutex );
                if( --m_pending == 0 ) m_doneCv.notify_all();
            }
        }
    }

    TracyLockableN( std::mutex, m_mutex, "JobSystem::m_queueMutex" );
    std::condition_variable_any m_cv, m_doneCv;
    std::deque<std::function<void()>> m_queue;
    int m_pending = 0;
    bool m_stop = false;
    std::vector<std::thread> m_threads;
};

// ------------------------------------------------------------------------------------------------------
// Compositor thread: takes each submitted frame, reprojects it to the latest head pose, applies lens
// distortion, and signals the app that the swap-chain image is free again.
// ------------------------------------------------------------------------------------------------------
class Compositor
{
public:
    explicit Compositor( double reprojectUs ) : m_reprojectUs( reprojectUs ) {}
    void Start() { m_thread = std::thread( [this] { Main(); } ); }
    void Stop()
    {
        {
            std::lock_guard<std::mutex> lk( m_mx );
            m_stop = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    // Called by the app at the end of its frame; blocks until the compositor has consumed the frame.
    void SubmitAndWait( uint64_t frameIndex )
    {
        ZoneScopedN( "XR::SubmitFrame" );
        {
            std::lock_guard<std::mutex> lk( m_mx );
            m_submitted = frameIndex;
        }
        m_cv.notify_all();
        ZoneNamedN( waitZone, "XR::WaitSwapchainRelease", true );
        std::unique_lock<std::mutex> lk( m_mx );
        m_cv.wait( lk, [&] { return m_released == frameIndex; } );
    }

private:
    void Main()
    {
        tracy::SetThreadName( "XR Compositor" );
        Rng rng( 9001 );
        uint64_t last = 0;
        for( ;; )
        {
            uint64_t frame;
            {
                std::unique_lock<std::mutex> lk( m_mx );
                m_cv.wait( lk, [&] { return m_stop || m_submitted != last; } );
                if( m_stop ) return;
                frame = m_submitted;
            }
            {
                ZoneScopedN( "Compositor::ComposeLayers" );
                {
                    ZoneScopedN( "Compositor::Reproject" );
                    Busy( rng.Vary( m_reprojectUs, 0.05 ) );
                }
                {
                    ZoneScopedN( "Compositor::LensDistortion" );
                    Busy( rng.Vary( 420 ) );
                }
            }
            last = frame;
            {
                std::lock_guard<std::mutex> lk( m_mx );
                m_released = frame;
            }
            m_cv.notify_all();
        }
    }

    double m_reprojectUs;
    std::thread m_thread;
    std::mutex m_mx;
    std::condition_variable m_cv;
    uint64_t m_submitted = 0, m_released = 0;
    bool m_stop = false;
};

// ------------------------------------------------------------------------------------------------------
// Background threads
// ------------------------------------------------------------------------------------------------------
static void HeadTrackerMain()
{
    tracy::SetThreadName( "HeadTracker" );
    Rng rng( 31 );
    auto next = SteadyClock::now();
    while( !g_quit.load( std::memory_order_relaxed ) )
    {
        {
            ZoneScopedN( "Tracking::FuseImuSamples" );
            Busy( rng.Vary( 90 ) );
        }
        next += 2ms;  // 500 Hz
        std::this_thread::sleep_until( next );
    }
}

static void SpatialAudioMain()
{
    tracy::SetThreadName( "SpatialAudio" );
    Rng rng( 47 );
    auto next = SteadyClock::now();
    while( !g_quit.load( std::memory_order_relaxed ) )
    {
        {
            ZoneScopedN( "Audio::SpatializeBlock" );
            {
                ZoneScopedN( "Audio::ConvolveHrtf" );
                Busy( rng.Vary( 700 ) );
            }
            {
                ZoneScopedN( "Audio::MixReverbBus" );
                Busy( rng.Vary( 250 ) );
            }
        }
        next += std::chrono::microseconds( 5333 );  // 256 frames @ 48 kHz
        std::this_thread::sleep_until( next );
    }
}

class AssetStreamer
{
public:
    void Start() { m_thread = std::thread( [this] { Main(); } ); }
    void Stop()
    {
        {
            std::lock_guard<std::mutex> lk( m_mx );
            m_stop = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    void Request( int lodId )
    {
        {
            std::lock_guard<std::mutex> lk( m_mx );
            m_requests.push_back( lodId );
        }
        m_cv.notify_all();
    }

private:
    void Main()
    {
        tracy::SetThreadName( "AssetStreamer" );
        Rng rng( 5 );
        for( ;; )
        {
            int id;
            {
                std::unique_lock<std::mutex> lk( m_mx );
                m_cv.wait( lk, [&] { return m_stop || !m_requests.empty(); } );
                if( m_requests.empty() ) return;
                id = m_requests.front();
                m_requests.pop_front();
            }
            ZoneScopedN( "Streaming::LoadMeshLod" );
            ZoneValue( (uint64_t)id );
            {
                ZoneScopedN( "Streaming::DecompressLz4" );
                Busy( rng.Vary( 9000 ) );
            }
            {
                ZoneScopedN( "Streaming::BuildMeshlets" );
                Busy( rng.Vary( 14000 ) );
            }
        }
    }
    std::thread m_thread;
    std::mutex m_mx;
    std::condition_variable m_cv;
    std::deque<int> m_requests;
    bool m_stop = false;
};

// ------------------------------------------------------------------------------------------------------
// Main loop pieces
// ------------------------------------------------------------------------------------------------------
class VsyncClock
{
public:
    explicit VsyncClock( double hz ) : m_period( std::chrono::nanoseconds( (int64_t)( 1e9 / hz ) ) ) {}
    void Anchor() { m_origin = SteadyClock::now(); m_lastMark = m_origin; }
    // Like xrWaitFrame: block until the next vsync after now. Returns how many vsync intervals were used.
    int WaitFrame()
    {
        ZoneScopedN( "XR::WaitFrame" );
        const auto now = SteadyClock::now();
        const int64_t k = ( now - m_origin ) / m_period + 1;
        const auto target = m_origin + k * m_period;
        std::this_thread::sleep_until( target );
        const int intervals = (int)( k - m_lastK );
        m_lastK = k;
        return intervals;
    }
    double FrameMs()
    {
        const auto now = SteadyClock::now();
        const double ms = std::chrono::duration<double, std::milli>( now - m_lastMark ).count();
        m_lastMark = now;
        return ms;
    }

private:
    std::chrono::nanoseconds m_period;
    SteadyClock::time_point m_origin, m_lastMark;
    int64_t m_lastK = 0;
};

static void LoadStation( Rng& rng )
{
    ZoneScopedN( "Level::LoadStation" );
    {
        ZoneScopedN( "Assets::MountPaks" );
        Nap( rng.Vary( 60000 ) );
    }
    {
        ZoneScopedN( "Shaders::WarmPipelineCache" );
        Busy( rng.Vary( 110000 ) );
    }
    {
        ZoneScopedN( "Audio::LoadHrtfTables" );
        Nap( rng.Vary( 45000 ) );
    }
    {
        ZoneScopedN( "Physics::BuildStaticBvh" );
        Busy( rng.Vary( 70000 ) );
    }
    TracyMessageL( "Level 'orbital_dock' loaded (guardian: 3.0 x 2.5 m)" );
}

static void RenderEye( Rng& rng, const char* which )
{
    ZoneScopedN( "Render::Eye" );
    ZoneText( which, strlen( which ) );
    {
        ZoneScopedN( "Render::CullFrustum" );
        Busy( rng.Vary( 220 ) );
    }
    {
        ZoneScopedN( "Render::DrawOpaque" );
        Busy( rng.Vary( 850 ) );
    }
    {
        ZoneScopedN( "Render::DrawTransparent" );
        Busy( rng.Vary( 300 ) );
    }
    {
        ZoneScopedN( "Render::ResolveMsaa" );
        Busy( rng.Vary( 150 ) );
    }
}

static int Run( bool buildB )
{
    const char* build = buildB ? "vrgame 2.7.1 build 4418 (compositor: depth-aware reprojection, 2 layers)"
                               : "vrgame 2.7.0 build 4391 (compositor: rotational reprojection)";
    tracy::SetThreadName( "XR Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    TracyAppInfo( build, strlen( build ) );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );
    TracyPlotConfig( "Frame time (ms)", tracy::PlotFormatType::Number, false, true, 0x4080FF );
    TracyPlotConfig( "Vsync intervals", tracy::PlotFormatType::Number, true, true, 0xFF8040 );
    TracyMessage( build, strlen( build ) );

    Rng rng( buildB ? 2222 : 1111 );
    LoadStation( rng );

    JobSystem jobs;
    jobs.Start( 2 );
    Compositor compositor( buildB ? 6000.0 : 3000.0 );
    compositor.Start();
    AssetStreamer streamer;
    streamer.Start();
    std::thread tracker( HeadTrackerMain );
    std::thread audio( SpatialAudioMain );
    TracyMessageL( "XR session running: 90 Hz, 2016x2240 per eye" );

    VsyncClock vsync( 90.0 );
    vsync.Anchor();
    FrameMark;  // end of the load frame

    const int kFrames = 300;
    int missed = 0;
    for( int f = 0; f < kFrames; f++ )
    {
        {
            ZoneScopedN( "Input::PollControllers" );
            Busy( rng.Vary( 180 ) );
        }
        {
            ZoneScopedN( "Sim::Tick" );
            {
                ZoneScopedN( "Gameplay::UpdateActors" );
                Busy( rng.Vary( 550 ) );
            }
            for( int i = 0; i < 4; i++ )
            {
                const double us = rng.Vary( 300 );
                jobs.Push( [us] {
                    ZoneScopedN( "Physics::SolveIsland" );
                    Busy( us );
                } );
            }
            for( int i = 0; i < 2; i++ )
            {
                const double us = rng.Vary( 400 );
                jobs.Push( [us] {
                    ZoneScopedN( "Anim::EvaluatePoses" );
                    Busy( us );
                } );
            }
            jobs.WaitAll();
        }
        {
            ZoneScopedN( "Render::BuildViewConstants" );
            Busy( rng.Vary( 140 ) );
        }
        RenderEye( rng, "left" );
        RenderEye( rng, "right" );
        if( f % 45 == 20 ) streamer.Request( 100 + f / 45 );
        compositor.SubmitAndWait( (uint64_t)f + 1 );

        const int intervals = vsync.WaitFrame();
        if( intervals > 1 ) missed++;
        if( f == 150 ) TracyMessageL( "Guardian recentered" );
        TracyPlot( "Frame time (ms)", vsync.FrameMs() );
        TracyPlot( "Vsync intervals", (int64_t)intervals );
        FrameMark;
    }

    g_quit = true;
    tracker.join();
    audio.join();
    streamer.Stop();
    compositor.Stop();
    jobs.Stop();
    char msg[96];
    const int n = snprintf( msg, sizeof( msg ), "XR session ended (%d frames)", kFrames );
    TracyMessage( msg, n );
    fprintf( stderr, "vrgame: %d of %d frames missed vsync\n", missed, kFrames );
    return 0;
}

int main( int argc, char** argv )
{
    const std::string v = argc > 1 ? argv[1] : "";
    if( v != "a" && v != "b" )
    {
        fprintf( stderr, "usage: vrgame a|b\n" );
        return 2;
    }
    return Run( v == "b" );
}
