// plainzones: the loading screen shown while the level streams in.
#include "game.hpp"

void LoadingScreen::Update( float dt )
{
    ZoneScoped;
    (void)dt;
    pz::busy_ms( rng( 0.20 ) );
}

void LoadingScreen::Draw()
{
    ZoneScoped;
    pz::busy_ms( rng( 0.90 ) );
}
