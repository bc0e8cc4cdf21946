// tmplsrv: a small server-rendered web app backend (HTML pages from templates + a SQL database), instrumented with
// Tracy. Test data for profiler-analysis tools; not part of any project. No frame marks (a server has no frames).
//
// Threads: "Acceptor" accepts requests in small batches (Net::AcceptBatch) and queues them (plot "queue depth");
// "Worker 1".."Worker N" pop requests and serve them: Http::Handle (ZoneText = route, ZoneValue = request id) >
// Http::ParseRequest, Session::Load, DbPool::Acquire [> DbPool::WaitForConnection when no connection is free],
// Db::Query (ZoneText = SQL), DbPool::Release, Template::Render (ZoneText = template), Http::WriteResponse,
// Metrics::Record (lock Metrics::mutex, busy but short). Background: "Metrics" thread (Metrics::Flush every 250 ms,
// takes Metrics::mutex), "Cache Janitor" thread (Cache::Sweep, 40-60 ms every 400 ms, harmless, its own thread).
// Arrivals (about 1000 req/s) exceed what the server can serve, so the queue grows (a backlog): throughput matters.
//
// Usage: tmplsrv <scenario>
//   pool_limit   8 workers but a DB connection pool of 2: DbPool::Acquire waits in DbPool::WaitForConnection (a
//                counting semaphore = mutex + condvar); Db::Query itself is short and steady.
//   regress_a    6 workers, pool of 16 (never waits)
//   regress_b    3 workers, pool of 16 (message "Worker pool: 3 threads"); per-request work identical to a.
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see /work/team/bin/record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
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

#include "tracy/Tracy.hpp"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace
{

volatile double g_sink = 0.0;

// wall-clock work: sleep most of it, spin the last ~30 us
void busy_for( double us )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > 120.0 ) std::this_thread::sleep_until( end - 30us );
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

TracyLockableN( std::mutex, g_metrics, "Metrics::mutex" );

// ---- routes ----------------------------------------------------------------------------------------------

struct route
{
    const char* path;
    const char* sql;
    const char* tmpl;
    double db_us;
    double render_us;
    double weight;
};

const route kRoutes[] = {
    { "GET /", "SELECT id, title, teaser FROM articles ORDER BY published_at DESC LIMIT 20", "home.html", 3000, 1300, 30 },
    { "GET /article/:slug", "SELECT * FROM articles WHERE slug = $1", "article.html", 2500, 1600, 25 },
    { "GET /search", "SELECT id, title FROM articles WHERE tsv @@ plainto_tsquery($1) LIMIT 25", "search_results.html", 3800, 1000, 15 },
    { "GET /user/:id", "SELECT u.*, count(c.id) FROM users u LEFT JOIN comments c ON c.user_id = u.id WHERE u.id = $1 GROUP BY u.id", "profile.html", 2900, 1100, 15 },
    { "POST /comment", "INSERT INTO comments (article_id, user_id, body) VALUES ($1, $2, $3)", "comment_ok.html", 2600, 500, 10 },
    { "GET /tag/:name", "SELECT a.id, a.title FROM articles a JOIN article_tags t ON t.article_id = a.id WHERE t.tag = $1 LIMIT 30", "tag.html", 3400, 1200, 5 },
};
constexpr int kNumRoutes = sizeof( kRoutes ) / sizeof( kRoutes[0] );

// ---- scenario knobs --------------------------------------------------------------------------------------

enum class scen { pool_limit, regress_a, regress_b };
scen g_s;
int g_workers = 6;
int g_pool_size = 16;
double g_run_s = 5.0;
double g_arrival_per_s = 1000.0;
double g_scale = 1.0;            // per-request work scale (same in regress a and b)

// ---- request queue ---------------------------------------------------------------------------------------

struct request
{
    int id;
    int route;
};

std::mutex g_qm;
std::condition_variable g_qcv;
std::deque<request> g_q;
std::atomic<bool> g_stop{ false };
std::atomic<int> g_served{ 0 };

void enqueue_batch( const std::vector<request>& rs )
{
    size_t depth;
    {
        std::lock_guard<std::mutex> lk( g_qm );
        for( auto& r : rs ) g_q.push_back( r );
        depth = g_q.size();
    }
    TracyPlot( "queue depth", (int64_t)depth );
    g_qcv.notify_all();
}

bool dequeue( request& r )
{
    std::unique_lock<std::mutex> lk( g_qm );
    g_qcv.wait( lk, [] { return g_stop.load() || !g_q.empty(); } );   // idle: not zoned
    if( g_stop.load() ) return false;
    r = g_q.front();
    g_q.pop_front();
    return true;
}

// ---- DB connection pool: a counting semaphore (mutex + condvar) -------------------------------------------

struct db_pool
{
    std::mutex m;
    std::condition_variable cv;
    int free_conns = 0;
    int size = 0;
    int waiters = 0;

    void init( int n )
    {
        size = n;
        free_conns = n;
    }

    int acquire()
    {
        ZoneScopedN( "DbPool::Acquire" );
        std::unique_lock<std::mutex> lk( m );
        if( free_conns == 0 )
        {
            ZoneScopedN( "DbPool::WaitForConnection" );
            waiters++;
            cv.wait( lk, [this] { return free_conns > 0; } );
            waiters--;
        }
        const int id = size - free_conns;   // connection slot (cosmetic)
        free_conns--;
        TracyPlot( "db connections in use", (int64_t)( size - free_conns ) );
        return id;
    }

    void release()
    {
        ZoneScopedN( "DbPool::Release" );
        {
            std::lock_guard<std::mutex> lk( m );
            free_conns++;
            TracyPlot( "db connections in use", (int64_t)( size - free_conns ) );
        }
        cv.notify_one();
    }
};
db_pool g_pool;

// ---- request handling ------------------------------------------------------------------------------------

void handle( const request& rq, rng_t& r )
{
    ZoneScopedN( "Http::Handle" );
    const route& rt = kRoutes[rq.route];
    ZoneText( rt.path, strlen( rt.path ) );
    ZoneValue( (uint64_t)rq.id );

    {
        ZoneScopedN( "Http::ParseRequest" );
        busy_for( r( 100 * g_scale ) );
    }
    {
        ZoneScopedN( "Session::Load" );
        busy_for( r( 300 * g_scale ) );
    }
    g_pool.acquire();
    {
        ZoneScopedN( "Db::Query" );
        ZoneText( rt.sql, strlen( rt.sql ) );
        busy_for( r( rt.db_us * g_scale ) );
    }
    g_pool.release();
    {
        ZoneScopedN( "Template::Render" );
        ZoneText( rt.tmpl, strlen( rt.tmpl ) );
        busy_for( r( rt.render_us * g_scale ) );
    }
    {
        ZoneScopedN( "Http::WriteResponse" );
        busy_for( r( 250 * g_scale ) );
    }
    {
        ZoneScopedN( "Metrics::Record" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_metrics );
        busy_for( r( 15 ) );
    }
}

void worker_main( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    name_thread( name );
    rng_t r( 1000 + idx );
    request rq;
    while( dequeue( rq ) )
    {
        handle( rq, r );
        g_served++;
    }
}

void acceptor_main()
{
    name_thread( "Acceptor" );
    rng_t r( 7 );
    double total_w = 0;
    for( auto& rt : kRoutes ) total_w += rt.weight;
    const auto t0 = Clock::now();
    int next_id = 1;
    double owed = 0.0;
    auto last = t0;
    while( true )
    {
        std::this_thread::sleep_for( 10ms );
        const auto now = Clock::now();
        if( now - t0 >= std::chrono::duration<double>( g_run_s ) ) break;
        owed += std::chrono::duration<double>( now - last ).count() * g_arrival_per_s;
        last = now;
        const int n = (int)owed;
        owed -= n;
        if( n <= 0 ) continue;
        ZoneScopedN( "Net::AcceptBatch" );
        ZoneValue( (uint64_t)n );
        std::vector<request> batch;
        batch.reserve( n );
        for( int i = 0; i < n; i++ )
        {
            double x = r.uni( 0.0, total_w );
            int k = 0;
            while( k < kNumRoutes - 1 && x >= kRoutes[k].weight ) { x -= kRoutes[k].weight; k++; }
            batch.push_back( { next_id++, k } );
        }
        busy_for( 20.0 + 0.5 * n );
        enqueue_batch( batch );
    }
    size_t left;
    {
        std::lock_guard<std::mutex> lk( g_qm );
        left = g_q.size();
    }
    log_msg( "Shutting down: %d requests accepted, %d served, %zu still queued", next_id - 1, g_served.load(), left );
}

void metrics_main()
{
    name_thread( "Metrics" );
    rng_t r( 99 );
    int last = 0;
    while( !g_stop.load() )
    {
        std::this_thread::sleep_for( 250ms );
        ZoneScopedN( "Metrics::Flush" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_metrics );
        busy_for( r( 300 ) );
        const int s = g_served.load();
        TracyPlot( "requests served", (int64_t)s );
        (void)last;
        last = s;
    }
}

void janitor_main()
{
    name_thread( "Cache Janitor" );
    rng_t r( 5 );
    while( !g_stop.load() )
    {
        std::this_thread::sleep_for( 400ms );
        if( g_stop.load() ) break;
        ZoneScopedN( "Cache::Sweep" );
        const int n = r.irange( 1800, 2600 );
        ZoneValue( (uint64_t)n );
        busy_for( r.uni( 40000, 60000 ) );
    }
}

}   // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: %s pool_limit|regress_a|regress_b\n", argv[0] );
        return 1;
    }
    const std::string s = argv[1];
    if( s == "pool_limit" ) { g_s = scen::pool_limit; g_workers = 8; g_pool_size = 2; }
    else if( s == "regress_a" ) { g_s = scen::regress_a; g_workers = 6; g_pool_size = 16; g_scale = 1.6; }
    else if( s == "regress_b" ) { g_s = scen::regress_b; g_workers = 3; g_pool_size = 16; g_scale = 1.6; }
    else
    {
        fprintf( stderr, "unknown scenario %s\n", s.c_str() );
        return 1;
    }
    name_thread( "Main" );
    std::this_thread::sleep_for( 300ms );   // let the profiler connect
    g_pool.init( g_pool_size );
    log_msg( "tmplsrv 2.4.1 starting (scenario %s)", s.c_str() );
    log_msg( "Worker pool: %d threads", g_workers );
    log_msg( "DB connection pool: %d connections (postgres://db-primary:5432/blog)", g_pool_size );
    log_msg( "Listening on 0.0.0.0:8080" );

    std::vector<std::thread> threads;
    threads.emplace_back( metrics_main );
    threads.emplace_back( janitor_main );
    for( int i = 1; i <= g_workers; i++ ) threads.emplace_back( worker_main, i );
    std::thread acc( acceptor_main );
    acc.join();
    g_stop = true;
    g_qcv.notify_all();
    for( auto& t : threads ) t.join();
    log_msg( "Server stopped: %d requests served", g_served.load() );
    std::this_thread::sleep_for( 200ms );
    return 0;
}
