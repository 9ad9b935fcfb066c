#pragma once

// Ways to wait on several things at once: the first of many (select), all of many, a
// future with a deadline; and ActorCollection, which keeps background actors running
// and reports the first one that fails.

#include <cstddef>
#include <initializer_list>
#include <list>
#include <optional>
#include <type_traits>
#include <vector>

#include "runtime/actor.h"
#include "runtime/future.h"
#include "runtime/stream.h"

namespace strata {

// Waits inside an actor until one (kAny) or all (kAll) of several waitables are ready.
// In kAll mode it also stops at the first future that failed. It consumes nothing: the
// caller reads the futures or streams afterwards.
class MultiWait final : public ActorBase::Wait {
 public:
  enum class Mode { any, all };

  MultiWait(std::vector<Waitable*> targets, Mode mode);
  MultiWait(const MultiWait&) = delete;
  MultiWait& operator=(const MultiWait&) = delete;
  ~MultiWait();

  bool await_ready() const noexcept { return false; }
  template <class Promise>
  bool await_suspend(std::coroutine_handle<Promise> handle) {
    static_assert(std::is_base_of_v<ActorBase, Promise>, "only actors may await");
    actor_ = &handle.promise();
    if (actor_->is_cancelled() || satisfied()) return false;
    actor_->begin_wait(this, handle);
    register_waiters();
    return true;
  }
  // kAny: the index of the first ready target (the lowest index if several are ready).
  size_t await_resume();

  void detach() override;

 private:
  struct Node final : Callback {
    MultiWait* owner = nullptr;
    size_t index = 0;
    void fire() override { owner->on_fire(index); }
  };

  bool satisfied() const;
  void register_waiters();
  void on_fire(size_t index);

  std::vector<Waitable*> targets_;
  std::vector<Node> nodes_;
  Mode mode_;
  ActorBase* actor_ = nullptr;
};

inline Waitable* waitable_of(const Future<Void>& future) {
  return future.state();
}
template <class T>
Waitable* waitable_of(const Future<T>& future) {
  return future.state();
}
template <class T>
Waitable* waitable_of(const FutureStream<T>& stream) {
  return stream.state();
}

// `size_t i = co_await first_ready(a, b, c);` where each argument is a Future or a
// FutureStream; returns the index of one that is ready (futures: set or failed;
// streams: a value or the end is waiting).
template <class... Ts>
MultiWait first_ready(const Ts&... waitables) {
  return MultiWait({waitable_of(waitables)...}, MultiWait::Mode::any);
}

template <class T>
MultiWait first_ready(const std::vector<Future<T>>& futures) {
  std::vector<Waitable*> targets;
  targets.reserve(futures.size());
  for (const Future<T>& future : futures)
    targets.push_back(future.state());
  return MultiWait(std::move(targets), MultiWait::Mode::any);
}

// The value (or error) of whichever future is ready first.
template <class T>
Future<T> when_any(std::vector<Future<T>> futures) {
  STRATA_ASSERT(!futures.empty());
  size_t index = co_await first_ready(futures);
  if constexpr (std::is_same_v<T, Void>) {
    co_await futures[index];
  } else {
    co_return co_await futures[index];
  }
}

// Every value, in order; fails as soon as any future fails.
template <class T>
Future<std::vector<T>> when_all(std::vector<Future<T>> futures) {
  std::vector<Waitable*> targets;
  targets.reserve(futures.size());
  for (const Future<T>& future : futures)
    targets.push_back(future.state());
  co_await MultiWait(std::move(targets), MultiWait::Mode::all);
  for (const Future<T>& future : futures) {
    if (future.is_error()) throw future.error();
  }
  std::vector<T> values;
  values.reserve(futures.size());
  for (Future<T>& future : futures)
    values.push_back(co_await future);
  co_return values;
}

Future<Void> when_all_done(std::vector<Future<Void>> futures);

// Ready once `needed` of `futures` succeeded; fails (with the last failure's error) once so
// many failed that `needed` can no longer be reached. The caller reads the futures that are
// ready; dropping the others cancels them.
template <class T>
Future<Void> quorum(std::vector<Future<T>> futures, size_t needed) {
  while (true) {
    size_t succeeded = 0;
    size_t failed = 0;
    std::optional<Error> last_failure;
    std::vector<Future<T>> pending;
    for (const Future<T>& future : futures) {
      if (!future.is_ready()) {
        pending.push_back(future);
      } else if (future.is_error()) {
        ++failed;
        last_failure = future.error();
      } else {
        ++succeeded;
      }
    }
    if (succeeded >= needed) co_return;
    if (futures.size() - failed < needed) {
      STRATA_ASSERT(last_failure.has_value());
      throw *last_failure;
    }
    co_await first_ready(pending);
  }
}

template <class... Ts>
Future<Void> when_all(const Future<Ts>&... futures) {
  co_await MultiWait({futures.state()...}, MultiWait::Mode::all);
  (
      [](const auto& future) {
        if (future.is_error()) throw future.error();
      }(futures),
      ...);
  co_return;
}

// Defined by the environment (environment.h); declared here so that the combinators
// below do not depend on the environment interface.
Future<Void> delay(double seconds);

// The future's value, or timed_out (1004) if it is not ready within `seconds`. The
// future is dropped (and so cancelled) on timeout.
template <class T>
Future<T> timeout_error(Future<T> future, double seconds) {
  Future<Void> timer = delay(seconds);
  size_t index = co_await first_ready(future, timer);
  if (index == 1) throw Error(ErrorCode::timed_out);
  if constexpr (std::is_same_v<T, Void>) {
    co_await future;
  } else {
    co_return co_await future;
  }
}

// The future's value, or std::nullopt if it is not ready within `seconds`.
template <class T>
Future<std::optional<T>> timeout(Future<T> future, double seconds) {
  Future<Void> timer = delay(seconds);
  size_t index = co_await first_ready(future, timer);
  if (index == 1) co_return std::nullopt;
  co_return std::optional<T>(co_await future);
}

// Owns background actors. Finished ones are forgotten; the first failure (other than
// cancellation) fails result(). Destroying the collection cancels what still runs.
class ActorCollection {
 public:
  ActorCollection() = default;
  ActorCollection(const ActorCollection&) = delete;
  ActorCollection& operator=(const ActorCollection&) = delete;
  ~ActorCollection() { clear(); }

  void add(Future<Void> actor);
  // Cancels every actor still running.
  void clear();
  size_t size() const { return entries_.size(); }
  // Never becomes ready except with the first error of an actor.
  Future<Void> result() const { return failure_.get_future(); }

 private:
  struct Entry final : Callback {
    ActorCollection* owner = nullptr;
    std::list<Entry>::iterator self;
    Future<Void> actor;
    void fire() override { owner->on_done(self); }
  };
  void on_done(std::list<Entry>::iterator entry);

  std::list<Entry> entries_;
  Promise<Void> failure_;
};

}  // namespace strata
