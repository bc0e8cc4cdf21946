#include "query/zone_at.hpp"

#include <algorithm>
#include <limits>
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

struct Item {
    int64_t time;
    int32_t thread;  // row of `threads`
    int32_t index;   // into the caller's arrays (n < 2^31 is checked)
};

// LSD radix sort on the time (16-bit digits, passes whose digit is the same for every item skipped): a few
// sequential passes instead of a comparison sort's random accesses.
void sort_by_time(std::vector<Item>& items) {
    auto key = [](const Item& it) { return uint64_t(it.time) ^ (uint64_t(1) << 63); };  // signed order
    bool sorted = true;
    for (size_t i = 1; i < items.size() && sorted; i++) sorted = items[i - 1].time <= items[i].time;
    if (sorted) return;
    std::vector<Item> other(items.size());
    std::vector<size_t> count(size_t(1) << 16);
    for (int shift = 0; shift < 64; shift += 16) {
        std::fill(count.begin(), count.end(), 0);
        for (const Item& it : items) count[(key(it) >> shift) & 0xFFFF]++;
        if (count[(key(items[0]) >> shift) & 0xFFFF] == items.size()) continue;
        size_t at = 0;
        for (auto& c : count) {
            const size_t n = c;
            c = at;
            at += n;
        }
        for (const Item& it : items) other[count[(key(it) >> shift) & 0xFFFF]++] = it;
        items.swap(other);
    }
}

// A stable counting sort of time-sorted items by their thread row.
std::vector<Item> group_by_thread(const std::vector<Item>& items, int64_t nthreads) {
    std::vector<size_t> at(size_t(nthreads) + 1, 0);
    for (const Item& it : items) at[size_t(it.thread) + 1]++;
    for (size_t r = 0; r < size_t(nthreads); r++) at[r + 1] += at[r];
    std::vector<Item> out(items.size());
    for (const Item& it : items) out[at[size_t(it.thread)]++] = it;
    return out;
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
    m.zone_links.ensure();  // the walk up from a zone follows its parent links
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

    // Visit the times grouped by thread and in time order within each thread: neighbouring look-ups then share
    // the cache lines of their binary searches, which random order would miss every time. The answers are
    // collected in that order and put back in the caller's order at the end, in one pass.
    if (q.count > std::numeric_limits<int32_t>::max()) throw Error(TSHIM_ERR_ARG, "zone_at: too many times");
    std::vector<Item> items(size_t(q.count));
    for (int64_t i = 0; i < q.count; i++)
        items[size_t(i)] = {q.times[i], q.threads[q.thread_count == 1 ? 0 : i], int32_t(i)};
    sort_by_time(items);
    if (q.thread_count != 1) items = group_by_thread(items, nthreads);

    std::vector<int32_t> zone_of(items.size()), owner_of(items.size());
    for (size_t k = 0; k < items.size(); k++) {
        const int32_t row = items[k].thread;
        const int64_t t = items[k].time;
        int32_t zone = -1, owner = -1;
        if (!fibers.empty()) {
            auto f = fibers.find(row);
            if (f != fibers.end()) {
                const int32_t fiber = fiber_at(f->second, t);
                if (fiber >= 0 && (zone = zones_of(fiber).at(t)) >= 0) owner = fiber;
            }
        }
        if (zone < 0 && (zone = zones_of(row).at(t)) >= 0) owner = row;
        zone_of[k] = zone;
        owner_of[k] = owner;
    }
    for (size_t k = 0; k < items.size(); k++) out_zone[items[k].index] = zone_of[k];
    if (out_thread)
        for (size_t k = 0; k < items.size(); k++) out_thread[items[k].index] = owner_of[k];
}

}  // namespace tshim
