// Bounds-checked reading of a capture's decompressed payload, one block at a time (the payload is never held
// whole in memory). Every read past the end of the data throws Error(TSHIM_ERR_FORMAT, "... truncated ...").
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "error.hpp"

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
    std::string str(size_t n) {
        check_fits(n, 1, "string");
        std::string s(n, '\0');
        bytes(s.data(), n);
        return s;
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
};

}  // namespace tshim
