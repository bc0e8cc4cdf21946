// evloop: a small single-event-loop HTTP API server (think libuv / epoll reactor) instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project).
//
// Threads:
//   io-loop      the reactor: Loop::Poll (epoll_wait), Loop::ReadRequest (parse one request off a socket),
//                Loop::Dispatch (hand it to the worker pool), Loop::SendResponse (write the response),
//                Loop::RunTimers every 100 ms (Conn::ExpireIdle, Upstream::Refresh > Net::ResolveHost) and a
//                FrameMarkNamed "housekeeping" per timer tick.
//   worker-0..3  Request::Handle (ZoneText = endpoint, request id and queue time; ZoneValue = queue time in us)
//                > Auth::VerifyToken, Cache::Lookup, Db::Query, Audit::Record (AuditLog::mutex), Report::Render,
//                Json::Serialize, Log::Append (Log::mutex)
//   metrics      Metrics::Collect + Metrics::Export every 250 ms (Export ~25 ms, a harmless HTTP push)
//   log-flusher  Log::Flush every 200 ms (swap under Log::mutex, Log::WriteToDisk outside it) and
//                Audit::Flush every ~600 ms (Audit::WriteToDisk + File::Fsync)
// Requests arrive on a fixed Poisson schedule (same seed for every scenario); a request's arrival is the moment
// its bytes reach the socket, so a loop that is not polling sees them late. Latency end to end is in the ZoneText
// and ZoneValue of Loop::SendResponse and in the plot "request latency (ms)".
//
// Usage: evloop <scenario>
//   blocked_loop   every ~1.5 s the DNS cache entry of the upstream expires and Upstream::Refresh resolves it
//                  synchronously on the io-loop (Net::ResolveHost, blocking getaddrinfo, 80-200 ms); nothing is
//                  read, dispatched or answered meanwhile. Elsewhere Net::ResolveHost is a cache hit (~20 us).
//   slow_endpoint  the log flusher holds AuditLog::mutex while writing and fsyncing the audit file (40-60 ms every
//                  ~600 ms); only GET /api/orders takes that lock (Audit::Record), so some orders requests wait.
//                  Elsewhere the flusher swaps the audit buffer under the lock and writes outside it.
//   regress a|b    800 req/s; in b Loop::SendResponse gzips every body (new child Codec::GzipCompress, ~1 ms), so
//                  the single loop thread saturates and requests queue; b also has a slightly faster
//                  Loop::ReadRequest (new parser). Worker zones unchanged.
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
    double operator()( double base, double pct = 0.08 )
    {
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
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

TracyLockableN( std::mutex, g_logMutex, "Log::mutex" );
TracyLockableN( std::mutex, g_auditMutex, "AuditLog::mutex" );

enum class scen { blocked_loop, slow_endpoint, regress_a, regress_b };
scen g_s;
double g_rate = 400.0;        // requests per second
double g_duration = 6.0;      // seconds of arrivals
double g_read_us = 120.0;     // Loop::ReadRequest
double g_send_us = 180.0;     // Loop::SendResponse (own work)
double g_gzip_us = 0.0;       // Codec::GzipCompress inside SendResponse (regress b)

struct endpoint
{
    const char* path;
    double weight;
};
enum { EP_PRODUCTS, EP_USER, EP_CART, EP_ORDERS, EP_REPORT, EP_HEALTH, EP_N };
const endpoint kEp[EP_N] = {
    { "GET /api/products", 34 },
    { "GET /api/users/:id", 26 },
    { "POST /api/cart", 22 },
    { "GET /api/orders", 8 },
    { "GET /api/reports/export", 3 },
    { "GET /healthz", 7 },
};

struct request
{
    int id;
    int ep;
    Clock::time_point arrival;
    Clock::time_point dispatched;
    void* buf;
    size_t resp_bytes;
};

// ---- worker pool queue (plain mutex: not traced) ---------------------------------------------------------
std::mutex g_qm;
std::condition_variable g_qcv;
std::deque<request*> g_q;
bool g_qclosed = false;

// ---- completions back to the loop (the loop's eventfd) ----------------------------------------------------
std::mutex g_cm;
std::condition_variable g_ccv;
std::vector<request*> g_done;

std::atomic<int> g_inflight{ 0 };
std::atomic<bool> g_stop_bg{ false };

Clock::time_point g_t0;

void* mem_alloc( size_t sz )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 64 ) );
    TracyAlloc( p, sz );
    return p;
}
void mem_free( void* p )
{
    TracyFree( p );
    free( p );
}

// ---- worker --------------------------------------------------------------------------------------------------

void log_append( rng_t& r )
{
    ZoneScopedN( "Log::Append" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_logMutex );
    busy_for( r( 12 ) );
}

void handle( request* q, rng_t& r )
{
    const auto start = Clock::now();
    const double queued_us = std::chrono::duration<double, std::micro>( start - q->arrival ).count();
    ZoneScopedN( "Request::Handle" );
    char txt[160];
    const int n = snprintf( txt, sizeof( txt ), "%s req #%d queued %.2f ms", kEp[q->ep].path, q->id, queued_us / 1000.0 );
    ZoneText( txt, n );
    ZoneValue( (uint64_t)queued_us );

    if( q->ep == EP_HEALTH )
    {
        busy_for( r( 40 ) );
        q->resp_bytes = 32;
        return;
    }
    {
        ZoneScopedN( "Auth::VerifyToken" );
        busy_for( r( 90 ) );
    }
    switch( q->ep )
    {
    case EP_PRODUCTS:
    {
        bool hit;
        {
            ZoneScopedN( "Cache::Lookup" );
            busy_for( r( 150 ) );
            hit = r.chance( 0.7 );
        }
        if( !hit )
        {
            ZoneScopedN( "Db::Query" );
            ZoneText( "SELECT * FROM products WHERE category = $1 LIMIT 50", 51 );
            busy_for( r( 1600, 0.25 ) );
        }
        ZoneScopedN( "Json::Serialize" );
        busy_for( r( 450 ) );
        q->resp_bytes = 18000;
        break;
    }
    case EP_USER:
    {
        {
            ZoneScopedN( "Db::Query" );
            ZoneText( "SELECT * FROM users WHERE id = $1", 33 );
            busy_for( r( 1100, 0.25 ) );
        }
        ZoneScopedN( "Json::Serialize" );
        busy_for( r( 250 ) );
        q->resp_bytes = 2400;
        break;
    }
    case EP_CART:
    {
        {
            ZoneScopedN( "Db::Query" );
            ZoneText( "UPDATE carts SET items = $2 WHERE user_id = $1", 46 );
            busy_for( r( 1700, 0.25 ) );
        }
        {
            ZoneScopedN( "Cache::Invalidate" );
            busy_for( r( 120 ) );
        }
        q->resp_bytes = 600;
        break;
    }
    case EP_ORDERS:
    {
        {
            ZoneScopedN( "Db::Query" );
            ZoneText( "SELECT * FROM orders WHERE user_id = $1 ORDER BY created_at DESC LIMIT 20", 73 );
            busy_for( r( 1900, 0.25 ) );
        }
        {
            ZoneScopedN( "Audit::Record" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_auditMutex );
            busy_for( r( 30 ) );
        }
        ZoneScopedN( "Json::Serialize" );
        busy_for( r( 500 ) );
        q->resp_bytes = 9000;
        break;
    }
    case EP_REPORT:
    {
        {
            ZoneScopedN( "Db::Query" );
            ZoneText( "SELECT day, sku, SUM(qty) FROM order_lines GROUP BY day, sku", 60 );
            busy_for( r( 4000 ) );
        }
        ZoneScopedN( "Report::Render" );
        busy_for( r( 9500 ) );
        q->resp_bytes = 240000;
        break;
    }
    }
    log_append( r );
}

void worker_main( int idx )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "worker-%d", idx );
    name_thread( nm );
    rng_t r( 1000 + idx );
    for( ;; )
    {
        request* q;
        {
            std::unique_lock<std::mutex> lk( g_qm );
            g_qcv.wait( lk, [] { return !g_q.empty() || g_qclosed; } );
            if( g_q.empty() ) return;
            q = g_q.front();
            g_q.pop_front();
        }
        handle( q, r );
        {
            std::lock_guard<std::mutex> lk( g_cm );
            g_done.push_back( q );
        }
        g_ccv.notify_one();
    }
}

// ---- event loop ----------------------------------------------------------------------------------------------

struct arrival
{
    double t;   // seconds after g_t0
    int ep;
};

std::vector<arrival> make_schedule()
{
    rng_t r( 4242 );
    std::vector<arrival> s;
    double tw = 0;
    for( int i = 0; i < EP_N; i++ ) tw += kEp[i].weight;
    std::exponential_distribution<double> gap( g_rate );
    double t = 0.05;
    while( t < g_duration )
    {
        t += gap( r.g );
        double w = r.uni( 0, tw );
        int ep = 0;
        while( ep < EP_N - 1 && w >= kEp[ep].weight ) { w -= kEp[ep].weight; ep++; }
        s.push_back( { t, ep } );
    }
    return s;
}

Clock::time_point at( double sec ) { return g_t0 + std::chrono::nanoseconds( (int64_t)( sec * 1e9 ) ); }

void send_response( request* q, rng_t& r )
{
    ZoneScopedN( "Loop::SendResponse" );
    if( g_gzip_us > 0 && q->resp_bytes > 256 )
    {
        ZoneScopedN( "Codec::GzipCompress" );
        busy_for( r( g_gzip_us ) );
    }
    busy_for( r( g_send_us ) );
    const double lat_us = std::chrono::duration<double, std::micro>( Clock::now() - q->arrival ).count();
    char txt[160];
    const int n = snprintf( txt, sizeof( txt ), "%s req #%d -> 200, %zu B, total %.2f ms", kEp[q->ep].path, q->id,
                            q->resp_bytes, lat_us / 1000.0 );
    ZoneText( txt, n );
    ZoneValue( (uint64_t)lat_us );
    TracyPlot( "request latency (ms)", lat_us / 1000.0 );
    mem_free( q->buf );
    delete q;
    g_inflight--;
}

void run_timers( rng_t& r, int tick, double& next_dns_expiry, Clock::time_point now )
{
    ZoneScopedN( "Loop::RunTimers" );
    {
        ZoneScopedN( "Conn::ExpireIdle" );
        busy_for( r( 250 ) );
    }
    {
        ZoneScopedN( "Upstream::Refresh" );
        const double t = std::chrono::duration<double>( now - g_t0 ).count();
        ZoneNamedN( resolve, "Net::ResolveHost", true );
        ZoneTextV( resolve, "inventory-svc.internal:8443", 27 );
        if( g_s == scen::blocked_loop && t >= next_dns_expiry )
        {
            const double ms = r.uni( 80, 200 );
            busy_for( ms * 1000.0 );   // blocking getaddrinfo()
            log_msg( "upstream inventory-svc.internal re-resolved (TTL expired), %.0f ms", ms );
            next_dns_expiry = t + r.uni( 1.3, 1.7 );
        }
        else
        {
            busy_for( r( 20 ) );       // DNS cache hit
        }
    }
    (void)tick;
}

void loop_main()
{
    name_thread( "io-loop" );
    rng_t r( 77 );
    const auto sched = make_schedule();
    size_t next = 0;
    int next_id = 1;
    Clock::time_point next_timer = g_t0 + 100ms;
    int tick = 0;
    double next_dns_expiry = 0.9;
    log_msg( "io-loop: listening on 0.0.0.0:8080, %zu requests scheduled at %.0f req/s", sched.size(), g_rate );
    std::vector<request*> done;
    std::vector<int> incoming;
    std::vector<Clock::time_point> incoming_t;
    int last_plot = -1;

    for( ;; )
    {
        const bool arrivals_left = next < sched.size();
        if( !arrivals_left && g_inflight.load() == 0 ) break;
        done.clear();
        incoming.clear();
        incoming_t.clear();
        {
            ZoneScopedN( "Loop::Poll" );
            Clock::time_point wake = next_timer;
            if( arrivals_left ) wake = std::min( wake, at( sched[next].t ) );
            {
                std::unique_lock<std::mutex> lk( g_cm );
                g_ccv.wait_until( lk, wake, [] { return !g_done.empty(); } );
                // epoll_wait maxevents = 64
                const size_t take = std::min<size_t>( g_done.size(), 64 );
                done.assign( g_done.begin(), g_done.begin() + take );
                g_done.erase( g_done.begin(), g_done.begin() + take );
            }
            const auto now = Clock::now();
            while( next < sched.size() && at( sched[next].t ) <= now && incoming.size() + done.size() < 64 )
            {
                incoming.push_back( sched[next].ep );
                incoming_t.push_back( at( sched[next].t ) );
                next++;
            }
        }
        for( size_t i = 0; i < incoming.size(); i++ )
        {
            request* q = new request;
            q->id = next_id++;
            q->ep = incoming[i];
            q->arrival = incoming_t[i];
            q->resp_bytes = 0;
            g_inflight++;
            {
                ZoneScopedN( "Loop::ReadRequest" );
                char txt[96];
                const int n = snprintf( txt, sizeof( txt ), "%s req #%d", kEp[q->ep].path, q->id );
                ZoneText( txt, n );
                q->buf = mem_alloc( 4096 );
                busy_for( r( g_read_us ) );
            }
            {
                ZoneScopedN( "Loop::Dispatch" );
                busy_for( r( 30 ) );
                q->dispatched = Clock::now();
                {
                    std::lock_guard<std::mutex> lk( g_qm );
                    g_q.push_back( q );
                }
                g_qcv.notify_one();
            }
        }
        for( request* q : done ) send_response( q, r );

        const auto now = Clock::now();
        if( now >= next_timer )
        {
            run_timers( r, tick, next_dns_expiry, now );
            FrameMarkNamed( "housekeeping" );
            tick++;
            next_timer += 100ms;
            if( next_timer < now ) next_timer = now + 100ms;
        }
        const int ms10 = (int)( std::chrono::duration<double>( now - g_t0 ).count() * 100 );
        if( ms10 != last_plot )
        {
            last_plot = ms10;
            size_t depth;
            {
                std::lock_guard<std::mutex> lk( g_qm );
                depth = g_q.size();
            }
            TracyPlot( "worker queue depth", (int64_t)depth );
            TracyPlot( "in-flight requests", (int64_t)g_inflight.load() );
            // requests already on the wire that the loop has not read yet (socket / accept backlog)
            size_t k = next;
            while( k < sched.size() && at( sched[k].t ) <= now ) k++;
            TracyPlot( "unread requests (socket backlog)", (int64_t)( k - next ) );
        }
    }
    log_msg( "io-loop: drained, %d requests served", next_id - 1 );
    {
        std::lock_guard<std::mutex> lk( g_qm );
        g_qclosed = true;
    }
    g_qcv.notify_all();
}

// ---- background threads -----------------------------------------------------------------------------------

void metrics_main()
{
    name_thread( "metrics" );
    rng_t r( 31 );
    auto next = g_t0 + 250ms;
    int n = 0;
    while( !g_stop_bg )
    {
        std::this_thread::sleep_until( next );
        next += 250ms;
        {
            ZoneScopedN( "Metrics::Collect" );
            busy_for( r( 1800 ) );
        }
        {
            ZoneScopedN( "Metrics::Export" );
            ZoneText( "POST http://pushgateway:9091/metrics/job/evloop", 47 );
            busy_for( r( 25000, 0.2 ) );
        }
        if( ++n % 8 == 0 ) log_msg( "metrics: pushed %d samples", 180 + n );
    }
}

void flusher_main()
{
    name_thread( "log-flusher" );
    rng_t r( 57 );
    auto next = g_t0 + 200ms;
    auto next_audit = g_t0 + std::chrono::milliseconds( 450 );
    while( !g_stop_bg )
    {
        std::this_thread::sleep_until( next );
        next += 200ms;
        {
            ZoneScopedN( "Log::Flush" );
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_logMutex );
                ZoneScopedN( "Log::SwapBuffers" );
                busy_for( r( 40 ) );
            }
            ZoneNamedN( wr, "Log::WriteToDisk", true );
            ZoneTextV( wr, "/var/log/evloop/access.log", 26 );
            busy_for( r( 18000, 0.25 ) );
        }
        if( Clock::now() >= next_audit )
        {
            next_audit += std::chrono::milliseconds( (int)r.uni( 520, 680 ) );
            ZoneScopedN( "Audit::Flush" );
            if( g_s == scen::slow_endpoint )
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_auditMutex );
                {
                    ZoneScopedN( "Audit::WriteToDisk" );
                    ZoneText( "/var/log/evloop/audit.log", 25 );
                    busy_for( r.uni( 25000, 38000 ) );
                }
                ZoneScopedN( "File::Fsync" );
                busy_for( r.uni( 12000, 22000 ) );
            }
            else
            {
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_auditMutex );
                    ZoneScopedN( "Audit::SwapBuffers" );
                    busy_for( r( 30 ) );
                }
                {
                    ZoneScopedN( "Audit::WriteToDisk" );
                    ZoneText( "/var/log/evloop/audit.log", 25 );
                    busy_for( r.uni( 25000, 38000 ) );
                }
                ZoneScopedN( "File::Fsync" );
                busy_for( r.uni( 12000, 22000 ) );
            }
        }
    }
}

}   // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: evloop blocked_loop|slow_endpoint|regress a|regress b\n" );
        return 2;
    }
    const std::string s = argv[1];
    if( s == "blocked_loop" ) g_s = scen::blocked_loop;
    else if( s == "slow_endpoint" ) g_s = scen::slow_endpoint;
    else if( s == "regress" && argc > 2 && std::string( argv[2] ) == "a" ) g_s = scen::regress_a;
    else if( s == "regress" && argc > 2 && std::string( argv[2] ) == "b" ) g_s = scen::regress_b;
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 2;
    }
    if( g_s == scen::regress_a || g_s == scen::regress_b ) g_rate = 800.0;
    if( g_s == scen::regress_b )
    {
        g_gzip_us = 1000.0;
        g_read_us = 100.0;
    }

    // give the profiler a moment to connect
    std::this_thread::sleep_for( 300ms );
    {
        ZoneScopedN( "Server::Startup" );
        {
            ZoneScopedN( "Config::Load" );
            busy_for( 12000 );
        }
        {
            ZoneScopedN( "Db::ConnectPool" );
            busy_for( 25000 );
        }
        log_msg( "evloop 2.4.1 starting, scenario %s%s%s", argv[1], argc > 2 ? " " : "", argc > 2 ? argv[2] : "" );
    }
    g_t0 = Clock::now();
    std::vector<std::thread> th;
    for( int i = 0; i < 4; i++ ) th.emplace_back( worker_main, i );
    std::thread met( metrics_main ), fl( flusher_main );
    std::thread loop( loop_main );
    loop.join();
    for( auto& t : th ) t.join();
    g_stop_bg = true;
    met.join();
    fl.join();
    {
        ZoneScopedN( "Server::Shutdown" );
        busy_for( 5000 );
        log_msg( "evloop: shutdown complete" );
    }
    std::this_thread::sleep_for( 200ms );
    return 0;
}
