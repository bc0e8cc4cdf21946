// queuewait: a small API server (no frames) instrumented with Tracy (blind test program for tracy-mcp).
// Thread "Acceptor" receives requests (Net::Accept, ZoneText "req=<id> GET /api/..."), pushes them on a queue
// (plot "queue depth"); two "Worker-N" threads pop them and handle them (Request::Handle ~2 ms, same "req=<id>"
// ZoneText; children Cache::Lookup under the uncontended-ish lock Cache::mutex, Db::Query, Json::Encode).
// Thread "Metrics" runs Metrics::Flush (~5 ms) every second.
//
// Usage: queuewait <scenario>
//   bursts   clients send in bursts: 40 requests every 250 ms (160 req/s); two workers drain ~1 req/ms, so the
//            last requests of a burst wait ~38 ms in the queue; the handler stays ~2 ms
//   steady   same rate (160 req/s) but evenly spaced (one request every 6.25 ms): no queueing
//
// Run ONLY through record.sh (loopback-only network namespace).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tracy/Tracy.hpp"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

static volatile double g_sink = 0.0;

static void busy_for( double us, double tail_us = 60.0 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > tail_us + 150.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

struct Request
{
    int id;
    std::string path;
};

static std::mutex g_qmtx;
static std::condition_variable g_qcv;
static std::deque<Request> g_queue;
static bool g_done = false;

static TracyLockableN( std::mutex, g_cacheMutex, "Cache::mutex" );

static const char* kPaths[] = { "/api/v2/orders?page=1", "/api/v2/users/me", "/api/v2/catalog/items?cat=7",
                                "/api/v2/cart", "/api/v2/orders/recent", "/api/v2/inventory/sku/31337" };

static void Worker( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker-%d", idx );
    tracy::SetThreadName( name );
    std::mt19937 rng( 1000 + idx );
    std::uniform_real_distribution<double> j( 0.93, 1.07 );
    for( ;; )
    {
        Request r;
        {
            std::unique_lock<std::mutex> lk( g_qmtx );
            g_qcv.wait( lk, [] { return g_done || !g_queue.empty(); } );
            if( g_queue.empty() ) return;
            r = std::move( g_queue.front() );
            g_queue.pop_front();
            TracyPlot( "queue depth", (int64_t)g_queue.size() );
        }
        ZoneScopedN( "Request::Handle" );
        char txt[128];
        int n = snprintf( txt, sizeof( txt ), "req=%d GET %s", r.id, r.path.c_str() );
        ZoneText( txt, n );
        busy_for( 60 * j( rng ) );  // parse / route
        {
            ZoneScopedN( "Cache::Lookup" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_cacheMutex );
            LockMark( g_cacheMutex );
            busy_for( 25 * j( rng ) );
        }
        {
            ZoneScopedN( "Db::Query" );
            busy_for( 1200 * j( rng ) );
        }
        {
            ZoneScopedN( "Json::Encode" );
            busy_for( 550 * j( rng ) );
        }
        busy_for( 120 * j( rng ) );  // write response
    }
}

static void Metrics( std::atomic<bool>* stop )
{
    tracy::SetThreadName( "Metrics" );
    auto next = Clock::now() + 1000ms;
    while( !stop->load() )
    {
        std::this_thread::sleep_until( next );
        if( stop->load() ) break;
        next += 1000ms;
        ZoneScopedN( "Metrics::Flush" );
        busy_for( 5000 );
        TracyMessageL( "metrics: flushed 214 series to statsd" );
    }
}

static void Acceptor( bool bursts )
{
    tracy::SetThreadName( "Acceptor" );

    std::mt19937 rng( bursts ? 42 : 43 );
    std::uniform_real_distribution<double> j( 0.9, 1.1 );
    std::uniform_int_distribution<int> pick( 0, 5 );
    int id = 1;
    const auto t0 = Clock::now() + 100ms;
    const int nBursts = 20;  // 5 s
    for( int b = 0; b < nBursts; b++ )
    {
        const auto burstStart = t0 + std::chrono::milliseconds( 250 * b );
        for( int k = 0; k < 40; k++ )
        {
            if( bursts )
            {
                if( k == 0 ) std::this_thread::sleep_until( burstStart );
            }
            else
            {
                std::this_thread::sleep_until( burstStart + std::chrono::microseconds( 6250 * k ) );
            }
            Request r{ id++, kPaths[pick( rng )] };
            {
                ZoneScopedN( "Net::Accept" );
                char txt[128];
                int n = snprintf( txt, sizeof( txt ), "req=%d GET %s", r.id, r.path.c_str() );
                ZoneText( txt, n );
                busy_for( 40 * j( rng ) );
            }
            {
                std::lock_guard<std::mutex> lk( g_qmtx );
                g_queue.push_back( std::move( r ) );
                TracyPlot( "queue depth", (int64_t)g_queue.size() );
            }
            g_qcv.notify_one();
        }
    }
    {
        std::lock_guard<std::mutex> lk( g_qmtx );
        g_done = true;
    }
    g_qcv.notify_all();
}

int main( int argc, char** argv )
{
    const bool bursts = argc < 2 || strcmp( argv[1], "steady" ) != 0;
    TracyMessageL( "listening on 0.0.0.0:8080 (2 workers)" );
    std::vector<std::thread> workers;
    for( int i = 0; i < 2; i++ ) workers.emplace_back( Worker, i );
    std::atomic<bool> stop{ false };
    std::thread metrics( Metrics, &stop );
    std::thread acceptor( Acceptor, bursts );
    acceptor.join();
    for( auto& w : workers ) w.join();
    stop = true;
    metrics.join();
    TracyMessageL( "shutdown complete" );
    return 0;
}
