// itemcache: the in-memory item cache of a game backend (inventory/market service), a sharded hash map with 32
// shards, each with its own mutex (striped locks), instrumented with Tracy (benchmark data for profiler-analysis
// tools; not part of any project). Threads:
//   main ("Main thread")   Service::Start (> Cache::Warmup), then the service tick loop at 50 Hz:
//                          Service::Tick > World::Simulate, Telemetry::Snapshot (under Telemetry::mutex); FrameMark
//   worker-0..5            request handlers (closed loop): Cache::Get (ZoneText "shard=N key=item:K")
//                          > Shard::Lookup (under the shard's mutex, ZoneValue = shard index),
//                            on a miss Backend::Fetch (outside any lock) and Shard::Insert;
//                          Cache::Put (ZoneText) > Codec::Serialize, Shard::Insert (under the shard's mutex)
//   evictor                Cache::EvictSweep every 200 ms: Shard::Evict on each of the 32 shards in turn
//   telemetry              Telemetry::Flush every 500 ms (holds Telemetry::mutex ~5 ms), message + plot "ops/s"
// Locks: 32 x "Shard::mutex" (one TracyLockableN per shard, all the same name and source location),
// "Telemetry::mutex", and in regress_b "Cache::statsMutex".
//
// Usage: itemcache <scenario>
//   hot_shard   a flash sale: ~60% of requests hit a small set of hot items that all hash to shard 7
//   regress_a   uniform keys; request stats are kept with relaxed atomics
//   regress_b   uniform keys; a refactor moved the request stats into a struct guarded by one global
//               Cache::statsMutex, taken by every Get/Put (Stats::Record): workers serialize on it
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

constexpr int kShards = 32;
constexpr int kWorkers = 6;
constexpr int kHotShard = 7;

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

// Emulated work: sleep to just before the deadline, then spin.
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

uint32_t key_hash( uint32_t k )
{
    uint32_t h = 2166136261u;
    for( int i = 0; i < 4; i++ ) { h ^= ( k >> ( 8 * i ) ) & 0xff; h *= 16777619u; }
    return h;
}
int shard_of( uint32_t k ) { return (int)( key_hash( k ) % kShards ); }

// ---------------------------------------------------------------------------------------------------------------

struct params
{
    std::string scenario;
    double seconds = 5.0;
    double hot_frac = 0.0;      // hot_shard: 0.6
    bool stats_lock = false;    // regress_b
    double lookup_ms = 0.35;    // hold of Shard::Lookup
    double insert_ms = 0.35;    // hold of Shard::Insert
    double serialize_ms = 0.30;
    double fetch_ms = 1.5;      // Backend::Fetch on a miss
    double miss = 0.015;
    double think_ms = 0.8;      // between requests (network receive, not instrumented)
    double stats_ms = 0.22;     // regress_b: Stats::Record under Cache::statsMutex
    const char* app = "itemcache 2.4.1 (market-svc)";
};
params g_p;

struct Shard
{
    TracyLockableN( std::mutex, mutex, "Shard::mutex" );
    std::unordered_map<uint32_t, uint32_t> items;
    uint64_t evictions = 0;
};

struct Stats
{
    uint64_t gets = 0, puts = 0, hits = 0, misses = 0;
};

Shard g_shards[kShards];
TracyLockableN( std::mutex, g_telemetry_mutex, "Telemetry::mutex" );
Stats g_stats;                        // regress_b: guarded by g_stats_mutex
std::atomic<uint64_t> g_ops{ 0 };     // regress_a / hot_shard: relaxed atomics
std::atomic<uint64_t> g_hits{ 0 };
std::vector<uint32_t> g_hot_keys;     // flash-sale items, all in shard kHotShard

void record_stats( bool get, bool hit )
{
    if( g_p.stats_lock )
    {
        static TracyLockableN( std::mutex, g_stats_mutex, "Cache::statsMutex" );  // created on first use
        ZoneScopedN( "Stats::Record" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_stats_mutex );
        busy_ms( g_p.stats_ms );
        if( get ) { g_stats.gets++; if( hit ) g_stats.hits++; else g_stats.misses++; }
        else g_stats.puts++;
    }
    g_ops.fetch_add( 1, std::memory_order_relaxed );
    if( hit ) g_hits.fetch_add( 1, std::memory_order_relaxed );
}

uint32_t pick_key( rng_t& r )
{
    if( g_p.hot_frac > 0 && r.chance( g_p.hot_frac ) ) return g_hot_keys[r.range( 0, (int)g_hot_keys.size() - 1 )];
    return (uint32_t)r.range( 10000, 99999 );
}

void cache_get( rng_t& r, uint32_t key )
{
    const int s = shard_of( key );
    ZoneScopedN( "Cache::Get" );
    char buf[64];
    const int n = snprintf( buf, sizeof( buf ), "shard=%d key=item:%u", s, key );
    ZoneText( buf, n );
    Shard& sh = g_shards[s];
    bool hit;
    {
        std::lock_guard<LockableBase( std::mutex )> lk( sh.mutex );
        ZoneScopedN( "Shard::Lookup" );
        ZoneValue( s );
        busy_ms( g_p.lookup_ms * r.uni( 0.85, 1.15 ) );
        hit = !r.chance( g_p.miss );
        if( hit ) sh.items[key]++;
    }
    if( !hit )
    {
        {
            ZoneScopedN( "Backend::Fetch" );
            busy_ms( g_p.fetch_ms * r.uni( 0.8, 1.2 ) );
        }
        std::lock_guard<LockableBase( std::mutex )> lk( sh.mutex );
        ZoneScopedN( "Shard::Insert" );
        ZoneValue( s );
        busy_ms( g_p.insert_ms * r.uni( 0.85, 1.15 ) );
        sh.items[key] = 1;
    }
    record_stats( true, hit );
}

void cache_put( rng_t& r, uint32_t key )
{
    const int s = shard_of( key );
    ZoneScopedN( "Cache::Put" );
    char buf[64];
    const int n = snprintf( buf, sizeof( buf ), "shard=%d key=item:%u", s, key );
    ZoneText( buf, n );
    {
        ZoneScopedN( "Codec::Serialize" );
        busy_ms( g_p.serialize_ms * r.uni( 0.8, 1.2 ) );
    }
    Shard& sh = g_shards[s];
    {
        std::lock_guard<LockableBase( std::mutex )> lk( sh.mutex );
        ZoneScopedN( "Shard::Insert" );
        ZoneValue( s );
        busy_ms( g_p.insert_ms * r.uni( 0.85, 1.15 ) );
        sh.items[key] = 1;
    }
    record_stats( false, false );
}

void worker( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "worker-%d", idx );
    name_thread( name );
    rng_t r( 0x1c0ffee + idx * 7919 );
    while( !g_stop.load( std::memory_order_relaxed ) )
    {
        const uint32_t key = pick_key( r );
        if( r.chance( 0.7 ) ) cache_get( r, key );
        else cache_put( r, key );
        busy_ms( g_p.think_ms * r.uni( 0.7, 1.3 ) );
    }
}

void evictor()
{
    name_thread( "evictor" );
    rng_t r( 0xe71c7 );
    int64_t next = now_ns() + 100000000;
    while( !g_stop.load( std::memory_order_relaxed ) )
    {
        sleep_until_ns( next );
        next += 200000000;
        if( g_stop.load() ) break;
        ZoneScopedN( "Cache::EvictSweep" );
        for( int s = 0; s < kShards; s++ )
        {
            Shard& sh = g_shards[s];
            std::lock_guard<LockableBase( std::mutex )> lk( sh.mutex );
            ZoneScopedN( "Shard::Evict" );
            ZoneValue( s );
            busy_ms( 0.05 );
            if( sh.items.size() > 512 ) { sh.items.clear(); sh.evictions++; }
        }
    }
}

void telemetry()
{
    name_thread( "telemetry" );
    int64_t next = now_ns() + 500000000;
    uint64_t last_ops = 0;
    while( !g_stop.load( std::memory_order_relaxed ) )
    {
        sleep_until_ns( next );
        next += 500000000;
        if( g_stop.load() ) break;
        ZoneScopedN( "Telemetry::Flush" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_telemetry_mutex );
        busy_ms( 5.0 );
        const uint64_t ops = g_ops.load();
        const uint64_t hits = g_hits.load();
        const double rate = ( ops - last_ops ) * 2.0;
        last_ops = ops;
        TracyPlot( "ops/s", rate );
        message( "telemetry: %.0f req/s, %llu requests, %llu hits", rate, (unsigned long long)ops,
                 (unsigned long long)hits );
    }
}

void service_loop()
{
    rng_t r( 0x7ac7 );
    const int64_t period = 20000000;  // 50 Hz
    int64_t next = now_ns() + period;
    const int64_t end = now_ns() + (int64_t)( g_p.seconds * 1e9 );
    while( now_ns() < end )
    {
        {
            ZoneScopedN( "Service::Tick" );
            {
                ZoneScopedN( "World::Simulate" );
                busy_ms( 6.0 * r.uni( 0.9, 1.1 ) );
            }
            {
                ZoneScopedN( "Telemetry::Snapshot" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_telemetry_mutex );
                busy_ms( 0.3 );
            }
        }
        FrameMark;
        sleep_until_ns( next );
        next += period;
    }
}

}  // namespace

int main( int argc, char** argv )
{
    g_p.scenario = argc > 1 ? argv[1] : "regress_a";
    if( g_p.scenario == "hot_shard" ) g_p.hot_frac = 0.6;
    else if( g_p.scenario == "regress_a" ) {}
    else if( g_p.scenario == "regress_b" ) g_p.stats_lock = true;
    else { fprintf( stderr, "unknown scenario %s\n", g_p.scenario.c_str() ); return 2; }

    TracySetProgramName( "itemcache" );
    TracyAppInfo( g_p.app, strlen( g_p.app ) );
    tracy::SetThreadName( "Main thread" );

    for( uint32_t k = 40000; g_hot_keys.size() < 24; k++ )
        if( shard_of( k ) == kHotShard ) g_hot_keys.push_back( k );

    {
        ZoneScopedN( "Service::Start" );
        message( "itemcache: starting, %d shards, %d workers, scenario %s", kShards, kWorkers, g_p.scenario.c_str() );
        {
            ZoneScopedN( "Cache::Warmup" );
            for( int s = 0; s < kShards; s++ )
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_shards[s].mutex );
                busy_ms( 1.0 );
                for( uint32_t i = 0; i < 64; i++ ) g_shards[s].items[i * kShards + s] = 0;
            }
        }
        if( g_p.hot_frac > 0 ) message( "market: flash sale started, %zu items featured", g_hot_keys.size() );
    }

    std::vector<std::thread> threads;
    for( int i = 0; i < kWorkers; i++ ) threads.emplace_back( worker, i );
    threads.emplace_back( evictor );
    threads.emplace_back( telemetry );

    service_loop();

    g_stop = true;
    for( auto& t : threads ) t.join();
    message( "itemcache: stopped after %llu requests", (unsigned long long)g_ops.load() );
    return 0;
}
