// kvstore: a small embedded key-value storage engine (LSM tree, like LevelDB/RocksDB) under a benchmark load,
// instrumented with Tracy (benchmark data for profiler-analysis tools; not part of any project). No frames. Threads:
//   main ("Main thread")  DB::Open (> BlockCache::Warmup), then waits; DB::Close at the end
//   client-0..3           load generator (fixed rate, 800 ops/s each, 60% Get / 40% Put):
//                         KV::Put (ZoneText "key=user:<id>") > [DB::WriteStall], WAL::Append (> Disk::Fsync), MemTable::Insert
//                         KV::Get (ZoneText) > MemTable::Lookup, SST::Search > Bloom::Check, BlockCache::Lookup,
//                         Disk::ReadBlock + BlockCache::Insert (> BlockCache::Evict) on a miss
//   flush                 Flush::MemTable > SST::Build, Disk::Write when a memtable is full (4 MiB): one new L0 file
//   compaction            Compaction::Run > SST::Merge, Disk::Write when L0 has >= 4 files (merges 4 into L1)
//   stats                 plot "ops/s" every 250 ms, Stats::Dump + message every 1 s
// Locks: DB::mutex, WAL::mutex, BlockCache::mutex. Memory: default pool (per-Get read buffers), pools "memtable" and
// "block cache". Plots: "memtable MB", "block cache MB", "ops/s", "L0 files".
//
// Usage: kvstore <scenario>
//   write_stall  compaction is slow: L0 reaches 8 files and Puts stall in DB::WriteStall until it finishes
//   wal_lock     WAL::Append fsyncs (Disk::Fsync 2-6 ms) while holding WAL::mutex: the clients' Puts convoy
//   cache_leak   blocks evicted from the block cache's LRU list are never freed (pool "block cache" grows)
//   regress_a    baseline build (bloom filters on)
//   regress_b    bloom filters disabled: no Bloom::Check, SST::Search probes 3 files, 1.8x the disk reads
//   hot_key      client-2 owns the hot key range user:42xxx whose Gets all miss the block cache
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
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

const char* const kMemtablePool = "memtable";
const char* const kCachePool = "block cache";
constexpr size_t kBlock = 4096;
constexpr size_t kCacheCap = 64u << 20;       // 16384 blocks
constexpr size_t kWarmBlocks = 15872;         // index/filter blocks (high priority), loaded at open: 62 MiB
constexpr size_t kMemtableCap = 4u << 20;
constexpr int kClients = 4;

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

// Emulated work: sleep to just before the deadline, then spin (keeps the CPU load low on a shared machine).
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
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
    bool chance( double p ) { return uni( 0.0, 1.0 ) < p; }
};

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_NAME, n );
    prctl( PR_SET_TIMERSLACK, 1000UL );  // 1 us: accurate sleeps
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

// ---------------------------------------------------------------------------------------------------------------
// Scenario parameters

struct params
{
    std::string scenario;
    uint32_t seed = 0x6b767374;
    double seconds = 6.0;
    double miss = 0.12;             // block cache miss probability of a data-block lookup
    double compaction_ms = 420.0;   // write_stall: ~910
    bool fsync_in_lock = false;     // wal_lock
    bool cache_leak = false;        // cache_leak
    bool bloom = true;              // regress_b: false
    bool hot_key = false;           // hot_key
    const char* app = "kvstore 3.2.0 (db_bench)";
};

params g_p;

// ---------------------------------------------------------------------------------------------------------------
// Engine state

struct engine_locks
{
    TracyLockableN( std::mutex, db, "DB::mutex" );
    TracyLockableN( std::mutex, wal, "WAL::mutex" );
    TracyLockableN( std::mutex, cache, "BlockCache::mutex" );
};

std::unique_ptr<engine_locks> g_locks;

struct memtable
{
    std::vector<void*> entries;
    size_t bytes = 0;
};

// LSM bookkeeping (plain mutex: not one of the engine's instrumented locks)
struct lsm_state
{
    std::mutex m;
    std::condition_variable cv;
    std::unique_ptr<memtable> active = std::make_unique<memtable>();
    std::deque<std::unique_ptr<memtable>> immutable;
    int l0 = 0;
    int next_file = 1;
    uint64_t l1_bytes = 0;
    bool stalled = false;
};

lsm_state g_lsm;

struct block_cache
{
    std::vector<void*> warm;      // high-priority index/filter blocks (never evicted)
    std::deque<void*> lru;        // data blocks, least recently inserted first
    std::vector<void*> evicted;   // cache_leak: unlinked from the LRU list, never released
    size_t bytes = 0;
    uint64_t hits = 0, misses = 0;
};

block_cache g_cache;

std::atomic<uint64_t> g_ops{ 0 }, g_puts{ 0 }, g_gets{ 0 };

void plot_l0( int l0 ) { TracyPlot( "L0 files", (int64_t)l0 ); }

// ---------------------------------------------------------------------------------------------------------------
// Block cache

void cache_evict_one()
{
    ZoneScopedN( "BlockCache::Evict" );
    void* b = g_cache.lru.front();
    g_cache.lru.pop_front();
    g_cache.bytes -= kBlock;
    if( g_p.cache_leak )
        g_cache.evicted.push_back( b );  // bug: the block's last reference is never dropped
    else
    {
        TracyFreeN( b, kCachePool );
        free( b );
    }
    busy_ms( 0.004 );
}

// Returns true on a hit. A data-block lookup misses with probability p.
bool cache_lookup( rng_t& r, double p )
{
    ZoneScopedN( "BlockCache::Lookup" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_locks->cache );
    busy_ms( r.uni( 0.030, 0.050 ) );
    const bool hit = !r.chance( p );
    if( hit ) g_cache.hits++;
    else g_cache.misses++;
    return hit;
}

void cache_insert( rng_t& r )
{
    ZoneScopedN( "BlockCache::Insert" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_locks->cache );
    void* b = malloc( kBlock );
    memset( b, 0, 64 );
    TracyAllocN( b, kBlock, kCachePool );
    g_cache.lru.push_back( b );
    g_cache.bytes += kBlock;
    while( g_cache.bytes > kCacheCap ) cache_evict_one();
    busy_ms( r.uni( 0.010, 0.020 ) );
    TracyPlot( "block cache MB", (double)g_cache.bytes / 1048576.0 );
}

void read_block( rng_t& r, double p )
{
    if( cache_lookup( r, p ) ) return;
    {
        ZoneScopedN( "Disk::ReadBlock" );
        busy_ms( r.uni( 2.0, 4.0 ) );
    }
    cache_insert( r );
}

// ---------------------------------------------------------------------------------------------------------------
// Client operations

bool in_hot_range( int id ) { return id >= 42000 && id <= 42999; }

void sst_search( rng_t& r, bool hot )
{
    ZoneScopedN( "SST::Search" );
    busy_ms( 0.010 );
    const double p = hot ? 1.0 : g_p.miss;
    if( g_p.bloom )
    {
        {
            ZoneScopedN( "Bloom::Check" );
            busy_ms( r.uni( 0.030, 0.050 ) );
        }
        read_block( r, p );
    }
    else
    {
        // no filter: every candidate file's index/data block is probed; two of them never hold the key
        read_block( r, p );
        read_block( r, hot ? 0.0 : 0.4 * g_p.miss );
        read_block( r, hot ? 0.0 : 0.4 * g_p.miss );
    }
}

void kv_get( rng_t& r, int id )
{
    ZoneScopedN( "KV::Get" );
    char label[32];
    const int n = snprintf( label, sizeof( label ), "key=user:%d", id );
    ZoneText( label, (size_t)n );
    const size_t bsz = (size_t)r.range( 4, 32 ) * 1024;
    void* buf = malloc( bsz );
    memset( buf, 0, 64 );
    TracyAlloc( buf, bsz );
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_locks->db );  // current version
        busy_ms( 0.004 );
    }
    const bool hot = g_p.hot_key && in_hot_range( id );
    bool found = false;
    {
        ZoneScopedN( "MemTable::Lookup" );
        busy_ms( r.uni( 0.010, 0.020 ) );
        found = !hot && r.chance( 0.10 );
    }
    if( !found ) sst_search( r, hot );
    TracyFree( buf );
    free( buf );
    g_gets++;
}

void kv_put( rng_t& r, int id )
{
    ZoneScopedN( "KV::Put" );
    char label[32];
    const int n = snprintf( label, sizeof( label ), "key=user:%d", id );
    ZoneText( label, (size_t)n );
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_locks->db );
        busy_ms( 0.004 );
    }
    {
        std::unique_lock<std::mutex> lk( g_lsm.m );
        if( g_lsm.l0 >= 8 )
        {
            ZoneScopedN( "DB::WriteStall" );
            if( !g_lsm.stalled )
            {
                g_lsm.stalled = true;
                message( "write stall: L0 files %d >= 8", g_lsm.l0 );
            }
            g_lsm.cv.wait( lk, [] { return g_lsm.l0 < 8 || g_stop.load(); } );
        }
    }
    {
        ZoneScopedN( "WAL::Append" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_locks->wal );
        busy_ms( r.uni( 0.030, 0.060 ) );
        if( g_p.fsync_in_lock )
        {
            ZoneScopedN( "Disk::Fsync" );
            busy_ms( r.uni( 2.0, 6.0 ) );
        }
    }
    {
        ZoneScopedN( "MemTable::Insert" );
        const size_t sz = (size_t)r.range( 8, 24 ) * 1024;
        void* e = malloc( sz );
        memset( e, 0, 64 );
        TracyAllocN( e, sz, kMemtablePool );
        busy_ms( r.uni( 0.040, 0.080 ) );
        std::lock_guard<std::mutex> lk( g_lsm.m );
        g_lsm.active->entries.push_back( e );
        g_lsm.active->bytes += sz;
        TracyPlot( "memtable MB", (double)g_lsm.active->bytes / 1048576.0 );
        if( g_lsm.active->bytes >= kMemtableCap )
        {
            g_lsm.immutable.push_back( std::move( g_lsm.active ) );
            g_lsm.active = std::make_unique<memtable>();
            g_lsm.cv.notify_all();
        }
    }
    g_puts++;
}

void client_thread( int c, int64_t t0 )
{
    char nm[16];
    snprintf( nm, sizeof( nm ), "client-%d", c );
    name_thread( nm );
    rng_t r( g_p.seed ^ ( 0x100u * ( c + 1 ) ) );
    const int64_t interval = 1250000;  // 800 ops/s
    int64_t next = t0 + c * 300000;
    while( !g_stop.load() )
    {
        sleep_until_ns( next );
        const int64_t now = now_ns();
        next += interval;
        if( next < now + 150000 ) next = now + 150000;  // behind schedule: no catch-up burst, keep a small gap
        int id;
        if( g_p.hot_key && c == 2 ) id = 42000 + r.range( 0, 999 );
        else
            do id = r.range( 0, 99999 );
            while( in_hot_range( id ) );
        if( r.chance( 0.6 ) ) kv_get( r, id );
        else kv_put( r, id );
        g_ops++;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Background threads

void flush_thread()
{
    name_thread( "flush" );
    rng_t r( g_p.seed ^ 0xf1u );
    for( ;; )
    {
        std::unique_ptr<memtable> mt;
        {
            std::unique_lock<std::mutex> lk( g_lsm.m );
            g_lsm.cv.wait( lk, [] { return !g_lsm.immutable.empty() || g_stop.load(); } );
            if( g_lsm.immutable.empty() ) return;
            mt = std::move( g_lsm.immutable.front() );
            g_lsm.immutable.pop_front();
        }
        int file, l0;
        {
            ZoneScopedN( "Flush::MemTable" );
            {
                ZoneScopedN( "SST::Build" );
                busy_ms( r.uni( 8.0, 12.0 ) );
            }
            {
                ZoneScopedN( "Disk::Write" );
                busy_ms( r.uni( 15.0, 25.0 ) );
            }
            for( void* e : mt->entries )
            {
                TracyFreeN( e, kMemtablePool );
                free( e );
            }
            std::lock_guard<std::mutex> lk( g_lsm.m );
            file = g_lsm.next_file++;
            l0 = ++g_lsm.l0;
            plot_l0( l0 );
            g_lsm.cv.notify_all();
        }
        message( "flush: memtable %.1f MB -> L0 file #%d (L0 files %d)", (double)mt->bytes / 1048576.0, file, l0 );
    }
}

void compaction_thread()
{
    name_thread( "compaction" );
    rng_t r( g_p.seed ^ 0xc0u );
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( g_lsm.m );
            g_lsm.cv.wait( lk, [] { return g_lsm.l0 >= 4 || g_stop.load(); } );
            if( g_stop.load() ) return;
        }
        const double d = r.uni( 0.985, 1.015 ) * g_p.compaction_ms;
        {
            ZoneScopedN( "Compaction::Run" );
            {
                ZoneScopedN( "SST::Merge" );
                busy_ms( d * 0.7 );
            }
            {
                ZoneScopedN( "Disk::Write" );
                busy_ms( d * 0.3 );
            }
            std::lock_guard<std::mutex> lk( g_lsm.m );
            g_lsm.l0 -= 4;
            g_lsm.l1_bytes += 16u << 20;
            g_lsm.stalled = false;
            plot_l0( g_lsm.l0 );
            g_lsm.cv.notify_all();
        }
        message( "compaction L0->L1: 4 files, 16 MB (L1 now %llu MB)", (unsigned long long)( g_lsm.l1_bytes >> 20 ) );
    }
}

void stats_thread( int64_t t0 )
{
    name_thread( "stats" );
    rng_t r( g_p.seed ^ 0x57u );
    uint64_t last = 0;
    for( int tick = 1; !g_stop.load(); tick++ )
    {
        sleep_until_ns( t0 + tick * 250000000ll );
        const uint64_t ops = g_ops.load();
        TracyPlot( "ops/s", (int64_t)( ( ops - last ) * 4 ) );
        last = ops;
        if( tick % 4 == 0 )
        {
            ZoneScopedN( "Stats::Dump" );
            uint64_t hits, misses;
            int l0;
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_locks->db );
                busy_ms( 0.005 );
            }
            {
                std::lock_guard<std::mutex> lk( g_lsm.m );
                l0 = g_lsm.l0;
            }
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_locks->cache );
                hits = g_cache.hits;
                misses = g_cache.misses;
            }
            busy_ms( r.uni( 6.0, 10.0 ) );  // formats the per-level and per-thread statistics
            message( "stats: %llu ops, %llu puts, %llu gets, block cache hit rate %.1f%%, L0 files %d",
                     (unsigned long long)ops, (unsigned long long)g_puts.load(), (unsigned long long)g_gets.load(),
                     100.0 * (double)hits / (double)std::max<uint64_t>( 1, hits + misses ), l0 );
        }
    }
}

int run()
{
    TracyAppInfo( g_p.app, strlen( g_p.app ) );
    g_locks = std::make_unique<engine_locks>();
    {
        ZoneScopedN( "DB::Open" );
        {
            ZoneScopedN( "BlockCache::Warmup" );
            for( size_t i = 0; i < kWarmBlocks; i++ )
            {
                void* b = malloc( kBlock );
                memset( b, 0, 64 );
                TracyAllocN( b, kBlock, kCachePool );
                g_cache.warm.push_back( b );
            }
            g_cache.bytes = kWarmBlocks * kBlock;
            TracyPlot( "block cache MB", (double)g_cache.bytes / 1048576.0 );
        }
        busy_ms( 15.0 );
    }
    plot_l0( 0 );
    TracyPlot( "memtable MB", 0.0 );
    message( "kvstore: opened /data/bench (block cache 64 MB, memtable 4 MB, bloom filters %s)", g_p.bloom ? "on" : "off" );
    const int64_t t0 = now_ns() + 20000000;
    std::vector<std::thread> th;
    for( int c = 0; c < kClients; c++ ) th.emplace_back( client_thread, c, t0 );
    std::thread fl( flush_thread ), co( compaction_thread ), st( stats_thread, t0 );
    sleep_until_ns( t0 + (int64_t)( g_p.seconds * 1e9 ) );
    g_stop.store( true );
    {
        std::lock_guard<std::mutex> lk( g_lsm.m );
        g_lsm.cv.notify_all();
    }
    for( auto& t : th ) t.join();
    {
        std::lock_guard<std::mutex> lk( g_lsm.m );
        g_lsm.cv.notify_all();
    }
    fl.join();
    co.join();
    st.join();
    {
        ZoneScopedN( "DB::Close" );
        for( auto* mt : { g_lsm.active.get() } )
            for( void* e : mt->entries )
            {
                TracyFreeN( e, kMemtablePool );
                free( e );
            }
        for( auto& mt : g_lsm.immutable )
            for( void* e : mt->entries )
            {
                TracyFreeN( e, kMemtablePool );
                free( e );
            }
        for( void* b : g_cache.lru )
        {
            TracyFreeN( b, kCachePool );
            free( b );
        }
        for( void* b : g_cache.warm )
        {
            TracyFreeN( b, kCachePool );
            free( b );
        }
        busy_ms( 5.0 );
    }
    message( "kvstore: closed" );
    for( void* b : g_cache.evicted ) free( b );  // process exit (the profiler never sees these freed)
    return 0;
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    name_thread( "kvstore-main" );
    params& p = g_p;
    p.scenario = s;
    if( getenv( "KVSTORE_SECONDS" ) ) p.seconds = atof( getenv( "KVSTORE_SECONDS" ) );
    if( s == "write_stall" )
    {
        p.seed ^= 1;
        p.compaction_ms = 910.0;
    }
    else if( s == "wal_lock" )
    {
        p.seed ^= 2;
        p.fsync_in_lock = true;
    }
    else if( s == "cache_leak" )
    {
        p.seed ^= 3;
        p.miss = 0.25;
        p.cache_leak = true;
    }
    else if( s == "regress_a" || s == "regress_b" )
    {
        p.seed ^= 4;
        if( s == "regress_b" )
        {
            p.bloom = false;
            p.app = "kvstore 3.3.0-dev (db_bench)";
        }
    }
    else if( s == "hot_key" )
    {
        p.seed ^= 5;
        p.hot_key = true;
    }
    else
    {
        fprintf( stderr, "usage: kvstore write_stall|wal_lock|cache_leak|regress_a|regress_b|hot_key\n" );
        return 2;
    }
    const int rc = run();
    printf( "kvstore %s: done\n", s.c_str() );
    return rc;
}
