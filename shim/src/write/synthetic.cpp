#include "write/synthetic.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "derive/frame_stats.hpp"
#include "derive/hash_order.hpp"
#include "format/error.hpp"
#include "model/capture.hpp"
#include "model/memory.hpp"
#include "model/model.hpp"
#include "read/load_context.hpp"
#include "read/load_file.hpp"
#include "read/tail.hpp"

namespace tshim {

namespace {

constexpr int kZonesPerBatch = 105;
constexpr int64_t kFrameNs = 10'000'000;  // the main thread's 100 Hz loop

// A small, fast generator (splitmix64): the jitter only has to look like a real timer's, not be random.
struct Jitter {
    uint64_t state;
    uint32_t next(uint32_t range) {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return uint32_t((z ^ (z >> 31)) % range);
    }
};

// A ZoneValue as the server formats it into the zone's text.
std::string value_text(uint32_t v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%u [0x%x]", v, v);
    return buf;
}

// Appends zones to one thread's timeline in DFS pre-order with their depths, as the reader stores them.
struct TimelineWriter {
    Model& m;
    uint16_t thread;
    std::vector<int32_t> open;  // rows of the zones not yet ended

    int32_t begin(uint16_t srcloc, int64_t t, uint32_t extra = 0) {
        auto& z = m.zones;
        const auto row = int32_t(z.start.size());
        z.start.push_back(t);
        z.end.push_back(-1);
        z.srcloc.push_back(srcloc);
        z.thread.push_back(thread);
        z.depth.push_back(uint16_t(open.size()));
        z.extra.push_back(extra);
        open.push_back(row);
        return row;
    }
    void end(int64_t t) {
        auto& z = m.zones;
        const auto row = size_t(open.back());
        open.pop_back();
        z.end[row] = t;
    }
};

}  // namespace

void build_synthetic(Capture& cap, uint64_t zones, int threads, uint64_t seed) {
    if (threads < 1 || threads > 1000) throw Error(TSHIM_ERR_ARG, "threads must be 1..1000");
    const uint64_t batches = zones / kZonesPerBatch / uint64_t(threads);
    if (batches * kZonesPerBatch * uint64_t(threads) > uint64_t(1) << 31)
        throw Error(TSHIM_ERR_ARG, "at most 2^31 zones");
    cap.model = std::make_unique<Model>();
    Model& m = *cap.model;
    LoadContext ctx(file_version(0, 14, 0), cap, m);
    Jitter rng{seed};

    // Strings, source locations (static ids 1..6 in order of first use) and threads.
    const int32_t file = ctx.intern("/opt/demo/synthetic/workload.cpp");
    struct Site {
        const char* name;
        const char* function;
        uint32_t line;
        uint32_t color;
    };
    const Site sites[] = {{"Batch", "Batch", 52, 0},         {"Task", "TaskWork", 43, 0xC08030},
                          {"Step", "StepWork", 35, 0},       {"Leaf", "LeafWork", 28, 0},
                          {"MainFrame", "main", 101, 0},     {"Poll", "main", 105, 0}};
    enum : uint16_t { kBatch, kTask, kStep, kLeaf, kMainFrame, kPoll };
    auto& sl = m.srclocs;
    std::vector<uint64_t> created;
    for (int32_t i = 0; i < int32_t(std::size(sites)); i++) {
        sl.id.push_back(i + 1);
        sl.name.push_back(ctx.intern(sites[i].name));
        sl.function.push_back(ctx.intern(sites[i].function));
        sl.file.push_back(file);
        sl.line.push_back(sites[i].line);
        sl.color.push_back(sites[i].color);
        sl.dynamic.push_back(0);
        sl.ptr.push_back(0x5555'0000'1000ull + uint64_t(i) * 0x40);
        sl.static_order.push_back(i);
        created.push_back(uint64_t(i + 1));
    }
    sl.hash_order = flat_map_iteration_rank(created, 0);

    const uint64_t main_tid = 4000;
    ctx.thread_names[main_tid] = ctx.intern("Main thread");
    for (int i = 0; i < threads; i++) ctx.thread_names[main_tid + 1 + uint64_t(i)] = ctx.intern("Worker " + std::to_string(i));

    const uint64_t worker_zones = batches * kZonesPerBatch;
    const size_t total = size_t(worker_zones * uint64_t(threads)) + 2 * 1024;
    for (auto* v : {&m.zones.start, &m.zones.end}) v->reserve(total);
    for (auto* v : {&m.zones.srcloc, &m.zones.thread, &m.zones.depth}) v->reserve(total);
    m.zones.extra.reserve(total);
    m.zone_extras.callstack.push_back(0);  // row 0: "no extra"
    m.zone_extras.text.push_back(-1);
    m.zone_extras.name.push_back(-1);
    m.zone_extras.color.push_back(0);

    // Workers: batches back to back, a few ns of gap between zones, a pause every 16 batches.
    int64_t last_time = 0;
    std::vector<std::pair<uint64_t, int64_t>> spans;  // per worker: tid, end time
    for (int w = 0; w < threads; w++) {
        const uint64_t tid = main_tid + 1 + uint64_t(w);
        const uint32_t row = ctx.thread_row(tid);
        m.threads.list_index[row] = w;
        m.threads.zone_count[row] = worker_zones;
        m.threads.zones_begin[row] = int32_t(m.zones.start.size());
        TimelineWriter tl{m, uint16_t(row), {}};
        int64_t t = 1'000'000 + int64_t(rng.next(50'000));
        for (uint64_t b = 0; b < batches; b++) {
            tl.begin(kBatch, t += 20 + rng.next(10));
            for (int k = 0; k < 8; k++) {
                uint32_t extra = 0;
                if (k == 0) {
                    const auto value = rng.next(65536);
                    extra = uint32_t(m.zone_extras.text.size());
                    m.zone_extras.callstack.push_back(0);
                    m.zone_extras.text.push_back(ctx.intern(value_text(value)));
                    m.zone_extras.name.push_back(-1);
                    m.zone_extras.color.push_back(0);
                }
                tl.begin(kTask, t += 12 + rng.next(8), extra);
                for (int s = 0; s < 4; s++) {
                    tl.begin(kStep, t += 10 + rng.next(6));
                    for (int l = 0; l < 2; l++) {
                        tl.begin(kLeaf, t += 9 + rng.next(5));
                        tl.end(t += 18 + int64_t((s & 3) * 6) + rng.next(12));
                    }
                    tl.end(t += 8 + rng.next(5));
                }
                tl.end(t += 8 + rng.next(5));
            }
            tl.end(t += 9 + rng.next(5));
            if ((b & 15) == 15) t += 2'000 + rng.next(20'000);
        }
        m.threads.zones_end[row] = int32_t(m.zones.start.size());
        last_time = std::max(last_time, t);
    }

    // Main thread: the frame loop over the workers' whole span (frames and MainFrame > Poll zones).
    const uint32_t main_row = ctx.thread_row(main_tid);
    m.threads.list_index[main_row] = threads;
    m.threads.zones_begin[main_row] = int32_t(m.zones.start.size());
    ctx.frame_name = ctx.intern("Frame");
    m.frame_sets.name_ptr.push_back(0);
    m.frame_sets.name.push_back(ctx.frame_name);
    m.frame_sets.continuous.push_back(1);
    m.frame_sets.frames_begin.push_back(0);
    {
        TimelineWriter tl{m, uint16_t(main_row), {}};
        uint64_t count = 0;
        for (int64_t f = 0; f * kFrameNs < last_time + kFrameNs; f++) {
            const int64_t t = 500'000 + f * kFrameNs;
            m.frames.start.push_back(t);
            m.frames.end.push_back(-1);
            m.frames.image.push_back(-1);
            m.frames.frame_set.push_back(0);
            tl.begin(kMainFrame, t + 200 + rng.next(100));
            tl.begin(kPoll, t + 400 + rng.next(100));
            tl.end(t + kFrameNs - 30'000 - rng.next(20'000));
            tl.end(t + kFrameNs - 10'000 - rng.next(5'000));
            count += 2;
        }
        m.threads.zone_count[main_row] = count;
        last_time = std::max(last_time, 500'000 + int64_t(m.frames.start.size()) * kFrameNs);
    }
    m.threads.zones_end[main_row] = int32_t(m.zones.start.size());
    m.frame_sets.frames_end.push_back(int32_t(m.frames.start.size()));
    finish_frame_set(m, 0, m.frames.start.size(), true, last_time);

    auto& mi = cap.meta_int;
    auto& ms = cap.meta_str;
    ms["capture_program"] = "synthetic";
    ms["capture_name"] = "synthetic workload, " + std::to_string(worker_zones * uint64_t(threads)) + " worker zones";
    ms["host_info"] = "generated by tracy-mcp";
    ms["cpu_manufacturer"] = "GenuineIntel";
    ms["file_version_str"] = "0.14.0";
    mi["file_version"] = ctx.version;
    mi["capture_time"] = 1'790'000'000;
    mi["pid"] = 4242;
    mi["resolution"] = 10;
    mi["last_time"] = last_time;
    cap.meta_float["timer_mul"] = 1.0;
    uint64_t zone_total = 0;
    for (auto c : m.threads.zone_count) zone_total += c;
    mi["zone_count"] = int64_t(zone_total);
    mi["sample_count"] = 0;
    mi["srcloc_count"] = int64_t(sl.count());
    mi["payload_size"] = 0;
    mi["file_size"] = 0;
    ms["compression"] = "none";
    mi["streams"] = 0;
    ctx.keep_file_lookups();
    finish_tail(ctx);
    finish_capture(ctx);
}

}  // namespace tshim
