#include "format/container.hpp"

#include <algorithm>
#include <cstdint>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include <lz4.h>
#include <zstd.h>

#include "format/error.hpp"

#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#else
#include <cstdio>
#endif

namespace tshim {

namespace {

uint32_t load_u32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

[[noreturn]] void corrupt(const std::string& what) { throw Error(TSHIM_ERR_FORMAT, "capture is corrupt: " + what); }

}  // namespace

ContainerInfo parse_container(const uint8_t* data, size_t size) {
    static const uint8_t kMagic[4] = {'t', 'r', 0xFD, 'P'};
    static const uint8_t kLz4Magic[4] = {'t', 'l', 'Z', 4};
    static const uint8_t kZstdMagic[4] = {'t', 'Z', 's', 't'};
    ContainerInfo info;
    if (size < 4) throw Error(TSHIM_ERR_FORMAT, "not a Tracy capture: file is too short");
    if (std::memcmp(data, kMagic, 4) == 0) {
        if (size < 6) throw Error(TSHIM_ERR_FORMAT, "capture is truncated: incomplete file header");
        if (data[4] > 1) corrupt("unknown compression type " + std::to_string(data[4]));
        info.compression = Compression(data[4]);
        info.streams = data[5];
        if (info.streams == 0) corrupt("stream count is 0");
        info.data_offset = 6;
    } else if (std::memcmp(data, kLz4Magic, 4) == 0) {
        info.compression = Compression::Lz4;
        info.data_offset = 4;
    } else if (std::memcmp(data, kZstdMagic, 4) == 0) {
        info.compression = Compression::Zstd;
        info.data_offset = 4;
    } else {
        throw Error(TSHIM_ERR_FORMAT, "not a Tracy capture (bad magic)");
    }
    size_t off = info.data_offset;
    while (off < size) {
        if (size - off < 4) throw Error(TSHIM_ERR_FORMAT, "capture is truncated: incomplete block header");
        const uint32_t sz = load_u32(data + off);
        // Writers never emit an empty block; accepting them would let a run of zeros (a padded or damaged file)
        // cost a pass through the decoder per 4 bytes.
        if (sz == 0)
            corrupt("block " + std::to_string(info.block_count) + " at byte " + std::to_string(off) +
                    " has size 0 (the file is damaged or padded with zeros from there on)");
        off += 4;
        if (sz > size - off) throw Error(TSHIM_ERR_FORMAT, "capture is truncated: last block is incomplete");
        off += sz;
        info.block_count++;
    }
    if (info.block_count == 0) throw Error(TSHIM_ERR_FORMAT, "capture is truncated: no data");
    return info;
}

// One decompressed block in the read-ahead ring.
struct Slot {
    std::vector<uint8_t> buf = std::vector<uint8_t>(ContainerSource::kBlockSize);
    size_t size = 0;
    size_t block = 0;  // index + 1 of the block it holds once decoded, 0 while free
};

struct StreamDecoder {
    Compression comp;
    ZSTD_DCtx* zstd = nullptr;
    std::vector<uint8_t> lz4_buf[2];  // LZ4: this stream's previous output is the next block's dictionary
    size_t lz4_prev_size = 0;
    int lz4_cur = 0;

    explicit StreamDecoder(Compression c) : comp(c) {
        if (comp == Compression::Zstd) {
            zstd = ZSTD_createDCtx();
            if (!zstd) throw std::bad_alloc();
        } else {
            lz4_buf[0].resize(ContainerSource::kBlockSize);
            lz4_buf[1].resize(ContainerSource::kBlockSize);
        }
    }
    ~StreamDecoder() {
        if (zstd) ZSTD_freeDCtx(zstd);
    }
    StreamDecoder(const StreamDecoder&) = delete;
    StreamDecoder& operator=(const StreamDecoder&) = delete;

    // Decompresses one block into out (kBlockSize bytes); returns the size or throws.
    size_t decode(const uint8_t* src, size_t n, uint8_t* out) {
        const size_t cap = ContainerSource::kBlockSize;
        if (comp == Compression::Lz4) {
            auto& dst = lz4_buf[lz4_cur ^ 1];
            const auto& dict = lz4_buf[lz4_cur];
            const int r = LZ4_decompress_safe_usingDict(reinterpret_cast<const char*>(src),
                                                        reinterpret_cast<char*>(dst.data()), int(n), int(cap),
                                                        reinterpret_cast<const char*>(dict.data()),
                                                        int(lz4_prev_size));
            if (r <= 0) corrupt(r < 0 ? "LZ4 block does not decompress" : "LZ4 block decompresses to nothing");
            lz4_cur ^= 1;
            lz4_prev_size = size_t(r);
            std::memcpy(out, dst.data(), size_t(r));
            return size_t(r);
        }
        ZSTD_inBuffer in{src, n, 0};
        ZSTD_outBuffer o{out, cap, 0};
        while (in.pos < in.size) {
            const size_t before_in = in.pos, before_out = o.pos;
            const size_t r = ZSTD_decompressStream(zstd, &o, &in);
            if (ZSTD_isError(r)) corrupt(std::string("zstd block does not decompress: ") + ZSTD_getErrorName(r));
            if (in.pos == before_in && o.pos == before_out) corrupt("zstd block makes no progress");
            if (o.pos == o.size && in.pos < in.size) corrupt("block decompresses to more than 64 KiB");
        }
        if (o.pos == 0) corrupt("zstd block decompresses to nothing");
        return o.pos;
    }
};

// The streams are decoded in parallel, a ring of blocks ahead of the reader. Each stream's blocks are decoded in
// order by one thread at a time (an LZ4 block may refer to the previous block of its stream): a thread claims the
// stream whose next block comes first in the payload, decodes it into the ring slot of its block number and
// releases the stream. The background threads are one fewer than the cores, and the reader decodes its next block
// itself instead of waiting when no thread has taken it yet: every core either reads or decodes, and no core runs
// three threads by turns.
struct ContainerSource::Impl {
    const uint8_t* data;
    size_t size;
    bool release_input = false;
    ContainerInfo info;
    std::vector<size_t> offsets;  // where each block's compressed bytes start
    std::vector<uint32_t> sizes;
    std::vector<std::unique_ptr<StreamDecoder>> decoders;  // one per stream

    std::vector<Slot> ring;
    std::vector<size_t> stream_next;  // per stream: its next block to decode
    std::vector<uint8_t> stream_busy;  // per stream: a thread is decoding its next block
    size_t consumed = 0;  // blocks handed to the reader and released
    size_t failed_block = SIZE_MAX;  // the first block that could not be decoded
    std::string error;
    bool stop = false;
    std::mutex m;
    std::condition_variable space, ready;  // workers wait for a block to claim; the reader for its next block
    size_t sleeping = 0;  // workers waiting on `space`
    bool reader_waiting = false;
    std::vector<std::thread> workers;
    bool have_current = false;

    size_t dropped = 0;  // input bytes whose pages were given back
    void drop_input_before(size_t off) {
#if !defined(_WIN32)
        constexpr size_t kStep = size_t(1) << 20;
        if (off < dropped || off - dropped < kStep) return;
        const auto page = size_t(::sysconf(_SC_PAGESIZE));
        const auto base = reinterpret_cast<uintptr_t>(data);
        const uintptr_t from = (base + dropped + page - 1) / page * page;
        const uintptr_t to = (base + off) / page * page;
        if (to > from) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
        dropped = off;
#else
        (void)off;
#endif
    }

    // Under the lock: whether block i may be decoded now (its stream is free, it is that stream's next block and
    // its ring slot is free).
    bool claimable(size_t i) const {
        const size_t s = i % size_t(info.streams);
        return !stream_busy[s] && stream_next[s] == i && i < consumed + ring.size() && i < failed_block;
    }
    // Under the lock: the first block in payload order that may be decoded now, or SIZE_MAX.
    size_t next_claimable() const {
        size_t best = SIZE_MAX;
        for (size_t s = 0; s < stream_next.size(); s++) {
            const size_t i = stream_next[s];
            if (i < info.block_count && i < best && claimable(i)) best = i;
        }
        return best;
    }
    bool all_claimed() const {
        for (size_t i : stream_next)
            if (i < info.block_count) return false;
        return true;
    }

    // Decodes block i, which the caller has claimed (the lock is held on entry and on return, not while decoding).
    void decode(size_t i, std::unique_lock<std::mutex>& lock) {
        const size_t s = i % size_t(info.streams);
        stream_busy[s] = 1;
        lock.unlock();
        Slot& slot = ring[i % ring.size()];
        std::string problem;
        try {
            slot.size = decoders[s]->decode(data + offsets[i], sizes[i], slot.buf.data());
        } catch (const Error& e) {
            problem = e.what();
        } catch (const std::bad_alloc&) {
            problem = "out of memory while decompressing";
        }
        lock.lock();
        stream_busy[s] = 0;
        if (!problem.empty()) {
            if (i < failed_block) {
                failed_block = i;
                error = std::move(problem);
            }
            ready.notify_all();
            space.notify_all();
            return;
        }
        slot.block = i + 1;
        stream_next[s] = i + size_t(info.streams);
        // Waking a thread is costly (on a virtual machine a wake-up is an exit to the host): only wake one that waits.
        if (i == consumed && reader_waiting) ready.notify_one();
        if (sleeping) space.notify_one();  // the stream's next block may be claimed now
    }

    void produce() {
        std::unique_lock<std::mutex> lock(m);
        for (;;) {
            size_t i = SIZE_MAX;
            sleeping++;
            space.wait(lock, [&] { return stop || all_claimed() || (i = next_claimable()) != SIZE_MAX; });
            sleeping--;
            if (stop || i == SIZE_MAX) return;
            decode(i, lock);
        }
    }
};

ContainerSource::ContainerSource(const uint8_t* data, size_t size, bool release_input)
    : impl_(std::make_unique<Impl>()) {
    info_ = parse_container(data, size);
    auto& s = *impl_;
    s.data = data;
    s.size = size;
    s.release_input = release_input;
    s.info = info_;
    s.offsets.reserve(info_.block_count);
    s.sizes.reserve(info_.block_count);
    for (size_t off = info_.data_offset; off < size;) {  // parse_container checked every block header
        const uint32_t sz = load_u32(data + off);
        s.offsets.push_back(off + 4);
        s.sizes.push_back(sz);
        off += 4 + size_t(sz);
    }
    const auto streams = size_t(info_.streams);
    for (size_t i = 0; i < streams; i++) s.decoders.push_back(std::make_unique<StreamDecoder>(info_.compression));
    for (size_t i = 0; i < streams; i++) s.stream_next.push_back(i);
    s.stream_busy.assign(streams, 0);
    const size_t cores = std::max(1u, std::thread::hardware_concurrency());
    const size_t nworkers = std::min(streams, std::max<size_t>(1, cores - 1));
    // A few blocks per stream ahead of the reader (1 MiB or more; a larger ring was not faster and raised the peak).
    s.ring.resize(std::max<size_t>(16, 4 * streams));
    try {
        for (size_t w = 0; w < nworkers; w++) s.workers.emplace_back([p = impl_.get()] { p->produce(); });
    } catch (...) {  // no thread may outlive a failed constructor
        stop_workers();
        throw;
    }
}

void ContainerSource::stop_workers() {
    {
        std::lock_guard<std::mutex> lock(impl_->m);
        impl_->stop = true;
    }
    impl_->space.notify_all();
    for (auto& w : impl_->workers)
        if (w.joinable()) w.join();
}

ContainerSource::~ContainerSource() { stop_workers(); }

bool ContainerSource::next_block(const uint8_t*& data, size_t& size) {
    auto& s = *impl_;
    if (cancel_ && cancel_->load(std::memory_order_relaxed)) throw Error(TSHIM_ERR_STATE, "loading was cancelled");
    std::unique_lock<std::mutex> lock(s.m);
    for (;;) {
        if (s.have_current) {  // the previous block is no longer needed by the reader: its slot is free
            s.ring[s.consumed % s.ring.size()].block = 0;
            s.consumed++;
            s.have_current = false;
            // A worker that found the ring full sleeps until a quarter of it is free again (one wake-up per batch
            // of blocks, not one per block).
            if (s.sleeping && s.consumed % (s.ring.size() / 4) == 0) s.space.notify_all();
        }
        if (s.consumed == s.info.block_count) return false;
        const size_t i = s.consumed;
        Slot& slot = s.ring[i % s.ring.size()];
        while (slot.block != i + 1 && s.failed_block > i) {
            if (s.claimable(i)) s.decode(i, lock);  // nobody has taken it: faster than waiting for a thread
            else {
                s.reader_waiting = true;
                s.ready.wait(lock);
                s.reader_waiting = false;
            }
        }
        if (slot.block != i + 1) throw Error(TSHIM_ERR_FORMAT, s.error);
        s.have_current = true;
        if (s.release_input) s.drop_input_before(s.offsets[i]);
        if (slot.size == 0) continue;
        data = slot.buf.data();
        size = slot.size;
        return true;
    }
}

uint64_t ContainerSource::size_bound() const { return uint64_t(info_.block_count) * kBlockSize; }

FileBytes::FileBytes(const std::string& path) {
#if !defined(_WIN32)
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(TSHIM_ERR_IO, "cannot open " + path);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(TSHIM_ERR_IO, "cannot read " + path + " (not a regular file)");
    }
    size_ = size_t(st.st_size);
    if (size_ > 0) {
        void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            ::close(fd);
            throw Error(TSHIM_ERR_IO, "cannot map " + path);
        }
        ::madvise(p, size_, MADV_SEQUENTIAL);
        data_ = static_cast<const uint8_t*>(p);
        mapped_ = true;
    }
    ::close(fd);
#else
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw Error(TSHIM_ERR_IO, "cannot open " + path);
    uint8_t buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f.get())) > 0) copy_.insert(copy_.end(), buf, buf + n);
    data_ = copy_.data();
    size_ = copy_.size();
#endif
}

FileBytes::~FileBytes() {
#if !defined(_WIN32)
    if (mapped_) ::munmap(const_cast<uint8_t*>(data_), size_);
#endif
}

}  // namespace tshim
