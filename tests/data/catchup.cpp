// catchup: a colony-sim style game with a fixed-timestep simulation, instrumented with Tracy
// (benchmark data for profiler-analysis tools; not part of any project).
//
// Main loop (thread "Main"), one FrameMark per displayed frame:
//   Input::Poll
//   [spiral only, once] Level::LoadChunk (> Level::Deserialize, Level::CreateEntities, Level::BuildNavmesh) ~250 ms
//   Sim::Advance: fixed-step accumulator. acc += real time since the previous present; then
//       while acc >= dt and steps < kMaxStepsPerFrame: Sim::Step (ZoneValue = sim tick); acc -= dt
//     Sim::Step > Physics::Integrate, Physics::Broadphase (cost grows with the body count), Physics::Narrowphase,
//                 AI::Update, Gameplay::Scripts, Sim::DispatchEvents
//   UI::Update
//   Render::Draw > Render::Cull, Render::Shadows, Render::Submit
//   Render::Present: frame limiter at 60 Hz (sleeps to the next 16.667 ms slot if the frame was early)
//   FrameMark
// Other threads: "Audio" (Audio::Mix every 10 ms > Audio::MixVoices, Audio::ApplyEffects),
//                "Streamer" (Stream::ReadFile (I/O wait), Stream::Decompress every ~600 ms).
// Plot "Bodies" (live physics bodies) once per frame.
//
// Usage: catchup <scenario>
//   spiral      60 Hz sim, ~14.1 ms steps, at most 4 steps per frame; at ~2.0 s one 250 ms Level::LoadChunk on the main thread; the
//               accumulator then needs up to 4 steps per frame for a while (spiral of death, recovers).
//   heavy_step  (at most 8 steps per frame) Physics::Broadphase cost grows with Bodies (spawner ramps 400 -> 2800 bodies over 6 s):
//               steps get slower and frames go from 1 step to 2 steps per frame.
//   regress a   60 Hz sim (dt 16.667 ms), at most 8 steps per frame, ~6.5 ms steps
//   regress b   120 Hz sim (dt 8.333 ms), same per-step cost; Render::Shadows a bit cheaper (distractor).
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>

#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

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

// Emulated work up to an absolute deadline: sleep to shortly before it, then spin (low CPU, precise end).
void work_until( int64_t end, int64_t spin_ns = 40000 )
{
    sleep_until_ns( end - spin_ns );
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double pct_default = 0.04;
    double operator()( double base, double pct = -1.0 )
    {
        if( pct < 0 ) pct = pct_default;
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
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

// ---------------------------------------------------------------------------------------------------------------

struct params
{
    std::string scenario;
    double seconds = 7.0;
    double sim_hz = 60.0;
    int max_steps = 4;
    // per-step costs (ms)
    double integrate = 2.0, broad_base = 0.3, broad_per_body = 0.0025, narrow = 3.4, ai = 3.0, scripts = 1.9,
           events = 0.5;
    // per-frame costs (ms)
    double input = 0.25, ui = 0.3, cull = 0.3, shadows = 0.3, submit = 0.9;
    int bodies0 = 1200, bodies1 = 1200;  // linear ramp over ramp_s seconds
    double ramp_s = 6.0;
    bool hitch = false;
    double hitch_at = 2.0;
    double jitter = 0.03;
    uint32_t seed = 0x63617463;
};

params g_p;

void audio_thread()
{
    name_thread( "Audio" );
    rng_t r( g_p.seed ^ 0xa0d10 );
    int64_t next = now_ns();
    while( !g_stop.load() )
    {
        next += 10000000;
        {
            ZoneScopedN( "Audio::Mix" );
            const int64_t t = now_ns();
            {
                ZoneScopedN( "Audio::MixVoices" );
                work_until( t + (int64_t)( r( 0.8 ) * 1e6 ) );
            }
            {
                ZoneScopedN( "Audio::ApplyEffects" );
                work_until( now_ns() + (int64_t)( r( 0.4 ) * 1e6 ) );
            }
        }
        sleep_until_ns( next );
    }
}

void streamer_thread()
{
    name_thread( "Streamer" );
    rng_t r( g_p.seed ^ 0x57ea3 );
    const char* chunks[] = { "docks_01", "docks_02", "market_01", "harbor_east", "warehouse_03", "canal_02",
                             "old_town_04", "lighthouse", "shipyard_02", "customs_house", "fish_market" };
    int i = 0;
    int64_t next = now_ns() + 300000000;
    while( !g_stop.load() )
    {
        sleep_until_ns( next );
        if( g_stop.load() ) break;
        next += (int64_t)( r.uni( 520, 680 ) * 1e6 );
        const char* c = chunks[i++ % ( sizeof( chunks ) / sizeof( chunks[0] ) )];
        ZoneScopedN( "Stream::LoadChunk" );
        ZoneText( c, strlen( c ) );
        {
            ZoneScopedN( "Stream::ReadFile" );
            sleep_until_ns( now_ns() + (int64_t)( r.uni( 18, 32 ) * 1e6 ) );  // I/O wait
        }
        {
            ZoneScopedN( "Stream::Decompress" );
            work_until( now_ns() + (int64_t)( r.uni( 35, 55 ) * 1e6 ) );
        }
        message( "Streamer: chunk '%s' resident (%.1f MB)", c, r.uni( 2.5, 6.0 ) );
    }
}

// Main-thread timeline: every zone ends at an absolute deadline on a planned timeline (t0 + vt), so a preemption
// on this shared machine stretches one zone and shortens the next instead of shifting the rest of the run.
int64_t g_t0 = 0;
int64_t g_vt = 0;
void work_for( double ms )
{
    g_vt += (int64_t)( ms * 1e6 );
    work_until( g_t0 + g_vt );
}

int bodies_at( double t_s )
{
    if( g_p.bodies1 == g_p.bodies0 ) return g_p.bodies0;
    const double f = std::min( 1.0, std::max( 0.0, t_s / g_p.ramp_s ) );
    return g_p.bodies0 + (int)( f * ( g_p.bodies1 - g_p.bodies0 ) );
}

void sim_step( rng_t& r, int64_t tick, int bodies )
{
    ZoneScopedN( "Sim::Step" );
    ZoneValue( (uint64_t)tick );
    { ZoneScopedN( "Physics::Integrate" ); work_for( r( g_p.integrate ) ); }
    { ZoneScopedN( "Physics::Broadphase" ); work_for( r( g_p.broad_base + g_p.broad_per_body * bodies ) ); }
    { ZoneScopedN( "Physics::Narrowphase" ); work_for( r( g_p.narrow ) ); }
    { ZoneScopedN( "AI::Update" ); work_for( r( g_p.ai ) ); }
    { ZoneScopedN( "Gameplay::Scripts" ); work_for( r( g_p.scripts ) ); }
    { ZoneScopedN( "Sim::DispatchEvents" ); work_for( r( g_p.events ) ); }
}

void level_load_chunk( rng_t& r )
{
    ZoneScopedN( "Level::LoadChunk" );
    const char* c = "harbor_district";
    ZoneText( c, strlen( c ) );
    message( "Level: streaming in chunk '%s' (212 entities)", c );
    { ZoneScopedN( "Level::Deserialize" ); work_for( r( 62.0 ) ); }
    { ZoneScopedN( "Level::CreateEntities" ); work_for( r( 118.0 ) ); }
    { ZoneScopedN( "Level::BuildNavmesh" ); work_for( r( 70.0 ) ); }
    message( "Level: chunk '%s' activated", c );
}

void game_loop()
{
    rng_t r( g_p.seed );
    r.pct_default = g_p.jitter;
    const int64_t dt = (int64_t)( 1e9 / g_p.sim_hz + 0.5 );
    const int64_t frame_slot = 16666667;  // 60 Hz frame limiter
    g_t0 = now_ns();
    g_vt = 0;
    int64_t acc = dt + dt / 2;  // start half a step into the slot: robust against timing jitter
    int64_t prev_present = 0;
    int64_t slot = 0;
    int64_t tick = 0;
    bool hitched = false;
    int frame = 0;
    message( "Game: level 'Saltmarsh Harbor' started" );
    while( true )
    {
        const double ts = g_vt * 1e-9;
        if( ts >= g_p.seconds ) break;
        const int bodies = bodies_at( ts );
        { ZoneScopedN( "Input::Poll" ); work_for( r( g_p.input ) ); }
        if( g_p.hitch && !hitched && ts >= g_p.hitch_at )
        {
            hitched = true;
            level_load_chunk( r );
        }
        {
            ZoneScopedN( "Sim::Advance" );
            int n = 0;
            while( acc >= dt && n < g_p.max_steps )
            {
                sim_step( r, tick++, bodies );
                acc -= dt;
                n++;
            }
        }
        { ZoneScopedN( "UI::Update" ); work_for( r( g_p.ui ) ); }
        {
            ZoneScopedN( "Render::Draw" );
            { ZoneScopedN( "Render::Cull" ); work_for( r( g_p.cull ) ); }
            { ZoneScopedN( "Render::Shadows" ); work_for( r( g_p.shadows ) ); }
            { ZoneScopedN( "Render::Submit" ); work_for( r( g_p.submit ) ); }
        }
        TracyPlot( "Bodies", (int64_t)bodies );
        {
            ZoneScopedN( "Render::Present" );
            slot += frame_slot;
            g_vt += 150000;   // swap
            if( g_vt < slot )
                g_vt = slot;  // early: wait for the frame slot
            else
                slot = g_vt;  // late: present now, restart the slot grid
            work_until( g_t0 + g_vt, 1000000 );  // wake 1 ms early, then spin to the slot
        }
        acc += g_vt - prev_present;  // frame time as measured present-to-present
        prev_present = g_vt;
        FrameMark;
        frame++;
    }
    message( "Game: shutting down after %d frames, %lld sim ticks", frame, (long long)tick );
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: catchup spiral|heavy_step|regress a|regress b\n" );
        return 1;
    }
    g_p.scenario = argv[1];
    if( g_p.scenario == "spiral" )
    {
        g_p.hitch = true;
        // step ~14.1 ms: Integrate 2.0 + Broadphase 0.3+3.0 + Narrowphase 3.4 + AI 3.0 + Scripts 1.9 + Events 0.5
        g_p.jitter = 0.02;
    }
    else if( g_p.scenario == "heavy_step" )
    {
        g_p.integrate = 1.2; g_p.narrow = 2.2; g_p.ai = 2.0; g_p.scripts = 1.0; g_p.events = 0.4;
        g_p.max_steps = 8;
        g_p.bodies0 = 400; g_p.bodies1 = 2800; g_p.ramp_s = 6.0;
        g_p.cull = 1.0; g_p.shadows = 1.6; g_p.submit = 2.6;  // Render::Draw ~5.2 ms: big but steady
        g_p.seconds = 7.5;
    }
    else if( g_p.scenario == "regress" && argc >= 3 )
    {
        g_p.max_steps = 8;
        g_p.integrate = 0.8; g_p.narrow = 1.8; g_p.ai = 1.0; g_p.scripts = 0.35; g_p.events = 0.25;
        g_p.bodies0 = g_p.bodies1 = 800;
        g_p.cull = 1.0; g_p.shadows = 1.6; g_p.submit = 2.6;
        g_p.seconds = 6.0;
        if( strcmp( argv[2], "b" ) == 0 )
        {
            g_p.sim_hz = 120.0;
            g_p.shadows = 1.25;
        }
    }
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 1;
    }
    name_thread( "Main" );
    std::thread a( audio_thread ), s( streamer_thread );
    std::this_thread::sleep_for( std::chrono::milliseconds( 50 ) );
    game_loop();
    g_stop = true;
    a.join();
    s.join();
    return 0;
}
