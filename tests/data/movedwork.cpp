// movedwork: a small game loop with a job system (main + 3 job workers + audio), instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   "Main thread"   per frame: Input::Poll, Jobs::Dispatch, Game::UpdateLogic (~4 ms), Jobs::WaitAll,
//                   Anim::Update, Render::Submit (~3.5 ms, steady), Render::Present, FrameMark.
//   "Worker 0..2"   job workers pulling from one queue: AI::Plan (3 per frame, ~2.5 ms each, queued first) and
//                   Physics::RaycastChunk (4 per frame, ~1 ms each; ZoneValue = chunk index).
//   "Audio"         Audio::Mix every 10 ms (~0.8 ms).
// Usage: movedwork <scenario>
//   regress_a   baseline: the 4 raycast chunks (the Physics::BatchRaycasts batch) run as jobs on the workers,
//               in parallel with Game::UpdateLogic; Jobs::WaitAll waits for them.
//   regress_b   "refactor": the same 4 chunks, same per-call cost, run inline on the main thread right after
//               Game::UpdateLogic; the workers only get the AI::Plan jobs.
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
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
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC_RAW, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    const int64_t d = end - 40000 - now_ns();
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

struct rng_t
{
    std::mt19937 g;
    std::mutex m;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.04 )
    {
        std::lock_guard<std::mutex> l( m );
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
};

rng_t g_rng( 0x6d6f7665 );

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_NAME, n );
    prctl( PR_SET_TIMERSLACK, 1000UL );
}

// ---------------------------------------------------------------------------------------------------------------
// Job system

struct JobSystem
{
    std::mutex m;
    std::condition_variable cv, done_cv;
    std::deque<std::function<void()>> q;
    int pending = 0;
    std::vector<std::thread> threads;

    void start( int n )
    {
        for( int i = 0; i < n; i++ )
            threads.emplace_back( [this, i] {
                char name[32];
                snprintf( name, sizeof( name ), "Worker %d", i );
                name_thread( name );
                for( ;; )
                {
                    std::function<void()> job;
                    {
                        std::unique_lock<std::mutex> l( m );
                        cv.wait( l, [this] { return !q.empty() || g_stop.load(); } );
                        if( q.empty() ) return;
                        job = std::move( q.front() );
                        q.pop_front();
                    }
                    job();
                    {
                        std::lock_guard<std::mutex> l( m );
                        if( --pending == 0 ) done_cv.notify_all();
                    }
                }
            } );
    }
    void push( std::function<void()> f )
    {
        std::lock_guard<std::mutex> l( m );
        q.push_back( std::move( f ) );
        pending++;
    }
    void kick() { cv.notify_all(); }
    void wait_all()
    {
        std::unique_lock<std::mutex> l( m );
        done_cv.wait( l, [this] { return pending == 0; } );
    }
    void stop()
    {
        {
            std::lock_guard<std::mutex> l( m );
            g_stop = true;
        }
        cv.notify_all();
        for( auto& t : threads ) t.join();
    }
};

// ---------------------------------------------------------------------------------------------------------------
// Game systems

const char* const kAgents[] = { "squad_alpha", "squad_bravo", "civilians" };

void ai_plan( int i )
{
    ZoneScopedN( "AI::Plan" );
    ZoneText( kAgents[i], strlen( kAgents[i] ) );
    busy_ms( g_rng( 2.5 ) );
}

void raycast_chunk( int chunk )
{
    ZoneScopedN( "Physics::RaycastChunk" );
    ZoneValue( chunk );
    busy_ms( g_rng( 1.0, 0.03 ) );
}

void audio_thread()
{
    name_thread( "Audio" );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        next += 10000000;
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( g_rng( 0.8 ) );
        }
        const int64_t d = next - now_ns();
        if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 || ( strcmp( argv[1], "regress_a" ) != 0 && strcmp( argv[1], "regress_b" ) != 0 ) )
    {
        fprintf( stderr, "usage: movedwork regress_a|regress_b\n" );
        return 2;
    }
    const bool inline_raycasts = strcmp( argv[1], "regress_b" ) == 0;
    const double seconds = 5.0;

    name_thread( "Main thread" );
    TracyMessageL( "Engine: harbor 0.9.4 starting" );
    JobSystem jobs;
    jobs.start( 3 );
    std::thread audio( audio_thread );
    TracyMessageL( "Jobs: 3 workers started" );
    TracyMessageL( "Level loaded: harbor_district (1420 entities)" );

    const int64_t t_end = now_ns() + (int64_t)( seconds * 1e9 );
    int frame = 0;
    while( now_ns() < t_end )
    {
        {
            ZoneScopedN( "Input::Poll" );
            busy_ms( g_rng( 0.4 ) );
        }
        {
            ZoneScopedN( "Jobs::Dispatch" );
            for( int i = 0; i < 3; i++ ) jobs.push( [i] { ai_plan( i ); } );
            if( !inline_raycasts )
                for( int c = 0; c < 4; c++ ) jobs.push( [c] { raycast_chunk( c ); } );
            jobs.kick();
            busy_ms( 0.05 );
        }
        {
            ZoneScopedN( "Game::UpdateLogic" );
            busy_ms( g_rng( 4.0 ) );
        }
        if( inline_raycasts )
            for( int c = 0; c < 4; c++ ) raycast_chunk( c );
        {
            ZoneScopedN( "Jobs::WaitAll" );
            jobs.wait_all();
        }
        {
            ZoneScopedN( "Anim::Update" );
            busy_ms( g_rng( 1.2 ) );
        }
        {
            ZoneScopedN( "Render::Submit" );
            busy_ms( g_rng( 3.5 ) );
        }
        {
            ZoneScopedN( "Render::Present" );
            busy_ms( g_rng( 1.6 ) );
        }
        TracyPlot( "raycasts per frame", (int64_t)4096 );
        FrameMark;
        frame++;
        if( frame % 200 == 0 ) TracyMessageL( "Autosave checkpoint" );
    }
    TracyMessageL( "Shutting down" );
    jobs.stop();
    audio.join();
    return 0;
}
