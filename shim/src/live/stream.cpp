#include "live/stream.hpp"

#include <lz4.h>

#include "format/error.hpp"
#include "live/protocol.hpp"

namespace tshim::live {

struct FrameDecoder::State {
    LZ4_streamDecode_t stream{};
};

FrameDecoder::FrameDecoder() : state_(std::make_unique<State>()), ring_(kTargetFrameSize * 3 + 1) {
    LZ4_setStreamDecode(&state_->stream, nullptr, 0);
}

FrameDecoder::~FrameDecoder() = default;

FrameDecoder::Span FrameDecoder::decode(const uint8_t* compressed, size_t size) {
    if (size == 0 || size > kMaxCompressedFrame)
        throw Error(TSHIM_ERR_FORMAT, "live stream: compressed frame of " + std::to_string(size) + " bytes is out of range");
    char* dst = ring_.data() + offset_;
    const int n = LZ4_decompress_safe_continue(&state_->stream, reinterpret_cast<const char*>(compressed), dst,
                                               int(size), int(kTargetFrameSize));
    if (n < 0) throw Error(TSHIM_ERR_FORMAT, "live stream: corrupt LZ4 frame");
    Span out{reinterpret_cast<const uint8_t*>(dst), size_t(n)};
    // Same advance rule as the client's buffer, so back-references always point at bytes still in place.
    offset_ += size_t(n);
    if (offset_ > kTargetFrameSize * 2) offset_ = 0;
    return out;
}

}  // namespace tshim::live
