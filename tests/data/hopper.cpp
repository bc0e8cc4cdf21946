// hopper: a 2D platformer-shaped workload instrumented with Tracy (blind test program).
//
// Usage: hopper <scenario>
//   session   play level 1 ("mossy_caves"), then level 2 ("sky_fortress"). In level 2 the projectile
//             pool's despawn path drops enemy projectile records without freeing them.
//   fixed     same session, the despawn path frees projectile records in both levels.
//
// Run ONLY through /work/team/bin/record.sh (loopback-only network namespace, TRACY_NO_EXIT=1).
// Timed work = sleep until shortly before a deadline, then spin, so zone lengths survive a busy 2-core box.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
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

#include "tracy/Tracy.hpp"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static volatile uint64_t g_blackhole = 0;

static void BusyFor( double micros )
{
    const auto deadline = Clock::now() + std::chrono::nanoseconds( (int64_t)( micros * 1000.0 ) );
    if( micros > 500.0 ) std::this_thread::sleep_until( deadline - 250us );
    uint64_t h = 1469598103934665603ull;
    while( Clock::now() < deadline )
    {
        for( int k = 0; k < 64; k++ ) h = ( h ^ (uint64_t)k ) * 1099511628211ull;
    }
    g_blackhole = g_blackhole + h;
}

struct Rng
{
    std::mt19937 eng;
    explicit Rng( uint32_t s ) : eng( s ) {}
    double Around( double v, double spread = 0.08 )
    {
        return v * std::uniform_real_distribution<double>( 1.0 - spread, 1.0 + spread )( eng );
    }
    int Range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( eng ); }
    bool Chance( double p ) { return std::uniform_real_distribution<double>( 0.0, 1.0 )( eng ) < p; }
};

// ---- tracked heap ------------------------------------------------------------------------------------------

static void* HeapAlloc( size_t bytes )
{
    void* p = malloc( bytes );
    memset( p, 0xCD, std::min<size_t>( bytes, 4096 ) );
    TracyAlloc( p, bytes );
    return p;
}

static void HeapFree( void* p )
{
    if( !p ) return;
    TracyFree( p );
    free( p );
}

static void Log( const std::string& s ) { TracyMessage( s.c_str(), s.size() ); }

static std::atomic<bool> g_quit{ false };

// ---- SoundMixer thread: decodes music/sfx in 10 ms blocks ----------------------------------------------------

static void SoundMixerThread()
{
    tracy::SetThreadName( "SoundMixer" );
    Rng rng( 4242 );
    auto tick = Clock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Sound::MixBlock" );
            void* pcm;
            {
                ZoneScopedN( "Sound::DecodeOgg" );
                pcm = HeapAlloc( 16384 );
                BusyFor( rng.Around( 450 ) );
            }
            {
                ZoneScopedN( "Sound::ApplyReverb" );
                BusyFor( rng.Around( 250 ) );
            }
            HeapFree( pcm );
        }
        tick += 10ms;
        std::this_thread::sleep_until( tick );
    }
}

// ---- TileStreamer thread: streams 64 KB tile chunks ahead of the camera, keeps a ring of 8 ------------------

static void TileStreamerThread()
{
    tracy::SetThreadName( "TileStreamer" );
    Rng rng( 99 );
    std::deque<void*> ring;
    auto tick = Clock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Tilemap::StreamChunk" );
            void* chunk = HeapAlloc( 65536 );
            {
                ZoneScopedN( "Tilemap::DecodeRLE" );
                BusyFor( rng.Around( 3200 ) );
            }
            ring.push_back( chunk );
            if( ring.size() > 8 )
            {
                ZoneScopedN( "Tilemap::EvictChunk" );
                HeapFree( ring.front() );
                ring.pop_front();
            }
        }
        tick += 50ms;
        std::this_thread::sleep_until( tick );
    }
    ZoneScopedN( "Tilemap::FlushRing" );
    for( void* c : ring ) HeapFree( c );
}

// ---- sprite animation job workers ---------------------------------------------------------------------------

struct JobBoard
{
    TracyLockableN( std::mutex, mtx, "JobBoard::mtx" );
    std::condition_variable_any cv;
    std::condition_variable_any doneCv;
    int pending = 0;     // batches not yet taken
    int outstanding = 0; // batches not yet finished
    double batchUs = 0;
    bool quit = false;
};

static JobBoard g_jobs;

static void AnimWorkerThread( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "AnimWorker %d", idx );
    tracy::SetThreadName( name );
    Rng rng( 700 + idx );
    for( ;; )
    {
        double us;
        {
            std::unique_lock<LockableBase( std::mutex )> lk( g_jobs.mtx );
            g_jobs.cv.wait( lk, [] { return g_jobs.quit || g_jobs.pending > 0; } );
            if( g_jobs.quit ) return;
            g_jobs.pending--;
            us = g_jobs.batchUs;
        }
        {
            ZoneScopedN( "Anim::SkinSpriteBatch" );
            BusyFor( rng.Around( us ) );
        }
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_jobs.mtx );
            if( --g_jobs.outstanding == 0 ) g_jobs.doneCv.notify_all();
        }
    }
}

static void KickAnimJobs( int batches, double us )
{
    ZoneScopedN( "Anim::KickJobs" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_jobs.mtx );
    g_jobs.pending += batches;
    g_jobs.outstanding += batches;
    g_jobs.batchUs = us;
    g_jobs.cv.notify_all();
}

static void WaitAnimJobs()
{
    ZoneScopedN( "Anim::WaitJobs" );
    std::unique_lock<LockableBase( std::mutex )> lk( g_jobs.mtx );
    g_jobs.doneCv.wait( lk, [] { return g_jobs.outstanding == 0; } );
}

// ---- game state ---------------------------------------------------------------------------------------------

struct ProjectileRecord
{
    float x, y, vx, vy;
    int ownerEnemy;
    int ttlFrames;
    char trail[488];
};
static_assert( sizeof( ProjectileRecord ) == 512, "projectile record is 512 bytes" );

struct Game
{
    Rng rng{ 20240611 };
    bool fixedBuild = false;
    int level = 1;
    std::vector<ProjectileRecord*> projectiles;
    std::vector<void*> staging;   // level-load buffers (pak + decompression + collision scratch)
    Clock::time_point stagingLoadedAt;
    bool stagingLive = false;
    std::vector<void*> particleBursts;
    int frame = 0;
};

static void LevelLoad( Game& g, int level, const char* name, size_t pakMB, size_t inflateMB, size_t collisionMB )
{
    ZoneScopedN( "Level::Load" );
    ZoneText( name, strlen( name ) );
    g.staging.push_back( HeapAlloc( pakMB << 20 ) );
    g.staging.push_back( HeapAlloc( inflateMB << 20 ) );
    g.staging.push_back( HeapAlloc( collisionMB << 20 ) );
    {
        ZoneScopedN( "Level::ReadPak" );
        std::this_thread::sleep_for( std::chrono::microseconds( (int)g.rng.Around( 110000 ) ) );
    }
    {
        ZoneScopedN( "Level::InflateTiles" );
        BusyFor( g.rng.Around( 70000 ) );
    }
    {
        ZoneScopedN( "Level::BuildCollision" );
        BusyFor( g.rng.Around( 45000 ) );
    }
    g.level = level;
    g.stagingLoadedAt = Clock::now();
    g.stagingLive = true;
}

static void LevelReleaseStaging( Game& g )
{
    ZoneScopedN( "Level::ReleaseStaging" );
    for( void* p : g.staging ) HeapFree( p );
    g.staging.clear();
    g.stagingLive = false;
    BusyFor( 200 );
}

static void LevelUnload( Game& g )
{
    ZoneScopedN( "Level::Unload" );
    for( ProjectileRecord* p : g.projectiles ) HeapFree( p );
    g.projectiles.clear();
    BusyFor( g.rng.Around( 4000 ) );
}

static void SpawnProjectile( Game& g, int enemy )
{
    ZoneScopedN( "Enemy::SpawnProjectile" );
    auto* p = (ProjectileRecord*)HeapAlloc( sizeof( ProjectileRecord ) );
    p->x = (float)enemy * 16.f;
    p->y = 64.f;
    p->vx = -3.f;
    p->vy = 0.f;
    p->ownerEnemy = enemy;
    p->ttlFrames = g.rng.Range( 20, 40 );
    g.projectiles.push_back( p );
    BusyFor( 30 );
}

static void EnemiesUpdate( Game& g )
{
    ZoneScopedN( "Enemies::Update" );
    {
        ZoneScopedN( "Enemy::Think" );
        BusyFor( g.rng.Around( 700 ) );
    }
    // ~20 shots per second at 60 Hz
    if( g.rng.Chance( 1.0 / 3.0 ) ) SpawnProjectile( g, g.rng.Range( 0, 11 ) );
    {
        ZoneScopedN( "Enemy::PatrolPaths" );
        BusyFor( g.rng.Around( 350 ) );
    }
}

static void ProjectilesUpdate( Game& g )
{
    ZoneScopedN( "Projectiles::Update" );
    std::vector<ProjectileRecord*> alive;
    alive.reserve( g.projectiles.size() );
    for( ProjectileRecord* p : g.projectiles )
    {
        p->x += p->vx;
        if( --p->ttlFrames > 0 )
        {
            alive.push_back( p );
            continue;
        }
        // Despawn. Level 2 switched to the "pooled" projectile list, whose release path only unlinks the record.
        if( g.level == 1 || g.fixedBuild ) HeapFree( p );
    }
    g.projectiles.swap( alive );
    BusyFor( g.rng.Around( 250 ) );
}

static void EffectsUpdate( Game& g )
{
    ZoneScopedN( "Particles::EmitBursts" );
    for( void* b : g.particleBursts ) HeapFree( b );
    g.particleBursts.clear();
    const int n = g.rng.Range( 2, 4 );
    for( int i = 0; i < n; i++ ) g.particleBursts.push_back( HeapAlloc( 4096 ) );
    BusyFor( g.rng.Around( 400 ) );
}

static void GameUpdate( Game& g )
{
    ZoneScopedN( "Game::Update" );
    {
        ZoneScopedN( "Input::Poll" );
        BusyFor( g.rng.Around( 80 ) );
    }
    {
        ZoneScopedN( "Player::Update" );
        BusyFor( g.rng.Around( 300 ) );
        {
            ZoneScopedN( "Player::ResolveCollisions" );
            BusyFor( g.rng.Around( 400 ) );
        }
    }
    EnemiesUpdate( g );
    ProjectilesUpdate( g );
    {
        ZoneScopedN( "Physics::SweepAndPrune" );
        BusyFor( g.rng.Around( 1600 ) );
    }
    EffectsUpdate( g );
    if( g.stagingLive && Clock::now() - g.stagingLoadedAt >= 800ms ) LevelReleaseStaging( g );
}

static void RenderFrame( Game& g, Clock::time_point vsync )
{
    ZoneScopedN( "Render::Frame" );
    KickAnimJobs( 4, g.rng.Around( 600 ) );
    {
        ZoneScopedN( "Render::ParallaxLayers" );
        BusyFor( g.rng.Around( 900 ) );
    }
    {
        ZoneScopedN( "Render::Tilemap" );
        BusyFor( g.rng.Around( 1800 ) );
    }
    WaitAnimJobs();
    {
        ZoneScopedN( "Render::Sprites" );
        BusyFor( g.rng.Around( 1200 ) );
    }
    {
        ZoneScopedN( "Render::HUD" );
        BusyFor( g.rng.Around( 300 ) );
    }
    {
        ZoneScopedN( "Render::Present" );
        if( Clock::now() < vsync ) std::this_thread::sleep_until( vsync );
        BusyFor( 50 );
    }
}

int main( int argc, char** argv )
{
    const std::string scen = argc > 1 ? argv[1] : "";
    if( scen != "session" && scen != "fixed" )
    {
        fprintf( stderr, "usage: hopper session|fixed\n" );
        return 2;
    }
    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char info[] = "hopper 1.3 (platformer, 1280x720, 60 Hz)";
    TracyAppInfo( info, sizeof( info ) - 1 );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 2ms );

    Game g;
    g.fixedBuild = scen == "fixed";

    LevelLoad( g, 1, "mossy_caves", 6, 4, 2 );  // 12 MB of load buffers, released 0.8 s later
    Log( "Level 1 'mossy_caves' loaded" );

    std::thread mixer( SoundMixerThread );
    std::thread streamer( TileStreamerThread );
    std::vector<std::thread> workers;
    for( int i = 0; i < 2; i++ ) workers.emplace_back( AnimWorkerThread, i );

    const int kLevel1Frames = 160;
    const int kTotalFrames = 400;
    const auto period = std::chrono::nanoseconds( 16666667 );
    auto vsync = Clock::now() + period;
    FrameMark;
    for( g.frame = 0; g.frame < kTotalFrames; g.frame++ )
    {
        if( g.frame == kLevel1Frames )
        {
            Log( "Checkpoint flag reached, level 1 complete" );
            LevelUnload( g );
            Log( "Entering level 2" );
            LevelLoad( g, 2, "sky_fortress", 16, 10, 4 );  // 30 MB of load buffers, released 0.8 s later
            Log( "Level 2 'sky_fortress' loaded" );
            vsync = Clock::now() + period;
        }
        if( g.frame == 300 ) Log( "Player picked up double-jump boots" );
        GameUpdate( g );
        RenderFrame( g, vsync );
        const auto now = Clock::now();
        vsync = ( now > vsync + 2ms ) ? now + period : vsync + period;
        FrameMark;
    }

    Log( "Session ended" );
    g_quit = true;
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_jobs.mtx );
        g_jobs.quit = true;
        g_jobs.cv.notify_all();
    }
    for( auto& w : workers ) w.join();
    mixer.join();
    streamer.join();
    {
        ZoneScopedN( "Game::Shutdown" );
        for( void* b : g.particleBursts ) HeapFree( b );
        g.particleBursts.clear();
        if( g.stagingLive ) LevelReleaseStaging( g );
        // g.projectiles: the level-2 records still in flight are freed here; the ones already despawned
        // were unlinked without a free (fixed build: nothing is lost).
        for( ProjectileRecord* p : g.projectiles ) HeapFree( p );
        g.projectiles.clear();
    }
    return 0;
}
