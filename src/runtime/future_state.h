#pragma once

// The shared state behind a Future<T> and its producer (see future.h for the model).

#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include "runtime/assert.h"
#include "runtime/callback_list.h"
#include "runtime/error.h"

namespace strata {

// The value of a Future that carries only completion (or an error).
struct Void {
  template <class Archive>
  void serialize(Archive&) {}
  friend bool operator==(Void, Void) { return true; }
};

// Told when nobody wants the result any more. Implemented by coroutine actors.
class Canceller {
 public:
  virtual void cancel() = 0;

 protected:
  ~Canceller() = default;
};

// Something a waiter can wait on: a future state or a stream.
class Waitable {
 public:
  virtual bool is_ready() const = 0;
  // A failed future ends a wait for "all of these" early.
  virtual bool has_failed() const { return false; }
  CallbackList& waiters() { return waiters_; }

 protected:
  ~Waitable() = default;
  CallbackList waiters_;
};

class StateBase : public Waitable {
 public:
  StateBase(const StateBase&) = delete;
  StateBase& operator=(const StateBase&) = delete;

  bool is_ready() const final { return status_ != Status::pending; }
  bool has_failed() const final { return is_error(); }
  bool is_error() const { return status_ == Status::error; }
  const Error& error() const {
    STRATA_ASSERT(is_error());
    return error_;
  }
  uint32_t future_refs() const { return future_refs_; }

  void add_future_ref() { ++future_refs_; }
  void add_promise_ref() { ++promise_refs_; }
  void drop_future_ref();
  void drop_promise_ref();
  void set_canceller(Canceller* canceller) { canceller_ = canceller; }

  // Only for holders of a promise reference.
  void set_error(Error error) {
    STRATA_ASSERT_MSG(!is_ready(), "a future was set twice");
    error_ = std::move(error);
    status_ = Status::error;
    fire_waiters();
  }

 protected:
  enum class Status : uint8_t { pending, value, error };

  StateBase() = default;
  virtual ~StateBase() = default;

  // Wakes every waiter. A waiter may destroy whoever set the value (and with it the last
  // promise reference), so the state keeps itself alive until all have run.
  void fire_waiters() {
    ++promise_refs_;
    waiters_.fire_all();
    drop_promise_ref();
  }

  Status status_ = Status::pending;

 private:
  uint32_t future_refs_ = 0;
  uint32_t promise_refs_ = 0;
  Canceller* canceller_ = nullptr;
  Error error_{ErrorCode::success};
};

template <class T>
class FutureState final : public StateBase {
 public:
  FutureState() = default;
  ~FutureState() override {
    if (status_ == Status::value) value_pointer()->~T();
  }

  template <class U>
  void set_value(U&& value) {
    STRATA_ASSERT_MSG(!is_ready(), "a future was set twice");
    new (storage_) T(std::forward<U>(value));
    status_ = Status::value;
    fire_waiters();
  }

  const T& value() const {
    STRATA_ASSERT(status_ == Status::value);
    return *value_pointer();
  }
  // Lets the sole consumer take the value instead of copying it.
  T& mutable_value() {
    STRATA_ASSERT(status_ == Status::value);
    return *value_pointer();
  }

 private:
  T* value_pointer() { return std::launder(reinterpret_cast<T*>(storage_)); }
  const T* value_pointer() const { return std::launder(reinterpret_cast<const T*>(storage_)); }

  alignas(T) unsigned char storage_[sizeof(T)];
};

}  // namespace strata
