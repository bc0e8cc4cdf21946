// plainzones: particle emitters (8 per level, each updated and drawn every frame).
#include "game.hpp"

void ParticleSystem::Update( float dt )
{
    ZoneScoped;
    (void)dt;
    pz::busy_ms( rng( 0.25 ) );
}

void ParticleSystem::Draw()
{
    ZoneScoped;
    pz::busy_ms( rng( 0.35 ) );
}
