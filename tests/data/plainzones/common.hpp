// plainzones: shared helpers (emulated work, rng, thread naming, scenario flags).
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <sys/prctl.h>
#include <time.h>
#include "tracy/Tracy.hpp"

namespace pz
{
struct Config
{
    std::string scenario;       // hitch | regress | loading
    char variant = 'a';         // regress a / b
};
extern Config g_cfg;
extern std::atomic<bool> g_stop;
extern volatile double g_sink;

inline int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC_RAW, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}
inline void sleep_until_ns( int64_t t )
{
    const int64_t d = t - now_ns();
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
}
// Emulated work: sleep to just before the deadline, then spin.
inline void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    if( ms > 0.08 ) sleep_until_ns( end - 30000 );
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}
struct Rng
{
    std::mt19937 g;
    explicit Rng( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.06 )
    {
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
};
inline void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_NAME, n );
    prctl( PR_SET_TIMERSLACK, 1000UL );
}
}  // namespace pz
