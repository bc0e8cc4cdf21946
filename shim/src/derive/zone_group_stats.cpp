#include "derive/zone_group_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "derive/derive.hpp"
#include "format/error.hpp"

namespace tshim {

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// numpy's 'linear' percentile of n sorted values from the two neighbouring order statistics.
double lerp(int64_t a, int64_t b, double t) {
    const double diff = double(b - a);
    return t >= 0.5 ? double(b) - diff * (1.0 - t) : double(a) + diff * t;
}

// Fills the percentiles of one group's durations `v` (reordered in place) into out[0..nq).
template <class T> void group_percentiles(T* v, size_t n, const std::vector<double>& qs, double* out) {
    struct Need {
        size_t rank;
        T value;
    };
    std::vector<Need> need;  // the order statistics the quantiles need, ascending
    std::vector<std::pair<size_t, double>> at(qs.size());  // per quantile: lower rank, weight of the next one
    for (size_t k = 0; k < qs.size(); k++) {
        const double vi = double(n - 1) * (qs[k] / 100.0);
        size_t lo = vi <= 0 ? 0 : size_t(std::floor(vi));
        double t = vi - std::floor(vi);
        if (vi >= double(n - 1)) {
            lo = n - 1;
            t = 0;
        } else if (vi < 0) {
            t = 0;
        }
        at[k] = {lo, t};
        need.push_back({lo, 0});
        need.push_back({std::min(lo + 1, n - 1), 0});
    }
    std::sort(need.begin(), need.end(), [](const Need& a, const Need& b) { return a.rank < b.rank; });
    size_t from = 0;  // everything before `from` is already placed and not greater than what follows
    for (auto& q : need) {
        if (q.rank >= from) {
            std::nth_element(v + from, v + q.rank, v + n);
            from = q.rank + 1;
        }
        q.value = v[q.rank];
    }
    auto value_at = [&](size_t rank) {
        return int64_t(std::lower_bound(need.begin(), need.end(), rank,
                                        [](const Need& a, size_t r) { return a.rank < r; })->value);
    };
    for (size_t k = 0; k < qs.size(); k++) {
        const auto [lo, t] = at[k];
        out[k] = lerp(value_at(lo), value_at(std::min(lo + 1, n - 1)), t);
    }
}

template <class T>
void percentiles(std::vector<T>& durations, const std::vector<size_t>& offsets, const std::vector<double>& qs,
                 std::vector<double>& out) {
    const size_t ngroups = offsets.size() - 1;
    std::vector<size_t> order(ngroups);  // largest groups first, spread over the cores
    for (size_t g = 0; g < ngroups; g++) order[g] = g;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return offsets[a + 1] - offsets[a] > offsets[b + 1] - offsets[b]; });
    auto run = [&](size_t worker, size_t workers) {
        for (size_t i = worker; i < ngroups; i += workers) {
            const size_t g = order[i], b = offsets[g], e = offsets[g + 1];
            if (e > b) group_percentiles(durations.data() + b, e - b, qs, out.data() + g * qs.size());
        }
    };
    const size_t workers = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), ngroups);
    if (workers <= 1 || durations.size() < (size_t(1) << 16)) return run(0, 1);
    std::vector<std::thread> threads;
    for (size_t w = 1; w < workers; w++) threads.emplace_back(run, w, workers);
    run(0, workers);
    for (auto& t : threads) t.join();
}

// One pass over every thread's zones in DFS pre-order: self time from a stack of open zones (their children's
// durations summed as they arrive), and each counted zone's duration copied to its group's slice.
template <class T>
void scan(const Model& m, const std::vector<int32_t>& group_of, ZoneGroupStats& r, std::vector<T>& durations,
          std::vector<size_t> next) {
    const auto& z = m.zones;
    const auto& th = m.threads;
    struct Open {
        size_t row;
        int64_t dur;       // 0 without a valid end
        int64_t children;  // durations of the direct children so far
    };
    std::vector<Open> open;
    auto close = [&](const Open& o) {
        const uint16_t sl = z.srcloc[o.row];
        if (o.dur <= 0 || sl >= group_of.size() || group_of[sl] < 0) return;
        const auto g = size_t(group_of[sl]);
        const auto self = int64_t(uint64_t(o.dur) - uint64_t(o.children));
        r.self_total[g] = int64_t(uint64_t(r.self_total[g]) + uint64_t(self));
        r.self_min[g] = std::min(r.self_min[g], self);
        r.self_max[g] = std::max(r.self_max[g], self);
    };
    for (size_t t = 0; t < th.count(); t++) {
        const auto b = size_t(th.zones_begin[t]), e = size_t(th.zones_end[t]);
        for (size_t row = b; row < e; row++) {
            const size_t d = z.depth[row];
            while (open.size() > d) {
                close(open.back());
                open.pop_back();
            }
            const int64_t start = z.start[row], end = z.end[row];
            const int64_t dur = end >= 0 ? zone_span(start, end) : 0;
            if (!open.empty() && dur > 0)
                open.back().children = int64_t(uint64_t(open.back().children) + uint64_t(dur));
            open.push_back({row, dur, 0});
            const uint16_t sl = z.srcloc[row];
            if (dur > 0 && sl < group_of.size() && group_of[sl] >= 0) durations[next[size_t(group_of[sl])]++] = T(dur);
        }
        while (!open.empty()) {
            close(open.back());
            open.pop_back();
        }
    }
}

}  // namespace

ZoneGroupStats zone_group_stats(const Model& m, const std::vector<int32_t>& group_of, size_t ngroups,
                                const std::vector<double>& quantiles) {
    const auto& s = m.srclocs;
    if (group_of.size() != s.count()) throw Error(TSHIM_ERR_ARG, "group_of needs one entry per source location");
    for (auto g : group_of)
        if (g >= int64_t(ngroups)) throw Error(TSHIM_ERR_ARG, "group index out of range");
    for (auto q : quantiles)
        if (!(q >= 0 && q <= 100)) throw Error(TSHIM_ERR_ARG, "quantiles must be in [0, 100]");
    ZoneGroupStats r;
    r.count.assign(ngroups, 0);
    r.total.assign(ngroups, 0);
    r.min.assign(ngroups, kMax);
    r.max.assign(ngroups, kMin);
    r.sum_sq.assign(ngroups, 0.0);
    r.self_total.assign(ngroups, 0);
    r.self_min.assign(ngroups, kMax);
    r.self_max.assign(ngroups, kMin);
    r.percentiles.assign(ngroups * quantiles.size(), std::nan(""));

    // The per-srcloc statistics are known since loading: combine them per group, in srcloc order.
    for (size_t sl = 0; sl < s.count(); sl++) {
        if (group_of[sl] < 0 || s.zone_count[sl] == 0) continue;
        const auto g = size_t(group_of[sl]);
        r.count[g] += int64_t(s.zone_count[sl]);
        r.total[g] = int64_t(uint64_t(r.total[g]) + uint64_t(s.zone_total[sl]));
        r.min[g] = std::min(r.min[g], s.zone_min[sl]);
        r.max[g] = std::max(r.max[g], s.zone_max[sl]);
        r.sum_sq[g] += s.zone_sum_sq[sl];
    }
    std::vector<size_t> offsets(ngroups + 1, 0);
    int64_t longest = 0;
    for (size_t g = 0; g < ngroups; g++) {
        offsets[g + 1] = offsets[g] + size_t(r.count[g]);
        if (r.count[g]) longest = std::max(longest, r.max[g]);
    }
    const std::vector<size_t> next(offsets.begin(), offsets.end() - 1);
    // Durations that fit in 32 bits (nearly always) are selected in half the memory.
    if (longest <= int64_t(UINT32_MAX)) {
        std::vector<uint32_t> durations(offsets.back());
        scan(m, group_of, r, durations, next);
        if (!quantiles.empty()) percentiles(durations, offsets, quantiles, r.percentiles);
    } else {
        std::vector<int64_t> durations(offsets.back());
        scan(m, group_of, r, durations, next);
        if (!quantiles.empty()) percentiles(durations, offsets, quantiles, r.percentiles);
    }
    for (size_t g = 0; g < ngroups; g++) {
        if (r.count[g]) continue;
        r.min[g] = r.max[g] = r.self_min[g] = r.self_max[g] = 0;
    }
    return r;
}

}  // namespace tshim
