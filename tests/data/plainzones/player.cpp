// plainzones: the player character.
#include "game.hpp"

void Player::Update( float dt )
{
    ZoneScoped;
    (void)dt;
    pz::busy_ms( rng( 0.30 ) );
}

void Player::Draw()
{
    ZoneScoped;
    pz::busy_ms( rng( 0.40 ) );
}
