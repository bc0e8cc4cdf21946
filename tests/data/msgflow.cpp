// msgflow: a game client's online flow (lobby -> auth -> matchmaking -> match), told mostly by log messages
// (TracyMessage / TracyMessageL) with only a few zones. Benchmark data for profiler-analysis tools.
//
// Threads: "Main" (60 fps frames, FrameMark; Game::Update, Render::Frame, UI::LoadingScreen; drives the flow state
// machine and logs each step), "Net" (Net::Poll every ~16 ms, Net::Handshake, Auth::RequestToken, and in most
// scenarios Match::LoadRoster), "Streaming" (Assets::StreamChunk while loading a match).
// The flow runs 3 times (3 matches). Step messages (Main): "Connecting to lobby", "Connected", "Authenticating",
// "Auth OK", "Matchmaking started", "Match found", "Loading match", "Match started", "Match ended", plus per-attempt
// messages from Net ("Auth attempt N/3: ...", "Auth timeout, retrying (N/3)", "Matchmaking: searching ...").
//
// Usage: msgflow <scenario>
//   baseline          3 normal runs; Match::LoadRoster runs on the Net thread (asynchronous)
//   slow_auth         run 2: the first two Auth::RequestToken attempts time out (1.0 s each, + 0.1 s backoff);
//                     "Authenticating" -> "Auth OK" takes ~2.5 s instead of ~0.3 s
//   stutter_on_match  Match::LoadRoster (~110 ms) runs synchronously on Main right after "Match found": one ~120 ms
//                     frame per match
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <atomic>
#include <chrono>
#include <cstdarg>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "tracy/Tracy.hpp"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static volatile double g_sink = 0.0;

static void busy_for( double ms, double tail_ms = 0.08 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( ms * 1e6 ) );
    if( ms > tail_ms + 0.2 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_ms * 1e6 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

static void logf( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
static void logf( const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    if( n < 0 ) return;
    if( n >= (int)sizeof( buf ) ) n = sizeof( buf ) - 1;
    TracyMessage( buf, n );
}

enum class Scen { Baseline, SlowAuth, Stutter };
static Scen g_scen;

// ---- Net thread: a tiny job queue ----
struct NetJobs
{
    std::mutex m;
    std::condition_variable cv;
    std::function<void()> job;
    std::atomic<bool> quit{ false };
    std::atomic<bool> matchmaking{ false };
    std::atomic<int> mmRun{ 0 };
};
static NetJobs g_net;

static void post_net( std::function<void()> f )
{
    std::lock_guard<std::mutex> lk( g_net.m );
    g_net.job = std::move( f );
    g_net.cv.notify_one();
}

static void net_thread()
{
    tracy::SetThreadName( "Net" );
    std::mt19937 rng( 7 );
    auto nextPoll = Clock::now();
    int mmTick = 0;
    auto lastMm = Clock::now();
    while( !g_net.quit.load() )
    {
        std::function<void()> job;
        {
            std::unique_lock<std::mutex> lk( g_net.m );
            g_net.cv.wait_until( lk, nextPoll, [] { return (bool)g_net.job || g_net.quit.load(); } );
            if( g_net.job ) { job = std::move( g_net.job ); g_net.job = nullptr; }
        }
        if( job ) { job(); continue; }
        if( Clock::now() >= nextPoll )
        {
            {
                ZoneScopedN( "Net::Poll" );
                busy_for( 0.25 + 0.1 * std::uniform_real_distribution<double>( 0, 1 )( rng ) );
            }
            nextPoll += 16ms;
            if( nextPoll < Clock::now() ) nextPoll = Clock::now() + 16ms;
            if( g_net.matchmaking.load() && Clock::now() - lastMm >= 125ms )
            {
                lastMm = Clock::now();
                mmTick++;
                logf( "Matchmaking: searching, region=eu-west, pool=%d, elapsed=%.2fs", 1180 + ( mmTick * 37 ) % 160, mmTick * 0.125 );
            }
            if( !g_net.matchmaking.load() ) mmTick = 0;
        }
    }
}

// ---- Streaming thread ----
static std::atomic<int> g_streamReq{ 0 };
static std::atomic<int> g_streamDone{ 0 };
static std::atomic<bool> g_streamQuit{ false };

static void streaming_thread()
{
    tracy::SetThreadName( "Streaming" );
    int served = 0;
    static const char* maps[] = { "de_harbor", "cp_foundry", "ctf_glacier" };
    while( !g_streamQuit.load() )
    {
        if( g_streamReq.load() > served )
        {
            const int run = served;
            const char* map = maps[run % 3];
            logf( "Streaming: loading map %s (8 chunks)", map );
            for( int c = 0; c < 8; c++ )
            {
                ZoneScopedN( "Assets::StreamChunk" );
                char t[64];
                int n = snprintf( t, sizeof( t ), "%s chunk %d/8", map, c + 1 );
                ZoneText( t, n );
                busy_for( 48.0, 1.5 );
            }
            served++;
            g_streamDone.store( served );
        }
        else
            std::this_thread::sleep_for( 2ms );
    }
}

// ---- Net work items ----
static void do_handshake( std::atomic<bool>* done )
{
    ZoneScopedN( "Net::Handshake" );
    { static const char ht[] = "lobby-eu1.example.net:443 (TLS 1.3)"; ZoneText( ht, sizeof( ht ) - 1 ); }
    TracyMessageL( "Net: TLS handshake with lobby-eu1.example.net:443" );
    busy_for( 150.0, 0.5 );
    done->store( true );
}

static void do_auth( int run, std::atomic<bool>* done )
{
    const bool flaky = ( g_scen == Scen::SlowAuth && run == 1 );
    for( int attempt = 1; attempt <= 3; attempt++ )
    {
        logf( "Auth attempt %d/3: POST https://auth.example.net/v2/token", attempt );
        bool ok;
        {
            ZoneScopedN( "Auth::RequestToken" );
            char t[48];
            int n = snprintf( t, sizeof( t ), "attempt %d/3", attempt );
            ZoneText( t, n );
            ZoneValue( attempt );
            if( flaky && attempt <= 2 )
            {
                busy_for( 1000.0, 0.5 );
                ok = false;
            }
            else
            {
                busy_for( 300.0, 0.5 );
                ok = true;
            }
        }
        if( ok ) break;
        logf( "Auth timeout, retrying (%d/3)", attempt );
        std::this_thread::sleep_for( 100ms );  // backoff
    }
    done->store( true );
}

static void do_load_roster( int run )
{
    ZoneScopedN( "Match::LoadRoster" );
    char t[48];
    int n = snprintf( t, sizeof( t ), "match M-%d, 10 players", 1041 + run );
    ZoneText( t, n );
    busy_for( 110.0, 1.0 );
    logf( "Roster loaded: 10 players, 2 teams (match M-%d)", 1041 + run );
}

// ---- Main ----
enum class Step { Idle, Connecting, Authenticating, Matchmaking, MatchFound, Loading, InMatch, Lobby, Done };

int main( int argc, char** argv )
{
    if( argc < 2 ) { fprintf( stderr, "usage: msgflow baseline|slow_auth|stutter_on_match\n" ); return 2; }
    if( !strcmp( argv[1], "baseline" ) ) g_scen = Scen::Baseline;
    else if( !strcmp( argv[1], "slow_auth" ) ) g_scen = Scen::SlowAuth;
    else if( !strcmp( argv[1], "stutter_on_match" ) ) g_scen = Scen::Stutter;
    else { fprintf( stderr, "unknown scenario %s\n", argv[1] ); return 2; }

    tracy::SetThreadName( "Main" );  // Tracy reports the process main thread as "Main thread" anyway
    std::thread net( net_thread );
    std::thread streaming( streaming_thread );

    std::mt19937 rng( 42 );
    auto jit = [&]( double base ) { return base * std::uniform_real_distribution<double>( 0.92, 1.08 )( rng ); };

    Step step = Step::Idle;
    int run = 0;
    auto stepStart = Clock::now();
    std::atomic<bool> handshakeDone{ false }, authDone{ false }, rosterDone{ false };
    bool warmup = false;

    const auto period = std::chrono::nanoseconds( 16666667 );
    auto frameStart = Clock::now();
    auto deadline = frameStart + period;
    const auto t0 = Clock::now();

    while( step != Step::Done )
    {
        const auto now = Clock::now();
        const double inStep = std::chrono::duration<double>( now - stepStart ).count();
        auto enter = [&]( Step s ) { step = s; stepStart = Clock::now(); };

        // --- flow state machine (logs each step) ---
        switch( step )
        {
        case Step::Idle:
            if( std::chrono::duration<double>( now - t0 ).count() > 0.15 )
            {
                logf( "Connecting to lobby (run %d/3)", run + 1 );
                handshakeDone = false;
                post_net( [&] { do_handshake( &handshakeDone ); } );
                enter( Step::Connecting );
            }
            break;
        case Step::Connecting:
            if( handshakeDone.load() )
            {
                TracyMessageL( "Connected" );
                TracyMessageL( "Authenticating" );
                authDone = false;
                const int r = run;
                post_net( [&authDone, r] { do_auth( r, &authDone ); } );
                enter( Step::Authenticating );
            }
            break;
        case Step::Authenticating:
            if( authDone.load() )
            {
                TracyMessageL( "Auth OK" );
                TracyMessageL( "Matchmaking started" );
                g_net.matchmaking = true;
                enter( Step::Matchmaking );
            }
            break;
        case Step::Matchmaking:
            if( inStep > 0.5 )
            {
                g_net.matchmaking = false;
                logf( "Match found (id=M-%d, map=%s, 10 players)", 1041 + run, run == 0 ? "de_harbor" : run == 1 ? "cp_foundry" : "ctf_glacier" );
                rosterDone = false;
                if( g_scen == Scen::Stutter )
                {
                    do_load_roster( run );  // synchronous, on the main thread
                    rosterDone = true;
                }
                else
                {
                    const int r = run;
                    post_net( [&rosterDone, r] { do_load_roster( r ); rosterDone = true; } );
                }
                enter( Step::MatchFound );
            }
            break;
        case Step::MatchFound:
            if( rosterDone.load() )
            {
                TracyMessageL( "Loading match" );
                g_streamReq.fetch_add( 1 );
                enter( Step::Loading );
            }
            break;
        case Step::Loading:
            if( g_streamDone.load() >= run + 1 )
            {
                TracyMessageL( "Match started" );
                warmup = true;
                enter( Step::InMatch );
            }
            break;
        case Step::InMatch:
            if( inStep > 0.25 )
            {
                logf( "Match ended (id=M-%d, score %d-%d)", 1041 + run, 3 + run, 2 );
                enter( Step::Lobby );
            }
            break;
        case Step::Lobby:
            if( inStep > 0.1 )
            {
                run++;
                if( run >= 3 ) { TracyMessageL( "Session complete, disconnecting" ); enter( Step::Done ); break; }
                logf( "Connecting to lobby (run %d/3)", run + 1 );
                handshakeDone = false;
                post_net( [&] { do_handshake( &handshakeDone ); } );
                enter( Step::Connecting );
            }
            break;
        case Step::Done: break;
        }

        // --- frame work ---
        if( step == Step::Loading )
        {
            ZoneScopedN( "UI::LoadingScreen" );
            busy_for( jit( 1.2 ) );
        }
        else
        {
            {
                ZoneScopedN( "Game::Update" );
                busy_for( jit( step == Step::InMatch ? 3.0 : 1.5 ) );
            }
            if( warmup )
            {
                ZoneScopedN( "Render::WarmupPipelines" );
                busy_for( 8.0 );
                warmup = false;
            }
        }
        {
            ZoneScopedN( "Render::Frame" );
            busy_for( jit( 5.0 ) );
        }
        FrameMark;

        std::this_thread::sleep_until( deadline );
        frameStart = Clock::now();
        deadline += period;
        if( deadline < frameStart ) deadline = frameStart + period;
    }

    g_net.quit = true;
    { std::lock_guard<std::mutex> lk( g_net.m ); g_net.cv.notify_one(); }
    g_streamQuit = true;
    net.join();
    streaming.join();
    std::this_thread::sleep_for( 100ms );
    return 0;
}
