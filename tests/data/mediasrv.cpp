// mediasrv: a small live-stream processing server instrumented with Tracy (benchmark data for profiler-analysis
// tools; not part of any project). A main "tick" loop paces the pipeline at 50 Hz (FrameMark per tick, plus a
// named frame set "gop" every 25 ticks); an ingest thread parses incoming packets, a pool of 8 encoder workers
// encodes slices, a disk writer persists chunks, a network sender ships packets. Each scenario plants ONE problem.
//
// Usage: mediasrv <scenario> [variant]
//   stutter     ~6 ticks stall: publish_manifest waits for manifest_lock while segment_flusher holds it ~50-60 ms
//   contention  stream_table_lock (shared_mutex): 8 encoder readers pile up behind control_plane's long writes;
//               stats_lock is busy but never contended
//   leak        net_sender leaks 1536 B retransmit records in pool "conn_pool"; bigger churn and a freed spike
//   regress a|b b: mux_packets 3x slower, color_convert 2x faster, build_playlist renamed render_playlist,
//               checksum_block split in 2x calls of half size
//   imbalance   streams hashed to encoder workers by stream_id % 8; workers 3 and 6 get 70% of the slices
//   churn       ingest thread allocates ~2000 tiny packet descriptors per tick and frees them at once
//   creep       expire_sessions scans the whole session list every tick; the list grows, tick time grows
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
std::atomic<bool> g_stop{ false };

// Wall-clock work: sleep until `tail_us` before the deadline, then spin to it. The 8 encoder workers start their
// slices together, so they use a short tail: 8 threads spinning at once on a 2-core machine would stretch them.
void busy_for( double us, double tail_us = 250.0 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > tail_us + 150.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 32; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

void nap_us( double us ) { std::this_thread::sleep_for( std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) ) ); }

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

void* pool_alloc( size_t sz, const char* pool = nullptr )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 64 ) );
    if( pool ) TracyAllocN( p, sz, pool );
    else TracyAlloc( p, sz );
    return p;
}
void pool_free( void* p, const char* pool = nullptr )
{
    if( pool ) TracyFreeN( p, pool );
    else TracyFree( p );
    free( p );
}

// ---- tick pacing ---------------------------------------------------------------------------------------

struct ticker
{
    std::chrono::nanoseconds period;
    Clock::time_point next, last;
    explicit ticker( double hz ) : period( (int64_t)( 1e9 / hz ) ) { next = Clock::now() + period; last = Clock::now(); }
    // sleep to the next tick boundary (no zone: the server is idle); an overrun tick starts the next one at once
    void idle()
    {
        if( Clock::now() < next ) std::this_thread::sleep_until( next );
        const auto now = Clock::now();
        next = ( now > next + 2ms ) ? now + period : next + period;
    }
    double lap_ms()
    {
        const auto now = Clock::now();
        const double ms = std::chrono::duration<double, std::milli>( now - last ).count();
        last = now;
        return ms;
    }
};

// ---- server start-up -------------------------------------------------------------------------------------

void load_config( rng_t& r )
{
    ZoneScoped;
    nap_us( r( 60000 ) );
}

void open_codecs( rng_t& r )
{
    ZoneScoped;
    busy_for( r( 45000 ) );
}

void server_start( const char* build, rng_t& r )
{
    tracy::SetThreadName( "main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    char info[128];
    const int n = snprintf( info, sizeof( info ), "mediasrv %s (8 encoders, 50 Hz tick, origin edge-fra-2)", build );
    TracyAppInfo( info, n );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );
    {
        ZoneScopedN( "server_start" );
        load_config( r );
        open_codecs( r );
    }
    TracyMessageL( "mediasrv: listening on :1935 (rtmp) and :8443 (hls)" );
}

// ---- encoder pool ----------------------------------------------------------------------------------------

struct slice_job
{
    int stream;
    double us;
};

struct encoder_pool;
void encode_slice( encoder_pool* pool, int worker, const slice_job& job, rng_t& r );

struct encoder_pool
{
    std::mutex m;
    std::condition_variable cv, done_cv;
    std::vector<std::deque<slice_job>> queues;
    int pending = 0;
    bool quit = false;
    std::vector<std::thread> threads;
    // scenario hooks
    bool use_stream_table = false;
    explicit encoder_pool( int n ) : queues( n ) {}

    void start()
    {
        for( int i = 0; i < (int)queues.size(); i++ ) threads.emplace_back( [this, i] { run( i ); } );
    }
    void run( int idx )
    {
        char name[32];
        snprintf( name, sizeof( name ), "enc_worker_%d", idx );
        tracy::SetThreadName( name );
        rng_t r( 900 + idx );
        for( ;; )
        {
            slice_job job;
            {
                std::unique_lock<std::mutex> lk( m );
                cv.wait( lk, [&] { return quit || !queues[idx].empty(); } );
                if( queues[idx].empty() ) return;
                job = queues[idx].front();
                queues[idx].pop_front();
            }
            encode_slice( this, idx, job, r );
            {
                std::lock_guard<std::mutex> lk( m );
                pending--;
            }
            done_cv.notify_all();
        }
    }
    void submit( int worker, slice_job job )
    {
        std::lock_guard<std::mutex> lk( m );
        queues[worker].push_back( job );
        pending++;
    }
    void kick() { cv.notify_all(); }
    void wait_all()
    {
        ZoneScopedN( "wait_encoders" );
        std::unique_lock<std::mutex> lk( m );
        done_cv.wait( lk, [&] { return pending == 0; } );
    }
    void stop()
    {
        {
            std::lock_guard<std::mutex> lk( m );
            quit = true;
        }
        cv.notify_all();
        for( auto& t : threads ) t.join();
    }
};

// contention scenario: per-stream parameters, read by every slice, rewritten by the control plane
TracySharedLockableN( std::shared_mutex, g_stream_table, "stream_table_lock" );

void read_stream_params( rng_t& r )
{
    std::shared_lock<SharedLockableBase( std::shared_mutex )> lk( g_stream_table );
    ZoneScoped;
    busy_for( r( 120 ) );
}

void encode_slice( encoder_pool* pool, int, const slice_job& job, rng_t& r )
{
    ZoneScoped;
    char txt[32];
    const int n = snprintf( txt, sizeof( txt ), "stream %d", job.stream );
    ZoneText( txt, n );
    if( pool->use_stream_table ) read_stream_params( r );
    {
        ZoneScopedN( "motion_search" );
        busy_for( job.us * 0.6, 60.0 );
    }
    {
        ZoneScopedN( "entropy_code" );
        busy_for( job.us * 0.4, 60.0 );
    }
}

// ---- background threads (innocent unless a scenario says otherwise) --------------------------------------

void ingest_loop( int packets_per_batch )
{
    tracy::SetThreadName( "ingest" );
    rng_t r( 31 );
    auto next = Clock::now();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "read_packets" );
            ZoneValue( (uint64_t)packets_per_batch );
            busy_for( r( 300 ) );
        }
        next += 5ms;
        std::this_thread::sleep_until( next );
    }
}

void write_chunk( rng_t& r, int chunk )
{
    ZoneScoped;
    ZoneValue( (uint64_t)chunk );
    nap_us( r( 34000, 0.1 ) );  // fsync of a 6 MB chunk, off the tick thread
}

void disk_writer_loop()
{
    tracy::SetThreadName( "disk_writer" );
    rng_t r( 47 );
    int chunk = 0;
    while( !g_stop.load() )
    {
        write_chunk( r, chunk++ );
        for( int i = 0; i < 26 && !g_stop.load(); i++ ) std::this_thread::sleep_for( 10ms );
    }
}

void net_sender_loop()
{
    tracy::SetThreadName( "net_sender" );
    rng_t r( 59 );
    auto next = Clock::now();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "send_packets" );
            busy_for( r( 450 ) );
        }
        next += 10ms;
        std::this_thread::sleep_until( next );
    }
}

// ---- the tick ----------------------------------------------------------------------------------------------

TracyLockableN( std::mutex, g_manifest_lock, "manifest_lock" );

void poll_ingest( rng_t& r )
{
    ZoneScoped;
    busy_for( r( 450 ) );
}

void dispatch_encodes( encoder_pool& pool, rng_t& r, int tick, const std::vector<int>& streams, double slice_us )
{
    {
        ZoneScopedN( "dispatch_encodes" );
        for( size_t i = 0; i < streams.size(); i++ )
            pool.submit( streams[i] % (int)pool.queues.size(), { streams[i], r( slice_us ) } );
        busy_for( 40 );
        (void)tick;
    }
    pool.kick();
    pool.wait_all();
}

void mux_packets( rng_t& r, double us = 1500 )
{
    ZoneScoped;
    busy_for( r( us ) );
}

void publish_manifest( rng_t& r, int tick )
{
    ZoneScoped;
    std::lock_guard<LockableBase( std::mutex )> lk( g_manifest_lock );
    LockMark( g_manifest_lock );
    busy_for( r( 250 ) );
    if( tick % 25 == 0 ) ZoneValue( (uint64_t)( tick / 25 ) );
}

std::vector<int> default_streams()
{
    // 16 streams spread evenly: 2 per encoder worker
    std::vector<int> s;
    for( int i = 0; i < 16; i++ ) s.push_back( 100 + i );
    return s;
}

void end_tick( ticker& t, int tick, double queue_depth )
{
    t.idle();
    TracyPlot( "tick_ms", t.lap_ms() );
    TracyPlot( "ingest_queue_depth", queue_depth );
    FrameMark;
    if( tick % 25 == 24 ) FrameMarkNamed( "gop" );
}

struct side_threads
{
    std::thread ingest, disk, net;
    void start( bool with_net = true )
    {
        ingest = std::thread( ingest_loop, 24 );
        disk = std::thread( disk_writer_loop );
        if( with_net ) net = std::thread( net_sender_loop );
    }
    void join()
    {
        g_stop = true;
        ingest.join();
        disk.join();
        if( net.joinable() ) net.join();
    }
};

// =============================================================================================================
// stutter: manifest_lock held by segment_flusher for 50-60 ms at irregular times
// =============================================================================================================

std::atomic<int> g_published{ 0 };

void flush_segment( rng_t& r, int seq, double hold_ms )
{
    ZoneScoped;
    char seg[64];
    const int n = snprintf( seg, sizeof( seg ), "live/ch07/seg_%05d.m4s", seq );
    ZoneText( seg, n );
    log_msg( "segment_flusher: finalizing %s (%.1f MB), rewriting index under manifest_lock", seg, r( 4.2, 0.2 ) );
    std::lock_guard<LockableBase( std::mutex )> lk( g_manifest_lock );
    LockMark( g_manifest_lock );
    busy_for( hold_ms * 1000.0 );  // the rewrite of the whole segment index while holding the lock (planted)
}

void touch_index( rng_t& r )
{
    ZoneScoped;
    std::lock_guard<LockableBase( std::mutex )> lk( g_manifest_lock );
    LockMark( g_manifest_lock );
    busy_for( r( 150 ) );
}

void segment_flusher_loop( std::vector<double> at_s, std::vector<double> hold_ms )
{
    tracy::SetThreadName( "segment_flusher" );
    rng_t r( 77 );
    const auto t0 = Clock::now();
    size_t k = 0;
    int seq = 1130;
    auto next_touch = t0 + 150ms;
    while( !g_stop.load() )
    {
        const double now_s = std::chrono::duration<double>( Clock::now() - t0 ).count();
        if( k < at_s.size() && now_s >= at_s[k] )
        {
            // take the lock a few ms after the tick published its manifest, so the tick always runs into it
            const int seen = g_published.load();
            while( g_published.load() == seen && !g_stop.load() ) std::this_thread::sleep_for( 200us );
            nap_us( 6000 );
            flush_segment( r, seq + (int)k * 7, hold_ms[k] );
            k++;
        }
        else if( Clock::now() >= next_touch )
        {
            touch_index( r );  // brief: never collides with the tick
            next_touch += 230ms;
        }
        std::this_thread::sleep_for( 1ms );
    }
}

void run_stutter()
{
    rng_t r( 1001 );
    server_start( "3.2.0-b1841", r );
    FrameMark;
    side_threads side;
    side.start();
    encoder_pool pool( 8 );
    pool.start();
    std::thread flusher( segment_flusher_loop, std::vector<double>{ 0.9, 2.15, 2.7, 4.45, 5.9, 7.2 },
                         std::vector<double>{ 55, 60, 52, 58, 62, 54 } );
    const auto streams = default_streams();
    ticker t( 50.0 );
    for( int tick = 0; tick < 400; tick++ )
    {
        {
            ZoneScopedN( "run_tick" );
            poll_ingest( r );
            dispatch_encodes( pool, r, tick, streams, 1100 );
            mux_packets( r );
            publish_manifest( r, tick );
            g_published.fetch_add( 1 );
        }
        if( tick == 200 ) TracyMessageL( "viewer count passed 10k on ch07" );
        end_tick( t, tick, 20 + tick % 7 );
    }
    side.join();
    flusher.join();
    pool.stop();
    TracyMessageL( "mediasrv: drained, shutting down" );
}

// =============================================================================================================
// contention: shared stream table, long exclusive writes; stats_lock busy but handed over strictly
// =============================================================================================================

TracyLockableN( std::mutex, g_stats_lock, "stats_lock" );

void apply_stream_config( rng_t& r, int rev )
{
    ZoneScoped;
    ZoneValue( (uint64_t)rev );
    std::unique_lock<SharedLockableBase( std::shared_mutex )> lk( g_stream_table );
    LockMark( g_stream_table );
    busy_for( r( 14000 ) );  // rebuilds every stream's parameter block while readers are locked out (planted)
}

void control_plane_loop()
{
    tracy::SetThreadName( "control_plane" );
    rng_t r( 61 );
    int rev = 5000;
    while( !g_stop.load() )
    {
        apply_stream_config( r, rev++ );
        nap_us( r( 36000, 0.1 ) );
    }
}

struct stats_handoff
{
    std::mutex m;
    std::condition_variable cv;
    int stage = 0;
    bool quit = false;
};

void bump_counters( rng_t& r, int n, const char* zone_name_is_fixed )
{
    (void)zone_name_is_fixed;
    for( int i = 0; i < n; i++ )
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_stats_lock );
        ZoneScopedN( "bump_counters" );
        busy_for( r( 18 ) );
    }
}

void stats_sender_loop( stats_handoff* h )
{
    tracy::SetThreadName( "net_sender" );
    rng_t r( 62 );
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( h->m );
            h->cv.wait( lk, [&] { return h->stage == 1 || h->quit; } );
            if( h->quit ) return;
        }
        {
            ZoneScopedN( "send_packets" );
            bump_counters( r, 30, "" );
            busy_for( r( 500 ) );
        }
        {
            std::lock_guard<std::mutex> lk( h->m );
            h->stage = 0;
        }
        h->cv.notify_all();
    }
}

void run_contention()
{
    rng_t r( 2002 );
    server_start( "3.2.0-b1841", r );
    FrameMark;
    TracyMessageL( "control_plane: stream config hot-reload enabled (every ~50 ms)" );
    std::thread ingest( ingest_loop, 24 ), disk( disk_writer_loop );
    encoder_pool pool( 8 );
    pool.use_stream_table = true;
    pool.start();
    stats_handoff h;
    std::thread sender( stats_sender_loop, &h );
    std::thread control( control_plane_loop );
    // 16 slices per tick, 2 per worker
    std::vector<int> streams;
    for( int i = 0; i < 16; i++ ) streams.push_back( 200 + i );
    ticker t( 50.0 );
    for( int tick = 0; tick < 300; tick++ )
    {
        {
            ZoneScopedN( "run_tick" );
            poll_ingest( r );
            dispatch_encodes( pool, r, tick, streams, 1200 );
            mux_packets( r );
            {
                ZoneScopedN( "update_stats" );
                bump_counters( r, 30, "" );
            }
            {
                std::lock_guard<std::mutex> lk( h.m );
                h.stage = 1;
            }
            h.cv.notify_all();
            {
                ZoneScopedN( "await_send_ack" );
                std::unique_lock<std::mutex> lk( h.m );
                h.cv.wait( lk, [&] { return h.stage == 0; } );
            }
            publish_manifest( r, tick );
        }
        end_tick( t, tick, 20 + tick % 5 );
    }
    g_stop = true;
    control.join();
    ingest.join();
    disk.join();
    {
        std::lock_guard<std::mutex> lk( h.m );
        h.quit = true;
    }
    h.cv.notify_all();
    sender.join();
    pool.stop();
    TracyMessageL( "mediasrv: drained, shutting down" );
}

// =============================================================================================================
// leak: net_sender's retransmit records in "conn_pool" are never released
// =============================================================================================================

constexpr const char* kConnPool = "conn_pool";

void open_connection( std::deque<std::pair<void*, int>>& conns, int batch, rng_t& r )
{
    ZoneScoped;
    conns.emplace_back( pool_alloc( 4096, kConnPool ), batch + r.irange( 40, 120 ) );
    busy_for( r( 60 ) );
}

void close_connections( std::deque<std::pair<void*, int>>& conns, int batch )
{
    ZoneScoped;
    for( auto it = conns.begin(); it != conns.end(); )
    {
        if( it->second <= batch )
        {
            pool_free( it->first, kConnPool );
            it = conns.erase( it );
        }
        else
            ++it;
    }
}

void track_retransmit( std::vector<void*>& records, rng_t& r )
{
    ZoneScoped;
    records.push_back( pool_alloc( 1536, kConnPool ) );  // BUG (planted): acknowledged records are never released
    busy_for( r( 40 ) );
}

void leak_sender_loop()
{
    tracy::SetThreadName( "net_sender" );
    rng_t r( 63 );
    std::deque<std::pair<void*, int>> conns;
    std::vector<void*> records;
    auto next = Clock::now();
    int batch = 0;
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "send_packets" );
            if( batch % 3 == 0 ) open_connection( conns, batch, r );
            if( batch % 4 == 1 ) track_retransmit( records, r );
            close_connections( conns, batch );
            busy_for( r( 400 ) );
        }
        batch++;
        next += 10ms;
        std::this_thread::sleep_until( next );
    }
    {
        ZoneScopedN( "close_all_connections" );
        for( auto& c : conns ) pool_free( c.first, kConnPool );
    }
    log_msg( "net_sender: stopped after %d batches, %zu retransmit records tracked", batch, records.size() );
}

void run_leak()
{
    rng_t r( 3003 );
    server_start( "3.2.0-b1841", r );
    FrameMark;
    std::thread ingest( ingest_loop, 24 ), disk( disk_writer_loop );
    std::thread sender( leak_sender_loop );
    encoder_pool pool( 8 );
    pool.start();
    const auto streams = default_streams();
    std::deque<std::pair<void*, int>> packets;  // muxed packets, released once sent (8 ticks later)
    void* snapshot = nullptr;
    ticker t( 50.0 );
    for( int tick = 0; tick < 360; tick++ )
    {
        {
            ZoneScopedN( "run_tick" );
            poll_ingest( r );
            {
                ZoneScopedN( "alloc_frame_buffers" );
                for( int i = 0; i < 8; i++ ) packets.emplace_back( pool_alloc( 65536u * ( 1 + ( tick + i ) % 4 ) ), tick + 8 );
            }
            dispatch_encodes( pool, r, tick, streams, 1000 );
            mux_packets( r );
            {
                ZoneScopedN( "release_sent_packets" );
                while( !packets.empty() && packets.front().second <= tick )
                {
                    pool_free( packets.front().first );
                    packets.pop_front();
                }
            }
            if( tick == 150 )
            {
                ZoneScopedN( "build_vod_snapshot" );
                snapshot = pool_alloc( 48u * 1024 * 1024 );
                TracyMessageL( "vod: building 48 MiB catch-up snapshot for ch03" );
                busy_for( r( 3000 ) );
            }
            if( tick == 210 )
            {
                ZoneScopedN( "drop_vod_snapshot" );
                pool_free( snapshot );
                snapshot = nullptr;
                TracyMessageL( "vod: snapshot handed to storage, released" );
            }
            publish_manifest( r, tick );
        }
        end_tick( t, tick, 20 + tick % 7 );
    }
    {
        ZoneScopedN( "server_shutdown" );
        g_stop = true;
        sender.join();
        ingest.join();
        disk.join();
        pool.stop();
        for( auto& p : packets ) pool_free( p.first );
        packets.clear();
    }
    FrameMark;
}

// =============================================================================================================
// regress a|b
// =============================================================================================================

void color_convert( rng_t& r, double us )
{
    ZoneScoped;
    busy_for( r( us ) );
}

void build_playlist( rng_t& r )
{
    ZoneScoped;
    busy_for( r( 700 ) );
}

void render_playlist( rng_t& r )
{
    ZoneScoped;
    busy_for( r( 700 ) );
}

void checksum_block( rng_t& r, double us )
{
    ZoneScoped;
    busy_for( r( us ) );
}

void run_regress( bool b )
{
    rng_t r( b ? 4242 : 4141 );
    server_start( b ? "3.3.0-b1907" : "3.2.0-b1841", r );
    FrameMark;
    side_threads side;
    side.start();
    encoder_pool pool( 8 );
    pool.start();
    const auto streams = default_streams();
    const double mux_us = b ? 3600 : 1200;       // b: muxer copies every packet twice (planted regression)
    const double convert_us = b ? 1000 : 2000;  // b: SIMD colour conversion (an improvement)
    const int checksum_calls = b ? 8 : 4;         // b: checksums per 16 KiB block instead of 32 KiB
    const double checksum_us = b ? 150 : 300;
    ticker t( 50.0 );
    for( int tick = 0; tick < 300; tick++ )
    {
        {
            ZoneScopedN( "run_tick" );
            poll_ingest( r );
            color_convert( r, convert_us );
            dispatch_encodes( pool, r, tick, streams, 1000 );
            mux_packets( r, mux_us );
            for( int i = 0; i < checksum_calls; i++ ) checksum_block( r, checksum_us );
            if( b ) render_playlist( r );
            else build_playlist( r );
            publish_manifest( r, tick );
        }
        end_tick( t, tick, 20 + tick % 7 );
    }
    side.join();
    pool.stop();
    TracyMessageL( "mediasrv: drained, shutting down" );
}

// =============================================================================================================
// imbalance: stream_id % 8 puts 14 of 20 streams on workers 3 and 6
// =============================================================================================================

void run_imbalance()
{
    rng_t r( 5005 );
    server_start( "3.2.0-b1841", r );
    FrameMark;
    side_threads side;
    side.start();
    encoder_pool pool( 8 );
    pool.start();
    TracyMessageL( "encoder pool: 8 workers, slices assigned by stream_id % 8" );
    // stream ids of the ch-group: most were provisioned in steps of 8 from 3 and 6
    std::vector<int> streams;
    for( int i = 0; i < 7; i++ ) streams.push_back( 403 + 8 * i );   // -> worker 3
    for( int i = 0; i < 7; i++ ) streams.push_back( 406 + 8 * i );   // -> worker 6
    for( int w : { 0, 1, 2, 4, 5, 7 } ) streams.push_back( 480 + w ); // one each
    ticker t( 50.0 );
    for( int tick = 0; tick < 300; tick++ )
    {
        {
            ZoneScopedN( "run_tick" );
            poll_ingest( r );
            dispatch_encodes( pool, r, tick, streams, 3000 );
            mux_packets( r );
            publish_manifest( r, tick );
        }
        end_tick( t, tick, 20 + tick % 7 );
    }
    side.join();
    pool.stop();
    TracyMessageL( "mediasrv: drained, shutting down" );
}

// =============================================================================================================
// churn: ingest allocates ~2000 tiny packet descriptors per tick on its own thread
// =============================================================================================================

void parse_rtp_packets( rng_t& r, int tick, std::vector<void*>& descs )
{
    ZoneScoped;
    static const size_t sizes[] = { 16, 24, 24, 32, 32, 32, 40, 40, 48, 48 };
    const int n = r.irange( 1900, 2100 );
    for( int i = 0; i < n; i++ ) descs.push_back( pool_alloc( sizes[( i * 3 + tick ) % 10] ) );
    busy_for( r( 600 ) );
    for( void* p : descs ) pool_free( p );
    descs.clear();
}

struct churn_sync
{
    std::mutex m;
    std::condition_variable cv;
    int tick = -1;
    bool quit = false;
};

void churn_ingest_loop( churn_sync* s )
{
    tracy::SetThreadName( "ingest" );
    rng_t r( 32 );
    std::vector<void*> descs;
    descs.reserve( 4096 );
    int seen = -1;
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( s->m );
            s->cv.wait( lk, [&] { return s->quit || s->tick != seen; } );
            if( s->quit ) return;
            seen = s->tick;
        }
        parse_rtp_packets( r, seen, descs );
    }
}

void archive_loop()
{
    tracy::SetThreadName( "disk_writer" );
    rng_t r( 48 );
    std::deque<void*> bufs;
    int chunk = 0;
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "stage_archive_buffer" );
            bufs.push_back( pool_alloc( 32u * 1024 * 1024 ) );
            nap_us( r( 20000 ) );
        }
        if( bufs.size() > 2 )
        {
            ZoneScopedN( "release_archive_buffer" );
            pool_free( bufs.front() );
            bufs.pop_front();
        }
        write_chunk( r, chunk++ );
        for( int i = 0; i < 70 && !g_stop.load(); i++ ) std::this_thread::sleep_for( 10ms );
    }
    for( void* p : bufs ) pool_free( p );
}

void run_churn()
{
    rng_t r( 6006 );
    server_start( "3.2.0-b1841", r );
    FrameMark;
    churn_sync s;
    std::thread ingest( churn_ingest_loop, &s );
    std::thread archive( archive_loop );
    std::thread net( net_sender_loop );
    encoder_pool pool( 8 );
    pool.start();
    const auto streams = default_streams();
    std::vector<void*> pkts;
    ticker t( 50.0 );
    for( int tick = 0; tick < 300; tick++ )
    {
        {
            std::lock_guard<std::mutex> lk( s.m );
            s.tick = tick;
        }
        s.cv.notify_all();
        {
            ZoneScopedN( "run_tick" );
            poll_ingest( r );
            dispatch_encodes( pool, r, tick, streams, 1000 );
            {
                ZoneScopedN( "mux_packets" );
                for( int i = 0; i < 24; i++ ) pkts.push_back( pool_alloc( 1316u * ( 1 + i % 3 ) ) );
                busy_for( r( 1400 ) );
                for( void* p : pkts ) pool_free( p );
                pkts.clear();
            }
            publish_manifest( r, tick );
        }
        end_tick( t, tick, 20 + tick % 7 );
    }
    g_stop = true;
    {
        std::lock_guard<std::mutex> lk( s.m );
        s.quit = true;
    }
    s.cv.notify_all();
    ingest.join();
    archive.join();
    net.join();
    pool.stop();
    TracyMessageL( "mediasrv: drained, shutting down" );
}

// =============================================================================================================
// creep: expire_sessions is O(sessions) and sessions only ever grow
// =============================================================================================================

void expire_sessions( const std::vector<int>& sessions )
{
    ZoneScoped;
    ZoneValue( (uint64_t)sessions.size() );
    busy_for( 24.0 * (double)sessions.size() );  // walks every session's timers each tick (planted)
}

void run_creep()
{
    rng_t r( 7007 );
    server_start( "3.2.0-b1841", r );
    FrameMark;
    side_threads side;
    side.start();
    encoder_pool pool( 8 );
    pool.start();
    const auto streams = default_streams();
    std::vector<int> sessions;
    for( int i = 0; i < 40; i++ ) sessions.push_back( i );
    TracyMessageL( "viewer sessions: idle-timeout sweep every tick" );
    for( int tick = 0; tick < 400; tick++ )
    {
        const auto t0 = Clock::now();
        {
            ZoneScopedN( "run_tick" );
            poll_ingest( r );
            dispatch_encodes( pool, r, tick, streams, 2500 );
            mux_packets( r );
            expire_sessions( sessions );
            publish_manifest( r, tick );
            {
                ZoneScopedN( "accept_sessions" );
                for( int i = 0; i < 2; i++ ) sessions.push_back( (int)sessions.size() );  // nobody ever leaves
                busy_for( r( 300 ) );
            }
        }
        nap_us( r( 4000 ) );  // wait for the next ingest batch (no zone)
        TracyPlot( "active_sessions", (int64_t)sessions.size() );
        const double tick_ms = std::chrono::duration<double, std::milli>( Clock::now() - t0 ).count();
        TracyPlot( "tick_ms", tick_ms );
        FrameMark;
        if( tick % 25 == 24 ) FrameMarkNamed( "gop" );
        if( tick == 200 ) TracyMessageL( "ch11 went live (promo)" );
    }
    side.join();
    pool.stop();
    TracyMessageL( "mediasrv: drained, shutting down" );
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    const std::string v = argc > 2 ? argv[2] : "";
    if( s == "stutter" ) run_stutter();
    else if( s == "contention" ) run_contention();
    else if( s == "leak" ) run_leak();
    else if( s == "regress" && ( v == "a" || v == "b" ) ) run_regress( v == "b" );
    else if( s == "imbalance" ) run_imbalance();
    else if( s == "churn" ) run_churn();
    else if( s == "creep" ) run_creep();
    else
    {
        fprintf( stderr, "usage: mediasrv stutter|contention|leak|regress a|b|imbalance|churn|creep\n" );
        return 2;
    }
    printf( "mediasrv %s %s: done\n", s.c_str(), v.c_str() );
    return 0;
}
