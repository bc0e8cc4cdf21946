// The extern "C" entry point of the writer (tshim_save): argument checks, exceptions turned into statuses.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "format/error.hpp"
#include "api/handle.hpp"
#include "api/status_guard.hpp"
#include "tracy_shim.h"
#include "write/capture.hpp"

#if defined(_MSC_VER)
#include <windows.h>
#endif

namespace {

thread_local std::string g_save_error;

// Stores a progress counter the caller reads from another thread (the C API hands plain uint64_t memory).
void publish(uint64_t* p, uint64_t v) {
#if defined(_MSC_VER)
    InterlockedExchange64(reinterpret_cast<volatile LONG64*>(p), LONG64(v));
#else
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
#endif
}

uint64_t peek(const uint64_t* p) {
#if defined(_MSC_VER)
    return uint64_t(InterlockedCompareExchange64(reinterpret_cast<volatile LONG64*>(const_cast<uint64_t*>(p)), 0, 0));
#else
    return __atomic_load_n(p, __ATOMIC_RELAXED);
#endif
}

}  // namespace

extern "C" {

int tshim_save(tshim_capture* cap, const char* path, int compression, int level, int streams, int flags,
               uint64_t* progress, tshim_save_result* out) {
    return tshim::guard_status(g_save_error, [&] {
        if (!cap || !path) throw tshim::Error(TSHIM_ERR_ARG, "null argument");
        if (compression != TSHIM_SAVE_LZ4 && compression != TSHIM_SAVE_ZSTD)
            throw tshim::Error(TSHIM_ERR_ARG, "compression must be TSHIM_SAVE_LZ4 (0) or TSHIM_SAVE_ZSTD (1)");
        if (streams < 1 || streams > 255) throw tshim::Error(TSHIM_ERR_ARG, "streams must be 1..255");
        if (compression == TSHIM_SAVE_ZSTD && (level < 1 || level > 22))
            throw tshim::Error(TSHIM_ERR_ARG, "zstd level must be 1..22, not " + std::to_string(level));
        tshim::SaveOptions opt;
        opt.compression = compression == TSHIM_SAVE_LZ4 ? tshim::Compression::Lz4 : tshim::Compression::Zstd;
        opt.level = level;
        opt.streams = streams;
        opt.overwrite = (flags & TSHIM_SAVE_OVERWRITE) != 0;
        opt.frame_image_dict = (flags & TSHIM_SAVE_FRAME_IMAGE_DICT) != 0;
        tshim::SaveProgress prog;
        // Publish progress to the caller's two counters from a watcher while the save runs.
        std::atomic<bool> done{false};
        std::thread watcher;
        if (progress) {
            watcher = std::thread([&] {
                while (!done.load()) {
                    publish(&progress[0], prog.done.load());
                    publish(&progress[1], prog.total.load());
                    if (peek(&progress[2])) prog.cancel = true;
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                }
            });
        }
        struct Join {
            std::atomic<bool>& done;
            std::thread& t;
            ~Join() {
                done = true;
                if (t.joinable()) t.join();
            }
        } join{done, watcher};
        const auto r = tshim::save_capture(cap->impl, path, opt, &prog);
        if (progress) {
            publish(&progress[0], r.payload_bytes);
            publish(&progress[1], r.payload_bytes);
        }
        if (out) {
            out->uncompressed_bytes = r.payload_bytes;
            out->compressed_bytes = r.file_bytes;
            out->seconds = r.seconds;
        }
        return TSHIM_OK;
    });
}

const char* tshim_save_error(void) { return g_save_error.c_str(); }

}  // extern "C"
