#pragma once

// The simulated Strata cluster a test runs its workloads against: `processes` workers, one
// per machine, spread over `zones` zones, the first `coordinators` of them the
// coordinators. Spec keys: cluster_processes (0: no cluster), cluster_zones (default one
// per process), cluster_coordinators (default 1), cluster_classes (a class per process,
// comma separated; default all unset), cluster_redundancy (single, double or triple),
// cluster_logs,
// cluster_storage_servers, cluster_commit_proxies, cluster_grv_proxies,
// cluster_resolvers, cluster_engine.

#include "interfaces/locality.h"
#include "runtime/sim/simulator.h"
#include "server/cluster_controller/cluster_configuration.h"
#include "workloads/test_spec.h"
#include "workloads/workload.h"

namespace strata {

struct ClusterSpec {
  int processes = 0;
  // Zones the processes are spread over, process i in zone i % zones (0: one per process).
  int zones = 0;
  int coordinators = 1;
  std::vector<ProcessClass> classes;
  ClusterConfiguration configuration;
};

ClusterSpec read_cluster_spec(Options& options);

// Adds the cluster's machines and processes (booting them) and tells `context` about them.
void start_cluster(sim::Simulator& simulator, const ClusterSpec& spec, WorkloadContext& context);

}  // namespace strata
