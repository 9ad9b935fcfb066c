#pragma once

// Replies the transport waits for on behalf of callers, kept on an intrusive list per
// connection (or per peer while not yet sent) so that a broken connection can fail
// exactly the requests it carried.

#include "runtime/error.h"
#include "runtime/intrusive_list.h"
#include "runtime/uid.h"

namespace strata {

class PendingReplyList;

class PendingReply : public IntrusiveListHook {
 public:
  // Completes the caller's future with `error`. Called after the reply was unlinked; may
  // destroy the object.
  virtual void fail(Error error) = 0;
  // The token the request was sent to (to match "endpoint not found" answers).
  virtual const UID& destination_token() const = 0;

  // Takes the reply off whatever list holds it.
  void unlink();

 protected:
  PendingReply() = default;
  ~PendingReply() { unlink(); }

 private:
  friend class PendingReplyList;
  PendingReplyList* list_ = nullptr;
};

class PendingReplyList {
 public:
  bool empty() const { return replies_.empty(); }
  void push_back(PendingReply* reply);
  void remove(PendingReply* reply);
  // Moves every reply of `other` to the end of this list.
  void splice(PendingReplyList& other);
  // Fails every reply (each is unlinked before it is failed).
  void fail_all(const Error& error);
  // Fails the replies to requests that went to `token`.
  void fail_matching(const UID& token, const Error& error);

 private:
  IntrusiveList<PendingReply> replies_;
};

}  // namespace strata
