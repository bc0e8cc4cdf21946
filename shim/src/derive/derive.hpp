// What is derived from the zones: upstream's per-srcloc statistics (counted while the zones are read, or in one
// pass for models built otherwise) and, on first use, the zone tree's links and the per-srcloc zone lists.
#pragma once

#include <algorithm>
#include <limits>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/model.hpp"

namespace tshim {

// Upstream counts a zone in its srcloc's statistics, and lists it under its srcloc, when the zone has a valid end
// and a positive duration. Wrapping arithmetic: times come from untrusted input.
inline int64_t zone_span(int64_t start, int64_t end) { return int64_t(uint64_t(end) - uint64_t(start)); }
inline bool stat_zone(int64_t start, int64_t end) { return end >= 0 && zone_span(start, end) > 0; }

// Sizes the per-srcloc statistics of `s` (zone_count, zone_total, zone_min, zone_max, zone_sum_sq) for "no zone".
void reset_zone_stats(SrclocTable& s);

// Counts zones in their srcloc's statistics (a no-op for zones upstream does not count), one compact record per
// srcloc (a zone updates one cache line instead of five columns); fold_into adds them to the table's columns. Ids
// past the table are counted nowhere.
class ZoneStatAccumulator {
public:
    explicit ZoneStatAccumulator(size_t srclocs) : limit_(srclocs), acc_(srclocs + 1) {}
    void add(uint16_t srcloc, int64_t start, int64_t end) {
        if (!stat_zone(start, end)) return;
        const int64_t span = zone_span(start, end);
        Record& r = acc_[std::min<size_t>(srcloc, limit_)];
        r.count++;
        r.total = int64_t(uint64_t(r.total) + uint64_t(span));
        r.min = std::min(r.min, span);
        r.max = std::max(r.max, span);
        r.sum_sq += double(span) * double(span);
    }
    void fold_into(SrclocTable& s) const;

private:
    struct Record {
        uint64_t count = 0;
        int64_t total = 0;
        int64_t min = std::numeric_limits<int64_t>::max();
        int64_t max = std::numeric_limits<int64_t>::min();
        double sum_sq = 0.0;
    };
    size_t limit_;
    std::vector<Record> acc_;
};

// Makes `z.extra` a full column of `rows` rows from its (row, extra) pairs, which it then frees; a no-op once
// the column is full.
inline void densify_zone_extras(ZoneTable& z, size_t rows) {
    if (z.extra.size() == rows) return;
    z.extra.assign(rows, 0);
    for (size_t i = 0; i < z.extra_rows.size(); i++) {
        const auto r = size_t(z.extra_rows[i]);
        if (r < rows) z.extra[r] = z.extra_values[i];
    }
    std::vector<int32_t>().swap(z.extra_rows);
    std::vector<uint32_t>().swap(z.extra_values);
}

// The per-srcloc statistics over every zone of `m`, for models whose zones were not counted as they were read
// (live snapshots, synthetic captures).
void build_zone_stats(Model& m);

}  // namespace tshim
