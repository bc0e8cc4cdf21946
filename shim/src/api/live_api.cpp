// The extern "C" live API (tshim_connect, tshim_live_*): argument checks, exceptions turned into status codes.
#include <memory>
#include <mutex>
#include <string>

#include "format/error.hpp"
#include "api/handle.hpp"
#include "live/session.hpp"
#include "model/memory.hpp"
#include "api/status_guard.hpp"
#include "tracy_shim.h"

struct tshim_live {
    std::unique_ptr<tshim::live::Session> session;
    mutable std::mutex mutex;
    std::string snapshot_error;  // the last snapshot failure, reported before the session's own error
};

extern "C" {

tshim_live* tshim_connect(const char* address, uint16_t port, uint64_t memory_limit_bytes, uint32_t protocol) {
    if (!address) return nullptr;
    try {
        auto live = std::make_unique<tshim_live>();
        live->session = std::make_unique<tshim::live::Session>(address, port, memory_limit_bytes, protocol);
        return live.release();  // owned by the caller until tshim_live_close
    } catch (...) {
        return nullptr;
    }
}

int tshim_live_wait(tshim_live* live, int until_ended, double timeout_s) {
    if (!live) return TSHIM_ERR_ARG;
    return until_ended ? live->session->wait_ended(timeout_s) : live->session->wait_started(timeout_s);
}

int tshim_live_status(const tshim_live* live, tshim_live_info* out) {
    if (!live || !out) return TSHIM_ERR_ARG;
    const auto s = live->session->stats();
    out->state = s.state;
    out->end_reason = s.end_reason;
    out->protocol = s.protocol;
    out->bytes_received = s.bytes_received;
    out->bytes_decoded = s.bytes_decoded;
    out->frames = s.frames;
    out->events = s.events;
    out->memory_bytes = s.memory_bytes;
    out->generation = s.generation;
    out->queries_pending = s.queries_pending;
    out->seconds = s.connected_seconds;
    return TSHIM_OK;
}

const char* tshim_live_error(const tshim_live* live) {
    thread_local std::string copy;
    if (!live) return "null live handle";
    {
        std::lock_guard<std::mutex> lock(live->mutex);
        copy = live->snapshot_error;
    }
    if (copy.empty()) copy = live->session->error();
    return copy.c_str();
}

int tshim_live_error_status(const tshim_live* live) {
    return live ? live->session->error_status() : TSHIM_ERR_ARG;
}

tshim_capture* tshim_live_snapshot(tshim_live* live) {
    if (!live) return nullptr;
    tshim_capture* out = nullptr;
    std::string message;
    tshim::guard_status(message, [&] {
        auto cap = std::make_unique<tshim_capture>();
        live->session->snapshot(cap->impl);
        out = cap.release();  // owned by the caller until tshim_close
        return 0;
    });
    std::lock_guard<std::mutex> lock(live->mutex);
    live->snapshot_error = message;
    return out;
}

int tshim_disconnect(tshim_live* live) {
    if (!live) return TSHIM_ERR_ARG;
    live->session->request_stop();
    return TSHIM_OK;
}

void tshim_live_close(tshim_live* live) {
    if (!live) return;
    std::unique_ptr<tshim_live>{live}.reset();
    tshim::return_free_memory();  // the session's event store and network buffers
}

}  // extern "C"
