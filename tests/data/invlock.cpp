// frostline: a survival-game-shaped workload instrumented with Tracy (benchmark data for profiler tooling).
//
// Usage: frostline a|b
//   a   last week's build (1.7.2): autosave snapshots the inventory without any lock
//   b   today's build (1.7.3): a new TracyLockable Inventory::m_lock guards the inventory; the Save thread's
//       Save::Snapshot holds it ~10 ms every 0.5 s (every 30th frame) and the main thread's Inventory::Update
//       has to wait for it. Nothing else differs between a and b.
//
// Run ONLY through /work/team/bin/record.sh (loopback-only network namespace, TRACY_NO_EXIT=1).
// Work is emulated by sleeping most of the requested time and spinning over a small data set until the
// deadline, so zone lengths are stable on a busy 2-core machine.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

using SteadyClock = std::chrono::steady_clock;
using std::chrono::microseconds;

static std::atomic<uint64_t> g_burnSink{ 0 };
static std::atomic<bool> g_quit{ false };

// Busy for `usec` of wall time: sleep until ~250 us before the deadline, then hash a small buffer until it.
static void Burn( double usec )
{
    const auto deadline = SteadyClock::now() + std::chrono::nanoseconds( (int64_t)( usec * 1000.0 ) );
    if( usec > 500.0 ) std::this_thread::sleep_until( deadline - microseconds( 250 ) );
    static thread_local std::array<uint32_t, 256> data = [] {
        std::array<uint32_t, 256> d{};
        for( uint32_t i = 0; i < d.size(); i++ ) d[i] = i * 2654435761u;
        return d;
    }();
    uint64_t h = 1469598103934665603ull;
    while( SteadyClock::now() < deadline )
    {
        for( uint32_t v : data ) h = ( h ^ v ) * 1099511628211ull;
    }
    g_burnSink.fetch_add( h, std::memory_order_relaxed );
}

class Rng
{
public:
    explicit Rng( uint64_t seed ) : m_gen( seed ) {}
    double Around( double base, double spread = 0.08 )
    {
        return base * std::uniform_real_distribution<double>( 1.0 - spread, 1.0 + spread )( m_gen );
    }
    int Range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( m_gen ); }

private:
    std::mt19937_64 m_gen;
};

static bool g_buildB = false;

// ------------------------------------------------------------------------------------------------------
// Inventory: the player's backpack + hotbar + nearby storage chests.
struct ItemStack
{
    int id, count, durability;
};

struct Inventory
{
    std::vector<ItemStack> slots;
    // New in 1.7.3: created (and announced to the profiler) only by build b.
    std::unique_ptr<tracy::Lockable<std::mutex>> m_lock;
};

static const tracy::SourceLocationData* InventoryLockSrcLoc()
{
    static constexpr tracy::SourceLocationData srcloc{ nullptr, "Inventory::m_lock", TracyFile, TracyLine, 0 };
    return &srcloc;
}

static Inventory g_inventory;

// Main thread, once per frame.
static void InventoryUpdate( Rng& rng )
{
    ZoneScopedN( "Inventory::Update" );
    auto body = [&] {
        for( auto& s : g_inventory.slots )
            if( s.durability > 0 && ( s.id & 7 ) == 3 ) s.durability--;  // torches burn down
        Burn( rng.Around( 250 ) );
    };
    if( g_buildB )
    {
        std::lock_guard<LockableBase( std::mutex )> guard( *g_inventory.m_lock );
        body();
    }
    else
    {
        body();
    }
}

// ------------------------------------------------------------------------------------------------------
// Save thread: autosave every 30 frames (0.5 s), requested by the main thread.
struct AutosaveChannel
{
    std::mutex m;
    std::condition_variable cv;
    bool requested = false;
    bool pickedUp = false;
    int generation = 0;
};
static AutosaveChannel g_save;

static void SaveThread()
{
    tracy::SetThreadName( "Save" );
    Rng rng( 4242 );
    std::vector<ItemStack> copy;
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( g_save.m );
            g_save.cv.wait( lk, [] { return g_save.requested || g_quit.load(); } );
            if( g_quit.load() && !g_save.requested ) return;
            g_save.requested = false;
        }
        auto snapshot = [&] {
            ZoneScopedN( "Save::Snapshot" );
            {
                std::lock_guard<std::mutex> lk( g_save.m );
                g_save.pickedUp = true;
            }
            g_save.cv.notify_all();
            copy = g_inventory.slots;
            Burn( rng.Around( 10000, 0.03 ) );  // serialize world + inventory state
        };
        if( g_buildB )
        {
            std::lock_guard<LockableBase( std::mutex )> guard( *g_inventory.m_lock );
            snapshot();
        }
        else
        {
            snapshot();
        }
        {
            ZoneScopedN( "Save::CompressAndWrite" );
            Burn( rng.Around( 14000, 0.05 ) );
        }
        TracyPlot( "autosave_items", (int64_t)copy.size() );
    }
}

// Main thread: at the start of every 30th frame.
static void RequestAutosave()
{
    ZoneScopedN( "Save::RequestAutosave" );
    std::unique_lock<std::mutex> lk( g_save.m );
    g_save.requested = true;
    g_save.pickedUp = false;
    g_save.generation++;
    g_save.cv.notify_all();
    g_save.cv.wait( lk, [] { return g_save.pickedUp; } );  // handshake: save thread has started
}

// ------------------------------------------------------------------------------------------------------
// Chunk streaming: a loader thread generates terrain chunks into a shared cache; the main thread looks up
// nearby chunks every frame. ChunkCache::m_mutex exists in both builds (brief, rarely contended).
struct ChunkCache
{
    std::vector<int> resident;
    TracyLockableN( std::mutex, m_mutex, "ChunkCache::m_mutex" );
};
static ChunkCache g_chunks;

static void ChunkLoaderThread()
{
    tracy::SetThreadName( "ChunkLoader" );
    Rng rng( 99 );
    int next = 0;
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Terrain::GenerateChunk" );
            {
                ZoneScopedN( "Terrain::NoiseHeightfield" );
                Burn( rng.Around( 14000 ) );
            }
            {
                ZoneScopedN( "Terrain::PlaceFoliage" );
                Burn( rng.Around( 6000 ) );
            }
        }
        {
            ZoneScopedN( "ChunkCache::Insert" );
            std::lock_guard<LockableBase( std::mutex )> guard( g_chunks.m_mutex );
            g_chunks.resident.push_back( next++ );
            if( g_chunks.resident.size() > 64 ) g_chunks.resident.erase( g_chunks.resident.begin() );
            Burn( rng.Around( 200 ) );
        }
        std::this_thread::sleep_for( microseconds( rng.Range( 15000, 25000 ) ) );
    }
}

static void TerrainStreamNearby( Rng& rng )
{
    ZoneScopedN( "Terrain::StreamNearby" );
    std::lock_guard<LockableBase( std::mutex )> guard( g_chunks.m_mutex );
    Burn( rng.Around( 120 ) );
}

// ------------------------------------------------------------------------------------------------------
// Sound mixer: steady background thread.
static void SoundMixerThread()
{
    tracy::SetThreadName( "SoundMixer" );
    Rng rng( 7 );
    auto tick = SteadyClock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Sound::MixAmbience" );
            Burn( rng.Around( 700 ) );
        }
        tick += microseconds( 10667 );  // 512 samples at 48 kHz
        std::this_thread::sleep_until( tick );
    }
}

// ------------------------------------------------------------------------------------------------------
// Task pool: two workers cull foliage cells for the shadow and main passes.
struct CullBatch
{
    std::mutex m;
    std::condition_variable cv;
    int pending = 0;      // jobs not yet taken
    int outstanding = 0;  // jobs not yet finished
    int frame = 0;
};
static CullBatch g_cull;

static void TaskPoolWorker( int index )
{
    char name[32];
    snprintf( name, sizeof( name ), "TaskPool %d", index );
    tracy::SetThreadName( name );
    Rng rng( 1000 + index );
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( g_cull.m );
            g_cull.cv.wait( lk, [] { return g_cull.pending > 0 || g_quit.load(); } );
            if( g_quit.load() && g_cull.pending == 0 ) return;
            g_cull.pending--;
        }
        {
            ZoneScopedN( "Foliage::CullCell" );
            Burn( rng.Around( 550 ) );
        }
        {
            std::lock_guard<std::mutex> lk( g_cull.m );
            g_cull.outstanding--;
        }
        g_cull.cv.notify_all();
    }
}

static void DispatchCulling( int jobs )
{
    ZoneScopedN( "Jobs::DispatchCulling" );
    {
        std::lock_guard<std::mutex> lk( g_cull.m );
        g_cull.pending += jobs;
        g_cull.outstanding += jobs;
    }
    g_cull.cv.notify_all();
}

static void WaitCulling()
{
    ZoneScopedN( "Jobs::WaitCulling" );
    std::unique_lock<std::mutex> lk( g_cull.m );
    g_cull.cv.wait( lk, [] { return g_cull.outstanding == 0; } );
}

// ------------------------------------------------------------------------------------------------------
static void LoadWorld( Rng& rng )
{
    ZoneScopedN( "World::Load" );
    {
        ZoneScopedN( "World::ReadSaveGame" );
        Burn( rng.Around( 120000 ) );
        g_inventory.slots.resize( 240 );
        for( int i = 0; i < 240; i++ ) g_inventory.slots[i] = ItemStack{ i * 13, 1 + i % 20, 100 };
    }
    {
        ZoneScopedN( "World::BuildSpawnChunks" );
        Burn( rng.Around( 160000 ) );
    }
    {
        ZoneScopedN( "Creatures::SpawnInitial" );
        Burn( rng.Around( 60000 ) );
    }
    TracyMessageL( "World 'frozen_pass' loaded: 240 inventory slots, 212 creatures" );
}

static void GameFrame( Rng& rng, int frame )
{
    ZoneScopedN( "Game::Frame" );
    {
        ZoneScopedN( "Input::Poll" );
        Burn( rng.Around( 100 ) );
    }
    if( frame % 30 == 0 ) RequestAutosave();
    {
        ZoneScopedN( "World::Tick" );
        {
            ZoneScopedN( "Weather::Simulate" );
            Burn( rng.Around( 500 ) );
        }
        {
            ZoneScopedN( "Player::UpdateVitals" );
            Burn( rng.Around( 300 ) );
        }
        InventoryUpdate( rng );
        {
            ZoneScopedN( "Creatures::UpdateAI" );
            Burn( rng.Around( 2600 ) );
        }
        {
            // Recipe re-evaluation is heavier every 45 frames (full discovery pass) in both builds.
            ZoneScopedN( "Crafting::EvaluateRecipes" );
            Burn( frame % 45 == 0 ? rng.Around( 5500 ) : rng.Around( 1600 ) );
        }
        TerrainStreamNearby( rng );
    }
    DispatchCulling( 8 );
    {
        ZoneScopedN( "Render::BuildShadowMaps" );
        Burn( rng.Around( 1900 ) );
    }
    WaitCulling();
    {
        ZoneScopedN( "Render::SubmitTerrain" );
        Burn( rng.Around( 1400 ) );
    }
}

int main( int argc, char** argv )
{
    if( argc < 2 || ( strcmp( argv[1], "a" ) != 0 && strcmp( argv[1], "b" ) != 0 ) )
    {
        fprintf( stderr, "usage: frostline a|b\n" );
        return 2;
    }
    g_buildB = argv[1][0] == 'b';
    prctl( PR_SET_TIMERSLACK, 1UL );
    tracy::SetThreadName( "Main thread" );
    const char* version = g_buildB ? "1.7.3" : "1.7.2";
    char info[96];
    const int n = snprintf( info, sizeof( info ), "frostline %s (frozen_pass, 60 Hz vsync)", version );
    TracyAppInfo( info, n );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 2 ) );

    char msg[96];
    const int m = snprintf( msg, sizeof( msg ), "frostline client version %s starting", version );
    TracyMessage( msg, m );

    if( g_buildB ) g_inventory.m_lock = std::make_unique<tracy::Lockable<std::mutex>>( InventoryLockSrcLoc() );

    Rng rng( 31337 );
    LoadWorld( rng );
    FrameMark;

    std::thread save( SaveThread );
    std::thread loader( ChunkLoaderThread );
    std::thread mixer( SoundMixerThread );
    std::thread w0( TaskPoolWorker, 0 ), w1( TaskPoolWorker, 1 );

    // Vsync: a frame ends at the next 16.667 ms tick after its work (a missed tick costs a whole interval).
    const auto period = std::chrono::nanoseconds( 16666667 );
    const auto origin = SteadyClock::now();
    auto lastMark = origin;
    const int frames = 300;
    for( int frame = 1; frame <= frames; frame++ )
    {
        GameFrame( rng, frame );
        {
            ZoneScopedN( "Render::Present" );
            const auto now = SteadyClock::now();
            const auto ticks = ( now - origin ) / period + 1;
            std::this_thread::sleep_until( origin + period * ticks );
            Burn( 30 );
        }
        const auto now = SteadyClock::now();
        const double ms = std::chrono::duration<double, std::milli>( now - lastMark ).count();
        lastMark = now;
        TracyPlot( "frame_ms", ms );
        FrameMark;
    }

    TracyMessageL( "Session ended, shutting down" );
    g_quit.store( true );
    g_save.cv.notify_all();
    g_cull.cv.notify_all();
    save.join();
    loader.join();
    mixer.join();
    w0.join();
    w1.join();
    return 0;
}
