// status, configure, coordinators, exclude, include, kill: the cluster as a whole. What the
// cluster cannot do yet is said plainly, as an error, never pretended.

#include "interfaces/types.h"
#include "runtime/combinators.h"
#include "tools/shell/commands.h"
#include "tools/shell/shell.h"
#include "tools/shell/status_render.h"

namespace strata::shell {

namespace {

[[noreturn]] void not_available(const std::string& sentence) {
  throw Error(ErrorCode::unsupported_operation, sentence);
}

}  // namespace

Future<std::string> read_status_json(Shell& shell) {
  co_await shell.connect();
  // Not the user's transaction, nor its options: the document is the same for everyone.
  Transaction transaction = shell.database().create_transaction();
  std::optional<Value> document = co_await transaction.get(status_json_key);
  if (!document) {
    throw Error(ErrorCode::internal_error, "the cluster returned no status document");
  }
  co_return *document;
}

Future<Void> status_command(Shell& shell, const Words& arguments) {
  std::string mode = arguments.empty() ? "" : arguments[0];
  if (mode != "" && mode != "json" && mode != "minimal" && mode != "details") {
    throw Error(ErrorCode::client_invalid_operation, "status: unknown form `" +
                                                         printable_bytes(mode) +
                                                         "'; usage: status [minimal|details|json]");
  }
  std::string document = co_await read_status_json(shell);
  if (mode == "json") {
    say(document);
  } else if (mode == "minimal") {
    say(render_status_minimal(document));
  } else {
    say("Using cluster file `" + shell.cluster_file().path + "'.\n");
    say(render_status(document, mode == "details" ? StatusDetail::details : StatusDetail::normal));
  }
}

Future<Void> configure_command(Shell& shell, const Words& arguments) {
  if (!arguments.empty()) {
    not_available(
        "configure: changing the configuration of a running cluster is not supported yet: it "
        "is fixed when the cluster is first recruited (one log and one storage server), and "
        "the storage engine is chosen with strata-server --storage-engine when its data "
        "folder is created. `configure' with no arguments shows the configuration");
  }
  std::string document = co_await read_status_json(shell);
  say(render_configuration(document));
}

Future<Void> coordinators_command(Shell& shell, const Words& arguments) {
  if (!arguments.empty()) {
    not_available(
        "coordinators: changing the coordinators is not supported yet: the cluster "
        "controller runs on the first coordinator named in the cluster file and keeps the "
        "cluster's state in its own data folder, not with a quorum of coordinators");
  }
  co_await shell.connect();
  const ClusterFile& file = shell.cluster_file();
  say("Cluster description: " + file.connection.description);
  say("Cluster coordinators (" + std::to_string(file.connection.coordinators.size()) +
      "): " + coordinator_list(file.connection));
  say("From the cluster file `" + file.path + "'.");
  // Whether they answer is a bonus: the list above stands without the cluster. So the
  // status gets half of the command's time, and its failure is no failure of the command.
  std::optional<std::string> document;
  try {
    document = co_await timeout_error(read_status_json(shell), shell.options().timeout_s / 2);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    say("Whether they are reachable is unknown: the cluster did not answer (" +
        std::string(error.name()) + ", " + std::to_string(error.number()) + ").");
  }
  if (document) {
    std::string reachability = render_coordinator_reachability(*document);
    if (!reachability.empty()) say("Reachability (from status):\n" + reachability);
  }
}

Future<Void> exclude_command(Shell& shell, const Words& arguments) {
  if (!arguments.empty()) {
    not_available(
        "exclude: excluding servers is not supported yet: there is no data distributor to "
        "move a server's data to others (each storage server holds its shard alone), so a "
        "server cannot be drained");
  }
  say("No servers are excluded (excluding servers is not supported yet).");
  co_return;
}

Future<Void> include_command(Shell& shell, const Words& arguments) {
  not_available(
      "include: including servers is not supported yet: excluding them is not either, so "
      "no server is excluded");
  co_return;
}

Future<Void> kill_command(Shell& shell, const Words& arguments) {
  if (!arguments.empty()) {
    not_available(
        "kill: killing a process from the shell is not supported yet: strata-server has no "
        "request to stop or reboot it; stop it on its host (SIGTERM or Ctrl-C) and start it "
        "again");
  }
  std::string document = co_await read_status_json(shell);
  std::string processes = render_processes(document, StatusDetail::normal);
  say(processes.empty() ? "The status document lists no processes."
                        : "Processes of the cluster (from status):\n" + processes);
  say("Killing them from the shell is not supported yet.");
}

}  // namespace strata::shell
