#pragma once

// The pub/sub message log, shared by every instance of a prefix (docs/redis-layer.md,
// "Pub/sub").
//
// - PUBLISH writes its message in its own transaction under a versionstamped key, (5,
//   stamp, sequence), so the log is in commit order, and adds 1 to the notice key (6).
//   Atomic operations both: publishes never conflict with each other.
// - Each instance runs one pump: it reads the log after the last message it delivered, in
//   bounded batches, and in the transaction of the read that reaches the end sets a watch
//   on the notice key, so a message committed after that read fires the watch and none is
//   missed. It reads again when the watch fires, or after pubsub_fallback_interval_s in
//   case a watch is lost. Messages committed before the pump started are not delivered.
// - The cleanup clears messages older than pubsub_log_lifetime_s. A pump that falls
//   further behind loses them: delivery is at most once, as in Redis.

#include <cstdint>
#include <string_view>

#include "layers/redis/instance.h"
#include "layers/redis/pubsub_hub.h"
#include "runtime/future.h"
#include "strata/transaction.h"

namespace strata::redis {

// Writes a message into the log in `tr`; `sequence` orders the messages of one
// transaction. The caller checked the size (pubsub_message_bytes_max).
void write_message(Transaction& tr, const Keyspace& keyspace, int64_t sequence, ChannelKind kind,
                   std::string_view channel, std::string_view payload, int64_t now_ms);

// The pump of `instance`: delivers the log's messages to its subscribers (pubsub_hub.h)
// in commit order, until cancelled.
Future<Void> run_pubsub_pump(Instance& instance);

// Clears the messages older than their lifetime, and the registry entries of dead
// instances (pubsub_registry.h), every pubsub_cleanup_interval_s, until cancelled.
Future<Void> run_pubsub_cleanup(Instance& instance);

}  // namespace strata::redis
