#pragma once

// What the cluster controller knows, shared by its parts: the workers that registered,
// the core state as last read or written, the generation it published and the processes
// it runs on, and where recovery is.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interfaces/cluster_interface.h"
#include "interfaces/exclusions.h"
#include "runtime/combinators.h"
#include "runtime/notified.h"
#include "server/cluster_controller/cluster_controller.h"
#include "server/cluster_controller/cluster_status.h"
#include "server/cluster_controller/core_state.h"
#include "server/coordinator/coordinated_state.h"

namespace strata {

struct RegisteredWorker {
  WorkerInterface interface;
  std::vector<StoredRole> stored_roles;
  // The database its data folder belongs to (invalid: none yet).
  UID cluster_id;
  // Whether it stopped answering pings (failure_detection_timeout_s).
  bool failed = false;
  double last_answer_at = 0;
};

// The roles of a generation that hold no data.
struct StatelessRoles {
  SequencerInterface sequencer;
  std::vector<ResolverInterface> resolvers;
  std::vector<CommitProxyInterface> commit_proxies;
  std::vector<GrvProxyInterface> grv_proxies;
};

struct RecoveryProgress {
  RecoveryState state = RecoveryState::reading_coordinated_state;
  // What the current phase waits for, for status ("" when nothing in particular).
  std::string waiting_for;
  // Why the current recovery started, and when (the first attempt after the generation
  // failed or the controller was elected).
  std::string reason = "a cluster controller was elected";
  double started_at = 0;
  // The error of the last failed attempt, until an attempt completes.
  std::optional<std::string> error;
  // The last recovery that completed: when (wall clock) and how long it took from its
  // start to its first commit.
  std::optional<double> last_completed_wall_time;
  double last_duration_s = 0;
  uint64_t completed = 0;
};

struct ControllerState {
  ClusterControllerOptions options;
  UID id;
  double elected_at = 0;
  std::unique_ptr<CoordinatedState> coordinated;
  std::map<NetworkAddress, RegisteredWorker> workers;
  // Bumped whenever a worker registers as a new process, its stored roles change, or it
  // fails or answers again.
  AsyncVar<uint64_t> registrations{0};
  // The core state as this controller last read or wrote it.
  std::optional<CoreState> core;
  AsyncVar<ServerDBInfo> db_info;
  // The stateless roles of the published generation.
  std::optional<StatelessRoles> published_roles;
  // The processes hosting roles of the published generation, with the incarnation each
  // had when recruited: a failure or restart of any ends the generation.
  std::map<NetworkAddress, UID> generation_processes;
  // Bumped to end the published generation (or the recovery in progress); the reason is
  // kept for status.
  AsyncVar<uint64_t> generation_failures{0};
  RecoveryProgress recovery;
  // A configuration `configure` asked for, applied by the next recovery, and the requests
  // to answer once it is recorded.
  std::optional<DatabaseConfiguration> pending_configuration;
  std::vector<ReplyPromise<ConfigureReply>> configure_waiters;
  // A coordinators change asked for, done by the recovery loop between generations.
  std::optional<ChangeCoordinatorsRequest> coordinators_change;
  // The data distributor, while one runs.
  std::optional<DataDistributorInterface> data_distributor;
  std::optional<RatekeeperInterface> ratekeeper;
  // Storage servers the data distributor asked to drop, with the requests to answer once
  // the core state no longer names them (the core state's writer does it).
  std::vector<RemoveStorageServerRequest> removals;
  // When a storage process that joined last failed to get a storage server: it does not
  // start another recovery for storage_join_retry_delay_s.
  std::map<NetworkAddress, double> storage_join_failed_at;
  // The excluded processes as last read from the database, and a count of its changes.
  Exclusions exclusions;
  AsyncVar<uint64_t> exclusion_changes{0};
  // The database's tenant_mode as last read with the exclusions (for status).
  TenantMode tenant_mode = TenantMode::disabled;
  // The excluded processes as they were when the logs of the generation being recruited,
  // and of the published one, were chosen: a process excluded since then that hosts a role
  // of the published generation ends it, however long ago the list changed (a recovery
  // under way when it changed may have recruited there without knowing).
  Exclusions recruiting_exclusions;
  Exclusions generation_exclusions;
};

// Ends the published generation (or restarts the recovery in progress) because of `why`.
void end_generation(ControllerState& state, const std::string& why);

// The error for a worker at `address` whose data folder belongs to database `folder_id`,
// not to the one the coordinators hold (or, when they hold none, to none of theirs).
Error foreign_data_folder(const ControllerState& state, NetworkAddress address,
                          const UID& folder_id);

}  // namespace strata
