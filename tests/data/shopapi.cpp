// shopapi: a small e-commerce HTTP API server instrumented with Tracy (benchmark data for profiler-analysis tools;
// not part of any project). No frame marks (a server has no frames).
//
// Threads: "Main thread" (the acceptor; its SetThreadName("http-acceptor") is overridden: Tracy always names the
// main thread "Main thread"; generates an open-loop Poisson request stream from a fixed seed, plot
// "http.queue_depth"), "http-worker-0..3" (handle requests), "metrics-reporter" (Metrics::Flush every 500 ms,
// ~12 ms, harmless), "cache-evictor" (Cache::EvictExpired every 250 ms, ~3 ms, harmless); regress b only:
// "cache-warmer" (one Cache::Warm at start-up, ~150 ms, off the request path).
//
// Each request: zone Http::HandleRequest, ZoneText = route ("GET /orders", "GET /profile", "POST /cart",
// "GET /search", "GET /reports/daily", "GET /health"); inside it Auth::Verify, Cache::Get (ZoneText = key),
// Db::Query (ZoneText = SQL; takes Db::Pool::m_mutex twice per query, ~2 us each, practically uncontended),
// Json::Serialize and route-specific zones (Orders::ListForCustomer with ZoneText "customer C: N orders",
// Orders::LoadItems, Orders::Hydrate, Profile::LoadRecommendations, Cart::ApplyPromotions, Search::Rank).
//
// Usage: shopapi <scenario> [a|b]
//   n_plus_one   GET /orders loads the order list with one query, then one Db::Query per order
//                ("SELECT * FROM order_items WHERE order_id=?", ~0.3 ms each). ~10% of customers (wholesale
//                accounts) have 100-220 orders -> 100-220 queries, ~40-90 ms; everyone else 3-8 orders, 3-5 ms.
//                Distractors: GET /reports/daily (one steady ~16 ms aggregate query, the slowest single Db::Query),
//                busy but uncontended Db::Pool::m_mutex, metrics/evictor background zones.
//   slow_query   GET /search runs one Db::Query; ~35% of searches use a leading-wildcard pattern
//                (LIKE '%word%') that takes 30-60 ms; prefix searches (LIKE 'word%') take 1-2 ms. Query count per
//                request is normal. All customers have 3-8 orders. Same distractors.
//   regress a|b  GET /orders: a runs 4 queries per request (orders, order_items IN (...), customers, addresses);
//                b (ORM upgrade) drops the explicit customers query and lazy-loads the customer once per order line
//                inside Orders::Hydrate ("SELECT * FROM customers WHERE id=?"), 3 + (5..10 lines) queries per
//                request; each query as fast as in a. Distractors in b: Json::Serialize for GET /profile is faster
//                (0.90 -> 0.55 ms), a new one-off Cache::Warm (~150 ms) on thread "cache-warmer" at start-up.
//                Same seed in a and b: identical request stream.
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see /work/team/bin/record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
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

namespace
{

volatile double g_sink = 0.0;

void busy_for( double us, double tail_us = 50.0 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > tail_us + 100.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.08 )
    {
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
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

enum class Scenario { NPlusOne, SlowQuery, RegressA, RegressB };
Scenario g_sc = Scenario::NPlusOne;

// ---- database ----------------------------------------------------------------------------------------------

struct DbPool
{
    TracyLockableN( std::mutex, m_mutex, "Db::Pool::m_mutex" );
    int free_conns = 8;
};
DbPool g_pool;
std::atomic<int> g_queries { 0 };

// One round trip to the database: check out a connection (brief lock), run the statement, return it.
void db_query( const char* sql, double us )
{
    ZoneScopedN( "Db::Query" );
    ZoneText( sql, strlen( sql ) );
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_pool.m_mutex );
        g_pool.free_conns--;
        busy_for( 3.0 );
    }
    busy_for( us );
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_pool.m_mutex );
        g_pool.free_conns++;
    }
    g_queries.fetch_add( 1, std::memory_order_relaxed );
}

// ---- requests ----------------------------------------------------------------------------------------------

enum class Route { Orders, Profile, Cart, Search, Reports, Health };
const char* const kRouteName[] = { "GET /orders", "GET /profile", "POST /cart", "GET /search", "GET /reports/daily", "GET /health" };

const char* const kWords[] = { "boots", "jacket", "usb-c cable", "desk lamp", "yoga mat", "coffee grinder", "headphones",
                               "backpack", "rain coat", "phone case", "water bottle", "sneakers" };

struct Request
{
    Route route;
    int customer;
    int orders;       // GET /orders: number of orders of the customer
    int lines;        // GET /orders: number of order lines (regress)
    int word;         // GET /search
    bool wildcard;    // GET /search: leading wildcard
    bool cache_hit;
    uint32_t seed;
};

std::mutex g_qmu;
std::condition_variable g_qcv;
std::deque<Request> g_queue;
bool g_done = false;
std::atomic<int> g_served { 0 };

void auth_verify( rng_t& r )
{
    ZoneScopedN( "Auth::Verify" );
    busy_for( r( 350 ) );
}

void cache_get( const char* key, rng_t& r )
{
    ZoneScopedN( "Cache::Get" );
    ZoneText( key, strlen( key ) );
    busy_for( r( 45 ), 45 );
}

void json_serialize( double us, rng_t& r )
{
    ZoneScopedN( "Json::Serialize" );
    busy_for( r( us ) );
}

void handle_orders( const Request& q, rng_t& r )
{
    auth_verify( r );
    char key[64];
    snprintf( key, sizeof( key ), "orders:cust:%d", q.customer );
    cache_get( key, r );   // always a miss: order history is not cached
    const bool regress = g_sc == Scenario::RegressA || g_sc == Scenario::RegressB;
    if( !regress )
    {
        {
            ZoneScopedN( "Orders::ListForCustomer" );
            char t[64];
            const int n = snprintf( t, sizeof( t ), "customer %d: %d orders", q.customer, q.orders );
            ZoneText( t, n );
            db_query( "SELECT * FROM orders WHERE customer_id=? ORDER BY created_at DESC", r( 480 ) );
            {
                ZoneScopedN( "Orders::LoadItems" );
                for( int i = 0; i < q.orders; i++ )
                {
                    db_query( "SELECT * FROM order_items WHERE order_id=?", r( 280, 0.15 ) );
                    busy_for( r( 20 ), 20 );   // map rows to OrderItem objects
                }
            }
            db_query( "SELECT * FROM customers WHERE id=?", r( 300, 0.15 ) );
        }
        json_serialize( 400 + 4.0 * q.orders, r );
    }
    else
    {
        {
            ZoneScopedN( "Orders::ListForCustomer" );
            char t[64];
            const int n = snprintf( t, sizeof( t ), "customer %d: %d orders", q.customer, q.orders );
            ZoneText( t, n );
            db_query( "SELECT * FROM orders WHERE customer_id=? ORDER BY created_at DESC LIMIT 20", r( 480 ) );
            db_query( "SELECT * FROM order_items WHERE order_id IN (?)", r( 420 ) );
            if( g_sc == Scenario::RegressA ) db_query( "SELECT * FROM customers WHERE id=?", r( 300, 0.15 ) );
            db_query( "SELECT * FROM addresses WHERE customer_id=?", r( 320, 0.15 ) );
        }
        {
            ZoneScopedN( "Orders::Hydrate" );
            char t[32];
            const int n = snprintf( t, sizeof( t ), "%d lines", q.lines );
            ZoneText( t, n );
            for( int i = 0; i < q.lines; i++ )
            {
                busy_for( r( 40 ), 40 );   // map an order_items row
                if( g_sc == Scenario::RegressB ) db_query( "SELECT * FROM customers WHERE id=?", r( 300, 0.15 ) );
            }
        }
        json_serialize( 450, r );
    }
}

void handle_profile( const Request& q, rng_t& r )
{
    auth_verify( r );
    char key[64];
    snprintf( key, sizeof( key ), "profile:%d", q.customer );
    cache_get( key, r );
    if( !q.cache_hit )
    {
        db_query( "SELECT * FROM users WHERE id=?", r( 400 ) );
        db_query( "SELECT * FROM user_preferences WHERE user_id=?", r( 300, 0.15 ) );
        db_query( "SELECT * FROM addresses WHERE customer_id=?", r( 320, 0.15 ) );
    }
    {
        ZoneScopedN( "Profile::LoadRecommendations" );
        busy_for( r( 1500 ) );   // call to the recommendation service
    }
    json_serialize( g_sc == Scenario::RegressB ? 550 : 900, r );
}

void handle_cart( const Request& q, rng_t& r )
{
    auth_verify( r );
    char key[64];
    snprintf( key, sizeof( key ), "cart:%d", q.customer );
    cache_get( key, r );
    db_query( "SELECT * FROM products WHERE id=?", r( 350 ) );
    db_query( "INSERT INTO cart_items (cart_id,product_id,qty) VALUES (?,?,?)", r( 600 ) );
    db_query( "UPDATE carts SET updated_at=? WHERE id=?", r( 400 ) );
    {
        ZoneScopedN( "Cart::ApplyPromotions" );
        busy_for( r( 1200 ) );
    }
    json_serialize( 300, r );
}

void handle_search( const Request& q, rng_t& r )
{
    char key[64];
    snprintf( key, sizeof( key ), "search:%s", kWords[q.word] );
    cache_get( key, r );
    if( !q.cache_hit )
    {
        char sql[160];
        snprintf( sql, sizeof( sql ), "SELECT id,name,price FROM products WHERE name LIKE '%s%s%%' ORDER BY rank LIMIT 50",
                  q.wildcard ? "%" : "", kWords[q.word] );
        // a leading wildcard cannot use the name index: sequential scan of the products table
        db_query( sql, q.wildcard ? r.uni( 30000, 60000 ) : r.uni( 1000, 2000 ) );
    }
    {
        ZoneScopedN( "Search::Rank" );
        busy_for( r( 1000 ) );
    }
    json_serialize( 600, r );
}

void handle_reports( const Request&, rng_t& r )
{
    auth_verify( r );
    db_query( "SELECT date_trunc('hour',created_at),count(*),sum(total) FROM orders WHERE created_at>=? GROUP BY 1", r( 16000, 0.05 ) );
    json_serialize( 500, r );
}

void handle( const Request& q )
{
    ZoneScopedN( "Http::HandleRequest" );
    ZoneText( kRouteName[(int)q.route], strlen( kRouteName[(int)q.route] ) );
    rng_t r( q.seed );
    switch( q.route )
    {
    case Route::Orders: handle_orders( q, r ); break;
    case Route::Profile: handle_profile( q, r ); break;
    case Route::Cart: handle_cart( q, r ); break;
    case Route::Search: handle_search( q, r ); break;
    case Route::Reports: handle_reports( q, r ); break;
    case Route::Health: busy_for( r( 60 ), 60 ); break;
    }
    g_served.fetch_add( 1, std::memory_order_relaxed );
}

void worker( int id )
{
    char name[32];
    snprintf( name, sizeof( name ), "http-worker-%d", id );
    name_thread( name );
    for( ;; )
    {
        Request q;
        {
            std::unique_lock<std::mutex> lk( g_qmu );
            g_qcv.wait( lk, [] { return g_done || !g_queue.empty(); } );
            if( g_queue.empty() ) return;
            q = g_queue.front();
            g_queue.pop_front();
            TracyPlot( "http.queue_depth", (int64_t)g_queue.size() );
        }
        handle( q );
    }
}

// ---- background ----------------------------------------------------------------------------------------------

std::atomic<bool> g_stop_bg { false };

void metrics_thread()
{
    name_thread( "metrics-reporter" );
    rng_t r( 77 );
    int last_served = 0, last_q = 0;
    auto next = Clock::now() + 500ms;
    while( !g_stop_bg.load() )
    {
        std::this_thread::sleep_until( next );
        next += 500ms;
        ZoneScopedN( "Metrics::Flush" );
        busy_for( r( 12000 ) );   // serialize and push counters to the metrics backend
        const int s = g_served.load(), qq = g_queries.load();
        log_msg( "metrics: %d requests, %d db queries in the last 500 ms", s - last_served, qq - last_q );
        last_served = s;
        last_q = qq;
    }
}

void evictor_thread()
{
    name_thread( "cache-evictor" );
    rng_t r( 91 );
    auto next = Clock::now() + 250ms;
    while( !g_stop_bg.load() )
    {
        std::this_thread::sleep_until( next );
        next += 250ms;
        ZoneScopedN( "Cache::EvictExpired" );
        busy_for( r( 3000 ) );
    }
}

void warmer_thread()
{
    name_thread( "cache-warmer" );
    rng_t r( 5 );
    ZoneScopedN( "Cache::Warm" );
    ZoneText( "products snapshot: 48213 keys", 29 );
    busy_for( r( 150000, 0.03 ) );
    log_msg( "cache: warmed 48213 product keys from snapshot" );
}

}   // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: %s n_plus_one|slow_query|regress a|b\n", argv[0] );
        return 2;
    }
    const std::string sc = argv[1];
    if( sc == "n_plus_one" ) g_sc = Scenario::NPlusOne;
    else if( sc == "slow_query" ) g_sc = Scenario::SlowQuery;
    else if( sc == "regress" && argc > 2 && std::string( argv[2] ) == "a" ) g_sc = Scenario::RegressA;
    else if( sc == "regress" && argc > 2 && std::string( argv[2] ) == "b" ) g_sc = Scenario::RegressB;
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 2;
    }
    name_thread( "http-acceptor" );
    std::this_thread::sleep_for( 200ms );

    const char* ver = g_sc == Scenario::RegressB ? "2.15.0" : "2.14.3";
    log_msg( "shop-api %s starting: 4 http workers", ver );
    log_msg( "db: pool of 8 connections to postgres://orders-db:5432/shop" );

    std::thread warmer;
    if( g_sc == Scenario::RegressB ) warmer = std::thread( warmer_thread );
    std::thread metrics( metrics_thread ), evictor( evictor_thread );
    std::vector<std::thread> workers;
    for( int i = 0; i < 4; i++ ) workers.emplace_back( worker, i );
    std::this_thread::sleep_for( 50ms );
    log_msg( "listening on 0.0.0.0:8080" );

    // open-loop request stream, fixed seed (identical in regress a and b)
    rng_t r( g_sc == Scenario::SlowQuery ? 4242 : 1234 );
    std::exponential_distribution<double> gap( 240.0 );   // 240 req/s
    const double run_s = 5.0;
    auto t = Clock::now();
    const auto end = t + std::chrono::milliseconds( (int)( run_s * 1000 ) );
    int n = 0;
    while( true )
    {
        t += std::chrono::nanoseconds( (int64_t)( gap( r.g ) * 1e9 ) );
        if( t >= end ) break;
        Request q {};
        const double p = r.uni( 0, 1 );
        q.route = p < 0.28 ? Route::Orders : p < 0.48 ? Route::Profile : p < 0.68 ? Route::Cart : p < 0.90 ? Route::Search
                : p < 0.915 ? Route::Reports : Route::Health;
        q.customer = r.irange( 1000, 99999 );
        const bool wholesale = g_sc == Scenario::NPlusOne && r.chance( 0.10 );
        q.orders = wholesale ? r.irange( 100, 220 ) : r.irange( 3, 8 );
        q.lines = r.irange( 5, 10 );
        q.word = r.irange( 0, 11 );
        q.wildcard = g_sc == Scenario::SlowQuery && r.chance( 0.35 );
        q.cache_hit = q.route == Route::Profile ? r.chance( 0.75 ) : q.route == Route::Search ? r.chance( 0.25 ) : false;
        if( q.route == Route::Search && q.wildcard ) q.cache_hit = false;   // ad-hoc patterns are never cached
        q.seed = (uint32_t)r.g();
        std::this_thread::sleep_until( t );
        {
            std::lock_guard<std::mutex> lk( g_qmu );
            g_queue.push_back( q );
            TracyPlot( "http.queue_depth", (int64_t)g_queue.size() );
        }
        g_qcv.notify_one();
        n++;
    }
    {
        std::lock_guard<std::mutex> lk( g_qmu );
        g_done = true;
    }
    g_qcv.notify_all();
    for( auto& w : workers ) w.join();
    g_stop_bg = true;
    metrics.join();
    evictor.join();
    if( warmer.joinable() ) warmer.join();
    log_msg( "shutting down: served %d requests, %d db queries", g_served.load(), g_queries.load() );
    std::this_thread::sleep_for( 100ms );
    return 0;
}
