// Callstacks (lists of frame ids), the frames resolved for those ids, app info and frame images.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <utility>

#include "model/model.hpp"
#include "read/tail_io.hpp"
#include "read/tail_sections.hpp"

namespace tshim::tail {

void read_callstacks(Cursor& c, LoadContext& ctx) {
    auto& t = ctx.model.tail;
    auto& cs = t.callstack;
    auto& ids = t.callstack_frame_id;
    const uint64_t n = c.get<uint64_t>();
    c.check_fits(n, 2, "callstacks");
    reserve_more(cs.frame_begin, n + 1);
    reserve_more(cs.frame_end, n + 1);
    // Row 0: the "no callstack" placeholder that callstack fields equal to 0 refer to.
    cs.frame_begin.push_back(0);
    cs.frame_end.push_back(0);
    for (uint64_t i = 0; i < n; i++) {
        const uint16_t frames = c.get<uint16_t>();
        cs.frame_begin.push_back(row_of(ids.id.size()));
        for (uint16_t k = 0; k < frames; k++) {
            ids.id.push_back(c.get<uint64_t>());
            ids.frame.push_back(-1);
        }
        cs.frame_end.push_back(row_of(ids.id.size()));
    }

    auto& fr = t.callstack_frame;
    auto& en = t.callstack_entry;
    const uint64_t frames = c.get<uint64_t>();
    c.check_fits(frames, 8 + 1 + 3, "callstack frames");
    for (auto* v : {&fr.entry_begin, &fr.entry_end}) reserve_more(*v, frames);
    reserve_more(fr.id, frames);
    reserve_more(fr.image, frames);
    // Most frames have one entry; inlined frames add more.
    for (auto* v : {&en.name, &en.file, &en.frame}) reserve_more(*v, frames + frames / 2);
    reserve_more(en.line, frames + frames / 2);
    reserve_more(en.sym_addr, frames + frames / 2);
    for (uint64_t i = 0; i < frames; i++) {
        const int32_t row = row32(fr.id.size(), "callstack frames");
        fr.id.push_back(c.get<uint64_t>());
        const uint8_t entries = c.get<uint8_t>();
        fr.image.push_back(string_idx(c, ctx));
        fr.entry_begin.push_back(row_of(en.line.size()));
        for (uint8_t k = 0; k < entries; k++) {
            en.name.push_back(string_idx(c, ctx));
            en.file.push_back(string_idx(c, ctx));
            en.line.push_back(c.get<uint32_t>());
            en.sym_addr.push_back(c.get<uint64_t>());
            en.frame.push_back(row);
        }
        fr.entry_end.push_back(row_of(en.line.size()));
    }
}

namespace {

// The same lookup by sorting (id, row) pairs: O(n log n) whatever the ids, used when hashing degrades.
void frame_rows_by_sort(TailModel& m) {
    const auto& fid = m.callstack_frame.id;
    std::vector<std::pair<uint64_t, int32_t>> keys(fid.size());
    for (size_t i = 0; i < fid.size(); i++) keys[i] = {fid[i], int32_t(i)};
    std::sort(keys.begin(), keys.end());  // by id, then row: the first stored frame of an id comes first
    auto& ids = m.callstack_frame_id;
    for (size_t i = 0; i < ids.id.size(); i++) {
        auto it = std::lower_bound(keys.begin(), keys.end(), std::make_pair(ids.id[i], INT32_MIN));
        ids.frame[i] = (it != keys.end() && it->first == ids.id[i]) ? it->second : -1;
    }
}

}  // namespace

// Resolves every callstack entry's frame id to its callstack_frames row (the server's frame map lookup); for a
// duplicated id the first stored frame wins, as with the server's map. An open-addressing hash is fast on real
// ids; crafted colliding ids exhaust a probe budget and fall back to sorting, so hostile input cannot stall it.
void derive_callstack_frame_rows(TailModel& m) {
    const auto& fid = m.callstack_frame.id;
    auto& ids = m.callstack_frame_id;
    size_t cap = 16;
    while (cap < fid.size() * 2) cap *= 2;
    const size_t mask = cap - 1;
    std::vector<int32_t> slot(cap, -1);
    auto home = [&](uint64_t x) {  // a full 64-bit mix (splitmix64's finalizer)
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
        return size_t(x ^ (x >> 31)) & mask;
    };
    uint64_t budget = 32 * uint64_t(fid.size() + ids.id.size()) + 1024;
    auto find = [&](uint64_t id) -> size_t {
        size_t h = home(id);
        while (slot[h] >= 0 && fid[size_t(slot[h])] != id) {
            h = (h + 1) & mask;
            if (budget-- == 0) return SIZE_MAX;
        }
        return h;
    };
    for (size_t row = 0; row < fid.size(); row++) {
        const size_t h = find(fid[row]);
        if (h == SIZE_MAX) return frame_rows_by_sort(m);
        if (slot[h] < 0) slot[h] = int32_t(row);
    }
    for (size_t i = 0; i < ids.id.size(); i++) {
        const size_t h = find(ids.id[i]);
        if (h == SIZE_MAX) return frame_rows_by_sort(m);
        ids.frame[i] = slot[h];
    }
}

void read_app_info(Cursor& c, LoadContext& ctx) {
    auto& a = ctx.model.tail.app_info;
    const uint64_t n = c.get<uint64_t>();
    c.check_fits(n, 9, "app info lines");
    for (uint64_t i = 0; i < n; i++) {
        // A string reference: 8-byte value, then a flag byte (bit 0: the value is a string index, bit 1: active).
        const uint64_t v = c.get<uint64_t>();
        const uint8_t flags = c.get<uint8_t>();
        a.text.push_back(ctx.string_by_ref(v, flags));
    }
}

void read_frame_images(Cursor& c, LoadContext& ctx) {
    auto& fi = ctx.model.tail.frame_image;
    if (ctx.version >= file_version(0, 7, 8)) c.skip(c.get<uint32_t>());  // zstd dictionary of the images (not kept)
    const uint64_t n = c.get<uint64_t>();
    c.check_fits(n, 5, "frame images");
    for (uint64_t i = 0; i < n; i++) {
        const uint16_t w = c.get<uint16_t>(), h = c.get<uint16_t>();
        fi.width.push_back(w);
        fi.height.push_back(h);
        fi.flip.push_back(c.get<uint8_t>());
        const uint64_t bytes = uint64_t(w) * h / 2;  // DXT1: 4 bits per pixel
        fi.offset.push_back(c.consumed());
        fi.size.push_back(bytes);
        auto& data = ctx.model.tail.frame_image_bytes;
        fi.data_offset.push_back(data.size());
        c.check_fits(bytes, 1, "bytes of a frame image");
        data.resize(data.size() + size_t(bytes));
        c.bytes(data.data() + data.size() - size_t(bytes), size_t(bytes));
    }
}

}  // namespace tshim::tail
