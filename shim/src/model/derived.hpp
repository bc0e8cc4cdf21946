// A part of the model that is built from the rest on first use (once, by whichever thread asks first), so that
// loading does not pay, in time or memory, for what a session may never read.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <utility>

namespace tshim {

class Derived {
public:
    explicit Derived(std::function<void()> build) : build_(std::move(build)) {}
    Derived(const Derived&) = delete;
    Derived& operator=(const Derived&) = delete;

    // Builds the part unless built; an exception leaves it unbuilt (the next call tries again).
    void ensure() const {
        std::call_once(once_, [this] {
            build_();
            built_ = true;
        });
    }
    bool built() const { return built_; }

private:
    std::function<void()> build_;
    mutable std::once_flag once_;
    mutable std::atomic<bool> built_{false};
};

}  // namespace tshim
