#include "format/cursor.hpp"

#include <algorithm>

namespace tshim {

void Cursor::throw_truncated() {
    throw Error(TSHIM_ERR_FORMAT, "capture is truncated or corrupt: read past the end of the data");
}

void Cursor::throw_count(uint64_t count, const char* what) {
    throw Error(TSHIM_ERR_FORMAT, "capture is corrupt or truncated: " + std::to_string(count) + " " + what +
                                      " cannot fit in the rest of the file");
}

bool Cursor::refill() {
    if (!src_) return false;
    const uint8_t* data = nullptr;
    size_t size = 0;
    if (!src_->next_block(data, size)) return false;
    base_ += uint64_t(end_ - block_);
    block_ = p_ = data;
    end_ = data + size;
    return true;
}

void Cursor::read_slow(void* dst, size_t n) {
    auto* out = static_cast<uint8_t*>(dst);
    while (n > 0) {
        if (p_ == end_ && !refill()) throw_truncated();
        const size_t k = std::min(n, size_t(end_ - p_));
        std::memcpy(out, p_, k);
        out += k;
        p_ += k;
        n -= k;
    }
}

void Cursor::skip_slow(size_t n) {
    while (n > 0) {
        if (p_ == end_ && !refill()) throw_truncated();
        const size_t k = std::min(n, size_t(end_ - p_));
        p_ += k;
        n -= k;
    }
}

}  // namespace tshim
