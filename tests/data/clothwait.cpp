// clothwait (blind461; it names itself "rallysim"): an off-road racing game engine frame, instrumented with Tracy 0.14.0.
// Benchmark data tooling (blind test program); not part of any project.
//
// Shape: the main thread runs its own systems through the job wrappers
//   Task::Run > Job::Execute > Work::Invoke > <system>
// then publishes the frame's job batches to three "Worker N" threads (which run the same wrapper chain)
// and blocks in Jobs::WaitForFrame until every batch is done, then flips the swapchain (60 Hz pacing).
// Background threads: "StreamIO" (track sector streaming, long reads off the frame path) and "AudioOut".
//
// Usage: rallysim stage     (the only scenario)
// Run ONLY through /work/team/bin/record.sh (loopback-only namespace, TRACY_NO_EXIT=1).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace rally
{

volatile uint64_t g_checksum = 0;

// Busy for `usec` of wall time: sleep most of it, hash data for the tail, so zone lengths hold on a
// loaded 2-core machine.
void Busy( double usec )
{
    const auto deadline = SteadyClock::now() + std::chrono::nanoseconds( (int64_t)( usec * 1000.0 ) );
    if( usec > 500.0 ) std::this_thread::sleep_until( deadline - 250us );
    uint64_t h = 1469598103934665603ull;
    uint32_t k = 0;
    while( SteadyClock::now() < deadline )
    {
        for( int i = 0; i < 24; i++ ) { h ^= ( k++ * 2654435761u ); h *= 1099511628211ull; }
    }
    g_checksum = g_checksum + h;
}

struct Rng
{
    std::minstd_rand e;
    explicit Rng( unsigned s ) : e( s ) {}
    double Near( double v, double spread = 0.06 )
    {
        std::uniform_real_distribution<double> d( 1.0 - spread, 1.0 + spread );
        return v * d( e );
    }
};

std::atomic<bool> g_quit{ false };

// ---- the generic job wrappers ----------------------------------------------------------------------------

struct SystemJob
{
    const char* name;                // display only
    const tracy::SourceLocationData* loc;
    std::function<void( tracy::ScopedZone& )> body;
};

// Every system (main thread's own and the workers') goes through the same three wrapper levels.
void RunWrapped( const SystemJob& job )
{
    ZoneScopedN( "Task::Run" );
    Busy( 6 );  // fetch task record, check dependencies
    {
        ZoneScopedN( "Job::Execute" );
        Busy( 4 );  // set up job context / scratch allocator
        {
            ZoneScopedN( "Work::Invoke" );
            Busy( 3 );  // dispatch through the type-erased callable
            tracy::ScopedZone zone( job.loc, true );
            job.body( zone );
        }
    }
}

// ---- job system -----------------------------------------------------------------------------------------

class JobSystem
{
public:
    explicit JobSystem( int workers ) : m_queues( workers )
    {
        for( int i = 0; i < workers; i++ ) m_threads.emplace_back( [this, i] { WorkerMain( i ); } );
    }
    ~JobSystem()
    {
        {
            std::lock_guard<std::mutex> lk( m_mtx );
            m_shutdown = true;
        }
        m_cv.notify_all();
        for( auto& t : m_threads ) t.join();
    }
    int WorkerCount() const { return (int)m_queues.size(); }

    // Publish this frame's batches; batches[w] runs on Worker w.
    void Kick( std::vector<std::vector<SystemJob>> batches )
    {
        {
            std::lock_guard<std::mutex> lk( m_mtx );
            m_pending = 0;
            for( size_t w = 0; w < batches.size(); w++ )
            {
                m_pending += (int)batches[w].size();
                for( auto& j : batches[w] ) m_queues[w].push_back( std::move( j ) );
            }
        }
        m_cv.notify_all();
    }

    void WaitForFrame()
    {
        ZoneScopedN( "Jobs::WaitForFrame" );
        std::unique_lock<std::mutex> lk( m_mtx );
        m_done.wait( lk, [this] { return m_pending == 0; } );
    }

private:
    void WorkerMain( int idx )
    {
        char nm[24];
        snprintf( nm, sizeof( nm ), "Worker %d", idx );
        tracy::SetThreadName( nm );
        for( ;; )
        {
            SystemJob job;
            {
                std::unique_lock<std::mutex> lk( m_mtx );
                m_cv.wait( lk, [&] { return m_shutdown || !m_queues[idx].empty(); } );
                if( m_queues[idx].empty() ) return;  // shutdown
                job = std::move( m_queues[idx].front() );
                m_queues[idx].pop_front();
            }
            RunWrapped( job );
            bool last = false;
            {
                std::lock_guard<std::mutex> lk( m_mtx );
                last = ( --m_pending == 0 );
            }
            if( last ) m_done.notify_all();
        }
    }

    std::mutex m_mtx;
    std::condition_variable m_cv, m_done;
    std::vector<std::deque<SystemJob>> m_queues;
    std::vector<std::thread> m_threads;
    int m_pending = 0;
    bool m_shutdown = false;
};

// ---- background threads ---------------------------------------------------------------------------------

void StreamIOThread()
{
    tracy::SetThreadName( "StreamIO" );
    Rng r( 4711 );
    static const char* sectors[] = { "forest_s03.sec", "ridge_s04.sec", "gravel_s05.sec", "bridge_s06.sec",
                                     "village_s07.sec", "quarry_s08.sec", "river_s09.sec", "summit_s10.sec",
                                     "descent_s11.sec", "valley_s12.sec", "finish_s13.sec", "paddock_s14.sec" };
    int n = 0;
    auto next = SteadyClock::now() + 400ms;
    while( !g_quit.load() )
    {
        if( SteadyClock::now() >= next )
        {
            const char* s = sectors[n % 12];
            {
                ZoneScopedN( "Stream::ReadSector" );
                ZoneText( s, strlen( s ) );
                std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)r.Near( 42000, 0.2 ) ) );
            }
            {
                ZoneScopedN( "Stream::InflateSector" );
                Busy( r.Near( 2500 ) );
            }
            n++;
            next += std::chrono::milliseconds( 650 );
        }
        std::this_thread::sleep_for( 3ms );
    }
}

void AudioOutThread()
{
    tracy::SetThreadName( "AudioOut" );
    Rng r( 99 );
    auto next = SteadyClock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Audio::MixEngineLayers" );
            Busy( r.Near( 450 ) );
        }
        next += std::chrono::microseconds( 10667 );  // 512 samples @ 48 kHz
        std::this_thread::sleep_until( next );
    }
}

// ---- level load -----------------------------------------------------------------------------------------

void LoadStage( Rng& r )
{
    ZoneScopedN( "Stage::Load" );
    {
        ZoneScopedN( "Stage::LoadHeightfield" );
        std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)r.Near( 140000 ) ) );
    }
    {
        ZoneScopedN( "Shaders::WarmPipelineCache" );
        Busy( r.Near( 80000 ) );
    }
    {
        ZoneScopedN( "Stage::SpawnCars" );
        Busy( r.Near( 30000 ) );
    }
    TracyMessageL( "Stage 'Col de Turini' ready, 12 cars" );
}

}  // namespace rally

// Source locations of the systems (static, so the wrapper chain can open them by pointer).
#define RALLY_SYSTEM( var, label ) \
    static constexpr tracy::SourceLocationData var{ label, "SystemJob", __FILE__, (uint32_t)__LINE__, 0 }

RALLY_SYSTEM( kInputPoll, "Input::PollDevices" );
RALLY_SYSTEM( kVehicleDrive, "Vehicle::UpdateDrivetrain" );
RALLY_SYSTEM( kCameraUpdate, "Camera::UpdateChase" );
RALLY_SYSTEM( kBuildDrawLists, "Render::BuildDrawLists" );

RALLY_SYSTEM( kIntegrate, "Physics::IntegrateBodies" );
RALLY_SYSTEM( kContacts, "Physics::ResolveContacts" );
RALLY_SYSTEM( kSuspension, "Vehicle::SolveSuspension" );
RALLY_SYSTEM( kAnimSample, "Anim::SampleClips" );
RALLY_SYSTEM( kParticles, "Particles::SimulateDust" );
RALLY_SYSTEM( kCloth, "Cloth::SolveConstraints" );
RALLY_SYSTEM( kCull, "Vis::CullCells" );
RALLY_SYSTEM( kAIRoutes, "AI::PlanRacingLines" );
RALLY_SYSTEM( kOcclusion, "Audio::TraceOcclusion" );

int main( int argc, char** argv )
{
    using namespace rally;
    if( argc < 2 || strcmp( argv[1], "stage" ) != 0 )
    {
        fprintf( stderr, "usage: rallysim stage\n" );
        return 2;
    }
    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    static const char info[] = "rallysim 0.9.3 (stage Col de Turini, 2560x1440, 60 Hz)";
    TracyAppInfo( info, sizeof( info ) - 1 );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );
    TracyPlotConfig( "Frame ms", tracy::PlotFormatType::Number, false, true, 0x4080F0 );

    Rng rng( 2024 );
    LoadStage( rng );
    FrameMark;

    std::thread audio( AudioOutThread );
    std::thread streamer( StreamIOThread );

    // gameplay frames where the service-area banner cloth gets hit and the solver re-converges (planted)
    const std::set<int> clothSpikes = { 17, 128, 226, 337, 435 };
    const double clothSpikeUs[] = { 33500, 36000, 34500, 37000, 33000 };
    const int kFrames = 450;

    {
        JobSystem jobs( 3 );
        const auto period = std::chrono::nanoseconds( 16666667 );
        auto nextFlip = SteadyClock::now() + period;
        auto lastMark = SteadyClock::now();
        int spikeIdx = 0;
        for( int f = 0; f < kFrames; f++ )
        {
            const bool spike = clothSpikes.count( f ) != 0;
            const double clothUs = spike ? clothSpikeUs[spikeIdx++] : rng.Near( 850 );
            const int clothIters = spike ? 160 : 6;

            // Build the frame's worker jobs; batch assignment rotates with the frame number.
            struct Spec { const tracy::SourceLocationData* loc; double us; };
            const Spec specs[] = {
                { &kIntegrate, rng.Near( 1500 ) }, { &kContacts, rng.Near( 1300 ) }, { &kSuspension, rng.Near( 700 ) },
                { &kAnimSample, rng.Near( 1000 ) }, { &kParticles, rng.Near( 1100 ) }, { &kCloth, clothUs },
                { &kCull, rng.Near( 900 ) }, { &kAIRoutes, rng.Near( 1200 ) }, { &kOcclusion, rng.Near( 600 ) },
            };
            std::vector<std::vector<SystemJob>> batches( jobs.WorkerCount() );
            for( int i = 0; i < 9; i++ )
            {
                const Spec s = specs[i];
                SystemJob job;
                job.name = s.loc->name;
                job.loc = s.loc;
                if( s.loc == &kCloth )
                {
                    job.body = [us = s.us, clothIters]( tracy::ScopedZone& z ) {
                        char t[64];
                        const int n = snprintf( t, sizeof( t ), "banner_service_park, %d iterations", clothIters );
                        z.Text( t, n );
                        Busy( us );
                    };
                }
                else
                {
                    job.body = [us = s.us]( tracy::ScopedZone& ) { Busy( us ); };
                }
                batches[( i + f ) % jobs.WorkerCount()].push_back( std::move( job ) );
            }
            jobs.Kick( std::move( batches ) );

            // Main thread's own systems.
            const SystemJob own[] = {
                { "input", &kInputPoll, [&]( tracy::ScopedZone& ) { Busy( rng.Near( 120 ) ); } },
                { "drive", &kVehicleDrive, [&]( tracy::ScopedZone& ) { Busy( rng.Near( 900 ) ); } },
                { "camera", &kCameraUpdate, [&]( tracy::ScopedZone& ) { Busy( rng.Near( 300 ) ); } },
                { "draw", &kBuildDrawLists, [&]( tracy::ScopedZone& ) { Busy( rng.Near( 4600, 0.04 ) ); } },
            };
            for( const auto& j : own ) RunWrapped( j );

            jobs.WaitForFrame();

            {
                ZoneScopedN( "Swapchain::Present" );
                if( SteadyClock::now() < nextFlip ) std::this_thread::sleep_until( nextFlip );
                Busy( 50 );
                const auto now = SteadyClock::now();
                nextFlip = ( now > nextFlip + 2ms ) ? now + period : nextFlip + period;
            }
            const auto now = SteadyClock::now();
            const double frameMs = std::chrono::duration<double, std::milli>( now - lastMark ).count();
            TracyPlot( "Frame ms", frameMs );
            lastMark = now;
            if( f == 200 ) TracyMessageL( "Split 2: +1.84s" );
            if( f == 400 ) TracyMessageL( "Split 3: +2.10s" );
            FrameMark;
        }
    }
    g_quit = true;
    streamer.join();
    audio.join();
    TracyMessageL( "Stage finished" );
    return 0;
}
