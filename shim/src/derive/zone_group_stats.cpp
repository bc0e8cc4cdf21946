#include "derive/zone_group_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "derive/derive.hpp"
#include "derive/zone_segments.hpp"
#include "format/error.hpp"

namespace tshim {

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
// Groups of at least this many zones find their percentiles through a histogram of their durations (kBins bins)
// counted during the pass, then a second pass picks the durations of the bins that hold the ranks: no copy of
// every duration (on 20 M zones that copy, and the fresh memory it needs, cost more than the pass itself).
constexpr size_t kHistogramFrom = size_t(1) << 16;
constexpr size_t kBins = size_t(1) << 12;

// A duration's bin where a group's durations reach kBins: 64 bins per power of two (a bin spans under 1.6% of its
// values), so one long outlier does not squeeze every other duration into one bin. Monotonic; bins below
// kExactBins hold one value each (the bin). Shorter durations are their own bin.
constexpr int kSubBits = 6;
constexpr size_t kExactBins = size_t(2) << kSubBits;
size_t bin_of(uint64_t v) {
    if (v < kExactBins) return size_t(v);
#if defined(__GNUC__) || defined(__clang__)
    const int e = 63 - __builtin_clzll(v);  // floor(log2 v), at least kSubBits + 1
#else
    int e = 0;
    while ((v >> (e + 1)) != 0) e++;
#endif
    return (size_t(e - kSubBits + 1) << kSubBits) + size_t((v >> (e - kSubBits)) & ((uint64_t(1) << kSubBits) - 1));
}

// numpy's 'linear' percentile of n sorted values from the two neighbouring order statistics.
double lerp(int64_t a, int64_t b, double t) {
    const double diff = double(b - a);
    return t >= 0.5 ? double(b) - diff * (1.0 - t) : double(a) + diff * t;
}

// The order statistics (ranks, ascending and distinct) that the quantiles of n values need, and per quantile its
// lower rank and the weight of the next one.
struct Ranks {
    std::vector<size_t> ranks;
    std::vector<std::pair<size_t, double>> at;
};

Ranks ranks_for(size_t n, const std::vector<double>& qs) {
    Ranks r;
    for (auto q : qs) {
        const double vi = double(n - 1) * (q / 100.0);
        size_t lo = vi <= 0 ? 0 : size_t(std::floor(vi));
        double t = vi - std::floor(vi);
        if (vi >= double(n - 1)) {
            lo = n - 1;
            t = 0;
        } else if (vi < 0) {
            t = 0;
        }
        r.at.push_back({lo, t});
        r.ranks.push_back(lo);
        r.ranks.push_back(std::min(lo + 1, n - 1));
    }
    std::sort(r.ranks.begin(), r.ranks.end());
    r.ranks.erase(std::unique(r.ranks.begin(), r.ranks.end()), r.ranks.end());
    return r;
}

// The percentiles from the values of the ranks (values[i] = order statistic ranks[i]).
void put_percentiles(const Ranks& r, size_t n, const std::vector<int64_t>& values, double* out) {
    auto value_at = [&](size_t rank) {
        return values[size_t(std::lower_bound(r.ranks.begin(), r.ranks.end(), rank) - r.ranks.begin())];
    };
    for (size_t k = 0; k < r.at.size(); k++) {
        const auto [lo, t] = r.at[k];
        out[k] = lerp(value_at(lo), value_at(std::min(lo + 1, n - 1)), t);
    }
}

// The values of the ranks of v (reordered in place): nth_element on the part not yet placed.
template <class T> std::vector<int64_t> select_ranks(std::vector<T>& v, const std::vector<size_t>& ranks) {
    std::vector<int64_t> out(ranks.size());
    size_t from = 0;  // everything before `from` is already placed and not greater than what follows
    for (size_t i = 0; i < ranks.size(); i++) {
        if (ranks[i] >= from) {
            std::nth_element(v.begin() + ptrdiff_t(from), v.begin() + ptrdiff_t(ranks[i]), v.end());
            from = ranks[i] + 1;
        }
        out[i] = int64_t(v[ranks[i]]);
    }
    return out;
}

// A group counted through a histogram: per rank the bin holding it and its rank within that bin.
struct Histogrammed {
    size_t group;
    bool exact;    // every duration below kBins: a bin is its duration
    size_t n = 0;  // durations counted
    Ranks ranks;
    std::vector<size_t> bin, within;
};

// What one worker gathers over its segments (allocated by that worker: workers writing next to each other would
// share cache lines).
template <class T> struct Share {
    std::vector<size_t> segments;
    std::vector<int64_t> self_total, self_min, self_max;  // per group
    std::vector<std::vector<T>> durations;                 // per group counted without a histogram
    std::vector<uint32_t> histogram;                       // per histogrammed group, kBins counts
    std::vector<std::vector<T>> picked;                    // per (histogrammed group, bin holding a rank)
};

struct Plan {
    const std::vector<int32_t>& group_of;
    std::vector<int32_t> slot;  // per group: its index among the histogrammed groups, or -1
    std::vector<Histogrammed> histogrammed;
    std::vector<int32_t> pick;  // per (histogrammed group, bin): index into Share::picked, or -1

    size_t bin(size_t slot_index, int64_t dur) const {
        return histogrammed[slot_index].exact ? std::min(size_t(dur), kBins - 1) : bin_of(uint64_t(dur));
    }
    int32_t group(const ZoneTable& z, size_t row) const {
        const uint16_t sl = z.srcloc[row];
        return sl < group_of.size() ? group_of[sl] : -1;
    }
};

// Pass 1 over one segment in DFS pre-order: self time from a stack of open zones (their children's durations
// summed as they arrive), and each counted zone's duration into its group's histogram or list.
template <class T> void count_segment(const Model& m, const ZoneSegment& s, const Plan& p, Share<T>& w) {
    const auto& z = m.zones;
    struct Open {
        size_t row;
        int64_t dur;       // 0 without a valid end
        int64_t children;  // durations of the direct children so far
    };
    std::vector<Open> open;
    auto close = [&](const Open& o) {
        const int32_t g = p.group(z, o.row);
        if (o.dur <= 0 || g < 0) return;
        const auto self = int64_t(uint64_t(o.dur) - uint64_t(o.children));
        w.self_total[size_t(g)] = int64_t(uint64_t(w.self_total[size_t(g)]) + uint64_t(self));
        w.self_min[size_t(g)] = std::min(w.self_min[size_t(g)], self);
        w.self_max[size_t(g)] = std::max(w.self_max[size_t(g)], self);
    };
    for (size_t row = s.begin; row < s.end; row++) {
        const size_t d = s.tree ? z.depth[row] : 0;
        while (open.size() > d) {
            close(open.back());
            open.pop_back();
        }
        const int64_t start = z.start[row], end = z.end[row];
        const int64_t dur = end >= 0 ? zone_span(start, end) : 0;
        if (!open.empty() && dur > 0) open.back().children = int64_t(uint64_t(open.back().children) + uint64_t(dur));
        open.push_back({row, dur, 0});
        const int32_t g = p.group(z, row);
        if (dur <= 0 || g < 0) continue;
        const int32_t slot = p.slot[size_t(g)];
        if (slot >= 0) w.histogram[size_t(slot) * kBins + p.bin(size_t(slot), dur)]++;
        else w.durations[size_t(g)].push_back(T(dur));
    }
    while (!open.empty()) {
        close(open.back());
        open.pop_back();
    }
}

// Pass 2 over one segment: the durations of the histogrammed groups that fall in a bin holding a rank.
template <class T> void pick_segment(const Model& m, const ZoneSegment& s, const Plan& p, Share<T>& w) {
    const auto& z = m.zones;
    for (size_t row = s.begin; row < s.end; row++) {
        const int32_t g = p.group(z, row);
        if (g < 0 || p.slot[size_t(g)] < 0) continue;
        const int64_t end = z.end[row];
        const int64_t dur = end >= 0 ? zone_span(z.start[row], end) : 0;
        if (dur <= 0) continue;
        const auto slot = size_t(p.slot[size_t(g)]);
        const int32_t at = p.pick[slot * kBins + p.bin(slot, dur)];
        if (at >= 0) w.picked[size_t(at)].push_back(T(dur));
    }
}

template <class T>
void self_times_and_percentiles(const Model& m, const std::vector<int32_t>& group_of, const std::vector<double>& qs,
                                ZoneGroupStats& r) {
    const size_t ngroups = r.count.size(), n = m.zones.count();
    Plan p{group_of, std::vector<int32_t>(ngroups, -1), {}, {}};
    for (size_t g = 0; g < ngroups; g++) {
        if (qs.empty() || size_t(r.count[g]) < kHistogramFrom) continue;
        p.slot[g] = int32_t(p.histogrammed.size());
        const bool exact = r.max[g] < int64_t(kBins) - 1;  // the last bin also takes any longer one (inconsistent)
        p.histogrammed.push_back(Histogrammed{g, exact, 0, ranks_for(size_t(r.count[g]), qs), {}, {}});
    }
    const size_t workers = pass_workers(n);
    const auto segments = zone_segments(m, workers * 4);
    std::vector<Share<T>> shares(workers);
    for (size_t i = 0; i < segments.size(); i++) shares[i % workers].segments.push_back(i);
    run_parallel(workers, workers, [&](size_t k) {
        auto& w = shares[k];
        w.self_total.assign(ngroups, 0);
        w.self_min.assign(ngroups, kMax);
        w.self_max.assign(ngroups, kMin);
        w.durations.resize(ngroups);
        w.histogram.assign(p.histogrammed.size() * kBins, 0);
        for (auto i : w.segments) count_segment(m, segments[i], p, w);
    });
    for (size_t g = 0; g < ngroups; g++)
        for (auto& w : shares) {
            r.self_total[g] = int64_t(uint64_t(r.self_total[g]) + uint64_t(w.self_total[g]));
            r.self_min[g] = std::min(r.self_min[g], w.self_min[g]);
            r.self_max[g] = std::max(r.self_max[g], w.self_max[g]);
        }
    if (qs.empty()) return;

    // The bin of each rank of the histogrammed groups; durations are picked from those bins unless a bin is
    // one duration wide (then it is the value).
    size_t npicked = 0;
    p.pick.assign(p.histogrammed.size() * kBins, -1);
    for (size_t h = 0; h < p.histogrammed.size(); h++) {
        auto& hg = p.histogrammed[h];
        std::vector<size_t> count(kBins, 0);
        size_t total = 0;
        for (auto& w : shares)
            for (size_t b = 0; b < kBins; b++) count[b] += w.histogram[h * kBins + b];
        for (auto c : count) total += c;
        hg.n = total;
        if (total != size_t(r.count[hg.group])) hg.ranks = ranks_for(total, qs);  // never with consistent counts
        if (total == 0) continue;
        size_t b = 0, below = 0;  // the values in the bins before b
        for (auto rank : hg.ranks.ranks) {
            while (b + 1 < kBins && below + count[b] <= rank) below += count[b++];
            hg.bin.push_back(b);
            hg.within.push_back(rank - below);
            const bool exact = hg.exact ? b + 1 < kBins : b < kExactBins;  // the bin is its one duration
            if (p.pick[h * kBins + b] < 0 && !exact) p.pick[h * kBins + b] = int32_t(npicked++);
        }
    }
    if (npicked) {
        run_parallel(workers, workers, [&](size_t k) {
            auto& w = shares[k];
            w.picked.resize(npicked);
            for (auto i : w.segments) pick_segment(m, segments[i], p, w);
        });
    }
    auto gather = [&](auto member) {  // one group's (or bin's) durations from every worker
        std::vector<T> all = std::move(member(shares[0]));
        for (size_t k = 1; k < shares.size(); k++) {
            auto& more = member(shares[k]);
            all.insert(all.end(), more.begin(), more.end());
        }
        return all;
    };
    // Each picked bin's durations from every worker, then its ranks in order (a bin at a time, spread over the
    // cores): nth_element reorders the bin and leaves it the same set for the next rank.
    std::vector<std::vector<int64_t>> values(p.histogrammed.size());
    std::vector<std::vector<std::pair<size_t, size_t>>> ranks_in(npicked);  // per picked bin: (group slot, rank)
    for (size_t h = 0; h < p.histogrammed.size(); h++) {
        const auto& hg = p.histogrammed[h];
        values[h].assign(hg.bin.size(), 0);
        for (size_t i = 0; i < hg.bin.size(); i++) {
            const int32_t at = p.pick[h * kBins + hg.bin[i]];
            if (at < 0) values[h][i] = int64_t(hg.bin[i]);  // an exact bin
            else ranks_in[size_t(at)].push_back({h, i});
        }
    }
    run_parallel(npicked, workers, [&](size_t at) {
        auto members = gather([&](Share<T>& w) -> std::vector<T>& { return w.picked[at]; });
        for (auto [h, i] : ranks_in[at]) {
            const auto within = ptrdiff_t(p.histogrammed[h].within[i]);
            std::nth_element(members.begin(), members.begin() + within, members.end());
            values[h][i] = int64_t(members[size_t(within)]);
        }
    });
    for (size_t h = 0; h < p.histogrammed.size(); h++) {
        const auto& hg = p.histogrammed[h];
        if (hg.n) put_percentiles(hg.ranks, hg.n, values[h], r.percentiles.data() + hg.group * qs.size());
    }
    std::vector<size_t> listed;  // the other groups with zones, largest first, spread over the cores
    for (size_t g = 0; g < ngroups; g++)
        if (p.slot[g] < 0 && r.count[g] > 0) listed.push_back(g);
    std::sort(listed.begin(), listed.end(), [&](size_t a, size_t b) { return r.count[a] > r.count[b]; });
    run_parallel(listed.size(), workers, [&](size_t i) {
        const size_t g = listed[i];
        auto all = gather([&](Share<T>& w) -> std::vector<T>& { return w.durations[g]; });
        if (all.empty()) return;
        const auto ranks = ranks_for(all.size(), qs);
        put_percentiles(ranks, all.size(), select_ranks(all, ranks.ranks), r.percentiles.data() + g * qs.size());
    });
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
    int64_t longest = 0;
    for (size_t g = 0; g < ngroups; g++)
        if (r.count[g]) longest = std::max(longest, r.max[g]);
    // Durations that fit in 32 bits (nearly always) are kept in half the memory.
    if (longest <= int64_t(UINT32_MAX)) self_times_and_percentiles<uint32_t>(m, group_of, quantiles, r);
    else self_times_and_percentiles<int64_t>(m, group_of, quantiles, r);
    for (size_t g = 0; g < ngroups; g++) {
        if (r.count[g]) continue;
        r.min[g] = r.max[g] = r.self_min[g] = r.self_max[g] = 0;
    }
    return r;
}

}  // namespace tshim
