// Innermost-zone look-ups: which CPU zone was open on a thread at given times (Python: ctx.zone_at).
#pragma once

#include <cstdint>

namespace tshim {

struct Model;

struct ZoneAtQuery {
    const int64_t* times = nullptr;
    int64_t count = 0;
    const int32_t* threads = nullptr;  // rows of `threads`: one per time, or a single one for every time
    int64_t thread_count = 0;          // 1 or `count`
    bool fibers = false;               // look through the fiber that ran on an OS thread at that time first
};

// out_zone[i]: row of `zones` innermost open at times[i] (start <= t < end; a zone that never ended stays open),
// -1 when none. out_thread (may be null): the thread row owning that zone (a fiber's when resolved through one),
// -1 when none. Throws Error(TSHIM_ERR_ARG) for a thread row out of range.
void zone_at(const Model& m, const ZoneAtQuery& q, int32_t* out_zone, int32_t* out_thread);

}  // namespace tshim
