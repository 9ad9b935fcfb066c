#pragma once

// A coordinator: every server process serves the coordinator streams, and answers for the
// clusters whose connection strings name it.
//
// - Generation registers (durable, one per cluster, in DATA/coordination): a read at
//   generation g promises to refuse writes older than g and answers the value with the
//   generation that wrote it; a write at g is stored only if no newer read or write came
//   first. A register this coordinator does not hold (a new cluster, a wiped disk, a new
//   coordinator after a move) is first learned from the other coordinators: the newest
//   value and the newest promise among enough of them to include a survivor of any
//   majority a write reached (both others of three, three others of five). So a
//   coordinator that lost its disk never answers "empty" for a cluster that has a state,
//   and a new cluster of three coordinators first starts once all three run.
// - Leader registers (in memory): candidates ask to be nominated; the coordinator
//   nominates the best live candidate, and keeps nominating a leader for as long as it
//   renews its lease (leader_lease_s), so a new leader is nominated only after the old
//   lease expired. Workers and clients ask who the elected leader is.
// - Forwarding: once the cluster's coordinators changed, every request for the old
//   connection string is answered with the new one.

#include <string>

#include "runtime/future.h"

namespace strata {

// Serves the coordinator streams of this process (at well-known tokens) until cancelled,
// keeping the registers in `data_dir`/coordination.
Future<Void> run_coordinator_server(std::string data_dir);

}  // namespace strata
