// Writes a capture held in memory as a .tracy file of file version 0.14.0: every section the reader reads, in
// the file's order, with the model's rows mapped back to the file's representation (string table with
// pointers and 3-byte string indices, srcloc ids, compressed thread indices, delta-encoded times, nested zones).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "format/container.hpp"

namespace tshim {

class Capture;

struct SaveOptions {
    Compression compression = Compression::Zstd;
    int level = 3;        // zstd level (LZ4 has none)
    int streams = 4;      // 1..255
    bool overwrite = false;
    bool frame_image_dict = false;  // train a zstd dictionary over the frame images and store it (upstream's fi_dict)
};

struct SaveProgress {
    std::atomic<uint64_t> done{0};   // payload bytes compressed so far
    std::atomic<uint64_t> total{0};  // payload bytes expected (an estimate until the end)
    std::atomic<bool> cancel{false};  // set by another thread: the save stops with an error, leaving nothing
};

struct SaveOutcome {
    uint64_t payload_bytes = 0;  // uncompressed
    uint64_t file_bytes = 0;     // what landed on disk
    double seconds = 0;
};

// Writes `cap` (state READY or later) to `path` through a temporary file in the same folder, renamed into place
// only once complete. Refuses an existing target unless opt.overwrite. Throws Error on failure or cancellation,
// leaving nothing behind. `progress` may be null.
SaveOutcome save_capture(const Capture& cap, const std::string& path, const SaveOptions& opt,
                         SaveProgress* progress);

}  // namespace tshim
