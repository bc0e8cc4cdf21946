// Callstacks (lists of frame ids), the frames resolved for those ids, app info and frame images.
#include <algorithm>
#include <numeric>

#include "model.hpp"
#include "tail_io.hpp"
#include "tail_sections.hpp"

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

// Resolves every callstack entry's frame id to its callstack_frames row (the server's frame map lookup).
void derive_callstack_frame_rows(TailModel& m) {
    const auto& fid = m.callstack_frame.id;
    std::vector<int32_t> order(fid.size());
    std::iota(order.begin(), order.end(), 0);
    // Stable, so that for a duplicated id the first stored frame wins, as with the server's map.
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return fid[size_t(a)] < fid[size_t(b)]; });
    auto& ids = m.callstack_frame_id;
    for (size_t i = 0; i < ids.id.size(); i++) {
        const uint64_t id = ids.id[i];
        auto it = std::lower_bound(order.begin(), order.end(), id,
                                   [&](int32_t row, uint64_t v) { return fid[size_t(row)] < v; });
        ids.frame[i] = (it != order.end() && fid[size_t(*it)] == id) ? *it : -1;
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
    const uint32_t dict = c.get<uint32_t>();  // zstd dictionary of the images (not kept)
    c.skip(dict);
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
