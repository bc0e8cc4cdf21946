// Context switches per thread, per-CPU timelines, the tid -> pid map and per-thread CPU usage data.
#include <algorithm>
#include <limits>
#include <unordered_map>

#include "model/model.hpp"
#include "read/tail_io.hpp"
#include "read/tail_sections.hpp"

namespace tshim::tail {

void read_context_switches(Cursor& c, LoadContext& ctx) {
    auto& t = ctx.model.tail;
    auto& th = t.cs_thread;
    auto& cs = t.cs;
    const bool has_wakeup_cpu = ctx.version >= file_version(0, 11, 3);
    const bool has_other_thread = ctx.version >= file_version(0, 7, 12);
    const uint64_t event_bytes = 8 * 3 + 3 + (has_other_thread ? 8 : 0) + (has_wakeup_cpu ? 1 : 0);
    const uint64_t threads = c.get<uint64_t>();
    c.check_fits(threads, 16, "context switch threads");
    for (uint64_t i = 0; i < threads; i++) {
        const int32_t owner = row32(th.tid.size(), "context switch threads");
        const uint64_t tid = c.get<uint64_t>();
        const uint64_t n = c.get<uint64_t>();
        c.check_fits(n, event_bytes, "context switches");
        th.tid.push_back(tid);
        th.thread.push_back(known_thread_row(tid, ctx));
        th.switch_begin.push_back(row_of(cs.start.size()));
        reserve_more(cs.start, n);
        int64_t ref = 0, running = 0;
        for (uint64_t j = 0; j < n; j++) {
            cs.wakeup.push_back(c.time_delta(ref));
            cs.start.push_back(c.time_delta(ref));
            const int64_t diff = c.get<int64_t>();
            if (diff > 0) running = int64_t(uint64_t(running) + uint64_t(diff));  // wraps on hostile data
            ref = int64_t(uint64_t(ref) + uint64_t(diff));
            cs.end.push_back(ref);
            const uint8_t cpu = c.get<uint8_t>();
            cs.cpu.push_back(cpu);
            cs.reason.push_back(c.get<int8_t>());
            cs.state.push_back(c.get<int8_t>());
            cs.other_tid.push_back(has_other_thread ? c.get<uint64_t>() : 0);
            cs.wakeup_cpu.push_back(has_wakeup_cpu ? c.get<uint8_t>() : cpu);
            cs.owner.push_back(owner);
        }
        th.running_time.push_back(running);
        th.switch_end.push_back(row_of(cs.start.size()));
    }
}

void read_cpu_data(Cursor& c, LoadContext& ctx) {
    auto& t = ctx.model.tail;
    auto& cp = t.cpu_switch;
    c.get<uint64_t>();  // total of the per-CPU counts below (a progress hint)
    for (int cpu = 0; cpu < 256; cpu++) {
        const uint64_t n = c.get<uint64_t>();
        c.check_fits(n, 8 + 8 + 2, "per-CPU context switches");
        reserve_more(cp.start, n);
        int64_t ref = 0;
        for (uint64_t j = 0; j < n; j++) {
            cp.cpu.push_back(uint8_t(cpu));
            cp.start.push_back(c.time_delta(ref));
            cp.end.push_back(c.time_delta(ref));
            const uint16_t thread = c.get<uint16_t>();
            cp.thread_index.push_back(thread);
            cp.tid.push_back(ctx.external_tid_by_compressed(thread));
        }
    }

    const uint64_t pids = c.get<uint64_t>();
    c.check_fits(pids, 16, "thread to process entries");
    for (uint64_t i = 0; i < pids; i++) {
        t.tid_pid.tid.push_back(c.get<uint64_t>());
        t.tid_pid.pid.push_back(c.get<uint64_t>());
    }

    // Per-thread CPU usage: tid, then the server's record of running time (i64), regions (u32), migrations (u32).
    const uint64_t threads = c.get<uint64_t>();
    c.check_fits(threads, 8 + 16, "CPU thread data entries");
    for (uint64_t i = 0; i < threads; i++) {
        t.cpu_thread.tid.push_back(c.get<uint64_t>());
        t.cpu_thread.running_time.push_back(c.get<int64_t>());
        t.cpu_thread.running_regions.push_back(c.get<uint32_t>());
        t.cpu_thread.migrations.push_back(c.get<uint32_t>());
    }
}

// Walks all CPUs' timelines in time order, counting at every instant how many CPUs run the program's own threads
// and how many run other threads, and records each change (upstream's CPU usage reconstruction). A switch without a
// valid end lasts until the next switch on its CPU starts, or to the end of the capture when it is the last one
// (upstream keeps every such switch counted forever, so its counts can exceed the number of CPUs).
void derive_cpu_usage(TailModel& m, const std::vector<uint64_t>& own_tids, uint64_t pid) {
    auto& u = m.cpu_usage;
    const auto& cp = m.cpu_switch;
    if (m.cs.start.empty() || cp.start.empty()) return;  // upstream derives it only with both kinds of data
    std::unordered_map<uint64_t, uint64_t> pid_of;
    for (size_t i = 0; i < m.tid_pid.tid.size(); i++) pid_of.emplace(m.tid_pid.tid[i], m.tid_pid.pid[i]);
    auto is_own = [&](uint64_t tid) {
        if (std::binary_search(own_tids.begin(), own_tids.end(), tid)) return true;
        auto it = pid_of.find(tid);
        return (it == pid_of.end() ? 0 : it->second) == pid;
    };
    struct Cpu {
        size_t at, end;
        bool started;
    };
    std::vector<Cpu> cpus;
    for (size_t b = 0; b < cp.cpu.size();) {
        size_t e = b;
        while (e < cp.cpu.size() && cp.cpu[e] == cp.cpu[b]) e++;
        cpus.push_back({b, e, false});
        b = e;
    }
    // The end of switch i on its CPU (false: it never ends).
    auto end_of = [&](const Cpu& c, int64_t& t) {
        if (cp.end[c.at] >= 0) t = cp.end[c.at];
        else if (c.at + 1 < c.end) t = cp.start[c.at + 1];
        else return false;
        return true;
    };
    auto key = [&](const Cpu& c) {
        int64_t t = cp.start[c.at];
        if (c.started) end_of(c, t);
        return t;
    };
    u.time.push_back(0);
    u.own.push_back(0);
    u.other.push_back(0);
    uint8_t own = 0, other = 0;
    for (;;) {
        int64_t next = std::numeric_limits<int64_t>::max();
        bool done = true;
        for (const Cpu& c : cpus) {
            if (c.at == c.end) continue;
            done = false;
            next = std::min(next, key(c));
        }
        if (done) break;
        for (Cpu& c : cpus) {
            while (c.at != c.end && key(c) == next) {
                uint8_t& n = is_own(cp.tid[c.at]) ? own : other;
                int64_t t;
                if (!c.started) {
                    n++;
                    if (end_of(c, t)) c.started = true;
                    else c.at++;  // never ends: stays counted
                } else {
                    n--;
                    c.started = false;
                    c.at++;
                }
            }
        }
        if (u.own.back() != own || u.other.back() != other) {
            u.time.push_back(next);
            u.own.push_back(own);
            u.other.push_back(other);
        }
    }
}

}  // namespace tshim::tail
