#include "runtime/combinators.h"

namespace strata {

MultiWait::MultiWait(std::vector<Waitable*> targets, Mode mode)
    : targets_(std::move(targets)), mode_(mode) {
  for (Waitable* target : targets_)
    STRATA_ASSERT_MSG(target != nullptr, "waiting on nothing");
}

MultiWait::~MultiWait() {
  detach();
}

bool MultiWait::satisfied() const {
  bool all_ready = true;
  for (Waitable* target : targets_) {
    bool ready = target->is_ready();
    if (ready && mode_ == Mode::any) return true;
    // A failed future ends an all-wait early.
    if (ready && mode_ == Mode::all && target->has_failed()) return true;
    all_ready = all_ready && ready;
  }
  return mode_ == Mode::all && all_ready;
}

void MultiWait::register_waiters() {
  nodes_ = std::vector<Node>(targets_.size());
  for (size_t i = 0; i < targets_.size(); ++i) {
    nodes_[i].owner = this;
    nodes_[i].index = i;
    if (!targets_[i]->is_ready()) targets_[i]->waiters().push_back(&nodes_[i]);
  }
}

void MultiWait::detach() {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].is_linked()) targets_[i]->waiters().remove(&nodes_[i]);
  }
}

void MultiWait::on_fire(size_t index) {
  (void)index;
  if (!satisfied()) return;
  detach();
  actor_->resume_after_wait();
}

size_t MultiWait::await_resume() {
  if (actor_->is_cancelled()) throw Error(ErrorCode::operation_cancelled);
  for (size_t i = 0; i < targets_.size(); ++i) {
    if (targets_[i]->is_ready()) return i;
  }
  STRATA_ASSERT(mode_ == Mode::all && targets_.empty());
  return 0;
}

Future<Void> when_all_done(std::vector<Future<Void>> futures) {
  co_await when_all(std::move(futures));
  co_return;
}

void ActorCollection::add(Future<Void> actor) {
  STRATA_ASSERT(actor.is_valid());
  if (actor.is_ready()) {
    if (actor.is_error() && !actor.error().is_cancellation() && !failure_.is_set()) {
      failure_.send_error(actor.error());
    }
    return;
  }
  entries_.emplace_back();
  Entry& entry = entries_.back();
  entry.owner = this;
  entry.self = std::prev(entries_.end());
  entry.actor = std::move(actor);
  entry.actor.state()->waiters().push_back(&entry);
}

void ActorCollection::on_done(std::list<Entry>::iterator entry) {
  Future<Void> actor = std::move(entry->actor);
  entries_.erase(entry);
  if (actor.is_error() && !actor.error().is_cancellation() && !failure_.is_set()) {
    failure_.send_error(actor.error());
  }
}

void ActorCollection::clear() {
  // Take the entries out first: cancelling one actor may add or finish others.
  std::list<Entry> running;
  running.swap(entries_);
  for (Entry& entry : running) {
    if (entry.is_linked()) entry.actor.state()->waiters().remove(&entry);
  }
  running.clear();
}

}  // namespace strata
