// The front half of the .tracy payload reader: one function per group of sections, called in file order by
// read/load_file.cpp. Each reads from the cursor into ctx.model / ctx.cap meta and throws tshim::Error on bad data.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "format/cursor.hpp"
#include "read/load_context.hpp"

namespace tshim {

// Oldest and newest file versions this reader understands.
constexpr int kMinFileVersion = file_version(0, 7, 0);
constexpr int kMaxFileVersion = file_version(0, 14, 255);

// Version header ("tracy" + major, minor, patch); checks the version range. Returns the version.
int read_version(Cursor& c);
// Timer, pid, CPU, capture name/program/time, host info, CPU topology, crash event.
void read_metadata(Cursor& c, LoadContext& ctx);
// Frame sets and their frames.
void read_frames(Cursor& c, LoadContext& ctx);
// Sections (0.13.4+).
void read_sections(Cursor& c, LoadContext& ctx);
// String table, string ids, thread names, external names, thread compression tables.
void read_strings(Cursor& c, LoadContext& ctx);
// Static and dynamic source locations, and the per-srcloc zone counts (CPU and GPU).
void read_srclocs(Cursor& c, LoadContext& ctx);
void read_locks(Cursor& c, LoadContext& ctx);
// Messages; returns the map from the file's message pointer to the message row (used by the thread lists).
std::unordered_map<uint64_t, int32_t> read_messages(Cursor& c, LoadContext& ctx);
// Zone extras, then every thread: its zone timeline, message list, context-switch samples and samples.
void read_threads(Cursor& c, LoadContext& ctx, const std::unordered_map<uint64_t, int32_t>& message_rows);

// Reads n bytes of text for a length read from the file, refusing absurd lengths.
std::string read_text(Cursor& c, uint64_t n, const char* what);

}  // namespace tshim
