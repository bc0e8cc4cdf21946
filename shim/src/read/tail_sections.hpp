// The tail section readers, in file order; each reads exactly its section and fills ctx.model.tail.
#pragma once

#include <cstdint>
#include <vector>

namespace tshim {

class Cursor;
struct LoadContext;
struct TailModel;

namespace tail {

void read_gpu(Cursor& c, LoadContext& ctx);
void read_plots(Cursor& c, LoadContext& ctx);
void read_memory(Cursor& c, LoadContext& ctx);
void read_callstacks(Cursor& c, LoadContext& ctx);
void read_app_info(Cursor& c, LoadContext& ctx);
void read_frame_images(Cursor& c, LoadContext& ctx);
void read_context_switches(Cursor& c, LoadContext& ctx);
void read_cpu_data(Cursor& c, LoadContext& ctx);
void read_symbols(Cursor& c, LoadContext& ctx);
void read_symbol_code(Cursor& c, LoadContext& ctx);
void read_hw_samples(Cursor& c, LoadContext& ctx);
void read_source_files(Cursor& c, LoadContext& ctx);

// Derivations the server makes after loading (its background stage), done once the tail is read.
void derive_memory_plots(TailModel& m, int64_t first_time);
void derive_callstack_frame_rows(TailModel& m);
// `own_tids`: sorted tids of the program's threads that have zones or samples; `pid`: the program's process id.
void derive_cpu_usage(TailModel& m, const std::vector<uint64_t>& own_tids, uint64_t pid);

}  // namespace tail
}  // namespace tshim
