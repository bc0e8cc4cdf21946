// vecedit: a small vector-drawing / diagram editor (desktop app) instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project). The main thread runs a UI frame loop paced by a vsync-like
// swapchain (60 Hz, 16.667 ms): Editor::Frame (input, edits, layout, culling, text shaping, render recording,
// waiting for the frame's worker jobs, submit), then Swapchain::Present, which sleeps to the next vblank, then
// FrameMark. A job pool of 3 threads (worker-0..2) runs per-frame jobs. Each scenario plants ONE problem plus
// innocent distractors.
//
// Usage: vecedit <scenario>
//   judder          after ~2.5 s the document grows (message) and Layout::Measure goes 1.5 -> 4.5 ms: frame work
//                   crosses the 16.667 ms budget and the vsync pacer turns every frame into 33.3 ms
//   wait_for_worker in 6 of 400 frames a Thumbnail::Decode job on worker-2 takes 44-70 ms; the main thread waits
//                   for it in Jobs::WaitAll (a condition variable, no Tracy lock)
//   regress_a / regress_b   benchmark replay, vsync off, 360 frames. b calls Scene::Cull once per view (3x),
//                   Text::Shape got faster, Render::Record was renamed Render::RecordCommands
//   cache_growth    asset cache (pool "asset_cache") grows to a 40 MiB cap then evicts (plateau); Undo::Push leaks a
//                   320-byte selection snapshot per edit; per-frame scratch churn
//   cache_noexit    cache_growth, except that Editor::Shutdown does not free the asset cache at exit (the process
//                   exits with the cache's last ~40 MiB still allocated; undo commands and the model are freed)
//   io_under_lock   the autosave thread holds Document::mutex for 20-30 ms while writing the file; Document::Edit
//                   on the main thread blocks on it; GlyphCache::mutex is busy but uncontended
//   serial_bake     4 bake threads, but Mesh::Simplify takes the global MeshLib::mutex around its work: the bake
//                   runs one mesh at a time
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

void busy_for( double us, double tail_us = 250.0 )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) );
    if( us > tail_us + 150.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

void io_wait_us( double us ) { std::this_thread::sleep_for( std::chrono::nanoseconds( (int64_t)( us * 1000.0 ) ) ); }

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.03 )
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

void app_start( const char* what )
{
    tracy::SetThreadName( "vecedit" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    char info[160];
    const int n = snprintf( info, sizeof( info ), "vecedit %s", what );
    TracyAppInfo( info, n );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );
}

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_TIMERSLACK, 1UL );
}

// ---- job pool: one queue per worker; the main thread waits for all jobs of the frame ---------------------

struct job_pool
{
    struct worker
    {
        std::thread t;
        std::mutex m;
        std::condition_variable cv;
        std::deque<std::function<void()>> q;
        bool stop = false;
    };
    std::vector<std::unique_ptr<worker>> ws;
    std::mutex dm;
    std::condition_variable dcv;
    int pending = 0;
    const char* names[4] = { "worker-0", "worker-1", "worker-2", "worker-3" };

    void start( int n )
    {
        for( int i = 0; i < n; i++ ) ws.push_back( std::make_unique<worker>() );
        for( int i = 0; i < n; i++ ) ws[i]->t = std::thread( [this, i] { loop( i ); } );
    }
    void loop( int i )
    {
        name_thread( names[i] );
        worker& w = *ws[i];
        for( ;; )
        {
            std::function<void()> f;
            {
                std::unique_lock<std::mutex> lk( w.m );
                w.cv.wait( lk, [&] { return w.stop || !w.q.empty(); } );   // idle: not zoned
                if( w.q.empty() ) return;
                f = std::move( w.q.front() );
                w.q.pop_front();
            }
            f();
            {
                std::lock_guard<std::mutex> lk( dm );
                pending--;
            }
            dcv.notify_all();
        }
    }
    void submit( int i, std::function<void()> f )
    {
        {
            std::lock_guard<std::mutex> lk( dm );
            pending++;
        }
        {
            std::lock_guard<std::mutex> lk( ws[i]->m );
            ws[i]->q.push_back( std::move( f ) );
        }
        ws[i]->cv.notify_one();
    }
    void wait_all()
    {
        ZoneScopedN( "Jobs::WaitAll" );
        std::unique_lock<std::mutex> lk( dm );
        dcv.wait( lk, [&] { return pending == 0; } );
    }
    void stop()
    {
        for( auto& w : ws )
        {
            {
                std::lock_guard<std::mutex> lk( w->m );
                w->stop = true;
            }
            w->cv.notify_one();
        }
        for( auto& w : ws ) w->t.join();
    }
};

// ---- swapchain: present, then sleep to the next vblank (vsync on) ------------------------------------------

struct swapchain
{
    Clock::time_point t0 = Clock::now();
    std::chrono::nanoseconds period{ 16666667 };
    bool vsync = true;
    void reset() { t0 = Clock::now(); }
    void present( rng_t& r )
    {
        ZoneScopedN( "Swapchain::Present" );
        busy_for( r( 250 ) );   // hand the frame to the compositor
        if( !vsync ) return;
        const auto now = Clock::now();
        const auto k = ( now - t0 ) / period + 1;
        std::this_thread::sleep_until( t0 + k * period );   // block until the next vblank
    }
};

// ---- the frame ---------------------------------------------------------------------------------------------

struct frame_cfg
{
    double input = 300, edit = 400, measure = 1500, cull = 1200, shape = 2000, record = 5000, submit = 1000;
    int cull_views = 1;                 // Scene::Cull calls per frame
    bool record_renamed = false;        // Render::RecordCommands instead of Render::Record
    bool edits = true;
    double glyph_job = 3000, tile_job = 2500, thumb_job = 1500;
    uint64_t nodes = 9000;
};

struct editor;

struct hooks
{
    std::function<void( int )> in_edit;            // inside Document::Edit
    std::function<double( int )> thumb_cost;       // Thumbnail::Decode duration (us) for a frame
    std::function<void( int )> in_shape;           // inside Text::Shape
    std::function<void( int )> in_record;          // inside Render::Record
    std::function<void( int )> end_frame;          // after FrameMark
};

const char* kThumbs[] = { "IMG_2207.jpg", "logo_mark.png", "hero_bg.webp", "team_photo.jpg", "icon_set.png", "map_tile_14.png" };

struct editor
{
    frame_cfg c;
    hooks h;
    job_pool jobs;
    swapchain sc;
    rng_t r{ 7 };
    rng_t rj{ 8 };
    std::mutex rj_m;

    double jr( double base )
    {
        std::lock_guard<std::mutex> lk( rj_m );
        return rj( base );
    }

    void frame( int f )
    {
        {
            ZoneScopedN( "Editor::Frame" );
            ZoneValue( (uint64_t)f );
            // dispatch this frame's background jobs
            {
                const double g = jr( c.glyph_job ), t = jr( c.tile_job );
                const double th = h.thumb_cost ? h.thumb_cost( f ) : jr( c.thumb_job );
                const char* thn = kThumbs[f % 6];
                jobs.submit( 0, [g] { ZoneScopedN( "Glyph::Rasterize" ); busy_for( g ); } );
                jobs.submit( 1, [t] { ZoneScopedN( "Tile::Raster" ); busy_for( t ); } );
                jobs.submit( 2, [th, thn] {
                    ZoneScopedN( "Thumbnail::Decode" );
                    ZoneText( thn, strlen( thn ) );
                    busy_for( th );
                } );
            }
            {
                ZoneScopedN( "Input::Poll" );
                busy_for( r( c.input ) );
            }
            if( c.edits )
            {
                ZoneScopedN( "Document::Edit" );
                if( h.in_edit ) h.in_edit( f );
                busy_for( r( c.edit ) );
            }
            {
                ZoneScopedN( "Layout::Measure" );
                ZoneValue( c.nodes );
                busy_for( r( c.measure ) );
            }
            static const char* views[] = { "canvas", "minimap", "page-strip" };
            for( int v = 0; v < c.cull_views; v++ )
            {
                ZoneScopedN( "Scene::Cull" );
                ZoneText( views[v], strlen( views[v] ) );
                busy_for( r( c.cull ) );
            }
            {
                ZoneScopedN( "Text::Shape" );
                if( h.in_shape ) h.in_shape( f );
                busy_for( r( c.shape ) );
            }
            if( c.record_renamed )
            {
                ZoneScopedN( "Render::RecordCommands" );
                if( h.in_record ) h.in_record( f );
                busy_for( r( c.record ) );
            }
            else
            {
                ZoneScopedN( "Render::Record" );
                if( h.in_record ) h.in_record( f );
                busy_for( r( c.record ) );
            }
            jobs.wait_all();
            {
                ZoneScopedN( "Render::Submit" );
                busy_for( r( c.submit ) );
            }
        }
        sc.present( r );
        FrameMark;
        if( h.end_frame ) h.end_frame( f );
    }

    void startup( const char* doc )
    {
        ZoneScopedN( "Editor::Startup" );
        {
            ZoneScopedN( "Fonts::Load" );
            io_wait_us( r( 40000 ) );
            busy_for( r( 8000 ) );
        }
        {
            ZoneScopedN( "Document::Open" );
            ZoneText( doc, strlen( doc ) );
            io_wait_us( r( 30000 ) );
            busy_for( r( 15000 ) );
        }
        log_msg( "opened %s (%llu nodes)", doc, (unsigned long long)c.nodes );
        FrameMark;   // start-up is a frame of its own
    }

    void run_frames( int n )
    {
        sc.reset();
        for( int f = 0; f < n; f++ ) frame( f );
    }
};

// background thread that periodically re-indexes the document for search (steady, off the critical path)
struct indexer
{
    std::thread t;
    std::atomic<bool> stop{ false };
    std::atomic<double> cost_us{ 5000 };
    int period_ms = 250;
    void start()
    {
        t = std::thread( [this] {
            name_thread( "indexer" );
            rng_t r( 21 );
            while( !stop.load() )
            {
                {
                    ZoneScopedN( "Search::Reindex" );
                    busy_for( r( cost_us.load() ) );
                }
                std::this_thread::sleep_for( std::chrono::milliseconds( period_ms ) );
            }
        } );
    }
    void join()
    {
        stop = true;
        t.join();
    }
};

// =============================================================================================================
// 1. judder
// =============================================================================================================

void judder()
{
    app_start( "4.1.0 doc=site_plan.vecs" );
    editor e;
    e.c.record = 7700;
    e.c.nodes = 9000;
    e.jobs.start( 3 );
    indexer ix;
    ix.start();
    e.startup( "site_plan.vecs" );
    TracyPlot( "doc_nodes", (int64_t)e.c.nodes );
    constexpr int kGrowAt = 150;
    e.h.end_frame = [&]( int f ) {
        if( f == kGrowAt - 1 )
        {
            e.c.nodes = 27000;
            e.c.measure = 4500;        // Layout::Measure scales with the node count
            ix.cost_us = 14000;        // so does the background re-index (off the main thread)
            log_msg( "document grew to 27000 nodes (pasted floorplan_v7.svg)" );
            TracyPlot( "doc_nodes", (int64_t)e.c.nodes );
        }
    };
    e.run_frames( 255 );
    ix.join();
    e.jobs.stop();
}

// =============================================================================================================
// 2. wait_for_worker
// =============================================================================================================

void wait_for_worker()
{
    app_start( "4.1.0 doc=brochure.vecs" );
    editor e;
    e.c.glyph_job = 6000;   // steady and the biggest job: not the problem
    e.jobs.start( 3 );
    indexer ix;
    ix.start();
    e.startup( "brochure.vecs" );
    const int slow_f[] = { 57, 118, 171, 236, 290, 355 };
    const double slow_us[] = { 48000, 62000, 55000, 44000, 70000, 58000 };
    e.h.thumb_cost = [&]( int f ) {
        for( int i = 0; i < 6; i++ )
            if( slow_f[i] == f ) return slow_us[i];
        return e.jr( e.c.thumb_job );
    };
    std::atomic<bool> stop{ false };
    // autosave thread: one long zone (no lock, not on the frame's critical path)
    std::thread as( [&] {
        name_thread( "autosave" );
        rng_t r( 31 );
        std::this_thread::sleep_for( 3100ms );
        {
            ZoneScopedN( "Autosave::Run" );
            busy_for( r( 3000 ) );
            io_wait_us( r( 42000 ) );
        }
        log_msg( "autosaved brochure.vecs" );
        while( !stop.load() ) std::this_thread::sleep_for( 20ms );
    } );
    e.run_frames( 400 );
    stop = true;
    as.join();
    ix.join();
    e.jobs.stop();
}

// =============================================================================================================
// 3. call count regression (benchmark replay, vsync off)
// =============================================================================================================

void regress( bool b )
{
    app_start( b ? "4.2.0-rc1 (build b) benchmark" : "4.1.0 (build a) benchmark" );
    editor e;
    e.sc.vsync = false;
    if( b )
    {
        e.c.cull_views = 3;            // culls once per view instead of once per frame
        e.c.shape = 1600;              // faster text shaping
        e.c.record_renamed = true;     // Render::Record -> Render::RecordCommands
    }
    e.jobs.start( 3 );
    indexer ix;
    ix.start();
    e.startup( "brochure.vecs" );
    log_msg( "benchmark: replaying session brochure_edit.vrec, 360 frames, vsync off" );
    const auto t0 = Clock::now();
    e.run_frames( 360 );
    log_msg( "benchmark: 360 frames in %.1f ms", std::chrono::duration<double, std::milli>( Clock::now() - t0 ).count() );
    ix.join();
    e.jobs.stop();
}

// =============================================================================================================
// 4. cache_growth (and cache_noexit: the same, but the asset cache is not freed at exit)
// =============================================================================================================

void cache_growth( bool free_cache_at_exit = true )
{
    app_start( "4.1.0 doc=atlas.vecs" );
    editor e;
    e.jobs.start( 3 );
    e.startup( "atlas.vecs" );
    const char* kCache = "asset_cache";
    constexpr size_t kCap = 40u << 20;

    // document model: allocated at open, freed at shutdown
    std::vector<void*> model;
    {
        ZoneScopedN( "Document::BuildModel" );
        for( int i = 0; i < 24; i++ ) model.push_back( mem_alloc( 256u << 10 ) );
        void* parse = mem_alloc( 12u << 20 );   // parse buffer: transient
        busy_for( 12000 );
        mem_free( parse );
    }

    // asset loader thread: the frame asks for one asset every other frame
    struct entry { void* p; size_t sz; };
    std::mutex qm;
    std::condition_variable qcv;
    std::deque<int> req;
    bool done = false;
    std::deque<entry> cache;
    size_t cache_bytes = 0;
    std::thread loader( [&] {
        name_thread( "asset-loader" );
        rng_t r( 41 );
        std::mt19937 g( 42 );
        bool capped = false;
        for( ;; )
        {
            int id;
            {
                std::unique_lock<std::mutex> lk( qm );
                qcv.wait( lk, [&] { return done || !req.empty(); } );
                if( req.empty() ) return;
                id = req.front();
                req.pop_front();
            }
            const size_t sz = ( (size_t)std::uniform_int_distribution<int>( 96, 640 )( g ) ) << 10;
            {
                ZoneScopedN( "Asset::Decode" );
                io_wait_us( r( 3000 ) );
                busy_for( r( 1500 ) );
            }
            {
                ZoneScopedN( "AssetCache::Insert" );
                ZoneValue( (uint64_t)id );
                if( cache_bytes + sz > kCap )
                {
                    ZoneNamedN( evict, "AssetCache::Evict", true );
                    if( !capped )
                    {
                        capped = true;
                        log_msg( "asset cache at cap (%zu MiB), evicting least recently used", kCap >> 20 );
                    }
                    while( cache_bytes + sz > kCap )
                    {
                        mem_free( cache.front().p, kCache );
                        cache_bytes -= cache.front().sz;
                        cache.pop_front();
                    }
                    busy_for( 150 );
                }
                cache.push_back( { mem_alloc( sz, kCache ), sz } );
                cache_bytes += sz;
                busy_for( 200 );
                TracyPlot( "asset_cache_mb", (double)cache_bytes / 1048576.0 );
            }
        }
    } );

    // undo stack: commands are trimmed beyond 50 entries; the selection snapshot is never freed (leak)
    struct undo_rec { void* cmd; void* sel; };
    std::deque<undo_rec> undo;
    int edits = 0;
    e.h.in_edit = [&]( int f ) {
        if( f % 3 != 0 ) return;
        ZoneScopedN( "Undo::Push" );
        undo_rec u;
        u.cmd = mem_alloc( 448 );
        u.sel = mem_alloc( 320 );      // selection snapshot: nothing ever frees it
        undo.push_back( u );
        edits++;
        if( undo.size() > 50 )
        {
            ZoneScopedN( "Undo::Trim" );
            mem_free( undo.front().cmd );   // BUG: undo.front().sel is dropped without being freed
            undo.pop_front();
        }
        TracyPlot( "undo_depth", (int64_t)undo.size() );
    };
    // transient churn: glyph runs in Text::Shape, scratch command buffers in Render::Record (freed every frame)
    std::mt19937 cg( 43 );
    e.h.in_shape = [&]( int ) {
        for( int i = 0; i < 6; i++ )
        {
            void* p = mem_alloc( (size_t)std::uniform_int_distribution<int>( 4, 16 )( cg ) << 10 );
            mem_free( p );
        }
    };
    std::vector<void*> scratch;
    e.h.in_record = [&]( int ) {
        for( int i = 0; i < 3; i++ ) scratch.push_back( mem_alloc( (size_t)std::uniform_int_distribution<int>( 256, 1024 )( cg ) << 10 ) );
    };
    e.h.end_frame = [&]( int f ) {
        for( void* p : scratch ) mem_free( p );
        scratch.clear();
        if( f % 2 == 0 )
        {
            {
                std::lock_guard<std::mutex> lk( qm );
                req.push_back( f / 2 );
            }
            qcv.notify_one();
        }
    };
    e.run_frames( 420 );
    {
        std::lock_guard<std::mutex> lk( qm );
        done = true;
    }
    qcv.notify_one();
    loader.join();
    {
        ZoneScopedN( "Editor::Shutdown" );
        if( free_cache_at_exit )
            for( auto& c : cache ) mem_free( c.p, kCache );
        for( auto& u : undo ) mem_free( u.cmd );
        for( void* p : model ) mem_free( p );
        busy_for( 5000 );
    }
    log_msg( "shutdown: %d edits", edits );
    e.jobs.stop();
}

// =============================================================================================================
// 5. io_under_lock
// =============================================================================================================

TracyLockableN( std::mutex, g_doc, "Document::mutex" );
TracyLockableN( std::mutex, g_glyphs, "GlyphCache::mutex" );

void io_under_lock()
{
    app_start( "4.1.0 doc=annual_report.vecs" );
    editor e;
    e.jobs.start( 3 );
    e.startup( "annual_report.vecs" );
    std::atomic<bool> stop{ false };
    rng_t rm( 51 );
    e.h.in_edit = [&]( int ) {
        std::lock_guard<LockableBase( std::mutex )> lk( g_doc );
        LockMark( g_doc );
        ZoneScopedN( "Document::ApplyOp" );
        busy_for( rm( 250 ) );
    };
    // GlyphCache::mutex: taken 12x per frame by Text::Shape (main) and by the spellcheck thread; short holds
    e.h.in_shape = [&]( int ) {
        for( int i = 0; i < 12; i++ )
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_glyphs );
            LockMark( g_glyphs );
            busy_for( 25 );
        }
    };
    std::thread spell( [&] {
        name_thread( "spellcheck" );
        rng_t r( 52 );
        while( !stop.load() )
        {
            {
                ZoneScopedN( "Spellcheck::Run" );
                busy_for( r( 6000 ) );
                for( int i = 0; i < 4; i++ )
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_glyphs );
                    LockMark( g_glyphs );
                    busy_for( 30 );
                }
            }
            std::this_thread::sleep_for( 40ms );
        }
    } );
    std::thread autosave( [&] {
        name_thread( "autosave" );
        rng_t r( 53 );
        const int gaps_ms[] = { 900, 1150, 1000, 1300, 950, 1100 };
        const double write_us[] = { 24000, 29000, 21000, 27000, 30000, 23000 };
        int k = 0;
        for( ;; )
        {
            for( int w = 0; w < gaps_ms[k % 6] / 10 && !stop.load(); w++ ) std::this_thread::sleep_for( 10ms );
            if( stop.load() || k >= 6 ) break;
            {
                ZoneScopedN( "Autosave::Run" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_doc );
                LockMark( g_doc );
                {
                    ZoneScopedN( "Autosave::Serialize" );
                    busy_for( r( 1800 ) );
                }
                {
                    ZoneScopedN( "Autosave::WriteFile" );
                    ZoneText( "annual_report.vecs~", 19 );
                    io_wait_us( write_us[k] );   // write + fsync while still holding the document lock
                }
            }
            log_msg( "autosave #%d written", k + 1 );
            k++;
        }
    } );
    e.run_frames( 420 );
    stop = true;
    autosave.join();
    spell.join();
    e.jobs.stop();
}

// =============================================================================================================
// 6. serial_bake
// =============================================================================================================

TracyLockableN( std::mutex, g_meshlib, "MeshLib::mutex" );
TracyLockableN( std::mutex, g_bakeq, "BakeQueue::mutex" );

void serial_bake()
{
    app_start( "4.1.0 doc=factory_floor.vecs (bake)" );
    editor e;
    e.c.record = 3500;
    e.jobs.start( 3 );
    e.startup( "factory_floor.vecs" );
    constexpr int kMeshes = 112;
    constexpr int kBakers = 4;
    std::atomic<int> done{ 0 };
    std::deque<int> q;
    std::atomic<bool> go{ false };
    std::vector<std::thread> bakers;
    const char* names[kBakers] = { "bake-0", "bake-1", "bake-2", "bake-3" };
    for( int b = 0; b < kBakers; b++ )
        bakers.emplace_back( [&, b] {
            name_thread( names[b] );
            rng_t r( 60 + b );
            while( !go.load() ) std::this_thread::sleep_for( 1ms );
            for( ;; )
            {
                int id;
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_bakeq );
                    LockMark( g_bakeq );
                    if( q.empty() ) break;
                    id = q.front();
                    q.pop_front();
                }
                ZoneScopedN( "Bake::Mesh" );
                ZoneValue( (uint64_t)id );
                {
                    ZoneScopedN( "Mesh::Weld" );
                    busy_for( r( 1200 ) );
                }
                {
                    ZoneScopedN( "Mesh::Simplify" );
                    // the mesh library is not thread-safe: one global lock around every call
                    std::lock_guard<LockableBase( std::mutex )> lk( g_meshlib );
                    LockMark( g_meshlib );
                    ZoneNamedN( decimate, "MeshLib::Decimate", true );
                    busy_for( r( 15000, 0.08 ) );
                }
                {
                    ZoneScopedN( "Mesh::PackUVs" );
                    busy_for( r( 1000 ) );
                }
                done++;
            }
        } );
    Clock::time_point bake_t0;
    bool started = false, finished = false;
    e.h.end_frame = [&]( int f ) {
        if( f == 30 )
        {
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_bakeq );
                LockMark( g_bakeq );
                for( int i = 0; i < kMeshes; i++ ) q.push_back( i );
            }
            log_msg( "bake: %d meshes on %d worker threads", kMeshes, kBakers );
            bake_t0 = Clock::now();
            started = true;
            go = true;
        }
        if( started && !finished )
        {
            TracyPlot( "bake_done", (int64_t)done.load() );
            if( done.load() == kMeshes )
            {
                finished = true;
                log_msg( "bake: %d meshes done in %.0f ms", kMeshes, std::chrono::duration<double, std::milli>( Clock::now() - bake_t0 ).count() );
            }
        }
    };
    int f = 0;
    e.sc.reset();
    while( !finished || f < 30 ) e.frame( f++ );
    for( int k = 0; k < 30; k++ ) e.frame( f++ );
    for( auto& t : bakers ) t.join();
    e.jobs.stop();
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    if( s == "judder" ) judder();
    else if( s == "wait_for_worker" ) wait_for_worker();
    else if( s == "regress_a" ) regress( false );
    else if( s == "regress_b" ) regress( true );
    else if( s == "cache_growth" ) cache_growth();
    else if( s == "cache_noexit" ) cache_growth( false );
    else if( s == "io_under_lock" ) io_under_lock();
    else if( s == "serial_bake" ) serial_bake();
    else
    {
        fprintf( stderr, "usage: vecedit judder|wait_for_worker|regress_a|regress_b|cache_growth|cache_noexit|io_under_lock|serial_bake\n" );
        return 2;
    }
    printf( "vecedit %s: done\n", s.c_str() );
    return 0;
}
