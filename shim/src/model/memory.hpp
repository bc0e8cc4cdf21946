// Memory hints for the model's big columns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tshim {

// Asks the kernel to back the (still untouched) capacity of a large vector with transparent huge pages: far fewer
// page faults while the reader fills it. Only a hint; a no-op for small vectors and where unsupported.
void advise_huge_pages(void* data, size_t bytes);

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
