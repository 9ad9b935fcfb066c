#include "tools/shell/modes.h"

#include <cstdio>

#include "runtime/environment.h"
#include "tools/shell/errors.h"
#include "tools/shell/line_editor.h"
#include "tools/shell/terminal.h"

namespace strata::shell {

namespace {

// Exit statuses.
constexpr int succeeded = 0;
constexpr int command_failed = 1;

void warn_about_open_transaction(Shell& shell) {
  if (!shell.state().transaction) return;
  std::fflush(stdout);
  std::fprintf(stderr,
               "WARNING: the transaction begun was neither committed nor rolled back; its "
               "writes are dropped\n");
}

// Says which cluster file is used and whether the database is available, as fdbcli does
// when it starts.
Future<Void> announce_cluster(Shell& shell) {
  std::optional<Error> failure;
  try {
    co_await shell.connect();
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    failure = error;
  }
  if (failure) {
    std::fprintf(stderr, "%s\n", error_text(*failure).c_str());
    co_return;
  }
  const ClusterFile& file = shell.cluster_file();
  say("Using cluster file `" + file.path + "' (" + file.chosen_because + ").");
  co_await shell.execute({"status", "minimal"});
}

}  // namespace

Future<int> run_exec(Shell& shell, std::string commands) {
  bool succeeded_all = co_await shell.execute_line(std::move(commands));
  warn_about_open_transaction(shell);
  co_return succeeded_all ? succeeded : command_failed;
}

Future<int> run_script(Shell& shell) {
  int status = succeeded;
  while (!shell.state().exit_requested) {
    std::optional<std::string> line =
        co_await run_blocking([] { return read_standard_input_line(); });
    if (!line) break;
    if (!co_await shell.execute_line(std::move(*line))) {
      status = command_failed;
      break;
    }
  }
  warn_about_open_transaction(shell);
  co_return status;
}

Future<int> run_interactive(Shell& shell, std::string version) {
  say("Welcome to the strata shell " + version + ". Type `help' for the commands.");
  co_await announce_cluster(shell);
  LineEditor editor(history_file_path());
  while (!shell.state().exit_requested) {
    std::string prompt = shell.state().transaction ? "strata [transaction]> " : "strata> ";
    // Waiting for the user blocks, so it happens off the loop, which keeps serving the
    // network meanwhile.
    std::optional<std::string> line =
        co_await run_blocking([&editor, prompt] { return editor.read_line(prompt); });
    if (!line) {
      say("");
      break;
    }
    co_await shell.execute_line(std::move(*line));
  }
  warn_about_open_transaction(shell);
  co_return succeeded;
}

}  // namespace strata::shell
