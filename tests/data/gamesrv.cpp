// gamesrv: an authoritative multiplayer game server instrumented with Tracy (benchmark data for profiler-analysis
// tools; not part of any project). The main thread runs a fixed 30 Hz tick (33.33 ms): each tick is a zone
// Server::Tick > Net::ProcessConnections, Net::DrainInputs (per client, takes SessionTable::mutex),
// Sim::UpdateEntities (> Sim::Physics, Sim::Combat), AI::Update (> AI::Plan, then AI::Pathfind jobs on the pool
// "ai-worker-0..2", waited for in Jobs::Wait), Replication::BuildSnapshots (> one Replication::BuildSnapshot per
// connected client, ZoneText the client), Net::QueueSnapshots (hands the packets to "net-send"); then
// Tick::WaitForNextTick sleeps to the next tick boundary and FrameMark closes the tick. An overrun tick starts the
// next one at once (the schedule slips, no catch-up), so a frame lasts max(period, busy time).
// Other threads: "net-recv" (Net::Recv, Net::Decrypt, Session::Lookup under SessionTable::mutex), "net-send"
// (Net::SendSnapshots > Net::Send under Stats::mutex), "persist" (Persist::WriteCheckpoint every 2 s).
// Plots "players", "entities", "bytes/tick". Pools "snapshots" (per-client history, 32 ticks deep), default pool
// (packet buffers, freed by net-send), "navmesh" (loaded at start, freed at shutdown).
//
// Usage: gamesrv <scenario> [variant]
//   path_burst       5 NPC waves ("wave N: 40 NPCs spawned"); every NPC of the wave re-paths on the spawn tick and
//                    blocked NPCs re-path again on the next ticks: AI::Pathfind piles up, those ticks overrun
//   snapshot_growth  players join steadily (8 -> 64); Replication::BuildSnapshot scans every player's entities, so
//                    BuildSnapshots is O(players^2) and the last third of the ticks overrun
//   session_lock     net-recv holds SessionTable::mutex while it decrypts each packet (Net::Decrypt under the
//                    lock); Net::DrainInputs on the main thread waits for it every tick. Stats::mutex busy, uncontended
//   disconnect_leak  a client that disconnects by timeout leaves its snapshot history (pool "snapshots") allocated;
//                    clients that quit free it; packet buffers churn and are freed
//   regress a|b      steady load; b: Sim::Combat 2x slower, Replication::BuildSnapshot 1.4x faster,
//                    Net::DrainInputs renamed Net::PumpInputs, AI::Pathfind twice as many calls with half the work
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

void busy_for( double us, double tail_us = 60.0 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > tail_us + std::min( 150.0, 2.0 * tail_us ) ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
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

// ---- scenario knobs --------------------------------------------------------------------------------------

enum class scen { path_burst, snapshot_growth, session_lock, disconnect_leak, regress_a, regress_b };
scen g_s;
constexpr int kTicks = 180;
constexpr double kPeriodUs = 1e6 / 30.0;
constexpr int kHistory = 32;

std::atomic<bool> g_stop{ false };

const char* const kSnapPool = "snapshots";
const char* const kNavPool = "navmesh";

// ---- locks -------------------------------------------------------------------------------------------------

TracyLockableN( std::mutex, g_sessions, "SessionTable::mutex" );
TracyLockableN( std::mutex, g_stats, "Stats::mutex" );

// ---- clients -----------------------------------------------------------------------------------------------

const char* const kNames[] = { "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
                               "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent",
                               "victor", "walter", "yuki", "zoe", "oscar", "quinn", "uma" };
constexpr int kNumNames = sizeof( kNames ) / sizeof( kNames[0] );

struct client
{
    int id;
    char name[32];
    std::deque<void*> history;   // snapshot buffers of pool "snapshots", oldest first
    int pending_inputs = 0;      // written by net-recv under SessionTable::mutex
};

std::vector<std::unique_ptr<client>> g_clients;   // connected clients; changed by main under SessionTable::mutex
std::atomic<int> g_nclients{ 0 };

// ---- net-recv ----------------------------------------------------------------------------------------------

std::atomic<int> g_tick_no{ -1 };            // published by main at every tick start (polled by net-recv,
std::atomic<int64_t> g_tick_start_ns{ 0 };   // so main never wakes it: no wake-up preemption of main)

void net_recv_loop()
{
    name_thread( "net-recv" );
    rng_t r( 301 + ( g_s == scen::regress_b ? 7 : 0 ) );
    int seen = -1;
    const bool decrypt_under_lock = g_s == scen::session_lock;
    for( ;; )
    {
        while( !g_stop.load() && g_tick_no.load() == seen ) std::this_thread::sleep_for( 200us );   // idle: not zoned
        if( g_stop.load() ) break;
        seen = g_tick_no.load();
        // clients answer each snapshot with one input packet; they land spread over the first ~7 ms of the tick
        const auto t0 = Clock::time_point( std::chrono::nanoseconds( g_tick_start_ns.load() ) );
        const int n = g_nclients.load();
        std::vector<double> arr( (size_t)n );
        for( auto& a : arr ) a = r.uni( 0, 7000 );
        std::sort( arr.begin(), arr.end() );
        int i = 0;
        while( i < n && !g_stop.load() )
        {
            // recvmmsg: block until the next packet, take everything that has arrived by then
            int got = 0;
            {
                ZoneScopedN( "Net::Recv" );
                const auto at = t0 + std::chrono::nanoseconds( (int64_t)( arr[(size_t)i] * 1000 ) );
                if( Clock::now() < at ) std::this_thread::sleep_until( at );
                const double now_us = std::chrono::duration<double, std::micro>( Clock::now() - t0 ).count();
                while( i + got < n && arr[(size_t)( i + got )] <= now_us ) got++;
                got = std::max( got, 1 );
                busy_for( r( 20 + 4.0 * got ) );
                ZoneValue( (uint64_t)got );
            }
            for( int k = 0; k < got; k++ )
            {
                const bool big = r.chance( 0.08 );   // voice / chat bundles
                const double dec_us = big ? r.uni( 700, 1000 ) : r( 330, 0.15 );
                if( decrypt_under_lock )
                {
                    // the session is looked up first and the table stays locked while the payload is decrypted
                    std::lock_guard<LockableBase( std::mutex )> lk( g_sessions );
                    {
                        ZoneScopedN( "Session::Lookup" );
                        busy_for( r( 12 ) );
                    }
                    {
                        ZoneScopedN( "Net::Decrypt" );
                        busy_for( dec_us );
                    }
                    if( !g_clients.empty() ) g_clients[(size_t)r.irange( 0, (int)g_clients.size() - 1 )]->pending_inputs++;
                }
                else
                {
                    {
                        ZoneScopedN( "Net::Decrypt" );
                        busy_for( dec_us );
                    }
                    std::lock_guard<LockableBase( std::mutex )> lk( g_sessions );
                    ZoneScopedN( "Session::Lookup" );
                    busy_for( r( 12 ) );
                    if( !g_clients.empty() ) g_clients[(size_t)r.irange( 0, (int)g_clients.size() - 1 )]->pending_inputs++;
                }
            }
            i += got;
        }
    }
}

// ---- net-send ----------------------------------------------------------------------------------------------

struct packet
{
    void* buf;
    size_t size;
};

std::mutex g_send_m;
std::condition_variable g_send_cv;
std::deque<std::vector<packet>> g_send_q;
int64_t g_stat_bytes = 0;   // under Stats::mutex
int64_t g_stat_packets = 0;

void net_send_loop()
{
    name_thread( "net-send" );
    rng_t r( 401 );
    for( ;; )
    {
        std::vector<packet> batch;
        {
            std::unique_lock<std::mutex> lk( g_send_m );
            g_send_cv.wait( lk, [] { return g_stop.load() || !g_send_q.empty(); } );   // idle: not zoned
            if( g_send_q.empty() ) break;
            batch = std::move( g_send_q.front() );
            g_send_q.pop_front();
        }
        ZoneScopedN( "Net::SendSnapshots" );
        for( auto& p : batch )
        {
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_stats );   // busy, but only net-send takes it
                ZoneScopedN( "Net::Send" );                                   // except main once per tick
                busy_for( r( 55 + p.size * 0.01 ) );
                g_stat_bytes += (int64_t)p.size;
                g_stat_packets++;
            }
            TracyFree( p.buf );
            free( p.buf );
        }
    }
}

// ---- persist (distractor: long, off the tick) ------------------------------------------------------------

std::mutex g_persist_m;
std::condition_variable g_persist_cv;
int g_persist_req = 0;

void persist_loop()
{
    name_thread( "persist" );
    rng_t r( 501 );
    int done = 0;
    for( ;; )
    {
        {
            std::unique_lock<std::mutex> lk( g_persist_m );
            g_persist_cv.wait( lk, [&] { return g_stop.load() || g_persist_req != done; } );
            if( g_persist_req == done ) break;
            done++;
        }
        ZoneScopedN( "Persist::WriteCheckpoint" );
        {
            ZoneScopedN( "Persist::Serialize" );
            busy_for( r( 38000, 0.1 ), 200 );
        }
        {
            ZoneScopedN( "Persist::Fsync" );
            busy_for( r( 52000, 0.2 ), 100 );
        }
        log_msg( "checkpoint %d written (%d KB)", done, r.irange( 380, 460 ) );
    }
}

// ---- AI workers --------------------------------------------------------------------------------------------

struct job
{
    int npc;
    double us;
};

std::mutex g_jobs_m;
std::condition_variable g_jobs_cv, g_jobs_done_cv;
std::deque<job> g_jobs;
int g_jobs_left = 0;

void ai_worker_loop( int i )
{
    char name[16];
    snprintf( name, sizeof( name ), "ai-worker-%d", i );
    name_thread( name );
    for( ;; )
    {
        job j;
        {
            std::unique_lock<std::mutex> lk( g_jobs_m );
            g_jobs_cv.wait( lk, [] { return g_stop.load() || !g_jobs.empty(); } );   // idle: not zoned
            if( g_jobs.empty() ) break;
            j = g_jobs.front();
            g_jobs.pop_front();
        }
        {
            ZoneScopedN( "AI::Pathfind" );
            char txt[32];
            ZoneText( txt, (size_t)snprintf( txt, sizeof( txt ), "npc %d", j.npc ) );
            busy_for( j.us );
        }
        {
            std::lock_guard<std::mutex> lk( g_jobs_m );
            if( --g_jobs_left == 0 ) g_jobs_done_cv.notify_all();
        }
    }
}

// ---- the server (main thread) ------------------------------------------------------------------------------

struct server
{
    rng_t r{ 101 };
    rng_t churn{ 202 };
    int next_client_id = 1;
    int npcs = 230;
    int next_npc = 5000;
    int wave_no = 0;
    int stagger_left = 0;   // wave NPCs still to re-path, a few per tick (the fix path_burst lacks)
    int burst_next[2] = { 0, 0 };
    void* navmesh = nullptr;
    std::vector<std::thread> threads;
    size_t tick_bytes = 0;
    int ncheck = 0;

    bool regress() const { return g_s == scen::regress_a || g_s == scen::regress_b; }

    void add_client( int tick )
    {
        ZoneScopedN( "Session::Accept" );
        auto c = std::make_unique<client>();
        c->id = next_client_id++;
        snprintf( c->name, sizeof( c->name ), "%s#%d", kNames[( c->id * 7 ) % kNumNames], c->id );
        busy_for( r( 120 ) );
        log_msg( "client %s connected from 10.0.%d.%d:%d", c->name, churn.irange( 1, 9 ), churn.irange( 2, 250 ),
                 churn.irange( 40000, 60000 ) );
        (void)tick;
        std::lock_guard<LockableBase( std::mutex )> lk( g_sessions );
        g_clients.push_back( std::move( c ) );
        g_nclients = (int)g_clients.size();
    }

    void free_history( client& c )
    {
        for( void* p : c.history )
        {
            TracyFreeN( p, kSnapPool );
            free( p );
        }
        c.history.clear();
    }

    void remove_client( size_t idx, bool timeout )
    {
        ZoneScopedN( "Session::Close" );
        std::unique_ptr<client> c;
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_sessions );
            c = std::move( g_clients[idx] );
            g_clients.erase( g_clients.begin() + (long)idx );
            g_nclients = (int)g_clients.size();
        }
        busy_for( r( 80 ) );
        if( timeout )
        {
            log_msg( "client %s disconnected (timeout)", c->name );
            if( g_s == scen::disconnect_leak )
            {
                // the timeout path drops the session but forgets its snapshot history: the buffers stay allocated
                c->history.clear();
                (void)c.release();
                return;
            }
            free_history( *c );
        }
        else
        {
            log_msg( "client %s left (quit)", c->name );
            free_history( *c );
        }
    }

    void startup()
    {
        tracy::SetThreadName( "main" );
        prctl( PR_SET_TIMERSLACK, 1UL );
        const char* info = "gamesrv 2.14.3 (arena-eu-west-2, map dunes_v7)";
        TracyAppInfo( info, strlen( info ) );
        while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );
        ZoneScopedN( "Server::Startup" );
        {
            ZoneScopedN( "World::LoadNavmesh" );
            navmesh = malloc( 6 * 1024 * 1024 );
            memset( navmesh, 0, 4096 );
            TracyAllocN( navmesh, 6 * 1024 * 1024, kNavPool );
            busy_for( 90000, 300 );
        }
        {
            ZoneScopedN( "World::SpawnInitialNpcs" );
            busy_for( 30000, 300 );
        }
        for( int i = 0; i < 3; i++ ) threads.emplace_back( ai_worker_loop, i );
        threads.emplace_back( net_recv_loop );
        threads.emplace_back( net_send_loop );
        threads.emplace_back( persist_loop );
        int initial = 16;
        if( g_s == scen::snapshot_growth ) initial = 8;
        if( g_s == scen::session_lock ) initial = 22;
        if( regress() ) initial = 20;
        for( int i = 0; i < initial; i++ ) add_client( -1 );
        TracyMessageL( "gamesrv listening on udp 0.0.0.0:7777 (30 Hz)" );
    }

    // joins and leaves, decided at the start of a tick
    void process_connections( int tick )
    {
        ZoneScopedN( "Net::ProcessConnections" );
        busy_for( r( 60 ) );
        const int n = (int)g_clients.size();
        if( g_s == scen::snapshot_growth )
        {
            // 8 -> 64 players: one join every ~3 ticks
            const int want = 8 + ( tick * 56 + 89 ) / 170;
            if( n < std::min( 64, want ) ) add_client( tick );
            return;
        }
        if( regress() ) return;   // steady load: the same 20 players in a and b
        if( g_s == scen::disconnect_leak )
        {
            // steady churn: 10 clients time out, 6 quit, 16 join over the run
            static const int kTimeout[] = { 21, 38, 56, 72, 89, 105, 121, 139, 156, 171 };
            static const int kQuit[] = { 30, 63, 97, 114, 131, 163 };
            for( int t : kTimeout )
                if( tick == t ) remove_client( (size_t)churn.irange( 0, n - 1 ), true );
            for( int t : kQuit )
                if( tick == t ) remove_client( (size_t)churn.irange( 0, n - 1 ), false );
            if( tick % 11 == 5 ) add_client( tick );
            return;
        }
        int lo = 12, hi = 22;
        double pj = 0.05, pl = 0.05, ptimeout = 0.35;
        if( g_s == scen::session_lock ) lo = 18, hi = 26;
        if( n < hi && churn.chance( pj ) ) add_client( tick );
        if( n > lo && churn.chance( pl ) )
            remove_client( (size_t)churn.irange( 0, (int)g_clients.size() - 1 ), churn.chance( ptimeout ) );
    }

    void drain_inputs()
    {
        if( g_s == scen::regress_b )
        {
            ZoneScopedN( "Net::PumpInputs" );   // b renames the function (same work)
            drain_inputs_body();
        }
        else
        {
            ZoneScopedN( "Net::DrainInputs" );
            drain_inputs_body();
        }
    }

    void drain_inputs_body()
    {
        busy_for( r( 150 ) );
        for( size_t i = 0; i < g_clients.size(); i++ )
        {
            int inputs;
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_sessions );   // pop this client's input queue
                inputs = g_clients[i]->pending_inputs;
                g_clients[i]->pending_inputs = 0;
                busy_for( r( 15 ) );
            }
            // apply them to the player's entity (outside the lock); mostly waits on the entity's cache lines,
            // emulated by a short sleep so a 2-core machine keeps net-recv running
            busy_for( r( 70 + 6.0 * inputs ), 20 );
        }
    }

    void update_entities( int tick )
    {
        ZoneScopedN( "Sim::UpdateEntities" );
        const int ents = npcs + (int)g_clients.size();
        busy_for( r( 900 ) );
        {
            ZoneScopedN( "Sim::Physics" );
            busy_for( r( 2600 + 9.0 * ents ) );
        }
        {
            ZoneScopedN( "Sim::Combat" );
            busy_for( r( g_s == scen::regress_b ? 4400 : 2200 ) );
            // NPCs die now and then
            if( r.chance( 0.4 ) && npcs > 200 ) npcs -= r.irange( 1, 2 );
        }
        (void)tick;
    }

    void ai_update( int tick )
    {
        ZoneScopedN( "AI::Update" );
        std::vector<job> jobs;
        {
            ZoneScopedN( "AI::Plan" );
            busy_for( r( 700 ) );
            // waves
            static const int kWaveTicks[] = { 24, 55, 87, 118, 150 };
            for( int wt : kWaveTicks )
                if( tick == wt )
                {
                    wave_no++;
                    npcs += 40;
                    log_msg( "wave %d: 40 NPCs spawned", wave_no );
                    if( g_s == scen::path_burst )
                    {
                        // every NPC of the wave re-paths now; the crowd then blocks paths for the next ticks
                        for( int k = 0; k < 40; k++ ) jobs.push_back( { next_npc + k, r.uni( 1900, 2600 ) } );
                        static const int kRetry2[] = { 26, 9, 27, 8, 25 };
                        burst_next[0] = 30;
                        burst_next[1] = kRetry2[wave_no - 1];
                    }
                    else stagger_left += 40;
                    next_npc += 40;
                }
            if( g_s == scen::path_burst && jobs.empty() && ( burst_next[0] || burst_next[1] ) )
            {
                for( int k = 0; k < burst_next[0]; k++ ) jobs.push_back( { next_npc - 40 + k, r.uni( 1900, 2600 ) } );
                burst_next[0] = burst_next[1];
                burst_next[1] = 0;
            }
            // routine re-paths of roaming NPCs
            const int routine = r.irange( 6, 10 );
            const bool split = g_s == scen::regress_b;   // b: paths in two half-size legs
            for( int k = 0; k < routine; k++ )
            {
                const int npc = 1000 + r.irange( 0, npcs );
                const double us = r.uni( 800, 1200 );
                if( split )
                {
                    jobs.push_back( { npc, us / 2 } );
                    jobs.push_back( { npc, us / 2 } );
                }
                else jobs.push_back( { npc, us } );
            }
            // wave NPCs staggered over later ticks, 2 a tick
            const int st = std::min( 2, stagger_left );
            for( int k = 0; k < st; k++ ) jobs.push_back( { next_npc - stagger_left + k, r.uni( 1900, 2600 ) } );
            stagger_left -= st;
        }
        {
            std::lock_guard<std::mutex> lk( g_jobs_m );
            for( auto& j : jobs ) g_jobs.push_back( j );
            g_jobs_left += (int)jobs.size();
        }
        g_jobs_cv.notify_all();
        {
            ZoneScopedN( "Jobs::Wait" );
            std::unique_lock<std::mutex> lk( g_jobs_m );
            g_jobs_done_cv.wait( lk, [] { return g_jobs_left == 0; } );
        }
    }

    void build_snapshots()
    {
        ZoneScopedN( "Replication::BuildSnapshots" );
        const int n = (int)g_clients.size();
        std::vector<packet> batch;
        tick_bytes = 0;
        busy_for( r( 150 ) );
        for( auto& cp : g_clients )
        {
            client& c = *cp;
            ZoneScopedN( "Replication::BuildSnapshot" );
            ZoneText( c.name, strlen( c.name ) );
            double us;
            if( g_s == scen::snapshot_growth ) us = 60 + 5.5 * n;   // scans every player's entities: O(players)
            else if( g_s == scen::regress_b ) us = 280 / 1.4;
            else us = 280;
            busy_for( r( us ) );
            // history entry (pool "snapshots"), 32 ticks deep
            const size_t hsz = 2048 + 256 * (size_t)r.irange( 8, 40 );   // world-state baseline for delta compression
            void* h = malloc( hsz );
            memset( h, 0, 64 );
            TracyAllocN( h, hsz, kSnapPool );
            c.history.push_back( h );
            if( c.history.size() > (size_t)kHistory )
            {
                void* old = c.history.front();
                c.history.pop_front();
                TracyFreeN( old, kSnapPool );
                free( old );
            }
            // the delta packet (default pool), freed by net-send
            const size_t psz = 300 + 16 * (size_t)r.irange( 10, 80 );
            void* p = malloc( psz );
            memset( p, 0, 64 );
            TracyAlloc( p, psz );
            batch.push_back( { p, psz } );
            tick_bytes += psz;
        }
        {
            ZoneScopedN( "Net::QueueSnapshots" );
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_stats );
                busy_for( r( 30 ) );
            }
            {
                std::lock_guard<std::mutex> lk( g_send_m );
                g_send_q.push_back( std::move( batch ) );
            }
            g_send_cv.notify_one();
        }
    }

    void tick( int k )
    {
        ZoneScopedN( "Server::Tick" );
        ZoneValue( (uint64_t)k );
        process_connections( k );
        drain_inputs();
        update_entities( k );
        ai_update( k );
        build_snapshots();
        TracyPlot( "players", (int64_t)g_clients.size() );
        TracyPlot( "entities", (int64_t)( npcs + (int)g_clients.size() ) );
        TracyPlot( "bytes/tick", (int64_t)tick_bytes );
        if( k % 60 == 40 )
        {
            std::lock_guard<std::mutex> lk( g_persist_m );
            g_persist_req++;
            g_persist_cv.notify_one();
        }
    }

    void run()
    {
        const auto period = std::chrono::nanoseconds( (int64_t)( kPeriodUs * 1000 ) );
        FrameMark;
        auto deadline = Clock::now() + period;
        for( int k = 0; k < kTicks; k++ )
        {
            g_tick_start_ns = std::chrono::duration_cast<std::chrono::nanoseconds>( Clock::now().time_since_epoch() ).count();
            g_tick_no = k;
            tick( k );
            {
                ZoneScopedN( "Tick::WaitForNextTick" );
                const auto now = Clock::now();
                if( now < deadline )
                {
                    if( deadline - now > 2ms ) std::this_thread::sleep_until( deadline - 1500us );
                    while( Clock::now() < deadline ) {}
                }
                else deadline = now;   // overrun: start the next tick at once, the schedule slips
            }
            FrameMark;
            deadline += period;
        }
    }

    void shutdown()
    {
        ZoneScopedN( "Server::Shutdown" );
        g_stop = true;
        g_send_cv.notify_all();
        g_jobs_cv.notify_all();
        g_persist_cv.notify_all();
        for( auto& t : threads ) t.join();
        for( auto& c : g_clients ) free_history( *c );
        TracyFreeN( navmesh, kNavPool );
        free( navmesh );
        TracyMessageL( "gamesrv stopped" );
    }
};

}   // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: gamesrv path_burst|snapshot_growth|session_lock|disconnect_leak|regress a|b\n" );
        return 2;
    }
    const std::string s = argv[1];
    const std::string v = argc > 2 ? argv[2] : "";
    if( s == "path_burst" ) g_s = scen::path_burst;
    else if( s == "snapshot_growth" ) g_s = scen::snapshot_growth;
    else if( s == "session_lock" ) g_s = scen::session_lock;
    else if( s == "disconnect_leak" ) g_s = scen::disconnect_leak;
    else if( s == "regress" && v == "a" ) g_s = scen::regress_a;
    else if( s == "regress" && v == "b" ) g_s = scen::regress_b;
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 2;
    }
    server srv;
    srv.startup();
    srv.run();
    srv.shutdown();
    return 0;
}
