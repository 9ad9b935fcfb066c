#pragma once

// The shell's state and how it runs commands. One Shell lives on the environment's loop;
// every call is made from there, and the calls returning a Future may suspend.
//
// A command runs within the shell's timeout (--timeout): one that gets no answer from the cluster
// in time fails with the unreachable message (errors.h) instead of waiting on. Output goes to
// stdout, errors to stderr, each flushed when the command ends.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/future.h"
#include "strata/database.h"
#include "tools/shell/cluster_file.h"
#include "tools/shell/escaping.h"
#include "tools/shell/transaction_options.h"

namespace strata::shell {

struct ShellOptions {
  // -C FILE; otherwise the usual places (cluster_file.h).
  std::optional<std::string> cluster_file;
  double timeout_s = 5;
};

// What the commands change and later commands see.
struct ShellState {
  // Whether set, clear and clearrange may write (`writemode on`).
  bool write_mode = false;
  // The transaction `begin` started, until commit or rollback.
  std::optional<Transaction> transaction;
  // Options of every new transaction, and those of the current one.
  OptionSet default_options;
  OptionSet transaction_options;
  // The tenant new transactions work in (`usetenant'); none: the whole key space.
  std::optional<std::string> tenant;
  bool exit_requested = false;
};

enum class Access { read, write };

class Shell {
 public:
  explicit Shell(ShellOptions options) : options_(std::move(options)) {}
  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  // Runs the commands of `line` in order until one fails or asks to exit; prints their
  // output and errors. A blank line and one starting with '#' do nothing. Returns whether
  // every command succeeded.
  Future<bool> execute_line(std::string line);
  // Runs one command: its name, then its arguments.
  Future<bool> execute(Words words);

  // Finds and reads the cluster file and opens the database, the first time; fails as
  // find_cluster_file does. The database rewrites that file when the coordinators forward
  // the cluster to a new set.
  Future<Void> connect();
  // After connect().
  const ClusterFile& cluster_file() const;
  Database& database();
  // After connect(): the cluster moved to these coordinators (`coordinators'), so later
  // messages name them. The database follows the move by itself.
  void follow_coordinators(ClusterConnectionString connection);

  // Runs `body` in the current transaction (after `begin`), or else in a new transaction
  // with the default options, retried as on_error says and, for Access::write, committed.
  // Returns the version of that autocommit; nullopt otherwise. `body` may run several
  // times: it must only collect what it reads.
  Future<std::optional<Version>> run(std::function<Future<Void>(Transaction&)> body, Access access);
  // A new transaction with the default options, in the tenant `usetenant' chose.
  Future<Transaction> new_transaction();
  // Commits `transaction`. Noted while in flight: if the command then fails for want of an
  // answer, the message says the commit may or may not have happened.
  Future<Void> commit(Transaction transaction);

  ShellState& state() { return state_; }
  const ShellState& state() const { return state_; }
  const ShellOptions& options() const { return options_; }

 private:
  Future<Void> run_command(Words words);

  ShellOptions options_;
  ShellState state_;
  std::optional<ClusterFile> cluster_file_;
  Database database_;
  // A commit of the current command was sent and its answer has not come, or said that it
  // may have committed (commit_unknown_result).
  bool commit_in_flight_ = false;
};

// Writes `text` and a newline to stdout.
void say(std::string_view text);

}  // namespace strata::shell
