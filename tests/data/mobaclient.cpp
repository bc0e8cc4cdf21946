// mobaclient: a MOBA game-client-shaped workload instrumented with Tracy 0.14.0, for profiler-tool tests.
//
// Usage: mobaclient <build>      build = a (last week's client) | b (today's client)
//
// Each run: connect, load the map (Match::LoadMap), then 240 uncapped frames (no vsync) on the main thread.
// Main thread per frame: Match::Tick (input, snapshots, job dispatch, champions, vision, job wait) then
// Renderer::Frame (cull, terrain, units, particles, minimap, HUD, submit). Two TaskWorker threads run creep
// pathing / projectile jobs; NetRecv receives server snapshots (30 Hz) under a lock; VoiceChat decodes voice
// packets (50 Hz); AssetStream streams champion skins now and then.
//
// Run ONLY through /work/team/bin/record.sh (loopback-only namespace; Tracy broadcasts UDP).
// Timed pieces sleep most of their length then crunch numbers until the deadline, so zone lengths hold on a
// shared 2-core machine.

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

std::atomic<uint64_t> g_crunch{ 0 };

// Spend `ms` milliseconds: sleep until ~0.25 ms before the deadline, then integer-hash a small table until it.
void Spend( double ms )
{
    const auto deadline = SteadyClock::now() + std::chrono::microseconds( (int64_t)( ms * 1000.0 ) );
    if( ms > 0.5 ) std::this_thread::sleep_until( deadline - std::chrono::microseconds( 250 ) );
    uint32_t table[64];
    for( int i = 0; i < 64; i++ ) table[i] = (uint32_t)i * 2654435761u;
    uint64_t acc = 0;
    while( SteadyClock::now() < deadline )
    {
        for( int i = 0; i < 64; i++ )
        {
            table[i] ^= table[( i + 7 ) & 63] >> 3;
            table[i] *= 0x9E3779B1u;
            acc += table[i];
        }
    }
    g_crunch.fetch_add( acc, std::memory_order_relaxed );
}

class Rng
{
public:
    explicit Rng( uint64_t seed ) : m_gen( seed ) {}
    // value within +-spread (fraction) of mid
    double Around( double mid, double spread = 0.04 )
    {
        std::uniform_real_distribution<double> d( mid * ( 1.0 - spread ), mid * ( 1.0 + spread ) );
        return d( m_gen );
    }

private:
    std::mt19937_64 m_gen;
};

void Log( const std::string& s ) { TracyMessage( s.c_str(), s.size() ); }

std::atomic<bool> g_quit{ false };

// ---- task workers -------------------------------------------------------------------------------------

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
            std::lock_guard<std::mutex> g( m_m );
            m_shutdown = true;
        }
        m_cv.notify_all();
        for( auto& t : m_threads ) t.join();
    }
    void Push( std::function<void()> fn )
    {
        {
            std::lock_guard<std::mutex> g( m_m );
            m_q.push_back( std::move( fn ) );
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
    void Run( int idx )
    {
        char name[32];
        snprintf( name, sizeof( name ), "TaskWorker %d", idx );
        tracy::SetThreadName( name );
        for( ;; )
        {
            std::function<void()> fn;
            {
                std::unique_lock<std::mutex> g( m_m );
                m_cv.wait( g, [this] { return m_shutdown || !m_q.empty(); } );
                if( m_q.empty() ) return;
                fn = std::move( m_q.front() );
                m_q.pop_front();
            }
            fn();
            {
                std::lock_guard<std::mutex> g( m_m );
                if( --m_pending == 0 ) m_done.notify_all();
            }
        }
    }

    std::vector<std::thread> m_threads;
    std::mutex m_m;
    std::condition_variable m_cv, m_done;
    std::deque<std::function<void()>> m_q;
    int m_pending = 0;
    bool m_shutdown = false;
};

// ---- network snapshots ----------------------------------------------------------------------------------

struct Snapshot
{
    uint32_t tick;
    std::vector<uint8_t> payload;
};

TracyLockable( std::mutex, g_snapMutex );
std::deque<Snapshot> g_snapshots;

void NetRecvThread()
{
    tracy::SetThreadName( "NetRecv" );
    Rng rng( 4242 );
    uint32_t tick = 0;
    auto next = SteadyClock::now();
    while( !g_quit.load() )
    {
        Snapshot s;
        {
            ZoneScopedN( "Net::ReceiveSnapshot" );
            Spend( rng.Around( 0.6 ) );
            s.tick = ++tick;
            s.payload.resize( 1400 );
            for( size_t i = 0; i < s.payload.size(); i++ ) s.payload[i] = (uint8_t)( i * tick );
        }
        {
            ZoneScopedN( "Net::DecodeDelta" );
            Spend( rng.Around( 1.1 ) );
        }
        {
            std::lock_guard<LockableBase( std::mutex )> g( g_snapMutex );
            g_snapshots.push_back( std::move( s ) );
            if( g_snapshots.size() > 8 ) g_snapshots.pop_front();
        }
        next += std::chrono::microseconds( 33333 );  // 30 Hz server tick
        std::this_thread::sleep_until( next );
    }
}

// ---- voice chat -----------------------------------------------------------------------------------------

void VoiceChatThread()
{
    tracy::SetThreadName( "VoiceChat" );
    Rng rng( 99 );
    auto next = SteadyClock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Voice::DecodeOpusFrame" );
            Spend( rng.Around( 0.9 ) );
        }
        next += std::chrono::microseconds( 20000 );  // 20 ms opus frames
        std::this_thread::sleep_until( next );
    }
}

// ---- skin streaming -------------------------------------------------------------------------------------

std::atomic<int> g_skinRequests{ 0 };

void AssetStreamThread()
{
    tracy::SetThreadName( "AssetStream" );
    Rng rng( 7 );
    static const char* skins[] = { "ahri_arcade.skn", "garen_godking.skn", "jinx_firecracker.skn",
                                   "thresh_darkstar.skn", "lux_elementalist.skn", "yasuo_odyssey.skn" };
    int served = 0;
    while( !g_quit.load() )
    {
        if( g_skinRequests.load() > served )
        {
            const char* skin = skins[served % 6];
            ZoneScopedN( "Assets::StreamSkin" );
            ZoneText( skin, strlen( skin ) );
            {
                ZoneScopedN( "Assets::ReadBundle" );
                Spend( rng.Around( 28.0, 0.1 ) );
            }
            {
                ZoneScopedN( "Assets::TranscodeTextures" );
                Spend( rng.Around( 12.0, 0.1 ) );
            }
            served++;
        }
        else
        {
            std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );
        }
    }
}

// ---- main-thread frame ----------------------------------------------------------------------------------

struct Build
{
    bool b;
    double visionMs;  // a: 3 ms (fog-of-war grid), b: 6 ms
    bool minimap;     // a: minimap rendered every frame (~3 ms), b: removed from the frame
};

void LoadMap( Rng& rng )
{
    ZoneScopedN( "Match::LoadMap" );
    {
        ZoneScopedN( "Map::LoadNavGrid" );
        Spend( rng.Around( 120.0 ) );
    }
    {
        ZoneScopedN( "Assets::PreloadChampions" );
        Spend( rng.Around( 160.0 ) );
    }
    {
        ZoneScopedN( "Shaders::WarmupPipelines" );
        Spend( rng.Around( 80.0 ) );
    }
    Log( "Map 'Howling Ridge' loaded: 10 champions, 3 lanes" );
}

void ApplySnapshots( Rng& rng )
{
    ZoneScopedN( "Net::ApplySnapshots" );
    size_t n = 0;
    {
        std::lock_guard<LockableBase( std::mutex )> g( g_snapMutex );
        n = g_snapshots.size();
        g_snapshots.clear();
    }
    Spend( rng.Around( 0.5 + 0.4 * (double)n ) );
}

void Frame( const Build& bld, Rng& rng, TaskPool& pool, int frame )
{
    {
        ZoneScopedN( "Match::Tick" );
        {
            ZoneScopedN( "Input::PollDevices" );
            Spend( rng.Around( 0.3 ) );
        }
        ApplySnapshots( rng );
        {
            ZoneScopedN( "Tasks::Dispatch" );
            for( int lane = 0; lane < 4; lane++ )
            {
                const double ms = rng.Around( 1.4 );
                pool.Push( [ms] {
                    ZoneScopedN( "Creeps::PathLane" );
                    Spend( ms );
                } );
            }
            for( int k = 0; k < 2; k++ )
            {
                const double ms = rng.Around( 0.9 );
                pool.Push( [ms] {
                    ZoneScopedN( "Projectiles::Simulate" );
                    Spend( ms );
                } );
            }
            Spend( 0.1 );
        }
        {
            ZoneScopedN( "Champions::UpdateAbilities" );
            Spend( rng.Around( 2.2 ) );
        }
        {
            ZoneScopedN( "Vision::Update" );
            Spend( rng.Around( bld.visionMs ) );
        }
        {
            ZoneScopedN( "Tasks::WaitAll" );
            pool.WaitIdle();
        }
    }
    {
        ZoneScopedN( "Renderer::Frame" );
        {
            ZoneScopedN( "Renderer::CullScene" );
            Spend( rng.Around( 1.5 ) );
        }
        {
            ZoneScopedN( "Renderer::DrawTerrain" );
            Spend( rng.Around( 4.5 ) );
        }
        {
            ZoneScopedN( "Renderer::DrawChampions" );
            Spend( rng.Around( 3.2 ) );
        }
        {
            ZoneScopedN( "Particles::Render" );
            Spend( rng.Around( 1.6 ) );
        }
        if( bld.minimap )
        {
            ZoneScopedN( "Minimap::Render" );
            Spend( rng.Around( 3.0 ) );
        }
        {
            ZoneScopedN( "HUD::Draw" );
            Spend( rng.Around( 1.3 ) );
        }
        {
            ZoneScopedN( "Renderer::SubmitCommandLists" );
            Spend( rng.Around( 0.5 ) );
        }
    }
    if( frame % 60 == 20 ) g_skinRequests.fetch_add( 1 );
    if( frame % 80 == 0 ) Log( "Creep wave " + std::to_string( frame / 80 + 1 ) + " spawned" );
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc != 2 || ( strcmp( argv[1], "a" ) != 0 && strcmp( argv[1], "b" ) != 0 ) )
    {
        fprintf( stderr, "usage: %s a|b\n", argv[0] );
        return 2;
    }
    const bool isB = argv[1][0] == 'b';
    const Build bld{ isB, isB ? 6.0 : 3.0, !isB };
    const char* version = isB ? "MobaClient 14.9.2 (changelist 771204, 2024-05-02)"
                              : "MobaClient 14.8.5 (changelist 768930, 2024-04-25)";

    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    TracyAppInfo( version, strlen( version ) );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 1 ) );
    TracyPlotConfig( "Frame time (ms)", tracy::PlotFormatType::Number, false, true, 0xE08020 );

    Log( std::string( "Client version: " ) + version );

    Rng rng( 2024 );
    LoadMap( rng );

    std::thread net( NetRecvThread );
    std::thread voice( VoiceChatThread );
    std::thread assets( AssetStreamThread );
    {
        TaskPool pool( 2 );
        Log( "Match started (ranked 5v5)" );
        FrameMark;
        auto last = SteadyClock::now();
        for( int f = 0; f < 240; f++ )
        {
            Frame( bld, rng, pool, f );
            const auto now = SteadyClock::now();
            const double frameMs = std::chrono::duration<double, std::milli>( now - last ).count();
            TracyPlot( "Frame time (ms)", frameMs );
            last = now;
            FrameMark;
        }
        Log( "Match ended" );
    }
    g_quit = true;
    net.join();
    voice.join();
    assets.join();
    return 0;
}
