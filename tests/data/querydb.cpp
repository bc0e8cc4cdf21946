// querydb: a small SQL query server instrumented with Tracy (benchmark data for profiler-analysis tools; not part of
// any project). A "listener" thread accepts client statements on a fixed arrival schedule and queues them; four
// "query-worker-N" threads execute them. Each statement is one zone Query::Execute whose ZoneText is the statement
// shape (the normalized SQL) and whose ZoneValue is the number of rows returned/affected. Children: Planner::Plan,
// Executor::IndexSeek or Executor::FullScan (ZoneValue = rows examined), Executor::Sort (ZoneValue = rows sorted),
// Storage::WriteRow (writes, under the table lock), Net::SendResult. Every table has a lock (TracyLockableN
// "Table::<name>"): reads latch it briefly (Catalog::OpenTable), writes hold it while writing the row. Background
// threads: "wal-writer" (Wal::Flush every 5 ms, ZoneValue = bytes), "checkpointer" (Checkpoint::Run every ~1.1 s,
// 120-170 ms, takes every table lock for 1-3 ms in Checkpoint::SnapshotTable), "stats" (Stats::Collect every
// 250 ms, plots "queries/s", "buffer pool hit rate", "active connections"). Messages: connections opened/closed,
// checkpoints, WAL segment switches.
//
// Usage: querydb <scenario>
//   missing_index  "SELECT * FROM orders WHERE shipping_email=?" (~2.5% of statements) has no usable index and
//                  runs Executor::FullScan over the 2.4M-row orders table (45-85 ms); everything else 0.5-5 ms.
//                  Distractors: the tiny "warehouses" table is always full-scanned (0.2-0.3 ms, innocent), the
//                  order range query returns up to 3k rows (3-5 ms), checkpoints run 120-170 ms.
//   big_results    rows returned vary: the order range query and the audit-log query sometimes return 60k-150k
//                  rows; Net::SendResult is ~1 us/row, so those statements take 60-160 ms while the median is
//                  ~1 ms. The same statement shapes are fast when they return few rows. shipping_email uses an
//                  index here (fast).
//   regress_a/_b   same arrival schedule and same rows (fixed seed). In b, Executor::Sort for
//                  "SELECT id, name, price FROM products WHERE category_id=? ORDER BY name LIMIT 500" is ~5x slower
//                  per row (text collation); Executor::Sort under "ORDER BY created_at" is unchanged. b also has a
//                  faster Planner::Plan (plan cache: ~0.22 -> ~0.16 ms), a distractor that got faster.
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
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
    if( us > tail_us + 120.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
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

// ---- tables and their locks ---------------------------------------------------------------------------

TracyLockableN( std::mutex, g_lk_orders, "Table::orders" );
TracyLockableN( std::mutex, g_lk_customers, "Table::customers" );
TracyLockableN( std::mutex, g_lk_products, "Table::products" );
TracyLockableN( std::mutex, g_lk_inventory, "Table::inventory" );
TracyLockableN( std::mutex, g_lk_sessions, "Table::sessions" );
TracyLockableN( std::mutex, g_lk_audit, "Table::audit_log" );
TracyLockableN( std::mutex, g_lk_warehouses, "Table::warehouses" );

enum tbl { T_ORDERS, T_CUSTOMERS, T_PRODUCTS, T_INVENTORY, T_SESSIONS, T_AUDIT, T_WAREHOUSES, T_COUNT };
const char* const kTableNames[T_COUNT] = { "orders", "customers", "products", "inventory", "sessions", "audit_log", "warehouses" };

LockableBase( std::mutex )& table_lock( int t )
{
    switch( t )
    {
    case T_ORDERS: return g_lk_orders;
    case T_CUSTOMERS: return g_lk_customers;
    case T_PRODUCTS: return g_lk_products;
    case T_INVENTORY: return g_lk_inventory;
    case T_SESSIONS: return g_lk_sessions;
    case T_AUDIT: return g_lk_audit;
    default: return g_lk_warehouses;
    }
}

// ---- scenario -------------------------------------------------------------------------------------------

enum class scen { missing_index, big_results, regress_a, regress_b };
scen g_s;

enum access_t { A_INDEX, A_FULL, A_WRITE };
enum sort_t { S_NONE, S_TS, S_TEXT };

struct shape
{
    const char* sql;
    int table;
    access_t access;
    sort_t sort;
    double weight;
};

enum shape_id
{
    Q_ORDERS_BY_CUST,
    Q_CUSTOMER_BY_ID,
    Q_PRODUCT_BY_SKU,
    Q_UPDATE_STOCK,
    Q_INSERT_ORDER,
    Q_RECENT_ORDERS,
    Q_PRODUCTS_BY_NAME,
    Q_SESSION,
    Q_STOCK_BY_WH,
    Q_ORDERS_BY_EMAIL,
    Q_ORDERS_RANGE,
    Q_AUDIT,
    Q_WAREHOUSES,
    Q_COUNT
};

const shape kShapes[Q_COUNT] = {
    { "SELECT * FROM orders WHERE customer_id=?", T_ORDERS, A_INDEX, S_NONE, 16 },
    { "SELECT * FROM customers WHERE id=?", T_CUSTOMERS, A_INDEX, S_NONE, 14 },
    { "SELECT name, price FROM products WHERE sku=?", T_PRODUCTS, A_INDEX, S_NONE, 13 },
    { "UPDATE inventory SET qty=qty-? WHERE sku=? AND warehouse_id=?", T_INVENTORY, A_WRITE, S_NONE, 8 },
    { "INSERT INTO orders (customer_id, sku, qty, shipping_email) VALUES (?,?,?,?)", T_ORDERS, A_WRITE, S_NONE, 8 },
    { "SELECT * FROM orders WHERE customer_id=? ORDER BY created_at DESC LIMIT 50", T_ORDERS, A_INDEX, S_TS, 9 },
    { "SELECT id, name, price FROM products WHERE category_id=? ORDER BY name LIMIT 500", T_PRODUCTS, A_INDEX, S_TEXT, 7 },
    { "SELECT user_id, expires_at FROM sessions WHERE token=?", T_SESSIONS, A_INDEX, S_NONE, 11 },
    { "SELECT sku, qty FROM inventory WHERE warehouse_id=?", T_INVENTORY, A_INDEX, S_NONE, 4 },
    { "SELECT * FROM orders WHERE shipping_email=?", T_ORDERS, A_INDEX, S_NONE, 2.5 },
    { "SELECT * FROM orders WHERE created_at BETWEEN ? AND ?", T_ORDERS, A_INDEX, S_NONE, 3 },
    { "SELECT * FROM audit_log WHERE tenant_id=? AND ts > ?", T_AUDIT, A_INDEX, S_NONE, 2 },
    { "SELECT code, name, region FROM warehouses", T_WAREHOUSES, A_FULL, S_NONE, 2.5 },
};

struct query
{
    int id;
    int shape;
    int conn;
    double arrive_s;   // arrival time relative to traffic start
    int rows;          // rows returned (or affected)
    int examined;      // rows examined by the access path
    double plan_us, latch_us, access_us, sort_us, write_us, send_us;
};

// The random draws of a statement, independent of the scenario knobs that change its cost.
query make_query( int id, double t, rng_t& r, bool big )
{
    query q {};
    q.id = id;
    q.arrive_s = t;
    q.conn = r.irange( 1, 48 );
    double wsum = 0;
    for( auto& s : kShapes ) wsum += s.weight;
    double x = r.uni( 0, wsum );
    int k = 0;
    for( ; k < Q_COUNT - 1; k++ )
    {
        if( x < kShapes[k].weight ) break;
        x -= kShapes[k].weight;
    }
    q.shape = k;
    switch( k )
    {
    case Q_ORDERS_BY_CUST: q.rows = r.irange( 1, 40 ); break;
    case Q_CUSTOMER_BY_ID: q.rows = 1; break;
    case Q_PRODUCT_BY_SKU: q.rows = 1; break;
    case Q_UPDATE_STOCK: q.rows = 1; break;
    case Q_INSERT_ORDER: q.rows = 1; break;
    case Q_RECENT_ORDERS: q.rows = r.irange( 3, 50 ); break;
    case Q_PRODUCTS_BY_NAME: q.rows = r.irange( 150, 500 ); break;
    case Q_SESSION: q.rows = r.chance( 0.95 ) ? 1 : 0; break;
    case Q_STOCK_BY_WH: q.rows = r.irange( 200, 900 ); break;
    case Q_ORDERS_BY_EMAIL: q.rows = r.irange( 1, 6 ); break;
    case Q_ORDERS_RANGE:
        if( big && r.chance( 0.40 ) ) q.rows = r.irange( 60000, 150000 );
        else q.rows = (int)std::exp( r.uni( std::log( 20.0 ), std::log( 3000.0 ) ) );
        break;
    case Q_AUDIT:
        if( big && r.chance( 0.35 ) ) q.rows = r.irange( 60000, 120000 );
        else q.rows = r.irange( 10, 400 );
        break;
    case Q_WAREHOUSES: q.rows = 12; break;
    }
    q.plan_us = r.uni( 170, 270 );
    q.latch_us = r.uni( 15, 40 );
    q.access_us = r.uni( 250, 700 );   // index descent + page reads
    q.sort_us = r.uni( 0.9, 1.1 );     // per-row sort cost factor
    q.write_us = r.uni( 200, 420 );
    q.send_us = r.uni( 0.92, 1.08 );   // per-row send cost factor
    q.examined = q.rows;
    if( k == Q_ORDERS_BY_EMAIL && g_s == scen::missing_index )
    {
        q.examined = 2400000 + r.irange( -3000, 3000 );
        q.access_us = r.uni( 45000, 85000 );
    }
    if( k == Q_WAREHOUSES ) q.access_us = r.uni( 180, 300 );
    return q;
}

// ---- queue ------------------------------------------------------------------------------------------------

std::mutex g_qm;
std::condition_variable g_qcv;
std::deque<query> g_queue;
bool g_done = false;
std::atomic<bool> g_stop_bg { false };
std::atomic<int> g_executed { 0 };
std::atomic<int> g_active_conns { 0 };
std::atomic<int> g_pages_hit { 0 }, g_pages_read { 0 };

void execute( const query& q )
{
    const shape& s = kShapes[q.shape];
    ZoneScopedN( "Query::Execute" );
    ZoneText( s.sql, strlen( s.sql ) );
    {
        ZoneScopedN( "Planner::Plan" );
        const double f = g_s == scen::regress_b ? 0.72 : 1.0;
        busy_for( q.plan_us * f );
    }
    {
        ZoneScopedN( "Catalog::OpenTable" );
        std::lock_guard<LockableBase( std::mutex )> lk( table_lock( s.table ) );
        busy_for( q.latch_us );
    }
    const bool full = s.access == A_FULL || ( q.shape == Q_ORDERS_BY_EMAIL && g_s == scen::missing_index );
    if( full )
    {
        ZoneScopedN( "Executor::FullScan" );
        ZoneValue( (uint64_t)q.examined );
        busy_for( q.access_us );
        g_pages_read += q.examined > 100000 ? 40 : 1;
    }
    else
    {
        ZoneScopedN( "Executor::IndexSeek" );
        ZoneValue( (uint64_t)q.examined );
        busy_for( q.access_us + 0.04 * q.rows );
        g_pages_read += ( q.id * 40503u >> 5 ) % 3;
    }
    g_pages_hit += 22 + ( q.id * 2654435761u >> 7 ) % 17;
    if( s.sort != S_NONE )
    {
        ZoneScopedN( "Executor::Sort" );
        ZoneValue( (uint64_t)q.rows );
        double per_row = s.sort == S_TS ? 1.5 : 1.3;
        if( s.sort == S_TEXT && g_s == scen::regress_b ) per_row = 6.8;
        busy_for( 60 + per_row * q.rows * q.sort_us );
    }
    if( s.access == A_WRITE )
    {
        ZoneScopedN( "Storage::WriteRow" );
        std::lock_guard<LockableBase( std::mutex )> lk( table_lock( s.table ) );
        busy_for( q.write_us );
    }
    ZoneValue( (uint64_t)q.rows );
    {
        ZoneScopedN( "Net::SendResult" );
        busy_for( 45 + 1.0 * q.rows * q.send_us );
    }
    g_executed++;
}

void worker( int idx )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "query-worker-%d", idx );
    name_thread( nm );
    for( ;; )
    {
        query q;
        {
            std::unique_lock<std::mutex> lk( g_qm );
            g_qcv.wait( lk, [] { return g_done || !g_queue.empty(); } );
            if( g_queue.empty() ) return;
            q = g_queue.front();
            g_queue.pop_front();
        }
        execute( q );
    }
}

void listener( const std::vector<query>& sched, Clock::time_point t0, uint32_t seed )
{
    name_thread( "listener" );
    rng_t r( seed ^ 0x5a5a );
    double next_conn = 0.05;
    int conn_no = 100;
    g_active_conns = 40;
    for( const auto& q : sched )
    {
        const auto at = t0 + std::chrono::nanoseconds( (int64_t)( q.arrive_s * 1e9 ) );
        std::this_thread::sleep_until( at );
        if( q.arrive_s >= next_conn )
        {
            next_conn += r.uni( 0.12, 0.35 );
            if( r.chance( 0.5 ) )
            {
                ZoneScopedN( "Net::AcceptConnection" );
                busy_for( r.uni( 60, 120 ) );
                conn_no++;
                g_active_conns++;
                log_msg( "connection #%d accepted from 10.0.%d.%d:%d (user app_rw, db shop)", conn_no, r.irange( 1, 9 ),
                         r.irange( 2, 250 ), r.irange( 40000, 60999 ) );
            }
            else
            {
                g_active_conns--;
                log_msg( "connection #%d closed by client (%d statements)", r.irange( 60, conn_no ), r.irange( 40, 900 ) );
            }
        }
        {
            std::lock_guard<std::mutex> lk( g_qm );
            g_queue.push_back( q );
        }
        g_qcv.notify_one();
    }
}

void wal_writer()
{
    name_thread( "wal-writer" );
    rng_t r( 991 );
    int seg = 0x3A;
    int n = 0;
    while( !g_stop_bg )
    {
        std::this_thread::sleep_for( 5ms );
        ZoneScopedN( "Wal::Flush" );
        ZoneValue( (uint64_t)r.irange( 2000, 24000 ) );
        busy_for( r.uni( 180, 420 ) );
        if( ++n % 300 == 0 ) log_msg( "WAL: switched to segment 00000001000000000000%04X", ++seg );
    }
}

void checkpointer()
{
    name_thread( "checkpointer" );
    rng_t r( 4242 );
    int no = 17;
    auto next = Clock::now() + 600ms;
    while( !g_stop_bg )
    {
        std::this_thread::sleep_until( next );
        if( g_stop_bg ) break;
        next += 1100ms;
        ZoneScopedN( "Checkpoint::Run" );
        no++;
        log_msg( "checkpoint %d starting: time (redo LSN 0/%X)", no, 0x3A000000 + no * 0x21F3C0 );
        int pages = 0;
        for( int t = 0; t < T_COUNT; t++ )
        {
            ZoneScopedN( "Checkpoint::FlushTable" );
            ZoneText( kTableNames[t], strlen( kTableNames[t] ) );
            {
                ZoneScopedN( "Checkpoint::SnapshotTable" );
                std::lock_guard<LockableBase( std::mutex )> lk( table_lock( t ) );
                busy_for( r.uni( 1000, 2800 ) );
            }
            {
                ZoneScopedN( "Checkpoint::WritePages" );
                const int p = r.irange( 60, 420 );
                pages += p;
                ZoneValue( (uint64_t)p );
                busy_for( p * 45.0 );
            }
        }
        {
            ZoneScopedN( "Checkpoint::Fsync" );
            busy_for( r.uni( 8000, 14000 ) );
        }
        log_msg( "checkpoint %d complete: wrote %d buffers, 0 WAL file(s) added, 1 removed", no, pages );
    }
}

void stats()
{
    name_thread( "stats" );
    rng_t r( 77 );
    int last = 0;
    auto next = Clock::now() + 250ms;
    while( !g_stop_bg )
    {
        std::this_thread::sleep_until( next );
        next += 250ms;
        ZoneScopedN( "Stats::Collect" );
        busy_for( r.uni( 120, 260 ) );
        const int e = g_executed.load();
        TracyPlot( "queries/s", (int64_t)( ( e - last ) * 4 ) );
        last = e;
        const int h = g_pages_hit.exchange( 0 ), rd = g_pages_read.exchange( 0 );
        const double hit = h + rd > 0 ? 100.0 * h / ( h + rd ) : 100.0;
        TracyPlot( "buffer pool hit rate", hit );
        TracyPlot( "active connections", (int64_t)g_active_conns.load() );
    }
}

} // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: querydb missing_index|big_results|regress_a|regress_b\n" );
        return 2;
    }
    const std::string a = argv[1];
    uint32_t seed;
    if( a == "missing_index" ) { g_s = scen::missing_index; seed = 11; }
    else if( a == "big_results" ) { g_s = scen::big_results; seed = 23; }
    else if( a == "regress_a" ) { g_s = scen::regress_a; seed = 7; }
    else if( a == "regress_b" ) { g_s = scen::regress_b; seed = 7; }
    else
    {
        fprintf( stderr, "unknown scenario %s\n", a.c_str() );
        return 2;
    }
    name_thread( "main" );
    log_msg( "querydb 2.3.1 starting, scenario %s, 4 query workers, shared_buffers=512MB", a.c_str() );

    // arrival schedule: ~230 statements/s for 5 s
    rng_t r( seed );
    std::vector<query> sched;
    double t = 0.0;
    const double rate = 230.0;
    int id = 1;
    while( t < 5.0 )
    {
        t += -std::log( 1.0 - r.uni( 0.0, 0.999999 ) ) / rate;
        sched.push_back( make_query( id++, t, r, g_s == scen::big_results ) );
    }

    {
        ZoneScopedN( "Server::Startup" );
        {
            ZoneScopedN( "Catalog::Load" );
            busy_for( 40000 );
        }
        {
            ZoneScopedN( "Wal::Recover" );
            busy_for( 60000 );
        }
        log_msg( "database system is ready to accept connections (port 5433)" );
    }

    std::thread wal( wal_writer ), ckpt( checkpointer ), st( stats );
    std::vector<std::thread> ws;
    for( int i = 0; i < 4; i++ ) ws.emplace_back( worker, i );
    const auto t0 = Clock::now() + 20ms;
    std::thread lis( listener, std::cref( sched ), t0, seed );
    lis.join();
    {
        std::lock_guard<std::mutex> lk( g_qm );
        g_done = true;
    }
    g_qcv.notify_all();
    for( auto& w : ws ) w.join();
    log_msg( "shutdown requested: %d statements executed", g_executed.load() );
    g_stop_bg = true;
    wal.join();
    ckpt.join();
    st.join();
    {
        ZoneScopedN( "Server::Shutdown" );
        busy_for( 30000 );
    }
    log_msg( "database system is shut down" );
    return 0;
}
