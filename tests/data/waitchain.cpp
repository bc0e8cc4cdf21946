// waitchain: a 60 fps game frame with a chain of waits (benchmark data for profiler-analysis tools; not part of any
// project). Threads:
//   "Main thread"     Game::Frame > Input::Poll, Game::Update (> Physics::Step, AI::Think), Render::Kick,
//                     Audio::Update, UI::Layout, Game::LateUpdate, Render::WaitForRenderThread (condition variable on
//                     the TracyLockable "Render::FrameSync"), Render::Present (paces the frame to 16.667 ms), FrameMark.
//   "Render thread"   Render::Frame > Render::BuildCommandLists, Jobs::Submit (ZoneText "ShadowBuild"),
//                     Render::GBuffer, Jobs::WaitFor (ZoneText "ShadowBuild"), Render::Lighting, Render::PostFX.
//   "Worker 0..2"     Job::ShadowBuild > Shadow::Cull, IO::WaitForRead (ZoneText "shadowcache.bin"; waits for the IO
//                     thread to start the read, then blocks on the TracyLockable "IO::ShadowCacheLock" that the IO
//                     thread holds while reading), Shadow::Rasterize. Also Job::Animate, Job::Particles (not waited on).
//   "IO thread"       IO::ReadFile (ZoneText = file): shadowcache.bin (1 ms; 25 ms in ~1 of 8 frames in `chain`),
//                     audio/music_level3.ogg (1.5 ms every 4th frame).
//   "Asset streamer"  IO::ReadFile of textures (18-30 ms every 250-400 ms) > then Texture::Decompress: a distractor.
// Locks: Render::FrameSync, Jobs::QueueMutex, IO::RequestMutex, IO::ShadowCacheLock (all TracyLockableN).
//
// Usage: waitchain chain | waitchain regress a | waitchain regress b
//   chain       ~1 of 8 frames the shadowcache.bin read takes 25 ms -> ~37 ms frames
//   regress a   baseline, no slow reads
//   regress b   Shadow::Rasterize 2 -> 6 ms (Job::Particles 2 -> 3 ms as an off-path distractor)
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
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

constexpr int64_t kFrameNs = 16666667;
volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };

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
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.05 )
    {
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
};

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_NAME, n );
    prctl( PR_SET_TIMERSLACK, 1000UL );
}

void message( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void message( const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyMessage( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ) );
}

struct params
{
    std::string scenario;
    double seconds = 5.0;
    bool slow_reads = false;      // chain
    double raster_ms = 2.0;       // regress b: 6
    double particles_ms = 2.0;    // regress b: 3 (distractor)
    uint32_t seed = 0x77616974;
};
params g_p;

// ---------------------------------------------------------------------------------------------------------------
// IO thread

struct io_request
{
    const char* file;
    double ms;
    bool shadow;           // hold IO::ShadowCacheLock while reading
    bool started = false;  // guarded by IO::RequestMutex
};

TracyLockableN( std::mutex, g_ioMutex, "IO::RequestMutex" );
std::condition_variable_any g_ioCv;
std::condition_variable_any g_ioStartedCv;
std::deque<std::shared_ptr<io_request>> g_ioQueue;
TracyLockableN( std::mutex, g_shadowCacheLock, "IO::ShadowCacheLock" );

void io_submit( const std::shared_ptr<io_request>& r )
{
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_ioMutex );
        g_ioQueue.push_back( r );
    }
    g_ioCv.notify_all();
}

void io_thread()
{
    name_thread( "IO thread" );
    for( ;; )
    {
        std::shared_ptr<io_request> r;
        {
            std::unique_lock<LockableBase( std::mutex )> lk( g_ioMutex );
            g_ioCv.wait( lk, [] { return g_stop.load() || !g_ioQueue.empty(); } );
            if( g_ioQueue.empty() ) return;
            r = g_ioQueue.front();
            g_ioQueue.pop_front();
        }
        std::unique_lock<LockableBase( std::mutex )> cacheLk( g_shadowCacheLock, std::defer_lock );
        if( r->shadow ) cacheLk.lock();
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_ioMutex );
            r->started = true;
        }
        g_ioStartedCv.notify_all();
        {
            ZoneScopedN( "IO::ReadFile" );
            ZoneText( r->file, strlen( r->file ) );
            busy_ms( r->ms );
        }
        if( r->shadow ) cacheLk.unlock();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Job system

struct job
{
    const char* name;
    std::function<void()> fn;
    bool done = false;  // guarded by g_doneMutex
};

TracyLockableN( std::mutex, g_jobMutex, "Jobs::QueueMutex" );
std::condition_variable_any g_jobCv;
std::deque<std::shared_ptr<job>> g_jobQueue;
std::mutex g_doneMutex;
std::condition_variable g_doneCv;

std::shared_ptr<job> job_submit( const char* name, std::function<void()> fn, bool urgent )
{
    ZoneScopedN( "Jobs::Submit" );
    ZoneText( name, strlen( name ) );
    auto j = std::make_shared<job>();
    j->name = name;
    j->fn = std::move( fn );
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_jobMutex );
        if( urgent ) g_jobQueue.push_front( j );
        else g_jobQueue.push_back( j );
    }
    g_jobCv.notify_one();
    return j;
}

void job_wait( const std::shared_ptr<job>& j )
{
    ZoneScopedN( "Jobs::WaitFor" );
    ZoneText( j->name, strlen( j->name ) );
    std::unique_lock<std::mutex> lk( g_doneMutex );
    g_doneCv.wait( lk, [&] { return j->done; } );
}

void worker_thread( int idx )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "Worker %d", idx );
    name_thread( nm );
    for( ;; )
    {
        std::shared_ptr<job> j;
        {
            std::unique_lock<LockableBase( std::mutex )> lk( g_jobMutex );
            g_jobCv.wait( lk, [] { return g_stop.load() || !g_jobQueue.empty(); } );
            if( g_jobQueue.empty() ) return;
            j = g_jobQueue.front();
            g_jobQueue.pop_front();
        }
        j->fn();
        {
            std::lock_guard<std::mutex> lk( g_doneMutex );
            j->done = true;
        }
        g_doneCv.notify_all();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Shadow job

void io_wait_for_read( const char* file, double ms )
{
    ZoneScopedN( "IO::WaitForRead" );
    ZoneText( file, strlen( file ) );
    auto r = std::make_shared<io_request>();
    r->file = file;
    r->ms = ms;
    r->shadow = true;
    io_submit( r );
    {
        std::unique_lock<LockableBase( std::mutex )> lk( g_ioMutex );
        g_ioStartedCv.wait( lk, [&] { return r->started; } );
    }
    // the IO thread holds the cache lock for the whole read
    std::lock_guard<LockableBase( std::mutex )> cacheLk( g_shadowCacheLock );
}

void shadow_build_job( double read_ms, double raster_ms, uint32_t seed )
{
    ZoneScopedN( "Job::ShadowBuild" );
    rng_t r( seed );
    {
        ZoneScopedN( "Shadow::Cull" );
        busy_ms( r( 0.8 ) );
    }
    io_wait_for_read( "shadowcache.bin", read_ms );
    {
        ZoneScopedN( "Shadow::Rasterize" );
        busy_ms( r( raster_ms, 0.04 ) );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Render thread

TracyLockableN( std::mutex, g_frameSync, "Render::FrameSync" );
std::condition_variable_any g_kickCv;
std::condition_variable_any g_doneFrameCv;
int64_t g_kickFrame = -1;  // guarded by g_frameSync
int64_t g_doneFrame = -1;
double g_kickReadMs = 1.0;

void render_thread()
{
    name_thread( "Render thread" );
    rng_t r( g_p.seed ^ 0x5eed );
    int64_t last = -1;
    for( ;; )
    {
        int64_t frame;
        double read_ms;
        {
            std::unique_lock<LockableBase( std::mutex )> lk( g_frameSync );
            g_kickCv.wait( lk, [&] { return g_stop.load() || g_kickFrame > last; } );
            if( g_kickFrame <= last ) return;
            frame = g_kickFrame;
            read_ms = g_kickReadMs;
        }
        {
            ZoneScopedN( "Render::Frame" );
            ZoneValue( (uint64_t)frame );
            {
                ZoneScopedN( "Render::BuildCommandLists" );
                busy_ms( r( 1.5 ) );
            }
            const double raster = g_p.raster_ms;
            const uint32_t s = (uint32_t)r.range( 0, 1 << 30 );
            auto sj = job_submit( "ShadowBuild", [=] { shadow_build_job( read_ms, raster, s ); }, true );
            {
                ZoneScopedN( "Render::GBuffer" );
                busy_ms( r( 2.5 ) );
            }
            job_wait( sj );
            {
                ZoneScopedN( "Render::Lighting" );
                busy_ms( r( 1.5 ) );
            }
            {
                ZoneScopedN( "Render::PostFX" );
                busy_ms( r( 1.0 ) );
            }
        }
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_frameSync );
            g_doneFrame = frame;
        }
        g_doneFrameCv.notify_all();
        last = frame;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Asset streamer (distractor: long reads, nobody waits on them)

void streamer_thread()
{
    name_thread( "Asset streamer" );
    rng_t r( g_p.seed ^ 0xa55e7 );
    static const char* const files[] = { "textures/terrain_albedo.dds", "textures/rock_normal.dds",
                                         "textures/foliage_atlas.dds", "textures/castle_wall_albedo.dds",
                                         "textures/sky_cubemap.dds" };
    int i = 0;
    int64_t next = now_ns() + 200000000;
    while( !g_stop.load() )
    {
        sleep_until_ns( next );
        if( g_stop.load() ) break;
        const char* f = files[i++ % 5];
        {
            ZoneScopedN( "Streaming::LoadTexture" );
            ZoneText( f, strlen( f ) );
            {
                ZoneScopedN( "IO::ReadFile" );
                ZoneText( f, strlen( f ) );
                busy_ms( r.uni( 18.0, 30.0 ) );
            }
            {
                ZoneScopedN( "Texture::Decompress" );
                busy_ms( r( 4.0, 0.1 ) );
            }
        }
        message( "Streaming: loaded %s", f );
        next = now_ns() + (int64_t)( r.uni( 250.0, 400.0 ) * 1e6 );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main loop

void run()
{
    name_thread( "Main thread" );
    rng_t r( g_p.seed );
    rng_t slow( g_p.seed ^ 0x510e );
    std::thread io( io_thread );
    std::vector<std::thread> workers;
    for( int i = 0; i < 3; i++ ) workers.emplace_back( worker_thread, i );
    std::thread render( render_thread );
    std::thread streamer( streamer_thread );

    message( "waitchain 2.3.1 started, scenario %s", g_p.scenario.c_str() );
    std::this_thread::sleep_for( std::chrono::milliseconds( 100 ) );
    const int64_t t_end = now_ns() + (int64_t)( g_p.seconds * 1e9 );
    int64_t frame = 0;
    int slow_count = 0;
    while( now_ns() < t_end )
    {
        const int64_t fstart = now_ns();
        double read_ms = r( 1.0, 0.1 );
        const bool is_slow = g_p.slow_reads && frame >= 10 && slow.range( 0, 7 ) == 0;
        if( is_slow ) { read_ms = r( 25.0, 0.02 ); slow_count++; }
        {
            ZoneScopedN( "Game::Frame" );
            ZoneValue( (uint64_t)frame );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.3 ) );
            }
            {
                ZoneScopedN( "Game::Update" );
                const double pms = g_p.particles_ms;
                const uint32_t s = (uint32_t)r.range( 0, 1 << 30 );
                job_submit( "Animate", [s] { ZoneScopedN( "Job::Animate" ); rng_t q( s ); busy_ms( q( 2.5 ) ); }, false );
                job_submit( "Particles", [s, pms] { ZoneScopedN( "Job::Particles" ); rng_t q( s + 1 ); busy_ms( q( pms ) ); }, false );
                {
                    ZoneScopedN( "Physics::Step" );
                    busy_ms( r( 2.5 ) );
                }
                {
                    ZoneScopedN( "AI::Think" );
                    busy_ms( r( 1.0 ) );
                }
            }
            {
                ZoneScopedN( "Render::Kick" );
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_frameSync );
                    g_kickFrame = frame;
                    g_kickReadMs = read_ms;
                }
                g_kickCv.notify_all();
            }
            {
                ZoneScopedN( "Audio::Update" );
                if( frame % 4 == 0 )
                {
                    auto a = std::make_shared<io_request>();
                    a->file = "audio/music_level3.ogg";
                    a->ms = 1.5;
                    a->shadow = false;
                    io_submit( a );
                }
                busy_ms( r( 1.0 ) );
            }
            {
                ZoneScopedN( "UI::Layout" );
                busy_ms( r( 3.0 ) );
            }
            {
                ZoneScopedN( "Game::LateUpdate" );
                busy_ms( r( 2.0 ) );
            }
            {
                ZoneScopedN( "Render::WaitForRenderThread" );
                std::unique_lock<LockableBase( std::mutex )> lk( g_frameSync );
                g_doneFrameCv.wait( lk, [&] { return g_doneFrame >= frame; } );
            }
            {
                ZoneScopedN( "Render::Present" );
                busy_ms( 0.2 );
                sleep_until_ns( fstart + kFrameNs );
            }
        }
        FrameMark;
        frame++;
    }
    message( "waitchain: %lld frames, shutting down", (long long)frame );
    fprintf( stderr, "frames %lld slow %d\n", (long long)frame, slow_count );
    g_stop = true;
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_frameSync );
    }
    g_kickCv.notify_all();
    render.join();
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_jobMutex );
    }
    g_jobCv.notify_all();
    for( auto& w : workers ) w.join();
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_ioMutex );
    }
    g_ioCv.notify_all();
    io.join();
    streamer.join();
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: waitchain chain | regress a | regress b\n" );
        return 2;
    }
    g_p.scenario = argv[1];
    if( g_p.scenario == "chain" )
    {
        g_p.slow_reads = true;
        g_p.seconds = 5.0;
    }
    else if( g_p.scenario == "regress" && argc >= 3 )
    {
        g_p.scenario += std::string( " " ) + argv[2];
        if( std::string( argv[2] ) == "b" )
        {
            g_p.raster_ms = 6.0;
            g_p.particles_ms = 3.0;
        }
        else if( std::string( argv[2] ) != "a" ) return 2;
        g_p.seconds = 4.0;
    }
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 2;
    }
    run();
    return 0;
}
