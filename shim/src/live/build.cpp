// Turns the live ingest state into the same Model/TailModel (and so the same tables) a loaded file produces.
#include <algorithm>
#include <ctime>
#include <limits>
#include <memory>
#include <numeric>

#include "model/capture.hpp"
#include "derive/frame_stats.hpp"
#include "derive/hash_order.hpp"
#include "live/ingest.hpp"
#include "live/time.hpp"
#include "read/load_context.hpp"
#include "read/load_file.hpp"
#include "model/model.hpp"
#include "read/tail.hpp"
#include "read/tail_sections.hpp"

namespace tshim::live {

namespace {

constexpr uint16_t kNoSrcloc = 65535;

std::string local_date(uint64_t epoch) {
    const std::time_t t = std::time_t(epoch);
    std::tm tm{};
#if defined(_WIN32)
    localtime_s(&tm, &t);
#else
    localtime_r(&t, &tm);
#endif
    char buf[64];
    std::strftime(buf, sizeof(buf), "%F %T", &tm);
    return buf;
}

}  // namespace

void LiveIngest::build(Capture& cap, bool connected) const {
    cap.model = std::make_unique<Model>();
    Model& m = *cap.model;
    const bool v014 = welcome_.protocol == 82;
    LoadContext ctx(v014 ? file_version(0, 14, 0) : file_version(0, 13, 1), cap, m);
    TailModel& t = m.tail;

    // ---- strings the client sent for its pointers (names, files, functions, literal messages)
    for (const auto& [ptr, text] : strings_) ctx.string_ids[ptr] = ctx.intern(text);
    ctx.frame_name = ctx.intern("Frame");
    const int32_t unknown = ctx.intern("???");
    auto by_ptr = [&](uint64_t ptr) { return ptr == 0 ? -1 : ctx.string_by_ptr(ptr); };
    auto text = [&](const std::string& s) { return ctx.intern(s); };

    // ---- metadata
    auto& mi = cap.meta_int;
    auto& ms = cap.meta_str;
    ms["capture_program"] = program_;
    ms["capture_name"] = program_ + " @ " + local_date(welcome_.epoch);
    ms["host_info"] = host_info_;
    ms["cpu_manufacturer"] = cpu_manufacturer_;
    ms["file_version_str"] = v014 ? "0.14.0" : "0.13.1";
    mi["file_version"] = ctx.version;
    mi["capture_time"] = int64_t(welcome_.epoch);
    mi["executable_time"] = int64_t(welcome_.exec_time);
    mi["pid"] = int64_t(welcome_.pid);
    mi["resolution"] = welcome_.resolution_ns;
    mi["last_time"] = last_time_;
    mi["frame_offset"] = int64_t(welcome_.on_demand_frames);
    mi["on_demand"] = welcome_.on_demand ? 1 : 0;
    mi["sampling_period"] = welcome_.sampling_period_ns;
    mi["cpu_arch"] = welcome_.cpu_arch;
    mi["cpu_id"] = welcome_.cpu_id;
    mi["crash_thread"] = int64_t(crash_tid_);
    mi["crash_time"] = crash_time_;
    mi["crash_message"] = int64_t(crash_text_);
    mi["crash_callstack"] = crash_cs_;
    if (auto it = strings_.find(crash_text_); crash_text_ != 0 && it != strings_.end()) ms["crash_message_text"] = it->second;
    mi["live"] = 1;
    mi["protocol"] = welcome_.protocol;
    mi["connected"] = connected ? 1 : 0;
    cap.meta_float["timer_mul"] = welcome_.timer_mul;

    // ---- threads, in the order upstream first noticed them
    const auto S = int32_t(static_ptrs_.size());
    auto srcloc_row = [&](int16_t id) -> uint16_t {
        if (id > 0) return uint16_t(id - 1);
        if (id < 0) return uint16_t(S + (-int32_t(id) - 1));
        return kNoSrcloc;
    };
    auto& th = m.threads;
    uint64_t zones_total = 0, samples_total = 0;
    for (size_t i = 0; i < threads_.size(); i++) {
        const Thread& td = threads_[i];
        auto nit = thread_names_.find(td.tid);
        if (nit != thread_names_.end()) ctx.thread_names[td.tid] = text(nit->second);
        const uint32_t row = ctx.thread_row(td.tid);
        th.list_index[row] = int32_t(i);
        th.zone_count[row] = td.zone_count;
        th.kernel_sample_count[row] = td.kernel_samples;
        th.is_fiber[row] = td.fiber ? 1 : 0;
        th.group_hint[row] = td.group_hint;
        zones_total += td.zone_count;
        samples_total += td.sample_time.size();
    }
    mi["zone_count"] = int64_t(zones_total);
    mi["sample_count"] = int64_t(samples_total);

    // ---- source locations: static ids 1..S in order of first use, then dynamic -1..-D
    auto& sl = m.srclocs;
    int64_t unresolved = 0;  // no answer (or no function name) yet: shown as "???", counted for the warning
    for (int32_t i = 0; i < S; i++) {
        const uint64_t ptr = static_ptrs_[size_t(i)];
        auto it = srcloc_info_.find(ptr);
        const StaticSrcloc info = it == srcloc_info_.end() ? StaticSrcloc{} : it->second;
        sl.id.push_back(i + 1);
        sl.name.push_back(info.known ? by_ptr(info.name) : -1);
        const int32_t fn = by_ptr(info.function), file = by_ptr(info.file);
        if (!info.known || fn < 0) unresolved++;
        sl.function.push_back(fn >= 0 ? fn : unknown);
        sl.file.push_back(file >= 0 ? file : unknown);
        sl.line.push_back(info.line);
        sl.color.push_back(info.color);
        sl.dynamic.push_back(0);
        sl.ptr.push_back(ptr);
        sl.static_order.push_back(i);
    }
    mi["unresolved_srclocs"] = unresolved;
    for (size_t i = 0; i < dynamic_.size(); i++) {
        const DynamicSrcloc& d = dynamic_[i];
        sl.id.push_back(-int32_t(i) - 1);
        sl.name.push_back(d.name.empty() ? -1 : text(d.name));
        sl.function.push_back(text(d.function));
        sl.file.push_back(text(d.file));
        sl.line.push_back(d.line);
        sl.color.push_back(d.color);
        sl.dynamic.push_back(1);
        sl.ptr.push_back(0);
        sl.static_order.push_back(-1);
    }

    // Upstream's per-srcloc zone map gets its keys as source locations first appear, without a reserve.
    {
        std::vector<uint64_t> keys;
        keys.reserve(srcloc_created_.size());
        for (int16_t id : srcloc_created_) keys.push_back(uint64_t(int64_t(id)));
        const auto rank = flat_map_iteration_rank(keys, 0);
        sl.hash_order.assign(sl.id.size(), -1);
        for (size_t i = 0; i < srcloc_created_.size(); i++) {
            const uint16_t row = srcloc_row(srcloc_created_[i]);
            if (row != kNoSrcloc && rank[i] >= 0) sl.hash_order[row] = rank[i];
        }
    }

    // ---- CPU zones, per thread in list order, DFS pre-order (= begin order)
    auto& z = m.zones;
    size_t total_rows = 0;
    for (const auto& td : threads_) total_rows += td.start.size();
    z.start.reserve(total_rows);
    z.end.reserve(total_rows);
    z.srcloc.reserve(total_rows);
    z.thread.reserve(total_rows);
    z.depth.reserve(total_rows);
    z.extra.reserve(total_rows);
    for (size_t i = 0; i < threads_.size(); i++) {
        const Thread& td = threads_[i];
        const auto row = ctx.thread_rows.at(td.tid);
        const auto base = int32_t(z.start.size());
        const auto n = int32_t(td.start.size());
        th.zones_begin[row] = base;
        z.start.insert(z.start.end(), td.start.begin(), td.start.end());
        z.end.insert(z.end.end(), td.end.begin(), td.end.end());
        z.depth.insert(z.depth.end(), td.depth.begin(), td.depth.end());
        z.extra.insert(z.extra.end(), td.extra.begin(), td.extra.end());
        for (int32_t k = 0; k < n; k++) {  // the tree's links follow from the depths (Model::zone_links)
            z.srcloc.push_back(srcloc_row(td.srcloc[size_t(k)]));
            z.thread.push_back(uint16_t(row));
        }
        th.zones_end[row] = int32_t(z.start.size());
    }
    auto& ze = m.zone_extras;
    for (const Extra& e : extras_) {
        ze.callstack.push_back(e.callstack);
        ze.text.push_back(e.has_text ? text(e.text) : -1);
        ze.name.push_back(e.has_name ? text(e.name) : -1);
        ze.color.push_back(e.color);
    }

    // ---- frames
    for (size_t s = 0; s < frame_sets_.size(); s++) {
        const FrameSet& f = frame_sets_[s];
        auto& fs = m.frame_sets;
        fs.name_ptr.push_back(f.name_ptr);
        fs.name.push_back(f.name_ptr == 0 ? ctx.frame_name : by_ptr(f.name_ptr));
        fs.continuous.push_back(f.continuous ? 1 : 0);
        fs.frames_begin.push_back(int32_t(m.frames.start.size()));
        m.frames.start.insert(m.frames.start.end(), f.start.begin(), f.start.end());
        m.frames.end.insert(m.frames.end.end(), f.end.begin(), f.end.end());
        m.frames.image.insert(m.frames.image.end(), f.start.size(), -1);
        m.frames.frame_set.insert(m.frames.frame_set.end(), f.start.size(), int32_t(s));
        fs.frames_end.push_back(int32_t(m.frames.start.size()));
        finish_frame_set(m, size_t(fs.frames_begin.back()), size_t(fs.frames_end.back()), f.continuous, last_time_);
    }

    // ---- sections
    for (const Section& s : sections_) {
        m.sections.category.push_back(s.category);
        m.sections.start.push_back(s.start);
        m.sections.end.push_back(s.end);
        m.sections.text.push_back(text(s.text));
    }
    for (const auto& [category, description] : section_categories_) {
        m.section_categories.category.push_back(category);
        m.section_categories.description.push_back(description.empty() ? -1 : text(description));
    }

    // ---- locks
    for (const Lock& l : locks_) {
        auto& lk = m.locks;
        lk.id.push_back(l.id);
        lk.custom_name.push_back(l.named ? text(l.name) : -1);
        lk.srcloc.push_back(srcloc_row(l.srcloc));
        lk.type.push_back(l.type);
        lk.valid.push_back(1);
        lk.time_announce.push_back(l.announce);
        lk.time_terminate.push_back(l.terminate);
        lk.threads_begin.push_back(int32_t(m.lock_threads.tid.size()));
        for (uint64_t tid : l.threads) {
            m.lock_threads.tid.push_back(tid);
            m.lock_threads.thread.push_back(ctx.thread_row(tid));
        }
        lk.threads_end.push_back(int32_t(m.lock_threads.tid.size()));
        lk.events_begin.push_back(int32_t(m.lock_events.time.size()));
        for (size_t i = 0; i < l.time.size(); i++) {
            m.lock_events.time.push_back(l.time[i]);
            m.lock_events.srcloc.push_back(l.srcloc_ev[i] == 0 ? kNoSrcloc : srcloc_row(l.srcloc_ev[i]));
            m.lock_events.thread.push_back(l.thread[i]);
            m.lock_events.type.push_back(l.type_ev[i]);
        }
        lk.events_end.push_back(int32_t(m.lock_events.time.size()));
    }

    // ---- messages, kept in time order (upstream inserts late ones in place)
    std::vector<uint32_t> order(messages_.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return messages_[a].time < messages_[b].time; });
    std::vector<int32_t> message_row(messages_.size());
    for (size_t r = 0; r < order.size(); r++) {
        const Message& msg = messages_[order[r]];
        message_row[order[r]] = int32_t(r);
        auto& mt = m.messages;
        mt.time.push_back(msg.time);
        mt.text.push_back(msg.text_ptr ? by_ptr(msg.text_ptr) : text(msg.text));
        mt.color.push_back(msg.color);
        mt.callstack.push_back(msg.callstack);
        mt.source.push_back(msg.source);
        mt.severity.push_back(msg.severity);
        mt.thread.push_back(int32_t(ctx.thread_row(msg.tid)));
    }
    for (size_t i = 0; i < threads_.size(); i++) {
        const Thread& td = threads_[i];
        const auto row = ctx.thread_rows.at(td.tid);
        th.messages_begin[row] = int32_t(m.thread_messages.size());
        std::vector<int32_t> rows;
        for (uint32_t mi_ : td.messages) rows.push_back(message_row[mi_]);
        std::stable_sort(rows.begin(), rows.end());
        m.thread_messages.insert(m.thread_messages.end(), rows.begin(), rows.end());
        th.messages_end[row] = int32_t(m.thread_messages.size());

        th.samples_begin[row] = int32_t(m.samples.time.size());
        m.samples.time.insert(m.samples.time.end(), td.sample_time.begin(), td.sample_time.end());
        m.samples.callstack.insert(m.samples.callstack.end(), td.sample_cs.begin(), td.sample_cs.end());
        m.samples.thread.insert(m.samples.thread.end(), td.sample_time.size(), row);
        th.samples_end[row] = int32_t(m.samples.time.size());
        th.ctx_switch_samples_begin[row] = int32_t(m.ctx_switch_samples.time.size());
        m.ctx_switch_samples.time.insert(m.ctx_switch_samples.time.end(), td.ctx_sample_time.begin(), td.ctx_sample_time.end());
        m.ctx_switch_samples.callstack.insert(m.ctx_switch_samples.callstack.end(), td.ctx_sample_cs.begin(),
                                              td.ctx_sample_cs.end());
        m.ctx_switch_samples.thread.insert(m.ctx_switch_samples.thread.end(), td.ctx_sample_time.size(), row);
        th.ctx_switch_samples_end[row] = int32_t(m.ctx_switch_samples.time.size());
    }

    for (const auto& [tid, names] : external_) {
        m.external_tid.push_back(tid);
        m.external_process.push_back(text(names.first));
        m.external_thread.push_back(text(names.second));
    }
    for (size_t i = 0; i + 3 < topology_.size(); i += 4) {
        m.cpu_topology_package.push_back(topology_[i]);
        m.cpu_topology_die.push_back(topology_[i + 1]);
        m.cpu_topology_core.push_back(topology_[i + 2]);
        m.cpu_topology_thread.push_back(topology_[i + 3]);
    }

    // ---- tail: upstream's compressed thread indices (order of first use), for GPU and memory columns
    ctx.local_threads = compressed_;
    auto compressed_of = [&](uint64_t tid) -> uint16_t {
        auto it = compressed_index_.find(tid);
        return it == compressed_index_.end() ? 0 : it->second;
    };
    auto known_row = [&](uint64_t tid) -> int32_t {
        auto it = ctx.thread_rows.find(tid);
        return it == ctx.thread_rows.end() ? -1 : int32_t(it->second);
    };

    // GPU
    for (size_t c = 0; c < gpus_.size(); c++) {
        const GpuContext& g = gpus_[c];
        t.gpu_ctx.tid.push_back(g.tid);
        t.gpu_ctx.calibration.push_back(g.calibration ? 1 : 0);
        t.gpu_ctx.count.push_back(g.count);
        t.gpu_ctx.period.push_back(g.period);
        t.gpu_ctx.type.push_back(g.type);
        t.gpu_ctx.name.push_back(g.named ? text(g.name) : -1);
        t.gpu_ctx.overflow.push_back(g.overflow);
        t.gpu_ctx.timeline_begin.push_back(int64_t(t.gpu_tl.context.size()));
        t.gpu_ctx.zone_begin.push_back(int64_t(t.gpu_zone.cpu_start.size()));
        for (const GpuTimeline& tl : g.timelines) {
            t.gpu_tl.context.push_back(int32_t(c));
            t.gpu_tl.tid.push_back(tl.key);
            const auto base = int32_t(t.gpu_zone.cpu_start.size());
            const auto n = int32_t(tl.zones.size());
            t.gpu_tl.zone_begin.push_back(base);
            auto& gz = t.gpu_zone;
            for (const GpuZone& zz : tl.zones) {
                gz.cpu_start.push_back(zz.cpu_start);
                gz.cpu_end.push_back(zz.cpu_end);
                gz.gpu_start.push_back(zz.gpu_start);
                gz.gpu_end.push_back(zz.gpu_end);
                const uint16_t r = srcloc_row(zz.srcloc);
                gz.srcloc.push_back(r == kNoSrcloc ? -1 : int32_t(r));
                gz.srcloc_id.push_back(zz.srcloc);
                gz.callstack.push_back(zz.callstack);
                gz.thread_index.push_back(zz.tid ? compressed_of(zz.tid) : 0);
                gz.thread.push_back(zz.tid ? known_row(zz.tid) : -1);
                gz.query_id.push_back(zz.query);
                gz.context.push_back(int32_t(c));
                gz.depth.push_back(zz.depth);
                gz.parent.push_back(zz.parent < 0 ? -1 : base + zz.parent);
                gz.subtree_end.push_back(base + (zz.subtree_end < 0 ? n : zz.subtree_end));
            }
            t.gpu_tl.zone_end.push_back(int64_t(t.gpu_zone.cpu_start.size()));
        }
        t.gpu_ctx.timeline_end.push_back(int64_t(t.gpu_tl.context.size()));
        t.gpu_ctx.zone_end.push_back(int64_t(t.gpu_zone.cpu_start.size()));
        t.gpu_ctx.note_name_begin.push_back(int64_t(t.gpu_note_name.id.size()));
        for (const auto& [id, name] : g.note_names) {
            t.gpu_note_name.context.push_back(int32_t(c));
            t.gpu_note_name.id.push_back(id);
            t.gpu_note_name.name.push_back(text(name));
        }
        t.gpu_ctx.note_name_end.push_back(int64_t(t.gpu_note_name.id.size()));
        t.gpu_ctx.note_begin.push_back(int64_t(t.gpu_note.id.size()));
        for (const auto& [key, value] : g.notes) {
            t.gpu_note.context.push_back(int32_t(c));
            t.gpu_note.query_id.push_back(key.first);
            t.gpu_note.id.push_back(key.second);
            t.gpu_note.value.push_back(value);
        }
        t.gpu_ctx.note_end.push_back(int64_t(t.gpu_note.id.size()));
    }

    // Plots (points in time order)
    for (const Plot& p : plots_) {
        std::vector<size_t> idx(p.time.size());
        std::iota(idx.begin(), idx.end(), size_t(0));
        std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return p.time[a] < p.time[b]; });
        t.plot.name_ptr.push_back(p.name_ptr);
        t.plot.name.push_back(by_ptr(p.name_ptr));
        t.plot.type.push_back(p.type);
        t.plot.format.push_back(p.format);
        t.plot.show_steps.push_back(p.step ? 1 : 0);
        t.plot.fill.push_back(p.fill ? 1 : 0);
        t.plot.color.push_back(p.color);
        t.plot.pool.push_back(-1);
        t.plot.point_begin.push_back(int64_t(t.plot_point.time.size()));
        double mn = 0, mx = 0, sum = 0;
        for (size_t k = 0; k < idx.size(); k++) {
            const double v = p.value[idx[k]];
            if (k == 0) mn = mx = v;
            mn = std::min(mn, v);
            mx = std::max(mx, v);
            sum += v;
            t.plot_point.time.push_back(p.time[idx[k]]);
            t.plot_point.value.push_back(v);
        }
        t.plot.min.push_back(mn);
        t.plot.max.push_back(mx);
        t.plot.sum.push_back(sum);
        t.plot.point_end.push_back(int64_t(t.plot_point.time.size()));
    }

    // Memory pools
    for (size_t k = 0; k < pools_.size(); k++) {
        const MemPool& p = pools_[k];
        auto& mp = t.mem_pool;
        mp.key.push_back(p.key);
        mp.name.push_back(p.key == 0 ? -1 : by_ptr(p.key));
        mp.name_ptr.push_back(p.key);
        mp.high.push_back(p.high);
        mp.low.push_back(p.low == UINT64_MAX ? 0 : p.low);
        mp.usage.push_back(p.usage);
        mp.active_count.push_back(p.active.size());
        mp.free_count.push_back(uint64_t(p.ptr.size() - p.active.size()));
        mp.event_begin.push_back(int64_t(t.mem_event.ptr.size()));
        mp.plot.push_back(-1);
        auto& me = t.mem_event;
        for (size_t i = 0; i < p.ptr.size(); i++) {
            me.ptr.push_back(p.ptr[i]);
            me.size.push_back(p.size[i]);
            me.time_alloc.push_back(p.time_alloc[i]);
            me.time_free.push_back(p.time_free[i]);
            me.thread_alloc.push_back(compressed_of(p.tid_alloc[i]));
            me.thread_free.push_back(p.time_free[i] >= 0 ? compressed_of(p.tid_free[i]) : 0);
            me.tid_alloc.push_back(p.tid_alloc[i]);
            me.tid_free.push_back(p.tid_free[i]);
            me.cs_alloc.push_back(p.cs_alloc[i]);
            me.cs_free.push_back(p.cs_free[i]);
            me.pool.push_back(int32_t(k));
        }
        mp.event_end.push_back(int64_t(t.mem_event.ptr.size()));
    }

    // Callstacks and their frames
    for (const auto& cs : callstacks_) {
        t.callstack.frame_begin.push_back(int64_t(t.callstack_frame_id.id.size()));
        for (uint64_t id : cs) {
            t.callstack_frame_id.id.push_back(id);
            t.callstack_frame_id.frame.push_back(-1);  // resolved by derive_callstack_frame_rows
        }
        t.callstack.frame_end.push_back(int64_t(t.callstack_frame_id.id.size()));
    }
    for (uint64_t id : frame_order_) {
        const Frame& f = frames_.at(id);
        const auto row = int32_t(t.callstack_frame.id.size());
        t.callstack_frame.id.push_back(id);
        t.callstack_frame.image.push_back(f.image.empty() ? -1 : text(f.image));
        t.callstack_frame.entry_begin.push_back(int64_t(t.callstack_entry.name.size()));
        for (size_t i = 0; i < f.name.size(); i++) {
            t.callstack_entry.name.push_back(text(f.name[i]));
            t.callstack_entry.file.push_back(text(f.file[i]));
            t.callstack_entry.line.push_back(f.line[i]);
            t.callstack_entry.sym_addr.push_back(f.sym_addr[i]);
            t.callstack_entry.frame.push_back(row);
        }
        t.callstack_frame.entry_end.push_back(int64_t(t.callstack_entry.name.size()));
    }
    for (const auto& s : app_info_) t.app_info.text.push_back(text(s));

    // Context switches and per-CPU timelines
    for (const CtxThread& ct : ctx_threads_) {
        const auto owner = int32_t(t.cs_thread.tid.size());
        t.cs_thread.tid.push_back(ct.tid);
        t.cs_thread.thread.push_back(known_row(ct.tid));
        t.cs_thread.switch_begin.push_back(int64_t(t.cs.start.size()));
        int64_t running = 0;
        uint32_t regions = 0, migrations = 0;
        for (size_t i = 0; i < ct.v.size(); i++) {
            const CtxSwitch& s = ct.v[i];
            t.cs.wakeup.push_back(s.wakeup);
            t.cs.start.push_back(s.start);
            t.cs.end.push_back(s.end);
            t.cs.cpu.push_back(s.cpu);
            t.cs.wakeup_cpu.push_back(s.wakeup_cpu);
            t.cs.reason.push_back(s.reason);
            t.cs.state.push_back(s.state);
            t.cs.other_tid.push_back(s.other_tid);
            t.cs.owner.push_back(owner);
            if (s.end >= 0 && s.end > s.start) {
                running = wrap_add(running, s.end - s.start);
                regions++;
            }
            if (i > 0 && ct.v[i - 1].cpu != s.cpu) migrations++;
        }
        t.cs_thread.running_time.push_back(running);
        t.cs_thread.switch_end.push_back(int64_t(t.cs.start.size()));
        t.cpu_thread.tid.push_back(ct.tid);
        t.cpu_thread.running_time.push_back(running);
        t.cpu_thread.running_regions.push_back(regions);
        t.cpu_thread.migrations.push_back(migrations);
    }
    std::vector<uint64_t> external_order;
    std::unordered_map<uint64_t, uint16_t> external_index;
    for (size_t cpu = 0; cpu < cpus_.size(); cpu++) {
        for (const CpuSwitch& s : cpus_[cpu]) {
            auto it = external_index.find(s.tid);
            if (it == external_index.end()) {
                it = external_index.emplace(s.tid, uint16_t(external_order.size())).first;
                external_order.push_back(s.tid);
            }
            t.cpu_switch.cpu.push_back(uint8_t(cpu));
            t.cpu_switch.start.push_back(s.start);
            t.cpu_switch.end.push_back(s.end);
            t.cpu_switch.thread_index.push_back(it->second);
            t.cpu_switch.tid.push_back(s.tid);
        }
    }
    ctx.external_threads = external_order;
    ctx.keep_file_lookups();  // thread_compress and the writer's lookups, as a loaded file has them
    for (const auto& [tid, pid] : tid_pid_) {
        t.tid_pid.tid.push_back(tid);
        t.tid_pid.pid.push_back(pid);
    }

    // Symbols (those the client resolved), sorted by address
    std::vector<uint64_t> addrs;
    for (const auto& [addr, s] : symbols_)
        if (s.resolved) addrs.push_back(addr);
    std::sort(addrs.begin(), addrs.end());
    for (uint64_t addr : addrs) {
        const Symbol& s = symbols_.at(addr);
        t.symbol.addr.push_back(addr);
        t.symbol.name.push_back(text(s.name));
        t.symbol.file.push_back(text(s.file));
        t.symbol.image.push_back(text(s.image));
        t.symbol.call_file.push_back(text(s.call_file));
        t.symbol.line.push_back(s.line);
        t.symbol.call_line.push_back(s.call_line);
        t.symbol.size.push_back(s.size);
        t.symbol.is_inline.push_back(s.is_inline ? 1 : 0);
        (s.is_inline ? t.symbol_inline_count : t.symbol_loc_count)++;
    }

    // Hardware samples, grouped by address (first seen first), then by kind, as upstream keeps them
    {
        std::vector<size_t> order(hw_addr_.size());
        std::iota(order.begin(), order.end(), size_t(0));
        std::unordered_map<uint64_t, size_t> first;
        for (size_t i = 0; i < hw_addr_.size(); i++) first.emplace(hw_addr_[i], first.size());
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
            const size_t fa = first.at(hw_addr_[a]), fb = first.at(hw_addr_[b]);
            return fa != fb ? fa < fb : hw_kind_[a] < hw_kind_[b];
        });
        for (size_t i : order) {
            t.hw_sample.addr.push_back(hw_addr_[i]);
            t.hw_sample.kind.push_back(hw_kind_[i]);
            t.hw_sample.time.push_back(hw_time_[i]);
        }
    }

    // ---- what the loaders do after reading: the tail's derivations, then the capture's (tables, statistics)
    finish_tail(ctx);
    mi["payload_size"] = 0;
    mi["file_size"] = 0;
    ms["compression"] = "live";
    mi["streams"] = 0;
    finish_capture(ctx);
}

}  // namespace tshim::live
