#include "live/socket.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

#include "format/error.hpp"

#if defined(_WIN32)
#  include <winsock2.h>
#  include <ws2tcpip.h>
using socklen_t = int;
#  define TSHIM_CLOSESOCK closesocket
#  define TSHIM_POLL WSAPoll
#else
#  include <fcntl.h>
#  include <netdb.h>
#  include <netinet/in.h>
#  include <netinet/tcp.h>
#  include <poll.h>
#  include <sys/socket.h>
#  include <unistd.h>
#  define TSHIM_CLOSESOCK ::close
#  define TSHIM_POLL ::poll
#endif

namespace tshim::live {

namespace {

#if defined(_WIN32)
struct WinsockInit {
    WinsockInit() {
        WSADATA data;
        WSAStartup(MAKEWORD(2, 2), &data);
    }
    ~WinsockInit() { WSACleanup(); }
};
void ensure_winsock() { static WinsockInit init; }
using sock_t = SOCKET;
bool set_nonblocking(sock_t s, bool on) {
    u_long mode = on ? 1 : 0;
    return ioctlsocket(s, FIONBIO, &mode) == 0;
}
bool in_progress() { return WSAGetLastError() == WSAEWOULDBLOCK; }
bool would_block() { return WSAGetLastError() == WSAEWOULDBLOCK; }
constexpr int kSendFlags = 0;
#else
void ensure_winsock() {}
using sock_t = int;
bool set_nonblocking(sock_t s, bool on) {
    int flags = fcntl(s, F_GETFL, 0);
    if (flags < 0) return false;
    return fcntl(s, F_SETFL, on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK)) == 0;
}
bool in_progress() { return errno == EINPROGRESS; }
bool would_block() { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR; }
#  if defined(MSG_NOSIGNAL)
constexpr int kSendFlags = MSG_NOSIGNAL;  // a vanished peer must not raise SIGPIPE in the host process
#  else
constexpr int kSendFlags = 0;
#  endif
#endif

struct AddrInfoFree {
    void operator()(addrinfo* p) const { freeaddrinfo(p); }
};

// Polls one socket for `events`; returns >0 ready, 0 timeout, <0 error.
int poll_one(sock_t s, short events, int timeout_ms) {
    pollfd p{};
    p.fd = s;
    p.events = events;
    return TSHIM_POLL(&p, 1, timeout_ms);
}

}  // namespace

TcpConnection::~TcpConnection() { close(); }

bool TcpConnection::is_open() const { return fd_ != -1; }

void TcpConnection::close() {
    if (fd_ != -1) {
        TSHIM_CLOSESOCK(sock_t(fd_));
        fd_ = -1;
    }
}

void TcpConnection::connect(const std::string& host, uint16_t port, double timeout_s) {
    ensure_winsock();
    close();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* raw = nullptr;
    const std::string service = std::to_string(port);
    if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &raw); rc != 0 || !raw)
        throw Error(TSHIM_ERR_IO, "cannot resolve address " + host + ": " + gai_strerror(rc));
    std::unique_ptr<addrinfo, AddrInfoFree> list(raw);

    std::string last = "no address";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    for (addrinfo* ai = list.get(); ai; ai = ai->ai_next) {
        sock_t s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (s == sock_t(-1)) continue;
        set_nonblocking(s, true);
        int rc = ::connect(s, ai->ai_addr, socklen_t(ai->ai_addrlen));
        if (rc != 0 && in_progress()) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            int ready = poll_one(s, POLLOUT, int(left.count() > 0 ? left.count() : 0));
            int err = 0;
            socklen_t len = sizeof(err);
            if (ready > 0 && getsockopt(s, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&err), &len) == 0 && err == 0) {
                rc = 0;
            } else {
                last = ready == 0 ? "timed out" : std::strerror(err ? err : ECONNREFUSED);
            }
        } else if (rc != 0) {
            last = std::strerror(errno);
        }
        if (rc == 0) {
            set_nonblocking(s, false);
            int one = 1;
            setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof(one));
            fd_ = intptr_t(s);
            return;
        }
        TSHIM_CLOSESOCK(s);
    }
    throw Error(TSHIM_ERR_IO, "cannot connect to " + host + ":" + service + " (" + last + ")");
}

bool TcpConnection::send_all(const void* data, size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        auto n = ::send(sock_t(fd_), p, int(size), kSendFlags);
        if (n < 0) {
            if (would_block()) continue;
            return false;
        }
        p += n;
        size -= size_t(n);
    }
    return true;
}

TcpConnection::Read TcpConnection::read_exact(void* data, size_t size, double timeout_s,
                                              const std::atomic<bool>* cancel) {
    char* p = static_cast<char*>(data);
    auto last_progress = std::chrono::steady_clock::now();
    while (size > 0) {
        if (cancel && cancel->load(std::memory_order_relaxed)) return Read::Cancelled;
        int ready = poll_one(sock_t(fd_), POLLIN, 20);
        if (ready < 0) {
            if (would_block()) continue;
            return Read::Closed;
        }
        if (ready == 0) {
            if (timeout_s >= 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - last_progress).count() > timeout_s)
                return Read::Timeout;
            continue;
        }
        auto n = ::recv(sock_t(fd_), p, int(size), 0);
        if (n == 0) return Read::Closed;
        if (n < 0) {
            if (would_block()) continue;
            return Read::Closed;
        }
        p += n;
        size -= size_t(n);
        last_progress = std::chrono::steady_clock::now();
    }
    return Read::Ok;
}

bool TcpConnection::readable(int timeout_ms) const {
    if (fd_ == -1) return true;  // reads fail at once
    return poll_one(sock_t(fd_), POLLIN, timeout_ms) != 0;
}

size_t TcpConnection::send_buffer_size() const {
    int sz = 0;
    socklen_t len = sizeof(sz);
    if (getsockopt(sock_t(fd_), SOL_SOCKET, SO_SNDBUF, reinterpret_cast<char*>(&sz), &len) != 0 || sz <= 0) return 64 * 1024;
    return size_t(sz);
}

}  // namespace tshim::live
