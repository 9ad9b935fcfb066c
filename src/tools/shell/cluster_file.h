#pragma once

// Which cluster file the shell uses: the one given with -C, or else the first that exists
// of ./strata.cluster, $STRATA_CLUSTER_FILE and /etc/strata/strata.cluster.

#include <optional>
#include <string>

#include "client/cluster_connection.h"
#include "runtime/future.h"

namespace strata::shell {

struct ClusterFile {
  std::string path;
  // How it was chosen, for people: "given with -C", "in the current directory", ...
  std::string chosen_because;
  ClusterConnectionString connection;
};

// Finds and reads the cluster file. May suspend (it asks the environment whether files
// exist). Fails with file_not_found when the given file does not exist, with
// no_cluster_file_found naming every place looked at when none does, and with
// connection_string_invalid naming the file when it is malformed.
Future<ClusterFile> find_cluster_file(std::optional<std::string> given);

// "127.0.0.1:4500, 127.0.0.1:4501".
std::string coordinator_list(const ClusterConnectionString& connection);

}  // namespace strata::shell
