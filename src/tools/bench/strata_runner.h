#pragma once

// Runs a workload against Strata with the native client: on the event loop, `in_flight`
// transactions at once on each of `connections` database handles.

#include "runtime/future.h"
#include "tools/bench/bench_options.h"
#include "tools/bench/workload.h"

namespace strata::bench {

// Loads (unless --no-load), warms up, measures and reports; the exit status.
Future<int> run_strata(const BenchOptions& options, Workload& workload);

}  // namespace strata::bench
