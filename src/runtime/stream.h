#pragma once

// One-way streams: PromiseStream<T> sends values, FutureStream<T> receives them in order.
// `co_await stream` in an actor yields the next value, or throws the error that ended the
// stream (broken_promise when every PromiseStream was dropped, or what send_error gave).
//
// Ownership mirrors futures: the state is counted separately by senders and receivers.
// When every receiver is gone, queued values are dropped and later sends are discarded
// (has_receivers() tells a sender that nobody listens any more); values sent before the
// first receiver is taken wait for it. The queue itself is unbounded:
// senders that can outrun their receiver bound themselves (the RPC layer bounds each
// endpoint's queue).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

#include "runtime/actor.h"
#include "runtime/future_state.h"

namespace strata {

template <class T>
class StreamState final : public Waitable {
 public:
  bool is_ready() const override { return !queue_.empty() || end_.has_value(); }

  void add_sender() { ++senders_; }
  void add_receiver() {
    ++receivers_;
    abandoned_ = false;
  }
  void drop_sender() {
    STRATA_ASSERT(senders_ > 0);
    if (--senders_ == 0 && !end_) {
      end(Error(ErrorCode::broken_promise));  // deletes the state if nobody is left
      return;
    }
    maybe_delete();
  }
  void drop_receiver() {
    STRATA_ASSERT(receivers_ > 0);
    if (--receivers_ == 0) {
      abandoned_ = true;
      ++pins_;  // destroying a queued value may run arbitrary code
      std::deque<T> dropped;
      dropped.swap(queue_);
      dropped.clear();
      --pins_;
    }
    maybe_delete();
  }

  template <class U>
  void send(U&& value) {
    STRATA_ASSERT_MSG(!end_, "send on a stream that has ended");
    if (abandoned_) return;
    queue_.emplace_back(std::forward<U>(value));
    // One value wakes one receiver; the others keep waiting.
    if (Callback* waiter = waiters_.pop_front()) waiter->fire();
  }
  void end(Error error) {
    if (end_) return;
    end_ = std::move(error);
    // A woken receiver may drop the last references; stay alive until all have run.
    ++pins_;
    waiters_.fire_all();
    --pins_;
    maybe_delete();
  }

  bool has_receivers() const { return !abandoned_; }
  size_t size() const { return queue_.size(); }
  bool has_value() const { return !queue_.empty(); }
  T pop() {
    STRATA_ASSERT(!queue_.empty());
    T value = std::move(queue_.front());
    queue_.pop_front();
    return value;
  }
  const std::optional<Error>& end_error() const { return end_; }

 private:
  void maybe_delete() {
    if (senders_ == 0 && receivers_ == 0 && pins_ == 0) delete this;
  }

  std::deque<T> queue_;
  std::optional<Error> end_;
  uint32_t senders_ = 0;
  uint32_t receivers_ = 0;
  uint32_t pins_ = 0;
  // Every receiver has gone: values sent now are dropped. A stream whose receiver has not
  // been taken yet is not abandoned; it queues.
  bool abandoned_ = false;
};

template <class T>
class StreamAwaiter;

template <class T>
class FutureStream {
 public:
  FutureStream() = default;
  explicit FutureStream(StreamState<T>* state) : state_(state) {
    if (state_) state_->add_receiver();
  }
  FutureStream(const FutureStream& other) : FutureStream(other.state_) {}
  FutureStream(FutureStream&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  FutureStream& operator=(FutureStream other) noexcept {
    std::swap(state_, other.state_);
    return *this;
  }
  ~FutureStream() {
    if (state_) state_->drop_receiver();
  }

  bool is_valid() const { return state_ != nullptr; }
  // A value (or the end) is waiting.
  bool is_ready() const { return state_->is_ready(); }
  size_t size() const { return state_->size(); }
  StreamState<T>* state() const { return state_; }

  StreamAwaiter<T> operator co_await() const { return StreamAwaiter<T>(state_); }

 private:
  StreamState<T>* state_ = nullptr;
};

template <class T>
class PromiseStream {
 public:
  PromiseStream() : state_(new StreamState<T>()) { state_->add_sender(); }
  PromiseStream(const PromiseStream& other) : state_(other.state_) {
    if (state_) state_->add_sender();
  }
  PromiseStream(PromiseStream&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  PromiseStream& operator=(PromiseStream other) noexcept {
    std::swap(state_, other.state_);
    return *this;
  }
  ~PromiseStream() {
    if (state_) state_->drop_sender();
  }

  FutureStream<T> get_future() const { return FutureStream<T>(state_); }

  template <class U = T>
  void send(U&& value) {
    state_->send(std::forward<U>(value));
  }
  // Ends the stream: receivers get every value sent before, then `error`.
  void send_error(Error error) { state_->end(std::move(error)); }

  bool has_receivers() const { return state_->has_receivers(); }
  size_t size() const { return state_->size(); }

 private:
  StreamState<T>* state_;
};

template <class T>
class StreamAwaiter final : public Callback, public ActorBase::Wait {
 public:
  explicit StreamAwaiter(StreamState<T>* state) : state_(state) {
    STRATA_ASSERT_MSG(state_ != nullptr, "co_await on an invalid stream");
    state_->add_receiver();
  }
  StreamAwaiter(const StreamAwaiter&) = delete;
  StreamAwaiter& operator=(const StreamAwaiter&) = delete;
  ~StreamAwaiter() { state_->drop_receiver(); }

  bool await_ready() const noexcept { return false; }

  template <class Promise>
  bool await_suspend(std::coroutine_handle<Promise> handle) {
    static_assert(std::is_base_of_v<ActorBase, Promise>, "only actors may await streams");
    actor_ = &handle.promise();
    if (actor_->is_cancelled() || state_->is_ready()) return false;
    actor_->begin_wait(this, handle);
    state_->waiters().push_back(this);
    return true;
  }

  T await_resume() {
    if (actor_->is_cancelled()) throw Error(ErrorCode::operation_cancelled);
    if (state_->has_value()) return state_->pop();
    throw *state_->end_error();
  }

  void fire() override { actor_->resume_after_wait(); }
  void detach() override { state_->waiters().remove(this); }

 private:
  StreamState<T>* state_;
  ActorBase* actor_ = nullptr;
};

}  // namespace strata
