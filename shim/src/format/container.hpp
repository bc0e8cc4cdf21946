// The .tracy container: a small header, then compressed blocks (u32 size + data), each decompressing to at most
// 64 KiB. With several streams, block i belongs to stream i % streams; every stream has its own decoder state
// (an LZ4 block may refer to the previous block of the same stream).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format/cursor.hpp"

namespace tshim {

enum class Compression : uint8_t { Lz4 = 0, Zstd = 1 };

struct ContainerInfo {
    Compression compression = Compression::Zstd;
    int streams = 1;
    size_t data_offset = 0;  // first block header
    size_t block_count = 0;
};

// Parses the container header and checks that every block lies inside the data. Throws Error(TSHIM_ERR_FORMAT).
ContainerInfo parse_container(const uint8_t* data, size_t size);

// Decompresses the blocks of an in-memory container in payload order. The streams are decompressed in parallel, a
// ring of blocks ahead of the reader, by background threads (one fewer than the cores) and by the reader itself
// when its next block has not been taken yet.
class ContainerSource : public BlockSource {
public:
    // `release_input`: the data is a read-only file mapping whose pages may be dropped once decompressed (keeps the
    // compressed file out of the peak RSS).
    ContainerSource(const uint8_t* data, size_t size, bool release_input = false);
    ~ContainerSource() override;
    ContainerSource(const ContainerSource&) = delete;
    ContainerSource& operator=(const ContainerSource&) = delete;

    bool next_block(const uint8_t*& data, size_t& size) override;
    // While `flag` is set, next_block throws Error(TSHIM_ERR_STATE): a cancelled load stops within one block.
    void set_cancel(const std::atomic<bool>* flag) { cancel_ = flag; }
    uint64_t size_bound() const override;
    const ContainerInfo& info() const { return info_; }

    static constexpr size_t kBlockSize = 64 * 1024;

private:
    void stop_workers();
    struct Impl;
    std::unique_ptr<Impl> impl_;
    ContainerInfo info_;
    const std::atomic<bool>* cancel_ = nullptr;
};

// A read-only view of a whole file (memory-mapped where possible).
class FileBytes {
public:
    explicit FileBytes(const std::string& path);  // throws Error(TSHIM_ERR_IO)
    ~FileBytes();
    FileBytes(const FileBytes&) = delete;
    FileBytes& operator=(const FileBytes&) = delete;
    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    bool mapped() const { return mapped_; }

private:
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    bool mapped_ = false;
    std::vector<uint8_t> copy_;
};

}  // namespace tshim
