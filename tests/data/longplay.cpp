// longplay: a 60 Hz action game recorded over a long session (1000+ frames), instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   "Main Thread"    game loop: Game::Frame > Input::Poll, Jobs::KickFrameJobs, Game::Update (> AI::Update
//                    [> AI::UpdatePerception every 4th frame, AI::Behaviour], Physics::Step [> Physics::Broadphase,
//                    Physics::SolveContacts (ZoneValue = contacts), Physics::Integrate], Script::Update, Anim::Update,
//                    Nav::RebuildTiles every 20th frame, Telemetry::Flush every 60th frame, one-off events),
//                    Jobs::WaitAll, Render::PublishFrame, Game::WaitForVSync (sleep to the next 16.667 ms vblank),
//                    then FrameMark.
//   "Render Thread"  pipelined one frame behind: Render::WaitForFrameData (main thread's hand-off), Render::RenderFrame
//                    > Render::ResolveTextures (takes TextureCache::Mutex), Render::BuildCommandLists, Render::Submit,
//                    Render::WaitForGpuFence, Render::Present.
//   "Worker 0..2"    job workers; JobSystem::WaitForWork while idle. Generic jobs (Anim::SkinningJob,
//                    Physics::IslandJob, Culling::FrustumJob) come from a shared queue; Cloth::Simulate and
//                    Particles::Simulate have affinity to Worker 2 (its own queue, served first).
//   "Streaming"      Streaming::LoadAsset (ZoneText = asset) every ~110 ms > IO::ReadFile, Streaming::Decompress,
//                    Streaming::UploadTexture (TextureCache::Mutex, short); Streaming::LoadSection on request.
//   "Audio"          Audio::Mix every 5.333 ms > Audio::DecodeStreams, Audio::MixVoices, Audio::ApplyEffects.
// One-off events (all scenarios): frame 300 SaveSystem::Autosave, frame 517 Net::Resync, frame 655
// Script::GC::FullCollect, frame 958 World::ActivateSection (waits for Streaming::LoadSection).
//
// Usage: longplay <scenario>
//   frames     1040 frames; frame 812: Physics::SolveContacts 1.4 -> ~12.5 ms (an explosion: 5200 contacts)
//   threads    1040 frames; the Streaming thread uploads textures each frame holding TextureCache::Mutex ~7 ms,
//              ~8.6 ms (decompressing mips under the lock), exactly when the render
//              thread needs it in Render::ResolveTextures
//   regress_a  1000 frames baseline (Nav::RebuildTiles ~2.4 ms every 20th frame)
//   regress_b  same, Nav::RebuildTiles ~8.0 ms (pushes those frames past the vblank)
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

constexpr int64_t kVblankNs = 16666667;
constexpr int64_t kAudioPeriodNs = 5333333;

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

// Emulated work: sleep to just before the deadline, then spin.
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
    char buf[16];
    snprintf( buf, sizeof( buf ), "%s", n );
    prctl( PR_SET_NAME, buf );
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

void zone_text( tracy::ScopedZone& z, const char* s ) { z.Text( s, strlen( s ) ); }

// ---------------------------------------------------------------------------------------------------------------

struct params
{
    std::string scenario;
    int frames = 1040;
    int explosion_frame = -1;     // frames: 812
    bool tex_contention = false;  // threads
    double nav_ms = 2.4;          // regress_b: 8.0
};

params g_p;

constexpr int kAutosaveFrame = 300;
constexpr int kResyncFrame = 517;
constexpr int kGcFrame = 655;
constexpr int kSectionFrame = 958;

TracyLockableN( std::mutex, g_texCache, "TextureCache::Mutex" );

// ---------------------------------------------------------------------------------------------------------------
// Job system

enum job_kind
{
    JOB_SKINNING,
    JOB_ISLAND,
    JOB_CULL,
    JOB_CLOTH,
    JOB_PARTICLES,
};

struct job
{
    job_kind kind;
    double ms;
};

std::mutex g_jobMutex;
std::condition_variable g_jobCv;
std::condition_variable g_jobDoneCv;
std::deque<job> g_generic;
std::deque<job> g_worker2;
int g_jobsPending = 0;

void run_job( const job& j )
{
    switch( j.kind )
    {
    case JOB_SKINNING: { ZoneScopedN( "Anim::SkinningJob" ); busy_ms( j.ms ); break; }
    case JOB_ISLAND: { ZoneScopedN( "Physics::IslandJob" ); busy_ms( j.ms ); break; }
    case JOB_CULL: { ZoneScopedN( "Culling::FrustumJob" ); busy_ms( j.ms ); break; }
    case JOB_CLOTH: { ZoneScopedN( "Cloth::Simulate" ); busy_ms( j.ms ); break; }
    case JOB_PARTICLES: { ZoneScopedN( "Particles::Simulate" ); busy_ms( j.ms ); break; }
    }
}

void worker_main( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    name_thread( name );
    for( ;; )
    {
        job j;
        {
            std::unique_lock<std::mutex> lk( g_jobMutex );
            auto has_work = [&] { return g_stop.load() || !g_generic.empty() || ( idx == 2 && !g_worker2.empty() ); };
            if( !has_work() )
            {
                ZoneScopedN( "JobSystem::WaitForWork" );
                g_jobCv.wait( lk, has_work );
            }
            if( idx == 2 && !g_worker2.empty() ) { j = g_worker2.front(); g_worker2.pop_front(); }
            else if( !g_generic.empty() ) { j = g_generic.front(); g_generic.pop_front(); }
            else if( g_stop ) return;
            else continue;
        }
        run_job( j );
        {
            std::lock_guard<std::mutex> lk( g_jobMutex );
            if( --g_jobsPending == 0 ) g_jobDoneCv.notify_all();
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main <-> render hand-off

std::mutex g_rMutex;
std::condition_variable g_rCv;
int g_published = -1;
int g_consumed = -1;
bool g_renderStop = false;

void render_main()
{
    name_thread( "Render Thread" );
    rng_t r( 0x52454e44 );
    for( ;; )
    {
        int f;
        {
            ZoneScopedN( "Render::WaitForFrameData" );
            std::unique_lock<std::mutex> lk( g_rMutex );
            g_rCv.wait( lk, [] { return g_published > g_consumed || g_renderStop; } );
            if( g_published <= g_consumed ) return;
            f = g_published;
            g_consumed = f;
        }
        g_rCv.notify_all();
        ZoneScopedN( "Render::RenderFrame" );
        ZoneValue( f );
        {
            ZoneScopedN( "Render::ResolveTextures" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_texCache );
            busy_ms( r( 0.30 ) );
        }
        const int draws = r.range( 1850, 2150 );
        {
            ZoneScopedN( "Render::BuildCommandLists" );
            ZoneValue( draws );
            busy_ms( r( 6.0 ) );
        }
        TracyPlot( "Draw calls", (int64_t)draws );
        {
            ZoneScopedN( "Render::Submit" );
            busy_ms( r( 1.2 ) );
        }
        {
            ZoneScopedN( "Render::WaitForGpuFence" );
            std::this_thread::sleep_for( std::chrono::microseconds( (int)r( 900, 0.15 ) ) );
        }
        {
            ZoneScopedN( "Render::Present" );
            busy_ms( r( 0.30 ) );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Streaming

std::mutex g_sMutex;
std::condition_variable g_sCv;
bool g_sectionRequested = false;
bool g_sectionReady = false;
int g_texRequests = 0;

const char* const kAssets[] = {
    "textures/rock_cliff_02.dds", "meshes/crate_stack.mesh", "textures/foliage_atlas.dds",
    "anims/npc_walk_cycle.anim", "textures/terrain_mud_n.dds", "meshes/lamp_post.mesh",
    "sounds/amb_harbor.ogg", "textures/brick_wall_d.dds",
};

void upload_texture_small( rng_t& r )
{
    ZoneScopedN( "Streaming::UploadTexture" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_texCache );
    busy_ms( r( 0.30 ) );
}

void streaming_main()
{
    name_thread( "Streaming" );
    rng_t r( 0x5354524d );
    int64_t next_asset = now_ns() + 60000000;
    int asset_idx = 0;
    while( !g_stop )
    {
        bool section = false;
        bool tex = false;
        {
            std::unique_lock<std::mutex> lk( g_sMutex );
            g_sCv.wait_until( lk, std::chrono::steady_clock::now() + std::chrono::nanoseconds( std::max<int64_t>( 0, next_asset - now_ns() ) ),
                              [] { return g_stop.load() || g_sectionRequested || g_texRequests > 0; } );
            if( g_sectionRequested ) { section = true; g_sectionRequested = false; }
            if( g_texRequests > 0 ) { tex = true; g_texRequests = 0; }
        }
        if( g_stop ) break;
        if( section )
        {
            ZoneScopedN( "Streaming::LoadSection" );
            zone_text( ___tracy_scoped_zone, "world/sections/harbor_district_03.pak" );
            { ZoneScopedN( "IO::ReadFile" ); busy_ms( r( 12.0 ) ); }
            { ZoneScopedN( "Streaming::Decompress" ); busy_ms( r( 6.5 ) ); }
            upload_texture_small( r );
            {
                std::lock_guard<std::mutex> lk( g_sMutex );
                g_sectionReady = true;
            }
            g_sCv.notify_all();
        }
        if( tex )
        {
            // threads: per-frame texture streaming; the mip chain is decompressed while TextureCache::Mutex is held
            ZoneScopedN( "Streaming::UploadTexture" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_texCache );
            { ZoneScopedN( "Streaming::DecompressMips" ); busy_ms( r( 8.3 ) ); }
            busy_ms( r( 0.3 ) );
        }
        if( now_ns() >= next_asset )
        {
            ZoneScopedN( "Streaming::LoadAsset" );
            const char* a = kAssets[asset_idx++ % 8];
            zone_text( ___tracy_scoped_zone, a );
            { ZoneScopedN( "IO::ReadFile" ); busy_ms( r.uni( 2.0, 4.5 ) ); }
            { ZoneScopedN( "Streaming::Decompress" ); busy_ms( r.uni( 1.2, 2.6 ) ); }
            upload_texture_small( r );
            next_asset = now_ns() + (int64_t)( r.uni( 90, 130 ) * 1e6 );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Audio

void audio_main()
{
    name_thread( "Audio" );
    rng_t r( 0x41554449 );
    int64_t next = now_ns();
    while( !g_stop )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            { ZoneScopedN( "Audio::DecodeStreams" ); busy_ms( r( 0.35 ) ); }
            const int voices = r.range( 28, 40 );
            { ZoneScopedN( "Audio::MixVoices" ); ZoneValue( voices ); busy_ms( r( 0.55 ) ); }
            { ZoneScopedN( "Audio::ApplyEffects" ); busy_ms( r( 0.30 ) ); }
        }
        next += kAudioPeriodNs;
        sleep_until_ns( next );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main thread

void kick_jobs( rng_t& r )
{
    ZoneScopedN( "Jobs::KickFrameJobs" );
    {
        std::lock_guard<std::mutex> lk( g_jobMutex );
        g_worker2.push_back( { JOB_CLOTH, r( 6.0 ) } );
        g_worker2.push_back( { JOB_PARTICLES, r( 2.4 ) } );
        for( int i = 0; i < 4; i++ ) g_generic.push_back( { JOB_SKINNING, r( 0.55 ) } );
        for( int i = 0; i < 3; i++ ) g_generic.push_back( { JOB_ISLAND, r( 0.50 ) } );
        for( int i = 0; i < 3; i++ ) g_generic.push_back( { JOB_CULL, r( 0.40 ) } );
        g_jobsPending += 12;
    }
    g_jobCv.notify_all();
    busy_ms( 0.05 );
}

void game_update( int k, rng_t& r, rng_t& rn )
{
    ZoneScopedN( "Game::Update" );
    {
        ZoneScopedN( "AI::Update" );
        if( k % 4 == 0 ) { ZoneScopedN( "AI::UpdatePerception" ); busy_ms( r( 1.2 ) ); }
        { ZoneScopedN( "AI::Behaviour" ); busy_ms( r( 1.4 ) ); }
    }
    {
        ZoneScopedN( "Physics::Step" );
        { ZoneScopedN( "Physics::Broadphase" ); busy_ms( r( 0.7 ) ); }
        {
            ZoneScopedN( "Physics::SolveContacts" );
            if( k == g_p.explosion_frame )
            {
                ZoneValue( 5214 );
                busy_ms( r( 12.5, 0.01 ) );
            }
            else
            {
                const int c = r.range( 380, 460 );
                ZoneValue( c );
                busy_ms( 1.4 * c / 420.0 );
            }
        }
        { ZoneScopedN( "Physics::Integrate" ); busy_ms( r( 0.4 ) ); }
    }
    {
        ZoneScopedN( "Script::Update" );
        busy_ms( r( 1.2 ) );
        if( k == kGcFrame )
        {
            ZoneScopedN( "Script::GC::FullCollect" );
            message( "Script GC: full collection, heap 48.2 MB -> 31.7 MB" );
            busy_ms( r( 19.0, 0.01 ) );
        }
    }
    { ZoneScopedN( "Anim::Update" ); busy_ms( r( 0.7 ) ); }
    if( k % 20 == 10 )
    {
        ZoneScopedN( "Nav::RebuildTiles" );
        ZoneValue( 24 );
        busy_ms( rn( g_p.nav_ms, 0.04 ) );
    }
    if( k % 60 == 0 )
    {
        ZoneScopedN( "Telemetry::Flush" );
        busy_ms( r( 1.5 ) );
        message( "Telemetry: flushed 60 frames" );
    }
    if( k == kAutosaveFrame )
    {
        ZoneScopedN( "SaveSystem::Autosave" );
        message( "Autosave: checkpoint reached, writing slot 2" );
        { ZoneScopedN( "SaveSystem::SerializeWorld" ); busy_ms( r( 17.0, 0.01 ) ); }
        { ZoneScopedN( "SaveSystem::CompressSnapshot" ); busy_ms( r( 9.0, 0.01 ) ); }
        message( "Autosave: slot 2 written (3.1 MB)" );
    }
    if( k == kResyncFrame )
    {
        ZoneScopedN( "Net::Resync" );
        message( "Net: sequence gap 412, requesting full snapshot" );
        { ZoneScopedN( "Net::ApplySnapshot" ); busy_ms( r( 14.0, 0.01 ) ); }
        message( "Net: resynced with server (tick 88214)" );
    }
    if( k == kSectionFrame )
    {
        ZoneScopedN( "World::ActivateSection" );
        message( "World: streaming in section harbor_district_03" );
        {
            std::lock_guard<std::mutex> lk( g_sMutex );
            g_sectionRequested = true;
            g_sectionReady = false;
        }
        g_sCv.notify_all();
        {
            ZoneScopedN( "World::WaitForSection" );
            std::unique_lock<std::mutex> lk( g_sMutex );
            g_sCv.wait( lk, [] { return g_sectionReady; } );
        }
        { ZoneScopedN( "World::SpawnSectionEntities" ); busy_ms( r( 2.0 ) ); }
    }
}

int run()
{
    name_thread( "Main Thread" );
    message( "longplay 2.3.0 (scenario %s)", g_p.scenario.c_str() );
    {
        ZoneScopedN( "Game::Init" );
        { ZoneScopedN( "Level::Load" ); busy_ms( 110 ); }
        { ZoneScopedN( "Renderer::CreateSwapchain" ); busy_ms( 25 ); }
    }
    std::vector<std::thread> ts;
    ts.emplace_back( render_main );
    for( int i = 0; i < 3; i++ ) ts.emplace_back( worker_main, i );
    ts.emplace_back( streaming_main );
    ts.emplace_back( audio_main );

    rng_t r( 0x4d41494e );
    rng_t rn( 0x4e415631 );
    const int64_t t0 = now_ns();
    for( int k = 1; k <= g_p.frames; k++ )  // k = the profiler's frame number (frame 0 = start-up)
    {
        {
            ZoneScopedN( "Game::Frame" );
            ZoneValue( k );
            { ZoneScopedN( "Input::Poll" ); busy_ms( r( 0.3 ) ); }
            kick_jobs( r );
            game_update( k, r, rn );
            if( g_p.tex_contention )
            {
                ZoneScopedN( "Streaming::RequestTextures" );
                {
                    std::lock_guard<std::mutex> lk( g_sMutex );
                    g_texRequests++;
                }
                g_sCv.notify_all();
            }
            {
                ZoneScopedN( "Jobs::WaitAll" );
                std::unique_lock<std::mutex> lk( g_jobMutex );
                g_jobDoneCv.wait( lk, [] { return g_jobsPending == 0; } );
            }
            {
                ZoneScopedN( "Render::PublishFrame" );
                std::unique_lock<std::mutex> lk( g_rMutex );
                if( g_consumed < g_published )
                {
                    ZoneScopedN( "Game::WaitForRenderThread" );
                    g_rCv.wait( lk, [] { return g_consumed >= g_published; } );
                }
                g_published = k;
                lk.unlock();
                g_rCv.notify_all();
                busy_ms( 0.15 );
            }
            {
                ZoneScopedN( "Game::WaitForVSync" );
                const int64_t n = ( now_ns() - t0 ) / kVblankNs + 1;
                sleep_until_ns( t0 + n * kVblankNs );
            }
        }
        FrameMark;
    }
    {
        std::lock_guard<std::mutex> lk( g_rMutex );
        g_renderStop = true;
    }
    g_rCv.notify_all();
    ts[0].join();
    g_stop = true;
    g_jobCv.notify_all();
    g_sCv.notify_all();
    for( size_t i = 1; i < ts.size(); i++ ) ts[i].join();
    message( "Session ended after %d frames", g_p.frames );
    std::this_thread::sleep_for( std::chrono::milliseconds( 100 ) );
    return 0;
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: %s frames|threads|regress_a|regress_b\n", argv[0] );
        return 2;
    }
    g_p.scenario = argv[1];
    if( g_p.scenario == "frames" ) g_p.explosion_frame = 812;
    else if( g_p.scenario == "threads" ) g_p.tex_contention = true;
    else if( g_p.scenario == "regress_a" ) g_p.frames = 1000;
    else if( g_p.scenario == "regress_b" ) { g_p.frames = 1000; g_p.nav_ms = 8.0; }
    else
    {
        fprintf( stderr, "unknown scenario %s\n", argv[1] );
        return 2;
    }
    return run();
}
