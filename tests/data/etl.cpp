// etl: a small batch data-processing tool (log indexer / ETL job) instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project). It is a batch job, not a frame loop: no base FrameMark.
// Each scenario plants ONE problem plus innocent distractors.
//
// Usage: etl <scenario>
//   batch_hotspot  read -> parse -> transform -> dedupe -> write over 48 chunks; dedupe_records compares each new
//                  chunk against every record seen so far, so it grows linearly per chunk (quadratic overall)
//   backlog        ingest pushes an item every 4 ms; 3 workers need ~13.6 ms per item (enrich_item ~11.5 ms):
//                  the queue and the per-item latency grow for the whole run. Named frame set "batch" only.
//   phases         load / index / compact / write, FrameMarkNamed("phase") + messages at the boundaries; compact
//                  takes SegmentIndex::mutex (a FIFO mutex) once per entry from 2 threads: ~15k short holds
//   recursion      recursive tree walk (visit_node, depth 12-20); the vendor/ subtree is deep and every node in it
//                  re-resolves its path (resolve_symlink, cost grows with depth)
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

void busy_for( double us, double tail_us = 250.0 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > tail_us + 150.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

// waiting on "disk" / "network": a pure sleep
void io_wait_us( double us ) { std::this_thread::sleep_for( std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) ) ); }

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.05 )
    {
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
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

void job_start( const char* what )
{
    tracy::SetThreadName( "etl" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    char info[160];
    const int n = snprintf( info, sizeof( info ), "etl 2.4.1 job=%s host=batch-07", what );
    TracyAppInfo( info, n );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );
}

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_TIMERSLACK, 1UL );
}

// =============================================================================================================
// 1. batch_hotspot
// =============================================================================================================

namespace hot
{

constexpr int kChunks = 48;
constexpr int kRecordsPerChunk = 5000;

struct chunk_q
{
    std::mutex m;
    std::condition_variable cv;
    std::deque<int> q;
    bool done = false;
};

void read_chunk( int i, rng_t& r )
{
    ZoneScoped;
    ZoneValue( (uint64_t)i );
    io_wait_us( r( 33000 ) );   // waiting on the object store
    busy_for( r( 1500 ) );      // checksum
}

void reader_thread( chunk_q& cq )
{
    name_thread( "io-reader" );
    rng_t r( 11 );
    for( int i = 0; i < kChunks; i++ )
    {
        read_chunk( i, r );
        std::unique_lock<std::mutex> lk( cq.m );
        cq.cv.wait( lk, [&] { return cq.q.size() < 8; } );   // bounded prefetch (not zoned: idle)
        cq.q.push_back( i );
        cq.cv.notify_all();
    }
    std::lock_guard<std::mutex> lk( cq.m );
    cq.done = true;
    cq.cv.notify_all();
}

void metrics_thread( std::atomic<bool>& stop )
{
    name_thread( "metrics" );
    rng_t r( 12 );
    while( !stop.load() )
    {
        {
            ZoneScopedN( "Metrics.Flush" );
            busy_for( r( 900 ) );
        }
        std::this_thread::sleep_for( 100ms );
    }
}

void parse_records( rng_t& r )
{
    ZoneScoped;
    busy_for( r( 10000 ) );
}

void normalize_fields( rng_t& r )
{
    ZoneScopedN( "etl::transform<normalize>" );
    busy_for( r( 5200 ) );
}

void enrich_geo( rng_t& r )
{
    ZoneScopedN( "etl::transform<geoip>" );
    busy_for( r( 2000 ) );
}

void hash_keys( rng_t& r )
{
    ZoneScoped;
    busy_for( r( 900 ) );
}

// compares the new chunk's records against every record kept so far: O(seen) per chunk
void dedupe_records( int chunk, size_t seen, rng_t& r )
{
    ZoneScoped;
    ZoneValue( (uint64_t)seen );
    hash_keys( r );
    busy_for( r( 300 + 1.9 * chunk * 1000.0, 0.03 ) );
}

void write_output( rng_t& r )
{
    ZoneScoped;
    busy_for( r( 2000 ) );
    io_wait_us( r( 2800 ) );
}

void run()
{
    job_start( "nightly-dedupe shard=17" );
    rng_t r( 1 );
    chunk_q cq;
    std::atomic<bool> stop{ false };
    std::thread met( metrics_thread, std::ref( stop ) );
    log_msg( "job: 48 input chunks x %d records from s3://logs/2024-11-28/shard-17", kRecordsPerChunk );
    std::thread rd( reader_thread, std::ref( cq ) );
    {
        ZoneScopedN( "Job.Run" );
        {
            ZoneScopedN( "Job.LoadManifest" );
            io_wait_us( r( 120000 ) );
        }
        {
            ZoneScopedN( "Job.ResolveSchema" );
            busy_for( r( 60000 ) );
        }
        size_t seen = 0;
        for( ;; )
        {
            int idx;
            {
                ZoneScopedN( "Pipeline.AwaitChunk" );
                std::unique_lock<std::mutex> lk( cq.m );
                cq.cv.wait( lk, [&] { return !cq.q.empty() || cq.done; } );
                if( cq.q.empty() ) break;
                idx = cq.q.front();
                cq.q.pop_front();
                cq.cv.notify_all();
            }
            ZoneScopedN( "Pipeline.Chunk" );
            ZoneValue( (uint64_t)idx );
            parse_records( r );
            normalize_fields( r );
            enrich_geo( r );
            dedupe_records( idx, seen, r );
            seen += kRecordsPerChunk;
            write_output( r );
            if( idx % 12 == 11 ) log_msg( "job: %d/%d chunks done, %zu records kept", idx + 1, kChunks, seen );
        }
        {
            ZoneScopedN( "Job.Finalize" );
            io_wait_us( r( 45000 ) );
        }
    }
    rd.join();
    stop = true;
    met.join();
    log_msg( "job: finished, 240000 records written to warehouse.events_dedup" );
}

}  // namespace hot

// =============================================================================================================
// 2. backlog
// =============================================================================================================

namespace backlog
{

constexpr int kBatches = 72;
constexpr int kPerBatch = 25;
constexpr double kArrivalUs = 4000.0;
const char* const kBatchFrame = "batch";

struct item_t
{
    int id;
    Clock::time_point enq;
};

struct work_q
{
    std::mutex m;
    std::condition_variable cv;
    std::deque<item_t> q;
    bool done = false;
};

std::mutex g_lat_m;

void ingest_thread( work_q& wq )
{
    name_thread( "ingest" );
    rng_t r( 21 );
    const auto t0 = Clock::now();
    int id = 0;
    for( int b = 0; b < kBatches; b++ )
    {
        FrameMarkNamed( kBatchFrame );
        {
            ZoneScopedN( "Ingest.ReadBatch" );
            ZoneValue( (uint64_t)b );
            busy_for( r( 2500 ) );
        }
        for( int k = 0; k < kPerBatch; k++, id++ )
        {
            std::this_thread::sleep_until( t0 + std::chrono::nanoseconds( (int64_t)( id * kArrivalUs * 1000.0 ) ) );
            std::lock_guard<std::mutex> lk( wq.m );
            wq.q.push_back( { id, Clock::now() } );
            TracyPlot( "queue_depth", (int64_t)wq.q.size() );
            wq.cv.notify_one();
        }
        if( b % 12 == 11 ) log_msg( "ingest: %d items accepted", id );
    }
    FrameMarkNamed( kBatchFrame );
    std::lock_guard<std::mutex> lk( wq.m );
    wq.done = true;
    wq.cv.notify_all();
}

void decode_item( rng_t& r )
{
    ZoneScoped;
    busy_for( r( 1500 ) );
}

void enrich_item( rng_t& r )
{
    ZoneScoped;
    io_wait_us( r( 3500 ) );   // profile service round trip
    busy_for( r( 8000 ) );     // join + scoring
}

void store_item( rng_t& r )
{
    ZoneScoped;
    busy_for( r( 600 ) );
}

void worker_thread( work_q& wq, int w )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "worker-%d", w );
    name_thread( nm );
    rng_t r( 30 + w );
    for( ;; )
    {
        item_t it;
        {
            std::unique_lock<std::mutex> lk( wq.m );
            wq.cv.wait( lk, [&] { return !wq.q.empty() || wq.done; } );
            if( wq.q.empty() ) break;
            it = wq.q.front();
            wq.q.pop_front();
            TracyPlot( "queue_depth", (int64_t)wq.q.size() );
        }
        {
            ZoneScopedN( "process_item" );
            ZoneValue( (uint64_t)it.id );
            decode_item( r );
            enrich_item( r );
            store_item( r );
        }
        const double lat = std::chrono::duration<double, std::milli>( Clock::now() - it.enq ).count();
        std::lock_guard<std::mutex> lk( g_lat_m );
        TracyPlot( "item_latency_ms", lat );
    }
}

void checkpoint_thread( std::atomic<bool>& stop )
{
    name_thread( "checkpointer" );
    rng_t r( 40 );
    auto next = Clock::now() + 1000ms;
    while( !stop.load() )
    {
        std::this_thread::sleep_for( 5ms );
        if( Clock::now() < next ) continue;
        next += 1000ms;
        ZoneScopedN( "Store.Checkpoint" );
        busy_for( r( 3000 ) );
        io_wait_us( r( 70000 ) );   // fsync
    }
}

void run()
{
    job_start( "stream-enrich" );
    log_msg( "pipeline: 3 enrich workers, input rate 250 items/s (one every 4 ms), batches of 25" );
    work_q wq;
    std::atomic<bool> stop{ false };
    std::thread cp( checkpoint_thread, std::ref( stop ) );
    std::vector<std::thread> ws;
    for( int w = 0; w < 3; w++ ) ws.emplace_back( worker_thread, std::ref( wq ), w );
    std::thread in( ingest_thread, std::ref( wq ) );
    in.join();
    log_msg( "ingest: input exhausted, draining queue" );
    for( auto& t : ws ) t.join();
    stop = true;
    cp.join();
    log_msg( "pipeline: all 1800 items processed" );
}

}  // namespace backlog

// =============================================================================================================
// 3. phases
// =============================================================================================================

namespace phases
{

const char* const kPhaseFrame = "phase";
constexpr int kSegments = 12;
constexpr int kEntriesPerSegment = 640;

// a FIFO (ticket) mutex: waiters sleep on a condition variable and are served strictly in arrival order, so two
// busy threads alternate on it and every contended acquisition is a hand-off to a sleeping thread
class fair_mutex
{
    std::mutex m_m;
    std::condition_variable m_cv;
    uint64_t m_next = 0, m_serving = 0;

public:
    void lock()
    {
        std::unique_lock<std::mutex> lk( m_m );
        const uint64_t my = m_next++;
        m_cv.wait( lk, [&] { return m_serving == my; } );
    }
    bool try_lock()
    {
        std::lock_guard<std::mutex> lk( m_m );
        if( m_serving != m_next ) return false;
        m_next++;
        return true;
    }
    void unlock()
    {
        {
            std::lock_guard<std::mutex> lk( m_m );
            m_serving++;
        }
        m_cv.notify_all();
    }
};

TracyLockableN( fair_mutex, g_seg_index, "SegmentIndex::mutex" );
TracyLockableN( std::mutex, g_manifest, "Manifest::mutex" );
TracyLockableN( std::mutex, g_stats, "CompactStats::mutex" );

void phase_mark( int k, const char* what )
{
    FrameMarkNamed( kPhaseFrame );
    log_msg( "phase %d/4: %s", k, what );
}

void read_segment( int s, rng_t& r )
{
    ZoneScoped;
    ZoneValue( (uint64_t)s );
    io_wait_us( r( 11000 ) );
    busy_for( r( 1200 ) );
}

void index_shard( int shard )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "indexer-%d", shard );
    name_thread( nm );
    rng_t r( 50 + shard );
    ZoneScopedN( "Indexer.BuildPostings" );
    ZoneValue( (uint64_t)shard );
    for( int s = 0; s < 6; s++ )
    {
        ZoneScopedN( "Indexer.TokenizeSegment" );
        busy_for( r( 24000 ) );
    }
}

void compact_segment( int seg, rng_t& r, uint64_t& merged )
{
    ZoneScoped;
    ZoneValue( (uint64_t)seg );
    for( int e = 0; e < kEntriesPerSegment; e++ )
    {
        busy_for( 3.0 );   // decode the entry
        std::lock_guard<LockableBase( fair_mutex )> lk( g_seg_index );
        io_wait_us( r( 40.0, 0.1 ) );   // update the entry's slot in the shared index (page-in)
        merged++;
    }
    std::lock_guard<LockableBase( std::mutex )> lk( g_stats );
    busy_for( 20.0 );
}

void compactor( int c )
{
    char nm[32];
    snprintf( nm, sizeof( nm ), "compactor-%d", c );
    name_thread( nm );
    rng_t r( 60 + c );
    uint64_t merged = 0;
    for( int s = c; s < kSegments * 2; s += 2 ) compact_segment( s, r, merged );
    log_msg( "compactor-%d: merged %llu entries", c, (unsigned long long)merged );
}

void run()
{
    job_start( "segment-compaction" );
    rng_t r( 2 );
    {
        ZoneScopedN( "Job.Run" );
        phase_mark( 1, "load" );
        {
            ZoneScopedN( "Phase.Load" );
            for( int s = 0; s < kSegments; s++ ) read_segment( s, r );
        }
        phase_mark( 2, "index" );
        {
            ZoneScopedN( "Phase.Index" );
            std::thread a( index_shard, 0 ), b( index_shard, 1 );
            {
                ZoneScopedN( "Indexer.MergeDictionaries" );
                busy_for( r( 12000 ) );
            }
            a.join();
            b.join();
        }
        phase_mark( 3, "compact" );
        {
            ZoneScopedN( "Phase.Compact" );
            log_msg( "compact: 24 segments, %d entries, 2 compactor threads", 24 * kEntriesPerSegment );
            std::thread a( compactor, 0 ), b( compactor, 1 );
            a.join();
            b.join();
        }
        phase_mark( 4, "write" );
        {
            ZoneScopedN( "Phase.Write" );
            for( int s = 0; s < 4; s++ )
            {
                ZoneScopedN( "Writer.FlushSegment" );
                busy_for( r( 8000 ) );
                io_wait_us( r( 20000 ) );
            }
            {
                ZoneScopedN( "Manifest.Commit" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_manifest );
                io_wait_us( r( 38000 ) );   // long hold, but only this thread ever takes it
            }
        }
        FrameMarkNamed( kPhaseFrame );
    }
    log_msg( "job: compaction finished" );
}

}  // namespace phases

// =============================================================================================================
// 4. recursion
// =============================================================================================================

namespace rec
{

struct node_t
{
    std::string name;
    bool symlinked = false;
    double self_us = 150.0;
    std::vector<std::unique_ptr<node_t>> kids;
};

// fanout levels of branching, then every leaf continues as a chain of `chain` nodes
std::unique_ptr<node_t> make_tree( const std::string& name, int fanout, int levels, int chain, bool sym, int depth = 0 )
{
    auto n = std::make_unique<node_t>();
    n->name = name;
    n->symlinked = sym;
    if( depth < levels )
    {
        for( int i = 0; i < fanout; i++ )
        {
            char b[16];
            snprintf( b, sizeof( b ), "%c%d", 'a' + depth % 26, i );
            n->kids.push_back( make_tree( b, fanout, levels, chain, sym, depth + 1 ) );
        }
    }
    else if( chain > 0 )
    {
        char b[16];
        snprintf( b, sizeof( b ), "d%d", depth + 1 );
        n->kids.push_back( make_tree( b, fanout, depth + 1 + 0, chain - 1, sym, depth + 1 ) );
    }
    return n;
}

void check_rules( rng_t& r )
{
    ZoneScopedN( "Rules.Check" );
    busy_for( r( 25 ) );
}

// every symlinked node re-resolves its path component by component from the root
void resolve_symlink( int depth, rng_t& r )
{
    ZoneScoped;
    ZoneValue( (uint64_t)depth );
    busy_for( r( 110.0 * depth ) );
}

void visit_node( const node_t& n, int depth, rng_t& r )
{
    ZoneScoped;
    ZoneText( n.name.c_str(), n.name.size() );
    if( n.symlinked ) resolve_symlink( depth, r );
    busy_for( r( n.self_us ) );
    check_rules( r );
    for( auto& k : n.kids ) visit_node( *k, depth + 1, r );
}

int count( const node_t& n ) { int c = 1; for( auto& k : n.kids ) c += count( *k ); return c; }

void run()
{
    job_start( "repo-index" );
    rng_t r( 3 );
    node_t root;
    root.name = "/";
    // normal subtrees: 3-way fanout for 4 levels, then chains: depth 12 below the root
    const char* normal[] = { "apps", "libs", "docs", "tools", "tests" };
    for( const char* nm : normal )
    {
        auto t = make_tree( nm, 3, 3, 8, false );
        root.kids.push_back( std::move( t ) );
    }
    // tests/: wider (more nodes than anything else) but cheap per node
    root.kids[4] = make_tree( "tests", 4, 4, 2, false );
    // docs/: one huge file: the single slowest node of the walk
    {
        node_t* d = root.kids[2].get();
        auto big = std::make_unique<node_t>();
        big->name = "manual.pdf";
        big->self_us = 85000.0;
        d->kids.push_back( std::move( big ) );
    }
    // vendor/: symlinked packages, 2-way fanout for 5 levels then chains: depth 20 below the root
    root.kids.push_back( make_tree( "vendor", 2, 5, 14, true ) );
    log_msg( "index: walking %zu top-level directories, %d nodes", root.kids.size(), count( root ) - 1 );
    {
        ZoneScopedN( "Walk.Run" );
        {
            ZoneScopedN( "Index.LoadSnapshot" );
            io_wait_us( r( 90000 ) );
        }
        visit_node( root, 0, r );
        {
            ZoneScopedN( "Index.Save" );
            busy_for( r( 20000 ) );
            io_wait_us( r( 110000 ) );
        }
    }
    log_msg( "index: walk finished, %d nodes", count( root ) );
}

}  // namespace rec

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    if( s == "batch_hotspot" ) hot::run();
    else if( s == "backlog" ) backlog::run();
    else if( s == "phases" ) phases::run();
    else if( s == "recursion" ) rec::run();
    else
    {
        fprintf( stderr, "usage: etl batch_hotspot|backlog|phases|recursion\n" );
        return 2;
    }
    printf( "etl %s: done\n", s.c_str() );
    return 0;
}
