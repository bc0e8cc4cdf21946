// Zone extras and the per-thread data: zone timelines (nested, stored depth-first), message lists, samples.
#include <cstring>
#include <limits>

#include "derive/derive.hpp"
#include "model/memory.hpp"
#include "read/reader.hpp"

namespace tshim {

namespace {

constexpr uint16_t kUnknownSrcloc = 0xFFFF;  // srcloc row of a zone whose id is not in the table (repaired later)

void read_zone_extras(Cursor& c, LoadContext& ctx) {
    auto& x = ctx.model.zone_extras;
    const bool has_color = ctx.version >= file_version(0, 7, 5);
    const auto count = c.get<uint64_t>();
    c.check_fits(count, has_color ? 12 : 9, "zone extras");
    if (count > uint64_t(std::numeric_limits<int32_t>::max())) Cursor::throw_count(count, "zone extras");
    const size_t n = c.plausible_reserve(count, 1);
    x.callstack.reserve(n);
    x.text.reserve(n);
    x.name.reserve(n);
    x.color.reserve(n);
    for (uint64_t i = 0; i < count; i++) {
        x.callstack.push_back(c.u24());
        x.text.push_back(ctx.string_by_raw_idx(c.u24()));
        x.name.push_back(ctx.string_by_raw_idx(c.u24()));
        x.color.push_back(has_color ? c.u24() : 0);
    }
    if (count == 0) {  // keep row 0 as the "no extra" placeholder even when the file has none
        x.callstack.push_back(0);
        x.text.push_back(-1);
        x.name.push_back(-1);
        x.color.push_back(0);
    }
}

// Zones with an extra are kept as (row, extra) pairs while they are at most half of the rows read (a full column
// once they are more: the pairs would take more memory than the column).
void add_zone_extra(ZoneTable& z, uint32_t extra) {
    constexpr size_t kMinPairsForColumn = 65536;
    if (!z.extra.empty()) {
        z.extra.push_back(extra);
        return;
    }
    if (extra == 0) return;
    z.extra_rows.push_back(int32_t(z.start.size() - 1));
    z.extra_values.push_back(extra);
    if (z.extra_rows.size() >= kMinPairsForColumn && z.extra_rows.size() * 2 > z.start.size()) {
        const size_t reserved = z.start.capacity();
        densify_zone_extras(z, z.start.size());
        z.extra.reserve(reserved);
    }
}

// Faults in the pages of the next rows of the zone columns the reader fills, in a few calls instead of a fault per
// page; returns the first row not populated.
size_t populate_zone_rows(ZoneTable& z, size_t from) {
    constexpr size_t kRows = size_t(1) << 16;  // 512 KiB of `start`
    populate_capacity(z.start, from, from + kRows);
    populate_capacity(z.end, from, from + kRows);
    populate_capacity(z.srcloc, from, from + kRows);
    populate_capacity(z.depth, from, from + kRows);
    return from + kRows;
}

// Reads one thread's timeline of `top` root zones. Iterative (an explicit stack of open levels), so a hostile
// nesting depth cannot overflow the call stack. Per zone the file holds: srcloc i16, start delta i64, extra u32,
// child count u32, the children, end delta i64; every time is a delta to the previous time read. Each zone is
// counted in its srcloc's statistics as it closes (the tree's links are derived later, from the depths).
// Returns how many zones had an unknown source location.
uint64_t read_timeline(Cursor& c, LoadContext& ctx, uint32_t top, const std::vector<uint16_t>& srcloc_of,
                       ZoneStatAccumulator& stats, size_t& populated) {
    constexpr uint64_t kMinZoneBytes = 26;
    auto& z = ctx.model.zones;
    uint64_t unknown = 0;
    const size_t srclocs = ctx.model.srclocs.count();
    const auto extras = uint32_t(ctx.model.zone_extras.callstack.size());
    // One open level per nesting depth, written field by field in place (a Level built on the stack and copied in
    // costs a store-forwarding stall per parent zone).
    struct Level {
        int64_t start;  // the owner's start and srcloc, for its statistics when it closes
        uint32_t remaining;
        int32_t owner;  // zone row whose children this level holds, -1 for the roots
        uint16_t srcloc;
    };
    std::vector<Level> stack(64);
    size_t stack_size = stack.size();
    c.check_fits(top, kMinZoneBytes, "zones");
    // Child counts are checked against what the payload can still hold when the timeline starts: a weaker bound
    // than the exact one, but a hostile count still fails here, and reading the zones checks every byte anyway.
    const uint64_t max_zones = c.remaining_bound() / kMinZoneBytes;
    size_t sp = 0;
    stack[0].remaining = top;
    stack[0].owner = -1;
    stack[0].start = 0;
    stack[0].srcloc = 0;
    int64_t ref = 0;
    uint32_t tick = 0;
    for (;;) {
        Level& level = stack[sp];
        if (level.remaining == 0) {
            if (sp == 0) break;
            const int64_t end = c.time_delta(ref);
            z.end[size_t(level.owner)] = end;
            stats.add(level.srcloc, level.start, end);
            sp--;
            continue;
        }
        level.remaining--;
        const size_t depth = sp;
        int16_t srcloc_id;
        int64_t delta;
        uint32_t extra, children;
        if (const uint8_t* h = c.take(18)) {
            std::memcpy(&srcloc_id, h, 2);
            std::memcpy(&delta, h + 2, 8);
            std::memcpy(&extra, h + 10, 4);
            std::memcpy(&children, h + 14, 4);
        } else {
            srcloc_id = c.get<int16_t>();
            delta = c.get<int64_t>();
            extra = c.get<uint32_t>();
            children = c.get<uint32_t>();
        }
        ref = int64_t(uint64_t(ref) + uint64_t(delta));
        const int64_t start = ref;
        if (z.start.size() >= size_t(std::numeric_limits<int32_t>::max()))
            throw Error(TSHIM_ERR_FORMAT, "capture is corrupt: too many zones");
        if (extra >= extras) throw Error(TSHIM_ERR_FORMAT, "capture is corrupt: zone refers to a missing zone extra");
        const auto row = int32_t(z.start.size());
        if (size_t(row) >= populated) populated = populate_zone_rows(z, populated);
        const uint16_t srcloc = srcloc_of[uint16_t(srcloc_id)];
        unknown += srcloc >= srclocs;
        z.start.push_back(start);
        z.srcloc.push_back(srcloc);
        z.depth.push_back(uint16_t(depth));
        add_zone_extra(z, extra);
        if (children) {
            z.end.push_back(-1);
            if (children > max_zones) Cursor::throw_count(children, "zones");
            if (depth >= 0xFFFE) throw Error(TSHIM_ERR_FORMAT, "capture is corrupt: zones nested too deep");
            if (++sp == stack_size) {
                stack_size *= 2;
                stack.resize(stack_size);
            }
            Level& open = stack[sp];
            open.start = start;
            open.remaining = children;
            open.owner = row;
            open.srcloc = srcloc;
        } else {
            const int64_t end = c.time_delta(ref);
            z.end.push_back(end);
            stats.add(srcloc, start, end);
        }
        if ((++tick & 0xFFFF) == 0) {
            ctx.check_cancel();
            ctx.cap.progress_done = c.consumed();
        }
    }
    return unknown;
}

void read_samples(Cursor& c, SampleTable& t, uint32_t thread, int32_t& begin, int32_t& end) {
    const auto n = c.get<uint64_t>();
    c.check_fits(n, 11, "samples");
    begin = int32_t(t.time.size());
    const size_t more = c.plausible_reserve(n, 1);
    reserve_more(t.time, more);
    reserve_more(t.callstack, more);
    reserve_more(t.thread, more);
    int64_t ref = 0;
    for (uint64_t i = 0; i < n; i++) {
        t.time.push_back(c.time_delta(ref));
        t.callstack.push_back(c.u24());
        t.thread.push_back(thread);
    }
    if (t.time.size() > size_t(std::numeric_limits<int32_t>::max()))
        throw Error(TSHIM_ERR_FORMAT, "capture is corrupt: too many samples");
    end = int32_t(t.time.size());
}

}  // namespace

void read_threads(Cursor& c, LoadContext& ctx, const std::unordered_map<uint64_t, int32_t>& message_rows) {
    auto& m = ctx.model;
    read_zone_extras(c, ctx);

    ctx.stage("zones");
    reset_zone_stats(m.srclocs);
    const auto total_zones = c.get<uint64_t>();
    c.skip(8);  // number of child lists (upstream's allocation hint)
    c.check_fits(total_zones, 26, "zones");
    {
        const size_t n = c.plausible_reserve(total_zones, 4);
        auto& z = m.zones;
        // Deliberately no transparent-huge-page hint: on virtual machines that hand freed memory back to the host, a
        // fresh 2 MiB page costs more than 512 small ones (20 M zones in fresh processes: 1.46 s with it, 0.95 s
        // without); populate_capacity faults the pages in ahead of the reader instead.
        z.start.reserve(n);
        z.end.reserve(n);
        z.srcloc.reserve(n);
        z.depth.reserve(n);  // `thread` and `extra` are derived on first use (Model::zone_threads, zone_columns)
    }

    // srcloc id as stored (indexed as u16) -> row of `srclocs`, 0xFFFF for unknown ids
    std::vector<uint16_t> srcloc_of(65536, kUnknownSrcloc);
    for (int id = -32768; id < 32768; id++) {
        const int32_t row = ctx.srcloc_row_or_none(int16_t(id));
        if (row >= 0) srcloc_of[uint16_t(int16_t(id))] = uint16_t(row);
    }

    const bool has_group_hint = ctx.version >= file_version(0, 11, 1);
    const bool has_fibers = ctx.version >= file_version(0, 7, 11);
    const bool has_kernel_samples = ctx.version >= file_version(0, 7, 9);
    const bool has_ctx_switch_samples = ctx.version >= file_version(0, 7, 14);
    const auto threads = c.get<uint64_t>();
    c.check_fits(threads,
                 8 + 8 + 4 + 8 + 8 + (has_kernel_samples ? 8 : 0) + (has_fibers ? 1 : 0) + (has_group_hint ? 4 : 0) +
                     (has_ctx_switch_samples ? 8 : 0),
                 "threads");
    uint64_t zone_count = 0, sample_count = 0, unknown_srclocs = 0;
    ZoneStatAccumulator stats(m.srclocs.count());
    size_t populated = 0;  // zone rows whose pages are present
    for (uint64_t i = 0; i < threads; i++) {
        const auto tid = c.get<uint64_t>();
        const auto count = c.get<uint64_t>();
        const auto kernel_samples = has_kernel_samples ? c.get<uint64_t>() : 0;
        const auto is_fiber = has_fibers ? c.get<uint8_t>() : uint8_t(0);
        const int32_t group_hint = has_group_hint ? c.get<int32_t>() : 0;
        const uint32_t row = ctx.thread_row(tid);
        auto& t = m.threads;
        t.list_index[row] = int32_t(i);
        t.zone_count[row] = count;
        t.kernel_sample_count[row] = kernel_samples;
        t.is_fiber[row] = is_fiber;
        t.group_hint[row] = group_hint;
        zone_count += count;

        const auto top = c.get<uint32_t>();
        t.zones_begin[row] = int32_t(m.zones.start.size());
        if (top) unknown_srclocs += read_timeline(c, ctx, top, srcloc_of, stats, populated);
        t.zones_end[row] = int32_t(m.zones.start.size());

        const auto messages = c.get<uint64_t>();
        c.check_fits(messages, 8, "thread messages");
        t.messages_begin[row] = int32_t(m.thread_messages.size());
        for (uint64_t j = 0; j < messages; j++) {
            auto it = message_rows.find(c.get<uint64_t>());
            if (it == message_rows.end()) continue;
            m.thread_messages.push_back(it->second);
            m.messages.thread[size_t(it->second)] = int32_t(row);
        }
        t.messages_end[row] = int32_t(m.thread_messages.size());

        if (has_ctx_switch_samples) {
            read_samples(c, m.ctx_switch_samples, row, t.ctx_switch_samples_begin[row], t.ctx_switch_samples_end[row]);
        } else {
            t.ctx_switch_samples_begin[row] = t.ctx_switch_samples_end[row] = int32_t(m.ctx_switch_samples.time.size());
        }
        read_samples(c, m.samples, row, t.samples_begin[row], t.samples_end[row]);
        sample_count += uint64_t(t.samples_end[row] - t.samples_begin[row]);
        ctx.check_cancel();
        ctx.cap.progress_done = c.consumed();
    }
    stats.fold_into(m.srclocs);
    ctx.zone_stats_counted = true;
    ctx.unknown_zone_srclocs = int64_t(unknown_srclocs);
    ctx.cap.meta_int["zone_count"] = int64_t(zone_count);
    ctx.cap.meta_int["sample_count"] = int64_t(sample_count);
}

}  // namespace tshim
