// Call paths of a zone tree: zones merged by the chain of labels (e.g. zone names) from their root zone down to
// them, with per-path totals. The heavy half of the call tree analysis: one pass over the zones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace tshim {

// The zone columns a pass reads, all `rows` long; a zone's parent row comes before it (DFS pre-order).
template <class Src, class Owner> struct ZoneTreeColumns {
    int64_t rows = 0;
    const int64_t* start = nullptr;
    const int64_t* end = nullptr;     // negative: the zone never ended
    const int32_t* parent = nullptr;  // -1 for a root
    const Src* srcloc = nullptr;
    const Owner* owner = nullptr;  // the thread of a CPU zone
};

// One entry per path; a path's parent always has a smaller id. Sums count only zones with a valid end; self time
// is the duration minus the durations of the direct children that have a valid end.
struct ZonePaths {
    std::vector<int32_t> parent, label, owner;
    std::vector<int64_t> count, total, self, max;
    size_t size() const { return parent.size(); }
};

// Gives every row its path id in row_path[0..rows). labels[s] (s < n_labels) is the label of srcloc row s; other
// srclocs get label -1. per_owner: a root's path is keyed by (owner, label), else by its label alone (owner -1).
template <class Src, class Owner>
ZonePaths zone_paths(const ZoneTreeColumns<Src, Owner>& z, const int32_t* labels, int64_t n_labels, bool per_owner,
                     int32_t* row_path);

// Sums per path (count, total, self, max; `n_paths` entries each, zeroed first) over the zones of the chosen
// threads that overlap [window_start, window_end), their times clipped to the window: self time is a zone's clipped
// duration minus its children's. `row_path` as filled by zone_paths; `thread_rows[t]` = [begin, end) rows of thread
// t's zones, which are in DFS pre-order (so their starts never decrease).
struct PathSums {
    std::vector<int64_t> count, total, self, max;
};

template <class Src, class Owner>
PathSums zone_path_sums(const ZoneTreeColumns<Src, Owner>& z, const int32_t* row_path, int64_t n_paths,
                        const std::vector<std::pair<int64_t, int64_t>>& thread_rows, int64_t window_start,
                        int64_t window_end);

}  // namespace tshim
