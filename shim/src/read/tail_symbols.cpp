// Symbols, symbol code, the code address -> symbol map, hardware samples and the source file cache.
#include <algorithm>
#include <numeric>

#include "model/model.hpp"
#include "read/tail_io.hpp"
#include "read/tail_sections.hpp"

namespace tshim::tail {

namespace {

// Reorders every column of the symbol table by address (stable: of duplicated addresses the first stored stays
// first, matching the server's map which keeps the first).
void sort_symbols_by_addr(TailModel::Symbols& s) {
    std::vector<size_t> order(s.addr.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return s.addr[a] < s.addr[b]; });
    auto apply = [&](auto& col) {
        std::remove_reference_t<decltype(col)> out;
        out.reserve(col.size());
        for (size_t i : order) out.push_back(col[i]);
        col.swap(out);
    };
    apply(s.addr);
    apply(s.name);
    apply(s.file);
    apply(s.image);
    apply(s.call_file);
    apply(s.line);
    apply(s.call_line);
    apply(s.size);
    apply(s.is_inline);
}

}  // namespace

void read_symbols(Cursor& c, LoadContext& ctx) {
    auto& t = ctx.model.tail;
    auto& s = t.symbol;
    t.symbol_loc_count = c.get<uint64_t>();
    t.symbol_inline_count = c.get<uint64_t>();
    const uint64_t n = c.get<uint64_t>();
    c.check_fits(n, 8 + 3 + 3 + 4 + 3 + 3 + 4 + 1 + 3, "symbols");
    reserve_more(s.addr, n);
    for (auto* v : {&s.name, &s.file, &s.image, &s.call_file}) reserve_more(*v, n);
    for (auto* v : {&s.line, &s.call_line, &s.size}) reserve_more(*v, n);
    reserve_more(s.is_inline, n);
    for (uint64_t i = 0; i < n; i++) {
        s.addr.push_back(c.get<uint64_t>());
        s.name.push_back(string_idx(c, ctx));
        s.file.push_back(string_idx(c, ctx));
        s.line.push_back(c.get<uint32_t>());
        s.image.push_back(string_idx(c, ctx));
        s.call_file.push_back(string_idx(c, ctx));
        s.call_line.push_back(c.get<uint32_t>());
        s.is_inline.push_back(c.get<uint8_t>());
        s.size.push_back(c.u24());
    }
    if (!std::is_sorted(s.addr.begin(), s.addr.end())) sort_symbols_by_addr(s);
}

namespace {

// Files before 0.8.5 end the symbol code with the code addresses of each source line (packed file string index and
// line, then address deltas), which the server used for its source view. Nothing we answer needs it: count it.
void skip_code_locations(Cursor& c, LoadContext& ctx) {
    const uint64_t n = c.get<uint64_t>();
    c.check_fits(n, 8 + 2, "code location lines");
    uint64_t addresses = 0;
    for (uint64_t i = 0; i < n; i++) {
        c.get<uint64_t>();
        const uint16_t k = c.get<uint16_t>();
        c.check_fits(k, 8, "code location addresses");
        c.skip(size_t(k) * 8);
        addresses += k;
    }
    ctx.cap.meta_int["legacy_code_locations"] = int64_t(addresses);
}

}  // namespace

void read_symbol_code(Cursor& c, LoadContext& ctx) {
    auto& t = ctx.model.tail;
    const uint64_t n = c.get<uint64_t>();
    c.check_fits(n, 12, "symbol code blocks");
    for (uint64_t i = 0; i < n; i++) {
        t.symbol_code.addr.push_back(c.get<uint64_t>());
        const uint32_t len = c.get<uint32_t>();
        const size_t at = t.symbol_code_bytes.size();
        t.symbol_code.offset.push_back(at);
        t.symbol_code.size.push_back(len);
        c.append_bytes(t.symbol_code_bytes, len);  // grows with the bytes actually read
    }

    if (ctx.version < file_version(0, 8, 5)) skip_code_locations(c, ctx);
    if (ctx.version < file_version(0, 7, 9)) return;  // no code -> symbol map before 0.7.9
    const uint64_t m = c.get<uint64_t>();
    c.check_fits(m, 16, "code symbol entries");
    reserve_more(t.code_symbol.addr, m);
    reserve_more(t.code_symbol.sym_addr, m);
    for (uint64_t i = 0; i < m; i++) {
        t.code_symbol.addr.push_back(c.get<uint64_t>());
        t.code_symbol.sym_addr.push_back(c.get<uint64_t>());
    }
}

void read_hw_samples(Cursor& c, LoadContext& ctx) {
    if (ctx.version < file_version(0, 7, 9)) return;  // hardware samples are new in 0.7.9
    auto& h = ctx.model.tail.hw_sample;
    const uint64_t n = c.get<uint64_t>();
    c.check_fits(n, 8 + 6 * 8, "hardware sample addresses");
    for (uint64_t i = 0; i < n; i++) {
        const uint64_t addr = c.get<uint64_t>();
        // Six time lists per address: cycles, retired, cache_ref, cache_miss, branch_retired, branch_miss.
        for (uint8_t kind = 0; kind < 6; kind++) {
            const uint64_t k = c.get<uint64_t>();
            c.check_fits(k, 8, "hardware samples");
            int64_t ref = 0;
            for (uint64_t j = 0; j < k; j++) {
                h.addr.push_back(addr);
                h.kind.push_back(kind);
                h.time.push_back(c.time_delta(ref));
            }
        }
    }
}

void read_source_files(Cursor& c, LoadContext& ctx) {
    auto& t = ctx.model.tail;
    const uint64_t n = c.get<uint64_t>();
    c.check_fits(n, 8, "cached source files");
    for (uint64_t i = 0; i < n; i++) {
        const uint32_t name_len = c.get<uint32_t>();
        const std::string name = c.str(name_len);
        t.source_file.name.push_back(int32_t(ctx.intern(name)));
        const uint32_t len = c.get<uint32_t>();
        const size_t at = t.source_file_bytes.size();
        t.source_file.offset.push_back(at);
        t.source_file.size.push_back(len);
        c.append_bytes(t.source_file_bytes, len);  // grows with the bytes actually read
    }
}

}  // namespace tshim::tail
