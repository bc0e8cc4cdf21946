// scenewalk: a small game loop whose scene traversal is recursive (benchmark data for profiler-analysis tools).
// Threads:
//   main ("Main thread")  per frame: Input::Poll, Physics::Step (~4 ms, steady), Scene::VisitNode on the root
//                         (recursive: Scene::VisitNode > Bounds::Test + child Scene::VisitNode ..., 6 levels,
//                         269 visits per frame, ZoneText "node=<name>"), Render::Submit (~3 ms), FrameMark.
//   audio ("Audio")       Audio::Mix ~1 ms every 10 ms (off the main thread: not part of the frame).
// Tree: World > {Forest, Town, Terrain, Water} > 3 > 3 > 2 > 2 children (1+4+12+36+72+144 = 269 nodes).
// Each visit: ~3 us of own work, Bounds::Test 5-12 us.
// Plant (scenario "frame"): every depth-3 node under "node=Forest" (9 nodes) runs Foliage::Rebuild ~0.67 ms,
// i.e. ~6 ms per frame inside the Forest subtree.
// Usage: scenewalk frame [seconds]
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

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

void busy_us( double us )
{
    const int64_t end = now_ns() + (int64_t)( us * 1e3 );
    if( us > 80 )
    {
        const int64_t d = end - 30000 - now_ns();
        if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
    }
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 8; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_NAME, n );
    prctl( PR_SET_TIMERSLACK, 1000UL );
}

std::mt19937 g_rng( 0x5ce4e );
double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g_rng ); }

struct Node
{
    std::string text;   // "node=..."
    int depth = 0;
    bool forest = false;
    std::vector<std::unique_ptr<Node>> kids;
};

int g_cell = 0;

void build( Node& n, const int* fan, int depth, bool forest )
{
    n.depth = depth;
    n.forest = forest;
    if( fan[depth] == 0 ) return;
    for( int i = 0; i < fan[depth]; i++ )
    {
        auto k = std::make_unique<Node>();
        k->text = "node=cell_" + std::to_string( g_cell++ );
        build( *k, fan, depth + 1, forest );
        n.kids.push_back( std::move( k ) );
    }
}

void bounds_test()
{
    ZoneScopedN( "Bounds::Test" );
    busy_us( uni( 5.0, 12.0 ) );
}

void foliage_rebuild()
{
    ZoneScopedN( "Foliage::Rebuild" );
    busy_us( uni( 630.0, 700.0 ) );
}

void visit( const Node& n )
{
    ZoneScopedN( "Scene::VisitNode" );
    ZoneText( n.text.c_str(), n.text.size() );
    busy_us( 1.5 );
    bounds_test();
    if( n.forest && n.depth == 3 ) foliage_rebuild();
    busy_us( 1.5 );
    for( auto& k : n.kids ) visit( *k );
}

void audio_thread()
{
    name_thread( "Audio" );
    while( !g_stop.load() )
    {
        {
            ZoneScopedN( "Audio::Mix" );
            busy_us( uni( 900, 1100 ) );
        }
        std::this_thread::sleep_for( std::chrono::milliseconds( 9 ) );
    }
}

}  // namespace

int main( int argc, char** argv )
{
    if( argc < 2 || strcmp( argv[1], "frame" ) != 0 )
    {
        fprintf( stderr, "usage: scenewalk frame [seconds]\n" );
        return 2;
    }
    const double seconds = argc > 2 ? atof( argv[2] ) : 3.0;
    name_thread( "Main thread" );
    TracyMessageL( "scenewalk 0.9.3 starting, scene=highlands.lvl" );

    // World > 4 regions > 3 > 3 > 2 > 2
    const int fan[] = { 4, 3, 3, 2, 2, 0 };
    Node root;
    root.text = "node=World";
    build( root, fan, 0, false );
    const char* regions[] = { "node=Forest", "node=Town", "node=Terrain", "node=Water" };
    for( int i = 0; i < 4; i++ )
    {
        root.kids[i]->text = regions[i];
        if( i == 0 )
        {
            // re-mark the Forest subtree
            std::vector<Node*> st{ root.kids[0].get() };
            while( !st.empty() )
            {
                Node* p = st.back();
                st.pop_back();
                p->forest = true;
                for( auto& k : p->kids ) st.push_back( k.get() );
            }
        }
    }
    TracyMessageL( "scene loaded: 269 nodes, 4 regions" );

    std::thread audio( audio_thread );
    const int64_t t_end = now_ns() + (int64_t)( seconds * 1e9 );
    int frame = 0;
    while( now_ns() < t_end )
    {
        {
            ZoneScopedN( "Input::Poll" );
            busy_us( uni( 250, 350 ) );
        }
        {
            ZoneScopedN( "Physics::Step" );
            busy_us( uni( 3800, 4200 ) );
        }
        visit( root );
        {
            ZoneScopedN( "Render::Submit" );
            busy_us( uni( 2850, 3150 ) );
        }
        FrameMark;
        if( ++frame % 60 == 0 ) TracyMessageL( "autosave checkpoint" );
    }
    g_stop = true;
    audio.join();
    TracyMessageL( "scenewalk shutting down" );
    return 0;
}
