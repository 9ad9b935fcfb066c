// begin, commit, rollback, option, getversion, writemode.

#include <cinttypes>
#include <cstdio>

#include "tools/shell/commands.h"
#include "tools/shell/shell.h"

namespace strata::shell {

namespace {

void require_transaction(Shell& shell, const char* command) {
  if (shell.state().transaction) return;
  throw Error(ErrorCode::client_invalid_operation,
              std::string(command) + ": there is no transaction; `begin' starts one");
}

// `on` or `off`; anything else is an error naming the command.
bool parse_switch(const std::string& word, const std::string& usage) {
  if (word == "on") return true;
  if (word == "off") return false;
  throw Error(ErrorCode::client_invalid_operation,
              "expected on or off, not `" + printable_bytes(word) + "'; usage: " + usage);
}

void list_options(ShellState& state) {
  std::vector<std::string> every = state.default_options.describe();
  std::vector<std::string> current = state.transaction_options.describe();
  if (every.empty() && (!state.transaction || current.empty())) {
    say(state.transaction ? "No options are on for the current transaction."
                          : "No options are on.");
    return;
  }
  if (state.transaction) {
    say("Options on for the current transaction:");
    for (const std::string& line : current)
      say("  " + line);
  }
  if (!every.empty()) say("Options on for every new transaction:");
  for (const std::string& line : every)
    say("  " + line);
}

void turn_off_in_transaction(ShellState& state, const OptionSpec& spec) {
  if (!spec.turn_off) {
    throw Error(ErrorCode::invalid_option,
                "option " + std::string(spec.name) +
                    " cannot be turned off in a running transaction; `rollback' and `begin' "
                    "again without it");
  }
  spec.turn_off(*state.transaction);
  state.transaction_options.turn_off(spec);
}

}  // namespace

Future<Void> begin_command(Shell& shell, const Words&) {
  ShellState& state = shell.state();
  if (state.transaction) {
    throw Error(ErrorCode::client_invalid_operation,
                "begin: a transaction is already open; `commit' or `rollback' it first");
  }
  Transaction transaction = co_await shell.new_transaction();
  state.transaction = transaction;
  state.transaction_options = state.default_options;
  say("Transaction started");
}

Future<Void> commit_command(Shell& shell, const Words&) {
  require_transaction(shell, "commit");
  ShellState& state = shell.state();
  Transaction transaction = *state.transaction;
  auto end_transaction = [&state] {
    state.transaction.reset();
    state.transaction_options = OptionSet();
  };
  try {
    co_await shell.commit(transaction);
  } catch (Error& error) {
    // Failed, or abandoned when the command ran out of time: either way the transaction is
    // over (the error says whether its writes may have made it).
    end_transaction();
    throw;
  }
  end_transaction();
  Version version = transaction.committed_version();
  if (version < 0) {
    say("Committed (the transaction wrote nothing, so it has no commit version)");
  } else {
    std::printf("Committed (%" PRId64 ")\n", version);
  }
}

Future<Void> rollback_command(Shell& shell, const Words&) {
  require_transaction(shell, "rollback");
  shell.state().transaction.reset();
  shell.state().transaction_options = OptionSet();
  say("Transaction rolled back");
  co_return;
}

Future<Void> option_command(Shell& shell, const Words& arguments) {
  ShellState& state = shell.state();
  if (arguments.empty()) {
    list_options(state);
    co_return;
  }
  const std::string usage = "option on|off NAME [ARG]";
  bool on = parse_switch(arguments[0], usage);
  if (arguments.size() < 2) {
    throw Error(ErrorCode::client_invalid_operation,
                "option: name the option; usage: " + usage + " (`help options' lists them)");
  }
  const OptionSpec& spec = find_option(arguments[1]);
  const std::string name(spec.name);
  if (!on) {
    if (arguments.size() > 2) {
      throw Error(ErrorCode::invalid_option_value, "option off " + name + " takes no argument");
    }
    if (state.transaction) {
      turn_off_in_transaction(state, spec);
      say("Option " + name + " off for the current transaction");
    } else {
      state.default_options.turn_off(spec);
      say("Option " + name + " off for every transaction");
    }
    co_return;
  }
  std::optional<std::string> text;
  if (arguments.size() > 2) text = arguments[2];
  int64_t argument = checked_option_argument(spec, text);
  if (state.transaction) {
    spec.turn_on(*state.transaction, argument);
    state.transaction_options.turn_on(spec, argument);
    say("Option " + name + " on for the current transaction");
  } else {
    state.default_options.turn_on(spec, argument);
    say("Option " + name + " on for every transaction");
  }
}

Future<Void> getversion_command(Shell& shell, const Words&) {
  Version version = 0;
  co_await shell.run(
      [&](Transaction& transaction) -> Future<Void> {
        version = co_await transaction.get_read_version();
      },
      Access::read);
  std::printf("%" PRId64 "\n", version);
}

Future<Void> writemode_command(Shell& shell, const Words& arguments) {
  bool on = parse_switch(arguments[0], "writemode on|off");
  shell.state().write_mode = on;
  say(on ? "Writes are allowed (writemode on)" : "Writes are refused (writemode off)");
  co_return;
}

}  // namespace strata::shell
