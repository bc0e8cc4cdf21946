#include "derive/hash_order.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_set>

namespace tshim {

namespace {

// The table's bucket count for a requested capacity: powers of two from 8, filled to at most 80 %.
size_t buckets_for(size_t elements) {
    size_t b = 8;
    while (b * 80 / 100 < elements) b *= 2;
    return b;
}

}  // namespace

std::vector<int32_t> flat_map_iteration_rank(const std::vector<uint64_t>& keys, size_t reserved) {
    std::vector<int32_t> rank(keys.size(), -1);
    std::vector<size_t> unique;  // indices of first insertions
    {
        std::unordered_set<uint64_t> seen;
        for (size_t i = 0; i < keys.size(); i++)
            if (seen.insert(keys[i]).second) unique.push_back(i);
    }
    if (unique.empty()) return rank;
    // Final table size: the reserved size, doubled whenever an insertion finds the table 80 % full.
    size_t buckets = buckets_for(reserved);
    for (size_t n = 0; n < unique.size(); n++)
        if (n >= buckets * 80 / 100) buckets *= 2;

    struct Slot {
        uint64_t home;
        uint32_t tag;  // low hash bits kept beside the distance; within a bucket a higher tag comes first
        size_t order;
    };
    std::vector<Slot> slots;
    slots.reserve(unique.size());
    for (size_t i : unique) {
        uint64_t h = keys[i];
        h ^= h >> 33;  // murmur3-style integer mix, then the table's own multiply-shift
        h *= UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 33;
        h *= UINT64_C(0xc4ceb9fe1a85ec53);
        h ^= h >> 33;
        slots.push_back({(h >> 5) & (buckets - 1), uint32_t(h & 31), i});
    }
    std::vector<size_t> idx(slots.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
        if (slots[a].home != slots[b].home) return slots[a].home < slots[b].home;
        return slots[a].tag > slots[b].tag;  // stable: equal tags keep insertion order
    });
    for (size_t r = 0; r < idx.size(); r++) rank[slots[idx[r]].order] = int32_t(r);
    return rank;
}

}  // namespace tshim
