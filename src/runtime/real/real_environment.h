#pragma once

// The real backend: one event loop per process on the calling thread, epoll for sockets,
// POSIX files through a thread pool, the monotonic clock, and a generator seeded from the
// OS. Create one, then run() it; it installs itself as this thread's environment.

#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <vector>

#include <sys/types.h>

#include "runtime/environment.h"
#include "runtime/real/reactor.h"
#include "runtime/real/thread_pool.h"

namespace strata::real {

struct RealEnvironmentOptions {
  // Turn SIGINT and SIGTERM into shutdown_requested() instead of killing the process.
  bool handle_signals = false;
  ProcessIdentity identity;
};

class RealEnvironment final : public Environment {
 public:
  explicit RealEnvironment(RealEnvironmentOptions options = {});
  RealEnvironment(const RealEnvironment&) = delete;
  RealEnvironment& operator=(const RealEnvironment&) = delete;
  ~RealEnvironment() override;

  bool is_simulated() const override { return false; }
  double now() const override;
  double wall_time() const override;
  Future<Void> delay(double seconds) override;
  Future<Void> yield() override;
  Random& random() override { return random_; }

  Future<std::shared_ptr<Connection>> connect(NetworkAddress address) override;
  std::shared_ptr<Listener> listen(NetworkAddress address) override;

  Future<std::shared_ptr<File>> open_file(std::string path, unsigned flags) override;
  Future<Void> delete_file(std::string path) override;
  Future<Void> rename_file(std::string from, std::string to) override;
  Future<bool> file_exists(std::string path) override;
  Future<Void> create_directories(std::string path) override;
  Future<Void> delete_directory(std::string path) override;
  Future<std::vector<std::string>> list_directory(std::string path) override;
  Future<Void> sync_directory(std::string path) override;

  void run_blocking(std::unique_ptr<BlockingJob> job) override;

  ProcessContext& process() override { return process_; }
  ProcessUsage process_usage() const override;
  Future<Void> shutdown_requested() override { return shutdown_.get_future(); }

  void run() override;
  void stop() override { stopped_ = true; }

  // Runs `task` on the loop soon, after the tasks already queued.
  void post(std::function<void()> task) { ready_.push_back(std::move(task)); }
  // Thread-safe: runs `task` on the loop (wakes it if it sleeps).
  void post_from_any_thread(std::function<void()> task);
  Reactor& reactor() { return reactor_; }

 private:
  struct Timer {
    double at;
    uint64_t sequence;
    Promise<Void> promise;
    bool operator>(const Timer& other) const {
      return at != other.at ? at > other.at : sequence > other.sequence;
    }
  };
  class Waker;
  class SignalWatcher;

  void fire_due_timers();
  void run_ready_tasks();
  void take_cross_thread_work();
  void run_task(const std::function<void()>& task);

  ProcessContext process_;
  Random random_;
  Reactor reactor_;
  std::deque<std::function<void()>> ready_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  uint64_t timer_sequence_ = 0;
  bool stopped_ = false;
  Promise<Void> shutdown_;

  std::mutex cross_thread_mutex_;
  std::vector<std::function<void()>> cross_thread_tasks_;
  std::unique_ptr<Waker> waker_;
  std::unique_ptr<SignalWatcher> signal_watcher_;
  std::unique_ptr<ThreadPool> thread_pool_;
  Environment* previous_environment_;
};

}  // namespace strata::real
