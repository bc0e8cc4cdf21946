// A blocking TCP client connection with timeouts, for talking to one Tracy client.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace tshim::live {

class TcpConnection {
public:
    TcpConnection() = default;
    ~TcpConnection();
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    // Resolves `host` and connects within timeout_s; throws tshim::Error(TSHIM_ERR_IO) with the reason.
    void connect(const std::string& host, uint16_t port, double timeout_s);
    void close();
    bool is_open() const;

    // Sends all bytes; false when the peer is gone.
    bool send_all(const void* data, size_t size);

    enum class Read { Ok, Closed, Timeout, Cancelled };
    // Reads exactly `size` bytes. Gives up after timeout_s without any progress (< 0: never), or when `cancel`
    // becomes true (checked every few milliseconds).
    Read read_exact(void* data, size_t size, double timeout_s, const std::atomic<bool>* cancel);

    // Whether bytes (or the peer's close) are waiting to be read, waiting at most timeout_ms.
    bool readable(int timeout_ms) const;

    // Bytes the kernel lets us queue for sending (bounds how many requests we keep in flight).
    size_t send_buffer_size() const;

private:
    intptr_t fd_ = -1;
};

}  // namespace tshim::live
