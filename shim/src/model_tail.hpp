// The tail of a capture (GPU zones onwards: GPU, plots, memory, callstacks, symbols, context switches, ...),
// stored columnar as the reader finds it. Filled by read_tail.cpp; exposed by register_tail_tables().
#pragma once

#include <cstdint>
#include <vector>

namespace tshim {

struct TailModel {};

}  // namespace tshim
