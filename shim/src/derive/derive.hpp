// Statistics built once after loading (between TSHIM_READY and TSHIM_COMPLETE).
#pragma once

#include "model/capture.hpp"
#include "model/model.hpp"

namespace tshim {

// Sizes the derived columns (zero-filled) so that their tables can be registered at READY.
void prepare_derived(Model& m);
// Fills them: per-srcloc zone lists and zone statistics as upstream computes them.
void build_derived(Model& m, const Capture& cap);

}  // namespace tshim
