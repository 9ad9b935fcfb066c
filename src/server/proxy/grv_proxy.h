#pragma once

// A read-version proxy: answers batches of read-version requests with the sequencer's
// live committed version, after every log confirms that this proxy's generation is still
// current, so that no read version of a superseded generation is ever handed out.
//
// It starts transactions no faster than the ratekeeper allows: each priority has a budget
// that fills at its rate (the ratekeeper's share for this proxy, asked for every
// rk_update_interval_s), and a request of default or batch priority waits until its budget
// is positive; system-immediate requests never wait. Rates hold for the lease the
// ratekeeper gives; without news for that long (and before it first hears, after one
// lease) default and batch requests wait. Runs until cancelled.

#include <cstdint>
#include <memory>
#include <vector>

#include "interfaces/cluster_interface.h"
#include "runtime/future.h"
#include "runtime/notified.h"

namespace strata {

GrvProxyInterface make_grv_proxy_interface(UID id);

struct GrvProxyOptions {
  uint64_t epoch = 0;
  SequencerInterface sequencer;
  std::vector<LogInterface> logs;
  // Where the ratekeeper is.
  std::shared_ptr<AsyncVar<ServerDBInfo>> db_info;
};

Future<Void> run_grv_proxy(GrvProxyInterface interface, GrvProxyOptions options);

}  // namespace strata
