#include "model/capture.hpp"

#include <chrono>

#include "format/error.hpp"
#include "read/load_file.hpp"
#include "model/model.hpp"

namespace tshim {

Capture::Capture() = default;

Capture::~Capture() {
    cancel = true;
    if (worker_.joinable()) worker_.join();
}

void Capture::start_file_load(std::string path) {
    worker_ = std::thread([this, path = std::move(path)] {
        try {
            load_file(*this, path);
            if (state() < TSHIM_COMPLETE) set_state(TSHIM_COMPLETE);
        } catch (const Error& e) {
            fail(e.status, e.what());
        } catch (const std::bad_alloc&) {
            fail(TSHIM_ERR_MEMORY, "out of memory while loading " + path);
        } catch (const std::exception& e) {
            fail(TSHIM_ERR_INTERNAL, std::string("internal error while loading: ") + e.what());
        }
    });
}

void Capture::set_state(int s) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        state_ = s;
    }
    changed_.notify_all();
}

void Capture::fail(int status, std::string message) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        error_ = std::move(message);
        error_status_ = status;
        state_ = TSHIM_FAILED;
    }
    changed_.notify_all();
}

void Capture::cancel_load() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (state_ == TSHIM_LOADING) cancel = true;
}

std::string Capture::error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return error_;
}

int Capture::error_status() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return error_status_;
}

int Capture::wait(int s, double timeout_s) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto done = [&] { return state_ >= s || state_ == TSHIM_FAILED; };
    if (timeout_s < 0) {
        changed_.wait(lock, done);
    } else {
        changed_.wait_for(lock, std::chrono::duration<double>(timeout_s), done);
    }
    return state_;
}

const Table* Capture::find_table(const std::string& name) const {
    for (const auto& t : tables)
        if (t.name == name) return &t;
    return nullptr;
}

}  // namespace tshim
