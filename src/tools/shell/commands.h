#pragma once

// The handlers of the command table (command_table.h). Each runs on the loop, prints what
// the command prints, and fails with the Error to report; the shell has checked the number
// of arguments.

#include <string>

#include "runtime/future.h"
#include "tools/shell/escaping.h"

namespace strata::shell {

class Shell;

// data_commands.cpp: keys and values.
Future<Void> get_command(Shell& shell, const Words& arguments);
Future<Void> getrange_command(Shell& shell, const Words& arguments);
Future<Void> getrangekeys_command(Shell& shell, const Words& arguments);
Future<Void> set_command(Shell& shell, const Words& arguments);
Future<Void> clear_command(Shell& shell, const Words& arguments);
Future<Void> clearrange_command(Shell& shell, const Words& arguments);

// transaction_commands.cpp: transactions and their options.
Future<Void> begin_command(Shell& shell, const Words& arguments);
Future<Void> commit_command(Shell& shell, const Words& arguments);
Future<Void> rollback_command(Shell& shell, const Words& arguments);
Future<Void> option_command(Shell& shell, const Words& arguments);
Future<Void> getversion_command(Shell& shell, const Words& arguments);
Future<Void> writemode_command(Shell& shell, const Words& arguments);

// cluster_commands.cpp: the cluster as a whole.
Future<Void> status_command(Shell& shell, const Words& arguments);
Future<Void> exclude_command(Shell& shell, const Words& arguments);
Future<Void> include_command(Shell& shell, const Words& arguments);
// The status document, as a get of \xff\xff/status/json returns it.
Future<std::string> read_status_json(Shell& shell);

// management_commands.cpp: changing the cluster.
Future<Void> configure_command(Shell& shell, const Words& arguments);
Future<Void> consistencycheck_command(Shell& shell, const Words& arguments);
Future<Void> coordinators_command(Shell& shell, const Words& arguments);
Future<Void> kill_command(Shell& shell, const Words& arguments);

// tenant_commands.cpp: tenants.
Future<Void> tenant_command(Shell& shell, const Words& arguments);
Future<Void> usetenant_command(Shell& shell, const Words& arguments);
Future<Void> defaulttenant_command(Shell& shell, const Words& arguments);

// shell_commands.cpp: the shell itself.
Future<Void> help_command(Shell& shell, const Words& arguments);
Future<Void> exit_command(Shell& shell, const Words& arguments);

}  // namespace strata::shell
