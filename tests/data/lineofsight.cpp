// squadtac: a turn-based tactics game's battle screen, instrumented with Tracy 0.14.0.
// Benchmark test-data program (planted regression pair). Not part of any project.
//
// Usage: squadtac battle a|b
//   a  last week's build: Combat::ComputeLineOfSight is called 4x per frame (overwatch checks only)
//   b  today's build: AI::EvaluateCover also traces line of sight for 8 candidate cover tiles per frame
//      (12 calls per frame, same cost per call); Pathing::UpdateReachability got a little faster (1.2 -> 0.95 ms).
//
// Run ONLY through /work/team/bin/record.sh (loopback-only network namespace, TRACY_NO_EXIT=1).
// Simulated work: sleep to shortly before a wall-clock deadline, then spin over a small grid until it,
// so zone lengths hold on a busy 2-core machine.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>
#include <sys/resource.h>

#include "tracy/Tracy.hpp"

namespace
{
using SteadyClock = std::chrono::steady_clock;
using Usec = std::chrono::duration<double, std::micro>;

std::atomic<bool> g_quit{ false };
volatile int g_visible = 0;

// A 32x32 tile grid that the busy loops walk over (pretend visibility / cost evaluation).
struct TileGrid
{
    std::vector<int> height;
    TileGrid() : height( 32 * 32 )
    {
        for( int i = 0; i < 32 * 32; i++ ) height[i] = ( i * 7919 ) % 13;
    }
};
TileGrid g_grid;

void BusyUntil( SteadyClock::time_point deadline )
{
    int acc = 0, t = 0;
    while( SteadyClock::now() < deadline )
    {
        for( int k = 0; k < 64; k++ )
        {
            acc += g_grid.height[t] > ( acc & 15 ) ? 1 : -1;
            t = ( t + 33 ) & 1023;
        }
    }
    g_visible = g_visible + acc;
}

// Spend `us` microseconds of wall time: sleep through most of a long piece, spin the tail.
void Spend( double us )
{
    const auto deadline = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>( Usec( us ) );
    if( us > 250.0 ) std::this_thread::sleep_until( deadline - std::chrono::microseconds( 120 ) );
    BusyUntil( deadline );
}

void Idle( double us )
{
    std::this_thread::sleep_for( std::chrono::duration_cast<SteadyClock::duration>( Usec( us ) ) );
}

class Noise
{
public:
    explicit Noise( unsigned seed ) : m_eng( seed ) {}
    double operator()( double mean, double spread = 0.05 )
    {
        std::uniform_real_distribution<double> u( -spread, spread );
        return mean * ( 1.0 + u( m_eng ) );
    }

private:
    std::mt19937 m_eng;
};

// ---- task system: two workers, one queue per frame --------------------------------------------------------

struct Task
{
    const char* kind;  // "skin" or "fog"
    double us;
};

class TaskSystem
{
public:
    void Start( int n )
    {
        for( int i = 0; i < n; i++ ) m_threads.emplace_back( [this, i] { WorkerMain( i ); } );
    }
    void Stop()
    {
        {
            std::lock_guard<LockableBase( std::mutex )> g( m_lock );
            m_stopping = true;
        }
        m_cv.notify_all();
        for( auto& t : m_threads ) t.join();
    }
    void Push( const std::vector<Task>& tasks )
    {
        ZoneScopedN( "Tasks::Dispatch" );
        {
            std::lock_guard<LockableBase( std::mutex )> g( m_lock );
            for( const auto& t : tasks ) m_queue.push_back( t );
            m_pending += (int)tasks.size();
        }
        m_cv.notify_all();
    }
    void WaitAll()
    {
        ZoneScopedN( "Tasks::WaitAll" );
        std::unique_lock<LockableBase( std::mutex )> g( m_lock );
        m_doneCv.wait( g, [this] { return m_pending == 0; } );
    }

private:
    void WorkerMain( int idx )
    {
        char name[32];
        snprintf( name, sizeof( name ), "TaskWorker %d", idx );
        tracy::SetThreadName( name );
        for( ;; )
        {
            Task t;
            {
                std::unique_lock<LockableBase( std::mutex )> g( m_lock );
                m_cv.wait( g, [this] { return m_stopping || !m_queue.empty(); } );
                if( m_queue.empty() ) return;
                t = m_queue.back();
                m_queue.pop_back();
            }
            if( strcmp( t.kind, "skin" ) == 0 )
            {
                ZoneScopedN( "Anim::SkinUnits" );
                Spend( t.us );
            }
            else
            {
                ZoneScopedN( "Vision::UpdateFogOfWar" );
                Spend( t.us );
            }
            {
                std::lock_guard<LockableBase( std::mutex )> g( m_lock );
                if( --m_pending == 0 ) m_doneCv.notify_all();
            }
        }
    }

    TracyLockableN( std::mutex, m_lock, "TaskSystem::m_queueLock" );
    std::condition_variable_any m_cv, m_doneCv;
    std::vector<Task> m_queue;
    int m_pending = 0;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

// ---- background threads ----------------------------------------------------------------------------------

void SoundThreadMain()
{
    tracy::SetThreadName( "SoundThread" );
    Noise n( 4242 );
    auto tick = SteadyClock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Sound::MixVoices" );
            Spend( n( 700 ) );
        }
        tick += std::chrono::microseconds( 10667 );  // 512 frames @ 48 kHz
        std::this_thread::sleep_until( tick );
    }
}

void ContentLoaderMain()
{
    tracy::SetThreadName( "ContentLoader" );
    Noise n( 99 );
    static const char* atlases[] = { "portraits_rangers.atlas", "portraits_heavies.atlas", "fx_explosions.atlas",
                                     "props_warehouse.atlas", "portraits_snipers.atlas", "ui_icons_ability.atlas" };
    int i = 0;
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Content::ReadAtlas" );
            ZoneText( atlases[i % 6], strlen( atlases[i % 6] ) );
            Idle( n( 40000, 0.1 ) );
        }
        {
            ZoneScopedN( "Content::DecodeAtlas" );
            Spend( n( 4000 ) );
        }
        i++;
        for( int k = 0; k < 60 && !g_quit.load(); k++ ) Idle( 10000 );  // next request ~0.6 s later
    }
}

// ---- the battle screen -----------------------------------------------------------------------------------

struct Build
{
    bool coverUsesLineOfSight;  // b: AI::EvaluateCover traces LoS per candidate tile
    double reachabilityUs;      // b: a little faster
    const char* version;
};

void ComputeLineOfSight( Noise& n )
{
    ZoneScopedN( "Combat::ComputeLineOfSight" );
    Spend( n( 400, 0.06 ) );
}

void LoadMission( Noise& n )
{
    ZoneScopedN( "Mission::LoadMap" );
    {
        ZoneScopedN( "Map::LoadTileGrid" );
        Idle( n( 120000 ) );
    }
    {
        ZoneScopedN( "Map::BakeCoverMap" );
        Spend( n( 60000 ) );
    }
    {
        ZoneScopedN( "Units::SpawnSquads" );
        Spend( n( 25000 ) );
    }
    TracyMessageL( "Mission 'Dockyard Ambush' loaded: 24x32 tiles, 6 vs 9 units" );
}

void BattleUpdate( const Build& b, Noise& n )
{
    ZoneScopedN( "Battle::Update" );
    {
        ZoneScopedN( "Units::TickStatusEffects" );
        Spend( n( 600 ) );
    }
    {
        ZoneScopedN( "Combat::ResolveOverwatch" );
        Spend( n( 100 ) );
        for( int watcher = 0; watcher < 4; watcher++ ) ComputeLineOfSight( n );
    }
    {
        ZoneScopedN( "AI::PlanTurn" );
        {
            ZoneScopedN( "AI::ScoreMoves" );
            Spend( n( 2800 ) );
        }
        {
            ZoneScopedN( "AI::EvaluateCover" );
            Spend( n( 350 ) );  // cover lookup in the baked cover map
            if( b.coverUsesLineOfSight )
            {
                for( int tile = 0; tile < 8; tile++ ) ComputeLineOfSight( n );
            }
        }
        {
            ZoneScopedN( "AI::SelectAction" );
            Spend( n( 200 ) );
        }
    }
    {
        ZoneScopedN( "Pathing::UpdateReachability" );
        Spend( n( b.reachabilityUs ) );
    }
}

void RenderFrame( Noise& n )
{
    ZoneScopedN( "Render::Frame" );
    {
        ZoneScopedN( "Render::CullTiles" );
        Spend( n( 800 ) );
    }
    {
        ZoneScopedN( "Render::DrawBattlefield" );
        Spend( n( 2200 ) );
    }
    {
        ZoneScopedN( "Render::DrawUnits" );
        Spend( n( 1400 ) );
    }
    {
        ZoneScopedN( "UI::DrawTacticalHud" );
        Spend( n( 900 ) );
    }
}

int RunBattle( const Build& b )
{
    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );  // precise sleeps (inherited by the threads started below)
    setpriority( PRIO_PROCESS, 0, -10 );  // best effort: keeps zone lengths steady on a shared machine
    char info[160];
    const int len = snprintf( info, sizeof( info ), "squadtac %s (mission dockyard_ambush, 2560x1440, vsync off)",
                              b.version );
    TracyAppInfo( info, len );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 1 ) );
    TracyPlotConfig( "frame_ms", tracy::PlotFormatType::Number, false, true, 0xE0A020 );

    std::thread sound( SoundThreadMain );
    std::thread loader( ContentLoaderMain );
    TaskSystem tasks;
    tasks.Start( 2 );

    Noise n( 31337 );
    LoadMission( n );
    FrameMark;

    const int kFrames = 300;
    auto last = SteadyClock::now();
    for( int f = 0; f < kFrames; f++ )
    {
        if( f % 75 == 0 )
        {
            char msg[96];
            const int m = snprintf( msg, sizeof( msg ), "Turn %d: enemy phase (%s)", 3 + f / 75,
                                    ( f / 75 ) % 2 ? "Vipers" : "Sectoids" );
            TracyMessage( msg, m );
        }
        {
            ZoneScopedN( "Input::ProcessCommands" );
            Spend( n( 300 ) );
        }
        BattleUpdate( b, n );
        tasks.Push( { { "skin", n( 1500 ) }, { "fog", n( 1200 ) } } );
        RenderFrame( n );
        tasks.WaitAll();
        {
            ZoneScopedN( "Render::SubmitAndFlip" );
            Idle( n( 900 ) );
            Spend( 100 );
        }
        const auto now = SteadyClock::now();
        const double frameMs = std::chrono::duration<double, std::milli>( now - last ).count();
        TracyPlot( "frame_ms", frameMs );
        last = now;
        FrameMark;
    }
    TracyMessageL( "Battle screen closed" );

    g_quit = true;
    tasks.Stop();
    sound.join();
    loader.join();
    return 0;
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc == 3 && strcmp( argv[1], "battle" ) == 0 )
    {
        if( strcmp( argv[2], "a" ) == 0 ) return RunBattle( { false, 1200, "2.3.0-r4410" } );
        if( strcmp( argv[2], "b" ) == 0 ) return RunBattle( { true, 950, "2.3.1-r4467" } );
    }
    fprintf( stderr, "usage: squadtac battle a|b\n" );
    return 2;
}
