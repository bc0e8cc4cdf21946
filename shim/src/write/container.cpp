#include "write/container.hpp"

#include <algorithm>
#include <cerrno>
#include <thread>

#include <lz4.h>
#include <zstd.h>

#include "format/error.hpp"

namespace tshim {

namespace {

constexpr uint8_t kMagic[4] = {'t', 'r', 253, 'P'};

struct Lz4Free {
    void operator()(LZ4_stream_t* s) const { LZ4_freeStream(s); }
};
struct ZstdFree {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

}  // namespace

// One compression stream: its compressor state and two input buffers used in turn, so that the previous block
// (which an LZ4 stream refers back to) stays in place while the next one is compressed.
struct ContainerWriter::Stream {
    std::unique_ptr<LZ4_stream_t, Lz4Free> lz4;
    std::unique_ptr<ZSTD_CCtx, ZstdFree> zstd;
    static constexpr int kLz4Acceleration = 1;  // upstream's fast LZ4 mode
    std::vector<uint8_t> input[2];
    int current = 0;
    size_t input_size = 0;
    std::vector<uint8_t> output;
    size_t output_size = 0;
    std::string error;

    uint8_t* buffer() { return input[current].data(); }

    void compress() {
        const auto* src = input[current].data();
        if (lz4) {
            const int n = LZ4_compress_fast_continue(lz4.get(), reinterpret_cast<const char*>(src),
                                                     reinterpret_cast<char*>(output.data()), int(input_size),
                                                     int(output.size()), kLz4Acceleration);
            if (n <= 0) error = "LZ4 compression failed";
            output_size = size_t(n > 0 ? n : 0);
        } else {
            ZSTD_inBuffer in{src, input_size, 0};
            ZSTD_outBuffer out{output.data(), output.size(), 0};
            for (;;) {
                const size_t left = ZSTD_compressStream2(zstd.get(), &out, &in, ZSTD_e_flush);
                if (ZSTD_isError(left)) {
                    error = std::string("zstd compression failed: ") + ZSTD_getErrorName(left);
                    break;
                }
                if (left == 0) break;
                if (out.pos == out.size) {
                    error = "zstd compression failed: output bound exceeded";
                    break;
                }
            }
            output_size = out.pos;
        }
        current ^= 1;
    }
};

ContainerWriter::ContainerWriter(std::FILE* file, std::string path, Compression compression, int level, int streams)
    : file_(file), path_(std::move(path)), compression_(compression) {
    if (streams < 1 || streams > 255) throw Error(TSHIM_ERR_ARG, "streams must be 1..255");
    const size_t bound = size_t(std::max<size_t>(size_t(LZ4_compressBound(int(kBlockSize))),
                                                 ZSTD_compressBound(kBlockSize)));
    for (int i = 0; i < streams; i++) {
        auto s = std::make_unique<Stream>();
        if (compression == Compression::Lz4) {
            s->lz4.reset(LZ4_createStream());
            if (!s->lz4) throw Error(TSHIM_ERR_MEMORY, "cannot create an LZ4 stream");
        } else {
            s->zstd.reset(ZSTD_createCCtx());
            if (!s->zstd) throw Error(TSHIM_ERR_MEMORY, "cannot create a zstd stream");
            const int lvl = std::max(ZSTD_minCLevel(), std::min(level, ZSTD_maxCLevel()));
            ZSTD_CCtx_setParameter(s->zstd.get(), ZSTD_c_compressionLevel, lvl);
            ZSTD_CCtx_setParameter(s->zstd.get(), ZSTD_c_contentSizeFlag, 0);
        }
        s->input[0].resize(kBlockSize);
        s->input[1].resize(kBlockSize);
        s->output.resize(bound);
        streams_.push_back(std::move(s));
    }
    const uint8_t header[6] = {kMagic[0], kMagic[1], kMagic[2], kMagic[3],
                               uint8_t(compression == Compression::Zstd ? 1 : 0), uint8_t(streams)};
    put_file(header, sizeof(header));
    block_ = streams_[0]->buffer();
}

ContainerWriter::~ContainerWriter() = default;

void ContainerWriter::put_file(const void* data, size_t size) {
    if (size && std::fwrite(data, 1, size, file_) != size) {
        const int err = errno;
        throw Error(TSHIM_ERR_IO, "cannot write " + path_ + ": " + (err ? std::strerror(err) : "write failed"));
    }
    file_bytes_ += size;
}

void ContainerWriter::write_slow(const uint8_t* data, size_t size) {
    while (size) {
        const size_t n = std::min(size, kBlockSize - used_);
        std::memcpy(block_ + used_, data, n);
        used_ += n;
        data += n;
        size -= n;
        if (used_ == kBlockSize) end_block();
    }
}

void ContainerWriter::end_block() {
    streams_[next_]->input_size = used_;
    payload_ += used_;
    used_ = 0;
    pending_++;
    next_ = (next_ + 1) % streams_.size();
    if (next_ == 0) flush_round();
    block_ = streams_[next_]->buffer();
}

void ContainerWriter::flush_round() {
    if (pending_ == 0) return;
    if (cancel_ && cancel_->load(std::memory_order_relaxed)) throw Error(TSHIM_ERR_STATE, "save cancelled");
    {
        std::vector<std::thread> workers;
        for (size_t i = 1; i < pending_; i++) workers.emplace_back([s = streams_[i].get()] { s->compress(); });
        streams_[0]->compress();
        for (auto& w : workers) w.join();
    }
    for (size_t i = 0; i < pending_; i++) {
        const auto& s = *streams_[i];
        if (!s.error.empty()) throw Error(TSHIM_ERR_INTERNAL, s.error);
        const auto size = uint32_t(s.output_size);
        put_file(&size, sizeof(size));
        put_file(s.output.data(), s.output_size);
    }
    pending_ = 0;
    if (external_progress_) external_progress_->store(payload_, std::memory_order_relaxed);
}

void ContainerWriter::finish() {
    if (used_) end_block();
    // A partial round: its streams are 0..pending_-1, the next round would start at stream 0 again.
    flush_round();
    next_ = 0;
    block_ = streams_[0]->buffer();
}

}  // namespace tshim
