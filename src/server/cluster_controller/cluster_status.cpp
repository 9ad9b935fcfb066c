#include "server/cluster_controller/cluster_status.h"

#include <algorithm>
#include <cstdio>
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

// A generation is published, and every process hosting one of its roles answered.
bool database_available(const ClusterStatusFacts& facts) {
  if (facts.recovery.state != RecoveryState::fully_recovered &&
      facts.recovery.state != RecoveryState::accepting_commits) {
    return false;
  }
  for (const ProcessFacts& process : facts.processes) {
    if (hosts_database_role(process) && !process.status_json) return false;
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
                            "the data they hold is unavailable.",
                        {}});
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
  json.key("roles").begin_array();
  for (const ProcessRole& role : process.roles) {
    json.begin_object().key("role").value(role.role);
    if (role.id.is_valid()) json.key("id").value(role.id.to_string());
    json.end_object();
  }
  json.end_array();
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
  json.key("redundancy_mode").value("single");
  json.key("storage_engine").value(configuration.storage_engine);
  json.key("logs").value(configuration.logs);
  json.key("commit_proxies").value(configuration.commit_proxies);
  json.key("grv_proxies").value(configuration.grv_proxies);
  json.key("resolvers").value(configuration.resolvers);
  if (facts.database_exists) json.key("storage_servers").value(facts.storage_servers);
  json.end_object();
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
      json.key("address").value(address.to_string()).end_object();
    }
    json.end_array();
    json.end_object();
  }
  json.end_array();
}

// The cluster's workload, data and latency figures, from the processes that answered: rates
// and bytes summed, latencies the highest any process reports (the one serving the
// role). Only written when some process answered with figures.
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
  // Storage servers report their files' size after their first persist.
  if (sum.storage_disk_used_bytes > 0) {
    json.key("data").begin_object();
    json.key("total_disk_used_bytes").value(sum.storage_disk_used_bytes);
    json.end_object();
  }
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
