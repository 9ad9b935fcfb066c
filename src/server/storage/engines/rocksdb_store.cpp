#include "server/storage/engines/rocksdb_store.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "runtime/environment.h"
#include "runtime/trace.h"
#include "server/server_knobs.h"

namespace strata {

namespace {

Error rocksdb_error(const rocksdb::Status& status, const std::string& directory,
                    std::string_view operation) {
  std::string detail =
      "rocksdb store " + directory + ": " + std::string(operation) + ": " + status.ToString();
  if (status.IsNoSpace()) return Error(ErrorCode::disk_full, detail);
  if (status.IsCorruption()) return Error(ErrorCode::file_corrupt, detail);
  // RocksDB reports a LOCK file held by another database (in this process or another)
  // as an I/O error naming the file.
  if (status.IsIOError() && detail.find("/LOCK") != std::string::npos) {
    return Error(ErrorCode::lock_file_failure, detail);
  }
  return Error(ErrorCode::io_error, detail);
}

void check(const rocksdb::Status& status, const std::string& directory,
           std::string_view operation) {
  if (!status.ok()) throw rocksdb_error(status, directory, operation);
}

// The options documented in rocksdb_store.h. Built on the loop's thread (knobs are read
// there) and handed to the blocking job.
rocksdb::Options database_options() {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.max_background_jobs = server_knobs().rocksdb_background_jobs;
  options.keep_log_file_num = 3;
  options.max_log_file_size = size_t{4} * 1024 * 1024;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache =
      rocksdb::NewLRUCache(static_cast<size_t>(server_knobs().rocksdb_block_cache_bytes));
  table.cache_index_and_filter_blocks = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

// On a pool thread. `used` approximates the store's files: the table files plus the
// memtables, whose contents are what the write-ahead log holds.
StorageBytes measure(rocksdb::DB& db, const std::string& directory) {
  uint64_t table_bytes = 0;
  uint64_t memtable_bytes = 0;
  uint64_t free_bytes = 0;
  db.GetIntProperty(rocksdb::DB::Properties::kTotalSstFilesSize, &table_bytes);
  db.GetIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &memtable_bytes);
  StorageBytes bytes;
  bytes.used = static_cast<int64_t>(table_bytes + memtable_bytes);
  if (db.GetEnv()->GetFreeSpace(directory, &free_bytes).ok()) {
    bytes.available = static_cast<int64_t>(free_bytes);
  }
  return bytes;
}

// What the store shares with the calls it has in flight. Pool threads use only `db`
// (thread-safe) and `directory` (never changed); `storage_bytes` belongs to the loop.
struct SharedDatabase {
  std::string directory;
  std::shared_ptr<rocksdb::DB> db;
  StorageBytes storage_bytes;
};

struct Opened {
  std::shared_ptr<rocksdb::DB> db;
  StorageBytes storage_bytes;
};

// Writes `batch` after `previous` (the commit made before it) has been written; fails
// with the first failure in the chain. Touches only what it holds, so it may outlive
// the store.
Future<Void> write_after(Future<Void> previous, std::shared_ptr<SharedDatabase> database,
                         std::shared_ptr<rocksdb::WriteBatch> batch) {
  if (previous.is_valid()) co_await previous;
  if (batch->Count() == 0) co_return;
  database->storage_bytes = co_await run_blocking([database, batch] {
    rocksdb::WriteOptions options;
    options.sync = true;
    check(database->db->Write(options, batch.get()), database->directory, "commit");
    return measure(*database->db, database->directory);
  });
}

class RocksDbStore final : public KeyValueStore {
 public:
  explicit RocksDbStore(std::shared_ptr<SharedDatabase> database)
      : database_(std::move(database)), batch_(std::make_unique<rocksdb::WriteBatch>()) {}

  void set(std::string_view key, std::string_view value) override {
    check(batch_->Put(rocksdb::Slice(key.data(), key.size()),
                      rocksdb::Slice(value.data(), value.size())),
          database_->directory, "set");
  }

  void clear(const KeyRange& range) override {
    if (range.empty()) return;
    check(batch_->DeleteRange(range.begin, range.end), database_->directory, "clear");
  }

  Future<Void> commit() override {
    std::shared_ptr<rocksdb::WriteBatch> batch =
        std::exchange(batch_, std::make_unique<rocksdb::WriteBatch>());
    last_commit_ = write_after(last_commit_, database_, std::move(batch));
    return last_commit_;
  }

  // Reads first try RocksDB's memory only (memtables and block cache), on the loop: that
  // answers at once when the data is cached, without a trip to a pool thread and back,
  // which cost more than the read itself. Only reads that would touch the disk go to the
  // pool.
  Future<std::optional<Value>> read_value(Key key) override {
    if (std::optional<std::optional<Value>> cached = read_value_now(*database_, key, memory_only()))
      return std::move(*cached);
    return run_blocking([database = database_, key = std::move(key)] {
      return *read_value_now(*database, key, rocksdb::ReadOptions());
    });
  }

  Future<RangeReadResult> read_range(KeyRange range, int row_limit, int64_t byte_limit,
                                     bool reverse) override {
    STRATA_ASSERT_MSG(row_limit > 0 && byte_limit > 0, "range read limits must be positive");
    if (range.empty()) return RangeReadResult{};
    if (std::optional<RangeReadResult> cached =
            read_range_now(*database_, range, row_limit, byte_limit, reverse, memory_only())) {
      return std::move(*cached);
    }
    return run_blocking(
        [database = database_, range = std::move(range), row_limit, byte_limit, reverse] {
          return *read_range_now(*database, range, row_limit, byte_limit, reverse,
                                 rocksdb::ReadOptions());
        });
  }

  StorageBytes storage_bytes() const override { return database_->storage_bytes; }
  StorageEngine engine() const override { return StorageEngine::rocksdb; }

 private:
  static rocksdb::ReadOptions memory_only() {
    rocksdb::ReadOptions options;
    options.read_tier = rocksdb::kBlockCacheTier;
    return options;
  }

  // The value (nullopt inside: the key is absent), or nullopt when `options` keep to
  // memory and the key's data is not there.
  static std::optional<std::optional<Value>> read_value_now(const SharedDatabase& database,
                                                            const Key& key,
                                                            const rocksdb::ReadOptions& options) {
    std::string value;
    rocksdb::Status status = database.db->Get(options, key, &value);
    if (status.ok()) return std::optional<Value>(std::move(value));
    if (status.IsNotFound()) return std::optional<Value>();
    if (status.IsIncomplete() && options.read_tier == rocksdb::kBlockCacheTier) return std::nullopt;
    throw rocksdb_error(status, database.directory, "read");
  }

  // The rows, or nullopt when `options` keep to memory and the rows are not all there.
  static std::optional<RangeReadResult> read_range_now(const SharedDatabase& database,
                                                       const KeyRange& range, int row_limit,
                                                       int64_t byte_limit, bool reverse,
                                                       rocksdb::ReadOptions options) {
    rocksdb::Slice lower(range.begin);
    rocksdb::Slice upper(range.end);
    options.iterate_lower_bound = &lower;
    options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> pairs(database.db->NewIterator(options));
    if (reverse) {
      pairs->SeekToLast();
    } else {
      pairs->Seek(lower);
    }
    RangeReadResult result;
    int64_t bytes = 0;
    for (; pairs->Valid(); reverse ? pairs->Prev() : pairs->Next()) {
      if (static_cast<int>(result.rows.size()) == row_limit || bytes >= byte_limit) {
        result.more = true;
        break;
      }
      result.rows.push_back(KeyValue{pairs->key().ToString(), pairs->value().ToString()});
      bytes += static_cast<int64_t>(pairs->key().size() + pairs->value().size());
    }
    if (pairs->status().IsIncomplete() && options.read_tier == rocksdb::kBlockCacheTier) {
      return std::nullopt;
    }
    check(pairs->status(), database.directory, "range read");
    return result;
  }

  std::shared_ptr<SharedDatabase> database_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
  // The last commit made: the next one is written after it.
  Future<Void> last_commit_;
};

}  // namespace

Future<std::unique_ptr<KeyValueStore>> open_rocksdb_store(std::string directory) {
  STRATA_ASSERT_MSG(!env().is_simulated(), "the rocksdb storage engine cannot run in simulation");
  co_await env().create_directories(directory);
  Opened opened = co_await run_blocking([directory, options = database_options()] {
    rocksdb::DB* db = nullptr;
    check(rocksdb::DB::Open(options, directory, &db), directory, "open");
    Opened result;
    result.db.reset(db);
    result.storage_bytes = measure(*db, directory);
    return result;
  });
  auto database = std::make_shared<SharedDatabase>();
  database->directory = directory;
  database->db = std::move(opened.db);
  database->storage_bytes = opened.storage_bytes;
  TraceEvent("RocksDbStoreOpened")
      .detail("Directory", directory)
      .detail("UsedBytes", database->storage_bytes.used);
  co_return std::make_unique<RocksDbStore>(std::move(database));
}

}  // namespace strata
