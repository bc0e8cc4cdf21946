// What a live session has received, kept the way upstream's server keeps it while connected (per-thread zone
// stacks, pointer-keyed names that later replies resolve, locks, plots, memory pools, callstacks, ...), plain
// copyable state. build() turns a copy of it into the same Model/TailModel a loaded file produces.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "live/sink.hpp"

namespace tshim {
class Capture;
}

namespace tshim::live {

class LiveIngest : public LiveSink {
public:
    LiveIngest() = default;

    // Fills `cap` (a fresh Capture) with the model, tables and statistics; leaves it COMPLETE.
    void build(Capture& cap, bool connected) const;
    // Bytes this state holds (the memory limit's measure), kept up to date cheaply.
    uint64_t memory_bytes() const;
    // Zones begun and not yet ended, over all threads.
    size_t open_zones() const;

    void on_welcome(const WelcomeInfo&) override;
    void on_crash(uint64_t tid, int64_t time, uint64_t text_ptr, uint32_t callstack) override;
    void on_string(uint64_t ptr, std::string_view) override;
    void on_thread_name(uint64_t tid, std::string_view) override;
    void on_fiber_name(uint64_t fiber, std::string_view) override;
    void on_plot_name(uint64_t ptr, std::string_view s) override { on_string(ptr, s); }
    void on_frame_name(uint64_t ptr, std::string_view s) override { on_string(ptr, s); }
    void on_external_name(uint64_t tid, std::string_view) override;
    void on_external_thread_name(uint64_t tid, std::string_view) override;
    void on_source_location(uint64_t ptr, uint64_t name_ptr, uint64_t function_ptr, uint64_t file_ptr, uint32_t line,
                            uint32_t color) override;
    void on_callstack_frame(uint64_t addr, std::string_view image, const std::vector<FrameEntry>&) override;
    void on_symbol(uint64_t sym_addr, std::string_view file, uint32_t line) override;
    uint32_t intern_callstack(const std::vector<uint64_t>& frames) override;
    uint32_t intern_alloc_callstack(const std::vector<AllocFrame>& frames, uint32_t native) override;

    void on_zone_begin(uint64_t tid, int64_t time, uint64_t srcloc_ptr, uint32_t callstack) override;
    void on_zone_begin_alloc(uint64_t tid, int64_t time, const DynSrcloc&, uint32_t callstack) override;
    void on_zone_end(uint64_t tid, int64_t time) override;
    void on_zone_text(uint64_t tid, std::string_view) override;
    void on_zone_name(uint64_t tid, std::string_view) override;
    void on_zone_color(uint64_t tid, uint32_t color) override;
    void on_zone_value(uint64_t tid, uint64_t value) override;
    void on_thread_group_hint(uint64_t tid, int32_t hint) override;
    void on_fiber_enter(uint64_t tid, int64_t time, uint64_t fiber, int32_t group) override;
    void on_fiber_leave(uint64_t tid, int64_t time) override;

    void on_frame_mark(uint64_t name_ptr, int64_t time, FrameMarkKind) override;
    void on_message(const MessageInfo&) override;
    void on_app_info(int64_t time, std::string_view) override;

    void on_lock_announce(uint32_t id, int64_t time, uint64_t srcloc_ptr, bool shared) override;
    void on_lock_terminate(uint32_t id, int64_t time) override;
    void on_lock_event(uint32_t id, uint64_t tid, int64_t time, LockEventKind) override;
    void on_lock_mark(uint32_t id, uint64_t tid, uint64_t srcloc_ptr) override;
    void on_lock_name(uint32_t id, std::string_view) override;

    void on_plot(uint64_t name_ptr, int64_t time, double value) override;
    void on_plot_config(uint64_t name_ptr, uint8_t format, bool step, bool fill, uint32_t color) override;
    void on_sys_time(int64_t time, float percent) override;
    void on_sys_power(int64_t time, uint64_t delta_uj, uint64_t name_ptr) override;

    void on_mem_alloc(uint64_t pool_ptr, uint64_t tid, int64_t time, uint64_t ptr, uint64_t size,
                      uint32_t callstack) override;
    void on_mem_free(uint64_t pool_ptr, uint64_t tid, int64_t time, uint64_t ptr, uint32_t callstack) override;
    void on_mem_discard(uint64_t pool_ptr, uint64_t tid, int64_t time, uint32_t callstack) override;

    void on_gpu_new_context(uint8_t ctx, int64_t cpu_time, int64_t gpu_time, uint64_t tid, float period,
                            uint8_t flags, uint8_t type) override;
    void on_gpu_zone_begin(uint8_t ctx, uint64_t tid, int64_t cpu_time, uint16_t query, uint64_t srcloc_ptr,
                           const DynSrcloc* dyn, uint32_t callstack) override;
    void on_gpu_zone_end(uint8_t ctx, uint64_t tid, int64_t cpu_time, uint16_t query) override;
    void on_gpu_time(uint8_t ctx, uint16_t query, int64_t gpu_time) override;
    void on_gpu_calibration(uint8_t ctx, int64_t gpu_time, int64_t cpu_time, int64_t cpu_delta) override;
    void on_gpu_time_sync(uint8_t ctx, int64_t gpu_time, int64_t cpu_time) override;
    void on_gpu_context_name(uint8_t ctx, std::string_view) override;
    void on_gpu_annotation_name(uint8_t ctx, int64_t note, std::string_view) override;
    void on_gpu_zone_annotation(uint8_t ctx, uint64_t tid, uint16_t query, int64_t note, double value) override;
    void on_hw_sample(HwSampleKind kind, uint64_t ip, int64_t time) override;

    void on_callstack_sample(uint64_t tid, int64_t time, uint32_t callstack, bool context_switch) override;
    void on_context_switch(int64_t time, uint64_t old_tid, uint64_t new_tid, uint8_t cpu, uint8_t wait_reason,
                           uint8_t state) override;
    void on_thread_wakeup(int64_t time, uint64_t tid, uint8_t cpu) override;
    void on_tid_to_pid(uint64_t tid, uint64_t pid) override;
    void on_cpu_topology(uint32_t package, uint32_t die, uint32_t core, uint32_t thread) override;

    void on_section_enter(int64_t time, uint32_t id, uint16_t category, std::string_view) override;
    void on_section_leave(int64_t time, uint32_t id) override;
    void on_section_setup(uint16_t category, std::string_view) override;

private:
    struct Extra {
        uint32_t callstack = 0;
        std::string text, name;
        bool has_text = false, has_name = false;
        uint32_t color = 0;
    };
    struct Thread {
        uint64_t tid = 0;
        bool fiber = false;
        int32_t group_hint = 0;
        uint64_t in_fiber = 0;          // OS threads: the fiber tid running on it (0 none)
        uint64_t zone_count = 0;
        std::vector<int64_t> start, end;
        std::vector<int16_t> srcloc;    // upstream-facing id (static > 0, dynamic < 0)
        std::vector<uint16_t> depth;    // DFS pre-order with depths: the tree (links derived in the model)
        std::vector<uint32_t> extra;
        std::vector<int32_t> stack;
        std::vector<uint32_t> messages;
        std::vector<int64_t> sample_time, ctx_sample_time;
        std::vector<uint32_t> sample_cs, ctx_sample_cs;
        uint64_t kernel_samples = 0;
        bool compressed = false;        // has an upstream compressed thread index
    };
    struct StaticSrcloc {
        uint64_t name = 0, function = 0, file = 0;
        uint32_t line = 0, color = 0;
        bool known = false;
    };
    struct DynamicSrcloc {
        std::string function, file, name;
        uint32_t line = 0, color = 0;
    };
    struct FrameSet {
        uint64_t name_ptr = 0;
        bool continuous = true;
        std::vector<int64_t> start, end;
    };
    struct Message {
        int64_t time = 0;
        uint64_t tid = 0;
        uint64_t text_ptr = 0;
        std::string text;
        uint32_t color = 0, callstack = 0;
        uint8_t source = 0, severity = 0;
    };
    struct Lock {
        uint32_t id = 0;
        int16_t srcloc = 0;
        uint8_t type = 0;
        int64_t announce = 0, terminate = 0;
        std::string name;
        bool named = false;
        std::vector<uint64_t> threads;
        uint64_t holder = 0;
        std::vector<int64_t> time;
        std::vector<int16_t> srcloc_ev;
        std::vector<uint8_t> thread, type_ev;
    };
    struct Plot {
        uint64_t name_ptr = 0;
        uint8_t type = 0, format = 0;
        bool step = false, fill = true;
        uint32_t color = 0;
        std::vector<int64_t> time;
        std::vector<double> value;
    };
    struct MemPool {
        uint64_t key = 0;
        uint64_t low = UINT64_MAX, high = 0, usage = 0;
        std::vector<uint64_t> ptr, size, tid_alloc, tid_free;
        std::vector<int64_t> time_alloc, time_free;
        std::vector<uint32_t> cs_alloc, cs_free;
        std::unordered_map<uint64_t, uint32_t> active;
    };
    struct Frame {
        std::string image;
        std::vector<std::string> name, file;
        std::vector<uint32_t> line;
        std::vector<uint64_t> sym_addr;
    };
    struct Symbol {
        std::string name, image, call_file, file;
        uint32_t call_line = 0, line = 0, size = 0;
        bool is_inline = false, resolved = false;
    };
    struct CtxSwitch {
        int64_t wakeup = 0, start = 0, end = -1;
        uint8_t cpu = 0, wakeup_cpu = 0;
        int8_t reason = 100, state = 100;
        uint64_t other_tid = 0;  // a fiber's run: the OS thread it ran on
    };
    struct CtxThread {
        uint64_t tid = 0;
        std::vector<CtxSwitch> v;
        int64_t running = 0;
    };
    struct CpuSwitch {
        int64_t start = 0, end = -1;
        uint64_t tid = 0;
    };
    struct GpuZone {
        int64_t cpu_start = 0, cpu_end = -1, gpu_start = -1, gpu_end = -1;
        int16_t srcloc = 0;
        uint32_t callstack = 0;
        uint64_t tid = 0;
        uint16_t query = 0;
        uint16_t depth = 0;
        int32_t parent = -1, subtree_end = -1;
    };
    struct GpuTimeline {
        uint64_t key = 0;
        std::vector<GpuZone> zones;
        std::vector<int32_t> stack;
    };
    struct GpuContext {
        uint64_t tid = 0;
        float period = 1.f;
        uint8_t type = 0;
        bool calibration = false;
        std::string name;
        bool named = false;
        int64_t time_diff = 0, calibrated_gpu = 0, calibrated_cpu = 0, last_gpu = 0;
        double calibration_mod = 1.0;
        uint64_t overflow = 0, overflow_mul = 0;
        uint64_t count = 0;
        std::vector<GpuTimeline> timelines;
        std::unordered_map<uint16_t, std::pair<uint32_t, uint32_t>> query;  // query id -> (timeline, zone)
        std::vector<std::pair<int64_t, std::string>> note_names;           // kept as sent (last one wins)
        std::vector<std::pair<std::pair<uint16_t, int64_t>, double>> notes; // (query id, note id) -> value
    };
    struct Section {
        uint16_t category = 0;
        int64_t start = 0, end = -1;
        std::string text;
    };

    Thread& thread(uint64_t tid);
    Thread& zone_thread(uint64_t tid);  // the fiber running on tid, if any
    int16_t static_id(uint64_t ptr);
    int16_t dynamic_id(const DynSrcloc&);
    void see(int64_t t) { if (t > last_time_) last_time_ = t; }
    Extra& extra_of(Thread& td);
    uint16_t compress(uint64_t tid);
    void compress(Thread& td) {
        if (!td.compressed) {
            compress(td.tid);
            td.compressed = true;
        }
    }
    MemPool& pool(uint64_t key);
    void grow(uint64_t bytes) { memory_ += bytes; }

    WelcomeInfo welcome_{};
    std::string program_, host_info_, cpu_manufacturer_;
    int64_t last_time_ = 0;
    uint64_t memory_ = 0;

    std::vector<Thread> threads_;
    std::unordered_map<uint64_t, uint32_t> thread_index_;
    uint64_t last_tid_ = UINT64_MAX;
    uint32_t last_thread_ = 0;
    std::unordered_map<uint64_t, std::string> thread_names_;
    std::unordered_map<uint64_t, uint64_t> fibers_;  // fiber pointer -> fiber tid
    // Upstream's compressed thread order; index 0 stands for tid 0 (no thread), as in the server's table.
    std::vector<uint64_t> compressed_{0};
    std::unordered_map<uint64_t, uint16_t> compressed_index_{{0, 0}};
    std::unordered_map<uint64_t, std::string> strings_;  // client pointer -> text
    std::unordered_map<uint64_t, std::pair<std::string, std::string>> external_;

    std::unordered_map<uint64_t, StaticSrcloc> srcloc_info_;
    std::vector<uint64_t> static_ptrs_;              // id - 1 -> pointer
    std::vector<int16_t> srcloc_created_;            // ids in creation order (upstream's srcloc map insertion)
    std::unordered_map<uint64_t, int16_t> static_ids_;
    std::vector<DynamicSrcloc> dynamic_;
    std::unordered_map<size_t, std::vector<int16_t>> dynamic_ids_;  // hash of the raw payload -> ids
    std::vector<std::string> dynamic_raw_;
    std::vector<Extra> extras_ = std::vector<Extra>(1);  // row 0: no extra

    std::vector<FrameSet> frame_sets_;
    std::unordered_map<uint64_t, uint32_t> frame_set_index_;
    std::vector<Message> messages_;
    std::vector<std::string> app_info_;
    std::vector<Lock> locks_;
    std::unordered_map<uint32_t, uint32_t> lock_index_;
    std::vector<Plot> plots_;
    std::unordered_map<uint64_t, uint32_t> plot_index_;
    Plot& plot_for(uint64_t name_ptr);  // the plot named by name_ptr, created on first use
    int32_t sys_time_plot_ = -1;
    std::unordered_map<uint64_t, std::pair<uint32_t, int64_t>> power_;  // name -> (plot, last report time)
    std::vector<MemPool> pools_;
    std::unordered_map<uint64_t, uint32_t> pool_index_;

    std::vector<std::vector<uint64_t>> callstacks_ = std::vector<std::vector<uint64_t>>(1);
    std::unordered_map<std::string, uint32_t> callstack_ids_;
    std::unordered_map<uint64_t, Frame> frames_;     // frame id -> resolved frame
    std::vector<uint64_t> frame_order_;
    std::unordered_map<std::string, uint64_t> alloc_frame_ids_;
    uint64_t next_alloc_frame_ = 0;
    std::unordered_map<uint64_t, Symbol> symbols_;

    std::vector<CtxThread> ctx_threads_;
    std::unordered_map<uint64_t, uint32_t> ctx_index_;
    CtxThread& ctx_thread_for(uint64_t tid);  // tid's context-switch timeline, created on first use
    void end_fiber_run(uint64_t ftid, int64_t time);  // close the fiber's open run (on leave or re-enter)
    std::vector<std::vector<CpuSwitch>> cpus_;
    std::vector<std::pair<uint64_t, uint64_t>> tid_pid_;
    std::vector<uint32_t> topology_;                 // package, die, core, thread quadruples

    std::vector<GpuContext> gpus_;
    std::unordered_map<uint8_t, uint32_t> gpu_index_;
    std::vector<Section> sections_;
    std::vector<uint64_t> hw_addr_;                  // hardware samples: address, kind, time as received
    std::vector<uint8_t> hw_kind_;
    std::vector<int64_t> hw_time_;
    std::unordered_map<uint32_t, uint32_t> open_sections_;
    std::vector<std::pair<uint16_t, std::string>> section_categories_;

    uint64_t crash_tid_ = 0, crash_text_ = 0;
    int64_t crash_time_ = 0;
    uint32_t crash_cs_ = 0;
};

}  // namespace tshim::live
