// strata: the command-line shell of a Strata cluster (FoundationDB's fdbcli, for Strata).
//
//   strata                          interactive, on the cluster of ./strata.cluster
//   strata -C FILE --exec "status"  run commands and exit
//   strata < script.txt             run a script, stopping at the first failure
//
// The client runs on the environment's loop on this thread; reading a line blocks, so it is
// done as blocking work off the loop (state.cpp).

#include <clocale>
#include <cstdio>
#include <optional>

#include "rpc/transport.h"
#include "runtime/real/real_environment.h"
#include "runtime/real/trace_file.h"
#include "runtime/trace.h"
#include "tools/shell/arguments.h"
#include "tools/shell/modes.h"
#include "tools/shell/terminal.h"

namespace {

using namespace strata;

constexpr const char* shell_version = STRATA_VERSION_TEXT;

// Without --log-dir the shell keeps its trace events to itself: its output is for people.
class DiscardingSink final : public TraceSink {
 public:
  void write(Severity, std::string_view, std::string_view) override {}
};

Future<int> run(const shell::ProgramOptions& options) {
  shell::Shell shell(options.shell);
  if (options.exec) co_return co_await shell::run_exec(shell, *options.exec);
  if (shell::standard_input_is_terminal())
    co_return co_await shell::run_interactive(shell, shell_version);
  co_return co_await shell::run_script(shell);
}

}  // namespace

int main(int argc, char** argv) {
  shell::ProgramOptions options = shell::parse_program_arguments(argc, argv, shell_version);
  // Line editing of UTF-8 text needs the user's character set.
  std::setlocale(LC_CTYPE, "");
  real::RealEnvironment environment;
  Transport::install(NetworkAddress());
  DiscardingSink discard;
  std::optional<real::TraceFile> trace_file;
  if (options.log_dir) {
    try {
      trace_file.emplace(*options.log_dir, NetworkAddress());
    } catch (const Error& error) {
      std::fprintf(stderr, "strata: %s\n", error.message().c_str());
      return 1;
    }
  }
  set_trace_sink(trace_file ? static_cast<TraceSink*>(&*trace_file) : &discard);
  int status = 1;
  // A named lambda: a coroutine lambda's captures live in the closure object, which must
  // outlive the coroutine.
  auto main_actor = [&]() -> Future<Void> {
    status = co_await run(options);
    env().stop();
  };
  Future<Void> done = main_actor();
  environment.run();
  std::fflush(stdout);
  set_trace_sink(nullptr);
  return status;
}
