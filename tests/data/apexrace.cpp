// apexrace: a racing-game-shaped Tracy test program (blind453).
// Scenario "race": 60 Hz frame loop on the main thread; during the first ~2 s of the race, 8 frames each compile
// a shader pipeline variant on first use (Shader::CompileVariant under Render::PrepareMaterials, 25-40 ms);
// afterwards every variant is cached and frames are smooth. Distractors: Physics::Step (~4 ms every frame),
// a TrackStreamer thread (long section loads every ~1.2 s, off the main thread) and an EngineAudio thread.
// Run ONLY through /work/team/bin/record.sh.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>
#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static volatile float g_acc = 0.f;

// Busy for `ms` wall-clock milliseconds: sleep most of it, spin the last 0.25 ms against the deadline.
static void Busy( double ms )
{
    const auto deadline = SteadyClock::now() + std::chrono::microseconds( (int64_t)( ms * 1000.0 ) );
    if( ms > 0.5 ) std::this_thread::sleep_until( deadline - 250us );
    float v = 0.5f;
    while( SteadyClock::now() < deadline )
        for( int k = 0; k < 24; ++k ) v = v * 0.999f + 0.001f / ( v + 0.3f );
    g_acc = g_acc + v;
}

struct Noise
{
    std::minstd_rand gen;
    explicit Noise( unsigned s ) : gen( s ) {}
    double operator()( double ms, double spread = 0.04 )
    {
        std::uniform_real_distribution<double> u( 1.0 - spread, 1.0 + spread );
        return ms * u( gen );
    }
};

static std::atomic<bool> g_quit{ false };
static std::atomic<int> g_sectionRequests{ 0 };

static void EngineAudioThread()
{
    tracy::SetThreadName( "EngineAudio" );
    Noise n( 4242 );
    auto tick = SteadyClock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Audio::MixEngineBlock" );
            {
                ZoneScopedN( "Audio::SynthRpmHarmonics" );
                Busy( n( 0.7 ) );
            }
            {
                ZoneScopedN( "Audio::SpatializeOpponents" );
                Busy( n( 0.4 ) );
            }
        }
        tick += std::chrono::microseconds( 5333 );
        std::this_thread::sleep_until( tick );
    }
}

static void TrackStreamerThread()
{
    tracy::SetThreadName( "TrackStreamer" );
    Noise n( 777 );
    static const char* sections[] = { "alpine_s03_hairpin", "alpine_s04_tunnel", "alpine_s05_bridge",
                                      "alpine_s06_village", "alpine_s07_descent", "alpine_s08_lake",
                                      "alpine_s01_start", "alpine_s02_forest" };
    int done = 0;
    while( !g_quit.load() )
    {
        if( g_sectionRequests.load() <= done ) { std::this_thread::sleep_for( 3ms ); continue; }
        const char* s = sections[done % 8];
        {
            ZoneScopedN( "Streaming::LoadTrackSection" );
            ZoneText( s, strlen( s ) );
            {
                ZoneScopedN( "Streaming::ReadArchive" );
                Busy( n( 55.0, 0.1 ) );
            }
            {
                ZoneScopedN( "Streaming::InflateMeshes" );
                Busy( n( 6.0 ) );
            }
        }
        char msg[96];
        const int len = snprintf( msg, sizeof msg, "TrackStreamer: section %s resident", s );
        TracyMessage( msg, len );
        ++done;
    }
}

struct Hitch
{
    int frame;
    const char* variant;
    double ms;
};

int main( int argc, char** argv )
{
    const std::string scen = argc > 1 ? argv[1] : "race";
    if( scen != "race" ) { fprintf( stderr, "usage: apexrace race\n" ); return 2; }
    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char info[] = "apexrace 0.9.3 (track alpine_pass, 2560x1440, 60 Hz)";
    TracyAppInfo( info, sizeof( info ) - 1 );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );

    Noise n( 2024 );
    {
        ZoneScopedN( "Race::LoadTrack" );
        { ZoneScopedN( "Track::LoadSpline" ); Busy( n( 60 ) ); }
        { ZoneScopedN( "Track::LoadTerrainTiles" ); Busy( n( 140 ) ); }
        { ZoneScopedN( "Vehicle::LoadGarage" ); Busy( n( 90 ) ); }
        { ZoneScopedN( "Audio::LoadEngineBanks" ); Busy( n( 50 ) ); }
    }
    TracyMessageL( "Track 'alpine_pass' loaded, 12 cars on grid" );
    FrameMark;

    std::thread audio( EngineAudioThread );
    std::thread streamer( TrackStreamerThread );

    // Planted: first use of each pipeline variant compiles it on the main thread (no warm-up/precompile pass).
    const Hitch hitches[] = {
        { 4, "car_paint_metallic_flake", 31.0 }, { 11, "tire_rubber_wet", 26.0 },
        { 19, "asphalt_wet_reflect", 38.0 },     { 30, "brake_disc_glow", 28.0 },
        { 46, "smoke_particles_soft", 35.0 },    { 63, "headlight_volumetric", 39.0 },
        { 85, "windshield_rain_drops", 27.0 },   { 108, "motion_blur_velocity", 33.0 },
    };
    const int streamFrames[] = { 25, 95, 165, 235, 305, 370 };
    const int kFrames = 400;
    const auto period = std::chrono::microseconds( 16667 );
    auto nextPresent = SteadyClock::now() + period;
    int hi = 0;
    for( int f = 0; f < kFrames; ++f )
    {
        for( int sf : streamFrames ) if( sf == f ) g_sectionRequests.fetch_add( 1 );
        if( f == 0 ) TracyMessageL( "Race start: lights out" );
        if( f == 180 ) TracyMessageL( "Lap 1 split: 1:02.417" );
        {
            ZoneScopedN( "Race::Tick" );
            { ZoneScopedN( "Input::ReadWheel" ); Busy( n( 0.12 ) ); }
            { ZoneScopedN( "Vehicle::UpdateDrivetrain" ); Busy( n( 0.6 ) ); }
            {
                ZoneScopedN( "Physics::Step" );
                { ZoneScopedN( "Physics::Broadphase" ); Busy( n( 0.8 ) ); }
                { ZoneScopedN( "Physics::TireContacts" ); Busy( n( 2.2 ) ); }
                { ZoneScopedN( "Physics::Integrate" ); Busy( n( 0.9 ) ); }
            }
            { ZoneScopedN( "AI::UpdateOpponents" ); Busy( n( 0.9 ) ); }
            {
                ZoneScopedN( "Render::Frame" );
                { ZoneScopedN( "Render::CullTrack" ); Busy( n( 0.7 ) ); }
                {
                    ZoneScopedN( "Render::PrepareMaterials" );
                    { ZoneScopedN( "Shader::LookupPipelineCache" ); Busy( n( 0.25 ) ); }
                    if( hi < 8 && hitches[hi].frame == f )
                    {
                        ZoneScopedN( "Shader::CompileVariant" );
                        ZoneText( hitches[hi].variant, strlen( hitches[hi].variant ) );
                        Busy( n( hitches[hi].ms, 0.02 ) );
                        ++hi;
                    }
                }
                { ZoneScopedN( "Render::DrawOpaque" ); Busy( n( 2.4 ) ); }
                { ZoneScopedN( "Render::DrawParticles" ); Busy( n( 0.6 ) ); }
                { ZoneScopedN( "Render::PostFX" ); Busy( n( 0.8 ) ); }
            }
        }
        {
            ZoneScopedN( "Render::Present" );
            if( SteadyClock::now() < nextPresent ) std::this_thread::sleep_until( nextPresent );
            Busy( 0.05 );
            const auto now = SteadyClock::now();
            nextPresent = ( now > nextPresent + 2ms ) ? now + period : nextPresent + period;
        }
        FrameMark;
    }
    g_quit.store( true );
    audio.join();
    streamer.join();
    TracyMessageL( "Race finished" );
    return 0;
}
