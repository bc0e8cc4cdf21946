#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tshim {

class Capture;
struct LoadContext;

// Reads a .tracy file into `cap` (model, metadata, tables); throws tshim::Error on any failure.
// Runs on the capture's background thread; sets TSHIM_READY when tables are usable and TSHIM_COMPLETE once the
// derived statistics are built.
void load_file(Capture& cap, const std::string& path);

// Same, from a whole file's bytes in memory (used by load_file and by the fuzz target). `name` stands in for the
// file name where the capture has no name of its own. `file_mapping`: the bytes are a read-only file mapping whose
// pages may be dropped as they are decompressed.
void load_bytes(Capture& cap, const uint8_t* data, size_t size, const std::string& name, bool file_mapping = false);

// The end of every load, once ctx.model is filled (by the reader or a live snapshot): metadata derived from the
// model (crash text, first_time), the tables (READY), then the derived statistics (COMPLETE).
void finish_capture(LoadContext& ctx);

}  // namespace tshim
