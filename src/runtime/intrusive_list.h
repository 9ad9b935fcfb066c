#pragma once

// A doubly-linked FIFO whose nodes are the elements themselves: putting something on it
// allocates nothing, and taking it off is O(1). An element derives from
// IntrusiveListHook and may be on one list at a time.

#include "runtime/assert.h"

namespace strata {

class IntrusiveListHook {
 public:
  bool is_linked() const { return owner_ != nullptr; }

 protected:
  IntrusiveListHook() = default;
  ~IntrusiveListHook() = default;
  IntrusiveListHook(const IntrusiveListHook&) = delete;
  IntrusiveListHook& operator=(const IntrusiveListHook&) = delete;

 private:
  template <class T>
  friend class IntrusiveList;
  const void* owner_ = nullptr;
  IntrusiveListHook* prev_ = nullptr;
  IntrusiveListHook* next_ = nullptr;
};

template <class T>
class IntrusiveList {
 public:
  IntrusiveList() = default;
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;
  ~IntrusiveList() {
    STRATA_ASSERT_MSG(first_ == nullptr, "a list was destroyed with elements on it");
  }

  bool empty() const { return first_ == nullptr; }
  bool contains(const T* element) const { return hook(element)->owner_ == this; }
  T* front() const { return static_cast<T*>(first_); }
  T* next(const T* element) const { return static_cast<T*>(hook(element)->next_); }

  void push_back(T* element) {
    IntrusiveListHook* node = hook(element);
    STRATA_ASSERT_MSG(node->owner_ == nullptr, "an element is already on a list");
    node->owner_ = this;
    node->prev_ = last_;
    node->next_ = nullptr;
    if (last_) {
      last_->next_ = node;
    } else {
      first_ = node;
    }
    last_ = node;
  }

  void remove(T* element) {
    IntrusiveListHook* node = hook(element);
    STRATA_ASSERT_MSG(node->owner_ == this, "removing an element from a list it is not on");
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
    node->owner_ = nullptr;
    node->prev_ = node->next_ = nullptr;
  }

  // Unlinks and returns the oldest element, or nullptr.
  T* pop_front() {
    T* element = front();
    if (element) remove(element);
    return element;
  }

 private:
  static IntrusiveListHook* hook(const T* element) {
    return const_cast<IntrusiveListHook*>(static_cast<const IntrusiveListHook*>(element));
  }

  IntrusiveListHook* first_ = nullptr;
  IntrusiveListHook* last_ = nullptr;
};

}  // namespace strata
