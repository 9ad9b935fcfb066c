#include "tools/shell/terminal.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <unistd.h>  // lint: allows file because isatty tells a terminal from a script

namespace strata::shell {

bool standard_input_is_terminal() {
  return isatty(STDIN_FILENO) == 1;
}

std::optional<std::string> read_standard_input_line() {
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string history_file_path() {
  const char* home = std::getenv("HOME");
  if (!home || !*home) return {};
  return std::string(home) + "/.strata_history";
}

}  // namespace strata::shell
