// harbor_editor (task "vecgrow"): a level editor ("Harbor editor") that loads and builds a level, then runs its editor loop, instrumented
// with Tracy zones and memory events. Memory: "(default)" pool (TracyAlloc/TracyFree: package read buffers, prop
// meshes, the terrain static batch vertex buffer, navmesh and lightmap scratch, per-frame UI temporaries, engine
// singletons), "TextureCache" (TracyAllocN: textures, an LRU cache with a cap) and "AudioBanks" (TracyAllocN).
//
// Threads: Main thread (Engine::Init -> Level::Load -> 150 editor frames at 60 Hz -> Level::Unload),
// AssetLoader (Assets::ReadPackage: a 24 MiB read buffer per package, freed after decompression),
// TextureStreamer (Textures::Preload of 72 textures, then streams one new texture every 6th frame), AudioMixer
// (loads 4 sound banks, then Audio::Mix every 10 ms).
//
// Usage: harbor_editor <scenario> [variant]
//   realloc_peak  Mesh::BuildStaticBatch does not reserve: Mesh::AppendVertices grows the terrain vertex buffer by
//                 doubling (allocate the new buffer, copy, free the old), so at the last growth 128 MiB + 256 MiB are
//                 live together, and the buffer ends 256 MiB for ~133 MiB of vertices.
//   scratch_peak  Bake::Lightmaps allocates one 300 MiB scratch buffer for the whole bake and frees it right after.
//   regress a|b   b: the TextureCache cap is 64 textures instead of 32.
//   (every scenario other than realloc_peak reserves the static batch exactly; every scenario other than
//    scratch_peak bakes lightmaps tile by tile with a 4 MiB scratch)
//
// Run ONLY through /work/team/bin/record.sh (loopback-only network namespace, TRACY_NO_EXIT=1).

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

#include "tracy/Tracy.hpp"

using Clock = std::chrono::steady_clock;

static const char* const kTexPool = "TextureCache";
static const char* const kAudioPool = "AudioBanks";
static constexpr size_t MiB = 1024 * 1024;

static volatile double g_sink = 0.0;

// Emulated work: sleep most of it, spin the last 150 us.
static void Work( double us )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    const double tail = 150.0;
    if( us > tail + 100.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
    {
        for( int i = 0; i < 200; i++ ) x = x * 1.0000001 + 0.5;
    }
    g_sink = g_sink + x;
}

struct Options
{
    bool growByDoubling = false;  // realloc_peak
    bool bigLightmapScratch = false;  // scratch_peak
    size_t textureCap = 32;       // regress b: 64
};
static Options g_opt;

// The engine's allocator hooks (the real buffers are malloc'd and never touched beyond the first page, so the
// process does not actually commit them).
namespace Mem
{
void* Alloc( size_t size )
{
    void* p = malloc( size );
    *(volatile char*)p = 1;
    TracyAlloc( p, size );
    return p;
}
void Free( void* p )
{
    if( !p ) return;
    TracyFree( p );
    free( p );
}
void* AllocN( size_t size, const char* pool )
{
    void* p = malloc( size );
    *(volatile char*)p = 1;
    TracyAllocN( p, size, pool );
    return p;
}
void FreeN( void* p, const char* pool )
{
    if( !p ) return;
    TracyFreeN( p, pool );
    free( p );
}
} // namespace Mem

// ----------------------------------------------------------------------------------------------------------------
namespace Engine
{
std::vector<void*> g_singletons;
void Init()
{
    ZoneScopedN( "Engine::Init" );
    g_singletons.push_back( Mem::Alloc( 2 * MiB ) );    // log ring
    g_singletons.push_back( Mem::Alloc( 512 * 1024 ) ); // config / cvars
    g_singletons.push_back( Mem::Alloc( 1 * MiB ) );    // undo history arena
    Work( 40000 );
    TracyMessageL( "Harbor editor 2.3.1 initialised" );
}
} // namespace Engine

// ----------------------------------------------------------------------------------------------------------------
namespace Audio
{
std::vector<void*> g_banks;
std::atomic<bool> g_run{ true };
void ThreadMain()
{
    tracy::SetThreadName( "AudioMixer" );
    {
        ZoneScopedN( "Audio::LoadBanks" );
        for( int i = 0; i < 4; i++ )
        {
            g_banks.push_back( Mem::AllocN( 4 * MiB, kAudioPool ) );
            Work( 30000 );
        }
    }
    TracyMessageL( "Audio banks loaded: ambience, sfx_common, ui, music_harbor" );
    auto next = Clock::now();
    while( g_run )
    {
        next += std::chrono::milliseconds( 10 );
        {
            ZoneScopedN( "Audio::Mix" );
            Work( 900 );
        }
        std::this_thread::sleep_until( next );
    }
    {
        ZoneScopedN( "Audio::UnloadBanks" );
        for( void* p : g_banks ) Mem::FreeN( p, kAudioPool );
        g_banks.clear();
    }
}
} // namespace Audio

// ----------------------------------------------------------------------------------------------------------------
namespace Textures
{
struct Entry { int id; void* p; size_t size; };
std::deque<Entry> g_lru; // front = least recently used
std::mutex g_mutex;
std::atomic<bool> g_run{ true };
std::atomic<bool> g_preloaded{ false };
std::atomic<int> g_requests{ 0 }; // textures the editor asked to stream in
std::mt19937 g_rng( 4242 );
int g_nextId = 0;

size_t NextSize()
{
    // 1.0 .. 5.0 MiB in 256 KiB steps (BC7 mip chains)
    std::uniform_int_distribution<int> steps( 4, 20 );
    return (size_t)steps( g_rng ) * 256 * 1024;
}

void Evict()
{
    ZoneScopedN( "TextureCache::Evict" );
    Entry e = g_lru.front();
    g_lru.pop_front();
    Mem::FreeN( e.p, kTexPool );
}

void Load()
{
    ZoneScopedN( "Textures::Load" );
    const size_t size = NextSize();
    const int id = g_nextId++;
    ZoneValue( id );
    Work( 4000 + size / 1536.0 ); // read + transcode
    std::lock_guard<std::mutex> lk( g_mutex );
    g_lru.push_back( { id, Mem::AllocN( size, kTexPool ), size } );
    while( g_lru.size() > g_opt.textureCap ) Evict();
}

void ThreadMain()
{
    tracy::SetThreadName( "TextureStreamer" );
    {
        ZoneScopedN( "Textures::Preload" );
        ZoneText( "harbor_district", 15 );
        for( int i = 0; i < 72; i++ ) Load();
    }
    {
        char msg[96];
        snprintf( msg, sizeof( msg ), "Texture preload done: %zu resident (cap %zu)", g_lru.size(), g_opt.textureCap );
        TracyMessage( msg, strlen( msg ) );
    }
    g_preloaded = true;
    while( g_run )
    {
        if( g_requests.load() > 0 )
        {
            g_requests--;
            ZoneScopedN( "Textures::StreamIn" );
            Load();
        }
        else
        {
            std::this_thread::sleep_for( std::chrono::milliseconds( 5 ) );
        }
    }
    {
        ZoneScopedN( "TextureCache::Clear" );
        std::lock_guard<std::mutex> lk( g_mutex );
        for( auto& e : g_lru ) Mem::FreeN( e.p, kTexPool );
        g_lru.clear();
    }
}
} // namespace Textures

// ----------------------------------------------------------------------------------------------------------------
namespace Assets
{
std::atomic<int> g_done{ 0 };
std::mutex g_m;
std::condition_variable g_cv;
static const char* const kPackages[10] = { "core.pak",      "harbor_terrain.pak", "harbor_props.pak",  "docks.pak",
                                           "warehouses.pak", "ships.pak",          "foliage.pak",       "npc_common.pak",
                                           "fx.pak",        "lighting.pak" };
void ReadPackage( int i )
{
    ZoneScopedN( "Assets::ReadPackage" );
    ZoneText( kPackages[i], strlen( kPackages[i] ) );
    void* buf = Mem::Alloc( 24 * MiB );
    {
        ZoneScopedN( "File::Read" );
        Work( 22000 );
    }
    {
        ZoneScopedN( "Package::Decompress" );
        Work( 38000 );
    }
    Mem::Free( buf );
}
void ThreadMain()
{
    tracy::SetThreadName( "AssetLoader" );
    for( int i = 0; i < 10; i++ ) ReadPackage( i );
    {
        std::lock_guard<std::mutex> lk( g_m );
        g_done = 1;
    }
    g_cv.notify_all();
}
} // namespace Assets

// ----------------------------------------------------------------------------------------------------------------
struct Vertex
{
    float pos[3];
    float normal[3];
    float uv[2];
};
static_assert( sizeof( Vertex ) == 32, "vertex is 32 bytes" );

namespace Mesh
{
// A vertex buffer with std::vector-like growth (new buffer first, copy, then free the old one).
struct VertexBuffer
{
    void* data = nullptr;
    size_t count = 0;
    size_t capacity = 0;
};

VertexBuffer g_staticBatch;
std::vector<void*> g_props;

void Reserve( VertexBuffer& vb, size_t n )
{
    ZoneScopedN( "Mesh::Reserve" );
    void* p = Mem::Alloc( n * sizeof( Vertex ) );
    if( vb.data ) Mem::Free( vb.data );
    vb.data = p;
    vb.capacity = n;
    Work( 300 );
}

void AppendVertices( VertexBuffer& vb, size_t n, int sector )
{
    ZoneScopedN( "Mesh::AppendVertices" );
    ZoneValue( sector );
    if( vb.count + n > vb.capacity )
    {
        size_t newCap = vb.capacity ? vb.capacity * 2 : ( 1 * MiB ) / sizeof( Vertex );
        while( newCap < vb.count + n ) newCap *= 2;
        void* p = Mem::Alloc( newCap * sizeof( Vertex ) );
        // copy the old contents (~2.3 GB/s) while both buffers are alive
        Work( 200.0 + (double)( vb.count * sizeof( Vertex ) ) / ( 2.3e9 ) * 1e6 );
        if( vb.data ) Mem::Free( vb.data );
        vb.data = p;
        vb.capacity = newCap;
    }
    vb.count += n;
    Work( 1400 ); // triangulate the sector, weld, compute normals
}

void BuildProps( std::mt19937& rng )
{
    ZoneScopedN( "Mesh::BuildProps" );
    std::uniform_int_distribution<int> kb( 64, 256 );
    for( int i = 0; i < 200; i++ )
    {
        g_props.push_back( Mem::Alloc( (size_t)kb( rng ) * 1024 ) );
        if( i % 20 == 19 ) Work( 9000 );
    }
}

void BuildStaticBatch( std::mt19937& rng )
{
    ZoneScopedN( "Mesh::BuildStaticBatch" );
    ZoneText( "terrain", 7 );
    std::uniform_int_distribution<int> verts( 12000, 22000 );
    std::vector<size_t> sectors( 256 );
    size_t total = 0;
    for( auto& s : sectors )
    {
        s = (size_t)verts( rng );
        total += s;
    }
    if( !g_opt.growByDoubling )
    {
        {
            ZoneScopedN( "Mesh::CountVertices" );
            Work( 2500 );
        }
        Reserve( g_staticBatch, total );
    }
    for( int i = 0; i < (int)sectors.size(); i++ ) AppendVertices( g_staticBatch, sectors[i], i );
    char msg[128];
    snprintf( msg, sizeof( msg ), "Static batch 'terrain': %zu sectors, %zu vertices (%.1f MiB)", sectors.size(),
              g_staticBatch.count, g_staticBatch.count * sizeof( Vertex ) / (double)MiB );
    TracyMessage( msg, strlen( msg ) );
}

void Unload()
{
    for( void* p : g_props ) Mem::Free( p );
    g_props.clear();
    Mem::Free( g_staticBatch.data );
    g_staticBatch = VertexBuffer();
}
} // namespace Mesh

// ----------------------------------------------------------------------------------------------------------------
namespace Navmesh
{
void Build()
{
    ZoneScopedN( "Navmesh::Build" );
    void* heightfield = Mem::Alloc( 40 * MiB );
    {
        ZoneScopedN( "Navmesh::Rasterize" );
        Work( 140000 );
    }
    {
        ZoneScopedN( "Navmesh::BuildRegions" );
        Work( 110000 );
    }
    Mem::Free( heightfield );
    {
        ZoneScopedN( "Navmesh::BuildTiles" );
        Work( 60000 );
    }
}
} // namespace Navmesh

namespace Bake
{
void* g_atlas = nullptr;
void Lightmaps()
{
    ZoneScopedN( "Bake::Lightmaps" );
    g_atlas = Mem::Alloc( 8 * MiB );
    if( g_opt.bigLightmapScratch )
    {
        // one scratch buffer for all 16 tiles' irradiance samples
        void* scratch = Mem::Alloc( 300 * MiB );
        for( int t = 0; t < 16; t++ )
        {
            ZoneScopedN( "Bake::LightmapTile" );
            ZoneValue( t );
            Work( 26000 );
        }
        Mem::Free( scratch );
    }
    else
    {
        for( int t = 0; t < 16; t++ )
        {
            ZoneScopedN( "Bake::LightmapTile" );
            ZoneValue( t );
            void* scratch = Mem::Alloc( 4 * MiB );
            Work( 26000 );
            Mem::Free( scratch );
        }
    }
    {
        ZoneScopedN( "Bake::Dilate" );
        Work( 15000 );
    }
}
} // namespace Bake

// ----------------------------------------------------------------------------------------------------------------
namespace Level
{
void Load()
{
    ZoneScopedN( "Level::Load" );
    ZoneText( "harbor_district", 15 );
    TracyMessageL( "Loading level harbor_district" );
    const auto t0 = Clock::now();
    std::mt19937 rng( 1234 );
    {
        ZoneScopedN( "Level::ReadManifest" );
        Work( 12000 );
    }
    {
        ZoneScopedN( "Loader::WaitForPackages" );
        std::unique_lock<std::mutex> lk( Assets::g_m );
        Assets::g_cv.wait( lk, [] { return Assets::g_done.load() != 0; } );
    }
    Mesh::BuildProps( rng );
    {
        ZoneScopedN( "Textures::WaitForPreload" );
        while( !Textures::g_preloaded ) std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );
    }
    Mesh::BuildStaticBatch( rng );
    Navmesh::Build();
    Bake::Lightmaps();
    const double ms = std::chrono::duration<double, std::milli>( Clock::now() - t0 ).count();
    char msg[96];
    snprintf( msg, sizeof( msg ), "Level harbor_district loaded in %.0f ms", ms );
    TracyMessage( msg, strlen( msg ) );
}

void Unload()
{
    ZoneScopedN( "Level::Unload" );
    Mesh::Unload();
    Mem::Free( Bake::g_atlas );
    Bake::g_atlas = nullptr;
    Work( 20000 );
}
} // namespace Level

// ----------------------------------------------------------------------------------------------------------------
namespace Editor
{
void Frame( int frame, std::mt19937& rng )
{
    ZoneScopedN( "Editor::Frame" );
    {
        ZoneScopedN( "Input::Poll" );
        Work( 300 );
    }
    {
        ZoneScopedN( "Scene::Update" );
        void* dirty = Mem::Alloc( 96 * 1024 ); // dirty-object list, rebuilt every frame
        Work( 1800 );
        Mem::Free( dirty );
    }
    {
        ZoneScopedN( "Gizmos::Update" );
        Work( 500 );
    }
    {
        ZoneScopedN( "UI::Draw" );
        void* tmp[4];
        for( auto& t : tmp ) t = Mem::Alloc( 64 * 1024 ); // vertex/index scratch for the UI
        Work( 2200 );
        for( auto& t : tmp ) Mem::Free( t );
    }
    {
        ZoneScopedN( "Render::BuildCommands" );
        Work( 5200 + ( rng() % 400 ) );
    }
    if( frame % 6 == 3 ) Textures::g_requests++; // the camera pans: stream one more texture in
}

void Run()
{
    std::mt19937 rng( 99 );
    auto next = Clock::now();
    for( int f = 0; f < 150; f++ )
    {
        next += std::chrono::microseconds( 16667 );
        Frame( f, rng );
        {
            ZoneScopedN( "Render::Present" );
            std::this_thread::sleep_until( next );
        }
        FrameMark;
    }
}
} // namespace Editor

int main( int argc, char** argv )
{
    const std::string scen = argc > 1 ? argv[1] : "";
    const std::string var = argc > 2 ? argv[2] : "";
    if( scen == "realloc_peak" ) g_opt.growByDoubling = true;
    else if( scen == "scratch_peak" ) g_opt.bigLightmapScratch = true;
    else if( scen == "regress" && ( var == "a" || var == "b" ) ) g_opt.textureCap = var == "b" ? 64 : 32;
    else
    {
        fprintf( stderr, "usage: harbor_editor realloc_peak|scratch_peak|regress a|b\n" );
        return 1;
    }
    TracySetProgramName( "Harbor editor" );
    Engine::Init();
    std::thread audio( Audio::ThreadMain );
    std::thread loader( Assets::ThreadMain );
    std::thread streamer( Textures::ThreadMain );
    Level::Load();
    Editor::Run();
    Textures::g_run = false;
    streamer.join();
    {
        ZoneScopedN( "Editor::Shutdown" );
        Level::Unload();
    }
    Audio::g_run = false;
    audio.join();
    loader.join();
    TracyMessageL( "Editor shut down" );
    return 0;
}
