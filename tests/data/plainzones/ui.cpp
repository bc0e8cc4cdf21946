// plainzones: HUD.
#include "game.hpp"

UiLayer::UiLayer()
{
    for( int i = 0; i < 12; i++ ) widgets.emplace_back( i );
}

void UiLayer::Update( float dt )
{
    ZoneScoped;
    (void)dt;
    pz::busy_ms( rng( 0.50 ) );
}

void UiLayer::Draw()
{
    for( auto& w : widgets ) w.Draw();
}

void Widget::Draw()
{
    ZoneScoped;
    pz::busy_ms( rng( 0.15 ) );
}
