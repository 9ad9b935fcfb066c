#pragma once

// The cluster file: one line, FoundationDB's connection string format,
//
//   description:id@ip:port,ip:port,...
//
// naming the coordinators. The description is letters, digits and underscores; the id is
// letters and digits. Blank lines and lines starting with '#' are ignored.

#include <string>
#include <string_view>
#include <vector>

#include "runtime/future.h"
#include "runtime/network_address.h"

namespace strata {

struct ClusterConnectionString {
  std::string description;
  std::string id;
  std::vector<NetworkAddress> coordinators;

  // Throws connection_string_invalid saying what is wrong with `text`.
  static ClusterConnectionString parse(std::string_view text);
  std::string to_string() const;
};

// Parses the contents of the cluster file `path` (named in errors): one connection string,
// with blank lines and '#' comments around it. Throws connection_string_invalid.
ClusterConnectionString parse_cluster_file(std::string_view contents, const std::string& path);

// Reads and parses a cluster file. Fails with file_not_found or connection_string_invalid
// (naming the file).
Future<ClusterConnectionString> read_cluster_file(std::string path);

// Replaces the cluster file atomically and durably (write aside, sync, rename, sync the
// directory): a crash leaves the old file or the new one, never a torn one.
Future<Void> write_cluster_file(std::string path, ClusterConnectionString connection);

}  // namespace strata
