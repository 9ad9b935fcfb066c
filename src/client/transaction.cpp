#include "strata/transaction.h"

#include <algorithm>

#include "client/atomic_ops.h"
#include "client/client_knobs.h"
#include "client/database_context.h"
#include "client/write_map.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "runtime/trace.h"

namespace strata {

struct TransactionState {
  std::shared_ptr<DatabaseContext> database;
  std::optional<Future<Version>> read_version;
  WriteMap writes;
  KeyRangeSet read_conflicts;
  Version committed_version = invalid_version;
  bool committed = false;
  double backoff_s = 0;
  // Options that outlive on_error's resets.
  int64_t retry_limit = -1;
  int64_t retries = 0;
  double max_retry_delay_s = 1.0;
  size_t size_limit = transaction_size_limit;
  double timeout_s = 0;
  bool read_your_writes = true;
  bool snapshot_read_your_writes = true;
  // A read or a write was made since the last reset (read_your_writes_disable must come
  // before).
  bool used = false;
  // When the timeout's clock started: creation or the last reset().
  double started_at = 0;
  // Set by cancel() or an expired timeout: every use fails with it until reset(). The
  // promise is sent then, so that pending operations fail at once.
  std::optional<Error> aborted;
  Promise<Void> abort_signal;
  // Asked for by get_versionstamp() and not answered yet.
  std::optional<Promise<std::string>> versionstamp;
};

namespace {

// A key's printable form for error messages, shortened: the reader needs to recognise it,
// not to receive 10,000 bytes of it.
std::string describe_key(std::string_view key) {
  constexpr size_t shown = 64;
  std::string text = printable(key.substr(0, shown));
  if (key.size() > shown) text += "... (" + std::to_string(key.size()) + " bytes)";
  return "'" + text + "'";
}

void check_key_for_write(std::string_view key) {
  if (key.size() > key_size_limit) {
    throw Error(ErrorCode::key_too_large, "key " + describe_key(key) + " is " +
                                              std::to_string(key.size()) + " bytes; the limit is " +
                                              std::to_string(key_size_limit));
  }
  if (key >= normal_keys_end) {
    throw Error(ErrorCode::key_outside_legal_range,
                "key " + describe_key(key) + " is in the system keyspace (at or above \\xff)");
  }
}

void check_value(std::string_view key, std::string_view value) {
  if (value.size() > value_size_limit) {
    throw Error(ErrorCode::value_too_large,
                "the value of key " + describe_key(key) + " is " + std::to_string(value.size()) +
                    " bytes; the limit is " + std::to_string(value_size_limit));
  }
}

void check_readable_key(std::string_view key) {
  if (key >= normal_keys_end) {
    throw Error(ErrorCode::key_outside_legal_range,
                "key " + describe_key(key) + " is in the system keyspace (at or above \\xff)");
  }
}

// Answers a get_versionstamp() waiting on this attempt of the transaction, if any.
void answer_versionstamp(TransactionState& state, std::optional<std::string> stamp,
                         const Error& error) {
  if (!state.versionstamp) return;
  Promise<std::string> promise = std::move(*state.versionstamp);
  state.versionstamp.reset();
  if (stamp) {
    promise.send(std::move(*stamp));
  } else {
    promise.send_error(error);
  }
}

// The position of the versionstamp placeholder a versionstamped parameter ends with;
// client_invalid_operation unless the 10 bytes fit before the 4-byte position.
size_t checked_versionstamp_position(std::string_view parameter, std::string_view what) {
  std::optional<size_t> position = versionstamp_position(parameter);
  if (!position) {
    throw Error(ErrorCode::client_invalid_operation, "a versionstamped " + std::string(what) +
                                                         " must end with the 4-byte position of " +
                                                         "a 10-byte placeholder inside it");
  }
  return *position;
}

// A range a transaction may clear or name as a conflict range: ordered, and inside the
// user keyspace.
void check_range(std::string_view begin, std::string_view end) {
  if (begin > end) {
    throw Error(ErrorCode::inverted_range,
                "range begins at " + describe_key(begin) + ", after its end " + describe_key(end));
  }
  if (end > normal_keys_end) {
    throw Error(ErrorCode::key_outside_legal_range,
                "the range ends at " + describe_key(end) + ", in the system keyspace");
  }
}

// Fails every later use of the transaction with `error`, and the pending ones now.
void abort_transaction(TransactionState& state, Error error) {
  if (state.aborted) return;
  state.aborted = error;
  state.abort_signal.send(Void{});
}

// Throws what aborted the transaction, if anything did (an expired timeout included).
void check_usable(TransactionState& state) {
  if (!state.aborted && state.timeout_s > 0 && has_env() &&
      now() >= state.started_at + state.timeout_s) {
    abort_transaction(state, Error(ErrorCode::transaction_timed_out));
  }
  if (state.aborted) throw *state.aborted;
}

// `operation`, unless the transaction is cancelled or times out first: then that error,
// and the operation is dropped (which cancels it).
template <class T>
Future<T> controlled(std::shared_ptr<TransactionState> state, Future<T> operation) {
  check_usable(*state);
  Future<Void> aborted = state->abort_signal.get_future();
  Promise<Void> never;
  Future<Void> deadline = state->timeout_s > 0
                              ? delay(std::max(0.0, state->started_at + state->timeout_s - now()))
                              : never.get_future();
  size_t first = co_await first_ready(operation, aborted, deadline);
  if (first == 2) abort_transaction(*state, Error(ErrorCode::transaction_timed_out));
  if (first != 0) throw *state->aborted;
  if constexpr (std::is_same_v<T, Void>) {
    co_await operation;
  } else {
    co_return co_await operation;
  }
}

Future<Version> read_version_of(std::shared_ptr<TransactionState> state) {
  if (!state->read_version) state->read_version = state->database->get_read_version();
  co_return co_await *state->read_version;
}

// Whether a read sees the transaction's own writes.
bool reads_own_writes(const TransactionState& state, bool snapshot) {
  return state.read_your_writes && (!snapshot || state.snapshot_read_your_writes);
}

Future<std::optional<Value>> get_actor(std::shared_ptr<TransactionState> state, std::string key,
                                       bool snapshot) {
  check_readable_key(key);
  state->used = true;
  WriteMap::Lookup lookup =
      reads_own_writes(*state, snapshot) ? state->writes.lookup(key) : WriteMap::Lookup{};
  if (lookup.kind == WriteMap::Lookup::Kind::unreadable) {
    throw Error(ErrorCode::accessed_unreadable,
                "key " + describe_key(key) + " holds a versionstamp not known until commit");
  }
  if (lookup.kind == WriteMap::Lookup::Kind::known) co_return lookup.value;
  Version version = co_await read_version_of(state);
  if (!snapshot) state->read_conflicts.insert(single_key_range(key));
  std::optional<Value> stored = co_await state->database->read_value(key, version);
  co_return lookup.resolve(stored);
}

Future<RangeResult> get_range_actor(std::shared_ptr<TransactionState> state, std::string begin,
                                    std::string end, RangeLimits limits, bool reverse,
                                    bool snapshot) {
  if (begin > end) {
    throw Error(ErrorCode::inverted_range,
                "range begins at " + describe_key(begin) + ", after its end " + describe_key(end));
  }
  // Reads stop at the end of the keys a transaction may read.
  end = std::min(end, normal_keys_end);
  begin = std::min(begin, end);
  const size_t row_limit = limits.rows <= 0 ? SIZE_MAX : static_cast<size_t>(limits.rows);
  const size_t byte_limit = limits.bytes <= 0 ? SIZE_MAX : static_cast<size_t>(limits.bytes);
  size_t bytes = 0;
  const ReadDirection direction = reverse ? ReadDirection::reverse : ReadDirection::forward;
  const ClientKnobs& knobs = client_knobs();
  KeyRange range{begin, end};
  state->used = true;
  WriteMap::RangeWrites writes = reads_own_writes(*state, snapshot)
                                     ? state->writes.read_range(range)
                                     : WriteMap().read_range(range);
  Version version = co_await read_version_of(state);
  RangeResult result;
  KeyRange remaining = range;
  while (!remaining.empty() && result.rows.size() < row_limit && bytes < byte_limit) {
    const size_t first_new = result.rows.size();
    size_t wanted = std::min<size_t>(row_limit - result.rows.size(), knobs.range_read_rows_max);
    KeyRange part;
    // Ask for no more bytes than the limit leaves (the server stops after the row that
    // reaches them).
    auto wanted_bytes = static_cast<int64_t>(
        std::min<size_t>(static_cast<size_t>(knobs.range_read_bytes_max), byte_limit - bytes));
    GetKeyValuesReply reply = co_await state->database->read_range_part(
        remaining, version, static_cast<int>(wanted), wanted_bytes, reverse, &part);
    bool more = reply.more && !reply.data.empty();
    WriteMap::RangeWrites::MergeResult step = writes.merge(
        part, reply.data, more, direction, row_limit - result.rows.size(), result.rows);
    if (step.unreadable) {
      throw Error(ErrorCode::accessed_unreadable,
                  "the range holds a versionstamped write not known until commit");
    }
    // The part of `part` this step accounted for is read; conflicts only where the
    // database decided what the transaction saw.
    KeyRange done =
        reverse ? KeyRange{step.remaining.empty() ? part.begin : step.remaining.end, part.end}
                : KeyRange{part.begin, step.remaining.empty() ? part.end : step.remaining.begin};
    // The byte limit: keep the rows up to the one that reaches it, and count as read only
    // the range up to that row.
    for (size_t i = first_new; i < result.rows.size(); ++i) {
      bytes += result.rows[i].key.size() + result.rows[i].value.size();
      if (bytes >= byte_limit && i + 1 < result.rows.size()) {
        result.rows.resize(i + 1);
        const Key& last = result.rows.back().key;
        done =
            reverse ? KeyRange{last, part.end} : KeyRange{part.begin, single_key_range(last).end};
        break;
      }
    }
    if (!snapshot) {
      for (const KeyRange& read : writes.database_ranges(done))
        state->read_conflicts.insert(read);
    }
    if (reverse) {
      remaining.end = done.begin;
    } else {
      remaining.begin = done.end;
    }
  }
  result.more = !remaining.empty();
  co_return result;
}

Future<Key> get_key_actor(std::shared_ptr<TransactionState> state, KeySelector selector,
                          bool snapshot) {
  if (selector.key > normal_keys_end) {
    throw Error(ErrorCode::key_outside_legal_range,
                "key selector at " + describe_key(selector.key) + " is in the system keyspace");
  }
  state->used = true;
  const bool forward = selector.offset >= 1;
  // Forward the keys counted start here; backward they end here (exclusive).
  const Key edge = std::min(selector.or_equal ? single_key_range(selector.key).end : selector.key,
                            normal_keys_end);
  Version version = co_await read_version_of(state);
  if (reads_own_writes(*state, snapshot) && !state->writes.empty()) {
    // The transaction's writes may move the answer: count through the merged view (the
    // range read adds the read conflicts of what it went through).
    const int rows_wanted = forward ? selector.offset : 1 - selector.offset;
    RangeResult rows =
        forward ? co_await get_range_actor(state, edge, normal_keys_end, {rows_wanted, 0}, false,
                                           snapshot)
                : co_await get_range_actor(state, "", edge, {rows_wanted, 0}, true, snapshot);
    if (static_cast<int>(rows.rows.size()) == rows_wanted) co_return rows.rows.back().key;
    co_return forward ? normal_keys_end : Key();
  }
  Key key = co_await state->database->resolve_key(selector, version);
  if (!snapshot) {
    KeyRange went_through =
        forward ? KeyRange{edge, single_key_range(key).end} : KeyRange{key, edge};
    went_through.end = std::min(went_through.end, normal_keys_end);
    if (went_through.begin < went_through.end) state->read_conflicts.insert(went_through);
  }
  co_return key;
}

Future<RangeResult> get_range_between_actor(std::shared_ptr<TransactionState> state,
                                            KeySelector begin, KeySelector end, RangeLimits limits,
                                            bool reverse, bool snapshot) {
  Key first = co_await get_key_actor(state, std::move(begin), snapshot);
  Key last = co_await get_key_actor(state, std::move(end), snapshot);
  if (first >= last) co_return RangeResult{};
  co_return co_await get_range_actor(state, first, last, limits, reverse, snapshot);
}

Future<Void> commit_actor(std::shared_ptr<TransactionState> state) {
  if (state->committed) {
    throw Error(ErrorCode::client_invalid_operation, "the transaction has already committed");
  }
  if (state->writes.empty()) {
    // Read-only: nothing to commit, and no commit version.
    state->committed = true;
    state->committed_version = -1;
    answer_versionstamp(*state, std::nullopt,
                        Error(ErrorCode::no_commit_version,
                              "the transaction wrote nothing, so it has no versionstamp"));
    co_return;
  }
  size_t size = state->writes.size_bytes() + state->read_conflicts.bytes();
  if (size > state->size_limit) {
    throw Error(ErrorCode::transaction_too_large, "the transaction is " + std::to_string(size) +
                                                      " bytes; the limit is " +
                                                      std::to_string(state->size_limit));
  }
  Version version = co_await read_version_of(state);
  CommitTransactionRequest request;
  request.read_version = version;
  request.read_conflict_ranges = state->read_conflicts.ranges();
  request.write_conflict_ranges = state->writes.write_conflict_ranges();
  request.mutations = state->writes.mutations();
  std::optional<Error> failure;
  try {
    CommitReply reply = co_await state->database->commit(std::move(request));
    state->committed = true;
    state->committed_version = reply.version;
    answer_versionstamp(*state, make_versionstamp(reply.version, reply.batch_index), Error());
    co_return;
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    failure = error;
  }
  answer_versionstamp(*state, std::nullopt, *failure);
  throw *failure;
}

void reset_state(TransactionState& state) {
  state.used = false;
  answer_versionstamp(
      state, std::nullopt,
      Error(ErrorCode::transaction_cancelled, "the transaction was reset before it committed"));
  state.read_version.reset();
  state.writes.clear();
  state.read_conflicts.clear();
  state.committed_version = invalid_version;
  state.committed = false;
}

Future<Void> on_error_actor(std::shared_ptr<TransactionState> state, Error error) {
  const ClientKnobs& knobs = client_knobs();
  if (state->retry_limit >= 0 && state->retries >= state->retry_limit) throw error;
  switch (error.code()) {
    case ErrorCode::not_committed:
    case ErrorCode::commit_unknown_result:
    case ErrorCode::database_locked:
    case ErrorCode::commit_proxy_memory_limit_exceeded:
    case ErrorCode::grv_proxy_memory_limit_exceeded:
    case ErrorCode::process_behind:
    case ErrorCode::batch_transaction_throttled:
    case ErrorCode::tag_throttled:
    case ErrorCode::proxy_tag_throttled: {
      // Back off (with jitter, so that conflicting retries spread out), then start over.
      double ceiling = std::min(knobs.backoff_max_s, state->max_retry_delay_s);
      double backoff = std::min(std::max(state->backoff_s, knobs.backoff_initial_s), ceiling);
      co_await delay(backoff * env().random().uniform_real(0.5, 1.0));
      state->backoff_s = std::min(backoff * 2, ceiling);
      ++state->retries;
      reset_state(*state);
      co_return;
    }
    case ErrorCode::transaction_too_old:
    case ErrorCode::future_version:
      ++state->retries;
      reset_state(*state);
      co_return;
    default:
      throw error;
  }
}

}  // namespace

RangeLimits range_limits(int limit, int target_bytes, StreamingMode mode, int iteration) {
  if (limit < 0 || target_bytes < 0) {
    throw Error(ErrorCode::range_limits_invalid, "range limits may not be negative");
  }
  if (mode == StreamingMode::exact && limit == 0 && target_bytes == 0) {
    throw Error(ErrorCode::exact_mode_without_limits);
  }
  // Bytes per call of each mode, from exact (none) to serial.
  constexpr int mode_bytes[] = {0, 256, 1000, 4096, 80'000};
  // The iterator mode's growth, by iteration: half again each time, up to a ceiling.
  constexpr int iterator_bytes[] = {4096,   6144,   9216,   13'824, 20'736,
                                    31'104, 46'656, 69'984, 80'000, 120'000};
  if (mode == StreamingMode::want_all) mode = StreamingMode::serial;
  int bytes = 0;
  if (mode == StreamingMode::iterator) {
    if (iteration < 1) {
      throw Error(
          ErrorCode::client_invalid_operation,
          "the iterator streaming mode counts iterations from 1, not " + std::to_string(iteration));
    }
    size_t step = std::min(static_cast<size_t>(iteration), std::size(iterator_bytes));
    bytes = iterator_bytes[step - 1];
  } else if (static_cast<int>(mode) >= 0 && static_cast<int>(mode) <= 4) {
    bytes = mode_bytes[static_cast<int>(mode)];
  } else {
    throw Error(ErrorCode::client_invalid_operation,
                "unknown streaming mode " + std::to_string(static_cast<int>(mode)));
  }
  if (target_bytes == 0) {
    target_bytes = bytes;
  } else if (bytes != 0) {
    target_bytes = std::min(target_bytes, bytes);
  }
  return RangeLimits{limit, target_bytes};
}

Transaction::Transaction(std::shared_ptr<DatabaseContext> database)
    : state_(std::make_shared<TransactionState>()) {
  state_->database = std::move(database);
  state_->started_at = has_env() ? now() : 0;
}

Future<Version> Transaction::get_read_version() {
  return controlled(state_, read_version_of(state_));
}

void Transaction::set_read_version(Version version) {
  if (state_->read_version) {
    throw Error(ErrorCode::read_version_already_set, "the transaction already has a read version");
  }
  if (version < 0) throw Error(ErrorCode::version_invalid, "read versions are not negative");
  state_->read_version = Future<Version>(version);
}

Future<std::optional<Value>> Transaction::get(std::string key, bool snapshot) {
  return controlled(state_, get_actor(state_, std::move(key), snapshot));
}

Future<RangeResult> Transaction::get_range(std::string begin, std::string end, int limit,
                                           bool reverse, bool snapshot) {
  return get_range(std::move(begin), std::move(end), RangeLimits{limit, 0}, reverse, snapshot);
}

Future<Key> Transaction::get_key(KeySelector selector, bool snapshot) {
  return controlled(state_, get_key_actor(state_, std::move(selector), snapshot));
}

Future<RangeResult> Transaction::get_range(KeySelector begin, KeySelector end, RangeLimits limits,
                                           bool reverse, bool snapshot) {
  if (limits.rows < 0 || limits.bytes < 0) {
    return Error(ErrorCode::range_limits_invalid, "range limits may not be negative");
  }
  return controlled(state_, get_range_between_actor(state_, std::move(begin), std::move(end),
                                                    limits, reverse, snapshot));
}

Future<RangeResult> Transaction::get_range(std::string begin, std::string end, RangeLimits limits,
                                           bool reverse, bool snapshot) {
  if (limits.rows < 0 || limits.bytes < 0) {
    return Error(ErrorCode::range_limits_invalid, "range limits may not be negative");
  }
  return controlled(
      state_, get_range_actor(state_, std::move(begin), std::move(end), limits, reverse, snapshot));
}

void Transaction::set(std::string_view key, std::string_view value) {
  check_usable(*state_);
  state_->used = true;
  check_key_for_write(key);
  check_value(key, value);
  state_->writes.set(key, value);
}

void Transaction::clear(std::string_view key) {
  check_usable(*state_);
  state_->used = true;
  check_key_for_write(key);
  state_->writes.clear(key);
}

void Transaction::clear_range(std::string_view begin, std::string_view end) {
  check_usable(*state_);
  state_->used = true;
  check_range(begin, end);
  if (begin == end) return;
  state_->writes.clear_range(begin, end);
}

void Transaction::add_read_conflict_range(std::string_view begin, std::string_view end) {
  check_usable(*state_);
  check_range(begin, end);
  if (begin == end) return;
  state_->read_conflicts.insert(KeyRange{std::string(begin), std::string(end)});
}

void Transaction::add_write_conflict_range(std::string_view begin, std::string_view end) {
  check_usable(*state_);
  check_range(begin, end);
  if (begin == end) return;
  state_->writes.add_write_conflict_range(KeyRange{std::string(begin), std::string(end)});
}

void Transaction::add_read_conflict_key(std::string_view key) {
  check_usable(*state_);
  check_readable_key(key);
  state_->read_conflicts.insert(single_key_range(key));
}

void Transaction::add_write_conflict_key(std::string_view key) {
  check_usable(*state_);
  check_readable_key(key);
  state_->writes.add_write_conflict_range(single_key_range(key));
}

void Transaction::atomic_op(std::string_view key, std::string_view operand, MutationType type) {
  check_usable(*state_);
  state_->used = true;
  if (!is_known_mutation_type(static_cast<uint8_t>(type)) || !is_atomic_operation(type)) {
    throw Error(
        ErrorCode::invalid_mutation_type,
        "mutation type " + std::to_string(static_cast<int>(type)) + " is not an atomic operation");
  }
  if (type == MutationType::set_versionstamped_key) {
    // The key holds the placeholder and its position: 4 bytes more than a key may.
    if (key.size() > key_size_limit + 4) {
      throw Error(ErrorCode::key_too_large,
                  "versionstamped key " + describe_key(key) + " is " + std::to_string(key.size()) +
                      " bytes; the limit is " + std::to_string(key_size_limit) +
                      " plus the 4-byte position");
    }
    check_value(key, operand);
    size_t position = checked_versionstamp_position(key, "key");
    // Every key the commit may write: the placeholder filled with anything.
    std::string lowest(key.substr(0, key.size() - 4));
    std::string highest = lowest;
    std::fill_n(lowest.begin() + static_cast<std::ptrdiff_t>(position), versionstamp_bytes, '\0');
    std::fill_n(highest.begin() + static_cast<std::ptrdiff_t>(position), versionstamp_bytes,
                '\xff');
    if (highest >= normal_keys_end) {
      throw Error(ErrorCode::key_outside_legal_range,
                  "versionstamped key " + describe_key(key) +
                      " may fall in the system keyspace (at or above \\xff)");
    }
    state_->writes.set_versionstamped_key(key, operand,
                                          KeyRange{lowest, single_key_range(highest).end});
    return;
  }
  check_key_for_write(key);
  if (type == MutationType::set_versionstamped_value) {
    if (operand.size() > value_size_limit + 4) {
      throw Error(ErrorCode::value_too_large,
                  "the versionstamped value of key " + describe_key(key) + " is " +
                      std::to_string(operand.size()) + " bytes; the limit is " +
                      std::to_string(value_size_limit) + " plus the 4-byte position");
    }
    checked_versionstamp_position(operand, "value");
  } else {
    check_value(key, operand);
  }
  state_->writes.atomic_op(key, type, operand);
}

Future<std::string> Transaction::get_versionstamp() {
  if (state_->committed) {
    throw Error(ErrorCode::client_invalid_operation,
                "get_versionstamp must be called before the commit");
  }
  if (!state_->versionstamp) state_->versionstamp.emplace();
  return state_->versionstamp->get_future();
}

Future<Void> Transaction::commit() {
  return controlled(state_, commit_actor(state_));
}

Version Transaction::committed_version() const {
  if (!state_->committed) {
    throw Error(ErrorCode::no_commit_version, "the transaction has not committed");
  }
  return state_->committed_version;
}

Future<Void> Transaction::on_error(Error error) {
  return on_error_actor(state_, std::move(error));
}

void Transaction::reset() {
  reset_state(*state_);
  state_->backoff_s = 0;
  state_->retries = 0;
  state_->retry_limit = -1;
  state_->max_retry_delay_s = 1.0;
  state_->size_limit = transaction_size_limit;
  state_->timeout_s = 0;
  state_->read_your_writes = true;
  state_->snapshot_read_your_writes = true;
  state_->started_at = has_env() ? now() : 0;
  state_->aborted.reset();
  state_->abort_signal = Promise<Void>();
}

void Transaction::set_read_your_writes_disable() {
  if (state_->used) {
    throw Error(ErrorCode::client_invalid_operation,
                "read_your_writes_disable must be set before the transaction reads or writes");
  }
  state_->read_your_writes = false;
}

void Transaction::set_snapshot_read_your_writes(bool enabled) {
  state_->snapshot_read_your_writes = enabled;
}

void Transaction::cancel() {
  abort_transaction(*state_, Error(ErrorCode::transaction_cancelled));
}

namespace {

void check_option(std::string_view option, int64_t value, int64_t lowest, int64_t highest) {
  if (value < lowest || value > highest) {
    throw Error(ErrorCode::invalid_option_value,
                std::string(option) + " takes " + std::to_string(lowest) + " to " +
                    std::to_string(highest) + ", not " + std::to_string(value));
  }
}

}  // namespace

void Transaction::set_retry_limit(int64_t retries) {
  check_option("retry_limit", retries, -1, INT32_MAX);
  state_->retry_limit = retries;
}

void Transaction::set_max_retry_delay_ms(int64_t milliseconds) {
  check_option("max_retry_delay", milliseconds, 0, INT32_MAX);
  state_->max_retry_delay_s = static_cast<double>(milliseconds) / 1000;
}

void Transaction::set_timeout_ms(int64_t milliseconds) {
  check_option("timeout", milliseconds, 0, INT32_MAX);
  state_->timeout_s = static_cast<double>(milliseconds) / 1000;
}

void Transaction::set_size_limit(int64_t bytes) {
  check_option("size_limit", bytes, 32, static_cast<int64_t>(transaction_size_limit));
  state_->size_limit = static_cast<size_t>(bytes);
}

size_t Transaction::approximate_size() const {
  return state_->writes.size_bytes() + state_->read_conflicts.bytes();
}

}  // namespace strata
