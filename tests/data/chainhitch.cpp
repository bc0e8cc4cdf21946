// chainhitch: an open-world game client instrumented with Tracy (benchmark data for profiler-analysis tools).
// Threads:
//   main ("Main thread")   14 ms frame loop: Game::Frame > Input::Poll, Assets::Resolve (takes Assets::CacheLock,
//                          ~0.1 ms), World::Update (2.5 ms), Physics::Step (2.5 ms), Render::Submit (~6 ms), Render::Present (sleep to
//                          the next 14 ms tick), FrameMark. GC::Collect (4 ms) every ~3 s.
//   "Streaming"            Streaming::Tick every ~5 ms > Streaming::Decode, Streaming::Commit (holds
//                          Assets::CacheLock, and inside it IO::FileLock for IO::AppendJournal).
//   "Autosave"             every ~1.2 s: Save::Gather, Save::Serialize, Save::WriteSnapshot (holds IO::FileLock
//                          35-45 ms).
//   "Audio Mixer", "Audio Decoder"   share Audio::VoiceLock (0.4 ms / 2 ms and 0.6 ms / 3 ms holds:
//                          contended, short waits, harmless).
//
// Usage: chainhitch <scenario> [seed]
//   hitch   Streaming::Commit takes IO::FileLock while holding Assets::CacheLock -> each autosave stalls main
//   calm    Streaming::Commit releases Assets::CacheLock before taking IO::FileLock (baseline of the pair)
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };
bool g_chain = true;

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC_RAW, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

void sleep_until_ns( int64_t t )
{
    const int64_t d = t - now_ns();
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
}

void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    if( ms > 0.08 ) sleep_until_ns( end - 30000 );
    double x = 1.0;
    while( now_ns() < end ) x = x * 1.0000001 + 0.5;
    g_sink = g_sink + x;
}

TracyLockableN( std::mutex, g_cacheLock, "Assets::CacheLock" );
TracyLockableN( std::mutex, g_fileLock, "IO::FileLock" );
TracyLockableN( std::mutex, g_voiceLock, "Audio::VoiceLock" );

struct Rng
{
    std::mt19937 g;
    explicit Rng( uint32_t s ) : g( s ) {}
    double uni( double a, double b ) { return std::uniform_real_distribution<double>( a, b )( g ); }
};

void streaming_thread( uint32_t seed )
{
    tracy::SetThreadName( "Streaming" );
    Rng r( seed );
    int chunk = 0;
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        next += 5000000;
        sleep_until_ns( next );
        ZoneScopedN( "Streaming::Tick" );
        char buf[64];
        int n = snprintf( buf, sizeof buf, "chunk_%04d", chunk++ );
        {
            ZoneScopedN( "Streaming::Decode" );
            ZoneText( buf, n );
            busy_ms( r.uni( 0.6, 1.0 ) );
        }
        {
            ZoneScopedN( "Streaming::Commit" );
            ZoneText( buf, n );
            if( g_chain )
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_cacheLock );
                LockMark( g_cacheLock );
                busy_ms( 0.08 );
                std::lock_guard<LockableBase( std::mutex )> fl( g_fileLock );
                LockMark( g_fileLock );
                ZoneScopedN( "IO::AppendJournal" );
                busy_ms( 0.1 );
            }
            else
            {
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_cacheLock );
                    LockMark( g_cacheLock );
                    busy_ms( 0.08 );
                }
                std::lock_guard<LockableBase( std::mutex )> fl( g_fileLock );
                LockMark( g_fileLock );
                ZoneScopedN( "IO::AppendJournal" );
                busy_ms( 0.1 );
            }
        }
        if( next < now_ns() ) next = now_ns();
    }
}

void autosave_thread( uint32_t seed )
{
    tracy::SetThreadName( "Autosave" );
    Rng r( seed );
    int64_t next = now_ns() + 600000000ll;
    int slot = 0;
    while( !g_stop.load() )
    {
        while( now_ns() < next )
        {
            if( g_stop.load() ) return;
            std::this_thread::sleep_for( std::chrono::milliseconds( 5 ) );
        }
        next += (int64_t)( r.uni( 1.15, 1.25 ) * 1e9 );
        ZoneScopedN( "Save::Autosave" );
        char buf[64];
        int n = snprintf( buf, sizeof buf, "autosave_%d.sav", slot++ % 3 );
        ZoneText( buf, n );
        {
            ZoneScopedN( "Save::Gather" );
            busy_ms( r.uni( 2.0, 3.0 ) );
        }
        {
            ZoneScopedN( "Save::Serialize" );
            busy_ms( r.uni( 8.0, 10.0 ) );
        }
        {
            ZoneScopedN( "Save::WriteSnapshot" );
            ZoneText( buf, n );
            std::lock_guard<LockableBase( std::mutex )> fl( g_fileLock );
            LockMark( g_fileLock );
            busy_ms( r.uni( 35.0, 45.0 ) );
        }
        TracyMessageL( "Autosave complete" );
    }
}

void audio_thread( const char* name, const char* zone_name, uint32_t seed, double period_ms, double hold_ms )
{
    tracy::SetThreadName( name );
    Rng r( seed );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        next += (int64_t)( period_ms * 1e6 );
        sleep_until_ns( next );
        if( strcmp( zone_name, "Audio::Mix" ) == 0 )
        {
            ZoneScopedN( "Audio::Mix" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_voiceLock );
            LockMark( g_voiceLock );
            busy_ms( hold_ms * r.uni( 0.9, 1.1 ) );
        }
        else
        {
            ZoneScopedN( "Audio::DecodeVoices" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_voiceLock );
            LockMark( g_voiceLock );
            busy_ms( hold_ms * r.uni( 0.9, 1.1 ) );
        }
        if( next < now_ns() ) next = now_ns();
    }
}

} // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: chainhitch hitch|calm [seed]\n" );
        return 1;
    }
    std::string scen = argv[1];
    uint32_t seed = argc > 2 ? (uint32_t)atoi( argv[2] ) : 137;
    if( scen == "hitch" ) g_chain = true;
    else if( scen == "calm" ) g_chain = false;
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 1;
    }
    tracy::SetThreadName( "Main thread" );
    std::this_thread::sleep_for( std::chrono::milliseconds( 300 ) );
    TracyMessageL( "Game started" );

    std::thread ts( streaming_thread, seed + 1 );
    std::thread ta( autosave_thread, seed + 2 );
    std::thread tm( audio_thread, "Audio Mixer", "Audio::Mix", seed + 3, 2.0, 0.4 );
    std::thread td( audio_thread, "Audio Decoder", "Audio::DecodeVoices", seed + 4, 3.0, 0.6 );

    Rng r( seed );
    const int64_t t0 = now_ns();
    const int64_t run_ns = 6000000000ll;
    int64_t frame = t0;
    int64_t next_gc = t0 + 1500000000ll;
    int fno = 0;
    while( now_ns() - t0 < run_ns )
    {
        {
            ZoneScopedN( "Game::Frame" );
            ZoneValue( fno );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r.uni( 0.15, 0.25 ) );
            }
            {
                ZoneScopedN( "Assets::Resolve" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_cacheLock );
                LockMark( g_cacheLock );
                busy_ms( r.uni( 0.08, 0.12 ) );
            }
            {
                ZoneScopedN( "World::Update" );
                busy_ms( r.uni( 2.3, 2.7 ) );
            }
            {
                ZoneScopedN( "Physics::Step" );
                busy_ms( r.uni( 2.3, 2.7 ) );
            }
            if( now_ns() >= next_gc )
            {
                ZoneScopedN( "GC::Collect" );
                busy_ms( r.uni( 3.8, 4.2 ) );
                next_gc += 3000000000ll;
                TracyMessageL( "GC: full collection" );
            }
            {
                ZoneScopedN( "Render::Submit" );
                busy_ms( r.uni( 5.7, 6.3 ) );
            }
            {
                ZoneScopedN( "Render::Present" );
                frame += 14000000;
                if( frame < now_ns() ) frame = now_ns();
                sleep_until_ns( frame );
            }
        }
        FrameMark;
        fno++;
    }
    g_stop = true;
    ts.join();
    ta.join();
    tm.join();
    td.join();
    TracyMessageL( "Game shutting down" );
    return 0;
}
