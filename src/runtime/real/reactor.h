#pragma once

// The epoll loop of a real process: file descriptors registered with a handler, and a
// wait that dispatches their readiness. Edge-triggered: a handler must drain its fd (read
// or write until EAGAIN) before it can expect another event.

#include <cstdint>
#include <unordered_map>

namespace strata::real {

class ReadinessHandler {
 public:
  // EPOLLIN / EPOLLOUT / EPOLLERR / EPOLLHUP / EPOLLRDHUP bits.
  virtual void on_ready(uint32_t events) = 0;

 protected:
  ~ReadinessHandler() = default;
};

class Reactor {
 public:
  Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;
  ~Reactor();

  // Registers `fd` for input and output readiness (edge-triggered). A handler removed
  // while a batch of events is being dispatched receives none of the rest.
  void add(int fd, ReadinessHandler* handler);
  // Registers `fd` for input readiness only (edge-triggered).
  void add_input(int fd, ReadinessHandler* handler);
  void remove(int fd);
  // Waits up to `timeout_s` (negative: forever, zero: poll) and dispatches what is ready.
  void wait(double timeout_s);

 private:
  void register_fd(int fd, ReadinessHandler* handler, uint32_t events);

  int epoll_fd_;
  // Events carry a registration number rather than the handler's address, so an event
  // for a handler that was removed (and maybe freed) earlier in the batch is dropped.
  uint64_t next_registration_ = 1;
  std::unordered_map<int, uint64_t> registration_of_fd_;
  std::unordered_map<uint64_t, ReadinessHandler*> handlers_;
};

}  // namespace strata::real
