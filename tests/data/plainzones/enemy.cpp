// plainzones: enemy AI. In the "hitch" scenario the squad planner re-plans every agent in a handful of frames
// (inside Update, no zone of its own).
#include "game.hpp"

namespace
{
// frame index -> extra milliseconds of squad re-planning (hitch scenario only)
struct Replan { int frame; double ms; };
const Replan kReplans[] = { { 41, 31.0 }, { 97, 44.0 }, { 146, 27.0 }, { 203, 39.0 }, { 251, 48.0 }, { 298, 34.0 } };
}

void EnemyManager::Update( float dt, int frame )
{
    ZoneScoped;
    (void)dt;
    double ms = rng( 0.50 );
    if( pz::g_cfg.scenario == "hitch" )
        for( const auto& r : kReplans )
            if( r.frame == frame ) ms += r.ms;
    pz::busy_ms( ms );
}

void EnemyManager::Draw()
{
    ZoneScoped;
    pz::busy_ms( rng( 0.80 ) );
}
