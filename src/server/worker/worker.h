#pragma once

// A server process: the worker that hosts roles. It owns the data folder (locked for its
// lifetime), makes sure a cluster file exists, listens, and answers ping and status at
// well-known endpoints from the moment it listens. The same code runs in a real process
// and in a simulated one.

#include <string>

#include "runtime/future.h"
#include "runtime/network_address.h"

namespace strata {

struct WorkerOptions {
  NetworkAddress listen_address;
  std::string data_dir;
  std::string cluster_file;
};

// Runs until cancelled. `listening` is sent once the worker accepts connections. Fails
// with lock_file_failure (another server uses the data folder), address_in_use,
// connection_string_invalid (a malformed cluster file), or a file error.
Future<Void> run_worker(WorkerOptions options, Promise<Void> listening);

}  // namespace strata
