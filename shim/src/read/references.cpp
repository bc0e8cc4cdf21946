#include "read/references.hpp"

#include <cstdint>
#include <vector>

#include "format/error.hpp"
#include "read/load_context.hpp"

namespace tshim {

namespace {

// Counts per repaired column, in the order they are reported.
struct Repairs {
    int64_t total = 0;
    std::string text;
    void note(const char* what, uint64_t n, const char* action) {
        if (n == 0) return;
        total += int64_t(n);
        if (!text.empty()) text += "; ";
        text += std::to_string(n) + " " + what + " -> " + action;
    }
};

// Sets callstack ids past the callstack table to 0 (none); returns how many.
uint64_t clear_unknown_callstacks(std::vector<uint32_t>& ids, uint64_t callstacks) {
    uint64_t n = 0;
    for (auto& v : ids) {
        if (v != 0 && v >= callstacks) {
            v = 0;
            n++;
        }
    }
    return n;
}

}  // namespace

void repair_references(LoadContext& ctx) {
    Model& m = ctx.model;
    auto& sl = m.srclocs;
    auto& gz = m.tail.gpu_zone;
    const size_t srclocs = sl.count();
    Repairs fixed;

    // Source locations: the reader keeps an unknown id as 65535 (CPU zones) or -1 (GPU zones).
    uint64_t cpu_unknown = 0, gpu_unknown = 0;
    if (ctx.unknown_zone_srclocs >= 0) cpu_unknown = uint64_t(ctx.unknown_zone_srclocs);
    else
        for (auto v : m.zones.srcloc) cpu_unknown += v >= srclocs;
    for (auto v : gz.srcloc) gpu_unknown += v < 0 || size_t(v) >= srclocs;
    if (cpu_unknown + gpu_unknown > 0) {
        if (srclocs >= 0xFFFF)
            throw Error(TSHIM_ERR_FORMAT, "capture is corrupt: zones refer to unknown source locations and the "
                                          "source location table is full");
        const auto row = uint16_t(srclocs);
        const int32_t name = ctx.intern(kUnknownSrclocName);
        sl.id.push_back(0);
        sl.name.push_back(name);
        sl.function.push_back(name);
        sl.file.push_back(-1);
        sl.line.push_back(0);
        sl.color.push_back(0);
        sl.dynamic.push_back(0);
        sl.ptr.push_back(0);
        sl.static_order.push_back(-1);
        sl.hash_order.push_back(-1);
        for (auto& v : m.zones.srcloc)
            if (v >= srclocs) v = row;
        for (auto& v : gz.srcloc)
            if (v < 0 || size_t(v) >= srclocs) v = row;
        // The statistics counted while reading have no row for the marker: count them again over the repaired zones.
        ctx.zone_stats_counted = false;
        fixed.note("CPU zones with an unknown source location", cpu_unknown, kUnknownSrclocName);
        fixed.note("GPU zones with an unknown source location", gpu_unknown, kUnknownSrclocName);
    }

    // Callstacks: row 0 is "none"; the table is read after most of the columns that refer to it.
    const uint64_t callstacks = m.tail.callstack.frame_begin.size();
    fixed.note("zone callstacks out of range", clear_unknown_callstacks(m.zone_extras.callstack, callstacks), "none");
    fixed.note("message callstacks out of range", clear_unknown_callstacks(m.messages.callstack, callstacks), "none");
    fixed.note("sample callstacks out of range", clear_unknown_callstacks(m.samples.callstack, callstacks), "none");
    fixed.note("context-switch sample callstacks out of range",
               clear_unknown_callstacks(m.ctx_switch_samples.callstack, callstacks), "none");
    fixed.note("GPU zone callstacks out of range", clear_unknown_callstacks(gz.callstack, callstacks), "none");
    fixed.note("allocation callstacks out of range", clear_unknown_callstacks(m.tail.mem_event.cs_alloc, callstacks),
               "none");
    fixed.note("free callstacks out of range", clear_unknown_callstacks(m.tail.mem_event.cs_free, callstacks), "none");
    auto& crash_cs = ctx.cap.meta_int["crash_callstack"];
    if (crash_cs != 0 && uint64_t(crash_cs) >= callstacks) {
        crash_cs = 0;
        fixed.note("crash callstack out of range", 1, "none");
    }

    if (fixed.total > 0) {
        ctx.cap.meta_int["repaired_references"] = fixed.total;
        ctx.cap.meta_str["repaired_references_text"] = fixed.text;
    }
}

}  // namespace tshim
