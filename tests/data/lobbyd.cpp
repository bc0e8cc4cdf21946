// lobbyd: a frame-less game-backend server (lobby / inventory / matchmaking service) instrumented with Tracy.
// Benchmark data tooling for profiler-analysis tests; not part of any project.
//
// Usage: lobbyd a|b
//   a   last week's build: sessions keep a lock-free "last seen" stamp, the janitor scans it without locking
//   b   today's build: sessions moved into a map guarded by one mutex; every request refreshes its session
//       under that mutex, and the janitor's periodic expiry sweep holds it for the whole sweep
//
// Run ONLY inside a loopback-only network namespace with TRACY_NO_EXIT=1 (record.sh does both).
// Work is emulated as wall-clock time (sleep until shortly before a deadline, then spin), so durations
// hold on a small shared machine.

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
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace lobby
{

volatile uint64_t g_scratch = 0;

// Busy for `us` microseconds of wall time: sleep most of it, spin the last ~200 us.
void Busy( double us )
{
    const auto deadline = SteadyClock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > 300.0 ) std::this_thread::sleep_until( deadline - 200us );
    uint64_t h = 1469598103934665603ull;
    while( SteadyClock::now() < deadline )
    {
        for( int i = 0; i < 64; i++ ) h = ( h ^ (uint64_t)i ) * 1099511628211ull;
    }
    g_scratch = g_scratch + h;
}

void Wait( double us ) { std::this_thread::sleep_for( std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) ) ); }

class Rng
{
public:
    explicit Rng( uint32_t seed ) : m_gen( seed ) {}
    double Uniform( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( m_gen ); }
    double Around( double v, double pct ) { return v * Uniform( 1.0 - pct, 1.0 + pct ); }
    double LogNormal( double median, double sigma )
    {
        return median * std::exp( sigma * std::normal_distribution<double>( 0.0, 1.0 )( m_gen ) );
    }
    int Poisson( double mean ) { return std::poisson_distribution<int>( mean )( m_gen ); }
    uint64_t U64() { return m_gen(); }

private:
    std::mt19937_64 m_gen;
};

void Log( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void Log( const char* fmt, ... )
{
    char buf[240];
    va_list ap;
    va_start( ap, fmt );
    int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    if( n >= (int)sizeof( buf ) ) n = sizeof( buf ) - 1;
    TracyMessage( buf, (size_t)n );
}

// ---- requests and the work queue ------------------------------------------------------------------------

enum class Kind : uint8_t { Inventory, Profile, Matchmake, Chat, Leaderboard };

struct Request
{
    uint64_t sessionId;
    Kind kind;
};

class RequestQueue
{
public:
    void Push( const Request& r )
    {
        {
            std::lock_guard<std::mutex> g( m_mx );
            m_items.push_back( r );
        }
        m_cv.notify_one();
    }
    bool Pop( Request& out )
    {
        std::unique_lock<std::mutex> g( m_mx );
        m_cv.wait( g, [this] { return !m_items.empty() || m_closed; } );
        if( m_items.empty() ) return false;
        out = m_items.front();
        m_items.pop_front();
        return true;
    }
    void Close()
    {
        {
            std::lock_guard<std::mutex> g( m_mx );
            m_closed = true;
        }
        m_cv.notify_all();
    }

private:
    std::mutex m_mx;
    std::condition_variable m_cv;
    std::deque<Request> m_items;
    bool m_closed = false;
};

// ---- sessions ----------------------------------------------------------------------------------------------

constexpr int kSessions = 4096;

struct SessionTable
{
    bool lockedDesign = false;  // build b

    // build a: lock-free last-seen stamps
    std::atomic<int64_t> stamps[kSessions];

    // build b: one map behind one mutex (only built in b, so a's capture never announces the lock)
    struct LockedMap
    {
        TracyLockableN( std::mutex, m_lock, "Session::m_lock" );
        std::unordered_map<uint64_t, int64_t> lastSeen;
    };
    std::unique_ptr<LockedMap> locked;

    SessionTable()
    {
        for( auto& s : stamps ) s.store( 0 );
    }

    static int64_t NowMs()
    {
        return std::chrono::duration_cast<std::chrono::milliseconds>( SteadyClock::now().time_since_epoch() ).count();
    }

    // build b only: called at the start of every request
    void Touch( uint64_t id )
    {
        ZoneScopedN( "Session::Touch" );
        std::lock_guard<LockableBase( std::mutex )> g( locked->m_lock );
        locked->lastSeen[id] = NowMs();
        Busy( 15 );
    }

    void StampLockFree( uint64_t id ) { stamps[id % kSessions].store( NowMs(), std::memory_order_relaxed ); }

    // Janitor: drop sessions idle for too long (same scan cost in both builds)
    int Expire( Rng& rng, double scanUs )
    {
        ZoneScopedN( "Session::Expire" );
        const int64_t cutoff = NowMs() - 1500;
        int dropped = 0;
        if( lockedDesign )
        {
            std::lock_guard<LockableBase( std::mutex )> g( locked->m_lock );
            auto& lastSeen = locked->lastSeen;
            for( auto it = lastSeen.begin(); it != lastSeen.end(); )
            {
                if( it->second < cutoff ) { it = lastSeen.erase( it ); dropped++; }
                else ++it;
            }
            Busy( scanUs );  // walk the per-session state (inventory leases, presence) while holding the lock
        }
        else
        {
            for( auto& s : stamps )
            {
                const int64_t v = s.load( std::memory_order_relaxed );
                if( v != 0 && v < cutoff ) { s.store( 0, std::memory_order_relaxed ); dropped++; }
            }
            Busy( scanUs );
        }
        (void)rng;
        return dropped;
    }
};

// ---- matchmaking pool (busy, barely contended lock; same in both builds) ---------------------------------

struct MatchPool
{
    TracyLockableN( std::mutex, m_poolLock, "Matchmaker::m_poolLock" );
    std::vector<uint64_t> waiting;
};

// ---- globals ----------------------------------------------------------------------------------------------

std::atomic<bool> g_running{ true };
std::atomic<uint64_t> g_served{ 0 };
SessionTable* g_sessions = nullptr;
MatchPool* g_pool = nullptr;
RequestQueue* g_queue = nullptr;

// ---- request handling (the Worker threads) ---------------------------------------------------------------

void HandleRequest( const Request& r, Rng& rng, bool lockedSessions )
{
    ZoneScopedN( "Request::Handle" );
    {
        ZoneScopedN( "Proto::Decode" );
        Busy( rng.Around( 120, 0.2 ) );
    }
    if( lockedSessions ) g_sessions->Touch( r.sessionId );
    else g_sessions->StampLockFree( r.sessionId );

    switch( r.kind )
    {
    case Kind::Inventory:
    {
        ZoneScopedN( "Inventory::ApplyTransaction" );
        Busy( rng.LogNormal( 1650, 0.30 ) );
        break;
    }
    case Kind::Profile:
    {
        ZoneScopedN( "Profile::Fetch" );
        Busy( rng.LogNormal( 1700, 0.30 ) );
        break;
    }
    case Kind::Matchmake:
    {
        ZoneScopedN( "Match::Enqueue" );
        Busy( rng.LogNormal( 1450, 0.30 ) );
        std::lock_guard<LockableBase( std::mutex )> g( g_pool->m_poolLock );
        g_pool->waiting.push_back( r.sessionId );
        Busy( 20 );
        break;
    }
    case Kind::Chat:
    {
        ZoneScopedN( "Chat::Relay" );
        Busy( rng.LogNormal( 800, 0.25 ) );
        break;
    }
    case Kind::Leaderboard:
    {
        ZoneScopedN( "Leaderboard::Query" );
        Busy( rng.Around( 6400, 0.10 ) );  // rare and heavy, same in both builds
        break;
    }
    }
    {
        ZoneScopedN( "Proto::Encode" );
        Busy( rng.Around( 150, 0.2 ) );
    }
    g_served.fetch_add( 1, std::memory_order_relaxed );
}

void WorkerMain( int idx, bool lockedSessions )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", idx );
    tracy::SetThreadName( name );
    Rng rng( 1000 + idx );
    Request r;
    while( g_queue->Pop( r ) ) HandleRequest( r, rng, lockedSessions );
}

// ---- network intake: Poisson arrivals, ~800 requests/s ------------------------------------------------

void NetIOMain()
{
    tracy::SetThreadName( "NetIO" );
    Rng rng( 7 );
    auto tick = SteadyClock::now();
    while( g_running.load() )
    {
        {
            ZoneScopedN( "Net::PollSockets" );
            const int n = rng.Poisson( 1.6 );
            Busy( 40 + 25.0 * n );
            for( int i = 0; i < n; i++ )
            {
                const double u = rng.Uniform( 0.0, 1.0 );
                Kind k = u < 0.55 ? Kind::Inventory
                       : u < 0.80 ? Kind::Profile
                       : u < 0.95 ? Kind::Matchmake
                       : u < 0.995 ? Kind::Chat
                                   : Kind::Leaderboard;
                g_queue->Push( Request{ rng.U64() % 3000, k } );
            }
        }
        tick += 2ms;
        std::this_thread::sleep_until( tick );
    }
}

// ---- background threads -----------------------------------------------------------------------------------

void JanitorMain()
{
    tracy::SetThreadName( "Janitor" );
    Rng rng( 99 );
    auto tick = SteadyClock::now() + 37ms;
    int cycles = 0;
    while( g_running.load() )
    {
        std::this_thread::sleep_until( tick );
        tick += 100ms;
        {
            ZoneScopedN( "Janitor::Sweep" );
            const int dropped = g_sessions->Expire( rng, rng.Around( 10000, 0.10 ) );
            {
                ZoneScopedN( "Janitor::TrimLogs" );
                Busy( rng.Around( 900, 0.1 ) );
            }
            if( ++cycles % 10 == 0 ) Log( "janitor: cycle %d, %d idle sessions expired", cycles, dropped );
        }
    }
}

void MatchmakerMain()
{
    tracy::SetThreadName( "Matchmaker" );
    Rng rng( 55 );
    auto tick = SteadyClock::now() + 11ms;
    int matches = 0;
    while( g_running.load() )
    {
        std::this_thread::sleep_until( tick );
        tick += 50ms;
        ZoneScopedN( "Matchmaker::Tick" );
        {
            ZoneScopedN( "Matchmaker::ScoreCandidates" );
            Busy( rng.Around( 4200, 0.1 ) );
        }
        {
            ZoneScopedN( "Matchmaker::FormMatches" );
            std::lock_guard<LockableBase( std::mutex )> g( g_pool->m_poolLock );
            matches += (int)g_pool->waiting.size() / 8;
            g_pool->waiting.clear();
            Busy( 150 );
        }
    }
    Log( "matchmaker: %d matches formed", matches );
}

void PersistenceMain()
{
    tracy::SetThreadName( "Persistence" );
    Rng rng( 31 );
    auto tick = SteadyClock::now() + 180ms;
    while( g_running.load() )
    {
        std::this_thread::sleep_until( tick );
        tick += 400ms;
        ZoneScopedN( "Persistence::FlushDirty" );
        {
            ZoneScopedN( "Db::WriteBatch" );
            Wait( rng.Around( 32000, 0.1 ) );  // database round trip
        }
        {
            ZoneScopedN( "Persistence::CompactJournal" );
            Busy( rng.Around( 4000, 0.1 ) );
        }
    }
}

// ---- boot -------------------------------------------------------------------------------------------------

void Boot( Rng& rng )
{
    ZoneScopedN( "Server::Boot" );
    {
        ZoneScopedN( "Config::Load" );
        Busy( rng.Around( 25000, 0.05 ) );
    }
    {
        ZoneScopedN( "Content::LoadCatalog" );
        Wait( rng.Around( 140000, 0.05 ) );
    }
    {
        ZoneScopedN( "Db::OpenPool" );
        Wait( rng.Around( 60000, 0.05 ) );
    }
    Log( "catalog loaded: 18422 items, 311 bundles" );
}

int Run( bool buildB )
{
    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char* appInfo = "lobbyd (game backend: lobby, inventory, matchmaking), 4 worker threads";
    TracyAppInfo( appInfo, strlen( appInfo ) );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );

    Rng rng( 4242 );
    static SessionTable sessions;
    static MatchPool pool;
    static RequestQueue queue;
    sessions.lockedDesign = buildB;
    if( buildB ) sessions.locked = std::make_unique<SessionTable::LockedMap>();
    g_sessions = &sessions;
    g_pool = &pool;
    g_queue = &queue;

    if( buildB ) Log( "lobbyd 3.15.0 (build 5127, 2024-11-25)" );
    else Log( "lobbyd 3.14.2 (build 5064, 2024-11-18)" );
    Boot( rng );

    std::vector<std::thread> threads;
    for( int i = 0; i < 4; i++ ) threads.emplace_back( WorkerMain, i, buildB );
    threads.emplace_back( JanitorMain );
    threads.emplace_back( MatchmakerMain );
    threads.emplace_back( PersistenceMain );
    std::thread net( NetIOMain );
    Log( "listening on :7400" );

    const auto start = SteadyClock::now();
    auto tick = start;
    while( SteadyClock::now() - start < 5s )
    {
        tick += 500ms;
        std::this_thread::sleep_until( tick );
        ZoneScopedN( "Server::PublishHeartbeat" );
        Busy( rng.Around( 600, 0.1 ) );
    }

    g_running.store( false );
    net.join();
    queue.Close();
    for( auto& t : threads ) t.join();
    Log( "shutdown: %llu requests served", (unsigned long long)g_served.load() );
    std::this_thread::sleep_for( 50ms );
    return 0;
}

}  // namespace lobby

int main( int argc, char** argv )
{
    if( argc != 2 || ( strcmp( argv[1], "a" ) != 0 && strcmp( argv[1], "b" ) != 0 ) )
    {
        fprintf( stderr, "usage: lobbyd a|b\n" );
        return 2;
    }
    return lobby::Run( argv[1][0] == 'b' );
}
