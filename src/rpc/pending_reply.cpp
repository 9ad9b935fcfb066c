#include "rpc/pending_reply.h"

namespace strata {

void PendingReply::unlink() {
  if (list_) list_->remove(this);
}

void PendingReplyList::push_back(PendingReply* reply) {
  replies_.push_back(reply);
  reply->list_ = this;
}

void PendingReplyList::remove(PendingReply* reply) {
  replies_.remove(reply);
  reply->list_ = nullptr;
}

void PendingReplyList::splice(PendingReplyList& other) {
  while (PendingReply* reply = other.replies_.front()) {
    other.remove(reply);
    push_back(reply);
  }
}

void PendingReplyList::fail_all(const Error& error) {
  while (PendingReply* reply = replies_.front()) {
    remove(reply);
    reply->fail(error);
  }
}

void PendingReplyList::fail_matching(const UID& token, const Error& error) {
  // Collect first: failing one reply may unlink or destroy others.
  PendingReplyList matching;
  for (PendingReply* reply = replies_.front(); reply != nullptr;) {
    PendingReply* next = replies_.next(reply);
    if (reply->destination_token() == token) {
      remove(reply);
      matching.push_back(reply);
    }
    reply = next;
  }
  matching.fail_all(error);
}

}  // namespace strata
