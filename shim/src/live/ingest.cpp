// The live ingest's event handlers: upstream's receiving semantics, kept as plain state.
#include "live/ingest.hpp"

#include "live/time.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <limits>

namespace tshim::live {

namespace {
constexpr uint64_t kFiberBit = uint64_t(1) << 32;  // fibers get thread ids above any OS id, as upstream does
constexpr int8_t kFiberReason = 99;                 // context-switch reason and state of a fiber's run
}

uint64_t LiveIngest::memory_bytes() const { return memory_; }

size_t LiveIngest::open_zones() const {
    size_t n = 0;
    for (const auto& td : threads_) n += td.stack.size();
    return n;
}

void LiveIngest::on_welcome(const WelcomeInfo& w) {
    welcome_ = w;
    program_ = std::string(w.program_name);
    host_info_ = std::string(w.host_info);
    cpu_manufacturer_ = std::string(w.cpu_manufacturer);
    welcome_.program_name = welcome_.host_info = welcome_.cpu_manufacturer = {};
    // The base frame set starts at time zero and at the end of the client's initialisation, and (on demand) at
    // the moment we connected.
    FrameSet base;
    base.start = {0, w.init_end_ns};
    base.end = {-1, -1};
    if (w.on_demand) {
        base.start.push_back(w.on_demand_time_ns);
        base.end.push_back(-1);
    }
    frame_sets_.clear();
    frame_sets_.push_back(std::move(base));
    frame_set_index_[0] = 0;
    last_time_ = w.on_demand ? w.on_demand_time_ns : w.init_end_ns;
}

void LiveIngest::on_crash(uint64_t tid, int64_t time, uint64_t text_ptr, uint32_t callstack) {
    crash_tid_ = tid;
    crash_time_ = time;
    crash_text_ = text_ptr;
    crash_cs_ = callstack;
}

void LiveIngest::on_string(uint64_t ptr, std::string_view s) {
    strings_[ptr] = std::string(s);
    grow(s.size() + 48);
}

void LiveIngest::on_thread_name(uint64_t tid, std::string_view s) { thread_names_[tid] = std::string(s); }

void LiveIngest::on_fiber_name(uint64_t fiber, std::string_view s) {
    auto it = fibers_.find(fiber);
    if (it != fibers_.end()) thread_names_[it->second] = std::string(s);
}

void LiveIngest::on_external_name(uint64_t tid, std::string_view s) { external_[tid].first = std::string(s); }
void LiveIngest::on_external_thread_name(uint64_t tid, std::string_view s) { external_[tid].second = std::string(s); }

void LiveIngest::on_source_location(uint64_t ptr, uint64_t name_ptr, uint64_t function_ptr, uint64_t file_ptr,
                                    uint32_t line, uint32_t color) {
    auto& s = srcloc_info_[ptr];
    s.name = name_ptr;
    s.function = function_ptr;
    s.file = file_ptr;
    s.line = line;
    s.color = color;
    s.known = true;
}

void LiveIngest::on_callstack_frame(uint64_t addr, std::string_view image, const std::vector<FrameEntry>& entries) {
    const uint64_t id = addr & 0x3FFFFFFFFFFFFFFFull;  // upstream's packed frame id of a native address
    Frame f;
    f.image = std::string(image);
    for (const auto& e : entries) {
        f.name.emplace_back(e.name);
        f.file.emplace_back(e.file);
        f.line.push_back(e.line);
        f.sym_addr.push_back(e.sym_addr);
    }
    if (frames_.emplace(id, std::move(f)).second) frame_order_.push_back(id);
    grow(64 + entries.size() * 96);
    // What upstream remembers about each symbol while its location request is out.
    for (size_t i = 0; i < entries.size(); i++) {
        const auto& e = entries[i];
        if (e.sym_addr == 0 || symbols_.count(e.sym_addr)) continue;
        Symbol s;
        s.name = std::string(e.name);
        s.image = std::string(image);
        s.call_file = std::string(e.file);
        s.call_line = e.line;
        s.size = e.sym_len;
        s.is_inline = i + 1 < entries.size();
        symbols_.emplace(e.sym_addr, std::move(s));
    }
}

void LiveIngest::on_symbol(uint64_t sym_addr, std::string_view file, uint32_t line) {
    Symbol& s = symbols_[sym_addr];
    s.file = std::string(file);
    s.line = line;
    s.resolved = true;
}

uint32_t LiveIngest::intern_callstack(const std::vector<uint64_t>& frames) {
    std::string key(reinterpret_cast<const char*>(frames.data()), frames.size() * sizeof(uint64_t));
    auto it = callstack_ids_.find(key);
    if (it != callstack_ids_.end()) return it->second;
    std::vector<uint64_t> ids;
    ids.reserve(frames.size());
    for (uint64_t a : frames) ids.push_back(a & 0x3FFFFFFFFFFFFFFFull);
    const auto id = uint32_t(callstacks_.size());
    callstacks_.push_back(std::move(ids));
    callstack_ids_.emplace(std::move(key), id);
    grow(frames.size() * 16 + 64);
    return id;
}

uint32_t LiveIngest::intern_alloc_callstack(const std::vector<AllocFrame>& frames, uint32_t native) {
    std::vector<uint64_t> ids;
    for (const auto& f : frames) {
        std::string key = std::to_string(f.line) + '\0' + std::string(f.name) + '\0' + std::string(f.file);
        auto it = alloc_frame_ids_.find(key);
        uint64_t id;
        if (it == alloc_frame_ids_.end()) {
            id = next_alloc_frame_++ | (uint64_t(1) << 62);  // a table index, not an address (sel bit)
            alloc_frame_ids_.emplace(std::move(key), id);
            Frame fr;
            fr.name.emplace_back(f.name);
            fr.file.emplace_back(f.file);
            fr.line.push_back(f.line);
            fr.sym_addr.push_back(0);
            frames_.emplace(id, std::move(fr));
            frame_order_.push_back(id);
        } else {
            id = it->second;
        }
        ids.push_back(id);
    }
    if (native != 0 && native < callstacks_.size())
        ids.insert(ids.end(), callstacks_[native].begin(), callstacks_[native].end());
    std::string key(reinterpret_cast<const char*>(ids.data()), ids.size() * sizeof(uint64_t));
    key.push_back('A');
    auto it = callstack_ids_.find(key);
    if (it != callstack_ids_.end()) return it->second;
    const auto id = uint32_t(callstacks_.size());
    callstacks_.push_back(std::move(ids));
    callstack_ids_.emplace(std::move(key), id);
    return id;
}

// ---- threads and zones

LiveIngest::Thread& LiveIngest::thread(uint64_t tid) {
    if (tid == last_tid_) return threads_[last_thread_];
    auto it = thread_index_.find(tid);
    if (it != thread_index_.end()) {
        last_tid_ = tid;
        last_thread_ = it->second;
        return threads_[it->second];
    }
    last_tid_ = tid;
    last_thread_ = uint32_t(threads_.size());
    thread_index_.emplace(tid, uint32_t(threads_.size()));
    threads_.emplace_back();
    threads_.back().tid = tid;
    grow(256);
    return threads_.back();
}

LiveIngest::Thread& LiveIngest::zone_thread(uint64_t tid) {
    Thread& td = thread(tid);
    if (td.in_fiber == 0) return td;
    return thread(td.in_fiber);
}

uint16_t LiveIngest::compress(uint64_t tid) {
    auto it = compressed_index_.find(tid);
    if (it != compressed_index_.end()) return it->second;
    const auto idx = uint16_t(compressed_.size());
    compressed_.push_back(tid);
    compressed_index_.emplace(tid, idx);
    return idx;
}

int16_t LiveIngest::static_id(uint64_t ptr) {
    auto it = static_ids_.find(ptr);
    if (it != static_ids_.end()) return it->second;
    if (static_ptrs_.size() + dynamic_.size() >= size_t(std::numeric_limits<int16_t>::max() - 1)) return 0;
    static_ptrs_.push_back(ptr);
    const auto id = int16_t(static_ptrs_.size());
    static_ids_.emplace(ptr, id);
    srcloc_created_.push_back(id);
    return id;
}

int16_t LiveIngest::dynamic_id(const DynSrcloc& d) {
    // Allocated zones resend their whole source location every time: find repeats by the payload's bytes.
    const size_t h = std::hash<std::string_view>{}(d.raw);
    auto& ids = dynamic_ids_[h];
    for (int16_t id : ids)
        if (dynamic_raw_[size_t(-int32_t(id) - 1)] == d.raw) return id;
    if (static_ptrs_.size() + dynamic_.size() >= size_t(std::numeric_limits<int16_t>::max() - 1)) return 0;
    dynamic_.push_back(DynamicSrcloc{std::string(d.function), std::string(d.file), std::string(d.name), d.line, d.color});
    dynamic_raw_.emplace_back(d.raw);
    const auto id = int16_t(-int32_t(dynamic_.size()));
    ids.push_back(id);
    srcloc_created_.push_back(id);
    return id;
}

LiveIngest::Extra& LiveIngest::extra_of(Thread& td) {
    const int32_t row = td.stack.back();
    if (td.extra[size_t(row)] == 0) {
        td.extra[size_t(row)] = uint32_t(extras_.size());
        extras_.emplace_back();
        grow(96);
    }
    return extras_[td.extra[size_t(row)]];
}

namespace {
void begin_zone(std::vector<int64_t>& start, std::vector<int64_t>& end, std::vector<int16_t>& srcloc,
                std::vector<uint16_t>& depth, std::vector<uint32_t>& extra, std::vector<int32_t>& stack, int64_t t,
                int16_t id) {
    const auto row = int32_t(start.size());
    start.push_back(t);
    end.push_back(-1);
    srcloc.push_back(id);
    depth.push_back(uint16_t(stack.size()));
    extra.push_back(0);
    stack.push_back(row);
}
}  // namespace

void LiveIngest::on_zone_begin(uint64_t tid, int64_t time, uint64_t srcloc_ptr, uint32_t callstack) {
    Thread& td = zone_thread(tid);
    begin_zone(td.start, td.end, td.srcloc, td.depth, td.extra, td.stack, time, static_id(srcloc_ptr));
    td.zone_count++;
    grow(27);
    see(time);
    if (callstack) extra_of(td).callstack = callstack;
}

void LiveIngest::on_zone_begin_alloc(uint64_t tid, int64_t time, const DynSrcloc& d, uint32_t callstack) {
    const int16_t id = dynamic_id(d);
    Thread& td = zone_thread(tid);
    begin_zone(td.start, td.end, td.srcloc, td.depth, td.extra, td.stack, time, id);
    td.zone_count++;
    grow(27);
    see(time);
    if (callstack) extra_of(td).callstack = callstack;
}

void LiveIngest::on_zone_end(uint64_t tid, int64_t time) {
    Thread& td = zone_thread(tid);
    if (td.stack.empty()) return;  // an end without a begin (upstream reports a failure); nothing to close
    const int32_t row = td.stack.back();
    td.stack.pop_back();
    td.end[size_t(row)] = time;
    see(time);
    if (time > td.start[size_t(row)]) compress(td);  // upstream indexes the thread when it counts a zone
}

void LiveIngest::on_zone_text(uint64_t tid, std::string_view s) {
    Thread& td = zone_thread(tid);
    if (td.stack.empty()) return;
    Extra& e = extra_of(td);
    if (e.has_text) {
        e.text.push_back('\n');
        e.text.append(s);
    } else {
        e.text.assign(s);
        e.has_text = true;
    }
    grow(s.size());
}

void LiveIngest::on_zone_name(uint64_t tid, std::string_view s) {
    Thread& td = zone_thread(tid);
    if (td.stack.empty()) return;
    Extra& e = extra_of(td);
    e.name.assign(s);
    e.has_name = true;
}

void LiveIngest::on_zone_color(uint64_t tid, uint32_t color) {
    Thread& td = zone_thread(tid);
    if (!td.stack.empty()) extra_of(td).color = color;
}

void LiveIngest::on_zone_value(uint64_t tid, uint64_t value) {
    char tmp[64];
    const int n = std::snprintf(tmp, sizeof(tmp), "%" PRIu64 " [0x%" PRIx64 "]", value, value);
    on_zone_text(tid, std::string_view(tmp, size_t(n > 0 ? n : 0)));
}

void LiveIngest::on_thread_group_hint(uint64_t tid, int32_t hint) { thread(tid).group_hint = hint; }

void LiveIngest::on_fiber_enter(uint64_t tid, int64_t time, uint64_t fiber, int32_t group) {
    see(time);
    auto it = fibers_.find(fiber);
    uint64_t ftid;
    if (it == fibers_.end()) {
        ftid = kFiberBit | fibers_.size();
        fibers_.emplace(fiber, ftid);
        Thread& f = thread(ftid);
        f.fiber = true;
        f.group_hint = group;
    } else {
        ftid = it->second;
    }
    Thread& os = thread(tid);
    if (os.in_fiber != 0) end_fiber_run(os.in_fiber, time);  // switched fibers without a leave
    os.in_fiber = ftid;
    // the fiber's run on this OS thread, as a context switch of the fiber (reason: a fiber's)
    end_fiber_run(ftid, time);  // entered on another thread without a leave there
    CtxSwitch item;
    item.wakeup = time;
    item.start = time;
    item.reason = kFiberReason;
    item.state = -1;  // a fiber has no thread state
    item.other_tid = tid;
    ctx_thread_for(ftid).v.push_back(item);
    grow(48);
}

void LiveIngest::on_fiber_leave(uint64_t tid, int64_t time) {
    see(time);
    Thread& os = thread(tid);
    if (os.in_fiber != 0) end_fiber_run(os.in_fiber, time);
    os.in_fiber = 0;
}

void LiveIngest::end_fiber_run(uint64_t ftid, int64_t time) {  // a no-op when its last run has ended
    CtxThread& ct = ctx_thread_for(ftid);
    if (ct.v.empty() || ct.v.back().end >= 0) return;
    CtxSwitch& item = ct.v.back();
    item.end = time;
    ct.running = wrap_add(ct.running, time - item.start);
}

// ---- frames, messages

void LiveIngest::on_frame_mark(uint64_t name_ptr, int64_t time, FrameMarkKind kind) {
    see(time);
    auto it = frame_set_index_.find(name_ptr);
    if (it == frame_set_index_.end()) {
        if (kind == FrameMarkKind::End) return;  // an end for a set never started (on-demand joins mid-frame)
        it = frame_set_index_.emplace(name_ptr, uint32_t(frame_sets_.size())).first;
        frame_sets_.emplace_back();
        frame_sets_.back().name_ptr = name_ptr;
        frame_sets_.back().continuous = kind == FrameMarkKind::Continuous;
    }
    FrameSet& fs = frame_sets_[it->second];
    if (kind == FrameMarkKind::End) {
        if (!fs.end.empty()) fs.end.back() = time;
        return;
    }
    fs.start.push_back(time);
    fs.end.push_back(-1);
    grow(16);
}

void LiveIngest::on_message(const MessageInfo& m) {
    see(m.time);
    Message msg;
    msg.time = m.time;
    msg.tid = m.tid;
    msg.text_ptr = m.literal ? m.text_ptr : 0;
    if (!m.literal) msg.text = std::string(m.text);
    msg.color = m.color;
    msg.callstack = m.callstack;
    msg.source = m.source;
    msg.severity = m.severity;
    Thread& td = zone_thread(m.tid);
    compress(td);
    td.messages.push_back(uint32_t(messages_.size()));
    messages_.push_back(std::move(msg));
    grow(64 + m.text.size());
}

void LiveIngest::on_app_info(int64_t time, std::string_view s) {
    see(time);
    app_info_.emplace_back(s);
}

// ---- locks

void LiveIngest::on_lock_announce(uint32_t id, int64_t time, uint64_t srcloc_ptr, bool shared) {
    if (lock_index_.count(id)) return;
    lock_index_.emplace(id, uint32_t(locks_.size()));
    Lock l;
    l.id = id;
    l.srcloc = static_id(srcloc_ptr);
    l.type = shared ? 1 : 0;
    l.announce = time;
    locks_.push_back(std::move(l));
}

void LiveIngest::on_lock_terminate(uint32_t id, int64_t time) {
    auto it = lock_index_.find(id);
    if (it != lock_index_.end()) locks_[it->second].terminate = time;
}

void LiveIngest::on_lock_event(uint32_t id, uint64_t tid, int64_t time, LockEventKind kind) {
    auto it = lock_index_.find(id);
    if (it == lock_index_.end()) return;
    Lock& l = locks_[it->second];
    if (kind == LockEventKind::Release) tid = l.holder;
    if (kind == LockEventKind::Obtain) l.holder = tid;
    see(time);
    thread(tid);
    size_t idx = 0;
    while (idx < l.threads.size() && l.threads[idx] != tid) idx++;
    if (idx == l.threads.size()) {
        if (l.threads.size() >= 64) return;  // upstream's limit of threads per lock
        l.threads.push_back(tid);
    }
    l.time.push_back(time);
    l.srcloc_ev.push_back(0);
    l.thread.push_back(uint8_t(idx));
    l.type_ev.push_back(uint8_t(kind));
    grow(12);
}

void LiveIngest::on_lock_mark(uint32_t id, uint64_t tid, uint64_t srcloc_ptr) {
    auto it = lock_index_.find(id);
    if (it == lock_index_.end()) return;
    Lock& l = locks_[it->second];
    const int16_t sl = static_id(srcloc_ptr);
    size_t idx = 0;
    while (idx < l.threads.size() && l.threads[idx] != tid) idx++;
    if (idx == l.threads.size()) return;
    for (size_t i = l.time.size(); i-- > 0;) {
        if (l.thread[i] != idx) continue;
        const auto k = LockEventKind(l.type_ev[i]);
        if (k == LockEventKind::Obtain || k == LockEventKind::ObtainShared || k == LockEventKind::Wait ||
            k == LockEventKind::WaitShared) {
            l.srcloc_ev[i] = sl;
            return;
        }
    }
}

void LiveIngest::on_lock_name(uint32_t id, std::string_view s) {
    auto it = lock_index_.find(id);
    if (it == lock_index_.end()) return;
    locks_[it->second].name = std::string(s);
    locks_[it->second].named = true;
}

// ---- plots

LiveIngest::Plot& LiveIngest::plot_for(uint64_t name_ptr) {
    auto [it, fresh] = plot_index_.try_emplace(name_ptr, uint32_t(plots_.size()));
    if (fresh) {
        plots_.emplace_back();
        plots_.back().name_ptr = name_ptr;
    }
    return plots_[it->second];
}

LiveIngest::CtxThread& LiveIngest::ctx_thread_for(uint64_t tid) {
    auto [it, fresh] = ctx_index_.try_emplace(tid, uint32_t(ctx_threads_.size()));
    if (fresh) {
        ctx_threads_.emplace_back();
        ctx_threads_.back().tid = tid;
    }
    return ctx_threads_[it->second];
}


void LiveIngest::on_plot(uint64_t name_ptr, int64_t time, double value) {
    see(time);
    Plot& p = plot_for(name_ptr);
    p.time.push_back(time);
    p.value.push_back(value);
    grow(16);
}

void LiveIngest::on_plot_config(uint64_t name_ptr, uint8_t format, bool step, bool fill, uint32_t color) {
    Plot& p = plot_for(name_ptr);
    p.format = format;
    p.step = step;
    p.fill = fill;
    p.color = color;
}

void LiveIngest::on_sys_time(int64_t time, float percent) {
    see(time);
    if (sys_time_plot_ < 0) {
        sys_time_plot_ = int32_t(plots_.size());
        plots_.emplace_back();
        plots_.back().type = 2;
        plots_.back().format = 2;
    }
    Plot& p = plots_[size_t(sys_time_plot_)];
    p.time.push_back(time);
    p.value.push_back(double(percent));
    grow(16);
}

void LiveIngest::on_sys_power(int64_t time, uint64_t delta_uj, uint64_t name_ptr) {
    // Energy counters: the first report of a name starts its plot, later ones add the power since the previous
    // report (microjoules over nanoseconds -> watts).
    auto it = power_.find(name_ptr);
    if (it == power_.end()) {
        power_.emplace(name_ptr, std::make_pair(uint32_t(plots_.size()), time));
        plots_.emplace_back();
        plots_.back().name_ptr = name_ptr;
        plots_.back().type = 3;
        plots_.back().format = 3;
        return;
    }
    const int64_t dt = time - it->second.second;
    it->second.second = time;
    see(time);
    if (dt <= 0) return;
    Plot& p = plots_[it->second.first];
    p.time.push_back(time);
    p.value.push_back(double(delta_uj) * 1000.0 / double(dt));
    grow(16);
}

// ---- memory

LiveIngest::MemPool& LiveIngest::pool(uint64_t key) {
    auto it = pool_index_.find(key);
    if (it != pool_index_.end()) return pools_[it->second];
    pool_index_.emplace(key, uint32_t(pools_.size()));
    pools_.emplace_back();
    pools_.back().key = key;
    return pools_.back();
}

void LiveIngest::on_mem_alloc(uint64_t pool_ptr, uint64_t tid, int64_t time, uint64_t ptr, uint64_t size,
                              uint32_t callstack) {
    see(time);
    thread(tid);
    compress(tid);
    MemPool& p = pool(pool_ptr);
    auto it = p.active.find(ptr);
    if (it != p.active.end()) {  // allocated twice: upstream frees the old one (when told to ignore such faults)
        p.time_free[it->second] = time;
        p.tid_free[it->second] = tid;
        p.usage -= p.size[it->second];
        p.active.erase(it);
    }
    p.active.emplace(ptr, uint32_t(p.ptr.size()));
    p.ptr.push_back(ptr);
    p.size.push_back(size);
    p.time_alloc.push_back(time);
    p.time_free.push_back(-1);
    p.tid_alloc.push_back(tid);
    p.tid_free.push_back(0);
    p.cs_alloc.push_back(callstack);
    p.cs_free.push_back(0);
    if (ptr < p.low) p.low = ptr;
    if (ptr + size > p.high) p.high = ptr + size;
    p.usage += size;
    grow(80);
}

void LiveIngest::on_mem_free(uint64_t pool_ptr, uint64_t tid, int64_t time, uint64_t ptr, uint32_t callstack) {
    MemPool& p = pool(pool_ptr);
    auto it = p.active.find(ptr);
    if (it == p.active.end()) return;  // a free of memory we never saw allocated (e.g. before connecting)
    see(time);
    thread(tid);
    compress(tid);
    p.time_free[it->second] = time;
    p.tid_free[it->second] = tid;
    p.cs_free[it->second] = callstack;
    p.usage -= p.size[it->second];
    p.active.erase(it);
}

void LiveIngest::on_mem_discard(uint64_t pool_ptr, uint64_t tid, int64_t time, uint32_t callstack) {
    auto pit = pool_index_.find(pool_ptr);
    if (pit == pool_index_.end()) return;
    see(time);
    thread(tid);
    compress(tid);
    MemPool& p = pools_[pit->second];
    for (const auto& [ptr, row] : p.active) {
        p.time_free[row] = time;
        p.tid_free[row] = tid;
        p.cs_free[row] = callstack;
    }
    p.active.clear();
    p.usage = 0;
}

// ---- GPU (upstream's time conversion: offset, period, calibration and 32-bit overflow handling)

void LiveIngest::on_gpu_new_context(uint8_t ctx, int64_t cpu_time, int64_t gpu_time, uint64_t tid, float period,
                                    uint8_t flags, uint8_t type) {
    if (gpu_index_.count(ctx)) return;
    GpuContext g;
    const int64_t gt = period == 1.f ? gpu_time : clamp_time(double(period) * double(gpu_time));
    g.time_diff = wrap_sub(cpu_time, gt);
    g.tid = tid;
    g.period = period;
    g.type = type;
    g.calibration = (flags & 1) != 0;
    g.calibrated_gpu = gt;
    g.calibrated_cpu = cpu_time;
    gpu_index_.emplace(ctx, uint32_t(gpus_.size()));
    gpus_.push_back(std::move(g));
}

void LiveIngest::on_gpu_zone_begin(uint8_t ctx, uint64_t tid, int64_t cpu_time, uint16_t query, uint64_t srcloc_ptr,
                                   const DynSrcloc* dyn, uint32_t callstack) {
    auto it = gpu_index_.find(ctx);
    if (it == gpu_index_.end()) return;
    GpuContext& g = gpus_[it->second];
    see(cpu_time);
    const uint64_t key = g.tid == 0 ? tid : 0;
    if (g.tid == 0) compress(tid);
    size_t tl = 0;
    while (tl < g.timelines.size() && g.timelines[tl].key != key) tl++;
    if (tl == g.timelines.size()) {
        g.timelines.emplace_back();
        g.timelines.back().key = key;
    }
    GpuTimeline& t = g.timelines[tl];
    GpuZone z;
    z.cpu_start = cpu_time;
    z.srcloc = dyn ? dynamic_id(*dyn) : static_id(srcloc_ptr);
    z.callstack = callstack;
    z.tid = key;
    z.query = query;
    z.depth = uint16_t(t.stack.size());
    z.parent = t.stack.empty() ? -1 : t.stack.back();
    const auto row = uint32_t(t.zones.size());
    t.zones.push_back(z);
    t.stack.push_back(int32_t(row));
    g.query[query] = {uint32_t(tl), row};
    grow(64);
}

void LiveIngest::on_gpu_zone_end(uint8_t ctx, uint64_t tid, int64_t cpu_time, uint16_t query) {
    auto it = gpu_index_.find(ctx);
    if (it == gpu_index_.end()) return;
    GpuContext& g = gpus_[it->second];
    const uint64_t key = g.tid == 0 ? tid : 0;
    for (size_t tl = 0; tl < g.timelines.size(); tl++) {
        GpuTimeline& t = g.timelines[tl];
        if (t.key != key || t.stack.empty()) continue;
        const auto row = uint32_t(t.stack.back());
        t.stack.pop_back();
        t.zones[row].cpu_end = cpu_time;
        t.zones[row].subtree_end = int32_t(t.zones.size());
        g.query[query] = {uint32_t(tl), row};
        see(cpu_time);
        return;
    }
}

void LiveIngest::on_gpu_time(uint8_t ctx, uint16_t query, int64_t gpu_time) {
    auto it = gpu_index_.find(ctx);
    if (it == gpu_index_.end()) return;
    GpuContext& g = gpus_[it->second];
    int64_t t = gpu_time;
    if (t < wrap_sub(g.last_gpu, int64_t(1) << 31)) {
        if (g.overflow == 0) {
            uint64_t v = uint64_t(g.last_gpu);
            int bits = 0;
            while (v) { bits++; v >>= 1; }
            g.overflow = bits >= 64 ? 0 : uint64_t(1) << bits;
        }
        g.overflow_mul++;
    }
    g.last_gpu = t;
    if (g.overflow != 0) t = wrap_add(t, int64_t(g.overflow * g.overflow_mul));
    int64_t ns;
    const bool has_period = g.period != 1.f;
    if (!has_period) {
        ns = !g.calibration ? wrap_add(t, g.time_diff)
                            : clamp_time(double(wrap_sub(t, g.calibrated_gpu)) * g.calibration_mod +
                                         double(g.calibrated_cpu));
    } else {
        ns = !g.calibration ? wrap_add(clamp_time(double(g.period) * double(t)), g.time_diff)
                            : clamp_time((double(g.period) * double(t) - double(g.calibrated_gpu)) *
                                             g.calibration_mod + double(g.calibrated_cpu));
    }
    ns = clamp_time(ns);
    auto q = g.query.find(query);
    if (q == g.query.end()) return;
    GpuZone& z = g.timelines[q->second.first].zones[q->second.second];
    g.query.erase(q);
    if (z.gpu_start < 0) {
        z.gpu_start = ns;
        g.count++;
    } else {
        z.gpu_end = ns;
    }
    see(ns);
}

void LiveIngest::on_gpu_calibration(uint8_t ctx, int64_t gpu_time, int64_t cpu_time, int64_t cpu_delta) {
    auto it = gpu_index_.find(ctx);
    if (it == gpu_index_.end()) return;
    GpuContext& g = gpus_[it->second];
    const int64_t gt = g.period == 1.f ? gpu_time : clamp_time(double(g.period) * double(gpu_time));
    const int64_t gpu_delta = wrap_sub(gt, g.calibrated_gpu);
    g.calibration_mod = gpu_delta != 0 ? double(cpu_delta) / double(gpu_delta) : 1.0;
    g.calibrated_gpu = gt;
    g.calibrated_cpu = cpu_time;
}

void LiveIngest::on_gpu_time_sync(uint8_t ctx, int64_t gpu_time, int64_t cpu_time) {
    auto it = gpu_index_.find(ctx);
    if (it == gpu_index_.end()) return;
    GpuContext& g = gpus_[it->second];
    const int64_t gt = g.period == 1.f ? gpu_time : clamp_time(double(g.period) * double(gpu_time));
    g.time_diff = wrap_sub(cpu_time, gt);
    g.last_gpu = 0;
    g.overflow = 0;
    g.overflow_mul = 0;
}

void LiveIngest::on_gpu_context_name(uint8_t ctx, std::string_view s) {
    auto it = gpu_index_.find(ctx);
    if (it == gpu_index_.end()) return;
    gpus_[it->second].name = std::string(s);
    gpus_[it->second].named = true;
}

void LiveIngest::on_gpu_annotation_name(uint8_t ctx, int64_t note, std::string_view s) {
    auto it = gpu_index_.find(ctx);
    if (it == gpu_index_.end()) return;
    auto& names = gpus_[it->second].note_names;
    for (auto& n : names) {
        if (n.first == note) {
            n.second = std::string(s);
            return;
        }
    }
    names.emplace_back(note, std::string(s));
}

void LiveIngest::on_gpu_zone_annotation(uint8_t ctx, uint64_t, uint16_t query, int64_t note, double value) {
    auto it = gpu_index_.find(ctx);
    if (it == gpu_index_.end()) return;
    auto& notes = gpus_[it->second].notes;
    for (auto& n : notes) {
        if (n.first.first == query && n.first.second == note) {
            n.second = value;
            return;
        }
    }
    notes.push_back({{query, note}, value});
    grow(32);
}

void LiveIngest::on_hw_sample(HwSampleKind kind, uint64_t ip, int64_t time) {
    if (time > 0) see(time);
    hw_addr_.push_back(ip);
    hw_kind_.push_back(uint8_t(kind));
    hw_time_.push_back(time);
    grow(17);
}

// ---- sampling and scheduling

void LiveIngest::on_callstack_sample(uint64_t tid, int64_t time, uint32_t callstack, bool context_switch) {
    if (time > 0) see(time);
    Thread& td = thread(tid);
    td.sample_time.push_back(time);
    td.sample_cs.push_back(callstack);
    if (callstack < callstacks_.size() && !callstacks_[callstack].empty()) {
        const uint64_t ip = callstacks_[callstack][0];
        if ((ip >> 62) == 0 && ((ip >> 61) & 1)) td.kernel_samples++;  // innermost frame is a kernel address
    }
    if (context_switch) {
        td.ctx_sample_time.push_back(time);
        td.ctx_sample_cs.push_back(callstack);
    }
    grow(12);
}

void LiveIngest::on_context_switch(int64_t time, uint64_t old_tid, uint64_t new_tid, uint8_t cpu, uint8_t wait_reason,
                                   uint8_t state) {
    see(time);
    if (cpu >= cpus_.size()) cpus_.resize(size_t(cpu) + 1);
    auto& cs = cpus_[cpu];
    if (old_tid != 0) {
        auto it = ctx_index_.find(old_tid);
        if (it != ctx_index_.end()) {
            CtxThread& ct = ctx_threads_[it->second];
            if (!ct.v.empty() && ct.v.back().end < 0) {
                CtxSwitch& item = ct.v.back();
                item.end = time;
                item.reason = int8_t(wait_reason);
                item.state = int8_t(state);
                ct.running = wrap_add(ct.running, time - item.start);
            }
        }
        if (!cs.empty() && cs.back().end < 0) cs.back().end = time;
    }
    if (new_tid != 0) {
        CtxThread& ct = ctx_thread_for(new_tid);
        if (!ct.v.empty() && ct.v.back().reason == -2) {  // a wakeup waiting for this switch-in
            CtxSwitch& item = ct.v.back();
            item.start = time;
            item.end = -1;
            item.cpu = cpu;
            item.reason = 100;
            item.state = 100;
        } else {
            CtxSwitch item;
            item.wakeup = time;
            item.wakeup_cpu = cpu;
            item.start = time;
            item.cpu = cpu;
            ct.v.push_back(item);
        }
        cs.push_back(CpuSwitch{time, -1, new_tid});
        grow(48);
    }
}

void LiveIngest::on_thread_wakeup(int64_t time, uint64_t tid, uint8_t cpu) {
    see(time);
    CtxThread& ct = ctx_thread_for(tid);
    if (!ct.v.empty() && ct.v.back().end < 0) return;  // still running: the wakeup is for later
    CtxSwitch item;
    item.wakeup = time;
    item.wakeup_cpu = cpu;
    item.start = time;
    item.reason = -2;
    ct.v.push_back(item);
}

void LiveIngest::on_tid_to_pid(uint64_t tid, uint64_t pid) { tid_pid_.emplace_back(tid, pid); }

void LiveIngest::on_cpu_topology(uint32_t package, uint32_t die, uint32_t core, uint32_t thread) {
    topology_.insert(topology_.end(), {package, die, core, thread});
}

// ---- sections

void LiveIngest::on_section_enter(int64_t time, uint32_t id, uint16_t category, std::string_view s) {
    see(time);
    open_sections_[id] = uint32_t(sections_.size());
    sections_.push_back(Section{category, time, -1, std::string(s)});
    bool known = false;
    for (const auto& c : section_categories_) known = known || c.first == category;
    if (!known) section_categories_.emplace_back(category, std::string());
}

void LiveIngest::on_section_leave(int64_t time, uint32_t id) {
    see(time);
    auto it = open_sections_.find(id);
    if (it == open_sections_.end()) return;
    sections_[it->second].end = time;
    open_sections_.erase(it);
}

void LiveIngest::on_section_setup(uint16_t category, std::string_view s) {
    for (auto& c : section_categories_) {
        if (c.first == category) {
            c.second = std::string(s);
            return;
        }
    }
    section_categories_.emplace_back(category, std::string(s));
}

}  // namespace tshim::live
