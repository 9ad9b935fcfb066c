#include "rpc/pending_reply.h"

namespace strata {

void PendingReply::unlink() {
  if (list_) list_->remove(this);
}

void PendingReplyList::push_back(PendingReply* reply) {
  STRATA_ASSERT(reply->list_ == nullptr);
  reply->list_ = this;
  reply->prev_ = last_;
  reply->next_ = nullptr;
  if (last_) {
    last_->next_ = reply;
  } else {
    first_ = reply;
  }
  last_ = reply;
}

void PendingReplyList::remove(PendingReply* reply) {
  STRATA_ASSERT(reply->list_ == this);
  if (reply->prev_) {
    reply->prev_->next_ = reply->next_;
  } else {
    first_ = reply->next_;
  }
  if (reply->next_) {
    reply->next_->prev_ = reply->prev_;
  } else {
    last_ = reply->prev_;
  }
  reply->list_ = nullptr;
  reply->prev_ = reply->next_ = nullptr;
}

void PendingReplyList::splice(PendingReplyList& other) {
  while (PendingReply* reply = other.first_) {
    other.remove(reply);
    push_back(reply);
  }
}

void PendingReplyList::fail_all(const Error& error) {
  while (PendingReply* reply = first_) {
    remove(reply);
    reply->fail(error);
  }
}

void PendingReplyList::fail_matching(const UID& token, const Error& error) {
  // Collect first: failing one reply may unlink or destroy others.
  PendingReplyList matching;
  for (PendingReply* reply = first_; reply != nullptr;) {
    PendingReply* next = reply->next_;
    if (reply->destination_token() == token) {
      remove(reply);
      matching.push_back(reply);
    }
    reply = next;
  }
  matching.fail_all(error);
}

}  // namespace strata
