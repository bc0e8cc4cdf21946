#include "live/queries.hpp"

#include <cstring>

#include "live/socket.hpp"

namespace tshim::live {

void QueryBook::reset(size_t space) {
    *this = QueryBook{};
    space_ = space;
}

void QueryBook::push(Query q, uint64_t arg, uint32_t extra) {
    (query_is_priority(q) ? prio_ : normal_).push_back(Packet{q, arg, extra});
}

void QueryBook::string(uint64_t ptr) {
    if (ptr == 0 || !strings_.insert(ptr).second) return;
    ++pending_strings_;
    push(Query::String, ptr);
}

void QueryBook::thread_name(uint64_t tid) {
    if (!threads_.insert(tid).second) return;
    ++pending_threads_;
    push(Query::ThreadString, tid);
}

void QueryBook::source_location(uint64_t ptr) {
    if (ptr == 0 || !srclocs_.insert(ptr).second) return;
    srcloc_fifo_.push_back(ptr);
    push(Query::SourceLocation, ptr);
}

uint64_t QueryBook::pop_source_location() {
    if (srcloc_fifo_.empty()) return 0;
    uint64_t ptr = srcloc_fifo_.front();
    srcloc_fifo_.pop_front();
    return ptr;
}

void QueryBook::plot_name(uint64_t ptr) {
    if (ptr == 0 || !plots_.insert(ptr).second) return;
    ++pending_names_;
    push(Query::PlotName, ptr);
}

void QueryBook::frame_name(uint64_t ptr) {
    if (ptr == 0 || !frames_names_.insert(ptr).second) return;
    ++pending_names_;
    push(Query::FrameName, ptr);
}

void QueryBook::fiber_name(uint64_t fiber) {
    if (!fibers_.insert(fiber).second) return;
    ++pending_names_;
    push(Query::FiberName, fiber);
}

void QueryBook::external_name(uint64_t tid) {
    if (!externals_.insert(tid).second) return;
    pending_external_ += 2;  // answered by a process name and a thread name
    push(Query::ExternalName, tid);
}

void QueryBook::callstack_frame(uint64_t addr) {
    if (!frames_.insert(addr).second) return;
    ++pending_frames_;
    push(Query::CallstackFrame, addr);
}

void QueryBook::symbol(uint64_t addr) {
    if (addr == 0 || !symbols_.insert(addr).second) return;
    ++pending_symbols_;
    push(Query::Symbol, addr);
}

bool QueryBook::outstanding() const {
    return pending_strings_ || pending_threads_ || pending_names_ || pending_external_ || pending_frames_ ||
           !srcloc_fifo_.empty() || !prio_.empty() || !normal_.empty();
}

void QueryBook::encode(Query q, uint64_t arg, uint32_t extra, uint8_t out[kQueryPacketSize]) {
    out[0] = uint8_t(q);
    std::memcpy(out + 1, &arg, 8);  // the protocol is little-endian, as are the machines Tracy runs on
    std::memcpy(out + 9, &extra, 4);
}

bool QueryBook::flush(TcpConnection& sock) {
    out_.clear();
    for (auto* queue : {&prio_, &normal_}) {
        while (space_ > 0 && !queue->empty()) {
            const Packet p = queue->front();
            queue->pop_front();
            uint8_t buf[kQueryPacketSize];
            encode(p.type, p.arg, p.extra, buf);
            out_.insert(out_.end(), buf, buf + kQueryPacketSize);
            --space_;
        }
    }
    return out_.empty() || sock.send_all(out_.data(), out_.size());
}

}  // namespace tshim::live
