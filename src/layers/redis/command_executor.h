#pragma once

// Runs commands as one Strata transaction: one command, or the commands a MULTI queued.
//
// - Retries: a conflict or a recovery retries the whole transaction (FoundationDB's
//   on_error rule), so a command's reply always describes the attempt that committed.
// - A write's commit may end with commit_unknown_result (the proxy went away after the
//   commit was sent). Retrying blindly could apply an INCR twice, so each attempt of a
//   write also writes a commit marker, a key no other transaction writes, and reads it
//   (a read conflict on it). After an unknown result, a second transaction reads the
//   marker: present, the attempt committed and its reply stands; absent, that transaction
//   writes the marker itself, which makes the lost attempt conflict if it is still on its
//   way, and the commands are retried. Markers are deleted by active expiry once old.
// - WATCH: the transaction reads at the version WATCH read at, so a change of anything it
//   reads since then, the watched keys first, makes the commit fail; EXEC then answers
//   nil instead of retrying, as Redis does for a watched key changed. (A change to another
//   key the transaction reads fails EXEC too, and so does a WATCH older than the
//   database's 5-second window of versions: optimistic, as a client retrying on nil
//   expects.)
// - An error that is not retryable (a key or transaction over Strata's limits) ends the
//   commands with an error reply, and nothing of them is committed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interfaces/types.h"
#include "layers/redis/instance.h"
#include "layers/redis/session.h"
#include "runtime/future.h"

namespace strata::redis {

// Keys a connection watches, as WATCH found them.
struct WatchedKeys {
  // The read version of the first WATCH since the last EXEC, DISCARD or UNWATCH.
  Version read_version = -1;
  struct Key {
    int64_t db = 0;
    std::string name;
    // When the key, present at WATCH, expires (0: absent or never): if that moment
    // passes before EXEC, the key counts as changed, as in Redis.
    int64_t expire_at_ms = 0;
  };
  std::vector<Key> keys;

  bool empty() const { return keys.empty(); }
};

struct Execution {
  // Each command's arguments, its name first; every one known and of a valid arity. Outside
  // MULTI, several commands are a client's pipeline run as one transaction: their replies
  // follow each other, as if each had run alone at the moment the transaction commits.
  std::vector<std::vector<std::string>> commands;
  // EXEC: the replies go in one array (nil if a watched key changed).
  bool multi = false;
  const WatchedKeys* watched = nullptr;
  // One blocking command outside MULTI: it may ask to wait (command_context.h).
  bool may_block = false;
  // It runs again because a key it waits on changed (command_context.h).
  bool woken = false;
};

struct ExecutionResult {
  // The reply bytes.
  std::string reply;
  // The session as the committed commands left it (SELECT).
  Session session;
  // A blocking command found nothing: no reply; each future is ready once one of the keys
  // it waits on changed (a Strata watch, set by the committed transaction).
  std::vector<Future<Void>> wakeups;
  // With wakeups: the arguments to run the command with next (empty: the same).
  std::vector<std::string> rerun_arguments;
  // The transaction failed for good (an error that is not retryable: a limit of Strata's):
  // the reply is that one error, and nothing of the commands was committed.
  bool failed = false;
};

Future<ExecutionResult> execute(Instance& instance, Session session, Execution execution);

// Several clients' executions as one transaction (command_lanes.h): each answered as if it
// had run alone when the transaction commits, in the order given. Neither WATCH nor a
// blocking command among them: those run alone.
struct ExecutionPart {
  Session session;
  Execution execution;
};
Future<std::vector<ExecutionResult>> execute_together(Instance& instance,
                                                      std::vector<ExecutionPart> parts);

// WATCH: reads the keys' metadata (their expiry) and adds them to `watched`.
Future<Void> watch_keys(Instance& instance, int64_t db, std::vector<std::string> names,
                        WatchedKeys& watched);

// Whether any of the execution's commands writes (COMMAND's write flag).
bool any_writes(const Execution& execution);

// Unix time in milliseconds, as expiry counts it.
int64_t unix_time_ms();

}  // namespace strata::redis
