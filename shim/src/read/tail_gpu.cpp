// GPU section: the two zone counts, then every GPU context with its note names, per-thread zone trees and notes.
#include <vector>

#include "model/capture.hpp"
#include "model/model.hpp"
#include "read/tail_io.hpp"
#include "read/tail_sections.hpp"

namespace tshim::tail {

namespace {

// Bytes of one stored GPU zone without children: cpu/gpu start deltas, srcloc, callstack, thread, child count,
// cpu/gpu end deltas.
constexpr uint64_t kGpuZoneMinBytes = 8 + 8 + 2 + 3 + 2 + 8 + 8 + 8;

// Reads one thread's zone tree, appending it in DFS pre-order. The file nests children between a zone's header
// and its end times; an explicit stack keeps hostile nesting from exhausting the call stack. Both time
// references run through the whole tree in file order.
void read_gpu_tree(Cursor& c, LoadContext& ctx, uint64_t top_count, int32_t context, bool has_query_id) {
    auto& z = ctx.model.tail.gpu_zone;
    struct Level {
        uint64_t left;   // zones of this child list still to read
        int32_t parent;  // owning zone row, -1 at the top
    };
    std::vector<Level> levels{{top_count, -1}};
    int64_t cpu_ref = 0, gpu_ref = 0;

    auto read_end = [&](size_t row) {
        z.cpu_end[row] = c.time_delta(cpu_ref);
        z.gpu_end[row] = c.time_delta(gpu_ref);
        z.query_id[row] = has_query_id ? c.get<uint16_t>() : uint16_t(0);
        z.subtree_end[row] = row32(z.cpu_start.size(), "GPU zones");
    };

    while (!levels.empty()) {
        Level& lv = levels.back();
        if (lv.left == 0) {
            const int32_t parent = lv.parent;
            levels.pop_back();
            if (parent >= 0) read_end(size_t(parent));
            continue;
        }
        lv.left--;
        const int32_t parent = lv.parent;
        const size_t row = z.cpu_start.size();
        const int32_t row_id = row32(row, "GPU zones");
        z.cpu_start.push_back(c.time_delta(cpu_ref));
        z.gpu_start.push_back(c.time_delta(gpu_ref));
        const int16_t srcloc = c.get<int16_t>();
        z.srcloc_id.push_back(srcloc);
        z.srcloc.push_back(ctx.srcloc_row_or_none(srcloc));
        z.callstack.push_back(c.u24());
        const uint16_t thread = c.get<uint16_t>();
        z.thread_index.push_back(thread);
        z.thread.push_back(known_thread_row(ctx.thread_tid_by_compressed(thread), ctx));
        z.context.push_back(context);
        if (levels.size() - 1 > 0xFFFF) corrupt("GPU zones nested too deep");
        z.depth.push_back(uint16_t(levels.size() - 1));
        z.parent.push_back(parent);
        z.cpu_end.push_back(-1);
        z.gpu_end.push_back(-1);
        z.query_id.push_back(0);
        z.subtree_end.push_back(row_id + 1);
        const uint64_t children = c.get<uint64_t>();
        if (children == 0) {
            read_end(row);
        } else {
            c.check_fits(children, kGpuZoneMinBytes, "GPU zones");
            levels.push_back({children, row_id});
        }
    }
}

}  // namespace

void read_gpu(Cursor& c, LoadContext& ctx) {
    auto& t = ctx.model.tail;
    const bool v1224 = ctx.version >= file_version(0, 12, 4);
    c.get<uint64_t>();  // total GPU zone count (a progress hint)
    c.get<uint64_t>();  // GPU child-list count (the server's storage detail)
    const uint64_t contexts = c.get<uint64_t>();
    c.check_fits(contexts, 8 + 1 + 8 + 4 + 1 + 8, "GPU contexts");
    auto& g = t.gpu_ctx;
    for (uint64_t i = 0; i < contexts; i++) {
        const int32_t ci = row32(g.tid.size(), "GPU contexts");
        g.tid.push_back(c.get<uint64_t>());
        const uint8_t calibration = c.get<uint8_t>();  // before 0.7.1 an accuracy byte: no calibration
        g.calibration.push_back(ctx.version >= file_version(0, 7, 1) ? calibration : uint8_t(0));
        g.count.push_back(c.get<uint64_t>());
        g.period.push_back(c.get<float>());
        g.type.push_back(c.get<uint8_t>());
        g.name.push_back(ctx.version >= file_version(0, 7, 6) ? string_idx(c, ctx) : -1);
        g.overflow.push_back(ctx.version >= file_version(0, 7, 9) ? c.get<uint64_t>() : 0);

        g.note_name_begin.push_back(row_of(t.gpu_note_name.id.size()));
        if (v1224) {
            const uint64_t n = c.get<uint64_t>();
            c.check_fits(n, 8 + 3, "GPU note names");
            for (uint64_t k = 0; k < n; k++) {
                t.gpu_note_name.context.push_back(ci);
                t.gpu_note_name.id.push_back(c.get<int64_t>());
                t.gpu_note_name.name.push_back(string_idx(c, ctx));
            }
        }
        g.note_name_end.push_back(row_of(t.gpu_note_name.id.size()));

        g.timeline_begin.push_back(row_of(t.gpu_tl.tid.size()));
        g.zone_begin.push_back(row_of(t.gpu_zone.cpu_start.size()));
        const uint64_t threads = c.get<uint64_t>();
        c.check_fits(threads, 16, "GPU context threads");
        for (uint64_t j = 0; j < threads; j++) {
            const uint64_t tid = c.get<uint64_t>();
            const uint64_t zones = c.get<uint64_t>();
            if (zones == 0) continue;  // the server keeps no timeline for it either
            c.check_fits(zones, kGpuZoneMinBytes, "GPU zones");
            t.gpu_tl.context.push_back(ci);
            t.gpu_tl.tid.push_back(tid);
            t.gpu_tl.zone_begin.push_back(row_of(t.gpu_zone.cpu_start.size()));
            read_gpu_tree(c, ctx, zones, ci, v1224);
            t.gpu_tl.zone_end.push_back(row_of(t.gpu_zone.cpu_start.size()));
        }
        g.zone_end.push_back(row_of(t.gpu_zone.cpu_start.size()));
        g.timeline_end.push_back(row_of(t.gpu_tl.tid.size()));

        g.note_begin.push_back(row_of(t.gpu_note.id.size()));
        if (v1224) {
            const uint64_t queries = c.get<uint64_t>();
            c.check_fits(queries, 2 + 8, "GPU note queries");
            for (uint64_t k = 0; k < queries; k++) {
                const uint16_t query = c.get<uint16_t>();
                const uint64_t n = c.get<uint64_t>();
                c.check_fits(n, 16, "GPU notes");
                for (uint64_t m = 0; m < n; m++) {
                    t.gpu_note.context.push_back(ci);
                    t.gpu_note.query_id.push_back(query);
                    t.gpu_note.id.push_back(c.get<int64_t>());
                    t.gpu_note.value.push_back(c.get<double>());
                }
            }
        }
        g.note_end.push_back(row_of(t.gpu_note.id.size()));
    }
}

}  // namespace tshim::tail
