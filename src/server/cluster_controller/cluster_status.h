#pragma once

// The cluster status document (docs/status-json.md): what the cluster controller knows
// about the cluster, gathered into ClusterStatusFacts, written out in FoundationDB's
// `status json` shape by a pure function, so that the document can be tested without a
// cluster. Only facts the controller really has go in; what it does not know is left out.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interfaces/database_configuration.h"
#include "interfaces/locality.h"
#include "interfaces/log_interface.h"
#include "interfaces/ratekeeper_interface.h"
#include "interfaces/status_interface.h"
#include "interfaces/tenant_map.h"
#include "interfaces/types.h"
#include "runtime/network_address.h"
#include "runtime/uid.h"

namespace strata {

// Where the controller's recovery is; the names are FoundationDB's where the step is the
// same.
enum class RecoveryState : uint8_t {
  // Reading the core state from the coordinators.
  reading_coordinated_state,
  // Claiming a new generation in the core state, which fences out any other controller.
  locking_coordinated_state,
  // A new cluster: waiting for its first workers before creating the database.
  configuration_never_created,
  // Locking the logs of the last generation and agreeing on its recovery version.
  locking_old_transaction_servers,
  // Recruiting the logs, sequencer, resolvers, proxies (and, for a new database, storage
  // servers) of the new generation.
  recruiting_transaction_servers,
  // Recording the new generation in the core state before anyone may use it.
  writing_coordinated_state,
  // Published: the new generation takes commits; its first commit is not durable yet.
  accepting_commits,
  // The new generation has made a commit durable.
  fully_recovered,
};

std::string_view recovery_state_name(RecoveryState state);

struct ProcessRole {
  // cluster_controller, coordinator, sequencer, resolver, log, storage, commit_proxy or
  // grv_proxy.
  std::string role;
  UID id;
};

struct ProcessFacts {
  NetworkAddress address;
  // The worker's incarnation (new whenever its process starts); invalid when the process
  // is not registered with this controller.
  UID worker_id;
  Locality locality;
  // Registered, but it stopped answering the controller's pings.
  bool failed = false;
  // Covered by an exclusion (interfaces/exclusions.h).
  bool excluded = false;
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

struct LogGenerationFacts {
  uint64_t epoch = 0;
  bool current = false;
  Version begin = 0;
  // Old generations only.
  std::optional<Version> end;
  std::vector<std::pair<UID, NetworkAddress>> logs;
};

struct TeamMemberFacts {
  UID id;
  NetworkAddress address;
  std::string zone;
  // A live registered worker runs it.
  bool live = false;
  Tag tag = 0;
};

// What a log answered about its queue.
struct LogQueueFacts {
  Version durable = 0;
  int64_t disk_bytes = 0;
  int64_t memory_bytes = 0;
  Version spilled_through = 0;
  std::map<Tag, Version> popped_by_tag;
};

// One shard and the storage servers holding it.
struct ShardTeamFacts {
  KeyRange range;
  std::vector<TeamMemberFacts> members;
  // While the shard moves: the team it moves to (it fetches, and serves no reads yet).
  std::vector<TeamMemberFacts> moving_to;
};

// How many zones may fail at once (FoundationDB's fault_tolerance fields), and what limits
// each figure.
struct FaultTolerance {
  int without_losing_data = 0;
  int without_losing_availability = 0;
  std::string data_limited_by;
  std::string availability_limited_by;
};

struct RecoveryFacts {
  RecoveryState state = RecoveryState::reading_coordinated_state;
  // What the current phase waits for ("" when nothing in particular).
  std::string waiting_for;
  // Why the last (or current) recovery started.
  std::string reason;
  // The error of the last failed attempt, while no later attempt has completed.
  std::optional<std::string> error;
  // When the last recovery completed (seconds since the Unix epoch) and how long it took,
  // from the failure it answered (or the controller's election) to the first durable
  // commit of the new generation; and how many completed since this controller was elected.
  std::optional<double> last_completed_timestamp_s;
  double last_duration_s = 0;
  uint64_t completed = 0;
};

struct ClusterStatusFacts {
  std::string connection_string;
  std::vector<CoordinatorFacts> coordinators;
  // Seconds since the Unix epoch when the document was made.
  double timestamp_s = 0;
  // The generation of the published transaction system (0: none yet).
  uint64_t generation = 0;
  RecoveryFacts recovery;
  bool database_exists = false;
  // The recorded configuration, or for a database not created yet, the one it will get.
  DatabaseConfiguration configuration;
  // A setting kept in the database itself, as last read.
  TenantMode tenant_mode = TenantMode::disabled;
  int storage_servers = 0;
  // Every shard and its team, in key order.
  std::vector<ShardTeamFacts> teams;
  // Where the data distributor runs, when one does.
  std::optional<NetworkAddress> data_distributor;
  // Where the ratekeeper runs, and what it said (when it answered in time).
  std::optional<NetworkAddress> ratekeeper;
  std::optional<RatekeeperStatusReply> qos;
  int workers_registered = 0;
  // The current and old generations of logs, newest first.
  std::vector<LogGenerationFacts> log_generations;
  // The queues of the logs that answered, by log id.
  std::map<UID, LogQueueFacts> log_queues;
  // Versions per second of clock time (to say how far behind in seconds).
  double versions_per_second = 1e6;
  // Roles of the database that no live worker holds ("storage server <id> on <address>",
  // ...): what it misses.
  std::vector<std::string> missing;
  // How long each process was given to answer.
  double process_timeout_s = 0;
  // Every process the controller knows: registered workers, the controller's own, and
  // any other that hosts a role of the published generation.
  std::vector<ProcessFacts> processes;
};

// What the facts say about losing zones: a zone's loss takes every process in it, so a
// shard loses at most one copy per zone (its copies are in distinct zones), the current
// generation's logs all hold every commit not yet on the storage servers, a majority of the
// coordinators must survive, and a recovery needs processes in as many zones as copies.
FaultTolerance fault_tolerance(const ClusterStatusFacts& facts);

// The document, one line of JSON. Pure: the same facts give the same text.
std::string cluster_status_json(const ClusterStatusFacts& facts);

}  // namespace strata
