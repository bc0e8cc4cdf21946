// String table, named ids, thread names, thread compression tables and source locations.
#include <limits>

#include "derive/hash_order.hpp"
#include "read/reader.hpp"

namespace tshim {

void read_strings(Cursor& c, LoadContext& ctx) {
    auto& pool = ctx.model.strings;
    const auto count = c.get<uint64_t>();
    c.check_fits(count, 16, "strings");
    if (count > uint64_t(std::numeric_limits<int32_t>::max()) / 2)
        throw Error(TSHIM_ERR_FORMAT, "capture is corrupt: too many strings");
    pool.offset.reserve(Cursor::reserve_hint(count));
    pool.size.reserve(Cursor::reserve_hint(count));
    std::unordered_map<uint64_t, int32_t> by_file_ptr;  // the file's own pointer of each string
    by_file_ptr.reserve(Cursor::reserve_hint(count));
    for (uint64_t i = 0; i < count; i++) {
        const auto ptr = c.get<uint64_t>();
        const auto size = c.get<uint64_t>();
        if (size > UINT32_MAX) Cursor::throw_count(size, "bytes of string");
        const auto off = pool.bytes.size();
        c.append_bytes(pool.bytes, size);
        pool.offset.push_back(off);
        pool.size.push_back(uint32_t(size));
        by_file_ptr.emplace(ptr, int32_t(i));
        if ((i & 0xFFFF) == 0) ctx.check_cancel();
    }
    ctx.file_string_count = uint32_t(count);
    auto lookup = [&](uint64_t ptr) {
        auto it = by_file_ptr.find(ptr);
        return it == by_file_ptr.end() ? -1 : it->second;
    };

    auto pairs = c.get<uint64_t>();
    c.check_fits(pairs, 16, "string ids");
    ctx.string_ids.reserve(Cursor::reserve_hint(pairs));
    for (uint64_t i = 0; i < pairs; i++) {
        const auto id = c.get<uint64_t>();
        const auto row = lookup(c.get<uint64_t>());
        if (row >= 0) ctx.string_ids.emplace(id, row);
    }

    pairs = c.get<uint64_t>();
    c.check_fits(pairs, 16, "thread names");
    for (uint64_t i = 0; i < pairs; i++) {
        const auto tid = c.get<uint64_t>();
        const auto row = lookup(c.get<uint64_t>());
        if (row >= 0) ctx.thread_names.emplace(tid, row);
    }

    pairs = c.get<uint64_t>();
    c.check_fits(pairs, 24, "external thread names");
    auto& m = ctx.model;
    for (uint64_t i = 0; i < pairs; i++) {
        const auto tid = c.get<uint64_t>();
        const auto process = lookup(c.get<uint64_t>());
        const auto thread = lookup(c.get<uint64_t>());
        if (process >= 0 && thread >= 0) {
            m.external_tid.push_back(tid);
            m.external_process.push_back(process);
            m.external_thread.push_back(thread);
        }
    }

    for (auto* table : {&ctx.local_threads, &ctx.external_threads}) {
        const auto n = c.get<uint64_t>();
        c.check_fits(n, 8, "compressed threads");
        table->reserve(Cursor::reserve_hint(n));
        for (uint64_t i = 0; i < n; i++) table->push_back(c.get<uint64_t>());
    }
}

namespace {

struct RawSrcloc {
    uint64_t name, function, file;
    uint8_t name_flags, function_flags, file_flags;
    uint32_t line, color;
};

RawSrcloc read_srcloc_base(Cursor& c) {
    RawSrcloc s{};
    s.name = c.get<uint64_t>();
    s.name_flags = c.get<uint8_t>();
    s.function = c.get<uint64_t>();
    s.function_flags = c.get<uint8_t>();
    s.file = c.get<uint64_t>();
    s.file_flags = c.get<uint8_t>();
    s.line = c.get<uint32_t>();
    s.color = c.get<uint32_t>();
    return s;
}

void add_srcloc(LoadContext& ctx, int32_t id, const RawSrcloc& s, bool dynamic, uint64_t ptr, int32_t order) {
    auto& t = ctx.model.srclocs;
    t.id.push_back(id);
    t.name.push_back(ctx.string_by_ref(s.name, s.name_flags));
    t.function.push_back(ctx.string_by_ref(s.function, s.function_flags));
    t.file.push_back(ctx.string_by_ref(s.file, s.file_flags));
    t.line.push_back(s.line);
    t.color.push_back(s.color);
    t.dynamic.push_back(dynamic ? 1 : 0);
    t.ptr.push_back(ptr);
    t.static_order.push_back(order);
}

}  // namespace

void read_srclocs(Cursor& c, LoadContext& ctx) {
    constexpr uint64_t kMaxSrclocs = uint64_t(std::numeric_limits<int16_t>::max());
    const auto statics = c.get<uint64_t>();
    if (statics > kMaxSrclocs) Cursor::throw_count(statics, "static source locations (at most 32767)");
    std::unordered_map<uint64_t, std::pair<RawSrcloc, int32_t>> by_ptr;
    by_ptr.reserve(size_t(statics));
    for (uint64_t i = 0; i < statics; i++) {
        const auto ptr = c.get<uint64_t>();
        by_ptr[ptr] = {read_srcloc_base(c), int32_t(i)};
    }
    const auto expand = c.get<uint64_t>();
    if (expand > kMaxSrclocs + 1) Cursor::throw_count(expand, "source location ids (at most 32768)");
    std::vector<uint64_t> ptrs(static_cast<size_t>(expand));
    if (expand) c.bytes(ptrs.data(), size_t(expand) * 8);
    const auto dynamics = c.get<uint64_t>();
    if (dynamics > kMaxSrclocs) Cursor::throw_count(dynamics, "dynamic source locations (at most 32767)");

    // Static ids 1..expand-1 (id 0 is a placeholder), then dynamic ids -1..-D.
    ctx.static_srcloc_rows.assign(size_t(expand), -1);
    for (size_t id = 1; id < ptrs.size(); id++) {
        auto it = by_ptr.find(ptrs[id]);
        ctx.static_srcloc_rows[id] = int32_t(ctx.model.srclocs.count());
        if (it != by_ptr.end()) add_srcloc(ctx, int32_t(id), it->second.first, false, ptrs[id], it->second.second);
        else add_srcloc(ctx, int32_t(id), RawSrcloc{}, false, ptrs[id], -1);
    }
    ctx.static_srcloc_count = int32_t(ctx.model.srclocs.count());
    ctx.cap.meta_int["srcloc_count"] = int64_t(statics + dynamics);  // upstream's get_src_loc_count
    for (uint64_t i = 0; i < dynamics; i++) add_srcloc(ctx, -int32_t(i) - 1, read_srcloc_base(c), true, 0, -1);
    ctx.dynamic_srcloc_count = int32_t(dynamics);

    // Zone counts per srcloc id, CPU then GPU (only used as size hints upstream; kept for writing back).
    for (int k = 0; k < 2; k++) {
        if (k == 1 && ctx.version < file_version(0, 7, 15)) break;  // per-srcloc GPU counts are new in 0.7.15
        const auto n = c.get<uint64_t>();
        c.check_fits(n, 10, "source location zone counts");
        auto& ids = ctx.model.lookup.srcloc_zone_id[k];
        auto& counts = ctx.model.lookup.srcloc_zone_count[k];
        for (uint64_t i = 0; i < n; i++) {
            ids.push_back(c.get<int16_t>());
            counts.push_back(c.get<uint64_t>());
        }
    }

    // Upstream iterates its per-srcloc zone map (filled from the CPU list above, after reserving room for every
    // srcloc id) in hash order; record each srcloc's rank in that order.
    auto& t = ctx.model.srclocs;
    t.hash_order.assign(t.count(), -1);
    const auto& ids = ctx.model.lookup.srcloc_zone_id[0];
    std::vector<uint64_t> keys(ids.size());
    for (size_t i = 0; i < ids.size(); i++) keys[i] = uint64_t(int64_t(ids[i]));  // sign-extended, as hashed
    const auto rank = flat_map_iteration_rank(keys, size_t(expand + dynamics));
    for (size_t i = 0; i < ids.size(); i++) {
        const int32_t row = ctx.srcloc_row_or_none(ids[i]);
        if (row >= 0 && rank[i] >= 0) t.hash_order[size_t(row)] = rank[i];
    }
}

}  // namespace tshim
