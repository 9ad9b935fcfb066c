#pragma once

// A read-version proxy: answers batches of read-version requests with the sequencer's
// live committed version, after every log confirms that this proxy's generation is still
// current, so that no read version of a superseded generation is ever handed out. Runs
// until cancelled.

#include <cstdint>
#include <vector>

#include "interfaces/cluster_interface.h"
#include "runtime/future.h"

namespace strata {

GrvProxyInterface make_grv_proxy_interface(UID id);

struct GrvProxyOptions {
  uint64_t epoch = 0;
  SequencerInterface sequencer;
  std::vector<LogInterface> logs;
};

Future<Void> run_grv_proxy(GrvProxyInterface interface, GrvProxyOptions options);

}  // namespace strata
