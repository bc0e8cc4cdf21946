// freestorm: a small game (level load -> gameplay -> leave level -> main menu), instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). Threads:
//   main ("Main thread")  loading screen (15 frames): Game::Frame > Level::Load > Assets::LoadPackage x4, then
//                         World::SpawnEntities x10 (2000 entities x 5 components each; 100000 small heap
//                         objects of 48..256 B, TracyAlloc each), then ~3 s of 60 Hz frames: Game::Frame > Input::Poll,
//                         Gameplay::Update (> Particles::Emit: per-frame churn, freed next frame in Particles::Update),
//                         Physics::Step, Renderer::Submit, Renderer::Present; FrameMark.
//                         Leaving the level: Game::Frame > Level::Unload > Audio::StopAll (5 ms),
//                         World::DestroyEntities, Streaming::FlushCache; then ~1 s of menu frames
//                         (Game::Frame > UI::MenuUpdate, UI::Draw, Renderer::Present).
//   "SaveWorker"          Save::Write (~30 ms, 4 MiB save buffer allocated and freed) when the level is left.
//   "AudioMixer"          Audio::Mix every 10 ms (~1 ms).
// Usage: freestorm <scenario>
//   unload     World::DestroyEntities frees the 100000 component objects one by one (TracyFree each, ~2.8 us per
//              free emulated): ~280 ms, a ~300 ms frame.
//   regress_a  baseline: components live in 64 KiB arena blocks (TracyAllocN "EntityArena"), DestroyEntities
//              releases ~400 blocks (~20 ms).
//   regress_b  same as unload (per-object allocation and destruction).
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{
volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };
const char* const kArena = "EntityArena";

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
void spin_until_ns( int64_t end )
{
    if( end - now_ns() > 80000 ) sleep_until_ns( end - 30000 );
    double x = 1.0;
    while( now_ns() < end ) { for( int i = 0; i < 50; i++ ) x = x * 1.0000001 + 0.5; }
    g_sink = g_sink + x;
}
void busy_ms( double ms ) { spin_until_ns( now_ns() + (int64_t)( ms * 1e6 ) ); }

constexpr int kEntities = 20000;
constexpr int kComponentsPerEntity = 5;
// Transform, RenderMesh, RigidBody, ScriptState, Tags -> sizes drawn from these ranges
const int kCompMin[kComponentsPerEntity] = { 64, 96, 128, 160, 48 };
const int kCompMax[kComponentsPerEntity] = { 96, 160, 192, 256, 64 };

struct World
{
    std::vector<void*> objects;     // per-object mode
    std::vector<void*> blocks;      // arena mode
    bool arena = false;
    int64_t bytes = 0;
};

World g_world;
std::mutex g_saveMx;
std::condition_variable g_saveCv;
bool g_saveRequested = false;

std::mt19937 g_spawnRng( 1234 );
size_t g_arenaUsed = 64 * 1024;
char* g_arenaCur = nullptr;
void SpawnEntities( bool arena, int first, int count )
{
    ZoneScopedN( "World::SpawnEntities" );
    std::mt19937& rng = g_spawnRng;
    g_world.arena = arena;
    const size_t kBlock = 64 * 1024;
    size_t& used = g_arenaUsed;
    char*& cur = g_arenaCur;
    for( int e = first; e < first + count; e++ )
    {
        for( int c = 0; c < kComponentsPerEntity; c++ )
        {
            const int sz = ( kCompMin[c] + int( rng() % ( kCompMax[c] - kCompMin[c] + 1 ) ) ) & ~7;
            g_world.bytes += sz;
            if( !arena )
            {
                void* p = malloc( sz );
                memset( p, 0, sz );
                TracyAlloc( p, sz );
                g_world.objects.push_back( p );
            }
            else
            {
                if( used + sz > kBlock )
                {
                    cur = (char*)malloc( kBlock );
                    TracyAllocN( cur, kBlock, kArena );
                    g_world.blocks.push_back( cur );
                    used = 0;
                }
                memset( cur + used, 0, sz );
                used += sz;
            }
        }
    }
    TracyPlot( "live entities", (int64_t)( first + count ) );
}

void DestroyEntities()
{
    ZoneScopedN( "World::DestroyEntities" );
    const int64_t t0 = now_ns();
    if( !g_world.arena )
    {
        // ~2.8 us per destroyed component (destructor + free), emulated per 1000 frees
        const size_t n = g_world.objects.size();
        for( size_t i = 0; i < n; i++ )
        {
            void* p = g_world.objects[i];
            TracyFree( p );
            free( p );
            if( ( i + 1 ) % 1000 == 0 ) spin_until_ns( t0 + int64_t( ( i + 1 ) / 1000 ) * 2800000ll );
        }
        g_world.objects.clear();
    }
    else
    {
        const size_t n = g_world.blocks.size();
        for( size_t i = 0; i < n; i++ )
        {
            TracyFreeN( g_world.blocks[i], kArena );
            free( g_world.blocks[i] );
            if( ( i + 1 ) % 50 == 0 ) spin_until_ns( t0 + int64_t( ( i + 1 ) / 50 ) * 2500000ll );
        }
        g_world.blocks.clear();
        spin_until_ns( t0 + 20000000ll );
    }
    TracyPlot( "live entities", (int64_t)0 );
}

std::vector<void*> g_particles;
void ParticlesUpdate()
{
    ZoneScopedN( "Particles::Update" );
    for( void* p : g_particles ) { TracyFree( p ); free( p ); }
    g_particles.clear();
    busy_ms( 0.4 );
}
void ParticlesEmit( std::mt19937& rng )
{
    ZoneScopedN( "Particles::Emit" );
    const int n = 24 + int( rng() % 12 );
    for( int i = 0; i < n; i++ )
    {
        const int sz = 32 + int( rng() % 9 ) * 8;
        void* p = malloc( sz );
        TracyAlloc( p, sz );
        g_particles.push_back( p );
    }
    busy_ms( 0.3 );
}

void SaveWorker()
{
    tracy::SetThreadName( "SaveWorker" );
    std::unique_lock<std::mutex> lk( g_saveMx );
    while( !g_stop )
    {
        g_saveCv.wait_for( lk, std::chrono::milliseconds( 50 ) );
        if( !g_saveRequested ) continue;
        g_saveRequested = false;
        lk.unlock();
        {
            ZoneScopedN( "Save::Write" );
            const size_t sz = 4 * 1024 * 1024;
            void* buf = malloc( sz );
            TracyAlloc( buf, sz );
            {
                ZoneScopedN( "Save::Serialize" );
                busy_ms( 18.0 );
            }
            {
                ZoneScopedN( "Save::Compress" );
                busy_ms( 8.0 );
            }
            {
                ZoneScopedN( "Save::Flush" );
                std::this_thread::sleep_for( std::chrono::milliseconds( 4 ) );
            }
            TracyFree( buf );
            free( buf );
        }
        TracyMessageL( "Savegame written: slot1.sav (4 MiB)" );
        lk.lock();
    }
}

void AudioMixer()
{
    tracy::SetThreadName( "AudioMixer" );
    int64_t next = now_ns();
    while( !g_stop )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( 0.9 );
        }
        next += 10000000ll;
        sleep_until_ns( next );
    }
}

void Frame( int64_t& vblank, std::mt19937& rng )
{
    ZoneScopedN( "Game::Frame" );
    { ZoneScopedN( "Input::Poll" ); busy_ms( 0.2 ); }
    {
        ZoneScopedN( "Gameplay::Update" );
        ParticlesUpdate();
        ParticlesEmit( rng );
        busy_ms( 2.5 + ( rng() % 100 ) / 100.0 );
    }
    { ZoneScopedN( "Physics::Step" ); busy_ms( 2.8 + ( rng() % 60 ) / 100.0 ); }
    { ZoneScopedN( "Renderer::Submit" ); busy_ms( 3.0 + ( rng() % 80 ) / 100.0 ); }
    {
        ZoneScopedN( "Renderer::Present" );
        vblank += 16666667;
        if( vblank < now_ns() ) vblank = now_ns();
        sleep_until_ns( vblank );
    }
}

void MenuFrame( int64_t& vblank, std::mt19937& rng )
{
    ZoneScopedN( "Game::Frame" );
    { ZoneScopedN( "Input::Poll" ); busy_ms( 0.2 ); }
    { ZoneScopedN( "UI::MenuUpdate" ); busy_ms( 0.8 + ( rng() % 40 ) / 100.0 ); }
    { ZoneScopedN( "UI::Draw" ); busy_ms( 1.5 + ( rng() % 40 ) / 100.0 ); }
    {
        ZoneScopedN( "Renderer::Present" );
        vblank += 16666667;
        if( vblank < now_ns() ) vblank = now_ns();
        sleep_until_ns( vblank );
    }
}

void UnloadFrame( int64_t& vblank )
{
    ZoneScopedN( "Game::Frame" );
    { ZoneScopedN( "Input::Poll" ); busy_ms( 0.2 ); }
    {
        ZoneScopedN( "Level::Unload" );
        TracyMessageL( "Leaving level 'harbor_district' -> main menu" );
        {
            std::lock_guard<std::mutex> lk( g_saveMx );
            g_saveRequested = true;
        }
        g_saveCv.notify_one();
        { ZoneScopedN( "Audio::StopAll" ); busy_ms( 5.0 ); }
        ParticlesUpdate();
        DestroyEntities();
        { ZoneScopedN( "Streaming::FlushCache" ); busy_ms( 2.0 ); }
    }
    {
        ZoneScopedN( "Renderer::Present" );
        vblank = now_ns() + 1000000;
        sleep_until_ns( vblank );
    }
}
}  // namespace

int main( int argc, char** argv )
{
    const std::string scen = argc > 1 ? argv[1] : "unload";
    bool arena;
    if( scen == "unload" || scen == "regress_b" ) arena = false;
    else if( scen == "regress_a" ) arena = true;
    else { fprintf( stderr, "unknown scenario %s\n", scen.c_str() ); return 2; }

    tracy::SetThreadName( "Main thread" );
    std::thread audio( AudioMixer ), save( SaveWorker );
    std::mt19937 rng( 42 );
    std::this_thread::sleep_for( std::chrono::milliseconds( 30 ) );
    FrameMark;

    // Loading screen: the level is loaded in steps, one step per frame.
    TracyMessageL( "Loading level 'harbor_district'" );
    {
        const char* pkgs[] = { "harbor_district/terrain.pak", "harbor_district/props.pak", "harbor_district/npc.pak",
                               "harbor_district/audio.pak" };
        int64_t vb = now_ns();
        const int kBatch = 2000;
        const int nSteps = 4 + kEntities / kBatch + 1;
        for( int step = 0; step < nSteps; step++ )
        {
            {
                ZoneScopedN( "Game::Frame" );
                {
                    ZoneScopedN( "Level::Load" );
                    if( step < 4 )
                    {
                        ZoneScopedN( "Assets::LoadPackage" );
                        ZoneText( pkgs[step], strlen( pkgs[step] ) );
                        busy_ms( 11.0 );
                    }
                    else if( step < nSteps - 1 ) SpawnEntities( arena, ( step - 4 ) * kBatch, kBatch );
                    else { ZoneScopedN( "Navmesh::Build" ); busy_ms( 12.0 ); }
                }
                { ZoneScopedN( "UI::LoadingScreen" ); busy_ms( 0.8 ); }
                {
                    ZoneScopedN( "Renderer::Present" );
                    vb += 16666667;
                    if( vb < now_ns() ) vb = now_ns();
                    sleep_until_ns( vb );
                }
            }
            FrameMark;
        }
        char msg[128];
        snprintf( msg, sizeof msg, "Level 'harbor_district' loaded: %d entities, %d components, %lld bytes", kEntities,
                  kEntities * kComponentsPerEntity, (long long)g_world.bytes );
        TracyMessage( msg, strlen( msg ) );
    }

    int64_t vblank = now_ns();
    for( int f = 0; f < 180; f++ ) { Frame( vblank, rng ); FrameMark; }
    UnloadFrame( vblank );
    FrameMark;
    TracyMessageL( "Main menu" );
    for( int f = 0; f < 60; f++ ) { MenuFrame( vblank, rng ); FrameMark; }

    for( void* p : g_particles ) { TracyFree( p ); free( p ); }
    g_stop = true;
    g_saveCv.notify_one();
    audio.join();
    save.join();
    TracyMessageL( "Shutdown" );
    return 0;
}
