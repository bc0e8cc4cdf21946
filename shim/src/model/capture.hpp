// One capture held in memory: its load state, metadata, and the tables that expose its model.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "model/table.hpp"

namespace tshim {

struct Model;  // the capture's data, defined by the loader (model/model.hpp)

class Capture {
public:
    Capture();
    ~Capture();
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;

    void start_file_load(std::string path);
    int state() const { return state_.load(); }
    int wait(int state, double timeout_s);
    void set_state(int state);
    void fail(int status, std::string message);
    // Sets `cancel` if the capture is still loading (a readable capture is left alone).
    void cancel_load();
    int error_status() const;
    std::string error() const;

    // Progress, updated by the loader.
    std::atomic<uint64_t> progress_done{0};
    std::atomic<uint64_t> progress_total{0};
    std::atomic<const char*> stage{"opening"};
    // Set by tshim_close; long-running loaders poll it and stop early.
    std::atomic<bool> cancel{false};

    // Filled by the loader before the state becomes TSHIM_READY; read-only afterwards.
    std::map<std::string, int64_t> meta_int;
    std::map<std::string, double> meta_float;
    std::map<std::string, std::string> meta_str;
    std::vector<Table> tables;
    std::unique_ptr<Model> model;

    const Table* find_table(const std::string& name) const;

private:
    std::atomic<int> state_{TSHIM_LOADING};
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string error_;
    int error_status_ = TSHIM_OK;
    std::thread worker_;
};

}  // namespace tshim
