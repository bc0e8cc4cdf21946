// One live connection to a Tracy client: handshake (choosing protocol 82 or 76), then a network thread that
// receives the compressed event stream, decodes it into the ingest state under a lock, answers the client's needs
// and ends cleanly (client finished, memory limit, user request, client lost). Snapshots of what was received are
// frozen Captures that read exactly like a loaded file.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace tshim {
class Capture;
}

namespace tshim::live {

class LiveIngest;

enum class SessionState : int { Connecting = 0, Streaming = 1, Finishing = 2, Disconnected = 3, Failed = -1 };
enum class EndReason : int { None = 0, ClientFinished = 1, MemoryLimit = 2, UserRequest = 3, ConnectionLost = 4,
                             ProtocolError = 5, HandshakeFailed = 6 };

struct SessionStats {
    int state = 0;
    int end_reason = 0;
    uint32_t protocol = 0;
    uint64_t bytes_received = 0;      // compressed, as on the wire
    uint64_t bytes_decoded = 0;
    uint64_t frames = 0;              // LZ4 frames
    uint64_t events = 0;
    uint64_t memory_bytes = 0;        // estimate of what the capture holds
    uint64_t generation = 0;          // bumps whenever new data was ingested
    uint64_t queries_pending = 0;
    double connected_seconds = 0;
};

class Session {
public:
    // Starts connecting on a background thread; `protocol` 0 tries 82 then 76.
    Session(std::string host, uint16_t port, uint64_t memory_limit, uint32_t protocol);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Waits until the handshake is over (streaming or failed) or timeout_s passes; returns the state.
    int wait_started(double timeout_s);
    // Waits until the session has ended (disconnected or failed) or timeout_s passes; returns the state.
    int wait_ended(double timeout_s);
    SessionStats stats() const;
    std::string error() const;  // why it failed / ended ("" while streaming)
    int error_status() const;

    // Asks the client to stop (terminate request) and ends the session; data stays.
    void request_stop();
    // Fills `cap` (fresh) with a frozen copy of everything received so far, as a complete capture.
    void snapshot(Capture& cap);

private:
    void run();
    void handshake();
    void stream();
    void finish(SessionState state, EndReason reason, int status, const std::string& message);

    std::string host_;
    uint16_t port_;
    uint64_t memory_limit_;
    uint32_t protocol_hint_;

    std::unique_ptr<LiveIngest> ingest_;
    struct Net;
    std::unique_ptr<Net> net_;

    mutable std::mutex data_mutex_;   // guards ingest_ (held while decoding a frame or taking a snapshot)
    mutable std::mutex state_mutex_;
    std::condition_variable changed_;
    std::atomic<int> state_{int(SessionState::Connecting)};
    std::atomic<int> end_reason_{0};
    std::atomic<uint32_t> protocol_{0};
    std::atomic<uint64_t> bytes_received_{0}, bytes_decoded_{0}, frames_{0}, events_{0}, memory_{0}, generation_{0},
        queries_pending_{0};
    std::atomic<bool> stop_{false};
    std::string error_;
    int error_status_ = 0;
    std::chrono::steady_clock::time_point started_;
    std::thread thread_;
};

}  // namespace tshim::live
