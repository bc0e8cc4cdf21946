// Time arithmetic on values a client sent: wrapping adds and clamped conversions, so hostile or corrupt times can
// never cause undefined behaviour (real times are nanoseconds far inside these bounds).
#pragma once

#include <cmath>
#include <cstdint>

namespace tshim::live {

// Times are kept within +-2^55 ns (about a year), so differences and sums of a few stay representable.
constexpr int64_t kTimeLimit = int64_t(1) << 55;

inline int64_t wrap_add(int64_t a, int64_t b) { return int64_t(uint64_t(a) + uint64_t(b)); }
inline int64_t wrap_sub(int64_t a, int64_t b) { return int64_t(uint64_t(a) - uint64_t(b)); }

// A double time to int64, NaN to 0 and out-of-range values clamped.
inline int64_t clamp_time(double v) {
    if (!(v == v)) return 0;
    if (v > double(kTimeLimit)) return kTimeLimit;
    if (v < -double(kTimeLimit)) return -kTimeLimit;
    return int64_t(v);
}
inline int64_t clamp_time(int64_t v) { return v > kTimeLimit ? kTimeLimit : v < -kTimeLimit ? -kTimeLimit : v; }

}  // namespace tshim::live
