#include "tools/shell/shell.h"

#include <cstdio>
#include <utility>

#include "runtime/assert.h"
#include "runtime/combinators.h"
#include "tools/shell/command_table.h"
#include "tools/shell/errors.h"

namespace strata::shell {

namespace {

void print_error(const Error& error) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s\n", error_text(error).c_str());
  std::fflush(stderr);
}

std::string plural(size_t count, const char* word) {
  return std::to_string(count) + " " + word + (count == 1 ? "" : "s");
}

void check_argument_count(const CommandSpec& command, size_t count) {
  const auto min = static_cast<size_t>(command.arguments_min);
  const bool unlimited = command.arguments_max < 0;
  const auto max = static_cast<size_t>(command.arguments_max);
  if (count >= min && (unlimited || count <= max)) return;
  std::string wanted = min == max  ? plural(min, "argument")
                       : unlimited ? "at least " + plural(min, "argument")
                                   : std::to_string(min) + " to " + plural(max, "argument");
  throw Error(ErrorCode::client_invalid_operation, "`" + std::string(command.name) + "' takes " +
                                                       wanted + ", not " + std::to_string(count) +
                                                       "; usage: " + std::string(command.usage));
}

}  // namespace

void say(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

Future<bool> Shell::execute_line(std::string line) {
  size_t first = line.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || line[first] == '#') co_return true;
  std::vector<Words> commands;
  try {
    commands = parse_command_line(line);
  } catch (Error& error) {
    print_error(error);
    co_return false;
  }
  for (Words& words : commands) {
    if (!co_await execute(std::move(words))) co_return false;
    if (state_.exit_requested) break;
  }
  co_return true;
}

Future<bool> Shell::execute(Words words) {
  STRATA_ASSERT(!words.empty());
  commit_in_flight_ = false;
  std::optional<Error> failure;
  try {
    const CommandSpec* spec = find_command(words.front());
    Future<Void> command = run_command(std::move(words));
    Future<Void> timer =
        spec && spec->waits_for_the_cluster ? never<Void>() : delay(options_.timeout_s);
    if (co_await first_ready(command, timer) == 1) {
      // Cancel the command now, so that what it leaves behind (a transaction that may have
      // committed) is settled before anything else runs.
      command.cancel();
      throw Error(ErrorCode::timed_out);
    }
    co_await command;
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    failure = error;
  }
  std::fflush(stdout);
  if (!failure) co_return true;
  if (is_unreachable(*failure)) {
    std::string file = cluster_file_ ? cluster_file_->path : std::string("(none)");
    std::string coordinators =
        cluster_file_ ? coordinator_list(cluster_file_->connection) : std::string("(none)");
    failure =
        unreachable_error(*failure, file, coordinators, options_.timeout_s, commit_in_flight_);
  }
  print_error(*failure);
  co_return false;
}

Future<Void> Shell::run_command(Words words) {
  const CommandSpec* command = find_command(words.front());
  if (!command) {
    throw Error(ErrorCode::client_invalid_operation, "unknown command `" +
                                                         printable_bytes(words.front()) +
                                                         "'; type `help' for the list of commands");
  }
  Words arguments(words.begin() + 1, words.end());
  check_argument_count(*command, arguments.size());
  co_await command->run(*this, arguments);
}

Future<Void> Shell::connect() {
  if (cluster_file_) co_return;
  ClusterFile file = co_await find_cluster_file(options_.cluster_file);
  database_ = Database::open(file.connection, file.path);
  cluster_file_ = std::move(file);
}

const ClusterFile& Shell::cluster_file() const {
  STRATA_ASSERT(cluster_file_.has_value());
  return *cluster_file_;
}

void Shell::follow_coordinators(ClusterConnectionString connection) {
  STRATA_ASSERT(cluster_file_.has_value());
  STRATA_ASSERT(!connection.coordinators.empty());
  cluster_file_->connection = std::move(connection);
}

Database& Shell::database() {
  STRATA_ASSERT(database_.is_valid());
  return database_;
}

Future<Transaction> Shell::new_transaction() {
  co_await connect();
  Transaction transaction = state_.tenant
                                ? database_.open_tenant(*state_.tenant).create_transaction()
                                : database_.create_transaction();
  state_.default_options.apply(transaction);
  co_return transaction;
}

Future<Void> Shell::commit(Transaction transaction) {
  commit_in_flight_ = true;
  try {
    co_await transaction.commit();
  } catch (Error& error) {
    // A retry after commit_unknown_result still may have committed the first time.
    if (!error.is_cancellation()) commit_in_flight_ = error_maybe_committed(error.code());
    throw;
  }
  commit_in_flight_ = false;
}

Future<std::optional<Version>> Shell::run(std::function<Future<Void>(Transaction&)> body,
                                          Access access) {
  if (state_.transaction) {
    Transaction transaction = *state_.transaction;
    co_await body(transaction);
    co_return std::nullopt;
  }
  Transaction transaction = co_await new_transaction();
  while (true) {
    std::optional<Error> failure;
    try {
      co_await body(transaction);
      if (access == Access::read) co_return std::nullopt;
      co_await commit(transaction);
      co_return transaction.committed_version();
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    co_await transaction.on_error(*failure);
  }
}

}  // namespace strata::shell
