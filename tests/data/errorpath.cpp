// errorpath: a small HTTP API service (orders / users / inventory / reports) instrumented with Tracy (benchmark data
// for profiler-analysis tools; not part of any project). No frames: a server. A "listener" thread accepts requests
// open-loop and queues them (plot "queue depth"); four "http-worker-N" threads handle them. Each request is one
// Http::Handle zone whose ZoneText is "METHOD /route STATUS" (set when the status is known). Children:
// Http::ParseRequest, Auth::CheckToken, Validate::Request, then on success the route's handler (Orders::List,
// Orders::Create, Users::Get, Inventory::Get, Report::Build) with Db::Query / Cache::Lookup, Json::Serialize,
// Audit::Append (under the lock Audit::FileLock) and Metrics::Record (under Metrics::mutex). About 5% of requests
// fail validation (400/404/422): the handler then runs Error::BuildResponse > Error::CaptureStackTrace (~15 ms) and
// Audit::WriteSync (~10 ms, an fsync'ed audit record).
// Background threads: "metrics-flush" (Metrics::Flush every 200 ms, takes Metrics::mutex briefly) and "log-shipper"
// (Log::Ship, ~40 ms every 500 ms, harmless).
//
// Usage: errorpath <scenario>
//   slow_errors  the failed (4xx) requests are ~10x slower than successes: Error::CaptureStackTrace +
//                Audit::WriteSync. Distractors: GET /api/report (200, steady ~30 ms), Metrics::mutex (busy, not
//                contended), log-shipper.
//   regress_a    benchmark build A: same shape, GET /api/report rarer; Audit::WriteSync writes its own error log
//                without Audit::FileLock.
//   regress_b    build B: same request sequence (same seed, same errors), but Audit::WriteSync holds the global
//                Audit::FileLock for its ~10 ms; every successful request's Audit::Append needs the same lock and
//                waits -> the p99 of successful requests goes up. Benign change: Cache::Lookup is a bit faster.
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

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

// wall-clock work: sleep most of it, spin the tail
void work_us( double us, double tail_us = 60.0 )
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
    double operator()( double base, double pct = 0.06 )
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

void log_warn( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void log_warn( const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyLogString( tracy::MessageSeverity::Warning, 0xE0A000, 0, (size_t)std::min( n, (int)sizeof( buf ) - 1 ), buf );
}

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_TIMERSLACK, 1UL );
}

TracyLockableN( std::mutex, g_audit_lock, "Audit::FileLock" );
TracyLockableN( std::mutex, g_metrics_lock, "Metrics::mutex" );

enum class scen { slow_errors, regress_a, regress_b };
scen g_s;
bool g_writesync_locks = false;   // regress_b: Audit::WriteSync holds Audit::FileLock
double g_cache_us = 250;          // Cache::Lookup per call
double g_report_weight = 3.0;     // GET /api/report share (percent)
double g_rate = 300;              // req/s
uint32_t g_seed = 7;

enum route_id { R_ORDERS_LIST, R_ORDERS_CREATE, R_USERS_GET, R_INVENTORY, R_REPORT, R_COUNT };
struct route
{
    const char* method;
    const char* path;
    double weight;
};
route g_routes[R_COUNT] = {
    { "GET", "/api/orders", 34 },
    { "POST", "/api/orders", 22 },
    { "GET", "/api/users", 24 },
    { "GET", "/api/inventory", 17 },
    { "GET", "/api/report", 3 },
};

struct request
{
    int id;
    int route;
    int fail_status;   // 0 = passes validation
    Clock::time_point accepted;
};

struct queue_t
{
    std::mutex m;
    std::condition_variable cv;
    std::deque<request> q;
} g_q;
std::atomic<bool> g_stop{ false };
std::atomic<int> g_inflight{ 0 };
std::atomic<int> g_done{ 0 };

void enqueue( const request& r )
{
    size_t n;
    {
        std::lock_guard<std::mutex> lk( g_q.m );
        g_q.q.push_back( r );
        n = g_q.q.size();
    }
    TracyPlot( "queue depth", (int64_t)n );
    ++g_inflight;
    g_q.cv.notify_one();
}

bool dequeue( request& r )
{
    std::unique_lock<std::mutex> lk( g_q.m );
    g_q.cv.wait( lk, [] { return g_stop.load() || !g_q.q.empty(); } );
    if( g_q.q.empty() ) return false;
    r = g_q.q.front();
    g_q.q.pop_front();
    TracyPlot( "queue depth", (int64_t)g_q.q.size() );
    return true;
}

// ---- request handling ---------------------------------------------------------------------------------------

__attribute__( ( noinline ) ) void db_query( rng_t& r, const char* sql, double us )
{
    ZoneScopedN( "Db::Query" );
    ZoneText( sql, strlen( sql ) );
    work_us( r( us, 0.2 ) );
}

__attribute__( ( noinline ) ) bool cache_lookup( rng_t& r, double hit_p )
{
    ZoneScopedN( "Cache::Lookup" );
    work_us( r( g_cache_us ) );
    return r.chance( hit_p );
}

__attribute__( ( noinline ) ) void run_route( const request& rq, rng_t& r )
{
    switch( rq.route )
    {
    case R_ORDERS_LIST:
    {
        ZoneScopedN( "Orders::List" );
        if( !cache_lookup( r, 0.3 ) ) db_query( r, "SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20", 1400 );
        break;
    }
    case R_ORDERS_CREATE:
    {
        ZoneScopedN( "Orders::Create" );
        db_query( r, "INSERT INTO orders (customer_id, sku, qty) VALUES ($1, $2, $3) RETURNING id", 1700 );
        break;
    }
    case R_USERS_GET:
    {
        ZoneScopedN( "Users::Get" );
        if( !cache_lookup( r, 0.5 ) ) db_query( r, "SELECT * FROM users WHERE id = $1", 900 );
        break;
    }
    case R_INVENTORY:
    {
        ZoneScopedN( "Inventory::Get" );
        if( !cache_lookup( r, 0.2 ) ) db_query( r, "SELECT sku, qty FROM stock WHERE warehouse_id = $1", 1100 );
        break;
    }
    case R_REPORT:
    {
        ZoneScopedN( "Report::Build" );
        db_query( r, "SELECT date_trunc('day', created_at), sum(total) FROM orders GROUP BY 1 ORDER BY 1", 22000 );
        {
            ZoneScopedN( "Report::Aggregate" );
            work_us( r( 6500, 0.05 ) );
        }
        break;
    }
    }
}

const char* fail_reason( int status, int route )
{
    if( status == 400 ) return "malformed JSON body";
    if( status == 404 ) return route == R_USERS_GET ? "user not found" : "unknown resource id";
    return route == R_ORDERS_CREATE ? "field 'qty' must be > 0" : "invalid query parameter 'since'";
}

__attribute__( ( noinline ) ) void audit_append( rng_t& r )
{
    ZoneScopedN( "Audit::Append" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_audit_lock );
    work_us( r( 45 ) );
}

__attribute__( ( noinline ) ) void audit_write_sync( rng_t& r )
{
    ZoneScopedN( "Audit::WriteSync" );
    if( g_writesync_locks )
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_audit_lock );
        work_us( r( 10000, 0.08 ), 150 );
    }
    else
        work_us( r( 10000, 0.08 ), 150 );
}

__attribute__( ( noinline ) ) void build_error_response( const request& rq, rng_t& r )
{
    ZoneScopedN( "Error::BuildResponse" );
    {
        ZoneScopedN( "Error::CaptureStackTrace" );
        work_us( r( 15000, 0.08 ), 150 );
    }
    {
        ZoneScopedN( "Json::Serialize" );
        work_us( r( 80 ) );
    }
    audit_write_sync( r );
    (void)rq;
}

__attribute__( ( noinline ) ) void handle( const request& rq, rng_t& r )
{
    ZoneScopedN( "Http::Handle" );
    const route& rt = g_routes[rq.route];
    {
        ZoneScopedN( "Http::ParseRequest" );
        work_us( r( 110 ) );
    }
    {
        ZoneScopedN( "Auth::CheckToken" );
        work_us( r( 280 ) );
    }
    int status;
    {
        ZoneScopedN( "Validate::Request" );
        work_us( r( 150 ) );
        status = rq.fail_status;
    }
    if( status != 0 )
    {
        log_warn( "%s %s -> %d: %s (request #%d)", rt.method, rt.path, status, fail_reason( status, rq.route ), rq.id );
        build_error_response( rq, r );
    }
    else
    {
        status = rq.route == R_ORDERS_CREATE ? 201 : 200;
        run_route( rq, r );
        {
            ZoneScopedN( "Json::Serialize" );
            work_us( r( rq.route == R_REPORT ? 900 : 420 ) );
        }
        audit_append( r );
    }
    {
        ZoneScopedN( "Metrics::Record" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_metrics_lock );
        work_us( r( 8 ) );
    }
    char txt[64];
    const int n = snprintf( txt, sizeof( txt ), "%s %s %d", rt.method, rt.path, status );
    ZoneText( txt, (size_t)n );
}

void worker_loop( int i )
{
    char name[24];
    snprintf( name, sizeof( name ), "http-worker-%d", i );
    name_thread( name );
    rng_t r( g_seed * 31 + 100 + i );
    request rq;
    while( dequeue( rq ) )
    {
        handle( rq, r );
        --g_inflight;
        ++g_done;
    }
}

// ---- listener -----------------------------------------------------------------------------------------------

int pick_route( rng_t& r )
{
    double tot = 0;
    for( auto& e : g_routes ) tot += e.weight;
    double x = r.uni( 0, tot );
    for( int i = 0; i < R_COUNT; i++ )
    {
        if( x < g_routes[i].weight ) return i;
        x -= g_routes[i].weight;
    }
    return 0;
}

void listener( double run_s )
{
    name_thread( "listener" );
    rng_t r( g_seed );
    const auto t0 = Clock::now();
    auto next = t0;
    int id = 50000;
    while( std::chrono::duration<double>( next - t0 ).count() < run_s )
    {
        std::this_thread::sleep_until( next );
        request q;
        q.id = id++;
        q.route = pick_route( r );
        q.fail_status = 0;
        if( q.route != R_REPORT && r.chance( 0.052 ) )
        {
            const double x = r.uni( 0, 1 );
            q.fail_status = x < 0.3 ? 400 : x < 0.55 ? 404 : 422;
        }
        q.accepted = Clock::now();
        enqueue( q );
        next += std::chrono::nanoseconds( (int64_t)( 1e9 / g_rate * r.uni( 0.4, 1.6 ) ) );
    }
}

// ---- background -----------------------------------------------------------------------------------------------

bool nap_until( Clock::time_point tp )
{
    while( !g_stop.load() )
    {
        const auto now = Clock::now();
        if( now >= tp ) return true;
        std::this_thread::sleep_until( std::min( tp, now + 10ms ) );
    }
    return false;
}

void metrics_loop()
{
    name_thread( "metrics-flush" );
    rng_t r( 21 );
    auto next = Clock::now() + 200ms;
    int last = 0;
    while( !g_stop.load() )
    {
        if( !nap_until( next ) ) break;
        next += 200ms;
        ZoneScopedN( "Metrics::Flush" );
        {
            ZoneScopedN( "Metrics::Snapshot" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_metrics_lock );
            work_us( r( 60 ) );
        }
        {
            ZoneScopedN( "Metrics::Push" );
            work_us( r( 2200, 0.2 ) );
        }
        const int d = g_done.load();
        TracyPlot( "req/s", (int64_t)( ( d - last ) * 5 ) );
        last = d;
    }
}

void shipper_loop()
{
    name_thread( "log-shipper" );
    rng_t r( 33 );
    auto next = Clock::now() + 300ms;
    int batch = 0;
    while( !g_stop.load() )
    {
        if( !nap_until( next ) ) break;
        next += 500ms;
        ZoneScopedN( "Log::Ship" );
        {
            ZoneScopedN( "Log::Compress" );
            work_us( r( 28000, 0.1 ), 200 );
        }
        {
            ZoneScopedN( "Log::Upload" );
            work_us( r( 12000, 0.1 ) );
        }
        if( ++batch % 4 == 0 ) log_msg( "log-shipper: shipped batch %d (%.1f MiB) to logs.internal:9200", batch, r.uni( 1.5, 3.0 ) );
    }
}

void run( const char* appinfo, double run_s )
{
    tracy::SetThreadName( "errorpath" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    TracyAppInfo( appinfo, strlen( appinfo ) );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );
    std::vector<std::thread> workers;
    std::thread mt, st;
    {
        ZoneScopedN( "Server::Startup" );
        {
            ZoneScopedN( "Config::Load" );
            work_us( 12000 );
        }
        {
            ZoneScopedN( "Db::Connect" );
            work_us( 30000 );
        }
        for( int i = 0; i < 4; i++ ) workers.emplace_back( worker_loop, i );
        mt = std::thread( metrics_loop );
        st = std::thread( shipper_loop );
    }
    TracyMessageL( "errorpath api listening on 0.0.0.0:8080 (4 workers)" );
    std::thread lt( listener, run_s );
    lt.join();
    while( g_inflight.load() > 0 ) std::this_thread::sleep_for( 2ms );
    {
        ZoneScopedN( "Server::Shutdown" );
        g_stop = true;
        g_q.cv.notify_all();
        for( auto& t : workers ) t.join();
        mt.join();
        st.join();
    }
    log_msg( "errorpath stopped after %d requests", g_done.load() );
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    if( s == "slow_errors" )
    {
        g_s = scen::slow_errors;
        g_seed = 11;
        g_rate = 280;
        run( "errorpath api 2.4.0 (orders-eu-1)", 6.0 );
    }
    else if( s == "regress_a" || s == "regress_b" )
    {
        const bool b = s == "regress_b";
        g_s = b ? scen::regress_b : scen::regress_a;
        g_seed = 7;
        g_rate = 320;
        g_routes[R_REPORT].weight = 0.35;
        g_writesync_locks = b;
        g_cache_us = b ? 200 : 250;
        run( b ? "errorpath api 2.5.0 (build b, load test)" : "errorpath api 2.4.0 (build a, load test)", 6.0 );
    }
    else
    {
        fprintf( stderr, "usage: errorpath slow_errors|regress_a|regress_b\n" );
        return 2;
    }
    printf( "errorpath %s: done\n", s.c_str() );
    return 0;
}
