#include "tools/shell/arguments.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "rpc/protocol_version.h"

namespace strata::shell {

namespace {

constexpr int usage_status = 2;

constexpr const char* usage_text =
    "usage: strata [-C FILE] [--exec \"CMD; CMD...\"] [--timeout SECONDS] [--log-dir DIR]\n"
    "\n"
    "The strata shell: reads and writes keys, runs transactions, shows the cluster's status.\n"
    "On a terminal it is interactive (line editing, history in ~/.strata_history, TAB\n"
    "completion); otherwise it runs the commands on standard input, one line at a time.\n"
    "\n"
    "  -C, --cluster-file FILE  the cluster file (default: the first that exists of\n"
    "                           ./strata.cluster, $STRATA_CLUSTER_FILE and\n"
    "                           /etc/strata/strata.cluster)\n"
    "  --exec \"CMD; CMD...\"     run these commands and exit\n"
    "  --timeout SECONDS        how long a command waits for the cluster (default 5)\n"
    "  --log-dir DIR            write trace logs there\n"
    "  --help                   print this and exit\n"
    "  --version                print the version and exit\n"
    "\n"
    "Exit status: 0 when every command succeeded, 1 at the first that failed (with --exec or\n"
    "a script, which stop there), 2 for bad arguments. Type `help' in the shell for its\n"
    "commands.\n";

[[noreturn]] void usage_error(const std::string& problem) {
  std::fprintf(stderr, "strata: %s\n\n%s", problem.c_str(), usage_text);
  std::exit(usage_status);
}

double parse_timeout(const std::string& text) {
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(seconds > 0) || seconds > 1e6) {
    usage_error("--timeout takes a number of seconds above 0, not '" + text + "'");
  }
  return seconds;
}

}  // namespace

ProgramOptions parse_program_arguments(int argc, char** argv, const std::string& version) {
  ProgramOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (flag == "-C" || flag == "--cluster-file" || flag == "--cluster_file") {
      options.shell.cluster_file = value();
    } else if (flag == "--exec") {
      options.exec = value();
    } else if (flag == "--timeout") {
      options.shell.timeout_s = parse_timeout(value());
    } else if (flag == "--log-dir") {
      options.log_dir = value();
    } else if (flag == "--help" || flag == "-h") {
      std::printf("%s", usage_text);
      std::exit(0);
    } else if (flag == "--version" || flag == "-v") {
      std::printf("strata %s (protocol %s)\n", version.c_str(),
                  protocol_version_string(protocol_version_current).c_str());
      std::exit(0);
    } else {
      usage_error("unknown argument '" + std::string(flag) + "'");
    }
  }
  return options;
}

}  // namespace strata::shell
