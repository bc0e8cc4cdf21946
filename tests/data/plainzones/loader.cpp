// plainzones: level loader (runs on the "Loader" thread in the loading scenario). Each asset is one LoadAsset zone,
// renamed per asset with ZoneName(path).
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>
#include "game.hpp"

namespace level
{
namespace
{
struct Asset { const char* path; double readMs; double decodeMs; };

// The level manifest. Three assets dominate; the rest are 15-60 ms each.
const Asset kAssets[] = {
    { "textures/ui/hud_atlas.ktx2", 6, 14 },
    { "textures/ui/font_sdf.ktx2", 5, 11 },
    { "meshes/props/barrel_a.glb", 4, 13 },
    { "meshes/props/barrel_b.glb", 4, 12 },
    { "meshes/props/crate_wood.glb", 5, 15 },
    { "meshes/props/lantern.glb", 3, 12 },
    { "textures/props/barrel_albedo.ktx2", 7, 22 },
    { "textures/props/crate_albedo.ktx2", 7, 21 },
    { "textures/props/lantern_emissive.ktx2", 6, 17 },
    { "meshes/characters/guard.glb", 12, 38 },
    { "meshes/characters/archer.glb", 11, 36 },
    { "meshes/characters/wolf.glb", 9, 29 },
    { "anims/guard_locomotion.anim", 8, 26 },
    { "anims/archer_locomotion.anim", 8, 25 },
    { "anims/wolf_run.anim", 5, 16 },
    { "textures/characters/guard_albedo.ktx2", 10, 34 },
    { "textures/characters/guard_normal.ktx2", 10, 33 },
    { "textures/characters/archer_albedo.ktx2", 10, 32 },
    { "textures/characters/wolf_fur.ktx2", 9, 30 },
    { "textures/terrain/grass_albedo.ktx2", 11, 35 },
    { "textures/terrain/grass_normal.ktx2", 11, 34 },
    { "textures/terrain/dirt_albedo.ktx2", 10, 31 },
    { "textures/terrain/cliffs_4k_albedo.ktx2", 285, 870 },
    { "textures/terrain/cliffs_normal.ktx2", 12, 39 },
    { "terrain/heightfield_level2.bin", 14, 41 },
    { "terrain/splatmap_level2.ktx2", 9, 27 },
    { "meshes/buildings/castle_keep_lod0.glb", 195, 425 },
    { "meshes/buildings/castle_keep_lod1.glb", 14, 44 },
    { "meshes/buildings/castle_wall.glb", 13, 40 },
    { "meshes/buildings/tower_small.glb", 9, 28 },
    { "meshes/vegetation/pine_tree.glb", 8, 24 },
    { "meshes/vegetation/oak_tree.glb", 8, 25 },
    { "meshes/vegetation/bush_cluster.glb", 5, 15 },
    { "textures/vegetation/leaves_atlas.ktx2", 12, 37 },
    { "audio/sfx/footsteps_grass.ogg", 4, 14 },
    { "audio/sfx/sword_hits.ogg", 5, 16 },
    { "audio/sfx/wolf_howl.ogg", 4, 13 },
    { "audio/sfx/bow_release.ogg", 3, 12 },
    { "audio/music/ambient_forest_loop.ogg", 120, 665 },
    { "audio/music/combat_theme.ogg", 14, 46 },
    { "navmesh/level2.nav", 10, 30 },
    { "scripts/level2_events.lua", 3, 12 },
    { "fx/torch_fire.pfx", 4, 14 },
    { "fx/waterfall_mist.pfx", 5, 17 },
    { "cinematics/intro_flyby.seq", 9, 27 },
};

pz::Rng rng{ 99 };
std::atomic<bool> g_loaded{ false };

void ParseManifest()
{
    ZoneScoped;
    pz::busy_ms( rng( 38.0 ) );
}

void ReadFile( double ms )
{
    ZoneScoped;
    pz::busy_ms( rng( ms ) );
}

void Decode( double ms )
{
    ZoneScoped;
    pz::busy_ms( rng( ms ) );
}

void LoadAsset( const Asset& a )
{
    ZoneScoped;
    ZoneName( a.path, strlen( a.path ) );
    ReadFile( a.readMs );
    Decode( a.decodeMs );
}

void WaitForShaders()
{
    ZoneScoped;
    shaders::WaitDone();
}

void SpawnEntities()
{
    ZoneScoped;
    pz::busy_ms( rng( 150.0 ) );
}

void LoadLevel()
{
    ZoneScoped;
    TracyMessageL( "Loading level2" );
    ParseManifest();
    for( const auto& a : kAssets ) LoadAsset( a );
    WaitForShaders();
    SpawnEntities();
    TracyMessageL( "Level2 loaded" );
}
}  // namespace

bool Loaded() { return g_loaded.load(); }

void ThreadMain()
{
    pz::name_thread( "Loader" );
    std::this_thread::sleep_for( std::chrono::milliseconds( 60 ) );
    LoadLevel();
    g_loaded = true;
}
}  // namespace level
