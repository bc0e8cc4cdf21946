// Decodes the client's event stream (decompressed frames) of either protocol version: steps over every event at
// its exact size, resolves delta-coded times into nanoseconds, pairs strings and payloads with the events they
// precede, asks the client (through the QueryBook) for what the events refer to, and reports meaning to a LiveSink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "live/protocol.hpp"
#include "live/queries.hpp"
#include "live/sink.hpp"
#include "live/time.hpp"

namespace tshim::live {

class EventDecoder {
public:
    EventDecoder(const WireTable& table, LiveSink& sink, QueryBook& queries, bool query_symbols = true);

    // Timer facts from the welcome message (time zero and ticks -> ns).
    void set_timer(int64_t init_begin, double timer_mul);
    int64_t to_ns(int64_t ticks) const { return clamp_time(double(wrap_sub(ticks, base_)) * mul_); }

    // Decodes one decompressed frame; throws tshim::Error(TSHIM_ERR_FORMAT) naming the event on malformed input.
    void decode(const uint8_t* data, size_t size);

    // From now on only replies to our requests (and the end notices) are used; data events are stepped over
    // unread. The session switches to it at the memory limit, to collect the names it already asked for.
    void answers_only() { answers_only_ = true; }

    bool terminated() const { return terminated_; }
    bool crashed() const { return crashed_; }
    uint64_t events() const { return events_; }

private:
    struct Reader;
    void event(Ev kind, Reader& fixed, Reader& rest);
    static bool is_answer(Ev kind);
    void string_transfer(Ev kind, uint64_t key, const uint8_t* data, size_t size);
    void callstack_payload(const uint8_t* data, size_t size);
    void callstack_alloc_payload(const uint8_t* data, size_t size);
    void srcloc_payload(const uint8_t* data, size_t size);

    int64_t thread_time(int64_t delta) { return to_ns(ref_thread_ = wrap_add(ref_thread_, delta)); }
    int64_t serial_time(int64_t delta) { return to_ns(ref_serial_ = wrap_add(ref_serial_, delta)); }
    int64_t wide_delta(int64_t raw) const;  // 0.14's 64-bit delta form
    uint64_t current_thread();              // notices the thread (asks for its name once)
    uint32_t take_thread_callstack();
    uint32_t take_serial_callstack();
    std::string take_single();
    std::string take_second();
    void zone_begin(int64_t delta, uint64_t srcloc, bool callstack);
    void zone_end(int64_t delta);
    void callstack_sample(uint64_t tid, int64_t delta, bool context_switch);
    void message(Ev kind, Reader& r);
    void notice(uint64_t tid) { queries_.thread_name(tid); }

    const WireTable& table_;
    LiveSink& sink_;
    QueryBook& queries_;
    bool query_symbols_;

    int64_t base_ = 0;
    double mul_ = 1.0;
    int64_t ref_thread_ = 0, ref_serial_ = 0, ref_ctx_ = 0, ref_gpu_ = 0;
    uint64_t thread_ = 0;
    uint64_t noticed_ = UINT64_MAX;

    std::string single_, second_;
    bool has_single_ = false, has_second_ = false;
    bool has_dyn_srcloc_ = false;
    std::string dyn_raw_;
    DynSrcloc dyn_{};
    uint32_t pending_callstack_ = 0;
    uint32_t serial_callstack_ = 0;
    std::unordered_map<uint64_t, uint32_t> thread_callstack_;
    uint64_t mem_name_ = 0;
    std::string frame_image_;

    // A callstack-frame reply being assembled: size header, then one CallstackFrame event per entry.
    uint64_t frame_addr_ = 0;
    size_t frame_left_ = 0;
    std::string frame_image_name_;
    std::vector<std::string> frame_strings_;
    std::vector<FrameEntry> frame_entries_;
    std::vector<uint64_t> scratch_frames_;
    std::vector<AllocFrame> scratch_alloc_;

    bool answers_only_ = false;
    bool terminated_ = false;
    bool crashed_ = false;
    uint64_t events_ = 0;
};

}  // namespace tshim::live
