// mmoclient: an MMO-client-shaped workload instrumented with Tracy (blind test program, benchmark tooling only).
//
// Usage: mmoclient session
//   One play session: log in and enter the starting zone, play ~6 s at 60 Hz (chat, combat, net traffic,
//   nameplates, voice chat), take a portal into a bigger zone half way through, log out.
//
// Run ONLY through /work/team/bin/record.sh (loopback-only network namespace, TRACY_NO_EXIT=1).
// Time is emulated with "sleep most of it, spin to the deadline" so zone lengths hold on a shared 2-core box.

#include <atomic>
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

#include <sys/prctl.h>

#include "tracy/Tracy.hpp"

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace mmo
{

volatile uint64_t g_burn = 0;

// Spend `micros` of wall time: sleep until 250 us before the deadline, then burn CPU until it.
void Busy( double micros )
{
    const auto deadline = SteadyClock::now() + std::chrono::nanoseconds( (int64_t)( micros * 1000.0 ) );
    if( micros > 350.0 ) std::this_thread::sleep_until( deadline - 250us );
    uint64_t h = 1469598103934665603ull;
    while( SteadyClock::now() < deadline )
    {
        for( int i = 0; i < 48; i++ ) h = ( h ^ (uint64_t)i ) * 1099511628211ull;
    }
    g_burn = g_burn + h;
}

class Rng
{
public:
    explicit Rng( uint64_t seed ) : m_gen( seed ) {}
    double Vary( double v, double frac = 0.06 )
    {
        return v * std::uniform_real_distribution<double>( 1.0 - frac, 1.0 + frac )( m_gen );
    }
    int Range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( m_gen ); }

private:
    std::mt19937_64 m_gen;
};

// Every heap block the client tracks goes through these two.
void* HeapAlloc( size_t bytes )
{
    void* p = malloc( bytes );
    memset( p, 0xCD, bytes < 128 ? bytes : 128 );
    TracyAlloc( p, bytes );
    return p;
}
void HeapFree( void* p )
{
    if( !p ) return;
    TracyFree( p );
    free( p );
}

std::atomic<bool> g_quit{ false };

// ---------------------------------------------------------------------------------------------------------
// Network: the receive thread decodes packets; decoded payloads go to the game thread, which frees them.

struct Payload
{
    void* data;
    size_t size;
};

std::mutex g_inboxMutex;
std::deque<Payload> g_inbox;

void NetReceiveThread()
{
    tracy::SetThreadName( "NetRecv" );
    Rng rng( 0x51ED );
    uint32_t seq = 0;
    while( !g_quit.load() )
    {
        const int burst = rng.Range( 2, 5 );
        for( int k = 0; k < burst; k++ )
        {
            ZoneScopedN( "Net::DecodePacket" );
            ZoneValue( seq++ );
            const size_t wire = (size_t)rng.Range( 1200, 9000 );
            void* frame = HeapAlloc( wire );  // raw datagram, released once decoded
            Busy( rng.Vary( 180 ) );
            const size_t decoded = wire * 2 + 256;
            void* out = HeapAlloc( decoded );  // decoded payload, handed to the game thread
            {
                std::lock_guard<std::mutex> lk( g_inboxMutex );
                g_inbox.push_back( { out, decoded } );
            }
            HeapFree( frame );
        }
        std::this_thread::sleep_for( std::chrono::microseconds( rng.Range( 6000, 9000 ) ) );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Voice chat: steady background decoding with short-lived buffers.

void VoiceThread()
{
    tracy::SetThreadName( "VoiceChat" );
    Rng rng( 0xB0CE );
    auto next = SteadyClock::now();
    while( !g_quit.load() )
    {
        {
            ZoneScopedN( "Voice::DecodeOpusFrame" );
            void* pcm = HeapAlloc( 3840 );  // 20 ms of 48 kHz stereo s16
            Busy( rng.Vary( 420 ) );
            {
                ZoneScopedN( "Voice::MixIntoBus" );
                Busy( rng.Vary( 150 ) );
            }
            HeapFree( pcm );
        }
        next += 20ms;
        std::this_thread::sleep_until( next );
    }
}

// ---------------------------------------------------------------------------------------------------------
// World streaming: zone loads run on the streamer thread. A load reads the zone archive, inflates it into a
// staging buffer, builds the resident zone data and releases the temporaries.

struct ZoneData
{
    std::vector<void*> resident;
};

std::mutex g_worldMutex;
std::condition_variable g_worldCv;
std::string g_pendingZone;
bool g_loadDone = false;
ZoneData g_currentZone;

ZoneData LoadZone( const std::string& name, size_t archiveBytes, size_t stagingBytes, int residentBlocks, Rng& rng )
{
    ZoneScopedN( "World::LoadZone" );
    ZoneText( name.c_str(), name.size() );
    ZoneData zd;
    void* archive = nullptr;
    void* staging = nullptr;
    {
        ZoneScopedN( "World::ReadArchive" );
        archive = HeapAlloc( archiveBytes );
        Busy( rng.Vary( archiveBytes / 1024 / 1024 * 6000.0 ) );
    }
    {
        ZoneScopedN( "World::InflateArchive" );
        staging = HeapAlloc( stagingBytes );
        Busy( rng.Vary( stagingBytes / 1024 / 1024 * 4000.0 ) );
        HeapFree( archive );
    }
    {
        ZoneScopedN( "World::BuildTerrain" );
        for( int i = 0; i < residentBlocks; i++ ) zd.resident.push_back( HeapAlloc( 256 * 1024 ) );
        Busy( rng.Vary( residentBlocks * 1500.0 ) );
    }
    {
        ZoneScopedN( "World::SpawnStaticObjects" );
        Busy( rng.Vary( 30000 ) );
    }
    HeapFree( staging );
    return zd;
}

void UnloadZone( ZoneData& zd )
{
    ZoneScopedN( "World::UnloadZone" );
    for( void* p : zd.resident ) HeapFree( p );
    zd.resident.clear();
    Busy( 800 );
}

void WorldStreamerThread()
{
    tracy::SetThreadName( "WorldStreamer" );
    Rng rng( 0x2077 );
    std::unique_lock<std::mutex> lk( g_worldMutex );
    while( true )
    {
        g_worldCv.wait( lk, [] { return g_quit.load() || !g_pendingZone.empty(); } );
        if( g_pendingZone.empty() ) break;
        const std::string zone = g_pendingZone;
        lk.unlock();
        ZoneData fresh = LoadZone( zone, 22u << 20, 40u << 20, 40, rng );
        lk.lock();
        UnloadZone( g_currentZone );
        g_currentZone = std::move( fresh );
        g_pendingZone.clear();
        g_loadDone = true;
    }
}

// ---------------------------------------------------------------------------------------------------------
// Chat: the history window keeps every line.

struct ChatLine
{
    void* text;
    size_t bytes;
    int channel;
};

std::vector<ChatLine> g_chatHistory;  // scrollback: lines are appended, never trimmed
uint64_t g_chatBytes = 0;

void AppendMessage( int channel, Rng& rng )
{
    ZoneScopedN( "Chat::AppendMessage" );
    const size_t bytes = (size_t)rng.Range( 512, 2048 );  // formatted rich-text line + link markup
    ChatLine line{ HeapAlloc( bytes ), bytes, channel };
    g_chatHistory.push_back( line );
    g_chatBytes += bytes;
    Busy( rng.Vary( 45 ) );
}

// ---------------------------------------------------------------------------------------------------------
// Game thread pieces.

struct Npc
{
    void* state;
    int despawnFrame;
};

void DispatchPackets( Rng& rng )
{
    ZoneScopedN( "Net::DispatchPackets" );
    std::deque<Payload> batch;
    {
        std::lock_guard<std::mutex> lk( g_inboxMutex );
        batch.swap( g_inbox );
    }
    ZoneValue( batch.size() );
    for( auto& p : batch )
    {
        Busy( rng.Vary( 60 ) );
        HeapFree( p.data );
    }
}

void ProcessIncomingChat( int frame, Rng& rng )
{
    ZoneScopedN( "Chat::ProcessIncoming" );
    // trade / guild / say traffic: 1-3 lines per frame, busier in the capital after the portal
    const int lines = rng.Range( 1, frame >= 200 ? 4 : 3 );
    for( int i = 0; i < lines; i++ ) AppendMessage( rng.Range( 0, 5 ), rng );
    Busy( rng.Vary( 120 ) );
}

void UpdateCombat( int frame, Rng& rng, std::vector<Npc>& npcs )
{
    ZoneScopedN( "Combat::Update" );
    {
        ZoneScopedN( "Combat::ResolveAbilities" );
        Busy( rng.Vary( 700 ) );
    }
    if( frame % 3 == 0 )
    {
        ZoneScopedN( "Combat::LogDamage" );
        AppendMessage( 9, rng );  // combat log lines go to the same history
        Busy( rng.Vary( 60 ) );
    }
    if( frame % 12 == 4 )
    {
        ZoneScopedN( "Entity::SpawnNpc" );
        npcs.push_back( { HeapAlloc( 6144 ), frame + 45 + ( frame % 5 ) * 10 } );
        Busy( rng.Vary( 200 ) );
    }
    for( size_t i = 0; i < npcs.size(); )
    {
        if( npcs[i].despawnFrame <= frame )
        {
            ZoneScopedN( "Entity::DespawnNpc" );
            HeapFree( npcs[i].state );
            npcs.erase( npcs.begin() + (long)i );
            Busy( rng.Vary( 90 ) );
        }
        else
            i++;
    }
}

void RenderFrame( Rng& rng, bool loadingScreen )
{
    ZoneScopedN( "Render::DrawScene" );
    if( loadingScreen )
    {
        ZoneScopedN( "Render::DrawLoadingScreen" );
        Busy( rng.Vary( 1500 ) );
        return;
    }
    {
        ZoneScopedN( "Render::CullVisible" );
        Busy( rng.Vary( 900 ) );
    }
    {
        ZoneScopedN( "Render::SubmitBatches" );
        Busy( rng.Vary( 3800 ) );
    }
    {
        ZoneScopedN( "UI::DrawNameplates" );
        std::vector<void*> glyphs;
        for( int i = 0; i < 6; i++ ) glyphs.push_back( HeapAlloc( 640 + 64 * i ) );
        Busy( rng.Vary( 500 ) );
        for( void* g : glyphs ) HeapFree( g );
    }
    {
        ZoneScopedN( "UI::DrawChatWindow" );
        Busy( rng.Vary( 300 ) );
    }
}

class VsyncPacer
{
public:
    VsyncPacer() : m_next( SteadyClock::now() + kPeriod ) {}
    void Wait()
    {
        ZoneScopedN( "Render::SwapBuffers" );
        if( SteadyClock::now() < m_next ) std::this_thread::sleep_until( m_next );
        Busy( 50 );
        const auto now = SteadyClock::now();
        m_next = now > m_next + 2ms ? now + kPeriod : m_next + kPeriod;
    }

private:
    static constexpr std::chrono::nanoseconds kPeriod{ 16666667 };
    SteadyClock::time_point m_next;
};

void EnterWorld( Rng& rng )
{
    ZoneScopedN( "Client::EnterWorld" );
    {
        ZoneScopedN( "Client::Authenticate" );
        std::this_thread::sleep_for( std::chrono::microseconds( (int64_t)rng.Vary( 120000 ) ) );
    }
    {
        ZoneScopedN( "Client::LoadCharacter" );
        Busy( rng.Vary( 40000 ) );
    }
    g_currentZone = LoadZone( "Frosthollow Vale", 6u << 20, 10u << 20, 12, rng );
    TracyMessageL( "Entered world: Frosthollow Vale" );
}

void RunSession()
{
    tracy::SetThreadName( "GameThread" );
    prctl( PR_SET_TIMERSLACK, 1UL );
    const char info[] = "mmoclient 3.2.7 (realm Argent-EU, 2560x1440, vsync 60 Hz)";
    TracyAppInfo( info, sizeof( info ) - 1 );
    while( !TracyIsConnected ) std::this_thread::sleep_for( 1ms );
    TracyPlotConfig( "Frame ms", tracy::PlotFormatType::Number, false, true, 0x4080F0 );

    Rng rng( 0xA11CE );
    EnterWorld( rng );
    FrameMark;

    std::thread net( NetReceiveThread );
    std::thread voice( VoiceThread );
    std::thread streamer( WorldStreamerThread );

    VsyncPacer pacer;
    std::vector<Npc> npcs;
    auto last = SteadyClock::now();
    const int kFrames = 380;
    const int kPortalFrame = 190;
    bool loading = false;
    for( int f = 0; f < kFrames; f++ )
    {
        {
            ZoneScopedN( "Client::Tick" );
            DispatchPackets( rng );
            if( f == kPortalFrame )
            {
                TracyMessageL( "Portal: travelling to Ironspire Capital" );
                std::lock_guard<std::mutex> lk( g_worldMutex );
                g_pendingZone = "Ironspire Capital";
                g_loadDone = false;
                loading = true;
                g_worldCv.notify_one();
            }
            if( loading )
            {
                std::lock_guard<std::mutex> lk( g_worldMutex );
                if( g_loadDone )
                {
                    loading = false;
                    TracyMessageL( "Entered world: Ironspire Capital" );
                }
            }
            {
                ZoneScopedN( "Client::UpdateEntities" );
                Busy( rng.Vary( 1100 ) );
            }
            if( !loading ) UpdateCombat( f, rng, npcs );
            {
                ZoneScopedN( "UI::Update" );
                ProcessIncomingChat( f, rng );
                Busy( rng.Vary( 250 ) );
            }
            RenderFrame( rng, loading );
        }
        pacer.Wait();
        const auto now = SteadyClock::now();
        const double frameMs = std::chrono::duration<double, std::milli>( now - last ).count();
        TracyPlot( "Frame ms", frameMs );
        last = now;
        FrameMark;
    }
    {
        ZoneScopedN( "Client::Logout" );
        g_quit = true;
        g_worldCv.notify_all();
        net.join();
        voice.join();
        streamer.join();
        {
            std::lock_guard<std::mutex> lk( g_inboxMutex );
            for( auto& p : g_inbox ) HeapFree( p.data );
            g_inbox.clear();
        }
        for( auto& n : npcs ) HeapFree( n.state );
        npcs.clear();
        UnloadZone( g_currentZone );
        // the chat history is owned by the UI singleton and is not torn down here
        Busy( 2000 );
    }
    TracyMessageL( "Logged out" );
}

}  // namespace mmo

int main( int argc, char** argv )
{
    const std::string scen = argc > 1 ? argv[1] : "";
    if( scen != "session" )
    {
        fprintf( stderr, "usage: mmoclient session\n" );
        return 2;
    }
    mmo::RunSession();
    fprintf( stderr, "mmoclient: session done, %zu chat lines, %llu bytes\n", mmo::g_chatHistory.size(),
             (unsigned long long)mmo::g_chatBytes );
    return 0;
}
