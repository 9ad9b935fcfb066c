#pragma once

// Every command of the shell: its name, usage, help, how many arguments it takes and what it
// does to the database.

#include <string>
#include <string_view>
#include <vector>

#include "runtime/future.h"
#include "tools/shell/escaping.h"

namespace strata::shell {

class Shell;

// Runs a command whose argument count was checked; fails with the Error to report.
using CommandHandler = Future<Void> (*)(Shell& shell, const Words& arguments);

struct CommandSpec {
  std::string_view name;
  std::string_view usage;
  // One line, for `help`.
  std::string_view summary;
  // Paragraphs, for `help NAME`.
  std::string_view details;
  int arguments_min;
  // -1: no limit.
  int arguments_max;
  CommandHandler run;
  // Waits for as long as the cluster takes (bounding each request itself) instead of the
  // shell's --timeout.
  bool waits_for_the_cluster;
};

// In alphabetical order.
const std::vector<CommandSpec>& command_specs();
// The command named `name` exactly; nullptr if there is none.
const CommandSpec* find_command(std::string_view name);

// What `help` prints: every command with its summary.
std::string general_help();
// What `help NAME` prints.
std::string command_help(const CommandSpec& command);
// The help topics that are not commands: `help escaping`, `help options`.
const std::vector<std::string_view>& help_topics();
std::string escaping_help();
std::string options_help();

}  // namespace strata::shell
