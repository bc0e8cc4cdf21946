// fiberjobs: a game engine whose job system runs every job on a fiber (Naughty Dog style "Parallelizing the
// Naughty Dog engine using fibers"), instrumented with Tracy's fiber API (benchmark data for profiler-analysis
// tools; not part of any project).
//
// Threads:
//   Main        60 Hz frame loop: Game::Frame > Game::Update (Input::Poll, Script::Tick, Game::UpdateCamera),
//               Jobs::Kick, Jobs::WaitForCounter (blocks on the frame's counter; the main thread runs no jobs),
//               Renderer::Submit (Renderer::BuildCommandLists, Renderer::Present), Game::WaitForVSync (sleep to
//               the next 16.667 ms boundary), then FrameMark.
//   Worker 0..2 job workers. A worker takes a ready (resumed) fiber first, else a new job on a free fiber from the
//               pool, and switches to it with swapcontext. TracyFiberEnter(fiber name) just before switching in,
//               TracyFiberLeave right after the fiber switches back. Worker zones: Jobs::WaitForWork (idle).
//   Fiber 0..15 the fiber pool (128 KiB stacks, LIFO free list). A job that calls Jobs::WaitForCounter on a
//               counter that is not zero suspends its fiber (its zones stay open); the fiber is resumed, possibly
//               by another worker, when the counter reaches zero.
//   Streaming   Streaming::LoadChunk every ~0.5 s (Streaming::ReadFile, Streaming::Decompress), ZoneText = chunk
//   Audio       Audio::Mix every 10 ms
//
// Job graph per frame (one frame counter for all):
//   Physics::Broadphase (ZoneValue = pair count) -> at its end kicks 2x Physics::Narrowphase; has its own counter
//   Anim::BlendPoses x2 (prep, then Jobs::WaitForCounter on the broadphase counter, then blend)
//   Anim::SampleClips x4 (ZoneText = character), Culling::Frustum x3 (ZoneText = view),
//   Particles::Update x2 (big but steady), AI::Think x3
//
// Usage: fiberjobs <scenario>
//   dependency_stall  8 frames: a destruction event makes Physics::Broadphase take 44-54 ms (pairs 21-26k vs ~1.8k);
//                     Anim::BlendPoses fibers suspend waiting on it; the frame hitches (~67 ms)
//   serial_job        AI::PathfindBatch (one 21-23 ms job per frame) keeps one worker busy while the others idle;
//                     every frame misses vsync (33 ms)
//   regress_a         baseline
//   regress_b         Culling::Frustum 3x slower; Particles::Update 2x faster
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <ucontext.h>

#include "tracy/Tracy.hpp"

namespace
{

using Clock = std::chrono::steady_clock;
constexpr int64_t kVblankNs = 16666667;

volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };

// Sleep most of the duration, then spin to the deadline (predictable on a busy machine).
void Work( double ms )
{
    const auto end = Clock::now() + std::chrono::nanoseconds( (int64_t)( ms * 1e6 ) );
    if( ms > 0.3 ) std::this_thread::sleep_for( std::chrono::nanoseconds( (int64_t)( ( ms - 0.15 ) * 1e6 ) ) );
    double x = 1.0;
    while( Clock::now() < end ) { for( int i = 0; i < 200; i++ ) x = x * 1.0000001 + 0.5; }
    g_sink = g_sink + x;
}

// ---------------------------------------------------------------------------------------------- job system
struct Fiber;

struct Counter
{
    int value = 0;
    std::vector<Fiber*> waiters;
};

using JobFn = void ( * )( Fiber*, void* );

struct Job
{
    JobFn fn = nullptr;
    void* data = nullptr;
    Counter* counters[2] = { nullptr, nullptr };
};

struct Worker;

enum class FiberState { Idle, Running, Waiting, Done };

struct Fiber
{
    ucontext_t ctx;
    char* stack = nullptr;
    char name[16];
    Job job;
    FiberState state = FiberState::Idle;
    Counter* waitOn = nullptr;
    bool started = false;
    Worker* worker = nullptr;  // the worker currently running this fiber (updated on every resume)
};

struct Worker
{
    int index = 0;
    ucontext_t schedCtx;
    std::thread thread;
};

constexpr int kNumWorkers = 3;
constexpr int kNumFibers = 16;
constexpr size_t kStackSize = 128 * 1024;

std::mutex g_mutex;
std::condition_variable g_cv;
std::deque<Job> g_jobs;
std::deque<Fiber*> g_ready;
std::vector<Fiber*> g_free;  // LIFO
Fiber g_fibers[kNumFibers];
Worker g_workers[kNumWorkers];

// Called with g_mutex held.
void DecrementLocked( Counter* c )
{
    if( !c ) return;
    if( --c->value == 0 )
    {
        for( Fiber* f : c->waiters ) g_ready.push_back( f );
        c->waiters.clear();
    }
}

void Kick( const Job* jobs, int n, Counter* c )
{
    std::lock_guard<std::mutex> lock( g_mutex );
    for( int i = 0; i < n; i++ )
    {
        Job j = jobs[i];
        for( auto& cc : j.counters ) if( cc ) cc->value++;
        g_jobs.push_back( j );
    }
    (void)c;
    g_cv.notify_all();
}

// Fiber entry: run jobs forever; after each, switch back to whichever worker runs us.
void FiberMain( int idx )
{
    Fiber* self = &g_fibers[idx];
    for( ;; )
    {
        self->job.fn( self, self->job.data );
        self->state = FiberState::Done;
        swapcontext( &self->ctx, &self->worker->schedCtx );
    }
}

// Inside a fiber: suspend until the counter is zero (the worker parks us after the switch).
void WaitForCounterInFiber( Fiber* self, Counter* c, const char* what )
{
    ZoneScopedN( "Jobs::WaitForCounter" );
    ZoneText( what, strlen( what ) );
    {
        std::lock_guard<std::mutex> lock( g_mutex );
        if( c->value == 0 ) return;
    }
    self->state = FiberState::Waiting;
    self->waitOn = c;
    swapcontext( &self->ctx, &self->worker->schedCtx );
    // resumed here, possibly on another worker
}

// Main thread (not a fiber): block.
void WaitForCounterBlocking( Counter* c )
{
    ZoneScopedN( "Jobs::WaitForCounter" );
    ZoneText( "frame", 5 );
    std::unique_lock<std::mutex> lock( g_mutex );
    g_cv.wait( lock, [c] { return c->value == 0; } );
}

void WorkerMain( Worker* w )
{
    char tname[16];
    snprintf( tname, sizeof( tname ), "Worker %d", w->index );
    tracy::SetThreadName( tname );
    for( ;; )
    {
        Fiber* f = nullptr;
        {
            std::unique_lock<std::mutex> lock( g_mutex );
            auto haveWork = [] { return g_stop.load() || !g_ready.empty() || ( !g_jobs.empty() && !g_free.empty() ); };
            if( !haveWork() )
            {
                ZoneScopedN( "Jobs::WaitForWork" );
                g_cv.wait( lock, haveWork );
            }
            if( !g_ready.empty() )
            {
                f = g_ready.front();
                g_ready.pop_front();
            }
            else if( !g_jobs.empty() && !g_free.empty() )
            {
                f = g_free.back();
                g_free.pop_back();
                f->job = g_jobs.front();
                g_jobs.pop_front();
            }
            else if( g_stop.load() )
            {
                return;
            }
        }
        if( !f ) continue;
        f->worker = w;
        f->state = FiberState::Running;
        if( !f->started )
        {
            f->started = true;
            getcontext( &f->ctx );
            f->ctx.uc_stack.ss_sp = f->stack;
            f->ctx.uc_stack.ss_size = kStackSize;
            f->ctx.uc_link = nullptr;
            makecontext( &f->ctx, (void ( * )())FiberMain, 1, (int)( f - g_fibers ) );
        }
        TracyFiberEnter( f->name );
        swapcontext( &w->schedCtx, &f->ctx );
        TracyFiberLeave;
        {
            std::lock_guard<std::mutex> lock( g_mutex );
            if( f->state == FiberState::Done )
            {
                DecrementLocked( f->job.counters[0] );
                DecrementLocked( f->job.counters[1] );
                f->state = FiberState::Idle;
                g_free.push_back( f );
            }
            else if( f->state == FiberState::Waiting )
            {
                if( f->waitOn->value == 0 ) g_ready.push_back( f );
                else f->waitOn->waiters.push_back( f );
            }
            g_cv.notify_all();
        }
    }
}

void StartJobSystem()
{
    for( int i = 0; i < kNumFibers; i++ )
    {
        g_fibers[i].stack = (char*)malloc( kStackSize );
        snprintf( g_fibers[i].name, sizeof( g_fibers[i].name ), "Fiber %d", i );
    }
    for( int i = kNumFibers - 1; i >= 0; i-- ) g_free.push_back( &g_fibers[i] );
    for( int i = 0; i < kNumWorkers; i++ )
    {
        g_workers[i].index = i;
        g_workers[i].thread = std::thread( WorkerMain, &g_workers[i] );
    }
}

void StopJobSystem()
{
    {
        std::lock_guard<std::mutex> lock( g_mutex );
        g_stop = true;
        g_cv.notify_all();
    }
    for( auto& w : g_workers ) w.thread.join();
}

// ---------------------------------------------------------------------------------------------- jobs
struct Params
{
    double ms = 0, ms2 = 0;
    int64_t value = 0;
    const char* text = nullptr;
    Counter* wait = nullptr;
    Counter* frame = nullptr;
    Job children[2];
};

void JobNarrowphase( Fiber*, void* d )
{
    auto* p = (Params*)d;
    ZoneScopedN( "Physics::Narrowphase" );
    ZoneValue( p->value );
    Work( p->ms );
}

void JobBroadphase( Fiber*, void* d )
{
    auto* p = (Params*)d;
    ZoneScopedN( "Physics::Broadphase" );
    char buf[48];
    int n = snprintf( buf, sizeof( buf ), "pairs: %lld", (long long)p->value );
    ZoneText( buf, n );
    ZoneValue( p->value );
    Work( p->ms );
    Kick( p->children, 2, p->frame );
}

void JobBlendPoses( Fiber* self, void* d )
{
    auto* p = (Params*)d;
    ZoneScopedN( "Anim::BlendPoses" );
    ZoneText( p->text, strlen( p->text ) );
    Work( p->ms );  // gather sampled poses
    WaitForCounterInFiber( self, p->wait, "Physics::Broadphase" );
    Work( p->ms2 );  // blend with ragdoll contacts
}

void JobSampleClips( Fiber*, void* d )
{
    auto* p = (Params*)d;
    ZoneScopedN( "Anim::SampleClips" );
    ZoneText( p->text, strlen( p->text ) );
    Work( p->ms );
}

void JobCulling( Fiber*, void* d )
{
    auto* p = (Params*)d;
    ZoneScopedN( "Culling::Frustum" );
    ZoneText( p->text, strlen( p->text ) );
    ZoneValue( p->value );
    Work( p->ms );
}

void JobParticles( Fiber*, void* d )
{
    auto* p = (Params*)d;
    ZoneScopedN( "Particles::Update" );
    ZoneValue( p->value );
    Work( p->ms );
}

void JobAIThink( Fiber*, void* d )
{
    auto* p = (Params*)d;
    ZoneScopedN( "AI::Think" );
    ZoneText( p->text, strlen( p->text ) );
    Work( p->ms );
}

void JobPathfind( Fiber*, void* d )
{
    auto* p = (Params*)d;
    ZoneScopedN( "AI::PathfindBatch" );
    char buf[48];
    int n = snprintf( buf, sizeof( buf ), "agents: %lld", (long long)p->value );
    ZoneText( buf, n );
    ZoneValue( p->value );
    Work( p->ms );
}

// ---------------------------------------------------------------------------------------------- side threads
void StreamingMain()
{
    tracy::SetThreadName( "Streaming" );
    std::mt19937 rng( 77 );
    std::uniform_real_distribution<double> u( 0.0, 1.0 );
    int chunk = 0;
    while( !g_stop.load() )
    {
        for( int i = 0; i < 50 && !g_stop.load(); i++ ) std::this_thread::sleep_for( std::chrono::milliseconds( 10 ) );
        if( g_stop.load() ) break;
        char name[48];
        int n = snprintf( name, sizeof( name ), "world/sector_%02d_%d.pak", 3 + chunk % 9, chunk );
        {
            ZoneScopedN( "Streaming::LoadChunk" );
            ZoneText( name, n );
            {
                ZoneScopedN( "Streaming::ReadFile" );
                Work( 14.0 + 10.0 * u( rng ) );
            }
            {
                ZoneScopedN( "Streaming::Decompress" );
                Work( 9.0 + 5.0 * u( rng ) );
            }
        }
        char msg[96];
        int m = snprintf( msg, sizeof( msg ), "Streaming: %s resident", name );
        TracyMessage( msg, m );
        chunk++;
    }
}

void AudioMain()
{
    tracy::SetThreadName( "Audio" );
    auto next = Clock::now();
    while( !g_stop.load() )
    {
        next += std::chrono::milliseconds( 10 );
        {
            ZoneScopedN( "Audio::Mix" );
            Work( 0.6 );
        }
        std::this_thread::sleep_until( next );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string scenario = argc > 1 ? argv[1] : "regress_a";
    const bool stall = scenario == "dependency_stall";
    const bool serial = scenario == "serial_job";
    const bool regB = scenario == "regress_b";
    if( !stall && !serial && scenario != "regress_a" && !regB )
    {
        fprintf( stderr, "unknown scenario %s\n", scenario.c_str() );
        return 1;
    }
    tracy::SetThreadName( "Main" );
    StartJobSystem();
    TracyMessageL( "Jobs: 3 workers, 16 fibers (128 KiB stacks)" );
    std::thread streaming( StreamingMain );
    std::thread audio( AudioMain );

    const int frames = serial ? 170 : ( stall ? 300 : 330 );
    const int stallFrames[] = { 44, 76, 106, 137, 167, 197, 229, 254 };
    const int aiSpikeFrames[] = { 40, 77, 110, 166, 199, 230, 258, 290 };
    static const char* kChars[] = { "player", "npc_guard_03", "npc_civilian_11", "creature_hound_02" };
    static const char* kViews[] = { "main", "shadow_cascade0", "shadow_cascade1" };
    static const char* kAI[] = { "squad_alpha", "squad_bravo", "wildlife" };
    static const char* kBlend[] = { "upper_body", "full_body" };

    std::mt19937 rng( 1234 );
    std::uniform_real_distribution<double> u( 0.0, 1.0 );
    auto jit = [&]( double ms ) { return ms * ( 0.92 + 0.16 * u( rng ) ); };

    const auto t0 = Clock::now();
    int64_t boundary = 0;
    for( int frame = 0; frame < frames; frame++ )
    {
        bool isStall = false;
        if( stall ) for( int s : stallFrames ) if( s == frame ) isStall = true;
        bool aiSpike = false;
        if( stall ) for( int s : aiSpikeFrames ) if( s == frame ) aiSpike = true;

        Counter frameCounter, physicsCounter;
        std::vector<Params> params( 24 );
        std::vector<Job> jobs;
        jobs.reserve( 24 );
        {
            ZoneScopedN( "Game::Frame" );
            ZoneValue( frame );
            {
                ZoneScopedN( "Game::Update" );
                {
                    ZoneScopedN( "Input::Poll" );
                    Work( jit( 0.2 ) );
                }
                {
                    ZoneScopedN( "Script::Tick" );
                    if( isStall )
                    {
                        char msg[96];
                        int m = snprintf( msg, sizeof( msg ), "Destruction: building_%02d collapsed, %d debris bodies spawned",
                                          3 + frame % 17, 380 + frame % 60 );
                        TracyMessage( msg, m );
                    }
                    Work( jit( 0.8 ) );
                }
                {
                    ZoneScopedN( "Game::UpdateCamera" );
                    Work( jit( 0.2 ) );
                }
            }
            // build the job graph
            int pi = 0;
            auto add = [&]( JobFn fn, Params* p, Counter* extra ) {
                Job j;
                j.fn = fn;
                j.data = p;
                j.counters[0] = &frameCounter;
                j.counters[1] = extra;
                jobs.push_back( j );
            };
            {
                Params* p = &params[pi++];
                p->frame = &frameCounter;
                if( isStall )
                {
                    p->ms = 44.0 + 10.0 * u( rng );
                    p->value = 21000 + (int64_t)( 5000 * u( rng ) );
                }
                else
                {
                    p->ms = jit( 1.0 );
                    p->value = 1700 + (int64_t)( 200 * u( rng ) );
                }
                for( int c = 0; c < 2; c++ )
                {
                    Params* q = &params[pi++];
                    q->ms = jit( 0.6 );
                    q->value = 300 + (int64_t)( 60 * u( rng ) );
                    p->children[c].fn = JobNarrowphase;
                    p->children[c].data = q;
                    p->children[c].counters[0] = &frameCounter;
                }
                add( JobBroadphase, p, &physicsCounter );
            }
            for( int i = 0; i < 2; i++ )
            {
                Params* p = &params[pi++];
                p->ms = jit( 0.25 );
                p->ms2 = jit( 0.7 );
                p->text = kBlend[i];
                p->wait = &physicsCounter;
                add( JobBlendPoses, p, nullptr );
            }
            for( int i = 0; i < 4; i++ )
            {
                Params* p = &params[pi++];
                p->ms = jit( 0.8 );
                p->text = kChars[i];
                add( JobSampleClips, p, nullptr );
            }
            for( int i = 0; i < 3; i++ )
            {
                Params* p = &params[pi++];
                p->ms = jit( regB ? 1.8 : 0.6 );
                p->text = kViews[i];
                p->value = ( i == 0 ? 5200 : 3100 ) + (int64_t)( 300 * u( rng ) );
                add( JobCulling, p, nullptr );
            }
            for( int i = 0; i < 2; i++ )
            {
                Params* p = &params[pi++];
                p->ms = jit( regB ? 0.7 : 1.4 );
                p->value = 38000 + (int64_t)( 4000 * u( rng ) );
                add( JobParticles, p, nullptr );
            }
            for( int i = 0; i < 3; i++ )
            {
                Params* p = &params[pi++];
                p->ms = ( aiSpike && i == 1 ) ? 2.6 + 0.8 * u( rng ) : jit( 0.5 );
                p->text = kAI[i];
                add( JobAIThink, p, nullptr );
            }
            if( serial )
            {
                Params* p = &params[pi++];
                p->ms = 21.0 + 2.0 * u( rng );
                p->value = 640;
                add( JobPathfind, p, nullptr );
            }
            {
                ZoneScopedN( "Jobs::Kick" );
                ZoneValue( (int64_t)jobs.size() );
                Kick( jobs.data(), (int)jobs.size(), &frameCounter );
            }
            WaitForCounterBlocking( &frameCounter );
            {
                ZoneScopedN( "Renderer::Submit" );
                {
                    ZoneScopedN( "Renderer::BuildCommandLists" );
                    Work( jit( 1.2 ) );
                }
                {
                    ZoneScopedN( "Renderer::Present" );
                    Work( jit( 0.4 ) );
                }
            }
            {
                ZoneScopedN( "Game::WaitForVSync" );
                const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>( Clock::now() - t0 ).count();
                boundary += kVblankNs;
                while( boundary <= now ) boundary += kVblankNs;
                std::this_thread::sleep_until( t0 + std::chrono::nanoseconds( boundary ) );
            }
        }
        FrameMark;
    }
    g_stop = true;
    StopJobSystem();
    streaming.join();
    audio.join();
    TracyMessageL( "Shutdown complete" );
    return 0;
}
