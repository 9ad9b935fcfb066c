// get, getrange, getrangekeys, set, clear, clearrange: in the current transaction after
// `begin', or else each in a transaction of its own (writes committed at once).

#include <cinttypes>
#include <cstdio>

#include "interfaces/types.h"
#include "tools/shell/commands.h"
#include "tools/shell/shell.h"

namespace strata::shell {

namespace {

constexpr int64_t range_limit_default = 25;
// A range read prints at most this many rows, however large the limit asked for.
constexpr int64_t range_limit_max = 1'000'000;

void require_write_mode(Shell& shell, const char* command) {
  if (shell.state().write_mode) return;
  throw Error(ErrorCode::client_invalid_operation,
              std::string(command) +
                  ": writemode is off, so the database cannot be changed; run `writemode on' "
                  "first");
}

// Prints what an autocommitted write did ("Committed (VERSION)"); nothing inside `begin'.
void report_commit(const std::optional<Version>& committed) {
  if (committed) std::printf("Committed (%" PRId64 ")\n", *committed);
}

struct RangeArguments {
  std::string begin;
  std::string end = normal_keys_end;
  int64_t limit = range_limit_default;
};

RangeArguments range_arguments(const Words& arguments, const char* command) {
  RangeArguments range;
  range.begin = arguments[0];
  std::optional<std::string> limit_text;
  if (arguments.size() == 3) {
    range.end = arguments[1];
    limit_text = arguments[2];
  } else if (arguments.size() == 2) {
    // fdbcli's rule: a whole number is the limit, anything else the end.
    int64_t number = 0;
    if (parse_integer(arguments[1], number)) {
      limit_text = arguments[1];
    } else {
      range.end = arguments[1];
    }
  }
  if (limit_text && (!parse_integer(*limit_text, range.limit) || range.limit < 1 ||
                     range.limit > range_limit_max)) {
    throw Error(ErrorCode::client_invalid_operation,
                std::string(command) + ": LIMIT must be a whole number from 1 to " +
                    std::to_string(range_limit_max) + ", not `" + printable_bytes(*limit_text) +
                    "'");
  }
  return range;
}

Future<Void> print_range(Shell& shell, const Words& arguments, bool with_values) {
  const char* command = with_values ? "getrange" : "getrangekeys";
  RangeArguments range = range_arguments(arguments, command);
  RangeResult result;
  co_await shell.run(
      [&](Transaction& transaction) -> Future<Void> {
        result =
            co_await transaction.get_range(range.begin, range.end, static_cast<int>(range.limit));
      },
      Access::read);
  std::printf("Range limited to %" PRId64 " keys\n", range.limit);
  for (const KeyValue& row : result.rows) {
    if (with_values) {
      say(in_quotes(row.key) + " is " + in_quotes(row.value));
    } else {
      say(in_quotes(row.key));
    }
  }
  if (result.more) say("(more keys follow; give a larger LIMIT to see them)");
}

}  // namespace

Future<Void> get_command(Shell& shell, const Words& arguments) {
  const std::string& key = arguments[0];
  std::optional<Value> value;
  co_await shell.run(
      [&](Transaction& transaction) -> Future<Void> { value = co_await transaction.get(key); },
      Access::read);
  if (value) {
    say(in_quotes(key) + " is " + in_quotes(*value));
  } else {
    say(in_quotes(key) + ": not found");
  }
}

Future<Void> getrange_command(Shell& shell, const Words& arguments) {
  return print_range(shell, arguments, true);
}

Future<Void> getrangekeys_command(Shell& shell, const Words& arguments) {
  return print_range(shell, arguments, false);
}

Future<Void> set_command(Shell& shell, const Words& arguments) {
  require_write_mode(shell, "set");
  const std::string& key = arguments[0];
  const std::string& value = arguments[1];
  std::optional<Version> committed = co_await shell.run(
      [&](Transaction& transaction) -> Future<Void> {
        transaction.set(key, value);
        co_return;
      },
      Access::write);
  report_commit(committed);
}

Future<Void> clear_command(Shell& shell, const Words& arguments) {
  require_write_mode(shell, "clear");
  const std::string& key = arguments[0];
  std::optional<Version> committed = co_await shell.run(
      [&](Transaction& transaction) -> Future<Void> {
        transaction.clear(key);
        co_return;
      },
      Access::write);
  report_commit(committed);
}

Future<Void> clearrange_command(Shell& shell, const Words& arguments) {
  require_write_mode(shell, "clearrange");
  const std::string& begin = arguments[0];
  const std::string& end = arguments[1];
  std::optional<Version> committed = co_await shell.run(
      [&](Transaction& transaction) -> Future<Void> {
        transaction.clear_range(begin, end);
        co_return;
      },
      Access::write);
  report_commit(committed);
}

}  // namespace strata::shell
