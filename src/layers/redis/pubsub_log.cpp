#include "layers/redis/pubsub_log.h"

#include <optional>

#include "layers/redis/command_executor.h"
#include "layers/redis/redis_knobs.h"
#include "runtime/assert.h"
#include "runtime/combinators.h"
#include "runtime/trace.h"
#include "strata/tuple.h"

namespace strata::redis {

namespace {

// How long the pump pauses after a failure (a watch refused, the cluster unreachable), so
// that one that repeats does not spin.
constexpr double pump_retry_delay_s = 0.1;

// A log entry's value: (kind, channel, message, when it was published in Unix ms).
struct LogEntry {
  PubSubMessage message;
  int64_t at_ms = 0;
};

LogEntry decode_entry(const Keyspace& keyspace, const KeyValue& row) {
  const Tuple value = Tuple::unpack(row.value);
  if (value.size() != 4) {
    throw Error(ErrorCode::client_invalid_operation,
                "a Redis pub/sub message of " + std::to_string(value.size()) + " elements");
  }
  LogEntry entry;
  entry.message.version = keyspace.pubsub_log_version(row.key);
  entry.message.kind = static_cast<ChannelKind>(value.int_at(0));
  entry.message.channel = value.bytes_at(1);
  entry.message.payload = value.bytes_at(2);
  entry.at_ms = value.int_at(3);
  return entry;
}

RangeLimits batch_limits() {
  return RangeLimits{redis_knobs().pubsub_batch_messages, redis_knobs().pubsub_batch_bytes};
}

// One read of the log: the messages after the pump's position and, when they reach the
// end of the log, a watch on the notice key set by the same transaction.
struct LogRead {
  std::vector<KeyValue> rows;
  bool more = false;
  Future<Void> notice;
};

// `after`: the last log key delivered; nullopt at the start, when the read begins above
// its own read version (kept in `start`, so that a retry does not skip what came since).
Future<LogRead> read_log(Instance& instance, const std::optional<std::string>& after,
                         std::optional<TupleRange>& start) {
  const Keyspace& keyspace = instance.keyspace();
  Transaction tr = instance.database().create_transaction();
  while (true) {
    std::optional<Error> failure;
    try {
      if (!after && !start) start = keyspace.pubsub_log_above(co_await tr.get_read_version());
      const TupleRange range = after ? keyspace.pubsub_log_after(*after) : *start;
      // Snapshot: the pump conflicts with nothing (it writes nothing).
      RangeResult rows = co_await tr.get_range(range.begin, range.end, batch_limits(), false, true);
      LogRead read{std::move(rows.rows), rows.more, Future<Void>()};
      if (!read.more) read.notice = tr.watch(keyspace.pubsub_notice_key());
      // The watch becomes active with the commit (read-only: nothing is sent).
      co_await tr.commit();
      co_return read;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    co_await tr.on_error(*failure);
  }
}

void deliver_rows(Instance& instance, const std::vector<KeyValue>& rows) {
  for (const KeyValue& row : rows) {
    std::optional<LogEntry> entry;
    try {
      entry = decode_entry(instance.keyspace(), row);
    } catch (Error& error) {
      // Only this layer writes the log: an entry it cannot read is a bug, and skipped.
      TraceEvent(Severity::error, "RedisPubSubMessageUnreadable").error(error);
      continue;
    }
    instance.pubsub().deliver(entry->message);
  }
}

// Clears a batch of messages older than their lifetime; how many, if the whole batch was
// old (there may be more), else 0.
Future<int64_t> clear_old_messages(Instance& instance) {
  const Keyspace& keyspace = instance.keyspace();
  co_return co_await instance.database().run([&](Transaction& tr) -> Future<int64_t> {
    const auto lifetime_ms = static_cast<int64_t>(redis_knobs().pubsub_log_lifetime_s * 1000.0);
    const int64_t before_ms = unix_time_ms() - lifetime_ms;
    const TupleRange log = keyspace.pubsub_log_range();
    RangeResult rows = co_await tr.get_range(log.begin, log.end, batch_limits(), false, true);
    // Commit order and publish times agree up to the instances' clocks: clear up to the
    // first message that is young.
    std::optional<std::string> last_old;
    size_t old = 0;
    for (const KeyValue& row : rows.rows) {
      if (decode_entry(keyspace, row).at_ms >= before_ms) break;
      last_old = row.key;
      ++old;
    }
    if (!last_old) co_return int64_t{0};
    tr.clear_range(log.begin, *last_old + '\0');
    co_return old == rows.rows.size() && rows.more ? static_cast<int64_t>(old) : int64_t{0};
  });
}

}  // namespace

void write_message(Transaction& tr, const Keyspace& keyspace, int64_t sequence, ChannelKind kind,
                   std::string_view channel, std::string_view payload, int64_t now_ms) {
  STRATA_ASSERT_MSG(kind != ChannelKind::pattern, "messages go to channels");
  const std::string value = Tuple()
                                .append_int(static_cast<int64_t>(kind))
                                .append_bytes(channel)
                                .append_bytes(payload)
                                .append_int(now_ms)
                                .pack();
  tr.atomic_op(keyspace.pubsub_log_key_to_stamp(sequence), value,
               MutationType::set_versionstamped_key);
  // 1, as a 64-bit little-endian operand: every instance's pump watches this key.
  tr.atomic_op(keyspace.pubsub_notice_key(), std::string("\x01\0\0\0\0\0\0\0", 8),
               MutationType::add);
}

Future<Void> run_pubsub_pump(Instance& instance) {
  std::optional<std::string> after;
  std::optional<TupleRange> start;
  while (true) {
    std::optional<Error> failure;
    LogRead read;
    try {
      read = co_await read_log(instance, after, start);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (failure) {
      TraceEvent(Severity::warn, "RedisPubSubPumpFailed").error(*failure);
      co_await delay(pump_retry_delay_s);
      continue;
    }
    deliver_rows(instance, read.rows);
    if (!read.rows.empty()) after = read.rows.back().key;
    if (read.more) continue;
    STRATA_ASSERT_MSG(read.notice.is_valid(), "a read that reaches the end watches");
    co_await first_ready(read.notice, delay(redis_knobs().pubsub_fallback_interval_s));
    // A watch that failed (the database's watch limit, say) wakes too.
    if (read.notice.is_ready() && read.notice.is_error()) co_await delay(pump_retry_delay_s);
  }
}

Future<Void> run_pubsub_cleanup(Instance& instance) {
  while (true) {
    co_await delay(redis_knobs().pubsub_cleanup_interval_s);
    std::optional<Error> failure;
    try {
      while (co_await clear_old_messages(instance) > 0) {
      }
      co_await clear_dead_instances(instance.database(), instance.keyspace());
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (failure) TraceEvent(Severity::warn, "RedisPubSubCleanupFailed").error(*failure);
  }
}

}  // namespace strata::redis
