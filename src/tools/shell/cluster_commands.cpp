// status, exclude, include: the cluster as a whole (configure, coordinators and kill, which
// change it, are in management_commands.cpp). What the cluster cannot do yet is said
// plainly, as an error, never pretended.

#include "interfaces/types.h"
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

Future<Void> exclude_command(Shell& shell, const Words& arguments) {
  if (!arguments.empty()) {
    not_available(
        "exclude: excluding servers is not supported yet: the data distributor moves the "
        "shards of a storage server lost for good, but does not yet drain a live one");
  }
  say("No servers are excluded (excluding servers is not supported yet).");
  co_return;
}

Future<Void> include_command(Shell& shell, const Words& arguments) {
  not_available(
      "include: including servers is not supported yet: excluding them is not either (data "
      "distribution comes later), so no server is excluded");
  co_return;
}

}  // namespace strata::shell
