#include "model/register_tables.hpp"

namespace tshim {

void register_front_tables(const Model& m, std::vector<Table>& tables) {
    auto table = [&](const char* name) -> Table& { return add_table(tables, name); };
    table("strings").add("offset", m.strings.offset).add("size", m.strings.size);
    table("string_bytes").add("data", m.strings.bytes);

    const auto& t = m.threads;
    table("threads")
        .add("tid", t.tid).add("name", t.name).add("list_index", t.list_index).add("zone_count", t.zone_count)
        .add("kernel_sample_count", t.kernel_sample_count).add("is_fiber", t.is_fiber).add("group_hint", t.group_hint)
        .add("zones_begin", t.zones_begin).add("zones_end", t.zones_end)
        .add("messages_begin", t.messages_begin).add("messages_end", t.messages_end)
        .add("samples_begin", t.samples_begin).add("samples_end", t.samples_end)
        .add("ctx_switch_samples_begin", t.ctx_switch_samples_begin)
        .add("ctx_switch_samples_end", t.ctx_switch_samples_end);

    const auto& s = m.srclocs;
    table("srclocs")
        .add("id", s.id).add("name", s.name).add("function", s.function).add("file", s.file).add("line", s.line)
        .add("color", s.color).add("dynamic", s.dynamic).add("ptr", s.ptr).add("static_order", s.static_order)
        .add("hash_order", s.hash_order)
        .add("zone_count", s.zone_count).add("zone_total", s.zone_total).add("zone_min", s.zone_min)
        .add("zone_max", s.zone_max).add("zone_sum_sq", s.zone_sum_sq)
        .add_derived("zones_begin", s.zones_begin, s.count(), m.srcloc_lists)
        .add_derived("zones_end", s.zones_end, s.count(), m.srcloc_lists);
    uint64_t listed = 0;
    for (auto c : s.zone_count) listed += c;
    table("srcloc_zones").add_derived("zone", m.srcloc_zones, size_t(listed), m.srcloc_lists);

    const auto& z = m.zones;
    table("zones")
        .add("start", z.start).add("end", z.end).add("srcloc", z.srcloc)
        .add_derived("thread", z.thread, z.count(), m.zone_threads)
        .add("depth", z.depth).add_derived("parent", z.parent, z.count(), m.zone_links)
        .add_derived("subtree_end", z.subtree_end, z.count(), m.zone_subtrees)
        .add_derived("extra", z.extra, z.count(), m.zone_columns);
    const auto& x = m.zone_extras;
    table("zone_extras").add("callstack", x.callstack).add("text", x.text).add("name", x.name).add("color", x.color);

    const auto& fs = m.frame_sets;
    table("frame_sets")
        .add("name", fs.name).add("name_ptr", fs.name_ptr).add("continuous", fs.continuous)
        .add("frames_begin", fs.frames_begin).add("frames_end", fs.frames_end).add("stat_count", fs.stat_count)
        .add("stat_total", fs.stat_total).add("stat_min", fs.stat_min).add("stat_max", fs.stat_max)
        .add("stat_sum_sq", fs.stat_sum_sq);
    const auto& f = m.frames;
    table("frames").add("start", f.start).add("end", f.end).add("image", f.image).add("frame_set", f.frame_set);

    table("sections")
        .add("category", m.sections.category).add("start", m.sections.start).add("end", m.sections.end)
        .add("text", m.sections.text);
    table("section_categories")
        .add("category", m.section_categories.category).add("description", m.section_categories.description);

    const auto& l = m.locks;
    table("locks")
        .add("id", l.id).add("custom_name", l.custom_name).add("srcloc", l.srcloc).add("type", l.type)
        .add("valid", l.valid).add("time_announce", l.time_announce).add("time_terminate", l.time_terminate)
        .add("threads_begin", l.threads_begin).add("threads_end", l.threads_end)
        .add("events_begin", l.events_begin).add("events_end", l.events_end);
    table("lock_threads").add("tid", m.lock_threads.tid).add("thread", m.lock_threads.thread);
    const auto& le = m.lock_events;
    table("lock_events").add("time", le.time).add("srcloc", le.srcloc).add("thread", le.thread).add("type", le.type);

    const auto& msg = m.messages;
    table("messages")
        .add("time", msg.time).add("text", msg.text).add("color", msg.color).add("callstack", msg.callstack)
        .add("source", msg.source).add("severity", msg.severity).add("thread", msg.thread);
    table("thread_messages").add("message", m.thread_messages);

    for (auto [name, st] : {std::pair{"samples", &m.samples}, std::pair{"ctx_switch_samples", &m.ctx_switch_samples}})
        table(name).add("time", st->time).add("callstack", st->callstack).add("thread", st->thread);

    table("external_threads")
        .add("tid", m.external_tid).add("process", m.external_process).add("thread", m.external_thread);
    table("cpu_topology")
        .add("thread", m.cpu_topology_thread).add("package", m.cpu_topology_package).add("die", m.cpu_topology_die)
        .add("core", m.cpu_topology_core);
    // upstream's compressed thread index (row) -> OS tid, as the file stores it (what upstream reports as `thread`)
    table("thread_compress").add("tid", m.lookup.local_threads);
}

}  // namespace tshim
