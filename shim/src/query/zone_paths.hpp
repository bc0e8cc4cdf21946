// Call paths of a zone tree: zones merged by the chain of labels (e.g. zone names) from their root zone down to
// them, with per-path totals. The heavy half of the call tree analysis: one pass over the zones.
#pragma once

#include <cstddef>
#include <cstdint>
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

}  // namespace tshim
