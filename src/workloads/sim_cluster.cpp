#include "workloads/sim_cluster.h"

#include "server/worker/worker.h"

namespace strata {

namespace {

int positive(Options& options, const std::string& key, int fallback) {
  int64_t value = options.get_int(key, fallback);
  if (value < 1 || value > configuration_role_count_max) {
    throw Error(ErrorCode::test_specification_invalid,
                key + " must be 1 to " + std::to_string(configuration_role_count_max));
  }
  return static_cast<int>(value);
}

}  // namespace

ClusterSpec read_cluster_spec(Options& options) {
  ClusterSpec spec;
  spec.processes = static_cast<int>(options.get_int("cluster_processes", 0));
  if (spec.processes < 0) {
    throw Error(ErrorCode::test_specification_invalid, "cluster_processes must not be negative");
  }
  spec.zones = static_cast<int>(options.get_int("cluster_zones", 0));
  if (spec.zones < 0 || (spec.processes > 0 && spec.zones > spec.processes)) {
    throw Error(ErrorCode::test_specification_invalid,
                "cluster_zones must be 0 (one per process) to cluster_processes");
  }
  spec.coordinators = positive(options, "cluster_coordinators", 1);
  if (spec.processes > 0 && (spec.coordinators > spec.processes || spec.coordinators % 2 == 0)) {
    throw Error(ErrorCode::test_specification_invalid,
                "cluster_coordinators must be odd and at most cluster_processes");
  }
  std::string classes = options.get_string("cluster_classes", "");
  while (!classes.empty()) {
    size_t comma = classes.find(',');
    std::string name = classes.substr(0, comma);
    std::optional<ProcessClass> parsed = parse_process_class(name);
    if (!parsed) {
      throw Error(ErrorCode::test_specification_invalid,
                  "cluster_classes: '" + name + "' is not stateless, log, storage or unset");
    }
    spec.classes.push_back(*parsed);
    classes = comma == std::string::npos ? "" : classes.substr(comma + 1);
  }
  if (!spec.classes.empty() && static_cast<int>(spec.classes.size()) != spec.processes) {
    throw Error(ErrorCode::test_specification_invalid,
                "cluster_classes names " + std::to_string(spec.classes.size()) + " classes for " +
                    std::to_string(spec.processes) + " processes");
  }
  spec.configuration.workers_expected = spec.processes;
  spec.configuration.storage_servers = positive(options, "cluster_storage_servers", 1);
  DatabaseConfiguration& database = spec.configuration.database;
  database = apply_configuration_words(
      database, {"redundancy_mode=" + options.get_string("cluster_redundancy", "single")});
  database.logs = positive(options, "cluster_logs", 1);
  database.commit_proxies = positive(options, "cluster_commit_proxies", 1);
  database.grv_proxies = positive(options, "cluster_grv_proxies", 1);
  database.resolvers = positive(options, "cluster_resolvers", 1);
  database.storage_engine =
      storage_engine_name(parse_storage_engine(options.get_string("cluster_engine", "memory")));
  return spec;
}

void start_cluster(sim::Simulator& simulator, const ClusterSpec& spec, WorkloadContext& context) {
  const uint16_t port = 4500;
  std::vector<sim::SimMachine*> machines;
  for (int i = 0; i < spec.processes; ++i) {
    std::string id = "server" + std::to_string(i);
    std::string zone = spec.zones > 0 ? "zone" + std::to_string(i % spec.zones) : "zone-" + id;
    machines.push_back(&simulator.add_machine(id, zone));
  }
  ClusterConnectionString connection;
  connection.description = "simulated";
  connection.id = "cluster";
  for (int i = 0; i < spec.coordinators; ++i) {
    connection.coordinators.push_back(NetworkAddress(machines[static_cast<size_t>(i)]->ip, port));
  }
  auto add = [&simulator, connection, configuration = spec.configuration](
                 sim::SimMachine& machine, const std::string& name,
                 ProcessClass process_class) -> sim::SimProcess& {
    WorkerOptions options;
    options.listen_address = NetworkAddress(machine.ip, port);
    options.data_dir = "/data/" + name;
    options.cluster_file = options.data_dir + "/strata.cluster";
    options.connection = connection;
    options.locality.process_class = process_class;
    options.locality.zone = machine.zone;
    options.locality.machine = machine.id;
    options.new_database = configuration;
    return simulator.add_process(machine, name, port, options.data_dir, [options] {
      return run_worker_rebooting(options, Promise<Void>());
    });
  };
  std::vector<sim::SimProcess*> processes;
  for (int i = 0; i < spec.processes; ++i) {
    ProcessClass process_class =
        spec.classes.empty() ? ProcessClass::unset : spec.classes[static_cast<size_t>(i)];
    processes.push_back(
        &add(*machines[static_cast<size_t>(i)], "server" + std::to_string(i), process_class));
  }
  context.set_cluster(std::move(processes), connection);
  // New machines take the next names: server<N>, server<N+1>, ...
  auto added = std::make_shared<int>(spec.processes);
  context.set_cluster_process_factory(
      [&simulator, add, added](ProcessClass process_class) -> sim::SimProcess& {
        std::string name = "server" + std::to_string((*added)++);
        return add(simulator.add_machine(name, "zone-" + name), name, process_class);
      });
}

}  // namespace strata
