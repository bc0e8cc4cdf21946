// Writes the .tracy container: the 6-byte header, then the payload cut into 64 KiB blocks, each compressed
// (LZ4 or zstd) by one of N streams in turn (block i goes to stream i % N) and stored as u32 size + data. Every
// stream keeps its compressor state across its blocks, as the reader's per-stream decoders expect. The N blocks
// of one round are compressed in parallel, then written in order.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "format/container.hpp"

namespace tshim {

class ContainerWriter {
public:
    static constexpr size_t kBlockSize = ContainerSource::kBlockSize;

    // Writes the header to `file` (owned by the caller, which closes it). level: zstd level (clamped to zstd's
    // range; LZ4 has none). streams: 1..255.
    ContainerWriter(std::FILE* file, std::string path, Compression compression, int level, int streams);
    ~ContainerWriter();
    ContainerWriter(const ContainerWriter&) = delete;
    ContainerWriter& operator=(const ContainerWriter&) = delete;

    void write(const void* data, size_t size) {
        if (size <= kBlockSize - used_) {
            std::memcpy(block_ + used_, data, size);
            used_ += size;
            return;
        }
        write_slow(static_cast<const uint8_t*>(data), size);
    }

    // Compresses and writes everything still buffered. Throws Error(TSHIM_ERR_IO) on a write failure.
    void finish();

    uint64_t payload_bytes() const { return payload_ + used_; }
    uint64_t file_bytes() const { return file_bytes_; }
    // Also publishes the payload bytes compressed so far to `done` (read by another thread, for progress), and
    // stops with Error(TSHIM_ERR_STATE) at the next block once `cancel` is set.
    void set_progress(std::atomic<uint64_t>* done, const std::atomic<bool>* cancel) {
        external_progress_ = done;
        cancel_ = cancel;
    }

private:
    struct Stream;
    void write_slow(const uint8_t* data, size_t size);
    void end_block();
    void flush_round();
    void put_file(const void* data, size_t size);

    std::FILE* file_;
    std::string path_;
    Compression compression_;
    std::vector<std::unique_ptr<Stream>> streams_;
    size_t next_ = 0;      // stream that receives the block being filled
    size_t pending_ = 0;   // filled blocks of the current round, not compressed yet
    uint8_t* block_ = nullptr;
    size_t used_ = 0;
    uint64_t payload_ = 0;
    uint64_t file_bytes_ = 0;
    std::atomic<uint64_t>* external_progress_ = nullptr;
    const std::atomic<bool>* cancel_ = nullptr;
};

}  // namespace tshim
