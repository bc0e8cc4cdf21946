// libFuzzer target over the tail reader alone (GPU section to the end of the payload), so mutations reach those
// sections without a whole valid front half. Byte 0 picks the file version; the rest is the tail payload.
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "model/capture.hpp"
#include "format/cursor.hpp"
#include "format/error.hpp"
#include "read/load_context.hpp"
#include "model/model.hpp"
#include "read/tail.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    // Every tail layout, 0.14 back to 0.7.0 (tail_seeds.py writes seeds for each, in this order).
    static const int kVersions[] = {
        tshim::file_version(0, 14, 0), tshim::file_version(0, 13, 1), tshim::file_version(0, 12, 3),
        tshim::file_version(0, 11, 2), tshim::file_version(0, 10, 0), tshim::file_version(0, 8, 4),
        tshim::file_version(0, 8, 2),  tshim::file_version(0, 7, 12), tshim::file_version(0, 7, 8),
        tshim::file_version(0, 7, 2),  tshim::file_version(0, 7, 0)};
    constexpr size_t kCount = sizeof(kVersions) / sizeof(kVersions[0]);
    const int version = kVersions[data[0] % kCount];
    tshim::Capture cap;
    tshim::Model model;
    tshim::LoadContext ctx(version, cap, model);
    tshim::Cursor c(data + 1, size - 1);
    try {
        tshim::read_tail(c, ctx);
        std::vector<tshim::Table> tables;
        tshim::register_tail_tables(model.tail, tables, cap);
    } catch (const tshim::Error&) {
    } catch (const std::bad_alloc&) {
    }
    return 0;
}
