// Memory hints for the model's big columns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tshim {

// Gives the allocator's free memory back to the operating system (glibc keeps freed heap memory, per thread arena,
// for reuse: without this a process that loads and closes many captures keeps the peak of every loader thread).
// A no-op where unsupported.
void return_free_memory();

// Faults in items [from, to) of a vector's reserved capacity in one call (many pages per kernel entry: about a
// quarter cheaper than one fault per page as a writer first touches them). A no-op where unsupported.
void populate_capacity(void* data, size_t item_bytes, size_t capacity, size_t from, size_t to);
template <class T> void populate_capacity(std::vector<T>& v, size_t from, size_t to) {
    populate_capacity(v.data(), sizeof(T), v.capacity(), from, to);
}

// Makes room for `extra` more items, growing geometrically (repeated calls stay amortized O(1) per item).
template <class T> void reserve_more(std::vector<T>& v, size_t extra) {
    const size_t want = v.size() + extra;
    if (want > v.capacity()) v.reserve(want > 2 * v.capacity() ? want : 2 * v.capacity());
}

}  // namespace tshim
