// coldstart: a 3D action game entering a level, instrumented with Tracy (benchmark data for profiler-analysis
// tools; not part of any project). Threads:
//   main ("Main thread")  load screen: LoadingScreen::Draw + Renderer::Present at 60 Hz while the loader works;
//                         gameplay: Game::Frame > Input::Poll, World::Update (> AI::Think, Physics::Step,
//                         Anim::Update), Texture::UploadPending (under AssetRegistry::mutex), Renderer::ShadowPass,
//                         Renderer::DrawScene (> Material::Bind per draw batch; the first time a material is seen its
//                         shader is built: Shader::CompileVariant, ZoneText = material), UI::DrawHUD, Renderer::Submit,
//                         Renderer::Present (sleeps to the next 16.667 ms vblank), FrameMark.
//   Loader                Level::Load > Assets::LoadManifest, Assets::LoadMeshes, Assets::LoadAnimations,
//                         Assets::LoadBaseTextures, Nav::LoadMesh, [precompile b: Shader::PrecompileAll >
//                         Shader::CompileVariant x40], then "Loading complete".
//   TextureStreamer       Texture::StreamIn (ZoneText = texture) > IO::ReadFile, Texture::Transcode: first-time high
//                         mips requested by the main thread, mostly in the first seconds of gameplay (not a hitch).
//   AudioMixer            Audio::Mix every 10 ms.
// Plots: "draw calls", "texture pool MB", "shader cache entries". Lock: AssetRegistry::mutex (short, uncontended).
//
// Usage: coldstart <scenario>
//   first_seconds   shaders compiled on first use on the main thread (~40 materials, 15-60 ms each, most in the
//                   first seconds after "Level start")
//   precompile a    same as first_seconds (baseline)
//   precompile b    Shader::PrecompileAll on the loader before "Loading complete": longer load, no gameplay compiles
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
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
volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };
std::atomic<bool> g_loaded{ false };

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

bool g_precompile = false;

// ---------------------------------------------------------------------------------------------------------------
// Materials: 40 distinct, each with a shader variant that must be built once.

const char* const kMaterials[] = {
    "M_Harbor_Cobblestone", "M_Harbor_Water",      "M_Sky_Dusk",          "M_Char_Player_Body",  "M_Char_Player_Hair",
    "M_Rock_Cliff",         "M_Wood_Dock",         "M_Foliage_Ivy",       "M_Metal_Rust",        "M_Brick_Wall",
    "M_Glass_Window",       "M_Cloth_Sail",        "M_Rope_Hemp",         "M_Char_Guard_Armor",  "M_Char_Guard_Skin",
    "M_Decal_Puddle",       "M_Fx_Smoke",          "M_Fx_TorchFire",      "M_Lantern_Emissive",  "M_Crate_Wood",
    "M_Barrel_Oak",         "M_Roof_Tiles",        "M_Sand_Wet",          "M_Fish_Market",       "M_Char_Merchant",
    "M_Banner_Guild",       "M_Ship_Hull",         "M_Seagull_Feathers",  "M_Fx_Spray",          "M_Stone_Statue",
    "M_Fog_Volume",         "M_Chain_Iron",        "M_Char_Dog_Fur",      "M_Fx_Sparks",         "M_Lighthouse_Lens",
    "M_Moss_Stone",         "M_Water_Caustics",    "M_Char_Beggar_Cloth", "M_Fx_Magic_Rune",     "M_Bell_Bronze",
};
constexpr int kNumMaterials = int( sizeof( kMaterials ) / sizeof( kMaterials[0] ) );

struct material
{
    const char* name;
    double compile_ms;      // cost of building its shader variant
    double first_seen_s;    // seconds after level start when it first becomes visible
    bool compiled = false;
};

std::vector<material> g_mats;

void init_materials()
{
    rng_t r( 0xC01D5 );
    for( int i = 0; i < kNumMaterials; i++ )
    {
        material m;
        m.name = kMaterials[i];
        const double u = r.uni( 0.0, 1.0 );
        m.compile_ms = 15.0 + 45.0 * std::pow( u, 1.6 );
        // The opening view shows 5 materials; then the camera reveals new ones every 75 ms, 100 ms, 125 ms and
        // 200 ms in the 1st, 2nd, 3rd and 4th second (17 / 10 / 8 / 5).
        if( i < 5 ) m.first_seen_s = 0.0;
        else if( i < 17 ) m.first_seen_s = 0.12 + 0.075 * ( i - 5 );
        else if( i < 27 ) m.first_seen_s = 1.0 + 0.1 * ( i - 17 );
        else if( i < 35 ) m.first_seen_s = 2.0 + 0.125 * ( i - 27 );
        else m.first_seen_s = 3.0 + 0.2 * ( i - 35 );
        g_mats.push_back( m );
    }
}

void compile_variant( material& m )
{
    ZoneScopedN( "Shader::CompileVariant" );
    ZoneText( m.name, strlen( m.name ) );
    busy_ms( m.compile_ms );
    m.compiled = true;
}

// ---------------------------------------------------------------------------------------------------------------
// Asset registry lock (short, uncontended)

TracyLockableN( std::mutex, g_registry, "AssetRegistry::mutex" );
int g_resident_textures = 0;
double g_texture_mb = 0.0;

// Texture streaming: main thread requests, streamer thread loads.
std::mutex g_req_mx;
std::condition_variable g_req_cv;
std::deque<int> g_requests;
int g_next_texture = 0;
constexpr int kNumTextures = 64;

std::string texture_name( int i )
{
    static const char* const base[] = { "T_Cobble", "T_Water", "T_Cliff", "T_Dock", "T_Ivy", "T_Rust", "T_Brick",
                                        "T_Sail", "T_Guard", "T_Crate", "T_Roof", "T_Sand", "T_Hull", "T_Statue",
                                        "T_Moss", "T_Banner" };
    static const char* const kind[] = { "_BaseColor", "_Normal", "_ORM", "_Mask" };
    char buf[64];
    snprintf( buf, sizeof buf, "%s%s_mip0", base[i % 16], kind[( i / 16 ) % 4] );
    return buf;
}

void streamer_thread()
{
    name_thread( "TextureStreamer" );
    rng_t r( 0x57AE );
    for( ;; )
    {
        int idx;
        {
            std::unique_lock<std::mutex> lk( g_req_mx );
            g_req_cv.wait( lk, [] { return g_stop.load() || !g_requests.empty(); } );
            if( g_requests.empty() ) return;
            idx = g_requests.front();
            g_requests.pop_front();
        }
        const std::string name = texture_name( idx );
        ZoneScopedN( "Texture::StreamIn" );
        ZoneText( name.c_str(), name.size() );
        {
            ZoneScopedN( "IO::ReadFile" );
            busy_ms( r.uni( 6.0, 18.0 ) );
        }
        {
            ZoneScopedN( "Texture::Transcode" );
            busy_ms( r.uni( 8.0, 22.0 ) );
        }
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_registry );
            ZoneScopedN( "AssetRegistry::Register" );
            busy_ms( 0.05 );
            g_resident_textures++;
            g_texture_mb += 5.33;
            TracyPlot( "texture pool MB", g_texture_mb );
        }
    }
}

void audio_thread()
{
    name_thread( "AudioMixer" );
    rng_t r( 0xA0D1 );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( r( 1.4, 0.15 ) );
        }
        next += 10000000;
        sleep_until_ns( next );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Loader

void loader_thread()
{
    name_thread( "Loader" );
    rng_t r( 0x10AD );
    ZoneScopedN( "Level::Load" );
    ZoneText( "harbor_district", 15 );
    {
        ZoneScopedN( "Assets::LoadManifest" );
        busy_ms( r( 60.0 ) );
    }
    {
        ZoneScopedN( "Assets::LoadMeshes" );
        for( int i = 0; i < 8; i++ )
        {
            ZoneScopedN( "Mesh::Load" );
            busy_ms( r( 35.0, 0.3 ) );
        }
    }
    {
        ZoneScopedN( "Assets::LoadAnimations" );
        busy_ms( r( 150.0 ) );
    }
    {
        ZoneScopedN( "Assets::LoadBaseTextures" );
        for( int i = 0; i < 6; i++ )
        {
            ZoneScopedN( "Texture::LoadLowMips" );
            busy_ms( r( 45.0, 0.3 ) );
        }
        g_texture_mb = 96.0;
        TracyPlot( "texture pool MB", g_texture_mb );
    }
    {
        ZoneScopedN( "Nav::LoadMesh" );
        busy_ms( r( 90.0 ) );
    }
    if( g_precompile )
    {
        ZoneScopedN( "Shader::PrecompileAll" );
        message( "Precompiling %d shader variants", kNumMaterials );
        for( auto& m : g_mats ) compile_variant( m );
        TracyPlot( "shader cache entries", (int64_t)kNumMaterials );
    }
    message( "Loading complete" );
    g_loaded.store( true );
}

// ---------------------------------------------------------------------------------------------------------------
// Main thread

void present( int64_t& vblank )
{
    ZoneScopedN( "Renderer::Present" );
    const int64_t t = now_ns();
    while( vblank <= t ) vblank += kVblankNs;
    sleep_until_ns( vblank );
}

void run( double gameplay_s )
{
    rng_t r( 0x6A3E );
    init_materials();
    TracyPlot( "shader cache entries", (int64_t)0 );
    TracyPlot( "texture pool MB", 0.0 );

    std::thread audio( audio_thread );
    std::thread streamer( streamer_thread );

    message( "Loading level harbor_district" );
    std::thread loader( loader_thread );

    int64_t vblank = now_ns();
    // Load screen
    while( !g_loaded.load() )
    {
        {
            ZoneScopedN( "LoadingScreen::Draw" );
            busy_ms( r( 1.2, 0.2 ) );
        }
        present( vblank );
        FrameMark;
    }
    loader.join();

    message( "Level start" );
    const int64_t start = now_ns();
    int compiled = g_precompile ? kNumMaterials : 0;
    int frame = 0;
    bool checkpoint = false;
    while( now_ns() - start < (int64_t)( gameplay_s * 1e9 ) )
    {
        const double t = ( now_ns() - start ) * 1e-9;
        {
            ZoneScopedN( "Game::Frame" );
            {
                ZoneScopedN( "Input::Poll" );
                busy_ms( r( 0.25, 0.2 ) );
            }
            {
                ZoneScopedN( "World::Update" );
                {
                    ZoneScopedN( "AI::Think" );
                    busy_ms( r( 0.8, 0.15 ) );
                }
                {
                    ZoneScopedN( "Physics::Step" );
                    busy_ms( r( 1.3, 0.1 ) );
                }
                {
                    ZoneScopedN( "Anim::Update" );
                    busy_ms( r( 0.6, 0.1 ) );
                }
            }
            // Request first-time high mips: many in the first seconds, then a trickle.
            {
                const double want = kNumTextures * std::min( 1.0, std::pow( t / 4.0, 0.8 ) );
                std::lock_guard<std::mutex> lk( g_req_mx );
                while( g_next_texture < (int)want ) g_requests.push_back( g_next_texture++ );
                g_req_cv.notify_one();
            }
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_registry );
                ZoneScopedN( "Texture::UploadPending" );
                busy_ms( r( 0.15, 0.3 ) );
            }
            {
                ZoneScopedN( "Renderer::ShadowPass" );
                busy_ms( r( 2.8, 0.08 ) );
            }
            {
                ZoneScopedN( "Renderer::DrawScene" );
                // Visible materials: everything first seen by now; bind 12 batches.
                int visible = 0;
                for( auto& m : g_mats )
                    if( m.first_seen_s <= t ) visible++;
                // newly visible first (each is bound this frame)
                int batches = 0;
                for( auto& m : g_mats )
                {
                    if( m.first_seen_s > t ) continue;
                    if( m.compiled ) continue;
                    ZoneScopedN( "Material::Bind" );
                    compile_variant( m );
                    compiled++;
                    TracyPlot( "shader cache entries", (int64_t)compiled );
                    busy_ms( 0.04 );
                    batches++;
                }
                for( ; batches < 12; batches++ )
                {
                    ZoneScopedN( "Material::Bind" );
                    busy_ms( r( 0.08, 0.3 ) );
                }
                busy_ms( r( 0.8, 0.1 ) );
                TracyPlot( "draw calls", (int64_t)( 180 + visible * 22 + r.range( 0, 30 ) ) );
            }
            {
                ZoneScopedN( "UI::DrawHUD" );
                busy_ms( r( 0.5, 0.1 ) );
            }
            {
                ZoneScopedN( "Renderer::Submit" );
                busy_ms( r( 0.6, 0.1 ) );
            }
        }
        if( !checkpoint && t > 2.5 )
        {
            checkpoint = true;
            message( "Checkpoint reached: harbor_gate" );
        }
        present( vblank );
        FrameMark;
        frame++;
    }
    message( "Streaming idle: %d textures resident", g_resident_textures );
    g_stop.store( true );
    g_req_cv.notify_all();
    streamer.join();
    audio.join();
}

}  // namespace

int main( int argc, char** argv )
{
    name_thread( "Main thread" );
    if( argc < 2 )
    {
        fprintf( stderr, "usage: coldstart first_seconds | precompile a|b\n" );
        return 2;
    }
    const std::string sc = argv[1];
    const char* app = "coldstart 0.9.4";
    if( sc == "first_seconds" ) {}
    else if( sc == "precompile" && argc >= 3 && std::string( argv[2] ) == "a" ) {}
    else if( sc == "precompile" && argc >= 3 && std::string( argv[2] ) == "b" ) g_precompile = true;
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 2;
    }
    TracyAppInfo( app, strlen( app ) );
    run( 5.0 );
    return 0;
}
