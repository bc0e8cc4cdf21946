// svcleak: a small HTTP-ish API service (no frames). One acceptor thread polls the listen socket and queues requests,
// three worker threads serve them (every request is one `Server::HandleRequest` zone, whatever its route), and a
// flusher thread sends the finished responses, writes the access log and releases their buffers.
//
// Every heap block goes through Mem::Alloc / Mem::Free (noinline), which report it to Tracy with a 12-deep callstack
// (TracyAllocS / TracyFreeS). The helpers that allocate are noinline too, so the callstacks name them: the zone alone
// does not say which code allocated.
//
// Scenarios:
//   leak_by_stack   steady traffic for 5 s; GET /api/session leaks its header copy on a session-cache hit
//   load_spike      steady traffic for 5 s, plus a bulk import between 1.6 s and 2.8 s that stages big buffers,
//                   committed (and released) when the import ends
//   regress a|b     steady traffic for 5 s; in b, Json::Serialize reserves twice the bytes for every response
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "tracy/Tracy.hpp"

#define NOINLINE __attribute__( ( noinline ) )

using Clock = std::chrono::steady_clock;
static constexpr int kDepth = 12;
static volatile double g_sink = 0.0;

static void Work( double us )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    const double tail = 120.0;
    if( us > tail + 100.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
    {
        for( int i = 0; i < 200; i++ ) x = x * 1.0000001 + 0.5;
    }
    g_sink = g_sink + x;
}

static uint64_t Hash( uint64_t x )
{
    x += 0x9e3779b97f4a7c15ull;
    x = ( x ^ ( x >> 30 ) ) * 0xbf58476d1ce4e5b9ull;
    x = ( x ^ ( x >> 27 ) ) * 0x94d049bb133111ebull;
    return x ^ ( x >> 31 );
}

struct Options
{
    bool leak = false;       // Session::CacheHeaders drops its copy on a cache hit instead of freeing it
    bool importLoad = false; // bulk import burst
    bool bigJson = false;    // Json::Serialize reserves 2x
    double seconds = 5.0;
};
static Options g_opt;

// ----------------------------------------------------------------------------------------------------------------
namespace Mem
{
NOINLINE void* Alloc( size_t size )
{
    void* p = malloc( size );
    TracyAllocS( p, size, kDepth );
    asm volatile( "" ::: "memory" );
    return p;
}

NOINLINE void Free( void* p )
{
    if( !p ) return;
    TracyFreeS( p, kDepth );
    free( p );
    asm volatile( "" ::: "memory" );
}
} // namespace Mem

// ----------------------------------------------------------------------------------------------------------------
enum class Route
{
    Items,
    Session,
    Orders,
    Health,
    Import,
    Commit
};

struct Request
{
    uint64_t id;
    Route route;
    uint32_t user;
};

struct Response
{
    void* body;
    void* logLine;
    uint64_t id;
};

// ----------------------------------------------------------------------------------------------------------------
// request queue (acceptor -> workers), response queue (workers -> flusher)
static std::mutex g_qLock;
static std::condition_variable g_qCv;
static std::deque<Request> g_queue;
static bool g_acceptDone = false;

static std::mutex g_respLock;
static std::vector<Response> g_responses;
static std::atomic<int> g_inFlight{ 0 };
static std::atomic<bool> g_workersDone{ false };

// ----------------------------------------------------------------------------------------------------------------
namespace Metrics
{
static std::vector<void*> g_registry;
NOINLINE void RegisterCounters()
{
    // three counter tables, kept for the life of the process
    g_registry.push_back( Mem::Alloc( 16384 ) );
    g_registry.push_back( Mem::Alloc( 8192 ) );
    g_registry.push_back( Mem::Alloc( 4096 ) );
}
} // namespace Metrics

namespace ConnPool
{
static std::vector<void*> g_conns;
NOINLINE void Open( int n )
{
    for( int i = 0; i < n; i++ ) g_conns.push_back( Mem::Alloc( 4096 ) );
}
NOINLINE void CloseAll()
{
    for( void* p : g_conns ) Mem::Free( p );
    g_conns.clear();
}
} // namespace ConnPool

// ----------------------------------------------------------------------------------------------------------------
static size_t HeaderBytes( uint64_t id ) { return 256 + ( Hash( id * 3 + 1 ) % 49 ) * 16; } // 256..1024

namespace Session
{
NOINLINE void* ParseHeaders( const Request& r )
{
    void* h = Mem::Alloc( HeaderBytes( r.id ) );
    Work( 80 );
    return h;
}

static std::mutex g_cacheLock;
static std::unordered_map<uint32_t, void*> g_cache;

// Keeps a copy of the session's headers (same size as the parsed block) in the per-user cache.
NOINLINE void CacheHeaders( const Request& r, const void* parsed )
{
    const size_t n = HeaderBytes( r.id );
    void* copy = Mem::Alloc( n );
    memcpy( copy, parsed, 64 );
    std::lock_guard<std::mutex> lk( g_cacheLock );
    auto it = g_cache.find( r.user );
    if( it == g_cache.end() )
    {
        g_cache.emplace( r.user, copy );
        return;
    }
    // cache hit: the entry is already there
    if( !g_opt.leak ) Mem::Free( copy );
}

NOINLINE void ClearCache()
{
    std::lock_guard<std::mutex> lk( g_cacheLock );
    for( auto& kv : g_cache ) Mem::Free( kv.second );
    g_cache.clear();
}
} // namespace Session

namespace Auth
{
NOINLINE void* DecodeToken( const Request& r )
{
    void* t = Mem::Alloc( 128 + ( Hash( r.id * 5 + 2 ) % 25 ) * 16 ); // 128..512
    Work( 120 );
    return t;
}
} // namespace Auth

namespace Db
{
NOINLINE void* FetchRows( const Request& r )
{
    void* rows = Mem::Alloc( 4096 + ( Hash( r.id * 7 + 3 ) % 5 ) * 1024 ); // 4..8 KiB
    Work( 900 );
    return rows;
}
NOINLINE void InsertOrder( const Request& r )
{
    (void)r;
    Work( 1400 );
}
} // namespace Db

namespace Compress
{
NOINLINE void* InflateBody( const Request& r )
{
    (void)r;
    void* scratch = Mem::Alloc( 65536 );
    Work( 500 );
    return scratch;
}
} // namespace Compress

namespace Json
{
NOINLINE void* Serialize( const Request& r, size_t payload )
{
    (void)r;
    const size_t reserve = g_opt.bigJson ? payload * 2 : payload;
    void* out = Mem::Alloc( reserve );
    Work( 150 );
    return out;
}
} // namespace Json

namespace Batch
{
static std::mutex g_stageLock;
static std::vector<void*> g_staged;
static constexpr int kChunks = 6;
static constexpr size_t kChunkBytes = 256 * 1024;

NOINLINE void Buffer( const Request& r, int chunk )
{
    (void)r;
    (void)chunk;
    void* b = Mem::Alloc( kChunkBytes );
    memset( b, 0, 4096 );
    std::lock_guard<std::mutex> lk( g_stageLock );
    g_staged.push_back( b );
}

NOINLINE int Commit()
{
    std::vector<void*> staged;
    {
        std::lock_guard<std::mutex> lk( g_stageLock );
        staged.swap( g_staged );
    }
    int n = 0;
    for( size_t i = 0; i < staged.size(); i++ )
    {
        if( i % kChunks == 0 ) Work( 1500 ); // write one staged batch to the table
        Mem::Free( staged[i] );
        n++;
    }
    return n;
}
} // namespace Batch

namespace Log
{
NOINLINE void* FormatLine( const Request& r )
{
    return Mem::Alloc( 128 + ( Hash( r.id * 11 + 4 ) % 9 ) * 16 ); // 128..256
}
} // namespace Log

// ----------------------------------------------------------------------------------------------------------------
namespace Api
{
NOINLINE void* ListItems( const Request& r )
{
    void* hdr = Session::ParseHeaders( r );
    void* rows = Db::FetchRows( r );
    void* body = Json::Serialize( r, 2048 + ( Hash( r.id * 13 + 5 ) % 15 ) * 1024 ); // 2..16 KiB
    Mem::Free( rows );
    Mem::Free( hdr );
    return body;
}

NOINLINE void* GetSession( const Request& r )
{
    void* hdr = Session::ParseHeaders( r );
    Session::CacheHeaders( r, hdr );
    Work( 200 );
    void* body = Json::Serialize( r, 1024 + ( Hash( r.id * 17 + 6 ) % 4 ) * 512 ); // 1..2.5 KiB
    Mem::Free( hdr );
    return body;
}

NOINLINE void* CreateOrder( const Request& r )
{
    void* hdr = Session::ParseHeaders( r );
    void* tok = Auth::DecodeToken( r );
    void* scratch = Compress::InflateBody( r );
    Db::InsertOrder( r );
    Mem::Free( scratch );
    void* body = Json::Serialize( r, 1024 );
    Mem::Free( tok );
    Mem::Free( hdr );
    return body;
}

NOINLINE void* Health( const Request& r )
{
    (void)r;
    Work( 60 );
    return nullptr;
}

NOINLINE void* ImportBatch( const Request& r )
{
    void* hdr = Session::ParseHeaders( r );
    void* tok = Auth::DecodeToken( r );
    for( int c = 0; c < Batch::kChunks; c++ )
    {
        Batch::Buffer( r, c );
        Work( 250 );
    }
    void* body = Json::Serialize( r, 512 );
    Mem::Free( tok );
    Mem::Free( hdr );
    return body;
}

NOINLINE void* CommitImport( const Request& r )
{
    void* hdr = Session::ParseHeaders( r );
    const int n = Batch::Commit();
    char msg[96];
    snprintf( msg, sizeof( msg ), "Import committed: %d staged chunks released", n );
    TracyMessage( msg, strlen( msg ) );
    void* body = Json::Serialize( r, 512 );
    Mem::Free( hdr );
    return body;
}
} // namespace Api

namespace Router
{
NOINLINE void* Dispatch( const Request& r )
{
    switch( r.route )
    {
    case Route::Items: return Api::ListItems( r );
    case Route::Session: return Api::GetSession( r );
    case Route::Orders: return Api::CreateOrder( r );
    case Route::Health: return Api::Health( r );
    case Route::Import: return Api::ImportBatch( r );
    case Route::Commit: return Api::CommitImport( r );
    }
    return nullptr;
}
} // namespace Router

static const char* RouteText( Route r )
{
    switch( r )
    {
    case Route::Items: return "GET /api/items";
    case Route::Session: return "GET /api/session";
    case Route::Orders: return "POST /api/orders";
    case Route::Health: return "GET /healthz";
    case Route::Import: return "POST /api/import";
    case Route::Commit: return "POST /api/import/commit";
    }
    return "?";
}

namespace Server
{
NOINLINE void HandleRequest( const Request& r )
{
    ZoneScopedN( "Server::HandleRequest" );
    const char* t = RouteText( r.route );
    ZoneText( t, strlen( t ) );
    void* body = Router::Dispatch( r );
    void* line = Log::FormatLine( r );
    {
        std::lock_guard<std::mutex> lk( g_respLock );
        g_responses.push_back( { body, line, r.id } );
    }
    g_inFlight.fetch_sub( 1 );
}
} // namespace Server

namespace Worker
{
NOINLINE void Run( int idx )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    tracy::SetThreadName( name );
    for( ;; )
    {
        Request r;
        {
            std::unique_lock<std::mutex> lk( g_qLock );
            g_qCv.wait( lk, [] { return !g_queue.empty() || g_acceptDone; } );
            if( g_queue.empty() ) return;
            r = g_queue.front();
            g_queue.pop_front();
        }
        Server::HandleRequest( r );
    }
}
} // namespace Worker

// ----------------------------------------------------------------------------------------------------------------
namespace Net
{
NOINLINE void ReleaseResponse( Response& resp )
{
    Mem::Free( resp.body );
    Mem::Free( resp.logLine );
}

NOINLINE void FlushResponses()
{
    std::vector<Response> batch;
    {
        std::lock_guard<std::mutex> lk( g_respLock );
        batch.swap( g_responses );
    }
    if( batch.empty() ) return;
    ZoneScopedN( "Net::FlushResponses" );
    ZoneValue( batch.size() );
    Work( 60 + 25.0 * batch.size() );
    {
        ZoneScopedN( "Log::WriteAccessLog" );
        Work( 40 + 10.0 * batch.size() );
    }
    for( auto& resp : batch ) ReleaseResponse( resp );
}

NOINLINE void FlusherMain()
{
    tracy::SetThreadName( "Flusher" );
    for( ;; )
    {
        const bool last = g_workersDone.load();
        FlushResponses();
        if( last ) break;
        std::this_thread::sleep_for( std::chrono::milliseconds( 10 ) );
    }
}

NOINLINE void AcceptorMain()
{
    tracy::SetThreadName( "Acceptor" );
    const auto start = Clock::now();
    const auto tick = std::chrono::milliseconds( 10 );
    uint64_t nextId = 1;
    int importSent = 0;
    bool commitSent = false;
    const int totalTicks = (int)( g_opt.seconds * 100.0 );
    for( int t = 0; t < totalTicks; t++ )
    {
        std::this_thread::sleep_until( start + tick * t );
        const double now = t * 0.01;
        ZoneScopedN( "Net::PollAccept" );
        std::vector<Request> got;
        for( int k = 0; k < 4; k++ )
        {
            const uint64_t id = nextId++;
            const uint64_t h = Hash( id ) % 100;
            Route route = h < 40 ? Route::Items : h < 65 ? Route::Session : h < 85 ? Route::Orders : Route::Health;
            got.push_back( { id, route, (uint32_t)( Hash( id * 19 + 7 ) % 24 ) } );
        }
        if( g_opt.importLoad )
        {
            if( now >= 1.6 && now < 2.8 && ( t % 2 ) == 0 )
            {
                if( importSent == 0 ) TracyMessageL( "Bulk import started (load test)" );
                got.push_back( { nextId++, Route::Import, 0 } );
                importSent++;
            }
            if( now >= 2.8 && !commitSent )
            {
                got.push_back( { nextId++, Route::Commit, 0 } );
                commitSent = true;
                TracyMessageL( "Bulk import finished, committing" );
            }
        }
        Work( 30 );
        g_inFlight.fetch_add( (int)got.size() );
        {
            std::lock_guard<std::mutex> lk( g_qLock );
            for( auto& r : got ) g_queue.push_back( r );
            TracyPlot( "Server.QueueDepth", (int64_t)g_queue.size() );
        }
        TracyPlot( "Server.InFlight", (int64_t)g_inFlight.load() );
        g_qCv.notify_all();
    }
    {
        std::lock_guard<std::mutex> lk( g_qLock );
        g_acceptDone = true;
    }
    g_qCv.notify_all();
    TracyMessageL( "Acceptor: listen socket closed, draining" );
}
} // namespace Net

namespace Server
{
NOINLINE void Init()
{
    ZoneScopedN( "Server::Init" );
    Metrics::RegisterCounters();
    ConnPool::Open( 64 );
    Work( 20000 );
    TracyMessageL( "Server listening on 0.0.0.0:8080" );
}

NOINLINE void Shutdown()
{
    ZoneScopedN( "Server::Shutdown" );
    Session::ClearCache();
    ConnPool::CloseAll();
    Work( 5000 );
    TracyMessageL( "Server stopped" );
}
} // namespace Server

int main( int argc, char** argv )
{
    std::string scen = argc > 1 ? argv[1] : "";
    if( scen == "leak_by_stack" ) g_opt.leak = true;
    else if( scen == "load_spike" ) g_opt.importLoad = true;
    else if( scen == "regress" && argc > 2 ) g_opt.bigJson = std::string( argv[2] ) == "b";
    else
    {
        fprintf( stderr, "usage: %s leak_by_stack|load_spike|regress a|b\n", argv[0] );
        return 1;
    }
    std::this_thread::sleep_for( std::chrono::milliseconds( 200 ) ); // let the profiler connect

    Server::Init();
    std::thread flusher( Net::FlusherMain );
    std::vector<std::thread> workers;
    for( int i = 0; i < 3; i++ ) workers.emplace_back( Worker::Run, i );
    std::thread acceptor( Net::AcceptorMain );

    acceptor.join();
    for( auto& w : workers ) w.join();
    g_workersDone = true;
    flusher.join();
    Server::Shutdown();
    std::this_thread::sleep_for( std::chrono::milliseconds( 100 ) );
    return 0;
}
