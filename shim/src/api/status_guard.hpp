// Runs the body of one extern "C" call so that no exception crosses the C boundary: each one becomes a status
// code, its message kept in the caller's last-error string (api/capture_api.cpp and api/save_api.cpp each keep their own).
#pragma once

#include <exception>
#include <new>
#include <string>

#include "format/error.hpp"
#include "tracy_shim.h"

namespace tshim {

template <class F> int guard_status(std::string& last_error, F&& body) {
    auto fail = [&](int status, const char* message) {
        last_error = message;
        return status;
    };
    try {
        last_error.clear();
        return body();
    } catch (const Error& e) {
        return fail(e.status, e.what());
    } catch (const std::bad_alloc&) {
        return fail(TSHIM_ERR_MEMORY, "out of memory");
    } catch (const std::exception& e) {
        return fail(TSHIM_ERR_INTERNAL, e.what());
    } catch (...) {
        return fail(TSHIM_ERR_INTERNAL, "unknown internal error");
    }
}

}  // namespace tshim
