#include "derive/derive.hpp"

#include <limits>

namespace tshim {

namespace {

// Upstream lists a zone under its srcloc (and counts it in the srcloc's statistics) when the zone has a valid end
// and a positive duration.
inline bool listed(const ZoneTable& z, size_t i, size_t srclocs) {
    return z.srcloc[i] < srclocs && z.end[i] >= 0 && z.end[i] - z.start[i] > 0;
}

}  // namespace

void prepare_derived(Model& m) {
    auto& s = m.srclocs;
    const auto& z = m.zones;
    const size_t n = s.count();
    s.zone_count.assign(n, 0);
    s.zone_total.assign(n, 0);
    s.zone_min.assign(n, std::numeric_limits<int64_t>::max());
    s.zone_max.assign(n, std::numeric_limits<int64_t>::min());
    s.zone_sum_sq.assign(n, 0.0);
    s.zones_begin.assign(n, 0);
    s.zones_end.assign(n, 0);
    for (size_t i = 0; i < z.count(); i++)
        if (listed(z, i, n)) s.zone_count[z.srcloc[i]]++;
    int32_t at = 0;
    for (size_t sl = 0; sl < n; sl++) {
        s.zones_begin[sl] = at;
        s.zones_end[sl] = at;  // advanced by build_derived as it places the zones
        at += int32_t(s.zone_count[sl]);
    }
    m.srcloc_zones.assign(size_t(at), 0);
}

void build_derived(Model& m, const Capture& cap) {
    auto& s = m.srclocs;
    const auto& z = m.zones;
    const size_t n = s.count();
    // Zone rows are already in upstream's order (threads in file order, DFS pre-order within each thread), so
    // placing them in row order keeps each srcloc's list in that order.
    for (size_t i = 0; i < z.count(); i++) {
        if (!listed(z, i, n)) continue;
        const size_t sl = z.srcloc[i];
        // Wrapping arithmetic: times come from untrusted input, and signed overflow would be undefined.
        const int64_t span = int64_t(uint64_t(z.end[i]) - uint64_t(z.start[i]));
        s.zone_total[sl] = int64_t(uint64_t(s.zone_total[sl]) + uint64_t(span));
        if (span < s.zone_min[sl]) s.zone_min[sl] = span;
        if (span > s.zone_max[sl]) s.zone_max[sl] = span;
        s.zone_sum_sq[sl] += double(span) * double(span);
        m.srcloc_zones[size_t(s.zones_end[sl]++)] = int32_t(i);
        if ((i & 0xFFFFF) == 0 && cap.cancel.load(std::memory_order_relaxed)) return;
    }
}

}  // namespace tshim
