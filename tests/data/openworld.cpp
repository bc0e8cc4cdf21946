// openworld: an open-world-game-shaped workload instrumented with Tracy (benchmark tooling).
//
// Usage: openworld a|b
//   a  last week's build
//   b  today's build (same frame; see ANSWERS.md for what differs)
//
// Threads: main thread (named "Main thread" by Tracy; uncapped frame loop, FrameMark), "TaskPool 0"/"TaskPool 1" (per-frame tasks),
// "WorldStreamer" (time-driven cell loading, request queue guarded by a TracyLockable mutex),
// "SoundMixer" (10 ms audio blocks).
// Work is emulated as "sleep until just before a deadline, then spin to it", so zone lengths stay exact on a
// loaded 2-core machine. Run ONLY through /work/team/bin/record.sh.

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

static volatile uint64_t s_burn = 0;

// Busy for `micros` of wall time: coarse sleep then spin.
static void Busy( double micros )
{
    const auto deadline = SteadyClock::now() + std::chrono::nanoseconds( (int64_t)( micros * 1000.0 ) );
    if( micros > 500.0 ) std::this_thread::sleep_until( deadline - std::chrono::microseconds( 350 ) );
    uint64_t h = 1469598103934665603ull;
    while( SteadyClock::now() < deadline )
    {
        for( int k = 0; k < 64; k++ ) h = ( h ^ (uint64_t)k ) * 1099511628211ull;
    }
    s_burn = s_burn + h;
}

class Rng
{
public:
    explicit Rng( uint32_t seed ) : m_eng( seed ) {}
    // value * (1 +- spread)
    double Around( double value, double spread = 0.06 )
    {
        return value * std::uniform_real_distribution<double>( 1.0 - spread, 1.0 + spread )( m_eng );
    }
    int Pick( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( m_eng ); }

private:
    std::mt19937 m_eng;
};

static void Log( const std::string& s ) { TracyMessage( s.c_str(), s.size() ); }

static std::atomic<bool> s_quit{ false };

// ---------------------------------------------------------------- task pool

class TaskPool
{
public:
    explicit TaskPool( int n )
    {
        for( int i = 0; i < n; i++ ) m_workers.emplace_back( [this, i] { WorkerMain( i ); } );
    }
    ~TaskPool()
    {
        {
            std::lock_guard<std::mutex> g( m_m );
            m_shutdown = true;
        }
        m_cv.notify_all();
        for( auto& t : m_workers ) t.join();
    }
    void Push( std::function<void()> fn )
    {
        {
            std::lock_guard<std::mutex> g( m_m );
            m_queue.push_back( std::move( fn ) );
            m_pending++;
        }
        m_cv.notify_one();
    }
    void WaitIdle()
    {
        std::unique_lock<std::mutex> g( m_m );
        m_done.wait( g, [this] { return m_pending == 0; } );
    }

private:
    void WorkerMain( int idx )
    {
        char name[32];
        snprintf( name, sizeof( name ), "TaskPool %d", idx );
        tracy::SetThreadName( name );
        for( ;; )
        {
            std::function<void()> fn;
            {
                std::unique_lock<std::mutex> g( m_m );
                m_cv.wait( g, [this] { return m_shutdown || !m_queue.empty(); } );
                if( m_queue.empty() ) return;
                fn = std::move( m_queue.front() );
                m_queue.pop_front();
            }
            fn();
            {
                std::lock_guard<std::mutex> g( m_m );
                if( --m_pending == 0 ) m_done.notify_all();
            }
        }
    }

    std::mutex m_m;
    std::condition_variable m_cv, m_done;
    std::deque<std::function<void()>> m_queue;
    int m_pending = 0;
    bool m_shutdown = false;
    std::vector<std::thread> m_workers;
};

// ---------------------------------------------------------------- world streaming

struct CellRequest
{
    int x, y;
};

static TracyLockableN( std::mutex, s_cellQueueMutex, "WorldStreamer::m_queueMutex" );
static std::deque<CellRequest> s_cellQueue;

static void StreamerMain()
{
    tracy::SetThreadName( "WorldStreamer" );
    Rng rng( 4242 );
    while( !s_quit.load() )
    {
        CellRequest req{ 0, 0 };
        bool have = false;
        {
            std::lock_guard<LockableBase( std::mutex )> g( s_cellQueueMutex );
            if( !s_cellQueue.empty() )
            {
                req = s_cellQueue.front();
                s_cellQueue.pop_front();
                have = true;
            }
        }
        if( !have )
        {
            std::this_thread::sleep_for( std::chrono::milliseconds( 5 ) );
            continue;
        }
        ZoneScopedN( "WorldStreamer::LoadCell" );
        char txt[48];
        const int n = snprintf( txt, sizeof( txt ), "cell %d,%d", req.x, req.y );
        ZoneText( txt, n );
        {
            ZoneScopedN( "WorldStreamer::ReadPak" );
            std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)rng.Around( 14000 ) ) );
        }
        {
            ZoneScopedN( "WorldStreamer::DecompressMeshes" );
            Busy( rng.Around( 6000 ) );
        }
        {
            ZoneScopedN( "WorldStreamer::BuildColliders" );
            Busy( rng.Around( 3000 ) );
        }
    }
}

// ---------------------------------------------------------------- audio

static void MixerMain()
{
    tracy::SetThreadName( "SoundMixer" );
    Rng rng( 99 );
    auto tick = SteadyClock::now();
    while( !s_quit.load() )
    {
        {
            ZoneScopedN( "Sound::MixVoices" );
            Busy( rng.Around( 900 ) );
        }
        tick += std::chrono::milliseconds( 10 );
        std::this_thread::sleep_until( tick );
    }
}

// ---------------------------------------------------------------- game

static void LoadWorld( Rng& rng )
{
    ZoneScopedN( "Game::LoadWorld" );
    {
        ZoneScopedN( "World::LoadHeightfield" );
        std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)rng.Around( 180000 ) ) );
    }
    {
        ZoneScopedN( "Render::CreatePipelines" );
        Busy( rng.Around( 80000 ) );
    }
    {
        ZoneScopedN( "Texture::CreatePool" );
        Busy( rng.Around( 25000 ) );
    }
    Log( "World 'highlands' loaded (64x64 cells)" );
}

static void SimUpdate( Rng& rng, int frame )
{
    ZoneScopedN( "Sim::Update" );
    {
        ZoneScopedN( "Sim::Physics" );
        Busy( rng.Around( 2300 ) );
    }
    {
        ZoneScopedN( "Sim::AI" );
        Busy( rng.Around( 1100 ) );
        if( frame % 45 == 20 )
        {
            // periodic squad re-planning: a normal, known spike in both builds
            ZoneScopedN( "AI::ReplanSquads" );
            Busy( rng.Around( 5500 ) );
        }
    }
    {
        ZoneScopedN( "Sim::Vehicles" );
        Busy( rng.Around( 500 ) );
    }
}

static void RenderPrepare( Rng& rng, bool fallbackBuild, SteadyClock::time_point& lastWarn, int& fallbacks )
{
    ZoneScopedN( "Render::Prepare" );
    {
        ZoneScopedN( "Render::CullScene" );
        Busy( rng.Around( 1800 ) );
    }
    {
        ZoneScopedN( "Texture::UpdateResidency" );
        Busy( rng.Around( 400 ) );
    }
    if( fallbackBuild )
    {
        // today's build: the pool has no room for the requested mips, so every frame falls back
        ZoneScopedN( "Texture::LoadFallback" );
        Busy( rng.Around( 4000 ) );
        fallbacks++;
        const auto now = SteadyClock::now();
        if( now - lastWarn >= std::chrono::milliseconds( 500 ) )
        {
            lastWarn = now;
            char txt[160];
            snprintf( txt, sizeof( txt ),
                      "WARNING: texture pool exhausted, using fallback (%d fallback loads so far)", fallbacks );
            Log( txt );
        }
    }
    {
        ZoneScopedN( "Render::BuildDrawLists" );
        Busy( rng.Around( 1200 ) );
    }
}

static void RunGame( bool todaysBuild )
{
    tracy::SetThreadName( "GameThread" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char* version = todaysBuild ? "openworld client v2.7.1-rc3 (built Nov 25)" : "openworld client v2.7.0 (built Nov 18)";
    TracyAppInfo( version, strlen( version ) );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );
    Log( version );
    TracyPlotConfig( "GameThread frame (ms)", tracy::PlotFormatType::Number, false, true, 0 );

    Rng rng( 2024 );
    LoadWorld( rng );

    std::thread streamer( StreamerMain );
    std::thread mixer( MixerMain );
    {
        TaskPool pool( 2 );
        Rng taskRng0( 7 ), taskRng1( 8 );
        SteadyClock::time_point lastWarn = SteadyClock::now() - std::chrono::seconds( 1 );
        int fallbacks = 0;
        int cellX = 0;
        auto lastFrame = SteadyClock::now();
        const int kFrames = 420;
        for( int frame = 0; frame < kFrames; frame++ )
        {
            {
                ZoneScopedN( "Input::Poll" );
                Busy( rng.Around( 200 ) );
            }
            pool.Push( [&taskRng0] {
                ZoneScopedN( "Anim::SkinCharacters" );
                Busy( taskRng0.Around( 3600 ) );
            } );
            pool.Push( [&taskRng1] {
                ZoneScopedN( "Foliage::UpdateInstances" );
                Busy( taskRng1.Around( 3000 ) );
            } );
            SimUpdate( rng, frame );
            {
                ZoneScopedN( "Tasks::WaitIdle" );
                pool.WaitIdle();
            }
            if( frame % 20 == 0 )
            {
                ZoneScopedN( "Streaming::RequestCells" );
                std::lock_guard<LockableBase( std::mutex )> g( s_cellQueueMutex );
                s_cellQueue.push_back( { cellX, 12 } );
                s_cellQueue.push_back( { cellX, 13 } );
                cellX++;
            }
            RenderPrepare( rng, todaysBuild, lastWarn, fallbacks );
            {
                ZoneScopedN( "Render::Submit" );
                Busy( rng.Around( 2000 ) );
            }
            {
                ZoneScopedN( "Render::GpuSync" );
                Busy( rng.Around( 800 ) );
            }
            const auto now = SteadyClock::now();
            const double frameMs = std::chrono::duration<double, std::milli>( now - lastFrame ).count();
            TracyPlot( "GameThread frame (ms)", frameMs );
            lastFrame = now;
            FrameMark;
        }
        s_quit = true;
    }
    streamer.join();
    mixer.join();
    Log( "Session ended" );
}

int main( int argc, char** argv )
{
    const std::string which = argc > 1 ? argv[1] : "";
    if( which != "a" && which != "b" )
    {
        fprintf( stderr, "usage: openworld a|b\n" );
        return 2;
    }
    RunGame( which == "b" );
    fprintf( stderr, "openworld %s: done\n", which.c_str() );
    return 0;
}
