// discontframes: a small game with a fixed-step physics thread whose steps are marked as a DISCONTINUOUS frame set
// (benchmark data for profiler-analysis tools). Threads:
//   main ("Main thread")  60 Hz loop: Game::Frame > Input::Poll, Game::Update, Render::Interpolate, Render::Submit
//                         (~6 ms, big but steady), Render::Present (waits for the next 16.667 ms vblank); FrameMark.
//   "Physics"             fixed 50 Hz: FrameMarkStart("Physics step") / Physics::Step > Physics::Integrate,
//                         Physics::Broadphase (~2.2 ms, big but steady), Physics::Narrowphase, Physics::SolveIslands
//                         (ZoneValue = largest island body count) / FrameMarkEnd, then sleeps to the next 20 ms tick.
//   "Audio"               Audio::Mix every 10 ms > Audio::DecodeStream.
// Plot "awake bodies". Messages from gameplay ("Crate stack spawned (300 crates)") and physics ("... asleep").
//
// Usage: discontframes <scenario>
//   islands   three times the game spawns a 300-crate stack; for the next 10 physics steps the crates form one huge
//             island (900 bodies) and Physics::SolveIslands takes ~10.8 ms instead of ~0.8 ms (step 14 ms vs 4 ms).
//   calm      same game, no crate stacks (baseline for the regression pair calm -> islands).
//
// Run ONLY inside a loopback-only network namespace (see record.sh).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>

#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{
volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };
std::atomic<int> g_pendingStacks{ 0 };
std::atomic<int> g_awakeBodies{ 120 };

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
    if( ms > 0.1 ) sleep_until_ns( end - 60000 );
    double x = 1.0;
    while( now_ns() < end ) { x = x * 1.0000001 + 0.5; }
    g_sink = g_sink + x;
}

const char* const kPhysicsStep = "Physics step";

void PhysicsThread( std::mt19937 rng )
{
    tracy::SetThreadName( "Physics" );
    std::uniform_real_distribution<double> jit( -0.1, 0.1 );
    std::uniform_int_distribution<int> smallIsland( 36, 44 );
    std::uniform_int_distribution<int> bigIsland( 890, 910 );
    const int64_t tick = 20000000;
    int64_t next = now_ns();
    int hugeStepsLeft = 0;
    int stepNo = 0;
    while( !g_stop.load() )
    {
        if( g_pendingStacks.load() > 0 )
        {
            g_pendingStacks.fetch_sub( 1 );
            hugeStepsLeft = 10;
            g_awakeBodies.store( 420 );
        }
        FrameMarkStart( kPhysicsStep );
        {
            ZoneScopedN( "Physics::Step" );
            {
                ZoneScopedN( "Physics::Integrate" );
                busy_ms( 0.4 + jit( rng ) * 0.5 );
            }
            {
                ZoneScopedN( "Physics::Broadphase" );
                busy_ms( 2.2 + jit( rng ) );
            }
            {
                ZoneScopedN( "Physics::Narrowphase" );
                busy_ms( 0.6 + jit( rng ) * 0.5 );
            }
            {
                ZoneScopedN( "Physics::SolveIslands" );
                if( hugeStepsLeft > 0 )
                {
                    const int n = bigIsland( rng );
                    ZoneValue( n );
                    busy_ms( 10.8 + jit( rng ) * 2 );
                    --hugeStepsLeft;
                    if( hugeStepsLeft == 0 )
                    {
                        TracyMessageL( "Island split: crate stack settled, 300 bodies put to sleep" );
                        g_awakeBodies.store( 120 );
                    }
                }
                else
                {
                    const int n = smallIsland( rng );
                    ZoneValue( n );
                    busy_ms( 0.8 + jit( rng ) );
                }
            }
        }
        FrameMarkEnd( kPhysicsStep );
        TracyPlot( "awake bodies", (int64_t)g_awakeBodies.load() );
        ++stepNo;
        next += tick;
        if( next < now_ns() ) next = now_ns();
        sleep_until_ns( next );
    }
}

void AudioThread( std::mt19937 rng )
{
    tracy::SetThreadName( "Audio" );
    std::uniform_real_distribution<double> jit( -0.1, 0.1 );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            {
                ZoneScopedN( "Audio::DecodeStream" );
                busy_ms( 0.8 + jit( rng ) );
            }
            busy_ms( 1.0 + jit( rng ) );
        }
        next += 10000000;
        sleep_until_ns( next );
    }
}
}

int main( int argc, char** argv )
{
    const char* scen = argc > 1 ? argv[1] : "islands";
    const bool islands = strcmp( scen, "islands" ) == 0;
    if( !islands && strcmp( scen, "calm" ) != 0 ) { fprintf( stderr, "unknown scenario %s\n", scen ); return 1; }
    tracy::SetThreadName( "Main thread" );
    std::mt19937 rng( islands ? 1234 : 99 );
    std::uniform_real_distribution<double> jit( -0.1, 0.1 );
    TracyMessageL( "Level loaded: harbor_yard (120 dynamic bodies)" );

    std::thread phys( PhysicsThread, std::mt19937( rng() ) );
    std::thread audio( AudioThread, std::mt19937( rng() ) );

    const int64_t vblank = 16666667;
    const int nFrames = 360;  // 6 s
    const int spawnAt[3] = { 80, 170, 270 };
    int64_t next = now_ns() + vblank;
    for( int f = 0; f < nFrames; ++f )
    {
        {
            ZoneScopedN( "Game::Frame" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( 0.3 + jit( rng ) * 0.5 );
            }
            {
                ZoneScopedN( "Game::Update" );
                if( islands )
                    for( int s : spawnAt )
                        if( s == f )
                        {
                            TracyMessageL( "Crate stack spawned (300 crates)" );
                            g_pendingStacks.fetch_add( 1 );
                        }
                if( f % 60 == 30 ) TracyMessageL( "Autosave checkpoint written" );
                busy_ms( 1.5 + jit( rng ) );
            }
            {
                ZoneScopedN( "Render::Interpolate" );
                busy_ms( 0.3 + jit( rng ) * 0.5 );
            }
            {
                ZoneScopedN( "Render::Submit" );
                busy_ms( 6.0 + jit( rng ) * 2 );
            }
            {
                ZoneScopedN( "Render::Present" );
                sleep_until_ns( next );
            }
        }
        FrameMark;
        next += vblank;
        if( next < now_ns() ) next = now_ns() + 1000000;
    }
    g_stop.store( true );
    phys.join();
    audio.join();
    TracyMessageL( "Shutdown" );
    return 0;
}
