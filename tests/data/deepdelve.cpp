// deepdelve: a small roguelike-shaped workload instrumented with Tracy (benchmark data for profiler tooling).
//
// Usage: deepdelve play
//   A scripted play session: the player walks around and, at irregular moments, takes the stairs down.
//   Each descent builds the next floor synchronously on the main thread (Dungeon::GenerateFloor, ~70 ms),
//   which is the planted hitch. Lighting::Update (~5 ms) and Render::Tiles (~4 ms) run every frame and are
//   normal; the "Audio" thread mixes in the background; two "TurnWorker" threads run monster AI jobs;
//   an "Autosave" thread occasionally serialises the run off the main thread.
//
// Run ONLY through /work/team/bin/record.sh (loopback-only namespace, TRACY_NO_EXIT=1).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

namespace dd
{
using SteadyClock = std::chrono::steady_clock;
using Usec = std::chrono::microseconds;

static volatile uint64_t s_hashSink = 0;

// Busy-ish work lasting `usec` of wall time: most of it asleep, the tail spent hashing tile data until the
// deadline, so the zone length survives a loaded 2-core box.
static void Burn( double usec )
{
    const auto deadline = SteadyClock::now() + std::chrono::nanoseconds( (long long)( usec * 1000.0 ) );
    if( usec > 500.0 ) std::this_thread::sleep_until( deadline - Usec( 250 ) );
    uint64_t h = 1469598103934665603ull;
    do
    {
        for( int k = 0; k < 64; ++k ) h = ( h ^ (uint64_t)k ) * 1099511628211ull;
    } while( SteadyClock::now() < deadline );
    s_hashSink = s_hashSink ^ h;
}

class Rng
{
public:
    explicit Rng( unsigned seed ) : m_gen( seed ) {}
    // value around `base`, +/- `spread` (fraction)
    double Around( double base, double spread = 0.06 )
    {
        std::uniform_real_distribution<double> d( -spread, spread );
        return base * ( 1.0 + d( m_gen ) );
    }
    int Pick( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( m_gen ); }

private:
    std::mt19937 m_gen;
};

static void Log( const std::string& s ) { TracyMessage( s.c_str(), s.size() ); }

static std::atomic<bool> g_quit{ false };

// ---------------------------------------------------------------------------------------------------------
// Audio thread: mixes a block every ~10.7 ms, decodes a music chunk now and then.
static void AudioMain()
{
    tracy::SetThreadName( "Audio" );
    Rng rng( 4242 );
    auto tick = SteadyClock::now();
    int block = 0;
    while( !g_quit.load( std::memory_order_relaxed ) )
    {
        {
            ZoneScopedN( "Audio::MixVoices" );
            Burn( rng.Around( 900 ) );
        }
        if( ++block % 40 == 0 )
        {
            ZoneScopedN( "Audio::DecodeMusicChunk" );
            Burn( rng.Around( 6000 ) );
        }
        tick += Usec( 10667 );  // 512 samples @ 48 kHz
        std::this_thread::sleep_until( tick );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Autosave thread: every ~1.9 s serialises the run state (long, but entirely off the main thread).
static void AutosaveMain()
{
    tracy::SetThreadName( "Autosave" );
    Rng rng( 777 );
    auto next = SteadyClock::now() + std::chrono::milliseconds( 1400 );
    int slot = 0;
    while( !g_quit.load( std::memory_order_relaxed ) )
    {
        if( SteadyClock::now() < next )
        {
            std::this_thread::sleep_for( std::chrono::milliseconds( 3 ) );
            continue;
        }
        {
            ZoneScopedN( "Save::SerializeRun" );
            Burn( rng.Around( 18000 ) );
        }
        {
            ZoneScopedN( "Save::CompressAndWrite" );
            Burn( rng.Around( 30000 ) );
        }
        Log( "Autosave: slot " + std::to_string( slot++ % 3 ) + " written" );
        next += std::chrono::milliseconds( 1900 );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Tiny job system for monster AI: main thread posts a batch, two TurnWorkers drain it.
class TurnJobs
{
public:
    void Start()
    {
        for( int i = 0; i < 2; ++i ) m_threads.emplace_back( [this, i] { WorkerMain( i ); } );
    }
    void Stop()
    {
        {
            std::lock_guard<std::mutex> g( m_m );
            m_stop = true;
        }
        m_cv.notify_all();
        for( auto& t : m_threads ) t.join();
    }
    void RunBatch( int jobs, double usecEach )
    {
        {
            std::lock_guard<std::mutex> g( m_m );
            m_pending = jobs;
            m_outstanding = jobs;
            m_cost = usecEach;
        }
        m_cv.notify_all();
        ZoneScopedN( "Turn::WaitMonsterJobs" );
        std::unique_lock<std::mutex> lk( m_m );
        m_done.wait( lk, [this] { return m_outstanding == 0; } );
    }

private:
    void WorkerMain( int idx )
    {
        char name[32];
        snprintf( name, sizeof( name ), "TurnWorker %d", idx );
        tracy::SetThreadName( name );
        Rng rng( 100 + idx );
        for( ;; )
        {
            double cost;
            {
                std::unique_lock<std::mutex> lk( m_m );
                m_cv.wait( lk, [this] { return m_stop || m_pending > 0; } );
                if( m_stop ) return;
                --m_pending;
                cost = m_cost;
            }
            {
                ZoneScopedN( "Monsters::ThinkBatch" );
                Burn( rng.Around( cost ) );
            }
            {
                std::lock_guard<std::mutex> g( m_m );
                if( --m_outstanding == 0 ) m_done.notify_all();
            }
        }
    }

    std::mutex m_m;
    std::condition_variable m_cv, m_done;
    std::vector<std::thread> m_threads;
    int m_pending = 0, m_outstanding = 0;
    double m_cost = 0;
    bool m_stop = false;
};

// ---------------------------------------------------------------------------------------------------------
struct DungeonGen
{
    Rng rng{ 9001 };
    int floor = 1;

    // Builds a whole new floor synchronously (what the player sees as a hitch when taking the stairs).
    void GenerateFloor( int depth )
    {
        ZoneScopedN( "Dungeon::GenerateFloor" );
        char txt[48];
        const int n = snprintf( txt, sizeof( txt ), "floor %d, 96x64 tiles", depth );
        ZoneText( txt, n );
        {
            ZoneScopedN( "Dungeon::CarveRooms" );
            Burn( rng.Around( 24000 ) );
        }
        {
            ZoneScopedN( "Dungeon::ConnectCorridors" );
            Burn( rng.Around( 19000 ) );
        }
        {
            ZoneScopedN( "Dungeon::PlaceMonsters" );
            Burn( rng.Around( 11000 ) );
        }
        {
            ZoneScopedN( "Dungeon::PlaceLoot" );
            Burn( rng.Around( 7000 ) );
        }
        Burn( rng.Around( 8000 ) );  // validating reachability (self time)
    }
};

struct Frame
{
    SteadyClock::time_point vsync;
    SteadyClock::duration period = std::chrono::nanoseconds( 16666667 );
    void Reset() { vsync = SteadyClock::now() + period; }
    void Present()
    {
        ZoneScopedN( "Render::Present" );
        auto now = SteadyClock::now();
        if( now < vsync ) std::this_thread::sleep_until( vsync );
        Burn( 50 );
        now = SteadyClock::now();
        // missed vsync by a lot -> resynchronise instead of rushing to catch up
        vsync = ( now - vsync > std::chrono::milliseconds( 3 ) ) ? now + period : vsync + period;
    }
};

static void Boot( Rng& rng )
{
    ZoneScopedN( "Game::Boot" );
    {
        ZoneScopedN( "Assets::LoadTileAtlas" );
        std::this_thread::sleep_for( Usec( (long long)rng.Around( 120000 ) ) );
    }
    {
        ZoneScopedN( "Data::ParseMonsterTables" );
        Burn( rng.Around( 60000 ) );
    }
    {
        ZoneScopedN( "Dungeon::GenerateTown" );
        Burn( rng.Around( 50000 ) );
    }
    Log( "Entered the town of Ashford (floor 0)" );
}

static int Play()
{
    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char* info = "deepdelve 0.9.3 (seed 9001, 1600x900, vsync 60 Hz)";
    TracyAppInfo( info, strlen( info ) );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );

    Rng rng( 31337 );
    Boot( rng );
    FrameMark;

    std::thread audio( AudioMain );
    std::thread autosave( AutosaveMain );
    TurnJobs jobs;
    jobs.Start();

    DungeonGen dungeon;
    // Scripted player: frames on which the player presses '>' on a staircase (irregular, 1.2-2.3 s apart).
    const int descendAt[] = { 47, 121, 259, 329, 411 };
    const int kFrames = 440;
    static const char* pickups[] = { "Potion of Clarity", "Rusty Dagger", "Scroll of Mapping", "12 gold",
                                     "Ring of Warding", "Rations" };

    Frame frame;
    frame.Reset();
    int monsters = 14;
    int depth = 0;
    for( int f = 0; f < kFrames; ++f )
    {
        bool descend = false;
        for( int d : descendAt ) descend = descend || d == f;

        {
            ZoneScopedN( "Game::Update" );
            {
                ZoneScopedN( "Input::ReadKeys" );
                Burn( rng.Around( 120 ) );
            }
            {
                ZoneScopedN( "Turn::ResolvePlayer" );
                Burn( rng.Around( 350 ) );
            }
            jobs.RunBatch( 4, 700 );
            if( descend )
            {
                ZoneScopedN( "World::ChangeFloor" );
                ++depth;
                Log( "Descending to floor " + std::to_string( depth ) );
                {
                    ZoneScopedN( "World::UnloadFloor" );
                    Burn( rng.Around( 400 ) );
                }
                dungeon.GenerateFloor( depth );
                monsters = 10 + depth * 3 + rng.Pick( 0, 4 );
            }
            {
                ZoneScopedN( "FOV::Recompute" );
                Burn( rng.Around( 600 ) );
            }
            if( f % 53 == 17 ) Log( std::string( "Picked up " ) + pickups[( f / 53 ) % 6] );
            if( f % 29 == 11 && monsters > 3 ) --monsters;
        }
        {
            ZoneScopedN( "Lighting::Update" );
            {
                ZoneScopedN( "Lighting::PropagateTorches" );
                Burn( rng.Around( 3200 ) );
            }
            {
                ZoneScopedN( "Lighting::BlendAmbient" );
                Burn( rng.Around( 1700 ) );
            }
        }
        {
            ZoneScopedN( "Render::Tiles" );
            Burn( rng.Around( 4000 ) );
        }
        {
            ZoneScopedN( "Render::Entities" );
            Burn( rng.Around( 900 ) );
        }
        {
            ZoneScopedN( "Render::HUD" );
            Burn( rng.Around( 400 ) );
        }
        TracyPlot( "Monsters alive", (int64_t)monsters );
        frame.Present();
        FrameMark;
    }

    g_quit = true;
    jobs.Stop();
    audio.join();
    autosave.join();
    Log( "Session ended" );
    return 0;
}
}  // namespace dd

int main( int argc, char** argv )
{
    if( argc > 1 && std::string( argv[1] ) == "play" ) return dd::Play();
    fprintf( stderr, "usage: deepdelve play\n" );
    return 2;
}
