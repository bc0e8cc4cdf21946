// inputlag: a 60 Hz vsync-paced game with a pipelined renderer, instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project). Threads:
//   "Main thread"   per frame: Game::WaitForRenderSlot (back-pressure: blocks while the render queue is full),
//                   Input::Poll (ZoneValue = input sequence number; message "input #N: <button>" on a press),
//                   Game::Update (ZoneValue = frame number) > Game::Physics, Game::AI, Game::Animation,
//                   Render::SubmitFrame (ZoneValue = frame number; pushes the frame into the render queue), FrameMark.
//   "Render thread" per frame: Render::WaitForFrame (pops the next frame), Render::Frame (ZoneValue = the frame
//                   number it draws) > Render::Shadows, Render::Opaque, Render::PostFX, Render::UI, then
//                   Render::Present (vsync wait: sleeps to the next 16.667 ms vblank; the frame is on screen when
//                   Present returns).
//   "Audio"         Audio::Mix every 10 ms.
//   "Streaming"     Stream::LoadChunk (ZoneText = chunk) every 0.5-0.9 s > Stream::ReadFile, Stream::Decompress.
// Plot "fps" (main thread, per frame).
//
// Usage: inputlag <scenario>
//   deep_queue   the render queue allows 3 frames in flight: Render::Frame(N) runs while the main thread is on N+3
//   late_poll    queue depth 1, but Input::Poll runs at the END of the main-thread frame (after Game::Update), so
//                its input is only simulated by the next frame's Game::Update
//   regress a    queue depth 1, poll at the start of the frame (baseline)
//   regress b    queue depth 3, everything else identical to a (same seed)
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

constexpr int64_t kVblankNs = 16666667;

volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC_RAW, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

void sleep_until_ns( int64_t t )
{
    const int64_t d = t - now_ns();
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
}

// Emulated work: sleep to just before the deadline, then spin.
void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    if( ms > 0.08 ) sleep_until_ns( end - 30000 );
    double x = 1.0;
    while( now_ns() < end )
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
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
};

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_NAME, n );
    prctl( PR_SET_TIMERSLACK, 1000UL );
}

void message( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void message( const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyMessage( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ) );
}

struct params
{
    std::string scenario;
    uint32_t seed = 0x1a9f00d5;
    int frames = 330;          // ~5.5 s at 60 Hz
    int queue_depth = 1;       // frames the main thread may run ahead of the render thread
    bool late_poll = false;
};

params g_p;

// ---------------------------------------------------------------------------------------------------------------
// Render queue: the main thread pushes finished frames; the render thread pops them. Capacity = queue_depth.

struct frame_packet
{
    int frame;
    int draw_calls;
};

std::mutex g_qm;
std::condition_variable g_qcv;
std::deque<frame_packet> g_queue;
bool g_main_done = false;

// ---------------------------------------------------------------------------------------------------------------
// Input

const char* const kButtons[] = { "Jump", "Fire", "Reload", "Dodge", "Interact", "Fire", "Jump", "Crouch" };

struct input_system
{
    rng_t r;
    int seq = 0;
    int next_press_in = 20;
    int pressed = 0;  // presses seen so far
    explicit input_system( uint32_t seed ) : r( seed ) {}

    void poll()
    {
        ZoneScopedN( "Input::Poll" );
        seq++;
        ZoneValue( (uint64_t)seq );
        busy_ms( r.uni( 0.14, 0.22 ) );  // read pads / keyboard / mouse, map to actions
        if( --next_press_in <= 0 )
        {
            const char* b = kButtons[r.range( 0, 7 )];
            message( "input #%d: %s", seq, b );
            pressed++;
            next_press_in = r.range( 18, 40 );
        }
    }
};

// ---------------------------------------------------------------------------------------------------------------
// Threads

void audio_thread()
{
    name_thread( "Audio" );
    rng_t r( g_p.seed ^ 0xa0d10u );
    int64_t t = now_ns();
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_ms( r( 1.3, 0.15 ) );
        }
        t += 10000000;
        sleep_until_ns( t );
    }
}

void streaming_thread()
{
    name_thread( "Streaming" );
    rng_t r( g_p.seed ^ 0x57e4u );
    const char* chunks[] = { "terrain/cell_12_07.pak", "terrain/cell_12_08.pak", "props/harbor_cranes.pak",
                             "terrain/cell_13_07.pak", "audio/ambience_docks.bank", "terrain/cell_13_08.pak",
                             "props/warehouse_interior.pak", "terrain/cell_14_07.pak", "textures/hd_harbor_01.pak" };
    int i = 0;
    sleep_until_ns( now_ns() + 400000000ll );
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Stream::LoadChunk" );
            const char* c = chunks[i % 9];
            ZoneText( c, strlen( c ) );
            const bool big = ( i == 4 );
            {
                ZoneScopedN( "Stream::ReadFile" );
                busy_ms( big ? 38.0 : r.uni( 9.0, 16.0 ) );
            }
            {
                ZoneScopedN( "Stream::Decompress" );
                busy_ms( big ? 24.0 : r.uni( 6.0, 11.0 ) );
            }
            message( "streaming: loaded %s", c );
            i++;
        }
        const int64_t until = now_ns() + (int64_t)( r.uni( 500.0, 900.0 ) * 1e6 );
        while( !g_stop.load() && now_ns() < until ) sleep_until_ns( std::min<int64_t>( until, now_ns() + 50000000ll ) );
    }
}

void render_thread( int64_t t0 )
{
    name_thread( "Render thread" );
    rng_t r( g_p.seed ^ 0x4e4du );
    int64_t vblank = t0;
    for( ;; )
    {
        frame_packet pk;
        {
            ZoneScopedN( "Render::WaitForFrame" );
            std::unique_lock<std::mutex> lk( g_qm );
            g_qcv.wait( lk, [] { return !g_queue.empty() || g_main_done; } );
            if( g_queue.empty() ) break;
            pk = g_queue.front();
            g_queue.pop_front();
        }
        g_qcv.notify_all();  // a slot is free: the main thread may start its next frame
        {
            ZoneScopedN( "Render::Frame" );
            ZoneValue( (uint64_t)pk.frame );
            // a heavier frame now and then (particles / many lights) -- still well inside the 16.7 ms budget
            const bool heavy = ( pk.frame % 97 ) == 50;
            {
                ZoneScopedN( "Render::Shadows" );
                busy_ms( r( heavy ? 4.6 : 2.4, 0.08 ) );
            }
            {
                ZoneScopedN( "Render::Opaque" );
                busy_ms( r( heavy ? 6.2 : 4.3, 0.08 ) );
            }
            {
                ZoneScopedN( "Render::PostFX" );
                busy_ms( r( 1.6, 0.08 ) );
            }
            {
                ZoneScopedN( "Render::UI" );
                busy_ms( r( 0.7, 0.10 ) );
            }
        }
        {
            ZoneScopedN( "Render::Present" );
            const int64_t now = now_ns();
            while( vblank <= now ) vblank += kVblankNs;  // FIFO: wait for the next vblank
            sleep_until_ns( vblank );
            busy_ms( 0.03 );
        }
    }
}

}  // namespace

int run()
{
    message( "inputlag 2.3.0 (%s)", g_p.scenario.c_str() );
    message( "Renderer: Vulkan, swapchain 3 images, present mode FIFO (vsync), 2560x1440" );
    std::thread audio( audio_thread );
    std::thread stream( streaming_thread );

    // align to a vblank grid
    const int64_t t0 = now_ns() + 20000000ll;
    std::thread render( render_thread, t0 );
    sleep_until_ns( t0 );

    rng_t r( g_p.seed );
    input_system input( g_p.seed ^ 0x1234u );
    int64_t last_mark = now_ns();
    for( int frame = 1; frame <= g_p.frames; frame++ )
    {
        {
            ZoneScopedN( "Game::WaitForRenderSlot" );
            std::unique_lock<std::mutex> lk( g_qm );
            g_qcv.wait( lk, [] { return (int)g_queue.size() < g_p.queue_depth; } );
        }
        if( !g_p.late_poll ) input.poll();
        {
            ZoneScopedN( "Game::Update" );
            ZoneValue( (uint64_t)frame );
            {
                ZoneScopedN( "Game::Physics" );
                busy_ms( r( 1.25, 0.1 ) );
            }
            {
                ZoneScopedN( "Game::AI" );
                busy_ms( r( 0.8, 0.1 ) );
            }
            {
                ZoneScopedN( "Game::Animation" );
                busy_ms( r( 0.95, 0.1 ) );
            }
        }
        if( g_p.late_poll ) input.poll();  // polled after the simulation: used by the NEXT frame's Game::Update
        {
            ZoneScopedN( "Render::SubmitFrame" );
            ZoneValue( (uint64_t)frame );
            busy_ms( r( 0.12, 0.1 ) );
            {
                std::lock_guard<std::mutex> lk( g_qm );
                g_queue.push_back( { frame, r.range( 2400, 2700 ) } );
            }
            g_qcv.notify_all();
        }
        if( frame % 300 == 0 ) message( "autosave: checkpoint %d written", frame / 300 );
        FrameMark;
        const int64_t n = now_ns();
        TracyPlot( "fps", 1e9 / double( n - last_mark ) );
        last_mark = n;
    }
    {
        std::lock_guard<std::mutex> lk( g_qm );
        g_main_done = true;
    }
    g_qcv.notify_all();
    render.join();
    message( "shutdown: %d frames, %d button presses", g_p.frames, input.pressed );
    g_stop = true;
    audio.join();
    stream.join();
    return 0;
}

int main( int argc, char** argv )
{
    name_thread( "Main thread" );
    if( argc < 2 )
    {
        fprintf( stderr, "usage: inputlag deep_queue|late_poll|regress a|regress b\n" );
        return 2;
    }
    g_p.scenario = argv[1];
    const std::string variant = argc > 2 ? argv[2] : "";
    if( g_p.scenario == "deep_queue" )
    {
        g_p.queue_depth = 3;
        g_p.seed = 0x0dee9a11;
    }
    else if( g_p.scenario == "late_poll" )
    {
        g_p.late_poll = true;
        g_p.seed = 0x1a7e9011;
    }
    else if( g_p.scenario == "regress" && ( variant == "a" || variant == "b" ) )
    {
        if( variant == "b" ) g_p.queue_depth = 3;
        g_p.scenario += " " + variant;
    }
    else
    {
        fprintf( stderr, "unknown scenario %s %s\n", argv[1], variant.c_str() );
        return 2;
    }
    return run();
}
