// help, exit and quit.

#include "tools/shell/command_table.h"
#include "tools/shell/commands.h"
#include "tools/shell/shell.h"

namespace strata::shell {

Future<Void> help_command(Shell& shell, const Words& arguments) {
  if (arguments.empty()) {
    say(general_help());
    co_return;
  }
  const std::string& topic = arguments[0];
  if (topic == "escaping") {
    say(escaping_help());
  } else if (topic == "options") {
    say(options_help());
  } else if (const CommandSpec* command = find_command(topic)) {
    say(command_help(*command));
  } else {
    throw Error(ErrorCode::client_invalid_operation, "help: there is no command or topic `" +
                                                         printable_bytes(topic) +
                                                         "'; `help' lists the commands");
  }
}

Future<Void> exit_command(Shell& shell, const Words& arguments) {
  shell.state().exit_requested = true;
  co_return;
}

}  // namespace strata::shell
