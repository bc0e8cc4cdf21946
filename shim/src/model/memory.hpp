// Memory hints for the model's big columns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tshim {

// Asks the kernel to back the (still untouched) capacity of a large vector with transparent huge pages: far fewer
// page faults while the reader fills it. Only a hint; a no-op for small vectors and where unsupported.
void advise_huge_pages(void* data, size_t bytes);

// Gives the allocator's free memory back to the operating system (glibc keeps freed heap memory, per thread arena,
// for reuse: without this a process that loads and closes many captures keeps the peak of every loader thread).
// A no-op where unsupported.
void return_free_memory();

// Makes room for `extra` more items, growing geometrically (repeated calls stay amortized O(1) per item).
template <class T> void reserve_more(std::vector<T>& v, size_t extra) {
    const size_t want = v.size() + extra;
    if (want > v.capacity()) v.reserve(want > 2 * v.capacity() ? want : 2 * v.capacity());
}

template <class T> void reserve_huge(std::vector<T>& v, size_t n) {
    v.reserve(n);
    advise_huge_pages(v.data(), v.capacity() * sizeof(T));
}

}  // namespace tshim
