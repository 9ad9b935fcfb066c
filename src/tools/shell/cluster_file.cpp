#include "tools/shell/cluster_file.h"

#include <cstdlib>
#include <utility>
#include <vector>

#include "runtime/environment.h"
#include "runtime/error.h"

namespace strata::shell {

namespace {

constexpr const char* local_cluster_file = "strata.cluster";
constexpr const char* cluster_file_variable = "STRATA_CLUSTER_FILE";
constexpr const char* system_cluster_file = "/etc/strata/strata.cluster";

Future<ClusterFile> read_chosen(std::string path, std::string chosen_because) {
  ClusterFile file{std::move(path), std::move(chosen_because), {}};
  try {
    file.connection = co_await read_cluster_file(file.path);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    if (error.is(ErrorCode::connection_string_invalid)) {
      throw Error(error.code(), "cluster file `" + file.path + "' (" + file.chosen_because +
                                    "): " + std::string(error.detail()));
    }
    throw Error(error.code(), "cannot read cluster file `" + file.path + "' (" +
                                  file.chosen_because + "): " + error.message());
  }
  co_return file;
}

}  // namespace

Future<ClusterFile> find_cluster_file(std::optional<std::string> given) {
  if (given) {
    if (!co_await env().file_exists(*given)) {
      throw Error(ErrorCode::file_not_found,
                  "the cluster file `" + *given + "' given with -C does not exist");
    }
    co_return co_await read_chosen(*given, "given with -C");
  }
  std::vector<std::pair<std::string, std::string>> candidates;
  candidates.emplace_back(local_cluster_file, "found in the current directory");
  const char* variable = std::getenv(cluster_file_variable);
  if (variable && *variable) {
    candidates.emplace_back(variable, std::string("named by $") + cluster_file_variable);
  }
  candidates.emplace_back(system_cluster_file, "the system default");
  for (auto& [path, because] : candidates) {
    if (co_await env().file_exists(path)) co_return co_await read_chosen(path, because);
  }
  throw Error(
      ErrorCode::no_cluster_file_found,
      std::string("no cluster file: none of ./") + local_cluster_file + ", $" +
          cluster_file_variable +
          (variable && *variable ? " (" + std::string(variable) + ")" : std::string(" (not set)")) +
          " and " + system_cluster_file +
          " exists; name one with -C FILE (strata-server writes one where it starts)");
}

std::string coordinator_list(const ClusterConnectionString& connection) {
  std::string text;
  for (const NetworkAddress& address : connection.coordinators) {
    if (!text.empty()) text += ", ";
    text += address.to_string();
  }
  return text;
}

}  // namespace strata::shell
