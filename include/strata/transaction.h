#pragma once

// A transaction: reads at one read version, writes buffered until commit, with
// FoundationDB's semantics.
//
// - Reads see the transaction's own writes (read-your-writes), merged with the database in
//   key order. Reads add read conflict ranges (snapshot reads do not); a commit fails with
//   not_committed (1020) if anything read was changed by a transaction that committed
//   after this one's read version.
// - Limits: keys up to 10,000 bytes (key_too_large, 2102), values up to 100,000 bytes
//   (value_too_large, 2103), the whole transaction up to 10,000,000 bytes of mutations and
//   conflict ranges (transaction_too_large, 2101); the message names the offending key.
//   Keys at or above \xff are the system's (key_outside_legal_range, 2004).
// - on_error(e) is FoundationDB's retry rule: for not_committed, commit_unknown_result and
//   the throttling errors it waits (exponential backoff with jitter) and resets the
//   transaction; for transaction_too_old and future_version it resets at once; any other
//   error it throws back.
//
// A Transaction is a handle: copies share one transaction. Not thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interfaces/types.h"
#include "runtime/future.h"

namespace strata {

class DatabaseContext;
struct TransactionState;

struct RangeResult {
  std::vector<KeyValue> rows;
  // More rows may exist in the range past the last one returned (the limit stopped it).
  bool more = false;
};

// FoundationDB's streaming modes: how much one range-read call returns.
enum class StreamingMode : int {
  want_all = -2,
  iterator = -1,
  exact = 0,
  small = 1,
  medium = 2,
  large = 3,
  serial = 4,
};

// What one range-read call may return: at most `rows` rows, and rows until their keys and
// values add up to `bytes` or more (the row that reaches it included, so at least one);
// 0 means no limit.
struct RangeLimits {
  int rows = 0;
  int bytes = 0;
};

// FoundationDB's translation of a range read's limit, target_bytes, streaming mode and
// iteration into the limits of one call: the mode's byte target (small 256, medium 1000,
// large 4096, serial and want_all 80,000; iterator grows from 4096 by half at each
// iteration up to 120,000; exact none) caps target_bytes. Fails with range_limits_invalid
// (2012) for a negative limit or target, exact_mode_without_limits (2210) for exact with
// neither, client_invalid_operation (2000) for an unknown mode or an iteration below 1.
RangeLimits range_limits(int limit, int target_bytes, StreamingMode mode, int iteration);

class Transaction {
 public:
  explicit Transaction(std::shared_ptr<DatabaseContext> database);
  // A transaction in tenant `tenant` (see Tenant in database.h).
  Transaction(std::shared_ptr<DatabaseContext> database, std::string tenant);

  // The version reads happen at, taken from a read-version proxy on first use.
  Future<Version> get_read_version();
  // Reads at `version` instead (read_version_already_set if one was taken already).
  void set_read_version(Version version);

  Future<std::optional<Value>> get(std::string key, bool snapshot = false);
  // Rows of [begin, end) in key order (reverse: from the end), at most `limit` of them (0:
  // no limit). inverted_range (2005) if begin > end.
  // The key `selector` names (see KeySelector): "" before the first key, "\xff" past the
  // last. Sees the transaction's own writes like the other reads; a non-snapshot read
  // conflicts on the keys between the selector's start and the answer.
  Future<Key> get_key(KeySelector selector, bool snapshot = false);
  // Rows from the key `begin` names up to (not including) the key `end` names.
  Future<RangeResult> get_range(KeySelector begin, KeySelector end, RangeLimits limits,
                                bool reverse = false, bool snapshot = false);

  // With both limits (see RangeLimits); `more` says whether rows past the last were left.
  Future<RangeResult> get_range(std::string begin, std::string end, RangeLimits limits,
                                bool reverse = false, bool snapshot = false);
  Future<RangeResult> get_range(std::string begin, std::string end, int limit = 0,
                                bool reverse = false, bool snapshot = false);

  void set(std::string_view key, std::string_view value);
  void clear(std::string_view key);
  void clear_range(std::string_view begin, std::string_view end);

  // One of FoundationDB's atomic operations (MutationType: add, bit_and, bit_or, bit_xor,
  // append_if_fits, max, min, byte_min, byte_max, compare_and_clear,
  // set_versionstamped_key, set_versionstamped_value) with `operand`; see
  // client/atomic_ops.h for each one's rules. No read conflict: concurrent atomic
  // operations on a key all commit. A read of the key in this transaction shows the
  // result, except after a versionstamped write (accessed_unreadable, 1036).
  //
  // Versionstamped operations: the key (set_versionstamped_key) or the operand
  // (set_versionstamped_value) ends with the 4-byte little-endian position of a 10-byte
  // placeholder, which the commit replaces with the transaction's versionstamp
  // (client_invalid_operation, 2000, when it does not fit). Other types than these fail
  // with invalid_mutation_type (2018).
  void atomic_op(std::string_view key, std::string_view operand, MutationType type);

  // Explicit conflict ranges, as FoundationDB's add_conflict_range: a read conflict range
  // makes the commit fail with not_committed if a transaction that committed after this
  // one's read version wrote into it; a write conflict range makes later readers of it
  // conflict as if it had been written. [begin, end) must lie in the user keyspace
  // (key_outside_legal_range, 2004) with begin <= end (inverted_range, 2005); an empty
  // range adds nothing.
  void add_read_conflict_range(std::string_view begin, std::string_view end);
  void add_write_conflict_range(std::string_view begin, std::string_view end);
  void add_read_conflict_key(std::string_view key);
  void add_write_conflict_key(std::string_view key);

  Future<Void> commit();
  // The version the transaction committed at; -1 for a read-only commit.
  // no_commit_version (2021) before a successful commit.
  Version committed_version() const;
  // The transaction's versionstamp (10 bytes), ready once it commits; fails with the
  // commit's error if it does not, and with no_commit_version (2021) if it committed
  // without writing anything. Ask for it before the commit.
  Future<std::string> get_versionstamp();

  Future<Void> on_error(Error error);

  // FoundationDB's retry_limit, max_retry_delay and size_limit options. They last across
  // the resets on_error makes; reset() clears them.
  // - retry_limit: on_error throws the error instead of retrying once this many retries
  //   were made (-1, the default: no limit); [-1, INT_MAX].
  // - max_retry_delay: the longest backoff on_error waits, in milliseconds (default 1000);
  //   [0, INT_MAX].
  // - size_limit: the transaction's size limit in bytes (default 10,000,000); [32,
  //   10,000,000].
  // A value out of range fails with invalid_option_value (2006).
  void set_retry_limit(int64_t retries);
  void set_max_retry_delay_ms(int64_t milliseconds);
  void set_size_limit(int64_t bytes);
  // FoundationDB's timeout option: once `milliseconds` have passed since the transaction
  // was created or last reset(), every pending and later use fails with
  // transaction_timed_out (1031), which on_error does not retry. 0 (the default) disables
  // it; [0, INT_MAX]. Like the options above it lasts across on_error.
  void set_timeout_ms(int64_t milliseconds);

  // FoundationDB's read_your_writes_disable: reads see only the database, not the
  // transaction's own writes. It must come before the first read or write
  // (client_invalid_operation, 2000, otherwise).
  void set_read_your_writes_disable();
  // snapshot_ryw_disable / snapshot_ryw_enable: whether snapshot reads see the
  // transaction's own writes (they do by default).
  void set_snapshot_read_your_writes(bool enabled);

  // next_write_no_write_conflict_range: the next set, clear, clear_range or atomic_op adds
  // no write conflict range (it stays a write; later readers do not conflict with it).
  void set_next_write_no_write_conflict_range();
  // access_system_keys: reads and writes may use the system keyspace [\xff, \xff\xff)
  // (keys there may be 30,000 bytes long); read_system_keys: reads only.
  // Both imply raw_access, so a tenant's transaction refuses them (invalid_option, 2007).
  void set_access_system_keys();
  void set_read_system_keys();
  // raw_access: the transaction may use keys outside any tenant (which every transaction
  // in no tenant may, Strata having no required tenant mode); a tenant's transaction
  // refuses it (invalid_option, 2007).
  void set_raw_access();
  // priority_batch / priority_system_immediate (ReadVersionPriority::batch, ::immediate).
  void set_priority(ReadVersionPriority priority);
  // causal_read_risky: read versions may skip the check that the proxy's generation is
  // still current; a read may then miss a commit acknowledged just before a recovery.
  void set_causal_read_risky();
  // lock_aware: may run while the database is locked. (Strata has no database lock yet,
  // so it changes nothing; accepted so that FoundationDB programs run.)
  void set_lock_aware();
  // special_key_space_enable_writes: lets set and clear reach the special key space's
  // writable modules (\xff\xff/management/...). Without it they fail with
  // special_keys_write_disabled.
  void set_special_key_space_enable_writes();
  // report_conflicting_keys: after a commit that fails with not_committed, the read
  // conflict ranges that were written since the read version can be read (until the next
  // reset or on_error) in \xff\xff/transaction/conflicting_keys/, as FoundationDB does:
  // each range [b, e) as the keys PREFIX+b (value "1") and PREFIX+e (value "0").
  void set_report_conflicting_keys();

  // A watch on `key`: ready once the key's value differs from the one this transaction
  // sees now (its own writes included), looking at changes after the read version, those
  // before the commit included. It becomes active when the transaction commits; if the
  // commit fails, the watch fails with the commit's error, and if the transaction is reset
  // or destroyed first, with transaction_cancelled (1025). A change that is undone before
  // the watch sees it may go unreported (as in FoundationDB). It survives storage-server
  // restarts and shard moves. A timeout set on the transaction bounds it too (it then
  // fails with transaction_timed_out, 1031). Fails with watches_disabled (1034) after
  // read_your_writes_disable, too_many_watches (1032) beyond the database's max_watches.
  // Dropping the future cancels the watch.
  Future<Void> watch(std::string key);

  // The approximate bytes of keys and values in [begin, end), without read conflicts.
  Future<int64_t> get_estimated_range_size_bytes(std::string begin, std::string end);
  // Keys splitting [begin, end) into chunks of about chunk_bytes: begin first, end last.
  Future<std::vector<Key>> get_range_split_points(std::string begin, std::string end,
                                                  int64_t chunk_bytes);
  // The addresses (ip:port) of the storage servers holding `key`.
  Future<std::vector<std::string>> get_addresses_for_key(std::string key);

  // Every pending and later use fails with transaction_cancelled (1025) until reset().
  // A commit in flight may still take effect.
  void cancel();
  // Forgets everything (writes, reads, read version, backoff).
  void reset();

  // The id of the transaction's tenant at its read version: tenant_not_found (2131) if it
  // does not exist then, client_invalid_operation (2000) for a transaction in no tenant.
  Future<int64_t> get_tenant_id();

  // Bytes the transaction counts against its size limit so far.
  size_t approximate_size() const;

 private:
  std::shared_ptr<TransactionState> state_;
};

}  // namespace strata
