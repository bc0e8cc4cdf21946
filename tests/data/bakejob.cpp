// bakejob: an offline asset baker instrumented with Tracy (benchmark data for profiler-analysis tools; not part of
// any project). No frames at all (no FrameMark): one bake run of ~4.5-6 s, stages on the main thread ("Bake main"):
//   Bake::Run > Bake::LoadConfig, Bake::ScanAssets (> Bake::ScanDirectory x12), Bake::ImportMeshes (parallel-for,
//   120x Bake::ImportMesh with ZoneText = mesh name on "BakeWorker 0..3"), Bake::CookShaders (parallel-for, 96x
//   Bake::CompileShader), Bake::BuildLightmaps (parallel-for, 40x Bake::BakeLightmap with ZoneText = lightmap name,
//   each > Bake::LightmapTexel batches), Bake::Compress (serial, > Bake::CompressChunk x24), Bake::WriteArchive
//   (> Bake::WriteBlock x16). The main thread waits in Jobs::WaitAll inside each parallel stage.
// Lock: Bake::ResultsMutex (short, uncontended-ish appends of results). Plot: "bake progress %".
//
// Usage: bakejob <scenario>
//   regress_a   baseline: lightmap samples 64
//   regress_b   lightmap samples 128 (quality preset change): every Bake::LightmapTexel batch takes ~2x as long,
//               same number of lightmaps and batches. Everything else identical (same seeds).
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
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

volatile double g_sink = 0.0;

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC_RAW, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    const int64_t d = end - 40000 - now_ns();
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

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

TracyLockableN( std::mutex, g_results, "Bake::ResultsMutex" );
std::vector<std::string> g_outputs;

void add_result( const std::string& s )
{
    std::lock_guard<LockableBase( std::mutex )> lk( g_results );
    busy_ms( 0.05 );
    g_outputs.push_back( s );
}

// A tiny parallel-for: N workers pull indices from a shared counter; the caller waits in Jobs::WaitAll.
struct pool_t
{
    std::vector<std::thread> threads;
    std::mutex m;
    std::condition_variable_any cv, done_cv;
    std::function<void( int )> job;
    int count = 0, generation = 0, finished = 0;
    std::atomic<int> next{ 0 };
    bool quit = false;
    int nworkers;

    explicit pool_t( int n ) : nworkers( n )
    {
        for( int i = 0; i < n; i++ )
            threads.emplace_back( [this, i] {
                char name[32];
                snprintf( name, sizeof( name ), "BakeWorker %d", i );
                name_thread( name );
                int seen = 0;
                for( ;; )
                {
                    std::function<void( int )> f;
                    int cnt;
                    {
                        std::unique_lock<std::mutex> lk( m );
                        cv.wait( lk, [&] { return quit || generation != seen; } );
                        if( quit ) return;
                        seen = generation;
                        f = job;
                        cnt = count;
                    }
                    for( ;; )
                    {
                        const int k = next.fetch_add( 1 );
                        if( k >= cnt ) break;
                        f( k );
                    }
                    {
                        std::lock_guard<std::mutex> lk( m );
                        finished++;
                    }
                    done_cv.notify_all();
                }
            } );
    }

    void parallel_for( int n, std::function<void( int )> f )
    {
        {
            std::lock_guard<std::mutex> lk( m );
            job = std::move( f );
            count = n;
            finished = 0;
            next = 0;
            generation++;
        }
        cv.notify_all();
        ZoneScopedN( "Jobs::WaitAll" );
        std::unique_lock<std::mutex> lk( m );
        done_cv.wait( lk, [&] { return finished == nworkers; } );
    }

    ~pool_t()
    {
        {
            std::lock_guard<std::mutex> lk( m );
            quit = true;
        }
        cv.notify_all();
        for( auto& t : threads ) t.join();
    }
};

struct mesh_t
{
    std::string name;
    double ms;
};

struct lightmap_t
{
    std::string name;
    int batches;
    double batch_ms;  // at 64 samples
};

}  // namespace

int main( int argc, char** argv )
{
    const char* scen = argc > 1 ? argv[1] : "regress_a";
    const bool b = strcmp( scen, "regress_b" ) == 0;
    if( !b && strcmp( scen, "regress_a" ) != 0 )
    {
        fprintf( stderr, "usage: bakejob regress_a|regress_b\n" );
        return 1;
    }
    name_thread( "Bake main" );
    const int samples = b ? 128 : 64;

    // Identical content in both scenarios (fixed seed).
    std::mt19937 rng( 1411 );
    auto uni = [&]( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( rng ); };
    static const char* kMeshKinds[] = { "SM_Rock", "SM_Crate", "SM_Barrel", "SM_Wall", "SM_Door", "SM_Pillar",
                                        "SM_Tree", "SM_Bench", "SM_Lamp", "SM_Fence" };
    std::vector<mesh_t> meshes;
    for( int i = 0; i < 120; i++ )
    {
        char n[64];
        snprintf( n, sizeof( n ), "%s_%02d_LOD%d", kMeshKinds[i % 10], i / 10, i % 3 );
        meshes.push_back( { n, uni( 10.0, 20.0 ) } );
    }
    meshes[57] = { "SM_Cathedral_Nave_LOD0", 62.0 };  // big-but-steady outlier (same in A and B)
    std::vector<lightmap_t> lightmaps;
    static const char* kAreas[] = { "Harbor", "Market", "Cathedral", "Docks", "OldTown" };
    for( int i = 0; i < 40; i++ )
    {
        char n[64];
        const int res = ( i % 4 == 0 ) ? 2048 : ( i % 4 == 1 ) ? 512 : 1024;
        snprintf( n, sizeof( n ), "LM_%s_%02d_%d", kAreas[i % 5], i / 5, res );
        const int batches = res == 2048 ? 12 : res == 1024 ? 8 : 4;
        lightmaps.push_back( { n, batches, uni( 18.0, 22.0 ) } );
    }
    std::vector<double> shader_ms;
    for( int i = 0; i < 96; i++ ) shader_ms.push_back( uni( 40.0, 60.0 ) );

    pool_t pool( 4 );
    std::this_thread::sleep_for( std::chrono::milliseconds( 50 ) );

    TracyMessageL( "bakejob 3.7.2: nightly bake started (target: pc-release)" );
    TracyPlot( "bake progress %", 0.0 );
    {
        ZoneScopedN( "Bake::Run" );
        {
            ZoneScopedN( "Bake::LoadConfig" );
            message( "Config: project=Harborfall platform=pc-release workers=4" );
            message( "Config: lightmap samples %d%s", samples, b ? " (was 64; quality preset 'production')" : "" );
            message( "Config: texture compression BC7 quality=normal, mesh LOD count=3" );
            busy_ms( 40.0 );
        }
        {
            ZoneScopedN( "Bake::ScanAssets" );
            message( "ScanAssets: scanning content/ (12 directories)" );
            static const char* kDirs[] = { "meshes", "textures", "materials", "shaders", "levels", "audio",
                                           "anim", "fx", "ui", "fonts", "scripts", "lighting" };
            for( auto d : kDirs )
            {
                ZoneScopedN( "Bake::ScanDirectory" );
                ZoneText( d, strlen( d ) );
                busy_ms( 25.0 );
            }
            message( "ScanAssets: 1842 files, 120 meshes, 96 shader permutations, 40 lightmaps" );
        }
        TracyPlot( "bake progress %", 5.0 );
        {
            ZoneScopedN( "Bake::ImportMeshes" );
            message( "ImportMeshes: importing 120 meshes on 4 workers" );
            pool.parallel_for( (int)meshes.size(), [&]( int k ) {
                ZoneScopedN( "Bake::ImportMesh" );
                ZoneText( meshes[k].name.c_str(), meshes[k].name.size() );
                busy_ms( meshes[k].ms );
                add_result( meshes[k].name );
            } );
        }
        TracyPlot( "bake progress %", 20.0 );
        {
            ZoneScopedN( "Bake::CookShaders" );
            message( "CookShaders: compiling 96 shader permutations on 4 workers" );
            pool.parallel_for( (int)shader_ms.size(), [&]( int k ) {
                ZoneScopedN( "Bake::CompileShader" );
                char n[48];
                const int len = snprintf( n, sizeof( n ), "PS_Lit_perm%03d", k );
                ZoneText( n, len );
                busy_ms( shader_ms[k] );
                add_result( n );
            } );
        }
        TracyPlot( "bake progress %", 45.0 );
        {
            ZoneScopedN( "Bake::BuildLightmaps" );
            message( "BuildLightmaps: 40 lightmaps, %d samples per texel, on 4 workers", samples );
            const double scale = samples / 64.0;
            pool.parallel_for( (int)lightmaps.size(), [&]( int k ) {
                const auto& lm = lightmaps[k];
                ZoneScopedN( "Bake::BakeLightmap" );
                ZoneText( lm.name.c_str(), lm.name.size() );
                for( int j = 0; j < lm.batches; j++ )
                {
                    ZoneScopedN( "Bake::LightmapTexel" );
                    ZoneValue( j );
                    busy_ms( lm.batch_ms * scale );
                }
                add_result( lm.name );
            } );
        }
        TracyPlot( "bake progress %", 75.0 );
        {
            ZoneScopedN( "Bake::Compress" );
            message( "Compress: 24 chunks, BC7 + zstd level 9" );
            for( int i = 0; i < 24; i++ )
            {
                ZoneScopedN( "Bake::CompressChunk" );
                ZoneValue( i );
                busy_ms( 25.0 );
            }
        }
        TracyPlot( "bake progress %", 92.0 );
        {
            ZoneScopedN( "Bake::WriteArchive" );
            message( "WriteArchive: writing out/Harborfall_pc.pak (16 blocks)" );
            for( int i = 0; i < 16; i++ )
            {
                ZoneScopedN( "Bake::WriteBlock" );
                ZoneValue( i );
                busy_ms( 18.0 );
            }
        }
        TracyPlot( "bake progress %", 100.0 );
    }
    message( "bakejob: bake finished, %zu outputs", g_outputs.size() );
    std::this_thread::sleep_for( std::chrono::milliseconds( 50 ) );
    return 0;
}
