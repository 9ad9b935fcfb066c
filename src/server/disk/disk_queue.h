#pragma once

// A durable, append-only queue of records: the log's disk format, and the write-ahead
// log of the memory storage engine.
//
// Records are appended (push), made durable together (commit: group commit, one write and
// one sync for everything pushed since the last one), and released from the front when no
// longer needed (pop). After a crash, open() recovers exactly the records of every commit
// that completed and was not popped, in order.
//
// Atomicity is per write round: a round writes every record pushed before it started,
// and after a crash all of them come back or none. A round may start whenever the caller
// suspends, and may carry records pushed after the commit() that asked for it; so records
// pushed without suspending in between always share a round (all or nothing), and a
// caller that needs a larger group all-or-nothing holds its records back and pushes them
// together.
//
// On disk: two files, PATH.0 and PATH.1, of fixed-size pages. A page carries a checksum,
// a sequence number (one more than the page before it, across both files), the commit it
// belongs to (its first page and page count) and a slice of the record stream. Every
// commit starts on a fresh page: a page that holds synced data is never written again, so
// a crash can only damage pages of the commit in progress. Recovery reads both files,
// keeps the pages that pass their checksum, follows the sequence numbers from the oldest
// and stops at the first gap or incomplete commit. Writing goes on in one file until it
// exceeds disk_queue_file_bytes_target; once everything in the other file is popped, that
// file is truncated (durably) and written from its start.
//
// Durable records can be read back (read): the log serves the data it spilled out of memory
// from here. An index of each page's place in the stream (8 bytes per 4 KiB page) finds
// them; every page read is checked again, so a damaged page fails the read with
// file_corrupt instead of returning wrong bytes.
//
// Owned by one actor at a time; calls run on the event loop. commit() and read() may
// suspend; the others do not.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/environment.h"
#include "runtime/future.h"

namespace strata {

class DiskQueue {
 public:
  // A record's place in the queue: the offset of its first byte in the record stream.
  using Location = uint64_t;

  struct Record {
    Location location;
    std::string bytes;
  };

  struct Recovery {
    std::unique_ptr<DiskQueue> queue;
    // The live records, oldest first.
    std::vector<Record> records;
  };

  // Opens (creating if missing) the queue in PATH.0 and PATH.1 and recovers it. Fails
  // with file_corrupt (naming the file) if the files hold something recovery cannot
  // explain, or with the file system's errors.
  static Future<Recovery> open(std::string path);

  DiskQueue(const DiskQueue&) = delete;
  DiskQueue& operator=(const DiskQueue&) = delete;
  ~DiskQueue();

  // Appends a record (at most disk_queue_record_bytes_max bytes); durable once a commit()
  // started after this call completes.
  Location push(std::string_view record);
  // Makes every record pushed so far durable. Concurrent commits share the writing.
  Future<Void> commit();
  // Every record before `location` may be forgotten (locations only move forward).
  void pop(Location location);
  // The durable records from `from` (a record's location, not popped) on, oldest first:
  // at least one when `from` is below the durable end, and then as many whole records as
  // about `bytes_max` of the stream holds. Fails with file_corrupt if a page read back is
  // damaged or no longer holds what it held (a file reused under a read of popped data).
  Future<std::vector<Record>> read(Location from, int64_t bytes_max);

  Location end_location() const { return pushed_end_; }
  Location popped_location() const { return popped_; }
  Location durable_location() const { return durable_end_; }
  // Bytes of the two files, for status and space accounting.
  int64_t bytes_on_disk() const;
  const std::string& path() const { return path_; }

  struct PageHeader;

 private:
  struct QueueFile;

  DiskQueue(std::string path, std::shared_ptr<File> first, std::shared_ptr<File> second);

  Future<Void> write_loop();
  Future<Void> write_commit(std::string stream_bytes, Location first_byte);
  Future<Void> switch_files_if_worthwhile();
  // The stream's bytes [begin, end), all durable.
  Future<std::string> read_stream(Location begin, Location end);

  std::string path_;
  std::vector<std::unique_ptr<QueueFile>> files_;
  // Index of the file being written.
  int current_ = 0;
  uint64_t next_sequence_ = 1;

  // Bytes pushed but not yet handed to a write, and where they start in the stream.
  std::string unwritten_;
  Location unwritten_start_ = 0;
  Location pushed_end_ = 0;
  Location durable_end_ = 0;
  Location popped_ = 0;

  // Commits waiting for durable_end_ to reach their target.
  struct Waiter {
    Location target;
    Promise<Void> done;
  };
  std::vector<Waiter> waiters_;
  // False once the queue is destroyed; the writer checks it after waking waiters.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  Future<Void> writer_;
  std::optional<Error> failed_;
};

}  // namespace strata
