#include "layers/redis/command_executor.h"

#include <algorithm>
#include <set>

#include "layers/redis/command_context.h"
#include "layers/redis/command_error.h"
#include "layers/redis/command_table.h"
#include "runtime/assert.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "runtime/trace.h"

namespace strata::redis {

namespace {

// Whether the attempt that wrote `marker` committed. When it did not, this makes sure it
// never will (see command_executor.h).
Future<bool> marker_committed(Database database, std::string marker) {
  co_return co_await database.run([marker](Transaction& tr) -> Future<bool> {
    std::optional<Value> found = co_await tr.get(marker);
    // "0" is this check's own write, from an attempt of it whose outcome was unknown.
    if (found) co_return *found == "1";
    tr.set(marker, "0");
    co_return false;
  });
}

// What one command of an attempt did, counted in INFO commandstats and errorstats once the
// attempt is the one that stands.
struct CommandOutcome {
  std::string name;
  std::optional<std::string> error;
};

void count_outcomes(Instance& instance, const std::vector<CommandOutcome>& outcomes,
                    double started_at) {
  if (outcomes.empty()) return;
  const auto usec = static_cast<int64_t>((env().now() - started_at) * 1e6) /
                    static_cast<int64_t>(outcomes.size());
  InstanceStats& stats = instance.stats();
  for (const CommandOutcome& outcome : outcomes) {
    CommandStats& command = stats.commands[outcome.name];
    ++command.calls;
    command.usec += usec;
    if (outcome.error) {
      ++command.failed_calls;
      stats.count_error(*outcome.error);
    }
  }
}

// Runs the execution's commands [first, last) in `tr` (one attempt), writing the replies.
Future<Void> run_commands(Instance& instance, Session& session, const Execution& execution,
                          size_t first, size_t last, Transaction& tr, int64_t now_ms,
                          ReplyWriter& reply, std::vector<std::string>& wake_on,
                          std::vector<std::string>& rerun_arguments,
                          std::vector<CommandOutcome>& outcomes) {
  if (execution.multi) reply.array(execution.commands.size());
  for (size_t i = first; i < last; ++i) {
    const std::vector<std::string>& arguments = execution.commands[i];
    const CommandSpec* spec = CommandTable::instance().find(arguments[0]);
    STRATA_ASSERT_MSG(spec && spec->handler && spec->arity_accepts(arguments.size()),
                      "the connection hands over only known commands of valid arity");
    // Its own writer, so that a command that fails after starting its reply leaves none.
    ReplyWriter own(session.protocol);
    CommandContext context{instance,
                           session,
                           KeyStore(tr, instance.keyspace(), session.db, now_ms),
                           own,
                           arguments,
                           execution.may_block ? &wake_on : nullptr,
                           execution.may_block ? &rerun_arguments : nullptr,
                           execution.woken};
    std::optional<Error> failure;
    try {
      co_await spec->handler(context);
    } catch (Error& error) {
      if (!error.is(ErrorCode::layer_command_failed)) throw;
      failure = std::move(error);
    }
    outcomes.push_back(CommandOutcome{lower_case(arguments[0]), std::nullopt});
    if (failure) {
      outcomes.back().error = std::string(failure->detail());
      reply.error(failure->detail());
    } else {
      std::string bytes = own.take();
      reply.append_raw(bytes);
    }
    // HELLO inside MULTI changes the protocol of the replies after it.
    reply.set_protocol(session.protocol);
  }
}

// The keys (database, name) a command touches, when COMMAND's key positions name all it
// touches; nullopt otherwise (a command without keys there, like KEYS or FLUSHDB, one with a
// count of keys, like ZUNIONSTORE, one that reaches another database, like MOVE, or
// SELECT).
using KeySet = std::set<std::pair<int64_t, std::string>>;
std::optional<KeySet> command_keys(const std::vector<std::string>& arguments, int64_t db) {
  const CommandSpec* spec = CommandTable::instance().find(arguments[0]);
  if (!spec || touches_beyond_key_positions(arguments[0])) return std::nullopt;
  std::optional<std::vector<std::string>> names = keys_at_positions(*spec, arguments);
  if (!names) return std::nullopt;
  KeySet keys;
  for (std::string& name : *names)
    keys.emplace(db, std::move(name));
  return keys;
}

// A piece of a transaction's work: one command of a plain execution, or a whole execution
// that runs as one piece (a MULTI's queue, a blocking command, one under WATCH).
struct Unit {
  size_t part = 0;
  // The part's commands [first, last).
  size_t first = 0;
  size_t last = 0;
  // What it touches, when known.
  std::optional<KeySet> keys;
};

std::vector<Unit> units_of(const std::vector<ExecutionPart>& parts) {
  std::vector<Unit> units;
  for (size_t p = 0; p < parts.size(); ++p) {
    const Execution& execution = parts[p].execution;
    const size_t commands = execution.commands.size();
    if (execution.multi || execution.may_block || execution.watched) {
      units.push_back(Unit{p, 0, commands, std::nullopt});
      continue;
    }
    // After a command whose keys are not known (SELECT among them), the part's database may
    // differ from its session's: the keys of what follows are not known either.
    bool known = true;
    for (size_t c = 0; c < commands; ++c) {
      std::optional<KeySet> keys;
      if (known) keys = command_keys(execution.commands[c], parts[p].session.db);
      known = known && keys.has_value();
      units.push_back(Unit{p, c, c + 1, std::move(keys)});
    }
  }
  return units;
}

// Groups of units that may run at once in one transaction: consecutive ones whose keys
// are known and apart (any serial order of them gives the same replies and writes); one
// whose keys are not known runs alone. In the order given.
std::vector<std::vector<size_t>> waves_of(const std::vector<Unit>& units) {
  std::vector<std::vector<size_t>> waves;
  KeySet used;
  bool open = false;
  for (size_t i = 0; i < units.size(); ++i) {
    const std::optional<KeySet>& keys = units[i].keys;
    const bool apart = keys && std::none_of(keys->begin(), keys->end(),
                                            [&](const auto& key) { return used.contains(key); });
    if (!open || !apart) {
      waves.emplace_back();
      used.clear();
    }
    waves.back().push_back(i);
    open = keys.has_value();
    if (keys) used.insert(keys->begin(), keys->end());
  }
  return waves;
}

// One unit of a transaction's work: its replies into `reply`. Units of one execution that
// run at once only read its session (what changes it runs alone).
Future<Void> run_unit(Instance& instance, const ExecutionPart& part, const Unit& unit,
                      Transaction& tr, int64_t now_ms, Session& session, std::string& reply,
                      std::vector<std::string>& wake_on, std::vector<std::string>& rerun_arguments,
                      std::vector<CommandOutcome>& outcomes) {
  ReplyWriter writer(session.protocol);
  co_await run_commands(instance, session, part.execution, unit.first, unit.last, tr, now_ms,
                        writer, wake_on, rerun_arguments, outcomes);
  reply = writer.take();
}

void add_watch_conflicts(Instance& instance, const WatchedKeys& watched, Transaction& tr) {
  for (const WatchedKeys::Key& key : watched.keys) {
    tr.add_read_conflict_key(instance.keyspace().metadata_key(key.db, key.name));
    const TupleRange elements = instance.keyspace().all_elements_range(key.db, key.name);
    tr.add_read_conflict_range(elements.begin, elements.end);
  }
}

bool watched_key_expired(const WatchedKeys& watched, int64_t now_ms) {
  for (const WatchedKeys::Key& key : watched.keys) {
    if (key.expire_at_ms != 0 && key.expire_at_ms <= now_ms) return true;
  }
  return false;
}

}  // namespace

bool any_writes(const Execution& execution) {
  for (const auto& command : execution.commands) {
    const CommandSpec* spec = CommandTable::instance().find(command[0]);
    if (spec && spec->has(command_flags::write)) return true;
  }
  return false;
}

int64_t unix_time_ms() {
  return static_cast<int64_t>(env().wall_time() * 1000.0);
}

Future<std::vector<ExecutionResult>> execute_together(Instance& instance,
                                                      std::vector<ExecutionPart> parts) {
  STRATA_ASSERT_MSG(!parts.empty(), "something to run");
  bool writes = false;
  for (const ExecutionPart& part : parts) {
    const Execution& execution = part.execution;
    STRATA_ASSERT_MSG(!execution.commands.empty() || execution.multi, "something to run");
    STRATA_ASSERT_MSG(parts.size() == 1 || (!execution.watched && !execution.may_block),
                      "WATCH and blocking belong to an execution of their own");
    writes = writes || any_writes(execution);
  }
  const Execution& only = parts.front().execution;
  const bool watching = only.watched && !only.watched->empty();
  Transaction tr = instance.database().create_transaction();
  const double started_at = env().now();
  // Every part answered the same way: the WATCH failures, and an error for good.
  auto each = [&](auto answer, bool failed) {
    std::vector<ExecutionResult> results;
    for (const ExecutionPart& part : parts) {
      ReplyWriter reply(part.session.protocol);
      answer(reply);
      results.push_back(ExecutionResult{reply.take(), part.session, {}, {}, failed});
    }
    return results;
  };
  while (true) {
    const int64_t now_ms = unix_time_ms();
    std::vector<ExecutionResult> results;
    std::optional<std::string> marker;
    std::optional<Error> failure;
    std::vector<std::string> wake_on;
    std::vector<std::string> rerun_arguments;
    std::vector<CommandOutcome> outcomes;
    try {
      if (watching) {
        if (watched_key_expired(*only.watched, now_ms))
          co_return each([](ReplyWriter& reply) { reply.null_array(); }, false);
        tr.set_read_version(only.watched->read_version);
        add_watch_conflicts(instance, *only.watched, tr);
      }
      results.resize(parts.size());
      for (size_t p = 0; p < parts.size(); ++p)
        results[p].session = parts[p].session;
      const std::vector<Unit> units = units_of(parts);
      std::vector<std::string> unit_replies(units.size());
      std::vector<std::vector<CommandOutcome>> unit_outcomes(units.size());
      for (const std::vector<size_t>& wave : waves_of(units)) {
        std::vector<Future<Void>> running;
        for (size_t u : wave) {
          running.push_back(run_unit(instance, parts[units[u].part], units[u], tr, now_ms,
                                     results[units[u].part].session, unit_replies[u], wake_on,
                                     rerun_arguments, unit_outcomes[u]));
        }
        co_await when_all(std::move(running));
      }
      for (size_t u = 0; u < units.size(); ++u) {
        results[units[u].part].reply += unit_replies[u];
        outcomes.insert(outcomes.end(), unit_outcomes[u].begin(), unit_outcomes[u].end());
      }
      for (const std::string& key : wake_on)
        results.front().wakeups.push_back(tr.watch(key));
      results.front().rerun_arguments = std::move(rerun_arguments);
      // Under WATCH the marker also makes the transaction a write, whose commit checks its
      // reads: a read-only commit checks nothing, and EXEC of only reads must still fail
      // when a watched key changed. A blocking command that waits wrote nothing: it commits
      // as a read, which never conflicts, so a change racing it wakes it (the watches fire)
      // instead of running it again as if the change had come first.
      if ((writes || watching) && wake_on.empty()) {
        marker = instance.next_commit_marker(now_ms);
        tr.add_read_conflict_key(*marker);
        tr.set(*marker, "1");
      }
      co_await tr.commit();
      // A command that waits is counted once it answers.
      if (wake_on.empty()) count_outcomes(instance, outcomes, started_at);
      co_return results;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (watching &&
        (failure->is(ErrorCode::not_committed) || failure->is(ErrorCode::transaction_too_old))) {
      co_return each([](ReplyWriter& reply) { reply.null_array(); }, false);
    }
    if (failure->is(ErrorCode::commit_unknown_result) && marker) {
      if (co_await marker_committed(instance.database(), *marker)) {
        ++instance.stats().unknown_results_resolved;
        count_outcomes(instance, outcomes, started_at);
        co_return results;
      }
      failure = Error(ErrorCode::not_committed);
    }
    try {
      co_await tr.on_error(*failure);
      ++instance.stats().transaction_retries;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      const std::string message = "ERR " + error.message();
      instance.stats().count_error(message);
      co_return each([&](ReplyWriter& reply) { reply.error(message); }, true);
    }
  }
}

Future<ExecutionResult> execute(Instance& instance, Session session, Execution execution) {
  std::vector<ExecutionPart> parts;
  parts.push_back(ExecutionPart{std::move(session), std::move(execution)});
  std::vector<ExecutionResult> results = co_await execute_together(instance, std::move(parts));
  co_return std::move(results.front());
}

Future<Void> watch_keys(Instance& instance, int64_t db, std::vector<std::string> names,
                        WatchedKeys& watched) {
  Transaction tr = instance.database().create_transaction();
  while (true) {
    std::optional<Error> failure;
    try {
      if (watched.read_version >= 0) tr.set_read_version(watched.read_version);
      const Version version = co_await tr.get_read_version();
      const int64_t now_ms = unix_time_ms();
      std::vector<WatchedKeys::Key> found;
      for (const std::string& name : names) {
        std::optional<Value> stored = co_await tr.get(instance.keyspace().metadata_key(db, name));
        int64_t expire_at_ms = 0;
        if (stored) {
          const Metadata metadata = decode_metadata(*stored);
          if (metadata.expire_at_ms == 0 || metadata.expire_at_ms > now_ms)
            expire_at_ms = metadata.expire_at_ms;
        }
        found.push_back(WatchedKeys::Key{db, name, expire_at_ms});
      }
      watched.read_version = version;
      for (auto& key : found)
        watched.keys.push_back(std::move(key));
      co_return;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    // The first WATCH's version is too old to read at: EXEC will fail, as it would for a
    // change; the keys are still recorded.
    if (failure->is(ErrorCode::transaction_too_old) && watched.read_version >= 0) {
      for (const std::string& name : names)
        watched.keys.push_back(WatchedKeys::Key{db, name, 0});
      co_return;
    }
    co_await tr.on_error(*failure);
  }
}

}  // namespace strata::redis
