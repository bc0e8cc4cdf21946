// jobsys: a game engine's frame loop with a small job system, instrumented with Tracy (benchmark data for
// profiler-analysis tools; not part of any project).
//
// Main thread, per frame: Game::PollInput, Game::Simulate (every 45th frame also AI::Replan inside it),
// Jobs::Submit per job (ZoneText "<Kind> #i f<frame>", appends to a staging list), Jobs::Kick (publishes the
// staged jobs to the shared queue and wakes the workers), Game::UpdateUI (overlaps the jobs), Jobs::WaitAll (waits
// until every job of the frame is done), Render::BuildCommandLists, Render::Present (and Render::WaitVSync in the
// vsync-paced scenarios), FrameMark.
// Workers "Worker 0..3": take jobs from the queue and run them (Job::Animation, Job::Physics, Job::Culling,
// Job::Particles, ZoneText = the job id); when the queue is empty they sleep on a condition variable
// (Worker::Sleep zone around each wait_for, 10 ms timeout, ZoneText "notified" / "timeout"), or in regress b
// they spin (Worker::Spin zone, busy polling).
// Background: "Streaming" (Asset::StreamChunk > IO::Read, Asset::Decompress, ~every 100 ms), "Audio"
// (Audio::Mix every ~5.3 ms). Plot "Jobs::pending" (queue length).
//
// Usage: jobsys <scenario>
//   lost_wakeup     unpaced; Jobs::Kick calls notify_all() BEFORE the staged jobs are published to the queue.
//                   Usually the submitter wins the race, but when it is descheduled between the notify and the
//                   publish (~1 frame in 6, emulated by a 0.4 ms stall), the woken workers find an empty queue and
//                   go back to sleep; nobody wakes them, so the frame's jobs start only when the 10 ms wait times
//                   out. Those frames are ~10 ms longer (all in Jobs::WaitAll); the jobs themselves are unchanged.
//   too_few_workers unpaced; no bug, but each frame submits 32 jobs (~33 ms of work) to 4 workers: they are
//                   saturated (no stragglers) and Jobs::WaitAll is ~8 ms every frame.
//   regress a|b     vsync-paced at 60 Hz (Render::WaitVSync). In b the workers spin-wait (Worker::Spin) instead of
//                   sleeping; frame time is unchanged (vsync slack absorbs it), but the main thread's own CPU work
//                   (PollInput, Simulate, AI::Replan, UpdateUI, BuildCommandLists, Present) is 1.25x slower because
//                   the spinning workers share the cores (emulated). b also ships a cheaper Job::Culling
//                   (0.80 -> 0.65 ms).
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them.

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

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

struct Rng
{
    std::mt19937 g;
    explicit Rng( uint32_t s ) : g( s ) {}
    double operator()( double base, double pct = 0.05 ) { return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g ); }
    double uni() { return std::uniform_real_distribution<double>( 0.0, 1.0 )( g ); }
};

void msg( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void msg( const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyMessage( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ) );
}

enum class Scn { LostWakeup, TooFew, RegA, RegB };
Scn g_scn;

enum Kind { Animation, Physics, Culling, Particles };
const char* kKindName[] = { "Animation", "Physics", "Culling", "Particles" };

struct Job
{
    Kind kind;
    int idx;
    int frame;
    double us;
};

struct JobSystem
{
    std::mutex m;
    std::condition_variable cv;
    std::deque<Job> queue;
    std::vector<Job> staging;
    std::atomic<int> outstanding{ 0 };
    std::atomic<int> visible{ 0 };  // queue size, readable without the lock (spinners)
    std::mutex doneM;
    std::condition_variable doneCv;
    std::atomic<bool> quit{ false };
    bool spin = false;
    bool buggyKick = false;

    void Submit( const Job& j )
    {
        ZoneScopedN( "Jobs::Submit" );
        char t[64];
        int n = snprintf( t, sizeof( t ), "%s #%d f%d", kKindName[j.kind], j.idx, j.frame );
        ZoneText( t, n );
        busy_for( 12.0 );
        staging.push_back( j );
        outstanding.fetch_add( 1 );
    }

    void Publish()
    {
        std::lock_guard<std::mutex> lk( m );
        PublishLocked();
    }

    void PublishLocked()
    {
        for( auto& j : staging ) queue.push_back( j );
        staging.clear();
        visible.store( (int)queue.size() );
        TracyPlot( "Jobs::pending", (int64_t)queue.size() );
    }

    // stall: the submitting thread is descheduled for this long (emulates losing the CPU inside Kick)
    void Kick( double stall_us )
    {
        ZoneScopedN( "Jobs::Kick" );
        if( buggyKick )
        {
            // BUG: wakes the workers before the jobs are visible in the queue. If a woken worker takes the lock
            // before Publish(), it sees an empty queue and goes back to sleep; the notify is lost.
            // (The race is emulated so that it is lost ~1 frame in 6: normally the notify is issued while the
            // queue lock is already held, so the woken workers block until the jobs are published; in the
            // "stalled" frames the submitter loses the CPU between the notify and the publish.)
            if( stall_us > 0 )
            {
                cv.notify_all();
                std::this_thread::sleep_for( std::chrono::nanoseconds( (int64_t)( stall_us * 1000 ) ) );
                Publish();
            }
            else
            {
                std::lock_guard<std::mutex> lk( m );
                cv.notify_all();
                PublishLocked();
            }
        }
        else
        {
            Publish();
            cv.notify_all();
        }
    }

    void WaitAll()
    {
        ZoneScopedN( "Jobs::WaitAll" );
        std::unique_lock<std::mutex> lk( doneM );
        doneCv.wait( lk, [this] { return outstanding.load() == 0; } );
    }

    bool TryPopLocked( Job& j )
    {
        if( queue.empty() ) return false;
        j = queue.front();
        queue.pop_front();
        visible.store( (int)queue.size() );
        TracyPlot( "Jobs::pending", (int64_t)queue.size() );
        return true;
    }
};

JobSystem g_jobs;

void RunJob( const Job& j, Rng& r )
{
    char t[64];
    int n = snprintf( t, sizeof( t ), "%s #%d f%d", kKindName[j.kind], j.idx, j.frame );
    const double us = r( j.us );
    switch( j.kind )
    {
    case Animation: { ZoneScopedN( "Job::Animation" ); ZoneText( t, n ); busy_for( us ); break; }
    case Physics: { ZoneScopedN( "Job::Physics" ); ZoneText( t, n ); busy_for( us ); break; }
    case Culling: { ZoneScopedN( "Job::Culling" ); ZoneText( t, n ); busy_for( us ); break; }
    case Particles: { ZoneScopedN( "Job::Particles" ); ZoneText( t, n ); busy_for( us ); break; }
    }
    if( g_jobs.outstanding.fetch_sub( 1 ) == 1 )
    {
        std::lock_guard<std::mutex> lk( g_jobs.doneM );
        g_jobs.doneCv.notify_all();
    }
}

void WorkerMain( int id )
{
    char name[32];
    snprintf( name, sizeof( name ), "Worker %d", id );
    tracy::SetThreadName( name );
    Rng r( 1000 + id );
    JobSystem& js = g_jobs;
    for( ;; )
    {
        Job j;
        if( js.spin )
        {
            bool have = false;
            {
                std::lock_guard<std::mutex> lk( js.m );
                have = js.TryPopLocked( j );
            }
            if( !have )
            {
                ZoneScopedN( "Worker::Spin" );
                while( !have && !js.quit.load() )
                {
                    busy_for( 6.0 );  // pause loop
                    if( js.visible.load() > 0 )
                    {
                        std::lock_guard<std::mutex> lk( js.m );
                        have = js.TryPopLocked( j );
                    }
                    if( !have ) std::this_thread::sleep_for( 150us );  // (keeps the emulation cheap on this machine)
                }
            }
            if( !have ) break;
        }
        else
        {
            std::unique_lock<std::mutex> lk( js.m );
            while( js.queue.empty() && !js.quit.load() )
            {
                ZoneScopedN( "Worker::Sleep" );
                auto st = js.cv.wait_for( lk, 10ms );
                if( st == std::cv_status::timeout ) ZoneText( "timeout", 7 );
                else ZoneText( "notified", 8 );
            }
            if( !js.TryPopLocked( j ) ) break;
        }
        RunJob( j, r );
    }
}

void StreamingMain()
{
    tracy::SetThreadName( "Streaming" );
    Rng r( 77 );
    const char* paks[] = { "terrain_07.pak", "props_city.pak", "textures_hd_03.pak", "audio_amb.pak", "npc_lod1.pak" };
    int chunk = 0;
    while( !g_jobs.quit.load() )
    {
        {
            ZoneScopedN( "Asset::StreamChunk" );
            char t[64];
            const char* pak = paks[chunk % 5];
            int n = snprintf( t, sizeof( t ), "%s chunk %d", pak, chunk );
            ZoneText( t, n );
            {
                ZoneScopedN( "IO::Read" );
                std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)r( 28000, 0.25 ) ) );
            }
            {
                ZoneScopedN( "Asset::Decompress" );
                busy_for( r( 2500 ) );
            }
            msg( "Streaming: %s chunk %d resident", pak, chunk );
        }
        chunk++;
        std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)r( 70000, 0.1 ) ) );
    }
}

void AudioMain()
{
    tracy::SetThreadName( "Audio" );
    Rng r( 55 );
    auto next = Clock::now();
    while( !g_jobs.quit.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_for( r( 600 ) );
        }
        next += 5333us;
        std::this_thread::sleep_until( next );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 )
    {
        fprintf( stderr, "usage: jobsys lost_wakeup|too_few_workers|regress a|regress b\n" );
        return 1;
    }
    std::string s = argv[1];
    if( s == "lost_wakeup" ) g_scn = Scn::LostWakeup;
    else if( s == "too_few_workers" ) g_scn = Scn::TooFew;
    else if( s == "regress" && argc > 2 && std::string( argv[2] ) == "a" ) g_scn = Scn::RegA;
    else if( s == "regress" && argc > 2 && std::string( argv[2] ) == "b" ) g_scn = Scn::RegB;
    else
    {
        fprintf( stderr, "unknown scenario\n" );
        return 1;
    }
    tracy::SetThreadName( "Main thread" );
    std::this_thread::sleep_for( 200ms );  // let the profiler connect

    const bool vsync = g_scn == Scn::RegA || g_scn == Scn::RegB;
    const double cpuScale = g_scn == Scn::RegB ? 1.25 : 1.0;
    g_jobs.spin = g_scn == Scn::RegB;
    g_jobs.buggyKick = g_scn == Scn::LostWakeup;

    Rng r( 4242 );
    std::vector<std::thread> threads;
    {
        ZoneScopedN( "App::Init" );
        msg( "jobsys 2.3.1 starting, 4 worker threads, vsync %s", vsync ? "on (60 Hz)" : "off" );
        {
            ZoneScopedN( "Renderer::Init" );
            busy_for( 30000 );
        }
        for( int i = 0; i < 4; i++ ) threads.emplace_back( WorkerMain, i );
        threads.emplace_back( StreamingMain );
        threads.emplace_back( AudioMain );
        {
            ZoneScopedN( "World::Load" );
            busy_for( 60000 );
        }
        msg( "world loaded: level 'harbor_district'" );
    }

    // per-frame job list: {kind, count, us}
    struct Spec { Kind k; int n; double us; };
    std::vector<Spec> specs;
    if( g_scn == Scn::TooFew )
        specs = { { Animation, 8, 1200 }, { Physics, 8, 1500 }, { Culling, 8, 800 }, { Particles, 8, 600 } };
    else
        specs = { { Animation, 4, 1200 }, { Physics, 4, 1500 }, { Culling, 2, g_scn == Scn::RegB ? 650.0 : 800.0 }, { Particles, 2, 600 } };

    const double simUs = vsync ? 3500 : 6000;
    const double buildUs = vsync ? 2500 : 4000;
    const double presentUs = vsync ? 500 : 1500;
    const int frames = 300;
    int stalls = 0;
    const auto period = std::chrono::nanoseconds( 16666667 );
    auto nextVsync = Clock::now() + period;

    for( int f = 0; f < frames; f++ )
    {
        {
            ZoneScopedN( "Game::PollInput" );
            busy_for( r( 300 * cpuScale ) );
        }
        {
            ZoneScopedN( "Game::Simulate" );
            busy_for( r( simUs * cpuScale ) );
            if( f % 45 == 20 )
            {
                ZoneScopedN( "AI::Replan" );
                busy_for( r( 2000 * cpuScale ) );
            }
        }
        int idx = 0;
        for( auto& sp : specs )
            for( int i = 0; i < sp.n; i++ ) g_jobs.Submit( Job{ sp.k, idx++, f, sp.us } );
        double stall = 0;
        if( g_scn == Scn::LostWakeup && r.uni() < 1.0 / 6.0 )
        {
            stall = 400;
            stalls++;
        }
        g_jobs.Kick( stall );
        {
            ZoneScopedN( "Game::UpdateUI" );
            busy_for( r( 1000 * cpuScale ) );
        }
        g_jobs.WaitAll();
        {
            ZoneScopedN( "Render::BuildCommandLists" );
            busy_for( r( buildUs * cpuScale ) );
        }
        {
            ZoneScopedN( "Render::Present" );
            busy_for( r( presentUs * cpuScale ) );
        }
        if( vsync )
        {
            ZoneScopedN( "Render::WaitVSync" );
            auto now = Clock::now();
            while( nextVsync < now ) nextVsync += period;
            std::this_thread::sleep_until( nextVsync );
            nextVsync += period;
        }
        FrameMark;
        if( f % 60 == 59 ) msg( "frame %d", f + 1 );
    }
    msg( "shutting down after %d frames", frames );
    g_jobs.quit.store( true );
    g_jobs.cv.notify_all();
    for( auto& t : threads ) t.join();
    fprintf( stderr, "jobsys %s: %d frames, %d stalled kicks\n", s.c_str(), frames, stalls );
    return 0;
}
