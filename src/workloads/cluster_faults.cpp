#include "workloads/cluster_faults.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "client/database_context.h"
#include "interfaces/database_configuration.h"
#include "runtime/combinators.h"
#include "server/worker/worker.h"

namespace strata {

namespace {

const std::vector<std::string> role_kinds = {"sequencer", "commit_proxy", "grv_proxy",
                                             "resolver",  "log",          "storage"};

std::vector<NetworkAddress> current_coordinators(WorkloadContext& context) {
  return context.database().context()->connection().coordinators;
}

}  // namespace

bool ProcessRoles::hosts(const std::string& role) const {
  auto has = [this](const std::string& kind) {
    return std::find(roles.begin(), roles.end(), kind) != roles.end();
  };
  if (role == "any") return true;
  if (role == "cluster_controller") return cluster_controller;
  if (role == "coordinator") return coordinator;
  if (role == "transaction") {
    return has("sequencer") || has("commit_proxy") || has("grv_proxy") || has("resolver") ||
           has("log");
  }
  return has(role);
}

bool is_role_target(const std::string& role) {
  return role == "any" || role == "cluster_controller" || role == "coordinator" ||
         role == "transaction" ||
         std::find(role_kinds.begin(), role_kinds.end(), role) != role_kinds.end();
}

std::vector<ProcessRoles> cluster_roles(WorkloadContext& context) {
  std::vector<NetworkAddress> coordinators = current_coordinators(context);
  std::vector<ProcessRoles> found;
  for (sim::SimProcess* process : context.cluster_processes()) {
    if (!process->is_alive()) continue;
    std::optional<WorkerView> view = view_worker(process->context());
    if (!view) continue;
    ProcessRoles roles;
    roles.process = process;
    roles.process_class = view->process_class;
    roles.cluster_controller = view->runs_cluster_controller;
    roles.coordinator =
        std::find(coordinators.begin(), coordinators.end(), process->address) != coordinators.end();
    for (const std::string& key : view->roles) {
      std::string kind = key.substr(0, key.find('/'));
      if (std::find(roles.roles.begin(), roles.roles.end(), kind) == roles.roles.end()) {
        roles.roles.push_back(kind);
      }
    }
    found.push_back(std::move(roles));
  }
  return found;
}

bool coordinators_survive_without(WorkloadContext& context, const sim::SimProcess* victim) {
  std::vector<NetworkAddress> coordinators = current_coordinators(context);
  size_t alive = 0;
  for (const NetworkAddress& address : coordinators) {
    for (sim::SimProcess* process : context.cluster_processes()) {
      if (process->address == address && process->is_alive() && process != victim) ++alive;
    }
  }
  return alive >= coordinators.size() / 2 + 1;
}

size_t configured_copies(const nlohmann::json& cluster) {
  if (!cluster.is_object() || !cluster.contains("configuration")) return 1;
  const std::string mode = cluster["configuration"].value("redundancy_mode", "single");
  return static_cast<size_t>(std::max(1, replication_of_mode(mode)));
}

bool teams_at_copies(const nlohmann::json& cluster, size_t copies, bool exactly,
                     bool moves_allowed) {
  if (!cluster.is_object() || !cluster.contains("storage_teams")) return false;
  const nlohmann::json& teams = cluster["storage_teams"];
  if (!teams.is_array() || teams.empty()) return false;
  for (const nlohmann::json& team : teams) {
    if (!team.contains("servers")) return false;
    const size_t members = team["servers"].size();
    if ((!moves_allowed && team.contains("moving_to")) || members < copies ||
        (exactly && members != copies)) {
      return false;
    }
    for (const nlohmann::json& server : team["servers"]) {
      if (!server.value("live", false)) return false;
    }
  }
  return true;
}

Future<std::optional<std::vector<NetworkAddress>>> wait_until_settled(WorkloadContext& context,
                                                                      double timeout_s,
                                                                      bool full_teams) {
  const double deadline = now() + timeout_s;
  while (now() < deadline) {
    std::optional<std::string> document;
    try {
      document = co_await timeout_error(context.database().context()->cluster_status(), 5.0);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
    if (document) {
      nlohmann::json status = nlohmann::json::parse(*document, nullptr, false);
      if (!status.is_discarded()) {
        const nlohmann::json& cluster = status["cluster"];
        if (cluster["recovery_state"]["name"] == "fully_recovered" && cluster["logs"].is_array() &&
            cluster["logs"].size() == 1 &&
            (!full_teams || teams_at_copies(cluster, configured_copies(cluster), false))) {
          std::vector<NetworkAddress> logs;
          for (const nlohmann::json& log : cluster["logs"][0]["log_servers"]) {
            logs.push_back(NetworkAddress::parse(log["address"].get<std::string>()));
          }
          co_return logs;
        }
      }
    }
    co_await delay(1.0);
  }
  co_return std::nullopt;
}

}  // namespace strata
