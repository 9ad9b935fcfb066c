#include "server/cluster_controller/cluster_status.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "runtime/json_validate.h"
#include "runtime/json_writer.h"

namespace strata {

namespace {

struct StatusMessage {
  std::string name;
  std::string description;
  // For unreachable_processes: which ones.
  std::vector<NetworkAddress> addresses;
};

std::string seconds_text(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g s", seconds);
  return buffer;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) {
    if (!text.empty()) text += ", ";
    text += item;
  }
  return text;
}

std::string recovery_description(const ClusterStatusFacts& facts) {
  const RecoveryFacts& recovery = facts.recovery;
  std::string waiting =
      recovery.waiting_for.empty() ? "" : " Waiting for " + recovery.waiting_for + ".";
  switch (recovery.state) {
    case RecoveryState::reading_coordinated_state:
      return "Reading the core state from the coordinators." + waiting;
    case RecoveryState::locking_coordinated_state:
      return "Claiming a new generation in the core state." + waiting;
    case RecoveryState::configuration_never_created:
      return "A new cluster: waiting for its first workers before creating the database." + waiting;
    case RecoveryState::locking_old_transaction_servers:
      return "Locking the logs of generation " + std::to_string(facts.generation) +
             " and agreeing on its recovery version." + waiting;
    case RecoveryState::recruiting_transaction_servers:
      return "Recruiting the logs, sequencer, resolvers and proxies of a new generation." + waiting;
    case RecoveryState::writing_coordinated_state:
      return "Recording the new generation with the coordinators." + waiting;
    case RecoveryState::accepting_commits:
      return "Generation " + std::to_string(facts.generation) +
             " accepts commits; its first commit is not durable yet.";
    case RecoveryState::fully_recovered:
      return "Recovery complete: generation " + std::to_string(facts.generation) +
             " serves, and has made a commit durable.";
  }
  return "";
}

bool hosts_database_role(const ProcessFacts& process) {
  for (const ProcessRole& role : process.roles) {
    if (role.role != "cluster_controller" && role.role != "coordinator") return true;
  }
  return false;
}

// A team's health by its live copies against the copies the redundancy mode keeps.
std::string_view team_health(const ShardTeamFacts& team, int replication) {
  int live = 0;
  for (const TeamMemberFacts& member : team.members)
    live += member.live;
  if (live == 0) return "unavailable";
  if (live >= replication) return "healthy";
  if (live == 1) return "one_copy_left";
  return "degraded";
}

// Whether the process runs a role that commits or reads cannot do without: a
// transaction-system role (one of each kind runs in a generation; losing one ends it).
// Storage servers count by shard instead (a shard is readable from any live copy), and
// the distributor and ratekeeper serve no client.
bool hosts_transaction_role(const ProcessFacts& process) {
  for (const ProcessRole& role : process.roles) {
    if (role.role != "cluster_controller" && role.role != "coordinator" && role.role != "storage" &&
        role.role != "data_distributor" && role.role != "ratekeeper") {
      return true;
    }
  }
  return false;
}

// A generation is published, every process hosting one of its transaction roles answered,
// and every shard has a live copy.
bool database_available(const ClusterStatusFacts& facts) {
  if (facts.recovery.state != RecoveryState::fully_recovered &&
      facts.recovery.state != RecoveryState::accepting_commits) {
    return false;
  }
  for (const ProcessFacts& process : facts.processes) {
    if (hosts_transaction_role(process) && !process.status_json) return false;
  }
  for (const ShardTeamFacts& team : facts.teams) {
    if (team_health(team, facts.configuration.replication) == "unavailable") return false;
  }
  return true;
}

std::optional<StatusMessage> unreachable_message(const ClusterStatusFacts& facts) {
  std::set<NetworkAddress> unreachable;
  int hosting_roles = 0;
  for (const ProcessFacts& process : facts.processes) {
    if (process.status_json) continue;
    unreachable.insert(process.address);
    if (hosts_database_role(process)) ++hosting_roles;
  }
  for (const CoordinatorFacts& coordinator : facts.coordinators) {
    if (!coordinator.reachable) unreachable.insert(coordinator.address);
  }
  if (unreachable.empty()) return std::nullopt;
  StatusMessage message{"unreachable_processes", "", {unreachable.begin(), unreachable.end()}};
  std::vector<std::string> names;
  for (const NetworkAddress& address : unreachable)
    names.push_back(address.to_string());
  message.description = std::to_string(unreachable.size()) +
                        (unreachable.size() == 1 ? " process" : " processes") +
                        " did not answer status within " + seconds_text(facts.process_timeout_s) +
                        ": " + joined(names) + ".";
  if (hosting_roles > 0) {
    message.description +=
        " Roles of the current generation run on " + std::to_string(hosting_roles) + " of them.";
  }
  return message;
}

std::vector<StatusMessage> status_messages(const ClusterStatusFacts& facts) {
  std::vector<StatusMessage> messages;
  const RecoveryState state = facts.recovery.state;
  if (state != RecoveryState::fully_recovered && state != RecoveryState::accepting_commits) {
    messages.push_back({"recovery_in_progress",
                        "The database is unavailable until recovery completes (" +
                            std::string(recovery_state_name(state)) +
                            "): " + recovery_description(facts),
                        {}});
  }
  if (!facts.missing.empty()) {
    messages.push_back({"missing_roles",
                        "No live process holds " + joined(facts.missing) +
                            ". Start the processes that hold their data folders; until then "
                            "shards with no other live copy are unavailable.",
                        {}});
  }
  if (facts.database_exists) {
    const int wanted = facts.configuration.replication - 1;
    FaultTolerance tolerance = fault_tolerance(facts);
    if (tolerance.without_losing_data < wanted) {
      messages.push_back({"fault_tolerance_reduced",
                          "The cluster can lose " + std::to_string(tolerance.without_losing_data) +
                              " zone(s) without losing data; " +
                              std::string(redundancy_mode_name(facts.configuration.replication)) +
                              " redundancy is for " + std::to_string(wanted) + ": " +
                              tolerance.data_limited_by + ".",
                          {}});
    }
  }
  if (facts.recovery.error) {
    messages.push_back({"recovery_failed",
                        "The last recovery attempt failed, and the controller is retrying: " +
                            *facts.recovery.error,
                        {}});
  }
  if (std::optional<StatusMessage> unreachable = unreachable_message(facts))
    messages.push_back(*unreachable);
  return messages;
}

void write_messages(JsonWriter& json, const std::vector<StatusMessage>& messages) {
  json.key("messages").begin_array();
  for (const StatusMessage& message : messages) {
    json.begin_object();
    json.key("name").value(message.name);
    json.key("description").value(message.description);
    if (!message.addresses.empty()) {
      json.key(message.name).begin_array();
      for (const NetworkAddress& address : message.addresses)
        json.begin_object().key("address").value(address.to_string()).end_object();
      json.end_array();
    }
    json.end_object();
  }
  json.end_array();
}

void write_process(JsonWriter& json, const ClusterStatusFacts& facts, const ProcessFacts& process) {
  json.key(process.address.to_string()).begin_object();
  json.key("address").value(process.address.to_string());
  if (process.worker_id.is_valid()) {
    json.key("worker_id").value(process.worker_id.to_string());
    json.key("class_type").value(process_class_name(process.locality.process_class));
    json.key("locality").begin_object();
    json.key("zoneid").value(process.locality.zone);
    json.key("machineid").value(process.locality.machine);
    json.end_object();
  }
  json.key("excluded").value(process.excluded);
  json.key("roles").begin_array();
  for (const ProcessRole& role : process.roles) {
    json.begin_object().key("role").value(role.role);
    if (role.id.is_valid()) json.key("id").value(role.id.to_string());
    if (process.metrics && role.role == "storage") {
      for (const StorageServerBytes& bytes : process.metrics->storage_servers) {
        if (bytes.id != role.id) continue;
        json.key("stored_bytes").value(bytes.stored_bytes);
        json.key("kvstore_used_bytes").value(bytes.disk_used_bytes);
      }
    }
    json.end_object();
  }
  json.end_array();
  if (process.metrics) {
    // FoundationDB's names.
    json.key("cpu").begin_object().key("usage_cores").value(process.metrics->cpu_usage_cores);
    json.end_object();
    json.key("memory").begin_object().key("rss_bytes").value(process.metrics->resident_bytes);
    json.end_object();
  }
  json.key("reachable").value(process.status_json.has_value());
  if (!process.status_json) {
    json.key("message").value("did not answer status within " +
                              seconds_text(facts.process_timeout_s) + ": " + process.failure);
  } else if (is_valid_json(*process.status_json)) {
    json.key("status").raw(*process.status_json);
  } else {
    json.key("message").value("answered status with a document that is not valid JSON");
  }
  json.end_object();
}

void write_configuration(JsonWriter& json, const ClusterStatusFacts& facts) {
  const DatabaseConfiguration& configuration = facts.configuration;
  json.key("configuration").begin_object();
  json.key("redundancy_mode").value(redundancy_mode_name(configuration.replication));
  json.key("storage_engine").value(configuration.storage_engine);
  json.key("logs").value(configuration.logs);
  json.key("commit_proxies").value(configuration.commit_proxies);
  json.key("grv_proxies").value(configuration.grv_proxies);
  json.key("resolvers").value(configuration.resolvers);
  json.key("tenant_mode").value(tenant_mode_name(facts.tenant_mode));
  if (facts.database_exists) json.key("storage_servers").value(facts.storage_servers);
  json.end_object();
}

void write_fault_tolerance(JsonWriter& json, const ClusterStatusFacts& facts) {
  if (!facts.database_exists) return;
  FaultTolerance tolerance = fault_tolerance(facts);
  json.key("fault_tolerance").begin_object();
  json.key("max_zone_failures_without_losing_data").value(tolerance.without_losing_data);
  json.key("max_zone_failures_without_losing_availability")
      .value(tolerance.without_losing_availability);
  json.key("data_limited_by").value(tolerance.data_limited_by);
  json.key("availability_limited_by").value(tolerance.availability_limited_by);
  json.end_object();
}

// How far behind the newest durable commit the current generation's logs still hold data
// for `tag` (a live server keeps about its MVCC window unpopped; a down one falls behind
// by the time it has been down); nullopt when no log of it answered.
std::optional<double> log_lag_seconds(const ClusterStatusFacts& facts, Tag tag) {
  std::optional<Version> lag;
  for (const LogGenerationFacts& generation : facts.log_generations) {
    if (!generation.current) continue;
    for (const auto& [id, address] : generation.logs) {
      auto queue = facts.log_queues.find(id);
      if (queue == facts.log_queues.end()) continue;
      auto popped = queue->second.popped_by_tag.find(tag);
      if (popped == queue->second.popped_by_tag.end()) continue;
      Version behind = std::max<Version>(0, queue->second.durable - popped->second);
      lag = std::max(lag.value_or(0), behind);
    }
  }
  if (!lag) return std::nullopt;
  return static_cast<double>(*lag) / facts.versions_per_second;
}

void write_teams(JsonWriter& json, const ClusterStatusFacts& facts) {
  if (!facts.database_exists) return;
  json.key("storage_teams").begin_array();
  for (const ShardTeamFacts& team : facts.teams) {
    json.begin_object();
    json.key("begin").value(printable(team.range.begin));
    json.key("end").value(printable(team.range.end));
    json.key("health").value(team_health(team, facts.configuration.replication));
    auto members = [&json, &facts](const char* name, const std::vector<TeamMemberFacts>& team) {
      json.key(name).begin_array();
      for (const TeamMemberFacts& member : team) {
        json.begin_object();
        json.key("id").value(member.id.to_string());
        json.key("address").value(member.address.to_string());
        json.key("zoneid").value(member.zone);
        json.key("live").value(member.live);
        if (std::optional<double> lag = log_lag_seconds(facts, member.tag)) {
          json.key("log_lag_seconds").value(*lag);
        }
        json.end_object();
      }
      json.end_array();
    };
    members("servers", team.members);
    if (!team.moving_to.empty()) members("moving_to", team.moving_to);
    json.end_object();
  }
  json.end_array();
}

void write_recovery(JsonWriter& json, const ClusterStatusFacts& facts) {
  const RecoveryFacts& recovery = facts.recovery;
  json.key("recovery_state").begin_object();
  json.key("name").value(recovery_state_name(recovery.state));
  json.key("description").value(recovery_description(facts));
  if (!recovery.waiting_for.empty()) json.key("waiting_for").value(recovery.waiting_for);
  if (!recovery.reason.empty()) json.key("reason").value(recovery.reason);
  if (recovery.last_completed_timestamp_s) {
    json.key("last_recovered_timestamp").value(*recovery.last_completed_timestamp_s);
    json.key("seconds_since_last_recovered")
        .value(std::max(0.0, facts.timestamp_s - *recovery.last_completed_timestamp_s));
    json.key("last_recovery_duration_seconds").value(recovery.last_duration_s);
  }
  json.key("recoveries").value(recovery.completed);
  json.end_object();
}

void write_logs(JsonWriter& json, const ClusterStatusFacts& facts) {
  json.key("logs").begin_array();
  for (const LogGenerationFacts& generation : facts.log_generations) {
    json.begin_object();
    json.key("epoch").value(generation.epoch);
    json.key("current").value(generation.current);
    json.key("begin_version").value(generation.begin);
    if (generation.end) json.key("end_version").value(*generation.end);
    json.key("log_servers").begin_array();
    for (const auto& [id, address] : generation.logs) {
      json.begin_object().key("id").value(id.to_string());
      json.key("address").value(address.to_string());
      auto queue = facts.log_queues.find(id);
      if (queue != facts.log_queues.end()) {
        json.key("durable_version").value(queue->second.durable);
        json.key("queue_disk_bytes").value(queue->second.disk_bytes);
        json.key("queue_memory_bytes").value(queue->second.memory_bytes);
        json.key("spilled_through_version").value(queue->second.spilled_through);
      }
      json.end_object();
    }
    json.end_array();
    json.end_object();
  }
  json.end_array();
}

// The cluster's workload, data and latency figures, from the processes that answered: rates
// and bytes summed, latencies the highest any process reports (the one serving the
// role). Only written when some process answered with figures.
// The data's size (as of each storage server's last persist) and its shards.
void write_data(JsonWriter& json, const ClusterStatusFacts& facts) {
  int64_t disk_used = 0;
  for (const ProcessFacts& process : facts.processes) {
    if (process.metrics) disk_used += process.metrics->storage_disk_used_bytes;
  }
  if (!facts.database_exists && disk_used == 0) return;
  json.key("data").begin_object();
  // Storage servers report their files' size after their first persist.
  if (disk_used > 0) json.key("total_disk_used_bytes").value(disk_used);
  if (facts.database_exists) {
    json.key("data_distributor").begin_object();
    json.key("running").value(facts.data_distributor.has_value());
    if (facts.data_distributor) json.key("address").value(facts.data_distributor->to_string());
    json.end_object();
    json.key("partitions_count").value(static_cast<int64_t>(facts.teams.size()));
    int64_t moving = 0;
    // The fewest live copies of any shard (none while the map is not known yet).
    std::optional<int64_t> fewest;
    for (const ShardTeamFacts& team : facts.teams) {
      moving += team.moving_to.empty() ? 0 : 1;
      int64_t live = 0;
      for (const TeamMemberFacts& member : team.members)
        live += member.live;
      fewest = std::min(fewest.value_or(live), live);
    }
    json.key("moving_partitions").value(moving);
    // FoundationDB's data.state: the worst of the shards, and whether data moves.
    if (fewest) {
      const int64_t replication = facts.configuration.replication;
      const bool missing = *fewest == 0;
      const bool healing = !missing && *fewest < replication;
      const char* name = missing   ? "missing_data"
                         : healing ? "healing"
                         : moving  ? "healthy_rebalancing"
                                   : "healthy";
      const char* description =
          missing   ? "Missing data: some data has no live copy"
          : healing ? "Healing: some data has fewer live copies than the redundancy mode keeps"
          : moving  ? "Healthy (rebalancing)"
                    : "Healthy";
      json.key("state").begin_object();
      json.key("name").value(std::string(name));
      json.key("description").value(std::string(description));
      json.key("healthy").value(*fewest >= replication);
      json.key("min_replicas_remaining").value(*fewest);
      json.end_object();
    }
  }
  json.end_object();
}

// The ratekeeper's limits and the queues behind them (FoundationDB's qos section).
void write_qos(JsonWriter& json, const ClusterStatusFacts& facts) {
  if (!facts.database_exists) return;
  json.key("qos").begin_object();
  json.key("ratekeeper").begin_object();
  json.key("running").value(facts.ratekeeper.has_value());
  if (facts.ratekeeper) json.key("address").value(facts.ratekeeper->to_string());
  json.end_object();
  if (facts.qos) {
    const RatekeeperStatusReply& qos = *facts.qos;
    auto limited_by = [&json](const char* name, const RateLimit& limit) {
      json.key(name).begin_object();
      json.key("name").value(std::string(limit_reason_name(limit.reason)));
      json.key("description").value(std::string(limit_reason_description(limit.reason)));
      if (limit.server.is_valid()) json.key("reason_server_id").value(limit.server.to_string());
      json.end_object();
    };
    limited_by("performance_limited_by", qos.normal);
    limited_by("batch_performance_limited_by", qos.batch);
    json.key("transactions_per_second_limit").value(qos.normal.tps);
    json.key("batch_transactions_per_second_limit").value(qos.batch.tps);
    json.key("released_transactions_per_second").value(qos.released_tps);
    json.key("batch_released_transactions_per_second").value(qos.released_batch_tps);
    json.key("worst_queue_bytes_storage_server").value(qos.worst.storage_queue_bytes);
    json.key("limiting_queue_bytes_storage_server").value(qos.worst.limiting_storage_queue_bytes);
    json.key("worst_queue_bytes_log_server").value(qos.worst.log_queue_bytes);
    auto lag = [&json, &facts](const char* name, Version versions) {
      json.key(name).begin_object().key("versions").value(versions);
      json.key("seconds").value(static_cast<double>(versions) / facts.versions_per_second);
      json.end_object();
    };
    lag("worst_data_lag_storage_server", qos.worst.storage_lag_versions);
    lag("limiting_data_lag_storage_server", qos.worst.limiting_storage_lag_versions);
  }
  json.end_object();
}

void write_figures(JsonWriter& json, const ClusterStatusFacts& facts) {
  ProcessMetrics sum;
  bool any = false;
  for (const ProcessFacts& process : facts.processes) {
    if (!process.metrics) continue;
    any = true;
    const ProcessMetrics& m = *process.metrics;
    sum.transactions_started_hz += m.transactions_started_hz;
    sum.transactions_committed_hz += m.transactions_committed_hz;
    sum.transactions_conflicted_hz += m.transactions_conflicted_hz;
    sum.reads_hz += m.reads_hz;
    sum.writes_hz += m.writes_hz;
    sum.storage_disk_used_bytes += m.storage_disk_used_bytes;
    sum.read_version_p50_s = std::max(sum.read_version_p50_s, m.read_version_p50_s);
    sum.read_version_p99_s = std::max(sum.read_version_p99_s, m.read_version_p99_s);
    sum.read_p50_s = std::max(sum.read_p50_s, m.read_p50_s);
    sum.read_p99_s = std::max(sum.read_p99_s, m.read_p99_s);
    sum.commit_p50_s = std::max(sum.commit_p50_s, m.commit_p50_s);
    sum.commit_p99_s = std::max(sum.commit_p99_s, m.commit_p99_s);
  }
  if (!any) return;
  auto hz = [&json](const char* name, double value) {
    json.key(name).begin_object().key("hz").value(value).end_object();
  };
  json.key("workload").begin_object();
  json.key("operations").begin_object();
  hz("reads", sum.reads_hz);
  hz("writes", sum.writes_hz);
  json.end_object();
  json.key("transactions").begin_object();
  hz("started", sum.transactions_started_hz);
  hz("committed", sum.transactions_committed_hz);
  hz("conflicted", sum.transactions_conflicted_hz);
  json.end_object();
  json.end_object();
  auto latency = [&json](const char* name, double p50, double p99) {
    json.key(name).begin_object().key("p50_seconds").value(p50);
    json.key("p99_seconds").value(p99).end_object();
  };
  json.key("latency_statistics").begin_object();
  latency("read_version", sum.read_version_p50_s, sum.read_version_p99_s);
  latency("read", sum.read_p50_s, sum.read_p99_s);
  latency("commit", sum.commit_p50_s, sum.commit_p99_s);
  json.end_object();
}

void write_cluster(JsonWriter& json, const ClusterStatusFacts& facts, bool available,
                   const std::vector<StatusMessage>& messages) {
  json.key("cluster").begin_object();
  json.key("cluster_controller_timestamp").value(static_cast<int64_t>(facts.timestamp_s));
  json.key("connection_string").value(facts.connection_string);
  json.key("coordinators").begin_array();
  for (const CoordinatorFacts& coordinator : facts.coordinators)
    json.value(coordinator.address.to_string());
  json.end_array();
  json.key("generation").value(facts.generation);
  write_recovery(json, facts);
  json.key("database_available").value(available);
  write_configuration(json, facts);
  write_fault_tolerance(json, facts);
  write_teams(json, facts);
  write_data(json, facts);
  write_qos(json, facts);
  write_logs(json, facts);
  json.key("workers_registered").value(facts.workers_registered);
  write_figures(json, facts);
  json.key("processes").begin_object();
  for (const ProcessFacts& process : facts.processes)
    write_process(json, facts, process);
  json.end_object();
  write_messages(json, messages);
  json.end_object();
}

void write_client(JsonWriter& json, const ClusterStatusFacts& facts, bool available, bool healthy) {
  json.key("client").begin_object();
  json.key("coordinators").begin_object();
  json.key("coordinators").begin_array();
  size_t reachable = 0;
  for (const CoordinatorFacts& coordinator : facts.coordinators) {
    json.begin_object().key("address").value(coordinator.address.to_string());
    json.key("reachable").value(coordinator.reachable).end_object();
    if (coordinator.reachable) ++reachable;
  }
  json.end_array();
  json.key("quorum_reachable").value(reachable > facts.coordinators.size() / 2);
  json.end_object();
  json.key("database_status").begin_object();
  json.key("available").value(available);
  json.key("healthy").value(healthy);
  json.end_object();
  json.end_object();
}

}  // namespace

std::string_view recovery_state_name(RecoveryState state) {
  switch (state) {
    case RecoveryState::reading_coordinated_state:
      return "reading_coordinated_state";
    case RecoveryState::locking_coordinated_state:
      return "locking_coordinated_state";
    case RecoveryState::configuration_never_created:
      return "configuration_never_created";
    case RecoveryState::locking_old_transaction_servers:
      return "locking_old_transaction_servers";
    case RecoveryState::recruiting_transaction_servers:
      return "recruiting_transaction_servers";
    case RecoveryState::writing_coordinated_state:
      return "writing_coordinated_state";
    case RecoveryState::accepting_commits:
      return "accepting_commits";
    case RecoveryState::fully_recovered:
      return "fully_recovered";
  }
  return "unknown";
}

FaultTolerance fault_tolerance(const ClusterStatusFacts& facts) {
  std::map<NetworkAddress, const ProcessFacts*> by_address;
  for (const ProcessFacts& process : facts.processes)
    by_address[process.address] = &process;
  auto live = [&](const NetworkAddress& address) {
    auto found = by_address.find(address);
    return found != by_address.end() && found->second->worker_id.is_valid() &&
           !found->second->failed;
  };
  // A process the controller does not know is a zone of its own.
  auto zone_of = [&](const NetworkAddress& address) {
    auto found = by_address.find(address);
    if (found == by_address.end() || !found->second->worker_id.is_valid()) {
      return "?" + address.to_string();
    }
    return found->second->locality.zone;
  };
  FaultTolerance tolerance;
  // Data: every shard keeps a live copy, and a log of the current generation survives.
  int data = std::numeric_limits<int>::max();
  for (const ShardTeamFacts& team : facts.teams) {
    int copies = 0;
    for (const TeamMemberFacts& member : team.members)
      copies += member.live;
    if (copies - 1 < data) {
      data = copies - 1;
      tolerance.data_limited_by = "shard ['" + printable(team.range.begin) + "', '" +
                                  printable(team.range.end) + "') has " + std::to_string(copies) +
                                  " live cop" + (copies == 1 ? "y" : "ies");
    }
  }
  for (const LogGenerationFacts& generation : facts.log_generations) {
    if (!generation.current) continue;
    std::set<std::string> zones;
    for (const auto& [id, address] : generation.logs) {
      if (live(address)) zones.insert(zone_of(address));
    }
    int logs = static_cast<int>(zones.size()) - 1;
    if (logs < data) {
      data = logs;
      tolerance.data_limited_by =
          "the current generation's logs are live in " + std::to_string(zones.size()) + " zone(s)";
    }
  }
  if (data == std::numeric_limits<int>::max()) data = 0;
  const int replication = facts.configuration.replication;
  if (data >= replication - 1) {
    data = replication - 1;
    tolerance.data_limited_by = std::string(redundancy_mode_name(replication)) +
                                " redundancy keeps " + std::to_string(replication) + " cop" +
                                (replication == 1 ? "y" : "ies") + " of everything";
  }
  tolerance.without_losing_data = std::max(data, 0);
  // Availability: the data, a majority of the coordinators, and zones enough for a
  // recovery to recruit a log per copy.
  int availability = data;
  tolerance.availability_limited_by = tolerance.data_limited_by;
  std::map<std::string, int> coordinators_by_zone;
  for (const CoordinatorFacts& coordinator : facts.coordinators)
    ++coordinators_by_zone[zone_of(coordinator.address)];
  std::vector<int> counts;
  for (const auto& [zone, count] : coordinators_by_zone)
    counts.push_back(count);
  std::sort(counts.rbegin(), counts.rend());
  int coordinators_left = static_cast<int>(facts.coordinators.size());
  const int majority = coordinators_left / 2 + 1;
  int coordinator_zones = 0;
  for (int count : counts) {
    if (coordinators_left - count < majority) break;
    coordinators_left -= count;
    ++coordinator_zones;
  }
  if (coordinator_zones < availability) {
    availability = coordinator_zones;
    tolerance.availability_limited_by = "a majority of the " +
                                        std::to_string(facts.coordinators.size()) +
                                        " coordinators must survive, and the coordinators are in " +
                                        std::to_string(coordinators_by_zone.size()) + " zone(s)";
  }
  std::set<std::string> live_zones;
  for (const ProcessFacts& process : facts.processes) {
    if (live(process.address)) live_zones.insert(process.locality.zone);
  }
  const int spare_zones = static_cast<int>(live_zones.size()) - facts.configuration.replication;
  if (spare_zones < availability) {
    availability = spare_zones;
    tolerance.availability_limited_by =
        "a recovery needs live processes in " + std::to_string(facts.configuration.replication) +
        " zones for the logs, and " + std::to_string(live_zones.size()) + " zone(s) have some";
  }
  tolerance.without_losing_availability = std::max(availability, 0);
  return tolerance;
}

std::string cluster_status_json(const ClusterStatusFacts& facts) {
  bool available = database_available(facts);
  std::vector<StatusMessage> messages = status_messages(facts);
  bool healthy = available && messages.empty();
  JsonWriter json;
  json.begin_object();
  write_client(json, facts, available, healthy);
  write_cluster(json, facts, available, messages);
  json.end_object();
  return json.text();
}

}  // namespace strata
