// fluidsim: a small SPH particle/fluid solver's driver instrumented with Tracy (benchmark data for profiler-analysis
// tools; not part of any project). Scientific code, not a game: the main thread runs the solver as fast as it can
// (no vsync, no pacing), one FrameMark per simulation step.
//
// Threads:
//   main               Sim::Init (IO::LoadScene, Grid::Build; ~220 ms, once), then per step:
//                      Sim::Step > Grid::Rebuild (Grid::SortParticles, Grid::ScanCellList, Grid::CompactCells),
//                      Sim::NeighborSearch (parallel; the main thread waits in Pool::WaitAll),
//                      Sim::ComputeDensity (serial, ZoneText "batch i/N"), Sim::Integrate (parallel, Pool::WaitAll),
//                      Sim::ApplyBoundaries (serial), Diag::Report (Log::Write under Log::mutex); then FrameMark.
//   sim-worker-0..3    the pool: tiles are statically assigned, tile t -> worker t % 4 (8 tiles, 2 per worker).
//                      Sim::NeighborSearchTile and Sim::IntegrateTile (ZoneText "tile N", ZoneValue = particles),
//                      the latter > Sim::ComputeForces (> Sim::ReducePartials under Sim::reductionMutex),
//                      Sim::AdvanceParticles. One worker per phase also writes a Log::Write line.
//   checkpoint-writer  every 25 steps IO::WriteCheckpoint (~30 ms: IO::SerializeParticles, IO::Compress,
//                      IO::WriteFile), off the critical path.
// Locks: Sim::reductionMutex (one reduction per tile), Log::mutex (busy, never held by two threads at once).
// Plots: "particles", "max tile load". Memory: default pool (per-step temporaries, checkpoint snapshots) and the
// named pool "particle_arrays".
//
// Usage: fluidsim <scenario>
//   straggler      from step 100 (message "dam gate opened") the particles pile into tile 6 within 12 steps; the
//                  static tile assignment gives it to sim-worker-2, which then works ~3.5x as long as the others per
//                  parallel phase; the others and the main thread wait at the barrier; steps ~14 -> ~25 ms
//   serial_growth  the cell list is never compacted (no Grid::CompactCells), so Grid::ScanCellList inside
//                  Grid::Rebuild (serial, main thread, workers idle) grows linearly: steps ~14 -> ~29 ms
//   reduce_lock    Sim::ComputeForces reduces its partial sums into the shared accumulator under
//                  Sim::reductionMutex 12 times per tile (fine-grained): the four workers convoy on it
//   temp_leak      every checkpoint's snapshot buffer (~2 MB, allocated in IO::WriteCheckpoint) is never freed;
//                  per-step neighbour-list temporaries churn (freed); pool "particle_arrays" grows once (emitter
//                  at step 150) and is freed at exit. Allocation callstacks (depth 10) on the default pool.
//   regress_a/_b   b: Sim::NeighborSearchTile 2.5x slower (brute-force pair search), Sim::IntegrateTile 1.5x
//                  faster, Sim::ApplyBoundaries renamed Sim::ResolveBoundaries, Sim::ComputeDensity called 4x per
//                  step with half the work each (a: 2x)
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

using Clock = std::chrono::steady_clock;

namespace
{

volatile double g_sink = 0.0;

void busy_for( double us, double tail_us = 60.0 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > tail_us + 25.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.04 )
    {
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    int irange( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
};

void msg( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void msg( const char* fmt, ... )
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

// ---- scenario knobs ----------------------------------------------------------------------------------------

enum class scen { straggler, serial_growth, reduce_lock, temp_leak, regress_a, regress_b };
scen g_s;
int g_steps = 300;

constexpr int kWorkers = 4;
constexpr int kTiles = 8;
constexpr int kBaseParticles = 48000;

double g_ns_us_per_p = 0.27;        // neighbour search per particle (a tile of 6000: ~1.6 ms)
double g_int_us_per_p = 0.50;       // integration per particle (a tile of 6000: 3.0 ms)
int g_density_calls = 2;

// ---- memory ------------------------------------------------------------------------------------------------

const char* const kParticlePool = "particle_arrays";
bool g_callstacks = false;
constexpr int kDepth = 10;

void* mem_alloc( size_t sz )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 64 ) );
    if( g_callstacks ) TracyAllocS( p, sz, kDepth );
    else TracyAlloc( p, sz );
    return p;
}
void mem_free( void* p )
{
    if( g_callstacks ) TracyFreeS( p, kDepth );
    else TracyFree( p );
    free( p );
}
void* pool_alloc( size_t sz )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 64 ) );
    TracyAllocN( p, sz, kParticlePool );
    return p;
}
void pool_free( void* p )
{
    TracyFreeN( p, kParticlePool );
    free( p );
}

// ---- locks -------------------------------------------------------------------------------------------------

TracyLockableN( std::mutex, g_reduce_mtx, "Sim::reductionMutex" );
TracyLockableN( std::mutex, g_log_mtx, "Log::mutex" );

void log_write( rng_t& r, const char* line )
{
    ZoneScopedN( "Log::Write" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_log_mtx );
    busy_for( r( 150 ) );   // format + fwrite to sim.log
    (void)line;
}

// ---- particle state ----------------------------------------------------------------------------------------

struct state_t
{
    int tile_n[kTiles];
    int total = kBaseParticles;
    int step = 0;
    void* arrays[4] = {};       // pos, vel, density, neighbour index (pool particle_arrays)
    size_t capacity = 0;
    int64_t cell_entries = 4096;  // serial_growth: the cell list
};
state_t g_st;

void alloc_arrays( size_t n )
{
    const size_t sizes[4] = { n * 12, n * 12, n * 4, n * 4 };
    for( int i = 0; i < 4; i++ )
    {
        void* p = pool_alloc( sizes[i] );
        if( g_st.arrays[i] ) pool_free( g_st.arrays[i] );   // grow: copy then drop the old array
        g_st.arrays[i] = p;
    }
    g_st.capacity = n;
}

// ---- the worker pool ---------------------------------------------------------------------------------------

struct pool_t
{
    std::mutex m;
    std::condition_variable cv;
    std::condition_variable done_cv;
    uint64_t gen = 0;
    int pending = 0;
    bool stop = false;
    std::function<void( int )> job;
} g_pool;

std::atomic<rng_t*> g_wrng[kWorkers];
int g_log_worker = 0;   // the worker that writes the phase's log line (never two threads at once on Log::mutex)

void worker_loop( int w )
{
    char name[32];
    snprintf( name, sizeof( name ), "sim-worker-%d", w );
    name_thread( name );
    rng_t r( 1000 + w * 17 + ( g_s == scen::regress_b ? 7 : 0 ) );
    g_wrng[w] = &r;
    uint64_t seen = 0;
    for( ;; )
    {
        std::function<void( int )> job;
        {
            std::unique_lock<std::mutex> lk( g_pool.m );
            g_pool.cv.wait( lk, [&] { return g_pool.stop || g_pool.gen != seen; } );   // idle: not zoned
            if( g_pool.stop ) return;
            seen = g_pool.gen;
            job = g_pool.job;
        }
        job( w );
        {
            std::lock_guard<std::mutex> lk( g_pool.m );
            if( --g_pool.pending == 0 ) g_pool.done_cv.notify_all();
        }
    }
}

void pool_dispatch( std::function<void( int )> job )
{
    std::lock_guard<std::mutex> lk( g_pool.m );
    g_pool.job = std::move( job );
    g_pool.pending = kWorkers;
    g_pool.gen++;
    g_pool.cv.notify_all();
}

void pool_wait_all()
{
    ZoneScopedN( "Pool::WaitAll" );
    std::unique_lock<std::mutex> lk( g_pool.m );
    g_pool.done_cv.wait( lk, [] { return g_pool.pending == 0; } );
}

// ---- worker-side tile work ---------------------------------------------------------------------------------

void neighbor_search_tile( int w, int t )
{
    rng_t& r = *g_wrng[w].load();
    ZoneScopedN( "Sim::NeighborSearchTile" );
    char txt[32];
    const int n = snprintf( txt, sizeof( txt ), "tile %d", t );
    ZoneText( txt, (size_t)n );
    ZoneValue( (uint64_t)g_st.tile_n[t] );
    // per-tile neighbour list: a temporary, freed at the end of the tile (churn)
    void* nl = mem_alloc( (size_t)g_st.tile_n[t] * 32 );
    busy_for( r( g_st.tile_n[t] * g_ns_us_per_p ) );
    mem_free( nl );
}

void integrate_tile( int w, int t )
{
    rng_t& r = *g_wrng[w].load();
    ZoneScopedN( "Sim::IntegrateTile" );
    char txt[32];
    const int n = snprintf( txt, sizeof( txt ), "tile %d", t );
    ZoneText( txt, (size_t)n );
    ZoneValue( (uint64_t)g_st.tile_n[t] );
    const double us = g_st.tile_n[t] * g_int_us_per_p;
    {
        ZoneScopedN( "Sim::ComputeForces" );
        if( g_s == scen::reduce_lock )
        {
            // fine-grained: add each block's partial force/energy sums into the shared accumulator
            constexpr int kChunks = 12;
            const double chunk = us * 0.6 / kChunks;
            for( int c = 0; c < kChunks; c++ )
            {
                busy_for( r( chunk ), 30 );
                ZoneScopedN( "Sim::ReducePartials" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_reduce_mtx );
                busy_for( r( 80 ), 30 );
            }
        }
        else
        {
            busy_for( r( us * 0.6 ) );
            ZoneScopedN( "Sim::ReducePartials" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_reduce_mtx );
            busy_for( r( 20 ), 30 );
        }
    }
    {
        ZoneScopedN( "Sim::AdvanceParticles" );
        busy_for( r( us * 0.4 ) );
    }
}

// ---- main-thread phases ------------------------------------------------------------------------------------

void grid_rebuild( rng_t& r )
{
    ZoneScopedN( "Grid::Rebuild" );
    {
        ZoneScopedN( "Grid::SortParticles" );
        busy_for( r( 500 ) );
    }
    {
        ZoneScopedN( "Grid::ScanCellList" );
        ZoneValue( (uint64_t)g_st.cell_entries );
        busy_for( r( 300.0 * g_st.cell_entries / 4096.0 ) );
    }
    if( g_s == scen::serial_growth )
    {
        // emptied cells stay in the list (no compaction): it only grows
        g_st.cell_entries += 680 + r.irange( -20, 20 );
    }
    else
    {
        ZoneScopedN( "Grid::CompactCells" );
        busy_for( r( 120 ) );
        g_st.cell_entries = 4096 + r.irange( -64, 64 );
    }
}

void neighbor_search()
{
    ZoneScopedN( "Sim::NeighborSearch" );
    void* offsets = mem_alloc( 65536 );   // cell offset table for this step (freed below)
    const int logw = g_log_worker;
    pool_dispatch( [logw]( int w ) {
        for( int t = w; t < kTiles; t += kWorkers ) neighbor_search_tile( w, t );
        if( w == logw ) log_write( *g_wrng[w].load(), "neighbour lists built" );
    } );
    pool_wait_all();
    mem_free( offsets );
}

void compute_density( rng_t& r )
{
    const int calls = g_density_calls;
    for( int i = 0; i < calls; i++ )
    {
        ZoneScopedN( "Sim::ComputeDensity" );
        char txt[32];
        const int n = snprintf( txt, sizeof( txt ), "batch %d/%d", i + 1, calls );
        ZoneText( txt, (size_t)n );
        busy_for( r( 1200.0 / calls ) );
    }
}

void integrate()
{
    ZoneScopedN( "Sim::Integrate" );
    const int logw = g_log_worker;
    pool_dispatch( [logw]( int w ) {
        for( int t = w; t < kTiles; t += kWorkers ) integrate_tile( w, t );
        if( w == logw ) log_write( *g_wrng[w].load(), "integrated" );
    } );
    pool_wait_all();
}

void boundaries( rng_t& r )
{
    if( g_s == scen::regress_b )
    {
        ZoneScopedN( "Sim::ResolveBoundaries" );
        busy_for( r( 1500 ) );
    }
    else
    {
        ZoneScopedN( "Sim::ApplyBoundaries" );
        busy_for( r( 1500 ) );
    }
}

void diag_report( rng_t& r )
{
    ZoneScopedN( "Diag::Report" );
    for( int i = 0; i < 5; i++ ) log_write( r, "diag" );
}

// ---- the checkpoint writer ---------------------------------------------------------------------------------

struct ckpt_t
{
    std::mutex m;
    std::condition_variable cv;
    std::vector<int> todo;   // step numbers
    bool stop = false;
} g_ckpt;
std::vector<void*> g_restart_ring;   // temp_leak: snapshots kept "for restart", never released

void write_checkpoint( rng_t& r, int step, int particles )
{
    ZoneScopedN( "IO::WriteCheckpoint" );
    char txt[64];
    const int n = snprintf( txt, sizeof( txt ), "ckpt_%06d.h5", step );
    ZoneText( txt, (size_t)n );
    const size_t bytes = (size_t)particles * 44;   // pos, vel, density, pressure, ids, flags
    void* snap = mem_alloc( bytes );
    {
        ZoneScopedN( "IO::SerializeParticles" );
        busy_for( r( 7000 ) );
    }
    {
        ZoneScopedN( "IO::Compress" );
        busy_for( r( 14000 ) );
    }
    {
        ZoneScopedN( "IO::WriteFile" );
        busy_for( r( 9000, 0.2 ) );
    }
    if( g_s == scen::temp_leak ) g_restart_ring.push_back( snap );   // kept for a restart that never comes
    else mem_free( snap );
    msg( "checkpoint: %s written (%.2f MB, %d particles)", txt, bytes / 1048576.0, particles );
}

void checkpoint_loop()
{
    name_thread( "checkpoint-writer" );
    rng_t r( 77 );
    for( ;; )
    {
        int step;
        {
            std::unique_lock<std::mutex> lk( g_ckpt.m );
            g_ckpt.cv.wait( lk, [] { return g_ckpt.stop || !g_ckpt.todo.empty(); } );
            if( g_ckpt.todo.empty() ) return;
            step = g_ckpt.todo.front();
            g_ckpt.todo.erase( g_ckpt.todo.begin() );
        }
        write_checkpoint( r, step, g_st.total );
    }
}

// ---- particle distribution ---------------------------------------------------------------------------------

void update_tiles( rng_t& r, int step )
{
    int target[kTiles];
    const bool cluster = g_s == scen::straggler && step >= 100;
    if( cluster )
    {
        // the dam has broken: the fluid piles up against the far wall (tile 6), reached within 12 steps
        const double f = std::min( 1.0, ( step - 100 + 1 ) / 12.0 );
        const double hot = 6000.0 + f * ( 22200.0 - 6000.0 );
        const double cold = ( g_st.total - hot ) / ( kTiles - 1 );
        for( int t = 0; t < kTiles; t++ ) target[t] = (int)( t == 6 ? hot : cold );
    }
    else
    {
        for( int t = 0; t < kTiles; t++ ) target[t] = g_st.total / kTiles;
    }
    int sum = 0;
    for( int t = 0; t < kTiles; t++ )
    {
        g_st.tile_n[t] = (int)( target[t] * r.uni( 0.97, 1.03 ) );
        sum += g_st.tile_n[t];
    }
    g_st.tile_n[0] += g_st.total - sum;   // conserve the particle count
}

// ---- main loop ---------------------------------------------------------------------------------------------

void run()
{
    name_thread( "main" );
    rng_t r( 42 + ( g_s == scen::regress_b ? 9 : 0 ) );
    g_callstacks = g_s == scen::temp_leak;
    if( g_s == scen::serial_growth ) g_steps = 280;
    if( g_s == scen::straggler ) g_steps = 280;
    if( g_s == scen::regress_b )
    {
        g_ns_us_per_p *= 2.5;     // cell list disabled: brute-force pair search
        g_int_us_per_p /= 1.5;    // vectorised integrator
        g_density_calls = 4;
    }

    std::vector<std::thread> workers;
    for( int w = 0; w < kWorkers; w++ ) workers.emplace_back( worker_loop, w );
    std::thread writer( checkpoint_loop );
    while( true )
    {
        bool ready = true;
        for( int w = 0; w < kWorkers; w++ ) ready = ready && g_wrng[w].load() != nullptr;
        if( ready ) break;
        std::this_thread::sleep_for( std::chrono::milliseconds( 1 ) );
    }

    {
        ZoneScopedN( "Sim::Init" );
        alloc_arrays( kBaseParticles );
        {
            ZoneScopedN( "IO::LoadScene" );   // read the initial particle set and the boundary mesh
            busy_for( 180000 );
        }
        {
            ZoneScopedN( "Grid::Build" );
            busy_for( 40000 );
        }
    }
    msg( "fluidsim: SPH solver, %d particles, %d tiles on %d workers, dt=2.5e-4 s", g_st.total, kTiles, kWorkers );
    if( g_s == scen::regress_b ) msg( "grid: neighbour search uses all-pairs within tile (cell list disabled)" );

    for( int step = 0; step < g_steps; step++ )
    {
        g_st.step = step;
        g_log_worker = step % kWorkers;
        if( g_s == scen::temp_leak && step == 150 )
        {
            g_st.total = 52000;   // second emitter: arrays grow once
            alloc_arrays( 56000 );
            msg( "emitter 2 enabled: %d particles (arrays grown to %d)", g_st.total, 56000 );
        }
        if( g_s == scen::straggler && step == 100 ) msg( "dam gate opened at t=%.4f s", step * 2.5e-4 );
        update_tiles( r, step );
        int maxload = 0;
        for( int t = 0; t < kTiles; t++ ) maxload = std::max( maxload, g_st.tile_n[t] );
        TracyPlot( "particles", (int64_t)g_st.total );
        TracyPlot( "max tile load", (int64_t)maxload );
        {
            ZoneScopedN( "Sim::Step" );
            ZoneValue( (uint64_t)step );
            grid_rebuild( r );
            neighbor_search();
            compute_density( r );
            integrate();
            boundaries( r );
            diag_report( r );
        }
        FrameMark;
        if( step > 0 && step % 25 == 0 )
        {
            std::lock_guard<std::mutex> lk( g_ckpt.m );
            g_ckpt.todo.push_back( step );
            g_ckpt.cv.notify_one();
        }
        if( step % 50 == 0 )
            msg( "step %d: t=%.4f s, particles=%d, max tile load=%d", step, step * 2.5e-4, g_st.total, maxload );
    }
    msg( "run finished: %d steps", g_steps );

    {
        std::lock_guard<std::mutex> lk( g_pool.m );
        g_pool.stop = true;
        g_pool.cv.notify_all();
    }
    for( auto& t : workers ) t.join();
    {
        std::lock_guard<std::mutex> lk( g_ckpt.m );
        g_ckpt.stop = true;
        g_ckpt.cv.notify_one();
    }
    writer.join();
    {
        ZoneScopedN( "Sim::Shutdown" );
        for( auto& p : g_st.arrays ) pool_free( p );
        busy_for( 5000 );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    const std::string v = argc > 2 ? argv[2] : "";
    if( s == "straggler" ) g_s = scen::straggler;
    else if( s == "serial_growth" ) g_s = scen::serial_growth;
    else if( s == "reduce_lock" ) g_s = scen::reduce_lock;
    else if( s == "temp_leak" ) g_s = scen::temp_leak;
    else if( s == "regress" && v == "a" ) g_s = scen::regress_a;
    else if( s == "regress" && v == "b" ) g_s = scen::regress_b;
    else if( s == "regress_a" ) g_s = scen::regress_a;
    else if( s == "regress_b" ) g_s = scen::regress_b;
    else
    {
        fprintf( stderr, "usage: fluidsim straggler|serial_growth|reduce_lock|temp_leak|regress a|regress b\n" );
        return 2;
    }
    run();
    printf( "fluidsim %s%s%s: done\n", s.c_str(), v.empty() ? "" : " ", v.c_str() );
    return 0;
}
