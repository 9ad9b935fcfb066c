#include "runtime/real/thread_pool.h"

namespace strata::real {

ThreadPool::ThreadPool(int threads_max, std::function<void()> wake)
    : threads_max_(threads_max < 1 ? 1 : threads_max), wake_(std::move(wake)) {}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_available_.notify_all();
  for (std::thread& thread : threads_)
    thread.join();
}

void ThreadPool::submit(std::unique_ptr<BlockingJob> job) {
  std::lock_guard<std::mutex> lock(mutex_);
  queued_.push_back(std::move(job));
  if (idle_threads_ == 0 && static_cast<int>(threads_.size()) < threads_max_) {
    threads_.emplace_back([this] { work(); });
  } else {
    work_available_.notify_one();
  }
}

std::vector<std::unique_ptr<BlockingJob>> ThreadPool::take_completed() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::unique_ptr<BlockingJob>> done;
  done.swap(completed_);
  return done;
}

void ThreadPool::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    ++idle_threads_;
    work_available_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
    --idle_threads_;
    if (stopping_) return;
    std::unique_ptr<BlockingJob> job = std::move(queued_.front());
    queued_.pop_front();
    lock.unlock();
    job->execute();
    lock.lock();
    bool first_completion = completed_.empty();
    completed_.push_back(std::move(job));
    if (first_completion) wake_();
  }
}

}  // namespace strata::real
