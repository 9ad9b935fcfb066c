#pragma once

// Threads for tools that drive blocking clients (strata-bench's peers: PostgreSQL, etcd,
// Redis), which cannot run on the event loop. Not for Strata's own roles: they run on the
// loop, so that the simulator can run them.

#include <functional>

namespace strata::real {

// Runs body(0) ... body(count - 1), each on a thread of its own, and returns when all have.
void run_on_threads(int count, const std::function<void(int)>& body);

// The monotonic clock, in seconds; safe from any thread.
double monotonic_seconds();

// Sleeps the calling thread (never the loop's) for `seconds`.
void sleep_for_seconds(double seconds);

}  // namespace strata::real
