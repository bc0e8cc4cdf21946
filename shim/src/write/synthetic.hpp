// A capture of generated data, built in memory: what benchmarks and tests use when they need a capture of a
// given size (tshim_synthetic). Its shape is that of a busy worker pool: each worker thread runs batches of 105
// nested zones (1 "Batch" > 8 "Task" > 4 "Step" > 2 "Leaf", one Task in 8 with a value text), with jittered
// durations of tens of nanoseconds, and a main thread runs a 100 Hz frame loop ("MainFrame" > "Poll").
#pragma once

#include <cstdint>

namespace tshim {

class Capture;

// Fills `cap` (model, metadata, tables; state COMPLETE) with about `zones` worker zones (rounded down to whole
// batches per thread) over `threads` worker threads; the same `seed` gives the same capture.
void build_synthetic(Capture& cap, uint64_t zones, int threads, uint64_t seed);

}  // namespace tshim
