#include "runtime/real/reactor.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>

#include <sys/epoll.h>
#include <unistd.h>

#include "runtime/assert.h"

namespace strata::real {

namespace {
constexpr int events_per_wait = 256;
}  // namespace

Reactor::Reactor() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {
  STRATA_ASSERT_MSG(epoll_fd_ >= 0, std::strerror(errno));
}

Reactor::~Reactor() {
  ::close(epoll_fd_);
}

void Reactor::register_fd(int fd, ReadinessHandler* handler, uint32_t events) {
  uint64_t registration = next_registration_++;
  epoll_event event{};
  event.events = events;
  event.data.u64 = registration;
  STRATA_ASSERT_MSG(epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) == 0, std::strerror(errno));
  registration_of_fd_[fd] = registration;
  handlers_[registration] = handler;
}

void Reactor::add(int fd, ReadinessHandler* handler) {
  register_fd(fd, handler, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
}

void Reactor::add_input(int fd, ReadinessHandler* handler) {
  register_fd(fd, handler, EPOLLIN | EPOLLET);
}

void Reactor::remove(int fd) {
  auto it = registration_of_fd_.find(fd);
  if (it == registration_of_fd_.end()) return;
  handlers_.erase(it->second);
  registration_of_fd_.erase(it);
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

void Reactor::wait(double timeout_s) {
  epoll_event events[events_per_wait];
  int count;
  if (timeout_s < 0) {
    count = epoll_wait(epoll_fd_, events, events_per_wait, -1);
  } else {
    // epoll_pwait2 takes nanoseconds: sub-millisecond timers matter for commit batching.
    timespec timeout{};
    timeout.tv_sec = static_cast<time_t>(timeout_s);
    timeout.tv_nsec = static_cast<long>((timeout_s - std::floor(timeout_s)) * 1e9);
    count = epoll_pwait2(epoll_fd_, events, events_per_wait, &timeout, nullptr);
    if (count < 0 && errno == ENOSYS) {
      count = epoll_wait(epoll_fd_, events, events_per_wait,
                         static_cast<int>(std::ceil(timeout_s * 1000)));
    }
  }
  if (count < 0) {
    STRATA_ASSERT_MSG(errno == EINTR, std::strerror(errno));
    return;
  }
  for (int i = 0; i < count; ++i) {
    // epoll_event is packed: copy its fields out rather than bind references to them.
    uint64_t registration = events[i].data.u64;
    uint32_t ready = events[i].events;
    auto it = handlers_.find(registration);
    if (it != handlers_.end()) it->second->on_ready(ready);
  }
}

}  // namespace strata::real
