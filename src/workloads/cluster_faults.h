#pragma once

// What the fault workloads of a simulated cluster share: which live process hosts which
// role (read from each worker, as only a test may), whether a kill would take a majority of
// the coordinators, and waiting for the cluster to settle between permanent losses.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/future.h"
#include "workloads/workload.h"

namespace strata {

struct ProcessRoles {
  sim::SimProcess* process = nullptr;
  ProcessClass process_class = ProcessClass::unset;
  bool cluster_controller = false;
  bool coordinator = false;
  // Role kinds it hosts: "sequencer", "commit_proxy", "grv_proxy", "resolver", "log",
  // "storage".
  std::vector<std::string> roles;

  // `role` is a role kind, "cluster_controller", "coordinator", "transaction" (any of
  // sequencer, proxies, resolver, log) or "any".
  bool hosts(const std::string& role) const;
};

// The live cluster processes and their roles.
std::vector<ProcessRoles> cluster_roles(WorkloadContext& context);

// The role names a fault workload may target, for option checks.
bool is_role_target(const std::string& role);

// Whether a majority of the coordinators stays alive with `victim` dead too.
bool coordinators_survive_without(WorkloadContext& context, const sim::SimProcess* victim);

// From a status document's `cluster` object: the copies its redundancy mode keeps, and
// whether every shard is on at least (or, `exactly`, just) `copies` live servers, with
// nothing moving unless `moves_allowed` (a shard that moves is then judged by the team
// that holds it now: a balancing move between full teams takes nothing away).
size_t configured_copies(const nlohmann::json& cluster);
bool teams_at_copies(const nlohmann::json& cluster, size_t copies, bool exactly,
                     bool moves_allowed = false);

// Waits up to `timeout_s` for the cluster to be fully recovered with a single generation of
// logs (so that no old generation's last log is on a process about to be lost for good),
// and with `full_teams`, for every shard to have as many live copies as the redundancy
// mode keeps, nothing moving (so that a storage server lost next leaves a copy of each).
// Returns the addresses of the current generation's logs (one per log), or nullopt when it
// did not settle in time.
Future<std::optional<std::vector<NetworkAddress>>> wait_until_settled(WorkloadContext& context,
                                                                      double timeout_s,
                                                                      bool full_teams = false);

}  // namespace strata
