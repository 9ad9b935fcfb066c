#pragma once

// The cluster status document (docs/status-json.md): what the cluster controller knows
// about the cluster, gathered into ClusterStatusFacts, written out in FoundationDB's
// `status json` shape by a pure function, so that the document can be tested without a
// cluster. Only facts the controller really has go in; what it does not know is left out.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interfaces/status_interface.h"
#include "runtime/network_address.h"
#include "runtime/uid.h"
#include "server/cluster_controller/cluster_configuration.h"

namespace strata {

// Where the controller's recovery is; the names are FoundationDB's where the step is the
// same.
enum class RecoveryState : uint8_t {
  // Reading DATA/cluster-state, the layout of the last generation.
  reading_cluster_state,
  // Waiting for the workers that hold the last generation's logs and storage servers (or,
  // for a new cluster, for workers_expected workers) to register.
  waiting_for_workers,
  // Recovering and locking the logs, agreeing on the recovery version.
  locking_old_transaction_servers,
  // Recruiting the sequencer, resolver, storage servers and proxies of the new generation.
  recruiting_transaction_servers,
  // Recording the new generation in DATA/cluster-state before publishing it.
  writing_cluster_state,
  // The generation is published: every role of it was recruited and answered.
  fully_recovered,
};

std::string_view recovery_state_name(RecoveryState state);

struct ProcessRole {
  // cluster_controller, sequencer, resolver, log, storage, commit_proxy or grv_proxy.
  std::string role;
  UID id;
};

struct ProcessFacts {
  NetworkAddress address;
  // The worker's incarnation (new whenever its process starts); invalid when the process
  // hosts roles but is not registered with this controller.
  UID worker_id;
  // The roles of the published generation on this process, and the controller's own.
  std::vector<ProcessRole> roles;
  // The document the process answered at its status endpoint; nullopt when it did not
  // answer within the timeout.
  std::optional<std::string> status_json;
  // Why it did not answer (an error message), when it did not.
  std::string failure;
  // What its roles did lately, when it answered.
  std::optional<ProcessMetrics> metrics;
};

struct CoordinatorFacts {
  NetworkAddress address;
  // Whether it answered its status endpoint within the timeout.
  bool reachable = false;
};

struct ClusterStatusFacts {
  std::string connection_string;
  std::vector<CoordinatorFacts> coordinators;
  // Seconds since the Unix epoch when the document was made.
  double timestamp_s = 0;
  // The newest generation recorded in DATA/cluster-state (0: none yet). It serves once the
  // recovery state is fully_recovered.
  uint64_t generation = 0;
  RecoveryState recovery_state = RecoveryState::reading_cluster_state;
  // The layout: the recorded one, or for a cluster never recruited, the one it will get.
  ClusterConfiguration configuration;
  int workers_registered = 0;
  // Roles of the last generation that no registered worker holds ("log <id>", ...): what
  // a recovery waiting for workers waits for.
  std::vector<std::string> missing_roles;
  // The error of the last recovery attempt, while no later attempt has completed.
  std::optional<std::string> recovery_error;
  // How long each process was given to answer.
  double process_timeout_s = 0;
  // Every process the controller knows: registered workers, the controller's own, and
  // any other that hosts a role of the published generation.
  std::vector<ProcessFacts> processes;
};

// The document, one line of JSON. Pure: the same facts give the same text.
std::string cluster_status_json(const ClusterStatusFacts& facts);

}  // namespace strata
