// The client's compressed event stream: length-prefixed LZ4 blocks, each decompressed against the previous
// output (streaming mode) into a ring of three frames, exactly as the client's compressor advances.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace tshim::live {

class FrameDecoder {
public:
    FrameDecoder();
    ~FrameDecoder();
    FrameDecoder(const FrameDecoder&) = delete;
    FrameDecoder& operator=(const FrameDecoder&) = delete;

    // Decompresses one block of `size` compressed bytes. Returns the decompressed bytes (valid until the frame after
    // next); throws tshim::Error(TSHIM_ERR_FORMAT) on a corrupt block.
    struct Span {
        const uint8_t* data;
        size_t size;
    };
    Span decode(const uint8_t* compressed, size_t size);

private:
    struct State;
    std::unique_ptr<State> state_;
    std::vector<char> ring_;
    size_t offset_ = 0;
};

}  // namespace tshim::live
