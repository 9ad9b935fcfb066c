#pragma once

// A storage engine: an ordered map from keys to values that a storage server keeps its
// durable state in. Changes are buffered and made durable together by commit().
//
// Atomicity: after a crash, the store holds exactly what it held after some commit() that
// completed (or after the one in progress when the crash came), never part of a commit.
// Reads see every change made before the last commit() that completed; they may or may
// not see changes made after it. (The storage server never reads what it has not yet
// committed: its in-memory versions cover those.)
//
// All calls are made from the event loop. read_value, read_range and commit may suspend;
// set and clear never do. One owner at a time; not thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interfaces/types.h"
#include "runtime/future.h"

namespace strata {

enum class StorageEngine : uint8_t { memory = 0, rocksdb = 1 };

std::string_view storage_engine_name(StorageEngine engine);
// Throws invalid_option_value naming `name` when it is neither "memory" nor "rocksdb".
StorageEngine parse_storage_engine(std::string_view name);

struct RangeReadResult {
  std::vector<KeyValue> rows;
  // More pairs exist in the range beyond the last row returned.
  bool more = false;
};

struct StorageBytes {
  int64_t used = 0;       // bytes of the store's files
  int64_t available = 0;  // bytes the store could still grow into, if known (else 0)
};

class KeyValueStore {
 public:
  virtual ~KeyValueStore() = default;

  virtual void set(std::string_view key, std::string_view value) = 0;
  // Removes every key in [range.begin, range.end).
  virtual void clear(const KeyRange& range) = 0;
  virtual Future<Void> commit() = 0;

  virtual Future<std::optional<Value>> read_value(Key key) = 0;
  // Pairs of `range` in key order (reverse: from the end), at most `row_limit` of them,
  // stopping after the pair that reaches `byte_limit` bytes of keys and values. Both
  // limits are positive.
  virtual Future<RangeReadResult> read_range(KeyRange range, int row_limit, int64_t byte_limit,
                                             bool reverse) = 0;

  virtual StorageBytes storage_bytes() const = 0;
  virtual StorageEngine engine() const = 0;
};

// Opens the store kept in `directory` (creating it if needed) and recovers it. Fails
// with file_corrupt when the files cannot be recovered, lock_file_failure when another
// process has them open, or the file system's errors.
Future<std::unique_ptr<KeyValueStore>> open_key_value_store(StorageEngine engine,
                                                            std::string directory);

}  // namespace strata
