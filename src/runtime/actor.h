#pragma once

// Coroutine actors. Any coroutine returning Future<T> is an actor: it starts running at
// once (no initial suspension), runs on the event loop's thread, and suspends only at
// `co_await`. Awaiting a Future yields its value or throws its Error.
//
// Cancellation: when every Future of an actor is dropped before it finishes, the actor
// is resumed at the co_await it is suspended in, and that co_await throws
// operation_cancelled. Its locals (among them the futures it was waiting on) are
// destroyed while the exception unwinds, which cancels the actors behind them in turn.
// Catch blocks must rethrow cancellation; if one swallows it anyway, every later
// co_await in that actor throws operation_cancelled again at once, so a cancelled actor
// can finish but can never wait again. Only actors may await futures.

#include <coroutine>
#include <cstdint>
#include <exception>
#include <type_traits>
#include <utility>

#include "runtime/assert.h"
#include "runtime/error.h"
#include "runtime/future_state.h"

namespace strata {

template <class T>
class Future;

class ActorBase : public Canceller {
 public:
  // A suspension that cancel() must undo before resuming the actor.
  class Wait {
   public:
    virtual void detach() = 0;

   protected:
    ~Wait() = default;
  };

  ActorBase() { ++live_actors_; }
  ActorBase(const ActorBase&) = delete;
  ActorBase& operator=(const ActorBase&) = delete;
  ~ActorBase() { --live_actors_; }

  bool is_cancelled() const { return cancelled_; }

  // Called by awaiters.
  void begin_wait(Wait* wait, std::coroutine_handle<> handle) {
    STRATA_ASSERT(current_wait_ == nullptr);
    current_wait_ = wait;
    handle_ = handle;
  }
  // Resumes the actor after the wait it was in completed. The actor may finish (and
  // free the awaiter that calls this) before resume_after_wait returns.
  void resume_after_wait() {
    STRATA_ASSERT(current_wait_ != nullptr);
    current_wait_ = nullptr;
    handle_.resume();
  }

  void cancel() final;

  // Actors alive in this thread: a simulation checks it is zero once every process is
  // gone, which catches actors that were leaked instead of cancelled.
  static int64_t live_actors() { return live_actors_; }

 protected:
  void mark_finished() { finished_ = true; }

 private:
  static thread_local int64_t live_actors_;

  std::coroutine_handle<> handle_;
  Wait* current_wait_ = nullptr;
  bool cancelled_ = false;
  bool finished_ = false;
};

// Parts of the coroutine promise shared by Future<T> and Future<Void> actors.
template <class T>
class ActorPromiseBase : public ActorBase {
 public:
  ActorPromiseBase() : state_(new FutureState<T>()) {
    state_->add_promise_ref();
    state_->set_canceller(this);
  }

  Future<T> get_return_object() { return Future<T>(state_); }
  std::suspend_never initial_suspend() noexcept { return {}; }
  std::suspend_never final_suspend() noexcept {
    // The frame is destroyed right after this; the state lives on with its futures.
    mark_finished();
    FutureState<T>* state = std::exchange(state_, nullptr);
    state->set_canceller(nullptr);
    state->drop_promise_ref();
    return {};
  }

  void unhandled_exception() {
    try {
      throw;
    } catch (Error& error) {
      state_->set_error(std::move(error));
    } catch (...) {
      // Actors fail with Errors only; anything else is a bug that must not pass as an
      // ordinary failure.
      STRATA_UNREACHABLE("an actor threw something that is not a strata::Error");
    }
  }

 protected:
  FutureState<T>* state_;
};

template <class T>
class ActorPromise final : public ActorPromiseBase<T> {
 public:
  template <class U>
  void return_value(U&& value) {
    this->state_->set_value(std::forward<U>(value));
  }
};

template <>
class ActorPromise<Void> final : public ActorPromiseBase<Void> {
 public:
  void return_void();
};

// Waits for one future inside an actor. kTakeValue: the awaited Future was an rvalue,
// so when it held the only reference its value is moved out instead of copied.
template <class T, bool kTakeValue>
class FutureAwaiter final : public Callback, public ActorBase::Wait {
 public:
  explicit FutureAwaiter(Future<T> future) : future_(std::move(future)) {
    STRATA_ASSERT_MSG(future_.is_valid(), "co_await on an invalid future");
  }

  bool await_ready() const noexcept { return false; }

  template <class Promise>
  bool await_suspend(std::coroutine_handle<Promise> handle) {
    static_assert(std::is_base_of_v<ActorBase, Promise>, "only actors may await futures");
    actor_ = &handle.promise();
    if (actor_->is_cancelled() || future_.is_ready()) return false;
    actor_->begin_wait(this, handle);
    future_.state()->waiters().push_back(this);
    return true;
  }

  T await_resume() {
    if (actor_->is_cancelled()) throw Error(ErrorCode::operation_cancelled);
    FutureState<T>* state = future_.state();
    if (state->is_error()) throw state->error();
    if constexpr (!std::is_copy_constructible_v<T>) {
      // A move-only value has exactly one consumer: the awaiter of the only future.
      STRATA_ASSERT_MSG(kTakeValue && state->future_refs() == 1,
                        "a move-only value can only be taken from the only future");
      return std::move(state->mutable_value());
    } else {
      if constexpr (kTakeValue) {
        if (state->future_refs() == 1) return std::move(state->mutable_value());
      }
      return state->value();
    }
  }

  void fire() override { actor_->resume_after_wait(); }
  void detach() override { future_.state()->waiters().remove(this); }

 private:
  Future<T> future_;
  ActorBase* actor_ = nullptr;
};

}  // namespace strata
