#pragma once

// The three ways the shell runs, each returning the process's exit status:
// - exec: the commands of --exec, stopping at the first that fails (status 1);
// - script: standard input that is not a terminal, line by line, the same way;
// - interactive: a terminal, with line editing, history and completion; a failed command
//   is reported and the shell goes on (status 0 when it ends).

#include <string>

#include "runtime/future.h"
#include "tools/shell/shell.h"

namespace strata::shell {

Future<int> run_exec(Shell& shell, std::string commands);
Future<int> run_script(Shell& shell);
Future<int> run_interactive(Shell& shell, std::string version);

}  // namespace strata::shell
