#include "derive/zone_times.hpp"

#include <algorithm>
#include <limits>
#include <vector>

#include "derive/derive.hpp"
#include "derive/zone_segments.hpp"
#include "format/error.hpp"
#include "tracy_shim.h"

namespace tshim {

namespace {

int64_t wrap_sub(int64_t a, int64_t b) { return int64_t(uint64_t(a) - uint64_t(b)); }
int64_t wrap_add(int64_t a, int64_t b) { return int64_t(uint64_t(a) + uint64_t(b)); }

struct Open {
    size_t row;
    int64_t dur, children;  // children: the durations of its direct children so far
};

// One segment's durations and self times: a stack of the open zones, each summing its children's durations. The
// columns and the stack are reached through local pointers (see walk_zone_trees: stores through the vectors
// themselves make the compiler reload their data pointers on every row).
void segment_times(const ZoneTable& z, const ZoneSegment& s, int64_t* duration, int64_t* self,
                   std::vector<Open>& stack) {
    const int64_t* const starts = z.start.data();
    const int64_t* const ends = z.end.data();
    const uint16_t* const depth = z.depth.data();
    Open* open = stack.data();
    size_t top = 0, room = stack.size();  // open[0, top) enclose the current row
    auto close = [&] {
        const Open& o = open[--top];
        if (self) self[o.row] = ends[o.row] >= 0 ? wrap_sub(o.dur, o.children) : 0;  // never ended: no time
    };
    for (size_t r = s.begin; r < s.end; r++) {
        const int64_t end = ends[r];
        const int64_t dur = end >= 0 ? zone_span(starts[r], end) : 0;
        if (duration) duration[r] = dur;
        if (!s.tree) {
            if (self) self[r] = dur;
            continue;
        }
        const size_t d = depth[r];
        while (top > d) close();
        if (top) open[top - 1].children = wrap_add(open[top - 1].children, dur);
        if (top == room) {
            stack.resize(room *= 2);
            open = stack.data();
        }
        open[top++] = {r, dur, 0};
    }
    while (top) close();
}

template <class T> void fill_codes(const Model& m, ZoneKey key, const int32_t* lut, size_t nlut, T missing, T* out,
                                   size_t n) {
    const auto& z = m.zones;
    const size_t workers = pass_workers(n);
    prefer_small_pages(out, n * sizeof(T));
    if (key == ZoneKey::extra && !z.extra_rows.empty()) {  // most zones have no extras: row 0's code, then the pairs
        const T none = nlut ? T(lut[0]) : missing;
        run_parallel(workers, workers, [&](size_t w) {
            const size_t b = chunk_begin(n, workers, w), e = chunk_begin(n, workers, w + 1);
            populate_rows(out, sizeof(T), n, b, e);
            std::fill(out + b, out + e, none);
        });
        for (size_t i = 0; i < z.extra_rows.size(); i++) {
            const auto r = size_t(z.extra_rows[i]), k = size_t(z.extra_values[i]);
            if (r < n) out[r] = k < nlut ? T(lut[k]) : missing;
        }
        return;
    }
    run_parallel(workers, workers, [&](size_t w) {
        const size_t b = chunk_begin(n, workers, w), e = chunk_begin(n, workers, w + 1);
        populate_rows(out, sizeof(T), n, b, e);
        auto put = [&](const auto* keys) {
            for (size_t r = b; r < e; r++) {
                const auto k = size_t(keys[r]);
                out[r] = k < nlut ? T(lut[k]) : missing;
            }
        };
        switch (key) {
            case ZoneKey::srcloc: put(z.srcloc.data()); break;
            case ZoneKey::thread: put(z.thread.data()); break;
            case ZoneKey::extra: put(z.extra.data()); break;
        }
    });
}

template <class T> bool fits(int32_t v) {
    return v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max();
}

template <class T> void checked_fill(Model& m, ZoneKey key, const int32_t* lut, size_t nlut, int32_t missing, void* out,
                                     size_t n) {
    if (!fits<T>(missing)) throw Error(TSHIM_ERR_ARG, "the missing code does not fit the output width");
    for (size_t i = 0; i < nlut; i++)
        if (!fits<T>(lut[i])) throw Error(TSHIM_ERR_ARG, "a code does not fit the output width");
    fill_codes(m, key, lut, nlut, T(missing), static_cast<T*>(out), n);
}

}  // namespace

void zone_times(const Model& m, int64_t* duration, int64_t* self, size_t n) {
    const auto& z = m.zones;
    if (n != z.count()) throw Error(TSHIM_ERR_ARG, "the output arrays need one item per zone");
    const size_t workers = pass_workers(n);
    const auto segments = zone_segments(m, workers * 4);  // a few per worker: trees vary in size
    for (auto* out : {duration, self})
        if (out) prefer_small_pages(out, n * sizeof(int64_t));
    run_parallel(segments.size(), workers, [&](size_t i) {
        const auto& s = segments[i];
        for (auto* out : {duration, self})
            if (out) populate_rows(out, sizeof(int64_t), n, s.begin, s.end);
        std::vector<Open> stack(64);
        segment_times(z, s, duration, self, stack);
    });
}

void zone_codes(Model& m, ZoneKey key, const int32_t* lut, size_t nlut, int32_t missing, void* out, int width,
                size_t n) {
    if (n != m.zones.count()) throw Error(TSHIM_ERR_ARG, "the output array needs one item per zone");
    if (key == ZoneKey::thread) m.zone_threads.ensure();
    if (key == ZoneKey::extra && m.zones.extra_rows.empty()) m.zone_columns.ensure();  // else read the pairs
    switch (width) {
        case 1: return checked_fill<int8_t>(m, key, lut, nlut, missing, out, n);
        case 2: return checked_fill<int16_t>(m, key, lut, nlut, missing, out, n);
        case 4: return checked_fill<int32_t>(m, key, lut, nlut, missing, out, n);
        default: throw Error(TSHIM_ERR_ARG, "code width must be 1, 2 or 4 bytes");
    }
}

}  // namespace tshim
