// Locks (with their event timelines) and messages.
#include <limits>

#include "model/memory.hpp"
#include "read/reader.hpp"

namespace tshim {

namespace {

uint16_t srcloc_column(const LoadContext& ctx, int16_t id) {
    const int32_t row = ctx.srcloc_row_or_none(id);
    return row < 0 ? uint16_t(0xFFFF) : uint16_t(row);
}

void check_rows(size_t n, const char* what) {
    if (n > size_t(std::numeric_limits<int32_t>::max()))
        throw Error(TSHIM_ERR_FORMAT, std::string("capture is corrupt: too many ") + what);
}

}  // namespace

void read_locks(Cursor& c, LoadContext& ctx) {
    auto& m = ctx.model;
    auto& L = m.locks;
    const auto count = c.get<uint64_t>();
    c.check_fits(count, 43, "locks");
    for (uint64_t i = 0; i < count; i++) {
        L.id.push_back(c.get<uint32_t>());
        L.custom_name.push_back(ctx.string_by_raw_idx(c.u24()));
        L.srcloc.push_back(srcloc_column(ctx, c.get<int16_t>()));
        L.type.push_back(c.get<uint8_t>());
        L.valid.push_back(c.get<uint8_t>());
        const auto announce = c.get<int64_t>();
        L.time_announce.push_back(announce);
        L.time_terminate.push_back(c.get<int64_t>());
        const auto threads = c.get<uint64_t>();
        c.check_fits(threads, 8, "lock threads");
        L.threads_begin.push_back(int32_t(m.lock_threads.tid.size()));
        for (uint64_t j = 0; j < threads; j++) {
            const auto tid = c.get<uint64_t>();
            m.lock_threads.tid.push_back(tid);
            m.lock_threads.thread.push_back(ctx.thread_row(tid));
        }
        check_rows(m.lock_threads.tid.size(), "lock threads");
        L.threads_end.push_back(int32_t(m.lock_threads.tid.size()));
        const auto events = c.get<uint64_t>();
        c.check_fits(events, 12, "lock events");
        auto& e = m.lock_events;
        L.events_begin.push_back(int32_t(e.time.size()));
        const size_t more = c.plausible_reserve(events, 1);
        reserve_more(e.time, more);
        reserve_more(e.srcloc, more);
        reserve_more(e.thread, more);
        reserve_more(e.type, more);
        int64_t ref = announce;
        for (uint64_t j = 0; j < events; j++) {
            e.time.push_back(c.time_delta(ref));
            e.srcloc.push_back(srcloc_column(ctx, c.get<int16_t>()));
            e.thread.push_back(c.get<uint8_t>());
            e.type.push_back(c.get<uint8_t>());
        }
        check_rows(e.time.size(), "lock events");
        L.events_end.push_back(int32_t(e.time.size()));
        ctx.check_cancel();
    }
}

std::unordered_map<uint64_t, int32_t> read_messages(Cursor& c, LoadContext& ctx) {
    auto& M = ctx.model.messages;
    const bool has_severity = ctx.version >= file_version(0, 13, 2);
    const auto count = c.get<uint64_t>();
    c.check_fits(count, 32, "messages");
    check_rows(count, "messages");
    std::unordered_map<uint64_t, int32_t> rows;
    rows.reserve(Cursor::reserve_hint(count));
    int64_t ref = 0;
    for (uint64_t i = 0; i < count; i++) {
        const auto ptr = c.get<uint64_t>();
        M.time.push_back(c.time_delta(ref));
        const auto str = c.get<uint64_t>();
        const auto flags = c.get<uint8_t>();
        M.text.push_back(ctx.string_by_ref(str, flags));
        M.color.push_back(c.get<uint32_t>());
        M.callstack.push_back(c.u24());
        if (has_severity) {
            M.source.push_back(c.get<uint8_t>());
            M.severity.push_back(c.get<uint8_t>());
        } else {
            M.source.push_back(0);    // user
            M.severity.push_back(2);  // info
        }
        M.thread.push_back(-1);
        rows.emplace(ptr, int32_t(i));
    }
    return rows;
}

}  // namespace tshim
