// The capture's data as the loader builds it: one contiguous vector per column (see shim/SCHEMA.md for the
// tables these vectors are exposed as). The front half of the file (everything before the GPU zones) lives here;
// the tail (GPU zones onwards) lives in `tail` (model/tail_model.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/derived.hpp"
#include "model/tail_model.hpp"

namespace tshim {

// One pool for every text of the capture; a string id is a row of table `strings`.
struct StringPool {
    std::vector<uint64_t> offset;
    std::vector<uint32_t> size;
    std::vector<uint8_t> bytes;

    int32_t add(std::string_view s) {
        offset.push_back(bytes.size());
        size.push_back(uint32_t(s.size()));
        bytes.insert(bytes.end(), s.begin(), s.end());
        return int32_t(offset.size() - 1);
    }
    std::string_view get(int32_t id) const {
        if (id < 0 || size_t(id) >= offset.size()) return {};
        return {reinterpret_cast<const char*>(bytes.data()) + offset[size_t(id)], size[size_t(id)]};
    }
    size_t count() const { return offset.size(); }
};

struct Model;
void build_zone_links(Model& m);
void build_zone_subtrees(Model& m);
void build_srcloc_lists(Model& m);
void build_zone_threads(Model& m);
void build_zone_columns(Model& m);

struct ThreadTable {
    std::vector<uint64_t> tid;
    std::vector<int32_t> name;               // string id, -1 when the capture names no such thread
    std::vector<int32_t> list_index;         // position in the file's thread list (upstream's order), -1 if absent
    std::vector<uint64_t> zone_count;        // zones as counted by the capture (upstream's ThreadData::count)
    std::vector<uint64_t> kernel_sample_count;
    std::vector<uint8_t> is_fiber;
    std::vector<int32_t> group_hint;
    std::vector<int32_t> zones_begin, zones_end;                  // rows of `zones`
    std::vector<int32_t> messages_begin, messages_end;            // rows of `thread_messages`
    std::vector<int32_t> samples_begin, samples_end;              // rows of `samples`
    std::vector<int32_t> ctx_switch_samples_begin, ctx_switch_samples_end;  // rows of `ctx_switch_samples`
    size_t count() const { return tid.size(); }
};

struct SrclocTable {
    std::vector<int32_t> id;        // upstream-facing id: static 1..S, dynamic -1..-D
    std::vector<int32_t> name, function, file;  // string ids (-1 none)
    std::vector<uint32_t> line, color;
    std::vector<uint8_t> dynamic;
    std::vector<uint64_t> ptr;      // static: the client's pointer (upstream's map key); dynamic: 0
    std::vector<int32_t> static_order;  // position in the file's static srcloc list, -1 for dynamic
    std::vector<int32_t> hash_order;    // position in upstream's per-srcloc zone map iteration, -1 if absent
    // Derived (valid from TSHIM_COMPLETE): upstream's per-srcloc statistics over zones with a valid end and a
    // positive duration, and the range of those zones in `srcloc_zones`.
    std::vector<uint64_t> zone_count;
    std::vector<int64_t> zone_total, zone_min, zone_max;
    std::vector<double> zone_sum_sq;
    std::vector<int32_t> zones_begin, zones_end;
    size_t count() const { return id.size(); }
};

// Each thread's zones are stored in DFS pre-order with their depth, which is all the tree there is: `parent` and
// `subtree_end` are derived from it on first use (Model::zone_links, Model::zone_subtrees). A file load also leaves `thread` (each
// thread's zones are one block of rows, ThreadTable::zones_begin/_end) and `extra` (most zones have none: kept
// as (row, extra) pairs while few do) to be filled on first use (Model::zone_columns); builders that fill them
// directly leave them as they are.
struct ZoneTable {
    std::vector<int64_t> start, end;
    std::vector<uint16_t> srcloc;       // row of `srclocs`
    std::vector<uint16_t> thread;       // row of `threads` (derived: zone_threads, unless filled)
    std::vector<uint16_t> depth;
    std::vector<uint32_t> extra;        // row of `zone_extras`, row 0 = no extra (derived: zone_columns, unless filled)
    std::vector<int32_t> extra_rows;    // sparse `extra` while it is not filled: the rows with one, and their extra
    std::vector<uint32_t> extra_values;
    std::vector<int32_t> parent, subtree_end;  // derived (zone_links, zone_subtrees)
    size_t count() const { return start.size(); }
};

struct ZoneExtraTable {
    std::vector<uint32_t> callstack;
    std::vector<int32_t> text, name;    // string ids
    std::vector<uint32_t> color;
};

struct FrameSetTable {
    std::vector<uint64_t> name_ptr;     // as stored (0 = the base set)
    std::vector<int32_t> name;          // string id ("Frame" for the base set)
    std::vector<uint8_t> continuous;
    std::vector<int32_t> frames_begin, frames_end;
    // upstream's FrameStats over frames with a positive duration
    std::vector<uint64_t> stat_count;
    std::vector<int64_t> stat_total, stat_min, stat_max;
    std::vector<double> stat_sum_sq;
};

struct FrameTable {
    std::vector<int64_t> start, end;    // end of a continuous set's frame: next start, last frame: last_time
    std::vector<int32_t> image;         // frame image index, -1 none
    std::vector<int32_t> frame_set;
};

struct SectionTable {
    std::vector<uint16_t> category;
    std::vector<int64_t> start, end;
    std::vector<int32_t> text;
};

struct SectionCategoryTable {
    std::vector<uint16_t> category;
    std::vector<int32_t> description;
};

struct LockTable {
    std::vector<uint32_t> id;
    std::vector<int32_t> custom_name;
    std::vector<uint16_t> srcloc;
    std::vector<uint8_t> type, valid;
    std::vector<int64_t> time_announce, time_terminate;
    std::vector<int32_t> threads_begin, threads_end;  // rows of `lock_threads`
    std::vector<int32_t> events_begin, events_end;    // rows of `lock_events`
};

struct LockThreadTable {
    std::vector<uint64_t> tid;
    std::vector<uint32_t> thread;
};

struct LockEventTable {
    std::vector<int64_t> time;
    std::vector<uint16_t> srcloc;
    std::vector<uint8_t> thread;        // index into the lock's own thread list
    std::vector<uint8_t> type;
};

struct MessageTable {
    std::vector<int64_t> time;
    std::vector<int32_t> text;
    std::vector<uint32_t> color, callstack;
    std::vector<uint8_t> source, severity;
    std::vector<int32_t> thread;        // row of `threads`, -1 when no thread lists it
};

struct SampleTable {
    std::vector<int64_t> time;
    std::vector<uint32_t> callstack;
    std::vector<uint32_t> thread;
};

// The file's lookup tables as read, kept so the capture can be written back (write/capture.cpp). Filled by
// keep_file_lookups() at the end of loading; empty tables make the writer rebuild them from the model.
struct FileLookups {
    std::vector<uint64_t> string_id_key;     // client pointer id (frame set, plot, pool names, crash message)
    std::vector<int32_t> string_id_row;      // -> string id
    std::vector<uint64_t> thread_name_tid;   // thread-name map: tid -> string id
    std::vector<int32_t> thread_name_row;
    std::vector<uint64_t> local_threads, external_threads;  // compressed thread index -> tid
    std::vector<int16_t> srcloc_zone_id[2];  // per-srcloc zone counts as stored: [0] CPU, [1] GPU (file order)
    std::vector<uint64_t> srcloc_zone_count[2];
    uint32_t file_string_count = 0;
};

struct Model {
    StringPool strings;
    ThreadTable threads;
    SrclocTable srclocs;
    ZoneTable zones;
    ZoneExtraTable zone_extras;
    std::vector<int32_t> srcloc_zones;     // zone rows grouped by srcloc (derived: srcloc_lists)
    FrameSetTable frame_sets;
    FrameTable frames;
    SectionTable sections;
    SectionCategoryTable section_categories;
    LockTable locks;
    LockThreadTable lock_threads;
    LockEventTable lock_events;
    MessageTable messages;
    std::vector<int32_t> thread_messages;  // message rows listed per thread, in each thread's order
    SampleTable samples, ctx_switch_samples;
    // external threads named by the capture (context switches of other processes): tid, process, thread name
    std::vector<uint64_t> external_tid;
    std::vector<int32_t> external_process, external_thread;
    std::vector<uint64_t> cpu_topology_thread;            // flattened topology: one row per logical CPU
    std::vector<uint32_t> cpu_topology_package, cpu_topology_die, cpu_topology_core;

    TailModel tail;
    FileLookups lookup;

    // Parts built from the columns above on first use (derive/derive.cpp); read them only after ensure().
    Derived zone_links{[this] { build_zone_links(*this); }};        // zones.parent
    Derived zone_subtrees{[this] { build_zone_subtrees(*this); }};  // zones.subtree_end
    Derived srcloc_lists{[this] { build_srcloc_lists(*this); }};  // srcloc_zones, srclocs.zones_begin/_end
    Derived zone_threads{[this] { build_zone_threads(*this); }};  // zones.thread
    Derived zone_columns{[this] { build_zone_columns(*this); }};  // zones.thread, zones.extra

    Model() = default;
    Model(const Model&) = delete;  // the derived parts refer to this model
    Model& operator=(const Model&) = delete;
};

}  // namespace tshim
