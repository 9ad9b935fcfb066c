#pragma once

// A Redis database's keys as one transaction sees them: a key's metadata, read with Redis's
// expiry applied (a key past its time is deleted on the spot and is absent), and the writes
// that keep the metadata, the elements and the expiry index (keyspace.h) consistent.
//
// Invariants kept by every write here:
// - a key has an expiry index entry (expires_at, db, name) exactly when its metadata says
//   it expires at that time;
// - deleting a key clears its metadata, every element of every version (one range clear)
//   and its expiry entry, so nothing of it is left for a later key of the same name;
// - a new key's version is its transaction's read version, so versions of a name only grow;
// - the database's counters (keys, keys with an expiry) move with every creation, removal
//   and change of expiry, by atomic adds, which never conflict.
//
// A KeyStore lives for one attempt of one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "layers/redis/keyspace.h"
#include "layers/redis/metadata.h"
#include "runtime/future.h"
#include "strata/transaction.h"

namespace strata::redis {

class KeyStore {
 public:
  // `now_ms`: Unix time in milliseconds, the moment expiry is judged against.
  KeyStore(Transaction& transaction, const Keyspace& keyspace, int64_t db, int64_t now_ms);

  Transaction& transaction() { return transaction_; }
  const Keyspace& keyspace() const { return keyspace_; }
  int64_t db() const { return db_; }
  int64_t now_ms() const { return now_ms_; }
  // Another database's keys, in the same transaction (MOVE, COPY ... DB, SELECT in MULTI).
  KeyStore in_database(int64_t db) const;

  // The key, unless it is absent or past its expiry (then it is deleted here).
  Future<std::optional<Metadata>> find(std::string name);
  // As find, and WRONGTYPE (fail()) if the key holds another type.
  Future<std::optional<Metadata>> find_typed(std::string name, RedisType type);

  // The metadata of a key this transaction creates: the version a new key starts at.
  Future<Metadata> new_metadata(RedisType type);

  // Writes `metadata` for `name`, which this transaction found as `previous` (nullopt: no
  // key, or one removed since), so that the expiry index and the counters follow.
  void put(std::string_view name, const Metadata& metadata,
           const std::optional<Metadata>& previous);
  // The database's counters.
  Future<int64_t> key_count();
  Future<int64_t> expiring_count();

  // Deletes the key as found (its metadata, elements and expiry entry).
  void remove(std::string_view name, const Metadata& metadata);

  // A string's value (its metadata's, or its chunks').
  Future<std::string> read_string(std::string name, Metadata metadata);
  // Makes `name` the string `value` expiring at `expire_at_ms` (0: never), replacing
  // `previous` (the key as found, if any, of any type). fails (fail()) when the value is
  // longer than the string limit (redis_knobs().string_bytes_max).
  Future<Void> write_string(std::string name, std::string value, int64_t expire_at_ms,
                            std::optional<Metadata> previous);

  // Every element of the key's current version, in key order: (element tuple, value).
  Future<std::vector<std::pair<Tuple, std::string>>> read_elements(std::string name,
                                                                   Metadata metadata);
  std::string element_key(std::string_view name, const Metadata& metadata,
                          const Tuple& element) const {
    return keyspace_.element_key(db_, name, metadata.version, element);
  }

 private:
  // Adds `delta` to a counter.
  void count(const std::string& counter, int64_t delta);
  Future<int64_t> read_count(std::string counter);

  Transaction& transaction_;
  const Keyspace& keyspace_;
  int64_t db_;
  int64_t now_ms_;
};

// Rows of [begin, end) in key order (`reverse`: from the end), at most `count` of them (0:
// all), however many reads the client's limits on one read make it take.
Future<std::vector<KeyValue>> read_rows(Transaction& transaction, std::string begin,
                                        std::string end, bool reverse, int64_t count);
// Every row of [begin, end), in key order.
inline Future<std::vector<KeyValue>> read_whole_range(Transaction& transaction, std::string begin,
                                                      std::string end) {
  return read_rows(transaction, std::move(begin), std::move(end), false, 0);
}

// The error a string longer than the limit gets.
[[noreturn]] void fail_string_too_long();

}  // namespace strata::redis
