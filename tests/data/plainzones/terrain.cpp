// plainzones: heightfield terrain. Build "b" of the regress scenario draws the terrain without the
// coarse-LOD path (every chunk at full resolution).
#include "game.hpp"

void Terrain::Update( float dt )
{
    ZoneScoped;
    (void)dt;
    pz::busy_ms( rng( 0.60 ) );
}

void Terrain::Draw()
{
    ZoneScoped;
    const bool fullLod = pz::g_cfg.scenario == "regress" && pz::g_cfg.variant == 'b';
    pz::busy_ms( rng( fullLod ? 2.60 : 1.00 ) );
}
