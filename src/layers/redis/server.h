#pragma once

// A strata-redis instance: accepts clients on an address and serves each one
// (client_connection.h), and deletes keys past their expiry and old commit markers in the
// background (active expiry, shared by every instance on the cluster through the expiry
// index). It also runs pub/sub's background work: the registry's writer, the pump that
// delivers published messages to its subscribers, and the cleanup of old messages
// (pubsub_log.h). Runs on Strata's runtime, so the same code runs in simulation.

#include <memory>

#include "layers/redis/instance.h"
#include "runtime/environment.h"

namespace strata::redis {

// Serves clients from `listener` and runs active expiry and pub/sub, until cancelled.
Future<Void> run_redis_server(Instance& instance, std::shared_ptr<Listener> listener);

// One round of active expiry: deletes up to redis_knobs().expiry_batch_keys keys whose
// time has passed, and the commit markers older than their lifetime. Returns how many keys
// it deleted.
Future<int64_t> expire_due_keys(Instance& instance);

}  // namespace strata::redis
