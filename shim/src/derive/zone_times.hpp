// Per-zone columns computed on request into the caller's memory, in one pass split over the cores: the CPU
// zones' durations and self times, and codes looked up per zone (the `zones()` table's derived columns).
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/model.hpp"

namespace tshim {

// For every row of m.zones (n items each; either may be null): duration = end - start (0 without a valid end) and
// self = duration minus the durations of the zone's direct children (parent links as Model::zone_links; wrapping
// arithmetic, as numpy's).
void zone_times(const Model& m, int64_t* duration, int64_t* self, size_t n);

enum class ZoneKey { srcloc, thread, extra };

// out[row] = lut[key of the zone] for every row of m.zones (n items of `width` bytes: 1, 2 or 4, signed), or
// `missing` where the key is not below nlut. Every lut value and `missing` must fit the width. The thread key
// builds Model::zone_threads first; the extra key reads the loader's (row, extra) pairs where it kept them, else
// the extra column.
void zone_codes(Model& m, ZoneKey key, const int32_t* lut, size_t nlut, int32_t missing, void* out, int width,
                size_t n);

}  // namespace tshim
