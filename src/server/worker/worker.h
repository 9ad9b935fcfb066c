#pragma once

// A server process: the worker that hosts roles. It owns the data folder (locked for its
// lifetime), makes sure a cluster file exists, listens, answers ping, status and reboot at
// well-known endpoints, serves as a coordinator for the clusters that name it, runs for
// cluster controller (and runs the controller while elected), registers with whichever
// process the coordinators elected, and starts the roles the controller recruits onto it.
// The same code runs in a real process and in a simulated one.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/cluster_connection.h"
#include "interfaces/locality.h"
#include "runtime/future.h"
#include "runtime/network_address.h"
#include "runtime/process_context.h"
#include "server/cluster_controller/cluster_configuration.h"

namespace strata {

struct WorkerOptions {
  NetworkAddress listen_address;
  std::string data_dir;
  std::string cluster_file;
  // Written as the cluster file when there is none (simulated clusters); without it, a
  // missing cluster file is written naming this process as the only coordinator.
  std::optional<ClusterConnectionString> connection;
  // Its class, zone and machine.
  Locality locality;
  // How a new database is laid out, if this process's controller creates one.
  ClusterConfiguration new_database;
  // Where messages for the operator go besides the trace (strata-server prints them);
  // none in simulation.
  std::function<void(const std::string&)> tell_operator;
};

// Runs until cancelled. `listening` is sent once the worker accepts connections. Fails
// with lock_file_failure (another server uses the data folder), address_in_use,
// connection_string_invalid (a malformed cluster file), invalid_cluster_id (the data
// folder belongs to another database than the coordinators serve), please_reboot (the
// shell's `kill`), or a file error.
Future<Void> run_worker(WorkerOptions options, Promise<Void> listening);

// What a simulation's fault workloads may learn of the worker running in a process (the
// cluster itself never looks): whether it runs the cluster controller and which roles it
// hosts ("log/ID", "storage/ID", "sequencer/EPOCH/0", ...). nullopt when no worker runs.
struct WorkerView {
  ProcessClass process_class = ProcessClass::unset;
  bool runs_cluster_controller = false;
  std::vector<std::string> roles;
};
std::optional<WorkerView> view_worker(ProcessContext& process);

// run_worker, started again (with every per-process service of the process dropped, as a
// restart would) whenever it ends with please_reboot.
Future<Void> run_worker_rebooting(WorkerOptions options, Promise<Void> listening);

}  // namespace strata
