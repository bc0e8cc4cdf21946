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
    static const int kVersions[] = {tshim::file_version(0, 14, 0), tshim::file_version(0, 13, 1),
                                    tshim::file_version(0, 12, 3), tshim::file_version(0, 11, 2)};
    const int version = kVersions[data[0] % 4];
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
