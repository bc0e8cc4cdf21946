#include "live/events.hpp"

#include <cmath>
#include <cstring>
#include <string_view>

#include "format/error.hpp"

namespace tshim::live {

// Bounds-checked little-endian reads over received bytes.
struct EventDecoder::Reader {
    const uint8_t* p;
    const uint8_t* end;
    Ev kind;

    [[noreturn]] void short_read(size_t want) const {
        throw Error(TSHIM_ERR_FORMAT, std::string("live stream: event ") + ev_name(kind) + " needs " +
                                          std::to_string(want) + " more bytes than the frame holds");
    }
    size_t left() const { return size_t(end - p); }
    template <class T> T get() {
        if (left() < sizeof(T)) short_read(sizeof(T));
        T v;
        std::memcpy(&v, p, sizeof(T));
        p += sizeof(T);
        return v;
    }
    const uint8_t* take(size_t n) {
        if (left() < n) short_read(n);
        const uint8_t* q = p;
        p += n;
        return q;
    }
    uint32_t color3() {  // b, g, r bytes -> stored 0xBBGGRR
        uint8_t b = get<uint8_t>(), g = get<uint8_t>(), r = get<uint8_t>();
        return (uint32_t(b) << 16) | (uint32_t(g) << 8) | r;
    }
};

EventDecoder::EventDecoder(const WireTable& table, LiveSink& sink, QueryBook& queries, bool query_symbols)
    : table_(table), sink_(sink), queries_(queries), query_symbols_(query_symbols) {}

void EventDecoder::set_timer(int64_t init_begin, double timer_mul) {
    base_ = init_begin;
    mul_ = timer_mul;
}

int64_t EventDecoder::wide_delta(int64_t raw) const {
    return (table_.short_times && raw >= 0) ? wrap_add(raw, kOffset32) : raw;
}

uint64_t EventDecoder::current_thread() {
    if (thread_ != noticed_) {  // ask for a thread's name once, not on every event
        notice(thread_);
        noticed_ = thread_;
    }
    return thread_;
}

uint32_t EventDecoder::take_thread_callstack() {
    auto it = thread_callstack_.find(thread_);
    if (it == thread_callstack_.end()) return 0;
    uint32_t cs = it->second;
    it->second = 0;
    return cs;
}

uint32_t EventDecoder::take_serial_callstack() {
    uint32_t cs = serial_callstack_;
    serial_callstack_ = 0;
    return cs;
}

std::string EventDecoder::take_single() {
    if (!has_single_) return {};
    has_single_ = false;
    return std::move(single_);
}

std::string EventDecoder::take_second() {
    if (!has_second_) return {};
    has_second_ = false;
    return std::move(second_);
}

void EventDecoder::decode(const uint8_t* data, size_t size) {
    const uint8_t* p = data;
    const uint8_t* end = data + size;
    while (p < end) {
        const uint8_t code = *p;
        if (code >= table_.count)
            throw Error(TSHIM_ERR_FORMAT, "live stream: unknown event type " + std::to_string(code) + " for protocol " +
                                              std::to_string(table_.protocol));
        const WireKind wk = table_.kinds[code];
        if (size_t(end - p) < wk.size)
            throw Error(TSHIM_ERR_FORMAT, std::string("live stream: event ") + ev_name(wk.kind) + " is cut short");
        Reader fixed{p + 1, p + wk.size, wk.kind};
        Reader rest{p + wk.size, end, wk.kind};
        event(wk.kind, fixed, rest);
        p = rest.p;
        ++events_;
    }
}

void EventDecoder::zone_begin(int64_t delta, uint64_t srcloc, bool callstack) {
    const uint64_t tid = current_thread();
    const int64_t t = thread_time(delta);
    queries_.source_location(srcloc);
    sink_.on_zone_begin(tid, t, srcloc, callstack ? take_thread_callstack() : 0);
}

void EventDecoder::zone_end(int64_t delta) {
    const uint64_t tid = current_thread();
    sink_.on_zone_end(tid, thread_time(delta));
}

void EventDecoder::callstack_sample(uint64_t tid, int64_t delta, bool context_switch) {
    const uint32_t cs = pending_callstack_;
    pending_callstack_ = 0;
    ref_ctx_ = wrap_add(ref_ctx_, delta);
    const int64_t t = ref_ctx_ == 0 ? 0 : to_ns(ref_ctx_);
    notice(tid);
    sink_.on_callstack_sample(tid, t, cs, context_switch);
}

void EventDecoder::message(Ev kind, Reader& r) {
    MessageInfo m;
    m.tid = current_thread();
    m.time = to_ns(r.get<int64_t>());
    const bool color = kind == Ev::MessageColor || kind == Ev::MessageColorCallstack ||
                       kind == Ev::MessageLiteralColor || kind == Ev::MessageLiteralColorCallstack;
    const bool literal = kind == Ev::MessageLiteral || kind == Ev::MessageLiteralColor ||
                         kind == Ev::MessageLiteralCallstack || kind == Ev::MessageLiteralColorCallstack;
    const bool callstack = kind == Ev::MessageCallstack || kind == Ev::MessageColorCallstack ||
                           kind == Ev::MessageLiteralCallstack || kind == Ev::MessageLiteralColorCallstack;
    if (color) m.color = 0xFF000000u | r.color3();
    uint8_t meta = 0x20;  // 0.13 has no source/severity: user, info
    std::string text;
    if (literal) {
        uint64_t v = r.get<uint64_t>();
        if (table_.message_meta) {
            meta = uint8_t(v & 0xFF);
            v >>= 8;
        }
        m.literal = true;
        m.text_ptr = v;
        queries_.string(v);
    } else {
        if (table_.message_meta) meta = r.get<uint8_t>();
        text = take_single();
        m.text = text;
    }
    m.source = meta & 0x0F;
    m.severity = meta >> 4;
    if (callstack) m.callstack = take_thread_callstack();
    sink_.on_message(m);
}

bool EventDecoder::is_answer(Ev kind) {
    switch (kind) {
    // Strings and transfers have a variable size: always read (string_transfer drops the data payloads).
    case Ev::SingleStringData: case Ev::SecondStringData: case Ev::SingleStringData8: case Ev::SecondStringData8:
    case Ev::StringData: case Ev::ThreadName: case Ev::PlotName: case Ev::SourceLocationPayload:
    case Ev::CallstackPayload: case Ev::CallstackAllocPayload: case Ev::FrameName: case Ev::FrameImageData:
    case Ev::ExternalName: case Ev::ExternalThreadName: case Ev::SymbolCode: case Ev::SourceCode:
    case Ev::FiberName:
    // Replies to our requests, and the program's end and crash notices.
    case Ev::ThreadContext: case Ev::SourceLocation: case Ev::AckServerQueryNoop: case Ev::AckSourceCodeNotAvailable:
    case Ev::AckSymbolCodeNotAvailable: case Ev::CallstackFrameSize: case Ev::CallstackFrame:
    case Ev::SymbolInformation: case Ev::Terminate: case Ev::KeepAlive: case Ev::Crash: case Ev::CrashReport:
        return true;
    default:
        return false;
    }
}

void EventDecoder::event(Ev kind, Reader& r, Reader& rest) {
    if (answers_only_ && !is_answer(kind)) return;  // fixed size: `decode` steps over it
    switch (kind) {
    // ---- strings and payloads that precede the event using them
    case Ev::SingleStringData:
    case Ev::SecondStringData:
    case Ev::SingleStringData8:
    case Ev::SecondStringData8: {
        size_t n;
        if (kind == Ev::SingleStringData8 || kind == Ev::SecondStringData8) {
            n = rest.get<uint8_t>();
        } else {
            n = rest.get<uint16_t>();
            if (table_.short_times) n += size_t(kOffset8);  // 0.14 sends long strings' length minus 256
        }
        const uint8_t* s = rest.take(n);
        const bool single = kind == Ev::SingleStringData || kind == Ev::SingleStringData8;
        (single ? single_ : second_).assign(reinterpret_cast<const char*>(s), n);
        (single ? has_single_ : has_second_) = true;
        return;
    }
    case Ev::StringData: case Ev::ThreadName: case Ev::PlotName: case Ev::SourceLocationPayload:
    case Ev::CallstackPayload: case Ev::CallstackAllocPayload: case Ev::FrameName: case Ev::FrameImageData:
    case Ev::ExternalName: case Ev::ExternalThreadName: case Ev::SymbolCode: case Ev::SourceCode:
    case Ev::FiberName: {
        const uint64_t key = r.get<uint64_t>();
        const bool wide = kind == Ev::FrameImageData || kind == Ev::SymbolCode || kind == Ev::SourceCode;
        const size_t n = wide ? rest.get<uint32_t>() : rest.get<uint16_t>();
        const uint8_t* s = rest.take(n);
        string_transfer(kind, key, s, n);
        return;
    }

    // ---- thread context and CPU zones
    case Ev::ThreadContext:
        thread_ = r.get<uint32_t>();
        ref_thread_ = 0;
        return;
    case Ev::ZoneBegin:
    case Ev::ZoneBeginCallstack: {
        const int64_t d = wide_delta(r.get<int64_t>());
        zone_begin(d, r.get<uint64_t>(), kind == Ev::ZoneBeginCallstack);
        return;
    }
    case Ev::ZoneBegin32:
    case Ev::ZoneBeginCallstack32: {
        const int64_t d = int64_t(r.get<uint32_t>()) + kOffset16;
        zone_begin(d, r.get<uint64_t>(), kind == Ev::ZoneBeginCallstack32);
        return;
    }
    case Ev::ZoneBegin16:
    case Ev::ZoneBeginCallstack16: {
        const int64_t d = int64_t(r.get<uint16_t>());
        zone_begin(d, r.get<uint64_t>(), kind == Ev::ZoneBeginCallstack16);
        return;
    }
    case Ev::ZoneBeginAllocSrcLoc:
    case Ev::ZoneBeginAllocSrcLocCallstack: {
        const uint64_t tid = current_thread();
        const int64_t t = thread_time(r.get<int64_t>());
        const uint32_t cs = kind == Ev::ZoneBeginAllocSrcLocCallstack ? take_thread_callstack() : 0;
        if (!has_dyn_srcloc_)
            throw Error(TSHIM_ERR_FORMAT, "live stream: allocated zone without its source location payload");
        has_dyn_srcloc_ = false;
        sink_.on_zone_begin_alloc(tid, t, dyn_, cs);
        return;
    }
    case Ev::ZoneEnd: zone_end(wide_delta(r.get<int64_t>())); return;
    case Ev::ZoneEnd32: zone_end(int64_t(r.get<uint32_t>()) + kOffset16); return;
    case Ev::ZoneEnd16: zone_end(int64_t(r.get<uint16_t>())); return;
    case Ev::ZoneValidation: (void)r.get<uint32_t>(); return;
    case Ev::ZoneText: {
        const uint64_t tid = current_thread();
        const std::string s = take_single();
        sink_.on_zone_text(tid, s);
        return;
    }
    case Ev::ZoneName: {
        const uint64_t tid = current_thread();
        const std::string s = take_single();
        sink_.on_zone_name(tid, s);
        return;
    }
    case Ev::ZoneColor: sink_.on_zone_color(current_thread(), r.color3()); return;
    case Ev::ZoneValue: sink_.on_zone_value(current_thread(), r.get<uint64_t>()); return;
    case Ev::ThreadGroupHint: {
        const uint64_t tid = r.get<uint32_t>();
        sink_.on_thread_group_hint(tid, r.get<int32_t>());
        return;
    }
    case Ev::FiberEnter: {
        const int64_t t = thread_time(r.get<int64_t>());
        const uint64_t fiber = r.get<uint64_t>();
        const uint64_t tid = r.get<uint32_t>();
        const int32_t group = r.get<int32_t>();
        notice(tid);
        queries_.fiber_name(fiber);
        sink_.on_fiber_enter(tid, t, fiber, group);
        return;
    }
    case Ev::FiberLeave: {
        const int64_t t = thread_time(r.get<int64_t>());
        sink_.on_fiber_leave(r.get<uint32_t>(), t);
        return;
    }

    // ---- callstacks
    case Ev::Callstack:
    case Ev::CallstackAlloc:
        thread_callstack_[current_thread()] = pending_callstack_;
        pending_callstack_ = 0;
        return;
    case Ev::CallstackSerial:
        serial_callstack_ = pending_callstack_;
        pending_callstack_ = 0;
        return;
    case Ev::CallstackSample:
    case Ev::CallstackSampleContextSwitch: {
        uint64_t tid;
        int64_t raw;
        if (table_.sample_tid_first) {
            tid = r.get<uint32_t>();
            raw = r.get<int64_t>();
        } else {
            raw = r.get<int64_t>();
            tid = r.get<uint32_t>();
        }
        callstack_sample(tid, wide_delta(raw), kind == Ev::CallstackSampleContextSwitch);
        return;
    }
    case Ev::CallstackSample32:
    case Ev::CallstackSampleContextSwitch32: {
        const uint64_t tid = r.get<uint32_t>();
        callstack_sample(tid, int64_t(r.get<uint32_t>()) + kOffset16, kind == Ev::CallstackSampleContextSwitch32);
        return;
    }
    case Ev::CallstackSample16:
    case Ev::CallstackSampleContextSwitch16: {
        const uint64_t tid = r.get<uint32_t>();
        callstack_sample(tid, int64_t(r.get<uint16_t>()), kind == Ev::CallstackSampleContextSwitch16);
        return;
    }
    case Ev::CallstackFrameSize: {
        queries_.answered();
        queries_.got_callstack_frame();
        frame_addr_ = r.get<uint64_t>();
        frame_left_ = r.get<uint8_t>();
        frame_image_name_ = take_single();
        frame_strings_.clear();
        frame_entries_.clear();
        if (frame_left_ == 0) sink_.on_callstack_frame(frame_addr_, frame_image_name_, frame_entries_);
        return;
    }
    case Ev::CallstackFrame: {
        const uint32_t line = r.get<uint32_t>();
        const uint64_t sym = r.get<uint64_t>();
        const uint32_t sym_len = r.get<uint32_t>();
        frame_strings_.push_back(take_single());
        frame_strings_.push_back(take_second());
        FrameEntry e;
        e.line = line;
        e.sym_addr = sym;
        e.sym_len = sym_len;
        frame_entries_.push_back(e);
        if (query_symbols_ && sym != 0) queries_.symbol(sym);
        if (frame_left_ > 0 && --frame_left_ == 0) {
            for (size_t i = 0; i < frame_entries_.size(); ++i) {  // views are taken once the strings stop moving
                frame_entries_[i].name = frame_strings_[2 * i];
                frame_entries_[i].file = frame_strings_[2 * i + 1];
            }
            sink_.on_callstack_frame(frame_addr_, frame_image_name_, frame_entries_);
        }
        return;
    }
    case Ev::SymbolInformation: {
        queries_.answered();
        queries_.got_symbol();
        const uint32_t line = r.get<uint32_t>();
        const uint64_t sym = r.get<uint64_t>();
        const std::string file = take_single();
        sink_.on_symbol(sym, file, line);
        return;
    }

    // ---- frames
    case Ev::FrameMarkMsg:
    case Ev::FrameMarkMsgStart:
    case Ev::FrameMarkMsgEnd: {
        const int64_t t = to_ns(r.get<int64_t>());
        const uint64_t name = r.get<uint64_t>();
        queries_.frame_name(name);
        sink_.on_frame_mark(name, t,
                            kind == Ev::FrameMarkMsg       ? FrameMarkKind::Continuous
                            : kind == Ev::FrameMarkMsgStart ? FrameMarkKind::Start
                                                            : FrameMarkKind::End);
        return;
    }
    case Ev::FrameVsync: {
        const int64_t t = to_ns(r.get<int64_t>());
        sink_.on_frame_vsync(r.get<uint32_t>(), t);
        return;
    }
    case Ev::FrameImage: {
        const uint32_t frame = r.get<uint32_t>();
        const uint16_t w = r.get<uint16_t>(), h = r.get<uint16_t>();
        const bool flip = r.get<uint8_t>() != 0;
        sink_.on_frame_image(frame, w, h, flip, frame_image_);
        frame_image_.clear();
        return;
    }

    // ---- messages
    case Ev::Message: case Ev::MessageColor: case Ev::MessageCallstack: case Ev::MessageColorCallstack:
    case Ev::MessageLiteral: case Ev::MessageLiteralColor: case Ev::MessageLiteralCallstack:
    case Ev::MessageLiteralColorCallstack:
        message(kind, r);
        return;
    case Ev::MessageAppInfo: {
        const int64_t t = to_ns(r.get<int64_t>());
        const std::string s = take_single();
        sink_.on_app_info(t, s);
        return;
    }

    // ---- locks
    case Ev::LockAnnounce: {
        const uint32_t id = r.get<uint32_t>();
        const int64_t t = to_ns(r.get<int64_t>());
        const uint64_t srcloc = r.get<uint64_t>();
        const bool shared = r.get<uint8_t>() != 0;
        queries_.source_location(srcloc);
        sink_.on_lock_announce(id, t, srcloc, shared);
        return;
    }
    case Ev::LockTerminate: {
        const uint32_t id = r.get<uint32_t>();
        sink_.on_lock_terminate(id, to_ns(r.get<int64_t>()));
        return;
    }
    case Ev::LockWait: case Ev::LockObtain: case Ev::LockSharedWait: case Ev::LockSharedObtain: {
        const uint64_t tid = r.get<uint32_t>();
        const uint32_t id = r.get<uint32_t>();
        const int64_t t = serial_time(r.get<int64_t>());
        notice(tid);
        sink_.on_lock_event(id, tid, t,
                            kind == Ev::LockWait         ? LockEventKind::Wait
                            : kind == Ev::LockObtain     ? LockEventKind::Obtain
                            : kind == Ev::LockSharedWait ? LockEventKind::WaitShared
                                                         : LockEventKind::ObtainShared);
        return;
    }
    case Ev::LockRelease: {
        const uint32_t id = r.get<uint32_t>();
        const int64_t t = serial_time(r.get<int64_t>());
        sink_.on_lock_event(id, 0, t, LockEventKind::Release);  // the sink knows who holds it
        return;
    }
    case Ev::LockSharedRelease: {
        const uint32_t id = r.get<uint32_t>();
        const int64_t t = serial_time(r.get<int64_t>());
        const uint64_t tid = r.get<uint32_t>();
        notice(tid);
        sink_.on_lock_event(id, tid, t, LockEventKind::ReleaseShared);
        return;
    }
    case Ev::LockMark: {
        const uint64_t tid = r.get<uint32_t>();
        const uint32_t id = r.get<uint32_t>();
        const uint64_t srcloc = r.get<uint64_t>();
        queries_.source_location(srcloc);
        sink_.on_lock_mark(id, tid, srcloc);
        return;
    }
    case Ev::LockName: {
        const uint32_t id = r.get<uint32_t>();
        const std::string s = take_single();
        sink_.on_lock_name(id, s);
        return;
    }

    // ---- plots
    case Ev::PlotDataInt: case Ev::PlotDataFloat: case Ev::PlotDataDouble: {
        const uint64_t name = r.get<uint64_t>();
        const int64_t delta = r.get<int64_t>();
        double v;
        if (kind == Ev::PlotDataInt) v = double(r.get<int64_t>());
        else if (kind == Ev::PlotDataFloat) v = double(r.get<float>());
        else v = r.get<double>();
        const int64_t t = thread_time(delta);  // the reference advances even for dropped values
        queries_.plot_name(name);
        if (kind == Ev::PlotDataInt || std::isfinite(v)) sink_.on_plot(name, t, v);
        return;
    }
    case Ev::PlotConfig: {
        const uint64_t name = r.get<uint64_t>();
        const uint8_t format = r.get<uint8_t>();
        const bool step = r.get<uint8_t>() != 0;
        const bool fill = r.get<uint8_t>() != 0;
        const uint32_t color = r.get<uint32_t>() & 0xFFFFFF;
        queries_.plot_name(name);
        sink_.on_plot_config(name, format, step, fill, color);
        return;
    }
    case Ev::SysTimeReport: {
        const int64_t t = to_ns(r.get<int64_t>());
        sink_.on_sys_time(t, r.get<float>());
        return;
    }
    case Ev::SysPowerReport: {
        const int64_t t = to_ns(r.get<int64_t>());
        const uint64_t delta = r.get<uint64_t>();
        const uint64_t name = r.get<uint64_t>();
        queries_.string(name);
        sink_.on_sys_power(t, delta, name);
        return;
    }

    // ---- memory
    case Ev::MemNamePayload: mem_name_ = r.get<uint64_t>(); return;
    case Ev::MemAlloc: case Ev::MemAllocNamed: case Ev::MemAllocCallstack: case Ev::MemAllocCallstackNamed: {
        const int64_t t = serial_time(r.get<int64_t>());
        const uint64_t tid = r.get<uint32_t>();
        const uint64_t ptr = r.get<uint64_t>();
        const uint64_t lo = r.get<uint32_t>();
        const uint64_t hi = r.get<uint16_t>();
        const bool named = kind == Ev::MemAllocNamed || kind == Ev::MemAllocCallstackNamed;
        const uint64_t pool = named ? mem_name_ : 0;
        if (named) mem_name_ = 0;
        const uint32_t cs = (kind == Ev::MemAllocCallstack || kind == Ev::MemAllocCallstackNamed) ? take_serial_callstack() : 0;
        notice(tid);
        queries_.string(pool);
        sink_.on_mem_alloc(pool, tid, t, ptr, lo | (hi << 32), cs);
        return;
    }
    case Ev::MemFree: case Ev::MemFreeNamed: case Ev::MemFreeCallstack: case Ev::MemFreeCallstackNamed: {
        const int64_t t = serial_time(r.get<int64_t>());
        const uint64_t tid = r.get<uint32_t>();
        const uint64_t ptr = r.get<uint64_t>();
        const bool named = kind == Ev::MemFreeNamed || kind == Ev::MemFreeCallstackNamed;
        const uint64_t pool = named ? mem_name_ : 0;
        if (named) mem_name_ = 0;
        const uint32_t cs = (kind == Ev::MemFreeCallstack || kind == Ev::MemFreeCallstackNamed) ? take_serial_callstack() : 0;
        notice(tid);
        queries_.string(pool);
        sink_.on_mem_free(pool, tid, t, ptr, cs);
        return;
    }
    case Ev::MemDiscard: case Ev::MemDiscardCallstack: {
        const uint32_t cs = kind == Ev::MemDiscardCallstack ? take_serial_callstack() : 0;
        const int64_t t = serial_time(r.get<int64_t>());
        const uint64_t tid = r.get<uint32_t>();
        const uint64_t pool = r.get<uint64_t>();
        notice(tid);
        sink_.on_mem_discard(pool, tid, t, cs);
        return;
    }

    // ---- GPU
    case Ev::GpuNewContext: {
        const int64_t cpu = to_ns(r.get<int64_t>());
        const int64_t gpu = r.get<int64_t>();
        const uint64_t tid = r.get<uint32_t>();
        const float period = r.get<float>();
        const uint8_t ctx = r.get<uint8_t>();
        const uint8_t flags = r.get<uint8_t>();
        const uint8_t type = r.get<uint8_t>();
        sink_.on_gpu_new_context(ctx, cpu, gpu, tid, period, flags, type);
        return;
    }
    case Ev::GpuZoneBegin: case Ev::GpuZoneBeginCallstack: case Ev::GpuZoneBeginAllocSrcLoc:
    case Ev::GpuZoneBeginAllocSrcLocCallstack: case Ev::GpuZoneBeginSerial: case Ev::GpuZoneBeginCallstackSerial:
    case Ev::GpuZoneBeginAllocSrcLocSerial: case Ev::GpuZoneBeginAllocSrcLocCallstackSerial: {
        const bool serial = kind == Ev::GpuZoneBeginSerial || kind == Ev::GpuZoneBeginCallstackSerial ||
                            kind == Ev::GpuZoneBeginAllocSrcLocSerial || kind == Ev::GpuZoneBeginAllocSrcLocCallstackSerial;
        const bool alloc = kind == Ev::GpuZoneBeginAllocSrcLoc || kind == Ev::GpuZoneBeginAllocSrcLocCallstack ||
                           kind == Ev::GpuZoneBeginAllocSrcLocSerial || kind == Ev::GpuZoneBeginAllocSrcLocCallstackSerial;
        const bool callstack = kind == Ev::GpuZoneBeginCallstack || kind == Ev::GpuZoneBeginAllocSrcLocCallstack ||
                               kind == Ev::GpuZoneBeginCallstackSerial || kind == Ev::GpuZoneBeginAllocSrcLocCallstackSerial;
        const int64_t delta = r.get<int64_t>();
        const uint64_t tid = r.get<uint32_t>();
        const uint16_t query = r.get<uint16_t>();
        const uint8_t ctx = r.get<uint8_t>();
        const uint64_t srcloc = alloc ? 0 : r.get<uint64_t>();
        const int64_t t = serial ? serial_time(delta) : thread_time(delta);
        uint32_t cs = 0;
        if (callstack) cs = serial ? take_serial_callstack() : take_thread_callstack();
        if (alloc) {
            if (!has_dyn_srcloc_)
                throw Error(TSHIM_ERR_FORMAT, "live stream: allocated GPU zone without its source location payload");
            has_dyn_srcloc_ = false;
        } else {
            queries_.source_location(srcloc);
        }
        sink_.on_gpu_zone_begin(ctx, tid, t, query, srcloc, alloc ? &dyn_ : nullptr, cs);
        return;
    }
    case Ev::GpuZoneEnd: case Ev::GpuZoneEndSerial: {
        const int64_t delta = r.get<int64_t>();
        const uint64_t tid = r.get<uint32_t>();
        const uint16_t query = r.get<uint16_t>();
        const uint8_t ctx = r.get<uint8_t>();
        const int64_t t = kind == Ev::GpuZoneEndSerial ? serial_time(delta) : thread_time(delta);
        sink_.on_gpu_zone_end(ctx, tid, t, query);
        return;
    }
    case Ev::GpuTime: {
        ref_gpu_ = wrap_add(ref_gpu_, r.get<int64_t>());
        const uint16_t query = r.get<uint16_t>();
        sink_.on_gpu_time(r.get<uint8_t>(), query, ref_gpu_);
        return;
    }
    case Ev::GpuCalibration: {
        const int64_t gpu = r.get<int64_t>();
        const int64_t cpu = to_ns(r.get<int64_t>());
        const int64_t delta = r.get<int64_t>();
        sink_.on_gpu_calibration(r.get<uint8_t>(), gpu, cpu, delta);
        return;
    }
    case Ev::GpuTimeSync: {
        const int64_t gpu = r.get<int64_t>();
        const int64_t cpu = to_ns(r.get<int64_t>());
        sink_.on_gpu_time_sync(r.get<uint8_t>(), gpu, cpu);
        return;
    }
    case Ev::GpuContextName: {
        const uint8_t ctx = r.get<uint8_t>();
        const std::string s = take_single();
        sink_.on_gpu_context_name(ctx, s);
        return;
    }
    case Ev::GpuAnnotationName: {
        const int64_t note = r.get<int64_t>();
        const uint8_t ctx = r.get<uint8_t>();
        const std::string s = take_single();
        sink_.on_gpu_annotation_name(ctx, note, s);
        return;
    }
    case Ev::GpuZoneAnnotation: {
        const int64_t note = r.get<int64_t>();
        const double value = r.get<double>();
        const uint64_t tid = r.get<uint32_t>();
        const uint16_t query = r.get<uint16_t>();
        sink_.on_gpu_zone_annotation(r.get<uint8_t>(), tid, query, note, value);
        return;
    }

    // ---- scheduling, system, hardware
    case Ev::ContextSwitch: {
        ref_ctx_ = wrap_add(ref_ctx_, r.get<int64_t>());
        const int64_t t = to_ns(ref_ctx_);
        const uint64_t old_tid = r.get<uint32_t>();
        const uint64_t new_tid = r.get<uint32_t>();
        const uint8_t cpu = r.get<uint8_t>();
        const uint8_t reason = r.get<uint8_t>();
        const uint8_t state = r.get<uint8_t>();
        if (new_tid != 0) queries_.external_name(new_tid);
        sink_.on_context_switch(t, old_tid, new_tid, cpu, reason, state);
        return;
    }
    case Ev::ThreadWakeup: {
        ref_ctx_ = wrap_add(ref_ctx_, r.get<int64_t>());
        const int64_t t = to_ns(ref_ctx_);
        const uint64_t tid = r.get<uint32_t>();
        sink_.on_thread_wakeup(t, tid, r.get<uint8_t>());
        return;
    }
    case Ev::TidToPid: {
        const uint64_t tid = r.get<uint64_t>();
        sink_.on_tid_to_pid(tid, r.get<uint64_t>());
        return;
    }
    case Ev::CpuTopology: {
        const uint32_t package = r.get<uint32_t>(), die = r.get<uint32_t>(), core = r.get<uint32_t>();
        sink_.on_cpu_topology(package, die, core, r.get<uint32_t>());
        return;
    }
    case Ev::HwSampleCpuCycle: case Ev::HwSampleInstructionRetired: case Ev::HwSampleCacheReference:
    case Ev::HwSampleCacheMiss: case Ev::HwSampleBranchRetired: case Ev::HwSampleBranchMiss: {
        const uint64_t ip = r.get<uint64_t>();
        const int64_t raw = r.get<int64_t>();
        const auto which = HwSampleKind(uint8_t(kind) - uint8_t(Ev::HwSampleCpuCycle));
        sink_.on_hw_sample(which, ip, raw == 0 ? 0 : to_ns(raw));
        return;
    }
    case Ev::ParamSetup: {
        const uint32_t idx = r.get<uint32_t>();
        const uint64_t name = r.get<uint64_t>();
        const uint8_t type = r.get<uint8_t>();
        queries_.string(name);
        sink_.on_param_setup(idx, name, type, r.get<int32_t>());
        return;
    }

    // ---- sections (0.14)
    case Ev::SectionEnter: {
        const int64_t t = thread_time(r.get<int64_t>());
        const uint32_t id = r.get<uint32_t>();
        const uint16_t category = r.get<uint16_t>();
        const std::string s = take_single();
        sink_.on_section_enter(t, id, category, s);
        return;
    }
    case Ev::SectionLeave: {
        const int64_t t = thread_time(r.get<int64_t>());
        sink_.on_section_leave(t, r.get<uint32_t>());
        return;
    }
    case Ev::SectionSetup: {
        const uint16_t category = r.get<uint16_t>();
        const std::string s = take_single();
        sink_.on_section_setup(category, s);
        return;
    }

    // ---- replies and control
    case Ev::SourceLocation: {
        queries_.answered();
        const uint64_t name = r.get<uint64_t>();
        const uint64_t function = r.get<uint64_t>();
        const uint64_t file = r.get<uint64_t>();
        const uint32_t line = r.get<uint32_t>();
        const uint32_t color = r.color3();
        const uint64_t ptr = queries_.pop_source_location();
        if (ptr == 0) throw Error(TSHIM_ERR_FORMAT, "live stream: source location reply nobody asked for");
        queries_.string(name);
        queries_.string(function);
        queries_.string(file);
        sink_.on_source_location(ptr, name, function, file, line, color);
        return;
    }
    case Ev::AckServerQueryNoop: queries_.answered(); return;
    case Ev::AckSourceCodeNotAvailable: (void)r.get<uint32_t>(); queries_.answered(); return;
    case Ev::AckSymbolCodeNotAvailable: queries_.answered(); return;
    case Ev::Terminate:
        terminated_ = true;
        sink_.on_terminate();
        return;
    case Ev::KeepAlive: return;
    case Ev::Crash: crashed_ = true; return;
    case Ev::CrashReport: {
        const int64_t t = to_ns(r.get<int64_t>());
        const uint64_t text = r.get<uint64_t>();
        queries_.string(text);
        sink_.on_crash(current_thread(), t, text, take_thread_callstack());
        return;
    }
    case Ev::ExternalNameMetadata: case Ev::SymbolCodeMetadata: case Ev::SourceCodeMetadata:
        return;  // client-internal kinds; a 1-byte header if they ever appear
    case Ev::Count: break;
    }
    throw Error(TSHIM_ERR_FORMAT, std::string("live stream: unexpected event ") + ev_name(kind));
}

void EventDecoder::string_transfer(Ev kind, uint64_t key, const uint8_t* data, size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    if (answers_only_ && (kind == Ev::SourceLocationPayload || kind == Ev::CallstackPayload ||
                          kind == Ev::CallstackAllocPayload || kind == Ev::FrameImageData))
        return;  // payloads of data events, which are no longer read
    switch (kind) {
    case Ev::StringData: queries_.answered(); queries_.got_string(); sink_.on_string(key, s); return;
    case Ev::ThreadName: queries_.answered(); queries_.got_thread_name(); sink_.on_thread_name(key, s); return;
    case Ev::PlotName: queries_.answered(); queries_.got_name(); sink_.on_plot_name(key, s); return;
    case Ev::FrameName: queries_.answered(); queries_.got_name(); sink_.on_frame_name(key, s); return;
    case Ev::FiberName: queries_.answered(); queries_.got_name(); sink_.on_fiber_name(key, s); return;
    case Ev::ExternalName: queries_.answered(); queries_.got_external_part(); sink_.on_external_name(key, s); return;
    case Ev::ExternalThreadName: queries_.got_external_part(); sink_.on_external_thread_name(key, s); return;
    case Ev::SymbolCode: case Ev::SourceCode: queries_.answered(); return;  // we never ask for code
    case Ev::FrameImageData: frame_image_.assign(s); return;
    case Ev::SourceLocationPayload: srcloc_payload(data, size); return;
    case Ev::CallstackPayload: callstack_payload(data, size); return;
    case Ev::CallstackAllocPayload: callstack_alloc_payload(data, size); return;
    default: return;
    }
}

void EventDecoder::srcloc_payload(const uint8_t* data, size_t size) {
    // Kept whole (one copy): the sink identifies repeated source locations by these bytes.
    dyn_raw_.assign(reinterpret_cast<const char*>(data), size);
    const auto* base = reinterpret_cast<const uint8_t*>(dyn_raw_.data());
    Reader r{base, base + size, Ev::SourceLocationPayload};
    const uint32_t c = r.get<uint32_t>();
    const uint32_t line = r.get<uint32_t>();
    auto cstr = [&]() {
        const void* nul = std::memchr(r.p, 0, r.left());
        if (!nul) throw Error(TSHIM_ERR_FORMAT, "live stream: source location payload without terminated strings");
        const size_t n = size_t(static_cast<const uint8_t*>(nul) - r.p);
        std::string_view v(reinterpret_cast<const char*>(r.take(n)), n);
        r.take(1);
        return v;
    };
    dyn_.function = cstr();
    dyn_.file = cstr();
    dyn_.name = std::string_view(reinterpret_cast<const char*>(r.p), r.left());
    dyn_.line = line;
    dyn_.color = ((c & 0x00FF0000u) >> 16) | (c & 0x0000FF00u) | ((c & 0x000000FFu) << 16);
    dyn_.raw = dyn_raw_;
    has_dyn_srcloc_ = true;
}

void EventDecoder::callstack_payload(const uint8_t* data, size_t size) {
    if (size % 8 != 0) throw Error(TSHIM_ERR_FORMAT, "live stream: callstack payload is not a list of addresses");
    scratch_frames_.resize(size / 8);
    if (size > 0) std::memcpy(scratch_frames_.data(), data, size);
    for (uint64_t addr : scratch_frames_) queries_.callstack_frame(addr);
    pending_callstack_ = sink_.intern_callstack(scratch_frames_);
}

void EventDecoder::callstack_alloc_payload(const uint8_t* data, size_t size) {
    Reader r{data, data + size, Ev::CallstackAllocPayload};
    const size_t n = r.get<uint8_t>();
    scratch_alloc_.clear();
    for (size_t i = 0; i < n; ++i) {
        AllocFrame f;
        f.line = r.get<uint32_t>();
        const size_t name_len = r.get<uint16_t>();
        f.name = std::string_view(reinterpret_cast<const char*>(r.take(name_len)), name_len);
        const size_t file_len = r.get<uint16_t>();
        f.file = std::string_view(reinterpret_cast<const char*>(r.take(file_len)), file_len);
        scratch_alloc_.push_back(f);
    }
    pending_callstack_ = sink_.intern_alloc_callstack(scratch_alloc_, pending_callstack_);
}

}  // namespace tshim::live
