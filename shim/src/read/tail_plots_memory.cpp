// Plots and memory pools, and the memory-usage plots the server derives from each pool after loading.
#include <algorithm>
#include <numeric>

#include "derive/upstream_sort.hpp"
#include "model/model.hpp"
#include "read/tail_io.hpp"
#include "read/tail_sections.hpp"

namespace tshim::tail {

void read_plots(Cursor& c, LoadContext& ctx) {
    auto& t = ctx.model.tail;
    auto& p = t.plot;
    auto& pts = t.plot_point;
    const bool sorted_in_file = ctx.version >= file_version(0, 13, 3);
    const bool has_style = ctx.version >= file_version(0, 8, 3);  // show steps, fill, color
    const bool has_sum = ctx.version >= file_version(0, 7, 10);
    const uint64_t n = c.get<uint64_t>();
    c.check_fits(n, 1 + 1 + 8 * 4, "plots");
    for (uint64_t i = 0; i < n; i++) {
        p.type.push_back(c.get<uint8_t>());
        p.format.push_back(c.get<uint8_t>());
        if (has_style) {
            p.show_steps.push_back(c.get<uint8_t>());
            p.fill.push_back(c.get<uint8_t>());
            p.color.push_back(c.get<uint32_t>());
        } else {  // the server's defaults for older files
            p.show_steps.push_back(0);
            p.fill.push_back(1);
            p.color.push_back(0);
        }
        const uint64_t name = c.get<uint64_t>();
        p.name_ptr.push_back(name);
        p.name.push_back(string_ptr(name, ctx));
        p.min.push_back(c.get<double>());
        p.max.push_back(c.get<double>());
        p.sum.push_back(has_sum ? c.get<double>() : 0.0);
        p.pool.push_back(-1);
        const uint64_t count = c.get<uint64_t>();
        c.check_fits(count, 16, "plot points");
        const size_t begin = pts.time.size();
        p.point_begin.push_back(row_of(begin));
        reserve_more(pts.time, count);
        reserve_more(pts.value, count);
        int64_t ref = 0;
        for (uint64_t j = 0; j < count; j++) {
            pts.time.push_back(c.time_delta(ref));
            pts.value.push_back(c.get<double>());
            if (!has_sum) p.sum.back() += pts.value.back();  // the server sums the points of files before 0.7.10
        }
        p.point_end.push_back(row_of(pts.time.size()));
        // Files older than 0.13.3 may hold a plot's points out of time order; the server sorts them on use.
        if (!sorted_in_file && !std::is_sorted(pts.time.begin() + begin, pts.time.end())) {
            std::vector<size_t> order(pts.time.size() - begin);
            std::iota(order.begin(), order.end(), begin);
            std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pts.time[a] < pts.time[b]; });
            std::vector<int64_t> time;
            std::vector<double> value;
            time.reserve(order.size());
            value.reserve(order.size());
            for (size_t k : order) {
                time.push_back(pts.time[k]);
                value.push_back(pts.value[k]);
            }
            std::copy(time.begin(), time.end(), pts.time.begin() + begin);
            std::copy(value.begin(), value.end(), pts.value.begin() + begin);
        }
    }
}

void read_memory(Cursor& c, LoadContext& ctx) {
    auto& t = ctx.model.tail;
    auto& mp = t.mem_pool;
    auto& me = t.mem_event;
    constexpr uint64_t kEventBytes = 8 + 8 + 3 + 3 + 8 + 8 + 2 + 2;
    // Files before 0.7.3 hold only the default pool, without the pool count, key and name.
    const bool named_pools = ctx.version >= file_version(0, 7, 3);
    const uint64_t pools = named_pools ? c.get<uint64_t>() : 1;
    const uint64_t total_events = named_pools ? c.get<uint64_t>() : 0;
    c.check_fits(pools, 8 * 8, "memory pools");
    c.check_fits(total_events, kEventBytes, "memory events");
    reserve_more(me.ptr, total_events);
    for (uint64_t k = 0; k < pools; k++) {
        const int32_t pool = row32(mp.key.size(), "memory pools");
        const uint64_t key = named_pools ? c.get<uint64_t>() : 0;
        const uint64_t events = c.get<uint64_t>();
        mp.key.push_back(key);
        mp.name.push_back(string_ptr(key, ctx));
        mp.active_count.push_back(c.get<uint64_t>());
        mp.free_count.push_back(c.get<uint64_t>());
        mp.plot.push_back(-1);
        c.check_fits(events, kEventBytes, "memory events");
        mp.event_begin.push_back(row_of(me.ptr.size()));
        int64_t ref = 0;
        for (uint64_t i = 0; i < events; i++) {
            me.ptr.push_back(c.get<uint64_t>());
            me.size.push_back(c.get<uint64_t>());
            me.cs_alloc.push_back(c.u24());
            me.cs_free.push_back(c.u24());
            const int64_t alloc = c.time_delta(ref);
            const int64_t free_delta = c.get<int64_t>();
            me.time_alloc.push_back(alloc);
            // A freed block's free time is stored relative to its allocation; a negative value means never freed.
            me.time_free.push_back(free_delta >= 0 ? int64_t(uint64_t(free_delta) + uint64_t(alloc)) : free_delta);
            const uint16_t thread_alloc = c.get<uint16_t>(), thread_free = c.get<uint16_t>();
            me.thread_alloc.push_back(thread_alloc);
            me.thread_free.push_back(thread_free);
            me.tid_alloc.push_back(ctx.thread_tid_by_compressed(thread_alloc));
            me.tid_free.push_back(ctx.thread_tid_by_compressed(thread_free));
            me.pool.push_back(pool);
        }
        mp.event_end.push_back(row_of(me.ptr.size()));
        mp.high.push_back(c.get<uint64_t>());
        mp.low.push_back(c.get<uint64_t>());
        mp.usage.push_back(c.get<uint64_t>());
        mp.name_ptr.push_back(named_pools ? c.get<uint64_t>() : 0);
    }
}

// The server's memory plot of a pool: a first point (first_time, 0), then the running usage after every
// allocation and every free, merged in time order (frees sorted by free time in the order upstream's unstable sort
// leaves equal times; on equal times a free counts before an allocation). Its min is 0, max the peak usage, sum
// the sum of every point after the first.
void derive_memory_plots(TailModel& m, int64_t first_time) {
    auto& mp = m.mem_pool;
    auto& me = m.mem_event;
    auto& p = m.plot;
    auto& pts = m.plot_point;
    for (size_t k = 0; k < mp.key.size(); k++) {
        const size_t b = size_t(mp.event_begin[k]), e = size_t(mp.event_end[k]);
        if (b == e) continue;  // the server derives a plot only for pools that have events
        std::vector<size_t> frees;
        for (size_t i = b; i < e; i++)
            if (me.time_free[i] >= 0) frees.push_back(i);
        // Upstream's sort is unstable, and frees at one time (a discard frees every live block at once) pass
        // through intermediate usages in the order it leaves them: reproduce that order, not a stable one.
        upstream_unstable_sort(frees, [&](size_t x, size_t y) { return me.time_free[x] < me.time_free[y]; });

        const int32_t row = row32(p.type.size(), "plots");
        mp.plot[k] = row;
        p.name_ptr.push_back(mp.name_ptr[k]);
        p.name.push_back(-1);  // filled by the caller's string resolution (see read_tail)
        p.type.push_back(1);
        p.format.push_back(1);
        p.show_steps.push_back(1);
        p.fill.push_back(1);
        p.color.push_back(0);
        p.pool.push_back(int32_t(k));
        p.point_begin.push_back(row_of(pts.time.size()));

        double usage = 0, max = 0, sum = 0;
        auto point = [&](int64_t time) {
            if (max < usage) max = usage;
            sum += usage;
            pts.time.push_back(time);
            pts.value.push_back(usage);
        };
        pts.time.push_back(first_time);
        pts.value.push_back(0);
        size_t a = b, f = 0;
        while (a < e && f < frees.size()) {
            const int64_t at = me.time_alloc[a], ft = me.time_free[frees[f]];
            if (at < ft) {
                usage += double(int64_t(me.size[a]));
                point(at);
                a++;
            } else {
                usage -= double(int64_t(me.size[frees[f]]));
                point(ft);
                f++;
            }
        }
        for (; a < e; a++) {
            usage += double(int64_t(me.size[a]));
            point(me.time_alloc[a]);
        }
        for (; f < frees.size(); f++) {
            usage -= double(int64_t(me.size[frees[f]]));
            point(me.time_free[frees[f]]);
        }
        p.min.push_back(0);
        p.max.push_back(max);
        p.sum.push_back(sum);
        p.point_end.push_back(row_of(pts.time.size()));
    }
}

}  // namespace tshim::tail
