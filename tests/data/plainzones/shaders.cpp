// plainzones: shader compilation worker (loading scenario): compiles the level's pipeline permutations in parallel
// with the asset loading.
#include <condition_variable>
#include <mutex>
#include "game.hpp"

namespace shaders
{
namespace
{
pz::Rng rng{ 123 };
std::mutex m;
std::condition_variable cv;
bool done = false;

void CompileShader()
{
    ZoneScoped;
    pz::busy_ms( rng( 9.0, 0.25 ) );
}
}  // namespace

bool Done() { std::lock_guard<std::mutex> l( m ); return done; }

void WaitDone()
{
    std::unique_lock<std::mutex> l( m );
    cv.wait( l, [] { return done; } );
}

void ThreadMain()
{
    pz::name_thread( "ShaderCompiler" );
    std::this_thread::sleep_for( std::chrono::milliseconds( 80 ) );
    for( int i = 0; i < 48; i++ ) CompileShader();
    TracyMessageL( "48 pipeline permutations compiled" );
    { std::lock_guard<std::mutex> l( m ); done = true; }
    cv.notify_all();
}
}  // namespace shaders
