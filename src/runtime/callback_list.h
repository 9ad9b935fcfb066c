#pragma once

// An intrusive FIFO of waiters. Waiting on a future or a stream allocates nothing: the
// waiter (usually an awaiter living in a coroutine frame) is itself the list node.

#include "runtime/assert.h"

namespace strata {

class Callback {
 public:
  // Called at most once, after the node has been unlinked. The callee may destroy the
  // node (typically by resuming the coroutine whose frame holds it).
  virtual void fire() = 0;

  bool is_linked() const { return linked_; }

 protected:
  Callback() = default;
  ~Callback() = default;
  Callback(const Callback&) = delete;
  Callback& operator=(const Callback&) = delete;

 private:
  friend class CallbackList;
  Callback* prev_ = nullptr;
  Callback* next_ = nullptr;
  bool linked_ = false;
};

class CallbackList {
 public:
  CallbackList() = default;
  CallbackList(const CallbackList&) = delete;
  CallbackList& operator=(const CallbackList&) = delete;
  ~CallbackList() { STRATA_ASSERT_MSG(first_ == nullptr, "a waiter outlived what it waited on"); }

  bool empty() const { return first_ == nullptr; }

  void push_back(Callback* node) {
    STRATA_ASSERT(!node->linked_);
    node->prev_ = last_;
    node->next_ = nullptr;
    if (last_) {
      last_->next_ = node;
    } else {
      first_ = node;
    }
    last_ = node;
    node->linked_ = true;
  }

  void remove(Callback* node) {
    STRATA_ASSERT(node->linked_);
    if (node->prev_) {
      node->prev_->next_ = node->next_;
    } else {
      first_ = node->next_;
    }
    if (node->next_) {
      node->next_->prev_ = node->prev_;
    } else {
      last_ = node->prev_;
    }
    node->prev_ = node->next_ = nullptr;
    node->linked_ = false;
  }

  // Unlinks and returns the oldest waiter, or nullptr.
  Callback* pop_front() {
    Callback* node = first_;
    if (node) remove(node);
    return node;
  }

  // Fires every waiter in the order they arrived. Waiters added while firing are fired
  // too, so the list is empty on return.
  void fire_all() {
    while (Callback* node = pop_front())
      node->fire();
  }

 private:
  Callback* first_ = nullptr;
  Callback* last_ = nullptr;
};

}  // namespace strata
