// The opaque handle behind the C API's tshim_capture: shared by api/capture_api.cpp and the live API (api/live_api.cpp), which
// hands out snapshot captures.
#pragma once

#include "model/capture.hpp"

struct tshim_capture {
    tshim::Capture impl;
};
