// hordesim: a horde-survival game loop instrumented with Tracy (test program with a planted problem).
// Usage: hordesim waves      -- spawn waves arrive every ~1.5 s; the arrival frame does extra work in
//                               several unrelated systems (AI, physics, audio, render) at once.
//        hordesim calm       -- same game, enemies only trickle in (no waves).
// Run ONLY through /work/team/bin/record.sh (loopback-only network namespace).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
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

// Busy for `ms` milliseconds of wall time: sleep most of it, then crunch numbers until the deadline.
static void Busy( double ms )
{
    const auto deadline = SteadyClock::now() + std::chrono::microseconds( (int64_t)( ms * 1000.0 ) );
    if( ms > 0.5 ) std::this_thread::sleep_until( deadline - 250us );
    uint64_t h = 1469598103934665603ull;
    while( SteadyClock::now() < deadline )
        for( int k = 0; k < 64; k++ ) h = ( h ^ (uint64_t)k ) * 1099511628211ull;
    g_blackhole = g_blackhole + h;
}

struct Rng
{
    std::mt19937_64 e;
    explicit Rng( uint64_t s ) : e( s ) {}
    double Vary( double v, double spread = 0.03 ) { return v * std::uniform_real_distribution<double>( 1 - spread, 1 + spread )( e ); }
    int Pick( int a, int b ) { return std::uniform_int_distribution<int>( a, b )( e ); }
};

static void Log( const char* fmt, ... )
{
    char line[200];
    va_list ap;
    va_start( ap, fmt );
    int n = vsnprintf( line, sizeof( line ), fmt, ap );
    va_end( ap );
    if( n > (int)sizeof( line ) - 1 ) n = sizeof( line ) - 1;
    TracyMessage( line, n );
}

static std::atomic<bool> g_quit{ false };

// ---------------- skinning job workers ----------------
struct SkinJobs
{
    std::mutex m;
    std::condition_variable cv, doneCv;
    int pending = 0;     // batches not yet taken
    int unfinished = 0;  // batches not yet done
    uint64_t generation = 0;
};
static SkinJobs g_skin;

static void SkinWorker( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "SkinWorker %d", idx );
    tracy::SetThreadName( name );
    Rng r( 900 + idx );
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( g_skin.m );
            g_skin.cv.wait( lk, [] { return g_skin.pending > 0 || g_quit.load(); } );
            if( g_skin.pending == 0 && g_quit.load() ) return;
            g_skin.pending--;
        }
        {
            ZoneScopedN( "Anim::SkinBatch" );
            Busy( r.Vary( 2.2 ) );
        }
        std::lock_guard<std::mutex> lk( g_skin.m );
        if( --g_skin.unfinished == 0 ) g_skin.doneCv.notify_all();
    }
}

static void KickSkinning( int batches )
{
    ZoneScopedN( "Anim::KickSkinning" );
    std::lock_guard<std::mutex> lk( g_skin.m );
    g_skin.pending += batches;
    g_skin.unfinished += batches;
    g_skin.cv.notify_all();
}

static void WaitSkinning()
{
    ZoneScopedN( "Anim::WaitSkinning" );
    std::unique_lock<std::mutex> lk( g_skin.m );
    g_skin.doneCv.wait( lk, [] { return g_skin.unfinished == 0; } );
}

// ---------------- audio mixer thread ----------------
static void MixerThread()
{
    tracy::SetThreadName( "AudioMixer" );
    Rng r( 31 );
    auto tick = SteadyClock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Audio::MixBuffer" );
            Busy( r.Vary( 0.45 ) );
        }
        tick += 10ms;  // 480 samples @ 48 kHz
        std::this_thread::sleep_until( tick );
    }
}

// ---------------- world streaming thread (long zones off the main thread: distractor) ----------------
static std::mutex g_ioMutex;
static std::condition_variable g_ioCv;
static std::deque<std::string> g_ioQueue;

static void StreamThread()
{
    tracy::SetThreadName( "WorldStreamer" );
    Rng r( 55 );
    for( ;; )
    {
        std::string sector;
        {
            std::unique_lock<std::mutex> lk( g_ioMutex );
            g_ioCv.wait( lk, [] { return !g_ioQueue.empty() || g_quit.load(); } );
            if( g_ioQueue.empty() ) return;
            sector = g_ioQueue.front();
            g_ioQueue.pop_front();
        }
        ZoneScopedN( "Stream::LoadSector" );
        ZoneText( sector.c_str(), sector.size() );
        {
            ZoneScopedN( "Stream::ReadPak" );
            std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)r.Vary( 14000, 0.1 ) ) );
        }
        {
            ZoneScopedN( "Stream::Decompress" );
            Busy( r.Vary( 9.0 ) );
        }
        Log( "streamer: sector %s resident", sector.c_str() );
    }
}

static void RequestSector( const char* s )
{
    std::lock_guard<std::mutex> lk( g_ioMutex );
    g_ioQueue.emplace_back( s );
    g_ioCv.notify_one();
}

// ---------------- the game ----------------
struct Wave
{
    int frame;
    int enemies;
};

static void LoadArena( Rng& r )
{
    ZoneScopedN( "Game::LoadArena" );
    {
        ZoneScopedN( "Arena::LoadGeometry" );
        std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)r.Vary( 120000 ) ) );
    }
    {
        ZoneScopedN( "Arena::BakeNavGrid" );
        Busy( r.Vary( 60.0 ) );
    }
    {
        ZoneScopedN( "Render::WarmPipelineCache" );
        Busy( r.Vary( 45.0 ) );
    }
    TracyMessageL( "arena 'foundry_pit' ready" );
}

static void RunGame( bool waves )
{
    tracy::SetThreadName( "GameThread" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char* info = waves ? "hordesim 0.9.3 (arena foundry_pit, survival mode, 60 Hz)" : "hordesim 0.9.3 (arena foundry_pit, calm mode, 60 Hz)";
    TracyAppInfo( info, strlen( info ) );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );
    TracyPlotConfig( "Frame time (ms)", tracy::PlotFormatType::Number, false, true, 0xE0A020 );

    Rng r( 4242 );
    LoadArena( r );
    FrameMark;

    std::thread workers[2] = { std::thread( SkinWorker, 0 ), std::thread( SkinWorker, 1 ) };
    std::thread mixer( MixerThread );
    std::thread streamer( StreamThread );

    const int kFrames = 400;
    std::vector<Wave> waveList;
    if( waves ) waveList = { { 31, 24 }, { 121, 32 }, { 213, 40 }, { 302, 48 }, { 390, 56 } };
    const struct { int frame; const char* sector; } sectorReqs[] = {
        { 8, "pit_north" }, { 74, "slag_lake" }, { 160, "crane_yard" }, { 255, "furnace_hall" }, { 345, "rail_spur" } };

    const auto period = std::chrono::nanoseconds( 16666667 );
    auto vsync = SteadyClock::now() + period;
    auto lastMark = SteadyClock::now();
    int alive = 0, waveNo = 0;

    for( int f = 0; f < kFrames; f++ )
    {
        const Wave* wave = nullptr;
        for( auto& w : waveList )
            if( w.frame == f ) wave = &w;
        const bool trickle = !wave && ( f % 9 == 4 );  // a straggler enemy respawns now and then
        for( auto& s : sectorReqs )
            if( s.frame == f ) RequestSector( s.sector );

        {
            ZoneScopedN( "Game::Frame" );
            KickSkinning( 2 );
            {
                ZoneScopedN( "Input::Poll" );
                Busy( r.Vary( 0.12 ) );
            }
            {
                ZoneScopedN( "Sim::Tick" );
                {
                    ZoneScopedN( "Spawn::Director" );
                    Busy( r.Vary( 0.2 ) );
                    if( wave )
                    {
                        ++waveNo;
                        Log( "wave %d: %d enemies", waveNo, wave->enemies );
                        alive += wave->enemies;
                    }
                    else if( trickle )
                        alive += 1;
                }
                {
                    ZoneScopedN( "AI::Update" );
                    {
                        ZoneScopedN( "AI::Perception" );
                        Busy( r.Vary( 1.2 ) );
                    }
                    if( wave || trickle )
                    {
                        ZoneScopedN( "AI::RegisterAgents" );
                        Busy( wave ? r.Vary( 6.0 ) : r.Vary( 0.2 ) );
                    }
                    {
                        ZoneScopedN( "AI::SteerCrowd" );
                        Busy( r.Vary( 1.6 ) );
                    }
                }
                {
                    ZoneScopedN( "Physics::Step" );
                    {
                        ZoneScopedN( "Physics::Broadphase" );
                        Busy( r.Vary( 0.8 ) );
                    }
                    if( wave || trickle )
                    {
                        ZoneScopedN( "Physics::AddBodies" );
                        Busy( wave ? r.Vary( 5.0 ) : r.Vary( 0.15 ) );
                    }
                    {
                        ZoneScopedN( "Physics::SolveIslands" );
                        Busy( r.Vary( 1.5 ) );
                    }
                }
                {
                    ZoneScopedN( "Combat::ResolveHits" );
                    Busy( r.Vary( 0.7 ) );
                    if( alive > 0 && f % 3 == 0 ) alive -= 1;
                }
            }
            {
                ZoneScopedN( "Audio::Update" );
                {
                    ZoneScopedN( "Audio::UpdateEmitters" );
                    Busy( r.Vary( 0.4 ) );
                }
                if( wave || trickle )
                {
                    ZoneScopedN( "Audio::LoadVoices" );
                    Busy( wave ? r.Vary( 4.0 ) : r.Vary( 0.1 ) );
                }
            }
            WaitSkinning();
            {
                ZoneScopedN( "Render::Prepare" );
                {
                    ZoneScopedN( "Render::CullHorde" );
                    Busy( r.Vary( 1.2 ) );
                }
                if( wave || trickle )
                {
                    ZoneScopedN( "Render::CreateInstances" );
                    Busy( wave ? r.Vary( 5.0 ) : r.Vary( 0.15 ) );
                }
                {
                    ZoneScopedN( "Render::BuildDrawLists" );
                    Busy( r.Vary( 0.9 ) );
                }
            }
            {
                ZoneScopedN( "Render::DrawScene" );  // the biggest zone every frame (normal)
                Busy( r.Vary( 5.3 ) );
            }
            {
                ZoneScopedN( "UI::DrawHUD" );
                Busy( r.Vary( 0.35 ) );
                if( f % 100 == 60 )
                {
                    ZoneScopedN( "UI::RebuildHUDAtlas" );
                    Busy( r.Vary( 0.6 ) );
                }
            }
        }
        if( f == 150 ) TracyMessageL( "pickup: overcharge_core" );
        if( f == 200 ) TracyMessageL( "achievement unlocked: 'Hold the Line'" );
        if( f == 280 ) TracyMessageL( "checkpoint saved" );
        TracyPlot( "Enemies alive", (int64_t)alive );
        {
            ZoneScopedN( "Render::Present" );
            if( SteadyClock::now() < vsync ) std::this_thread::sleep_until( vsync );
            Busy( 0.04 );
            const auto now = SteadyClock::now();
            vsync = ( now > vsync + 2ms ) ? now + period : vsync + period;
        }
        const auto now = SteadyClock::now();
        const double frameMs = std::chrono::duration<double, std::milli>( now - lastMark ).count();
        TracyPlot( "Frame time (ms)", frameMs );
        lastMark = now;
        FrameMark;
    }
    g_quit = true;
    g_skin.cv.notify_all();
    g_ioCv.notify_all();
    for( auto& w : workers ) w.join();
    mixer.join();
    streamer.join();
    TracyMessageL( "match over" );
}

int main( int argc, char** argv )
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if( mode != "waves" && mode != "calm" )
    {
        fprintf( stderr, "usage: hordesim waves|calm\n" );
        return 2;
    }
    RunGame( mode == "waves" );
    printf( "hordesim %s: done\n", mode.c_str() );
    return 0;
}
