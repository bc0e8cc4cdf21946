// memwho: a 60 fps arena game with memory instrumented (TracyAlloc/TracyFree on the default heap), instrumented
// with Tracy (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   "Main thread"  Game::Frame > Input::Poll, Game::Update (> Physics::Step, AI::Think), Replay::RecordFrame
//                  (only during a match), Render::BuildDrawLists, Render::Submit, Render::Present (sleeps to
//                  the next 16.667 ms vblank), then FrameMark.
//   "Streaming"    Assets::LoadTexture x40 at start (texture cache ~40 MiB, kept until Assets::Shutdown at exit),
//                  then Assets::PollStreaming every 100 ms.
//   "IO"           Log::Flush every 250 ms; Replay::Flush (> Replay::Compress, Replay::WriteFile) when asked.
//   "Audio"        Audio::Mix every 10 ms (no allocations).
// Memory: Replay::RecordFrame allocates 4 replay buffers per frame during the match (entity states 640 KiB,
// physics deltas 128 KiB, input log 16 KiB, event log 32-96 KiB) and keeps them; ~1 s after "Match ended" the
// IO thread's Replay::Flush writes them and frees them all at once. Render::BuildDrawLists allocates 48 small
// blocks (64 B - 4 KiB) per frame, freed in Render::Submit the same frame.
//
// Usage: memwho <scenario>
//   match       the match as described above
//   regress_a   identical to match (baseline of the regression pair)
//   regress_b   same, but Render::BuildDrawLists builds 3x the draw packets (144 small blocks a frame) and
//               takes ~2.9 ms instead of ~1.3 ms (the replay buffers are unchanged)
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

constexpr int64_t kVblankNs = 16666667;
volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };
bool g_regress = false;

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
    g_sink = x;
}

void* heap_alloc( size_t n )
{
    void* p = malloc( n );
    TracyAlloc( p, n );
    return p;
}

void heap_free( void* p )
{
    TracyFree( p );
    free( p );
}

struct ReplayBuffer
{
    void* p;
    size_t size;
};

// Hand-off main -> IO
std::mutex g_ioMutex;
std::condition_variable g_ioCv;
std::vector<ReplayBuffer> g_flushQueue;
bool g_flushRequested = false;
int g_flushFrames = 0;

std::vector<void*> g_textures;
std::mutex g_texMutex;

void streaming_thread()
{
    tracy::SetThreadName( "Streaming" );
    std::mt19937 rng( 7 );
    static const char* kinds[] = { "albedo", "normal", "rough", "emissive" };
    {
        ZoneScopedN( "Assets::WarmTextureCache" );
        for( int i = 0; i < 40; i++ )
        {
            ZoneScopedN( "Assets::LoadTexture" );
            char name[64];
            snprintf( name, sizeof( name ), "arena_03/%s_%02d.dds", kinds[i % 4], i / 4 );
            ZoneText( name, strlen( name ) );
            size_t sz = ( i % 4 == 0 ) ? 2 * 1024 * 1024 : ( i % 4 == 1 ) ? 1024 * 1024 : 512 * 1024;
            // 10 x (2 MiB + 1 MiB + 512 KiB + 512 KiB) = 40 MiB
            busy_ms( 6.0 + ( rng() % 400 ) / 100.0 );
            void* p = heap_alloc( sz );
            std::lock_guard<std::mutex> lk( g_texMutex );
            g_textures.push_back( p );
        }
    }
    TracyMessageL( "Texture cache warm: 40 textures" );
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Assets::PollStreaming" );
            busy_ms( 0.3 );
        }
        std::this_thread::sleep_for( std::chrono::milliseconds( 100 ) );
    }
}

void audio_thread()
{
    tracy::SetThreadName( "Audio" );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( 0.8 );
        }
        next += 10000000;
        sleep_until_ns( next );
    }
}

void io_thread()
{
    tracy::SetThreadName( "IO" );
    int64_t nextLog = now_ns() + 250000000;
    while( true )
    {
        std::vector<ReplayBuffer> bufs;
        int frames = 0;
        {
            std::unique_lock<std::mutex> lk( g_ioMutex );
            g_ioCv.wait_for( lk, std::chrono::milliseconds( 20 ), [] { return g_flushRequested || g_stop.load(); } );
            if( g_flushRequested )
            {
                bufs.swap( g_flushQueue );
                frames = g_flushFrames;
                g_flushRequested = false;
            }
            else if( g_stop.load() )
                break;
        }
        if( !bufs.empty() )
        {
            ZoneScopedN( "Replay::Flush" );
            size_t total = 0;
            for( auto& b : bufs ) total += b.size;
            ZoneValue( (uint64_t)bufs.size() );
            {
                ZoneScopedN( "Replay::Compress" );
                busy_ms( 140.0 );
            }
            {
                ZoneScopedN( "Replay::WriteFile" );
                ZoneText( "replays/match_0001.rpl", 22 );
                busy_ms( 90.0 );
            }
            for( auto& b : bufs ) heap_free( b.p );
            char msg[128];
            snprintf( msg, sizeof( msg ), "Replay written: replays/match_0001.rpl (%d frames)", frames );
            TracyMessage( msg, strlen( msg ) );
        }
        if( now_ns() >= nextLog )
        {
            ZoneScopedN( "Log::Flush" );
            busy_ms( 0.4 );
            nextLog += 250000000;
        }
    }
}

}

int main( int argc, char** argv )
{
    const std::string scenario = argc > 1 ? argv[1] : "match";
    if( scenario == "regress_b" ) g_regress = true;
    else if( scenario == "regress_a" ) {}
    else if( scenario != "match" )
    {
        fprintf( stderr, "usage: memwho match|regress_a|regress_b\n" );
        return 1;
    }
    tracy::SetThreadName( "Main thread" );
    TracyMessageL( "Loading level arena_03" );

    std::thread ts( streaming_thread ), ta( audio_thread ), ti( io_thread );

    std::mt19937 rng( 1234 );
    const int64_t t0 = now_ns();
    const int64_t matchStart = t0 + 800000000ll;
    const int64_t matchEnd = matchStart + 5000000000ll;
    const int64_t flushAt = matchEnd + 1000000000ll;
    const int64_t endAt = flushAt + 600000000ll;
    bool inMatch = false, matchDone = false, flushSent = false;
    std::vector<ReplayBuffer> replay;
    int replayFrames = 0;
    int64_t nextVblank = t0 + kVblankNs;

    while( now_ns() < endAt )
    {
        const int64_t fs = now_ns();
        if( !inMatch && !matchDone && fs >= matchStart )
        {
            inMatch = true;
            TracyMessageL( "Match started" );
        }
        if( inMatch && fs >= matchEnd )
        {
            inMatch = false;
            matchDone = true;
            TracyMessageL( "Match ended" );
        }
        if( matchDone && !flushSent && fs >= flushAt )
        {
            flushSent = true;
            std::lock_guard<std::mutex> lk( g_ioMutex );
            g_flushQueue.swap( replay );
            g_flushFrames = replayFrames;
            g_flushRequested = true;
            g_ioCv.notify_one();
        }
        {
            ZoneScopedN( "Game::Frame" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( 0.2 );
            }
            {
                ZoneScopedN( "Game::Update" );
                {
                    ZoneScopedN( "Physics::Step" );
                    busy_ms( 1.6 + ( rng() % 40 ) / 100.0 );
                }
                {
                    ZoneScopedN( "AI::Think" );
                    busy_ms( 0.9 + ( rng() % 30 ) / 100.0 );
                }
            }
            if( inMatch )
            {
                ZoneScopedN( "Replay::RecordFrame" );
                static const size_t fixed[3] = { 640 * 1024, 128 * 1024, 16 * 1024 };
                for( int k = 0; k < 3; k++ ) replay.push_back( { heap_alloc( fixed[k] ), fixed[k] } );
                const size_t ev = ( 32 + ( rng() % 65 ) ) * 1024;  // 32..96 KiB
                replay.push_back( { heap_alloc( ev ), ev } );
                replayFrames++;
                busy_ms( 0.4 );
            }
            std::vector<void*> packets;
            {
                ZoneScopedN( "Render::BuildDrawLists" );
                const int n = g_regress ? 144 : 48;
                packets.reserve( n );
                for( int k = 0; k < n; k++ )
                {
                    const size_t sz = size_t( 64 ) << ( rng() % 7 );  // 64 B .. 4 KiB
                    packets.push_back( heap_alloc( sz ) );
                }
                busy_ms( g_regress ? 2.9 : 1.3 );
            }
            {
                ZoneScopedN( "Render::Submit" );
                busy_ms( 1.8 + ( rng() % 40 ) / 100.0 );
                for( void* p : packets ) heap_free( p );
            }
            {
                ZoneScopedN( "Render::Present" );
                while( nextVblank < now_ns() ) nextVblank += kVblankNs;
                sleep_until_ns( nextVblank );
                nextVblank += kVblankNs;
            }
        }
        FrameMark;
    }

    g_stop.store( true );
    g_ioCv.notify_all();
    ts.join();
    ta.join();
    ti.join();
    {
        ZoneScopedN( "Assets::Shutdown" );
        std::lock_guard<std::mutex> lk( g_texMutex );
        for( void* p : g_textures ) heap_free( p );
        g_textures.clear();
        busy_ms( 2.0 );
    }
    TracyMessageL( "Shutdown complete" );
    return 0;
}
