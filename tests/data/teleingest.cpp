// teleingest: a telemetry/log ingester instrumented with Tracy (benchmark data for profiler-analysis tools; not part
// of any project). Two producer threads ("ingest-0", "ingest-1") receive batches of telemetry records from UDP
// (live mode, paced) or from a replay file (replay mode, as fast as possible): Ingest::ReadBatch > Net::Recv or
// File::Read, then Msg::Create per record (allocates the message, default pool; Schema::Resolve on a schema-cache
// miss) and Queue::Push (the whole batch under MsgQueue::mutex, a bounded queue: a record that does not fit is
// dropped). Three consumer threads ("sink-0", "sink-1", "sink-2") pop one message at a time under MsgQueue::mutex
// and write it out in Sink::Write, which frees the message (on a different thread than the one that allocated it);
// every 64 messages a sink fsyncs its segment in Sink::Flush. A housekeeping thread runs a 10 Hz tick
// (FrameMarkNamed "Housekeeping"): Stats::Flush (Stats::mutex, also taken briefly by the sinks every 32 messages),
// Index::Compact (big, steady) and the plots "ingest msgs/s", "queue depth", "dropped_total", "live messages".
//
// Usage: teleingest <scenario>
//   dropped_leak  live mode, 1600 msgs/s with three 120 ms spikes to 5000 msgs/s; queue capacity 64. When the queue
//                 is full Queue::Push drops the record without freeing it (bug): a leak of a few % of the messages,
//                 allocated in Msg::Create on the ingest threads, only during the spikes.
//   backlog       live mode, 1600 msgs/s with a 1.5 s burst to 2600 msgs/s; queue capacity 8192 (never full).
//                 sink-2 writes to a slow archive disk (Sink::Write ~4 ms instead of ~0.8 ms), so during the burst the
//                 consumers fall behind: the queue and the live memory grow, then drain after the burst. No leak.
//   regress a|b   replay mode (as fast as possible) for 4 s. In b Sink::Write runs while still holding
//                 MsgQueue::mutex, so the sinks serialise and the producers wait for the lock in Queue::Push:
//                 throughput falls. b also has a slower Index::Compact (housekeeping, off the data path).
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

volatile double g_sink_val = 0.0;

// wall-clock work: sleep most of it, spin the tail (predictable durations on a loaded machine)
void work_for( double us, double tail_us = 30.0 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > tail_us + 120.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink_val = g_sink_val + x;
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
};

void log_info( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void log_info( const char* fmt, ... )
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

// ---- config ------------------------------------------------------------------------------------------------

enum class scen { dropped_leak, backlog, regress_a, regress_b };
scen g_s;
bool g_replay = false;
size_t g_queue_cap = 8192;
double g_run_s = 6.0;
int g_batch = 16;
double g_write_us[3] = { 800, 800, 800 };
double g_compact_us = 12000;
bool g_write_under_lock = false;

// offered rate (msgs/s, both producers together) at time t seconds since start (live mode)
double offered_rate( double t )
{
    if( g_s == scen::dropped_leak )
    {
        for( double s : { 1.2, 2.7, 4.2 } )
            if( t >= s && t < s + 0.12 ) return 5000;
        return 1600;
    }
    if( g_s == scen::backlog )
    {
        if( t >= 1.5 && t < 3.0 ) return 2600;
        return 1600;
    }
    return 0;
}

// ---- message & queue ---------------------------------------------------------------------------------------

struct msg
{
    uint64_t seq;
    uint32_t schema;
    uint32_t size;
    int producer;
    Clock::time_point created;
};

TracyLockableN( std::mutex, g_qmutex, "MsgQueue::mutex" );
TracyLockableN( std::mutex, g_stats_mutex, "Stats::mutex" );
std::condition_variable_any g_qcv;
std::deque<msg*> g_queue;
bool g_producers_done = false;

std::atomic<bool> g_stop{ false };
std::atomic<int64_t> g_accepted{ 0 };
std::atomic<int64_t> g_dropped{ 0 };
std::atomic<int64_t> g_written{ 0 };
std::atomic<int64_t> g_live{ 0 };
std::atomic<int64_t> g_live_bytes{ 0 };
Clock::time_point g_t0;

// stats (Stats::mutex)
int64_t g_stat_bytes = 0;
int64_t g_stat_msgs = 0;

// schema cache: filled on first use of each schema id (bounded: 48 schemas), never freed (lives for the process)
std::mutex g_schema_m;
void* g_schema_cache[48] = {};

double secs_since_start() { return std::chrono::duration<double>( Clock::now() - g_t0 ).count(); }

__attribute__( ( noinline ) ) void schema_resolve( uint32_t id, rng_t& r )
{
    {
        std::lock_guard<std::mutex> lk( g_schema_m );
        if( g_schema_cache[id] ) return;
    }
    ZoneScopedN( "Schema::Resolve" );
    ZoneValue( id );
    void* e = mem_alloc( 6144 );
    work_for( r( 400 ) );   // fetch + compile the schema from the registry
    std::lock_guard<std::mutex> lk( g_schema_m );
    if( g_schema_cache[id] ) mem_free( e );
    else g_schema_cache[id] = e;
}

__attribute__( ( noinline ) ) msg* msg_create( uint64_t seq, int producer, rng_t& r )
{
    ZoneScopedN( "Msg::Create" );
    const uint32_t schema = (uint32_t)std::min( 47, (int)std::abs( std::normal_distribution<double>( 0, 14 )( r.g ) ) );
    schema_resolve( schema, r );
    const uint32_t size = 256 + 64 * (uint32_t)r.irange( 0, 28 );   // 256 .. 2048 bytes
    msg* m = (msg*)mem_alloc( size );
    m->seq = seq;
    m->schema = schema;
    m->size = size;
    m->producer = producer;
    m->created = Clock::now();
    g_live++;
    g_live_bytes += size;
    work_for( r( g_replay ? 45 : 25 ) );   // decode the datagram, fill in the header
    return m;
}

// pushes the batch under MsgQueue::mutex; returns the number accepted
__attribute__( ( noinline ) ) int queue_push( std::vector<msg*>& batch, int producer )
{
    ZoneScopedN( "Queue::Push" );
    int accepted = 0, dropped = 0;
    size_t depth;
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_qmutex );
        for( msg* m : batch )
        {
            if( g_queue.size() >= g_queue_cap )
            {
                // queue full: drop the record (BUG: the message is not freed)
                dropped++;
                continue;
            }
            g_queue.push_back( m );
            accepted++;
        }
        depth = g_queue.size();
    }
    if( accepted ) g_qcv.notify_all();
    g_accepted += accepted;
    if( dropped )
    {
        const int64_t tot = ( g_dropped += dropped );
        // bytes of the dropped messages are still live: only the counters change
        (void)tot;
        log_warn( "ingest-%d: queue full (%zu/%zu), dropped %d of %zu records (seq %llu..)", producer, depth, g_queue_cap,
                  dropped, batch.size(), (unsigned long long)batch.back()->seq );
    }
    batch.clear();
    return accepted;
}

void producer_loop( int id )
{
    char name[16];
    snprintf( name, sizeof( name ), "ingest-%d", id );
    name_thread( name );
    rng_t r( 11 + id + ( g_s == scen::regress_b ? 100 : 0 ) );
    std::vector<msg*> batch;
    batch.reserve( 64 );
    uint64_t seq = (uint64_t)id << 40;
    uint64_t batch_no = 0;
    auto next = g_t0 + std::chrono::microseconds( 3000 * id );
    while( true )
    {
        const double t = secs_since_start();
        if( t >= g_run_s ) break;
        {
            ZoneScopedN( "Ingest::ReadBatch" );
            char txt[64];
            const int n = g_replay ? snprintf( txt, sizeof( txt ), "replay:/data/telemetry-2024-06-11.bin batch #%llu", (unsigned long long)batch_no )
                                   : snprintf( txt, sizeof( txt ), "udp:5140 batch #%llu", (unsigned long long)batch_no );
            ZoneText( txt, (size_t)n );
            ZoneValue( (uint64_t)g_batch );
            void* rxbuf = mem_alloc( 65536 );   // datagram receive buffer (churn, freed below)
            if( g_replay )
            {
                ZoneScopedN( "File::Read" );
                work_for( r( 14000 ) );
            }
            else
            {
                ZoneScopedN( "Net::Recv" );   // waiting for the next batch of datagrams
                const double rate = offered_rate( t ) / 2.0;
                next += std::chrono::nanoseconds( (int64_t)( 1e9 * g_batch / rate ) );
                std::this_thread::sleep_until( next );
                work_for( 20 );
            }
            for( int i = 0; i < g_batch; i++ ) batch.push_back( msg_create( seq++, id, r ) );
            mem_free( rxbuf );
        }
        queue_push( batch, id );
        batch_no++;
    }
}

// ---- sinks -------------------------------------------------------------------------------------------------

const char* const kSinkPaths[3] = { "/var/lib/teleingest/segments/a", "/var/lib/teleingest/segments/b", "/mnt/archive/teleingest" };

__attribute__( ( noinline ) ) void sink_write( msg* m, int id, rng_t& r )
{
    ZoneScopedN( "Sink::Write" );
    work_for( r( g_write_us[id] * ( 0.8 + 0.4 * m->size / 2048.0 ) ) );
    g_live--;
    g_live_bytes -= m->size;
    mem_free( m );
}

__attribute__( ( noinline ) ) void sink_flush( int id, uint64_t seg, rng_t& r )
{
    ZoneScopedN( "Sink::Flush" );
    char txt[96];
    const int n = snprintf( txt, sizeof( txt ), "fsync %s/seg-%06llu.log", kSinkPaths[id], (unsigned long long)seg );
    ZoneText( txt, (size_t)n );
    void* idx = mem_alloc( 32768 );   // segment index block (churn, freed below)
    work_for( r( 2000 ) );
    mem_free( idx );
}

__attribute__( ( noinline ) ) void stats_record( int64_t msgs, int64_t bytes )
{
    ZoneScopedN( "Stats::Record" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_stats_mutex );
    g_stat_msgs += msgs;
    g_stat_bytes += bytes;
    work_for( 4 );
}

void sink_loop( int id )
{
    char name[16];
    snprintf( name, sizeof( name ), "sink-%d", id );
    name_thread( name );
    rng_t r( 51 + id + ( g_s == scen::regress_b ? 100 : 0 ) );
    uint64_t n = 0, seg = 1000 * (uint64_t)id;
    int64_t pend_msgs = 0, pend_bytes = 0;
    while( true )
    {
        msg* m = nullptr;
        {
            std::unique_lock<LockableBase( std::mutex )> lk( g_qmutex );
            g_qcv.wait( lk, [] { return g_producers_done || !g_queue.empty(); } );   // idle: not zoned
            if( g_queue.empty() ) break;
            m = g_queue.front();
            g_queue.pop_front();
            if( ( n & 15 ) == 0 ) TracyPlot( "queue depth", (int64_t)g_queue.size() );
            if( g_write_under_lock )
            {
                pend_bytes += m->size;
                sink_write( m, id, r );   // b: the write happens while MsgQueue::mutex is still held
            }
        }
        if( !g_write_under_lock )
        {
            pend_bytes += m->size;
            sink_write( m, id, r );
        }
        g_written++;
        n++;
        pend_msgs++;
        if( ( n & 31 ) == 0 )
        {
            stats_record( pend_msgs, pend_bytes );
            pend_msgs = pend_bytes = 0;
        }
        if( ( n & 63 ) == 0 ) sink_flush( id, seg++, r );
    }
    sink_flush( id, seg++, r );
}

// ---- housekeeping ------------------------------------------------------------------------------------------

void housekeeping_loop()
{
    name_thread( "housekeeping" );
    rng_t r( 7 + ( g_s == scen::regress_b ? 100 : 0 ) );
    auto next = g_t0 + 100ms;
    int64_t last_acc = 0;
    uint64_t tick = 0;
    while( !g_stop.load() )
    {
        std::this_thread::sleep_until( next );
        next += 100ms;
        {
            ZoneScopedN( "Housekeeping::Tick" );
            {
                ZoneScopedN( "Stats::Flush" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_stats_mutex );
                work_for( r( 60 ) );
            }
            const int64_t acc = g_accepted.load();
            TracyPlot( "ingest msgs/s", (double)( acc - last_acc ) * 10.0 );
            last_acc = acc;
            TracyPlot( "dropped_total", (int64_t)g_dropped.load() );
            TracyPlot( "live messages", (int64_t)g_live.load() );
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_qmutex );
                TracyPlot( "queue depth", (int64_t)g_queue.size() );
            }
            {
                ZoneScopedN( "Index::Compact" );   // merges the time index of written segments: big, steady
                work_for( r( g_compact_us ), 200 );
            }
            if( tick % 10 == 9 )
            {
                ZoneScopedN( "Metrics::Export" );
                work_for( r( 1500 ) );
                log_info( "stats: accepted %lld, written %lld, dropped %lld, in queue/in flight %lld",
                          (long long)acc, (long long)g_written.load(), (long long)g_dropped.load(), (long long)g_live.load() );
            }
        }
        FrameMarkNamed( "Housekeeping" );
        tick++;
    }
}

} // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: %s dropped_leak|backlog|regress a|b\n", argv[0] );
        return 1;
    }
    const std::string s = argv[1];
    if( s == "dropped_leak" ) g_s = scen::dropped_leak;
    else if( s == "backlog" ) g_s = scen::backlog;
    else if( s == "regress" && argc > 2 && std::string( argv[2] ) == "a" ) g_s = scen::regress_a;
    else if( s == "regress" && argc > 2 && std::string( argv[2] ) == "b" ) g_s = scen::regress_b;
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 1;
    }
    prctl( PR_SET_TIMERSLACK, 1UL );

    switch( g_s )
    {
    case scen::dropped_leak:
        g_queue_cap = 64;
        g_run_s = 6.0;
        for( double& w : g_write_us ) w = 600;
        break;
    case scen::backlog:
        g_queue_cap = 8192;
        g_run_s = 6.0;
        g_write_us[2] = 4000;   // sink-2: archive volume on a slow disk
        break;
    case scen::regress_a:
    case scen::regress_b:
        g_replay = true;
        g_queue_cap = 8192;
        g_run_s = 4.0;
        g_batch = 24;
        for( double& w : g_write_us ) w = 600;
        if( g_s == scen::regress_b )
        {
            g_write_under_lock = true;
            g_compact_us = 20000;
        }
        break;
    }

    std::this_thread::sleep_for( 200ms );   // let the profiler connect
    {
        ZoneScopedN( "App::Init" );
        {
            ZoneScopedN( "Config::Load" );
            work_for( 3000 );
        }
        {
            ZoneScopedN( "Sink::OpenSegments" );
            work_for( 6000 );
        }
        log_info( "teleingest 2.4.1: %s mode, 2 ingest threads, 3 sinks, queue capacity %zu, batch %d",
                  g_replay ? "replay" : "live (udp:5140)", g_queue_cap, g_batch );
        log_info( "sinks: sink-0 -> %s, sink-1 -> %s, sink-2 -> %s", kSinkPaths[0], kSinkPaths[1], kSinkPaths[2] );
    }
    g_t0 = Clock::now();
    std::thread hk( housekeeping_loop );
    std::vector<std::thread> sinks, prods;
    for( int i = 0; i < 3; i++ ) sinks.emplace_back( sink_loop, i );
    for( int i = 0; i < 2; i++ ) prods.emplace_back( producer_loop, i );
    for( auto& t : prods ) t.join();
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_qmutex );
        g_producers_done = true;
    }
    g_qcv.notify_all();
    for( auto& t : sinks ) t.join();
    log_info( "shutdown: accepted %lld, written %lld, dropped %lld", (long long)g_accepted.load(), (long long)g_written.load(),
              (long long)g_dropped.load() );
    std::this_thread::sleep_for( 250ms );
    g_stop = true;
    hk.join();
    return 0;
}
