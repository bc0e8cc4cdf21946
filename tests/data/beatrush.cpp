// beatrush: a rhythm/music-game-shaped workload instrumented with Tracy 0.14.0 (benchmark data tooling).
//
// Usage: beatrush a|b
//   a  "last week's build" (BeatRush 2.3.1)
//   b  "today's build"     (BeatRush 2.4.0): the Audio Stream thread's Audio::StreamRefill keeps its ~1 ms median,
//      but every 100th refill (about once per second) stalls ~19 ms extra in its own body (a blocking
//      re-read of the song file before decoding); Chart::Parse is ~25% faster. Frames are unchanged.
//
// Run ONLY through /work/team/bin/record.sh (loopback-only network namespace, TRACY_NO_EXIT=1).
// Work is emulated with wall-clock time (sleep most of it, spin the last ~120 us) so zone lengths hold on a
// shared 2-core machine.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
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

volatile uint64_t g_spinSink = 0;

// Busy for `usec` microseconds of wall time: sleep until shortly before, then spin on a hash loop.
void Busy( double usec )
{
    const auto deadline = SteadyClock::now() + std::chrono::nanoseconds( static_cast<int64_t>( usec * 1e3 ) );
    if( usec > 300.0 ) std::this_thread::sleep_until( deadline - std::chrono::microseconds( 120 ) );
    uint64_t h = 1469598103934665603ull;
    do
    {
        for( int k = 0; k < 64; ++k ) h = ( h ^ static_cast<uint64_t>( k ) ) * 1099511628211ull;
    } while( SteadyClock::now() < deadline );
    g_spinSink += h;
}

class Rng
{
public:
    explicit Rng( unsigned seed ) : m_gen( seed ) {}
    // value * (1 +- spread), uniform
    double Near( double value, double spread = 0.04 )
    {
        std::uniform_real_distribution<double> d( 1.0 - spread, 1.0 + spread );
        return value * d( m_gen );
    }

private:
    std::mt19937_64 m_gen;
};

std::atomic<bool> g_songOver{ false };
bool g_buildB = false;

void Log( const std::string& s ) { TracyMessage( s.c_str(), s.size() ); }

// ---------------------------------------------------------------------------------------------------------
// Song loading (main thread, before gameplay)
// ---------------------------------------------------------------------------------------------------------

void LoadSong( Rng& rng )
{
    ZoneScopedN( "Song::Load" );
    {
        ZoneScopedN( "Song::ReadPackage" );
        std::this_thread::sleep_for( std::chrono::microseconds( static_cast<int64_t>( rng.Near( 70000 ) ) ) );
    }
    static const char* kDifficulties[] = { "easy", "normal", "hard", "expert" };
    for( const char* diff : kDifficulties )
    {
        ZoneScopedN( "Chart::Parse" );
        ZoneText( diff, strlen( diff ) );
        // b: new tokenizer, ~25% faster
        Busy( rng.Near( g_buildB ? 24000 : 32000, 0.03 ) );
    }
    {
        ZoneScopedN( "Render::LoadNoteSkin" );
        Busy( rng.Near( 55000 ) );
    }
    {
        ZoneScopedN( "Audio::OpenStream" );
        std::this_thread::sleep_for( std::chrono::microseconds( static_cast<int64_t>( rng.Near( 40000 ) ) ) );
    }
    Log( "Song 'Neon Skyline' (expert) loaded: 1412 notes, 174 BPM" );
}

// ---------------------------------------------------------------------------------------------------------
// Audio threads
// ---------------------------------------------------------------------------------------------------------

// Streams the song's compressed audio into the ring buffer: one refill every 10 ms.
void AudioStreamThread()
{
    tracy::SetThreadName( "Audio Stream" );
    Rng rng( 4242 );
    auto tick = SteadyClock::now();
    int refill = 0;
    while( !g_songOver.load( std::memory_order_relaxed ) )
    {
        {
            ZoneScopedN( "Audio::StreamRefill" );
            if( g_buildB && refill % 100 == 37 )
            {
                // today's build: reopens and re-reads the song file synchronously on each ring wrap
                Busy( rng.Near( 19000, 0.03 ) );
            }
            {
                ZoneScopedN( "Audio::DecodeVorbis" );
                Busy( rng.Near( 780 ) );
            }
            Busy( rng.Near( 220 ) );  // resample + copy into ring
        }
        ++refill;
        tick += std::chrono::milliseconds( 10 );
        std::this_thread::sleep_until( tick );
    }
}

// Mixes voices (music, hit sounds, crowd) every 5 ms.
void AudioMixThread()
{
    tracy::SetThreadName( "Audio Mixer" );
    Rng rng( 77 );
    auto tick = SteadyClock::now();
    while( !g_songOver.load( std::memory_order_relaxed ) )
    {
        {
            ZoneScopedN( "Audio::MixVoices" );
            Busy( rng.Near( 650 ) );
        }
        tick += std::chrono::microseconds( 5000 );
        std::this_thread::sleep_until( tick );
    }
}

// Uploads a leaderboard snapshot once a second: a normal ~12 ms spike, in both builds.
void ScoreSyncThread()
{
    tracy::SetThreadName( "Score Sync" );
    Rng rng( 9 );
    auto tick = SteadyClock::now() + std::chrono::milliseconds( 400 );
    while( !g_songOver.load( std::memory_order_relaxed ) )
    {
        std::this_thread::sleep_until( tick );
        if( g_songOver.load() ) break;
        {
            ZoneScopedN( "Net::UploadScoreSnapshot" );
            {
                ZoneScopedN( "Net::SerializeSnapshot" );
                Busy( rng.Near( 1500 ) );
            }
            std::this_thread::sleep_for( std::chrono::microseconds( static_cast<int64_t>( rng.Near( 10500 ) ) ) );
        }
        tick += std::chrono::milliseconds( 1000 );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Job system: two workers simulate note-hit effects every frame
// ---------------------------------------------------------------------------------------------------------

class FxJobs
{
public:
    void Start( int workers )
    {
        for( int i = 0; i < workers; ++i ) m_threads.emplace_back( [this, i] { Run( i ); } );
    }
    void Kick()
    {
        std::lock_guard<std::mutex> g( m_m );
        m_pending = (int)m_threads.size();
        ++m_generation;
        m_cv.notify_all();
    }
    void Wait()
    {
        ZoneScopedN( "Jobs::WaitFx" );
        std::unique_lock<std::mutex> g( m_m );
        m_done.wait( g, [this] { return m_pending == 0; } );
    }
    void Stop()
    {
        {
            std::lock_guard<std::mutex> g( m_m );
            m_quit = true;
            m_cv.notify_all();
        }
        for( auto& t : m_threads ) t.join();
    }

private:
    void Run( int idx )
    {
        char name[32];
        snprintf( name, sizeof( name ), "Fx Worker %d", idx );
        tracy::SetThreadName( name );
        Rng rng( 100 + idx );
        uint64_t seen = 0;
        for( ;; )
        {
            {
                std::unique_lock<std::mutex> g( m_m );
                m_cv.wait( g, [&] { return m_quit || m_generation != seen; } );
                if( m_quit ) return;
                seen = m_generation;
            }
            {
                ZoneScopedN( "Fx::SimulateHitSparks" );
                Busy( rng.Near( 1800 ) );
            }
            {
                ZoneScopedN( "Fx::UpdateBeatPulse" );
                Busy( rng.Near( 450 ) );
            }
            std::lock_guard<std::mutex> g( m_m );
            if( --m_pending == 0 ) m_done.notify_all();
        }
    }

    std::vector<std::thread> m_threads;
    std::mutex m_m;
    std::condition_variable m_cv, m_done;
    uint64_t m_generation = 0;
    int m_pending = 0;
    bool m_quit = false;
};

// ---------------------------------------------------------------------------------------------------------
// Main-thread frame
// ---------------------------------------------------------------------------------------------------------

void GameplayFrame( Rng& rng, FxJobs& jobs )
{
    {
        ZoneScopedN( "Rhythm::Update" );
        {
            ZoneScopedN( "Input::PollPads" );
            Busy( rng.Near( 200 ) );
        }
        {
            ZoneScopedN( "Judge::EvaluateHits" );
            Busy( rng.Near( 650 ) );
        }
        {
            ZoneScopedN( "Lanes::ScrollNotes" );
            Busy( rng.Near( 1100 ) );
        }
    }
    jobs.Kick();
    {
        ZoneScopedN( "Render::DrawHighway" );
        {
            ZoneScopedN( "Render::DrawNotes" );
            Busy( rng.Near( 2300 ) );
        }
        {
            ZoneScopedN( "Render::DrawCrowd" );
            Busy( rng.Near( 1400 ) );
        }
        {
            ZoneScopedN( "Render::DrawHud" );
            Busy( rng.Near( 500 ) );
        }
    }
    jobs.Wait();
    {
        ZoneScopedN( "Render::Bloom" );
        Busy( rng.Near( 1200 ) );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 || ( strcmp( argv[1], "a" ) != 0 && strcmp( argv[1], "b" ) != 0 ) )
    {
        fprintf( stderr, "usage: %s a|b\n", argv[0] );
        return 2;
    }
    g_buildB = argv[1][0] == 'b';
    prctl( PR_SET_TIMERSLACK, 1UL );
    tracy::SetThreadName( "Main" );
    const char* version = g_buildB ? "BeatRush 2.4.0 (build 7719)" : "BeatRush 2.3.1 (build 7604)";
    TracyAppInfo( version, strlen( version ) );
    while( !TracyIsConnected ) std::this_thread::sleep_for( std::chrono::milliseconds( 1 ) );

    Log( std::string( "Starting " ) + ( g_buildB ? "BeatRush 2.4.0" : "BeatRush 2.3.1" ) );
    FrameMark;

    Rng rng( 2024 );
    LoadSong( rng );
    FrameMark;

    FxJobs jobs;
    jobs.Start( 2 );
    std::thread streamT( AudioStreamThread );
    std::thread mixT( AudioMixThread );
    std::thread syncT( ScoreSyncThread );
    Log( "Playback started" );

    const auto period = std::chrono::nanoseconds( 16666667 );
    auto nextVsync = SteadyClock::now() + period;
    const int kFrames = 330;  // 5.5 s at 60 Hz
    for( int f = 0; f < kFrames; ++f )
    {
        GameplayFrame( rng, jobs );
        {
            ZoneScopedN( "Render::WaitVsync" );
            std::this_thread::sleep_until( nextVsync );
        }
        nextVsync += period;
        FrameMark;
    }

    g_songOver = true;
    Log( "Song finished: score 912344, max combo 1188" );
    streamT.join();
    mixT.join();
    syncT.join();
    jobs.Stop();
    return 0;
}
