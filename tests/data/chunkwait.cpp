// voxelbox: a small voxel-sandbox-shaped workload instrumented with Tracy (benchmark data for profiler tooling).
//
// Usage: voxelbox walk | idle
//   walk   the player walks diagonally across the world for 420 frames (crosses chunk borders now and then)
//   idle   the player stands still (same frame, no border crossings)
//
// Threads: main (60 Hz game loop, FrameMark), "ChunkWorker 0" / "ChunkWorker 1" (per-frame chunk jobs the main thread
// waits for before rendering), "Autosave" (periodic region serialisation, independent of the frame).
// Work is emulated in wall-clock time (sleep until shortly before a deadline, then spin), so durations survive a
// loaded 2-core machine. Run ONLY inside a loopback-only network namespace (see /work/team/bin/record.sh).

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static std::atomic<uint64_t> g_blackhole{ 0 };

// Busy for `ms` milliseconds of wall time: sleep the bulk, spin the last ~0.25 ms over a little voxel array.
static void Burn( double ms )
{
    const auto deadline = SteadyClock::now() + std::chrono::microseconds( (int64_t)( ms * 1000.0 ) );
    if( ms > 0.5 ) std::this_thread::sleep_until( deadline - 250us );
    uint32_t voxels[64];
    for( int i = 0; i < 64; i++ ) voxels[i] = (uint32_t)i * 2654435761u;
    uint64_t acc = 0;
    while( SteadyClock::now() < deadline )
    {
        for( int i = 0; i < 64; i++ ) { voxels[i] ^= voxels[( i + 7 ) & 63] >> 3; acc += voxels[i]; }
    }
    g_blackhole.fetch_add( acc, std::memory_order_relaxed );
}

class Rng
{
public:
    explicit Rng( uint32_t seed ) : m_gen( seed ) {}
    double Around( double v, double spread = 0.06 )
    {
        return v * std::uniform_real_distribution<double>( 1.0 - spread, 1.0 + spread )( m_gen );
    }
    double Range( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( m_gen ); }
    int Pick( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( m_gen ); }

private:
    std::mt19937 m_gen;
};

static void Msg( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
static void Msg( const char* fmt, ... )
{
    char line[200];
    va_list ap;
    va_start( ap, fmt );
    int n = vsnprintf( line, sizeof( line ), fmt, ap );
    va_end( ap );
    if( n < 0 ) return;
    if( n >= (int)sizeof( line ) ) n = sizeof( line ) - 1;
    TracyMessage( line, (size_t)n );
}

// ---------------------------------------------------------------------------------------------------------------
// Chunk job system: one mailbox per worker, the main thread kicks a batch and later blocks until both are done.

struct ChunkCoord
{
    int x, z;
};

struct ChunkBatch
{
    uint64_t frame = 0;
    bool generate = false;   // a freshly entered chunk needs terrain before it can be meshed
    ChunkCoord genChunk{ 0, 0 };
};

class ChunkJobs
{
public:
    void Start()
    {
        for( int w = 0; w < 2; w++ ) m_threads.emplace_back( [this, w] { WorkerMain( w ); } );
    }

    void Kick( const ChunkBatch& batch )
    {
        ZoneScopedN( "Jobs::KickChunks" );
        {
            std::lock_guard<std::mutex> lk( m_mtx );
            m_batch = batch;
            m_pending = 2;
            m_posted++;
        }
        m_wake.notify_all();
        Burn( 0.06 );
    }

    void Wait()
    {
        ZoneScopedN( "Jobs::WaitChunks" );
        std::unique_lock<std::mutex> lk( m_mtx );
        m_done.wait( lk, [this] { return m_pending == 0; } );
    }

    void Stop()
    {
        {
            std::lock_guard<std::mutex> lk( m_mtx );
            m_quit = true;
        }
        m_wake.notify_all();
        for( auto& t : m_threads ) t.join();
    }

private:
    void WorkerMain( int w )
    {
        char name[32];
        snprintf( name, sizeof( name ), "ChunkWorker %d", w );
        tracy::SetThreadName( name );
        Rng rng( 1000u + (uint32_t)w * 31u );
        uint64_t seen = 0;
        for( ;; )
        {
            ChunkBatch b;
            {
                std::unique_lock<std::mutex> lk( m_mtx );
                m_wake.wait( lk, [&] { return m_quit || m_posted != seen; } );
                if( m_quit ) return;
                seen = m_posted;
                b = m_batch;
            }
            {
                ZoneScopedN( "ChunkJob::Execute" );
                if( w == 0 )
                {
                    {
                        ZoneScopedN( "Chunk::PropagateLight" );
                        Burn( rng.Around( 1.1 ) );
                    }
                    {
                        ZoneScopedN( "Chunk::TickRandomBlocks" );
                        Burn( rng.Around( 0.8 ) );
                    }
                }
                else
                {
                    if( b.generate ) GenerateChunk( rng, b.genChunk );
                    {
                        ZoneScopedN( "Chunk::BuildMesh" );
                        Burn( rng.Around( 1.9 ) );
                    }
                }
            }
            {
                std::lock_guard<std::mutex> lk( m_mtx );
                m_pending--;
            }
            m_done.notify_all();
        }
    }

    // Synchronous terrain generation for a chunk nobody had generated yet.
    static void GenerateChunk( Rng& rng, ChunkCoord c )
    {
        ZoneScopedN( "Terrain::GenerateChunk" );
        char txt[48];
        const int n = snprintf( txt, sizeof( txt ), "chunk (%d,%d)", c.x, c.z );
        ZoneText( txt, (size_t)n );
        const double total = rng.Range( 26.0, 34.0 );
        {
            ZoneScopedN( "Terrain::SampleHeightNoise" );
            Burn( total * 0.42 );
        }
        {
            ZoneScopedN( "Terrain::CarveCaves" );
            Burn( total * 0.33 );
        }
        {
            ZoneScopedN( "Terrain::PlaceOresAndTrees" );
            Burn( total * 0.25 );
        }
    }

    std::vector<std::thread> m_threads;
    std::mutex m_mtx;
    std::condition_variable m_wake, m_done;
    ChunkBatch m_batch;
    uint64_t m_posted = 0;
    int m_pending = 0;
    bool m_quit = false;
};

// ---------------------------------------------------------------------------------------------------------------
// Autosave: a background thread that serialises dirty regions every ~1.25 s. Heavy, but never blocks the frame.

static std::atomic<bool> g_quitAutosave{ false };

static void AutosaveMain()
{
    tracy::SetThreadName( "Autosave" );
    Rng rng( 4242 );
    auto next = SteadyClock::now() + 300ms;
    int pass = 0;
    while( !g_quitAutosave.load() )
    {
        std::this_thread::sleep_for( 2ms );
        if( SteadyClock::now() < next ) continue;
        next += 1250ms;
        ZoneScopedN( "Autosave::SaveDirtyRegions" );
        {
            ZoneScopedN( "Autosave::SnapshotChunks" );
            Burn( rng.Around( 3.0 ) );
        }
        {
            ZoneScopedN( "Autosave::SerializeRegion" );
            Burn( rng.Around( 34.0 ) );
        }
        {
            ZoneScopedN( "Autosave::CompressRegion" );
            Burn( rng.Around( 17.0 ) );
        }
        {
            ZoneScopedN( "Autosave::WriteRegionFile" );
            std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)rng.Around( 11000.0 ) ) );
        }
        Msg( "autosave #%d: r.0.0.mca written (%d KB)", ++pass, rng.Pick( 380, 460 ) );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Main thread pieces

struct Player
{
    double x = 4.0, z = 9.0;      // blocks
    double vx = 0.0, vz = 0.0;    // blocks per second
    ChunkCoord chunk{ 0, 0 };
};

static ChunkCoord ChunkOf( double x, double z )
{
    return ChunkCoord{ (int)std::floor( x / 16.0 ), (int)std::floor( z / 16.0 ) };
}

// Fixed-step movement; returns true (and the new chunk) when a chunk border was crossed.
static bool MovePlayer( Player& p, double dt, ChunkCoord& entered )
{
    ZoneScopedN( "Player::Move" );
    Burn( 0.25 );
    p.x += p.vx * dt;
    p.z += p.vz * dt;
    const ChunkCoord c = ChunkOf( p.x, p.z );
    if( c.x != p.chunk.x || c.z != p.chunk.z )
    {
        p.chunk = c;
        entered = c;
        Msg( "entered chunk (%d,%d)", c.x, c.z );
        return true;
    }
    return false;
}

static void BootWorld( Rng& rng )
{
    ZoneScopedN( "Boot::LoadWorld" );
    {
        ZoneScopedN( "Boot::ReadRegionFiles" );
        std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)rng.Around( 120000.0 ) ) );
    }
    {
        ZoneScopedN( "Boot::StitchTextureAtlas" );
        Burn( rng.Around( 70.0 ) );
    }
    {
        ZoneScopedN( "Boot::MeshSpawnArea" );
        Burn( rng.Around( 110.0 ) );
    }
    Msg( "world 'meadowlands' loaded, spawn chunk (0,0)" );
}

static void RenderMeshes( Rng& rng )
{
    ZoneScopedN( "Render::Meshes" );
    {
        ZoneScopedN( "Render::CullChunks" );
        Burn( rng.Around( 0.8 ) );
    }
    {
        ZoneScopedN( "Render::DrawTerrain" );
        Burn( rng.Around( 4.2 ) );
    }
    {
        ZoneScopedN( "Render::DrawWater" );
        Burn( rng.Around( 1.5 ) );
    }
    {
        ZoneScopedN( "Render::DrawEntities" );
        Burn( rng.Around( 0.7 ) );
    }
}

int main( int argc, char** argv )
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if( mode != "walk" && mode != "idle" )
    {
        fprintf( stderr, "usage: voxelbox walk|idle\n" );
        return 2;
    }
    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char info[] = "voxelbox 0.9.3 (world meadowlands, render distance 8, 60 Hz)";
    TracyAppInfo( info, sizeof( info ) - 1 );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );

    Rng rng( 20240611 );
    BootWorld( rng );
    FrameMark;

    ChunkJobs jobs;
    jobs.Start();
    std::thread autosave( AutosaveMain );

    Player player;
    player.chunk = ChunkOf( player.x, player.z );
    if( mode == "walk" )
    {
        player.vx = 11.5;
        player.vz = 1.18;
    }

    const double dt = 1.0 / 60.0;
    const auto period = std::chrono::nanoseconds( 16666667 );
    auto vsync = SteadyClock::now() + period;
    auto lastMark = SteadyClock::now();
    const int kFrames = 420;
    for( int frame = 0; frame < kFrames; frame++ )
    {
        ChunkBatch batch;
        batch.frame = (uint64_t)frame;
        {
            ZoneScopedN( "Game::Update" );
            {
                ZoneScopedN( "Input::Poll" );
                Burn( rng.Around( 0.15 ) );
            }
            ChunkCoord entered{};
            if( MovePlayer( player, dt, entered ) )
            {
                batch.generate = true;
                batch.genChunk = entered;
            }
            jobs.Kick( batch );
            {
                ZoneScopedN( "Mobs::Tick" );
                Burn( rng.Around( 1.2 ) );
                if( frame % 97 == 41 ) Msg( "spawned zombie near (%d,%d)", (int)player.x + 9, (int)player.z - 5 );
            }
            {
                ZoneScopedN( "Particles::Update" );
                Burn( rng.Around( 0.45 ) );
            }
        }
        jobs.Wait();
        RenderMeshes( rng );
        {
            ZoneScopedN( "Render::HUD" );
            Burn( rng.Around( 0.35 ) );
        }
        {
            ZoneScopedN( "Render::Present" );
            if( SteadyClock::now() < vsync ) std::this_thread::sleep_until( vsync );
            Burn( 0.05 );
            const auto now = SteadyClock::now();
            vsync = ( now > vsync + 2ms ) ? now + period : vsync + period;
        }
        const auto now = SteadyClock::now();
        const double frameMs = std::chrono::duration<double, std::milli>( now - lastMark ).count();
        TracyPlot( "Frame time (ms)", frameMs );
        lastMark = now;
        FrameMark;
    }

    jobs.Stop();
    g_quitAutosave = true;
    autosave.join();
    Msg( "session ended" );
    FrameMark;
    printf( "voxelbox %s: done\n", mode.c_str() );
    return 0;
}
