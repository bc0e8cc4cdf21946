// harbor: a small open-world game at 60 fps instrumented with Tracy (benchmark data for profiler-analysis tools; not
// part of any project). Threads:
//   "Main thread"    Engine::Init (in frame 0), 20 main-menu frames (UI::MainMenu), then one frame that loads the level (Level::Load, with
//                    messages "Loading level harbor_district" / "Level loaded ..."), then gameplay frames:
//                    Game::Tick > Input::Poll, Net::PumpMessages (> Net::Dispatch), Game::Update (> Physics::Step,
//                    AI::Think, Scene::UpdateTransforms under Scene::mutex), Jobs::Kick, Jobs::WaitForWorkers,
//                    Render::Submit; then Game::WaitForVSync to the next 16.667 ms vblank and FrameMark.
//   "Render thread"  Render::Frame > Render::GatherVisible (Scene::mutex, in turn after the main thread),
//                    Render::Shadows (big but steady), Render::Opaque, Render::PostFX, Render::Present
//   "Worker 0..2"    Job::Animation, then Job::SimulateParticles under ParticleSystem::mutex, one worker after the
//                    other (dependency chain, Jobs::WaitForDependency), then Job::Culling
//   "Asset thread"   Streaming::LoadTexture (ZoneText = path) > IO::ReadFile, Texture::Transcode,
//                    TextureCache::Insert (> TextureCache::Evict when over the 96 MiB budget), Scene::RegisterTexture
// Memory (all with callstacks): pool "TextureCache" (textures, LRU, 96 MiB budget), pool "AudioBanks" (loaded with
// the level), default pool: level meshes/navmesh (held), Render::CommandBuffer and job scratch (freed each frame),
// Net::PacketBuffer (1536 B per received packet; reliable packets are kept until acked ~100 ms later).
//
// Usage: harbor <scenario>
//   cache_plateau       texture streaming fills the cache to its budget in ~3 s, then evicts as much as it inserts
//   busy_not_contended  Scene::mutex and ParticleSystem::mutex taken thousands of times per second, one thread at a
//                       time; no stutter
//   real_small_leak     as cache_plateau, but Net::ReliableChannel::OnAck forgets to free acked packets (~40/s)
//   loading_is_fine     2 s level load, one ~300 ms frame for "Opening world map"; gameplay smooth
//   regress a|b         a: 4 s of gameplay; b: the same build played for 6 s (more frames/streaming, same costs)
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
#include <list>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

#define NOINLINE __attribute__( ( noinline ) )

namespace
{

constexpr int64_t kVblankNs = 16666667;
constexpr int kDepth = 8;
const char* const kTexPool = "TextureCache";
const char* const kAudioPool = "AudioBanks";

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
    if( ms > 0.06 ) sleep_until_ns( end - 30000 );
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
    char s[16];
    snprintf( s, sizeof( s ), "%s", n );
    prctl( PR_SET_NAME, s );
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

// ---------------------------------------------------------------------------------------------------------------
// Scenario parameters

struct params
{
    std::string scenario;
    uint32_t seed = 0x68617262;
    double gameplay_s = 5.5;
    int menu_frames = 20;
    double load_ms = 800;           // whole Level::Load
    double tex_period_ms = 50;      // asset thread: one texture request per period
    bool leak_acks = false;         // real_small_leak
    int scene_iters = 6;            // Scene::mutex acquisitions per thread per frame
    double scene_hold_ms = 0.25;
    int particle_iters = 5;         // ParticleSystem::mutex acquisitions per worker per frame
    double particle_hold_ms = 0.25;
    bool world_map = false;         // loading_is_fine
    double world_map_at_s = 2.4;    // seconds into gameplay
};

params g_p;

// ---------------------------------------------------------------------------------------------------------------
// Locks

TracyLockableN( std::mutex, g_scene_mutex, "Scene::mutex" );
TracyLockableN( std::mutex, g_particle_mutex, "ParticleSystem::mutex" );

// ---------------------------------------------------------------------------------------------------------------
// Memory helpers (distinct call sites; callstacks recorded)

NOINLINE void* level_alloc( size_t n )
{
    void* p = malloc( n );
    memset( p, 0x12, 64 );
    TracyAllocS( p, n, kDepth );
    return p;
}

NOINLINE void* audio_bank_alloc( size_t n )
{
    void* p = malloc( n );
    memset( p, 0x13, 64 );
    TracyAllocNS( p, n, kDepth, kAudioPool );
    return p;
}

NOINLINE void* command_buffer_alloc( size_t n )
{
    void* p = malloc( n );
    memset( p, 0x14, 64 );
    TracyAllocS( p, n, kDepth );
    return p;
}

NOINLINE void command_buffer_free( void* p )
{
    static_cast<volatile unsigned char*>( p )[1] = 0x17;
    TracyFreeS( p, kDepth );
    free( p );
}

NOINLINE void* job_scratch_alloc( size_t n )
{
    void* p = malloc( n );
    memset( p, 0x15, 64 );
    TracyAllocS( p, n, kDepth );
    return p;
}

NOINLINE void job_scratch_free( void* p )
{
    static_cast<volatile unsigned char*>( p )[1] = 0x18;
    TracyFreeS( p, kDepth );
    free( p );
}

// Net::PacketBuffer
constexpr size_t kPacketBytes = 1536;

NOINLINE void* packet_buffer_acquire()
{
    void* p = malloc( kPacketBytes );
    memset( p, 0, 64 );
    TracyAllocS( p, kPacketBytes, kDepth );
    return p;
}

NOINLINE void packet_buffer_release( void* p )
{
    static_cast<volatile unsigned char*>( p )[1] = 0x19;
    TracyFreeS( p, kDepth );
    free( p );
}

NOINLINE void* texture_alloc( size_t n )
{
    void* p = malloc( n );
    memset( p, 0x16, 64 );
    TracyAllocNS( p, n, kDepth, kTexPool );
    return p;
}

NOINLINE void texture_free( void* p )
{
    static_cast<volatile unsigned char*>( p )[1] = 0x1a;
    TracyFreeNS( p, kDepth, kTexPool );
    free( p );
}

// ---------------------------------------------------------------------------------------------------------------
// Frame hand-off between main, workers and render thread

std::mutex g_sync;
std::condition_variable g_cv;
uint64_t g_kick_gen = 0;     // workers: frame generation to run
int g_workers_done = 0;
int g_particle_turn = 0;
uint64_t g_submit_gen = 0;   // render thread: frame to draw
uint64_t g_render_done_gen = 0;
std::atomic<int64_t> g_frame_counter{ 0 };

// ---------------------------------------------------------------------------------------------------------------
// Net

struct pending_packet
{
    void* buf;
    int64_t ack_at;
    uint32_t seq;
};

std::deque<pending_packet> g_pending;  // reliable packets waiting for their ack
uint32_t g_net_seq = 0;
int g_leaked_packets = 0;

NOINLINE void net_reliable_on_ack( pending_packet& pk )
{
    ZoneScopedN( "Net::ReliableChannel::OnAck" );
    if( !g_p.leak_acks ) packet_buffer_release( pk.buf );
    else g_leaked_packets++;  // bug: the acked packet is dropped from the queue but its buffer is never released
}

NOINLINE void net_pump( rng_t& rng )
{
    ZoneScopedN( "Net::PumpMessages" );
    const int64_t t = now_ns();
    // acks that arrived
    while( !g_pending.empty() && g_pending.front().ack_at <= t )
    {
        net_reliable_on_ack( g_pending.front() );
        g_pending.pop_front();
    }
    const int n = 1 + ( rng.uni( 0, 1 ) < 0.8 ? 1 : 0 );
    for( int i = 0; i < n; i++ )
    {
        void* buf = packet_buffer_acquire();
        busy_ms( 0.05 );
        const bool reliable = rng.uni( 0, 1 ) < 0.37;
        ZoneScopedN( "Net::Dispatch" );
        ZoneValue( g_net_seq );
        busy_ms( rng( 0.08, 0.3 ) );
        if( reliable ) g_pending.push_back( { buf, now_ns() + (int64_t)( rng( 100, 0.2 ) * 1e6 ), g_net_seq } );
        else packet_buffer_release( buf );
        g_net_seq++;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Workers

void worker_thread( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    name_thread( name );
    rng_t rng( g_p.seed + 100 + idx );
    uint64_t seen = 0;
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( g_sync );
            g_cv.wait( lk, [&] { return g_stop.load() || g_kick_gen != seen; } );
            if( g_stop.load() ) return;
            seen = g_kick_gen;
        }
        {
            ZoneScopedN( "Job::Animation" );
            void* scratch = job_scratch_alloc( 64 * 1024 );
            busy_ms( rng( 1.0 + 0.2 * idx, 0.1 ) );
            job_scratch_free( scratch );
        }
        {
            ZoneScopedN( "Jobs::WaitForDependency" );
            std::unique_lock<std::mutex> lk( g_sync );
            g_cv.wait( lk, [&] { return g_particle_turn == idx; } );
        }
        {
            ZoneScopedN( "Job::SimulateParticles" );
            ZoneValue( idx );
            for( int i = 0; i < g_p.particle_iters; i++ )
            {
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_particle_mutex );
                    busy_ms( rng( g_p.particle_hold_ms, 0.1 ) );
                }
                busy_ms( 0.01 );
            }
        }
        {
            std::lock_guard<std::mutex> lk( g_sync );
            g_particle_turn = idx + 1;
        }
        g_cv.notify_all();
        {
            ZoneScopedN( "Job::Culling" );
            busy_ms( rng( 0.6, 0.1 ) );
        }
        {
            std::lock_guard<std::mutex> lk( g_sync );
            g_workers_done++;
        }
        g_cv.notify_all();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Render thread

void render_thread()
{
    name_thread( "Render thread" );
    rng_t rng( g_p.seed + 7 );
    uint64_t seen = 0;
    for( ;; )
    {
        uint64_t gen;
        {
            std::unique_lock<std::mutex> lk( g_sync );
            g_cv.wait( lk, [&] { return g_stop.load() || g_submit_gen != seen; } );
            if( g_stop.load() && g_submit_gen == seen ) return;
            gen = seen = g_submit_gen;
        }
        {
            ZoneScopedN( "Render::Frame" );
            ZoneValue( gen );
            void* cb = command_buffer_alloc( 256 * 1024 );
            {
                ZoneScopedN( "Render::GatherVisible" );
                for( int i = 0; i < g_p.scene_iters; i++ )
                {
                    {
                        std::lock_guard<LockableBase( std::mutex )> lk( g_scene_mutex );
                        busy_ms( rng( g_p.scene_hold_ms, 0.1 ) );
                    }
                    busy_ms( 0.01 );
                }
            }
            {
                ZoneScopedN( "Render::Shadows" );
                busy_ms( rng( 4.2, 0.04 ) );
            }
            {
                ZoneScopedN( "Render::Opaque" );
                busy_ms( rng( 2.6, 0.05 ) );
            }
            {
                ZoneScopedN( "Render::PostFX" );
                busy_ms( rng( 1.1, 0.05 ) );
            }
            {
                ZoneScopedN( "Render::Present" );
                busy_ms( rng( 0.3, 0.1 ) );
            }
            command_buffer_free( cb );
        }
        {
            std::lock_guard<std::mutex> lk( g_sync );
            g_render_done_gen = gen;
        }
        g_cv.notify_all();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Asset thread: texture streaming with an LRU cache

const char* const kTexDirs[] = { "harbor/docks", "harbor/market", "harbor/lighthouse", "harbor/warehouses",
                                 "characters/crew", "props/crates", "props/ropes", "terrain/cliffs", "vegetation/palms",
                                 "ships/schooner" };
const char* const kTexNames[] = { "albedo", "normal", "orm", "emissive", "detail", "mask" };

struct tex_entry
{
    std::string path;
    void* mem;
    size_t size;
};

std::list<tex_entry> g_lru;  // front = most recent
size_t g_cache_bytes = 0;
constexpr size_t kCacheBudget = 96ull << 20;

NOINLINE void texture_cache_evict( size_t need )
{
    ZoneScopedN( "TextureCache::Evict" );
    int n = 0;
    while( g_cache_bytes + need > kCacheBudget && !g_lru.empty() )
    {
        tex_entry& e = g_lru.back();
        texture_free( e.mem );
        g_cache_bytes -= e.size;
        g_lru.pop_back();
        n++;
        busy_ms( 0.04 );
    }
    ZoneValue( n );
}

NOINLINE void texture_cache_insert( const std::string& path, size_t size )
{
    ZoneScopedN( "TextureCache::Insert" );
    ZoneText( path.c_str(), path.size() );
    if( g_cache_bytes + size > kCacheBudget ) texture_cache_evict( size );
    void* mem = texture_alloc( size );
    g_lru.push_front( { path, mem, size } );
    g_cache_bytes += size;
    busy_ms( 0.1 );
    TracyPlot( "TextureCache bytes", (int64_t)g_cache_bytes );
}

void asset_thread()
{
    name_thread( "Asset thread" );
    rng_t rng( g_p.seed + 11 );
    TracyPlotConfig( "TextureCache bytes", tracy::PlotFormatType::Memory, false, true, 0 );
    int64_t next = now_ns();
    int idx = 0;
    const size_t sizes[] = { 256u << 10, 512u << 10, 1u << 20, 1u << 20, 2u << 20, 2u << 20, 4u << 20 };
    while( !g_stop.load() )
    {
        sleep_until_ns( next );
        if( g_stop.load() ) break;
        next += (int64_t)( rng( g_p.tex_period_ms, 0.15 ) * 1e6 );
        char path[128];
        snprintf( path, sizeof( path ), "textures/%s/%s_%03d.ktx2", kTexDirs[rng.range( 0, 9 )],
                  kTexNames[rng.range( 0, 5 )], idx++ );
        const size_t size = sizes[rng.range( 0, 6 )];
        ZoneScopedN( "Streaming::LoadTexture" );
        ZoneText( path, strlen( path ) );
        {
            ZoneScopedN( "IO::ReadFile" );
            busy_ms( rng( 3.0 + 2.0 * ( size >> 20 ), 0.2 ) );
        }
        {
            ZoneScopedN( "Texture::Transcode" );
            busy_ms( rng( 1.0 + 0.8 * ( size >> 20 ), 0.1 ) );
        }
        texture_cache_insert( path, size );
        {
            ZoneScopedN( "Scene::RegisterTexture" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_scene_mutex );
            busy_ms( 0.03 );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main thread

struct level_data
{
    std::vector<void*> blocks;
};
level_data g_level;

void load_level()
{
    message( "Loading level harbor_district" );
    const int64_t t0 = now_ns();
    ZoneScopedN( "Level::Load" );
    ZoneText( "harbor_district", 15 );
    const double s = g_p.load_ms / 2000.0;  // 2 s at scale 1
    {
        ZoneScopedN( "Level::LoadMeshes" );
        for( int i = 0; i < 12; i++ )
        {
            g_level.blocks.push_back( level_alloc( 4u << 20 ) );
            busy_ms( 60 * s );
        }
    }
    {
        ZoneScopedN( "Level::LoadNavmesh" );
        g_level.blocks.push_back( level_alloc( 6u << 20 ) );
        busy_ms( 260 * s );
    }
    {
        ZoneScopedN( "Audio::LoadBanks" );
        for( int i = 0; i < 6; i++ )
        {
            g_level.blocks.push_back( audio_bank_alloc( 2u << 20 ) );
            busy_ms( 50 * s );
        }
    }
    {
        ZoneScopedN( "Shaders::CompilePipelines" );
        busy_ms( 720 * s );
    }
    message( "Level loaded in %.0f ms (48 MiB meshes, 6 MiB navmesh, 12 MiB audio banks)",
             ( now_ns() - t0 ) / 1e6 );
}

void run( const params& p )
{
    name_thread( "Main thread" );
    rng_t rng( p.seed );
    message( "harbor 0.9.3 (build 4471), profile build, save slot 2" );

    {
        // engine start-up (before the first frame mark; leaves Tracy's own start-up work out of the menu frames)
        ZoneScopedN( "Engine::Init" );
        {
            ZoneScopedN( "Renderer::CreateDevice" );
            busy_ms( 180 );
        }
        message( "Renderer: Vulkan 1.3, 2560x1440, present mode FIFO (vsync 60 Hz)" );
        {
            ZoneScopedN( "Jobs::CreateWorkers" );
            busy_ms( 20 );
        }
        {
            ZoneScopedN( "Config::Load" );
            busy_ms( 200 );
        }
    }
    std::thread render( render_thread );
    std::vector<std::thread> workers;
    for( int i = 0; i < 3; i++ ) workers.emplace_back( worker_thread, i );

    uint64_t frame = 0;
    int64_t vblank = now_ns() + kVblankNs;
    auto end_frame = [&]( bool submit ) {
        if( submit )
        {
            ZoneScopedN( "Render::Submit" );
            std::unique_lock<std::mutex> lk( g_sync );
            g_cv.wait( lk, [&] { return g_render_done_gen == g_submit_gen; } );  // one frame in flight
            g_submit_gen = ++frame;
            lk.unlock();
            g_cv.notify_all();
        }
        {
            ZoneScopedN( "Game::WaitForVSync" );
            const int64_t t = now_ns();
            while( vblank < t + 200000 ) vblank += kVblankNs;  // missed vblanks are skipped
            sleep_until_ns( vblank );
        }
        FrameMark;
    };

    // main menu
    for( int i = 0; i < p.menu_frames; i++ )
    {
        {
            ZoneScopedN( "UI::MainMenu" );
            busy_ms( rng( 1.5, 0.1 ) );
        }
        end_frame( true );
    }
    message( "Menu: 'Continue' selected, save slot 2" );
    // level load: one long frame
    load_level();
    end_frame( true );

    std::thread assets( asset_thread );
    const int64_t game_start = now_ns();
    const int64_t game_end = game_start + (int64_t)( p.gameplay_s * 1e9 );
    bool map_done = false;
    while( now_ns() < game_end )
    {
        {
            ZoneScopedN( "Game::Tick" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( rng( 0.2, 0.1 ) );
            }
            net_pump( rng );
            {
                ZoneScopedN( "Game::Update" );
                {
                    ZoneScopedN( "Physics::Step" );
                    busy_ms( rng( 1.1, 0.08 ) );
                }
                {
                    ZoneScopedN( "AI::Think" );
                    busy_ms( rng( 0.8, 0.1 ) );
                }
                {
                    ZoneScopedN( "Scene::UpdateTransforms" );
                    for( int i = 0; i < p.scene_iters; i++ )
                    {
                        {
                            std::lock_guard<LockableBase( std::mutex )> lk( g_scene_mutex );
                            busy_ms( rng( p.scene_hold_ms, 0.1 ) );
                        }
                        busy_ms( 0.01 );
                    }
                }
            }
            if( p.world_map && !map_done && now_ns() - game_start > (int64_t)( p.world_map_at_s * 1e9 ) )
            {
                map_done = true;
                message( "Opening world map" );
                ZoneScopedN( "UI::WorldMap::Open" );
                {
                    ZoneScopedN( "WorldMap::BuildTerrainTexture" );
                    busy_ms( 215 );
                }
                {
                    ZoneScopedN( "WorldMap::PlaceMarkers" );
                    busy_ms( 70 );
                }
            }
            {
                ZoneScopedN( "Jobs::Kick" );
                std::lock_guard<std::mutex> lk( g_sync );
                g_workers_done = 0;
                g_particle_turn = 0;
                g_kick_gen++;
            }
            g_cv.notify_all();
            {
                ZoneScopedN( "Jobs::WaitForWorkers" );
                std::unique_lock<std::mutex> lk( g_sync );
                g_cv.wait( lk, [&] { return g_workers_done == 3; } );
            }
        }
        end_frame( true );
    }
    message( "Capture stopped after %llu frames (%d packets received)", (unsigned long long)frame, (int)g_net_seq );
    g_stop.store( true );
    g_cv.notify_all();
    assets.join();
    render.join();
    for( auto& w : workers ) w.join();
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: harbor cache_plateau|busy_not_contended|real_small_leak|loading_is_fine|regress a|b\n" );
        return 2;
    }
    params p;
    p.scenario = argv[1];
    if( p.scenario == "cache_plateau" )
    {
    }
    else if( p.scenario == "real_small_leak" )
    {
        p.leak_acks = true;
    }
    else if( p.scenario == "busy_not_contended" )
    {
        p.gameplay_s = 4.5;
        p.tex_period_ms = 120;
        p.scene_iters = 24;
        p.scene_hold_ms = 0.08;
        p.particle_iters = 10;
        p.particle_hold_ms = 0.08;
    }
    else if( p.scenario == "loading_is_fine" )
    {
        p.load_ms = 2000;
        p.gameplay_s = 4.5;
        p.tex_period_ms = 90;
        p.world_map = true;
    }
    else if( p.scenario == "regress" && argc >= 3 )
    {
        p.tex_period_ms = 120;
        p.gameplay_s = argv[2][0] == 'a' ? 3.5 : 5.5;
        p.scenario += std::string( " " ) + argv[2];
    }
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 2;
    }
    g_p = p;
    run( p );
    return 0;
}
