// Writes the first bytes of a capture's decompressed payload to a file: seeds for the fuzz target.
// usage: tshim_payload_dump CAPTURE.tracy OUT MAX_BYTES
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "format/container.hpp"
#include "format/error.hpp"

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s CAPTURE.tracy OUT MAX_BYTES\n", argv[0]);
        return 2;
    }
    try {
        tshim::FileBytes file(argv[1]);
        tshim::ContainerSource source(file.data(), file.size());
        const size_t limit = std::strtoull(argv[3], nullptr, 10);
        std::vector<uint8_t> out;
        const uint8_t* block = nullptr;
        size_t n = 0;
        while (out.size() < limit && source.next_block(block, n))
            out.insert(out.end(), block, block + std::min(n, limit - out.size()));
        std::FILE* f = std::fopen(argv[2], "wb");
        if (!f || std::fwrite(out.data(), 1, out.size(), f) != out.size()) return 1;
        std::fclose(f);
    } catch (const tshim::Error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
