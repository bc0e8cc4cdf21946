// tidewake: an open-world-game-shaped workload with an asset streaming thread, instrumented with Tracy 0.14.0.
// Benchmark data for profiler-analysis tests; not part of any project.
//
// Usage: tidewake play        (gameplay with background asset streaming)
//
// Run ONLY through /work/team/bin/record.sh (loopback-only network namespace, TRACY_NO_EXIT=1).
// Timed work = sleep to shortly before a deadline, then spin, so zone lengths hold on a busy 2-core machine.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

namespace
{
using SteadyClock = std::chrono::steady_clock;
using Micros = std::chrono::duration<double, std::micro>;

std::atomic<uint64_t> g_sink{ 0 };

// Spend `us` microseconds of wall time: nap until ~250 us before the deadline, then hash integers until it.
void Burn( double us )
{
    const auto deadline = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>( Micros( us ) );
    if( us > 500.0 ) std::this_thread::sleep_until( deadline - std::chrono::microseconds( 250 ) );
    uint64_t h = 1469598103934665603ull;
    do
    {
        for( int k = 0; k < 64; ++k ) h = ( h ^ (uint64_t)k ) * 1099511628211ull;
    } while( SteadyClock::now() < deadline );
    g_sink.fetch_add( h & 1, std::memory_order_relaxed );
}

class Rng
{
public:
    explicit Rng( uint32_t seed ) : m_eng( seed ) {}
    double around( double v, double p = 0.06 ) { return std::uniform_real_distribution<double>( v * ( 1 - p ), v * ( 1 + p ) )( m_eng ); }
    double uniform( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( m_eng ); }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( m_eng ); }

private:
    std::mt19937 m_eng;
};

constexpr double kFrameUs = 16667.0;
constexpr int kFrames = 330;  // ~5.5 s of gameplay

std::atomic<bool> g_quit{ false };

// ---- streaming requests: game thread -> streaming thread ----------------------------------------------------

struct AssetRequest
{
    uint32_t id;
    int blocks;  // 64 KB blocks in the pak file
};

std::mutex g_reqMutex;
std::condition_variable g_reqCv;
std::deque<AssetRequest> g_requests;
bool g_reqDone = false;

// ---- upload queue: streaming thread -> render thread --------------------------------------------------------

struct PendingUpload
{
    uint32_t id;
    int blocks;
};

struct UploadQueue
{
    TracyLockableN( std::mutex, m_mutex, "UploadQueue::m_mutex" );
    std::vector<PendingUpload> m_items;
};

UploadQueue g_uploads;

// ---- streaming thread ---------------------------------------------------------------------------------------

void ReadBlock( Rng& rng )
{
    ZoneScopedN( "IO::ReadBlock" );
    // pread() on the pak file: the thread is blocked on the disk
    Burn( rng.around( 2290.0, 0.25 ) );
}

void Decompress( Rng& rng, int blocks )
{
    ZoneScopedN( "Asset::Decompress" );
    Burn( blocks * rng.around( 1040.0, 0.08 ) );
}

void Upload( Rng& rng, int blocks )
{
    ZoneScopedN( "Asset::Upload" );
    // copy into the staging buffer, build the texture descriptor
    Burn( blocks * rng.around( 208.0, 0.08 ) );
}

void StreamingThread()
{
    tracy::SetThreadName( "Streaming" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    Rng rng( 0x5713 );
    for( ;; )
    {
        // Batching window: give the game thread a moment to coalesce adjacent requests (and the disk a breather).
        std::this_thread::sleep_for( std::chrono::microseconds( 1150 ) );
        AssetRequest req;
        {
            std::unique_lock<std::mutex> lk( g_reqMutex );
            g_reqCv.wait( lk, [] { return !g_requests.empty() || g_reqDone; } );
            if( g_requests.empty() ) break;
            req = g_requests.front();
            g_requests.pop_front();
        }

        ZoneScopedN( "Streaming::LoadAsset" );
        ZoneValue( req.id );
        Burn( rng.around( 90.0 ) );  // resolve the pak entry, allocate the buffers
        for( int b = 0; b < req.blocks; ++b ) ReadBlock( rng );
        Decompress( rng, req.blocks );
        Upload( rng, req.blocks );
        {
            std::lock_guard<LockableBase( std::mutex )> lk( g_uploads.m_mutex );
            LockMark( g_uploads.m_mutex );
            g_uploads.m_items.push_back( { req.id, req.blocks } );
        }
    }
}

// ---- render thread -----------------------------------------------------------------------------------------

void RenderThread()
{
    tracy::SetThreadName( "Render" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    Rng rng( 0xBEEF );
    auto next = SteadyClock::now();
    while( !g_quit.load() )
    {
        next += std::chrono::duration_cast<SteadyClock::duration>( Micros( kFrameUs ) );
        {
            ZoneScopedN( "Render::Frame" );
            {
                ZoneScopedN( "Render::ProcessUploads" );
                std::lock_guard<LockableBase( std::mutex )> lk( g_uploads.m_mutex );
                LockMark( g_uploads.m_mutex );
                {
                    ZoneScopedN( "Render::UpdateResidency" );
                    // walks the whole residency table while the upload queue is locked
                    Burn( rng.around( 6300.0, 0.04 ) );
                }
                {
                    ZoneScopedN( "Render::CreateTextures" );
                    Burn( 300.0 + 150.0 * g_uploads.m_items.size() );
                    g_uploads.m_items.clear();
                }
            }
            {
                ZoneScopedN( "Render::DrawScene" );
                {
                    ZoneScopedN( "Render::ShadowPass" );
                    Burn( rng.around( 2200.0 ) );
                }
                {
                    ZoneScopedN( "Render::OpaquePass" );
                    Burn( rng.around( 3600.0 ) );
                }
                {
                    ZoneScopedN( "Render::PostFx" );
                    Burn( rng.around( 1100.0 ) );
                }
            }
            {
                ZoneScopedN( "Render::Present" );
                std::this_thread::sleep_until( next );
            }
        }
    }
}

// ---- game thread -------------------------------------------------------------------------------------------

void RunPlay()
{
    tracy::SetThreadName( "Main" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 1 ) );
    TracyMessageL( "level loaded: harbor_district" );

    std::thread streaming( StreamingThread );
    std::thread render( RenderThread );

    Rng rng( 0x7A11 );
    uint32_t nextId = 1;
    double nextRequestUs = 0.0;
    auto start = SteadyClock::now();
    auto next = start;
    for( int frame = 0; frame < kFrames; ++frame )
    {
        next += std::chrono::duration_cast<SteadyClock::duration>( Micros( kFrameUs ) );
        {
            ZoneScopedN( "Game::Frame" );
            {
                ZoneScopedN( "Input::Poll" );
                Burn( rng.around( 250.0 ) );
            }
            {
                ZoneScopedN( "AI::Think" );
                Burn( rng.around( 3100.0, 0.15 ) );
            }
            {
                ZoneScopedN( "Physics::Step" );
                Burn( rng.around( 5200.0, 0.10 ) );
            }
            {
                ZoneScopedN( "Anim::Update" );
                Burn( rng.around( 1900.0 ) );
            }
            {
                ZoneScopedN( "World::RequestAssets" );
                const double nowUs = std::chrono::duration_cast<Micros>( SteadyClock::now() - start ).count();
                std::lock_guard<std::mutex> lk( g_reqMutex );
                while( nextRequestUs <= nowUs )
                {
                    g_requests.push_back( { nextId++, rng.range( 3, 5 ) } );
                    nextRequestUs += rng.uniform( 9000.0, 16000.0 );
                }
                g_reqCv.notify_one();
            }
        }
        FrameMark;
        std::this_thread::sleep_until( next );
    }

    {
        std::lock_guard<std::mutex> lk( g_reqMutex );
        g_reqDone = true;
        g_requests.clear();
        g_reqCv.notify_one();
    }
    streaming.join();
    g_quit = true;
    render.join();
    TracyMessageL( "shutdown" );
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if( mode != "play" )
    {
        fprintf( stderr, "usage: tidewake play\n" );
        return 2;
    }
    RunPlay();
    printf( "tidewake %s: done\n", mode.c_str() );
    return 0;
}
