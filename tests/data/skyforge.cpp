// skyforge: the start-up of a 3D game (an open-world client) instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project). Before its first FrameMark the main thread runs App::Init:
// Config::Load, Log::Init (starts the "Log" thread), Platform::InitWindow, Jobs::StartPool (threads "Loader 0..3"),
// Telemetry::Start (thread "Telemetry"), Net::BeginConnect (thread "Net": Net::ConnectToServer), [Plugins::Scan],
// Assets::LoadManifest (queues every asset on the loader pool: Asset::Load > Asset::Read, Asset::Decompress,
// Asset::Register under "AssetRegistry::mutex"), Renderer::Init (Renderer::CreateDevice, Renderer::CompileShaders >
// Shader::Compile per shader, ZoneText = the shader, Renderer::CreatePipelines), Audio::Init, App::WaitForAssets,
// World::Load, UI::Init, Net::WaitForLogin. Then ~160 frames at 60 Hz (Game::Frame, sleep to the next boundary;
// the first frame builds the font atlas lazily) and it exits.
//
// Usage: skyforge <scenario>
//   serial_shaders  the pipeline cache is stale: all 120 shaders are compiled (10-20 ms each) one after another on
//                   the main thread inside Renderer::CompileShaders while the 4 loaders finished their assets early
//   blocked_loader  the Telemetry thread uploads 3 pending reports (crash dumps, usage) while holding
//                   AssetRegistry::mutex (Telemetry::Upload inside the lock); every Asset::Register blocks, the pool
//                   stalls, the main thread waits in App::WaitForAssets
//   regress_a       the normal start-up (pipeline cache hits, telemetry uploads outside the lock)
//   regress_b       regress_a plus a new Plugins::Scan on the main thread before Assets::LoadManifest: 400
//                   Plugin::ReadManifest of ~2.5 ms each
//
// Run ONLY inside a loopback-only network namespace with TRACY_NO_EXIT=1 (see /work/team/bin/record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
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

#include "tracy/Tracy.hpp"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace
{

volatile double g_sink = 0.0;

void busy_for( double us, double tail_us = 250.0 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > tail_us + 150.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}
void ms_( double ms ) { busy_for( ms * 1000.0 ); }

struct rng_t
{
    std::mt19937 g;
    std::mutex m;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.05 )
    {
        std::lock_guard<std::mutex> lk( m );
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
    double uni( double lo, double hi )
    {
        std::lock_guard<std::mutex> lk( m );
        return std::uniform_real_distribution<double>( lo, hi )( g );
    }
};

void msg( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void msg( const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyMessage( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ) );
}

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_TIMERSLACK, 1UL );
}

#define ztext( s ) do { const std::string _zt( s ); ZoneText( _zt.c_str(), _zt.size() ); } while( 0 )

struct scenario
{
    bool serial_shaders = false;
    bool telemetry_in_lock = false;
    bool plugin_scan = false;
};
scenario S;
rng_t R{ 1 };

// ---- log: a busy but uncontended mutex ----------------------------------------------------------------------

TracyLockableN( std::mutex, g_log_mutex, "Log::mutex" );
std::vector<std::string> g_log_lines;
std::atomic<bool> g_log_stop{ false };

void log_line( const char* s )
{
    std::lock_guard<LockableBase( std::mutex )> lk( g_log_mutex );
    g_log_lines.emplace_back( s );
}

void log_thread()
{
    name_thread( "Log" );
    while( !g_log_stop.load() )
    {
        std::this_thread::sleep_for( 50ms );
        std::vector<std::string> batch;
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_log_mutex );
            batch.swap( g_log_lines );
        }
        if( batch.empty() ) continue;
        ZoneScopedN( "Log::Flush" );
        ZoneValue( batch.size() );
        busy_for( 300 + 20.0 * batch.size() );   // write to game.log
    }
}

// ---- asset registry --------------------------------------------------------------------------------------

TracyLockableN( std::mutex, g_registry_mutex, "AssetRegistry::mutex" );
std::vector<std::string> g_registry;

// ---- loader pool -----------------------------------------------------------------------------------------

struct pool_t
{
    std::vector<std::thread> ts;
    std::mutex m;
    std::condition_variable cv, done_cv;
    std::deque<std::function<void()>> q;
    int pending = 0;
    bool stop = false;

    void start( int n )
    {
        for( int i = 0; i < n; i++ ) ts.emplace_back( [this, i] { loop( i ); } );
    }
    void loop( int i )
    {
        char nm[32];
        snprintf( nm, sizeof( nm ), "Loader %d", i );
        name_thread( nm );
        for( ;; )
        {
            std::function<void()> f;
            {
                std::unique_lock<std::mutex> lk( m );
                cv.wait( lk, [&] { return stop || !q.empty(); } );   // idle: not zoned
                if( q.empty() ) return;
                f = std::move( q.front() );
                q.pop_front();
            }
            f();
            {
                std::lock_guard<std::mutex> lk( m );
                pending--;
            }
            done_cv.notify_all();
        }
    }
    void submit( std::function<void()> f )
    {
        {
            std::lock_guard<std::mutex> lk( m );
            pending++;
            q.push_back( std::move( f ) );
        }
        cv.notify_one();
    }
    void wait_idle()
    {
        std::unique_lock<std::mutex> lk( m );
        done_cv.wait( lk, [&] { return pending == 0; } );
    }
    void shutdown()
    {
        {
            std::lock_guard<std::mutex> lk( m );
            stop = true;
        }
        cv.notify_all();
        for( auto& t : ts ) t.join();
    }
};
pool_t g_pool;

struct asset_t
{
    std::string path;
    double read_ms, decompress_ms;
};

void load_asset( const asset_t& a )
{
    ZoneScopedN( "Asset::Load" );
    ztext( a.path );
    {
        ZoneScopedN( "Asset::Read" );
        ms_( a.read_ms );
    }
    {
        ZoneScopedN( "Asset::Decompress" );
        ms_( a.decompress_ms );
    }
    {
        ZoneScopedN( "Asset::Register" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_registry_mutex );
        busy_for( R( 60 ) );
        g_registry.push_back( a.path );
    }
    char line[200];
    snprintf( line, sizeof( line ), "loaded %s", a.path.c_str() );
    log_line( line );
}

std::vector<asset_t> make_manifest()
{
    const char* dirs[] = { "textures/env", "textures/chars", "textures/props", "meshes/props", "meshes/chars",
                           "anims/locomotion", "materials", "prefabs/town", "audio/sfx", "fx/particles" };
    const char* stems[] = { "rock", "bark", "brick", "hero", "villager", "barrel", "crate", "lantern", "banner",
                            "fence", "cart", "well", "torch", "door", "roof", "stall", "anvil", "horse", "sword",
                            "shield", "tree_oak", "tree_pine", "grass", "cliff" };
    std::vector<asset_t> v;
    std::mt19937 g( 4242 );
    std::uniform_real_distribution<double> rd( 2.0, 4.5 ), dd( 1.5, 3.0 );
    for( int i = 0; i < 240; i++ )
    {
        char p[96];
        snprintf( p, sizeof( p ), "%s/%s_%02d.pak", dirs[i % 10], stems[( i * 7 ) % 24], i / 10 );
        v.push_back( { p, rd( g ), dd( g ) } );
    }
    // the big one: long, but it runs in parallel with everything else
    v.insert( v.begin() + 3, { "world/terrain_lod0.pak", 220.0, 230.0 } );
    return v;
}

// ---- telemetry -------------------------------------------------------------------------------------------

std::atomic<bool> g_telemetry_stop{ false };

void telemetry_thread()
{
    name_thread( "Telemetry" );
    {
        ZoneScopedN( "Telemetry::Collect" );
        ms_( 20 );
    }
    const char* reports[] = { "crash_2024-05-11_2231.dmp", "crash_2024-05-12_0914.dmp", "usage_session_0412.json" };
    msg( "Telemetry: 3 pending reports to upload" );
    for( int i = 0; i < 3; i++ )
    {
        ZoneScopedN( "Telemetry::SendReport" );
        ztext( reports[i] );
        {
            ZoneScopedN( "Telemetry::Compress" );
            ms_( R( 18 ) );
        }
        const double up = i == 0 ? 310 : i == 1 ? 285 : 300;
        if( S.telemetry_in_lock )
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_registry_mutex );
            {
                ZoneScopedN( "Telemetry::SnapshotAssets" );
                ZoneValue( g_registry.size() );
                ms_( 2.5 );
            }
            ZoneScopedN( "Telemetry::Upload" );
            ms_( R( up, 0.02 ) );
        }
        else
        {
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_registry_mutex );
                ZoneScopedN( "Telemetry::SnapshotAssets" );
                ZoneValue( g_registry.size() );
                ms_( 2.5 );
            }
            ZoneScopedN( "Telemetry::Upload" );
            ms_( R( up, 0.02 ) );
        }
        msg( "Telemetry: uploaded %s", reports[i] );
        std::this_thread::sleep_for( 15ms );
    }
    // heartbeat once a second afterwards
    while( !g_telemetry_stop.load() )
    {
        for( int k = 0; k < 100 && !g_telemetry_stop.load(); k++ ) std::this_thread::sleep_for( 10ms );
        if( g_telemetry_stop.load() ) break;
        ZoneScopedN( "Telemetry::Heartbeat" );
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_registry_mutex );
            ZoneScopedN( "Telemetry::SnapshotAssets" );
            ZoneValue( g_registry.size() );
            ms_( 1.0 );
        }
        ms_( R( 6 ) );
    }
}

// ---- network ---------------------------------------------------------------------------------------------

std::atomic<bool> g_logged_in{ false };
std::mutex g_net_m;
std::condition_variable g_net_cv;

void net_thread()
{
    name_thread( "Net" );
    {
        ZoneScopedN( "Net::ConnectToServer" );
        ztext( "eu-west.skyforge-online.net:7777" );
        {
            ZoneScopedN( "Net::ResolveHost" );
            ms_( R( 55 ) );
        }
        {
            ZoneScopedN( "Net::TcpConnect" );
            ms_( R( 120 ) );
        }
        {
            ZoneScopedN( "Net::TlsHandshake" );
            ms_( R( 190 ) );
        }
        {
            ZoneScopedN( "Net::Login" );
            ms_( R( 190 ) );
        }
    }
    msg( "Net: logged in to eu-west.skyforge-online.net (session 7f3a91)" );
    {
        std::lock_guard<std::mutex> lk( g_net_m );
        g_logged_in = true;
    }
    g_net_cv.notify_all();
}

std::thread g_logt, g_nett, g_telt;

// ---- start-up steps --------------------------------------------------------------------------------------

std::vector<std::string> shader_names()
{
    const char* base[] = { "pbr_opaque", "pbr_alpha", "terrain", "water", "foliage", "skin", "hair", "particles",
                           "ui", "postfx_bloom", "postfx_tonemap", "shadow_depth", "sky", "decal", "volumetric_fog" };
    const char* var[] = { "", "_skinned", "_instanced", "_lod" };
    const char* stage[] = { "vs", "ps" };
    std::vector<std::string> v;
    for( auto vr : var )
        for( auto b : base )
            for( auto st : stage )
                v.push_back( std::string( "shaders/" ) + b + vr + "." + st );
    return v;   // 15 * 4 * 2 = 120
}

void compile_shaders()
{
    ZoneScopedN( "Renderer::CompileShaders" );
    {
        ZoneScopedN( "Renderer::LoadPipelineCache" );
        ms_( S.serial_shaders ? 4 : 35 );
    }
    const auto names = shader_names();
    if( S.serial_shaders ) msg( "ShaderCache: pipeline cache version mismatch (driver 551.86), 0 of %zu shaders cached", names.size() );
    else msg( "ShaderCache: %zu of %zu shaders cached", names.size(), names.size() );
    std::mt19937 g( 99 );
    std::uniform_real_distribution<double> cd( 10.0, 20.0 );
    for( auto& n : names )
    {
        ZoneScopedN( "Shader::Compile" );
        ztext( n );
        {
            ZoneScopedN( "ShaderCache::Lookup" );
            ms_( S.serial_shaders ? 0.15 : 0.9 );
        }
        const double c = cd( g );
        log_line( n.c_str() );
        if( S.serial_shaders )
        {
            ZoneScopedN( "Shader::CompileSource" );
            ms_( c );
        }
    }
}

void app_init()
{
    ZoneScopedN( "App::Init" );
    {
        ZoneScopedN( "Config::Load" );
        ztext( "settings.ini" );
        ms_( 25 );
        msg( "Config: loaded settings.ini (profile 'High', 2560x1440)" );
    }
    {
        ZoneScopedN( "Log::Init" );
        g_logt = std::thread( log_thread );
        ms_( 2 );
    }
    {
        ZoneScopedN( "Platform::InitWindow" );
        {
            ZoneScopedN( "Platform::CreateWindow" );
            ms_( 60 );
        }
        {
            ZoneScopedN( "Platform::InitInput" );
            ms_( 28 );
        }
    }
    {
        ZoneScopedN( "Jobs::StartPool" );
        g_pool.start( 4 );
        ms_( 1.5 );
    }
    {
        ZoneScopedN( "Net::BeginConnect" );
        g_nett = std::thread( net_thread );
        ms_( 0.5 );
    }
    {
        ZoneScopedN( "Telemetry::Start" );
        g_telt = std::thread( telemetry_thread );
        ms_( 0.8 );
    }
    if( S.plugin_scan )
    {
        ZoneScopedN( "Plugins::Scan" );
        ztext( "plugins/" );
        ms_( 8 );   // list the directory
        const char* vend[] = { "modkit", "uiextras", "questlib", "mapmarkers", "soundpack", "hudplus", "craftx", "petsys" };
        for( int i = 0; i < 400; i++ )
        {
            ZoneScopedN( "Plugin::ReadManifest" );
            char p[96];
            snprintf( p, sizeof( p ), "plugins/%s_%03d/plugin.json", vend[i % 8], i );
            ztext( p );
            ms_( R( 2.45, 0.12 ) );
        }
        msg( "Plugins: 400 manifests read, 12 enabled" );
    }
    std::vector<asset_t> manifest;
    {
        ZoneScopedN( "Assets::LoadManifest" );
        ms_( 42 );
        manifest = make_manifest();
        ZoneValue( manifest.size() );
        msg( "Assets: manifest has %zu assets, queued on 4 loaders", manifest.size() );
        for( auto& a : manifest ) g_pool.submit( [a] { load_asset( a ); } );
    }
    {
        ZoneScopedN( "Renderer::Init" );
        {
            ZoneScopedN( "Renderer::CreateDevice" );
            ms_( 105 );
            msg( "Renderer: Vulkan 1.3 device 'NVIDIA GeForce RTX 3070'" );
        }
        compile_shaders();
        {
            ZoneScopedN( "Renderer::CreatePipelines" );
            ms_( 48 );
        }
    }
    {
        ZoneScopedN( "Audio::Init" );
        {
            ZoneScopedN( "Audio::OpenDevice" );
            ms_( 38 );
        }
        {
            ZoneScopedN( "Audio::LoadBanks" );
            ms_( 22 );
        }
    }
    {
        ZoneScopedN( "App::WaitForAssets" );
        g_pool.wait_idle();
    }
    {
        ZoneScopedN( "World::Load" );
        {
            ZoneScopedN( "World::SpawnEntities" );
            ms_( 80 );
        }
        {
            ZoneScopedN( "Nav::BuildGraph" );
            ms_( 38 );
        }
    }
    {
        ZoneScopedN( "UI::Init" );
        ms_( 28 );
    }
    {
        ZoneScopedN( "Net::WaitForLogin" );
        std::unique_lock<std::mutex> lk( g_net_m );
        g_net_cv.wait( lk, [] { return g_logged_in.load(); } );
    }
}

// ---- frames ----------------------------------------------------------------------------------------------

void game_frame( int f )
{
    ZoneScopedN( "Game::Frame" );
    {
        ZoneScopedN( "Input::Poll" );
        ms_( R( 0.3 ) );
    }
    {
        ZoneScopedN( "Game::Update" );
        {
            ZoneScopedN( "AI::Think" );
            ms_( R( 1.1 ) );
        }
        ms_( R( 1.2 ) );
    }
    {
        ZoneScopedN( "Physics::Step" );
        ms_( R( 2.0 ) );
    }
    if( f == 0 )
    {
        ZoneScopedN( "UI::BuildFontAtlas" );
        ms_( 34 );
    }
    {
        ZoneScopedN( "Renderer::DrawFrame" );
        {
            ZoneScopedN( "Renderer::Cull" );
            ms_( R( 0.8 ) );
        }
        {
            ZoneScopedN( "Renderer::Submit" );
            ms_( R( 2.4 ) );
        }
    }
    if( f % 20 == 0 ) log_line( "frame stats" );
}

}   // namespace

int main( int argc, char** argv )
{
    const std::string sc = argc > 1 ? argv[1] : "regress_a";
    if( sc == "serial_shaders" ) S.serial_shaders = true;
    else if( sc == "blocked_loader" ) S.telemetry_in_lock = true;
    else if( sc == "regress_a" ) {}
    else if( sc == "regress_b" ) S.plugin_scan = true;
    else
    {
        fprintf( stderr, "unknown scenario %s\n", sc.c_str() );
        return 2;
    }
    name_thread( "Main" );
    TracyAppInfo( "skyforge client 0.9.3", 21 );
    const auto t_start = Clock::now();

    app_init();
    FrameMark;
    const double startup_ms = std::chrono::duration<double, std::milli>( Clock::now() - t_start ).count();
    msg( "Startup complete in %.0f ms", startup_ms );

    const auto t0 = Clock::now();
    const std::chrono::nanoseconds period( 16666667 );
    for( int f = 0; f < 160; f++ )
    {
        game_frame( f );
        const auto k = ( Clock::now() - t0 ) / period + 1;
        std::this_thread::sleep_until( t0 + k * period );
        FrameMark;
    }
    msg( "Shutdown" );
    {
        ZoneScopedN( "App::Shutdown" );
        g_pool.shutdown();
        g_telemetry_stop = true;
        g_telt.join();
        g_nett.join();
        g_log_stop = true;
        g_logt.join();
        ms_( 10 );
    }
    return 0;
}
