#include "model/memory.hpp"

#include <algorithm>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tshim {

void populate_capacity(void* data, size_t item_bytes, size_t capacity, size_t from, size_t to) {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    to = std::min(to, capacity);
    if (!data || from >= to) return;
    const auto page = uintptr_t(::sysconf(_SC_PAGESIZE));
    const auto base = reinterpret_cast<uintptr_t>(data);
    const uintptr_t begin = (base + from * item_bytes) / page * page;
    const uintptr_t end = (base + to * item_bytes + page - 1) / page * page;
    // Whole pages past the end of the capacity may belong to another allocation: populating them only makes them
    // present early, which is harmless.
    ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);  // a hint: failure changes nothing
#else
    (void)data, (void)item_bytes, (void)capacity, (void)from, (void)to;
#endif
}

void return_free_memory() {
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
}

}  // namespace tshim
