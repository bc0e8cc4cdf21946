// plainzones: game systems. Every member is instrumented with a plain ZoneScoped.
#pragma once
#include <vector>
#include "common.hpp"

class Player
{
public:
    void Update( float dt );
    void Draw();
private:
    pz::Rng rng{ 11 };
};

class EnemyManager
{
public:
    void Update( float dt, int frame );
    void Draw();
private:
    pz::Rng rng{ 22 };
};

class ParticleSystem   // one instance per emitter
{
public:
    explicit ParticleSystem( int id ) : rng( 300 + id ) {}
    void Update( float dt );
    void Draw();
private:
    pz::Rng rng;
};

class Terrain
{
public:
    void Update( float dt );
    void Draw();
private:
    pz::Rng rng{ 44 };
};

class Widget           // HUD widget; UiLayer owns 12
{
public:
    explicit Widget( int id ) : rng( 500 + id ) {}
    void Draw();
private:
    pz::Rng rng;
};

class UiLayer
{
public:
    UiLayer();
    void Update( float dt );
    void Draw();           // no zone of its own: calls Widget::Draw per widget
private:
    std::vector<Widget> widgets;
    pz::Rng rng{ 55 };
};

class LoadingScreen
{
public:
    void Update( float dt );
    void Draw();
private:
    pz::Rng rng{ 66 };
};

namespace audio { void Update(); void ThreadMain(); }
namespace save { void ThreadMain(); }
namespace shaders { void ThreadMain(); bool Done(); void WaitDone(); }
namespace level { void ThreadMain(); bool Loaded(); }
