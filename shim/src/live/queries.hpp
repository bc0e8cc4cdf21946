// The requests we send the client (strings, thread names, source locations, callstack frames, symbols, ...):
// each asked once, in two priority queues, never more in flight than the client's socket can take, with the
// bookkeeping that tells when every answer has arrived.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_set>
#include <vector>

#include "live/protocol.hpp"

namespace tshim::live {

class TcpConnection;

class QueryBook {
public:
    // `space`: requests that may be unanswered at once.
    void reset(size_t space);

    // Each asks at most once per key; key 0 is never asked (except thread 0, which is a real id).
    void string(uint64_t ptr);
    void thread_name(uint64_t tid);
    void source_location(uint64_t ptr);
    void plot_name(uint64_t ptr);
    void frame_name(uint64_t ptr);
    void fiber_name(uint64_t fiber);
    void external_name(uint64_t tid);
    void callstack_frame(uint64_t addr);
    void symbol(uint64_t addr);
    bool knows_callstack_frame(uint64_t addr) const { return frames_.count(addr) != 0; }

    // Replies: every reply the client counts against our budget frees one slot.
    void answered() { ++space_; }
    // The source location a SourceLocation reply answers (replies come in request order); 0 if none is pending.
    uint64_t pop_source_location();
    void got_string() { dec(pending_strings_); }
    void got_thread_name() { dec(pending_threads_); }
    void got_name() { dec(pending_names_); }  // plot, frame, fiber and external names
    void got_external_part() { dec(pending_external_); }
    void got_callstack_frame() { dec(pending_frames_); }
    void got_symbol() { dec(pending_symbols_); }

    // Whether answers we rely on are still missing (symbols are optional: some clients never answer them).
    bool outstanding() const;
    size_t pending_symbols() const { return pending_symbols_; }
    size_t queued() const { return prio_.size() + normal_.size(); }

    // Sends what the budget allows, priority requests first; false when the connection is gone.
    bool flush(TcpConnection& sock);

    static void encode(Query q, uint64_t arg, uint32_t extra, uint8_t out[kQueryPacketSize]);

private:
    struct Packet {
        Query type;
        uint64_t arg;
        uint32_t extra;
    };
    void push(Query q, uint64_t arg, uint32_t extra = 0);
    static void dec(size_t& n) { if (n > 0) --n; }

    size_t space_ = 0;
    std::deque<Packet> prio_, normal_;
    std::deque<uint64_t> srcloc_fifo_;
    std::unordered_set<uint64_t> strings_, threads_, srclocs_, plots_, frames_names_, fibers_, externals_, frames_,
        symbols_;
    size_t pending_strings_ = 0, pending_threads_ = 0, pending_names_ = 0, pending_external_ = 0,
           pending_frames_ = 0, pending_symbols_ = 0;
    std::vector<uint8_t> out_;
};

}  // namespace tshim::live
