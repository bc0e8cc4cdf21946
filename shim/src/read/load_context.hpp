// What the front half of the reader hands to the tail reader (read_tail): the file version, the model being
// built, and the lookups that turn the file's references (string pointers, string indices, thread ids, compressed
// thread indices, srcloc ids) into rows of our tables.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/capture.hpp"
#include "model/model.hpp"

namespace tshim {

// File versions are major<<16 | minor<<8 | patch, as the file's header stores them.
constexpr int file_version(int major, int minor, int patch) { return (major << 16) | (minor << 8) | patch; }

struct LoadContext {
    LoadContext(int version_, Capture& cap_, Model& model_) : version(version_), cap(cap_), model(model_) {}

    int version;  // file version, e.g. file_version(0, 14, 0)
    Capture& cap;
    Model& model;

    // --- strings (every result is a row of table `strings`, -1 = no text) ---------------------------------------
    // A string referenced by the client-side pointer id the file uses for named things (upstream's
    // GetString(uint64_t): plot names, frame set names, memory pool names, StringRef with isidx = 0).
    // Unknown id -> -1.
    int32_t string_by_ptr(uint64_t file_ptr) const;
    // A string by its index in the file's string table (upstream's StringIdx::Idx(), 0-based). Out of range -> -1.
    int32_t string_by_idx(uint32_t idx) const;
    // A raw 3-byte StringIdx field as stored (0 = none, otherwise index + 1).
    int32_t string_by_raw_idx(uint32_t raw) const { return raw == 0 ? -1 : string_by_idx(raw - 1); }
    // A stored StringRef (u64 str + flag byte: bit 0 isidx, bit 1 active). Inactive -> -1.
    int32_t string_by_ref(uint64_t str, uint8_t flags) const;
    // Adds a string to the pool (deduplicated) and returns its id.
    int32_t intern(std::string_view s);

    // --- threads -------------------------------------------------------------------------------------------------
    // Row in `threads` for an OS thread id, creating a row (unnamed unless the capture names it) if needed.
    uint32_t thread_row(uint64_t tid);
    // OS thread id for a compressed (uint16) thread index as stored in GPU zones, memory events, ...
    // (upstream's localThreadCompress). Unknown index -> 0.
    uint64_t thread_tid_by_compressed(uint16_t idx) const;
    // Row in `threads` for a compressed thread index (creates the row like thread_row).
    uint32_t thread_row_compressed(uint16_t idx) { return thread_row(thread_tid_by_compressed(idx)); }
    // The "external" thread table (upstream's externalThreadCompress), used by context-switch data.
    uint64_t external_tid_by_compressed(uint16_t idx) const;

    // --- source locations ---------------------------------------------------------------------------------------
    // Row in `srclocs` for a srcloc id as stored (static 1..S, dynamic -1..-D). Throws a format error when the id
    // does not exist.
    int32_t srcloc_row(int16_t file_srcloc_id) const;
    // Same, but -1 instead of throwing.
    int32_t srcloc_row_or_none(int16_t file_srcloc_id) const;

    // Copies the file's lookup tables (string ids, thread names, compressed thread tables) into model.lookup,
    // so the capture can be written back.
    void keep_file_lookups();

    // --- loading -------------------------------------------------------------------------------------------------
    // Throws when the capture is being closed (tshim_close); call now and then in long loops.
    void check_cancel() const;
    // Sets the stage name shown by tshim_progress (a string literal).
    void stage(const char* name) const { cap.stage = name; }

    // ----- state filled by the front half (B should not need these directly) -----
    std::unordered_map<uint64_t, int32_t> string_ids;     // client pointer id -> string id
    std::vector<uint64_t> local_threads, external_threads;  // compressed index -> tid
    std::unordered_map<uint64_t, uint32_t> thread_rows;   // tid -> row
    std::unordered_map<uint64_t, int32_t> thread_names;   // tid -> string id
    int64_t unknown_zone_srclocs = -1;  // CPU zones with an unknown srcloc, counted by the reader (-1: not counted)
    uint32_t file_string_count = 0;                       // strings read from the file's string table
    int32_t static_srcloc_count = 0, dynamic_srcloc_count = 0;
    std::vector<int32_t> static_srcloc_rows;              // index = static id, value = row (-1 missing)
    int32_t frame_name = -1;                              // string id of "Frame" (base frame set)
    bool zone_stats_counted = false;                      // the reader counted the zone statistics as it read them

private:
    std::unordered_map<std::string, int32_t> intern_index_;
    bool intern_indexed_ = false;
};

}  // namespace tshim
