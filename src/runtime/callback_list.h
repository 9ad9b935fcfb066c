#pragma once

// The waiters of a future or a stream. Waiting allocates nothing: the waiter (usually an
// awaiter living in a coroutine frame) is itself the list node.

#include "runtime/intrusive_list.h"

namespace strata {

class Callback : public IntrusiveListHook {
 public:
  // Called at most once, after the node has been unlinked. The callee may destroy the
  // node (typically by resuming the coroutine whose frame holds it).
  virtual void fire() = 0;

 protected:
  Callback() = default;
  ~Callback() = default;
};

class CallbackList : public IntrusiveList<Callback> {
 public:
  // Fires every waiter in the order they arrived. Waiters added while firing are fired
  // too, so the list is empty on return.
  void fire_all() {
    while (Callback* node = pop_front())
      node->fire();
  }
};

}  // namespace strata
