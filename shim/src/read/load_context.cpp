#include "read/load_context.hpp"

#include "format/error.hpp"

namespace tshim {

int32_t LoadContext::string_by_ptr(uint64_t file_ptr) const {
    auto it = string_ids.find(file_ptr);
    return it == string_ids.end() ? -1 : it->second;
}

int32_t LoadContext::string_by_idx(uint32_t idx) const {
    // The file's string table is the first part of the pool, in file order.
    return idx < file_string_count ? int32_t(idx) : -1;
}

int32_t LoadContext::string_by_ref(uint64_t str, uint8_t flags) const {
    if (!(flags & 2)) return -1;
    if (flags & 1) return str <= UINT32_MAX ? string_by_idx(uint32_t(str)) : -1;
    return string_by_ptr(str);
}

int32_t LoadContext::intern(std::string_view s) {
    auto& pool = model.strings;
    if (!intern_indexed_) {
        intern_index_.reserve(pool.count() * 2);
        for (size_t i = 0; i < pool.count(); i++) intern_index_.emplace(std::string(pool.get(int32_t(i))), int32_t(i));
        intern_indexed_ = true;
    }
    auto it = intern_index_.find(std::string(s));
    if (it != intern_index_.end()) return it->second;
    const int32_t id = pool.add(s);
    intern_index_.emplace(std::string(s), id);
    return id;
}

uint32_t LoadContext::thread_row(uint64_t tid) {
    auto it = thread_rows.find(tid);
    if (it != thread_rows.end()) return it->second;
    auto& t = model.threads;
    const auto row = uint32_t(t.count());
    if (row >= 65535) throw Error(TSHIM_ERR_FORMAT, "capture is corrupt: more than 65535 threads");
    auto nit = thread_names.find(tid);
    t.tid.push_back(tid);
    t.name.push_back(nit == thread_names.end() ? -1 : nit->second);
    t.list_index.push_back(-1);
    t.zone_count.push_back(0);
    t.kernel_sample_count.push_back(0);
    t.is_fiber.push_back(0);
    t.group_hint.push_back(0);
    for (auto* v : {&t.zones_begin, &t.zones_end, &t.messages_begin, &t.messages_end, &t.samples_begin,
                    &t.samples_end, &t.ctx_switch_samples_begin, &t.ctx_switch_samples_end})
        v->push_back(0);
    thread_rows.emplace(tid, row);
    return row;
}

uint64_t LoadContext::thread_tid_by_compressed(uint16_t idx) const {
    return idx < local_threads.size() ? local_threads[idx] : 0;
}

uint64_t LoadContext::external_tid_by_compressed(uint16_t idx) const {
    return idx < external_threads.size() ? external_threads[idx] : 0;
}

int32_t LoadContext::srcloc_row_or_none(int16_t id) const {
    if (id > 0) {
        if (size_t(id) < static_srcloc_rows.size()) return static_srcloc_rows[size_t(id)];
        return -1;
    }
    if (id < 0) {
        const int32_t k = -int32_t(id) - 1;
        if (k < dynamic_srcloc_count) return static_srcloc_count + k;
    }
    return -1;
}

int32_t LoadContext::srcloc_row(int16_t id) const {
    const int32_t row = srcloc_row_or_none(id);
    if (row < 0) throw Error(TSHIM_ERR_FORMAT, "capture is corrupt: unknown source location id " + std::to_string(id));
    return row;
}

void LoadContext::keep_file_lookups() {
    auto& k = model.lookup;
    k.string_id_key.clear();
    k.string_id_row.clear();
    for (const auto& [id, row] : string_ids) {
        k.string_id_key.push_back(id);
        k.string_id_row.push_back(row);
    }
    k.thread_name_tid.clear();
    k.thread_name_row.clear();
    for (const auto& [tid, row] : thread_names) {
        k.thread_name_tid.push_back(tid);
        k.thread_name_row.push_back(row);
    }
    k.local_threads = local_threads;
    k.external_threads = external_threads;
    k.file_string_count = file_string_count;
}

void LoadContext::check_cancel() const {
    if (cap.cancel.load(std::memory_order_relaxed)) throw Error(TSHIM_ERR_STATE, "loading was cancelled");
}

}  // namespace tshim
