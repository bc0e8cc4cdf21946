// buildsys: a small C++ build tool (a ninja/compiler-driver hybrid) run as a batch job, instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project). No FrameMark anywhere: it is frameless.
//
// The main thread loads the build graph (Build::LoadGraph), starts four compiler workers "cc-worker-0".."cc-worker-3"
// which take translation units from a dependency-ordered queue, waits for them (Build::WaitForCompiles) and links
// (Link::Executable). Each unit is one Compile::TranslationUnit zone (ZoneText = the source file) with
//   Frontend::Preprocess > HeaderCache::Lookup (lock "header-cache", brief holds), FS::ReadFile (ZoneText = header)
//                          and HeaderCache::Insert on a miss
//   Frontend::Lex         (token buffers: default pool, allocated and freed inside the zone)
//   Frontend::Parse       (AST blocks of 256 KiB in the named pool "ast-arena", released at the end of the unit)
//   Sema::Analyze > Sema::InstantiateTemplate (ZoneText = the instantiation), SymbolTable::Intern (lock
//                   "SymbolTable::mutex"), Sema::TypeTable::Insert (default pool; the type table is global)
//   Codegen::Emit, Codegen::WriteObject
// Plots "jobs queued" (units not started yet) and "jobs running"; a message "compiling N/150: file" per unit.
//
// Usage: buildsys <scenario> [a|b]
//   critical_tail  gen/shader_tables.cpp (~1.5 s alone, mostly Codegen::Emit) only becomes ready when
//                  tools/shadergen/shader_db.cpp, late in the queue, is done: at the end one worker compiles it
//                  while the three others idle and the main thread waits to link.
//   interner_lock  Sema interns identifiers in a global table under "SymbolTable::mutex": ~40 x unit size times per
//                  unit with ~0.5 ms holds: the workers convoy on it. "header-cache" stays uncontended.
//   arena_growth   the global type table (Sema::TypeTable::Insert, default pool, allocation callstacks) grows all
//                  build long and is never freed (still allocated at exit); "ast-arena" peaks and is released per
//                  unit; Frontend::Lex churns token buffers that are freed. (Other scenarios free the type table in
//                  Build::Shutdown.)
//   header_miss    cc-worker-2's header-cache lookups never hit (its cache key includes a per-unit define), so it
//                  reads every header with FS::ReadFile (5-9 ms each); the other workers only miss while the cache
//                  is cold.
//   regress a|b    b: 3x as many Sema::InstantiateTemplate calls (same cost each), Codegen::Emit 1.4x faster,
//                  Frontend::Parse renamed Frontend::ParseDecls, a new Sema::CheckConcepts per unit.
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
#include <mutex>
#include <random>
#include <set>
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

void busy_for( double us, double tail_us = 40.0 )
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
    double operator()( double base, double pct = 0.08 )
    {
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    int irange( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
    bool chance( double p ) { return uni( 0.0, 1.0 ) < p; }
    double lognorm( double sigma ) { return std::lognormal_distribution<double>( 0.0, sigma )( g ); }
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

enum class scen { critical_tail, interner_lock, arena_growth, header_miss, regress_a, regress_b };
scen g_s;
constexpr int kWorkers = 4;

// ---- locks ---------------------------------------------------------------------------------------------------

TracyLockableN( std::mutex, g_hcache_mtx, "header-cache" );
TracyLockableN( std::mutex, g_symtab_mtx, "SymbolTable::mutex" );

// ---- memory ------------------------------------------------------------------------------------------------

const char* const kArenaPool = "ast-arena";
constexpr size_t kArenaBlock = 256 * 1024;

void* mem_alloc( size_t sz, const char* pool = nullptr, bool callstack = false )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 64 ) );
    if( pool ) TracyAllocN( p, sz, pool );
    else if( callstack ) TracyAllocS( p, sz, 8 );
    else TracyAlloc( p, sz );
    return p;
}
void mem_free( void* p, const char* pool = nullptr )
{
    if( pool ) TracyFreeN( p, pool );
    else TracyFree( p );
    free( p );
}

std::mutex g_types_m;               // the type table's own storage lock (not instrumented; short)
std::vector<void*> g_type_table;    // global: grows all build long

// ---- build graph -------------------------------------------------------------------------------------------

struct unit
{
    std::string path;
    double size;          // work scale (1 = a typical unit)
    int dep = -1;         // index of a unit that must be compiled first
    int state = 0;        // 0 pending, 1 running, 2 done
    uint32_t seed;
};

std::vector<unit> g_units;
std::vector<std::string> g_headers;
std::vector<double> g_header_w;
std::mutex g_q_m;                 // scheduler queue (not instrumented)
std::condition_variable g_q_cv;
int g_started = 0, g_done = 0, g_running = 0;

const char* const kDirs[] = { "src/core", "src/render", "src/audio", "src/net", "src/ui", "src/game", "src/physics", "src/io" };
const char* const kStems[] = { "mesh", "material", "texture", "shader", "scene", "camera", "light", "shadow", "allocator",
    "string", "hash_map", "thread_pool", "job_system", "log", "config", "mixer", "voice", "reverb", "stream", "socket",
    "http_client", "packet", "replication", "widget", "layout", "font", "input", "entity", "component", "world", "script",
    "savegame", "rigid_body", "collision", "broadphase", "solver", "archive", "file_watcher", "path", "serializer" };
const char* const kTemplates[] = { "std::vector<Mesh::Vertex>", "std::unordered_map<StringId, Material*>",
    "HashMap<EntityId, Transform>", "SmallVector<Token, 16>", "std::function<void(JobContext&)>", "Span<const uint8_t>",
    "std::optional<Texture::Desc>", "RefPtr<Shader>", "std::variant<int, float, String>", "Array<RigidBody, 64>",
    "std::shared_ptr<Scene::Node>", "Pool<Component, 256>", "std::map<String, ConfigValue>", "Expected<File, IoError>" };

void build_graph()
{
    rng_t r( 1234 );
    // headers: 140, popularity falls off with rank
    const char* hdirs[] = { "include/core", "include/render", "include/audio", "include/net", "include/ui", "include/game",
        "third_party/glm", "third_party/fmt" };
    for( int i = 0; i < 140; i++ )
    {
        char b[96];
        snprintf( b, sizeof( b ), "%s/%s%s.h", hdirs[i % 8], kStems[( i * 7 ) % 40], i >= 40 ? ( i >= 80 ? "_impl" : "_fwd" ) : "" );
        g_headers.push_back( b );
        g_header_w.push_back( 1.0 / std::pow( 1.0 + i, 0.8 ) );
    }
    std::set<std::string> seen;
    for( int i = 0; (int)g_units.size() < 146; i++ )
    {
        char b[96];
        snprintf( b, sizeof( b ), "%s/%s.cpp", kDirs[r.irange( 0, 7 )], kStems[r.irange( 0, 39 )] );
        if( !seen.insert( b ).second ) continue;
        unit u;
        u.path = b;
        u.size = std::min( 2.6, std::max( 0.45, r.lognorm( 0.4 ) ) );
        g_units.push_back( u );
    }
    // a big third-party amalgamation early in the queue (harmless: it runs in parallel with everything else)
    unit sq;
    sq.path = "third_party/sqlite/sqlite3.c";
    sq.size = 4.5;
    g_units.insert( g_units.begin() + 2, sq );
    // the shader generator's database and the generated tables that need it
    unit db;
    db.path = "tools/shadergen/shader_db.cpp";
    db.size = 0.9;
    unit gen;
    gen.path = "gen/shader_tables.cpp";
    gen.size = 1.3;
    const bool tail = g_s == scen::critical_tail;
    const int dbpos = tail ? 126 : 20;
    g_units.insert( g_units.begin() + dbpos, db );
    g_units.insert( g_units.begin() + dbpos + 1 + ( tail ? 20 : 3 ), gen );
    unit main_u;
    main_u.path = "src/app/main.cpp";
    main_u.size = 0.8;
    g_units.push_back( main_u );
    for( size_t i = 0; i < g_units.size(); i++ )
    {
        g_units[i].seed = 1000 + (uint32_t)std::hash<std::string>()( g_units[i].path ) % 100000;
        if( g_units[i].path == "gen/shader_tables.cpp" )
            for( size_t j = 0; j < g_units.size(); j++ )
                if( g_units[j].path == "tools/shadergen/shader_db.cpp" ) g_units[i].dep = (int)j;
    }
}

// ---- header cache ----------------------------------------------------------------------------------------------

std::set<std::string> g_hcache;

bool cache_lookup( const std::string& key, rng_t& r )
{
    ZoneScopedN( "HeaderCache::Lookup" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_hcache_mtx );
    busy_for( r( 12, 0.3 ) );
    return g_hcache.count( key ) != 0;
}

void cache_insert( const std::string& key, rng_t& r )
{
    ZoneScopedN( "HeaderCache::Insert" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_hcache_mtx );
    busy_for( r( 18, 0.3 ) );
    g_hcache.insert( key );
}

void fs_read_file( const std::string& path, rng_t& r )
{
    ZoneScopedN( "FS::ReadFile" );
    ZoneText( path.c_str(), path.size() );
    busy_for( r.uni( 5000, 9000 ) );
}

void preprocess( const unit& u, int worker, int idx, rng_t& r )
{
    ZoneScopedN( "Frontend::Preprocess" );
    const int n = 5 + (int)std::lround( 6 * u.size );
    std::discrete_distribution<int> pick( g_header_w.begin(), g_header_w.end() );
    std::set<int> inc;
    while( (int)inc.size() < std::min( n, 40 ) ) inc.insert( pick( r.g ) );
    const bool private_key = g_s == scen::header_miss && worker == 2;
    for( int h : inc )
    {
        std::string key = g_headers[h];
        if( private_key )
        {
            // cc-worker-2's cache key carries -DBUILD_UNIT_ID=<n>: a different key for every unit
            char b[32];
            snprintf( b, sizeof( b ), "#unit%d", idx );
            key += b;
        }
        busy_for( r( 150 ) );   // scan the #include, macro expansion
        if( !cache_lookup( key, r ) )
        {
            fs_read_file( g_headers[h], r );
            cache_insert( key, r );
        }
        else busy_for( r( 250 ) );   // copy the cached token stream
    }
}

void lex( const unit& u, rng_t& r )
{
    ZoneScopedN( "Frontend::Lex" );
    const int nbuf = 10 + (int)std::lround( 14 * u.size );
    std::vector<void*> bufs;
    const double per = 4000.0 * u.size / nbuf;
    for( int i = 0; i < nbuf; i++ )
    {
        bufs.push_back( mem_alloc( 4096 * (size_t)r.irange( 1, 4 ) ) );
        busy_for( r( per ) );
        if( bufs.size() > 4 )
        {
            mem_free( bufs.front() );
            bufs.erase( bufs.begin() );
        }
    }
    for( void* p : bufs ) mem_free( p );
}

void parse_body( const unit& u, rng_t& r, std::vector<void*>& arena )
{
    const int nblk = 2 + (int)std::lround( 4 * u.size );
    const double per = 18000.0 * u.size / nblk;
    for( int i = 0; i < nblk; i++ )
    {
        arena.push_back( mem_alloc( kArenaBlock, kArenaPool ) );
        busy_for( r( per ) );
    }
}

void parse( const unit& u, rng_t& r, std::vector<void*>& arena )
{
    if( g_s == scen::regress_b )
    {
        ZoneScopedN( "Frontend::ParseDecls" );
        parse_body( u, r, arena );
    }
    else
    {
        ZoneScopedN( "Frontend::Parse" );
        parse_body( u, r, arena );
    }
}

void instantiate( rng_t& r )
{
    ZoneScopedN( "Sema::InstantiateTemplate" );
    const char* t = kTemplates[r.irange( 0, 13 )];
    ZoneText( t, strlen( t ) );
    busy_for( r.uni( 1300, 1700 ) );
}

void intern( rng_t& r, double hold_us )
{
    ZoneScopedN( "SymbolTable::Intern" );
    busy_for( r( 20 ) );   // hash the identifier
    std::lock_guard<LockableBase( std::mutex )> lk( g_symtab_mtx );
    busy_for( r( hold_us, 0.25 ) );
}

__attribute__( ( noinline ) ) void type_table_insert( rng_t& r )
{
    ZoneScopedN( "Sema::TypeTable::Insert" );
    const size_t sz = 512 * (size_t)r.irange( 2, 14 );
    void* p = mem_alloc( sz, nullptr, g_s == scen::arena_growth );
    busy_for( r( 40 ) );
    std::lock_guard<std::mutex> lk( g_types_m );
    g_type_table.push_back( p );
}

void sema( const unit& u, rng_t& r )
{
    ZoneScopedN( "Sema::Analyze" );
    int ninst = (int)std::lround( 6 * u.size );
    if( g_s == scen::regress_b ) ninst *= 3;
    const bool convoy = g_s == scen::interner_lock;
    const int nint = convoy ? (int)std::lround( 40 * u.size ) : (int)std::lround( 10 * u.size );
    const double hold = convoy ? 500.0 : 10.0;
    const int ntype = (int)std::lround( 12 * u.size );
    // own work, spread over the steps (less in interner_lock, where the interning takes its place)
    const double own = ( convoy ? 4000.0 : 12000.0 ) * u.size;
    const int steps = ninst + nint + ntype;
    const double per = std::max( 20.0, own / std::max( 1, steps ) );
    int a = ninst, b = nint, c = ntype;
    while( a + b + c > 0 )
    {
        const int k = r.irange( 0, a + b + c - 1 );
        if( k < a ) { instantiate( r ); a--; }
        else if( k < a + b ) { intern( r, hold ); b--; }
        else { type_table_insert( r ); c--; }
        busy_for( r( per ) );
    }
    if( g_s == scen::regress_b )
    {
        ZoneScopedN( "Sema::CheckConcepts" );
        busy_for( r( 2500 * u.size ) );
    }
}

void codegen( const unit& u, rng_t& r, bool huge )
{
    {
        ZoneScopedN( "Codegen::Emit" );
        double us = 34000.0 * u.size;
        if( huge ) us = 1100000.0;
        if( g_s == scen::regress_b ) us /= 1.4;
        busy_for( r( us, 0.05 ) );
    }
    {
        ZoneScopedN( "Codegen::WriteObject" );
        busy_for( r( 1500 ) );
    }
}

void compile( int idx, int worker )
{
    unit u = g_units[idx];
    rng_t r( u.seed );
    const bool huge = g_s == scen::critical_tail && u.path == "gen/shader_tables.cpp";
    if( huge ) u.size = 14.0;   // 2.4 MB of generated tables: long lex/parse/sema; Codegen::Emit set separately
    ZoneScopedN( "Compile::TranslationUnit" );
    ZoneText( u.path.c_str(), u.path.size() );
    std::vector<void*> arena;
    preprocess( huge ? g_units[idx] : u, worker, idx, r );
    lex( u, r );
    parse( u, r, arena );
    if( huge )
    {
        unit s = u;
        s.size = 1.6;   // plain data: little semantic work
        sema( s, r );
    }
    else sema( u, r );
    codegen( u, r, huge );
    for( void* p : arena ) mem_free( p, kArenaPool );   // release the AST arena
}

void worker_loop( int w )
{
    char name[32];
    snprintf( name, sizeof( name ), "cc-worker-%d", w );
    name_thread( name );
    const int total = (int)g_units.size();
    for( ;; )
    {
        int idx = -1, nth = 0, queued = 0, running = 0;
        {
            std::unique_lock<std::mutex> lk( g_q_m );
            for( ;; )
            {
                idx = -1;
                bool pending = false;
                for( int i = 0; i < total; i++ )
                {
                    unit& u = g_units[i];
                    if( u.state != 0 ) continue;
                    pending = true;
                    if( u.dep >= 0 && g_units[u.dep].state != 2 ) continue;
                    idx = i;
                    break;
                }
                if( idx >= 0 || !pending ) break;
                g_q_cv.wait( lk );   // idle: nothing ready (not zoned)
            }
            if( idx < 0 ) break;
            g_units[idx].state = 1;
            nth = ++g_started;
            queued = total - g_started;
            running = ++g_running;
        }
        TracyPlot( "jobs queued", (int64_t)queued );
        TracyPlot( "jobs running", (int64_t)running );
        log_msg( "compiling %d/%d: %s", nth, total, g_units[idx].path.c_str() );
        compile( idx, w );
        {
            std::lock_guard<std::mutex> lk( g_q_m );
            g_units[idx].state = 2;
            g_done++;
            running = --g_running;
        }
        TracyPlot( "jobs running", (int64_t)running );
        if( g_units[idx].path == "tools/shadergen/shader_db.cpp" )
            log_msg( "gen/shader_tables.cpp is ready (generated from 214 shaders by tools/shadergen)" );
        g_q_cv.notify_all();
    }
}

// ---- main thread -----------------------------------------------------------------------------------------------

void load_graph( rng_t& r )
{
    ZoneScopedN( "Build::LoadGraph" );
    {
        ZoneScopedN( "Build::ParseManifest" );
        busy_for( r( 70000 ) );
    }
    {
        ZoneScopedN( "Build::ScanDependencies" );
        build_graph();
        for( int i = 0; i < 8; i++ )
        {
            ZoneScopedN( "FS::StatTree" );
            ZoneText( kDirs[i], strlen( kDirs[i] ) );
            busy_for( r( 22000 ) );
        }
    }
    {
        ZoneScopedN( "Build::TopoSort" );
        busy_for( r( 35000 ) );
    }
    log_msg( "loaded build graph: %d translation units, %d headers, 1 link step", (int)g_units.size(), (int)g_headers.size() );
    TracyPlot( "jobs queued", (int64_t)g_units.size() );
    TracyPlot( "jobs running", (int64_t)0 );
}

void wait_for_compiles()
{
    ZoneScopedN( "Build::WaitForCompiles" );
    std::unique_lock<std::mutex> lk( g_q_m );
    g_q_cv.wait( lk, [] { return g_done == (int)g_units.size(); } );
}

void link( rng_t& r )
{
    ZoneScopedN( "Link::Executable" );
    log_msg( "linking build/bin/editor (%d objects)", (int)g_units.size() );
    {
        ZoneScopedN( "Link::LoadObjects" );
        busy_for( r( 90000 ) );
    }
    {
        ZoneScopedN( "Link::ResolveSymbols" );
        busy_for( r( 180000 ) );
    }
    {
        ZoneScopedN( "Link::ApplyRelocations" );
        busy_for( r( 120000 ) );
    }
    {
        ZoneScopedN( "FS::WriteFile" );
        ZoneText( "build/bin/editor", 16 );
        busy_for( r( 60000 ) );
    }
}

void shutdown_build()
{
    ZoneScopedN( "Build::Shutdown" );
    if( g_s != scen::arena_growth )
    {
        ZoneScopedN( "Sema::TypeTable::Clear" );
        std::lock_guard<std::mutex> lk( g_types_m );
        for( void* p : g_type_table ) mem_free( p );
        g_type_table.clear();
    }
    busy_for( 3000 );
}

void run()
{
    name_thread( "main" );
    rng_t r( 77 );
    const auto t0 = Clock::now();
    load_graph( r );
    std::vector<std::thread> ws;
    for( int w = 0; w < kWorkers; w++ ) ws.emplace_back( worker_loop, w );
    wait_for_compiles();
    for( auto& t : ws ) t.join();
    link( r );
    shutdown_build();
    const double s = std::chrono::duration<double>( Clock::now() - t0 ).count();
    log_msg( "build finished in %.2f s", s );
}

}   // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    const std::string v = argc > 2 ? argv[2] : "";
    if( s == "critical_tail" ) g_s = scen::critical_tail;
    else if( s == "interner_lock" ) g_s = scen::interner_lock;
    else if( s == "arena_growth" ) g_s = scen::arena_growth;
    else if( s == "header_miss" ) g_s = scen::header_miss;
    else if( s == "regress" && v == "a" ) g_s = scen::regress_a;
    else if( s == "regress" && v == "b" ) g_s = scen::regress_b;
    else
    {
        fprintf( stderr, "usage: buildsys critical_tail|interner_lock|arena_growth|header_miss|regress a|regress b\n" );
        return 2;
    }
    run();
    printf( "buildsys %s %s: done\n", s.c_str(), v.c_str() );
    return 0;
}
