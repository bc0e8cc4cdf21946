// The extern "C" boundary: argument checks, exceptions turned into status codes and messages.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/capture.hpp"
#include "query/zone_at.hpp"
#include "model/memory.hpp"
#include "derive/zone_group_stats.hpp"
#include "derive/zone_times.hpp"
#include "write/synthetic.hpp"
#include "format/error.hpp"
#include "api/handle.hpp"
#include "api/status_guard.hpp"
#include "query/zone_paths.hpp"
#include "tracy_shim.h"

#ifndef TSHIM_VERSION_STRING
#define TSHIM_VERSION_STRING "0.0.0"
#endif

namespace {

thread_local std::string g_last_error;

template <class F> int guarded(F&& f) { return tshim::guard_status(g_last_error, std::forward<F>(f)); }

const tshim::Table* ready_table(const tshim_capture* cap, const char* table) {
    if (!cap || !table) throw tshim::Error(TSHIM_ERR_ARG, "null argument");
    if (cap->impl.state() < TSHIM_READY) throw tshim::Error(TSHIM_ERR_STATE, "capture is not loaded");
    const tshim::Table* t = cap->impl.find_table(table);
    if (!t) throw tshim::Error(TSHIM_ERR_NOT_FOUND, std::string("no table named ") + table);
    return t;
}

void require_ready(const tshim_capture* cap) {
    if (!cap) throw tshim::Error(TSHIM_ERR_ARG, "null capture");
    if (cap->impl.state() < TSHIM_READY) throw tshim::Error(TSHIM_ERR_STATE, "capture is not loaded");
}

// The value under `key` in one of the capture's meta maps; `kind` names the map in the not-found message.
template <class Map> const typename Map::mapped_type& meta_value(const Map& m, const char* key, const char* kind) {
    auto it = m.find(key);
    if (it == m.end()) throw tshim::Error(TSHIM_ERR_NOT_FOUND, std::string("no ") + kind + " meta " + key);
    return it->second;
}

// Column `name` of table `t` as T, checked to exist with that type and the table's length.
template <class T> const T* typed_column(const tshim::Table& t, const char* name) {
    for (const auto& c : t.columns) {
        if (c.name != name) continue;
        if (c.dtype != tshim::dtype_of<T>() || c.rows != t.rows)
            throw tshim::Error(TSHIM_ERR_INTERNAL, "column " + t.name + "." + name + " has an unexpected type");
        return static_cast<const T*>(c.get());  // builds a column derived on first read
    }
    throw tshim::Error(TSHIM_ERR_NOT_FOUND, "table " + t.name + " has no column " + name);
}

// The CPU zone table's tree columns, typed and checked.
tshim::ZoneTreeColumns<uint16_t, uint16_t> zone_tree_columns(const tshim::Table& t) {
    tshim::ZoneTreeColumns<uint16_t, uint16_t> z;
    z.rows = t.rows;
    if (t.rows > 0) {
        z.start = typed_column<int64_t>(t, "start");
        z.end = typed_column<int64_t>(t, "end");
        z.parent = typed_column<int32_t>(t, "parent");
        z.srcloc = typed_column<uint16_t>(t, "srcloc");
        z.owner = typed_column<uint16_t>(t, "thread");
    }
    return z;
}

}  // namespace

extern "C" {

int tshim_api_version(void) { return TSHIM_API_VERSION; }
const char* tshim_library_version(void) { return TSHIM_VERSION_STRING; }
const char* tshim_last_error(void) { return g_last_error.c_str(); }

tshim_capture* tshim_open_file(const char* path) {
    tshim_capture* result = nullptr;
    guarded([&] {
        if (!path) throw tshim::Error(TSHIM_ERR_ARG, "null path");
        auto cap = std::make_unique<tshim_capture>();
        cap->impl.start_file_load(path);
        result = cap.release();  // ownership passes to the caller until tshim_close
        return 0;
    });
    return result;
}

tshim_capture* tshim_synthetic(uint64_t zones, int threads, uint64_t seed) {
    tshim_capture* result = nullptr;
    guarded([&] {
        auto cap = std::make_unique<tshim_capture>();
        tshim::build_synthetic(cap->impl, zones, threads, seed);
        result = cap.release();  // ownership passes to the caller until tshim_close
        return 0;
    });
    return result;
}

void tshim_close(tshim_capture* cap) {
    if (!cap) return;
    std::unique_ptr<tshim_capture>{cap}.reset();
    tshim::return_free_memory();  // the capture's columns were the bulk of this process's heap
}

int tshim_cancel(tshim_capture* cap) {
    return guarded([&] {
        if (!cap) throw tshim::Error(TSHIM_ERR_ARG, "null capture");
        cap->impl.cancel_load();
        return 0;
    });
}

int tshim_state(const tshim_capture* cap) { return cap ? cap->impl.state() : TSHIM_ERR_ARG; }

int tshim_wait(tshim_capture* cap, int state, double timeout_s) {
    return guarded([&] {
        if (!cap) throw tshim::Error(TSHIM_ERR_ARG, "null capture");
        return cap->impl.wait(state, timeout_s);
    });
}

int tshim_progress(const tshim_capture* cap, uint64_t* done, uint64_t* total, const char** stage) {
    return guarded([&] {
        if (!cap) throw tshim::Error(TSHIM_ERR_ARG, "null capture");
        if (done) *done = cap->impl.progress_done.load();
        if (total) *total = cap->impl.progress_total.load();
        if (stage) *stage = cap->impl.stage.load();
        return 0;
    });
}

const char* tshim_capture_error(const tshim_capture* cap) {
    if (!cap) return "null capture";
    thread_local std::string copy;
    copy = cap->impl.error();
    return copy.c_str();
}

int tshim_capture_status(const tshim_capture* cap) { return cap ? cap->impl.error_status() : TSHIM_ERR_ARG; }

int tshim_meta_int(const tshim_capture* cap, const char* key, int64_t* out) {
    return guarded([&] {
        require_ready(cap);
        if (!key || !out) throw tshim::Error(TSHIM_ERR_ARG, "null argument");
        *out = meta_value(cap->impl.meta_int, key, "int");
        return 0;
    });
}

int tshim_meta_float(const tshim_capture* cap, const char* key, double* out) {
    return guarded([&] {
        require_ready(cap);
        if (!key || !out) throw tshim::Error(TSHIM_ERR_ARG, "null argument");
        *out = meta_value(cap->impl.meta_float, key, "float");
        return 0;
    });
}

int tshim_meta_str(const tshim_capture* cap, const char* key, const char** data, size_t* len) {
    return guarded([&] {
        require_ready(cap);
        if (!key || !data || !len) throw tshim::Error(TSHIM_ERR_ARG, "null argument");
        const std::string& value = meta_value(cap->impl.meta_str, key, "str");
        *data = value.data();
        *len = value.size();
        return 0;
    });
}

int tshim_meta_key(const tshim_capture* cap, int index, const char** key, char* kind) {
    return guarded([&] {
        require_ready(cap);
        if (!key || !kind || index < 0) throw tshim::Error(TSHIM_ERR_ARG, "bad argument");
        const auto& c = cap->impl;
        size_t i = size_t(index);
        auto pick = [&](const auto& m, char k) {
            if (i < m.size()) {
                auto it = m.begin();
                std::advance(it, i);
                *key = it->first.c_str();
                *kind = k;
                return true;
            }
            i -= m.size();
            return false;
        };
        if (pick(c.meta_int, 'i') || pick(c.meta_float, 'f') || pick(c.meta_str, 's')) return 0;
        throw tshim::Error(TSHIM_ERR_NOT_FOUND, "no more keys");
    });
}

int tshim_table_count(const tshim_capture* cap) {
    return guarded([&] {
        require_ready(cap);
        return int(cap->impl.tables.size());
    });
}

const char* tshim_table_name(const tshim_capture* cap, int index) {
    const char* name = nullptr;
    guarded([&] {
        require_ready(cap);
        if (index < 0 || size_t(index) >= cap->impl.tables.size())
            throw tshim::Error(TSHIM_ERR_NOT_FOUND, "table index out of range");
        name = cap->impl.tables[size_t(index)].name.c_str();
        return 0;
    });
    return name;
}

int64_t tshim_table_rows(const tshim_capture* cap, const char* table) {
    int64_t rows = -1;
    int status = guarded([&] {
        rows = ready_table(cap, table)->rows;
        return 0;
    });
    return status == 0 ? rows : status;
}

int tshim_column_count(const tshim_capture* cap, const char* table) {
    return guarded([&] { return int(ready_table(cap, table)->columns.size()); });
}

int tshim_column_info(const tshim_capture* cap, const char* table, int index, const char** name, int* dtype) {
    return guarded([&] {
        const auto* t = ready_table(cap, table);
        if (index < 0 || size_t(index) >= t->columns.size())
            throw tshim::Error(TSHIM_ERR_NOT_FOUND, "column index out of range");
        const auto& c = t->columns[size_t(index)];
        if (name) *name = c.name.c_str();
        if (dtype) *dtype = c.dtype;
        return 0;
    });
}

int tshim_column(const tshim_capture* cap, const char* table, const char* column, const void** data, int64_t* rows,
                 int* dtype) {
    return guarded([&] {
        const auto* t = ready_table(cap, table);
        if (!column) throw tshim::Error(TSHIM_ERR_ARG, "null column");
        for (const auto& c : t->columns) {
            if (c.name == column) {
                if (data) *data = c.get();
                if (rows) *rows = c.rows;
                if (dtype) *dtype = c.dtype;
                return 0;
            }
        }
        throw tshim::Error(TSHIM_ERR_NOT_FOUND, std::string("table ") + table + " has no column " + column);
    });
}

int tshim_zone_paths(const tshim_capture* cap, const int32_t* labels, int64_t n_labels, int per_thread,
                     int32_t* row_path, int64_t n_rows, int32_t* path_parent, int32_t* path_label, int32_t* path_thread,
                     int64_t* path_count, int64_t* path_total, int64_t* path_self, int64_t* path_max, int64_t capacity,
                     int64_t* n_paths) {
    return guarded([&] {
        const tshim::Table& t = *ready_table(cap, "zones");
        if (!n_paths || n_labels < 0 || (n_labels > 0 && !labels) || capacity < 0)
            throw tshim::Error(TSHIM_ERR_ARG, "bad argument");
        if (n_rows != t.rows || (t.rows > 0 && !row_path))
            throw tshim::Error(TSHIM_ERR_ARG, "row_path must hold one entry per zone (" + std::to_string(t.rows) + ")");
        if (capacity > 0 && !(path_parent && path_label && path_thread && path_count && path_total && path_self &&
                              path_max))
            throw tshim::Error(TSHIM_ERR_ARG, "null path array");
        const auto z = zone_tree_columns(t);
        const tshim::ZonePaths p = tshim::zone_paths(z, labels, n_labels, per_thread != 0, row_path);
        *n_paths = int64_t(p.size());
        if (int64_t(p.size()) <= capacity) {
            std::copy(p.parent.begin(), p.parent.end(), path_parent);
            std::copy(p.label.begin(), p.label.end(), path_label);
            std::copy(p.owner.begin(), p.owner.end(), path_thread);
            std::copy(p.count.begin(), p.count.end(), path_count);
            std::copy(p.total.begin(), p.total.end(), path_total);
            std::copy(p.self.begin(), p.self.end(), path_self);
            std::copy(p.max.begin(), p.max.end(), path_max);
        }
        return 0;
    });
}

int tshim_zone_at(const tshim_capture* cap, const int64_t* times, int64_t n, const int32_t* threads, int64_t n_threads,
                  int flags, int32_t* out_zone, int32_t* out_thread) {
    return guarded([&] {
        require_ready(cap);
        if (!cap->impl.model) throw tshim::Error(TSHIM_ERR_STATE, "capture holds no data");
        tshim::ZoneAtQuery q;
        q.times = times;
        q.count = n;
        q.threads = threads;
        q.thread_count = n_threads;
        q.fibers = (flags & TSHIM_ZONE_AT_FIBERS) != 0;
        tshim::zone_at(*cap->impl.model, q, out_zone, out_thread);
        return 0;
    });
}

int64_t tshim_memory_bytes(const tshim_capture* cap) {
    if (!cap || cap->impl.state() < TSHIM_READY) return 0;
    static const int kSize[] = {0, 1, 1, 2, 2, 4, 4, 8, 8, 4, 8};  // by enum tshim_dtype
    int64_t total = 0;
    for (const auto& t : cap->impl.tables)
        for (const auto& c : t.columns)
            if (c.present() && c.dtype > 0 && c.dtype <= TSHIM_F64) total += c.rows * kSize[c.dtype];
    return total;
}

int tshim_zone_path_sums(const tshim_capture* cap, const int32_t* row_path, int64_t n_rows, int64_t n_paths,
                         int64_t window_start, int64_t window_end, const uint8_t* thread_mask, int64_t n_threads,
                         int64_t* path_count, int64_t* path_total, int64_t* path_self, int64_t* path_max) {
    return guarded([&] {
        const tshim::Table& t = *ready_table(cap, "zones");
        const tshim::Table& th = *ready_table(cap, "threads");
        if (n_paths < 0 || (n_paths > 0 && !(path_count && path_total && path_self && path_max)))
            throw tshim::Error(TSHIM_ERR_ARG, "bad path arrays");
        if (n_rows != t.rows || (t.rows > 0 && !row_path))
            throw tshim::Error(TSHIM_ERR_ARG, "row_path must hold one entry per zone (" + std::to_string(t.rows) + ")");
        if (thread_mask && n_threads != th.rows)
            throw tshim::Error(TSHIM_ERR_ARG, "thread_mask must hold one entry per thread (" + std::to_string(th.rows) + ")");
        std::vector<std::pair<int64_t, int64_t>> thread_rows;
        if (th.rows > 0) {
            const int32_t* zb = typed_column<int32_t>(th, "zones_begin");
            const int32_t* ze = typed_column<int32_t>(th, "zones_end");
            for (int64_t i = 0; i < th.rows; ++i)
                if (!thread_mask || thread_mask[i]) thread_rows.emplace_back(zb[i], ze[i]);
        }
        const auto z = zone_tree_columns(t);
        const tshim::PathSums s = tshim::zone_path_sums(z, row_path, n_paths, thread_rows, window_start, window_end);
        std::copy(s.count.begin(), s.count.end(), path_count);
        std::copy(s.total.begin(), s.total.end(), path_total);
        std::copy(s.self.begin(), s.self.end(), path_self);
        std::copy(s.max.begin(), s.max.end(), path_max);
        return 0;
    });
}

int tshim_zone_group_stats(tshim_capture* cap, const int32_t* group_of, int64_t nsrclocs, int64_t ngroups,
                           const double* qs, int nq, const tshim_zone_group_stats_out* out) {
    return guarded([&] {
        if (!cap || !out || (nsrclocs > 0 && !group_of) || (nq > 0 && !qs))
            throw tshim::Error(TSHIM_ERR_ARG, "null argument");
        if (nsrclocs < 0 || ngroups < 0 || nq < 0) throw tshim::Error(TSHIM_ERR_ARG, "negative count");
        const auto& c = cap->impl;
        if (c.state() < TSHIM_READY || !c.model) throw tshim::Error(TSHIM_ERR_STATE, "the capture is not loaded yet");
        const auto r = tshim::zone_group_stats(*c.model, std::vector<int32_t>(group_of, group_of + nsrclocs),
                                               size_t(ngroups), std::vector<double>(qs, qs + nq));
        auto put = [](auto* dst, const auto& v) {
            if (dst) std::copy(v.begin(), v.end(), dst);
        };
        put(out->count, r.count);
        put(out->total, r.total);
        put(out->min, r.min);
        put(out->max, r.max);
        put(out->sum_sq, r.sum_sq);
        put(out->self_total, r.self_total);
        put(out->self_min, r.self_min);
        put(out->self_max, r.self_max);
        put(out->percentiles, r.percentiles);
        return 0;
    });
}

int tshim_zone_times(const tshim_capture* cap, int64_t* duration, int64_t* self_time, int64_t n) {
    return guarded([&] {
        require_ready(cap);
        if (n < 0) throw tshim::Error(TSHIM_ERR_ARG, "negative count");
        if (!cap->impl.model) throw tshim::Error(TSHIM_ERR_STATE, "the capture is not loaded yet");
        tshim::zone_times(*cap->impl.model, duration, self_time, size_t(n));
        return 0;
    });
}

int tshim_zone_codes(tshim_capture* cap, int key, const int32_t* lut, int64_t n_lut, int32_t missing, void* out,
                     int width, int64_t n) {
    return guarded([&] {
        require_ready(cap);
        if ((n_lut > 0 && !lut) || (n > 0 && !out)) throw tshim::Error(TSHIM_ERR_ARG, "null argument");
        if (n < 0 || n_lut < 0) throw tshim::Error(TSHIM_ERR_ARG, "negative count");
        if (key < TSHIM_KEY_SRCLOC || key > TSHIM_KEY_EXTRA) throw tshim::Error(TSHIM_ERR_ARG, "unknown zone key");
        if (!cap->impl.model) throw tshim::Error(TSHIM_ERR_STATE, "the capture is not loaded yet");
        tshim::zone_codes(*cap->impl.model, tshim::ZoneKey(key), lut, size_t(n_lut), missing, out, width, size_t(n));
        return 0;
    });
}

}  // extern "C"
