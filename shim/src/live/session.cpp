#include "live/session.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "model/capture.hpp"
#include "format/error.hpp"
#include "live/events.hpp"
#include "live/ingest.hpp"
#include "live/protocol.hpp"
#include "live/queries.hpp"
#include "live/socket.hpp"
#include "live/stream.hpp"
#include "live/time.hpp"

namespace tshim::live {

namespace {

constexpr double kConnectTimeout = 5.0;
constexpr double kHandshakeTimeout = 10.0;
constexpr double kSilenceLimit = 30.0;   // clients send a keep-alive every few seconds when idle
constexpr double kFinishGrace = 3.0;     // after the client's end, how long we wait for outstanding answers
constexpr double kStopGrace = 2.0;       // after our stop request, how long we let the client flush
constexpr double kLimitGrace = 10.0;     // past the memory limit, how long we wait for the names already asked

std::string endpoint(const std::string& host, uint16_t port) { return host + ":" + std::to_string(port); }

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

template <class T> T take(const uint8_t*& p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T);
    return v;
}

std::string_view fixed_text(const uint8_t* p, size_t n) {
    const auto* c = reinterpret_cast<const char*>(p);
    const void* nul = std::memchr(c, 0, n);
    return std::string_view(c, nul ? size_t(static_cast<const char*>(nul) - c) : n);
}

}  // namespace

struct Session::Net {
    TcpConnection sock;
    FrameDecoder frames;
    QueryBook queries;
    std::unique_ptr<EventDecoder> decoder;
    std::vector<uint8_t> buffer = std::vector<uint8_t>(kMaxCompressedFrame);
};

Session::Session(std::string host, uint16_t port, uint64_t memory_limit, uint32_t protocol)
    : host_(std::move(host)), port_(port), memory_limit_(memory_limit), protocol_hint_(protocol),
      ingest_(std::make_unique<LiveIngest>()), net_(std::make_unique<Net>()),
      started_(std::chrono::steady_clock::now()) {
    thread_ = std::thread([this] { run(); });
}

Session::~Session() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void Session::finish(SessionState state, EndReason reason, int status, const std::string& message) {
    {
        std::lock_guard<std::mutex> lock(state_mutex_);
        if (state_ == int(SessionState::Disconnected) || state_ == int(SessionState::Failed)) return;
        error_ = message;
        error_status_ = status;
        end_reason_ = int(reason);
        state_ = int(state);
    }
    changed_.notify_all();
}

void Session::run() {
    try {
        handshake();
    } catch (const Error& e) {
        net_->sock.close();
        finish(SessionState::Failed, EndReason::HandshakeFailed, e.status, e.what());
        return;
    } catch (const std::exception& e) {
        net_->sock.close();
        finish(SessionState::Failed, EndReason::HandshakeFailed, TSHIM_ERR_INTERNAL, e.what());
        return;
    }
    try {
        stream();
    } catch (const Error& e) {
        // Bad data from the client: stop it, keep what arrived so far.
        uint8_t packet[kQueryPacketSize];
        QueryBook::encode(Query::Terminate, 0, 0, packet);
        net_->sock.send_all(packet, sizeof(packet));
        finish(SessionState::Disconnected, EndReason::ProtocolError, e.status, e.what());
    } catch (const std::bad_alloc&) {
        finish(SessionState::Disconnected, EndReason::MemoryLimit, TSHIM_ERR_MEMORY,
               "out of memory while receiving; the data received so far is kept");
    } catch (const std::exception& e) {
        finish(SessionState::Disconnected, EndReason::ProtocolError, TSHIM_ERR_INTERNAL, e.what());
    }
    net_->sock.close();
}

void Session::handshake() {
    const std::string where = endpoint(host_, port_);
    std::vector<uint32_t> versions;
    if (protocol_hint_ != 0) {
        if (!wire_table(protocol_hint_))
            throw Error(TSHIM_ERR_VERSION, "the Tracy client at " + where + " speaks protocol " +
                                               std::to_string(protocol_hint_) +
                                               "; tracy-mcp speaks protocols 82 (Tracy 0.14.x) and 76 (Tracy 0.13.x)");
        versions.push_back(protocol_hint_);
    } else {
        versions = {kProtocol014, kProtocol013};
    }

    auto& sock = net_->sock;
    uint32_t chosen = 0;
    for (uint32_t v : versions) {
        if (stop_) throw Error(TSHIM_ERR_STATE, "connection to " + where + " cancelled");
        // The program may still be starting: retry a refused connection until the connect timeout.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(kConnectTimeout);
        for (;;) {
            try {
                sock.connect(host_, port_, kConnectTimeout);
                break;
            } catch (const Error&) {
                if (stop_ || std::chrono::steady_clock::now() > deadline) throw;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
        uint8_t hello[sizeof(kShibboleth) + 4];
        std::memcpy(hello, kShibboleth, sizeof(kShibboleth));
        std::memcpy(hello + sizeof(kShibboleth), &v, 4);
        if (!sock.send_all(hello, sizeof(hello)))
            throw Error(TSHIM_ERR_IO, "the Tracy client at " + where + " closed the connection during the handshake");
        uint8_t answer = 0;
        const auto r = sock.read_exact(&answer, 1, kHandshakeTimeout, &stop_);
        if (r == TcpConnection::Read::Cancelled) throw Error(TSHIM_ERR_STATE, "connection to " + where + " cancelled");
        if (r != TcpConnection::Read::Ok)
            throw Error(TSHIM_ERR_IO, "the program at " + where +
                                          " did not answer Tracy's handshake (not a Tracy client, or it is busy "
                                          "with another server)");
        const auto status = Handshake(answer);
        if (status == Handshake::Welcome) {
            chosen = v;
            break;
        }
        sock.close();
        if (status == Handshake::ProtocolMismatch) continue;
        if (status == Handshake::NotAvailable)
            throw Error(TSHIM_ERR_IO, "the Tracy client at " + where +
                                          " is not available: another profiler is already connected to it, or it "
                                          "already sent its data to one and accepts no new connection");
        throw Error(TSHIM_ERR_IO, "the Tracy client at " + where + " refused the connection (handshake status " +
                                      std::to_string(int(answer)) + ")");
    }
    if (chosen == 0)
        throw Error(TSHIM_ERR_VERSION,
                    "the Tracy client at " + where +
                        " speaks another protocol version than tracy-mcp: it refused both protocol 82 (Tracy 0.14.x) "
                        "and 76 (Tracy 0.13.x); rebuild the program with a Tracy 0.13 or 0.14 client, or use the "
                        "profiler of its own Tracy version");

    uint8_t w[kWelcomeSize];
    if (sock.read_exact(w, sizeof(w), kHandshakeTimeout, &stop_) != TcpConnection::Read::Ok)
        throw Error(TSHIM_ERR_IO, "the Tracy client at " + where + " closed the connection before its welcome message");
    const uint8_t* p = w;
    WelcomeInfo info;
    info.protocol = chosen;
    info.timer_mul = take<double>(p);
    info.init_begin = take<int64_t>(p);
    const int64_t init_end = take<int64_t>(p);
    const uint64_t resolution = take<uint64_t>(p);
    info.epoch = take<uint64_t>(p);
    info.exec_time = take<uint64_t>(p);
    info.pid = take<uint64_t>(p);
    const int64_t sampling = take<int64_t>(p);
    info.flags = take<uint8_t>(p);
    info.cpu_arch = take<uint8_t>(p);
    info.cpu_manufacturer = fixed_text(p, 12);
    p += 12;
    info.cpu_id = take<uint32_t>(p);
    info.program_name = fixed_text(p, kProgramNameSize);
    p += kProgramNameSize;
    info.host_info = fixed_text(p, kHostInfoSize);
    if (!(info.timer_mul > 0) || info.timer_mul > 1e9)
        throw Error(TSHIM_ERR_FORMAT, "the Tracy client at " + where + " sent an invalid timer description");

    auto decoder = std::make_unique<EventDecoder>(*wire_table(chosen), *ingest_, net_->queries);
    decoder->set_timer(info.init_begin, info.timer_mul);
    info.init_end_ns = decoder->to_ns(init_end);
    info.resolution_ns = clamp_time(double(resolution) * info.timer_mul);
    info.sampling_period_ns = clamp_time(double(sampling) * info.timer_mul);
    info.on_demand = (info.flags & kFlagOnDemand) != 0;
    if (info.on_demand) {
        uint8_t od[kOnDemandSize];
        if (sock.read_exact(od, sizeof(od), kHandshakeTimeout, &stop_) != TcpConnection::Read::Ok)
            throw Error(TSHIM_ERR_IO, "the Tracy client at " + where + " closed the connection during the handshake");
        const uint8_t* q = od;
        info.on_demand_frames = take<uint64_t>(q);
        info.on_demand_time_ns = decoder->to_ns(take<int64_t>(q));
    }
    {
        std::lock_guard<std::mutex> lock(data_mutex_);
        ingest_->on_welcome(info);
    }
    net_->decoder = std::move(decoder);
    const size_t space = std::min<size_t>(sock.send_buffer_size() / kQueryPacketSize, 8 * 1024);
    net_->queries.reset(space > 8 ? space - 4 : 4);  // keep room for the terminate request
    protocol_ = chosen;
    generation_++;
    {
        std::lock_guard<std::mutex> lock(state_mutex_);
        state_ = int(SessionState::Streaming);
    }
    changed_.notify_all();
}

void Session::stream() {
    auto& sock = net_->sock;
    auto& queries = net_->queries;
    auto& decoder = *net_->decoder;
    auto last_data = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point ended_at{};
    bool client_ended = false;
    bool stopping = false;
    std::chrono::steady_clock::time_point stop_at{};
    bool limit_reached = false;
    std::chrono::steady_clock::time_point limit_at{};
    uint8_t terminate[kQueryPacketSize];
    QueryBook::encode(Query::Terminate, 0, 0, terminate);

    for (;;) {
        if (stop_ && !stopping) {
            stopping = true;
            stop_at = std::chrono::steady_clock::now();
            // Like upstream's disconnect: the program flushes and drops the connection but keeps running (an
            // on-demand program can be attached to again).
            uint8_t disconnect[kQueryPacketSize];
            QueryBook::encode(Query::Disconnect, 0, 0, disconnect);
            sock.send_all(disconnect, sizeof(disconnect));
            std::lock_guard<std::mutex> lock(state_mutex_);
            if (state_ == int(SessionState::Streaming)) state_ = int(SessionState::Finishing);
        }
        if (stopping && seconds_since(stop_at) > kStopGrace) {
            finish(SessionState::Disconnected, EndReason::UserRequest, TSHIM_OK, "disconnected on request");
            return;
        }
        // Past the memory limit, nothing new is kept, but the names and source locations of what was kept may
        // still be on their way (the client answers our requests within its stream): read only those answers
        // until none is outstanding, for a bounded time, then stop the program.
        if (memory_limit_ > 0 && memory_ > memory_limit_ && !limit_reached) {
            limit_reached = true;
            limit_at = std::chrono::steady_clock::now();
            decoder.answers_only();
            std::lock_guard<std::mutex> lock(state_mutex_);
            if (state_ == int(SessionState::Streaming)) state_ = int(SessionState::Finishing);
        }
        if (limit_reached && (!queries.outstanding() || seconds_since(limit_at) > kLimitGrace)) {
            sock.send_all(terminate, sizeof(terminate));
            finish(SessionState::Disconnected, EndReason::MemoryLimit, TSHIM_ERR_MEMORY,
                   "stopped at the memory limit of " + std::to_string(memory_limit_ / (1024 * 1024)) +
                       " MiB; the data received so far is kept");
            return;
        }
        // After the program's end notice, late events (zone ends of threads still finishing) and answers may
        // follow: wait for them, as upstream does, but not forever.
        bool settled = false;
        if (client_ended && !queries.outstanding()) {
            std::lock_guard<std::mutex> lock(data_mutex_);
            settled = decoder.crashed() || ingest_->open_zones() == 0;
        }
        if (client_ended && (settled || seconds_since(ended_at) > kFinishGrace)) {
            sock.send_all(terminate, sizeof(terminate));
            finish(SessionState::Disconnected, EndReason::ClientFinished, TSHIM_OK, "the program finished");
            return;
        }

        if (!sock.readable(100)) {
            if (!queries.flush(sock)) {
                finish(SessionState::Disconnected, EndReason::ConnectionLost, TSHIM_ERR_IO,
                       "the connection to the program was lost; the data received so far is kept");
                return;
            }
            if (!client_ended && !stopping && seconds_since(last_data) > kSilenceLimit) {
                finish(SessionState::Disconnected, EndReason::ConnectionLost, TSHIM_ERR_IO,
                       "the program stopped sending (no keep-alive for 30 s); the data received so far is kept");
                return;
            }
            continue;
        }
        uint32_t size = 0;
        bool whole = sock.read_exact(&size, sizeof(size), 10.0, nullptr) == TcpConnection::Read::Ok;
        if (whole && (size == 0 || size > net_->buffer.size()))
            throw Error(TSHIM_ERR_FORMAT, "live stream: a frame of " + std::to_string(size) +
                                              " bytes is outside what the protocol allows");
        whole = whole && sock.read_exact(net_->buffer.data(), size, 10.0, nullptr) == TcpConnection::Read::Ok;
        if (!whole) {
            if (limit_reached) {
                finish(SessionState::Disconnected, EndReason::MemoryLimit, TSHIM_ERR_MEMORY,
                       "stopped at the memory limit of " + std::to_string(memory_limit_ / (1024 * 1024)) +
                           " MiB (the program closed the connection while its last names were awaited); the data "
                           "received so far is kept");
            } else if (client_ended || stopping) {
                finish(SessionState::Disconnected, client_ended ? EndReason::ClientFinished : EndReason::UserRequest,
                       TSHIM_OK, client_ended ? "the program finished" : "disconnected on request");
            } else {
                finish(SessionState::Disconnected, EndReason::ConnectionLost, TSHIM_ERR_IO,
                       "the program closed the connection mid-stream (it exited or was killed); the data received "
                       "so far is kept");
            }
            return;
        }
        last_data = std::chrono::steady_clock::now();
        const auto span = net_->frames.decode(net_->buffer.data(), size);
        {
            std::lock_guard<std::mutex> lock(data_mutex_);
            decoder.decode(span.data, span.size);
            memory_ = ingest_->memory_bytes();
        }
        bytes_received_ += size + 4;
        bytes_decoded_ += span.size;
        frames_++;
        events_ = decoder.events();
        generation_++;
        queries_pending_ = queries.queued();
        if (decoder.terminated() && !client_ended) {
            client_ended = true;
            ended_at = std::chrono::steady_clock::now();
            std::lock_guard<std::mutex> lock(state_mutex_);
            if (state_ == int(SessionState::Streaming)) state_ = int(SessionState::Finishing);
        }
        if (!queries.flush(sock)) {
            finish(SessionState::Disconnected, EndReason::ConnectionLost, TSHIM_ERR_IO,
                   "the connection to the program was lost");
            return;
        }
    }
}

int Session::wait_started(double timeout_s) {
    std::unique_lock<std::mutex> lock(state_mutex_);
    auto done = [&] { return state_ != int(SessionState::Connecting); };
    if (timeout_s < 0) changed_.wait(lock, done);
    else changed_.wait_for(lock, std::chrono::duration<double>(timeout_s), done);
    return state_;
}

int Session::wait_ended(double timeout_s) {
    std::unique_lock<std::mutex> lock(state_mutex_);
    auto done = [&] { return state_ == int(SessionState::Disconnected) || state_ == int(SessionState::Failed); };
    if (timeout_s < 0) changed_.wait(lock, done);
    else changed_.wait_for(lock, std::chrono::duration<double>(timeout_s), done);
    return state_;
}

SessionStats Session::stats() const {
    SessionStats s;
    s.state = state_;
    s.end_reason = end_reason_;
    s.protocol = protocol_;
    s.bytes_received = bytes_received_;
    s.bytes_decoded = bytes_decoded_;
    s.frames = frames_;
    s.events = events_;
    s.memory_bytes = memory_;
    s.generation = generation_;
    s.queries_pending = queries_pending_;
    s.connected_seconds = seconds_since(started_);
    return s;
}

std::string Session::error() const {
    std::lock_guard<std::mutex> lock(state_mutex_);
    return error_;
}

int Session::error_status() const {
    std::lock_guard<std::mutex> lock(state_mutex_);
    return error_status_;
}

void Session::request_stop() { stop_ = true; }

void Session::snapshot(Capture& cap) {
    const int state = state_;
    if (state == int(SessionState::Connecting) || state == int(SessionState::Failed))
        throw Error(TSHIM_ERR_STATE, state == int(SessionState::Failed) ? "the live connection failed: " + error()
                                                                           : "the live connection is not up yet");
    const bool connected = state == int(SessionState::Streaming) || state == int(SessionState::Finishing);
    if (!connected) {
        // Nothing changes any more: build straight from the state.
        std::lock_guard<std::mutex> lock(data_mutex_);
        ingest_->build(cap, false);
        return;
    }
    // Copy under the lock (short), build outside it, so the network thread keeps up.
    std::unique_ptr<LiveIngest> copy;
    {
        std::lock_guard<std::mutex> lock(data_mutex_);
        copy = std::make_unique<LiveIngest>(*ingest_);
    }
    copy->build(cap, true);
}

}  // namespace tshim::live
