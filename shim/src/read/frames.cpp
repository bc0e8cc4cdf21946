// Frame sets (with their frames) and sections.
#include <limits>

#include "derive/frame_stats.hpp"
#include "model/memory.hpp"
#include "read/reader.hpp"

namespace tshim {

namespace {

int64_t read_int48(Cursor& c) {
    uint8_t b[6];
    c.bytes(b, 6);
    uint64_t v = 0;
    for (int i = 5; i >= 0; i--) v = (v << 8) | b[i];
    if (v & (uint64_t(1) << 47)) v |= ~((uint64_t(1) << 48) - 1);  // sign-extend
    return int64_t(v);
}

}  // namespace

void read_frames(Cursor& c, LoadContext& ctx) {
    auto& fs = ctx.model.frame_sets;
    auto& fr = ctx.model.frames;
    const int64_t last_time = ctx.cap.meta_int["last_time"];
    const auto sets = c.get<uint64_t>();
    c.check_fits(sets, 17, "frame sets");
    if (sets == 0) throw Error(TSHIM_ERR_FORMAT, "capture is corrupt: it has no frame sets");
    for (uint64_t i = 0; i < sets; i++) {
        const auto name = c.get<uint64_t>();
        const auto continuous = c.get<uint8_t>();
        const auto count = c.get<uint64_t>();
        c.check_fits(count, continuous ? 12 : 20, "frames");
        const auto set_row = int32_t(fs.name_ptr.size());
        const auto begin = fr.start.size();
        const size_t more = c.plausible_reserve(count, 1);
        reserve_more(fr.start, more);
        reserve_more(fr.end, more);
        reserve_more(fr.image, more);
        reserve_more(fr.frame_set, more);
        int64_t ref = 0;
        for (uint64_t j = 0; j < count; j++) {
            fr.start.push_back(c.time_delta(ref));
            fr.end.push_back(continuous ? -1 : c.time_delta(ref));
            fr.image.push_back(c.get<int32_t>());
            fr.frame_set.push_back(set_row);
        }
        const auto end = fr.start.size();
        finish_frame_set(ctx.model, begin, end, continuous != 0, last_time);
        fs.name_ptr.push_back(name);
        fs.name.push_back(-1);  // resolved once the string table is read
        fs.continuous.push_back(continuous);
        fs.frames_begin.push_back(int32_t(begin));
        fs.frames_end.push_back(int32_t(end));
        if (fr.start.size() > size_t(std::numeric_limits<int32_t>::max()))
            throw Error(TSHIM_ERR_FORMAT, "capture is corrupt: too many frames");
    }
    if (fs.name_ptr[0] != 0) throw Error(TSHIM_ERR_FORMAT, "capture is corrupt: the first frame set is not the base set");
}

void read_sections(Cursor& c, LoadContext& ctx) {
    auto& s = ctx.model.sections;
    auto& cat = ctx.model.section_categories;
    auto read_items = [&](uint16_t category, uint64_t count) {
        c.check_fits(count, 15, "sections");
        for (uint64_t i = 0; i < count; i++) {
            s.category.push_back(category);
            s.start.push_back(read_int48(c));
            s.end.push_back(read_int48(c));
            s.text.push_back(int32_t(c.u24()));  // raw StringIdx, resolved after the string table
        }
    };
    if (ctx.version >= file_version(0, 13, 5)) {
        const auto categories = c.get<uint64_t>();
        c.check_fits(categories, 10, "section categories");
        for (uint64_t i = 0; i < categories; i++) {
            const auto category = c.get<uint16_t>();
            read_items(category, c.get<uint64_t>());
        }
        const auto descriptions = c.get<uint64_t>();
        c.check_fits(descriptions, 5, "section descriptions");
        for (uint64_t i = 0; i < descriptions; i++) {
            cat.category.push_back(c.get<uint16_t>());
            cat.description.push_back(int32_t(c.u24()));  // raw StringIdx
        }
    } else if (ctx.version == file_version(0, 13, 4)) {
        read_items(0, c.get<uint64_t>());
        cat.category.push_back(0);
        cat.description.push_back(0);
    }
}

}  // namespace tshim
