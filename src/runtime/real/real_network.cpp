#include "runtime/real/real_network.h"

#include <cerrno>
#include <cstring>
#include <optional>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/real/real_environment.h"
#include "runtime/runtime_knobs.h"
#include "runtime/trace.h"

namespace strata::real {

namespace {

sockaddr_in to_sockaddr(NetworkAddress address) {
  sockaddr_in out{};
  out.sin_family = AF_INET;
  out.sin_port = htons(address.port());
  out.sin_addr.s_addr = htonl(address.ip());
  return out;
}

NetworkAddress from_sockaddr(const sockaddr_in& in) {
  return NetworkAddress(ntohl(in.sin_addr.s_addr), ntohs(in.sin_port));
}

void set_no_delay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

Error connection_error(std::string_view what, NetworkAddress peer, int error_number) {
  return Error(ErrorCode::connection_failed,
               std::string(what) + " " + peer.to_string() + ": " + std::strerror(error_number));
}

class TcpConnection final : public Connection,
                            public ReadinessHandler,
                            public std::enable_shared_from_this<TcpConnection> {
 public:
  TcpConnection(RealEnvironment& environment, int fd, NetworkAddress peer)
      : environment_(environment), fd_(fd), peer_(peer), id_(environment.random().unique_id()) {
    environment_.reactor().add(fd_, this);
  }
  ~TcpConnection() override { close(); }

  void write(std::string_view bytes) override {
    if (failed_) return;
    outgoing_.append(bytes);
    // Past a few kilobytes, send at once instead of at the end of the loop's round: the
    // peer starts on the first messages while this process is still producing the rest,
    // so the two sides work at the same time instead of taking turns (it doubled a
    // loaded server's point reads; docs/performance.md).
    const int early = runtime_knobs().connection_write_early_bytes;
    if (early > 0 && unsent_bytes() >= static_cast<size_t>(early)) {
      // A failure is reported from a task of its own: a writer must not find its reader
      // woken, and the connection failed, in the middle of its call.
      if (std::optional<int> error = send_outgoing()) {
        environment_.post([weak = weak_from_this(), error = *error] {
          if (auto self = weak.lock())
            self->fail(connection_error("sending to", self->peer_, error));
        });
      }
      return;
    }
    if (!flush_posted_) {
      flush_posted_ = true;
      environment_.post([weak = weak_from_this()] {
        if (auto self = weak.lock()) {
          self->flush_posted_ = false;
          self->flush();
        }
      });
    }
  }

  Future<std::string> read() override {
    STRATA_ASSERT_MSG(!reader_, "two reads at once on one connection");
    if (failed_) return *failed_;
    if (std::optional<std::string> bytes = try_read()) return std::move(*bytes);
    if (failed_) return *failed_;
    reader_.emplace();
    return reader_->get_future();
  }

  size_t unsent_bytes() const override { return outgoing_.size() - sent_offset_; }

  void close() override {
    if (fd_ < 0) return;
    environment_.reactor().remove(fd_);
    ::close(fd_);
    fd_ = -1;
    fail(Error(ErrorCode::connection_failed, "connection to " + peer_.to_string() + " closed"));
  }

  NetworkAddress peer_address() const override { return peer_; }
  UID debug_id() const override { return id_; }

  void on_ready(uint32_t events) override {
    // Keep this alive: a reader woken below may drop the last reference.
    std::shared_ptr<TcpConnection> self = shared_from_this();
    if (events & EPOLLOUT) {
      writable_ = true;
      flush();
    }
    if (events & (EPOLLRDHUP | EPOLLERR | EPOLLHUP)) hung_up_ = true;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
      readable_ = true;
      if (reader_) {
        std::optional<std::string> bytes = try_read();
        if (bytes) {
          Promise<std::string> reader = std::move(*reader_);
          reader_.reset();
          reader.send(std::move(*bytes));
        }
      }
    }
  }

 private:
  // Bytes if any are waiting; nullopt if none (or the connection failed, see failed_).
  std::optional<std::string> try_read() {
    if (!readable_ || fd_ < 0) return std::nullopt;
    const auto capacity = static_cast<size_t>(runtime_knobs().connection_read_bytes_max);
    // One buffer per connection, allocated once: a fresh zero-filled buffer per read
    // showed up as a tenth of a busy server's time.
    if (read_buffer_.size() != capacity) read_buffer_.resize(capacity);
    ssize_t got = ::recv(fd_, read_buffer_.data(), capacity, 0);
    if (got > 0) {
      // Edge-triggered: a short read means the socket was drained just now, and new
      // bytes will bring a new event, so there is no need to try again until then --
      // unless the peer has hung up, whose event came already: read again to see the end.
      if (static_cast<size_t>(got) < capacity && !hung_up_) readable_ = false;
      return std::string(read_buffer_.data(), static_cast<size_t>(got));
    }
    if (got == 0) {
      fail(Error(ErrorCode::connection_failed, peer_.to_string() + " closed the connection"));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      readable_ = false;
    } else if (errno != EINTR) {
      fail(connection_error("receiving from", peer_, errno));
    }
    return std::nullopt;
  }

  void flush() {
    if (std::optional<int> error = send_outgoing())
      fail(connection_error("sending to", peer_, *error));
  }

  // Sends what the socket takes now; the errno of a failure, which the caller reports.
  std::optional<int> send_outgoing() {
    while (writable_ && fd_ >= 0 && sent_offset_ < outgoing_.size()) {
      ssize_t sent = ::send(fd_, outgoing_.data() + sent_offset_, outgoing_.size() - sent_offset_,
                            MSG_NOSIGNAL);
      if (sent > 0) {
        sent_offset_ += static_cast<size_t>(sent);
      } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        writable_ = false;
      } else if (sent < 0 && errno != EINTR) {
        return errno;
      }
    }
    if (sent_offset_ == outgoing_.size()) {
      outgoing_.clear();
      sent_offset_ = 0;
    } else if (sent_offset_ > outgoing_.size() / 2) {
      outgoing_.erase(0, sent_offset_);
      sent_offset_ = 0;
    }
    return std::nullopt;
  }

  void fail(Error error) {
    if (failed_) return;
    failed_ = error;
    outgoing_.clear();
    sent_offset_ = 0;
    if (reader_) {
      Promise<std::string> reader = std::move(*reader_);
      reader_.reset();
      reader.send_error(std::move(error));
    }
  }

  RealEnvironment& environment_;
  int fd_;
  NetworkAddress peer_;
  UID id_;
  std::string outgoing_;
  size_t sent_offset_ = 0;
  std::string read_buffer_;
  bool readable_ = true;
  bool hung_up_ = false;
  bool writable_ = true;
  bool flush_posted_ = false;
  std::optional<Promise<std::string>> reader_;
  std::optional<Error> failed_;
};

// A connect in progress: completes when the socket becomes writable.
class PendingConnect final : public ReadinessHandler {
 public:
  PendingConnect(RealEnvironment& environment, int fd, NetworkAddress peer)
      : environment_(environment), fd_(fd), peer_(peer) {
    environment_.reactor().add(fd_, this);
  }
  ~PendingConnect() {
    if (fd_ >= 0) {
      environment_.reactor().remove(fd_);
      ::close(fd_);
    }
  }
  Future<Void> connected() { return connected_.get_future(); }
  // Hands the socket over; this object no longer owns it.
  int release() {
    environment_.reactor().remove(fd_);
    return std::exchange(fd_, -1);
  }
  void on_ready(uint32_t) override {
    if (connected_.is_set()) return;
    int error_number = 0;
    socklen_t length = sizeof(error_number);
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error_number, &length);
    if (error_number == 0) {
      connected_.send(Void{});
    } else if (error_number != EINPROGRESS) {
      connected_.send_error(connection_error("connecting to", peer_, error_number));
    }
  }

 private:
  RealEnvironment& environment_;
  int fd_;
  NetworkAddress peer_;
  Promise<Void> connected_;
};

Future<std::shared_ptr<Connection>> connect_actor(RealEnvironment& environment,
                                                  NetworkAddress address) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw connection_error("creating a socket for", address, errno);
  set_no_delay(fd);
  sockaddr_in target = to_sockaddr(address);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof(target)) != 0 &&
      errno != EINPROGRESS) {
    int error_number = errno;
    ::close(fd);
    throw connection_error("connecting to", address, error_number);
  }
  auto pending = std::make_unique<PendingConnect>(environment, fd, address);
  co_await pending->connected();
  co_return std::make_shared<TcpConnection>(environment, pending->release(), address);
}

class TcpListener final : public Listener, public ReadinessHandler {
 public:
  TcpListener(RealEnvironment& environment, int fd, NetworkAddress address)
      : environment_(environment), fd_(fd), address_(address) {
    environment_.reactor().add_input(fd_, this);
  }
  ~TcpListener() override {
    environment_.reactor().remove(fd_);
    ::close(fd_);
  }

  Future<std::shared_ptr<Connection>> accept() override {
    STRATA_ASSERT_MSG(!acceptor_, "two accepts at once on one listener");
    if (std::shared_ptr<Connection> connection = try_accept()) return connection;
    acceptor_.emplace();
    return acceptor_->get_future();
  }

  NetworkAddress address() const override { return address_; }

  void on_ready(uint32_t) override {
    if (!acceptor_) return;
    if (std::shared_ptr<Connection> connection = try_accept()) {
      Promise<std::shared_ptr<Connection>> acceptor = std::move(*acceptor_);
      acceptor_.reset();
      acceptor.send(std::move(connection));
    }
  }

 private:
  std::shared_ptr<Connection> try_accept() {
    while (true) {
      sockaddr_in peer{};
      socklen_t length = sizeof(peer);
      int fd =
          accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        set_no_delay(fd);
        return std::make_shared<TcpConnection>(environment_, fd, from_sockaddr(peer));
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) return nullptr;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      // Out of descriptors or memory: report it and let the next readiness retry.
      TraceEvent(Severity::warn_always, "AcceptFailed")
          .detail("Address", address_)
          .detail("Reason", std::strerror(errno));
      return nullptr;
    }
  }

  RealEnvironment& environment_;
  int fd_;
  NetworkAddress address_;
  std::optional<Promise<std::shared_ptr<Connection>>> acceptor_;
};

}  // namespace

Future<std::shared_ptr<Connection>> connect_tcp(RealEnvironment& environment,
                                                NetworkAddress address) {
  return connect_actor(environment, address);
}

std::shared_ptr<Listener> listen_tcp(RealEnvironment& environment, NetworkAddress address) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw Error(ErrorCode::bind_failed,
                "socket for " + address.to_string() + ": " + std::strerror(errno));
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in local = to_sockaddr(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
    int error_number = errno;
    ::close(fd);
    ErrorCode code =
        error_number == EADDRINUSE ? ErrorCode::address_in_use : ErrorCode::bind_failed;
    throw Error(code,
                "cannot listen on " + address.to_string() + ": " + std::strerror(error_number));
  }
  if (::listen(fd, SOMAXCONN) != 0) {
    int error_number = errno;
    ::close(fd);
    throw Error(ErrorCode::bind_failed,
                "cannot listen on " + address.to_string() + ": " + std::strerror(error_number));
  }
  sockaddr_in bound{};
  socklen_t length = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  return std::make_shared<TcpListener>(environment, fd, from_sockaddr(bound));
}

}  // namespace strata::real
