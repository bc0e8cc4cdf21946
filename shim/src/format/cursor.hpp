// Bounds-checked reading of a capture's decompressed payload, one block at a time (the payload is never held
// whole in memory). Every read past the end of the data throws Error(TSHIM_ERR_FORMAT, "... truncated ...").
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "format/error.hpp"

namespace tshim {

// Supplies the payload as a sequence of blocks. A block stays valid until the next call.
class BlockSource {
public:
    virtual ~BlockSource() = default;
    // Next non-empty block; false at the end of the payload.
    virtual bool next_block(const uint8_t*& data, size_t& size) = 0;
    // Upper bound of the payload's total size (exact once known); used for progress and to reject counts that
    // cannot fit in what is left.
    virtual uint64_t size_bound() const = 0;
};

class Cursor {
public:
    explicit Cursor(BlockSource& src) : src_(&src) {}
    // Over one flat buffer (tests, small payloads).
    Cursor(const void* data, size_t size)
        : p_(static_cast<const uint8_t*>(data)), end_(p_ + size), block_(p_), flat_size_(size) {}

    template <class T> T get() {
        static_assert(std::is_trivially_copyable_v<T>, "Cursor::get needs a trivially copyable type");
        T v;
        if (size_t(end_ - p_) >= sizeof(T)) {
            std::memcpy(&v, p_, sizeof(T));
            p_ += sizeof(T);
        } else {
            read_slow(&v, sizeof(T));
        }
        return v;
    }
    template <class T> void get(T& v) { v = get<T>(); }

    void bytes(void* dst, size_t n) {
        if (size_t(end_ - p_) >= n) {
            if (n) std::memcpy(dst, p_, n);
            p_ += n;
        } else {
            read_slow(dst, n);
        }
    }
    // A 3-byte little-endian unsigned value (callstack rows, string indices, colors).
    uint32_t u24() {
        uint8_t b[3];
        bytes(b, 3);
        return uint32_t(b[0]) | (uint32_t(b[1]) << 8) | (uint32_t(b[2]) << 16);
    }
    // n raw bytes as a string; memory grows with the bytes actually read, never ahead of them by more than 1 MiB.
    std::string str(size_t n) {
        check_fits(n, 1, "string");
        std::string s;
        while (s.size() < n) {
            const size_t k = std::min(n - s.size(), kChunk);
            const size_t at = s.size();
            s.resize(at + k);
            bytes(&s[at], k);
        }
        return s;
    }
    // Appends n raw bytes to `out`, growing it as the bytes are read (a hostile length cannot allocate ahead).
    void append_bytes(std::vector<uint8_t>& out, uint64_t n) {
        check_fits(n, 1, "bytes");
        while (n > 0) {
            const size_t k = size_t(std::min<uint64_t>(n, kChunk));
            const size_t at = out.size();
            out.resize(at + k);
            bytes(out.data() + at, k);
            n -= k;
        }
    }
    // The next n bytes when they lie in the current block (consumed), nullptr otherwise: a fast path for
    // fixed-size records; fall back to get() on nullptr.
    const uint8_t* take(size_t n) {
        if (size_t(end_ - p_) < n) return nullptr;
        const uint8_t* r = p_;
        p_ += n;
        return r;
    }
    void skip(size_t n) {
        if (size_t(end_ - p_) >= n) p_ += n;
        else skip_slow(n);
    }
    // Reads an int64 delta; ref += delta; returns the new ref (times are stored as deltas to the previous one).
    int64_t time_delta(int64_t& ref) {
        ref = int64_t(uint64_t(ref) + uint64_t(get<int64_t>()));  // wraps instead of overflowing on hostile data
        return ref;
    }

    uint64_t consumed() const { return base_ + uint64_t(p_ - block_); }
    // Upper bound of the bytes still unread.
    uint64_t remaining_bound() const {
        const uint64_t total = src_ ? src_->size_bound() : flat_size_;
        const uint64_t used = consumed();
        return total > used ? total - used : 0;
    }
    // Throws a format error unless `count` items of at least `min_item_bytes` each can still be in the payload.
    // Call before reserving or looping on a count read from the file.
    void check_fits(uint64_t count, uint64_t min_item_bytes, const char* what) const {
        if (min_item_bytes != 0 && count > remaining_bound() / min_item_bytes) throw_count(count, what);
    }
    // A reserve size for `count` items that cannot be driven huge by a hostile count (vectors grow past it).
    static size_t reserve_hint(uint64_t count, uint64_t cap = uint64_t(1) << 20) {
        return size_t(count < cap ? count : cap);
    }
    // The compressed size of the input, for plausible_reserve (0 = unknown).
    void set_input_size(uint64_t bytes) { input_size_ = bytes; }
    // A reserve size for `count` items that is exact for real captures but bounded by the input's size
    // (`per_input_byte` items per compressed byte, far above what real captures hold), so a small hostile file
    // cannot make the reader reserve gigabytes; vectors grow past it when the items are really there.
    size_t plausible_reserve(uint64_t count, uint64_t per_input_byte) const {
        const uint64_t base = input_size_ ? input_size_ : flat_size_;
        const uint64_t cap = std::max<uint64_t>(uint64_t(1) << 16, base * per_input_byte);
        return size_t(std::min(count, cap));
    }

    [[noreturn]] static void throw_truncated();
    [[noreturn]] static void throw_count(uint64_t count, const char* what);

private:
    bool refill();
    void read_slow(void* dst, size_t n);
    void skip_slow(size_t n);

    BlockSource* src_ = nullptr;
    const uint8_t* p_ = nullptr;
    const uint8_t* end_ = nullptr;
    const uint8_t* block_ = nullptr;
    uint64_t base_ = 0;       // payload offset of block_
    uint64_t flat_size_ = 0;  // size of the flat buffer (no source)
    uint64_t input_size_ = 0;  // compressed input bytes
    static constexpr size_t kChunk = size_t(1) << 20;
};

}  // namespace tshim
