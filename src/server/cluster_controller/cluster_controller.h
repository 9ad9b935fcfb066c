#pragma once

// The cluster controller: runs on the process the coordinators elected, for as long as it
// leads. It tracks the workers that register (pinging each, so it notices a dead or
// partitioned one within failure_detection_timeout_s), recovers the database into a new
// generation whenever a process or role of the current one fails (cluster_recovery.h),
// publishes where the roles are (ServerDBInfo to workers, ClientDBInfo to clients), drops
// old generations of logs once every storage server has popped them, applies
// `configure`, moves the core state when the coordinators change, and answers the
// cluster status document. Its streams are at well-known tokens of its process.

#include <string>

#include "client/cluster_connection.h"
#include "runtime/future.h"
#include "server/cluster_controller/cluster_configuration.h"

namespace strata {

struct ClusterControllerOptions {
  // How a new database is laid out, when the coordinators hold none.
  ClusterConfiguration new_database;
  // The coordinators, as the elected process knows them.
  ClusterConnectionString connection;
};

// Runs until cancelled (the caller cancels it when leadership is lost). Fails with
// coordinators_changed (detail: the new connection string) once it moved the core state
// to new coordinators or found that someone did.
Future<Void> run_cluster_controller(ClusterControllerOptions options);

}  // namespace strata
