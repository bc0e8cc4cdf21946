// Upstream's analysis answers often follow the iteration order of its hash maps (e.g. the per-srcloc zone map:
// which srcloc "a name" resolves to first, which one wins a name collision, which zones survive a truncation).
// Those maps are open-addressing robin-hood tables with a fixed integer hash, so their order is a deterministic
// function of the keys, their insertion order and the table size; this computes it from those facts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tshim {

// For keys inserted in the given order into an initially empty map (after reserve(reserved) when reserved > 0),
// returns each key's position in the map's iteration order. Keys are the integer key values converted to u64 the
// way the map's hash does it (signed keys sign-extended). Duplicate keys keep only their first insertion; later
// duplicates get -1.
std::vector<int32_t> flat_map_iteration_rank(const std::vector<uint64_t>& keys, size_t reserved);

}  // namespace tshim
