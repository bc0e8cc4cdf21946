// mmoclient: an MMO-client-shaped workload instrumented with Tracy 0.14.0 (blind test program).
//
// Usage: mmoclient hitches   main thread autosaves the character synchronously (~every 2 s) and runs a
//                            full script GC (~every 3 s, out of step with the saves)
//        mmoclient async     same game, but the save is handed to a SaveWorker thread and the script VM
//                            only does incremental GC steps (the "before" build of a regression pair)
//
// Run ONLY through /work/team/bin/record.sh (loopback-only namespace, TRACY_NO_EXIT=1).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static volatile uint64_t g_blackhole = 0;

// Busy for `ms` milliseconds of wall time: nap until ~0.25 ms before the deadline, then hash bytes until it.
static void Busy( double ms )
{
    const auto deadline = SteadyClock::now() + std::chrono::microseconds( (int64_t)( ms * 1000.0 ) );
    if( ms > 0.5 ) std::this_thread::sleep_until( deadline - 250us );
    uint64_t h = 1469598103934665603ull;
    while( SteadyClock::now() < deadline )
    {
        for( int i = 0; i < 64; i++ ) h = ( h ^ (uint64_t)i ) * 1099511628211ull;
    }
    g_blackhole = g_blackhole + h;
}

static void Nap( double ms ) { std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)( ms * 1000.0 ) ) ); }

class Rng
{
public:
    explicit Rng( unsigned seed ) : m_gen( seed ) {}
    double Around( double v, double spread = 0.06 )
    {
        std::uniform_real_distribution<double> d( 1.0 - spread, 1.0 + spread );
        return v * d( m_gen );
    }
    int Pick( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( m_gen ); }

private:
    std::mt19937 m_gen;
};

static std::atomic<bool> g_quit{ false };
static bool g_syncPersistence = true;

// ---------------------------------------------------------------- background threads

static void ChatThreadMain()
{
    tracy::SetThreadName( "Chat" );
    Rng rng( 4242 );
    int tick = 0;
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Chat::PollChannels" );
            Busy( rng.Around( 1.5 ) );
            const int lines = rng.Pick( 2, 6 );
            for( int i = 0; i < lines; i++ )
            {
                ZoneScopedN( "Chat::FilterProfanity" );
                Busy( rng.Around( 1.6 ) );
            }
        }
        if( tick == 33 )
        {
            // Big, but off the main thread: the guild emote atlas is decoded once after login.
            ZoneScopedN( "Chat::DecodeEmoteAtlas" );
            Busy( rng.Around( 45.0, 0.02 ) );
        }
        tick++;
        Nap( 90.0 );
    }
}

static void AudioThreadMain()
{
    tracy::SetThreadName( "Audio" );
    Rng rng( 99 );
    auto next = SteadyClock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Audio::MixVoices" );
            Busy( rng.Around( 1.8 ) );
            {
                ZoneScopedN( "Audio::ApplyReverb" );
                Busy( rng.Around( 0.6 ) );
            }
        }
        next += std::chrono::microseconds( 10667 );  // 512 samples @ 48 kHz
        std::this_thread::sleep_until( next );
    }
}

// ---------------------------------------------------------------- persistence

struct CharacterSnapshot
{
    int frame;
    std::vector<uint8_t> blob;
};

static void WriteCharacter( Rng& rng )
{
    ZoneScopedN( "Save::WriteCharacter" );
    {
        ZoneScopedN( "Save::SerializeInventory" );
        Busy( rng.Around( 9.0, 0.03 ) );
    }
    {
        ZoneScopedN( "Save::SerializeQuestLog" );
        Busy( rng.Around( 6.0, 0.03 ) );
    }
    {
        ZoneScopedN( "Save::CompressBlob" );
        Busy( rng.Around( 8.0, 0.03 ) );
    }
    {
        ZoneScopedN( "Save::FlushToDisk" );
        Nap( rng.Around( 7.0, 0.03 ) );  // fsync of the character file
    }
}

static std::mutex g_saveMx;
static std::condition_variable g_saveCv;
static std::deque<CharacterSnapshot> g_saveQueue;

static void SaveWorkerMain()
{
    tracy::SetThreadName( "SaveWorker" );
    Rng rng( 555 );
    for( ;; )
    {
        CharacterSnapshot snap;
        {
            std::unique_lock<std::mutex> lk( g_saveMx );
            g_saveCv.wait( lk, [] { return g_quit.load() || !g_saveQueue.empty(); } );
            if( g_saveQueue.empty() ) return;
            snap = std::move( g_saveQueue.front() );
            g_saveQueue.pop_front();
        }
        WriteCharacter( rng );
    }
}

static void PersistenceTick( Rng& rng, int frame, bool saveDue )
{
    ZoneScopedN( "Persistence::Tick" );
    Busy( rng.Around( 0.12 ) );  // dirty-flag bookkeeping
    if( !saveDue ) return;
    if( g_syncPersistence )
    {
        WriteCharacter( rng );
    }
    else
    {
        ZoneScopedN( "Save::QueueSnapshot" );
        CharacterSnapshot s{ frame, std::vector<uint8_t>( 48 * 1024, (uint8_t)frame ) };
        Busy( rng.Around( 0.3 ) );
        {
            std::lock_guard<std::mutex> lk( g_saveMx );
            g_saveQueue.push_back( std::move( s ) );
        }
        g_saveCv.notify_one();
    }
}

// ---------------------------------------------------------------- scripting VM

static void ScriptsTick( Rng& rng, bool fullGcDue )
{
    ZoneScopedN( "Scripts::Tick" );
    {
        ZoneScopedN( "Script::RunQuestTriggers" );
        Busy( rng.Around( 0.9 ) );
    }
    {
        ZoneScopedN( "Script::RunAddonHooks" );
        Busy( rng.Around( 0.5 ) );
    }
    if( fullGcDue )
    {
        ZoneScopedN( "Script::FullGC" );
        {
            ZoneScopedN( "Script::MarkRoots" );
            Busy( rng.Around( 10.0, 0.03 ) );
        }
        {
            ZoneScopedN( "Script::SweepHeap" );
            Busy( rng.Around( 12.0, 0.03 ) );
        }
        {
            ZoneScopedN( "Script::CompactStrings" );
            Busy( rng.Around( 3.0, 0.03 ) );
        }
    }
    else
    {
        ZoneScopedN( "Script::IncrementalGCStep" );
        Busy( rng.Around( g_syncPersistence ? 0.15 : 0.35 ) );
    }
}

// ---------------------------------------------------------------- frame

static void GameUpdate( Rng& rng, int frame, bool saveDue, bool gcDue )
{
    ZoneScopedN( "Game::Update" );
    {
        ZoneScopedN( "Net::ProcessPackets" );
        Busy( rng.Around( 1.1 ) );
    }
    {
        ZoneScopedN( "Entities::Interpolate" );
        Busy( rng.Around( 1.3 ) );
    }
    PersistenceTick( rng, frame, saveDue );
    ScriptsTick( rng, gcDue );
    {
        ZoneScopedN( "Camera::Update" );
        Busy( rng.Around( 0.2 ) );
    }
}

static void RenderFrame( Rng& rng )
{
    ZoneScopedN( "Render::Frame" );
    {
        ZoneScopedN( "Render::World" );
        {
            ZoneScopedN( "Render::CullTerrain" );
            Busy( rng.Around( 1.5 ) );
        }
        {
            ZoneScopedN( "Render::DrawCharacters" );
            Busy( rng.Around( 3.0 ) );
        }
        {
            ZoneScopedN( "Render::DrawFoliage" );
            Busy( rng.Around( 1.5 ) );
        }
    }
    {
        ZoneScopedN( "Render::Nameplates" );
        Busy( rng.Around( 0.8 ) );
    }
    {
        ZoneScopedN( "UI::DrawHud" );
        Busy( rng.Around( 0.7 ) );
    }
}

static void EnterWorld( Rng& rng )
{
    ZoneScopedN( "Client::EnterWorld" );
    {
        ZoneScopedN( "Net::LoginHandshake" );
        Nap( rng.Around( 80.0 ) );
    }
    {
        ZoneScopedN( "World::StreamZone" );
        Nap( rng.Around( 140.0 ) );
    }
    {
        ZoneScopedN( "Render::WarmPipelineCache" );
        Busy( rng.Around( 60.0 ) );
    }
    TracyMessageL( "Entered zone 'Stormreach Harbor' as Kaelith (lvl 42)" );
}

int main( int argc, char** argv )
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if( mode == "hitches" ) g_syncPersistence = true;
    else if( mode == "async" ) g_syncPersistence = false;
    else
    {
        fprintf( stderr, "usage: mmoclient hitches|async\n" );
        return 2;
    }

    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    char info[160];
    const int n = snprintf( info, sizeof( info ), "mmoclient 3.7.%s realm=Ashvale 2560x1440 vsync 60", g_syncPersistence ? "12" : "11" );
    TracyAppInfo( info, n );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );

    Rng rng( 20240 );
    EnterWorld( rng );

    std::thread chat( ChatThreadMain );
    std::thread audio( AudioThreadMain );
    std::thread saver;
    if( !g_syncPersistence ) saver = std::thread( SaveWorkerMain );

    FrameMark;  // end of the login/loading frame

    const int kFrames = 480;          // ~8 s at 60 Hz
    const auto period = std::chrono::microseconds( 16667 );
    auto next = SteadyClock::now() + period;
    auto last = SteadyClock::now();
    for( int f = 0; f < kFrames; f++ )
    {
        const bool saveDue = ( f % 120 ) == 60;   // autosave timer: every 2 s
        const bool gcDue = g_syncPersistence && ( f % 180 ) == 90;  // VM heap threshold: every 3 s
        GameUpdate( rng, f, saveDue, gcDue );
        RenderFrame( rng );
        {
            ZoneScopedN( "Render::Present" );
            if( SteadyClock::now() < next ) std::this_thread::sleep_until( next );
            Busy( 0.05 );
            const auto now = SteadyClock::now();
            next = ( now > next + 2ms ) ? now + period : next + period;
        }
        const auto now = SteadyClock::now();
        const double frameMs = std::chrono::duration<double, std::milli>( now - last ).count();
        TracyPlot( "Frame time (ms)", frameMs );
        last = now;
        FrameMark;
    }

    g_quit.store( true );
    g_saveCv.notify_all();
    chat.join();
    audio.join();
    if( saver.joinable() ) saver.join();
    TracyMessageL( "Logged out" );
    FrameMark;
    return 0;
}
