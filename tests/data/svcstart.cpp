// svcstart: a backend service (an "orders" HTTP API) that starts up and then serves requests for a few seconds,
// instrumented with Tracy (benchmark data for profiler-analysis tools; not part of any project). No FrameMark at all.
//
// Start-up (main thread, inside Service::Startup):
//   Startup::LoadConfig (> Config::Parse, Config::ResolveSecrets [, Config::ValidateSchema in regress b])
//   Db::ConnectPool > Db::Connect x16 (ZoneText "conn i/16 ...") > Net::Connect, Tls::Handshake, Db::Authenticate
//       - slow_ready: the 16 connections are opened one after another on the main thread
//       - others: four "db-connect-N" threads open 4 each in parallel; the main thread waits in Db::ConnectPool
//   Routes::Load > Routes::Parse, Routes::BuildTrie, Routes::Compile
//   Startup::AwaitWarmers (joins the cache warmers, when start-up waits for them)
//   Discovery::Register > Discovery::HealthProbe
// Helper threads: "cache-warmer-N" run Cache::Warm > Cache::WarmBatch (ZoneText "batch k") > Cache::ReadBatch,
//   Cache::Deserialize, Cache::Insert (Cache::mutex); "model-loader" runs Model::Load > Model::ReadWeights,
//   Model::Compile.
// Serving: "http-acceptor" enqueues requests (~90/s, Poisson); "http-worker-0..5" run Request::Handle (ZoneText =
//   endpoint and request id) > Http::Parse, Auth::Verify, Cache::Get (Cache::mutex), Db::Query (> Db::Pool::Acquire,
//   Db::Pool::mutex), Cache::Put (Cache::mutex), Json::Encode, Http::Write, Metrics::Record (Metrics::mutex).
//   "metrics" thread: Metrics::Flush every 200 ms (Metrics::mutex held ~1 ms).
// Messages: "loading config ...", "db pool: 16/16 connections up", "listening on :8080", "ready", ...
//
// Usage: svcstart <scenario> [a|b]
//   slow_ready  start-up ~2.3 s: Db::ConnectPool opens 16 connections sequentially (~120 ms each, waits);
//               Cache::Warm is larger in total (4 threads x ~0.75 s) but parallel and finishes long before
//   warm_lock   start-up fast (~0.9 s); the cache is warmed in the background after "ready" by one cache-warmer
//               that holds Cache::mutex across each whole batch (~40 ms), so requests that touch the cache stall
//               in Cache::Get / Cache::Put for the ~1 s of warming
//   regress a|b b: Routes::Load 4x slower (Routes::BuildTrie); b also: Cache::Warm +25% (parallel, hidden) and a
//               new tiny Config::ValidateSchema
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

// wall-clock work: sleep to just before the deadline, then spin the tail
void work_us( double us, double tail_us = 60.0 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > tail_us + 150.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}
// a wait (network round trip): pure sleep
void wait_us( double us ) { std::this_thread::sleep_for( std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) ) ); }

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.06 ) { return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g ); }
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

TracyLockableN( std::mutex, g_cache_mtx, "Cache::mutex" );
TracyLockableN( std::mutex, g_dbpool_mtx, "Db::Pool::mutex" );
TracyLockableN( std::mutex, g_metrics_mtx, "Metrics::mutex" );

enum class scen { slow_ready, warm_lock, regress_a, regress_b };
scen g_s;

// knobs
bool g_seq_connect = false;     // slow_ready: connections one after another
bool g_bg_warm = false;         // warm_lock: warm after "ready", not awaited
bool g_lock_whole_batch = false;// warm_lock: Cache::mutex held across Deserialize + Insert
int g_warm_threads = 2;
int g_warm_batches = 14;        // per warm thread
double g_deser_us = 38000;      // Cache::Deserialize per batch
double g_model_us = 500000;     // Model::Load total
double g_trie_us = 150000;      // Routes::BuildTrie
double g_serve_s = 3.0;         // serving time after "ready"
const int kPoolSize = 16;
const int kWorkers = 6;
const double kRate = 90.0;      // requests per second

std::atomic<int64_t> g_cache_keys{ 0 };
std::atomic<int> g_pool_up{ 0 };

// ---------------------------------------------------------------------------------------------- start-up

void load_config( rng_t& r )
{
    ZoneScopedN( "Startup::LoadConfig" );
    log_msg( "loading config /etc/orders-svc/config.yaml" );
    {
        ZoneScopedN( "Config::Parse" );
        work_us( r( 18000 ) );
    }
    {
        ZoneScopedN( "Config::ResolveSecrets" );
        wait_us( r( 22000 ) );   // vault round trip
    }
    if( g_s == scen::regress_b )
    {
        ZoneScopedN( "Config::ValidateSchema" );
        work_us( r( 3000 ) );
    }
    log_msg( "config loaded: env=prod region=eu-west-1 pool_size=%d", kPoolSize );
}

void db_connect( int i, rng_t& r )
{
    ZoneScopedN( "Db::Connect" );
    char t[96];
    const int n = snprintf( t, sizeof( t ), "conn %d/%d db-primary.orders.internal:5432", i + 1, kPoolSize );
    ZoneText( t, n );
    {
        ZoneScopedN( "Net::Connect" );
        wait_us( r( 6000, 0.2 ) );
    }
    {
        ZoneScopedN( "Tls::Handshake" );
        wait_us( r( 48000, 0.1 ) );
    }
    {
        ZoneScopedN( "Db::Authenticate" );
        wait_us( r( 62000, 0.1 ) );   // SCRAM round trips
    }
    work_us( r( 1500 ) );
    const int up = ++g_pool_up;
    TracyPlot( "db pool connections", (int64_t)up );
}

void connect_pool( rng_t& r )
{
    ZoneScopedN( "Db::ConnectPool" );
    log_msg( "db pool: connecting %d connections to db-primary.orders.internal:5432", kPoolSize );
    if( g_seq_connect )
    {
        for( int i = 0; i < kPoolSize; i++ ) db_connect( i, r );
    }
    else
    {
        std::vector<std::thread> th;
        for( int t = 0; t < 4; t++ )
            th.emplace_back( [t] {
                char nm[32];
                snprintf( nm, sizeof( nm ), "db-connect-%d", t );
                name_thread( nm );
                rng_t rr( 1000 + t * 17 + (int)g_s );
                for( int k = 0; k < kPoolSize / 4; k++ ) db_connect( t * ( kPoolSize / 4 ) + k, rr );
            } );
        for( auto& x : th ) x.join();
    }
    log_msg( "db pool: %d/%d connections up", g_pool_up.load(), kPoolSize );
}

void load_routes( rng_t& r )
{
    ZoneScopedN( "Routes::Load" );
    {
        ZoneScopedN( "Routes::Parse" );
        ZoneText( "/etc/orders-svc/routes.d (38 files)", 35 );
        work_us( r( 80000 ) );
    }
    {
        ZoneScopedN( "Routes::BuildTrie" );
        ZoneValue( 2143 );
        work_us( r( g_trie_us ), 400 );
    }
    {
        ZoneScopedN( "Routes::Compile" );
        work_us( r( 40000 ) );
    }
    log_msg( "routes: 2143 routes loaded" );
}

void warm_cache( int t, int batches )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), g_warm_threads == 1 ? "cache-warmer" : "cache-warmer-%d", t );
    name_thread( nm );
    rng_t r( 200 + t * 31 + (int)g_s );
    ZoneScopedN( "Cache::Warm" );
    for( int b = 0; b < batches; b++ )
    {
        ZoneScopedN( "Cache::WarmBatch" );
        char txt[32];
        const int n = snprintf( txt, sizeof( txt ), "batch %d", b * g_warm_threads + t );
        ZoneText( txt, n );
        {
            ZoneScopedN( "Cache::ReadBatch" );
            wait_us( r( 2200 ) );   // snapshot read from object storage
        }
        if( g_lock_whole_batch )
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_cache_mtx );
            LockMark( g_cache_mtx );
            {
                ZoneScopedN( "Cache::Deserialize" );
                work_us( r( g_deser_us ), 300 );
            }
            {
                ZoneScopedN( "Cache::Insert" );
                work_us( r( 3000 ) );
            }
        }
        else
        {
            {
                ZoneScopedN( "Cache::Deserialize" );
                work_us( r( g_deser_us ), 300 );
            }
            std::lock_guard<LockableBase( std::mutex )> lk( g_cache_mtx );
            LockMark( g_cache_mtx );
            ZoneScopedN( "Cache::Insert" );
            work_us( r( 3000 ) );
        }
        TracyPlot( "cache keys", (int64_t)( g_cache_keys += 5000 ) );
    }
}

void load_model()
{
    name_thread( "model-loader" );
    rng_t r( 300 + (int)g_s );
    ZoneScopedN( "Model::Load" );
    ZoneText( "fraud-score v14 (onnx)", 22 );
    {
        ZoneScopedN( "Model::ReadWeights" );
        wait_us( r( g_model_us * 0.7 ) );
    }
    {
        ZoneScopedN( "Model::Compile" );
        work_us( r( g_model_us * 0.3 ), 500 );
    }
    log_msg( "model fraud-score v14 loaded" );
}

void register_discovery( rng_t& r )
{
    ZoneScopedN( "Discovery::Register" );
    wait_us( r( 45000 ) );
    {
        ZoneScopedN( "Discovery::HealthProbe" );
        wait_us( r( 30000 ) );
    }
    log_msg( "registered with consul as orders-svc-7f3c (10.0.4.17:8080)" );
}

// ---------------------------------------------------------------------------------------------- serving

struct endpoint
{
    const char* path;
    bool cached;
    double db_us;
    double weight;
};
const endpoint kEp[] = {
    { "GET /v1/orders/{id}", true, 1800, 30 },
    { "GET /v1/customers/{id}", true, 1500, 20 },
    { "GET /v1/catalog/search", true, 2400, 20 },
    { "POST /v1/orders", false, 2200, 15 },
    { "GET /healthz", false, 0, 15 },
};
constexpr int kNumEp = sizeof( kEp ) / sizeof( kEp[0] );

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

void handle( const request& rq, rng_t& r )
{
    const endpoint& e = kEp[rq.ep];
    ZoneScopedN( "Request::Handle" );
    char t[80];
    const int n = snprintf( t, sizeof( t ), "%s #%d", e.path, rq.id );
    ZoneText( t, n );
    {
        ZoneScopedN( "Http::Parse" );
        work_us( r( 90 ) );
    }
    if( rq.ep == 4 )
    {
        ZoneScopedN( "Http::Write" );
        work_us( r( 60 ) );
        return;
    }
    {
        ZoneScopedN( "Auth::Verify" );
        work_us( r( 260 ) );
    }
    bool hit = false;
    if( e.cached )
    {
        ZoneScopedN( "Cache::Get" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_cache_mtx );
        LockMark( g_cache_mtx );
        work_us( r( 35 ) );
        hit = r.chance( 0.7 );
    }
    if( !hit )
    {
        ZoneScopedN( "Db::Query" );
        {
            ZoneScopedN( "Db::Pool::Acquire" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_dbpool_mtx );
            LockMark( g_dbpool_mtx );
            work_us( r( 15 ) );
        }
        work_us( r( e.db_us, 0.25 ) );
    }
    if( e.cached && !hit )
    {
        ZoneScopedN( "Cache::Put" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_cache_mtx );
        LockMark( g_cache_mtx );
        work_us( r( 30 ) );
    }
    {
        ZoneScopedN( "Json::Encode" );
        work_us( r( 320 ) );
    }
    {
        ZoneScopedN( "Http::Write" );
        work_us( r( 150 ) );
    }
    {
        ZoneScopedN( "Metrics::Record" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_metrics_mtx );
        LockMark( g_metrics_mtx );
        work_us( r( 8 ) );
    }
}

void worker( int w )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "http-worker-%d", w );
    name_thread( nm );
    rng_t r( 500 + w * 13 + (int)g_s );
    for( ;; )
    {
        request rq;
        {
            std::unique_lock<std::mutex> lk( g_qm );
            g_qcv.wait( lk, [] { return g_stop.load() || !g_q.empty(); } );
            if( g_q.empty() ) return;
            rq = g_q.front();
            g_q.pop_front();
        }
        handle( rq, r );
        TracyPlot( "inflight requests", (int64_t)--g_inflight );
    }
}

void acceptor( double seconds )
{
    name_thread( "http-acceptor" );
    rng_t r( 700 + (int)g_s );
    std::exponential_distribution<double> gap( kRate );
    double wsum = 0;
    for( auto& e : kEp ) wsum += e.weight;
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( seconds * 1e9 ) );
    auto next = Clock::now();
    int id = 1;
    while( next < end )
    {
        std::this_thread::sleep_until( next );
        double u = r.uni( 0, wsum );
        int ep = 0;
        while( ep < kNumEp - 1 && u >= kEp[ep].weight ) u -= kEp[ep++].weight;
        {
            std::lock_guard<std::mutex> lk( g_qm );
            g_q.push_back( { id++, ep } );
        }
        TracyPlot( "inflight requests", (int64_t)++g_inflight );
        g_qcv.notify_one();
        next += std::chrono::nanoseconds( (int64_t)( gap( r.g ) * 1e9 ) );
    }
}

void metrics_loop()
{
    name_thread( "metrics" );
    rng_t r( 900 );
    auto next = Clock::now() + 200ms;
    while( !g_stop.load() )
    {
        std::this_thread::sleep_until( next );
        next += 200ms;
        ZoneScopedN( "Metrics::Flush" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_metrics_mtx );
        LockMark( g_metrics_mtx );
        work_us( r( 900 ) );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: svcstart slow_ready|warm_lock|regress a|b\n" );
        return 1;
    }
    const std::string s = argv[1];
    if( s == "slow_ready" ) g_s = scen::slow_ready;
    else if( s == "warm_lock" ) g_s = scen::warm_lock;
    else if( s == "regress" && argc > 2 && argv[2][0] == 'a' ) g_s = scen::regress_a;
    else if( s == "regress" && argc > 2 && argv[2][0] == 'b' ) g_s = scen::regress_b;
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 1;
    }
    switch( g_s )
    {
    case scen::slow_ready:
        g_seq_connect = true; g_warm_threads = 4; g_warm_batches = 17; g_model_us = 650000; g_serve_s = 2.6;
        break;
    case scen::warm_lock:
        g_bg_warm = true; g_lock_whole_batch = true; g_warm_threads = 1; g_warm_batches = 24; g_model_us = 450000;
        g_serve_s = 3.5;
        break;
    case scen::regress_a:
        g_warm_threads = 2; g_warm_batches = 14; g_model_us = 500000; g_serve_s = 3.0;
        break;
    case scen::regress_b:
        g_warm_threads = 2; g_warm_batches = 14; g_deser_us = 38000 * 1.3; g_model_us = 500000; g_serve_s = 3.0;
        g_trie_us = 950000;
        break;
    }
    name_thread( "main" );
    rng_t r( 42 + (int)g_s );
    log_msg( "orders-svc 2.14.%d starting (pid %d)", g_s == scen::regress_b ? 1 : 0, 4711 );

    std::vector<std::thread> warmers;
    std::thread model, metrics;
    std::vector<std::thread> workers;
    std::thread acc;
    {
        ZoneScopedN( "Service::Startup" );
        load_config( r );
        model = std::thread( load_model );
        if( !g_bg_warm )
            for( int t = 0; t < g_warm_threads; t++ ) warmers.emplace_back( warm_cache, t, g_warm_batches );
        connect_pool( r );
        load_routes( r );
        if( !g_bg_warm )
        {
            ZoneScopedN( "Startup::AwaitWarmers" );
            for( auto& x : warmers ) x.join();
            log_msg( "cache warm: %lld keys", (long long)g_cache_keys.load() );
        }
        {
            ZoneScopedN( "Startup::AwaitModel" );
            model.join();
        }
        register_discovery( r );
        for( int w = 0; w < kWorkers; w++ ) workers.emplace_back( worker, w );
        metrics = std::thread( metrics_loop );
        log_msg( "listening on :8080" );
    }
    if( g_bg_warm )
    {
        warmers.emplace_back( [] {
            const auto t0 = Clock::now();
            warm_cache( 0, g_warm_batches );
            log_msg( "cache warm complete: %lld keys in %.2f s", (long long)g_cache_keys.load(),
                     std::chrono::duration<double>( Clock::now() - t0 ).count() );
        } );
        log_msg( "ready (cache warming in background)" );
    }
    else
        log_msg( "ready" );
    acc = std::thread( acceptor, g_serve_s );
    acc.join();
    for( auto& x : warmers )
        if( x.joinable() ) x.join();
    {
        ZoneScopedN( "Service::Shutdown" );
        log_msg( "SIGTERM received, draining" );
        {
            std::unique_lock<std::mutex> lk( g_qm );
            g_stop = true;
        }
        g_qcv.notify_all();
        for( auto& x : workers ) x.join();
        metrics.join();
        {
            ZoneScopedN( "Db::ClosePool" );
            wait_us( 25000 );
        }
        log_msg( "shutdown complete" );
    }
    return 0;
}
