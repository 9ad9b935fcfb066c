#include "strata/transaction.h"

#include <algorithm>

#include "client/atomic_ops.h"
#include "client/client_knobs.h"
#include "client/database_context.h"
#include "client/tenant_changes.h"
#include "client/write_map.h"
#include "interfaces/tenant_map.h"
#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "runtime/notified.h"
#include "runtime/trace.h"

namespace strata {

// What a watch needs from its transaction's commit.
struct WatchStart {
  // The version from which changes count: the commit's (the read version's for a
  // read-only transaction).
  Version version = invalid_version;
  // The transaction's writes to the key at commit, when they differ from those when the
  // watch was created.
  std::optional<WriteMap::Lookup> rewritten;
};

struct PendingWatch {
  Key key;
  // The transaction's writes to the key when the watch was created.
  WriteMap::Lookup lookup;
  Promise<WatchStart> start;
};

struct TransactionState {
  std::shared_ptr<DatabaseContext> database;
  // The tenant the transaction works in, if any: its keys are relative to the tenant's
  // prefix everywhere in here (write map, conflict ranges, results), and the prefix is
  // added only where a request leaves for the cluster and taken off what comes back.
  std::optional<std::string> tenant;
  std::optional<Future<Version>> read_version;
  // This attempt's lookup of the tenant's prefix, at the read version.
  std::optional<Future<Key>> tenant_prefix;
  // Changes to the tenant map through the management module, carried out at commit.
  std::vector<TenantChange> tenant_changes;
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
  bool access_system_keys = false;
  bool read_system_keys = false;
  bool causal_read_risky = false;
  bool lock_aware = false;
  bool special_key_writes = false;
  bool report_conflicting_keys = false;
  // What get_approximate_size answers: the bytes of every mutation and conflict range the
  // attempt added, summed as FoundationDB does (so it never goes down; the size limit is
  // checked on what the commit would send instead).
  size_t bytes_added = 0;
  // After a commit that conflicted with report_conflicting_keys: the read ranges written
  // after the read version, sorted and disjoint (\xff\xff/transaction/conflicting_keys/).
  std::vector<KeyRange> conflicting_ranges;
  ReadVersionPriority priority = ReadVersionPriority::normal;
  // next_write_no_write_conflict_range: the next write adds no write conflict range.
  bool next_write_without_conflict = false;
  // A read or a write was made since the last reset (read_your_writes_disable must come
  // before).
  bool used = false;
  // When the timeout's clock started: creation or the last reset().
  double started_at = 0;
  // Set by cancel() or an expired timeout: every use fails with it until reset(). The
  // promise is sent then, so that pending operations fail at once.
  std::optional<Error> aborted;
  // This attempt's reads still running: commit waits for them, and fails with the first
  // error one of them met from the database, as FoundationDB's does. Counted, not held: a
  // read the application drops is cancelled, and a transaction never keeps itself alive.
  uint64_t attempt = 0;
  int64_t reads_in_flight = 0;
  AsyncVar<uint64_t> reads_finished{0};
  std::optional<Error> read_failure;
  Promise<Void> abort_signal;
  // Asked for by get_versionstamp() and not answered yet.
  std::optional<Promise<std::string>> versionstamp;
  // Watches created since the last reset, waiting for the commit.
  std::vector<PendingWatch> watches;
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

// The keys a transaction may write: the user keyspace, and the system keyspace with
// access_system_keys.
const std::string& max_write_key(const TransactionState& state) {
  // A tenant has no system keyspace: its keys end where the user keyspace does.
  return state.access_system_keys && !state.tenant ? all_keys_end : normal_keys_end;
}

// The keys it may read: also the system keyspace with read_system_keys.
const std::string& max_read_key(const TransactionState& state) {
  if (state.tenant) return normal_keys_end;
  return state.access_system_keys || state.read_system_keys ? all_keys_end : normal_keys_end;
}

void check_key_size(std::string_view key, std::string_view what) {
  // System keys may be longer (FoundationDB's SYSTEM_KEY_SIZE_LIMIT).
  const size_t limit = key >= system_keys_begin ? system_key_size_limit : key_size_limit;
  if (key.size() > limit) {
    throw Error(ErrorCode::key_too_large, std::string(what) + " " + describe_key(key) + " is " +
                                              std::to_string(key.size()) + " bytes; the limit is " +
                                              std::to_string(limit));
  }
}

Error outside_keyspace(std::string_view key, bool writing) {
  return Error(
      ErrorCode::key_outside_legal_range,
      "key " + describe_key(key) +
          (key >= all_keys_end
               ? std::string(" is in the special key space")
               : std::string(" is in the system keyspace (at or above "
                             "\\xff); set the ") +
                     (writing ? "access_system_keys" : "read_system_keys") + " option to use it"));
}

void check_key_for_write(const TransactionState& state, std::string_view key) {
  check_key_size(key, "key");
  if (key >= max_write_key(state)) throw outside_keyspace(key, true);
}

void check_value(std::string_view key, std::string_view value) {
  if (value.size() > value_size_limit) {
    throw Error(ErrorCode::value_too_large,
                "the value of key " + describe_key(key) + " is " + std::to_string(value.size()) +
                    " bytes; the limit is " + std::to_string(value_size_limit));
  }
}

void check_readable_key(const TransactionState& state, std::string_view key) {
  if (key >= max_read_key(state)) throw outside_keyspace(key, false);
}

// The special key space's one writable module: the tenant map of FoundationDB's management
// module. \xff\xff/management/tenant/map/<name> reads as the tenant's entry (JSON); with
// special_key_space_enable_writes a set creates the tenant and a clear deletes it, at
// commit (client/tenant_changes.h).
const std::string& tenant_map_begin = tenant_management_prefix;
const std::string tenant_map_end = strinc(tenant_management_prefix);

// Whether [begin, end) lies in the tenant map module.
bool in_tenant_map(std::string_view begin, std::string_view end) {
  return begin >= tenant_map_begin && end <= tenant_map_end && begin <= end;
}

// The tenant map's key in the system keyspace (interfaces/tenant_map.h) of a key of the
// module, or of its end.
Key tenant_entry_key(std::string_view special_key) {
  if (special_key >= tenant_map_end) return strinc(tenant_map_prefix);
  return tenant_map_key(special_key.substr(tenant_map_begin.size()));
}

// A set (`end` empty) or clear of [begin, end) in the special key space, checked as
// FoundationDB checks it. Returns whether the write needs no more doing. A tenant has no
// special key space: its keys there are outside its legal range, like the system's.
bool special_key_write(TransactionState& state, std::string_view begin,
                       std::optional<std::string_view> end) {
  if (begin < special_keys_begin || state.tenant) return false;
  if (!state.special_key_writes) {
    throw Error(ErrorCode::special_keys_write_disabled,
                describe_key(begin) +
                    " is in the special key space; set special_key_space_enable_writes to write "
                    "its modules");
  }
  if (!in_tenant_map(begin, end ? *end : std::string_view(single_key_range(begin).end))) {
    const bool crosses = end && (begin < tenant_map_end) && (*end > tenant_map_begin);
    throw Error(crosses ? ErrorCode::special_keys_cross_module_clear
                        : ErrorCode::special_keys_no_write_module_found,
                describe_key(begin) + " is in no writable module of the special key space " +
                    "(Strata's only one is the tenant map, \\xff\\xff/management/tenant/map/)");
  }
  if (!end) {
    check_tenant_name(begin.substr(tenant_map_begin.size()));
    const Key entry = tenant_entry_key(begin);
    state.tenant_changes.push_back(
        TenantChange{TenantChange::Kind::create, KeyRange{entry, single_key_range(entry).end}});
  } else {
    state.tenant_changes.push_back(TenantChange{
        TenantChange::Kind::remove, KeyRange{tenant_entry_key(begin), tenant_entry_key(*end)}});
  }
  return true;
}

// FoundationDB's conflicting-keys module: after a commit that conflicted with
// report_conflicting_keys, each conflicting read range [b, e) reads as the rows
// PREFIX+b = "1" and PREFIX+e = "0".
const std::string conflicting_keys_begin = special_keys_begin + "/transaction/conflicting_keys/";
const std::string conflicting_keys_end = special_keys_begin + "/transaction/conflicting_keys0";

bool in_conflicting_keys(std::string_view begin, std::string_view end) {
  return begin >= conflicting_keys_begin && end <= conflicting_keys_end && begin <= end;
}

// The module's rows in [begin, end), in key order.
std::vector<KeyValue> conflicting_key_rows(const TransactionState& state, std::string_view begin,
                                           std::string_view end) {
  std::vector<KeyValue> rows;
  for (const KeyRange& range : state.conflicting_ranges) {
    for (const auto& [key, value] : {std::pair{conflicting_keys_begin + range.begin, "1"},
                                     std::pair{conflicting_keys_begin + range.end, "0"}}) {
      if (key >= begin && key < end) rows.push_back(KeyValue{key, value});
    }
  }
  return rows;
}

// A range read of the module, with the limits and direction asked for.
RangeResult read_conflicting_keys(const TransactionState& state, std::string_view begin,
                                  std::string_view end, RangeLimits limits, bool reverse) {
  RangeResult result;
  result.rows = conflicting_key_rows(state, begin, end);
  if (reverse) std::reverse(result.rows.begin(), result.rows.end());
  if (limits.rows > 0 && result.rows.size() > static_cast<size_t>(limits.rows)) {
    result.rows.resize(static_cast<size_t>(limits.rows));
    result.more = true;
  }
  return result;
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
void check_range(std::string_view begin, std::string_view end, const std::string& max_key) {
  if (begin > end) {
    throw Error(ErrorCode::inverted_range,
                "range begins at " + describe_key(begin) + ", after its end " + describe_key(end));
  }
  if (end > max_key) {
    throw Error(ErrorCode::key_outside_legal_range,
                "the range ends at " + describe_key(end) + ", past " + describe_key(max_key) +
                    ", the end of the keys this transaction may use");
  }
}

bool same_writes(const WriteMap::Lookup& a, const WriteMap::Lookup& b) {
  return a.kind == b.kind && a.value == b.value && a.pending == b.pending;
}

// The transaction committed: its watches start from `version`.
void start_watches(TransactionState& state, Version version) {
  std::vector<PendingWatch> watches = std::move(state.watches);
  state.watches.clear();
  for (PendingWatch& watch : watches) {
    WriteMap::Lookup now = state.writes.lookup(watch.key);
    std::optional<WriteMap::Lookup> rewritten;
    if (!same_writes(watch.lookup, now)) rewritten = std::move(now);
    watch.start.send(WatchStart{version, std::move(rewritten)});
  }
}

// The transaction will not commit as it is: its watches fail with `error`.
void fail_watches(TransactionState& state, const Error& error) {
  std::vector<PendingWatch> watches = std::move(state.watches);
  state.watches.clear();
  for (PendingWatch& watch : watches)
    watch.start.send_error(error);
}

// Fails every later use of the transaction with `error`, and the pending ones now.
void abort_transaction(TransactionState& state, Error error) {
  if (state.aborted) return;
  state.aborted = error;
  fail_watches(state, error);
  state.abort_signal.send(Void{});
}

// Throws what aborted the transaction, if anything did (an expired timeout included).
// A timeout that ran out cancels the transaction, as FoundationDB's timer does: later
// operations fail with transaction_timed_out whatever the option says from then on, until
// reset().
void note_expired_timeout(TransactionState& state) {
  if (!state.aborted && state.timeout_s > 0 && has_env() &&
      now() >= state.started_at + state.timeout_s) {
    abort_transaction(state, Error(ErrorCode::transaction_timed_out));
  }
}

// A read conflict range, counted for get_approximate_size.
void add_read_conflict(TransactionState& state, const KeyRange& range) {
  state.bytes_added += range.begin.size() + range.end.size();
  state.read_conflicts.insert(range);
}

// A write's mutation (`mutation_bytes` of parameters) and its write conflict range
// (`conflict_bytes` of begin and end) unless it adds none, counted for
// get_approximate_size.
void count_write(TransactionState& state, size_t mutation_bytes, size_t conflict_bytes,
                 WriteConflict conflict) {
  state.bytes_added += mutation_bytes + (conflict == WriteConflict::add ? conflict_bytes : 0);
}

void check_usable(TransactionState& state) {
  note_expired_timeout(state);
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

// Counts a read of the current attempt while it runs (however it ends: done, failed or
// dropped by the application), and wakes a commit waiting for the reads.
class ReadInFlight {
 public:
  explicit ReadInFlight(TransactionState* state) : state_(state), attempt_(state->attempt) {
    ++state_->reads_in_flight;
  }
  ReadInFlight(const ReadInFlight&) = delete;
  ReadInFlight& operator=(const ReadInFlight&) = delete;
  ~ReadInFlight() {
    if (state_->attempt != attempt_) return;  // reset() forgot it already
    --state_->reads_in_flight;
    state_->reads_finished.set(state_->reads_finished.get() + 1);
  }
  bool current() const { return state_->attempt == attempt_; }

 private:
  TransactionState* state_;
  uint64_t attempt_;
};

// `read`, controlled, and counted among the reads commit waits for. A read that fails as
// the database answered (too old, a future version, ...) is what fails the commit; a
// misuse refused at once (a key outside the legal range, say) is not.
template <class T>
Future<T> tracked_read(std::shared_ptr<TransactionState> state, Future<T> read) {
  ReadInFlight counted(state.get());
  try {
    if constexpr (std::is_same_v<T, Void>) {
      co_await controlled(state, std::move(read));
      co_return;
    } else {
      co_return co_await controlled(state, std::move(read));
    }
  } catch (Error& error) {
    if (!error.is_cancellation() && error_retryable(error.code()) && counted.current() &&
        !state->read_failure) {
      state->read_failure = error;
    }
    throw;
  }
}

// The attempt's read version, asked for on first use.
Future<Version>& read_version_future(TransactionState& state) {
  if (!state.read_version) {
    state.read_version = state.database->get_read_version(state.priority, state.causal_read_risky);
  }
  return *state.read_version;
}

Future<Version> read_version_of(std::shared_ptr<TransactionState> state) {
  co_return co_await read_version_future(*state);
}

// The prefix of tenant `name` at `version`: tenant_not_found if there is no such tenant
// then, tenants_disabled if the cluster's tenant_mode does not allow tenants.
Future<Key> lookup_tenant_prefix(std::shared_ptr<DatabaseContext> database, std::string name,
                                 Future<Version> read_version) {
  const Version version = co_await read_version;
  const Key entry = tenant_map_key(name);
  Future<std::optional<Value>> mode = database->read_value(tenant_mode_key, version);
  std::optional<Value> stored = co_await database->read_value(entry, version);
  if (tenant_mode_of(co_await mode) == TenantMode::disabled) {
    throw Error(ErrorCode::tenants_disabled, "tenant '" + printable(name) +
                                                 "' cannot be used: the cluster's tenant_mode is " +
                                                 "disabled");
  }
  if (!stored) {
    throw Error(ErrorCode::tenant_not_found, "tenant '" + printable(name) + "' does not exist");
  }
  co_return tenant_prefix(decode_tenant_id(entry, *stored));
}

// The prefix the transaction's keys are relative to: "" without a tenant (the hot paths
// test `state->tenant` first, to spare the call). Looked up once an attempt, at its read
// version; the commit conflicts on the tenant's entry, so a tenant
// deleted (or deleted and created again) meanwhile makes it fail.
Future<Key> prefix_of(std::shared_ptr<TransactionState> state) {
  if (!state->tenant) co_return Key();
  if (!state->tenant_prefix) {
    // The lookup is kept in the state, so it must not hold the state (a cycle).
    state->tenant_prefix =
        lookup_tenant_prefix(state->database, *state->tenant, read_version_future(*state));
  }
  co_return co_await *state->tenant_prefix;
}

KeyRange with_prefix(const Key& prefix, const KeyRange& range) {
  return KeyRange{prefix + range.begin, prefix + range.end};
}

// A key the cluster answered, seen from inside the tenant: without its prefix; keys before
// the tenant's become "", keys at or past `end` (relative) become `end`.
Key without_prefix(const Key& prefix, std::string_view key, const Key& end) {
  if (key < prefix) return Key();
  if (key.compare(0, prefix.size(), prefix) != 0 || key.substr(prefix.size()) >= end) return end;
  return Key(key.substr(prefix.size()));
}

// Whether the write being made adds a write conflict range (next_write_no_write_conflict_range
// lasts for one write).
WriteConflict take_write_conflict(TransactionState& state) {
  return std::exchange(state.next_write_without_conflict, false) ? WriteConflict::skip
                                                                 : WriteConflict::add;
}

// Whether a read sees the transaction's own writes.
bool reads_own_writes(const TransactionState& state, bool snapshot) {
  return state.read_your_writes && (!snapshot || state.snapshot_read_your_writes);
}

// Rows of `range` (relative to the tenant's prefix, if any), merged with the transaction's
// writes as read-your-writes asks; a non-snapshot read adds read conflicts where the
// database decided what the transaction saw.
Future<RangeResult> read_range(std::shared_ptr<TransactionState> state, KeyRange range,
                               RangeLimits limits, bool reverse, bool snapshot) {
  const size_t row_limit = limits.rows <= 0 ? SIZE_MAX : static_cast<size_t>(limits.rows);
  const size_t byte_limit = limits.bytes <= 0 ? SIZE_MAX : static_cast<size_t>(limits.bytes);
  size_t bytes = 0;
  const ReadDirection direction = reverse ? ReadDirection::reverse : ReadDirection::forward;
  const ClientKnobs& knobs = client_knobs();
  state->used = true;
  WriteMap::RangeWrites writes = reads_own_writes(*state, snapshot)
                                     ? state->writes.read_range(range)
                                     : WriteMap().read_range(range);
  Version version = co_await read_version_of(state);
  const Key prefix = state->tenant ? co_await prefix_of(state) : Key();
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
        with_prefix(prefix, remaining), version, static_cast<int>(wanted), wanted_bytes, reverse,
        &part);
    if (!prefix.empty()) {
      // Inside the asked range, so all under the prefix.
      part = KeyRange{without_prefix(prefix, part.begin, remaining.end),
                      without_prefix(prefix, part.end, remaining.end)};
      for (KeyValue& row : reply.data)
        row.key.erase(0, prefix.size());
    }
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
        add_read_conflict(*state, read);
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

// The management module's tenant entry at `key` (\xff\xff/management/tenant/map/<name>).
Future<std::optional<Value>> read_tenant_entry(std::shared_ptr<TransactionState> state,
                                               std::string key, bool snapshot) {
  STRATA_ASSERT(!state->tenant);
  const Key entry = tenant_entry_key(key);
  const Version version = co_await read_version_of(state);
  if (!snapshot) add_read_conflict(*state, single_key_range(entry));
  std::optional<Value> stored = co_await state->database->read_value(entry, version);
  if (!stored) co_return std::nullopt;
  co_return tenant_entry_json(std::string_view(key).substr(tenant_map_begin.size()),
                              decode_tenant_id(entry, *stored));
}

// The module's entries in [begin, end), as get_range returns rows.
Future<RangeResult> read_tenant_map(std::shared_ptr<TransactionState> state, std::string begin,
                                    std::string end, RangeLimits limits, bool reverse,
                                    bool snapshot) {
  STRATA_ASSERT(!state->tenant);
  RangeResult result = co_await read_range(
      state, KeyRange{tenant_entry_key(begin), tenant_entry_key(end)}, limits, reverse, snapshot);
  for (KeyValue& row : result.rows) {
    std::string_view name = std::string_view(row.key).substr(tenant_map_prefix.size());
    row.value = tenant_entry_json(name, decode_tenant_id(row.key, row.value));
    row.key = tenant_map_begin + std::string(name);
  }
  co_return result;
}

Future<std::optional<Value>> get_actor(std::shared_ptr<TransactionState> state, std::string key,
                                       bool snapshot) {
  // The special key space: what FoundationDB's clients read there.
  if (!state->tenant) {
    if (key == status_json_key) co_return co_await state->database->cluster_status();
    if (in_tenant_map(key, single_key_range(key).end)) {
      co_return co_await read_tenant_entry(state, std::move(key), snapshot);
    }
    if (in_conflicting_keys(key, single_key_range(key).end)) {
      std::vector<KeyValue> rows = conflicting_key_rows(*state, key, single_key_range(key).end);
      co_return rows.empty() ? std::nullopt : std::optional<Value>(rows.front().value);
    }
  }
  check_readable_key(*state, key);
  state->used = true;
  WriteMap::Lookup lookup =
      reads_own_writes(*state, snapshot) ? state->writes.lookup(key) : WriteMap::Lookup{};
  if (lookup.kind == WriteMap::Lookup::Kind::unreadable) {
    throw Error(ErrorCode::accessed_unreadable,
                "key " + describe_key(key) + " holds a versionstamp not known until commit");
  }
  if (lookup.kind == WriteMap::Lookup::Kind::known) co_return lookup.value;
  Version version = co_await read_version_of(state);
  const Key prefix = state->tenant ? co_await prefix_of(state) : Key();
  if (!snapshot) add_read_conflict(*state, single_key_range(key));
  std::optional<Value> stored = co_await state->database->read_value(prefix + key, version);
  co_return lookup.resolve(stored);
}

Future<RangeResult> get_range_actor(std::shared_ptr<TransactionState> state, std::string begin,
                                    std::string end, RangeLimits limits, bool reverse,
                                    bool snapshot) {
  if (begin > end) {
    throw Error(ErrorCode::inverted_range,
                "range begins at " + describe_key(begin) + ", after its end " + describe_key(end));
  }
  if (!state->tenant) {
    if (in_tenant_map(begin, end)) {
      co_return co_await read_tenant_map(state, std::move(begin), std::move(end), limits, reverse,
                                         snapshot);
    }
    if (in_conflicting_keys(begin, end)) {
      co_return read_conflicting_keys(*state, begin, end, limits, reverse);
    }
  }
  check_range(begin, end, max_read_key(*state));
  co_return co_await read_range(state, KeyRange{std::move(begin), std::move(end)}, limits, reverse,
                                snapshot);
}

Future<Key> get_key_actor(std::shared_ptr<TransactionState> state, KeySelector selector,
                          bool snapshot) {
  const std::string& max_key = max_read_key(*state);
  if (selector.key > max_key) {
    throw Error(ErrorCode::key_outside_legal_range,
                "key selector at " + describe_key(selector.key) + " is in the system keyspace");
  }
  state->used = true;
  const bool forward = selector.offset >= 1;
  // Forward the keys counted start here; backward they end here (exclusive).
  const Key edge =
      std::min(selector.or_equal ? single_key_range(selector.key).end : selector.key, max_key);
  Version version = co_await read_version_of(state);
  if (reads_own_writes(*state, snapshot) && !state->writes.empty()) {
    // The transaction's writes may move the answer: count through the merged view (the
    // range read adds the read conflicts of what it went through).
    const int rows_wanted = forward ? selector.offset : 1 - selector.offset;
    RangeResult rows =
        forward ? co_await get_range_actor(state, edge, max_key, {rows_wanted, 0}, false, snapshot)
                : co_await get_range_actor(state, "", edge, {rows_wanted, 0}, true, snapshot);
    if (static_cast<int>(rows.rows.size()) == rows_wanted) co_return rows.rows.back().key;
    co_return forward ? max_key : Key();
  }
  const Key prefix = state->tenant ? co_await prefix_of(state) : Key();
  Key key;
  if (prefix.empty()) {
    key = co_await state->database->resolve_key(selector, version, max_key);
  } else {
    // Resolved among all keys; an answer outside the tenant means its first or last key.
    selector.key = prefix + selector.key;
    key = without_prefix(prefix,
                         co_await state->database->resolve_key(selector, version, prefix + max_key),
                         max_key);
  }
  if (!snapshot) {
    KeyRange went_through =
        forward ? KeyRange{edge, single_key_range(key).end} : KeyRange{key, edge};
    went_through.end = std::min(went_through.end, max_key);
    if (went_through.begin < went_through.end) add_read_conflict(*state, went_through);
  }
  co_return key;
}

// A range bound that needs no resolving: the first key at or after (or after) a key bounds
// the same rows as that key itself (or the key after it). Ranges are mostly given so, and
// resolving them would cost a read each (one that walks the keys beyond the range).
Key bound_key(const KeySelector& selector) {
  return selector.or_equal ? single_key_range(selector.key).end : selector.key;
}

std::optional<Key> bound_without_resolving(const KeySelector& selector, const Key& max_key) {
  if (selector.offset != 1) return std::nullopt;
  if (selector.key > max_key) {
    throw Error(ErrorCode::key_outside_legal_range,
                "key selector at " + describe_key(selector.key) + " is in the system keyspace");
  }
  return std::min(bound_key(selector), max_key);
}

Future<RangeResult> get_range_between_actor(std::shared_ptr<TransactionState> state,
                                            KeySelector begin, KeySelector end, RangeLimits limits,
                                            bool reverse, bool snapshot) {
  if (begin.offset == 1 && end.offset == 1 && !state->tenant) {
    // The special key space's modules, for the range bounds bindings pass.
    Key first = bound_key(begin);
    Key last = bound_key(end);
    if (in_tenant_map(first, last)) {
      co_return co_await read_tenant_map(state, std::move(first), std::move(last), limits, reverse,
                                         snapshot);
    }
    if (in_conflicting_keys(first, last)) {
      co_return read_conflicting_keys(*state, first, last, limits, reverse);
    }
  }
  const Key max_key = max_read_key(*state);
  std::optional<Key> first_bound = bound_without_resolving(begin, max_key);
  std::optional<Key> last_bound = bound_without_resolving(end, max_key);
  Key first =
      first_bound ? *first_bound : co_await get_key_actor(state, std::move(begin), snapshot);
  Key last = last_bound ? *last_bound : co_await get_key_actor(state, std::move(end), snapshot);
  if (first >= last) co_return RangeResult{};
  co_return co_await get_range_actor(state, first, last, limits, reverse, snapshot);
}

// A system key's value at the read version, with a read conflict (for the tenant map's
// changes; never in a tenant's transaction).
Future<std::optional<Value>> read_system_value(std::shared_ptr<TransactionState> state, Key key) {
  STRATA_ASSERT(!state->tenant);
  const Version version = co_await read_version_of(state);
  add_read_conflict(*state, single_key_range(key));
  co_return co_await state->database->read_value(std::move(key), version);
}

Future<std::vector<KeyValue>> read_system_rows(std::shared_ptr<TransactionState> state,
                                               KeyRange range, int limit) {
  STRATA_ASSERT(!state->tenant);
  RangeResult result = co_await read_range(state, std::move(range), RangeLimits{limit, 0},
                                           /*reverse=*/false, /*snapshot=*/false);
  co_return std::move(result.rows);
}

TenantMapReads tenant_map_reads(const std::shared_ptr<TransactionState>& state) {
  return TenantMapReads{[state](Key key) { return read_system_value(state, std::move(key)); },
                        [state](KeyRange range, int limit) {
                          return read_system_rows(state, std::move(range), limit);
                        }};
}

// A tenant's mutation as the cluster applies it: under the tenant's prefix.
void add_prefix(const Key& prefix, Mutation& mutation) {
  if (mutation.type == MutationType::set_versionstamped_key) {
    // The placeholder's position (the last 4 bytes, little-endian) moves with the key.
    const std::optional<size_t> position = versionstamp_position(mutation.param1);
    STRATA_ASSERT(position);
    const auto moved = static_cast<uint32_t>(*position + prefix.size());
    std::string key = prefix + mutation.param1.substr(0, mutation.param1.size() - 4);
    for (int shift = 0; shift < 32; shift += 8)
      key += static_cast<char>((moved >> shift) & 0xff);
    mutation.param1 = std::move(key);
    return;
  }
  mutation.param1 = prefix + mutation.param1;
  if (mutation.type == MutationType::clear_range) mutation.param2 = prefix + mutation.param2;
}

// What the commit sends: the writes and conflict ranges (under the tenant's prefix, with a
// read conflict on the tenant's entry), and the tenant map's changes.
Future<CommitTransactionRequest> commit_request(std::shared_ptr<TransactionState> state) {
  const Version version = co_await read_version_of(state);
  const Key prefix = state->tenant ? co_await prefix_of(state) : Key();
  std::vector<Mutation> tenant_map_writes;
  if (!state->tenant_changes.empty()) {
    tenant_map_writes =
        co_await tenant_map_mutations(state->tenant_changes, tenant_map_reads(state));
  }
  CommitTransactionRequest request;
  request.read_version = version;
  request.report_conflicting_keys = state->report_conflicting_keys;
  request.mutations = state->writes.mutations();
  if (prefix.empty() && tenant_map_writes.empty()) {
    request.read_conflict_ranges = state->read_conflicts.ranges();
    request.write_conflict_ranges = state->writes.write_conflict_ranges();
    co_return request;
  }
  KeyRangeSet reads;
  KeyRangeSet writes;
  for (const KeyRange& range : state->read_conflicts.ranges())
    reads.insert(with_prefix(prefix, range));
  for (const KeyRange& range : state->writes.write_conflict_ranges())
    writes.insert(with_prefix(prefix, range));
  if (!prefix.empty()) {
    for (Mutation& mutation : request.mutations)
      add_prefix(prefix, mutation);
    reads.insert(single_key_range(tenant_map_key(*state->tenant)));
  }
  for (Mutation& mutation : tenant_map_writes) {
    writes.insert(mutation.type == MutationType::clear_range
                      ? KeyRange{mutation.param1, mutation.param2}
                      : single_key_range(mutation.param1));
    request.mutations.push_back(std::move(mutation));
  }
  request.read_conflict_ranges = reads.ranges();
  request.write_conflict_ranges = writes.ranges();
  co_return request;
}

Future<Void> commit_actor(std::shared_ptr<TransactionState> state) {
  // Before anything else: with a read version at hand, this sends the commit before it
  // first waits, so a cancelled or timed-out transaction must stop here, not in the
  // wrapper that checks only once this has run.
  check_usable(*state);
  if (state->committed) {
    throw Error(ErrorCode::client_invalid_operation, "the transaction has already committed");
  }
  // The reads still in flight first (see tracked_read).
  while (state->reads_in_flight > 0)
    co_await state->reads_finished.on_change();
  if (state->read_failure) throw *state->read_failure;
  if (state->writes.empty() && state->tenant_changes.empty()) {
    // Read-only: nothing to commit, and no commit version.
    if (!state->watches.empty()) {
      Version version = co_await read_version_of(state);
      start_watches(*state, version);
    }
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
  std::optional<Error> failure;
  try {
    CommitTransactionRequest request = co_await commit_request(state);
    CommitReply reply = co_await state->database->commit(std::move(request));
    if (reply.conflicted) {
      // (A tenant has no special key space to read them in.)
      KeyRangeSet conflicting;
      if (!state->tenant) {
        for (const KeyRange& range : reply.conflicting_ranges)
          conflicting.insert(range);
      }
      state->conflicting_ranges = conflicting.ranges();
      throw Error(ErrorCode::not_committed);
    }
    state->committed = true;
    state->committed_version = reply.version;
    answer_versionstamp(*state, make_versionstamp(reply.version, reply.batch_index), Error());
    start_watches(*state, reply.version);
    co_return;
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    failure = error;
  }
  answer_versionstamp(*state, std::nullopt, *failure);
  fail_watches(*state, *failure);
  throw *failure;
}

void reset_state(TransactionState& state) {
  state.used = false;
  fail_watches(state, Error(ErrorCode::transaction_cancelled,
                            "the transaction was reset before it committed"));
  answer_versionstamp(
      state, std::nullopt,
      Error(ErrorCode::transaction_cancelled, "the transaction was reset before it committed"));
  state.read_version.reset();
  state.tenant_prefix.reset();
  state.tenant_changes.clear();
  ++state.attempt;
  state.reads_in_flight = 0;
  state.read_failure.reset();
  state.conflicting_ranges.clear();
  state.writes.clear();
  state.read_conflicts.clear();
  state.bytes_added = 0;
  state.committed_version = invalid_version;
  state.committed = false;
}

Future<Void> retry_after(std::shared_ptr<TransactionState> state, Error error);

// FoundationDB's rules (API version 610 on): a cancelled or timed-out transaction answers
// with that error; an error on_error gives back (not retryable, or past the retry limit)
// also cancels the transaction, until reset().
Future<Void> on_error_actor(std::shared_ptr<TransactionState> state, Error error) {
  std::optional<Error> failure;
  try {
    check_usable(*state);
    co_await retry_after(state, std::move(error));
  } catch (Error& thrown) {
    if (thrown.is_cancellation()) throw;
    failure = thrown;
  }
  if (!failure) co_return;
  abort_transaction(*state, Error(ErrorCode::transaction_cancelled));
  throw *failure;
}

// Backs off as `error` asks and resets the transaction for its next attempt, or throws.
Future<Void> retry_after(std::shared_ptr<TransactionState> state, Error error) {
  const ClientKnobs& knobs = client_knobs();
  if (state->retry_limit >= 0 && state->retries >= state->retry_limit) {
    ++state->retries;
    throw error;
  }
  // FoundationDB's rule: transaction_too_old and future_version start over at once (a
  // newer read version is all they need); the other retryable errors back off first.
  // cluster_version_changed is "maybe committed" but only the multi-version client
  // retries it, so it is returned like any other error.
  const ErrorCode code = error.code();
  if (code == ErrorCode::transaction_too_old || code == ErrorCode::future_version) {
    ++state->retries;
    reset_state(*state);
    co_return;
  }
  if (!error_retryable(code) || code == ErrorCode::cluster_version_changed) throw error;
  // Back off (with jitter, so that conflicting retries spread out), then start over.
  double ceiling = std::min(knobs.backoff_max_s, state->max_retry_delay_s);
  double backoff = std::min(std::max(state->backoff_s, knobs.backoff_initial_s), ceiling);
  co_await delay(backoff * env().random().uniform_real(0.5, 1.0));
  state->backoff_s = std::min(backoff * 2, ceiling);
  ++state->retries;
  reset_state(*state);
}

struct WatchedValue {
  // The key as the cluster knows it (under the tenant's prefix, if any).
  Key key;
  std::optional<Value> value;
};

// The value a watch compares with: the transaction's view of the key when the watch was
// created (its own writes over the database at the read version).
Future<WatchedValue> watched_value(std::shared_ptr<TransactionState> state, Key key,
                                   WriteMap::Lookup lookup) {
  Key where = state->tenant ? co_await prefix_of(state) + key : key;
  if (lookup.kind == WriteMap::Lookup::Kind::known) co_return WatchedValue{where, lookup.value};
  Version version = co_await read_version_of(state);
  std::optional<Value> stored = co_await state->database->read_value(where, version);
  co_return WatchedValue{where, lookup.resolve(stored)};
}

// Errors after which a watch asks again, at a newer version.
bool watch_retries(const Error& error) {
  return error.is(ErrorCode::future_version) || error.is(ErrorCode::transaction_too_old) ||
         error.is(ErrorCode::process_behind) ||
         error.is(ErrorCode::grv_proxy_memory_limit_exceeded);
}

Future<Void> watch_actor(std::shared_ptr<DatabaseContext> database, Future<WatchedValue> initial,
                         Future<WatchStart> started) {
  DatabaseContext::WatchSlot slot(database);
  WatchStart start;
  std::optional<Error> failure;
  try {
    start = co_await started;
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    failure = error;
  }
  if (failure) {
    // The transaction went away without committing.
    if (failure->is(ErrorCode::broken_promise)) {
      throw Error(ErrorCode::transaction_cancelled,
                  "the transaction that created the watch was destroyed before it committed");
    }
    throw *failure;
  }
  const WatchedValue watched = co_await initial;
  const Key& key = watched.key;
  const std::optional<Value>& value = watched.value;
  // The transaction wrote the key after creating the watch: as in FoundationDB, that is a
  // change unless it wrote the very value the watch compares with (an atomic operation's
  // result is not known here, so it counts as a change).
  if (start.rewritten) {
    STRATA_PROBE(true, "a watch's own transaction wrote its key");
    if (start.rewritten->kind != WriteMap::Lookup::Kind::known || start.rewritten->value != value) {
      co_return;
    }
  }
  Version version = start.version;
  while (true) {
    Version seen = co_await database->watch_value(key, value, version);
    // The server may have seen a change that is not committed yet, or that a recovery
    // took back: confirm it at a read version, or watch again from there.
    std::optional<Error> retry;
    try {
      Version read_version = co_await database->get_read_version();
      if (co_await database->read_value(key, read_version) != value) co_return;
      STRATA_PROBE(true, "a watch's change is not confirmed at a read version");
      version = read_version;
      if (read_version >= seen) continue;
    } catch (Error& error) {
      if (error.is_cancellation() || !watch_retries(error)) throw;
      retry = error;
    }
    co_await delay(client_knobs().retry_delay_s);
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

Transaction::Transaction(std::shared_ptr<DatabaseContext> database, std::string tenant)
    : Transaction(std::move(database)) {
  check_tenant_name(tenant);
  state_->tenant = std::move(tenant);
}

namespace {

Future<int64_t> tenant_id_actor(std::shared_ptr<TransactionState> state) {
  co_return decode_tenant_id("the tenant's prefix", co_await prefix_of(state));
}

}  // namespace

Future<int64_t> Transaction::get_tenant_id() {
  if (!state_->tenant) {
    return Error(ErrorCode::client_invalid_operation, "the transaction is in no tenant");
  }
  return tracked_read(state_, tenant_id_actor(state_));
}

Future<Version> Transaction::get_read_version() {
  return controlled(state_, read_version_of(state_));
}

void Transaction::set_read_version(Version version) {
  if (state_->read_version) {
    throw Error(ErrorCode::read_version_already_set, "the transaction already has a read version");
  }
  // As FoundationDB's: no database has a version 0 to read at, and the error is not
  // retryable (transaction_too_old would send a retry loop round forever).
  if (version <= 0) {
    throw Error(ErrorCode::version_invalid,
                "a read version must be positive, not " + std::to_string(version));
  }
  state_->read_version = Future<Version>(version);
}

Future<std::optional<Value>> Transaction::get(std::string key, bool snapshot) {
  return tracked_read(state_, get_actor(state_, std::move(key), snapshot));
}

Future<RangeResult> Transaction::get_range(std::string begin, std::string end, int limit,
                                           bool reverse, bool snapshot) {
  return get_range(std::move(begin), std::move(end), RangeLimits{limit, 0}, reverse, snapshot);
}

Future<Key> Transaction::get_key(KeySelector selector, bool snapshot) {
  return tracked_read(state_, get_key_actor(state_, std::move(selector), snapshot));
}

Future<RangeResult> Transaction::get_range(KeySelector begin, KeySelector end, RangeLimits limits,
                                           bool reverse, bool snapshot) {
  if (limits.rows < 0 || limits.bytes < 0) {
    return Error(ErrorCode::range_limits_invalid, "range limits may not be negative");
  }
  return tracked_read(state_, get_range_between_actor(state_, std::move(begin), std::move(end),
                                                      limits, reverse, snapshot));
}

Future<RangeResult> Transaction::get_range(std::string begin, std::string end, RangeLimits limits,
                                           bool reverse, bool snapshot) {
  if (limits.rows < 0 || limits.bytes < 0) {
    return Error(ErrorCode::range_limits_invalid, "range limits may not be negative");
  }
  return tracked_read(
      state_, get_range_actor(state_, std::move(begin), std::move(end), limits, reverse, snapshot));
}

void Transaction::set(std::string_view key, std::string_view value) {
  check_usable(*state_);
  state_->used = true;
  if (special_key_write(*state_, key, std::nullopt)) return;
  check_key_for_write(*state_, key);
  check_value(key, value);
  const WriteConflict conflict = take_write_conflict(*state_);
  count_write(*state_, key.size() + value.size(), 2 * key.size() + 1, conflict);
  state_->writes.set(key, value, conflict);
}

void Transaction::clear(std::string_view key) {
  check_usable(*state_);
  state_->used = true;
  if (special_key_write(*state_, key, single_key_range(key).end)) return;
  check_key_for_write(*state_, key);
  const WriteConflict conflict = take_write_conflict(*state_);
  count_write(*state_, 2 * key.size() + 1, 2 * key.size() + 1, conflict);
  state_->writes.clear(key, conflict);
}

void Transaction::clear_range(std::string_view begin, std::string_view end) {
  check_usable(*state_);
  state_->used = true;
  if (begin <= end && special_key_write(*state_, begin, end)) return;
  check_range(begin, end, max_write_key(*state_));
  WriteConflict conflict = take_write_conflict(*state_);
  if (begin == end) return;
  count_write(*state_, begin.size() + end.size(), begin.size() + end.size(), conflict);
  state_->writes.clear_range(begin, end, conflict);
}

void Transaction::add_read_conflict_range(std::string_view begin, std::string_view end) {
  check_usable(*state_);
  check_range(begin, end, max_read_key(*state_));
  if (begin == end) return;
  add_read_conflict(*state_, KeyRange{std::string(begin), std::string(end)});
}

void Transaction::add_write_conflict_range(std::string_view begin, std::string_view end) {
  check_usable(*state_);
  check_range(begin, end, max_write_key(*state_));
  if (begin == end) return;
  state_->bytes_added += begin.size() + end.size();
  state_->writes.add_write_conflict_range(KeyRange{std::string(begin), std::string(end)});
}

void Transaction::add_read_conflict_key(std::string_view key) {
  check_usable(*state_);
  check_readable_key(*state_, key);
  add_read_conflict(*state_, single_key_range(key));
}

void Transaction::add_write_conflict_key(std::string_view key) {
  check_usable(*state_);
  if (key >= max_write_key(*state_)) throw outside_keyspace(key, true);
  state_->bytes_added += 2 * key.size() + 1;
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
    take_write_conflict(*state_);  // the commit adds the key's conflict range regardless
    count_write(*state_, key.size() + operand.size(), 2 * key.size() + 1, WriteConflict::add);
    state_->writes.set_versionstamped_key(key, operand,
                                          KeyRange{lowest, single_key_range(highest).end});
    return;
  }
  check_key_for_write(*state_, key);
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
  const WriteConflict conflict = take_write_conflict(*state_);
  count_write(*state_, key.size() + operand.size(), 2 * key.size() + 1, conflict);
  state_->writes.atomic_op(key, type, operand, conflict);
}

namespace {

// A watch outlives its transaction's commit but not its timeout: as in FoundationDB, the
// timeout option is how an application bounds a watch's wait.
Future<Void> with_deadline(Future<Void> watch, double deadline) {
  Future<Void> expired = delay(std::max(0.0, deadline - now()));
  size_t first = co_await first_ready(watch, expired);
  if (first == 1) throw Error(ErrorCode::transaction_timed_out);
  co_await watch;
}

}  // namespace

Future<Void> Transaction::watch(std::string key) {
  check_usable(*state_);
  if (!state_->read_your_writes) {
    throw Error(ErrorCode::watches_disabled,
                "watches need read-your-writes, which this transaction disabled");
  }
  check_key_size(key, "watched key");
  check_readable_key(*state_, key);
  WriteMap::Lookup lookup = state_->writes.lookup(key);
  if (lookup.kind == WriteMap::Lookup::Kind::unreadable) {
    throw Error(ErrorCode::accessed_unreadable,
                "key " + describe_key(key) + " holds a versionstamp not known until commit");
  }
  // Counted among the transaction's reads, so commit waits for it (as FoundationDB's does
  // for every read): a watch's value must be known at its read version before the commit
  // can be acknowledged, since a recovery afterwards may leave that version too old to read.
  Future<WatchedValue> initial = tracked_read(state_, watched_value(state_, key, lookup));
  Promise<WatchStart> start;
  Future<WatchStart> started = start.get_future();
  state_->watches.push_back(PendingWatch{key, std::move(lookup), std::move(start)});
  Future<Void> watch = watch_actor(state_->database, std::move(initial), std::move(started));
  if (state_->timeout_s <= 0) return watch;
  return with_deadline(std::move(watch), state_->started_at + state_->timeout_s);
}

namespace {

Future<int64_t> range_size_actor(std::shared_ptr<TransactionState> state, KeyRange range) {
  const Key prefix = co_await prefix_of(state);
  co_return co_await state->database->range_stats(with_prefix(prefix, range), 0, nullptr);
}

}  // namespace

Future<int64_t> Transaction::get_estimated_range_size_bytes(std::string begin, std::string end) {
  check_usable(*state_);
  check_range(begin, end, max_read_key(*state_));
  return controlled(state_, range_size_actor(state_, KeyRange{std::move(begin), std::move(end)}));
}

namespace {

Future<std::vector<Key>> split_points_actor(std::shared_ptr<TransactionState> state, KeyRange range,
                                            int64_t chunk_bytes) {
  const Key prefix = co_await prefix_of(state);
  std::vector<Key> points;
  co_await state->database->range_stats(with_prefix(prefix, range), chunk_bytes, &points);
  for (Key& point : points)
    point = without_prefix(prefix, point, range.end);
  points.insert(points.begin(), range.begin);
  points.push_back(range.end);
  co_return points;
}

Future<std::vector<std::string>> addresses_actor(std::shared_ptr<TransactionState> state, Key key) {
  co_return co_await state->database->addresses_for_key(co_await prefix_of(state) + key);
}

}  // namespace

Future<std::vector<Key>> Transaction::get_range_split_points(std::string begin, std::string end,
                                                             int64_t chunk_bytes) {
  check_usable(*state_);
  check_range(begin, end, max_read_key(*state_));
  if (chunk_bytes <= 0) {
    throw Error(
        ErrorCode::invalid_option_value,
        "range split points need a positive chunk size, not " + std::to_string(chunk_bytes));
  }
  return controlled(
      state_, split_points_actor(state_, KeyRange{std::move(begin), std::move(end)}, chunk_bytes));
}

Future<std::vector<std::string>> Transaction::get_addresses_for_key(std::string key) {
  check_usable(*state_);
  check_readable_key(*state_, key);
  return controlled(state_, addresses_actor(state_, std::move(key)));
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
  state_->access_system_keys = false;
  state_->read_system_keys = false;
  state_->causal_read_risky = false;
  state_->lock_aware = false;
  state_->special_key_writes = false;
  state_->report_conflicting_keys = false;
  state_->priority = ReadVersionPriority::normal;
  state_->next_write_without_conflict = false;
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

void Transaction::set_next_write_no_write_conflict_range() {
  state_->next_write_without_conflict = true;
}

namespace {

void refuse_in_tenant(const TransactionState& state, std::string_view option) {
  if (state.tenant) {
    throw Error(ErrorCode::invalid_option,
                std::string(option) + " gives raw access, which a tenant's transaction has not");
  }
}

}  // namespace

void Transaction::set_access_system_keys() {
  refuse_in_tenant(*state_, "access_system_keys");
  state_->access_system_keys = true;
}

void Transaction::set_read_system_keys() {
  refuse_in_tenant(*state_, "read_system_keys");
  state_->read_system_keys = true;
}

void Transaction::set_raw_access() {
  refuse_in_tenant(*state_, "raw_access");
}

void Transaction::set_priority(ReadVersionPriority priority) {
  state_->priority = priority;
}

void Transaction::set_causal_read_risky() {
  state_->causal_read_risky = true;
}

void Transaction::set_report_conflicting_keys() {
  state_->report_conflicting_keys = true;
}

void Transaction::set_special_key_space_enable_writes() {
  state_->special_key_writes = true;
}

void Transaction::set_lock_aware() {
  state_->lock_aware = true;
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
  // A new value (0 included) cannot take back a timeout that already ran out.
  note_expired_timeout(*state_);
  state_->timeout_s = static_cast<double>(milliseconds) / 1000;
}

void Transaction::set_size_limit(int64_t bytes) {
  check_option("size_limit", bytes, 32, static_cast<int64_t>(transaction_size_limit));
  state_->size_limit = static_cast<size_t>(bytes);
}

size_t Transaction::approximate_size() const {
  return state_->bytes_added;
}

}  // namespace strata
