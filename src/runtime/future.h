#pragma once

// Future<T> and Promise<T>: single-assignment values shared between one producer side
// and any number of consumers, on the single-threaded event loop.
//
// Ownership: a FutureState is reference-counted separately by its futures and by its
// promise side (a Promise<T>, or the coroutine actor that will produce the value).
//   - When the last Future is dropped while the value is still pending, the state asks
//     its Canceller (the actor producing it) to stop: that is how dropping a future
//     cancels the work behind it, and through that actor's own futures, everything
//     that work was waiting on.
//   - When the last promise reference is dropped while pending, consumers receive
//     broken_promise.
// Only a holder of a promise reference may set the value; callbacks fire synchronously
// in the order they were registered.

#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include "runtime/actor.h"
#include "runtime/future_state.h"

namespace strata {

template <class T>
class [[nodiscard]] Future {
 public:
  using ValueType = T;
  using promise_type = ActorPromise<T>;

  // An invalid future; only assignment and is_valid() may be used on it.
  Future() = default;
  // Ready futures.
  Future(const T& value) : state_(new FutureState<T>()) {  // NOLINT: implicit by design
    state_->add_future_ref();
    state_->set_value(value);
  }
  Future(T&& value) : state_(new FutureState<T>()) {  // NOLINT: implicit by design
    state_->add_future_ref();
    state_->set_value(std::move(value));
  }
  Future(Error error) : state_(new FutureState<T>()) {  // NOLINT: implicit by design
    state_->add_future_ref();
    state_->set_error(std::move(error));
  }
  // Shares `state` (adds a future reference).
  explicit Future(FutureState<T>* state) : state_(state) {
    if (state_) state_->add_future_ref();
  }

  Future(const Future& other) : state_(other.state_) {
    if (state_) state_->add_future_ref();
  }
  Future(Future&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  Future& operator=(const Future& other) {
    if (other.state_) other.state_->add_future_ref();
    release();
    state_ = other.state_;
    return *this;
  }
  Future& operator=(Future&& other) noexcept {
    if (this != &other) {
      release();
      state_ = std::exchange(other.state_, nullptr);
    }
    return *this;
  }
  ~Future() { release(); }

  bool is_valid() const { return state_ != nullptr; }
  bool is_ready() const { return state_->is_ready(); }
  bool is_error() const { return state_->is_error(); }
  // The value of a ready future; throws its error instead if it failed.
  const T& get() const {
    STRATA_ASSERT_MSG(is_ready(), "get() on a future that is not ready");
    if (state_->is_error()) throw state_->error();
    return state_->value();
  }
  const Error& error() const { return state_->error(); }
  FutureState<T>* state() const { return state_; }

  // Drops this reference now (which may cancel the actor behind it).
  void cancel() {
    release();
    state_ = nullptr;
  }

  FutureAwaiter<T, false> operator co_await() const&;
  FutureAwaiter<T, true> operator co_await() &&;

 private:
  void release() {
    if (state_) state_->drop_future_ref();
  }

  FutureState<T>* state_ = nullptr;
};

template <class T>
class Promise {
 public:
  Promise() : state_(new FutureState<T>()) { state_->add_promise_ref(); }
  Promise(const Promise& other) : state_(other.state_) {
    if (state_) state_->add_promise_ref();
  }
  Promise(Promise&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  Promise& operator=(const Promise& other) {
    if (other.state_) other.state_->add_promise_ref();
    release();
    state_ = other.state_;
    return *this;
  }
  Promise& operator=(Promise&& other) noexcept {
    if (this != &other) {
      release();
      state_ = std::exchange(other.state_, nullptr);
    }
    return *this;
  }
  ~Promise() { release(); }

  Future<T> get_future() const { return Future<T>(state_); }

  template <class U = T>
  void send(U&& value) {
    state_->set_value(std::forward<U>(value));
  }
  void send_error(Error error) { state_->set_error(std::move(error)); }

  bool is_valid() const { return state_ != nullptr; }
  bool is_set() const { return state_->is_ready(); }
  // Who to tell when every future is dropped (see Canceller); nullptr for nobody.
  void set_canceller(Canceller* canceller) { state_->set_canceller(canceller); }
  // False once every future has been dropped: nobody will look at the value.
  bool has_futures() const { return state_->future_refs() > 0; }

 private:
  void release() {
    if (state_) state_->drop_promise_ref();
    state_ = nullptr;
  }

  FutureState<T>* state_;
};

// A future that never becomes ready. Useful as a placeholder in selects.
template <class T>
Future<T> never() {
  return Future<T>(new FutureState<T>());
}

template <class T>
Future<T> ready_future(T value) {
  return Future<T>(std::move(value));
}

inline Future<Void> ready() {
  return Future<Void>(Void{});
}

template <class T>
FutureAwaiter<T, false> Future<T>::operator co_await() const& {
  return FutureAwaiter<T, false>(*this);
}

template <class T>
FutureAwaiter<T, true> Future<T>::operator co_await() && {
  return FutureAwaiter<T, true>(std::move(*this));
}

}  // namespace strata
