// bastion_td: a tower-defense game loop instrumented with Tracy (blind test program, benchmark tooling only).
//
// Usage: bastion_td play      -- normal play session: every ~2 s a tower placement forces a full target-grid
//                                 rebuild on a job worker, and the main thread stalls in Jobs::Wait for it.
//        bastion_td smooth    -- same session, but the grid is always rebuilt incrementally (no stalls).
//
// Run ONLY through /work/team/bin/record.sh (loopback-only network namespace, TRACY_NO_EXIT=1).
// Durations are wall-clock: a timed sleep and then a spin over a small data array until the deadline, so zone
// lengths survive a loaded 2-core machine.

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

static std::atomic<double> g_accum{ 0.0 };

// Busy "simulation" for about `ms` milliseconds of wall-clock time.
static void Simulate( double ms )
{
    const auto deadline = SteadyClock::now() + std::chrono::microseconds( (long long)( ms * 1000.0 ) );
    if( ms > 0.5 ) std::this_thread::sleep_until( deadline - 250us );
    float cells[64];
    for( int i = 0; i < 64; i++ ) cells[i] = (float)i * 0.25f;
    float acc = 0.f;
    while( SteadyClock::now() < deadline )
        for( int i = 0; i < 64; i++ ) acc += cells[i] * 0.999f - cells[( i + 7 ) & 63] * 0.001f;
    g_accum.store( g_accum.load() + acc );
}

class Rng
{
public:
    explicit Rng( unsigned seed ) : m_gen( seed ) {}
    double Around( double v, double spread = 0.06 )
    {
        return v * std::uniform_real_distribution<double>( 1.0 - spread, 1.0 + spread )( m_gen );
    }
    int Pick( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( m_gen ); }

private:
    std::mt19937 m_gen;
};

static void Log( const std::string& s ) { TracyMessage( s.c_str(), s.size() ); }

// ------------------------------------------------------------------------------------------------------
// Job system: a shared queue served by N workers; the main thread waits until the batch is drained.
// ------------------------------------------------------------------------------------------------------
class JobSystem
{
public:
    explicit JobSystem( int workers )
    {
        for( int i = 0; i < workers; i++ ) m_threads.emplace_back( [this, i] { WorkerMain( i ); } );
    }
    ~JobSystem()
    {
        {
            std::lock_guard<std::mutex> lk( m_mtx );
            m_quit = true;
        }
        m_cvWork.notify_all();
        for( auto& t : m_threads ) t.join();
    }
    void Submit( std::function<void()> job )
    {
        {
            std::lock_guard<std::mutex> lk( m_mtx );
            m_queue.push_back( std::move( job ) );
            m_outstanding++;
        }
        m_cvWork.notify_one();
    }
    void WaitAll()
    {
        std::unique_lock<std::mutex> lk( m_mtx );
        m_cvDone.wait( lk, [this] { return m_outstanding == 0; } );
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
                m_cvWork.wait( lk, [this] { return m_quit || !m_queue.empty(); } );
                if( m_quit && m_queue.empty() ) return;
                job = std::move( m_queue.front() );
                m_queue.pop_front();
            }
            job();
            {
                std::lock_guard<std::mutex> lk( m_mtx );
                if( --m_outstanding == 0 ) m_cvDone.notify_all();
            }
        }
    }

    std::mutex m_mtx;
    std::condition_variable m_cvWork, m_cvDone;
    std::deque<std::function<void()>> m_queue;
    int m_outstanding = 0;
    bool m_quit = false;
    std::vector<std::thread> m_threads;
};

// ------------------------------------------------------------------------------------------------------
// Background threads
// ------------------------------------------------------------------------------------------------------
static std::atomic<bool> g_running{ true };
static std::atomic<int> g_saveRequests{ 0 };

static void AudioMain()
{
    tracy::SetThreadName( "Audio" );
    Rng rng( 4242 );
    auto tick = SteadyClock::now();
    while( g_running.load() )
    {
        {
            ZoneScopedN( "Audio::MixVoices" );
            Simulate( rng.Around( 0.45 ) );
        }
        {
            ZoneScopedN( "Audio::ApplyReverb" );
            Simulate( rng.Around( 0.25 ) );
        }
        tick += std::chrono::microseconds( 10667 );  // 512 frames @ 48 kHz
        std::this_thread::sleep_until( tick );
    }
}

static void SaveMain()
{
    tracy::SetThreadName( "Save" );
    Rng rng( 777 );
    int done = 0;
    std::vector<char> blob( 96 * 1024 );
    while( g_running.load() )
    {
        if( g_saveRequests.load() > done )
        {
            ZoneScopedN( "Save::WriteCheckpoint" );
            {
                ZoneScopedN( "Save::SerializeWorld" );
                for( size_t i = 0; i < blob.size(); i++ ) blob[i] = (char)( ( i * 31 + done ) & 0x7f );
                Simulate( rng.Around( 9.0 ) );
            }
            {
                ZoneScopedN( "Save::WriteFile" );
                if( FILE* f = fopen( "autosave.tmp", "wb" ) )
                {
                    fwrite( blob.data(), 1, blob.size(), f );
                    fclose( f );
                }
                Simulate( rng.Around( 28.0 ) );  // slow storage
            }
            done++;
            Log( "Autosave slot " + std::to_string( done ) + " written" );
        }
        else
        {
            std::this_thread::sleep_for( 3ms );
        }
    }
    remove( "autosave.tmp" );
}

// ------------------------------------------------------------------------------------------------------
// Game
// ------------------------------------------------------------------------------------------------------
struct Frame
{
    bool fullGridRebuild;
};

static void LoadMap( Rng& rng )
{
    ZoneScopedN( "Level::LoadMap" );
    {
        ZoneScopedN( "Map::ParseTiles" );
        Simulate( rng.Around( 110.0 ) );
    }
    {
        ZoneScopedN( "Sprites::LoadAtlas" );
        Simulate( rng.Around( 80.0 ) );
    }
    {
        ZoneScopedN( "Audio::LoadSoundbank" );
        Simulate( rng.Around( 45.0 ) );
    }
    Log( "Map 'frozen_pass' loaded (64x64 tiles, 12 waves)" );
}

int main( int argc, char** argv )
{
    const bool planted = !( argc > 1 && strcmp( argv[1], "smooth" ) == 0 );
    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char info[] = "bastion_td 0.9.3 (map frozen_pass, 1600x900, vsync 60 Hz)";
    TracyAppInfo( info, sizeof( info ) - 1 );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );

    Rng rng( 31337 );
    LoadMap( rng );
    FrameMark;

    std::thread audio( AudioMain );
    std::thread saver( SaveMain );

    // Tower placements that invalidate the whole target grid (planted): ~every 2 s of play.
    const int placements[] = { 54, 177, 296, 411 };
    static const char* towerKinds[] = { "Frost Spire", "Arc Cannon", "Ballista", "Mortar Nest" };
    const int autosaves[] = { 20, 120, 225, 330 };  // checkpoint writes on the Save thread (distractor)

    const int kFrames = 440;
    const auto period = std::chrono::microseconds( 16667 );
    {
        JobSystem jobs( 3 );
        Rng jr( 99 );
        std::mutex jrMtx;
        auto around = [&]( double v ) {
            std::lock_guard<std::mutex> lk( jrMtx );
            return jr.Around( v );
        };

        auto nextVsync = SteadyClock::now() + period;
        int creeps = 40, wave = 1, placeIdx = 0;
        for( int f = 0; f < kFrames; f++ )
        {
            bool fullRebuild = false;
            for( int p : placements )
                if( p == f && planted ) fullRebuild = true;
            for( int a : autosaves )
                if( a == f ) g_saveRequests.fetch_add( 1 );

            {
                ZoneScopedN( "Game::Update" );
                {
                    ZoneScopedN( "Input::Poll" );
                    Simulate( rng.Around( 0.2 ) );
                }
                {
                    ZoneScopedN( "Waves::SpawnCreeps" );
                    if( f % 90 == 0 )
                    {
                        wave++;
                        creeps += 25;
                        Log( "Wave " + std::to_string( wave ) + " started (" + std::to_string( creeps ) + " creeps)" );
                    }
                    Simulate( rng.Around( 0.5 ) );
                }
                if( f + 1 == placements[placeIdx < 4 ? placeIdx : 3] && placeIdx < 4 )
                {
                    Log( std::string( "Player placed tower '" ) + towerKinds[placeIdx] + "' at (" +
                         std::to_string( 10 + placeIdx * 13 ) + "," + std::to_string( 22 + placeIdx * 7 ) + ")" );
                    placeIdx++;
                }
            }

            {
                ZoneScopedN( "Jobs::Dispatch" );
                jobs.Submit( [&] {
                    ZoneScopedN( "Pathing::UpdateFlowField" );
                    Simulate( around( 3.0 ) );
                } );
                jobs.Submit( [&] {
                    ZoneScopedN( "Creeps::MoveAlongPath" );
                    Simulate( around( 2.2 ) );
                } );
                jobs.Submit( [&, f] {
                    ZoneScopedN( "Projectiles::Simulate" );
                    Simulate( around( 1.4 ) );
                } );
                jobs.Submit( [&, fullRebuild] {
                    ZoneScopedN( "Tower::RebuildTargetGrid" );
                    const int64_t cells = fullRebuild ? 4096 : 40 + ( creeps % 23 );
                    ZoneValue( cells );
                    Simulate( fullRebuild ? around( 35.0 ) : around( 2.0 ) );
                } );
                jobs.Submit( [&] {
                    ZoneScopedN( "Tower::AcquireTargets" );
                    Simulate( around( 1.2 ) );
                } );
                jobs.Submit( [&] {
                    ZoneScopedN( "Particles::Update" );
                    Simulate( around( 1.0 ) );
                } );
            }
            {
                ZoneScopedN( "Jobs::Wait" );
                jobs.WaitAll();
            }
            {
                ZoneScopedN( "Render::Frame" );
                {
                    ZoneScopedN( "Render::Sprites" );
                    Simulate( rng.Around( 5.0 ) );
                }
                {
                    ZoneScopedN( "Render::HUD" );
                    Simulate( rng.Around( 0.7 ) );
                }
            }
            {
                ZoneScopedN( "Render::Present" );
                if( SteadyClock::now() < nextVsync ) std::this_thread::sleep_until( nextVsync );
                Simulate( 0.05 );
                const auto now = SteadyClock::now();
                nextVsync = ( now > nextVsync + 2ms ) ? now + period : nextVsync + period;
            }
            FrameMark;
        }
    }
    g_running.store( false );
    audio.join();
    saver.join();
    Log( "Session ended" );
    return 0;
}
