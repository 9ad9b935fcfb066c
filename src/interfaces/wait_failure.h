#pragma once

// How the cluster controller notices that a role of the current generation ended.

#include "rpc/request_stream.h"

namespace strata {

// Held by a role until it ends: then the requester hears broken_promise (or, if the
// process died, a connection error) and knows the role failed. A role that holds too many
// answers the oldest with success, which means only "still alive: ask again".
struct WaitFailureRequest {
  ReplyPromise<Void> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(reply);
  }
};

}  // namespace strata
