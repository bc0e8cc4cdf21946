// The opaque handle behind the C API's tshim_capture: shared by api.cpp and the live API (live_api.cpp), which
// hands out snapshot captures.
#pragma once

#include "capture.hpp"

struct tshim_capture {
    tshim::Capture impl;
};
