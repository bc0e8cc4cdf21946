// infersrv: an ML inference server with dynamic batching, instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project).
//
// Threads:
//   http-0..3     each serves one client connection (closed loop: the client "thinks", then sends a request).
//                 Http::HandleRequest (ZoneText "req #N model=... tokens=K") > Http::ParseRequest,
//                 ModelRegistry::Lookup (read lock on ModelRegistry::lock), Tokenizer::Encode (O(n^2) in tokens),
//                 Request::WaitForResult (the request is queued for the batcher and computed), Http::WriteResponse.
//   batcher       Batcher::CollectBatch: from the oldest queued request, waits until 8 requests or the batch
//                 timeout (4 ms), then Batcher::Dispatch hands the batch to the accelerator; FrameMarkNamed("Batch")
//                 per batch dispatched. Plots "queue depth", "batch size".
//   gpu-exec      emulated accelerator: Model::Forward > Model::Embed, Model::Attention, Model::MLP, Model::Sample;
//                 time grows with batch size and tokens. Allocates one KV-cache block per request (pool "kv-cache",
//                 freed by Http::WriteResponse) and per-batch activation buffers (default pool, freed in Forward).
//   model-loader  every ~1.5 s reloads the weights: ModelLoader::Reload > FetchWeights, CopyWeights, SwapPointer
//                 (SwapPointer under the write lock of ModelRegistry::lock). Pool "weights".
//   main          start-up, then Stats::Report every 250 ms (plot "p99 latency ms"; a stats message every second).
// No FrameMark on the main thread (a server).
//
// Usage: infersrv <scenario> [a|b]
//   batch_timeout  the batch timeout is misconfigured to 40 ms; the load is light, so batches stay small and every
//                  batch waits the full timeout in Batcher::CollectBatch before its ~5 ms of compute
//   reload_stall   the model-loader copies the weights (ModelLoader::CopyWeights, ~150 ms) while holding
//                  ModelRegistry::lock exclusively; every request arriving meanwhile stalls in ModelRegistry::Lookup
//   long_prompt    ~2% of requests carry 4000-6500 token prompts; Tokenizer::Encode is quadratic, 50-130 ms for them
//   kv_leak        ~4% of clients time out ("req #N: client went away"); Http::WriteResponse then returns early and
//                  never frees the request's "kv-cache" block
//   regress a|b    fixed benchmark (240 requests per connection); b: Model::Attention 1.8x slower, Tokenizer::Encode
//                  1.5x faster, Http::WriteResponse renamed Http::SendResponse
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them.

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

void busy_for( double us, double tail_us = 50.0 )
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
    double expo( double mean ) { return -mean * std::log( 1.0 - uni( 0.0, 0.999999 ) ); }
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

// ---- memory ----------------------------------------------------------------------------------------------

const char* const kKvPool = "kv-cache";
const char* const kWeightsPool = "weights";

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

// ---- scenario knobs --------------------------------------------------------------------------------------

enum class scen { batch_timeout, reload_stall, long_prompt, kv_leak, regress_a, regress_b };
scen g_s;
double g_batch_timeout_ms = 4.0;
int g_max_batch = 8;
double g_think_ms = 14.0;       // mean client think time between requests
double g_run_s = 6.0;           // duration-bound scenarios
int g_fixed_per_conn = 0;       // regress: requests per connection
double g_enc_scale = 1.0;       // Tokenizer::Encode
double g_att_scale = 1.0;       // Model::Attention
bool g_copy_under_lock = false; // reload_stall
double g_long_prompt_p = 0.0;   // long_prompt
double g_client_gone_p = 0.0;   // kv_leak
const char* const kModel = "llama3-8b-instruct";

// ---- locks -------------------------------------------------------------------------------------------------

TracySharedLockableN( std::shared_mutex, g_registry, "ModelRegistry::lock" );
TracyLockableN( std::mutex, g_queue_m, "RequestQueue::mutex" );

// ---- requests ------------------------------------------------------------------------------------------------

struct request
{
    int id = 0;
    int tokens = 0;
    bool client_gone = false;
    Clock::time_point enqueued;
    void* kv = nullptr;
    size_t kv_bytes = 0;
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
};

struct model_t
{
    int version = 1;
    void* weights = nullptr;
};
model_t g_model;   // guarded by g_registry

std::condition_variable_any g_queue_cv;
std::deque<request*> g_queue;   // guarded by g_queue_m
std::atomic<bool> g_stop_http{ false };
std::atomic<bool> g_stop_batcher{ false };
std::atomic<bool> g_stop_bg{ false };
std::atomic<int> g_next_id{ 1 };

struct batch_t
{
    int id;
    std::vector<request*> reqs;
};
std::mutex g_gpu_m;
std::condition_variable g_gpu_cv;
std::deque<batch_t> g_gpu_q;
bool g_gpu_stop = false;

// latency bookkeeping for the stats (main thread)
std::mutex g_lat_m;
std::vector<std::pair<Clock::time_point, double>> g_lat;   // (completion, latency ms)
std::atomic<int> g_batches{ 0 };
std::atomic<int> g_batched_reqs{ 0 };
std::atomic<int64_t> g_kv_live{ 0 };

// ---- request threads -------------------------------------------------------------------------------------

__attribute__( ( noinline ) ) int lookup_model( rng_t& r )
{
    ZoneScopedN( "ModelRegistry::Lookup" );
    std::shared_lock<SharedLockableBase( std::shared_mutex )> lk( g_registry );
    busy_for( r( 15 ) );
    return g_model.version;
}

__attribute__( ( noinline ) ) void tokenizer_encode( int tokens, rng_t& r )
{
    ZoneScopedN( "Tokenizer::Encode" );
    // BPE merge loop: quadratic in the prompt length
    const double us = g_enc_scale * ( 80.0 + 0.0030 * (double)tokens * (double)tokens );
    ZoneValue( (uint64_t)tokens );
    busy_for( r( us, 0.04 ) );
}

__attribute__( ( noinline ) ) void wait_for_result( request& rq )
{
    ZoneScopedN( "Request::WaitForResult" );
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_queue_m );
        rq.enqueued = Clock::now();
        g_queue.push_back( &rq );
        TracyPlot( "queue depth", (int64_t)g_queue.size() );
    }
    g_queue_cv.notify_one();
    std::unique_lock<std::mutex> lk( rq.m );
    rq.cv.wait( lk, [&] { return rq.done; } );
}

__attribute__( ( noinline ) ) void write_response( request& rq, rng_t& r )
{
    ZoneScopedN( "Http::WriteResponse" );
    if( rq.client_gone )
    {
        // the client's deadline passed: the socket is closed, nothing to send
        busy_for( r( 40 ) );
        log_warn( "req #%d: client went away", rq.id );
        return;   // BUG: rq.kv is never released on this path
    }
    busy_for( r( 220 + 0.25 * rq.tokens, 0.1 ) );
    if( rq.kv )
    {
        mem_free( rq.kv, kKvPool );
        g_kv_live -= (int64_t)rq.kv_bytes;
        rq.kv = nullptr;
    }
}

__attribute__( ( noinline ) ) void send_response( request& rq, rng_t& r )
{
    ZoneScopedN( "Http::SendResponse" );   // regress b: the same code, renamed
    busy_for( r( 220 + 0.25 * rq.tokens, 0.1 ) );
    if( rq.kv )
    {
        mem_free( rq.kv, kKvPool );
        g_kv_live -= (int64_t)rq.kv_bytes;
        rq.kv = nullptr;
    }
}

int pick_tokens( rng_t& r )
{
    if( g_long_prompt_p > 0 && r.chance( g_long_prompt_p ) ) return r.irange( 4000, 6500 );
    return (int)std::lround( std::exp( r.uni( std::log( 48.0 ), std::log( 900.0 ) ) ) );
}

__attribute__( ( noinline ) ) void handle_request( request& rq, rng_t& r )
{
    ZoneScopedN( "Http::HandleRequest" );
    char txt[96];
    const int n = snprintf( txt, sizeof( txt ), "req #%d model=%s tokens=%d", rq.id, kModel, rq.tokens );
    ZoneText( txt, (size_t)n );
    {
        ZoneScopedN( "Http::ParseRequest" );
        busy_for( r( 45 + 0.02 * rq.tokens ) );
    }
    lookup_model( r );
    tokenizer_encode( rq.tokens, r );
    wait_for_result( rq );
    if( g_s == scen::regress_b ) send_response( rq, r );
    else write_response( rq, r );
}

void http_loop( int i )
{
    char name[16];
    snprintf( name, sizeof( name ), "http-%d", i );
    name_thread( name );
    rng_t r( 1000 + 17 * i );
    int served = 0;
    while( !g_stop_http.load() )
    {
        if( g_fixed_per_conn > 0 && served >= g_fixed_per_conn ) break;
        // client think time / waiting for the next request on the connection (idle, not zoned)
        const double think = std::min( std::max( r.expo( g_think_ms ), 0.5 ), g_think_ms * 5.0 );
        std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)( think * 1000.0 ) ) );
        if( g_stop_http.load() ) break;
        request rq;
        rq.id = g_next_id++;
        rq.tokens = pick_tokens( r );
        rq.client_gone = g_client_gone_p > 0 && r.chance( g_client_gone_p );
        const auto t0 = Clock::now();
        handle_request( rq, r );
        const auto t1 = Clock::now();
        {
            std::lock_guard<std::mutex> lk( g_lat_m );
            g_lat.emplace_back( t1, std::chrono::duration<double, std::milli>( t1 - t0 ).count() );
        }
        served++;
    }
}

// ---- batcher ------------------------------------------------------------------------------------------------

void batcher_loop()
{
    name_thread( "batcher" );
    rng_t r( 77 );
    int batch_id = 0;
    const auto timeout = std::chrono::microseconds( (int64_t)( g_batch_timeout_ms * 1000.0 ) );
    for( ;; )
    {
        batch_t b;
        {
            std::unique_lock<LockableBase( std::mutex )> lk( g_queue_m );
            // idle until a request arrives (not zoned)
            g_queue_cv.wait( lk, [] { return g_stop_batcher.load() || !g_queue.empty(); } );
            if( g_queue.empty() ) break;
            ZoneScopedN( "Batcher::CollectBatch" );
            const auto deadline = g_queue.front()->enqueued + timeout;
            g_queue_cv.wait_until( lk, deadline, [] { return (int)g_queue.size() >= g_max_batch; } );
            const int take = std::min( (int)g_queue.size(), g_max_batch );
            for( int k = 0; k < take; k++ )
            {
                b.reqs.push_back( g_queue.front() );
                g_queue.pop_front();
            }
            TracyPlot( "queue depth", (int64_t)g_queue.size() );
            ZoneValue( (uint64_t)take );
        }
        b.id = ++batch_id;
        const int bsize = (int)b.reqs.size();
        {
            ZoneScopedN( "Batcher::Dispatch" );
            busy_for( r( 25 ) );
            {
                std::lock_guard<std::mutex> lk( g_gpu_m );
                g_gpu_q.push_back( std::move( b ) );
            }
            g_gpu_cv.notify_one();
        }
        TracyPlot( "batch size", (int64_t)bsize );
        FrameMarkNamed( "Batch" );
    }
}

// ---- accelerator ------------------------------------------------------------------------------------------------

__attribute__( ( noinline ) ) void model_forward( batch_t& b, rng_t& r )
{
    ZoneScopedN( "Model::Forward" );
    const int bs = (int)b.reqs.size();
    int tok = 0;
    for( auto* q : b.reqs ) tok += q->tokens;
    char txt[64];
    ZoneText( txt, (size_t)snprintf( txt, sizeof( txt ), "batch #%d size=%d tokens=%d", b.id, bs, tok ) );
    {
        ZoneScopedN( "Model::Embed" );
        busy_for( r( 120 + 0.05 * tok ) );
    }
    // KV-cache block per request (released when its response is written)
    for( auto* q : b.reqs )
    {
        q->kv_bytes = (size_t)q->tokens * 2048;
        q->kv = mem_alloc( q->kv_bytes, kKvPool );
        g_kv_live += (int64_t)q->kv_bytes;
    }
    void* act = mem_alloc( 262144 * (size_t)bs + 64 * (size_t)tok );
    {
        ZoneScopedN( "Model::Attention" );
        busy_for( r( g_att_scale * ( 1000.0 + 500.0 * bs + 0.6 * tok ) ) );
    }
    void* act2 = mem_alloc( 131072 * (size_t)bs );
    {
        ZoneScopedN( "Model::MLP" );
        busy_for( r( 1000.0 + 450.0 * bs + 0.3 * tok ) );
    }
    mem_free( act );
    {
        ZoneScopedN( "Model::Sample" );
        busy_for( r( 100.0 + 50.0 * bs ) );
    }
    mem_free( act2 );
}

void gpu_loop()
{
    name_thread( "gpu-exec" );
    rng_t r( 99 );
    for( ;; )
    {
        batch_t b;
        {
            std::unique_lock<std::mutex> lk( g_gpu_m );
            g_gpu_cv.wait( lk, [] { return g_gpu_stop || !g_gpu_q.empty(); } );
            if( g_gpu_q.empty() ) break;
            b = std::move( g_gpu_q.front() );
            g_gpu_q.pop_front();
        }
        model_forward( b, r );
        g_batches++;
        g_batched_reqs += (int)b.reqs.size();
        for( auto* q : b.reqs )
        {
            {
                std::lock_guard<std::mutex> lk( q->m );
                q->done = true;
            }
            q->cv.notify_one();
        }
    }
}

// ---- model loader ------------------------------------------------------------------------------------------

const size_t kWeightsBytes = 256ull * 1024 * 1024;

bool nap_until( Clock::time_point tp )
{
    while( !g_stop_bg.load() )
    {
        const auto now = Clock::now();
        if( now >= tp ) return true;
        std::this_thread::sleep_until( std::min( tp, now + 10ms ) );
    }
    return false;
}

void loader_loop()
{
    name_thread( "model-loader" );
    rng_t r( 55 );
    auto next = Clock::now() + std::chrono::milliseconds( 900 );
    while( nap_until( next ) )
    {
        next += std::chrono::milliseconds( r.irange( 1400, 1600 ) );
        ZoneScopedN( "ModelLoader::Reload" );
        const int v = g_model.version + 1;
        log_msg( "model-loader: reloading %s weights v%d -> v%d (checkpoint updated)", kModel, v - 1, v );
        {
            ZoneScopedN( "ModelLoader::FetchWeights" );
            busy_for( r.uni( 55000, 70000 ), 200 );
        }
        void* fresh = nullptr;
        void* old = nullptr;
        const double copy_us = r.uni( 145000, 158000 );
        if( g_copy_under_lock )
        {
            std::unique_lock<SharedLockableBase( std::shared_mutex )> lk( g_registry );
            LockMark( g_registry );
            {
                ZoneScopedN( "ModelLoader::CopyWeights" );
                fresh = mem_alloc( kWeightsBytes, kWeightsPool );
                busy_for( copy_us, 300 );
            }
            {
                ZoneScopedN( "ModelLoader::SwapPointer" );
                old = g_model.weights;
                g_model.weights = fresh;
                g_model.version = v;
                busy_for( r( 150 ) );
            }
        }
        else
        {
            {
                ZoneScopedN( "ModelLoader::CopyWeights" );
                fresh = mem_alloc( kWeightsBytes, kWeightsPool );
                busy_for( copy_us, 300 );
            }
            std::unique_lock<SharedLockableBase( std::shared_mutex )> lk( g_registry );
            LockMark( g_registry );
            ZoneScopedN( "ModelLoader::SwapPointer" );
            old = g_model.weights;
            g_model.weights = fresh;
            g_model.version = v;
            busy_for( r( 150 ) );
        }
        {
            ZoneScopedN( "ModelLoader::ReleaseOld" );
            mem_free( old, kWeightsPool );
            busy_for( r( 400 ) );
        }
        log_msg( "model-loader: %s v%d live (%.0f MiB copied in %.0f ms)", kModel, v, kWeightsBytes / 1048576.0, copy_us / 1000.0 );
    }
}

// ---- stats (main thread) --------------------------------------------------------------------------------------

double pct( std::vector<double> v, double p )
{
    if( v.empty() ) return 0.0;
    std::sort( v.begin(), v.end() );
    const size_t k = std::min( v.size() - 1, (size_t)std::ceil( p * v.size() ) - ( p * v.size() >= 1 ? 1 : 0 ) );
    return v[k];
}

void stats_report( Clock::time_point now, bool message, int& last_batches, int& last_breqs )
{
    ZoneScopedN( "Stats::Report" );
    std::vector<double> win, sec;
    {
        std::lock_guard<std::mutex> lk( g_lat_m );
        for( auto& e : g_lat )
        {
            if( now - e.first <= 500ms ) win.push_back( e.second );
            if( now - e.first <= 1000ms ) sec.push_back( e.second );
        }
    }
    TracyPlot( "p99 latency ms", pct( win, 0.99 ) );
    if( message )
    {
        const int nb = g_batches.load(), nr = g_batched_reqs.load();
        const double mean_batch = nb > last_batches ? (double)( nr - last_breqs ) / ( nb - last_batches ) : 0.0;
        last_batches = nb;
        last_breqs = nr;
        int depth;
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_queue_m );
            depth = (int)g_queue.size();
        }
        log_msg( "stats: %d req/s, p50 %.1f ms, p99 %.1f ms, mean batch %.2f, queue %d, kv-cache %.1f MiB",
                 (int)sec.size(), pct( sec, 0.50 ), pct( sec, 0.99 ), mean_batch, depth, g_kv_live.load() / 1048576.0 );
    }
}

} // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: infersrv batch_timeout|reload_stall|long_prompt|kv_leak|regress a|b\n" );
        return 1;
    }
    const std::string s = argv[1];
    const std::string v = argc > 2 ? argv[2] : "";
    if( s == "batch_timeout" ) { g_s = scen::batch_timeout; g_batch_timeout_ms = 40.0; g_think_ms = 65.0; g_run_s = 7.5; }
    else if( s == "reload_stall" ) { g_s = scen::reload_stall; g_copy_under_lock = true; }
    else if( s == "long_prompt" ) { g_s = scen::long_prompt; g_long_prompt_p = 0.02; }
    else if( s == "kv_leak" ) { g_s = scen::kv_leak; g_client_gone_p = 0.04; }
    else if( s == "regress" && ( v == "a" || v == "b" ) )
    {
        g_s = v == "a" ? scen::regress_a : scen::regress_b;
        g_fixed_per_conn = 240;
        if( v == "b" ) { g_att_scale = 1.8; g_enc_scale = 1.0 / 1.5; }
    }
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 1;
    }

    prctl( PR_SET_TIMERSLACK, 1UL );
    char appinfo[96];
    TracyAppInfo( appinfo, (size_t)snprintf( appinfo, sizeof( appinfo ), "infersrv 2.3.1 (%s%s%s)", s.c_str(), v.empty() ? "" : " ", v.c_str() ) );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );

    std::vector<std::thread> http;
    std::thread batcher, gpu, loader;
    {
        ZoneScopedN( "Server::Startup" );
        {
            ZoneScopedN( "ModelLoader::LoadInitial" );
            std::unique_lock<SharedLockableBase( std::shared_mutex )> lk( g_registry );
            LockMark( g_registry );
            g_model.weights = mem_alloc( kWeightsBytes, kWeightsPool );
            g_model.version = 1;
            busy_for( 120000, 300 );
        }
        {
            ZoneScopedN( "Model::Warmup" );
            busy_for( 30000 );
        }
        gpu = std::thread( gpu_loop );
        batcher = std::thread( batcher_loop );
        loader = std::thread( loader_loop );
        for( int i = 0; i < 4; i++ ) http.emplace_back( http_loop, i );
    }
    log_msg( "infersrv listening on 127.0.0.1:8080 (model %s, max batch %d, batch timeout %.0f ms)", kModel, g_max_batch, g_batch_timeout_ms );

    const auto t0 = Clock::now();
    auto next = t0 + 250ms;
    int tick = 0, lb = 0, lr = 0;
    for( ;; )
    {
        std::this_thread::sleep_until( next );
        next += 250ms;
        tick++;
        stats_report( Clock::now(), tick % 4 == 0, lb, lr );
        const double t = std::chrono::duration<double>( Clock::now() - t0 ).count();
        if( g_fixed_per_conn == 0 && t >= g_run_s ) break;
        if( g_fixed_per_conn > 0 )
        {
            std::lock_guard<std::mutex> lk( g_lat_m );
            if( (int)g_lat.size() >= 4 * g_fixed_per_conn ) break;
        }
    }

    {
        ZoneScopedN( "Server::Shutdown" );
        g_stop_http = true;
        for( auto& t : http ) t.join();
        g_stop_batcher = true;
        g_queue_cv.notify_all();
        batcher.join();
        {
            std::lock_guard<std::mutex> lk( g_gpu_m );
            g_gpu_stop = true;
        }
        g_gpu_cv.notify_all();
        gpu.join();
        g_stop_bg = true;
        loader.join();
        mem_free( g_model.weights, kWeightsPool );
        g_model.weights = nullptr;
    }
    size_t total;
    {
        std::lock_guard<std::mutex> lk( g_lat_m );
        total = g_lat.size();
    }
    log_msg( "infersrv stopped: %zu requests served", total );
    return 0;
}
