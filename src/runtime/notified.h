#pragma once

// Values that others wait on.
//
// NotifiedValue<T>: a value that only grows (a version, a sequence number); when_at_least
// completes once it reaches a level. AsyncVar<T>: a value that changes; on_change
// completes at the next change.

#include <map>
#include <utility>
#include <vector>

#include "runtime/assert.h"
#include "runtime/future.h"

namespace strata {

template <class T>
class NotifiedValue {
 public:
  explicit NotifiedValue(T initial = T()) : value_(std::move(initial)) {}
  NotifiedValue(const NotifiedValue&) = delete;
  NotifiedValue& operator=(const NotifiedValue&) = delete;

  const T& get() const { return value_; }

  // Raises the value (it must not go down) and wakes the waiters it satisfies.
  void set(T value) {
    STRATA_ASSERT_MSG(!(value < value_), "a notified value went backwards");
    value_ = std::move(value);
    std::vector<Promise<Void>> woken;
    while (!waiters_.empty() && !(value_ < waiters_.begin()->first)) {
      for (Promise<Void>& promise : waiters_.begin()->second)
        woken.push_back(std::move(promise));
      waiters_.erase(waiters_.begin());
    }
    for (Promise<Void>& promise : woken)
      promise.send(Void{});
  }

  // Ready once the value is at least `level`.
  Future<Void> when_at_least(const T& level) {
    if (!(value_ < level)) return ready();
    Promise<Void> promise;
    Future<Void> reached = promise.get_future();
    waiters_[level].push_back(std::move(promise));
    return reached;
  }

 private:
  T value_;
  std::map<T, std::vector<Promise<Void>>> waiters_;
};

template <class T>
class AsyncVar {
 public:
  explicit AsyncVar(T initial = T()) : value_(std::move(initial)) {}
  AsyncVar(const AsyncVar&) = delete;
  AsyncVar& operator=(const AsyncVar&) = delete;

  const T& get() const { return value_; }

  void set(T value) {
    value_ = std::move(value);
    Promise<Void> changed = std::exchange(changed_, Promise<Void>());
    changed.send(Void{});
  }

  // Ready at the next set().
  Future<Void> on_change() const { return changed_.get_future(); }

 private:
  T value_;
  Promise<Void> changed_;
};

}  // namespace strata
