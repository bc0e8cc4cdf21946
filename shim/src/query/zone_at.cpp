#include "query/zone_at.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "format/error.hpp"
#include "model/model.hpp"

namespace tshim {

namespace {

constexpr int8_t kFiberReason = 99;  // ctx_switches.reason of a fiber's run on an OS thread

// One thread's zones, searchable by start time. Zone rows of a thread are in DFS pre-order, whose starts are
// non-decreasing in every well-formed capture; for a thread where they are not (a damaged file), the rows are
// searched through an order sorted by start instead, so the answer stays defined.
class ThreadZones {
public:
    ThreadZones(const ZoneTable& z, int32_t begin, int32_t end) : z_(z), begin_(begin), end_(end) {
        for (int32_t r = begin_ + 1; r < end_; r++) {
            if (z_.start[size_t(r)] < z_.start[size_t(r - 1)]) {
                order_.resize(size_t(end_ - begin_));
                for (int32_t i = begin_; i < end_; i++) order_[size_t(i - begin_)] = i;
                std::stable_sort(order_.begin(), order_.end(),
                                 [&](int32_t a, int32_t b) { return z_.start[size_t(a)] < z_.start[size_t(b)]; });
                break;
            }
        }
    }

    // The innermost zone open at t, or -1.
    int32_t at(int64_t t) const {
        int32_t row = last_started(t);
        // The innermost open zone is this zone or one of its ancestors: any zone that started later than it and
        // is still open at t would have been found instead.
        while (row >= begin_) {
            const int64_t e = z_.end[size_t(row)];
            if (e < 0 || e > t) return row;
            const int32_t p = z_.parent[size_t(row)];
            if (p >= row) break;  // parents precede their children in pre-order; anything else is damage
            row = p;
        }
        return -1;
    }

private:
    // The last zone (in start order) with start <= t, or -1.
    int32_t last_started(int64_t t) const {
        if (order_.empty()) {
            const int64_t* first = z_.start.data() + begin_;
            const int64_t* last = z_.start.data() + end_;
            const int64_t* it = std::upper_bound(first, last, t);
            return it == first ? -1 : int32_t(it - z_.start.data()) - 1;
        }
        auto it = std::upper_bound(order_.begin(), order_.end(), t,
                                   [&](int64_t v, int32_t r) { return v < z_.start[size_t(r)]; });
        return it == order_.begin() ? -1 : *(it - 1);
    }

    const ZoneTable& z_;
    int32_t begin_, end_;
    std::vector<int32_t> order_;  // empty when the rows are already in start order
};

struct FiberRun {
    int64_t start, end;  // end < 0: the run never ended
    int32_t fiber;       // row of `threads`
};

// Per OS-thread row: the fibers that ran on it, sorted by start (from the fiber rows of ctx_switches).
std::unordered_map<int32_t, std::vector<FiberRun>> fiber_runs(const Model& m) {
    std::unordered_map<int32_t, std::vector<FiberRun>> runs;
    const auto& th = m.threads;
    if (std::find(th.is_fiber.begin(), th.is_fiber.end(), uint8_t(1)) == th.is_fiber.end()) return runs;
    std::unordered_map<uint64_t, int32_t> row_of_tid;
    for (size_t i = 0; i < th.count(); i++) row_of_tid.emplace(th.tid[i], int32_t(i));
    const auto& cs = m.tail.cs;
    const auto& owners = m.tail.cs_thread;
    for (size_t i = 0; i < cs.reason.size(); i++) {
        if (cs.reason[i] != kFiberReason) continue;
        const int32_t owner = cs.owner[i];
        if (owner < 0 || size_t(owner) >= owners.thread.size()) continue;
        const int32_t fiber = owners.thread[size_t(owner)];
        if (fiber < 0 || size_t(fiber) >= th.count()) continue;
        auto os = row_of_tid.find(cs.other_tid[i]);
        if (os == row_of_tid.end()) continue;
        runs[os->second].push_back({cs.start[i], cs.end[i], fiber});
    }
    for (auto& kv : runs)
        std::sort(kv.second.begin(), kv.second.end(),
                  [](const FiberRun& a, const FiberRun& b) { return a.start < b.start; });
    return runs;
}

// The fiber running on an OS thread at t (row of `threads`), or -1.
int32_t fiber_at(const std::vector<FiberRun>& runs, int64_t t) {
    auto it = std::upper_bound(runs.begin(), runs.end(), t, [](int64_t v, const FiberRun& r) { return v < r.start; });
    if (it == runs.begin()) return -1;
    const FiberRun& r = *(it - 1);
    return (r.end < 0 || t < r.end) ? r.fiber : -1;
}

}  // namespace

void zone_at(const Model& m, const ZoneAtQuery& q, int32_t* out_zone, int32_t* out_thread) {
    if (q.count < 0 || (q.count > 0 && (!q.times || !q.threads || !out_zone)))
        throw Error(TSHIM_ERR_ARG, "zone_at: null or negative argument");
    if (q.count > 0 && q.thread_count != 1 && q.thread_count != q.count)
        throw Error(TSHIM_ERR_ARG, "zone_at: give one thread, or one thread per time");
    const auto& th = m.threads;
    const int64_t nthreads = int64_t(th.count());
    for (int64_t i = 0; i < (q.count > 0 ? q.thread_count : 0); i++) {
        if (q.threads[i] < 0 || q.threads[i] >= nthreads)
            throw Error(TSHIM_ERR_ARG, "zone_at: thread row " + std::to_string(q.threads[i]) + " out of range 0.." +
                                           std::to_string(nthreads - 1));
    }
    const int32_t nzones = int32_t(m.zones.count());
    std::vector<std::unique_ptr<ThreadZones>> per_thread(static_cast<size_t>(nthreads));
    auto zones_of = [&](int32_t row) -> const ThreadZones& {
        auto& slot = per_thread[size_t(row)];
        if (!slot) {
            const int32_t b = std::clamp(th.zones_begin[size_t(row)], 0, nzones);
            const int32_t e = std::clamp(th.zones_end[size_t(row)], b, nzones);
            slot = std::make_unique<ThreadZones>(m.zones, b, e);
        }
        return *slot;
    };
    const auto fibers = q.fibers ? fiber_runs(m) : std::unordered_map<int32_t, std::vector<FiberRun>>{};

    // Visiting the times in (thread, time) order keeps the binary searches of neighbouring look-ups in cache.
    std::vector<int64_t> order(size_t(q.count));
    for (int64_t i = 0; i < q.count; i++) order[size_t(i)] = i;
    auto thread_of = [&](int64_t i) { return q.threads[q.thread_count == 1 ? 0 : i]; };
    auto before = [&](int64_t a, int64_t b) {
        const int32_t ta = thread_of(a), tb = thread_of(b);
        return ta != tb ? ta < tb : q.times[a] < q.times[b];
    };
    if (!std::is_sorted(order.begin(), order.end(), before)) std::sort(order.begin(), order.end(), before);

    for (int64_t i : order) {
        const int32_t row = thread_of(i);
        const int64_t t = q.times[i];
        int32_t zone = -1, owner = -1;
        if (!fibers.empty()) {
            auto f = fibers.find(row);
            if (f != fibers.end()) {
                const int32_t fiber = fiber_at(f->second, t);
                if (fiber >= 0 && (zone = zones_of(fiber).at(t)) >= 0) owner = fiber;
            }
        }
        if (zone < 0 && (zone = zones_of(row).at(t)) >= 0) owner = row;
        out_zone[i] = zone;
        if (out_thread) out_thread[i] = owner;
    }
}

}  // namespace tshim
