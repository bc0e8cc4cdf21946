// What the live protocol decoder hands on: one call per meaningful event, with times already turned into
// nanoseconds since the client's start (as upstream stores them), thread ids as the client's OS ids, colors in
// stored order (0xBBGGRR as upstream keeps them) and client pointers left as keys that later replies
// (on_string, on_source_location, ...) resolve. String views are valid only during the call.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace tshim::live {

struct WelcomeInfo {
    uint32_t protocol = 0;
    double timer_mul = 1.0;
    int64_t init_begin = 0;          // client ticks at start: the capture's time zero
    int64_t init_end_ns = 0;
    int64_t resolution_ns = 0;
    uint64_t epoch = 0;              // capture time, seconds since the Unix epoch
    uint64_t exec_time = 0;
    uint64_t pid = 0;
    int64_t sampling_period_ns = 0;
    uint8_t flags = 0;
    uint8_t cpu_arch = 0;
    uint32_t cpu_id = 0;
    std::string_view cpu_manufacturer;
    std::string_view program_name;
    std::string_view host_info;
    bool on_demand = false;
    uint64_t on_demand_frames = 0;    // frames the client had counted before we connected
    int64_t on_demand_time_ns = -1;   // when we connected, in capture time (-1 unless on-demand)
};

// A source location sent whole by the client (allocated / transient zones).
struct DynSrcloc {
    std::string_view function, file, name;  // name empty when none
    uint32_t line = 0;
    uint32_t color = 0;                     // stored order
    std::string_view raw;                   // the payload as sent (identifies repeats cheaply)
};

enum class FrameMarkKind : uint8_t { Continuous, Start, End };
enum class LockEventKind : uint8_t { Wait, Obtain, Release, WaitShared, ObtainShared, ReleaseShared };
enum class HwSampleKind : uint8_t { CpuCycle, InstructionRetired, CacheReference, CacheMiss, BranchRetired, BranchMiss };

// One frame of a resolved callstack entry (reply to a callstack-frame request).
struct FrameEntry {
    std::string_view name, file;
    uint32_t line = 0;
    uint64_t sym_addr = 0;
    uint32_t sym_len = 0;
};

// A frame of a callstack the client allocated with its own text (no address).
struct AllocFrame {
    std::string_view name, file;
    uint32_t line = 0;
};

struct MessageInfo {
    uint64_t tid = 0;
    int64_t time = 0;
    bool literal = false;        // text is the client string at `text_ptr` (resolved by on_string), else `text`
    uint64_t text_ptr = 0;
    std::string_view text;
    uint32_t color = 0xFFFFFFFF; // 0xFFBBGGRR as upstream stores it; uncolored 0xFFFFFFFF
    uint32_t callstack = 0;
    uint8_t source = 0;          // 0 user, 1 Tracy itself (0.14); 0 for 0.13
    uint8_t severity = 2;        // trace, debug, info, warning, error, fatal (0.14); info for 0.13
};

class LiveSink {
public:
    virtual ~LiveSink() = default;

    virtual void on_welcome(const WelcomeInfo&) {}
    virtual void on_terminate() {}
    virtual void on_crash(uint64_t /*tid*/, int64_t /*time*/, uint64_t /*text_ptr*/, uint32_t /*callstack*/) {}

    // Replies to our requests.
    virtual void on_string(uint64_t /*ptr*/, std::string_view) {}
    virtual void on_thread_name(uint64_t /*tid*/, std::string_view) {}
    virtual void on_fiber_name(uint64_t /*fiber*/, std::string_view) {}
    virtual void on_plot_name(uint64_t /*ptr*/, std::string_view) {}
    virtual void on_frame_name(uint64_t /*ptr*/, std::string_view) {}
    virtual void on_external_name(uint64_t /*tid*/, std::string_view /*process*/) {}
    virtual void on_external_thread_name(uint64_t /*tid*/, std::string_view) {}
    virtual void on_source_location(uint64_t /*ptr*/, uint64_t /*name_ptr*/, uint64_t /*function_ptr*/,
                                    uint64_t /*file_ptr*/, uint32_t /*line*/, uint32_t /*color*/) {}
    virtual void on_callstack_frame(uint64_t /*addr*/, std::string_view /*image*/, const std::vector<FrameEntry>&) {}
    virtual void on_symbol(uint64_t /*sym_addr*/, std::string_view /*file*/, uint32_t /*line*/) {}

    // Callstacks: the decoder interns them here and attaches the returned id (never 0) to the events they precede.
    virtual uint32_t intern_callstack(const std::vector<uint64_t>& /*frames*/) { return 1; }
    virtual uint32_t intern_alloc_callstack(const std::vector<AllocFrame>& /*frames*/, uint32_t /*native*/) { return 1; }

    // CPU zones (per OS thread, fibers already mapped by the sink in on_fiber_*).
    virtual void on_zone_begin(uint64_t /*tid*/, int64_t /*time*/, uint64_t /*srcloc_ptr*/, uint32_t /*callstack*/) {}
    virtual void on_zone_begin_alloc(uint64_t /*tid*/, int64_t /*time*/, const DynSrcloc&, uint32_t /*callstack*/) {}
    virtual void on_zone_end(uint64_t /*tid*/, int64_t /*time*/) {}
    virtual void on_zone_text(uint64_t /*tid*/, std::string_view) {}
    virtual void on_zone_name(uint64_t /*tid*/, std::string_view) {}
    virtual void on_zone_color(uint64_t /*tid*/, uint32_t /*color*/) {}
    virtual void on_zone_value(uint64_t /*tid*/, uint64_t /*value*/) {}
    virtual void on_thread_group_hint(uint64_t /*tid*/, int32_t /*hint*/) {}
    virtual void on_fiber_enter(uint64_t /*tid*/, int64_t /*time*/, uint64_t /*fiber*/, int32_t /*group*/) {}
    virtual void on_fiber_leave(uint64_t /*tid*/, int64_t /*time*/) {}

    virtual void on_frame_mark(uint64_t /*name_ptr*/, int64_t /*time*/, FrameMarkKind) {}
    virtual void on_frame_vsync(uint32_t /*id*/, int64_t /*time*/) {}
    virtual void on_frame_image(uint32_t /*frame*/, uint16_t /*w*/, uint16_t /*h*/, bool /*flip*/,
                                std::string_view /*compressed*/) {}

    virtual void on_message(const MessageInfo&) {}
    virtual void on_app_info(int64_t /*time*/, std::string_view) {}

    virtual void on_lock_announce(uint32_t /*id*/, int64_t /*time*/, uint64_t /*srcloc_ptr*/, bool /*shared*/) {}
    virtual void on_lock_terminate(uint32_t /*id*/, int64_t /*time*/) {}
    virtual void on_lock_event(uint32_t /*id*/, uint64_t /*tid*/, int64_t /*time*/, LockEventKind) {}
    virtual void on_lock_mark(uint32_t /*id*/, uint64_t /*tid*/, uint64_t /*srcloc_ptr*/) {}
    virtual void on_lock_name(uint32_t /*id*/, std::string_view) {}

    virtual void on_plot(uint64_t /*name_ptr*/, int64_t /*time*/, double /*value*/) {}
    virtual void on_plot_config(uint64_t /*name_ptr*/, uint8_t /*format*/, bool /*step*/, bool /*fill*/,
                                uint32_t /*color*/) {}
    virtual void on_sys_time(int64_t /*time*/, float /*percent*/) {}
    virtual void on_sys_power(int64_t /*time*/, uint64_t /*delta_uj*/, uint64_t /*name_ptr*/) {}

    // Memory: pool_ptr 0 is the default pool, otherwise the client pointer of the pool's name.
    virtual void on_mem_alloc(uint64_t /*pool_ptr*/, uint64_t /*tid*/, int64_t /*time*/, uint64_t /*ptr*/,
                              uint64_t /*size*/, uint32_t /*callstack*/) {}
    virtual void on_mem_free(uint64_t /*pool_ptr*/, uint64_t /*tid*/, int64_t /*time*/, uint64_t /*ptr*/,
                             uint32_t /*callstack*/) {}
    virtual void on_mem_discard(uint64_t /*pool_ptr*/, uint64_t /*tid*/, int64_t /*time*/, uint32_t /*callstack*/) {}

    // GPU: gpu_time values are the client's raw (delta-resolved) GPU ticks; the sink applies period/calibration.
    virtual void on_gpu_new_context(uint8_t /*ctx*/, int64_t /*cpu_time*/, int64_t /*gpu_time*/, uint64_t /*tid*/,
                                    float /*period*/, uint8_t /*flags*/, uint8_t /*type*/) {}
    virtual void on_gpu_zone_begin(uint8_t /*ctx*/, uint64_t /*tid*/, int64_t /*cpu_time*/, uint16_t /*query*/,
                                   uint64_t /*srcloc_ptr*/, const DynSrcloc* /*dyn*/, uint32_t /*callstack*/) {}
    virtual void on_gpu_zone_end(uint8_t /*ctx*/, uint64_t /*tid*/, int64_t /*cpu_time*/, uint16_t /*query*/) {}
    virtual void on_gpu_time(uint8_t /*ctx*/, uint16_t /*query*/, int64_t /*gpu_time*/) {}
    virtual void on_gpu_calibration(uint8_t /*ctx*/, int64_t /*gpu_time*/, int64_t /*cpu_time*/, int64_t /*cpu_delta*/) {}
    virtual void on_gpu_time_sync(uint8_t /*ctx*/, int64_t /*gpu_time*/, int64_t /*cpu_time*/) {}
    virtual void on_gpu_context_name(uint8_t /*ctx*/, std::string_view) {}
    virtual void on_gpu_annotation_name(uint8_t /*ctx*/, int64_t /*note*/, std::string_view) {}
    virtual void on_gpu_zone_annotation(uint8_t /*ctx*/, uint64_t /*tid*/, uint16_t /*query*/, int64_t /*note*/,
                                        double /*value*/) {}

    // Sampling and scheduling.
    virtual void on_callstack_sample(uint64_t /*tid*/, int64_t /*time*/, uint32_t /*callstack*/,
                                     bool /*context_switch*/) {}
    virtual void on_context_switch(int64_t /*time*/, uint64_t /*old_tid*/, uint64_t /*new_tid*/, uint8_t /*cpu*/,
                                   uint8_t /*wait_reason*/, uint8_t /*state*/) {}
    virtual void on_thread_wakeup(int64_t /*time*/, uint64_t /*tid*/, uint8_t /*cpu*/) {}
    virtual void on_tid_to_pid(uint64_t /*tid*/, uint64_t /*pid*/) {}
    virtual void on_cpu_topology(uint32_t /*package*/, uint32_t /*die*/, uint32_t /*core*/, uint32_t /*thread*/) {}
    virtual void on_hw_sample(HwSampleKind, uint64_t /*ip*/, int64_t /*time*/) {}

    // Sections (0.14).
    virtual void on_section_enter(int64_t /*time*/, uint32_t /*id*/, uint16_t /*category*/, std::string_view) {}
    virtual void on_section_leave(int64_t /*time*/, uint32_t /*id*/) {}
    virtual void on_section_setup(uint16_t /*category*/, std::string_view) {}

    virtual void on_param_setup(uint32_t /*idx*/, uint64_t /*name_ptr*/, uint8_t /*type*/, int32_t /*value*/) {}
};

}  // namespace tshim::live
