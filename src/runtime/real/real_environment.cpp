#include "runtime/real/real_environment.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <signal.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "runtime/real/real_files.h"
#include "runtime/real/real_network.h"
#include "runtime/runtime_knobs.h"
#include "runtime/trace.h"

namespace strata::real {

namespace {

uint64_t os_entropy() {
  uint64_t seed = 0;
  ssize_t got = getrandom(&seed, sizeof(seed), 0);
  STRATA_ASSERT_MSG(got == static_cast<ssize_t>(sizeof(seed)), "getrandom failed");
  return seed;
}

double clock_seconds(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

}  // namespace

// Wakes the loop from other threads (thread-pool completions, cross-thread posts).
class RealEnvironment::Waker final : public ReadinessHandler {
 public:
  explicit Waker(RealEnvironment& environment)
      : environment_(environment), fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    STRATA_ASSERT_MSG(fd_ >= 0, std::strerror(errno));
    environment_.reactor_.add_input(fd_, this);
  }
  ~Waker() {
    environment_.reactor_.remove(fd_);
    ::close(fd_);
  }
  void wake() {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t written = ::write(fd_, &one, sizeof(one));
  }
  void on_ready(uint32_t) override {
    uint64_t count;
    while (::read(fd_, &count, sizeof(count)) > 0) {
    }
    environment_.take_cross_thread_work();
  }

 private:
  RealEnvironment& environment_;
  int fd_;
};

// SIGINT and SIGTERM, read through a signalfd so they arrive as loop events.
class RealEnvironment::SignalWatcher final : public ReadinessHandler {
 public:
  explicit SignalWatcher(RealEnvironment& environment) : environment_(environment) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    STRATA_ASSERT(sigprocmask(SIG_BLOCK, &signals, &previous_mask_) == 0);
    fd_ = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    STRATA_ASSERT_MSG(fd_ >= 0, std::strerror(errno));
    environment_.reactor_.add_input(fd_, this);
  }
  ~SignalWatcher() {
    environment_.reactor_.remove(fd_);
    ::close(fd_);
    sigprocmask(SIG_SETMASK, &previous_mask_, nullptr);
  }
  void on_ready(uint32_t) override {
    signalfd_siginfo info{};
    while (::read(fd_, &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
      TraceEvent("ShutdownSignal").detail("Signal", strsignal(static_cast<int>(info.ssi_signo)));
      if (!environment_.shutdown_.is_set()) environment_.shutdown_.send(Void{});
    }
  }

 private:
  RealEnvironment& environment_;
  sigset_t previous_mask_;
  int fd_;
};

RealEnvironment::RealEnvironment(RealEnvironmentOptions options)
    : process_(std::move(options.identity)),
      random_(os_entropy()),
      previous_environment_(has_env() ? &env() : nullptr) {
  set_env(this);
  waker_ = std::make_unique<Waker>(*this);
  if (options.handle_signals) signal_watcher_ = std::make_unique<SignalWatcher>(*this);
}

RealEnvironment::~RealEnvironment() {
  // Per-process services (the transport, roles) may still hold sockets and timers; they
  // go first, while the loop's parts are alive.
  process_.clear_services();
  thread_pool_.reset();
  ready_.clear();
  while (!timers_.empty())
    timers_.pop();
  signal_watcher_.reset();
  waker_.reset();
  set_env(previous_environment_);
}

double RealEnvironment::now() const {
  return clock_seconds(CLOCK_MONOTONIC);
}

double RealEnvironment::wall_time() const {
  return clock_seconds(CLOCK_REALTIME);
}

Future<Void> RealEnvironment::delay(double seconds) {
  if (seconds <= 0) return yield();
  Timer timer{now() + seconds, timer_sequence_++, Promise<Void>()};
  Future<Void> fired = timer.promise.get_future();
  timers_.push(std::move(timer));
  return fired;
}

ProcessUsage RealEnvironment::process_usage() const {
  ProcessUsage usage;
  rusage self{};
  if (::getrusage(RUSAGE_SELF, &self) == 0) {
    auto seconds = [](const timeval& time) {
      return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
    };
    usage.cpu_user_s = seconds(self.ru_utime);
    usage.cpu_system_s = seconds(self.ru_stime);
  }
  // statm's second field: resident pages (getrusage gives only the peak).
  if (std::FILE* statm = std::fopen("/proc/self/statm", "r")) {
    long total_pages = 0;
    long resident_pages = 0;
    if (std::fscanf(statm, "%ld %ld", &total_pages, &resident_pages) == 2)
      usage.resident_bytes = static_cast<int64_t>(resident_pages) * ::sysconf(_SC_PAGESIZE);
    std::fclose(statm);
  }
  return usage;
}

Future<Void> RealEnvironment::yield() {
  Promise<Void> promise;
  Future<Void> ready = promise.get_future();
  post([promise]() mutable { promise.send(Void{}); });
  return ready;
}

void RealEnvironment::post_from_any_thread(std::function<void()> task) {
  bool first;
  {
    std::lock_guard<std::mutex> lock(cross_thread_mutex_);
    first = cross_thread_tasks_.empty();
    cross_thread_tasks_.push_back(std::move(task));
  }
  if (first) waker_->wake();
}

void RealEnvironment::take_cross_thread_work() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard<std::mutex> lock(cross_thread_mutex_);
    tasks.swap(cross_thread_tasks_);
  }
  for (auto& task : tasks)
    ready_.push_back(std::move(task));
  if (thread_pool_) {
    for (auto& job : thread_pool_->take_completed()) {
      std::shared_ptr<BlockingJob> done(std::move(job));
      ready_.push_back([done] { done->complete(); });
    }
  }
}

void RealEnvironment::run_blocking(std::unique_ptr<BlockingJob> job) {
  if (!thread_pool_) {
    thread_pool_ =
        std::make_unique<ThreadPool>(runtime_knobs().blocking_threads, [this] { waker_->wake(); });
  }
  thread_pool_->submit(std::move(job));
}

void RealEnvironment::run_task(const std::function<void()>& task) {
  double started = now();
  task();
  double elapsed = now() - started;
  if (elapsed > runtime_knobs().slow_task_s) {
    TraceEvent(Severity::warn, "SlowTask").detail("DurationS", elapsed);
  }
}

void RealEnvironment::fire_due_timers() {
  double current = now();
  while (!timers_.empty() && timers_.top().at <= current) {
    Promise<Void> promise = timers_.top().promise;
    timers_.pop();
    run_task([&promise] { promise.send(Void{}); });
  }
}

void RealEnvironment::run_ready_tasks() {
  // Only the tasks queued so far: tasks they queue wait for the next round, after the
  // network has been polled, so a busy loop cannot starve I/O.
  size_t count = ready_.size();
  for (size_t i = 0; i < count && !ready_.empty(); ++i) {
    std::function<void()> task = std::move(ready_.front());
    ready_.pop_front();
    run_task(task);
  }
}

void RealEnvironment::run() {
  // A stop() that came before run() (the work finished without waiting) counts.
  while (!stopped_) {
    fire_due_timers();
    run_ready_tasks();
    if (stopped_) break;
    double timeout = -1;
    if (!ready_.empty()) {
      timeout = 0;
    } else if (!timers_.empty()) {
      timeout = std::max(0.0, timers_.top().at - now());
    }
    if (timeout != 0) trace_sink()->flush();
    reactor_.wait(timeout);
  }
  stopped_ = false;  // ready for the next run()
  trace_sink()->flush();
}

Future<std::shared_ptr<Connection>> RealEnvironment::connect(NetworkAddress address) {
  return connect_tcp(*this, address);
}

std::shared_ptr<Listener> RealEnvironment::listen(NetworkAddress address) {
  return listen_tcp(*this, address);
}

Future<std::shared_ptr<File>> RealEnvironment::open_file(std::string path, unsigned flags) {
  return open_real_file(std::move(path), flags);
}

Future<Void> RealEnvironment::delete_file(std::string path) {
  return delete_real_file(std::move(path));
}

Future<Void> RealEnvironment::rename_file(std::string from, std::string to) {
  return rename_real_file(std::move(from), std::move(to));
}

Future<bool> RealEnvironment::file_exists(std::string path) {
  return real_file_exists(std::move(path));
}

Future<Void> RealEnvironment::create_directories(std::string path) {
  return create_real_directories(std::move(path));
}

Future<Void> RealEnvironment::delete_directory(std::string path) {
  return delete_real_directory(std::move(path));
}

Future<std::vector<std::string>> RealEnvironment::list_directory(std::string path) {
  return list_real_directory(std::move(path));
}

Future<Void> RealEnvironment::sync_directory(std::string path) {
  return sync_real_directory(std::move(path));
}

}  // namespace strata::real
