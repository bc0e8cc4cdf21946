// retrytail: a small storefront backend (no frames: a server) instrumented with Tracy, benchmark data for
// profiler-analysis tools. An "acceptor" thread generates an open-loop stream of requests (Poisson arrivals, fixed
// seed) and queues them; 8 "handler-N" threads serve them:
//   Server::Handle (ZoneText = endpoint, e.g. "GET /inventory")
//     > Auth::Verify (> Crypto::VerifySignature when the token is not in the token cache)
//     > Cache::Get (ZoneText "hit"/"miss")
//     > DB::AcquireConn (lock "DB::ConnPool", held a few µs) > DB::Query (ZoneText = SQL) [> Retry::Backoff > DB::Query]
//     > Json::Encode
// Background threads: "metrics" (Metrics::Flush ~12 ms every 250 ms, plots), "cache-janitor" (Cache::Evict every
// 400 ms), "admin" (cold_cache: Cache::Flush), "log-rotate" (Log::Rotate ~90 ms once, harmless).
//
// Usage: retrytail retry|cold_cache|regress_a|regress_b
//   retry       1 in 14 first-attempt queries against the orders shard (GET /orders, POST /checkout) time out after 30 ms
//               (message "db timeout, retrying ..."), then Retry::Backoff sleeps 20 ms and the query is retried
//   cold_cache  the admin thread flushes the cache at ~2.0 s; every Cache::Get misses for ~1 s (DB::Query on every
//               request, the DB slower under load), then the hit rate recovers
//   regress_a/b same load; in b Auth::Verify runs Crypto::VerifySignature (~1.5 ms) on every request (token cache
//               off) instead of ~3% of them; b's Json::Encode is ~10% faster and b has a new tiny Trace::Inject
//
// Run ONLY inside a loopback-only network namespace with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
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

namespace
{

volatile double g_sink = 0.0;

// wall-clock work: sleep most of it, spin the last ~60 µs
void busy_for( double us, double tail_us = 60.0 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > tail_us + 150.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.10 ) { return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g ); }
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    int irange( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
    bool chance( double p ) { return uni( 0.0, 1.0 ) < p; }
};

void log_msg( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void log_msg( const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyMessage( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ) );
}

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_TIMERSLACK, 1UL );
}

enum class scen { retry, cold_cache, regress_a, regress_b };
scen g_s;
Clock::time_point g_t0;
double now_s() { return std::chrono::duration<double>( Clock::now() - g_t0 ).count(); }

constexpr double kRunSeconds = 5.0;
constexpr double kArrivalsPerSec = 500.0;
constexpr int kHandlers = 8;

// ---- endpoints -------------------------------------------------------------------------------------------

struct endpoint
{
    const char* route;
    const char* sql;
    double weight;
    double hit_rate;     // cache hit rate when warm (-1: not cached, always queries the DB; -2: no DB at all)
    double db_us;
    double json_us;
    bool orders_shard;
    bool auth;
};

const endpoint kEp[] = {
    { "GET /inventory", "SELECT sku, qty, reserved FROM stock WHERE warehouse_id = $1 AND sku = ANY($2)", 28, 0.60, 2100, 1300, false, true },
    { "GET /products", "SELECT id, title, price_cents FROM products WHERE category_id = $1 LIMIT 40", 24, 0.70, 2300, 1500, false, true },
    { "GET /orders", "SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20", 18, -1, 2000, 1300, true, true },
    { "POST /checkout", "INSERT INTO orders (customer_id, cart_id, total_cents) VALUES ($1, $2, $3) RETURNING id", 12, -1, 2500, 800, true, true },
    { "POST /cart", "UPDATE carts SET items = $2, updated_at = now() WHERE id = $1", 12, 0.50, 1800, 900, false, true },
    { "GET /reports/daily", "SELECT date_trunc('hour', created_at), count(*), sum(total_cents) FROM orders_replica GROUP BY 1", 4, -1, 6500, 3000, false, true },
    { "GET /health", nullptr, 8, -2, 0, 40, false, false },
};
constexpr int kNumEp = sizeof( kEp ) / sizeof( kEp[0] );

// ---- shared state ----------------------------------------------------------------------------------------

struct request
{
    int id;
    int ep;
};

std::mutex g_qm;
std::condition_variable g_qcv;
std::deque<request> g_q;
std::atomic<bool> g_stop{ false };
std::atomic<int> g_inflight{ 0 };
std::atomic<int> g_db_inflight{ 0 };
std::atomic<int> g_hits{ 0 }, g_lookups{ 0 };
std::atomic<int> g_done{ 0 };

TracyLockableN( std::mutex, g_connpool, "DB::ConnPool" );
int g_conn_free = 16;

// cold_cache: cache generation state
std::atomic<bool> g_flushed{ false };
std::atomic<double> g_flush_at{ 1e9 };

double cache_hit_prob( double warm )
{
    if( g_s != scen::cold_cache ) return warm;
    const double t = now_s();
    const double fa = g_flush_at.load();
    if( t < fa ) return warm;
    const double dt = t - fa;
    if( dt < 0.95 ) return 0.0;                    // every key was flushed: everything misses
    if( dt < 1.15 ) return warm * ( dt - 0.95 ) / 0.20;   // refilled; hit rate recovers
    return warm;
}

// ---- request handling ------------------------------------------------------------------------------------

void auth_verify( rng_t& r )
{
    ZoneScopedN( "Auth::Verify" );
    busy_for( r( 350 ) );                          // header parse + token cache lookup
    const bool verify = ( g_s == scen::regress_b ) ? true : r.chance( 0.03 );
    if( verify )
    {
        ZoneScopedN( "Crypto::VerifySignature" );
        busy_for( r( 1500, 0.06 ) );               // RS256 signature check
    }
}

bool cache_get( rng_t& r, double warm )
{
    ZoneScopedN( "Cache::Get" );
    busy_for( r( 160 ) );
    const bool hit = r.chance( cache_hit_prob( warm ) );
    if( hit ) ZoneText( "hit", 3 );
    else ZoneText( "miss", 4 );
    g_lookups++;
    if( hit ) g_hits++;
    return hit;
}

void db_acquire()
{
    ZoneScopedN( "DB::AcquireConn" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_connpool );
    g_conn_free--;
    busy_for( 15, 15 );
    g_conn_free++;
}

std::mutex g_dbrate_m;          // plain mutex (bookkeeping, not instrumented)
std::deque<Clock::time_point> g_dbstarts;
int db_recent_starts()
{
    const auto now = Clock::now();
    std::lock_guard<std::mutex> lk( g_dbrate_m );
    g_dbstarts.push_back( now );
    while( !g_dbstarts.empty() && now - g_dbstarts.front() > 100ms ) g_dbstarts.pop_front();
    return (int)g_dbstarts.size();
}

// returns false on timeout
bool db_query( rng_t& r, const endpoint& e, bool may_timeout )
{
    ZoneScopedN( "DB::Query" );
    ZoneText( e.sql, strlen( e.sql ) );
    db_acquire();
    const int inflight = ++g_db_inflight;
    // one orders-shard query in 14 lands on the stalled replica connection (deterministic count, random timing)
    static std::atomic<int> s_orders_q{ 0 };
    const bool timeout = may_timeout && ( s_orders_q++ % 14 == 7 );
    if( timeout )
    {
        busy_for( 30000 + r.uni( 0, 300 ) );       // client-side statement timeout 30 ms
        g_db_inflight--;
        log_msg( "db timeout, retrying: %s (orders-db-2, 30 ms statement timeout, attempt 1/3)", e.route );
        return false;
    }
    double load = 1.0;
    if( g_s == scen::cold_cache )
    {
        // the primary's buffer pool / CPU saturates when the query rate climbs (a cache-miss storm)
        const int rate = db_recent_starts();       // queries started in the last 100 ms
        load = 1.0 + 0.11 * std::max( 0, rate - 32 );
        (void)inflight;
    }
    busy_for( r( e.db_us * load, 0.25 ) );
    g_db_inflight--;
    return true;
}

void json_encode( rng_t& r, const endpoint& e )
{
    ZoneScopedN( "Json::Encode" );
    const double f = ( g_s == scen::regress_b ) ? 0.90 : 1.0;
    busy_for( r( e.json_us * f, 0.15 ) );
}

void handle( rng_t& r, const request& q )
{
    const endpoint& e = kEp[q.ep];
    ZoneScopedN( "Server::Handle" );
    ZoneText( e.route, strlen( e.route ) );
    if( g_s == scen::regress_b )
    {
        ZoneScopedN( "Trace::Inject" );
        busy_for( 25, 25 );
    }
    if( e.auth ) auth_verify( r );
    if( e.hit_rate == -2 )
    {
        busy_for( r( 150 ) );
    }
    else
    {
        bool hit = false;
        if( e.hit_rate >= 0 ) hit = cache_get( r, e.hit_rate );
        if( !hit )
        {
            const bool may_timeout = ( g_s == scen::retry ) && e.orders_shard;
            if( !db_query( r, e, may_timeout ) )
            {
                {
                    ZoneScopedN( "Retry::Backoff" );
                    std::this_thread::sleep_for( 20ms );
                }
                db_query( r, e, false );
            }
        }
    }
    json_encode( r, e );
}

void handler_thread( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "handler-%d", idx );
    name_thread( name );
    rng_t r( 1000 + idx * 7919 );
    for( ;; )
    {
        request q;
        {
            std::unique_lock<std::mutex> lk( g_qm );
            g_qcv.wait( lk, [] { return g_stop.load() || !g_q.empty(); } );   // idle wait, not zoned
            if( g_q.empty() ) return;
            q = g_q.front();
            g_q.pop_front();
        }
        TracyPlot( "requests in flight", (int64_t)++g_inflight );
        handle( r, q );
        TracyPlot( "requests in flight", (int64_t)--g_inflight );
        g_done++;
    }
}

void acceptor_thread()
{
    name_thread( "acceptor" );
    rng_t r( 424242 );
    std::exponential_distribution<double> gap( kArrivalsPerSec );
    double weights[kNumEp];
    for( int i = 0; i < kNumEp; i++ ) weights[i] = kEp[i].weight;
    std::discrete_distribution<int> pick( weights, weights + kNumEp );
    auto next = g_t0;
    int id = 0;
    while( true )
    {
        next += std::chrono::nanoseconds( (int64_t)( gap( r.g ) * 1e9 ) );
        if( std::chrono::duration<double>( next - g_t0 ).count() > kRunSeconds ) break;
        std::this_thread::sleep_until( next );
        request q{ id++, pick( r.g ) };
        {
            std::lock_guard<std::mutex> lk( g_qm );
            g_q.push_back( q );
        }
        g_qcv.notify_one();
    }
    log_msg( "acceptor: listener closed after %d requests", id );
}

void metrics_thread()
{
    name_thread( "metrics" );
    rng_t r( 77 );
    while( !g_stop.load() )
    {
        std::this_thread::sleep_for( 250ms );
        ZoneScopedN( "Metrics::Flush" );
        const int l = g_lookups.exchange( 0 ), h = g_hits.exchange( 0 );
        if( l > 0 ) TracyPlot( "cache hit rate %", (double)h * 100.0 / l );
        TracyPlot( "requests done", (int64_t)g_done.load() );
        busy_for( r( 12000, 0.05 ) );            // serialise + push to the collector: big but steady
    }
}

void janitor_thread()
{
    name_thread( "cache-janitor" );
    rng_t r( 99 );
    while( !g_stop.load() )
    {
        std::this_thread::sleep_for( 400ms );
        ZoneScopedN( "Cache::Evict" );
        busy_for( r( 2500 ) );
        log_msg( "cache: evicted %d expired keys (ttl 300 s)", r.irange( 40, 180 ) );
    }
}

void logrotate_thread()
{
    name_thread( "log-rotate" );
    std::this_thread::sleep_for( std::chrono::milliseconds( 3900 ) );
    ZoneScopedN( "Log::Rotate" );
    log_msg( "log-rotate: rotating access.log (212 MiB)" );
    busy_for( 90000 );
    log_msg( "log-rotate: access.log.1.gz written" );
}

void admin_thread()
{
    name_thread( "admin" );
    std::this_thread::sleep_for( std::chrono::milliseconds( 2000 ) );
    ZoneScopedN( "Cache::Flush" );
    log_msg( "admin: POST /admin/cache/flush from 10.0.3.17 (price table import)" );
    busy_for( 3000 );
    g_flush_at = now_s();
    log_msg( "cache: flushed 48211 keys (generation 7 -> 8)" );
}

}   // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    if( s == "retry" ) g_s = scen::retry;
    else if( s == "cold_cache" ) g_s = scen::cold_cache;
    else if( s == "regress_a" ) g_s = scen::regress_a;
    else if( s == "regress_b" ) g_s = scen::regress_b;
    else
    {
        fprintf( stderr, "usage: retrytail retry|cold_cache|regress_a|regress_b\n" );
        return 2;
    }
    name_thread( "main" );
    std::this_thread::sleep_for( 700ms );   // let the profiler connection settle before taking traffic
    log_msg( "storefront-api 3.14.2 starting, %d handler threads", kHandlers );
    log_msg( "config: auth.token_cache=%s, db.statement_timeout=30ms, db.retry_backoff=20ms",
             g_s == scen::regress_b ? "off" : "on" );
    g_t0 = Clock::now();

    std::vector<std::thread> th;
    for( int i = 0; i < kHandlers; i++ ) th.emplace_back( handler_thread, i );
    std::thread met( metrics_thread ), jan( janitor_thread ), lr( logrotate_thread );
    std::thread adm;
    if( g_s == scen::cold_cache ) adm = std::thread( admin_thread );
    std::thread acc( acceptor_thread );
    acc.join();
    {
        std::lock_guard<std::mutex> lk( g_qm );
        g_stop = true;
    }
    g_qcv.notify_all();
    for( auto& t : th ) t.join();
    met.join();
    jan.join();
    lr.join();
    if( adm.joinable() ) adm.join();
    log_msg( "storefront-api: shutdown, %d requests served", g_done.load() );
    printf( "retrytail %s: done (%d requests)\n", s.c_str(), g_done.load() );
    return 0;
}
