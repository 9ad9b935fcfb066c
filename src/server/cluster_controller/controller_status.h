#pragma once

// The cluster status document as the controller answers it: what it knows (workers,
// generations, recovery), then each process's own status, asked of all of them at once
// with a short timeout.

#include <string>

#include "runtime/future.h"
#include "server/cluster_controller/controller_state.h"

namespace strata {

// What the controller knows now, before it asks the processes.
ClusterStatusFacts current_facts(const ControllerState& state);

// The document: never fails, and takes at most cluster_status_process_timeout_s.
Future<std::string> build_cluster_status(const ControllerState* state);

}  // namespace strata
