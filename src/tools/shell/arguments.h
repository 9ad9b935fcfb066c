#pragma once

// The shell's command line.

#include <optional>
#include <string>

#include "tools/shell/shell.h"

namespace strata::shell {

struct ProgramOptions {
  ShellOptions shell;
  // --exec "CMD; CMD"
  std::optional<std::string> exec;
  // --log-dir DIR: trace events go there as JSON lines; otherwise nowhere.
  std::optional<std::string> log_dir;
};

// Parses argv. Prints the usage and exits 0 for --help, the version for --version, and
// exits 2 naming the problem for bad arguments.
ProgramOptions parse_program_arguments(int argc, char** argv, const std::string& version);

}  // namespace strata::shell
