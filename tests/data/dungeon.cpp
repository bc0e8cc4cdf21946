// dungeon: a small level-based action game (a dungeon crawler) instrumented with Tracy, whose memory questions need
// call sites. Every allocation goes through Mem::Alloc / Mem::Free (noinline), which report it with a 12-deep
// callstack (TracyAllocS / TracyFreeS for the "(default)" pool, TracyAllocNS / TracyFreeNS for the named pools
// "Meshes", "Textures", "Scripts", "AI"). The allocating helpers are noinline and the build disables sibling-call
// optimisation, so each call site is a distinct callstack.
//
// Threads: GameThread (60 Hz frame loop, FrameMark after Swapchain::Present), TextureStreamer (streams textures in and
// evicts the oldest every 50 ms: big churn, flat), AudioMixer (no allocations).
// Timeline: Engine::Init (3 singletons, never freed) -> Level::Load (8 x 8 MiB decompression scratch, freed at the
// end of the load: a transient peak; 160 meshes kept for the level) -> 270 frames of play -> Game::Shutdown (level
// unload frees meshes, textures, caches, popups, shop previews, loot).
//
// Usage: dungeon <scenario> [variant]
//   leak_by_callsite  in Entities::Update three call paths allocate 160-byte blocks: Combat::SpawnDamagePopup (freed
//                     30 frames later), Shop::PreviewItem -> Inventory::CloneItem (freed 10 frames later) and
//                     Loot::Drop -> Inventory::CloneItem, whose clones are never freed (the drop forgets to hand them
//                     to the world). Zones cannot tell them apart; callstacks can.
//   unbounded_cache   Pathfinding::RouteCache (pool "AI") inserts every frame and never evicts (freed only at
//                     shutdown by RouteCache::Clear), while texture streaming churns far more bytes but stays flat.
//   regress a|b       b: UI::FormatLabel builds a temporary label string for every widget every frame (freed at the
//                     end of UI::Draw) instead of only re-formatting changed labels: ~10x the allocations, same bytes
//                     live, UI::Draw slower.
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tracy/Tracy.hpp"

#define NOINLINE __attribute__( ( noinline ) )

using Clock = std::chrono::steady_clock;

static constexpr int kDepth = 12;
static const char* const kMeshes = "Meshes";
static const char* const kTextures = "Textures";
static const char* const kScripts = "Scripts";
static const char* const kAI = "AI";

static volatile double g_sink = 0.0;

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
    bool leak = false;           // Loot::Drop clones are never freed
    bool unboundedCache = false; // RouteCache never evicts
    bool uiTemps = false;        // UI::FormatLabel allocates a temp string per widget per frame
};
static Options g_opt;

// ----------------------------------------------------------------------------------------------------------------
namespace Mem
{
NOINLINE void* Alloc( size_t size, const char* pool )
{
    void* p = malloc( size );
    if( pool ) { TracyAllocNS( p, size, kDepth, pool ); }
    else { TracyAllocS( p, size, kDepth ); }
    asm volatile( "" ::: "memory" );
    return p;
}

NOINLINE void Free( void* p, const char* pool )
{
    if( !p ) return;
    if( pool ) { TracyFreeNS( p, kDepth, pool ); }
    else { TracyFreeS( p, kDepth ); }
    free( p );
    asm volatile( "" ::: "memory" );
}
} // namespace Mem

// ----------------------------------------------------------------------------------------------------------------
namespace Engine
{
std::vector<void*> g_singletons;
NOINLINE void CreateSingleton( size_t size )
{
    g_singletons.push_back( Mem::Alloc( size, nullptr ) );
}
NOINLINE void Init()
{
    ZoneScopedN( "Engine::Init" );
    CreateSingleton( 4096 );   // Config
    CreateSingleton( 65536 );  // Log ring buffer
    CreateSingleton( 1024 );   // Input map
    Work( 20000 );
    TracyMessageL( "Engine initialised" );
}
} // namespace Engine

// ----------------------------------------------------------------------------------------------------------------
namespace Level
{
std::vector<void*> g_meshes;
std::vector<void*> g_scratch;

NOINLINE void DecompressChunk( int i )
{
    ZoneScopedN( "Level::DecompressChunk" );
    ZoneValue( i );
    g_scratch.push_back( Mem::Alloc( 8u << 20, nullptr ) );
    Work( 35000 );
}

NOINLINE void UploadMesh( size_t size )
{
    g_meshes.push_back( Mem::Alloc( size, kMeshes ) );
}

NOINLINE void Load( std::mt19937& rng )
{
    ZoneScopedN( "Level::Load" );
    ZoneText( "crypt_of_ashes", 14 );
    TracyMessageL( "Loading level crypt_of_ashes" );
    for( int i = 0; i < 8; i++ ) DecompressChunk( i );
    {
        ZoneScopedN( "Level::BuildMeshes" );
        std::uniform_int_distribution<int> sz( 64, 512 );
        for( int i = 0; i < 160; i++ ) UploadMesh( (size_t)sz( rng ) * 1024 );
        Work( 90000 );
    }
    {
        ZoneScopedN( "Level::ReleaseScratch" );
        for( void* p : g_scratch ) Mem::Free( p, nullptr );
        g_scratch.clear();
        Work( 3000 );
    }
    TracyMessageL( "Level crypt_of_ashes loaded" );
}

NOINLINE void Unload()
{
    ZoneScopedN( "Level::Unload" );
    for( void* p : g_meshes ) Mem::Free( p, kMeshes );
    g_meshes.clear();
    Work( 8000 );
}
} // namespace Level

// ----------------------------------------------------------------------------------------------------------------
namespace Streaming
{
struct Tex { void* p; };
std::deque<Tex> g_resident;
std::atomic<bool> g_run{ true };
std::atomic<bool> g_ready{ false };

NOINLINE void LoadTexture( size_t size )
{
    g_resident.push_back( { Mem::Alloc( size, kTextures ) } );
}

NOINLINE void EvictTexture()
{
    Mem::Free( g_resident.front().p, kTextures );
    g_resident.pop_front();
}

void ThreadMain()
{
    tracy::SetThreadName( "TextureStreamer" );
    std::mt19937 rng( 7 );
    std::uniform_int_distribution<int> sz( 256, 1024 );
    {
        ZoneScopedN( "Streaming::Prefetch" );
        for( int i = 0; i < 64; i++ ) LoadTexture( (size_t)sz( rng ) * 1024 );
        Work( 30000 );
    }
    g_ready = true;
    auto next = Clock::now();
    while( g_run )
    {
        next += std::chrono::milliseconds( 50 );
        {
            ZoneScopedN( "Streaming::Tick" );
            for( int i = 0; i < 4; i++ )
            {
                LoadTexture( (size_t)sz( rng ) * 1024 );
                EvictTexture();
            }
            Work( 6000 );
        }
        std::this_thread::sleep_until( next );
    }
    {
        ZoneScopedN( "Streaming::Shutdown" );
        while( !g_resident.empty() ) EvictTexture();
    }
}
} // namespace Streaming

namespace Audio
{
std::atomic<bool> g_run{ true };
void ThreadMain()
{
    tracy::SetThreadName( "AudioMixer" );
    auto next = Clock::now();
    while( g_run )
    {
        next += std::chrono::milliseconds( 20 );
        {
            ZoneScopedN( "Audio::Mix" );
            Work( 1200 );
        }
        std::this_thread::sleep_until( next );
    }
}
} // namespace Audio

// ----------------------------------------------------------------------------------------------------------------
namespace Scripts
{
std::vector<void*> g_objects;
NOINLINE void NewObject( size_t size )
{
    g_objects.push_back( Mem::Alloc( size, kScripts ) );
}
NOINLINE void CollectGarbage()
{
    for( void* p : g_objects ) Mem::Free( p, kScripts );
    g_objects.clear();
}
NOINLINE void Tick( std::mt19937& rng )
{
    ZoneScopedN( "Scripts::Tick" );
    std::uniform_int_distribution<int> sz( 2, 8 );
    for( int i = 0; i < 20; i++ ) NewObject( (size_t)sz( rng ) * 16 );
    Work( 1400 );
    CollectGarbage();
}
} // namespace Scripts

// ----------------------------------------------------------------------------------------------------------------
struct Item
{
    char data[160];
};
static constexpr size_t kItemBytes = sizeof( Item );

namespace Inventory
{
NOINLINE void* CloneItem( int itemId )
{
    void* p = Mem::Alloc( kItemBytes, nullptr );
    memset( p, itemId & 0xff, kItemBytes );
    return p;
}
} // namespace Inventory

namespace Combat
{
struct Popup { void* p; int expires; };
std::deque<Popup> g_popups;
NOINLINE void SpawnDamagePopup( int frame, int dmg )
{
    void* p = Mem::Alloc( kItemBytes, nullptr );
    memset( p, dmg & 0xff, kItemBytes );
    g_popups.push_back( { p, frame + 30 } );
}
NOINLINE void ExpirePopups( int frame )
{
    while( !g_popups.empty() && g_popups.front().expires <= frame )
    {
        Mem::Free( g_popups.front().p, nullptr );
        g_popups.pop_front();
    }
}
} // namespace Combat

namespace Shop
{
struct Preview { void* p; int expires; };
std::deque<Preview> g_previews;
NOINLINE void PreviewItem( int frame, int itemId )
{
    void* p = Inventory::CloneItem( itemId );
    g_previews.push_back( { p, frame + 10 } );
}
NOINLINE void ClosePreviews( int frame )
{
    while( !g_previews.empty() && g_previews.front().expires <= frame )
    {
        Mem::Free( g_previews.front().p, nullptr );
        g_previews.pop_front();
    }
}
} // namespace Shop

namespace Loot
{
struct Dropped { void* p; int pickup; };
std::deque<Dropped> g_world;
NOINLINE void Drop( int frame, int itemId )
{
    void* p = Inventory::CloneItem( itemId );
    // leak_by_callsite: the clone is never registered with the world, so nobody frees it
    if( !g_opt.leak ) g_world.push_back( { p, frame + 60 } );
}
NOINLINE void PickUp( int frame )
{
    while( !g_world.empty() && g_world.front().pickup <= frame )
    {
        Mem::Free( g_world.front().p, nullptr );
        g_world.pop_front();
    }
}
} // namespace Loot

namespace Entities
{
NOINLINE void Update( int frame, std::mt19937& rng )
{
    ZoneScopedN( "Entities::Update" );
    std::uniform_int_distribution<int> hits( 2, 6 );
    std::uniform_int_distribution<int> item( 1, 400 );
    const int n = hits( rng );
    for( int i = 0; i < n; i++ ) Combat::SpawnDamagePopup( frame, item( rng ) );
    if( frame % 3 == 0 ) Shop::PreviewItem( frame, item( rng ) );
    // an enemy dies roughly every other frame and drops 1-2 items
    if( rng() % 2 == 0 )
    {
        const int drops = 1 + (int)( rng() % 2 );
        for( int i = 0; i < drops; i++ ) Loot::Drop( frame, item( rng ) );
    }
    Work( 1800 );
    Combat::ExpirePopups( frame );
    Shop::ClosePreviews( frame );
    Loot::PickUp( frame );
}
} // namespace Entities

// ----------------------------------------------------------------------------------------------------------------
namespace Pathfinding
{
struct Route { void* p; };
std::deque<Route> g_cache;
static constexpr size_t kCacheCap = 64;

namespace RouteCache
{
NOINLINE void Insert( size_t size )
{
    g_cache.push_back( { Mem::Alloc( size, kAI ) } );
    if( !g_opt.unboundedCache && g_cache.size() > kCacheCap )
    {
        Mem::Free( g_cache.front().p, kAI );
        g_cache.pop_front();
    }
}
NOINLINE void Clear()
{
    for( auto& r : g_cache ) Mem::Free( r.p, kAI );
    g_cache.clear();
}
} // namespace RouteCache

NOINLINE void* AllocOpenList()
{
    return Mem::Alloc( 16384, kAI );
}

NOINLINE void FindRoute( std::mt19937& rng )
{
    void* open = AllocOpenList();
    std::uniform_int_distribution<int> len( 8, 24 );
    Work( 250 );
    RouteCache::Insert( (size_t)len( rng ) * 1024 );
    Mem::Free( open, kAI );
}
} // namespace Pathfinding

namespace AI
{
NOINLINE void Think( std::mt19937& rng )
{
    ZoneScopedN( "AI::Think" );
    for( int i = 0; i < 3; i++ ) Pathfinding::FindRoute( rng );
    Work( 600 );
}
} // namespace AI

// ----------------------------------------------------------------------------------------------------------------
namespace UI
{
static constexpr int kWidgets = 40;
void* g_labels[kWidgets] = {};
std::vector<void*> g_temps;

NOINLINE void* FormatLabel( int widget, bool changed )
{
    // b: builds a temporary std::string-like buffer for every widget, every frame
    if( g_opt.uiTemps )
    {
        void* tmp = Mem::Alloc( 64, nullptr );
        Work( 22 );
        g_temps.push_back( tmp );
    }
    if( changed )
    {
        Mem::Free( g_labels[widget], nullptr );
        g_labels[widget] = Mem::Alloc( 48 + ( widget % 4 ) * 16, nullptr );
    }
    return g_labels[widget];
}

NOINLINE void Draw( int frame )
{
    ZoneScopedN( "UI::Draw" );
    for( int w = 0; w < kWidgets; w++ )
    {
        const bool changed = ( ( w + frame ) % 10 ) == 0; // 4 labels change per frame
        FormatLabel( w, changed || frame == 0 );
    }
    Work( 900 );
    for( void* p : g_temps ) Mem::Free( p, nullptr );
    g_temps.clear();
}

NOINLINE void Shutdown()
{
    for( auto& p : g_labels ) { Mem::Free( p, nullptr ); p = nullptr; }
}
} // namespace UI

// ----------------------------------------------------------------------------------------------------------------
namespace Game
{
NOINLINE void Shutdown()
{
    ZoneScopedN( "Game::Shutdown" );
    TracyMessageL( "Shutting down" );
    Level::Unload();
    Pathfinding::RouteCache::Clear();
    Combat::ExpirePopups( 1 << 30 );
    Shop::ClosePreviews( 1 << 30 );
    Loot::PickUp( 1 << 30 );
    UI::Shutdown();
    Work( 5000 );
}

NOINLINE void Tick( int frame, std::mt19937& rng )
{
    {
        ZoneScopedN( "Input::Poll" );
        Work( 200 );
    }
    Scripts::Tick( rng );
    Entities::Update( frame, rng );
    AI::Think( rng );
    {
        ZoneScopedN( "Physics::Step" );
        Work( 2000 );
    }
    UI::Draw( frame );
    {
        ZoneScopedN( "Render::Submit" );
        Work( 2500 );
    }
}
} // namespace Game

int main( int argc, char** argv )
{
    const std::string scenario = argc > 1 ? argv[1] : "leak_by_callsite";
    const std::string variant = argc > 2 ? argv[2] : "";
    if( scenario == "leak_by_callsite" ) g_opt.leak = true;
    else if( scenario == "unbounded_cache" ) g_opt.unboundedCache = true;
    else if( scenario == "regress" ) g_opt.uiTemps = ( variant == "b" );
    else { fprintf( stderr, "unknown scenario %s\n", scenario.c_str() ); return 1; }

    tracy::SetThreadName( "GameThread" );
    std::mt19937 rng( 1234 );
    Engine::Init();
    std::thread streamer( Streaming::ThreadMain );
    std::thread audio( Audio::ThreadMain );
    Level::Load( rng );
    while( !Streaming::g_ready ) std::this_thread::sleep_for( std::chrono::milliseconds( 1 ) );
    TracyMessageL( "Entering play" );

    const auto period = std::chrono::nanoseconds( 16666667 );
    auto vsync = Clock::now();
    const int frames = 270;
    for( int f = 0; f < frames; f++ )
    {
        Game::Tick( f, rng );
        {
            ZoneScopedN( "Swapchain::Present" );
            vsync += period;
            auto now = Clock::now();
            while( vsync < now ) vsync += period;
            std::this_thread::sleep_until( vsync );
        }
        FrameMark;
    }
    Streaming::g_run = false;
    Audio::g_run = false;
    streamer.join();
    audio.join();
    Game::Shutdown();
    TracyMessageL( "Bye" );
    return 0;
}
