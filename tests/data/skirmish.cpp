// skirmish: an RTS-shaped frame loop instrumented with Tracy 0.14.0 (blind test program, blind409).
//
// Main thread: 60 Hz loop. Each frame Sim::Tick kicks a batch of jobs to two "Job Worker N" threads, does its own
// order processing, then blocks in Jobs::WaitFrame until the whole batch is done; then Render::Frame draws
// terrain, units (heavy, ~6 ms) and HUD, and Render::Present waits for vsync.
// Jobs per frame: Nav::BakeRegion (navmesh rebake of dirtied tiles, ~2 ms), Fog::Update x2 (one per team, ~3 ms),
// Combat::ResolveHits x2 (~0.8 ms).
// Planted (scenario "stutter"): every ~3 s a building placement dirties a large navmesh area and that frame's
// Nav::BakeRegion takes ~30 ms; the main thread sits in Jobs::WaitFrame and the frame takes ~40 ms.
// Scenario "smooth": same program, the big rebakes never happen.
// A "Replay" thread records command snapshots and periodically writes a chunk (long zones, off the frame path).
//
// Run ONLY through /work/team/bin/record.sh (loopback-only namespace).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

namespace
{
using SteadyClock = std::chrono::steady_clock;

// Scratch data the "work" chews on so that spins do real arithmetic.
std::vector<float> g_scratch( 4096, 1.0f );
std::atomic<uint64_t> g_checksum{ 0 };

// Occupy the calling thread for `ms` of wall time: sleep through most of it, spin over scratch data for the tail.
// Zone lengths stay right even when the 2-core machine is shared.
void Busy( double ms )
{
    const auto deadline = SteadyClock::now() + std::chrono::microseconds( (int64_t)( ms * 1000.0 ) );
    if( ms > 0.5 ) std::this_thread::sleep_until( deadline - std::chrono::microseconds( 250 ) );
    float acc = 0.0f;
    size_t i = 0;
    while( SteadyClock::now() < deadline )
    {
        for( int k = 0; k < 64; k++, i = ( i + 17 ) & 4095 ) acc += g_scratch[i] * 0.999f;
    }
    g_checksum.fetch_add( (uint64_t)acc, std::memory_order_relaxed );
}

struct Rng
{
    std::mt19937 gen;
    explicit Rng( unsigned s ) : gen( s ) {}
    double Near( double v, double spread = 0.06 )
    {
        return v * std::uniform_real_distribution<double>( 1.0 - spread, 1.0 + spread )( gen );
    }
};

std::atomic<bool> g_quit{ false };

// ------------------------------------------------------------------------------------------------ job system
struct FrameJob
{
    const char* label;
    std::function<void()> fn;
};

class JobSystem
{
public:
    void Start( int workers )
    {
        for( int w = 0; w < workers; w++ ) m_threads.emplace_back( [this, w] { WorkerLoop( w ); } );
    }
    void Stop()
    {
        {
            std::lock_guard<std::mutex> g( m_mx );
            m_shutdown = true;
        }
        m_cvWork.notify_all();
        for( auto& t : m_threads ) t.join();
    }
    void Kick( std::vector<FrameJob> batch )
    {
        ZoneScopedN( "Jobs::KickFrame" );
        std::lock_guard<std::mutex> g( m_mx );
        m_batch = std::move( batch );
        m_next = 0;
        m_pending = (int)m_batch.size();
        m_cvWork.notify_all();
    }
    void WaitFrame()
    {
        ZoneScopedN( "Jobs::WaitFrame" );
        std::unique_lock<std::mutex> lk( m_mx );
        m_cvDone.wait( lk, [this] { return m_pending == 0; } );
    }

private:
    void WorkerLoop( int w )
    {
        char name[32];
        snprintf( name, sizeof( name ), "Job Worker %d", w );
        tracy::SetThreadName( name );
        for( ;; )
        {
            FrameJob* job = nullptr;
            {
                std::unique_lock<std::mutex> lk( m_mx );
                m_cvWork.wait( lk, [this] { return m_shutdown || m_next < (int)m_batch.size(); } );
                if( m_shutdown ) return;
                job = &m_batch[m_next++];
            }
            job->fn();
            {
                std::lock_guard<std::mutex> g( m_mx );
                if( --m_pending == 0 ) m_cvDone.notify_all();
            }
        }
    }

    std::mutex m_mx;
    std::condition_variable m_cvWork, m_cvDone;
    std::vector<FrameJob> m_batch;
    int m_next = 0, m_pending = 0;
    bool m_shutdown = false;
    std::vector<std::thread> m_threads;
};

// ------------------------------------------------------------------------------------------------ jobs
void NavBakeRegion( int tiles, double rasterMs, double contourMs )
{
    ZoneScopedN( "Nav::BakeRegion" );
    ZoneValue( (uint64_t)tiles );
    {
        ZoneScopedN( "Nav::RasterizeTiles" );
        Busy( rasterMs );
    }
    {
        ZoneScopedN( "Nav::BuildContours" );
        Busy( contourMs );
    }
}

void FogUpdate( int team, double ms )
{
    ZoneScopedN( "Fog::Update" );
    ZoneValue( (uint64_t)team );
    Busy( ms );
}

void CombatResolve( double ms )
{
    ZoneScopedN( "Combat::ResolveHits" );
    Busy( ms );
}

// ------------------------------------------------------------------------------------------------ replay thread
void ReplayThread()
{
    tracy::SetThreadName( "Replay" );
    Rng r( 4242 );
    auto tick = SteadyClock::now();
    const auto begin = tick;
    int chunk = 0;
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Replay::RecordSnapshot" );
            Busy( r.Near( 1.6 ) );
        }
        const double t = std::chrono::duration<double>( SteadyClock::now() - begin ).count();
        if( t > 0.6 + 1.7 * chunk )
        {
            ZoneScopedN( "Replay::WriteChunk" );
            Busy( r.Near( 22.0 ) );
            char msg[64];
            const int n = snprintf( msg, sizeof( msg ), "replay chunk %d written", chunk );
            TracyMessage( msg, n );
            chunk++;
        }
        tick += std::chrono::milliseconds( 50 );
        while( !g_quit.load() && SteadyClock::now() < tick ) std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );
    }
}

// ------------------------------------------------------------------------------------------------ main thread
void LoadMap( Rng& r )
{
    ZoneScopedN( "Match::LoadMap" );
    {
        ZoneScopedN( "Terrain::LoadHeightfield" );
        Busy( r.Near( 120.0 ) );
    }
    {
        ZoneScopedN( "Nav::BuildFullMesh" );
        Busy( r.Near( 80.0 ) );
    }
    {
        ZoneScopedN( "Units::SpawnArmies" );
        Busy( r.Near( 45.0 ) );
    }
    TracyMessageL( "map 'Frozen Delta' ready, 2 teams, 340 units" );
}

int Run( bool stutter )
{
    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char* info = stutter ? "skirmish 0.9.3 map=Frozen Delta 1v1" : "skirmish 0.9.3 map=Frozen Delta 1v1 (nav rebake capped)";
    TracyAppInfo( info, strlen( info ) );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );

    Rng r( 909 );
    Rng jr( 31337 );
    LoadMap( r );
    FrameMark;

    std::thread replay( ReplayThread );
    JobSystem jobs;
    jobs.Start( 2 );

    const int kFrames = 450;
    // loop iterations where a building placement dirties a big navmesh area (~every 3 s)
    const std::set<int> bigRebake = stutter ? std::set<int>{ 70, 245, 425 } : std::set<int>{};
    static const char* buildings[] = { "Barracks", "War Factory", "Refinery" };
    int placed = 0;

    const auto period = std::chrono::microseconds( 16667 );
    auto vsync = SteadyClock::now() + period;
    auto lastMark = SteadyClock::now();
    for( int f = 0; f < kFrames; f++ )
    {
        const bool big = bigRebake.count( f ) != 0;
        {
            ZoneScopedN( "Sim::Tick" );
            {
                ZoneScopedN( "Input::PollCommands" );
                Busy( r.Near( 0.3 ) );
            }
            if( big )
            {
                char msg[80];
                const int n = snprintf( msg, sizeof( msg ), "player placed %s", buildings[placed++ % 3] );
                TracyMessage( msg, n );
            }
            std::vector<FrameJob> batch;
            const int tiles = big ? 96 : 6;
            const double raster = big ? jr.Near( 13.0 ) : jr.Near( 0.9 );
            const double contour = big ? jr.Near( 17.0 ) : jr.Near( 1.1 );
            batch.push_back( { "nav", [=] { NavBakeRegion( tiles, raster, contour ); } } );
            const double fog0 = jr.Near( 3.0 ), fog1 = jr.Near( 3.0 );
            batch.push_back( { "fog0", [=] { FogUpdate( 0, fog0 ); } } );
            batch.push_back( { "fog1", [=] { FogUpdate( 1, fog1 ); } } );
            const double c0 = jr.Near( 0.8 ), c1 = jr.Near( 0.8 );
            batch.push_back( { "combat0", [=] { CombatResolve( c0 ); } } );
            batch.push_back( { "combat1", [=] { CombatResolve( c1 ); } } );
            jobs.Kick( std::move( batch ) );
            {
                ZoneScopedN( "Sim::UpdateOrders" );
                Busy( r.Near( 1.5 ) );
            }
            jobs.WaitFrame();
        }
        {
            ZoneScopedN( "Render::Frame" );
            {
                ZoneScopedN( "Render::Terrain" );
                Busy( r.Near( 1.4 ) );
            }
            {
                ZoneScopedN( "Render::Units" );
                Busy( r.Near( 6.0 ) );
            }
            {
                ZoneScopedN( "UI::DrawHUD" );
                Busy( r.Near( 0.7 ) );
            }
        }
        {
            ZoneScopedN( "Render::Present" );
            if( SteadyClock::now() < vsync ) std::this_thread::sleep_until( vsync );
            Busy( 0.05 );
            const auto now = SteadyClock::now();
            vsync = ( now > vsync + std::chrono::milliseconds( 2 ) ) ? now + period : vsync + period;
        }
        const auto now = SteadyClock::now();
        const double frameMs = std::chrono::duration<double, std::milli>( now - lastMark ).count();
        TracyPlot( "frame_ms", frameMs );
        lastMark = now;
        FrameMark;
    }

    g_quit = true;
    jobs.Stop();
    replay.join();
    TracyMessageL( "match ended" );
    fprintf( stderr, "skirmish done (checksum %llu)\n", (unsigned long long)g_checksum.load() );
    return 0;
}
}  // namespace

int main( int argc, char** argv )
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if( mode == "stutter" ) return Run( true );
    if( mode == "smooth" ) return Run( false );
    fprintf( stderr, "usage: skirmish stutter|smooth\n" );
    return 2;
}
