// mixd: a small real-time audio engine / DAW instrumented with Tracy (benchmark data for profiler-analysis tools; not
// part of any project). Threads:
//   main ("Main thread")  the UI at 60 Hz: UI::Frame > UI::HandleInput, UI::LayoutTracks, UI::DrawMeters,
//                         UI::DrawWaveforms, UI::Present (sleeps to the next 16.667 ms vblank), then FrameMark
//   audio                 the real-time callback every 5.333 ms (256 samples at 48 kHz), one frame of the named frame
//                         set "Audio callback" each: Audio::Callback > Mixer::PullTracks (dispatches the tracks to the
//                         DSP workers and waits for them), Mixer::Sum, Master::Limiter, Device::Write; plot
//                         "callback load %". A callback that runs past its period loses the missed periods (xrun).
//   dsp-0..dsp-N          Track::Process (ZoneText "track N: name") > Plugin::EQ, Plugin::Compressor, Plugin::Reverb,
//                         then Meters::Update under Meters::mutex; tracks are assigned to workers by a name hash
//   disk-io               Disk::Prefetch (ZoneText = file) every ~20 ms > Disk::Read, Disk::ParseMetadata, Disk::Decode
//   autosave              Project::Autosave every ~2 s (some scenarios)
//   ui-jobs               Waveform::BuildPeaks jobs for the UI (ui_hitch)
// Locks (TracyLockableN): Graph::mutex, Transport::mutex, Meters::mutex, Log::mutex.
//
// Usage: mixd <scenario>
//   dropouts     the UI rebuilds the routing graph (Graph::Rebuild, 9-13 ms) holding Graph::mutex, which the audio
//                callback takes in Mixer::PullTracks: ~10 callbacks overrun their 5.333 ms budget
//   ui_hitch     UI::DrawWaveforms waits (Jobs::Wait) for Waveform::BuildPeaks on ui-jobs; for long files it takes
//                30-40 ms: ~7 UI frames hitch
//   regress_a    baseline build
//   regress_b    Plugin::Compressor 1.35x slower per call, and a new Telemetry::Sample zone in the audio callback
//   leak         Disk::ParseMetadata (disk-io) leaks one 48-240 B block per prefetch; churn, an undo history that
//                is trimmed, a 64 MiB sample cache freed at shutdown
//   imbalance    8 DSP workers; the hash puts the convolution-reverb track on dsp-5 (~3.9 ms per callback)
//   lock_convoy  Meters::Update (~0.3 ms) runs under Meters::mutex after every track: the DSP workers convoy
//   rt_alloc     Voice::Allocate makes ~150 small heap allocations per callback on the audio thread
//
// Run ONLY inside a loopback-only network namespace, with TRACY_NO_EXIT=1 (see record.sh).
// Durations are wall-clock (sleep, then a short spin to the deadline) so a busy machine does not stretch them.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/prctl.h>
#include <time.h>

#include "tracy/Tracy.hpp"

namespace
{

constexpr int64_t kPeriodNs = 256ll * 1000000000ll / 48000ll;  // 5.333 ms
constexpr int64_t kVblankNs = 16666667;
const char* const kAudioFrame = "Audio callback";
const char* const kSampleCachePool = "sample cache";

volatile double g_sink = 0.0;
std::atomic<bool> g_stop{ false };

int64_t now_ns()
{
    timespec ts;
    clock_gettime( CLOCK_MONOTONIC_RAW, &ts );
    return int64_t( ts.tv_sec ) * 1000000000ll + ts.tv_nsec;
}

void sleep_until_ns( int64_t t )
{
    const int64_t d = t - now_ns();
    if( d > 0 ) std::this_thread::sleep_for( std::chrono::nanoseconds( d ) );
}

// Emulated work: sleep to just before the deadline, then spin (keeps the CPU load low on a shared machine).
void busy_ms( double ms )
{
    const int64_t end = now_ns() + (int64_t)( ms * 1e6 );
    if( ms > 0.08 ) sleep_until_ns( end - 30000 );
    double x = 1.0;
    while( now_ns() < end )
        for( int i = 0; i < 16; i++ ) x = x * 1.0000001 + 0.5 / ( x + 1.0 );
    g_sink = g_sink + x;
}

struct rng_t
{
    std::mt19937 g;
    explicit rng_t( uint32_t seed ) : g( seed ) {}
    double operator()( double base, double pct = 0.05 )
    {
        return base * std::uniform_real_distribution<double>( 1.0 - pct, 1.0 + pct )( g );
    }
    double uni( double lo, double hi ) { return std::uniform_real_distribution<double>( lo, hi )( g ); }
    int range( int lo, int hi ) { return std::uniform_int_distribution<int>( lo, hi )( g ); }
};

void name_thread( const char* n )
{
    tracy::SetThreadName( n );
    prctl( PR_SET_NAME, n );
    prctl( PR_SET_TIMERSLACK, 1000UL );  // 1 us: accurate sleeps
}

uint32_t fnv1a( const std::string& s )
{
    uint32_t h = 2166136261u;
    for( unsigned char c : s ) h = ( h ^ c ) * 16777619u;
    return h;
}

void message( const char* fmt, ... ) __attribute__( ( format( printf, 1, 2 ) ) );
void message( const char* fmt, ... )
{
    char buf[256];
    va_list ap;
    va_start( ap, fmt );
    const int n = vsnprintf( buf, sizeof( buf ), fmt, ap );
    va_end( ap );
    TracyMessage( buf, (size_t)std::min( n, (int)sizeof( buf ) - 1 ) );
}

// ---------------------------------------------------------------------------------------------------------------
// Scenario parameters

struct track_def
{
    const char* name;
    double eq, comp, reverb;  // ms per callback
    const char* reverb_kind;
};

struct params
{
    std::string scenario;
    uint32_t seed = 0x6d697864;
    double seconds = 6.0;
    int dsp_workers = 4;
    std::vector<track_def> tracks;
    double comp_scale = 1.0;        // regress_b: 1.35
    bool telemetry = false;         // regress_b
    bool graph_rebuilds = false;    // dropouts
    bool ui_jobs = false;           // ui_hitch
    bool autosave = true;
    bool long_autosave = false;     // dropouts
    bool long_disk = false;         // dropouts
    bool leak = false;              // leak (+ its memory distractors)
    bool rt_alloc = false;          // rt_alloc
    double meters_ms = 0.02;        // lock_convoy: 0.3
    bool heavy_spikes = false;      // imbalance: a few convolution-reverb spikes
    const char* app = "mixd 2.4.0";
};

params g_p;

const std::vector<track_def> kSession = {
    { "Kick", 0.06, 0.40, 0.12, "plate" },        { "Snare", 0.06, 0.40, 0.14, "plate" },
    { "Bass DI", 0.06, 0.40, 0.12, "room" },      { "Sub Bass", 0.06, 0.40, 0.12, "room" },
    { "Lead Vox", 0.06, 0.40, 0.18, "hall" },     { "Synth Pad", 0.06, 0.40, 0.16, "hall" },
    { "Strings", 0.06, 0.40, 0.16, "hall" },      { "FX Return", 0.06, 0.40, 0.20, "hall" },
};

const std::vector<track_def> kWideSession = {
    { "Kick", 0.05, 0.10, 0.10, "plate" },        { "Snare", 0.05, 0.10, 0.10, "plate" },
    { "Overheads", 0.05, 0.10, 0.10, "room" },    { "Sub Bass", 0.05, 0.10, 0.10, "room" },
    { "Strings", 0.05, 0.10, 0.10, "hall" },      { "Backing Vox", 0.05, 0.10, 0.10, "plate" },
    { "Synth Pad", 0.05, 0.10, 0.10, "hall" },    { "Piano", 0.05, 0.10, 0.10, "room" },
    { "Vocal Hall", 0.10, 0.20, 3.50, "convolution (Cathedral 6.2 s IR)" },
};

// ---------------------------------------------------------------------------------------------------------------
// Locks and shared state

TracyLockableN( std::mutex, g_graph_mtx, "Graph::mutex" );
TracyLockableN( std::mutex, g_transport_mtx, "Transport::mutex" );
TracyLockableN( std::mutex, g_meters_mtx, "Meters::mutex" );
TracyLockableN( std::mutex, g_log_mtx, "Log::mutex" );

int64_t g_play_pos = 0;   // Transport::mutex
double g_meter_peak = 0;  // Meters::mutex
int g_graph_nodes = 64;   // Graph::mutex
char g_log_ring[4096];    // Log::mutex
size_t g_log_pos = 0;

// Writes a log line into the engine's ring buffer (no zone: formatting only).
void log_line( const char* text, double hold_ms )
{
    std::lock_guard<LockableBase( std::mutex )> lk( g_log_mtx );
    const size_t n = strlen( text );
    for( size_t i = 0; i < n; i++ ) g_log_ring[( g_log_pos + i ) % sizeof( g_log_ring )] = text[i];
    g_log_pos += n;
    busy_ms( hold_ms );
}

void* mem_alloc( size_t sz, const char* pool = nullptr )
{
    void* p = malloc( sz );
    memset( p, 0, std::min<size_t>( sz, 64 ) );
    if( pool ) TracyAllocN( p, sz, pool );
    else TracyAlloc( p, sz );
    return p;
}

void mem_free( void* p, const char* pool = nullptr )
{
    if( pool ) TracyFreeN( p, pool );
    else TracyFree( p );
    free( p );
}

// ---------------------------------------------------------------------------------------------------------------
// DSP worker pool: the audio thread publishes a generation, every worker processes its tracks, the last one wakes it.

struct dsp_pool
{
    std::mutex m;
    std::condition_variable start_cv, done_cv;
    uint64_t gen = 0;
    int64_t cb = 0;
    int remaining = 0;
    bool stop = false;
    std::vector<std::vector<int>> assign;  // track indices per worker
    std::set<int64_t> spikes;              // callbacks with a convolution-reverb spike (imbalance)
};

dsp_pool g_pool;

void process_track( int ti, int64_t cb, rng_t& r )
{
    const track_def& t = g_p.tracks[ti];
    ZoneScopedN( "Track::Process" );
    char label[64];
    const int n = snprintf( label, sizeof( label ), "track %d: %s", ti + 1, t.name );
    ZoneText( label, (size_t)n );
    {
        ZoneScopedN( "Plugin::EQ" );
        busy_ms( r( t.eq ) );
    }
    {
        ZoneScopedN( "Plugin::Compressor" );
        busy_ms( r( t.comp ) * g_p.comp_scale );
    }
    {
        ZoneScopedN( "Plugin::Reverb" );
        ZoneText( t.reverb_kind, strlen( t.reverb_kind ) );
        double ms = r( t.reverb );
        if( t.reverb > 1.0 && g_pool.spikes.count( cb ) ) ms += r.uni( 0.9, 1.3 );  // IR partition reload
        busy_ms( ms );
    }
    std::lock_guard<LockableBase( std::mutex )> lk( g_meters_mtx );
    ZoneNamedN( meters_zone, "Meters::Update", true );
    busy_ms( r( g_p.meters_ms ) );
    g_meter_peak = std::max( g_meter_peak, r.uni( -18.0, -3.0 ) );
}

void dsp_worker( int w )
{
    char nm[16];
    snprintf( nm, sizeof( nm ), "dsp-%d", w );
    name_thread( nm );
    rng_t r( g_p.seed ^ ( 0x1000u * ( w + 1 ) ) );
    uint64_t seen = 0;
    for( ;; )
    {
        int64_t cb;
        {
            std::unique_lock<std::mutex> lk( g_pool.m );
            g_pool.start_cv.wait( lk, [&] { return g_pool.stop || g_pool.gen != seen; } );
            if( g_pool.stop ) return;
            seen = g_pool.gen;
            cb = g_pool.cb;
        }
        for( int ti : g_pool.assign[w] ) process_track( ti, cb, r );
        std::lock_guard<std::mutex> lk( g_pool.m );
        if( --g_pool.remaining == 0 ) g_pool.done_cv.notify_one();
    }
}

void run_dsp( int64_t cb )
{
    std::unique_lock<std::mutex> lk( g_pool.m );
    g_pool.cb = cb;
    g_pool.remaining = g_p.dsp_workers;
    g_pool.gen++;
    g_pool.start_cv.notify_all();
    g_pool.done_cv.wait( lk, [] { return g_pool.remaining == 0; } );
}

// ---------------------------------------------------------------------------------------------------------------
// Audio thread

void audio_thread( int64_t t0 )
{
    name_thread( "audio" );
    rng_t r( g_p.seed ^ 0xa0d10u );
    rng_t rt( 77 );  // telemetry and voices: separate stream, so the other draws match between builds
    std::vector<void*> voices;
    int64_t k = 0;
    while( !g_stop.load() )
    {
        sleep_until_ns( t0 + k * kPeriodNs );
        FrameMarkNamed( kAudioFrame );
        const int64_t cs = now_ns();
        {
            ZoneScopedN( "Audio::Callback" );
            {
                std::lock_guard<LockableBase( std::mutex )> lk( g_transport_mtx );
                g_play_pos += 256;
            }
            if( g_p.telemetry )
            {
                ZoneScopedN( "Telemetry::Sample" );
                busy_ms( rt( 0.04 ) );
            }
            if( g_p.rt_alloc )
            {
                ZoneScopedN( "Voice::Allocate" );
                const int n = rt.range( 140, 160 );
                for( int i = 0; i < n; i++ ) voices.push_back( mem_alloc( (size_t)rt.range( 4, 16 ) * 8 ) );
                busy_ms( rt( 0.12 ) );
                TracyPlot( "active voices", (int64_t)n );
            }
            {
                ZoneScopedN( "Mixer::PullTracks" );
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_graph_mtx );
                    busy_ms( 0.02 );  // snapshot the routing graph
                    g_sink = g_sink + g_graph_nodes;
                }
                run_dsp( k );
            }
            {
                ZoneScopedN( "Mixer::Sum" );
                void* bus[2] = { nullptr, nullptr };
                if( g_p.leak )
                    for( auto& b : bus ) b = mem_alloc( 2048 );
                busy_ms( r( 0.25 ) );
                if( g_p.leak )
                    for( auto& b : bus ) mem_free( b );
            }
            {
                ZoneScopedN( "Master::Limiter" );
                busy_ms( r( 0.15 ) );
            }
            {
                ZoneScopedN( "Device::Write" );
                busy_ms( r( 0.08 ) );
            }
            if( !voices.empty() )
            {
                ZoneScopedN( "Voice::Release" );
                for( void* v : voices ) mem_free( v );
                voices.clear();
            }
        }
        const int64_t ce = now_ns();
        TracyPlot( "callback load %", 100.0 * double( ce - cs ) / double( kPeriodNs ) );
        k++;
        if( t0 + k * kPeriodNs < ce ) k = ( ce - t0 + kPeriodNs - 1 ) / kPeriodNs;  // missed periods: xrun
    }
}

// ---------------------------------------------------------------------------------------------------------------
// UI jobs (ui_hitch)

struct job_queue
{
    std::mutex m;
    std::condition_variable cv;
    bool has_job = false, done = false, stop = false;
    std::string file;
    double ms = 0, minutes = 0;
};

job_queue g_jobs;

void ui_jobs_thread()
{
    name_thread( "ui-jobs" );
    for( ;; )
    {
        std::string file;
        double ms, minutes;
        {
            std::unique_lock<std::mutex> lk( g_jobs.m );
            g_jobs.cv.wait( lk, [] { return g_jobs.stop || g_jobs.has_job; } );
            if( g_jobs.stop ) return;
            g_jobs.has_job = false;
            file = g_jobs.file;
            ms = g_jobs.ms;
            minutes = g_jobs.minutes;
        }
        {
            ZoneScopedN( "Waveform::BuildPeaks" );
            ZoneText( file.c_str(), file.size() );
            if( ms > 5.0 )
                message( "waveform peaks not cached: building peaks for '%s' (%.0f min, %.0f MB)", file.c_str(), minutes,
                         minutes * 60.0 * 48000.0 * 2 * 3 / 1e6 );
            busy_ms( ms );
        }
        std::lock_guard<std::mutex> lk( g_jobs.m );
        g_jobs.done = true;
        g_jobs.cv.notify_all();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// disk-io and autosave

const char* const kFiles[] = {
    "Kick_Take3.wav", "Snare_Take3.wav", "BassDI_Comp.wav", "SubBass_Synth.wav", "LeadVox_Take12.wav",
    "SynthPad_Bounce.wav", "Strings_Section_96k.wav", "FX_Risers.wav", "Overheads_Take3.wav", "Piano_Stereo.wav",
};

void disk_thread( int64_t t0 )
{
    name_thread( "disk-io" );
    rng_t r( g_p.seed ^ 0xd15cu );
    std::vector<void*> metadata;  // never freed (leak scenario)
    std::set<int> long_reads;
    if( g_p.long_disk )
        for( int i = 0; i < 6; i++ ) long_reads.insert( 20 + i * 45 + r.range( 0, 15 ) );
    int64_t next = t0;
    for( int i = 0; !g_stop.load(); i++ )
    {
        sleep_until_ns( next );
        next = now_ns() + (int64_t)( r.uni( 18.0, 22.0 ) * 1e6 );
        const char* file = kFiles[r.range( 0, 9 )];
        double read_ms = r.uni( 3.0, 8.0 );
        if( g_p.long_disk ) read_ms = long_reads.count( i ) ? r.uni( 25.0, 40.0 ) : r.uni( 6.0, 11.0 );
        const bool mem = g_p.leak || g_p.rt_alloc;
        {
            ZoneScopedN( "Disk::Prefetch" );
            ZoneText( file, strlen( file ) );
            void* buf = mem ? mem_alloc( 65536 ) : nullptr;
            {
                ZoneScopedN( "Disk::Read" );
                busy_ms( read_ms );
            }
            {
                ZoneScopedN( "Disk::ParseMetadata" );
                if( g_p.leak ) metadata.push_back( mem_alloc( (size_t)r.range( 6, 30 ) * 8 ) );  // never freed
                busy_ms( r( 0.06 ) );
            }
            {
                ZoneScopedN( "Disk::Decode" );
                busy_ms( r.uni( 0.6, 1.0 ) );
            }
            if( buf ) mem_free( buf );
        }
        log_line( "prefetch done", r.uni( 0.03, 0.05 ) );
    }
}

void autosave_thread( int64_t t0 )
{
    name_thread( "autosave" );
    rng_t r( g_p.seed ^ 0x5a7eu );
    for( int i = 0;; i++ )
    {
        const int64_t due = t0 + (int64_t)( ( 1.3 + 2.0 * i ) * 1e9 );
        while( !g_stop.load() && now_ns() < due ) std::this_thread::sleep_for( std::chrono::milliseconds( 5 ) );
        if( g_stop.load() ) return;
        const bool big = g_p.long_autosave && i == 1;
        const double ser = big ? r.uni( 85.0, 90.0 ) : r.uni( 9.0, 13.0 );
        {
            ZoneScopedN( "Project::Autosave" );
            {
                ZoneScopedN( "Project::Serialize" );
                busy_ms( ser );
            }
            {
                ZoneScopedN( "Disk::WriteFile" );
                busy_ms( r.uni( 4.0, 6.0 ) );
            }
            message( "autosave: session.mixd written (%d KiB)", big ? 18432 : 2100 + r.range( 0, 200 ) );
        }
        log_line( "autosave done", 0.06 );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// UI (main thread)

struct undo_entry
{
    void* p;
    size_t sz;
};

void graph_rebuild( rng_t& r )
{
    ZoneScopedN( "Graph::Rebuild" );
    std::lock_guard<LockableBase( std::mutex )> lk( g_graph_mtx );
    const int nodes = r.range( 40, 120 );
    message( "graph rebuild: %d nodes", nodes );
    const double total = r.uni( 9.0, 13.0 );
    {
        ZoneScopedN( "Graph::TopoSort" );
        busy_ms( total * 0.55 );
    }
    {
        ZoneScopedN( "Graph::CompileNodes" );
        busy_ms( total * 0.45 );
    }
    g_graph_nodes = nodes;
}

void ui_loop( int64_t t0 )
{
    rng_t r( g_p.seed ^ 0x11u );
    const int64_t end = t0 + (int64_t)( g_p.seconds * 1e9 );
    std::set<int> rebuild_frames, hitch_frames;
    if( g_p.graph_rebuilds )
        for( int i = 0; i < 10; i++ ) rebuild_frames.insert( 25 + i * 33 + r.range( 0, 12 ) );
    if( g_p.ui_jobs )
        for( int i = 0; i < 7; i++ ) hitch_frames.insert( 30 + i * 46 + r.range( 0, 14 ) );
    const char* const long_files[] = { "Drums_Live_FullTake.wav", "Orchestra_Stems_Mix.wav", "Field_Recording_Rain.wav",
                                       "Podcast_Ep41_Raw.wav",    "Choir_Rehearsal_Full.wav", "Live_Set_Room_Mics.wav",
                                       "Film_Dialogue_Reel3.wav" };
    std::vector<undo_entry> undo;
    size_t undo_bytes = 0;
    int hitch_i = 0;
    for( int n = 0; now_ns() < end; n++ )
    {
        {
            ZoneScopedN( "UI::Frame" );
            {
                ZoneScopedN( "UI::HandleInput" );
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_transport_mtx );
                    g_sink = g_sink + (double)g_play_pos;
                }
                busy_ms( r( 0.25 ) );
                if( rebuild_frames.count( n ) ) graph_rebuild( r );
                if( g_p.leak && n % 6 == 3 )
                {
                    ZoneScopedN( "Undo::Push" );
                    const size_t sz = (size_t)r.range( 16, 64 ) * 1024;
                    undo.push_back( { mem_alloc( sz ), sz } );
                    undo_bytes += sz;
                    TracyPlot( "undo history KiB", (int64_t)( undo_bytes / 1024 ) );
                }
                if( g_p.leak && n == 250 )
                {
                    ZoneScopedN( "Undo::Trim" );
                    size_t freed = 0;
                    while( undo.size() > 4 )
                    {
                        freed += undo.front().sz;
                        undo_bytes -= undo.front().sz;
                        mem_free( undo.front().p );
                        undo.erase( undo.begin() );
                    }
                    message( "undo history limit reached: trimmed to 4 steps (freed %zu KiB)", freed / 1024 );
                    TracyPlot( "undo history KiB", (int64_t)( undo_bytes / 1024 ) );
                }
            }
            {
                ZoneScopedN( "UI::LayoutTracks" );
                std::vector<void*> text;
                if( g_p.rt_alloc )
                {
                    const int cnt = r.range( 12, 20 );
                    for( int i = 0; i < cnt; i++ ) text.push_back( mem_alloc( (size_t)r.range( 4, 16 ) * 1024 ) );
                }
                busy_ms( r( 0.8 ) );
                for( void* p : text ) mem_free( p );
            }
            {
                ZoneScopedN( "UI::DrawMeters" );
                {
                    std::lock_guard<LockableBase( std::mutex )> lk( g_transport_mtx );
                    g_sink = g_sink + (double)g_play_pos;
                }
                busy_ms( r( 0.6 ) );
            }
            {
                ZoneScopedN( "UI::DrawWaveforms" );
                if( g_p.ui_jobs )
                {
                    const bool hitch = hitch_frames.count( n ) > 0;
                    {
                        std::lock_guard<std::mutex> lk( g_jobs.m );
                        if( hitch )
                        {
                            g_jobs.file = long_files[hitch_i % 7];
                            g_jobs.ms = r.uni( 30.0, 40.0 );
                            g_jobs.minutes = r.uni( 40.0, 75.0 );
                            hitch_i++;
                        }
                        else
                        {
                            g_jobs.file = kFiles[r.range( 0, 9 )];
                            g_jobs.ms = r( 1.0, 0.1 );
                            g_jobs.minutes = 3.0;
                        }
                        g_jobs.has_job = true;
                        g_jobs.done = false;
                    }
                    g_jobs.cv.notify_all();
                    ZoneScopedN( "Jobs::Wait" );
                    std::unique_lock<std::mutex> lk( g_jobs.m );
                    g_jobs.cv.wait( lk, [] { return g_jobs.done; } );
                }
                busy_ms( r( g_p.ui_jobs ? 0.5 : 1.2 ) );
            }
            if( n % 10 == 0 ) log_line( "ui frame stats", 0.04 );
            {
                ZoneScopedN( "UI::Present" );
                const int64_t now = now_ns();
                sleep_until_ns( t0 + ( ( now - t0 ) / kVblankNs + 1 ) * kVblankNs );
            }
        }
        FrameMark;
    }
    if( g_p.leak )
    {
        ZoneScopedN( "Undo::Clear" );
        for( auto& u : undo ) mem_free( u.p );
    }
}

void assign_tracks()
{
    g_pool.assign.assign( (size_t)g_p.dsp_workers, {} );
    for( size_t i = 0; i < g_p.tracks.size(); i++ )
        g_pool.assign[fnv1a( g_p.tracks[i].name ) % (uint32_t)g_p.dsp_workers].push_back( (int)i );
}

int run()
{
    TracyAppInfo( g_p.app, strlen( g_p.app ) );
    void* cache = nullptr;
    {
        ZoneScopedN( "Engine::Init" );
        assign_tracks();
        if( g_p.heavy_spikes )
        {
            rng_t r( g_p.seed ^ 0x5b1cu );
            while( g_pool.spikes.size() < 14 ) g_pool.spikes.insert( r.range( 30, 1080 ) );
        }
        if( g_p.leak )
        {
            ZoneScopedN( "Cache::Init" );
            cache = mem_alloc( 64u << 20, kSampleCachePool );
            busy_ms( 12.0 );
        }
        {
            ZoneScopedN( "Graph::Build" );
            std::lock_guard<LockableBase( std::mutex )> lk( g_graph_mtx );
            busy_ms( 6.0 );
        }
        busy_ms( 15.0 );
    }
    TracyMessageL( "mixd: audio engine started" );
    message( "audio device: 48000 Hz, 256 frames (5.333 ms), %zu tracks, %d DSP threads", g_p.tracks.size(),
             g_p.dsp_workers );
    const int64_t t0 = now_ns() + 20000000;
    std::vector<std::thread> th;
    for( int w = 0; w < g_p.dsp_workers; w++ ) th.emplace_back( dsp_worker, w );
    std::thread audio( audio_thread, t0 );
    std::thread disk( disk_thread, t0 + 3000000 );
    std::thread autosave;
    if( g_p.autosave ) autosave = std::thread( autosave_thread, t0 );
    std::thread jobs;
    if( g_p.ui_jobs ) jobs = std::thread( ui_jobs_thread );
    sleep_until_ns( t0 );
    ui_loop( t0 );
    g_stop.store( true );
    audio.join();
    {
        std::lock_guard<std::mutex> lk( g_pool.m );
        g_pool.stop = true;
        g_pool.start_cv.notify_all();
    }
    for( auto& t : th ) t.join();
    disk.join();
    if( autosave.joinable() ) autosave.join();
    if( jobs.joinable() )
    {
        {
            std::lock_guard<std::mutex> lk( g_jobs.m );
            g_jobs.stop = true;
        }
        g_jobs.cv.notify_all();
        jobs.join();
    }
    if( cache )
    {
        ZoneScopedN( "Cache::Shutdown" );
        mem_free( cache, kSampleCachePool );
        busy_ms( 3.0 );
    }
    TracyMessageL( "mixd: audio engine stopped" );
    return 0;
}

}  // namespace

int main( int argc, char** argv )
{
    const std::string s = argc > 1 ? argv[1] : "";
    name_thread( "mixd-ui" );
    TracyPlotConfig( "callback load %", tracy::PlotFormatType::Percentage, false, true, 0 );
    params& p = g_p;
    p.scenario = s;
    p.tracks = kSession;
    if( getenv( "MIXD_SECONDS" ) ) p.seconds = atof( getenv( "MIXD_SECONDS" ) );
    if( s == "dropouts" )
    {
        p.seed ^= 1;
        p.graph_rebuilds = true;
        p.long_autosave = true;
        p.long_disk = true;
    }
    else if( s == "ui_hitch" )
    {
        p.seed ^= 2;
        p.ui_jobs = true;
    }
    else if( s == "regress_a" || s == "regress_b" )
    {
        p.seed ^= 3;
        if( s == "regress_b" )
        {
            p.comp_scale = 1.35;
            p.telemetry = true;
            p.app = "mixd 2.5.0-dev";
        }
    }
    else if( s == "leak" )
    {
        p.seed ^= 4;
        p.leak = true;
    }
    else if( s == "imbalance" )
    {
        p.seed ^= 5;
        p.dsp_workers = 8;
        p.tracks = kWideSession;
        p.heavy_spikes = true;
        p.autosave = false;
    }
    else if( s == "lock_convoy" )
    {
        p.seed ^= 6;
        p.meters_ms = 0.3;
    }
    else if( s == "rt_alloc" )
    {
        p.seed ^= 7;
        p.rt_alloc = true;
        p.autosave = false;
    }
    else
    {
        fprintf( stderr, "usage: mixd dropouts|ui_hitch|regress_a|regress_b|leak|imbalance|lock_convoy|rt_alloc\n" );
        return 2;
    }
    const int rc = run();
    printf( "mixd %s: done\n", s.c_str() );
    return rc;
}
