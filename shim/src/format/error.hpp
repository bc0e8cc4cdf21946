// The one exception type the engine throws internally; the C API turns it into a status and a message.
#pragma once

#include <stdexcept>
#include <string>

#include "tracy_shim.h"

namespace tshim {

struct Error : std::runtime_error {
    int status;
    Error(int status_, const std::string& message) : std::runtime_error(message), status(status_) {}
};

}  // namespace tshim
