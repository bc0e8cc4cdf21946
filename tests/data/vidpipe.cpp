// vidpipe: a video transcoder built as a pipeline, instrumented with Tracy (benchmark data for profiler-analysis
// tools; not part of any project). One thread per stage, stages connected by bounded queues of capacity 8:
//
//   demux (Demux::ReadPacket) -> [decode] -> decode (Decode::Frame) -> [filter] -> filter (Filter::Scale,
//   Filter::ColorConvert) -> [encode] -> encode (Encode::Frame > Encode::RateControl, Encode::MotionSearch |
//   Encode::IntraAnalysis, Encode::Entropy) -> [mux] -> mux (Mux::WritePacket, Mux::Flush)
//
// A stage blocks in Queue::Push (ZoneText = the queue it pushes to) when the next queue is full and in Queue::Pop
// (ZoneText = its input queue) when its input is empty. Plots "q decode", "q filter", "q encode", "q mux" (queue
// depth after each push/pop) and "fps" (output rate over the last 30 output frames). The mux thread marks
// FrameMarkNamed("Output") per written frame; the main thread runs a 30 Hz progress UI (UI::Draw, steady ~4 ms)
// with FrameMark. Frame buffers (1080p NV12, 3 110 400 B) are allocated in Decode::Frame in memory pool "frames"
// and freed by the mux after writing; encoded packets, filter scratch and entropy contexts use the default pool.
// Locks: FramePool::mutex (decode and filter take buffers from the shared pool), Stats::mutex (mux updates the
// stats per frame, the UI reads them). Messages: keyframes, stats every second.
//
// Usage: vidpipe <scenario>     (keyframes every 60 frames and stats messages in every scenario)
//   bottleneck      Encode::Frame ~16 ms (Encode::MotionSearch ~10.5 ms), ~2x the other stages' ~8 ms (360 frames)
//   keyframe_stall  keyframes run Encode::RateControl's lookahead replan (~31 ms; Encode::Frame ~5x a P frame):
//                   output stalls ~43 ms, then bursts (420 frames)
//   pool_lock       Filter::ClearBuffer (~4 ms) runs under FramePool::mutex; decode's FramePool::Acquire (after
//                   Decode::ParseHeaders) waits ~3 ms each frame; Stats::mutex busy but barely contended (450)
//   drop_leak       Mux::Flush ~140 ms every 45 frames; encode drops frames when the mux queue is full and the
//                   drop path frees the packet but not the frame buffer (pool "frames") (400 frames)
//   regress_a/_b    b: Filter::Scale 2.2x slower (Lanczos kernel), Decode::Frame 1.3x faster, Mux::WritePacket
//                   renamed Mux::WriteChunk; the filter becomes the limiting stage (400 frames each)
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

// Wall-clock work: sleep until shortly before the deadline, then spin to it.
void busy_ms( double ms, double tail_us = 60.0 )
{
    const double us = ms * 1000.0;
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

// ---- scenario ----------------------------------------------------------------------------------------------

enum class scen { bottleneck, keyframe_stall, pool_lock, drop_leak, regress_a, regress_b };
scen g_s;

struct config
{
    int frames = 400;
    double demux = 2.5;           // Demux::ReadPacket
    double decode = 10.0;         // Decode::Frame (own work)
    double scale = 4.0;           // Filter::Scale
    double cc = 2.5;              // Filter::ColorConvert
    double clear = 0.6;           // Filter::ClearBuffer
    bool clear_under_lock = false;
    double rc = 0.25;             // Encode::RateControl (per frame)
    double me = 4.5;              // Encode::MotionSearch (P frames)
    double intra = 3.0;           // Encode::IntraAnalysis (keyframes)
    double entropy = 2.3;         // Encode::Entropy
    double enc_other = 0.9;       // Encode::Frame self time (transform / quant)
    double key_entropy = 1.6;     // entropy factor on keyframes
    double replan = 0.0;          // Encode::RateControl on keyframes (lookahead replan), 0 = normal
    int gop = 60;
    double mux = 2.0;             // Mux::WritePacket
    int flush_every = 60;
    double flush = 3.0;           // Mux::Flush
    bool drop_when_full = false;
    bool rename_write = false;
};
config g_c;

// ---- memory ------------------------------------------------------------------------------------------------

const char* const kFramesPool = "frames";
constexpr size_t kFrameBytes = 1920 * 1080 * 3 / 2;   // 1080p NV12

void* mem_alloc( size_t sz, const char* pool = nullptr )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 64 ) );
    if( pool ) TracyAllocN( p, sz, pool );
    else TracyAlloc( p, sz );
    return p;
}
void mem_free( void* p, const char* pool = nullptr )
{
    if( pool ) TracyFreeN( p, pool );
    else TracyFree( p );
    free( p );
}

// ---- locks -------------------------------------------------------------------------------------------------

TracyLockableN( std::mutex, g_pool_mutex, "FramePool::mutex" );
TracyLockableN( std::mutex, g_stats_mutex, "Stats::mutex" );

struct frame_pool_t
{
    std::atomic<int> decode_slots{ 48 };   // decoded-picture budget
    int scratch_free = 4;       // filter scratch planes
    std::vector<void*> scratch;
} g_pool;

struct stats_t
{
    int out = 0;
    int dropped = 0;
    int64_t bytes = 0;
    double psnr_sum = 0.0;
    double fps = 0.0;
} g_stats;

// ---- frames and queues -------------------------------------------------------------------------------------

struct frame_t
{
    int n = -1;
    bool key = false;
    bool eos = false;
    void* pic = nullptr;     // decoded picture (pool "frames")
    void* pkt = nullptr;     // encoded packet (default pool)
    size_t pkt_bytes = 0;
};

struct queue_t
{
    const char* name;
    const char* plot;
    size_t cap = 8;
    std::mutex m;
    std::condition_variable not_full, not_empty;
    std::deque<frame_t> q;

    queue_t( const char* n, const char* p ) : name( n ), plot( p ) {}

    size_t depth()
    {
        std::lock_guard<std::mutex> lk( m );
        return q.size();
    }

    void push( const frame_t& f )
    {
        ZoneScopedN( "Queue::Push" );
        ZoneText( name, strlen( name ) );
        {
            std::unique_lock<std::mutex> lk( m );
            not_full.wait( lk, [&] { return q.size() < cap; } );
            q.push_back( f );
            TracyPlot( plot, (int64_t)q.size() );
        }
        not_empty.notify_one();
    }

    bool try_push( const frame_t& f )
    {
        ZoneScopedN( "Queue::Push" );
        ZoneText( name, strlen( name ) );
        {
            std::lock_guard<std::mutex> lk( m );
            if( q.size() >= cap ) return false;
            q.push_back( f );
            TracyPlot( plot, (int64_t)q.size() );
        }
        not_empty.notify_one();
        return true;
    }

    frame_t pop()
    {
        ZoneScopedN( "Queue::Pop" );
        ZoneText( name, strlen( name ) );
        frame_t f;
        {
            std::unique_lock<std::mutex> lk( m );
            not_empty.wait( lk, [&] { return !q.empty(); } );
            f = q.front();
            q.pop_front();
            TracyPlot( plot, (int64_t)q.size() );
        }
        not_full.notify_one();
        return f;
    }
};

queue_t g_q_decode( "decode", "q decode" );
queue_t g_q_filter( "filter", "q filter" );
queue_t g_q_encode( "encode", "q encode" );
queue_t g_q_mux( "mux", "q mux" );
std::atomic<bool> g_done{ false };

// ---- demux -------------------------------------------------------------------------------------------------

void demux_thread()
{
    name_thread( "demux" );
    rng_t r( 11 + ( g_s == scen::regress_b ? 50 : 0 ) );
    for( int n = 0; n < g_c.frames; n++ )
    {
        frame_t f;
        f.n = n;
        f.key = n % g_c.gop == 0;
        {
            ZoneScopedN( "Demux::ReadPacket" );
            ZoneValue( (uint64_t)n );
            busy_ms( r( g_c.demux ) );
        }
        g_q_decode.push( f );
    }
    frame_t eos;
    eos.eos = true;
    g_q_decode.push( eos );
}

// ---- decode ------------------------------------------------------------------------------------------------

void decode_thread()
{
    name_thread( "decode" );
    rng_t r( 22 + ( g_s == scen::regress_b ? 50 : 0 ) );
    for( ;; )
    {
        frame_t f = g_q_decode.pop();
        if( f.eos )
        {
            g_q_filter.push( f );
            break;
        }
        {
            ZoneScopedN( "Decode::Frame" );
            char txt[48];
            const int tn = snprintf( txt, sizeof( txt ), "frame %d (%s)", f.n, f.key ? "IDR" : "P" );
            ZoneText( txt, (size_t)tn );
            const double work = r( g_c.decode * ( f.key ? 1.15 : 1.0 ) );
            {
                ZoneScopedN( "Decode::ParseHeaders" );   // SPS/PPS/slice headers, before a picture is needed
                busy_ms( work * 0.12 );
            }
            {
                ZoneScopedN( "FramePool::Acquire" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_pool_mutex );
                g_pool.decode_slots--;
                busy_ms( 0.03, 30 );
            }
            f.pic = mem_alloc( kFrameBytes, kFramesPool );
            busy_ms( work * 0.88 );   // slice decode (self time)
        }
        g_q_filter.push( f );
    }
}

// ---- filter ------------------------------------------------------------------------------------------------

void filter_thread()
{
    name_thread( "filter" );
    rng_t r( 33 + ( g_s == scen::regress_b ? 50 : 0 ) );
    for( ;; )
    {
        frame_t f = g_q_filter.pop();
        if( f.eos )
        {
            g_q_encode.push( f );
            break;
        }
        void* scratch;
        {
            ZoneScopedN( "FramePool::Acquire" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_pool_mutex );
            scratch = g_pool.scratch[--g_pool.scratch_free];
            busy_ms( 0.03, 30 );
            if( g_c.clear_under_lock )
            {
                ZoneScopedN( "Filter::ClearBuffer" );
                busy_ms( r( g_c.clear ) );
            }
        }
        if( !g_c.clear_under_lock )
        {
            ZoneScopedN( "Filter::ClearBuffer" );
            busy_ms( r( g_c.clear ) );
        }
        {
            ZoneScopedN( "Filter::Scale" );
            void* taps = mem_alloc( 16384 + 4096 * (size_t)r.irange( 0, 3 ) );   // per-frame filter taps
            busy_ms( r( g_c.scale ) );
            mem_free( taps );
        }
        {
            ZoneScopedN( "Filter::ColorConvert" );
            busy_ms( r( g_c.cc ) );
        }
        {
            ZoneScopedN( "FramePool::Release" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_pool_mutex );
            g_pool.scratch[g_pool.scratch_free++] = scratch;
            busy_ms( 0.02, 20 );
        }
        g_q_encode.push( f );
    }
}

// ---- encode ------------------------------------------------------------------------------------------------

void encode_thread()
{
    name_thread( "encode" );
    rng_t r( 44 + ( g_s == scen::regress_b ? 50 : 0 ) );
    // reference pictures + lookahead, held for the whole session and released at the end
    void* refs = mem_alloc( 2 * kFrameBytes );
    void* lookahead = mem_alloc( 6 * 1024 * 1024 );
    int dropped = 0;
    for( ;; )
    {
        frame_t f = g_q_encode.pop();
        if( f.eos )
        {
            g_q_mux.push( f );
            break;
        }
        {
            ZoneScopedN( "Encode::Frame" );
            char txt[48];
            const int tn = snprintf( txt, sizeof( txt ), "frame %d (%s)", f.n, f.key ? "IDR" : "P" );
            ZoneText( txt, (size_t)tn );
            ZoneValue( (uint64_t)f.n );
            {
                ZoneScopedN( "Encode::RateControl" );
                if( f.key && g_c.replan > 0.0 )
                {
                    static const char kReplan[] = "keyframe: replan lookahead (60 frames, 2-pass VBV)";
                    ZoneText( kReplan, sizeof( kReplan ) - 1 );
                    busy_ms( r( g_c.replan ) );
                }
                else
                {
                    static const char kQp[] = "per-frame qp";
                    ZoneText( kQp, sizeof( kQp ) - 1 );
                    busy_ms( r( g_c.rc ) );
                }
            }
            if( f.key )
            {
                ZoneScopedN( "Encode::IntraAnalysis" );
                busy_ms( r( g_c.intra ) );
            }
            else
            {
                ZoneScopedN( "Encode::MotionSearch" );
                busy_ms( r( g_c.me ) );
            }
            busy_ms( r( g_c.enc_other ) );   // transform + quant (self time)
            {
                ZoneScopedN( "Encode::Entropy" );
                void* ctx = mem_alloc( 65536 );   // CABAC context tables
                f.pkt_bytes = f.key ? 180000 + 1000 * (size_t)r.irange( 0, 40 ) : 24000 + 500 * (size_t)r.irange( 0, 40 );
                f.pkt = mem_alloc( f.pkt_bytes );
                busy_ms( r( g_c.entropy * ( f.key ? g_c.key_entropy : 1.0 ) ) );
                mem_free( ctx );
            }
        }
        if( f.key )
        {
            if( g_c.replan > 0.0 )
                log_msg( "keyframe %d (IDR), rate control replanned lookahead, %zu bytes", f.n, f.pkt_bytes );
            else
                log_msg( "keyframe %d (IDR), %zu bytes", f.n, f.pkt_bytes );
        }
        if( g_c.drop_when_full )
        {
            if( !g_q_mux.try_push( f ) )
            {
                ZoneScopedN( "Encode::DropFrame" );
                dropped++;
                log_warn( "dropping frame %d (mux queue full)", f.n );
                mem_free( f.pkt );   // BUG: f.pic (pool "frames") is never released on this path
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_stats_mutex );
                    g_stats.dropped = dropped;
                }
            }
        }
        else g_q_mux.push( f );
    }
    mem_free( lookahead );
    mem_free( refs );
}

// ---- mux ---------------------------------------------------------------------------------------------------

int64_t write_packet( frame_t& f, rng_t& r )
{
    busy_ms( r( g_c.mux ) );
    mem_free( f.pkt );
    mem_free( f.pic, kFramesPool );
    g_pool.decode_slots++;   // atomic: the mux returns slots without the pool lock
    return (int64_t)f.pkt_bytes;
}

void mux_thread()
{
    name_thread( "mux" );
    rng_t r( 55 + ( g_s == scen::regress_b ? 50 : 0 ) );
    std::deque<Clock::time_point> recent;
    auto last_stats = Clock::now();
    int out = 0;
    int64_t bytes = 0;
    int since_flush = 0;
    int out_at_last_stats = 0;
    for( ;; )
    {
        frame_t f = g_q_mux.pop();
        if( f.eos ) break;
        if( g_c.rename_write )
        {
            ZoneScopedN( "Mux::WriteChunk" );   // b: same function, renamed
            bytes += write_packet( f, r );
        }
        else
        {
            ZoneScopedN( "Mux::WritePacket" );
            bytes += write_packet( f, r );
        }
        if( ++since_flush >= g_c.flush_every )
        {
            since_flush = 0;
            ZoneScopedN( "Mux::Flush" );
            const double ms = r( g_c.flush );
            busy_ms( ms );
            if( ms > 50.0 ) log_warn( "mux: fsync took %.0f ms", ms );
        }
        out++;
        const auto now = Clock::now();
        recent.push_back( now );
        if( recent.size() > 31 ) recent.pop_front();
        double fps = 0.0;
        if( recent.size() > 1 )
            fps = ( recent.size() - 1 ) / std::chrono::duration<double>( recent.back() - recent.front() ).count();
        TracyPlot( "fps", fps );
        {
            ZoneScopedN( "Stats::Update" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_stats_mutex );
            g_stats.out = out;
            g_stats.bytes = bytes;
            g_stats.fps = fps;
            g_stats.psnr_sum += 41.0 + ( f.n % 7 ) * 0.1;
            busy_ms( r( 0.45 ), 30 );   // per-frame PSNR/SSIM accumulation
        }
        FrameMarkNamed( "Output" );
        if( now - last_stats >= 1s )
        {
            int dropped;
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_stats_mutex );
                dropped = g_stats.dropped;
            }
            const double secs = std::chrono::duration<double>( now - last_stats ).count();
            log_msg( "stats: %d frames out (%.1f fps over last %.2f s), %.1f MB written, dropped %d, queues decode=%zu filter=%zu encode=%zu mux=%zu",
                     out, ( out - out_at_last_stats ) / secs, secs, bytes / 1e6, dropped, g_q_decode.depth(), g_q_filter.depth(),
                     g_q_encode.depth(), g_q_mux.depth() );
            last_stats = now;
            out_at_last_stats = out;
        }
    }
    log_msg( "mux: finished, %d frames written, %.1f MB", out, bytes / 1e6 );
    g_done = true;
}

// ---- UI (main thread) --------------------------------------------------------------------------------------

void ui_tick( rng_t& r )
{
    ZoneScopedN( "UI::Draw" );
    stats_t s;
    {
        ZoneScopedN( "Stats::Snapshot" );
        std::lock_guard<LockableBase( std::mutex )> lk( g_stats_mutex );
        s = g_stats;
        busy_ms( 0.01, 10 );
    }
    {
        ZoneScopedN( "UI::DrawProgress" );
        busy_ms( r( 1.2 ) );
    }
    {
        ZoneScopedN( "UI::DrawQueueGraphs" );
        busy_ms( r( 2.4 ) );
    }
    {
        ZoneScopedN( "UI::Present" );
        busy_ms( r( 0.3 ) );
    }
    (void)s;
}

}   // namespace

int main( int argc, char** argv )
{
    const std::string sc = argc > 1 ? argv[1] : "";
    if( sc == "bottleneck" ) g_s = scen::bottleneck;
    else if( sc == "keyframe_stall" ) g_s = scen::keyframe_stall;
    else if( sc == "pool_lock" ) g_s = scen::pool_lock;
    else if( sc == "drop_leak" ) g_s = scen::drop_leak;
    else if( sc == "regress_a" ) g_s = scen::regress_a;
    else if( sc == "regress_b" ) g_s = scen::regress_b;
    else
    {
        fprintf( stderr, "usage: vidpipe bottleneck|keyframe_stall|pool_lock|drop_leak|regress_a|regress_b\n" );
        return 2;
    }

    switch( g_s )
    {
    case scen::bottleneck:
        g_c.frames = 360;
        g_c.demux = 3.0; g_c.decode = 8.0; g_c.scale = 4.5; g_c.cc = 2.4; g_c.clear = 0.6;
        g_c.me = 10.5; g_c.entropy = 3.6; g_c.enc_other = 1.6; g_c.intra = 7.0; g_c.key_entropy = 1.5;
        g_c.mux = 2.5;
        break;
    case scen::keyframe_stall:
        g_c.frames = 420;
        g_c.demux = 3.0; g_c.decode = 13.0; g_c.scale = 4.5; g_c.cc = 2.5;
        g_c.me = 3.8; g_c.entropy = 2.2; g_c.enc_other = 0.8; g_c.intra = 3.0; g_c.key_entropy = 1.5;
        g_c.replan = 31.0;
        g_c.mux = 2.0;
        break;
    case scen::pool_lock:
        g_c.frames = 450;
        g_c.demux = 2.5; g_c.decode = 7.0; g_c.scale = 2.0; g_c.cc = 1.2; g_c.clear = 4.0; g_c.clear_under_lock = true;
        g_c.me = 3.6; g_c.entropy = 2.0; g_c.enc_other = 0.8;
        g_c.mux = 2.0;
        break;
    case scen::drop_leak:
        g_c.frames = 400;
        g_c.decode = 10.0; g_c.flush_every = 45; g_c.flush = 140.0; g_c.drop_when_full = true;
        break;
    case scen::regress_a:
        g_c.frames = 400;
        g_c.decode = 10.0; g_c.scale = 5.0; g_c.cc = 2.0;
        break;
    case scen::regress_b:
        g_c.frames = 400;
        g_c.decode = 10.0 / 1.3; g_c.scale = 5.0 * 2.2; g_c.cc = 2.0; g_c.rename_write = true;
        break;
    }

    name_thread( "main" );
    for( int i = 0; i < 4; i++ ) g_pool.scratch.push_back( mem_alloc( 1280 * 720 * 3 / 2 ) );
    log_msg( "vidpipe: transcoding input.mkv (1920x1080 h264, %d frames) -> output.mp4 (1280x720 hevc)", g_c.frames );

    std::thread th[5] = { std::thread( demux_thread ), std::thread( decode_thread ), std::thread( filter_thread ),
                          std::thread( encode_thread ), std::thread( mux_thread ) };

    rng_t r( 99 );
    auto next = Clock::now();
    while( !g_done )
    {
        ui_tick( r );
        FrameMark;
        next += std::chrono::microseconds( 33333 );
        std::this_thread::sleep_until( next );
    }
    for( auto& t : th ) t.join();
    for( void* p : g_pool.scratch ) mem_free( p );
    log_msg( "vidpipe: done" );
    return 0;
}
