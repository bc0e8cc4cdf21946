// libFuzzer target over the whole reader. An input starting with the container magic is loaded as a .tracy file
// (exercising decompression); any other input is taken as a decompressed payload and wrapped in a container of
// literal-only LZ4 blocks, so mutations reach the section parsers directly.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#include "model/capture.hpp"
#include "format/error.hpp"
#include "read/load_file.hpp"

namespace {

std::vector<uint8_t> wrap_payload(const uint8_t* data, size_t size) {
    std::vector<uint8_t> out = {'t', 'r', 0xFD, 'P', 0, 1};
    const size_t block = 64 * 1024;
    for (size_t at = 0; at < size || at == 0; at += block) {
        const size_t n = size - at < block ? size - at : block;
        std::vector<uint8_t> b;
        if (n < 15) {
            b.push_back(uint8_t(n << 4));
        } else {
            b.push_back(0xF0);
            size_t rest = n - 15;
            while (rest >= 255) {
                b.push_back(255);
                rest -= 255;
            }
            b.push_back(uint8_t(rest));
        }
        b.insert(b.end(), data + at, data + at + n);
        const uint32_t len = uint32_t(b.size());
        uint8_t hdr[4];
        std::memcpy(hdr, &len, 4);
        out.insert(out.end(), hdr, hdr + 4);
        out.insert(out.end(), b.begin(), b.end());
        if (size == 0) break;
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const uint8_t kMagic[4] = {'t', 'r', 0xFD, 'P'};
    tshim::Capture cap;
    try {
        if (size >= 4 && std::memcmp(data, kMagic, 4) == 0) {
            tshim::load_bytes(cap, data, size, "fuzz");
        } else {
            const auto file = wrap_payload(data, size);
            tshim::load_bytes(cap, file.data(), file.size(), "fuzz");
        }
    } catch (const tshim::Error&) {
    } catch (const std::bad_alloc&) {
    }
    return 0;
}
