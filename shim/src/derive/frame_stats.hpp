// Upstream's frame durations and per-set FrameStats, shared by the file reader and the live capture.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/model.hpp"

namespace tshim {

// Frames [begin, end) of `m.frames` form one set: a continuous frame lasts until the next one starts and the last
// one until `last_time`; a discontinuous frame without an end is given (last_time - last frame's start). Fills
// their `end`s and appends the set's stat_* (over frames with a positive duration) to `m.frame_sets`.
void finish_frame_set(Model& m, size_t begin, size_t end, bool continuous, int64_t last_time);

}  // namespace tshim
