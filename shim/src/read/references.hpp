// Dangling references in a damaged capture: ids read from the file (source locations, callstacks) that point past
// the table they name. They are repaired once, at the end of every load (file or live snapshot), so that every
// reference column holds a valid row or its documented "none", and queries never index out of range.
#pragma once

#include <string>

namespace tshim {

struct LoadContext;

// Text of the source location that zones with an unknown source location are given.
constexpr const char* kUnknownSrclocName = "[unknown source location]";

// Points zones (CPU and GPU) whose source location is unknown at one placeholder row of `srclocs` (id 0, named
// kUnknownSrclocName, absent from upstream's name order), and unknown callstack ids at callstack 0 (none).
// Records what was repaired in meta `repaired_references` (count) and `repaired_references_text` (one line per
// column), both only when something was. Throws a format error when a placeholder row cannot be added.
void repair_references(LoadContext& ctx);

}  // namespace tshim
