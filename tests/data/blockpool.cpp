// blockpool: an open-world game's frame loop sharing ONE task pool (4 threads, "TaskPool 0".."TaskPool 3") between
// the short CPU tasks each frame needs (Task::Animate, Task::Cull; the main thread waits for them in
// Tasks::WaitFrameTasks) and background tasks (streaming decompression, AI path planning, autosave, telemetry
// upload, navmesh baking). One FIFO queue; a task runs to completion on the thread that took it.
// Benchmark data for profiler-analysis tools, not part of any project. Each scenario plants ONE problem plus
// innocent distractors.
//
// Main thread (Tracy always reports it as "Main thread"): Game::Frame { Input::Poll, Sim::Update {Physics::Step, Gameplay::Tick},
// Tasks::SubmitFrameTasks, Render::BuildCommands, Tasks::WaitFrameTasks, Render::Submit }, then Render::Present
// (a 60 Hz frame limiter: sleeps to the next 16.667 ms deadline, no catch-up when late), then FrameMark.
//
// Usage: blockpool <scenario> [variant]
//   io_in_pool   autosave (3 x Save::WriteSnapshot) and telemetry (Http::Upload) run as pool tasks that block on
//                file / network I/O for 50-150 ms; when 3-4 land at once every pool thread is blocked and the
//                frame tasks sit in the queue: the frame hitches. Lone uploads do not hurt.
//   priority     entering a region queues 6 x Nav::BakeTiles (30-60 ms CPU chunks) on the pool; frame tasks queue
//                behind them and start late. Single-tile rebakes and lone saves/uploads do not hurt.
//   regress a|b  crowded benchmark scene; b runs the pool with 2 threads instead of 4, otherwise identical.
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
#include <functional>
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

// CPU-ish work: sleep most of it, spin the tail
void cpu_for( double ms, double tail_ms = 0.25 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( ms * 1e6 ) );
    if( ms > tail_ms + 0.15 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_ms * 1e6 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}
// blocking I/O: just sleep
void block_for( double ms ) { std::this_thread::sleep_for( std::chrono::nanoseconds( (int64_t)( ms * 1e6 ) ) ); }

struct Rng
{
    std::mt19937 g;
    explicit Rng( uint32_t s ) : g( s ) {}
    double jit( double base, double pct = 0.04 ) { return base * std::uniform_real_distribution<double>( 1 - pct, 1 + pct )( g ); }
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
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

void zone_text( tracy::ScopedZone& z, const char* fmt, ... ) __attribute__( ( format( printf, 2, 3 ) ) );
void zone_text( tracy::ScopedZone& z, const char* fmt, ... )
{
    char buf[160];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    z.Text( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ) );
}

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_TIMERSLACK, 1UL );
}

// ---- shared state touched by tasks ------------------------------------------------------------------------------

TracyLockableN( std::mutex, g_assetCacheMutex, "AssetCache::mutex" );
std::atomic<bool> g_quit{ false };

// ---- the task pool: one FIFO queue, N threads ---------------------------------------------------------------------

struct TaskPool
{
    std::vector<std::thread> threads;
    std::mutex m;
    std::condition_variable cv;
    std::deque<std::function<void()>> q;
    bool stop = false;

    std::mutex fm;                 // frame-task completion
    std::condition_variable fcv;
    int frameTasksLeft = 0;

    static constexpr const char* names[4] = { "TaskPool 0", "TaskPool 1", "TaskPool 2", "TaskPool 3" };

    void plot_pending( size_t n ) { TracyPlot( "pending tasks", (int64_t)n ); }

    void start( int n )
    {
        for( int i = 0; i < n; i++ ) threads.emplace_back( [this, i] { loop( i ); } );
    }
    void loop( int i )
    {
        name_thread( names[i] );
        for( ;; )
        {
            std::function<void()> f;
            {
                std::unique_lock<std::mutex> lk( m );
                cv.wait( lk, [&] { return stop || !q.empty(); } );   // idle: not zoned
                if( q.empty() ) return;
                f = std::move( q.front() );
                q.pop_front();
                plot_pending( q.size() );
            }
            f();
        }
    }
    void submit( std::function<void()> f )
    {
        {
            std::lock_guard<std::mutex> lk( m );
            q.push_back( std::move( f ) );
            plot_pending( q.size() );
        }
        cv.notify_one();
    }
    void submit_frame_task( std::function<void()> f )
    {
        {
            std::lock_guard<std::mutex> lk( fm );
            frameTasksLeft++;
        }
        submit( [this, f = std::move( f )] {
            f();
            {
                std::lock_guard<std::mutex> lk( fm );
                frameTasksLeft--;
            }
            fcv.notify_all();
        } );
    }
    void wait_frame_tasks()
    {
        ZoneScopedN( "Tasks::WaitFrameTasks" );
        std::unique_lock<std::mutex> lk( fm );
        fcv.wait( lk, [&] { return frameTasksLeft == 0; } );
    }
    void shutdown()
    {
        {
            std::lock_guard<std::mutex> lk( m );
            stop = true;
        }
        cv.notify_all();
        for( auto& t : threads ) t.join();
    }
};
constexpr const char* TaskPool::names[4];

// ---- tasks --------------------------------------------------------------------------------------------------------

void task_animate( int batch, int nbatch, int skeletons, double ms )
{
    ZoneScopedN( "Task::Animate" );
    zone_text( ___tracy_scoped_zone, "crowd batch %d/%d", batch + 1, nbatch );
    ZoneValue( skeletons );
    cpu_for( ms );
}

void task_cull( int cell, int ncell, double ms )
{
    ZoneScopedN( "Task::Cull" );
    zone_text( ___tracy_scoped_zone, "cells %d-%d of %d", cell * 64, cell * 64 + 63, ncell * 64 );
    cpu_for( ms );
}

void task_decompress( int chunk, double ms )
{
    ZoneScopedN( "Streaming::DecompressChunk" );
    zone_text( ___tracy_scoped_zone, "terrain chunk %d", chunk );
    const size_t sz = 256 * 1024;
    void* buf = malloc( sz );
    memset( buf, 0, 64 );
    TracyAllocN( buf, sz, "stream_buffers" );
    cpu_for( ms );
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_assetCacheMutex );
        LockMark( g_assetCacheMutex );
        ZoneScopedN( "AssetCache::Insert" );
        cpu_for( 0.25, 0.25 );
    }
    TracyFreeN( buf, "stream_buffers" );
    free( buf );
}

void task_plan_path( int agent, double ms )
{
    ZoneScopedN( "AI::PlanPath" );
    zone_text( ___tracy_scoped_zone, "agent %d", agent );
    cpu_for( ms );
}

void task_write_snapshot( const char* slot, const char* section, int kb, double write_ms, double fsync_ms )
{
    ZoneScopedN( "Save::WriteSnapshot" );
    zone_text( ___tracy_scoped_zone, "%s: %s (%d KB)", slot, section, kb );
    {
        ZoneScopedN( "Save::Serialize" );
        cpu_for( 1.2 );
    }
    {
        ZoneScopedN( "File::Write" );
        block_for( write_ms );
    }
    {
        ZoneScopedN( "File::Fsync" );
        block_for( fsync_ms );
    }
}

void task_http_upload( int batch, int kb, double connect_ms, double send_ms, double resp_ms )
{
    ZoneScopedN( "Http::Upload" );
    zone_text( ___tracy_scoped_zone, "telemetry batch %d (%d KB) -> POST /v2/events", batch, kb );
    {
        ZoneScopedN( "Http::Connect" );
        block_for( connect_ms );
    }
    {
        ZoneScopedN( "Http::Send" );
        block_for( send_ms );
    }
    {
        ZoneScopedN( "Http::WaitResponse" );
        block_for( resp_ms );
    }
}

void task_bake_tiles( const char* region, int tx, int ty, double ms )
{
    ZoneScopedN( "Nav::BakeTiles" );
    zone_text( ___tracy_scoped_zone, "%s tile (%d,%d)", region, tx, ty );
    {
        ZoneScopedN( "Nav::Rasterize" );
        cpu_for( ms * 0.45 );
    }
    {
        ZoneScopedN( "Nav::BuildRegions" );
        cpu_for( ms * 0.35 );
    }
    {
        ZoneScopedN( "Nav::BuildContours" );
        cpu_for( ms * 0.20 );
    }
}

// ---- audio thread: its own blocking stream reads (I/O done right: not on the pool) -------------------------------

void audio_thread()
{
    name_thread( "AudioMixer" );
    Rng r( 77 );
    int block = 0;
    auto next = Clock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            cpu_for( r.jit( 1.4 ) );
        }
        if( ++block % 10 == 0 )
        {
            ZoneScopedN( "Audio::StreamRead" );
            zone_text( ___tracy_scoped_zone, "music/ambient_harbor.ogg block %d", block / 10 );
            block_for( r.uni( 4.0, 8.0 ) );
        }
        next += 10ms;
        std::this_thread::sleep_until( next );
    }
}

// ---- scenario config ----------------------------------------------------------------------------------------------

enum class Scn
{
    io_in_pool,
    priority,
    regress_a,
    regress_b
};

struct Event
{
    int frame;
    std::function<void( TaskPool&, Rng& )> fire;
};

struct Game
{
    Scn scn;
    TaskPool pool;
    Rng rng{ 1234 };
    int frames = 360;
    int animBatches = 8, cullCells = 8;
    double animMs = 1.5, cullMs = 1.0;
    std::vector<Event> events;
    int chunk = 0, agent = 0, uploadBatch = 40, saveSlot = 1;

    void upload( int kb )
    {
        const int b = uploadBatch++;
        const double c = rng.uni( 6, 14 ), s = rng.uni( 20, 50 ), w = rng.uni( 30, 70 );
        log_msg( "Telemetry: uploading batch %d (%d KB)", b, kb );
        pool.submit( [=] { task_http_upload( b, kb, c, s, w ); } );
    }
    void autosave( int sections )
    {
        static const char* secs[4] = { "world", "entities", "players", "quests" };
        static const int kbs[4] = { 5120, 2304, 384, 640 };
        char slot[32];
        snprintf( slot, sizeof( slot ), "autosave_%02d.sav", saveSlot++ );
        std::string s( slot );
        log_msg( "Autosave: writing %s (%d sections)", slot, sections );
        for( int i = 0; i < sections; i++ )
        {
            const double w = rng.uni( 40, 95 ), f = rng.uni( 10, 45 );
            const char* sec = secs[i];
            const int kb = kbs[i];
            pool.submit( [=] { task_write_snapshot( s.c_str(), sec, kb, w, f ); } );
        }
    }
    void bake( const char* region, int tiles, bool entering )
    {
        std::string reg( region );
        if( entering ) log_msg( "Streaming: entering region '%s', baking %d nav tiles", region, tiles );
        else log_msg( "Nav: rebaking %d dirty tile(s) in '%s'", tiles, region );
        const int bx = rng.irange( 0, 40 ), by = rng.irange( 0, 40 );
        for( int i = 0; i < tiles; i++ )
        {
            const double ms = rng.uni( 30, 60 );
            const int tx = bx + i % 3, ty = by + i / 3;
            pool.submit( [=] { task_bake_tiles( reg.c_str(), tx, ty, ms ); } );
        }
    }

    void setup()
    {
        switch( scn )
        {
        case Scn::io_in_pool:
            // lone telemetry uploads (harmless) and autosaves that coincide with uploads (3-4 blocking tasks)
            events.push_back( { 40, [this]( TaskPool&, Rng& ) { upload( 48 ); } } );
            events.push_back( { 75, [this]( TaskPool&, Rng& ) { autosave( 3 ); upload( 64 ); } } );
            events.push_back( { 125, [this]( TaskPool&, Rng& ) { upload( 52 ); } } );
            events.push_back( { 185, [this]( TaskPool&, Rng& ) { autosave( 3 ); } } );
            events.push_back( { 235, [this]( TaskPool&, Rng& ) { upload( 40 ); } } );
            events.push_back( { 290, [this]( TaskPool&, Rng& ) { autosave( 3 ); upload( 72 ); } } );
            events.push_back( { 335, [this]( TaskPool&, Rng& ) { upload( 44 ); } } );
            break;
        case Scn::priority:
            events.push_back( { 45, [this]( TaskPool&, Rng& ) { bake( "Old Town", 1, false ); } } );
            events.push_back( { 70, [this]( TaskPool&, Rng& ) { upload( 48 ); } } );
            events.push_back( { 95, [this]( TaskPool&, Rng& ) { bake( "Harbor District", 6, true ); } } );
            events.push_back( { 150, [this]( TaskPool&, Rng& ) { bake( "Harbor District", 1, false ); } } );
            events.push_back( { 175, [this]( TaskPool&, Rng& ) { autosave( 1 ); } } );
            events.push_back( { 210, [this]( TaskPool&, Rng& ) { bake( "Lighthouse Cliffs", 6, true ); } } );
            events.push_back( { 255, [this]( TaskPool&, Rng& ) { bake( "Lighthouse Cliffs", 1, false ); } } );
            events.push_back( { 270, [this]( TaskPool&, Rng& ) { upload( 56 ); } } );
            events.push_back( { 305, [this]( TaskPool&, Rng& ) { bake( "Salt Marsh", 6, true ); } } );
            break;
        case Scn::regress_a:
        case Scn::regress_b:
            frames = 330;
            animBatches = 8;
            cullCells = 8;
            animMs = 2.0;
            cullMs = 1.5;
            events.push_back( { 150, [this]( TaskPool&, Rng& ) { upload( 48 ); } } );
            break;
        }
    }

    void run()
    {
        const int nthreads = scn == Scn::regress_b ? 2 : 4;
        pool.start( nthreads );
        std::thread audio( audio_thread );
        log_msg( "TaskPool: %d worker threads", nthreads );
        {
            ZoneScopedN( "World::Load" );
            log_msg( "World: loading 'Port Aster' (crowd %d batches)", animBatches );
            cpu_for( 700 );   // long enough that the profiler's start-up work (symbol loading) ends before frame 1
        }
        FrameMark;
        const auto period = std::chrono::nanoseconds( 16666667 );
        auto deadline = Clock::now() + period;
        size_t ev = 0;
        for( int f = 0; f < frames; f++ )
        {
            {
                ZoneScopedN( "Game::Frame" );
                {
                    ZoneScopedN( "Input::Poll" );
                    cpu_for( rng.jit( 0.3 ) );
                }
                {
                    ZoneScopedN( "Sim::Update" );
                    {
                        ZoneScopedN( "Physics::Step" );
                        ZoneValue( 1800 + rng.irange( 0, 60 ) );
                        cpu_for( rng.jit( 2.6 ) );
                    }
                    {
                        ZoneScopedN( "Gameplay::Tick" );
                        cpu_for( rng.jit( 0.8 ) );
                        while( ev < events.size() && events[ev].frame == f )
                        {
                            events[ev].fire( pool, rng );
                            ev++;
                        }
                        // routine background work: streaming and AI path requests
                        if( f % 3 == 0 )
                        {
                            const int c = chunk++;
                            const double ms = rng.uni( 1.8, 3.0 );
                            pool.submit( [=] { task_decompress( c, ms ); } );
                        }
                        if( f % 2 == 1 )
                        {
                            const int a = agent++ % 96;
                            const double ms = rng.uni( 0.8, 1.6 );
                            pool.submit( [=] { task_plan_path( a, ms ); } );
                        }
                    }
                }
                {
                    ZoneScopedN( "Tasks::SubmitFrameTasks" );
                    for( int b = 0; b < animBatches; b++ )
                    {
                        const double ms = rng.jit( animMs );
                        const int sk = 180 + rng.irange( 0, 20 );
                        const int nb = animBatches;
                        pool.submit_frame_task( [=] { task_animate( b, nb, sk, ms ); } );
                    }
                    for( int c = 0; c < cullCells; c++ )
                    {
                        const double ms = rng.jit( cullMs );
                        const int nc = cullCells;
                        pool.submit_frame_task( [=] { task_cull( c, nc, ms ); } );
                    }
                }
                {
                    ZoneScopedN( "Render::BuildCommands" );
                    {
                        std::lock_guard<LockableBase( std::mutex )> lk( g_assetCacheMutex );
                        LockMark( g_assetCacheMutex );
                        ZoneScopedN( "AssetCache::Lookup" );
                        cpu_for( 0.2, 0.2 );
                    }
                    cpu_for( rng.jit( 3.8 ) );
                    TracyPlot( "draw calls", (int64_t)( 2400 + rng.irange( 0, 150 ) ) );
                }
                pool.wait_frame_tasks();
                {
                    ZoneScopedN( "Render::Submit" );
                    cpu_for( rng.jit( 1.0 ) );
                }
            }
            {
                ZoneScopedN( "Render::Present" );
                const auto now = Clock::now();
                if( now < deadline ) std::this_thread::sleep_until( deadline );
                else deadline = now;
                deadline += period;
            }
            FrameMark;
        }
        log_msg( "Game: shutting down" );
        g_quit = true;
        audio.join();
        pool.shutdown();
    }
};

} // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: blockpool io_in_pool|priority|regress a|b\n" );
        return 2;
    }
    std::string s = argv[1];
    std::string v = argc > 2 ? argv[2] : "";
    Scn scn;
    if( s == "io_in_pool" ) scn = Scn::io_in_pool;
    else if( s == "priority" ) scn = Scn::priority;
    else if( s == "regress" && v == "a" ) scn = Scn::regress_a;
    else if( s == "regress" && v == "b" ) scn = Scn::regress_b;
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 2;
    }
    name_thread( "GameMain" );
    std::string info = "blockpool " + s + ( v.empty() ? "" : " " + v );
    TracyAppInfo( info.c_str(), info.size() );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );

    Game g;
    g.scn = scn;
    g.setup();
    g.run();
    return 0;
}
