#pragma once

// The ratekeeper (see interfaces/ratekeeper_interface.h). Every rk_update_interval_s it asks
// each storage server of ServerDBInfo for its queue and each log of the current generation
// for its status, measures the rates at which they take data in and write it out and the
// rate at which the proxies start transactions, and plans the default- and batch-priority
// limits (rate_plan.h). Runs until cancelled, or until ServerDBInfo, having named it,
// names another ratekeeper (or, if it was never named, names another a lease after it
// started: its controller went before publishing it).

#include <memory>

#include "interfaces/cluster_interface.h"
#include "runtime/future.h"
#include "runtime/notified.h"

namespace strata {

RatekeeperInterface make_ratekeeper_interface(UID id);

// `replication` is the copies each shard keeps: the storage servers of up to one zone
// fewer may fall behind without limiting anyone.
Future<Void> run_ratekeeper(RatekeeperInterface interface, int replication,
                            std::shared_ptr<AsyncVar<ServerDBInfo>> db_info);

}  // namespace strata
