// The sections of a 0.14.0 payload, written from the model in the order the reader (and upstream) reads them.
#include "write/capture.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#ifndef _WIN32
#include <unistd.h>
#endif

#include "model/capture.hpp"
#include "format/error.hpp"
#include "model/model.hpp"
#include "write/container.hpp"

#define ZDICT_STATIC_LINKING_ONLY  // the fastCover trainer upstream's fi_dict uses
#include <zdict.h>

namespace tshim {

namespace {

namespace fs = std::filesystem;

// Typed little-endian output over the container (the file format is the host layout of an x86/ARM machine).
class Out {
public:
    explicit Out(ContainerWriter& w) : w_(w) {}
    template <class T> void put(T v) { w_.write(&v, sizeof(T)); }
    void bytes(const void* p, size_t n) { w_.write(p, n); }
    void u24(uint32_t v) {
        const uint8_t b[3] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16)};
        w_.write(b, 3);
    }
    void i48(int64_t v) {
        const auto u = uint64_t(v);
        const uint8_t b[6] = {uint8_t(u), uint8_t(u >> 8), uint8_t(u >> 16), uint8_t(u >> 24), uint8_t(u >> 32),
                              uint8_t(u >> 40)};
        w_.write(b, 6);
    }
    // A time stored as the difference to the previous time of the same run.
    void time(int64_t& ref, int64_t t) {
        put<int64_t>(int64_t(uint64_t(t) - uint64_t(ref)));
        ref = t;
    }
    void text64(std::string_view s) {  // u64 length + bytes
        put<uint64_t>(s.size());
        bytes(s.data(), s.size());
    }
    void count(size_t n) { put<uint64_t>(uint64_t(n)); }

private:
    ContainerWriter& w_;
};

// Splits rows [b, e) into maximal runs of equal `key`: the file nests, as groups, rows the model keeps flat.
template <class K> std::vector<std::pair<size_t, size_t>> runs_of(const std::vector<K>& key, size_t b, size_t e) {
    std::vector<std::pair<size_t, size_t>> runs;
    for (size_t i = b; i < e;) {
        size_t j = i;
        while (j < e && key[j] == key[i]) j++;
        runs.emplace_back(i, j);
        i = j;
    }
    return runs;
}

// Writes the model; string ids map to file string indices 1:1 (the whole pool becomes the file's string table).
class SectionWriter {
public:
    SectionWriter(const Capture& cap, const Model& m, Out& o, bool image_dict)
        : cap_(cap), m_(m), t_(m.tail), o_(o), image_dict_(image_dict) {}

    void write_all() {
        header_and_metadata();
        frames();
        sections();
        strings();
        srclocs();
        locks();
        messages();
        threads();
        gpu();
        plots();
        memory();
        callstacks();
        app_info();
        frame_images();
        context_switches();
        cpu_data();
        symbols();
        hw_samples();
        source_files();
    }

private:
    const Capture& cap_;
    const Model& m_;
    const TailModel& t_;
    Out& o_;
    bool image_dict_;

    int64_t meta_int(const char* key, int64_t def = 0) const {
        auto it = cap_.meta_int.find(key);
        return it == cap_.meta_int.end() ? def : it->second;
    }
    std::string meta_str(const char* key) const {
        auto it = cap_.meta_str.find(key);
        return it == cap_.meta_str.end() ? std::string() : it->second;
    }

    // 3-byte string index as stored: 0 none, otherwise index + 1.
    void idx(int32_t string_id) {
        o_.u24(string_id >= 0 && size_t(string_id) < m_.strings.count() ? uint32_t(string_id) + 1 : 0);
    }
    // StringRef: 8-byte value + flags (bit 0: value is a string index, bit 1: active).
    void string_ref(int32_t string_id) {
        if (string_id >= 0 && size_t(string_id) < m_.strings.count()) {
            o_.put<uint64_t>(uint64_t(string_id));
            o_.put<uint8_t>(3);
        } else {
            o_.put<uint64_t>(0);
            o_.put<uint8_t>(0);
        }
    }
    // Whether the model holds the lookup tables of a file it was read from (else they are rebuilt).
    bool from_file() const { return m_.lookup.file_string_count > 0 || !m_.lookup.string_id_key.empty(); }
    int16_t srcloc_id(uint16_t row) const {
        return row < m_.srclocs.count() ? int16_t(m_.srclocs.id[row]) : int16_t(0);
    }

    void header_and_metadata() {
        const uint8_t hdr[8] = {'t', 'r', 'a', 'c', 'y', 0, 14, 0};
        o_.bytes(hdr, sizeof(hdr));
        o_.put<int64_t>(meta_int("resolution"));
        auto f = cap_.meta_float.find("timer_mul");
        o_.put<double>(f == cap_.meta_float.end() ? 1.0 : f->second);
        o_.put<int64_t>(meta_int("last_time"));
        o_.put<uint64_t>(uint64_t(meta_int("frame_offset")));
        o_.put<uint64_t>(uint64_t(meta_int("pid")));
        o_.put<int64_t>(meta_int("sampling_period"));
        o_.put<uint8_t>(uint8_t(meta_int("cpu_arch")));
        o_.put<uint32_t>(uint32_t(meta_int("cpu_id")));
        char manufacturer[12] = {};
        const auto man = meta_str("cpu_manufacturer");
        std::memcpy(manufacturer, man.data(), std::min<size_t>(12, man.size()));
        o_.bytes(manufacturer, 12);
        o_.put<uint8_t>(meta_int("on_demand") ? 1 : 0);
        o_.text64(meta_str("capture_name"));
        o_.text64(meta_str("capture_program"));
        o_.put<uint64_t>(uint64_t(meta_int("capture_time")));
        o_.put<uint64_t>(uint64_t(meta_int("executable_time")));
        o_.text64(meta_str("host_info"));

        // CPU topology, regrouped from one row per logical CPU: package > die > core > threads.
        const auto& th = m_.cpu_topology_thread;
        const auto& pk = m_.cpu_topology_package;
        const auto& di = m_.cpu_topology_die;
        const auto& co = m_.cpu_topology_core;
        const size_t n = th.size();
        auto run_end = [&](size_t i, auto same) {
            size_t j = i;
            while (j < n && same(i, j)) j++;
            return j;
        };
        auto same_pkg = [&](size_t a, size_t b) { return pk[a] == pk[b]; };
        auto same_die = [&](size_t a, size_t b) { return pk[a] == pk[b] && di[a] == di[b]; };
        auto same_core = [&](size_t a, size_t b) { return same_die(a, b) && co[a] == co[b]; };
        auto groups = [&](size_t b, size_t e, auto same) {
            size_t k = 0;
            for (size_t i = b; i < e; i = run_end(i, same)) k++;
            return k;
        };
        o_.count(groups(0, n, same_pkg));
        for (size_t p = 0; p < n;) {
            const size_t pe = run_end(p, same_pkg);
            o_.put<uint32_t>(pk[p]);
            o_.count(groups(p, pe, same_die));
            for (size_t d = p; d < pe;) {
                const size_t de = run_end(d, same_die);
                o_.put<uint32_t>(di[d]);
                o_.count(groups(d, de, same_core));
                for (size_t c = d; c < de;) {
                    const size_t ce = run_end(c, same_core);
                    o_.put<uint32_t>(co[c]);
                    o_.count(ce - c);
                    for (size_t i = c; i < ce; i++) o_.put<uint32_t>(uint32_t(th[i]));
                    c = ce;
                }
                d = de;
            }
            p = pe;
        }

        o_.put<uint64_t>(uint64_t(meta_int("crash_thread")));
        o_.put<int64_t>(meta_int("crash_time"));
        o_.put<uint64_t>(uint64_t(meta_int("crash_message")));
        o_.put<uint32_t>(uint32_t(meta_int("crash_callstack")));
    }

    void frames() {
        const auto& fs = m_.frame_sets;
        const auto& fr = m_.frames;
        o_.count(fs.name_ptr.size());
        for (size_t s = 0; s < fs.name_ptr.size(); s++) {
            const bool continuous = fs.continuous[s] != 0;
            o_.put<uint64_t>(fs.name_ptr[s]);
            o_.put<uint8_t>(fs.continuous[s]);
            const auto b = size_t(fs.frames_begin[s]), e = size_t(fs.frames_end[s]);
            o_.count(e - b);
            int64_t ref = 0;
            for (size_t i = b; i < e; i++) {
                o_.time(ref, fr.start[i]);
                if (!continuous) o_.time(ref, fr.end[i]);
                o_.put<int32_t>(fr.image[i]);
            }
        }
    }

    void sections() {
        const auto& s = m_.sections;
        const auto runs = runs_of(s.category, 0, s.start.size());  // rows of one category
        o_.count(runs.size());
        for (auto [b, e] : runs) {
            o_.put<uint16_t>(s.category[b]);
            o_.count(e - b);
            for (size_t i = b; i < e; i++) {
                o_.i48(s.start[i]);
                o_.i48(s.end[i]);
                idx(s.text[i]);
            }
        }
        const auto& c = m_.section_categories;
        // A 0.13.4 file has one implicit category without a description; it has nothing to write.
        size_t described = 0;
        for (auto d : c.description) described += d >= 0;
        o_.count(described);
        for (size_t i = 0; i < c.category.size(); i++) {
            if (c.description[i] < 0) continue;
            o_.put<uint16_t>(c.category[i]);
            idx(c.description[i]);
        }
    }

    void strings() {
        const auto& p = m_.strings;
        o_.count(p.count());
        for (size_t i = 0; i < p.count(); i++) {
            o_.put<uint64_t>(uint64_t(i) + 1);  // the string's pointer: any unique key the maps below refer to
            o_.text64(p.get(int32_t(i)));
        }

        // Client pointer id -> string: as read, or rebuilt from what refers to it.
        const auto& k = m_.lookup;
        std::vector<std::pair<uint64_t, int32_t>> ids;
        if (!k.string_id_key.empty()) {
            for (size_t i = 0; i < k.string_id_key.size(); i++) ids.emplace_back(k.string_id_key[i], k.string_id_row[i]);
        } else {
            std::unordered_set<uint64_t> seen;
            auto add = [&](uint64_t key, int32_t row) {
                if (key && row >= 0 && seen.insert(key).second) ids.emplace_back(key, row);
            };
            for (size_t i = 0; i < m_.frame_sets.name_ptr.size(); i++)
                add(m_.frame_sets.name_ptr[i], m_.frame_sets.name[i]);
            for (size_t i = 0; i < t_.plot.name_ptr.size(); i++) add(t_.plot.name_ptr[i], t_.plot.name[i]);
            for (size_t i = 0; i < t_.mem_pool.key.size(); i++) add(t_.mem_pool.key[i], t_.mem_pool.name[i]);
        }
        o_.count(ids.size());
        for (auto [key, row] : ids) {
            o_.put<uint64_t>(key);
            o_.put<uint64_t>(uint64_t(row) + 1);
        }

        std::vector<std::pair<uint64_t, int32_t>> names;
        if (!k.thread_name_tid.empty()) {
            for (size_t i = 0; i < k.thread_name_tid.size(); i++) names.emplace_back(k.thread_name_tid[i], k.thread_name_row[i]);
        } else {
            for (size_t i = 0; i < m_.threads.count(); i++)
                if (m_.threads.name[i] >= 0) names.emplace_back(m_.threads.tid[i], m_.threads.name[i]);
        }
        o_.count(names.size());
        for (auto [tid, row] : names) {
            o_.put<uint64_t>(tid);
            o_.put<uint64_t>(uint64_t(row) + 1);
        }

        o_.count(m_.external_tid.size());
        for (size_t i = 0; i < m_.external_tid.size(); i++) {
            o_.put<uint64_t>(m_.external_tid[i]);
            o_.put<uint64_t>(uint64_t(m_.external_process[i]) + 1);
            o_.put<uint64_t>(uint64_t(m_.external_thread[i]) + 1);
        }

        // Compressed thread tables (index -> tid). Without the file's tables, index i is the threads row i.
        for (const auto* table : {&k.local_threads, &k.external_threads}) {
            if (from_file()) {
                o_.count(table->size());
                if (!table->empty()) o_.bytes(table->data(), table->size() * 8);
            } else {
                o_.count(m_.threads.count());
                for (auto tid : m_.threads.tid) o_.put<uint64_t>(tid);
            }
        }
    }

    void srcloc_base(size_t row) {
        const auto& s = m_.srclocs;
        string_ref(s.name[row]);
        string_ref(s.function[row]);
        string_ref(s.file[row]);
        o_.put<uint32_t>(s.line[row]);
        o_.put<uint32_t>(s.color[row]);
    }

    void srclocs() {
        const auto& s = m_.srclocs;
        std::vector<size_t> statics, dynamics;
        bool any_order = false;
        for (size_t i = 0; i < s.count(); i++) {
            if (s.dynamic[i]) dynamics.push_back(i);
            else {
                statics.push_back(i);
                any_order |= s.static_order[i] >= 0;
            }
        }
        // The static map in the order the file listed it (upstream's map order); srclocs the file's map lacked
        // stay out of it.
        std::vector<size_t> listed;
        for (auto i : statics)
            if (!any_order || s.static_order[i] >= 0) listed.push_back(i);
        if (any_order)
            std::sort(listed.begin(), listed.end(), [&](size_t a, size_t b) { return s.static_order[a] < s.static_order[b]; });
        o_.count(listed.size());
        for (auto i : listed) {
            o_.put<uint64_t>(s.ptr[i]);
            srcloc_base(i);
        }
        // Static ids 1..S by their pointer; entry 0 is a placeholder.
        std::vector<uint64_t> expand(1, 0);
        for (auto i : statics) {
            const auto id = size_t(s.id[i]);
            if (expand.size() <= id) expand.resize(id + 1, 0);
            expand[id] = s.ptr[i];
        }
        o_.count(expand.size());
        o_.bytes(expand.data(), expand.size() * 8);
        std::sort(dynamics.begin(), dynamics.end(), [&](size_t a, size_t b) { return s.id[a] > s.id[b]; });
        o_.count(dynamics.size());
        for (auto i : dynamics) srcloc_base(i);

        // Zone counts per srcloc id, CPU then GPU. Upstream's loader needs an entry for every srcloc a zone uses
        // (it looks them up without checking): the entries as read, then, for a model not read from a file (a
        // live snapshot), every CPU srcloc as upstream's live server has them, and anything still missing.
        const auto& k = m_.lookup;
        for (int kind = 0; kind < 2; kind++) {
            std::vector<int16_t> order(k.srcloc_zone_id[kind]);
            std::unordered_map<int16_t, uint64_t> counts;
            for (size_t i = 0; i < order.size(); i++) counts[order[i]] = k.srcloc_zone_count[kind][i];
            const bool stored = !order.empty();
            std::unordered_map<int16_t, uint64_t> used;
            if (kind == 0) {
                for (auto r : m_.zones.srcloc) used[srcloc_id(r)]++;
            } else {
                for (auto id : t_.gpu_zone.srcloc_id) used[id]++;
            }
            auto add = [&](int16_t id) {
                if (id != 0 && counts.emplace(id, used.count(id) ? used[id] : 0).second) order.push_back(id);
            };
            if (!stored && kind == 0)
                for (auto id : s.id) add(int16_t(id));
            if (kind == 0) {
                for (auto r : m_.zones.srcloc) add(srcloc_id(r));
            } else {
                for (auto id : t_.gpu_zone.srcloc_id) add(id);
            }
            o_.count(order.size());
            for (auto id : order) {
                o_.put<int16_t>(id);
                o_.put<uint64_t>(counts[id]);
            }
        }
    }

    void locks() {
        const auto& L = m_.locks;
        const auto& e = m_.lock_events;
        o_.count(L.id.size());
        for (size_t i = 0; i < L.id.size(); i++) {
            o_.put<uint32_t>(L.id[i]);
            idx(L.custom_name[i]);
            o_.put<int16_t>(srcloc_id(L.srcloc[i]));
            o_.put<uint8_t>(L.type[i]);
            o_.put<uint8_t>(L.valid[i]);
            o_.put<int64_t>(L.time_announce[i]);
            o_.put<int64_t>(L.time_terminate[i]);
            o_.count(size_t(L.threads_end[i] - L.threads_begin[i]));
            for (auto j = size_t(L.threads_begin[i]); j < size_t(L.threads_end[i]); j++)
                o_.put<uint64_t>(m_.lock_threads.tid[j]);
            o_.count(size_t(L.events_end[i] - L.events_begin[i]));
            int64_t ref = L.time_announce[i];
            for (auto j = size_t(L.events_begin[i]); j < size_t(L.events_end[i]); j++) {
                o_.time(ref, e.time[j]);
                o_.put<int16_t>(srcloc_id(e.srcloc[j]));
                o_.put<uint8_t>(e.thread[j]);
                o_.put<uint8_t>(e.type[j]);
            }
        }
    }

    void messages() {
        const auto& M = m_.messages;
        o_.count(M.time.size());
        int64_t ref = 0;
        for (size_t i = 0; i < M.time.size(); i++) {
            o_.put<uint64_t>(uint64_t(i) + 1);  // the message's key in the per-thread lists
            o_.time(ref, M.time[i]);
            string_ref(M.text[i]);
            o_.put<uint32_t>(M.color[i]);
            o_.u24(M.callstack[i]);
            o_.put<uint8_t>(M.source[i]);
            o_.put<uint8_t>(M.severity[i]);
        }
    }

    // One thread's zones (rows [b, e), DFS pre-order) as the file nests them: per zone srcloc, start, extra,
    // child count, the children, end; one time reference runs through the whole timeline.
    void timeline(size_t b, size_t e) {
        const auto& z = m_.zones;
        auto children = [&](size_t r) {
            uint32_t n = 0;
            for (auto c = r + 1; c < size_t(z.subtree_end[r]); c = size_t(z.subtree_end[c])) n++;
            return n;
        };
        uint32_t roots = 0;
        for (auto r = b; r < e; r = size_t(z.subtree_end[r])) roots++;
        o_.put<uint32_t>(roots);
        int64_t ref = 0;
        std::vector<size_t> open;  // zones whose children are being written
        for (size_t r = b; r < e; r++) {
            while (!open.empty() && size_t(z.subtree_end[open.back()]) <= r) {
                o_.time(ref, z.end[open.back()]);
                open.pop_back();
            }
            o_.put<int16_t>(srcloc_id(z.srcloc[r]));
            o_.time(ref, z.start[r]);
            o_.put<uint32_t>(z.extra[r]);
            const uint32_t n = children(r);
            o_.put<uint32_t>(n);
            if (n) open.push_back(r);
            else o_.time(ref, z.end[r]);
        }
        while (!open.empty()) {
            o_.time(ref, z.end[open.back()]);
            open.pop_back();
        }
    }

    void samples(const SampleTable& s, int32_t b, int32_t e) {
        o_.count(size_t(e - b));
        int64_t ref = 0;
        for (auto i = size_t(b); i < size_t(e); i++) {
            o_.time(ref, s.time[i]);
            o_.u24(s.callstack[i]);
        }
    }

    void threads() {
        m_.zone_subtrees.ensure();  // timeline() walks the zone tree
        m_.zone_columns.ensure();   // and writes each zone's extra
        const auto& x = m_.zone_extras;
        o_.count(x.callstack.size());
        for (size_t i = 0; i < x.callstack.size(); i++) {
            o_.u24(x.callstack[i]);
            idx(x.text[i]);
            idx(x.name[i]);
            o_.u24(x.color[i]);
        }

        const auto& t = m_.threads;
        std::vector<size_t> listed;
        for (size_t i = 0; i < t.count(); i++)
            if (t.list_index[i] >= 0) listed.push_back(i);
        std::sort(listed.begin(), listed.end(), [&](size_t a, size_t b) { return t.list_index[a] < t.list_index[b]; });
        uint64_t total = 0, with_children = 0;
        for (auto i : listed) total += t.zone_count[i];
        for (size_t r = 0; r < m_.zones.count(); r++) with_children += size_t(m_.zones.subtree_end[r]) > r + 1;
        o_.put<uint64_t>(total);
        o_.put<uint64_t>(with_children);
        o_.count(listed.size());
        for (auto i : listed) {
            o_.put<uint64_t>(t.tid[i]);
            o_.put<uint64_t>(t.zone_count[i]);
            o_.put<uint64_t>(t.kernel_sample_count[i]);
            o_.put<uint8_t>(t.is_fiber[i]);
            o_.put<int32_t>(t.group_hint[i]);
            timeline(size_t(t.zones_begin[i]), size_t(t.zones_end[i]));
            o_.count(size_t(t.messages_end[i] - t.messages_begin[i]));
            for (auto j = size_t(t.messages_begin[i]); j < size_t(t.messages_end[i]); j++)
                o_.put<uint64_t>(uint64_t(m_.thread_messages[j]) + 1);
            samples(m_.ctx_switch_samples, t.ctx_switch_samples_begin[i], t.ctx_switch_samples_end[i]);
            samples(m_.samples, t.samples_begin[i], t.samples_end[i]);
        }
    }

    void gpu_timeline(size_t b, size_t e) {
        const auto& z = t_.gpu_zone;
        auto children = [&](size_t r) {
            uint64_t n = 0;
            for (auto c = r + 1; c < size_t(z.subtree_end[r]); c = size_t(z.subtree_end[c])) n++;
            return n;
        };
        uint64_t roots = 0;
        for (auto r = b; r < e; r = size_t(z.subtree_end[r])) roots++;
        o_.put<uint64_t>(roots);
        int64_t cpu = 0, gpu = 0;
        auto close = [&](size_t r) {
            o_.time(cpu, z.cpu_end[r]);
            o_.time(gpu, z.gpu_end[r]);
            o_.put<uint16_t>(z.query_id[r]);
        };
        std::vector<size_t> open;
        for (size_t r = b; r < e; r++) {
            while (!open.empty() && size_t(z.subtree_end[open.back()]) <= r) {
                close(open.back());
                open.pop_back();
            }
            o_.time(cpu, z.cpu_start[r]);
            o_.time(gpu, z.gpu_start[r]);
            o_.put<int16_t>(z.srcloc_id[r]);
            o_.u24(z.callstack[r]);
            o_.put<uint16_t>(z.thread_index[r]);
            const uint64_t n = children(r);
            o_.put<uint64_t>(n);
            if (n) open.push_back(r);
            else close(r);
        }
        while (!open.empty()) {
            close(open.back());
            open.pop_back();
        }
    }

    void gpu() {
        const auto& g = t_.gpu_ctx;
        const auto& z = t_.gpu_zone;
        uint64_t total = 0, with_children = 0;
        for (auto n : g.count) total += n;
        for (size_t r = 0; r < z.cpu_start.size(); r++) with_children += size_t(z.subtree_end[r]) > r + 1;
        o_.put<uint64_t>(total);
        o_.put<uint64_t>(with_children);
        o_.count(g.tid.size());
        for (size_t c = 0; c < g.tid.size(); c++) {
            o_.put<uint64_t>(g.tid[c]);
            o_.put<uint8_t>(g.calibration[c]);
            o_.put<uint64_t>(g.count[c]);
            o_.put<float>(g.period[c]);
            o_.put<uint8_t>(g.type[c]);
            idx(g.name[c]);
            o_.put<uint64_t>(g.overflow[c]);
            o_.count(size_t(g.note_name_end[c] - g.note_name_begin[c]));
            for (auto i = size_t(g.note_name_begin[c]); i < size_t(g.note_name_end[c]); i++) {
                o_.put<int64_t>(t_.gpu_note_name.id[i]);
                idx(t_.gpu_note_name.name[i]);
            }
            o_.count(size_t(g.timeline_end[c] - g.timeline_begin[c]));
            for (auto l = size_t(g.timeline_begin[c]); l < size_t(g.timeline_end[c]); l++) {
                o_.put<uint64_t>(t_.gpu_tl.tid[l]);
                gpu_timeline(size_t(t_.gpu_tl.zone_begin[l]), size_t(t_.gpu_tl.zone_end[l]));
            }
            // Notes grouped by query id.
            const auto& n = t_.gpu_note;
            const auto nb = size_t(g.note_begin[c]), ne = size_t(g.note_end[c]);
            const auto runs = runs_of(n.query_id, nb, ne);
            o_.count(runs.size());
            for (auto [b, e] : runs) {
                o_.put<uint16_t>(n.query_id[b]);
                o_.count(e - b);
                for (size_t i = b; i < e; i++) {
                    o_.put<int64_t>(n.id[i]);
                    o_.put<double>(n.value[i]);
                }
            }
        }
    }

    void plots() {
        const auto& p = t_.plot;
        const auto& pts = t_.plot_point;
        std::vector<size_t> rows;  // the memory plots are derived from the pools on load, not stored
        for (size_t i = 0; i < p.type.size(); i++)
            if (p.pool[i] < 0 && p.type[i] != 1) rows.push_back(i);
        o_.count(rows.size());
        for (auto i : rows) {
            o_.put<uint8_t>(p.type[i]);
            o_.put<uint8_t>(p.format[i]);
            o_.put<uint8_t>(p.show_steps[i]);
            o_.put<uint8_t>(p.fill[i]);
            o_.put<uint32_t>(p.color[i]);
            o_.put<uint64_t>(p.name_ptr[i]);
            o_.put<double>(p.min[i]);
            o_.put<double>(p.max[i]);
            o_.put<double>(p.sum[i]);
            o_.count(size_t(p.point_end[i] - p.point_begin[i]));
            int64_t ref = 0;
            for (auto j = size_t(p.point_begin[i]); j < size_t(p.point_end[i]); j++) {
                o_.time(ref, pts.time[j]);
                o_.put<double>(pts.value[j]);
            }
        }
    }

    void memory() {
        const auto& mp = t_.mem_pool;
        const auto& me = t_.mem_event;
        o_.count(mp.key.size());
        o_.count(me.ptr.size());
        for (size_t k = 0; k < mp.key.size(); k++) {
            o_.put<uint64_t>(mp.key[k]);
            const auto b = size_t(mp.event_begin[k]), e = size_t(mp.event_end[k]);
            o_.count(e - b);
            o_.put<uint64_t>(mp.active_count[k]);
            o_.put<uint64_t>(mp.free_count[k]);
            int64_t ref = 0;
            for (size_t i = b; i < e; i++) {
                o_.put<uint64_t>(me.ptr[i]);
                o_.put<uint64_t>(me.size[i]);
                o_.u24(me.cs_alloc[i]);
                o_.u24(me.cs_free[i]);
                o_.time(ref, me.time_alloc[i]);
                const int64_t f = me.time_free[i];
                o_.put<int64_t>(f < 0 ? f : int64_t(uint64_t(f) - uint64_t(me.time_alloc[i])));
                o_.put<uint16_t>(me.thread_alloc[i]);
                o_.put<uint16_t>(me.thread_free[i]);
            }
            o_.put<uint64_t>(mp.high[k]);
            o_.put<uint64_t>(mp.low[k]);
            o_.put<uint64_t>(mp.usage[k]);
            o_.put<uint64_t>(mp.name_ptr[k]);
        }
    }

    void callstacks() {
        const auto& cs = t_.callstack;
        const size_t n = cs.frame_begin.empty() ? 0 : cs.frame_begin.size() - 1;  // row 0 is the placeholder
        o_.count(n);
        for (size_t i = 1; i <= n; i++) {
            const auto b = size_t(cs.frame_begin[i]), e = size_t(cs.frame_end[i]);
            o_.put<uint16_t>(uint16_t(e - b));
            if (e > b) o_.bytes(&t_.callstack_frame_id.id[b], (e - b) * 8);
        }
        const auto& fr = t_.callstack_frame;
        const auto& en = t_.callstack_entry;
        o_.count(fr.id.size());
        for (size_t i = 0; i < fr.id.size(); i++) {
            o_.put<uint64_t>(fr.id[i]);
            const auto b = size_t(fr.entry_begin[i]), e = size_t(fr.entry_end[i]);
            o_.put<uint8_t>(uint8_t(e - b));
            idx(fr.image[i]);
            for (size_t j = b; j < e; j++) {
                idx(en.name[j]);
                idx(en.file[j]);
                o_.put<uint32_t>(en.line[j]);
                o_.put<uint64_t>(en.sym_addr[j]);
            }
        }
    }

    void app_info() {
        o_.count(t_.app_info.text.size());
        for (auto s : t_.app_info.text) string_ref(s);
    }

    // A zstd dictionary trained on the frame images (upstream loads it to compress the images it keeps); empty
    // when not asked for, without images, or when training fails.
    std::vector<uint8_t> image_dictionary() const {
        const auto& fi = t_.frame_image;
        if (!image_dict_ || fi.width.empty() || fi.data_offset.size() != fi.width.size()) return {};
        constexpr size_t kDictSize = 4 * 1024 * 1024;
        constexpr uint64_t kSampleLimit = uint64_t(1) << 31;
        std::vector<size_t> sizes;
        std::vector<uint8_t> samples;
        for (size_t i = 0; i < fi.width.size(); i++) {
            const size_t size = size_t(fi.width[i]) * fi.height[i] / 2;
            if (samples.size() + size > kSampleLimit) break;
            if (fi.data_offset[i] + size > t_.frame_image_bytes.size()) return {};
            const auto* p = t_.frame_image_bytes.data() + fi.data_offset[i];
            samples.insert(samples.end(), p, p + size);
            sizes.push_back(size);
        }
        std::vector<uint8_t> dict(kDictSize);
        ZDICT_fastCover_params_t params{};
        params.d = 6;
        params.k = 50;
        params.f = 20;  // log2 of the frequency table: 2^20 entries is plenty for DXT1 blocks
        params.nbThreads = 1;
        params.zParams.compressionLevel = 3;
        const size_t n = ZDICT_optimizeTrainFromBuffer_fastCover(dict.data(), dict.size(), samples.data(),
                                                                 sizes.data(), unsigned(sizes.size()), &params);
        if (ZDICT_isError(n) || n > kDictSize) return {};
        dict.resize(n);
        return dict;
    }

    void frame_images() {
        const auto& fi = t_.frame_image;
        const auto dict = image_dictionary();
        o_.put<uint32_t>(uint32_t(dict.size()));
        if (!dict.empty()) o_.bytes(dict.data(), dict.size());
        o_.count(fi.width.size());
        std::vector<uint8_t> blank;
        for (size_t i = 0; i < fi.width.size(); i++) {
            o_.put<uint16_t>(fi.width[i]);
            o_.put<uint16_t>(fi.height[i]);
            o_.put<uint8_t>(fi.flip[i]);
            const size_t size = size_t(fi.width[i]) * fi.height[i] / 2;
            if (i < fi.data_offset.size() && fi.data_offset[i] + size <= t_.frame_image_bytes.size()) {
                o_.bytes(t_.frame_image_bytes.data() + fi.data_offset[i], size);
            } else {  // a model without image data (e.g. a live snapshot): a blank image keeps the references
                blank.assign(size, 0);
                o_.bytes(blank.data(), blank.size());
            }
        }
    }

    void context_switches() {
        const auto& th = t_.cs_thread;
        const auto& cs = t_.cs;
        o_.count(th.tid.size());
        for (size_t i = 0; i < th.tid.size(); i++) {
            o_.put<uint64_t>(th.tid[i]);
            const auto b = size_t(th.switch_begin[i]), e = size_t(th.switch_end[i]);
            o_.count(e - b);
            int64_t ref = 0;
            for (size_t j = b; j < e; j++) {
                o_.time(ref, cs.wakeup[j]);
                o_.time(ref, cs.start[j]);
                o_.time(ref, cs.end[j]);
                o_.put<uint8_t>(cs.cpu[j]);
                o_.put<int8_t>(cs.reason[j]);
                o_.put<int8_t>(cs.state[j]);
                o_.put<uint64_t>(cs.other_tid[j]);
                o_.put<uint8_t>(cs.wakeup_cpu[j]);
            }
        }
    }

    void cpu_data() {
        const auto& cp = t_.cpu_switch;
        o_.count(cp.cpu.size());
        // Rows are grouped by CPU ascending; write the 256 per-CPU lists in turn.
        std::vector<std::vector<size_t>> per_cpu(256);
        for (size_t i = 0; i < cp.cpu.size(); i++) per_cpu[cp.cpu[i]].push_back(i);
        for (const auto& rows : per_cpu) {
            o_.count(rows.size());
            int64_t ref = 0;
            for (auto i : rows) {
                o_.time(ref, cp.start[i]);
                o_.time(ref, cp.end[i]);
                o_.put<uint16_t>(cp.thread_index[i]);
            }
        }
        o_.count(t_.tid_pid.tid.size());
        for (size_t i = 0; i < t_.tid_pid.tid.size(); i++) {
            o_.put<uint64_t>(t_.tid_pid.tid[i]);
            o_.put<uint64_t>(t_.tid_pid.pid[i]);
        }
        const auto& ct = t_.cpu_thread;
        o_.count(ct.tid.size());
        for (size_t i = 0; i < ct.tid.size(); i++) {
            o_.put<uint64_t>(ct.tid[i]);
            o_.put<int64_t>(ct.running_time[i]);
            o_.put<uint32_t>(ct.running_regions[i]);
            o_.put<uint32_t>(ct.migrations[i]);
        }
    }

    void symbols() {
        const auto& s = t_.symbol;
        o_.put<uint64_t>(t_.symbol_loc_count);
        o_.put<uint64_t>(t_.symbol_inline_count);
        o_.count(s.addr.size());
        for (size_t i = 0; i < s.addr.size(); i++) {
            o_.put<uint64_t>(s.addr[i]);
            idx(s.name[i]);
            idx(s.file[i]);
            o_.put<uint32_t>(s.line[i]);
            idx(s.image[i]);
            idx(s.call_file[i]);
            o_.put<uint32_t>(s.call_line[i]);
            o_.put<uint8_t>(s.is_inline[i]);
            o_.u24(s.size[i]);
        }
        const auto& c = t_.symbol_code;
        o_.count(c.addr.size());
        for (size_t i = 0; i < c.addr.size(); i++) {
            o_.put<uint64_t>(c.addr[i]);
            o_.put<uint32_t>(c.size[i]);
            o_.bytes(t_.symbol_code_bytes.data() + c.offset[i], c.size[i]);
        }
        const auto& cs = t_.code_symbol;
        o_.count(cs.addr.size());
        for (size_t i = 0; i < cs.addr.size(); i++) {
            o_.put<uint64_t>(cs.addr[i]);
            o_.put<uint64_t>(cs.sym_addr[i]);
        }
    }

    void hw_samples() {
        const auto& h = t_.hw_sample;
        const auto runs = runs_of(h.addr, 0, h.addr.size());  // rows of one address
        o_.count(runs.size());
        for (auto [b, e] : runs) {
            o_.put<uint64_t>(h.addr[b]);
            for (uint8_t kind = 0; kind < 6; kind++) {
                size_t n = 0;
                for (size_t i = b; i < e; i++) n += h.kind[i] == kind;
                o_.count(n);
                int64_t ref = 0;
                for (size_t i = b; i < e; i++)
                    if (h.kind[i] == kind) o_.time(ref, h.time[i]);
            }
        }
    }

    void source_files() {
        const auto& s = t_.source_file;
        o_.count(s.name.size());
        for (size_t i = 0; i < s.name.size(); i++) {
            const auto name = m_.strings.get(s.name[i]);
            o_.put<uint32_t>(uint32_t(name.size()));
            o_.bytes(name.data(), name.size());
            o_.put<uint32_t>(s.size[i]);
            o_.bytes(t_.source_file_bytes.data() + s.offset[i], s.size[i]);
        }
    }
};

// A temporary file beside the target, removed unless committed.
class TempFile {
public:
    explicit TempFile(const fs::path& target) {
        static std::atomic<unsigned> counter{0};
#ifndef _WIN32
        const long pid = long(getpid());
#else
        const long pid = 0;
#endif
        for (int attempt = 0; attempt < 100 && !file_; attempt++) {
            path_ = target;
            path_ += ".part-" + std::to_string(pid) + "-" + std::to_string(counter++);
            file_ = std::fopen(path_.string().c_str(), "wbx");
            if (!file_ && errno != EEXIST) break;
        }
        if (!file_) {
            const int err = errno;
            throw Error(TSHIM_ERR_IO, "cannot create a file in " + target.parent_path().string() + ": " +
                                          std::strerror(err));
        }
    }
    ~TempFile() {
        if (file_) std::fclose(file_);
        if (!committed_) {
            std::error_code ec;
            fs::remove(path_, ec);
        }
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    std::FILE* get() const { return file_; }

    // Flushes, syncs and closes the file, then moves it to `target` (refusing an existing one unless overwrite).
    void commit(const fs::path& target, bool overwrite) {
        const bool flushed = std::fflush(file_) == 0 && !std::ferror(file_);
        int err = errno;
#ifndef _WIN32
        const bool synced = flushed && fsync(fileno(file_)) == 0;
        if (flushed && !synced) err = errno;
#else
        const bool synced = flushed;
#endif
        const bool closed = std::fclose(file_) == 0;
        if (flushed && synced && !closed) err = errno;
        file_ = nullptr;
        if (!flushed || !synced || !closed)
            throw Error(TSHIM_ERR_IO, "cannot write " + path_.string() + ": " + std::strerror(err));
#ifndef _WIN32
        if (!overwrite) {
            // link() fails if the target appeared meanwhile: no existing file is ever replaced.
            if (link(path_.c_str(), target.c_str()) != 0) {
                err = errno;
                throw Error(err == EEXIST ? TSHIM_ERR_ARG : TSHIM_ERR_IO,
                            err == EEXIST ? target.string() + " exists (pass overwrite to replace it)"
                                          : "cannot create " + target.string() + ": " + std::strerror(err));
            }
            committed_ = false;  // the temporary name goes; the target stays
            return;
        }
#endif
        std::error_code ec;
        fs::rename(path_, target, ec);
        if (ec) throw Error(TSHIM_ERR_IO, "cannot move the saved capture to " + target.string() + ": " + ec.message());
        committed_ = true;
    }

private:
    fs::path path_;
    std::FILE* file_ = nullptr;
    bool committed_ = false;
};

uint64_t estimate_payload(const Capture& cap) {
    auto it = cap.meta_int.find("payload_size");
    if (it != cap.meta_int.end() && it->second > 0) return uint64_t(it->second);
    const Model& m = *cap.model;
    return 4096 + m.strings.bytes.size() + m.zones.count() * 26 + m.samples.time.size() * 11 +
           m.ctx_switch_samples.time.size() * 11 + m.lock_events.time.size() * 12 + m.messages.time.size() * 32 +
           m.tail.gpu_zone.cpu_start.size() * 47 + m.tail.plot_point.time.size() * 16 +
           m.tail.mem_event.ptr.size() * 46 + m.tail.cs.start.size() * 36 + m.tail.cpu_switch.start.size() * 18 +
           m.tail.symbol_code_bytes.size() + m.tail.source_file_bytes.size() +
           m.tail.callstack_frame_id.id.size() * 8 + m.tail.callstack_entry.line.size() * 18;
}

}  // namespace

SaveOutcome save_capture(const Capture& cap, const std::string& path, const SaveOptions& opt, SaveProgress* progress) {
    const auto t0 = std::chrono::steady_clock::now();
    if (cap.state() < TSHIM_READY || !cap.model) throw Error(TSHIM_ERR_STATE, "capture is not loaded");
    if (path.empty()) throw Error(TSHIM_ERR_ARG, "empty path");
    if (opt.streams < 1 || opt.streams > 255) throw Error(TSHIM_ERR_ARG, "streams must be 1..255");
    const fs::path target = fs::absolute(fs::path(path));
    std::error_code ec;
    if (fs::is_directory(target, ec)) throw Error(TSHIM_ERR_ARG, target.string() + " is a directory");
    if (!opt.overwrite && fs::exists(target, ec))
        throw Error(TSHIM_ERR_ARG, target.string() + " exists (pass overwrite to replace it)");
    if (!fs::is_directory(target.parent_path(), ec))
        throw Error(TSHIM_ERR_IO, "folder " + target.parent_path().string() + " does not exist");
    if (progress) {
        progress->done = 0;
        progress->total = estimate_payload(cap);
    }

    TempFile tmp(target);
    ContainerWriter writer(tmp.get(), target.string(), opt.compression, opt.level, opt.streams);
    if (progress) writer.set_progress(&progress->done, &progress->cancel);
    Out out(writer);
    SectionWriter(cap, *cap.model, out, opt.frame_image_dict).write_all();
    writer.finish();
    SaveOutcome r;
    r.payload_bytes = writer.payload_bytes();
    r.file_bytes = writer.file_bytes();
    tmp.commit(target, opt.overwrite);
    if (progress) {
        progress->total = r.payload_bytes;
        progress->done = r.payload_bytes;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

}  // namespace tshim
