#pragma once

// What a command runs with: its arguments, the transaction (through the key store of the
// connection's database), the connection's session (a copy, kept if the transaction
// commits) and the instance, and where its reply goes.

#include <string>
#include <vector>

#include "layers/redis/instance.h"
#include "layers/redis/key_store.h"
#include "layers/redis/reply_writer.h"
#include "layers/redis/session.h"

namespace strata::redis {

struct CommandContext {
  Instance& instance;
  Session& session;
  KeyStore store;
  ReplyWriter& reply;
  // The command's name (as sent) and its arguments.
  const std::vector<std::string>& args;
  // A blocking command (BLPOP, ...) that finds nothing to take adds the keys whose change
  // should wake it here, and replies nothing: the connection waits and runs it again.
  // Null where it must not block (inside MULTI): it then answers as on a timeout.
  std::vector<std::string>* wake_on = nullptr;

  Transaction& transaction() { return store.transaction(); }
};

}  // namespace strata::redis
