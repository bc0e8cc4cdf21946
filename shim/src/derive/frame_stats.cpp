#include "derive/frame_stats.hpp"

#include <limits>

namespace tshim {

void finish_frame_set(Model& m, size_t begin, size_t end, bool continuous, int64_t last_time) {
    auto& fr = m.frames;
    auto& fs = m.frame_sets;
    uint64_t n = 0;
    int64_t total = 0, mn = std::numeric_limits<int64_t>::max(), mx = std::numeric_limits<int64_t>::min();
    double sum_sq = 0;
    for (size_t j = begin; j < end; j++) {
        int64_t span;
        if (continuous) {
            const int64_t e = j + 1 < end ? fr.start[j + 1] : last_time;
            fr.end[j] = e;
            span = int64_t(uint64_t(e) - uint64_t(fr.start[j]));  // wrapping: times come from untrusted input
        } else if (fr.end[j] >= 0) {
            span = int64_t(uint64_t(fr.end[j]) - uint64_t(fr.start[j]));
        } else {
            span = int64_t(uint64_t(last_time) - uint64_t(fr.start[end - 1]));
            fr.end[j] = last_time;
        }
        if (span > 0) {
            n++;
            total = int64_t(uint64_t(total) + uint64_t(span));
            if (span < mn) mn = span;
            if (span > mx) mx = span;
            sum_sq += double(span) * double(span);
        }
    }
    fs.stat_count.push_back(n);
    fs.stat_total.push_back(total);
    fs.stat_min.push_back(mn);
    fs.stat_max.push_back(mx);
    fs.stat_sum_sq.push_back(sum_sq);
}

}  // namespace tshim
