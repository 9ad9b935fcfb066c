#pragma once

// The memory storage engine: every pair lives in an ordered in-memory map, made durable
// through a DiskQueue (DIRECTORY/memory-store.0 and .1) that works as a write-ahead log.
// It uses files only through the environment, so it runs unchanged in simulation.
//
// Every change appends a record to the log. Records are buffered in the store until
// commit(), which hands them to the queue together and commits the queue: a queue write
// therefore never holds part of a commit, and a crash keeps whole commits only.
//
// The log is kept bounded by an incremental snapshot that runs in the background: a pass
// walks the key space in key order and logs each pair's current value as a snapshot
// item, interleaved with ordinary changes, between a pass-begin and a pass-end record.
// Once the end of a pass is durable, everything logged before its beginning is popped.
// Recovery replays from the beginning of the last completed pass (memory_store.cpp
// explains why that yields exactly the committed state). A pass that was under way is
// abandoned and a new one starts, so a store that crashes more often than a pass takes
// does not pop until a pass completes.
//
// Snapshot writing is paced by commits: each commit that carries changes grants
// memory_store_snapshot_bytes_per_commit bytes plus the size of its changes, written in
// batches of at most memory_store_snapshot_batch_bytes_max with a yield between them, so
// it neither starves commits nor falls behind the changes. A completed pass uses up its
// grant. The log thus stays within a small multiple of the data: about two passes and
// the changes made meanwhile.
//
// Owned by one actor at a time; all calls run on the event loop. set and clear never
// suspend; reads are served from memory and are ready at once; commit() suspends until
// the queue's write is durable (the caller resumes in a task of its own, so it may
// destroy the store right away). The store owns its queue, its map, its lock on
// DIRECTORY/memory-store.lock and its background snapshot actor; destroying the store
// cancels that actor and drops every change not yet committed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/environment.h"
#include "server/disk/disk_queue.h"
#include "server/ordered_key_map.h"
#include "server/storage/engines/key_value_store.h"

namespace strata {

// What the snapshot has done since the store was opened, for tests, status and
// simulation checks.
struct MemoryStoreStats {
  uint64_t records_replayed = 0;  // by the recovery that opened the store
  bool pass_abandoned = false;    // recovery found a pass under way and dropped it
  uint64_t snapshot_items_written = 0;
  uint64_t passes_completed = 0;  // pass-end records logged
  uint64_t pops = 0;              // times the queue's front was released
};

class MemoryStore final : public KeyValueStore {
 public:
  // Opens (creating it if needed) the store in `directory` and replays its log. Fails
  // with file_corrupt (naming the directory and the record) when a recovered record does
  // not decode or the snapshot records are inconsistent, with lock_file_failure when
  // another open store holds the directory, or with the file system's errors.
  static Future<std::unique_ptr<MemoryStore>> open(std::string directory);

  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;
  ~MemoryStore() override;

  void set(std::string_view key, std::string_view value) override;
  void clear(const KeyRange& range) override;
  // Fails with the queue's write error; after one failure every later commit fails too.
  Future<Void> commit() override;

  Future<std::optional<Value>> read_value(Key key) override;
  Future<RangeReadResult> read_range(KeyRange range, int row_limit, int64_t byte_limit,
                                     bool reverse) override;

  // used: the queue's files; available: what memory_store_bytes_max leaves after
  // the bytes of keys and values held now.
  StorageBytes storage_bytes() const override;
  StorageEngine engine() const override { return StorageEngine::memory; }

  // Bytes of the keys and values in the map (uncommitted changes included).
  int64_t data_bytes() const { return data_bytes_; }
  const MemoryStoreStats& stats() const { return stats_; }
  const DiskQueue& queue() const { return *queue_; }

  // The log's records (memory_store.cpp defines their format).
  enum class RecordType : uint8_t;
  struct Record;

 private:
  struct PendingRecord {
    RecordType type;
    uint64_t pass;  // pass markers and items: their pass
    std::string bytes;
  };

  MemoryStore(std::string directory, std::shared_ptr<File> lock, std::unique_ptr<DiskQueue> queue);

  void recover(const std::vector<DiskQueue::Record>& records);
  void replay(const Record& record, DiskQueue::Location location);
  void push_pending();
  void pop_completed_pass();
  void grant_snapshot_credit(int64_t bytes);
  Future<Void> write_snapshot();
  void write_snapshot_batch();
  void put(std::string_view key, std::string_view value);
  void erase(const KeyRange& range);

  std::string directory_;
  // Held open for the store's lifetime: its lock keeps a second store out.
  std::shared_ptr<File> lock_;
  std::unique_ptr<DiskQueue> queue_;

  OrderedKeyMap<std::string> data_;
  int64_t data_bytes_ = 0;

  // Records logged since the last commit(), in order, including snapshot records.
  std::vector<PendingRecord> pending_;
  // Bytes of the set and clear records among them: they decide the snapshot's credit.
  int64_t pending_change_bytes_ = 0;

  // The snapshot pass under way, if any. Invariant: every key below `cursor` that has
  // existed without interruption since the pass began has been logged as an item of it.
  struct Pass {
    bool active = false;
    uint64_t number = 0;
    std::string cursor;
  };
  Pass pass_;
  uint64_t next_pass_number_ = 1;
  // The most recent pass-begin record handed to the queue: its pass and location.
  uint64_t pushed_begin_pass_ = 0;
  DiskQueue::Location pushed_begin_location_ = 0;
  // A completed pass whose log before `begin` can be popped once the queue is durable
  // up to `end` (the end of its pass-end record).
  struct CompletedPass {
    DiskQueue::Location begin;
    DiskQueue::Location end;
  };
  std::optional<CompletedPass> completed_pass_;
  // Snapshot bytes granted by commits and not yet written (may go below zero by part of
  // one item).
  int64_t snapshot_credit_bytes_ = 0;

  MemoryStoreStats stats_;
  // Declared last so that it is destroyed (cancelled) before the state it uses.
  Future<Void> snapshot_writer_;
};

}  // namespace strata
