// Statistics of the CPU zones per group of source locations, with self time and duration percentiles: the
// engine's half of `zone_stats()` (one pass over the zones, then a selection per group; no per-zone output).
#pragma once

#include <cstdint>
#include <vector>

#include "model/model.hpp"

namespace tshim {

struct ZoneGroupStats {
    // One item per group; percentiles: ngroups * quantiles, group-major (NaN for an empty group).
    std::vector<int64_t> count, total, min, max, self_total, self_min, self_max;
    std::vector<double> sum_sq, percentiles;
};

// Over the zones upstream counts (valid end, positive duration) of the srclocs with group_of[srcloc row] >= 0:
// count, total, min and max duration, sum of squares, and the total / min / max of their self time (duration
// minus the durations of the direct children, children without a valid end counting 0). `quantiles` are in
// [0, 100]; a percentile is linearly interpolated between the closest ranks, as numpy's default. Groups without
// zones get count 0, min / max / self_min / self_max 0. `group_of` has one entry per srcloc row.
ZoneGroupStats zone_group_stats(const Model& m, const std::vector<int32_t>& group_of, size_t ngroups,
                                const std::vector<double>& quantiles);

}  // namespace tshim
