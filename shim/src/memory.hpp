// Memory hints for the model's big columns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tshim {

// Asks the kernel to back the (still untouched) capacity of a large vector with transparent huge pages: far fewer
// page faults while the reader fills it. Only a hint; a no-op for small vectors and where unsupported.
void advise_huge_pages(void* data, size_t bytes);

template <class T> void reserve_huge(std::vector<T>& v, size_t n) {
    v.reserve(n);
    advise_huge_pages(v.data(), v.capacity() * sizeof(T));
}

}  // namespace tshim
