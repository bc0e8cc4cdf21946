// cryptdelve: a roguelike-shaped workload instrumented with Tracy (benchmark data for profiler-analysis tools).
//
// Usage: cryptdelve <build>    build = a | b   (two builds of the same game, same seed, same input script)
//   The player auto-descends through 6 floors in ~5 s of 60 Hz frames. Each floor change regenerates the dungeon
//   (Dungeon::GenerateRoom + corridors + nav graph) on the main thread. Build b differs from a in:
//     Dungeon::GenerateRoom  2.2x slower per call (20 ms -> 44 ms, only on floor changes)
//     FOV::Compute           1.3x slower per call (2.0 ms -> 2.6 ms, every frame)
//     Lighting::Bake         new zone, every frame (~1 ms)
//     Pathing::AStar         2x faster per call (1.8 ms -> 0.9 ms, 2 calls per frame)
//
// Run ONLY through the loopback-only recorder (record.sh). Never run directly.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

namespace cd
{
using steady = std::chrono::steady_clock;
using usec = std::chrono::microseconds;

static std::atomic<uint64_t> s_checksum{ 0 };

// Emulated CPU work of a fixed wall-clock length: nap until ~250 us before the end, then crunch tiles until the
// deadline. Keeps zone lengths stable on a shared 2-core box.
static void Crunch( double micros )
{
    const auto deadline = steady::now() + std::chrono::nanoseconds( (long long)( micros * 1e3 ) );
    if( micros > 350.0 ) std::this_thread::sleep_until( deadline - usec( 250 ) );
    uint32_t h = 2166136261u;
    int tile = 0;
    do
    {
        for( int k = 0; k < 64; ++k ) { h ^= (uint32_t)( tile++ & 0xff ); h *= 16777619u; }
    } while( steady::now() < deadline );
    s_checksum.fetch_add( h, std::memory_order_relaxed );
}

static void Nap( double micros ) { std::this_thread::sleep_for( std::chrono::nanoseconds( (long long)( micros * 1e3 ) ) ); }

class Dice
{
public:
    explicit Dice( uint32_t seed ) : m_eng( seed ) {}
    // value +- spread (fraction), uniform
    double Vary( double value, double spread = 0.06 )
    {
        std::uniform_real_distribution<double> u( 1.0 - spread, 1.0 + spread );
        return value * u( m_eng );
    }
    int Roll( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( m_eng ); }

private:
    std::mt19937 m_eng;
};

static void Log( const std::string& s ) { TracyMessage( s.c_str(), s.size() ); }

// ---------------------------------------------------------------------------------------------------------------
// Monster AI task pool (2 workers, TracyLockable queue)
// ---------------------------------------------------------------------------------------------------------------
class TaskPool
{
public:
    explicit TaskPool( int n )
    {
        for( int i = 0; i < n; ++i ) m_threads.emplace_back( [this, i] { Worker( i ); } );
    }
    ~TaskPool()
    {
        {
            std::lock_guard<LockableBase( std::mutex )> g( m_mx );
            m_quit = true;
        }
        m_cv.notify_all();
        for( auto& t : m_threads ) t.join();
    }
    void Push( std::function<void()> fn )
    {
        {
            std::lock_guard<LockableBase( std::mutex )> g( m_mx );
            m_q.push_back( std::move( fn ) );
            ++m_pending;
        }
        m_cv.notify_one();
    }
    void WaitIdle()
    {
        std::unique_lock<LockableBase( std::mutex )> g( m_mx );
        m_idle.wait( g, [this] { return m_pending == 0; } );
    }

private:
    void Worker( int idx )
    {
        char name[32];
        snprintf( name, sizeof( name ), "MonsterAI %d", idx );
        tracy::SetThreadName( name );
        for( ;; )
        {
            std::function<void()> fn;
            {
                std::unique_lock<LockableBase( std::mutex )> g( m_mx );
                m_cv.wait( g, [this] { return m_quit || !m_q.empty(); } );
                if( m_q.empty() ) return;
                fn = std::move( m_q.front() );
                m_q.pop_front();
            }
            fn();
            {
                std::lock_guard<LockableBase( std::mutex )> g( m_mx );
                if( --m_pending == 0 ) m_idle.notify_all();
            }
        }
    }

    TracyLockableN( std::mutex, m_mx, "TaskPool::m_queueMutex" );
    std::condition_variable_any m_cv, m_idle;
    std::deque<std::function<void()>> m_q;
    int m_pending = 0;
    bool m_quit = false;
    std::vector<std::thread> m_threads;
};

// ---------------------------------------------------------------------------------------------------------------
// Background threads: music streaming (steady) and autosave (rare, heavy)
// ---------------------------------------------------------------------------------------------------------------
static std::atomic<bool> s_running{ true };

static void MusicThread()
{
    tracy::SetThreadName( "MusicStream" );
    Dice d( 4242 );
    auto tick = steady::now();
    while( s_running.load() )
    {
        {
            ZoneScopedN( "Music::DecodeVorbisPage" );
            Crunch( d.Vary( 700 ) );
        }
        tick += usec( 10000 );
        std::this_thread::sleep_until( tick );
    }
}

static void AutosaveThread( std::atomic<int>* requests )
{
    tracy::SetThreadName( "Autosave" );
    Dice d( 777 );
    int done = 0;
    while( s_running.load() )
    {
        if( requests->load() > done )
        {
            ZoneScopedN( "Save::WriteSlot" );
            {
                ZoneScopedN( "Save::SerializeWorld" );
                Crunch( d.Vary( 30000 ) );
            }
            {
                ZoneScopedN( "Save::CompressLz4" );
                Crunch( d.Vary( 9000 ) );
            }
            {
                ZoneScopedN( "Save::FsyncFile" );
                Nap( d.Vary( 12000 ) );
            }
            ++done;
            Log( "Autosave: slot written" );
        }
        else
        {
            std::this_thread::sleep_for( std::chrono::milliseconds( 3 ) );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The game
// ---------------------------------------------------------------------------------------------------------------
struct BuildProfile
{
    const char* label;
    double generateRoomUs;
    double fovUs;
    double lightingUs;  // 0: no lighting bake pass
    double astarUs;
};

static const BuildProfile kBuildA = { "0.9.3-nightly-a", 20000, 2000, 0, 1800 };
static const BuildProfile kBuildB = { "0.9.3-nightly-b", 44000, 2600, 1000, 900 };

class Game
{
public:
    Game( const BuildProfile& bp ) : m_bp( bp ), m_dice( 90210 ), m_pool( 2 ) {}

    void LoadAssets()
    {
        ZoneScopedN( "Game::LoadAssets" );
        {
            ZoneScopedN( "Assets::LoadTileAtlas" );
            Nap( m_dice.Vary( 110000 ) );
        }
        {
            ZoneScopedN( "Assets::ParseMonsterDefs" );
            Crunch( m_dice.Vary( 60000 ) );
        }
        {
            ZoneScopedN( "Assets::LoadSoundBank" );
            Nap( m_dice.Vary( 80000 ) );
        }
        Log( "Assets loaded: 312 tiles, 48 monster types" );
    }

    void DescendToFloor( int floor )
    {
        ZoneScopedN( "Dungeon::GenerateFloor" );
        ZoneValue( floor );
        {
            ZoneScopedN( "Dungeon::GenerateRoom" );
            Crunch( m_dice.Vary( m_bp.generateRoomUs, 0.04 ) );
        }
        {
            ZoneScopedN( "Dungeon::CarveCorridors" );
            Crunch( m_dice.Vary( 8000 ) );
        }
        {
            ZoneScopedN( "Dungeon::BuildNavGraph" );
            Crunch( m_dice.Vary( 16000 ) );
        }
        {
            ZoneScopedN( "Dungeon::SpawnMonsters" );
            Crunch( m_dice.Vary( 3000 ) );
        }
        Log( "Descended to floor " + std::to_string( floor ) );
    }

    void SimulateTurn()
    {
        ZoneScopedN( "Game::SimulateTurn" );
        {
            ZoneScopedN( "Input::ReadKeys" );
            Crunch( m_dice.Vary( 120 ) );
        }
        {
            ZoneScopedN( "Combat::ResolveAttacks" );
            Crunch( m_dice.Vary( 700 ) );
        }
        {
            ZoneScopedN( "Monsters::DispatchThink" );
            for( int i = 0; i < 6; ++i )
            {
                const double len = m_dice.Vary( 500 );
                m_pool.Push( [len] {
                    ZoneScopedN( "Monsters::ThinkGroup" );
                    Crunch( len );
                } );
            }
        }
        for( int i = 0; i < 2; ++i )
        {
            ZoneScopedN( "Pathing::AStar" );
            Crunch( m_dice.Vary( m_bp.astarUs ) );
        }
        {
            ZoneScopedN( "Monsters::WaitThink" );
            m_pool.WaitIdle();
        }
    }

    void Draw()
    {
        ZoneScopedN( "Render::Frame" );
        {
            ZoneScopedN( "FOV::Compute" );
            Crunch( m_dice.Vary( m_bp.fovUs, 0.04 ) );
        }
        if( m_bp.lightingUs > 0 )
        {
            ZoneScopedN( "Lighting::Bake" );
            Crunch( m_dice.Vary( m_bp.lightingUs ) );
        }
        {
            ZoneScopedN( "Render::DrawTilemap" );
            Crunch( m_dice.Vary( 3200 ) );
        }
        {
            ZoneScopedN( "Render::DrawActors" );
            Crunch( m_dice.Vary( 1200 ) );
        }
        {
            ZoneScopedN( "UI::DrawMessageLog" );
            Crunch( m_dice.Vary( 600 ) );
        }
    }

    void Run()
    {
        std::atomic<int> saveRequests{ 0 };
        std::thread music( MusicThread );
        std::thread saver( AutosaveThread, &saveRequests );

        LoadAssets();
        FrameMark;

        const int kFrames = 300;
        const int floorFrames[] = { 10, 60, 110, 160, 210, 260 };
        const std::chrono::nanoseconds period( 16666667 );
        auto vsync = steady::now() + period;
        auto last = steady::now();
        int floor = 0;
        for( int f = 0; f < kFrames; ++f )
        {
            for( int ff : floorFrames )
                if( ff == f ) DescendToFloor( ++floor );
            if( f == 90 || f == 230 ) saveRequests.fetch_add( 1 );
            SimulateTurn();
            Draw();
            {
                ZoneScopedN( "Render::SwapBuffers" );
                if( steady::now() < vsync ) std::this_thread::sleep_until( vsync );
                Crunch( 50 );
                const auto now = steady::now();
                vsync = ( now > vsync + std::chrono::milliseconds( 2 ) ) ? now + period : vsync + period;
            }
            const auto now = steady::now();
            const double frameMs = std::chrono::duration<double, std::milli>( now - last ).count();
            TracyPlot( "Frame ms", frameMs );
            last = now;
            FrameMark;
        }

        s_running = false;
        music.join();
        saver.join();
        Log( "Run finished" );
    }

private:
    BuildProfile m_bp;
    Dice m_dice;
    TaskPool m_pool;
};

}  // namespace cd

int main( int argc, char** argv )
{
    if( argc < 2 || ( strcmp( argv[1], "a" ) != 0 && strcmp( argv[1], "b" ) != 0 ) )
    {
        fprintf( stderr, "usage: cryptdelve a|b\n" );
        return 2;
    }
    const cd::BuildProfile& bp = argv[1][0] == 'a' ? cd::kBuildA : cd::kBuildB;
    prctl( PR_SET_TIMERSLACK, 1UL );
    tracy::SetThreadName( "Main" );
    std::string info = std::string( "cryptdelve " ) + bp.label + " (seed 90210, 80x50 map, 60 Hz)";
    TracyAppInfo( info.c_str(), info.size() );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 1 ) );

    cd::Game game( bp );
    game.Run();
    fprintf( stderr, "checksum %llu\n", (unsigned long long)cd::s_checksum.load() );
    return 0;
}
