#pragma once

// A small, bounded pool of threads for blocking work. Jobs execute on a pool thread and
// come back to the loop through take_completed(); the pool calls `wake` (from a pool
// thread) when completed jobs are waiting, so the loop can stop sleeping.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/environment.h"

namespace strata::real {

class ThreadPool {
 public:
  ThreadPool(int threads_max, std::function<void()> wake);
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  // Finishes the jobs that are executing; jobs still queued are dropped unexecuted.
  ~ThreadPool();

  // Threads start on first use, up to threads_max.
  void submit(std::unique_ptr<BlockingJob> job);
  std::vector<std::unique_ptr<BlockingJob>> take_completed();

 private:
  void work();

  const int threads_max_;
  const std::function<void()> wake_;
  std::mutex mutex_;
  std::condition_variable work_available_;
  std::deque<std::unique_ptr<BlockingJob>> queued_;
  std::vector<std::unique_ptr<BlockingJob>> completed_;
  std::vector<std::thread> threads_;
  int idle_threads_ = 0;
  bool stopping_ = false;
};

}  // namespace strata::real
