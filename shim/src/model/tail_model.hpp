// The tail of a capture: everything the file holds after the CPU threads (GPU contexts and zones, plots, memory,
// callstacks and their frames, app info, frame images, context switches, per-CPU data, symbols, symbol code, hardware
// samples, source file cache), stored columnar as read. Filled by read_tail(); exposed by register_tail_tables().
// Column meanings are documented in shim/SCHEMA.md ("Tail tables").
#pragma once

#include <cstdint>
#include <vector>

namespace tshim {

struct TailModel {
    // GPU contexts, one row per context in file order.
    struct GpuContexts {
        std::vector<uint64_t> tid;           // OS thread the context is bound to (0 = not bound to one thread)
        std::vector<uint8_t> calibration;    // 1 when the context has CPU/GPU time calibration
        std::vector<uint64_t> count;         // zone count as recorded by the server
        std::vector<float> period;           // GPU timer period (1.0 = none)
        std::vector<uint8_t> type;           // GpuContextType (0 Invalid, 1 OpenGL, ... 7 Custom, 8 CUDA, ...)
        std::vector<int32_t> name;           // string id, -1 = unnamed
        std::vector<uint64_t> overflow;
        std::vector<int64_t> timeline_begin, timeline_end;    // rows of gpu_timelines
        std::vector<int64_t> zone_begin, zone_end;            // rows of gpu_zones
        std::vector<int64_t> note_name_begin, note_name_end;  // rows of gpu_note_names
        std::vector<int64_t> note_begin, note_end;            // rows of gpu_notes
    } gpu_ctx;

    // One row per (context, thread key) timeline that has zones; its zones are a contiguous gpu_zones range.
    struct GpuTimelines {
        std::vector<int32_t> context;
        std::vector<uint64_t> tid;           // OS tid the timeline is keyed by (0 for thread-bound contexts)
        std::vector<int64_t> zone_begin, zone_end;
    } gpu_tl;

    // GPU zones per timeline in DFS pre-order.
    struct GpuZones {
        std::vector<int64_t> cpu_start, cpu_end, gpu_start, gpu_end;
        std::vector<int32_t> srcloc;         // row of srclocs, -1 when the id is unknown
        std::vector<int16_t> srcloc_id;      // upstream-facing id as stored
        std::vector<uint32_t> callstack;     // row of callstacks, 0 = none
        std::vector<uint16_t> thread_index;  // internal (compressed) thread index as stored
        std::vector<int32_t> thread;         // row of threads for thread_index, -1 when unknown
        std::vector<uint16_t> query_id;      // 0 for files older than 0.12.4
        std::vector<int32_t> context;        // row of gpu_contexts
        std::vector<uint16_t> depth;
        std::vector<int32_t> parent, subtree_end;
    } gpu_zone;

    struct GpuNoteNames {
        std::vector<int32_t> context;
        std::vector<int64_t> id;
        std::vector<int32_t> name;
    } gpu_note_name;

    struct GpuNotes {
        std::vector<int32_t> context;
        std::vector<uint16_t> query_id;
        std::vector<int64_t> id;
        std::vector<double> value;
    } gpu_note;

    // Plots from the file, followed by the memory-usage plots derived from each memory pool (type 1).
    struct Plots {
        std::vector<int32_t> name;           // string id (-1 when the name pointer is 0 or unknown)
        std::vector<uint64_t> name_ptr;      // name as stored (a pointer key of the string map)
        std::vector<uint8_t> type;           // PlotType: 0 User, 1 Memory, 2 SysTime, 3 Power
        std::vector<uint8_t> format;         // 0 Number, 1 Memory, 2 Percentage, 3 Watt
        std::vector<uint8_t> show_steps, fill;
        std::vector<uint32_t> color;
        std::vector<double> min, max, sum;
        std::vector<int64_t> point_begin, point_end;  // rows of plot_points
        std::vector<int32_t> pool;           // row of mem_pools for derived memory plots, else -1
    } plot;

    struct PlotPoints {
        std::vector<int64_t> time;
        std::vector<double> value;
    } plot_point;

    struct MemPools {
        std::vector<uint64_t> key;           // pool key as stored (0 = default pool)
        std::vector<int32_t> name;           // string id of the key (-1 for the default pool / unknown)
        std::vector<uint64_t> name_ptr;      // the name field stored after the events (names the pool's plot)
        std::vector<uint64_t> high, low, usage;
        std::vector<uint64_t> active_count, free_count;
        std::vector<int64_t> event_begin, event_end;  // rows of mem_events
        std::vector<int32_t> plot;           // row of plots (derived memory plot), -1 when the pool has no events
    } mem_pool;

    struct MemEvents {
        std::vector<uint64_t> ptr, size;
        std::vector<int64_t> time_alloc, time_free;   // time_free < 0 (-1): never freed
        std::vector<uint16_t> thread_alloc, thread_free;  // internal (compressed) thread indices as stored
        std::vector<uint64_t> tid_alloc, tid_free;        // the OS tids those indices stand for (0 = unknown)
        std::vector<uint32_t> cs_alloc, cs_free;          // rows of callstacks, 0 = none
        std::vector<int32_t> pool;
    } mem_event;

    // Callstacks: row 0 is the empty "no callstack" placeholder, rows 1..N as stored.
    struct Callstacks {
        std::vector<int64_t> frame_begin, frame_end;  // rows of callstack_frame_ids
    } callstack;

    struct CallstackFrameIds {
        std::vector<uint64_t> id;            // CallstackFrameId as stored (bit 63 custom, bit 62 sel, 62-bit idx)
        std::vector<int32_t> frame;          // row of callstack_frames with that id, -1 when unresolved
    } callstack_frame_id;

    // Resolved frames (one per frame id), each with 1..n entries (inlined frames first, as stored).
    struct CallstackFrames {
        std::vector<uint64_t> id;
        std::vector<int32_t> image;          // string id
        std::vector<int64_t> entry_begin, entry_end;  // rows of callstack_frame_entries
    } callstack_frame;

    struct CallstackFrameEntries {
        std::vector<int32_t> name, file;     // string ids
        std::vector<uint32_t> line;
        std::vector<uint64_t> sym_addr;
        std::vector<int32_t> frame;          // owning row of callstack_frames
    } callstack_entry;

    struct AppInfo {
        std::vector<int32_t> text;
    } app_info;

    struct FrameImages {
        std::vector<uint16_t> width, height;
        std::vector<uint8_t> flip;
        std::vector<uint64_t> offset;        // byte offset of the DXT1 image in the decompressed payload
        std::vector<uint64_t> size;
        std::vector<uint64_t> data_offset;   // where the image's DXT1 bytes are in frame_image_bytes
    } frame_image;
    std::vector<uint8_t> frame_image_bytes;  // the images, kept so the capture can be written back

    // Context switches per OS thread.
    struct CtxSwitchThreads {
        std::vector<uint64_t> tid;
        std::vector<int32_t> thread;         // row of threads, -1 when the tid is not a profiled thread
        std::vector<int64_t> running_time;   // sum of positive (end - start) as the server computes it on load
        std::vector<int64_t> switch_begin, switch_end;  // rows of ctx_switches
    } cs_thread;

    struct CtxSwitches {
        std::vector<int64_t> wakeup, start, end;   // end < 0: still running
        std::vector<uint8_t> cpu, wakeup_cpu;
        std::vector<int8_t> reason, state;
        std::vector<uint64_t> other_tid;     // tid field stored with the event (unused by upstream's views)
        std::vector<int32_t> owner;          // row of ctx_switch_threads
    } cs;

    // Per-CPU timelines (which thread ran when): cpu_switches grouped by cpu.
    struct CpuSwitches {
        std::vector<uint8_t> cpu;
        std::vector<int64_t> start, end;
        std::vector<uint16_t> thread_index;  // external (compressed) thread index as stored
        std::vector<uint64_t> tid;           // the OS tid it stands for (0 = idle / unknown)
    } cpu_switch;

    // Upstream's CPU usage timeline (derived from cpu_switches): from `time` on, `own` CPUs run threads of the
    // profiled program and `other` CPUs run other processes' threads. Starts with (0, 0, 0).
    struct CpuUsage {
        std::vector<int64_t> time;
        std::vector<uint8_t> own, other;
    } cpu_usage;

    struct TidToPid {
        std::vector<uint64_t> tid, pid;
    } tid_pid;

    struct CpuThreadData {
        std::vector<uint64_t> tid;
        std::vector<int64_t> running_time;
        std::vector<uint32_t> running_regions, migrations;
    } cpu_thread;

    // Symbols, sorted by address.
    struct Symbols {
        std::vector<uint64_t> addr;
        std::vector<int32_t> name, file, image, call_file;  // string ids
        std::vector<uint32_t> line, call_line, size;
        std::vector<uint8_t> is_inline;
    } symbol;
    uint64_t symbol_loc_count = 0, symbol_inline_count = 0;  // the two counts stored before the symbols

    struct SymbolCode {
        std::vector<uint64_t> addr;
        std::vector<uint64_t> offset;        // into symbol_code_bytes
        std::vector<uint32_t> size;
    } symbol_code;
    std::vector<uint8_t> symbol_code_bytes;

    struct CodeSymbols {
        std::vector<uint64_t> addr, sym_addr;
    } code_symbol;

    // Hardware samples: one row per sample; kind 0 cycles, 1 retired, 2 cache_ref, 3 cache_miss,
    // 4 branch_retired, 5 branch_miss.
    struct HwSamples {
        std::vector<uint64_t> addr;
        std::vector<uint8_t> kind;
        std::vector<int64_t> time;
    } hw_sample;

    struct SourceFiles {
        std::vector<int32_t> name;           // string id
        std::vector<uint64_t> offset;        // into source_file_bytes
        std::vector<uint32_t> size;
    } source_file;
    std::vector<uint8_t> source_file_bytes;
};

}  // namespace tshim
