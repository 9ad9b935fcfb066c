// configure, coordinators, kill: changing the cluster (src/client/management.h), with
// fdbcli's words and messages. What Strata cannot do yet (redundancy across data centres
// or data halls) is refused here, before anything is sent.

#include <algorithm>
#include <array>

#include "client/consistency_check.h"
#include "client/management.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "tools/shell/commands.h"
#include "tools/shell/shell.h"
#include "tools/shell/status_render.h"

namespace strata::shell {

namespace {

// How often `coordinators' looks whether the cluster file follows the move.
constexpr double cluster_file_poll_s = 0.05;

// FoundationDB's redundancy modes that spread copies over data halls or data centres.
constexpr std::array<std::string_view, 4> multi_site_modes = {
    "three_data_hall", "three_data_hall_fallback", "three_datacenter", "three_datacenter_fallback"};

std::string processes_text(size_t count) {
  return std::to_string(count) + (count == 1 ? " process" : " processes");
}

// The words to send: `new' (fdbcli's `configure new ...') is noted and dropped; the modes
// that span sites are refused.
std::vector<std::string> configuration_words(const Words& arguments) {
  std::vector<std::string> words;
  for (const std::string& word : arguments) {
    if (std::find(multi_site_modes.begin(), multi_site_modes.end(), word) !=
        multi_site_modes.end()) {
      throw Error(ErrorCode::unsupported_operation,
                  "configure: redundancy mode `" + printable_bytes(word) +
                      "' is not supported yet: Strata spreads copies over zones (single, "
                      "double, triple), not over data halls or data centres. Nothing was "
                      "changed");
    }
    if (word == "new") {
      say("Note: `new' is ignored: Strata creates the database itself when its first "
          "processes start.");
      continue;
    }
    words.push_back(word);
  }
  return words;
}

Future<Void> show_coordinators(Shell& shell) {
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

// `word' (all, auto) names a whole set: it cannot come with addresses.
void check_stands_alone(std::string_view command, const Words& arguments, std::string_view word) {
  if (arguments.size() > 1 &&
      std::find(arguments.begin(), arguments.end(), word) != arguments.end()) {
    throw Error(ErrorCode::client_invalid_operation,
                std::string(command) + ": `" + std::string(word) + "' stands alone; usage: " +
                    std::string(command) + " " + std::string(word) + "|ADDRESS...");
  }
}

// `command': the addresses named, in order. Throws client_invalid_operation
// naming a word that is not an address.
std::vector<NetworkAddress> parse_addresses(std::string_view command, const Words& arguments,
                                            std::string_view other_word) {
  std::vector<NetworkAddress> addresses;
  for (const std::string& word : arguments) {
    std::optional<NetworkAddress> address = NetworkAddress::try_parse(word);
    if (!address) {
      throw Error(ErrorCode::client_invalid_operation,
                  std::string(command) + ": `" + printable_bytes(word) +
                      "' is not a process address like 127.0.0.1:4500 (nor `" +
                      std::string(other_word) + "')");
    }
    addresses.push_back(*address);
  }
  return addresses;
}

// The database rewrites the cluster file once the old coordinators forward it to the new
// ones (the shell opened it with the file's path). Whether the file holds `connection`
// within `wait_s_max`.
Future<bool> cluster_file_follows(std::string path, std::string connection, double wait_s_max) {
  const double deadline = now() + wait_s_max;
  while (true) {
    try {
      if ((co_await read_cluster_file(path)).to_string() == connection) co_return true;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
    if (now() >= deadline) co_return false;
    co_await delay(cluster_file_poll_s);
  }
}

// What reboot_process answered: nothing, or the error.
Future<std::optional<Error>> ask_to_reboot(NetworkAddress address, double wait_s_max) {
  try {
    co_await timeout_error(reboot_process(address), wait_s_max);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    co_return error;
  }
  co_return std::nullopt;
}

// The processes `kill' names (every one the status lists for `all'); fails on one the
// status does not list, before any is killed.
std::vector<NetworkAddress> kill_targets(const Words& arguments,
                                         const std::vector<std::string>& listed) {
  if (arguments.size() == 1 && arguments[0] == "all") {
    std::vector<NetworkAddress> all;
    for (const std::string& address : listed) {
      if (std::optional<NetworkAddress> parsed = NetworkAddress::try_parse(address))
        all.push_back(*parsed);
    }
    return all;
  }
  std::vector<NetworkAddress> targets;
  for (const NetworkAddress& address : parse_addresses("kill", arguments, "all")) {
    if (std::find(targets.begin(), targets.end(), address) == targets.end())
      targets.push_back(address);
  }
  for (const NetworkAddress& address : targets) {
    if (std::find(listed.begin(), listed.end(), address.to_string()) == listed.end()) {
      throw Error(ErrorCode::client_invalid_operation,
                  "kill: no process of the cluster is at " + address.to_string() +
                      " (`kill' alone lists them); nothing was killed");
    }
  }
  return targets;
}

}  // namespace

Future<Void> configure_command(Shell& shell, const Words& arguments) {
  if (arguments.empty()) {
    std::string document = co_await read_status_json(shell);
    say(render_configuration(document));
    co_return;
  }
  std::vector<std::string> words = configuration_words(arguments);
  if (words.empty()) {
    say("Configuration unchanged: no setting was named.");
    co_return;
  }
  co_await shell.connect();
  std::string configuration = co_await configure_database(shell.database(), std::move(words));
  say("Configuration changed: " + configuration);
}

Future<Void> consistencycheck_command(Shell& shell, const Words& arguments) {
  co_await shell.connect();
  // Each member gets the command's time, less what the walk needs besides.
  ConsistencyReport report =
      co_await check_consistency(shell.database(), shell.options().timeout_s / 2);
  for (const std::string& missing : report.unreachable)
    say("Unreachable: " + missing);
  for (const std::string& difference : report.differences)
    say("DIFFERENT: " + difference);
  say("Compared " + std::to_string(report.shards) +
      " shards: " + std::to_string(report.copies_compared) + " copies, " +
      std::to_string(report.rows) + " rows in each; " + std::to_string(report.differences.size()) +
      " difference(s), " + std::to_string(report.unreachable.size()) + " copy(ies) unreachable.");
  if (!report.differences.empty()) {
    throw Error(ErrorCode::internal_error,
                "consistencycheck: the copies of the data differ (see above)");
  }
}

Future<Void> coordinators_command(Shell& shell, const Words& arguments) {
  co_await shell.connect();
  if (arguments.empty()) {
    co_await show_coordinators(shell);
    co_return;
  }
  const double started_at = now();
  const bool automatic = arguments.size() == 1 && arguments[0] == "auto";
  for (const std::string& word : arguments) {
    if (word.starts_with("description=")) {
      throw Error(ErrorCode::unsupported_operation,
                  "coordinators: changing the cluster's description is not supported; it stays `" +
                      shell.cluster_file().connection.description + "'");
    }
  }
  check_stands_alone("coordinators", arguments, "auto");
  std::vector<NetworkAddress> addresses;
  if (!automatic) addresses = parse_addresses("coordinators", arguments, "auto");
  const ClusterConnectionString before = shell.cluster_file().connection;
  std::string answer =
      co_await change_coordinators(shell.database(), std::move(addresses), automatic);
  ClusterConnectionString after = ClusterConnectionString::parse(answer);
  if (after.to_string() == before.to_string()) {
    say("No change (existing configuration satisfies request)");
    say("Cluster connection string: " + after.to_string());
    co_return;
  }
  say("Coordination state changed");
  say("New connection string: " + after.to_string());
  shell.follow_coordinators(after);
  const std::string& path = shell.cluster_file().path;
  double wait_s_max = std::max(0.0, shell.options().timeout_s * 0.8 - (now() - started_at));
  if (co_await cluster_file_follows(path, after.to_string(), wait_s_max)) {
    say("The cluster file `" + path + "' now names the new coordinators.");
  } else {
    say("The cluster file `" + path +
        "' still names the old coordinators (their forward did not reach this shell in "
        "time): put the new connection string in it.");
  }
}

Future<Void> kill_command(Shell& shell, const Words& arguments) {
  std::string document = co_await read_status_json(shell);
  if (arguments.empty()) {
    std::string processes = render_processes(document, StatusDetail::normal);
    say(processes.empty() ? "The status document lists no processes."
                          : "Processes of the cluster (from status):\n" + processes);
    say("`kill ADDRESS...' restarts processes in place, `kill all' every one of them.");
    co_return;
  }
  check_stands_alone("kill", arguments, "all");
  std::vector<NetworkAddress> targets = kill_targets(arguments, process_addresses(document));
  std::vector<Future<std::optional<Error>>> answers;
  answers.reserve(targets.size());
  for (const NetworkAddress& address : targets)
    answers.push_back(ask_to_reboot(address, shell.options().timeout_s / 2));
  std::string silent;
  for (size_t i = 0; i < targets.size(); ++i) {
    std::optional<Error> failure = co_await answers[i];
    if (!failure) continue;
    silent += (silent.empty() ? "" : "; ") + targets[i].to_string() + " (" +
              std::string(failure->name()) + ", " + std::to_string(failure->number()) + ")";
  }
  say("Attempted to kill " + processes_text(targets.size()));
  if (!silent.empty()) {
    throw Error(ErrorCode::operation_failed,
                "kill: not every process confirmed that it restarts: " + silent);
  }
}

}  // namespace strata::shell
