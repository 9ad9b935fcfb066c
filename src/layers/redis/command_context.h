#pragma once

// What a command runs with: its arguments, the transaction (through the key store of the
// connection's database), the connection's session (a copy, kept if the transaction
// commits) and the instance, and where its reply goes.

#include <string>
#include <vector>

#include "layers/redis/command_error.h"
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
  // A blocking command that waits may set the arguments it runs with next time (XREAD
  // resolves "$" to an ID). Null where it must not block.
  std::vector<std::string>* rerun_arguments = nullptr;
  // Run again after a wake-up: a key that now holds another type is waited on, not an
  // error (Redis serves a blocked client only from keys of its type).
  bool woken = false;

  Transaction& transaction() { return store.transaction(); }

  // A blocking command's key: the metadata if it holds `type`; WRONGTYPE for another type,
  // except once woken, when it counts as absent.
  Future<std::optional<Metadata>> find_to_take(std::string name, RedisType type) {
    std::optional<Metadata> found = co_await store.find(std::move(name));
    if (found && found->type != type) {
      if (!woken) fail_wrong_type();
      co_return std::nullopt;
    }
    co_return found;
  }
};

}  // namespace strata::redis
