#pragma once

// A server process: the worker that hosts roles. It owns the data folder (locked for its
// lifetime), makes sure a cluster file exists, listens, answers ping and status at
// well-known endpoints, registers with the cluster controller (which it runs itself when
// it is the first coordinator), and starts the roles the controller recruits onto it. The
// same code runs in a real process and in a simulated one.

#include <optional>
#include <string>

#include "client/cluster_connection.h"
#include "runtime/future.h"
#include "runtime/network_address.h"
#include "server/cluster_controller/cluster_configuration.h"

namespace strata {

struct WorkerOptions {
  NetworkAddress listen_address;
  std::string data_dir;
  std::string cluster_file;
  // Used instead of the cluster file when set (simulated clusters).
  std::optional<ClusterConnectionString> connection;
  // The cluster's layout, used if this process runs the cluster controller.
  ClusterConfiguration configuration;
};

// Runs until cancelled. `listening` is sent once the worker accepts connections. Fails
// with lock_file_failure (another server uses the data folder), address_in_use,
// connection_string_invalid (a malformed cluster file), or a file error.
Future<Void> run_worker(WorkerOptions options, Promise<Void> listening);

}  // namespace strata
