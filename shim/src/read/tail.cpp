// The tail reader: every section after the CPU threads, in the file's order, then the derivations the server
// makes right after loading that the API needs.
#include "read/tail.hpp"

#include <algorithm>
#include <vector>

#include "model/capture.hpp"
#include "format/cursor.hpp"
#include "read/load_context.hpp"
#include "model/model.hpp"
#include "read/tail_io.hpp"
#include "read/tail_sections.hpp"

namespace tshim {

namespace {

// Upstream's first time: 0, except for on-demand captures, where it is the start of the base frame set's third
// frame (the first frames predate the connection).
int64_t first_time(const LoadContext& ctx) {
    auto it = ctx.cap.meta_int.find("on_demand");
    if (it == ctx.cap.meta_int.end() || it->second == 0) return 0;
    const auto& fs = ctx.model.frame_sets;
    if (fs.frames_begin.empty()) return 0;
    const size_t b = size_t(fs.frames_begin[0]), e = size_t(fs.frames_end[0]);
    if (e - b < 3 || b + 2 >= ctx.model.frames.start.size()) return 0;
    return ctx.model.frames.start[b + 2];
}

}  // namespace

void read_tail(Cursor& c, LoadContext& ctx) {
    ctx.cap.meta_int["tail_offset"] = int64_t(c.consumed());  // where the GPU section starts (diagnostics, fuzz seeds)
    ctx.stage("GPU zones");
    tail::read_gpu(c, ctx);
    ctx.check_cancel();
    ctx.stage("plots");
    tail::read_plots(c, ctx);
    ctx.stage("memory");
    tail::read_memory(c, ctx);
    ctx.check_cancel();
    ctx.stage("callstacks");
    tail::read_callstacks(c, ctx);
    tail::read_app_info(c, ctx);
    ctx.stage("frame images");
    tail::read_frame_images(c, ctx);
    ctx.check_cancel();
    ctx.stage("context switches");
    tail::read_context_switches(c, ctx);
    tail::read_cpu_data(c, ctx);
    ctx.check_cancel();
    ctx.stage("symbols");
    tail::read_symbols(c, ctx);
    tail::read_symbol_code(c, ctx);
    tail::read_hw_samples(c, ctx);
    ctx.stage("source files");
    tail::read_source_files(c, ctx);

    // The source file cache ends the payload. Upstream ignores anything after it; count it (up to 1 MiB) so a
    // misaligned read shows up as trailing bytes rather than passing unnoticed.
    int64_t trailing = 0;
    try {
        while (trailing < (int64_t(1) << 20)) {
            c.get<uint8_t>();
            trailing++;
        }
    } catch (const Error&) {
    }
    ctx.cap.meta_int["payload_trailing_bytes"] = trailing;
    finish_tail(ctx);
}

void finish_tail(LoadContext& ctx) {
    auto& t = ctx.model.tail;
    tail::derive_callstack_frame_rows(t);
    tail::derive_memory_plots(t, first_time(ctx));
    {
        // The program's own threads as upstream counts them: listed threads that have zones or samples.
        const auto& th = ctx.model.threads;
        std::vector<uint64_t> own;
        for (size_t i = 0; i < th.tid.size(); i++)
            if (th.list_index[i] >= 0 && (th.zone_count[i] > 0 || th.samples_end[i] > th.samples_begin[i]))
                own.push_back(th.tid[i]);
        std::sort(own.begin(), own.end());
        auto pid = ctx.cap.meta_int.find("pid");
        tail::derive_cpu_usage(t, own, pid == ctx.cap.meta_int.end() ? 0 : uint64_t(pid->second));
    }
    for (size_t i = 0; i < t.plot.name.size(); i++)
        if (t.plot.pool[i] >= 0) t.plot.name[i] = tail::string_ptr(t.plot.name_ptr[i], ctx);

    uint64_t gpu_zones = 0, user_points = 0;
    for (uint64_t n : t.gpu_ctx.count) gpu_zones += n;
    for (size_t i = 0; i < t.plot.type.size(); i++)
        if (t.plot.type[i] == 0) user_points += uint64_t(t.plot.point_end[i] - t.plot.point_begin[i]);
    ctx.cap.meta_int["gpu_zone_count"] = int64_t(gpu_zones);
    ctx.cap.meta_int["plot_count"] = int64_t(user_points);
    ctx.cap.meta_int["context_switch_count"] = int64_t(t.cs.start.size());
    ctx.cap.meta_int["symbol_loc_count"] = int64_t(t.symbol_loc_count);
    ctx.cap.meta_int["symbol_inline_count"] = int64_t(t.symbol_inline_count);
}

}  // namespace tshim
