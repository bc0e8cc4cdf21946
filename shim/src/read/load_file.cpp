// Entry point of the .tracy reader: container, then every section in file order, then tables and statistics.
#include "read/load_file.hpp"

#include <algorithm>
#include <memory>
#include <numeric>

#include "model/capture.hpp"
#include "format/container.hpp"
#include "derive/derive.hpp"
#include "format/error.hpp"
#include "read/load_context.hpp"
#include "model/model.hpp"
#include "read/tail.hpp"
#include "read/reader.hpp"
#include "read/references.hpp"
#include "model/register_tables.hpp"

namespace tshim {

namespace {

// Files before 0.13.6 may hold a thread's context-switch samples out of time order (before 0.7.13 also its
// samples); upstream sorts them on load.
void sort_samples_by_time(Model& m, SampleTable& s, bool ctx_switch) {
    const auto& t = m.threads;
    for (size_t r = 0; r < t.count(); r++) {
        const auto b = size_t(ctx_switch ? t.ctx_switch_samples_begin[r] : t.samples_begin[r]);
        const auto e = size_t(ctx_switch ? t.ctx_switch_samples_end[r] : t.samples_end[r]);
        if (e <= b || std::is_sorted(s.time.begin() + long(b), s.time.begin() + long(e))) continue;
        std::vector<size_t> order(e - b);
        std::iota(order.begin(), order.end(), b);
        std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return s.time[x] < s.time[y]; });
        std::vector<int64_t> time;
        std::vector<uint32_t> cs;
        for (auto i : order) {
            time.push_back(s.time[i]);
            cs.push_back(s.callstack[i]);
        }
        std::copy(time.begin(), time.end(), s.time.begin() + long(b));
        std::copy(cs.begin(), cs.end(), s.callstack.begin() + long(b));
    }
}

// References that could only be resolved once the string table was read.
void resolve_names(LoadContext& ctx) {
    auto& m = ctx.model;
    ctx.frame_name = ctx.intern("Frame");
    for (size_t i = 0; i < m.frame_sets.name_ptr.size(); i++) {
        const auto ptr = m.frame_sets.name_ptr[i];
        m.frame_sets.name[i] = ptr == 0 ? ctx.frame_name : ctx.string_by_ptr(ptr);
    }
    for (auto& v : m.sections.text) v = ctx.string_by_raw_idx(uint32_t(v));
    for (auto& v : m.section_categories.description) v = ctx.string_by_raw_idx(uint32_t(v));
}

}  // namespace

void load_bytes(Capture& cap, const uint8_t* data, size_t size, const std::string& name, bool file_mapping) {
    cap.stage = "decompressing";
    auto source = std::make_unique<ContainerSource>(data, size, file_mapping);
    source->set_cancel(&cap.cancel);
    const auto info = source->info();
    cap.meta_int["file_size"] = int64_t(size);
    cap.meta_str["compression"] = info.compression == Compression::Lz4 ? "lz4" : "zstd";
    cap.meta_int["streams"] = info.streams;
    cap.progress_total = source->size_bound();

    Cursor c(*source);
    c.set_input_size(size);
    cap.stage = "header";
    const int version = read_version(c);
    cap.model = std::make_unique<Model>();
    Model& m = *cap.model;
    LoadContext ctx(version, cap, m);

    read_metadata(c, ctx);
    ctx.stage("frames");
    read_frames(c, ctx);
    read_sections(c, ctx);
    ctx.stage("strings");
    read_strings(c, ctx);
    resolve_names(ctx);
    read_srclocs(c, ctx);
    ctx.stage("locks");
    read_locks(c, ctx);
    ctx.stage("messages");
    const auto message_rows = read_messages(c, ctx);
    read_threads(c, ctx, message_rows);
    ctx.keep_file_lookups();
    if (version < file_version(0, 13, 6)) sort_samples_by_time(m, m.ctx_switch_samples, true);
    if (version < file_version(0, 7, 13)) sort_samples_by_time(m, m.samples, false);
    cap.progress_done = c.consumed();

    ctx.stage("tail");
    read_tail(c, ctx);
    ctx.check_cancel();
    const uint64_t payload_size = c.consumed();
    source.reset();  // the decoders' windows are not needed any more: keep them out of the peak

    // Metadata derived from what was read, as upstream reports it.
    if (cap.meta_str["capture_name"].empty()) cap.meta_str["capture_name"] = name;
    cap.meta_int["payload_size"] = int64_t(payload_size);
    cap.progress_done = payload_size;
    cap.progress_total = payload_size;
    finish_capture(ctx);
}

void finish_capture(LoadContext& ctx) {
    Capture& cap = ctx.cap;
    Model& m = ctx.model;
    repair_references(ctx);
    const auto crash_ptr = uint64_t(cap.meta_int["crash_message"]);
    const auto crash_text = crash_ptr ? ctx.string_by_ptr(crash_ptr) : -1;
    if (crash_text >= 0) cap.meta_str["crash_message_text"] = std::string(m.strings.get(crash_text));
    int64_t first_time = 0;
    if (cap.meta_int["on_demand"]) {  // upstream: the base set's third frame starts the on-demand capture
        const auto b = m.frame_sets.frames_begin[0], e = m.frame_sets.frames_end[0];
        if (e - b > 2) first_time = m.frames.start[size_t(b + 2)];
    }
    cap.meta_int["first_time"] = first_time;

    if (!ctx.zone_stats_counted) {
        cap.stage = "statistics";
        build_zone_stats(m);
    }
    ctx.check_cancel();
    register_front_tables(m, cap.tables);
    register_tail_tables(m.tail, cap.tables, cap);
    cap.set_state(TSHIM_READY);
    // Everything else derived (the zone tree's links, per-srcloc zone lists) is built on first use.
    cap.stage = "done";
    cap.set_state(TSHIM_COMPLETE);
}

void load_file(Capture& cap, const std::string& path) {
    cap.stage = "opening";
    FileBytes file(path);
    load_bytes(cap, file.data(), file.size(), path, file.mapped());
}

}  // namespace tshim
