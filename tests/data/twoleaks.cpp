// voidrunner: a small space-combat game loop instrumented with Tracy 0.14.0, for profiler-tool grading.
// Usage: voidrunner session      (one play session: dogfight in sector 'Kessler Belt' with a hyperjump)
//
// Planted: two leaks. Ships::SpawnWreck keeps a 4 KB WreckRecord per destroyed ship in the default heap and
// never releases it; Particles::CreateEmitter (on the FX job worker) registers a 512-byte EmitterDesc in the
// "FXPool" named pool that is never released either. Distractors: Streaming::LoadSectorMesh holds multi-MB
// mesh buffers for a while (all freed; a hyperjump loads five at once), Weapons::FireProjectiles and
// Particles::EmitSparks churn small blocks (freed a few frames later), Ships::SpawnWreck's scratch buffer
// (freed inside the zone).
//
// Run ONLY through /work/team/bin/record.sh (loopback-only network namespace).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

using SteadyClock = std::chrono::steady_clock;

static volatile uint64_t s_burn = 0;

// Busy for `us` microseconds of wall time: sleep most of it, spin the last 250 us.
static void Busy( double us )
{
    const auto until = SteadyClock::now() + std::chrono::microseconds( (int64_t)us );
    if( us > 350.0 ) std::this_thread::sleep_until( until - std::chrono::microseconds( 250 ) );
    uint64_t h = 1469598103934665603ull;
    while( SteadyClock::now() < until )
        for( int k = 0; k < 64; k++ ) h = ( h ^ (uint64_t)k ) * 1099511628211ull;
    s_burn = s_burn + h;
}

class Rng
{
public:
    explicit Rng( uint32_t s ) : m_e( s ) {}
    double Vary( double v, double frac = 0.06 ) { return v * std::uniform_real_distribution<double>( 1 - frac, 1 + frac )( m_e ); }
    int Pick( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( m_e ); }

private:
    std::minstd_rand m_e;
};

// ---- heap wrappers ---------------------------------------------------------------------------------------
static const char* const kFxPool = "FXPool";

static void* HeapNew( size_t n )
{
    void* p = std::malloc( n );
    std::memset( p, 0xCD, n < 128 ? n : 128 );
    TracyAlloc( p, n );
    return p;
}
static void HeapDelete( void* p )
{
    TracyFree( p );
    std::free( p );
}
static void* FxNew( size_t n )
{
    void* p = std::malloc( n );
    std::memset( p, 0, n < 64 ? n : 64 );
    TracyAllocN( p, n, kFxPool );
    return p;
}
static void FxDelete( void* p )
{
    TracyFreeN( p, kFxPool );
    std::free( p );
}

static std::atomic<bool> g_quit{ false };

// ---- job system: two workers, main thread submits a batch and waits ------------------------------------------
class JobSystem
{
public:
    void Start()
    {
        for( int i = 0; i < 2; i++ ) m_threads.emplace_back( [this, i] { Loop( i ); } );
    }
    void Submit( std::function<void()> fn )
    {
        {
            std::lock_guard<std::mutex> g( m_m );
            m_q.push_back( std::move( fn ) );
            m_pending++;
        }
        m_cv.notify_one();
    }
    void WaitIdle()
    {
        ZoneScopedN( "JobSystem::WaitIdle" );
        std::unique_lock<std::mutex> g( m_m );
        m_done.wait( g, [this] { return m_pending == 0; } );
    }
    void Stop()
    {
        {
            std::lock_guard<std::mutex> g( m_m );
            m_exit = true;
        }
        m_cv.notify_all();
        for( auto& t : m_threads ) t.join();
    }

private:
    void Loop( int idx )
    {
        char name[32];
        std::snprintf( name, sizeof( name ), "SimJob %d", idx );
        tracy::SetThreadName( name );
        for( ;; )
        {
            std::function<void()> fn;
            {
                std::unique_lock<std::mutex> g( m_m );
                m_cv.wait( g, [this] { return m_exit || !m_q.empty(); } );
                if( m_q.empty() ) return;
                fn = std::move( m_q.front() );
                m_q.pop_front();
            }
            fn();
            {
                std::lock_guard<std::mutex> g( m_m );
                m_pending--;
            }
            m_done.notify_all();
        }
    }

    std::vector<std::thread> m_threads;
    std::mutex m_m;
    std::condition_variable m_cv, m_done;
    std::deque<std::function<void()>> m_q;
    int m_pending = 0;
    bool m_exit = false;
};

// ---- streaming thread: sector meshes (big, held, freed) -----------------------------------------------------
struct SectorRequest
{
    int sector;
    size_t bytes;
};
struct LoadedMesh
{
    int sector;
    void* data;
    int releaseFrame;
};

static std::mutex s_streamM;
static std::condition_variable s_streamCv;
static std::deque<SectorRequest> s_requests;
static std::deque<std::pair<int, void*>> s_loaded;  // sector, buffer (handed to the main thread)

static void StreamThread()
{
    tracy::SetThreadName( "SectorStreamer" );
    Rng r( 9001 );
    for( ;; )
    {
        SectorRequest req;
        {
            std::unique_lock<std::mutex> g( s_streamM );
            s_streamCv.wait( g, [] { return g_quit.load() || !s_requests.empty(); } );
            if( s_requests.empty() ) return;
            req = s_requests.front();
            s_requests.pop_front();
        }
        ZoneScopedN( "Streaming::LoadSectorMesh" );
        ZoneValue( (uint64_t)req.sector );
        void* buf = HeapNew( req.bytes );
        {
            ZoneScopedN( "Streaming::DecompressLZ4" );
            Busy( r.Vary( 6000 ) );
        }
        std::lock_guard<std::mutex> g( s_streamM );
        s_loaded.emplace_back( req.sector, buf );
    }
}

// ---- sound thread (steady background) ---------------------------------------------------------------------
static void SoundThread()
{
    tracy::SetThreadName( "SoundMixer" );
    Rng r( 4242 );
    auto next = SteadyClock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Sound::RenderVoices" );
            Busy( r.Vary( 420 ) );
        }
        next += std::chrono::microseconds( 10667 );  // 512 frames @ 48 kHz
        std::this_thread::sleep_until( next );
    }
}

// ---- the game ---------------------------------------------------------------------------------------------
struct Projectile
{
    void* mem;
    int dieFrame;
};

static void LoadSector( Rng& r )
{
    ZoneScopedN( "Game::EnterSector" );
    {
        ZoneScopedN( "Universe::BuildStarfield" );
        Busy( r.Vary( 80000 ) );
    }
    {
        ZoneScopedN( "Ships::LoadHangar" );
        std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)r.Vary( 120000 ) ) );
    }
    {
        ZoneScopedN( "Shaders::WarmPipelineCache" );
        Busy( r.Vary( 60000 ) );
    }
    TracyMessageL( "Entered sector 'Kessler Belt'" );
}

static int RunSession()
{
    tracy::SetThreadName( "GameMain" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char info[] = "voidrunner 0.9.3 (sector Kessler Belt, 2560x1440, 60 Hz)";
    TracyAppInfo( info, sizeof( info ) - 1 );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );

    Rng r( 2718 );
    LoadSector( r );
    FrameMark;

    JobSystem jobs;
    jobs.Start();
    std::thread streamer( StreamThread );
    std::thread sound( SoundThread );

    const int kFrames = 330;
    const auto period = std::chrono::nanoseconds( 16666667 );
    auto deadline = SteadyClock::now() + period;

    std::vector<void*> wreckRegistry;    // BUG (planted): wrecks are only marked inactive, never erased
    std::vector<void*> emitterRegistry;  // BUG (planted): CreateEmitter registers, nothing unregisters
    std::mutex emitterM;
    std::deque<Projectile> projectiles;
    std::deque<std::pair<void*, int>> sparks;  // FXPool, release frame
    std::mutex sparkM;
    std::vector<LoadedMesh> meshes;
    int nextSector = 100;

    for( int f = 0; f < kFrames; f++ )
    {
        {
            ZoneScopedN( "Game::Frame" );
            // -- parallel simulation jobs
            jobs.Submit( [f] {
                ZoneScopedN( "Ships::IntegrateOrbits" );
                Busy( 1400 + ( f % 7 ) * 40 );
            } );
            jobs.Submit( [&, f] {
                ZoneScopedN( "Particles::Simulate" );
                Busy( 1100 + ( f % 5 ) * 50 );
                {
                    ZoneScopedN( "Particles::EmitSparks" );
                    const int n = 3 + ( f * 5 ) % 6;
                    std::lock_guard<std::mutex> g( sparkM );
                    for( int i = 0; i < n; i++ ) sparks.emplace_back( FxNew( 128 + 64 * ( ( f + i ) % 4 ) ), f + 12 + i % 6 );
                }
                if( f % 5 == 2 )
                {
                    ZoneScopedN( "Particles::CreateEmitter" );
                    void* e = FxNew( 512 );  // EmitterDesc
                    {
                        std::lock_guard<std::mutex> g( emitterM );
                        emitterRegistry.push_back( e );
                    }
                    Busy( 90 );
                }
            } );
            {
                ZoneScopedN( "Input::Poll" );
                Busy( 150 );
            }
            {
                ZoneScopedN( "Ships::UpdateAI" );
                Busy( r.Vary( 900 ) );
            }
            {
                ZoneScopedN( "Weapons::FireProjectiles" );
                const int n = 6 + ( f * 3 ) % 7;
                for( int i = 0; i < n; i++ ) projectiles.push_back( { HeapNew( 96 + 32 * ( i % 5 ) ), f + 8 + ( i % 10 ) } );
                Busy( r.Vary( 300 ) );
            }
            {
                ZoneScopedN( "Weapons::ResolveHits" );
                while( !projectiles.empty() && projectiles.front().dieFrame <= f )
                {
                    HeapDelete( projectiles.front().mem );
                    projectiles.pop_front();
                }
                // deque is not strictly ordered by dieFrame; release any other expired ones too
                for( auto it = projectiles.begin(); it != projectiles.end(); )
                {
                    if( it->dieFrame <= f )
                    {
                        HeapDelete( it->mem );
                        it = projectiles.erase( it );
                    }
                    else
                        ++it;
                }
                Busy( r.Vary( 400 ) );
                if( f % 16 == 9 )
                {
                    ZoneScopedN( "Ships::SpawnWreck" );
                    void* scratch = HeapNew( 1536 );  // debris scatter list, temporary
                    Busy( 110 );
                    wreckRegistry.push_back( HeapNew( 4096 ) );  // WreckRecord
                    HeapDelete( scratch );
                }
            }
            // -- streaming: one sector every ~0.75 s, and a hyperjump that requests five at once
            {
                ZoneScopedN( "Streaming::Update" );
                const bool hyperjump = f == 170;
                if( f % 45 == 20 || hyperjump )
                {
                    const int n = hyperjump ? 5 : 1;
                    std::lock_guard<std::mutex> g( s_streamM );
                    for( int i = 0; i < n; i++ ) s_requests.push_back( { nextSector++, (size_t)( 2560 + 512 * ( i % 2 ) ) * 1024 } );
                    s_streamCv.notify_one();
                    if( hyperjump ) TracyMessageL( "Hyperjump to 'Tannhauser Gate': requesting 5 sectors" );
                }
                {
                    std::lock_guard<std::mutex> g( s_streamM );
                    while( !s_loaded.empty() )
                    {
                        meshes.push_back( { s_loaded.front().first, s_loaded.front().second, f + 25 } );
                        s_loaded.pop_front();
                    }
                }
                for( size_t i = 0; i < meshes.size(); )
                {
                    if( meshes[i].releaseFrame <= f )
                    {
                        ZoneScopedN( "Renderer::ReleaseSectorMesh" );
                        HeapDelete( meshes[i].data );
                        meshes.erase( meshes.begin() + (long)i );
                        Busy( 120 );
                    }
                    else
                        i++;
                }
            }
            jobs.WaitIdle();
            {
                ZoneScopedN( "Particles::RetireSparks" );
                std::lock_guard<std::mutex> g( sparkM );
                for( auto it = sparks.begin(); it != sparks.end(); )
                {
                    if( it->second <= f )
                    {
                        FxDelete( it->first );
                        it = sparks.erase( it );
                    }
                    else
                        ++it;
                }
            }
            {
                ZoneScopedN( "Renderer::BuildCommandLists" );
                Busy( r.Vary( 2600 ) );
                {
                    ZoneScopedN( "Renderer::DrawNebula" );
                    Busy( r.Vary( 1500 ) );
                }
            }
        }
        {
            ZoneScopedN( "Renderer::SwapBuffers" );
            if( SteadyClock::now() < deadline ) std::this_thread::sleep_until( deadline );
            Busy( 50 );
            const auto now = SteadyClock::now();
            deadline = ( now > deadline + std::chrono::milliseconds( 3 ) ) ? now + period : deadline + period;
        }
        FrameMark;
    }

    {
        ZoneScopedN( "Game::Shutdown" );
        g_quit = true;
        s_streamCv.notify_all();
        streamer.join();
        sound.join();
        jobs.Stop();
        {
            ZoneScopedN( "Streaming::UnloadAll" );
            for( auto& m : meshes ) HeapDelete( m.data );
            meshes.clear();
            for( auto& l : s_loaded ) HeapDelete( l.second );
            s_loaded.clear();
        }
        {
            ZoneScopedN( "Weapons::Clear" );
            for( auto& p : projectiles ) HeapDelete( p.mem );
            projectiles.clear();
        }
        {
            ZoneScopedN( "Particles::Clear" );
            for( auto& s : sparks ) FxDelete( s.first );
            sparks.clear();
        }
        char msg[128];
        const int n = std::snprintf( msg, sizeof( msg ), "Session over: %zu ships destroyed, %zu emitters created", wreckRegistry.size(), emitterRegistry.size() );
        TracyMessage( msg, (size_t)n );
    }
    FrameMark;
    return 0;
}

int main( int argc, char** argv )
{
    if( argc >= 2 && std::string( argv[1] ) == "session" ) return RunSession();
    std::fprintf( stderr, "usage: voidrunner session\n" );
    return 2;
}
