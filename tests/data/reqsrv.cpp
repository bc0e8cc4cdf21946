// reqsrv: a small request-serving backend (an HTTP/RPC service) instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project). An acceptor thread accepts requests and enqueues them (plots
// "queue depth", "active connections"); a pool of worker threads ("worker-N") handles them:
// Server::HandleRequest (ZoneText = endpoint and request id) > Http::ParseRequest, Auth::CheckToken,
// Router::Resolve (shared lock RouteTable::lock), Cache::Lookup, Db::Query (ZoneText = the SQL), Json::Serialize,
// Http::Write, Metrics::Record (Metrics::mutex). Background threads: metrics (Metrics::Flush every 250 ms inside a
// discontinuous frame "Metrics flush"), log-rotate (Log::Rotate, long and harmless), config-watcher (Config::Poll,
// Config::Reload). Most scenarios have no FrameMark at all (a server has no frames); the matchmaking-tick
// scenarios run a 20 Hz Server::Tick on the main thread with FrameMark; the benchmark marks discontinuous
// "Request batch" frames. Each scenario plants ONE problem plus innocent distractors.
//
// Usage: reqsrv <scenario>
//   tail_latency      ~1.5% of requests (GET /api/v1/orders/history?email=...) run an unindexed Db::Query
//                     (WHERE customer_email = ...) of 60-120 ms; everything else is 2-5 ms
//   rwlock_writer     config-watcher reloads the routing table every ~500 ms holding RouteTable::lock
//                     exclusively for 30-50 ms; every request takes it shared in Router::Resolve and stalls
//   pool_leak         Conn::OnTimeout (write-timeout path, ~5% of requests) copies the response into a 24 KiB
//                     buffer of pool "conn_buffers" that is never freed; per-request conn buffers (same pool) and
//                     the default pool churn and are freed; pool "session_cache" grows to a cap (bounded).
//                     Allocation callstacks (depth 8) on the conn_buffers pool.
//   backlog           at ~2 s the arrival rate steps from 400 to 900 req/s, above the pool's ~800 req/s capacity:
//                     the queue grows, workers are 100% busy, latency grows by queueing, handling time is flat
//   regress_a/_b      closed-loop benchmark (discontinuous frames "Request batch"); in b Json::Serialize is 2.5x
//                     slower per call (same counts); b also has a faster Auth::CheckToken (0.30 -> 0.22 ms) and a
//                     new tiny Trace::Inject zone (0.025 ms)
//   single_hot_worker requests are sharded by key hash onto 6 per-worker queues; one hot tenant sends 60% of the
//                     requests, all to worker-3, which saturates while the others idle
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
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
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <shared_mutex>
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
    double operator()( double base, double pct = 0.05 )
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

void log_color( uint32_t color, const char* fmt, ... ) __attribute__( ( format( printf, 2, 3 ) ) );
void log_color( uint32_t color, const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyMessageC( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ), color );
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

// ---- memory ----------------------------------------------------------------------------------------------

const char* const kConnPool = "conn_buffers";
const char* const kSessionPool = "session_cache";
bool g_mem_callstacks = false;   // pool_leak: callstacks on the conn_buffers pool

void* mem_alloc( size_t sz, const char* pool = nullptr )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 64 ) );
    if( pool )
    {
        if( g_mem_callstacks && pool == kConnPool ) TracyAllocNS( p, sz, 8, pool );
        else TracyAllocN( p, sz, pool );
    }
    else TracyAlloc( p, sz );
    return p;
}
void mem_free( void* p, const char* pool = nullptr )
{
    if( pool )
    {
        if( g_mem_callstacks && pool == kConnPool ) TracyFreeNS( p, 8, pool );
        else TracyFreeN( p, pool );
    }
    else TracyFree( p );
    free( p );
}

// ---- locks -------------------------------------------------------------------------------------------------

TracySharedLockableN( std::shared_mutex, g_routes, "RouteTable::lock" );
TracyLockableN( std::mutex, g_metrics, "Metrics::mutex" );

// ---- scenario knobs --------------------------------------------------------------------------------------

enum class scen { tail_latency, rwlock_writer, pool_leak, backlog, regress_a, regress_b, single_hot_worker };
scen g_s;
double g_scale = 1.0;          // handling-time scale (backlog: heavier requests)
double g_json_us = 600;        // Json::Serialize per call
int g_workers = 5;
bool g_sharded = false;

struct request
{
    int id;
    int ep;
    int shard;
    bool by_email;       // orders/history looked up by e-mail (tail_latency)
    Clock::time_point accepted;
    void* conn = nullptr;
};

struct endpoint
{
    const char* path;
    const char* query;
    double db_us;
    double weight;
};

const endpoint kEndpoints[] = {
    { "GET /api/v1/profile", "SELECT * FROM users WHERE id = $1", 1200, 30 },
    { "GET /api/v1/feed", "SELECT * FROM posts WHERE author_id = ANY($1) ORDER BY ts DESC LIMIT 50", 2200, 25 },
    { "GET /api/v1/search", "SELECT id, title FROM items WHERE tsv @@ plainto_tsquery($1) LIMIT 20", 1800, 15 },
    { "GET /api/v1/orders/history", "SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20", 1500, 10 },
    { "POST /api/v1/orders", "INSERT INTO orders (customer_id, sku, qty) VALUES ($1, $2, $3)", 1600, 10 },
    { "GET /api/v1/inventory", "SELECT sku, qty FROM stock WHERE warehouse_id = $1", 1000, 10 },
};
constexpr int kNumEp = sizeof( kEndpoints ) / sizeof( kEndpoints[0] );
const char* const kSlowQuery = "SELECT * FROM orders WHERE customer_email = $1 ORDER BY created_at DESC LIMIT 20";

// ---- queues ----------------------------------------------------------------------------------------------

struct queue_t
{
    std::mutex m;
    std::condition_variable cv;
    std::deque<request> q;
};
std::vector<std::unique_ptr<queue_t>> g_queues;
std::atomic<bool> g_stop{ false };
std::atomic<int> g_inflight{ 0 };
std::atomic<int> g_done{ 0 };
std::atomic<int> g_total_queued{ 0 };
std::mutex g_done_m;
std::condition_variable g_done_cv;
const char* const kShardPlots[6] = { "queue[0]", "queue[1]", "queue[2]", "queue[3]", "queue[4]", "queue[5]" };

void enqueue( request r )
{
    queue_t& q = *g_queues[g_sharded ? r.shard : 0];
    {
        std::lock_guard<std::mutex> lk( q.m );
        q.q.push_back( r );
        const int total = ++g_total_queued;
        TracyPlot( "queue depth", (int64_t)total );
        if( g_sharded ) TracyPlot( kShardPlots[r.shard], (int64_t)q.q.size() );
    }
    TracyPlot( "active connections", (int64_t)++g_inflight );
    q.cv.notify_one();
}

bool dequeue( int worker, request& r )
{
    queue_t& q = *g_queues[g_sharded ? worker : 0];
    std::unique_lock<std::mutex> lk( q.m );
    q.cv.wait( lk, [&] { return g_stop.load() || !q.q.empty(); } );   // idle: not zoned
    if( q.q.empty() ) return false;
    r = q.q.front();
    q.q.pop_front();
    const int total = --g_total_queued;
    TracyPlot( "queue depth", (int64_t)total );
    if( g_sharded ) TracyPlot( kShardPlots[worker], (int64_t)q.q.size() );
    return true;
}

// ---- pool_leak state -------------------------------------------------------------------------------------

std::mutex g_retry_m;
std::vector<void*> g_retry;     // write-timeout retries: appended, never drained (the leak)
std::atomic<int64_t> g_conn_live{ 0 };

// ---- request handling ------------------------------------------------------------------------------------

__attribute__( ( noinline ) ) void* conn_open( rng_t& r )
{
    ZoneScopedN( "Conn::Open" );
    void* b = mem_alloc( 16384, kConnPool );
    g_conn_live += 16384;
    busy_for( r( 30 ) );
    return b;
}

__attribute__( ( noinline ) ) void conn_close( void* b )
{
    ZoneScopedN( "Conn::Close" );
    mem_free( b, kConnPool );
    g_conn_live -= 16384;
}

__attribute__( ( noinline ) ) void conn_on_timeout( const request& rq, rng_t& r )
{
    ZoneScopedN( "Conn::OnTimeout" );
    // keep a copy of the unsent response for a retry that is never scheduled
    void* copy = mem_alloc( 24576, kConnPool );
    g_conn_live += 24576;
    busy_for( r( 80 ) );
    size_t n;
    {
        std::lock_guard<std::mutex> lk( g_retry_m );
        g_retry.push_back( copy );
        n = g_retry.size();
    }
    TracyPlot( "retry_queue", (int64_t)n );
    log_warn( "write timeout on request #%d (client gone), response queued for retry", rq.id );
}

__attribute__( ( noinline ) ) void http_write( const request& rq, rng_t& r, bool timeout )
{
    ZoneScopedN( "Http::Write" );
    if( timeout )
    {
        busy_for( r( 4000 ) );   // the write times out
        conn_on_timeout( rq, r );
    }
    else busy_for( r( 200 * g_scale ) );
}

__attribute__( ( noinline ) ) void handle_request( const request& rq, rng_t& r, int worker )
{
    ZoneScopedN( "Server::HandleRequest" );
    const endpoint& ep = kEndpoints[rq.ep];
    const double queued_ms = std::chrono::duration<double, std::milli>( Clock::now() - rq.accepted ).count();
    char txt[192];
    int n;
    if( g_s == scen::single_hot_worker )
        n = snprintf( txt, sizeof( txt ), "%s tenant=%s shard=%d #%d", ep.path, rq.shard == 3 ? "eu-tournament-42" : "misc", rq.shard, rq.id );
    else if( rq.ep == 3 )
        n = snprintf( txt, sizeof( txt ), "%s?%s #%d", ep.path, rq.by_email ? "email=user%40example.com" : "customer_id=81723", rq.id );
    else
        n = snprintf( txt, sizeof( txt ), "%s #%d", ep.path, rq.id );
    ZoneText( txt, (size_t)n );
    (void)queued_ms;   // the wait in the queue is Net::Accept (same #id) -> this zone's start
    (void)worker;

    void* conn = nullptr;
    if( g_s == scen::pool_leak ) conn = conn_open( r );
    void* reqbuf = mem_alloc( 2048 + 512 * (size_t)r.irange( 0, 6 ) );
    {
        ZoneScopedN( "Http::ParseRequest" );
        busy_for( r( 90 * g_scale ) );
    }
    {
        ZoneScopedN( "Auth::CheckToken" );
        busy_for( r( ( g_s == scen::regress_b ? 220 : 300 ) * g_scale ) );   // b: token cache (faster)
    }
    if( g_s == scen::regress_b )
    {
        ZoneScopedN( "Trace::Inject" );   // b: new tracing header propagation
        busy_for( r( 25 ) );
    }
    {
        ZoneScopedN( "Router::Resolve" );
        std::shared_lock<SharedLockableBase( std::shared_mutex )> lk( g_routes );
        busy_for( r( 40 ) );
    }
    bool hit;
    {
        ZoneScopedN( "Cache::Lookup" );
        busy_for( r( 180 * g_scale ) );
        hit = rq.ep != 4 && !rq.by_email && r.chance( 0.25 );
    }
    if( !hit )
    {
        ZoneScopedN( "Db::Query" );
        if( rq.by_email )
        {
            ZoneText( kSlowQuery, strlen( kSlowQuery ) );
            const double us = r.uni( 60000, 120000 );
            busy_for( us );
            log_color( 0xFF4040, "db: slow query %.1f ms (rows examined: %d)", us / 1000.0, 1843000 + r.irange( 0, 2000 ) );
        }
        else
        {
            ZoneText( ep.query, strlen( ep.query ) );
            busy_for( r( ep.db_us * g_scale, 0.25 ) );
        }
    }
    void* resp;
    {
        ZoneScopedN( "Json::Serialize" );
        resp = mem_alloc( 4096 + 1024 * (size_t)r.irange( 0, 12 ) );
        busy_for( r( g_json_us * g_scale ) );
    }
    const bool timeout = g_s == scen::pool_leak && r.chance( 0.05 );
    http_write( rq, r, timeout );
    mem_free( resp );
    mem_free( reqbuf );
    if( conn ) conn_close( conn );
    {
        ZoneScopedN( "Metrics::Record" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_metrics );
        busy_for( 3 );
    }
}

void worker_loop( int i )
{
    char name[16];
    snprintf( name, sizeof( name ), "worker-%d", i );
    name_thread( name );
    rng_t r( 100 + i + ( g_s == scen::regress_b ? 50 : 0 ) );
    request rq;
    while( dequeue( i, rq ) )
    {
        handle_request( rq, r, i );
        const double lat = std::chrono::duration<double, std::milli>( Clock::now() - rq.accepted ).count();
        TracyPlot( "latency_ms", lat );
        TracyPlot( "active connections", (int64_t)--g_inflight );
        {
            std::lock_guard<std::mutex> lk( g_done_m );
            g_done++;
        }
        g_done_cv.notify_all();
    }
}

// ---- acceptor ----------------------------------------------------------------------------------------------

int pick_endpoint( rng_t& r )
{
    double tot = 0;
    for( auto& e : kEndpoints ) tot += e.weight;
    double x = r.uni( 0, tot );
    for( int i = 0; i < kNumEp; i++ )
    {
        if( x < kEndpoints[i].weight ) return i;
        x -= kEndpoints[i].weight;
    }
    return 0;
}

request make_request( rng_t& r, int id )
{
    request q;
    q.id = id;
    q.ep = pick_endpoint( r );
    q.by_email = g_s == scen::tail_latency && q.ep == 3 && r.chance( 0.15 );
    if( g_s == scen::single_hot_worker )
    {
        // shard = hash(tenant) % 6: the hot tenant hashes to shard 3, the rest spread over the other five
        const int k = r.irange( 0, 4 );
        q.shard = r.chance( 0.6 ) ? 3 : ( k >= 3 ? k + 1 : k );
    }
    else q.shard = 0;
    q.accepted = Clock::now();
    return q;
}

// open loop: requests arrive at rate(t) req/s for run_s seconds
void acceptor_open( double run_s, std::function<double( double )> rate, std::function<void( double )> on_time = {} )
{
    name_thread( "acceptor" );
    rng_t r( 7 );
    const auto t0 = Clock::now();
    auto next = t0;
    int id = 1000;
    for( ;; )
    {
        const double t = std::chrono::duration<double>( next - t0 ).count();
        if( t >= run_s ) break;
        if( on_time ) on_time( t );
        std::this_thread::sleep_until( next );
        {
            ZoneScopedN( "Net::Accept" );
            request q = make_request( r, id++ );
            char at[16];
            ZoneText( at, (size_t)snprintf( at, sizeof( at ), "#%d", q.id ) );
            busy_for( r( 12 ) );
            enqueue( q );
        }
        next += std::chrono::nanoseconds( (int64_t)( 1e9 / rate( t ) * r.uni( 0.5, 1.5 ) ) );
    }
}

// ---- background threads ------------------------------------------------------------------------------------

// sleep to `tp`, waking every 10 ms to see whether the server stops; false when it does
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

const char* const kMetricsFrame = "Metrics flush";
const char* const kBatchFrame = "Request batch";

void metrics_loop()
{
    name_thread( "metrics" );
    rng_t r( 21 );
    auto next = Clock::now() + 250ms;
    int last_done = 0;
    while( !g_stop.load() )
    {
        if( !nap_until( next ) ) break;
        next += 250ms;
        FrameMarkStart( kMetricsFrame );
        {
            ZoneScopedN( "Metrics::Flush" );
            {
                ZoneScopedN( "Metrics::Swap" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_metrics );
                busy_for( r( 40 ) );
            }
            {
                ZoneScopedN( "Metrics::Encode" );
                busy_for( r( 2500 ) );
            }
            {
                ZoneScopedN( "Metrics::Send" );
                busy_for( r( 3500, 0.2 ) );
            }
            const int d = g_done.load();
            TracyPlot( "req/s", (int64_t)( ( d - last_done ) * 4 ) );
            last_done = d;
        }
        FrameMarkEnd( kMetricsFrame );
    }
}

void log_rotate_loop()
{
    name_thread( "log-rotate" );
    rng_t r( 33 );
    auto next = Clock::now() + 1500ms;
    while( !g_stop.load() )
    {
        if( !nap_until( next ) ) break;
        next += 2000ms;
        ZoneScopedN( "Log::Rotate" );
        {
            ZoneScopedN( "Log::Compress" );
            busy_for( r( 45000, 0.15 ), 300 );
        }
        {
            ZoneScopedN( "Log::Upload" );
            busy_for( r( 8000 ) );
        }
        log_msg( "rotated access.log (%.1f MiB, gzip)", r.uni( 10, 14 ) );
    }
}

void config_loop( bool reload_storm, double one_reload_at_s )
{
    name_thread( "config-watcher" );
    rng_t r( 44 );
    const auto t0 = Clock::now();
    auto next = t0 + 100ms;
    auto next_reload = t0 + 450ms;
    bool did_one = false;
    while( !g_stop.load() )
    {
        if( !nap_until( std::min( next, reload_storm ? next_reload : next ) ) ) break;
        const auto now = Clock::now();
        if( reload_storm && now >= next_reload )
        {
            next_reload += std::chrono::milliseconds( r.irange( 470, 530 ) );
            ZoneScopedN( "Config::Reload" );
            ZoneText( "routes.yaml", 11 );
            {
                std::lock_guard<SharedLockableBase( std::shared_mutex )> lk( g_routes );
                LockMark( g_routes );
                ZoneScopedN( "Config::ParseRoutes" );
                busy_for( r.uni( 30000, 50000 ), 200 );
            }
            log_msg( "config reloaded: routes.yaml (412 routes, mtime changed)" );
            continue;
        }
        next += 100ms;
        {
            ZoneScopedN( "Config::Poll" );
            busy_for( r( 15 ) );
        }
        if( !did_one && one_reload_at_s > 0 && std::chrono::duration<double>( now - t0 ).count() >= one_reload_at_s )
        {
            did_one = true;
            ZoneScopedN( "Config::Reload" );
            ZoneText( "limits.yaml", 11 );
            {
                std::lock_guard<SharedLockableBase( std::shared_mutex )> lk( g_routes );
                LockMark( g_routes );
                ZoneScopedN( "Config::ParseRoutes" );
                busy_for( r( 300 ) );
            }
            log_msg( "config reloaded: limits.yaml (rate limits)" );
        }
    }
}

// session cache (pool_leak distractor): grows to a cap, then evicts (bounded)
struct session_cache
{
    std::deque<std::pair<void*, size_t>> items;
    size_t bytes = 0;
    const size_t cap = 3 * 1024 * 1024;
    void insert( rng_t& r )
    {
        ZoneScopedN( "Session::Store" );
        const size_t sz = 4096 * (size_t)r.irange( 4, 12 );
        items.emplace_back( mem_alloc( sz, kSessionPool ), sz );
        bytes += sz;
        while( bytes > cap )
        {
            mem_free( items.front().first, kSessionPool );
            bytes -= items.front().second;
            items.pop_front();
        }
        TracyPlot( "session_cache_kb", (int64_t)( bytes / 1024 ) );
    }
    void clear()
    {
        for( auto& it : items ) mem_free( it.first, kSessionPool );
        items.clear();
        bytes = 0;
    }
};

// ---- the server ------------------------------------------------------------------------------------------

struct server
{
    std::vector<std::thread> workers;
    std::thread metrics, logrot, config;
    void* route_table = nullptr;

    void startup( const char* appinfo, bool reload_storm, double one_reload_at_s )
    {
        tracy::SetThreadName( "reqsrv" );
        prctl( PR_SET_TIMERSLACK, 1UL );
        TracyAppInfo( appinfo, strlen( appinfo ) );
        while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );
        {
            ZoneScopedN( "Server::Startup" );
            {
                ZoneScopedN( "Config::Load" );
                route_table = mem_alloc( 1536 * 1024 );
                busy_for( 25000 );
            }
            {
                ZoneScopedN( "Db::Connect" );
                busy_for( 40000 );
            }
            const int nq = g_sharded ? g_workers : 1;
            for( int i = 0; i < nq; i++ ) g_queues.push_back( std::make_unique<queue_t>() );
            for( int i = 0; i < g_workers; i++ ) workers.emplace_back( worker_loop, i );
            metrics = std::thread( metrics_loop );
            logrot = std::thread( log_rotate_loop );
            config = std::thread( config_loop, reload_storm, one_reload_at_s );
        }
        TracyMessageL( "reqsrv listening on 0.0.0.0:8443" );
    }
    void shutdown()
    {
        ZoneScopedN( "Server::Shutdown" );
        g_stop = true;
        for( auto& q : g_queues ) q->cv.notify_all();
        for( auto& t : workers ) t.join();
        metrics.join();
        logrot.join();
        config.join();
        mem_free( route_table );
        TracyMessageLC( "reqsrv stopped", 0x80C0FF );
    }
};

// wait for all queued work to finish (drain), without zones
void drain()
{
    while( g_inflight.load() > 0 ) std::this_thread::sleep_for( 2ms );
}

void run_open( const char* appinfo, double run_s, std::function<double( double )> rate, bool reload_storm = false,
               double one_reload_at_s = 0, std::function<void( double )> on_time = {} )
{
    server s;
    s.startup( appinfo, reload_storm, one_reload_at_s );
    std::thread acc( acceptor_open, run_s, rate, on_time );
    acc.join();
    drain();
    s.shutdown();
}

// matchmaking tick on the main thread (20 Hz, FrameMark), used by pool_leak and single_hot_worker
void run_ticked( const char* appinfo, double run_s, double rate, std::function<void( int, rng_t& )> tick_work )
{
    server s;
    s.startup( appinfo, false, 0 );
    std::thread acc( acceptor_open, run_s, [rate]( double ) { return rate; }, std::function<void( double )>{} );
    rng_t r( 5 );
    const auto t0 = Clock::now();
    auto next = t0;
    int tick = 0;
    FrameMark;
    while( std::chrono::duration<double>( Clock::now() - t0 ).count() < run_s )
    {
        {
            ZoneScopedN( "Server::Tick" );
            {
                ZoneScopedN( "Conn::SweepIdle" );
                busy_for( r( 400 ) );
            }
            {
                ZoneScopedN( "Stats::Aggregate" );
                busy_for( r( 700 ) );
            }
            tick_work( tick, r );
        }
        tick++;
        next += 50ms;
        std::this_thread::sleep_until( next );
        FrameMark;
    }
    acc.join();
    drain();
    s.shutdown();
}

void tail_latency()
{
    run_open( "reqsrv 3.8.1 (api-eu-2)", 6.0, []( double ) { return 350.0; }, false, 3.2 );
}

void rwlock_writer()
{
    run_open( "reqsrv 3.8.1 (api-eu-2)", 6.0, []( double ) { return 350.0; }, true );
}

void backlog()
{
    g_scale = 2.3;
    g_json_us = 600;
    bool said = false;
    run_open( "reqsrv 3.8.1 (api-eu-2)", 6.5, []( double t ) { return t < 2.0 ? 400.0 : 900.0; }, false, 0,
              [&]( double t ) {
                  if( !said && t >= 2.0 )
                  {
                      said = true;
                      log_msg( "lb: backend added to pool 'eu-west' (weight 2)" );
                  }
              } );
}

void pool_leak()
{
    g_mem_callstacks = true;
    session_cache sc;
    run_ticked( "reqsrv 3.8.1 (match-eu-1)", 6.0, 320.0, [&]( int tick, rng_t& r ) {
        for( int k = 0; k < 2; k++ ) sc.insert( r );
        TracyPlot( "conn_buffers_kb", (int64_t)( g_conn_live.load() / 1024 ) );
        if( tick == 1 ) log_msg( "session cache capacity 3 MiB" );
    } );
    ZoneScopedN( "Session::Clear" );
    sc.clear();
}

void single_hot_worker()
{
    g_workers = 6;
    g_sharded = true;
    run_ticked( "reqsrv 3.8.1 (match-eu-1, 6 shards)", 6.0, 680.0, []( int, rng_t& ) {} );
}

void regress( bool b )
{
    g_json_us = b ? 1500 : 600;
    server s;
    s.startup( b ? "reqsrv 3.9.0 (build b) bench" : "reqsrv 3.8.1 (build a) bench", false, 0 );
    std::thread loadgen( [&] {
        name_thread( "acceptor" );
        rng_t r( 7 );
        int id = 1000;
        constexpr int kBatches = 110, kPer = 40;
        log_msg( "bench: %d batches x %d requests", kBatches, kPer );
        const auto t0 = Clock::now();
        for( int bt = 0; bt < kBatches; bt++ )
        {
            const int target = g_done.load() + kPer;
            FrameMarkStart( kBatchFrame );
            for( int k = 0; k < kPer; k++ )
            {
                ZoneScopedN( "Net::Accept" );
                request q = make_request( r, id++ );
                char at[16];
                ZoneText( at, (size_t)snprintf( at, sizeof( at ), "#%d", q.id ) );
                busy_for( r( 12 ) );
                enqueue( q );
            }
            {
                std::unique_lock<std::mutex> lk( g_done_m );
                g_done_cv.wait( lk, [&] { return g_done.load() >= target; } );
            }
            FrameMarkEnd( kBatchFrame );
            std::this_thread::sleep_for( 3ms );   // think time between batches
        }
        log_msg( "bench: %d requests in %.1f ms", kBatches * kPer, std::chrono::duration<double, std::milli>( Clock::now() - t0 ).count() );
    } );
    loadgen.join();
    drain();
    s.shutdown();
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    if( s == "tail_latency" ) { g_s = scen::tail_latency; tail_latency(); }
    else if( s == "rwlock_writer" ) { g_s = scen::rwlock_writer; rwlock_writer(); }
    else if( s == "pool_leak" ) { g_s = scen::pool_leak; pool_leak(); }
    else if( s == "backlog" ) { g_s = scen::backlog; backlog(); }
    else if( s == "regress_a" ) { g_s = scen::regress_a; regress( false ); }
    else if( s == "regress_b" ) { g_s = scen::regress_b; regress( true ); }
    else if( s == "single_hot_worker" ) { g_s = scen::single_hot_worker; single_hot_worker(); }
    else
    {
        fprintf( stderr, "usage: reqsrv tail_latency|rwlock_writer|pool_leak|backlog|regress_a|regress_b|single_hot_worker\n" );
        return 2;
    }
    printf( "reqsrv %s: done\n", s.c_str() );
    return 0;
}
