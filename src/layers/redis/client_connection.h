#pragma once

// One client's connection to strata-redis: reads requests (pipelined or not), runs each
// as a transaction in order, and writes the replies in order, the replies of the requests
// one read brought in a single write. Handles what belongs to the connection itself:
// MULTI/EXEC/DISCARD (queued commands run as one transaction), WATCH/UNWATCH, AUTH, HELLO,
// QUIT and RESET. A protocol error is answered and the connection closed, as Redis does.

#include <memory>

#include "layers/redis/instance.h"
#include "runtime/environment.h"

namespace strata::redis {

// Serves `connection` until the client goes or the instance stops (cancellation).
Future<Void> serve_client(Instance& instance, std::shared_ptr<Connection> connection);

}  // namespace strata::redis
