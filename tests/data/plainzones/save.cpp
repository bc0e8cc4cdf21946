// plainzones: autosave thread (serializes the world every 1.5 s on its own thread).
#include "game.hpp"

namespace save
{
static pz::Rng rng{ 88 };

static void Serialize()
{
    ZoneScoped;
    pz::busy_ms( rng( 120.0, 0.1 ) );
}

static void Write()
{
    ZoneScoped;
    pz::busy_ms( rng( 45.0, 0.1 ) );
}

static void Save()
{
    ZoneScoped;
    Serialize();
    Write();
    TracyMessageL( "Autosave written" );
}

void ThreadMain()
{
    pz::name_thread( "Autosave" );
    const int64_t start = pz::now_ns();
    int64_t next = start + 900000000;
    while( !pz::g_stop.load() )
    {
        while( pz::now_ns() < next && !pz::g_stop.load() ) std::this_thread::sleep_for( std::chrono::milliseconds( 5 ) );
        if( pz::g_stop.load() ) break;
        Save();
        next += 1500000000;
    }
}
}  // namespace save
