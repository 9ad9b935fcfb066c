#include "runtime/future.h"

namespace strata {

thread_local int64_t ActorBase::live_actors_ = 0;

void StateBase::drop_future_ref() {
  STRATA_ASSERT(future_refs_ > 0);
  if (--future_refs_ > 0) return;
  if (status_ == Status::pending && canceller_ != nullptr) {
    // The actor unwinds synchronously and drops its own promise reference as it
    // finishes; keep the state alive until it is done.
    ++promise_refs_;
    canceller_->cancel();
    --promise_refs_;
  }
  if (promise_refs_ == 0) delete this;
}

void StateBase::drop_promise_ref() {
  STRATA_ASSERT(promise_refs_ > 0);
  if (--promise_refs_ > 0) return;
  if (status_ == Status::pending) {
    // set_error pins the state with a promise reference while waiters run.
    ++promise_refs_;
    set_error(Error(ErrorCode::broken_promise));
    --promise_refs_;
  }
  if (future_refs_ == 0 && promise_refs_ == 0) delete this;
}

void ActorBase::cancel() {
  if (finished_ || cancelled_) return;
  cancelled_ = true;
  // An actor that is running right now (it dropped its own last future through some
  // call chain) notices at its next co_await.
  if (Wait* wait = current_wait_) {
    wait->detach();
    resume_after_wait();
  }
}

void ActorPromise<Void>::return_void() {
  state_->set_value(Void{});
}

}  // namespace strata
