// notesapp: an event-driven desktop markdown notes editor, instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project). NOT a game: the main thread runs an event loop that only
// redraws when something changed.
//
//   Main thread  App::Init (Config::Load, FontCache::Build, Notes::Open > IO::ReadFile, Markdown::ParseDocument),
//                then per loop iteration: UI::WaitForEvents (blocks until a scripted input event or a timer:
//                caret animation at 60 Hz for ~100 ms after a key, smooth scrolling, caret blink every 500 ms when
//                idle), UI::DispatchEvent (ZoneText "KeyPress 'a'", "Scroll", "Click 'Search'", "MouseMove",
//                "Timer 'caret-blink'", ...), and when something changed UI::Layout > Layout::ShapeText,
//                Layout::WrapLines; UI::Paint > Paint::Background, Paint::Text, Paint::Gutter, Paint::Caret;
//                UI::Present; FrameMark. Frames are irregular: short frames while typing, long idle frames.
//   indexer      Index::UpdateDocument (Index::Tokenize, then Index::MergePostings under Index::mutex) after edits
//   spellcheck   Spell::LoadDictionary at start, then Spell::CheckParagraph for edited paragraphs
//   autosave     IO::SaveNote > IO::SerializeMarkdown (under Document::mutex), IO::WriteFile, IO::Fsync (~2 s)
//   Plots "document lines", "undo depth"; memory pools (default), "glyph_cache", "undo".
//
// Usage: notesapp <scenario>
//   keypress_lag   a long note (1600+ lines, pastes grow it to ~2800): every keypress runs a synchronous full
//                  Markdown::ReparseDocument inside UI::DispatchEvent (~40-70 ms, linear in document lines)
//                  instead of the incremental Markdown::ReparseParagraph
//   search_lock    the indexer runs Index::Rebuild (Index::ScanNotes unlocked, then Index::BuildPostings and
//                  Index::SwapSegments holding Index::mutex ~200-290 ms); 4 of the 5 searches (Click 'Search' ->
//                  Search::Query on the main thread, which takes Index::mutex) land inside a rebuild and freeze
//   undo_growth    every edit pushes an undo snapshot of the whole paragraph list (pool "undo") and the undo
//                  stack is never trimmed (normally: snapshot of the edited paragraph, trimmed to 32 entries)
//   regress a|b    same scripted input; b: UI::Paint 1.8x slower (new Effects::Blur child), Spell::CheckParagraph
//                  2x faster, UI::Layout renamed UI::LayoutPass
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
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
    if( us > tail_us + 150.0 ) std::this_thread::sleep_until( end - std::chrono::nanoseconds( (int64_t)( tail_us * 1000.0 ) ) );
    double x = 1.0;
    while( Clock::now() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}
void busy_ms( double ms ) { busy_for( ms * 1000.0 ); }

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    double jit( double base, double pct = 0.08 ) { return base * uni( 1.0 - pct, 1.0 + pct ); }
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

// ---- clock shared by all threads ---------------------------------------------------------------------------

Clock::time_point g_t0;
double now_ms() { return std::chrono::duration<double, std::milli>( Clock::now() - g_t0 ).count(); }
void sleep_until_ms( double t ) { std::this_thread::sleep_until( g_t0 + std::chrono::nanoseconds( (int64_t)( t * 1e6 ) ) ); }

// ---- memory ------------------------------------------------------------------------------------------------

const char* const kGlyphPool = "glyph_cache";
const char* const kUndoPool = "undo";

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

TracyLockableN( std::mutex, g_index_mutex, "Index::mutex" );
TracyLockableN( std::mutex, g_doc_mutex, "Document::mutex" );

// ---- scenario ----------------------------------------------------------------------------------------------

enum class scen { keypress_lag, search_lock, undo_growth, regress_a, regress_b };
scen g_s;

// ---- shared document state ---------------------------------------------------------------------------------

std::atomic<int> g_lines{ 0 };
std::atomic<int> g_edits{ 0 };              // edits since start
std::atomic<double> g_last_edit_ms{ -1e9 };
std::atomic<bool> g_index_dirty{ false };
std::atomic<int> g_spell_pending{ 0 };      // edited paragraphs not yet checked
std::atomic<bool> g_save_dirty{ false };
std::atomic<bool> g_stop{ false };
std::atomic<int> g_caret_para{ 120 };

int paragraphs_of( int lines ) { return lines * 5 / 11; }

// ---- the scripted user -------------------------------------------------------------------------------------

enum class ev_kind { key, enter, backspace, paste, scroll, search, mouse };

struct script_ev
{
    double t;
    ev_kind kind;
    char ch = 0;
    int arg = 0;            // paste: lines; scroll: delta; search: collide with a rebuild
    std::string query;
};

struct rebuild_t
{
    double start;           // Index::Rebuild begins (Index::ScanNotes)
    double scan_ms;
    double hold_ms;         // Index::mutex held
};

struct script_t
{
    std::vector<script_ev> ev;
    std::vector<rebuild_t> rebuilds;
    double end_t = 0;
    int doc_lines = 0;
};

const char* const kCorpus =
    "- [ ] email Dana the Q3 roadmap draft\n"
    "- [x] fix sync conflict on laptop\n"
    "review PR 482 before standup, ask about retries\n"
    "## Friday\n"
    "call the plumber about the kitchen sink\n"
    "ideas: offline mode, tag search, export to pdf\n";

const char* const kQueries[] = { "roadmap", "meeting notes", "plumber", "tag:work", "retries", "export pdf" };

struct plan_builder
{
    script_t s;
    rng_t r;
    double t;
    size_t corpus_pos = 0;
    int query_i = 0;

    plan_builder( uint32_t seed, double start ) : r( seed ), t( start ) {}

    // the user idles for `blinks` caret blinks (500 ms each, counted from the last input) plus 40-110 ms
    void idle( int blinks ) { pause( 500.0 * blinks + r.uni( 40, 110 ) ); }
    void pause( double ms )
    {
        const int moves = r.irange( 0, 2 );
        std::vector<double> at;
        for( int i = 0; i < moves; i++ ) at.push_back( t + ms * r.uni( 0.15, 0.85 ) );
        std::sort( at.begin(), at.end() );
        for( double a : at ) s.ev.push_back( { a, ev_kind::mouse } );
        t += ms;
    }
    // n keypresses 80-120 ms apart; pastes: (index, lines); hesitations: the user stops for one caret blink
    // (500 ms) plus 40-110 ms inside the burst
    void burst( int n, std::vector<std::pair<int, int>> pastes = {}, int hesitations = 0 )
    {
        std::vector<int> hes;
        for( int i = 0; i < hesitations; i++ ) hes.push_back( r.irange( 4, n - 3 ) );
        for( int i = 0; i < n; i++ )
        {
            if( i > 0 ) t += r.uni( 80, 120 );
            if( std::find( hes.begin(), hes.end(), i ) != hes.end() ) t += 500 - 100 + r.uni( 40, 110 );
            script_ev e{ t, ev_kind::key };
            bool pasted = false;
            for( auto& p : pastes )
                if( p.first == i ) { e.kind = ev_kind::paste; e.arg = p.second; pasted = true; }
            if( !pasted )
            {
                if( i > 2 && r.chance( 0.06 ) ) e.kind = ev_kind::backspace;
                else
                {
                    const char c = kCorpus[corpus_pos++ % strlen( kCorpus )];
                    if( c == '\n' ) e.kind = ev_kind::enter;
                    else e.ch = c;
                }
            }
            s.ev.push_back( e );
        }
    }
    void scroll( int ticks )
    {
        for( int i = 0; i < ticks; i++ )
        {
            if( i > 0 ) t += r.uni( 50, 90 );
            s.ev.push_back( { t, ev_kind::scroll, 0, r.chance( 0.7 ) ? 3 : -3 } );
        }
    }
    // collide: the indexer starts a rebuild so that it holds Index::mutex when the click arrives
    void search( bool collide )
    {
        script_ev e{ t, ev_kind::search };
        e.query = kQueries[query_i++ % 6];
        e.arg = collide ? 1 : 0;
        s.ev.push_back( e );
        if( collide )
        {
            const double scan = r.uni( 30, 40 );
            const double lock_at = t - r.uni( 45, 95 );
            s.rebuilds.push_back( { lock_at - scan, scan, r.uni( 210, 290 ) } );
        }
    }
    void rebuild_at( double at )
    {
        s.rebuilds.push_back( { at, r.uni( 30, 40 ), r.uni( 210, 290 ) } );
    }
    script_t done( int doc_lines, double tail )
    {
        pause( tail );
        s.end_t = t;
        s.doc_lines = doc_lines;
        std::sort( s.ev.begin(), s.ev.end(), []( const script_ev& a, const script_ev& b ) { return a.t < b.t; } );
        std::sort( s.rebuilds.begin(), s.rebuilds.end(), []( const rebuild_t& a, const rebuild_t& b ) { return a.start < b.start; } );
        return s;
    }
};

const double kInitEnd = 120;   // the script starts after App::Init

script_t make_script()
{
    switch( g_s )
    {
    case scen::keypress_lag:
    {
        plan_builder b( 7001, kInitEnd );
        b.idle( 1 );
        b.burst( 20, { { 5, 300 }, { 14, 290 } } );
        b.idle( 1 );
        b.scroll( 3 );
        b.idle( 1 );
        b.burst( 20, { { 4, 310 }, { 13, 300 } } );
        b.idle( 2 );
        b.search( false );
        b.idle( 1 );
        return b.done( 1600, 300 );
    }
    case scen::search_lock:
    {
        plan_builder b( 7002, kInitEnd );
        b.idle( 1 );
        b.burst( 20, { { 10, 30 } } );
        b.idle( 1 );
        b.search( true );
        b.idle( 1 );
        b.scroll( 3 );
        b.idle( 1 );
        b.search( false );
        b.rebuild_at( b.t + 150 );      // a rebuild that no search runs into
        b.idle( 1 );
        b.search( true );
        b.idle( 1 );
        b.search( true );
        b.idle( 1 );
        b.search( true );
        return b.done( 520, 560 );
    }
    case scen::undo_growth:
    {
        plan_builder b( 7003, kInitEnd );
        b.idle( 1 );
        b.burst( 22, { { 12, 24 } } );
        b.idle( 1 );
        b.scroll( 3 );
        b.idle( 1 );
        b.burst( 22, { { 9, 18 } } );
        b.idle( 1 );
        b.search( false );
        return b.done( 1300, 560 );
    }
    case scen::regress_a:
    case scen::regress_b:
    default:
    {
        plan_builder b( 7004, kInitEnd );
        b.idle( 1 );
        b.burst( 20, { { 11, 40 } } );
        b.idle( 1 );
        b.scroll( 4 );
        b.idle( 1 );
        b.search( false );
        b.idle( 1 );
        b.burst( 20, {} );
        b.idle( 1 );
        b.search( false );
        return b.done( 420, 560 );
    }
    }
}

script_t g_script;

// ---- undo stack --------------------------------------------------------------------------------------------

struct undo_entry
{
    void* p;
    size_t sz;
};
std::deque<undo_entry> g_undo;
const size_t kUndoCap = 32;

void undo_push( rng_t& r )
{
    ZoneScopedN( "Undo::PushSnapshot" );
    size_t sz;
    if( g_s == scen::undo_growth )
    {
        // snapshot of the whole paragraph list
        sz = (size_t)paragraphs_of( g_lines.load() ) * 240 + 512;
        busy_for( 0.2 + sz / 400000.0 * 1000.0 * 0.35 );
    }
    else
    {
        // snapshot of the edited paragraph only
        sz = (size_t)r.irange( 180, 720 );
        busy_for( 25 );
    }
    ZoneValue( sz );
    g_undo.push_back( { mem_alloc( sz, kUndoPool ), sz } );
    if( g_s != scen::undo_growth && g_undo.size() > kUndoCap )
    {
        ZoneScopedN( "Undo::Trim" );
        while( g_undo.size() > kUndoCap )
        {
            mem_free( g_undo.front().p, kUndoPool );
            g_undo.pop_front();
        }
        busy_for( 8 );
    }
    TracyPlot( "undo depth", (int64_t)g_undo.size() );
}

// ---- the UI ------------------------------------------------------------------------------------------------

std::vector<void*> g_doc_blocks;     // document text (grows with pastes)

void reparse( rng_t& r, bool paste, int paste_lines )
{
    if( g_s == scen::keypress_lag )
    {
        ZoneScopedN( "Markdown::ReparseDocument" );
        const int lines = g_lines.load();
        ZoneValue( lines );
        const double total = lines * 0.0245 * r.uni( 0.97, 1.03 );
        {
            ZoneScopedN( "Markdown::Tokenize" );
            busy_ms( total * 0.55 );
        }
        {
            ZoneScopedN( "Markdown::BuildBlocks" );
            busy_ms( total * 0.33 );
        }
        {
            ZoneScopedN( "Markdown::ResolveLinks" );
            busy_ms( total * 0.12 );
        }
    }
    else
    {
        ZoneScopedN( "Markdown::ReparseParagraph" );
        busy_for( paste ? 40.0 * paste_lines * r.uni( 0.9, 1.1 ) : r.uni( 180, 380 ) );
    }
}

void edit_document( rng_t& r, int added_lines, size_t bytes )
{
    ZoneScopedN( "Editor::ApplyEdit" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_doc_mutex );
    LockMark( g_doc_mutex );
    busy_for( added_lines > 1 ? 600 : r.uni( 40, 90 ) );
    if( bytes > 0 ) g_doc_blocks.push_back( mem_alloc( bytes ) );
    if( added_lines )
    {
        g_lines += added_lines;
        TracyPlot( "document lines", (int64_t)g_lines.load() );
    }
}

void after_edit()
{
    g_edits++;
    g_last_edit_ms = now_ms();
    g_index_dirty = true;
    g_save_dirty = true;
    g_spell_pending++;
}

void search_query( rng_t& r, const std::string& q )
{
    ZoneScopedN( "Search::Query" );
    ZoneText( q.c_str(), q.size() );
    int hits;
    {
        std::lock_guard<LockableBase( std::mutex )> lk( g_index_mutex );
        LockMark( g_index_mutex );
        {
            ZoneScopedN( "Search::Match" );
            busy_ms( r.uni( 2.2, 3.0 ) );
        }
        {
            ZoneScopedN( "Search::Rank" );
            busy_ms( r.uni( 0.6, 0.9 ) );
        }
        hits = r.irange( 2, 14 );
    }
    log_msg( "search: \"%s\" -> %d hits in %d notes", q.c_str(), hits, std::max( 1, hits / 3 ) );
}

enum class redraw { none, full, scroll, light };

void layout( rng_t& r, redraw kind )
{
    ZoneScopedN( "UI::Layout" );
    if( kind == redraw::light )
    {
        busy_for( r.uni( 120, 200 ) );
        return;
    }
    void* buf = nullptr;
    {
        ZoneScopedN( "Layout::ShapeText" );
        busy_ms( kind == redraw::scroll ? r.uni( 2.4, 3.0 ) : r.uni( 1.5, 1.9 ) );
        buf = mem_alloc( 60 * 512 + r.irange( 0, 4096 ) );
    }
    {
        ZoneScopedN( "Layout::WrapLines" );
        busy_ms( r.uni( 0.8, 1.1 ) );
    }
    mem_free( buf );
}

// the regress b build renamed the pass (same work)
void layout_pass( rng_t& r, redraw kind )
{
    ZoneScopedN( "UI::LayoutPass" );
    if( kind == redraw::light )
    {
        busy_for( r.uni( 120, 200 ) );
        return;
    }
    void* buf = nullptr;
    {
        ZoneScopedN( "Layout::ShapeText" );
        busy_ms( kind == redraw::scroll ? r.uni( 2.4, 3.0 ) : r.uni( 1.5, 1.9 ) );
        buf = mem_alloc( 60 * 512 + r.irange( 0, 4096 ) );
    }
    {
        ZoneScopedN( "Layout::WrapLines" );
        busy_ms( r.uni( 0.8, 1.1 ) );
    }
    mem_free( buf );
}

void paint( rng_t& r, redraw kind, void*& frame_buf )
{
    ZoneScopedN( "UI::Paint" );
    double sum = 0;
    auto part = [&]( double ms ) { sum += ms; busy_ms( ms ); };
    if( kind == redraw::light )
    {
        {
            ZoneScopedN( "Paint::Background" );
            part( r.uni( 0.10, 0.14 ) );
        }
        {
            ZoneScopedN( "Paint::Caret" );
            part( r.uni( 0.16, 0.22 ) );
        }
    }
    else
    {
        {
            ZoneScopedN( "Paint::Background" );
            part( r.uni( 0.32, 0.40 ) );
        }
        {
            ZoneScopedN( "Paint::Text" );
            part( kind == redraw::scroll ? r.uni( 2.7, 3.1 ) : r.uni( 2.2, 2.6 ) );
            frame_buf = mem_alloc( 256 * 1024 );   // glyph run buffer, freed after Present
        }
        {
            ZoneScopedN( "Paint::Gutter" );
            part( r.uni( 0.40, 0.50 ) );
        }
        {
            ZoneScopedN( "Paint::Caret" );
            part( r.uni( 0.06, 0.10 ) );
        }
    }
    if( g_s == scen::regress_b )
    {
        ZoneScopedN( "Effects::Blur" );
        busy_ms( sum * 0.8 );
    }
}

void present( rng_t& r, void*& frame_buf )
{
    ZoneScopedN( "UI::Present" );
    busy_ms( r.uni( 0.55, 0.85 ) );
    if( frame_buf )
    {
        mem_free( frame_buf );
        frame_buf = nullptr;
    }
}

std::string key_text( const script_ev& e )
{
    switch( e.kind )
    {
    case ev_kind::enter: return "KeyPress 'Enter'";
    case ev_kind::backspace: return "KeyPress 'Backspace'";
    case ev_kind::paste: return "KeyPress 'Ctrl+V'";
    case ev_kind::key:
        if( e.ch == ' ' ) return "KeyPress 'Space'";
        return std::string( "KeyPress '" ) + e.ch + "'";
    case ev_kind::scroll: return "Scroll";
    case ev_kind::search: return "Click 'Search'";
    case ev_kind::mouse: return "MouseMove";
    }
    return "?";
}

void app_init( rng_t& r )
{
    ZoneScopedN( "App::Init" );
    {
        ZoneScopedN( "Config::Load" );
        busy_ms( r.uni( 2.5, 3.5 ) );
    }
    {
        ZoneScopedN( "FontCache::Build" );
        for( int i = 0; i < 24; i++ ) mem_alloc( 64 * 1024, kGlyphPool );   // atlas pages, live for the session
        busy_ms( r.uni( 22, 26 ) );
    }
    {
        ZoneScopedN( "Notes::Open" );
        ZoneText( "notes/todo.md", 13 );
        {
            ZoneScopedN( "IO::ReadFile" );
            busy_ms( r.uni( 3, 5 ) );
        }
        g_lines = g_script.doc_lines;
        g_doc_blocks.push_back( mem_alloc( (size_t)g_lines.load() * 42 ) );
        {
            ZoneScopedN( "Markdown::ParseDocument" );
            ZoneValue( g_lines.load() );
            busy_ms( g_lines.load() * 0.0245 );
        }
    }
    TracyPlot( "document lines", (int64_t)g_lines.load() );
    TracyPlot( "undo depth", (int64_t)0 );
    log_msg( "opened notes/todo.md (%d lines)", g_lines.load() );
}

void ui_main()
{
    rng_t r( g_s == scen::regress_b ? 4242 : 4242 + (int)g_s );
    app_init( r );
    {
        // first paint
        void* fb = nullptr;
        if( g_s == scen::regress_b ) layout_pass( r, redraw::full );
        else layout( r, redraw::full );
        paint( r, redraw::full, fb );
        present( r, fb );
        FrameMark;
    }

    const double kInf = std::numeric_limits<double>::infinity();
    size_t i = 0;
    double anim_until = -1, next_anim = kInf, next_blink = std::max( now_ms(), kInitEnd ) + 500;
    bool caret_on = true, anim_scroll = false;
    const auto& ev = g_script.ev;
    for( ;; )
    {
        enum class src { script, anim, blink, end } which;
        {
            ZoneScopedN( "UI::WaitForEvents" );
            const double next_script = i < ev.size() ? ev[i].t : g_script.end_t;
            const double next_timer = std::min( anim_until > 0 ? next_anim : kInf, next_blink );
            const double wake = std::min( next_script, next_timer );
            if( wake > now_ms() ) sleep_until_ms( wake );
            if( next_script <= next_timer ) which = i < ev.size() ? src::script : src::end;
            else which = next_anim <= next_blink && anim_until > 0 ? src::anim : src::blink;
        }
        if( which == src::end ) break;

        redraw rd = redraw::none;
        {
            ZoneScopedN( "UI::DispatchEvent" );
            const double t = now_ms();
            if( which == src::anim )
            {
                ZoneText( "Timer 'animation'", 17 );
                busy_for( 30 );
                rd = redraw::light;
                next_anim += 16.7;
                if( next_anim < t ) next_anim = t + 16.7;
                if( next_anim > anim_until ) { anim_until = -1; next_anim = kInf; }
            }
            else if( which == src::blink )
            {
                ZoneText( "Timer 'caret-blink'", 19 );
                busy_for( 20 );
                caret_on = !caret_on;
                rd = redraw::light;
                next_blink += 500;
                if( next_blink < t ) next_blink = t + 500;
            }
            else
            {
                const script_ev& e = ev[i++];
                const std::string txt = key_text( e );
                ZoneText( txt.c_str(), txt.size() );
                switch( e.kind )
                {
                case ev_kind::key:
                case ev_kind::enter:
                case ev_kind::backspace:
                case ev_kind::paste:
                {
                    const bool paste = e.kind == ev_kind::paste;
                    if( paste ) log_msg( "paste: %d lines into notes/todo.md", e.arg );
                    edit_document( r, paste ? e.arg : e.kind == ev_kind::enter ? 1 : 0,
                                   paste ? (size_t)e.arg * 42 : 0 );
                    undo_push( r );
                    reparse( r, paste, e.arg );
                    after_edit();
                    rd = redraw::full;
                    anim_until = t + 100;
                    next_anim = t + 16.7;
                    anim_scroll = false;
                    break;
                }
                case ev_kind::scroll:
                {
                    ZoneScopedN( "Editor::Scroll" );
                    busy_for( 60 );
                    rd = redraw::scroll;
                    anim_until = t + 180;
                    next_anim = t + 16.7;
                    anim_scroll = true;
                    break;
                }
                case ev_kind::search:
                    search_query( r, e.query );
                    rd = redraw::full;
                    break;
                case ev_kind::mouse:
                {
                    ZoneScopedN( "UI::HitTest" );
                    busy_for( 25 );
                    rd = redraw::none;
                    break;
                }
                }
                if( e.kind != ev_kind::mouse )
                {
                    caret_on = true;
                    next_blink = t + 500;
                }
            }
        }
        if( rd == redraw::none ) continue;
        // smooth scrolling frames re-shape the newly visible lines
        const redraw lk = ( rd == redraw::light && which == src::anim && anim_scroll ) ? redraw::scroll : rd;
        void* fb = nullptr;
        if( g_s == scen::regress_b ) layout_pass( r, lk );
        else layout( r, lk );
        paint( r, lk, fb );
        present( r, fb );
        FrameMark;
    }
    log_msg( "closing notes/todo.md" );
}

// ---- background threads --------------------------------------------------------------------------------------

void indexer_main()
{
    name_thread( "indexer" );
    rng_t r( 91 + (int)g_s );
    {
        ZoneScopedN( "Index::Open" );
        busy_ms( r.uni( 14, 18 ) );
    }
    size_t ri = 0;
    double last_update = 0;
    const auto& rb = g_script.rebuilds;
    while( !g_stop )
    {
        std::this_thread::sleep_for( std::chrono::milliseconds( 4 ) );
        const double t = now_ms();
        if( ri < rb.size() && t >= rb[ri].start )
        {
            const rebuild_t& x = rb[ri++];
            ZoneScopedN( "Index::Rebuild" );
            log_msg( "indexer: merging segments, rebuilding index for 14 notes" );
            {
                ZoneScopedN( "Index::ScanNotes" );
                busy_ms( x.scan_ms );
            }
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_index_mutex );
                LockMark( g_index_mutex );
                {
                    ZoneScopedN( "Index::BuildPostings" );
                    busy_ms( x.hold_ms - 2.0 );
                }
                {
                    ZoneScopedN( "Index::SwapSegments" );
                    busy_ms( 2.0 );
                }
            }
            log_msg( "indexer: rebuild done (14 notes, %d terms)", r.irange( 18000, 19000 ) );
            continue;
        }
        if( g_index_dirty && ( t - g_last_edit_ms >= 150 || t - last_update >= 500 ) )
        {
            g_index_dirty = false;
            last_update = t;
            ZoneScopedN( "Index::UpdateDocument" );
            ZoneText( "notes/todo.md", 13 );
            {
                ZoneScopedN( "Index::Tokenize" );
                busy_ms( r.uni( 0.9, 1.3 ) );
            }
            std::lock_guard<LockableBase( std::mutex )> lk( g_index_mutex );
            LockMark( g_index_mutex );
            {
                ZoneScopedN( "Index::MergePostings" );
                busy_ms( r.uni( 0.6, 0.9 ) );
            }
        }
    }
}

void spell_main()
{
    name_thread( "spellcheck" );
    rng_t r( 57 + (int)g_s );
    {
        ZoneScopedN( "Spell::LoadDictionary" );
        ZoneText( "en_US", 5 );
        mem_alloc( 3 * 1024 * 1024 + 417 * 1024 );   // the dictionary, live for the session
        busy_ms( r.uni( 55, 65 ) );
    }
    const double per = g_s == scen::regress_b ? 3.0 : 6.0;
    double last = 0;
    while( !g_stop )
    {
        std::this_thread::sleep_for( std::chrono::milliseconds( 8 ) );
        const double t = now_ms();
        if( g_spell_pending > 0 && t - last >= 250 )
        {
            last = t;
            const int n = std::min( 3, 1 + g_spell_pending.exchange( 0 ) / 6 );
            for( int k = 0; k < n; k++ )
            {
                const int para = std::max( 0, g_caret_para.load() - k );
                {
                    ZoneScopedN( "Spell::FetchText" );
                    std::lock_guard<LockableBase( std::mutex )> lk( g_doc_mutex );
                    LockMark( g_doc_mutex );
                    busy_for( 40 );
                }
                ZoneScopedN( "Spell::CheckParagraph" );
                char buf[32];
                const int len = snprintf( buf, sizeof( buf ), "paragraph %d", para );
                ZoneText( buf, len );
                busy_ms( r.jit( per, 0.12 ) );
            }
        }
    }
}

void autosave_main()
{
    name_thread( "autosave" );
    rng_t r( 33 + (int)g_s );
    double next = 2000;
    while( !g_stop )
    {
        std::this_thread::sleep_for( std::chrono::milliseconds( 10 ) );
        if( now_ms() < next ) continue;
        next += 2000;
        if( !g_save_dirty.exchange( false ) ) continue;
        ZoneScopedN( "IO::SaveNote" );
        ZoneText( "notes/todo.md", 13 );
        const size_t bytes = (size_t)g_lines.load() * 42 + (size_t)r.irange( 0, 400 );
        void* buf = nullptr;
        {
            ZoneScopedN( "IO::SerializeMarkdown" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_doc_mutex );
            LockMark( g_doc_mutex );
            buf = mem_alloc( bytes );
            busy_ms( 1.0 + g_lines.load() * 0.0022 );
        }
        {
            ZoneScopedN( "IO::WriteFile" );
            busy_ms( r.uni( 6, 9 ) );
        }
        {
            ZoneScopedN( "IO::Fsync" );
            busy_ms( r.uni( 10, 18 ) );
        }
        mem_free( buf );
        log_msg( "saved notes/todo.md (%zu bytes)", bytes );
    }
}

}   // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: notesapp keypress_lag|search_lock|undo_growth|regress a|regress b\n" );
        return 2;
    }
    const std::string s = argv[1];
    if( s == "keypress_lag" ) g_s = scen::keypress_lag;
    else if( s == "search_lock" ) g_s = scen::search_lock;
    else if( s == "undo_growth" ) g_s = scen::undo_growth;
    else if( s == "regress" && argc > 2 && std::string( argv[2] ) == "a" ) g_s = scen::regress_a;
    else if( s == "regress" && argc > 2 && std::string( argv[2] ) == "b" ) g_s = scen::regress_b;
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 2;
    }
    prctl( PR_SET_TIMERSLACK, 1UL );
    g_script = make_script();
    if( getenv( "NOTESAPP_DRYRUN" ) )
    {
        printf( "events %zu, end %.0f ms, rebuilds %zu\n", g_script.ev.size(), g_script.end_t, g_script.rebuilds.size() );
        for( auto& e : g_script.ev ) printf( "%8.1f %s %d %s\n", e.t, key_text( e ).c_str(), e.arg, e.query.c_str() );
        for( auto& x : g_script.rebuilds ) printf( "rebuild %8.1f scan %.1f hold %.1f\n", x.start, x.scan_ms, x.hold_ms );
        return 0;
    }
    // give the profiler a moment to connect before the clock starts
    std::this_thread::sleep_for( std::chrono::milliseconds( 20 ) );
    g_t0 = Clock::now();
    std::thread ix( indexer_main ), sp( spell_main ), as( autosave_main );
    ui_main();
    g_stop = true;
    ix.join();
    sp.join();
    as.join();
    return 0;
}
