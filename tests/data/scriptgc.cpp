// scriptgc: a 60 Hz action game with an embedded script VM (Lua-like, tracing garbage collector), instrumented with
// Tracy (benchmark data for profiler-analysis tools; not part of any project).
//
// Threads:
//   main ("GameThread")  Level::Load once (> Level::ReadPak, Level::ParseEntities, Script::LoadModules), then per frame: Game::Tick > Input::Poll, Script::Update (> Script::RunAI,
//                        Script::RunQuests, Script::SpawnProjectiles (ZoneValue = projectiles), Script::RunUI),
//                        Physics::Step (> Physics::Broadphase, Physics::Solve), Audio::SubmitVoices (takes
//                        Audio::voiceMutex), Render::UploadTextures (when the streamer delivered something),
//                        Render::BuildCommandLists, Render::Submit, Render::Present (waits for the next 16.667 ms
//                        vblank), then FrameMark.
//                        The VM's collector is NOT instrumented: its work is only Script::Update's own time.
//   "AudioMixer"         Audio::Mix every 10.667 ms (512 frames at 48 kHz), takes Audio::voiceMutex briefly.
//   "AssetStream"        Asset::Load (ZoneText = file) > IO::Read, Asset::Decompress every 0.6-1.0 s.
// Plots: "Script heap (MB)" (VM heap after Script::Update, each frame), "Live entities".
// Native memory: TracyAlloc/TracyFree on the default heap: per-frame command buffers and contact arrays, audio mix
// buffers, streaming buffers (4-24 MB, freed after upload), the level's 48 MB data block (freed at exit). The VM
// heap lives in its own arena and is not reported as memory events.
//
// Usage: scriptgc gc_hitch | heap_grow | regress a | regress b
//   gc_hitch   a full collection (11-22 ms, no zone, no message) runs inside Script::Update when the heap reaches
//              twice the live size: about every 2 s
//   heap_grow  a quest script keeps references to every spawned object: the live heap grows ~0.1 MB per frame;
//              the collector is incremental (small steps each frame), so no hitches
//   regress a  baseline: scripts produce ~0.25 MB of garbage per frame -> a full GC every ~2.5 s
//   regress b  Script::SpawnProjectiles allocates a table per projectile per frame: ~0.9 MB garbage per frame ->
//              full GC every ~0.7 s. Distractors: Render::BuildCommandLists faster, Audio::Mix a bit slower.
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
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

// Emulated work: sleep to just before the deadline, then spin briefly.
void work_until( int64_t end )
{
    sleep_until_ns( end - 40000 );
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

void work_ms( double ms ) { work_until( now_ns() + (int64_t)( ms * 1e6 ) ); }

struct Rng
{
    std::mt19937 g;
    explicit Rng( uint32_t s ) : g( s ) {}
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    double jit( double base, double pct = 0.06 ) { return base * uni( 1.0 - pct, 1.0 + pct ); }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
};

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_NAME, n );
    prctl( PR_SET_TIMERSLACK, 1000UL );
}

void logf( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void logf( const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyMessage( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ) );
}

void* nalloc( size_t sz )
{
    void* p = malloc( sz );
    memset( p, 0, 64 );
    TracyAlloc( p, sz );
    return p;
}

void nfree( void* p )
{
    TracyFree( p );
    free( p );
}

// ---------------------------------------------------------------------------------------------------------------

struct Params
{
    std::string scenario;
    uint32_t seed = 1;
    double seconds = 7.0;
    // VM heap model (MB)
    double live0 = 38.0;            // live data after level load
    double live_growth = 0.0;       // MB per frame retained for good (heap_grow)
    double garbage_ai = 0.09, garbage_quests = 0.05, garbage_spawn = 0.10, garbage_ui = 0.07;  // MB per frame
    bool full_gc = true;            // stop-the-world full collection at 2x live; else incremental
    double gc_lo = 11.0, gc_hi = 22.0;  // full GC duration (ms)
    double spawn_ms = 0.50;
    double build_ms = 3.4;
    double mix_ms = 1.2;
};

Params g_p;

TracyLockableN( std::mutex, g_voiceMutex, "Audio::voiceMutex" );
int g_voices = 24;

std::mutex g_uploadMutex;  // plain mutex (not instrumented): hand-over of streamed buffers to the game thread
std::deque<std::pair<void*, size_t>> g_uploads;

// ---------------------------------------------------------------------------------------------------------------
// Audio thread

void audio_thread()
{
    name_thread( "AudioMixer" );
    Rng r( g_p.seed * 7 + 3 );
    const int64_t period = 10666667;
    int64_t next = now_ns() + period;
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            void* buf = nalloc( 16384 );
            int voices;
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_voiceMutex );
                voices = g_voices;
                work_ms( 0.05 );
            }
            ZoneValue( voices );
            work_ms( r.jit( g_p.mix_ms, 0.08 ) );
            nfree( buf );
        }
        sleep_until_ns( next );
        next += period;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Asset streaming thread

const char* const kAssets[] = {
    "tex/rock_cliff_04.ktx2", "tex/harbor_wall_albedo.ktx2", "mesh/crane_lod0.mesh", "tex/foliage_atlas_02.ktx2",
    "audio/amb_harbor_night.ogg", "mesh/warehouse_b.mesh", "tex/terrain_splat_3.ktx2", "anim/dockworker_idle.anim",
    "tex/water_normal_hi.ktx2", "mesh/cargo_ship_hull.mesh", "tex/sky_cubemap_dusk.ktx2", "mesh/forklift.mesh",
};

void stream_thread()
{
    name_thread( "AssetStream" );
    Rng r( g_p.seed * 13 + 5 );
    int i = 0;
    sleep_until_ns( now_ns() + 350000000 );
    while( !g_stop.load() )
    {
        const char* name = kAssets[( i * 5 + (int)g_p.seed ) % 12];
        const size_t compressed = (size_t)( r.uni( 2.0, 9.0 ) * 1048576 );
        const size_t decoded = (size_t)( compressed * r.uni( 2.2, 2.8 ) );
        {
            ZoneScopedN( "Asset::Load" );
            ZoneText( name, strlen( name ) );
            void* src = nalloc( compressed );
            {
                ZoneScopedN( "IO::Read" );
                work_ms( r.uni( 8.0, 18.0 ) );
            }
            void* dst = nalloc( decoded );
            {
                ZoneScopedN( "Asset::Decompress" );
                work_ms( r.uni( 12.0, 26.0 ) );
            }
            nfree( src );
            {
                std::lock_guard<std::mutex> lk( g_uploadMutex );
                g_uploads.emplace_back( dst, decoded );
            }
        }
        logf( "Streamed %s (%.1f MB)", name, decoded / 1048576.0 );
        i++;
        const int64_t until = now_ns() + (int64_t)( r.uni( 600, 1000 ) * 1e6 );
        while( !g_stop.load() && now_ns() < until ) sleep_until_ns( std::min( until, now_ns() + 50000000 ) );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The script VM

struct Vm
{
    double live;      // reachable data (MB)
    double heap;      // live + garbage not yet collected
    double threshold; // next full collection
    int collections = 0;
    Rng r;
    explicit Vm( uint32_t seed ) : live( g_p.live0 ), heap( g_p.live0 + 1.5 ), threshold( 2 * g_p.live0 ), r( seed ) {}

    void allocate( double mb, double retained = 0.0 )
    {
        heap += mb;
        live += retained;
        heap += retained;
    }

    // Called at the end of Script::Update. Deliberately NOT a zone: the engine never instrumented its collector.
    void maybe_collect()
    {
        if( g_p.full_gc )
        {
            work_ms( r.uni( 0.12, 0.22 ) );  // write barrier / remembered-set bookkeeping
            if( heap >= threshold )
            {
                // stop-the-world mark & sweep
                work_ms( r.uni( g_p.gc_lo, g_p.gc_hi ) );
                heap = live + r.uni( 0.3, 0.9 );
                threshold = 2 * live;
                collections++;
            }
        }
        else
        {
            // incremental: a small step each frame; a cycle completes every ~45 frames and frees that garbage
            work_ms( r.uni( 0.35, 0.65 ) );
            if( ++step % 45 == 0 )
            {
                heap = live + r.uni( 0.3, 0.9 );
                collections++;
            }
        }
    }
    int step = 0;
};

// ---------------------------------------------------------------------------------------------------------------

struct Game
{
    Rng r;
    Vm vm;
    int frame = 0;
    int entities = 1180;
    int64_t t0 = 0;
    void* level = nullptr;
    explicit Game( uint32_t seed ) : r( seed ), vm( seed * 31 + 1 ) {}

    void load_level()
    {
        ZoneScopedN( "Level::Load" );
        level = nalloc( 48u << 20 );
        {
            ZoneScopedN( "Level::ReadPak" );
            work_ms( 520 );  // harbor_district.pak from disk (I/O bound)
        }
        {
            ZoneScopedN( "Level::ParseEntities" );
            work_ms( 70 );
        }
        {
            ZoneScopedN( "Script::LoadModules" );
            work_ms( 55 );
        }
        logf( "Level harbor_district loaded: %d entities, script heap %.1f MB", entities, vm.heap );
    }

    void script_update()
    {
        ZoneScopedN( "Script::Update" );
        work_ms( r.uni( 0.10, 0.18 ) );  // VM dispatch, timers
        {
            ZoneScopedN( "Script::RunAI" );
            work_ms( r.jit( 1.2 ) );
            vm.allocate( r.jit( g_p.garbage_ai, 0.2 ) );
        }
        {
            ZoneScopedN( "Script::RunQuests" );
            work_ms( r.jit( 0.45 ) );
            vm.allocate( r.jit( g_p.garbage_quests, 0.2 ), g_p.live_growth > 0 ? r.jit( g_p.live_growth, 0.2 ) : 0.0 );
        }
        {
            ZoneScopedN( "Script::SpawnProjectiles" );
            const int n = r.range( 10, 22 );
            ZoneValue( n );
            work_ms( r.jit( g_p.spawn_ms ) );
            vm.allocate( r.jit( g_p.garbage_spawn, 0.2 ) );
        }
        {
            ZoneScopedN( "Script::RunUI" );
            work_ms( r.jit( 0.3 ) );
            vm.allocate( r.jit( g_p.garbage_ui, 0.2 ) );
        }
        vm.maybe_collect();
    }

    void physics()
    {
        ZoneScopedN( "Physics::Step" );
        void* contacts = nalloc( (size_t)r.range( 16, 64 ) * 1024 );
        {
            ZoneScopedN( "Physics::Broadphase" );
            work_ms( r.jit( 0.5 ) );
        }
        {
            ZoneScopedN( "Physics::Solve" );
            // every ~80 frames a pile-up of ragdolls makes the solver iterate longer (still within the budget)
            work_ms( frame % 80 == 40 ? r.uni( 2.8, 3.6 ) : r.jit( 1.2 ) );
        }
        nfree( contacts );
    }

    void tick()
    {
        ZoneScopedN( "Game::Tick" );
        {
            ZoneScopedN( "Input::Poll" );
            work_ms( r.jit( 0.2 ) );
        }
        script_update();
        TracyPlot( "Script heap (MB)", vm.heap );
        entities += r.range( -3, 3 );
        entities = std::max( 1150, std::min( 1210, entities ) );
        TracyPlot( "Live entities", (int64_t)entities );
        physics();
        {
            ZoneScopedN( "Audio::SubmitVoices" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_voiceMutex );
            g_voices = r.range( 20, 32 );
            work_ms( 0.08 );
        }
        std::pair<void*, size_t> up{ nullptr, 0 };
        {
            std::lock_guard<std::mutex> lk( g_uploadMutex );
            if( !g_uploads.empty() )
            {
                up = g_uploads.front();
                g_uploads.pop_front();
            }
        }
        if( up.first )
        {
            ZoneScopedN( "Render::UploadTextures" );
            work_ms( 0.3 + up.second / 1048576.0 * 0.02 );
            nfree( up.first );
        }
        void* cmd = nalloc( (size_t)r.range( 128, 512 ) * 1024 );
        {
            ZoneScopedN( "Render::BuildCommandLists" );
            work_ms( r.jit( g_p.build_ms ) );
        }
        {
            ZoneScopedN( "Render::Submit" );
            work_ms( r.jit( 0.6 ) );
        }
        nfree( cmd );
        {
            ZoneScopedN( "Render::Present" );
            const int64_t now = now_ns();
            const int64_t k = ( now - t0 ) / kVblankNs + 1;
            work_until( t0 + k * kVblankNs );
        }
    }

    void run()
    {
        load_level();
        t0 = now_ns();
        const int64_t end = t0 + (int64_t)( g_p.seconds * 1e9 );
        FrameMark;
        int checkpoint = 0;
        while( now_ns() < end )
        {
            tick();
            FrameMark;
            frame++;
            if( frame % 150 == 75 )
            {
                checkpoint++;
                logf( "Checkpoint %d reached (quest \"dock_strike\" step %d)", checkpoint, checkpoint + 2 );
            }
            if( frame == 260 ) logf( "Autosave written: slot1.sav (2.4 MB)" );
        }
        logf( "Session end: %d frames, script heap %.1f MB", frame, vm.heap );
    }
};

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: scriptgc gc_hitch | heap_grow | regress a|b\n" );
        return 2;
    }
    g_p.scenario = argv[1];
    if( g_p.scenario == "gc_hitch" )
    {
        g_p.seed = 4011;
        g_p.seconds = 7.5;
        g_p.garbage_ai = 0.11; g_p.garbage_quests = 0.06; g_p.garbage_spawn = 0.08; g_p.garbage_ui = 0.07;  // 0.32/frame
    }
    else if( g_p.scenario == "heap_grow" )
    {
        g_p.seed = 4022;
        g_p.seconds = 7.0;
        g_p.full_gc = false;
        g_p.live_growth = 0.10;
    }
    else if( g_p.scenario == "regress" && argc >= 3 && ( argv[2][0] == 'a' || argv[2][0] == 'b' ) )
    {
        g_p.seconds = 8.0;
        g_p.gc_lo = 11.0; g_p.gc_hi = 19.0;
        g_p.garbage_ai = 0.08; g_p.garbage_quests = 0.04; g_p.garbage_spawn = 0.08; g_p.garbage_ui = 0.05;  // 0.25/frame
        if( argv[2][0] == 'a' )
            g_p.seed = 4033;
        else
        {
            g_p.seed = 4034;
            g_p.garbage_spawn = 0.72;  // 0.89/frame
            g_p.spawn_ms = 0.62;
            g_p.build_ms = 2.8;
            g_p.mix_ms = 1.5;
        }
        g_p.scenario += std::string( "_" ) + argv[2][0];
    }
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 2;
    }

    name_thread( "GameThread" );
    { const char* app = "scriptgc 0.9.3 (Development)"; TracyAppInfo( app, strlen( app ) ); }
    Game game( g_p.seed );
    std::thread audio( audio_thread );
    std::thread stream( stream_thread );
    game.run();
    g_stop = true;
    audio.join();
    stream.join();
    {
        std::lock_guard<std::mutex> lk( g_uploadMutex );
        for( auto& u : g_uploads ) nfree( u.first );
        g_uploads.clear();
    }
    nfree( game.level );
    fprintf( stderr, "%s: %d frames, %d collections\n", g_p.scenario.c_str(), game.frame, game.vm.collections );
    return 0;
}
