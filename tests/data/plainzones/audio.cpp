// plainzones: audio mixer thread (mixes a 10 ms block per tick).
#include "game.hpp"

namespace audio
{
static pz::Rng rng{ 77 };

void Update()
{
    ZoneScoped;
    pz::busy_ms( rng( 1.10 ) );
}

void ThreadMain()
{
    pz::name_thread( "Audio" );
    int64_t next = pz::now_ns();
    while( !pz::g_stop.load() )
    {
        Update();
        next += 10000000;
        pz::sleep_until_ns( next );
    }
}
}  // namespace audio
