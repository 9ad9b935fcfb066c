#pragma once

// The cluster controller: tracks the workers that register, recruits every role onto them,
// and publishes where the roles are (ServerDBInfo to workers, ClientDBInfo to clients).
//
// Recovery: at start, and whenever a worker that hosts a log or a role of the current
// generation comes back as a new process, the controller starts a new generation: it
// waits for the workers holding the cluster's logs and storage servers, locks the logs,
// takes the smallest durable end among them as the recovery version, starts the new epoch
// on every log at that version, recruits a new sequencer, resolver and proxies, recovers
// the storage servers, records the new generation durably, and only then publishes it. A
// worker that hosts only storage servers and comes back just gets them started again:
// they recover from their files and catch up from the logs.
//
// The cluster's durable layout (epoch, logs, storage servers and their shards) is kept in
// DATA/cluster-state until coordinators keep it.
//
// It also answers the cluster status document (interfaces/cluster_status_interface.h,
// docs/status-json.md) at a well-known token, asking every process it knows for its own
// status. Runs until cancelled.

#include <string>

#include "client/cluster_connection.h"
#include "runtime/future.h"
#include "server/cluster_controller/cluster_configuration.h"

namespace strata {

struct ClusterControllerOptions {
  ClusterConfiguration configuration;
  std::string data_dir;
  // The cluster's connection string, for status.
  ClusterConnectionString connection;
};

Future<Void> run_cluster_controller(ClusterControllerOptions options);

}  // namespace strata
