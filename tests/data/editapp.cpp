// editapp: an event-driven desktop text editor (frames only on input) instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project). The main thread runs an event loop: App::WaitEvents blocks
// until the next input event (a scripted typing session at human pace: words, bursts, sentence pauses), the cursor
// blink timer (500 ms after the last event) or an "IndexUpdated" notification from the indexer; then
// App::HandleEvent (ZoneText = the event) > Editor::InsertChar / Editor::DeleteChar (Undo::Push), Complete::Lookup
// (lock Index::symbolMutex); Layout::Reflow > Layout::MeasureRuns (1 call per dirty run, 2 per keystroke, 4 when
// the line wraps), Layout::ShapeGlyphs, Layout::BreakLines; Render::Paint > Render::DrawText, Render::DrawCursor,
// Gpu::Present; FrameMark. Blink frames: Render::BlinkCursor > Render::DrawCursor, Gpu::Present.
// Background threads: "indexer" (Index::ScanProject at start-up, then Index::ReindexFile 400 ms after the last
// edit, Index::MergeSymbols under Index::symbolMutex), "io-worker" (Doc::Autosave 1 s after the last edit),
// "file-watcher" (FS::PollChanges every second). Plots "document chars", "visible lines".
//
// Usage: editapp <scenario> [a|b]
//   regress a|b   the same scripted session (same seed); b: Layout::MeasureRuns is 2x slower per call (1.5 ->
//                 3.0 ms, same call count); b also has a faster Render::DrawText (1.8 -> 1.4 ms) and a new tiny
//                 Telemetry::RecordKeystroke zone
//   typing_lag    on the first word boundary (space) after >= 8 keystrokes since the last check, App::HandleEvent runs a
//                 synchronous Spell::CheckDocument (40-80 ms) before layout and paint
//   idle_cpu      20 keystrokes (~2 s), then the user is idle; every blink-timer tick repaints the whole window
//                 (Render::FullRepaint, ~25-35 ms) instead of just the cursor rectangle
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

// ---- configuration -----------------------------------------------------------------------------------------

enum class Scenario { Regress, TypingLag, IdleCpu };
Scenario g_scn = Scenario::Regress;
bool g_b = false;   // regress b

const double kBlinkMs = 500.0;

// ---- shared state ------------------------------------------------------------------------------------------

TracyLockableN( std::mutex, g_symbolMutex, "Index::symbolMutex" );

std::mutex g_evMutex;
std::condition_variable g_evCv;
bool g_indexUpdated = false;
std::atomic<bool> g_quit{ false };
std::atomic<int64_t> g_lastEditNs{ -1 };   // steady-clock ns of the last edit, -1 = none yet
std::atomic<int> g_editGen{ 0 };
std::atomic<int> g_docChars{ 0 };

int64_t now_ns() { return std::chrono::duration_cast<std::chrono::nanoseconds>( Clock::now().time_since_epoch() ).count(); }

// ---- the typing script -------------------------------------------------------------------------------------

struct KeyEvent
{
    double t_ms;      // since session start
    char ch;          // '\b' = backspace
};

const char* const kText =
    "Grow the gap by half the buffer. "
    "Undo records merge per word. "
    "Line starts are patched per edit. "
    "Only dirty lines get painted. "
    "The outline waits for the indexer. "
    "Selections survive a reflow. ";

std::vector<KeyEvent> make_script( double type_until_ms, size_t max_keys, double pause_lo, double pause_hi )
{
    rng_t r( 4242 );
    std::vector<KeyEvent> ev;
    double t = 350.0;   // the first key arrives after the window is shown
    const size_t n = strlen( kText );
    char prev = ' ', prev2 = ' ';
    for( size_t i = 0; i < n; i++ )
    {
        const char c = kText[i];
        double d;
        if( prev == ' ' && prev2 == '.' ) d = r.uni( pause_lo, pause_hi );   // sentence pause (thinking)
        else if( prev == ' ' ) d = r.uni( 140.0, 240.0 );                  // start of a word
        else d = r.uni( 55.0, 110.0 );                                     // inside a word (burst)
        t += d;
        if( t > type_until_ms ) break;
        if( c != ' ' && c != '.' && r.chance( 0.03 ) )
        {
            // a typo, noticed and corrected
            ev.push_back( { t, (char)( 'a' + r.irange( 0, 25 ) ) } );
            t += r.uni( 250.0, 400.0 );
            ev.push_back( { t, '\b' } );
            t += r.uni( 90.0, 150.0 );
        }
        ev.push_back( { t, c } );
        if( ev.size() >= max_keys ) break;
        prev2 = prev;
        prev = c;
    }
    return ev;
}

// ---- memory (glyph vertex buffers, undo records: churn, all freed) -------------------------------------------

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

// ---- editor ------------------------------------------------------------------------------------------------

struct Editor
{
    rng_t r{ 77 };
    int column = 0;
    int line = 1832;
    int docChars = 61840;
    int keysSinceSpell = 0;
    int words = 9214;
    std::vector<void*> undo;   // coalesced per word: freed at each word boundary

    void UndoPush()
    {
        ZoneScopedN( "Undo::Push" );
        undo.push_back( mem_alloc( 96, "undo_records" ) );
        busy_for( 20 );
    }
    void UndoCoalesce()
    {
        for( void* p : undo ) mem_free( p, "undo_records" );
        undo.clear();
    }

    // returns the number of dirty runs
    int InsertChar( char c )
    {
        ZoneScopedN( "Editor::InsertChar" );
        UndoPush();
        busy_for( r( 120 ) );
        docChars++;
        column++;
        int runs = 2;
        if( column >= 40 && c == ' ' ) { column = 0; line++; runs = 4; }   // soft wrap: the next line is re-measured too
        if( c == ' ' ) { words++; UndoCoalesce(); }
        return runs;
    }
    int DeleteChar()
    {
        ZoneScopedN( "Editor::DeleteChar" );
        UndoPush();
        busy_for( r( 100 ) );
        docChars--;
        if( column > 0 ) column--;
        return 2;
    }
    void CompleteLookup()
    {
        ZoneScopedN( "Complete::Lookup" );
        busy_for( r( 60 ) );
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_symbolMutex );
            busy_for( r( 90 ) );
        }
    }
    void SpellCheckDocument()
    {
        ZoneScopedN( "Spell::CheckDocument" );
        zone_text( ___tracy_scoped_zone, "%d words", words );
        const double ms = r.uni( 40.0, 80.0 );
        busy_for( ms * 1000.0 );
    }
};

void Reflow( rng_t& r, int runs )
{
    ZoneScopedN( "Layout::Reflow" );
    ZoneValue( (uint64_t)runs );
    for( int i = 0; i < runs; i++ )
    {
        ZoneScopedN( "Layout::MeasureRuns" );
        busy_for( r( g_b ? 3000.0 : 1500.0, 0.06 ) );
    }
    {
        ZoneScopedN( "Layout::ShapeGlyphs" );
        busy_for( r( 1000.0 ) );
    }
    {
        ZoneScopedN( "Layout::BreakLines" );
        busy_for( r( 300.0 ) );
    }
}

void Present( rng_t& r )
{
    ZoneScopedN( "Gpu::Present" );
    busy_for( r( 700.0, 0.1 ) );
}

void DrawCursor( rng_t& r )
{
    ZoneScopedN( "Render::DrawCursor" );
    busy_for( r( 50.0 ) );
}

void PaintDirty( rng_t& r, int runs )
{
    ZoneScopedN( "Render::Paint" );
    {
        ZoneScopedN( "Render::DrawText" );
        ZoneValue( (uint64_t)( runs / 2 ) );
        void* vb = mem_alloc( 16384 );   // glyph vertex buffer, freed after upload
        busy_for( r( g_b ? 1400.0 : 1800.0 ) );
        mem_free( vb );
    }
    DrawCursor( r );
    Present( r );
}

void FullRepaint( rng_t& r )
{
    ZoneScopedN( "Render::FullRepaint" );
    {
        ZoneScopedN( "Render::Clear" );
        busy_for( r( 1500.0 ) );
    }
    {
        ZoneScopedN( "Render::DrawGutter" );
        busy_for( r( 4000.0 ) );
    }
    {
        ZoneScopedN( "Render::DrawText" );
        ZoneValue( 58 );
        void* vb = mem_alloc( 262144 );
        busy_for( r( 22000.0, 0.12 ) );
        mem_free( vb );
    }
    {
        ZoneScopedN( "Render::DrawStatusBar" );
        busy_for( r( 1200.0 ) );
    }
    DrawCursor( r );
    Present( r );
}

// ---- background threads ------------------------------------------------------------------------------------

const char* const kFiles[] = {
    "src/editor/buffer.cpp", "src/editor/buffer.h", "src/editor/undo.cpp", "src/editor/cursor.cpp",
    "src/layout/text_layout.cpp", "src/layout/shaper.cpp", "src/layout/line_breaker.cpp", "src/render/painter.cpp",
    "src/render/glyph_atlas.cpp", "src/render/gpu_device.cpp", "src/app/main_window.cpp", "src/app/event_loop.cpp",
    "src/app/settings.cpp", "src/index/indexer.cpp", "src/index/symbol_table.cpp", "src/index/tokenizer.cpp",
    "src/spell/dictionary.cpp", "src/spell/checker.cpp", "src/ui/outline_view.cpp", "src/ui/status_bar.cpp",
    "src/ui/command_palette.cpp", "src/platform/linux_window.cpp", "src/platform/clipboard.cpp",
    "src/util/strings.cpp" };

void indexer_thread()
{
    name_thread( "indexer" );
    rng_t r( 901 );
    {
        ZoneScopedN( "Index::ScanProject" );
        int symbols = 0;
        for( const char* f : kFiles )
        {
            if( g_quit ) break;
            ZoneScopedN( "Index::ParseFile" );
            ZoneText( f, strlen( f ) );
            {
                ZoneScopedN( "Index::Tokenize" );
                busy_for( r.uni( 18000.0, 40000.0 ) );
            }
            {
                ZoneScopedN( "Index::MergeSymbols" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_symbolMutex );
                busy_for( r( 700.0 ) );
            }
            symbols += r.irange( 80, 400 );
        }
        log_msg( "Indexer: scanned %d files, %d symbols", (int)( sizeof( kFiles ) / sizeof( kFiles[0] ) ), symbols );
    }
    int doneGen = 0;
    while( !g_quit )
    {
        std::this_thread::sleep_for( 50ms );
        const int64_t last = g_lastEditNs.load();
        const int gen = g_editGen.load();
        if( last < 0 || gen == doneGen ) continue;
        if( now_ns() - last < 400'000'000 ) continue;   // debounce: 400 ms after the last edit
        doneGen = gen;
        {
            ZoneScopedN( "Index::ReindexFile" );
            ZoneText( "src/editor/buffer.cpp", 21 );
            {
                ZoneScopedN( "Index::Tokenize" );
                busy_for( r.uni( 15000.0, 24000.0 ) );
            }
            {
                ZoneScopedN( "Index::MergeSymbols" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_symbolMutex );
                busy_for( r( 900.0 ) );
            }
        }
        {
            std::lock_guard<std::mutex> lk( g_evMutex );
            g_indexUpdated = true;
        }
        g_evCv.notify_one();
    }
}

void io_thread()
{
    name_thread( "io-worker" );
    rng_t r( 313 );
    int doneGen = 0;
    while( !g_quit )
    {
        std::this_thread::sleep_for( 100ms );
        const int64_t last = g_lastEditNs.load();
        const int gen = g_editGen.load();
        if( last < 0 || gen == doneGen ) continue;
        if( now_ns() - last < 1'000'000'000 ) continue;
        doneGen = gen;
        ZoneScopedN( "Doc::Autosave" );
        ZoneText( "src/editor/buffer.cpp", 21 );
        void* buf = mem_alloc( 65536 );
        {
            ZoneScopedN( "Doc::Serialize" );
            busy_for( r( 4000.0 ) );
        }
        {
            ZoneScopedN( "FS::WriteAtomic" );
            busy_for( r( 7000.0, 0.2 ) );
        }
        mem_free( buf );
        log_msg( "Autosaved src/editor/buffer.cpp (%d chars)", g_docChars.load() );
    }
}

void watcher_thread()
{
    name_thread( "file-watcher" );
    rng_t r( 55 );
    while( !g_quit )
    {
        for( int i = 0; i < 20 && !g_quit; i++ ) std::this_thread::sleep_for( 50ms );
        if( g_quit ) break;
        ZoneScopedN( "FS::PollChanges" );
        busy_for( r( 150.0 ) );
    }
}

// ---- main loop ---------------------------------------------------------------------------------------------

void run()
{
    double session_ms, type_until_ms, pause_lo = 900.0, pause_hi = 1500.0;
    size_t max_keys = 1000;
    switch( g_scn )
    {
    case Scenario::Regress: session_ms = 7600; type_until_ms = 7200; pause_lo = 1600.0; pause_hi = 2400.0; break;
    case Scenario::TypingLag: session_ms = 7600; type_until_ms = 7200; break;
    default: session_ms = 7800; type_until_ms = 7800; max_keys = 20; break;
    }
    const std::vector<KeyEvent> script = make_script( type_until_ms, max_keys, pause_lo, pause_hi );

    Editor ed;
    rng_t r( 1234 );
    {
        ZoneScopedN( "App::Init" );
        {
            ZoneScopedN( "Doc::Open" );
            ZoneText( "src/editor/buffer.cpp", 21 );
            busy_for( 30000 );
        }
        {
            ZoneScopedN( "Render::CreateDevice" );
            busy_for( 45000 );
        }
        log_msg( "Opened src/editor/buffer.cpp (%d lines, %d chars)", ed.line, ed.docChars );
    }
    g_docChars = ed.docChars;
    TracyPlot( "document chars", (int64_t)ed.docChars );
    TracyPlot( "visible lines", (int64_t)58 );

    std::thread idx( indexer_thread ), io( io_thread ), fw( watcher_thread );

    // first paint of the window
    {
        ZoneScopedN( "Render::FullRepaint" );
        busy_for( 28000 );
    }
    FrameMark;

    const auto t0 = Clock::now();
    auto at = [&]( double ms ) { return t0 + std::chrono::nanoseconds( (int64_t)( ms * 1e6 ) ); };
    const auto t_end = at( session_ms );
    size_t ki = 0;
    auto next_blink = at( kBlinkMs );
    bool cursor_on = true;
    int blinks = 0, keys = 0, spells = 0;

    while( true )
    {
        enum { None, Key, Blink, Index, Quit } what = None;
        {
            ZoneScopedN( "App::WaitEvents" );
            auto deadline = std::min( next_blink, t_end );
            if( ki < script.size() ) deadline = std::min( deadline, at( script[ki].t_ms ) );
            std::unique_lock<std::mutex> lk( g_evMutex );
            g_evCv.wait_until( lk, deadline, [&] { return g_indexUpdated; } );
            const auto now = Clock::now();
            if( g_indexUpdated ) { g_indexUpdated = false; what = Index; }
            else if( ki < script.size() && now >= at( script[ki].t_ms ) ) what = Key;
            else if( now >= t_end ) what = Quit;
            else if( now >= next_blink ) what = Blink;
        }
        if( what == Quit ) break;
        if( what == None ) continue;

        if( what == Key )
        {
            const char c = script[ki++].ch;
            int runs;
            {
                ZoneScopedN( "App::HandleEvent" );
                if( c == '\b' ) ZoneText( "KeyDown Backspace", 17 );
                else
                {
                    char buf[32];
                    const int n = snprintf( buf, sizeof( buf ), "KeyDown '%c'", c );
                    ZoneText( buf, n );
                }
                runs = c == '\b' ? ed.DeleteChar() : ed.InsertChar( c );
                ed.CompleteLookup();
                keys++;
                ed.keysSinceSpell++;
                if( g_scn == Scenario::TypingLag && c == ' ' && ed.keysSinceSpell >= 8 )
                {
                    ed.SpellCheckDocument();
                    ed.keysSinceSpell = 0;
                    spells++;
                }
                if( g_b )
                {
                    ZoneScopedN( "Telemetry::RecordKeystroke" );
                    busy_for( 25 );
                }
            }
            Reflow( r, runs );
            PaintDirty( r, runs );
            g_docChars = ed.docChars;
            g_lastEditNs = now_ns();
            g_editGen++;
            TracyPlot( "document chars", (int64_t)ed.docChars );
            cursor_on = true;
            next_blink = Clock::now() + std::chrono::milliseconds( (int)kBlinkMs );   // typing resets the blink
        }
        else if( what == Blink )
        {
            cursor_on = !cursor_on;
            {
                ZoneScopedN( "App::HandleEvent" );
                ZoneText( cursor_on ? "BlinkTimer (cursor on)" : "BlinkTimer (cursor off)", cursor_on ? 22 : 23 );
                busy_for( 30 );
            }
            if( g_scn == Scenario::IdleCpu ) FullRepaint( r );
            else
            {
                ZoneScopedN( "Render::BlinkCursor" );
                DrawCursor( r );
                Present( r );
            }
            blinks++;
            next_blink += std::chrono::milliseconds( (int)kBlinkMs );
        }
        else   // Index
        {
            {
                ZoneScopedN( "App::HandleEvent" );
                ZoneText( "IndexUpdated", 12 );
                {
                    ZoneScopedN( "Outline::Update" );
                    std::lock_guard<LockableBase( std::mutex )> lk( g_symbolMutex );
                    busy_for( r( 1200.0 ) );
                }
            }
            {
                ZoneScopedN( "Render::Paint" );
                {
                    ZoneScopedN( "Render::DrawSidebar" );
                    busy_for( r( 900.0 ) );
                }
                Present( r );
            }
        }
        FrameMark;
    }
    log_msg( "Session end: %d keystrokes, %d blink ticks, %d spell checks", keys, blinks, spells );

    g_quit = true;
    g_evCv.notify_all();
    idx.join();
    io.join();
    fw.join();
    {
        ZoneScopedN( "App::Shutdown" );
        ed.UndoCoalesce();
        busy_for( 5000 );
    }
}

}   // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: editapp regress a|b | typing_lag | idle_cpu\n" );
        return 1;
    }
    const std::string s = argv[1];
    if( s == "regress" )
    {
        if( argc < 3 || ( strcmp( argv[2], "a" ) && strcmp( argv[2], "b" ) ) )
        {
            fprintf( stderr, "regress needs a or b\n" );
            return 1;
        }
        g_scn = Scenario::Regress;
        g_b = argv[2][0] == 'b';
    }
    else if( s == "typing_lag" ) g_scn = Scenario::TypingLag;
    else if( s == "idle_cpu" ) g_scn = Scenario::IdleCpu;
    else
    {
        fprintf( stderr, "unknown scenario %s\n", s.c_str() );
        return 1;
    }
    prctl( PR_SET_TIMERSLACK, 1UL );
    run();
    return 0;
}
