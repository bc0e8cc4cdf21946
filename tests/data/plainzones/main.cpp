// plainzones: a small 60 Hz game instrumented the way most Tracy users start: only plain ZoneScoped (the zone name
// is the compiler's function name, so several classes' Update/Draw share one name), FrameMark, named threads,
// and one ZoneName (the loader names each LoadAsset zone after its asset).
// Threads: "Main thread" (game loop; Tracy always reports the main thread as "Main thread"), "Audio" (audio::Update every 10 ms), "Autosave" (Save every 1.5 s),
//          loading scenario only: "Loader" (LoadLevel > LoadAsset > ReadFile, Decode), "ShaderCompiler".
// Usage: plainzones hitch | regress a | regress b | loading   (scenarios: see ../README.md)
// Run ONLY through /work/team/bin/record.sh (loopback-only namespace).
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>
#include "game.hpp"

namespace pz
{
Config g_cfg;
std::atomic<bool> g_stop{ false };
volatile double g_sink = 0.0;
}

namespace
{
constexpr int64_t kVblankNs = 16666667;
pz::Rng g_rng{ 1 };

void Poll()
{
    ZoneScoped;
    pz::busy_ms( g_rng( 0.10 ) );
}

// Window, device and config setup before the first frame (also lets the capture connection settle).
void Init()
{
    ZoneScoped;
    pz::busy_ms( 400.0 );
}

void Present( int64_t& vblank )
{
    ZoneScoped;
    const int64_t now = pz::now_ns();
    while( vblank <= now ) vblank += kVblankNs;   // missed vblanks are skipped
    pz::sleep_until_ns( vblank );
}

struct World
{
    Player player;
    EnemyManager enemies;
    std::vector<std::unique_ptr<ParticleSystem>> emitters;
    Terrain terrain;
    UiLayer ui;
    World() { for( int i = 0; i < 8; i++ ) emitters.emplace_back( new ParticleSystem( i ) ); }
};

void Tick( World& w, int frame )
{
    ZoneScoped;
    const float dt = 1.0f / 60.0f;
    Poll();
    w.player.Update( dt );
    w.enemies.Update( dt, frame );
    for( auto& e : w.emitters ) e->Update( dt );
    w.terrain.Update( dt );
    w.ui.Update( dt );
    w.terrain.Draw();
    w.enemies.Draw();
    for( auto& e : w.emitters ) e->Draw();
    w.ui.Draw();
    w.player.Draw();
}

void LoadingTick( LoadingScreen& ls )
{
    ZoneScoped;
    ls.Update( 1.0f / 60.0f );
    ls.Draw();
}
}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 ) { fprintf( stderr, "usage: plainzones hitch|regress a|regress b|loading\n" ); return 1; }
    pz::g_cfg.scenario = argv[1];
    if( argc > 2 ) pz::g_cfg.variant = argv[2][0];
    pz::name_thread( "Main" );
    TracyMessageL( "plainzones starting" );

    std::thread loaderThread, shaderThread;
    Init();
    std::thread audioThread( audio::ThreadMain );
    std::thread saveThread( save::ThreadMain );

    World world;
    int64_t vblank = pz::now_ns();
    int frame = 0;
    if( pz::g_cfg.scenario == "loading" )
    {
        shaderThread = std::thread( shaders::ThreadMain );
        loaderThread = std::thread( level::ThreadMain );
        LoadingScreen ls;
        while( !level::Loaded() )
        {
            LoadingTick( ls );
            Present( vblank );
            FrameMark;
            frame++;
        }
        TracyMessageL( "Entering gameplay" );
        for( int i = 0; i < 60; i++ )
        {
            Tick( world, frame++ );
            Present( vblank );
            FrameMark;
        }
    }
    else
    {
        const int frames = 330;   // ~5.5 s
        for( int i = 0; i < frames; i++ )
        {
            Tick( world, frame++ );
            Present( vblank );
            FrameMark;
        }
    }
    TracyMessageL( "plainzones exiting" );
    pz::g_stop = true;
    audioThread.join();
    saveThread.join();
    if( loaderThread.joinable() ) loaderThread.join();
    if( shaderThread.joinable() ) shaderThread.join();
    return 0;
}
