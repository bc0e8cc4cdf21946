// Reader of everything a .tracy payload holds from the GPU-zone counts to the end of the file.
#pragma once

#include <vector>

#include "model/tail_model.hpp"
#include "model/table.hpp"

namespace tshim {

class Capture;
class Cursor;
struct LoadContext;

// Parses the tail sections in file order into ctx.model.tail; throws tshim::Error on malformed input.
void read_tail(Cursor& c, LoadContext& ctx);
// The derivations upstream makes once everything is received (callstack frame rows, memory and CPU-usage plots,
// plot names, tail metadata); read_tail ends with it, and a live snapshot runs it on its filled model.
void finish_tail(LoadContext& ctx);
// Appends the tail's tables (views into `m`) to `tables`; `cap` receives any tail metadata.
void register_tail_tables(const TailModel& m, std::vector<Table>& tables, Capture& cap);

}  // namespace tshim
