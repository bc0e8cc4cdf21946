// Exposes the tail model as tables (see shim/SCHEMA.md, "Tail tables").
#include "model/capture.hpp"
#include "read/tail.hpp"

namespace tshim {

void register_tail_tables(const TailModel& m, std::vector<Table>& tables, Capture&) {
    auto table = [&](const char* name) -> Table& { return add_table(tables, name); };
    const auto& g = m.gpu_ctx;
    table("gpu_contexts")
        .add("tid", g.tid).add("calibration", g.calibration).add("count", g.count).add("period", g.period)
        .add("type", g.type).add("name", g.name).add("overflow", g.overflow)
        .add("timeline_begin", g.timeline_begin).add("timeline_end", g.timeline_end)
        .add("zone_begin", g.zone_begin).add("zone_end", g.zone_end)
        .add("note_name_begin", g.note_name_begin).add("note_name_end", g.note_name_end)
        .add("note_begin", g.note_begin).add("note_end", g.note_end);
    table("gpu_timelines")
        .add("context", m.gpu_tl.context).add("tid", m.gpu_tl.tid)
        .add("zone_begin", m.gpu_tl.zone_begin).add("zone_end", m.gpu_tl.zone_end);
    const auto& z = m.gpu_zone;
    table("gpu_zones")
        .add("cpu_start", z.cpu_start).add("cpu_end", z.cpu_end).add("gpu_start", z.gpu_start)
        .add("gpu_end", z.gpu_end).add("srcloc", z.srcloc).add("srcloc_id", z.srcloc_id)
        .add("callstack", z.callstack).add("thread_index", z.thread_index).add("thread", z.thread)
        .add("query_id", z.query_id).add("context", z.context).add("depth", z.depth).add("parent", z.parent)
        .add("subtree_end", z.subtree_end);
    table("gpu_note_names")
        .add("context", m.gpu_note_name.context).add("id", m.gpu_note_name.id).add("name", m.gpu_note_name.name);
    table("gpu_notes")
        .add("context", m.gpu_note.context).add("query_id", m.gpu_note.query_id).add("id", m.gpu_note.id)
        .add("value", m.gpu_note.value);

    const auto& p = m.plot;
    table("plots")
        .add("name", p.name).add("name_ptr", p.name_ptr).add("type", p.type).add("format", p.format)
        .add("show_steps", p.show_steps).add("fill", p.fill).add("color", p.color).add("min", p.min)
        .add("max", p.max).add("sum", p.sum).add("point_begin", p.point_begin).add("point_end", p.point_end)
        .add("pool", p.pool);
    table("plot_points").add("time", m.plot_point.time).add("value", m.plot_point.value);

    const auto& mp = m.mem_pool;
    table("mem_pools")
        .add("key", mp.key).add("name", mp.name).add("name_ptr", mp.name_ptr).add("high", mp.high)
        .add("low", mp.low).add("usage", mp.usage).add("active_count", mp.active_count)
        .add("free_count", mp.free_count).add("event_begin", mp.event_begin).add("event_end", mp.event_end)
        .add("plot", mp.plot);
    const auto& me = m.mem_event;
    table("mem_events")
        .add("ptr", me.ptr).add("size", me.size).add("time_alloc", me.time_alloc).add("time_free", me.time_free)
        .add("thread_alloc", me.thread_alloc).add("thread_free", me.thread_free).add("tid_alloc", me.tid_alloc)
        .add("tid_free", me.tid_free).add("cs_alloc", me.cs_alloc)
        .add("cs_free", me.cs_free).add("pool", me.pool);

    table("callstacks").add("frame_begin", m.callstack.frame_begin).add("frame_end", m.callstack.frame_end);
    table("callstack_frame_ids").add("id", m.callstack_frame_id.id).add("frame", m.callstack_frame_id.frame);
    const auto& cf = m.callstack_frame;
    table("callstack_frames")
        .add("id", cf.id).add("image", cf.image).add("entry_begin", cf.entry_begin).add("entry_end", cf.entry_end);
    const auto& ce = m.callstack_entry;
    table("callstack_frame_entries")
        .add("name", ce.name).add("file", ce.file).add("line", ce.line).add("sym_addr", ce.sym_addr)
        .add("frame", ce.frame);
    table("app_info").add("text", m.app_info.text);
    const auto& fi = m.frame_image;
    table("frame_images")
        .add("width", fi.width).add("height", fi.height).add("flip", fi.flip).add("offset", fi.offset)
        .add("size", fi.size).add("data_offset", fi.data_offset);
    table("frame_image_bytes").add("data", m.frame_image_bytes);

    const auto& ct = m.cs_thread;
    table("ctx_switch_threads")
        .add("tid", ct.tid).add("thread", ct.thread).add("running_time", ct.running_time)
        .add("switch_begin", ct.switch_begin).add("switch_end", ct.switch_end);
    const auto& cs = m.cs;
    table("ctx_switches")
        .add("wakeup", cs.wakeup).add("start", cs.start).add("end", cs.end).add("cpu", cs.cpu)
        .add("wakeup_cpu", cs.wakeup_cpu).add("reason", cs.reason).add("state", cs.state)
        .add("other_tid", cs.other_tid).add("owner", cs.owner);
    const auto& cp = m.cpu_switch;
    table("cpu_switches")
        .add("cpu", cp.cpu).add("start", cp.start).add("end", cp.end).add("thread_index", cp.thread_index)
        .add("tid", cp.tid);
    table("cpu_usage").add("time", m.cpu_usage.time).add("own", m.cpu_usage.own).add("other", m.cpu_usage.other);
    table("tid_pids").add("tid", m.tid_pid.tid).add("pid", m.tid_pid.pid);
    const auto& cd = m.cpu_thread;
    table("cpu_thread_data")
        .add("tid", cd.tid).add("running_time", cd.running_time).add("running_regions", cd.running_regions)
        .add("migrations", cd.migrations);

    const auto& s = m.symbol;
    table("symbols")
        .add("addr", s.addr).add("name", s.name).add("file", s.file).add("line", s.line).add("image", s.image)
        .add("call_file", s.call_file).add("call_line", s.call_line).add("is_inline", s.is_inline)
        .add("size", s.size);
    table("symbol_code")
        .add("addr", m.symbol_code.addr).add("offset", m.symbol_code.offset).add("size", m.symbol_code.size);
    table("symbol_code_bytes").add("data", m.symbol_code_bytes);
    table("code_symbols").add("addr", m.code_symbol.addr).add("sym_addr", m.code_symbol.sym_addr);
    table("hw_samples").add("addr", m.hw_sample.addr).add("kind", m.hw_sample.kind).add("time", m.hw_sample.time);
    table("source_files")
        .add("name", m.source_file.name).add("offset", m.source_file.offset).add("size", m.source_file.size);
    table("source_file_bytes").add("data", m.source_file_bytes);
}

}  // namespace tshim
