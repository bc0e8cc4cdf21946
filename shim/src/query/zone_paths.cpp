#include "query/zone_paths.hpp"

#include <algorithm>
#include <limits>

#include "format/error.hpp"

namespace tshim {

namespace {

// Open-addressing map (parent key, label) -> path id with linear probing; doubles at half load.
class PathIndex {
public:
    PathIndex() : slots_(1024) {}

    int32_t find(uint64_t key) const {
        for (size_t i = hash(key) & mask();; i = (i + 1) & mask()) {
            const Slot& s = slots_[i];
            if (s.value < 0) return -1;
            if (s.key == key) return s.value;
        }
    }

    void insert(uint64_t key, int32_t value) {
        if ((used_ + 1) * 2 > slots_.size()) grow();
        place(key, value);
        ++used_;
    }

    // Both halves are 32-bit: a parent path id (or a root's owner marker) and a label.
    static uint64_t key(int64_t parent, int32_t label) {
        return (uint64_t(uint32_t(int32_t(parent))) << 32) | uint64_t(uint32_t(label));
    }

private:
    struct Slot {
        uint64_t key = 0;
        int32_t value = -1;
    };

    static size_t hash(uint64_t k) {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdULL;
        k ^= k >> 33;
        return size_t(k);
    }
    size_t mask() const { return slots_.size() - 1; }

    void place(uint64_t key, int32_t value) {
        size_t i = hash(key) & mask();
        while (slots_[i].value >= 0) i = (i + 1) & mask();
        slots_[i] = Slot{key, value};
    }

    void grow() {
        std::vector<Slot> old(slots_.size() * 2);
        old.swap(slots_);
        for (const Slot& s : old)
            if (s.value >= 0) place(s.key, s.value);
    }

    std::vector<Slot> slots_;
    size_t used_ = 0;
};

}  // namespace

template <class Src, class Owner>
ZonePaths zone_paths(const ZoneTreeColumns<Src, Owner>& z, const int32_t* labels, int64_t n_labels, bool per_owner,
                     int32_t* row_path) {
    ZonePaths p;
    PathIndex index;
    for (int64_t r = 0; r < z.rows; ++r) {
        const int64_t src = int64_t(z.srcloc[r]);
        const int32_t label = (src >= 0 && src < n_labels) ? labels[src] : -1;
        int32_t par = z.parent[r];
        if (par < -1 || par >= r) par = -1;  // not an earlier row: keep the zone as a root rather than trust it
        const int32_t owner = per_owner ? int32_t(z.owner[r]) : -1;
        // a root's parent key marks its owner (-2 - owner never collides with a path id, which is >= 0)
        const int64_t parent_key = par >= 0 ? int64_t(row_path[par]) : -2 - int64_t(owner < 0 ? -1 : owner);
        const uint64_t key = PathIndex::key(parent_key, label);
        int32_t id = index.find(key);
        if (id < 0) {
            if (p.size() >= size_t(std::numeric_limits<int32_t>::max()))
                throw Error(TSHIM_ERR_MEMORY, "too many distinct call paths");
            id = int32_t(p.size());
            index.insert(key, id);
            p.parent.push_back(par >= 0 ? row_path[par] : -1);
            p.label.push_back(label);
            p.owner.push_back(owner);
            p.count.push_back(0);
            p.total.push_back(0);
            p.self.push_back(0);
            p.max.push_back(0);
        }
        row_path[r] = id;
        if (z.end[r] >= 0) {
            // Wrapping arithmetic: times come from untrusted input, and signed overflow would be undefined.
            const uint64_t d = uint64_t(z.end[r]) - uint64_t(z.start[r]);
            const size_t i = size_t(id);
            p.count[i] += 1;
            p.total[i] = int64_t(uint64_t(p.total[i]) + d);
            p.self[i] = int64_t(uint64_t(p.self[i]) + d);
            p.max[i] = std::max(p.max[i], int64_t(d));
            if (par >= 0 && z.end[par] >= 0) {
                int64_t& parent_self = p.self[size_t(row_path[par])];
                parent_self = int64_t(uint64_t(parent_self) - d);
            }
        }
    }
    return p;
}

template <class Src, class Owner>
PathSums zone_path_sums(const ZoneTreeColumns<Src, Owner>& z, const int32_t* row_path, int64_t n_paths,
                        const std::vector<std::pair<int64_t, int64_t>>& thread_rows, int64_t window_start,
                        int64_t window_end) {
    const size_t n = size_t(n_paths);
    PathSums s{std::vector<int64_t>(n), std::vector<int64_t>(n), std::vector<int64_t>(n), std::vector<int64_t>(n)};
    auto overlaps = [&](int64_t r) {
        return z.end[r] >= 0 && z.end[r] > window_start && z.start[r] < window_end;
    };
    auto clipped = [&](int64_t r) {
        // wrapping arithmetic: times come from untrusted input
        return uint64_t(std::min(z.end[r], window_end)) - uint64_t(std::max(z.start[r], window_start));
    };
    auto add = [&](int64_t r) {
        const int32_t id = row_path[r];
        if (id < 0 || id >= n_paths) throw Error(TSHIM_ERR_ARG, "row_path holds a path id out of range");
        const uint64_t d = clipped(r);
        const size_t i = size_t(id);
        s.count[i] += 1;
        s.total[i] = int64_t(uint64_t(s.total[i]) + d);
        s.self[i] = int64_t(uint64_t(s.self[i]) + d);
        s.max[i] = std::max(s.max[i], int64_t(d));
        const int32_t par = z.parent[r];
        if (par >= 0 && par < r && overlaps(par)) {
            const int32_t pid = row_path[par];
            if (pid < 0 || pid >= n_paths) throw Error(TSHIM_ERR_ARG, "row_path holds a path id out of range");
            s.self[size_t(pid)] = int64_t(uint64_t(s.self[size_t(pid)]) - d);
        }
    };
    for (const auto& [begin, end] : thread_rows) {
        if (begin < 0 || end > z.rows || end <= begin) continue;
        // the zones starting inside the window are one block of rows; those started before it and still open are
        // the last zone starting before the window and its ancestors
        const int64_t* first = z.start + begin;
        const int64_t i = begin + (std::lower_bound(first, z.start + end, window_start) - first);
        const int64_t j = begin + (std::lower_bound(first, z.start + end, window_end) - first);
        for (int64_t r = i - 1; r >= begin; r = z.parent[r] < r ? int64_t(z.parent[r]) : -1)
            if (overlaps(r)) add(r);
        for (int64_t r = i; r < j; ++r)
            if (overlaps(r)) add(r);
    }
    return s;
}

template PathSums zone_path_sums<uint16_t, uint16_t>(const ZoneTreeColumns<uint16_t, uint16_t>&, const int32_t*,
                                                     int64_t, const std::vector<std::pair<int64_t, int64_t>>&, int64_t,
                                                     int64_t);

template ZonePaths zone_paths<uint16_t, uint16_t>(const ZoneTreeColumns<uint16_t, uint16_t>&, const int32_t*,
                                                   int64_t, bool, int32_t*);

}  // namespace tshim
