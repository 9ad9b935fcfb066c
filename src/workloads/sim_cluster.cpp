#include "workloads/sim_cluster.h"

#include "server/worker/worker.h"

namespace strata {

ClusterSpec read_cluster_spec(Options& options) {
  ClusterSpec spec;
  spec.processes = static_cast<int>(options.get_int("cluster_processes", 0));
  spec.configuration.workers_expected = spec.processes;
  spec.configuration.logs = static_cast<int>(options.get_int("cluster_logs", 1));
  spec.configuration.storage_servers =
      static_cast<int>(options.get_int("cluster_storage_servers", 1));
  spec.configuration.engine = parse_storage_engine(options.get_string("cluster_engine", "memory"));
  if (spec.processes < 0 || spec.configuration.logs < 1 || spec.configuration.storage_servers < 1) {
    throw Error(ErrorCode::test_specification_invalid,
                "cluster_processes, cluster_logs and cluster_storage_servers must be positive");
  }
  return spec;
}

void start_cluster(sim::Simulator& simulator, const ClusterSpec& spec, WorkloadContext& context) {
  const uint16_t port = 4500;
  std::vector<sim::SimMachine*> machines;
  for (int i = 0; i < spec.processes; ++i) {
    std::string id = "server" + std::to_string(i);
    machines.push_back(&simulator.add_machine(id, "zone-" + id));
  }
  ClusterConnectionString connection;
  connection.description = "simulated";
  connection.id = "cluster";
  connection.coordinators.push_back(NetworkAddress(machines.front()->ip, port));
  std::vector<sim::SimProcess*> processes;
  for (int i = 0; i < spec.processes; ++i) {
    WorkerOptions options;
    options.listen_address = NetworkAddress(machines[static_cast<size_t>(i)]->ip, port);
    options.data_dir = "/data/server" + std::to_string(i);
    options.cluster_file = options.data_dir + "/strata.cluster";
    options.connection = connection;
    options.configuration = spec.configuration;
    processes.push_back(&simulator.add_process(
        *machines[static_cast<size_t>(i)], "server" + std::to_string(i), port, options.data_dir,
        [options] { return run_worker(options, Promise<Void>()); }));
  }
  context.set_cluster(std::move(processes), std::move(connection));
}

}  // namespace strata
