// status, exclude, include: the cluster as a whole (configure, coordinators and kill, which
// change it, are in management_commands.cpp).

#include <algorithm>

#include "client/exclusions.h"
#include "interfaces/types.h"
#include "runtime/combinators.h"
#include "tools/shell/commands.h"
#include "tools/shell/shell.h"
#include "tools/shell/status_render.h"

namespace strata::shell {

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

namespace {

// The exclusions `command` names; throws client_invalid_operation naming a word that is
// not an address.
std::vector<AddressExclusion> parse_exclusions(std::string_view command,
                                               const std::vector<std::string>& words) {
  std::vector<AddressExclusion> exclusions;
  for (const std::string& word : words) {
    std::optional<AddressExclusion> exclusion = AddressExclusion::try_parse(word);
    if (!exclusion) {
      throw Error(ErrorCode::client_invalid_operation,
                  std::string(command) + ": `" + printable_bytes(word) +
                      "' is not a process (IP:PORT) or machine (IP) address");
    }
    if (std::find(exclusions.begin(), exclusions.end(), *exclusion) == exclusions.end())
      exclusions.push_back(*exclusion);
  }
  return exclusions;
}

Future<Void> list_exclusions(Shell& shell) {
  Exclusions exclusions =
      co_await timeout_error(read_exclusions(shell.database()), shell.options().timeout_s);
  const size_t count = exclusions.excluded.size() + exclusions.failed.size();
  if (count == 0) {
    say("There are currently no servers or localities excluded from the database.");
    co_return;
  }
  say("There are currently " + std::to_string(count) +
      " servers or localities being excluded from the database:");
  for (const AddressExclusion& exclusion : exclusions.excluded)
    say("  " + exclusion.to_string());
  for (const AddressExclusion& exclusion : exclusions.failed)
    say("  " + exclusion.to_string() + " (failed)");
  say("To find out whether it is safe to remove one or more of these\n"
      "servers from the cluster, type `exclude <addresses>'.\n"
      "To return one of these servers to the cluster, type `include <addresses>'.");
}

}  // namespace

Future<Void> exclude_command(Shell& shell, const Words& arguments) {
  co_await shell.connect();
  bool force = false;
  bool failed = false;
  bool wait = true;
  std::vector<std::string> addresses;
  for (const std::string& word : arguments) {
    if (word == "FORCE" || word == "force") {
      force = true;
    } else if (word == "failed") {
      failed = true;
    } else if (word == "no_wait" || word == "--no-wait") {
      wait = false;
    } else {
      addresses.push_back(word);
    }
  }
  if (addresses.empty()) {
    if (!arguments.empty()) {
      throw Error(ErrorCode::client_invalid_operation,
                  "exclude: name the processes to exclude; usage: exclude [FORCE] [failed] "
                  "[no_wait] ADDRESS...");
    }
    co_await list_exclusions(shell);
    co_return;
  }
  std::vector<AddressExclusion> exclusions = parse_exclusions("exclude", addresses);
  const double timeout_s = shell.options().timeout_s;
  co_await timeout_error(exclude_servers(shell.database(), exclusions, failed, force),
                         2 * timeout_s);
  for (const NetworkAddress& coordinator : shell.cluster_file().connection.coordinators) {
    for (const AddressExclusion& exclusion : exclusions) {
      if (!exclusion.covers(coordinator)) continue;
      say("WARNING: " + coordinator.to_string() +
          " is a coordinator: exclusion does not move it; change the coordinators (e.g. "
          "`coordinators auto') before shutting it down.");
    }
  }
  if (!wait) {
    say("Excluded. Data and roles are moving off the processes: `exclude' them again to "
        "wait until none is left.");
    co_return;
  }
  say("Waiting for state to be removed from all excluded servers. This may take a while.\n"
      "(Interrupting this wait with CTRL+C will not cancel the data movement.)");
  size_t last_count = 0;
  while (true) {
    std::optional<std::vector<std::string>> remaining;
    try {
      remaining =
          co_await timeout_error(exclusion_remaining(shell.database(), exclusions), timeout_s);
    } catch (Error& error) {
      if (error.is_cancellation() || !error.is(ErrorCode::timed_out)) throw;
    }
    // Without an answer in time (a recovery, say) it asks again.
    if (remaining && remaining->empty()) break;
    if (remaining && remaining->size() != last_count) {
      say("  still on them: " + remaining->front() +
          (remaining->size() > 1 ? " and " + std::to_string(remaining->size() - 1) + " more" : ""));
      last_count = remaining->size();
    }
    co_await delay(1.0);
  }
  for (const AddressExclusion& exclusion : exclusions) {
    say("  " + exclusion.to_string() +
        " ---- Successfully excluded. It is now safe to remove this process from the cluster.");
  }
}

Future<Void> include_command(Shell& shell, const Words& arguments) {
  co_await shell.connect();
  std::vector<std::string> words;
  for (const std::string& word : arguments) {
    if (word != "failed") words.push_back(word);  // both lists are cleared either way
  }
  const bool all = std::find(words.begin(), words.end(), "all") != words.end();
  if (all && words.size() > 1) {
    throw Error(ErrorCode::client_invalid_operation,
                "include: `all' stands alone; usage: include [failed] all|ADDRESS...");
  }
  if (words.empty()) {
    throw Error(ErrorCode::client_invalid_operation,
                "include: name the processes; usage: include [failed] all|ADDRESS...");
  }
  std::optional<std::vector<AddressExclusion>> exclusions;
  if (!all) exclusions = parse_exclusions("include", words);
  co_await timeout_error(include_servers(shell.database(), exclusions), shell.options().timeout_s);
  say(all ? "Every excluded process is included again."
          : "Included " + std::to_string(exclusions->size()) +
                (exclusions->size() == 1 ? " address." : " addresses."));
}

}  // namespace strata::shell
