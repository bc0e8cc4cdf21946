// sectionstream (blind477; it names itself "dunerally"): an off-road racing game shaped workload instrumented with Tracy (benchmark data for profiler tools).
//
// Main thread: 120 Hz vsync loop; a fixed-step physics accumulator (1/120 s steps) runs Physics::Substep as many
// times as the elapsed wall time needs (normally once, at most 4 per frame). A background SectionLoader thread
// reads terrain sections from disk; when a section is ready the main thread activates it.
//
// Usage: dunerally play        -- the problem run
//        dunerally prewarm     -- same run, section activation split across frames (no hitch); for comparisons
//
// Run ONLY inside a loopback-only network namespace (record.sh).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace rally
{

static volatile uint64_t s_sink = 0;

// Busy "work" for a wall-clock duration: sleep most of it, spin on a small data array for the rest.
static void Burn( double ms )
{
    const auto deadline = SteadyClock::now() + std::chrono::microseconds( (int64_t)( ms * 1000.0 ) );
    if( ms > 0.5 ) std::this_thread::sleep_until( deadline - std::chrono::microseconds( 350 ) );
    uint64_t h = 1469598103934665603ull;
    uint32_t data[64];
    for( int i = 0; i < 64; i++ ) data[i] = i * 2654435761u;
    while( SteadyClock::now() < deadline )
        for( int i = 0; i < 64; i++ ) h = ( h ^ data[i] ) * 1099511628211ull;
    s_sink = s_sink + h;
}

class Rng
{
public:
    explicit Rng( unsigned seed ) : m_gen( seed ) {}
    double Vary( double v, double spread = 0.04 ) { return v * std::uniform_real_distribution<double>( 1 - spread, 1 + spread )( m_gen ); }
private:
    std::mt19937 m_gen;
};

static std::atomic<bool> s_quit{ false };

// ---------------------------------------------------------------------------------------------------------
// Sound mixer thread: 256-frame blocks at 48 kHz.
static void SoundMixerMain()
{
    tracy::SetThreadName( "SoundMixer" );
    Rng rng( 5 );
    auto tick = SteadyClock::now();
    while( !s_quit )
    {
        {
            ZoneScopedN( "Audio::MixVoices" );
            Burn( rng.Vary( 0.9 ) );
        }
        tick += 5333us;
        std::this_thread::sleep_until( tick );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Render thread: executes the command lists the main thread built for the previous frame.
struct RenderQueue
{
    std::mutex m;
    std::condition_variable cv;
    int submitted = 0;
};

static void RenderThreadMain( RenderQueue* q )
{
    tracy::SetThreadName( "RenderThread" );
    Rng rng( 9 );
    int done = 0;
    while( true )
    {
        {
            std::unique_lock<std::mutex> lk( q->m );
            q->cv.wait( lk, [&] { return q->submitted > done || s_quit; } );
            if( s_quit && q->submitted <= done ) break;
            done = q->submitted;
        }
        ZoneScopedN( "Render::ExecuteCommandLists" );
        {
            ZoneScopedN( "Render::ShadowPass" );
            Burn( rng.Vary( 1.4 ) );
        }
        {
            ZoneScopedN( "Render::GBufferPass" );
            Burn( rng.Vary( 2.2 ) );
        }
        {
            ZoneScopedN( "Render::Lighting" );
            Burn( rng.Vary( 1.3 ) );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Section loader: async disk reads of terrain sections.
struct SectionRequests
{
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::string> pending;
    std::atomic<int> ready{ 0 };
};

static void SectionLoaderMain( SectionRequests* req )
{
    tracy::SetThreadName( "SectionLoader" );
    Rng rng( 13 );
    while( true )
    {
        std::string name;
        {
            std::unique_lock<std::mutex> lk( req->m );
            req->cv.wait( lk, [&] { return !req->pending.empty() || s_quit; } );
            if( req->pending.empty() ) break;
            name = req->pending.front();
            req->pending.erase( req->pending.begin() );
        }
        {
            ZoneScopedN( "IO::ReadSectionPak" );
            ZoneText( name.c_str(), name.size() );
            Burn( rng.Vary( 65.0, 0.1 ) );
        }
        {
            ZoneScopedN( "IO::InflateBlocks" );
            Burn( rng.Vary( 9.0 ) );
        }
        req->ready.fetch_add( 1 );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Save thread: one checkpoint save during the run (heavy, harmless).
static void SaveCheckpoint()
{
    tracy::SetThreadName( "SaveWorker" );
    Rng rng( 21 );
    ZoneScopedN( "Save::WriteCheckpoint" );
    {
        ZoneScopedN( "Save::SerializeWorld" );
        Burn( rng.Vary( 18.0 ) );
    }
    {
        ZoneScopedN( "Save::CompressAndFlush" );
        Burn( rng.Vary( 35.0 ) );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Main-thread game pieces.

static void PhysicsSubstep( Rng& rng )
{
    ZoneScopedN( "Physics::Substep" );
    {
        ZoneScopedN( "Physics::Broadphase" );
        Burn( rng.Vary( 0.9 ) );
    }
    {
        ZoneScopedN( "Physics::Narrowphase" );
        Burn( rng.Vary( 1.5 ) );
    }
    {
        ZoneScopedN( "Physics::SolveConstraints" );
        Burn( rng.Vary( 2.2 ) );
    }
    {
        ZoneScopedN( "Vehicle::UpdateSuspension" );
        Burn( rng.Vary( 0.6 ) );
    }
}

static void ActivateSection( Rng& rng, const char* name )
{
    ZoneScopedN( "Level::StreamSection" );
    ZoneText( name, strlen( name ) );
    {
        ZoneScopedN( "Level::InstantiateProps" );
        Burn( rng.Vary( 9.5 ) );
    }
    {
        ZoneScopedN( "Level::RegisterColliders" );
        Burn( rng.Vary( 7.0 ) );
    }
    {
        ZoneScopedN( "Level::BakeNavTiles" );
        Burn( rng.Vary( 4.5 ) );
    }
}

// Split variant: the same activation spread over 3 frames (each piece fits in the frame's slack).
static void ActivateSectionSliced( Rng& rng, const char* name, int slice )
{
    ZoneScopedN( "Level::StreamSectionSlice" );
    ZoneText( name, strlen( name ) );
    Burn( rng.Vary( slice == 0 ? 0.6 : 0.5 ) );
}

static void LoadTrack( Rng& rng )
{
    ZoneScopedN( "Game::LoadTrack" );
    {
        ZoneScopedN( "Track::LoadHeightfield" );
        Burn( rng.Vary( 120.0 ) );
    }
    {
        ZoneScopedN( "Render::CreatePipelines" );
        Burn( rng.Vary( 80.0 ) );
    }
    {
        ZoneScopedN( "Audio::LoadSoundBanks" );
        Burn( rng.Vary( 50.0 ) );
    }
    TracyMessageL( "Track 'red_dunes' ready" );
}

static void Run( bool sliced )
{
    tracy::SetThreadName( "GameMain" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char* info = sliced ? "dunerally 0.9.3 (track red_dunes, 2560x1440, vsync 120 Hz, streaming=sliced)"
                              : "dunerally 0.9.3 (track red_dunes, 2560x1440, vsync 120 Hz)";
    TracyAppInfo( info, strlen( info ) );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 2ms );

    Rng rng( 777 );
    LoadTrack( rng );
    FrameMark;

    SectionRequests sections;
    RenderQueue rq;
    std::thread mixer( SoundMixerMain );
    std::thread renderer( RenderThreadMain, &rq );
    std::thread loader( SectionLoaderMain, &sections );
    std::thread saver;

    static const char* kSections[] = { "dunes_sector_04", "canyon_gate_02", "oasis_village_01" };
    const int kRequestFrame[] = { 90, 390, 690 };
    const int kActivateFrame[] = { 150, 450, 750 };
    const int kFrames = 840;

    const std::chrono::nanoseconds period( 8333333 );   // 120 Hz display
    const double stepMs = 1000.0 / 120.0;                // fixed physics step
    double accumulatorMs = 0.0;
    auto prevFrameStart = SteadyClock::now();
    auto vblank = prevFrameStart + period;
    int activated = 0;
    int slicePending = -1, sliceIndex = 0;

    for( int f = 0; f < kFrames; f++ )
    {
        const auto frameStart = SteadyClock::now();
        accumulatorMs += std::chrono::duration<double, std::milli>( frameStart - prevFrameStart ).count();
        prevFrameStart = frameStart;

        for( int i = 0; i < 3; i++ )
        {
            if( f == kRequestFrame[i] )
            {
                std::lock_guard<std::mutex> lk( sections.m );
                sections.pending.push_back( kSections[i] );
                sections.cv.notify_one();
            }
        }
        if( f == 520 ) saver = std::thread( SaveCheckpoint );

        {
            ZoneScopedN( "Input::GatherDevices" );
            Burn( rng.Vary( 0.15 ) );
        }
        {
            ZoneScopedN( "World::UpdateStreaming" );
            for( int i = 0; i < 3; i++ )
            {
                if( f == kActivateFrame[i] && sections.ready.load() > activated )
                {
                    if( sliced ) { slicePending = i; sliceIndex = 0; }
                    else ActivateSection( rng, kSections[i] );
                    activated++;
                    char msg[96];
                    const int n = snprintf( msg, sizeof( msg ), "Section '%s' activated", kSections[i] );
                    TracyMessage( msg, n );
                }
            }
            if( slicePending >= 0 )
            {
                ActivateSectionSliced( rng, kSections[slicePending], sliceIndex );
                if( ++sliceIndex == 40 ) slicePending = -1;
            }
        }
        int substeps = 0;
        {
            ZoneScopedN( "Sim::FixedUpdate" );
            while( accumulatorMs >= stepMs && substeps < 4 )
            {
                PhysicsSubstep( rng );
                accumulatorMs -= stepMs;
                substeps++;
            }
            if( accumulatorMs >= stepMs ) accumulatorMs = 0.0;   // give up on the remaining debt
        }
        {
            ZoneScopedN( "Gameplay::UpdateRace" );
            Burn( rng.Vary( 0.35 ) );
        }
        {
            ZoneScopedN( "Render::BuildDrawLists" );
            Burn( rng.Vary( 1.1 ) );
        }
        {
            std::lock_guard<std::mutex> lk( rq.m );
            rq.submitted++;
            rq.cv.notify_one();
        }
        TracyPlot( "Physics substeps", (int64_t)substeps );
        {
            ZoneScopedN( "Render::Present" );
            auto now = SteadyClock::now();
            if( now < vblank ) std::this_thread::sleep_until( vblank );
            now = SteadyClock::now();
            vblank = ( now > vblank + 1500us ) ? now + period : vblank + period;
        }
        FrameMark;
    }

    s_quit = true;
    sections.cv.notify_all();
    rq.cv.notify_all();
    mixer.join();
    renderer.join();
    loader.join();
    if( saver.joinable() ) saver.join();
    TracyMessageL( "Race finished" );
}

}  // namespace rally

int main( int argc, char** argv )
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if( mode != "play" && mode != "prewarm" )
    {
        fprintf( stderr, "usage: dunerally play|prewarm\n" );
        return 2;
    }
    rally::Run( mode == "prewarm" );
    fprintf( stderr, "dunerally %s: done\n", mode.c_str() );
    return 0;
}
