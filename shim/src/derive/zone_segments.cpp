#include "derive/zone_segments.hpp"

#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "model/memory.hpp"

namespace tshim {

size_t pass_workers(size_t items) {
    constexpr size_t kMinPerWorker = size_t(1) << 18;  // below this a thread costs more than it saves
    const size_t cores = std::max(1u, std::thread::hardware_concurrency());
    return std::max<size_t>(1, std::min(cores, items / kMinPerWorker));
}

void prefer_small_pages(void* data, size_t bytes) {
#if defined(__linux__) && defined(MADV_NOHUGEPAGE)
    const auto page = uintptr_t(::sysconf(_SC_PAGESIZE));
    const auto base = reinterpret_cast<uintptr_t>(data);
    const uintptr_t begin = (base + page - 1) / page * page, end = (base + bytes) / page * page;  // its own pages only
    if (data && end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_NOHUGEPAGE);
#else
    (void)data, (void)bytes;
#endif
}

void populate_rows(void* data, size_t item_bytes, size_t rows, size_t from, size_t to) {
    populate_capacity(data, item_bytes, rows, from, to);
}

std::vector<ZoneSegment> zone_segments(const Model& m, size_t pieces) {
    const auto& z = m.zones;
    const auto& t = m.threads;
    const size_t n = z.count();
    std::vector<std::pair<size_t, size_t>> ranges;
    for (size_t th = 0; th < t.count(); th++) {
        const auto b = size_t(std::max(0, t.zones_begin[th])), e = std::min(n, size_t(std::max(0, t.zones_end[th])));
        if (b < e) ranges.emplace_back(b, e);
    }
    std::sort(ranges.begin(), ranges.end());
    const size_t target = std::max<size_t>(1, n / std::max<size_t>(1, pieces));
    std::vector<ZoneSegment> out;
    size_t at = 0;  // rows before `at` are covered
    for (auto [b, e] : ranges) {
        b = std::max(b, at);
        if (b >= e) continue;
        if (at < b) out.push_back({at, b, false});
        for (size_t s = b; s < e;) {
            size_t cut = s + target < e ? s + target : e;
            while (cut < e && z.depth[cut] != 0) cut++;  // a new tree starts at depth 0
            out.push_back({s, cut, true});
            s = cut;
        }
        at = e;
    }
    if (at < n) out.push_back({at, n, false});
    return out;
}

}  // namespace tshim
