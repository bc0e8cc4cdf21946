// Small reading helpers shared by the tail section readers (tail_*.cpp).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "format/cursor.hpp"
#include "format/error.hpp"
#include "read/load_context.hpp"

namespace tshim::tail {

// A 3-byte string index as stored (0 = no string, otherwise index + 1 into the file's string list).
inline int32_t string_idx(Cursor& c, const LoadContext& ctx) { return ctx.string_by_raw_idx(c.u24()); }

// A string named by a pointer key of the file's string map (0 = none).
inline int32_t string_ptr(uint64_t ptr, const LoadContext& ctx) { return ptr == 0 ? -1 : ctx.string_by_ptr(ptr); }

// Row of `threads` for an OS tid the front half already knows, -1 otherwise (never adds a thread row).
inline int32_t known_thread_row(uint64_t tid, const LoadContext& ctx) {
    auto it = ctx.thread_rows.find(tid);
    return it == ctx.thread_rows.end() ? -1 : int32_t(it->second);
}

// Reserves room for `count` items read from the file without letting a hostile count allocate much.
template <class T> void reserve_more(std::vector<T>& v, uint64_t count) {
    v.reserve(v.size() + Cursor::reserve_hint(count));
}

[[noreturn]] inline void corrupt(const std::string& what) {
    throw Error(TSHIM_ERR_FORMAT, "capture is corrupt: " + what);
}

inline int64_t row_of(size_t n) { return int64_t(n); }

// Row ids that must fit the int32 columns of the contract.
inline int32_t row32(size_t n, const char* what) {
    if (n > size_t(std::numeric_limits<int32_t>::max())) corrupt(std::string("too many ") + what);
    return int32_t(n);
}

}  // namespace tshim::tail
