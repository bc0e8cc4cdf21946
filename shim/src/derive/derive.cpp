#include "derive/derive.hpp"

#include "derive/zone_segments.hpp"
#include "model/memory.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

namespace tshim {

void reset_zone_stats(SrclocTable& s) {
    const size_t n = s.count();
    s.zone_count.assign(n, 0);
    s.zone_total.assign(n, 0);
    s.zone_min.assign(n, std::numeric_limits<int64_t>::max());
    s.zone_max.assign(n, std::numeric_limits<int64_t>::min());
    s.zone_sum_sq.assign(n, 0.0);
}

void ZoneStatAccumulator::fold_into(SrclocTable& s) const {
    const size_t n = std::min(limit_, s.zone_count.size());
    for (size_t i = 0; i < n; i++) {
        const Record& r = acc_[i];
        if (r.count == 0) continue;
        s.zone_count[i] += r.count;
        s.zone_total[i] = int64_t(uint64_t(s.zone_total[i]) + uint64_t(r.total));
        s.zone_min[i] = std::min(s.zone_min[i], r.min);
        s.zone_max[i] = std::max(s.zone_max[i], r.max);
        s.zone_sum_sq[i] += r.sum_sq;
    }
}

void build_zone_stats(Model& m) {
    auto& s = m.srclocs;
    const auto& z = m.zones;
    reset_zone_stats(s);
    ZoneStatAccumulator stats(s.count());
    for (size_t i = 0; i < z.count(); i++) stats.add(z.srcloc[i], z.start[i], z.end[i]);
    stats.fold_into(s);
}

// Each thread's zones are in DFS pre-order with their depth: a zone's parent is the last zone before it one level
// up, and its subtree ends at the next zone of the thread at its level or above. Threads, and runs of trees
// within a thread, are independent: they are walked in parallel, each with a stack of the zones enclosing the
// current row (outermost first). `on_row(row, parent)` sees each row with its innermost enclosing zone (-1 for
// none), `on_close(row, end)` each zone as its subtree ends. The loop reads the depths through a local pointer
// and keeps its stack behind a local pointer (refreshed only when the stack grows): through the vectors
// themselves, every store made the compiler reload their data pointers, and these reloads stalled behind the
// stores (runs of this pass took 80 ms or 700 ms at random).
template <class Row, class Close> void walk_zone_trees(const Model& m, Row&& on_row, Close&& on_close) {
    const auto& z = m.zones;
    const size_t n = z.count();
    const size_t workers = pass_workers(n);
    const auto segments = zone_segments(m, workers * 4);
    const uint16_t* const depth = z.depth.data();
    run_parallel(segments.size(), workers, [&](size_t i) {
        const auto& s = segments[i];
        if (!s.tree) return;
        std::vector<int32_t> stack(64);
        int32_t* open = stack.data();
        size_t top = 0, room = stack.size();  // open[0, top) enclose the current row
        for (size_t r = s.begin; r < s.end; r++) {
            const size_t d = depth[r];
            while (top > d) on_close(size_t(open[--top]), r);
            on_row(r, top ? open[top - 1] : -1);
            if (top == room) {
                stack.resize(room *= 2);
                open = stack.data();
            }
            open[top++] = int32_t(r);
        }
        while (top) on_close(size_t(open[--top]), s.end);
    });
}

void build_zone_links(Model& m) {
    auto& z = m.zones;
    const size_t n = z.count();
    if (z.parent.size() == n) return;  // filled by whoever built the model
    reserve_populated(z.parent, n);
    z.parent.assign(n, -1);  // rows no thread lists stay roots
    int32_t* const parent = z.parent.data();
    walk_zone_trees(m, [parent](size_t r, int32_t up) { parent[r] = up; }, [](size_t, size_t) {});
}

void build_zone_subtrees(Model& m) {
    auto& z = m.zones;
    const size_t n = z.count();
    if (z.subtree_end.size() == n) return;  // filled by whoever built the model
    reserve_populated(z.subtree_end, n);
    z.subtree_end.assign(n, 0);
    int32_t* const subtree_end = z.subtree_end.data();
    walk_zone_trees(
        m, [](size_t, int32_t) {}, [subtree_end](size_t r, size_t end) { subtree_end[r] = int32_t(end); });
}

void build_zone_threads(Model& m) {
    auto& z = m.zones;
    const size_t n = z.count();
    if (z.thread.size() != n) {
        reserve_populated(z.thread, n);
        z.thread.assign(n, 0);
        const auto& t = m.threads;
        for (size_t th = 0; th < t.count(); th++) {
            const auto b = size_t(t.zones_begin[th]), e = size_t(t.zones_end[th]);
            if (b < e && e <= n) std::fill(z.thread.data() + b, z.thread.data() + e, uint16_t(th));
        }
    }
}

// The (row, extra) pairs stay: readers of the extras (zone_codes) use them without waiting for, or racing with,
// this column. They are few by construction (the loader makes the column itself when they are not).
void build_zone_columns(Model& m) {
    m.zone_threads.ensure();
    auto& z = m.zones;
    const size_t n = z.count();
    if (z.extra.size() == n) return;  // filled by whoever built the model
    reserve_populated(z.extra, n);
    z.extra.assign(n, 0);
    for (size_t i = 0; i < z.extra_rows.size(); i++) {
        const auto r = size_t(z.extra_rows[i]);
        if (r < n) z.extra[r] = z.extra_values[i];
    }
}

// Zone rows are in upstream's order (threads in file order, DFS pre-order within each thread), so placing them in
// row order keeps each srcloc's list in upstream's order.
void build_srcloc_lists(Model& m) {
    auto& s = m.srclocs;
    const auto& z = m.zones;
    const size_t n = s.count();
    s.zones_begin.assign(n, 0);
    s.zones_end.assign(n, 0);
    int32_t at = 0;
    for (size_t sl = 0; sl < n; sl++) {
        s.zones_begin[sl] = at;
        s.zones_end[sl] = at;  // advanced below as the zones are placed
        // A srcloc the statistics do not cover gets no zones: the counts are read, never rebuilt here (their
        // columns may already be in use).
        at += sl < s.zone_count.size() ? int32_t(s.zone_count[sl]) : 0;
    }
    m.srcloc_zones.assign(size_t(at), 0);
    for (size_t i = 0; i < z.count(); i++) {
        const uint16_t sl = z.srcloc[i];
        if (sl >= n || !stat_zone(z.start[i], z.end[i])) continue;
        const auto at_row = size_t(s.zones_end[sl]);
        const auto list_end = size_t(sl) + 1 < n ? size_t(s.zones_begin[sl + 1]) : m.srcloc_zones.size();
        if (at_row >= list_end) continue;  // never with consistent counts; a bound, not a repair
        m.srcloc_zones[at_row] = int32_t(i);
        s.zones_end[sl]++;
    }
}

}  // namespace tshim
