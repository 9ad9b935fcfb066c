#include "server/storage/engines/memory_store.h"

#include <algorithm>
#include <utility>

#include "rpc/serialize.h"
#include "runtime/buggify.h"
#include "runtime/trace.h"
#include "server/server_knobs.h"

// The log and why replaying it from the beginning of the last completed pass gives the
// committed state.
//
// Records, in log order: set(key, value), clear(begin, end), snapshot item(key, value),
// pass begin(n), pass end(n). An item is logged from the map, which already holds every
// change logged before it, so it carries the key's value at that point of the log.
//
// Let B be the pass-begin record of the last pass whose pass-end record E was
// recovered, and R the map rebuilt by replaying, in order, every record from B to the
// end of what was recovered (a whole number of commits). Say a record names a key when
// it is an item or a set of that key, or a clear whose range holds it.
//   (1) At every point p from B on, a key named by some record in [B, p] has the same
//       value (or absence) in R as in the store at p: the last such record decides both.
//       A set or clear did to the store exactly what it does to R; an item carries the
//       store's value at its point, and no change to the key came after it up to p, or
//       that change's record would name the key later.
//   (2) A key no record in [B, p] names is absent from R: R starts empty.
//   (3) At E, every key present in the store is named in [B, E]. A key changed after B
//       is named by its change. A key present and unchanged from B to E was in the map
//       all the while the pass walked from the empty key to the end of the key space, so
//       the pass logged an item for it (the cursor skips only positions where no key
//       existed at that moment). Keys inserted behind the cursor are not visited, but
//       their set comes after B; keys deleted before or after the cursor reached them
//       are named by the clear that deleted them.
//   (4) After E, a key can only appear in the store through a set, which names it.
// So from E on, every key present in the store is named and (1) gives it its value,
// and every absent key is absent from R by (1) or (2): R equals the store at every point
// after E, in particular after the last recovered commit. Items of later passes and of
// passes abandoned by a crash are just more records of kind (1).
//
// Popping: the log before B is released only once E is durable, so every recovery finds
// E and everything from B on (a pop is written in the pages of a later commit). Until a
// pass has completed nothing is popped, and replay starts at the first record. A pass
// under way when the store crashed is abandoned: the store starts a new one, whose
// begin record (and so the location to pop to once it completes) is known from push().
// Recovered record locations are not used for popping: DiskQueue numbers recovered
// records from its durable pop point, which after a crash in the middle of a file switch
// can lie before the first byte it recovered, so those locations may be too small and
// not fall on record boundaries.

namespace strata {

enum class MemoryStore::RecordType : uint8_t {
  set = 1,
  clear_range = 2,
  snapshot_item = 3,
  pass_begin = 4,
  pass_end = 5,
};

// A decoded log record: a pair for set and items, a range for clears, a pass number for
// the pass markers.
struct MemoryStore::Record {
  RecordType type = RecordType::set;
  std::string first;
  std::string second;
  uint64_t pass = 0;
};

namespace {

using RecordType = MemoryStore::RecordType;

// u8 type | u32 length | first | u32 length | second, little-endian.
std::string encode_pair(RecordType type, std::string_view first, std::string_view second) {
  BinaryWriter writer;
  writer.write_integer(static_cast<uint8_t>(type));
  writer.write_integer(static_cast<uint32_t>(first.size()));
  writer.write_raw(first.data(), first.size());
  writer.write_integer(static_cast<uint32_t>(second.size()));
  writer.write_raw(second.data(), second.size());
  return writer.take();
}

// u8 type | u64 pass number.
std::string encode_pass(RecordType type, uint64_t pass) {
  BinaryWriter writer;
  writer.write_integer(static_cast<uint8_t>(type));
  writer.write_integer(pass);
  return writer.take();
}

// DiskQueue completes commits from inside its write loop, which goes on using the queue
// after it has woken the waiters: the caller resumes in a task of its own instead, so
// that it may destroy the store (and the queue) as soon as its commit completes.
Future<Void> resume_separately(Future<Void> committed) {
  co_await committed;
  co_await yield();
}

bool is_pair_record(RecordType type) {
  return type == RecordType::set || type == RecordType::clear_range ||
         type == RecordType::snapshot_item;
}

std::string_view record_type_name(RecordType type) {
  switch (type) {
    case RecordType::set:
      return "set";
    case RecordType::clear_range:
      return "clear";
    case RecordType::snapshot_item:
      return "snapshot item";
    case RecordType::pass_begin:
      return "pass begin";
    case RecordType::pass_end:
      return "pass end";
  }
  return "unknown";
}

// Throws serialization_failed when `bytes` is not exactly one well-formed record.
MemoryStore::Record decode_record(std::string_view bytes) {
  BinaryReader reader(bytes);
  MemoryStore::Record record;
  auto type = reader.read_integer<uint8_t>();
  record.type = static_cast<RecordType>(type);
  if (is_pair_record(record.type)) {
    reader(record.first, record.second);
  } else if (record.type == RecordType::pass_begin || record.type == RecordType::pass_end) {
    record.pass = reader.read_integer<uint64_t>();
  } else {
    reader.fail("unknown record type " + std::to_string(type));
  }
  reader.expect_end();
  return record;
}

}  // namespace

Future<std::unique_ptr<MemoryStore>> MemoryStore::open(std::string directory) {
  co_await env().create_directories(directory);
  std::shared_ptr<File> lock =
      co_await env().open_file(directory + "/memory-store.lock",
                               open_flags::read_write | open_flags::create | open_flags::lock);
  DiskQueue::Recovery recovery = co_await DiskQueue::open(directory + "/memory-store");
  // The queue's files may have just been created; make their names durable.
  co_await env().sync_directory(directory);
  std::unique_ptr<MemoryStore> store(
      new MemoryStore(directory, std::move(lock), std::move(recovery.queue)));
  store->recover(recovery.records);
  TraceEvent("MemoryStoreOpened")
      .detail("Directory", directory)
      .detail("Keys", store->data_.size())
      .detail("DataBytes", store->data_bytes_)
      .detail("RecordsRecovered", recovery.records.size())
      .detail("RecordsReplayed", store->stats_.records_replayed)
      .detail("QueueBytes", store->queue_->bytes_on_disk());
  co_return store;
}

MemoryStore::MemoryStore(std::string directory, std::shared_ptr<File> lock,
                         std::unique_ptr<DiskQueue> queue)
    : directory_(std::move(directory)), lock_(std::move(lock)), queue_(std::move(queue)) {}

MemoryStore::~MemoryStore() {
  snapshot_writer_.cancel();
}

// ---- recovery ----

void MemoryStore::recover(const std::vector<DiskQueue::Record>& records) {
  // Decode everything first: a record that does not decode is corruption wherever it is.
  std::vector<Record> decoded;
  decoded.reserve(records.size());
  for (const DiskQueue::Record& record : records) {
    try {
      decoded.push_back(decode_record(record.bytes));
    } catch (Error& error) {
      if (!error.is(ErrorCode::serialization_failed)) throw;
      throw Error(ErrorCode::file_corrupt, "memory store " + directory_ + ": the log record at " +
                                               std::to_string(record.location) +
                                               " does not decode: " + std::string(error.detail()));
    }
  }
  // Replay starts at the beginning of the last completed pass (or at the first record
  // when no pass has completed, in which case nothing was ever popped).
  size_t start = 0;
  for (size_t end = decoded.size(); end-- > 0;) {
    if (decoded[end].type != RecordType::pass_end) continue;
    const uint64_t pass = decoded[end].pass;
    size_t begin = end;
    while (begin-- > 0) {
      if (decoded[begin].type == RecordType::pass_begin && decoded[begin].pass == pass) break;
    }
    if (begin == static_cast<size_t>(-1)) {
      throw Error(ErrorCode::file_corrupt, "memory store " + directory_ + ": snapshot pass " +
                                               std::to_string(pass) +
                                               " ended but its beginning was not recovered");
    }
    start = begin;
    break;
  }
  for (size_t i = start; i < decoded.size(); ++i)
    replay(decoded[i], records[i].location);
  stats_.records_replayed = decoded.size() - start;
  // A pass under way is abandoned; the next pass starts with the next credit.
  STRATA_PROBE(pass_.active, "memory store recovery abandons a snapshot pass under way");
  stats_.pass_abandoned = pass_.active;
  pass_ = Pass{};
}

void MemoryStore::replay(const Record& record, DiskQueue::Location location) {
  auto corrupt = [&](const std::string& problem) {
    return Error(ErrorCode::file_corrupt, "memory store " + directory_ + ": the " +
                                              std::string(record_type_name(record.type)) +
                                              " record at " + std::to_string(location) + " " +
                                              problem);
  };
  switch (record.type) {
    case RecordType::set:
      put(record.first, record.second);
      return;
    case RecordType::clear_range:
      // The store never logs an empty clear.
      if (record.first >= record.second) throw corrupt("clears an empty range");
      erase(KeyRange{record.first, record.second});
      return;
    case RecordType::snapshot_item:
      // Items of a pass come in strictly increasing key order, inside the pass.
      if (!pass_.active) throw corrupt("is outside every snapshot pass");
      if (record.first < pass_.cursor) throw corrupt("is out of key order");
      put(record.first, record.second);
      pass_.cursor = record.first;
      pass_.cursor.push_back('\0');
      return;
    case RecordType::pass_begin:
      // A begin while a pass is under way: that pass was abandoned by a crash.
      if (record.pass < next_pass_number_) throw corrupt("does not number passes upwards");
      pass_ = Pass{true, record.pass, std::string()};
      next_pass_number_ = record.pass + 1;
      return;
    case RecordType::pass_end:
      if (!pass_.active || pass_.number != record.pass) {
        throw corrupt("ends pass " + std::to_string(record.pass) + ", which is not under way");
      }
      pass_.active = false;
      return;
  }
  STRATA_UNREACHABLE("decode_record accepted an unknown record type");
}

// ---- changes and commits ----

void MemoryStore::set(std::string_view key, std::string_view value) {
  std::string record = encode_pair(RecordType::set, key, value);
  pending_change_bytes_ += static_cast<int64_t>(record.size());
  pending_.push_back({RecordType::set, 0, std::move(record)});
  put(key, value);
}

void MemoryStore::clear(const KeyRange& range) {
  if (range.empty()) return;
  std::string record = encode_pair(RecordType::clear_range, range.begin, range.end);
  pending_change_bytes_ += static_cast<int64_t>(record.size());
  pending_.push_back({RecordType::clear_range, 0, std::move(record)});
  erase(range);
}

Future<Void> MemoryStore::commit() {
  // A pop is recorded in the pages of the next write, so this commit carries it.
  pop_completed_pass();
  const int64_t change_bytes = std::exchange(pending_change_bytes_, 0);
  push_pending();
  // Only commits that change something drive the snapshot: an idle store does not keep
  // rewriting itself, and a busy one snapshots at least as fast as it changes.
  if (change_bytes > 0) {
    grant_snapshot_credit(server_knobs().memory_store_snapshot_bytes_per_commit + change_bytes);
  }
  return resume_separately(queue_->commit());
}

void MemoryStore::push_pending() {
  for (PendingRecord& record : pending_) {
    DiskQueue::Location location = queue_->push(record.bytes);
    if (record.type == RecordType::pass_begin) {
      pushed_begin_pass_ = record.pass;
      pushed_begin_location_ = location;
    } else if (record.type == RecordType::pass_end) {
      STRATA_ASSERT_MSG(pushed_begin_pass_ == record.pass,
                        "a snapshot pass ends that did not begin in this store's lifetime");
      completed_pass_ = CompletedPass{pushed_begin_location_, queue_->end_location()};
    }
  }
  pending_.clear();
}

void MemoryStore::pop_completed_pass() {
  if (!completed_pass_) return;
  const bool end_durable = queue_->durable_location() >= completed_pass_->end;
  STRATA_PROBE(!end_durable, "memory store delays a pop until its pass end is durable");
  if (!end_durable) return;
  STRATA_ASSERT(completed_pass_->begin < completed_pass_->end);
  queue_->pop(completed_pass_->begin);
  completed_pass_.reset();
  ++stats_.pops;
}

// ---- the snapshot ----

void MemoryStore::grant_snapshot_credit(int64_t bytes) {
  STRATA_ASSERT(bytes > 0);
  snapshot_credit_bytes_ += bytes;
  if (!snapshot_writer_.is_valid() || snapshot_writer_.is_ready()) {
    snapshot_writer_ = write_snapshot();
  }
}

Future<Void> MemoryStore::write_snapshot() {
  // Runs after the commit that granted the credit, and yields between batches so that
  // commits and reads are never held up for more than one batch.
  co_await yield();
  while (snapshot_credit_bytes_ > 0) {
    write_snapshot_batch();
    co_await yield();
  }
}

void MemoryStore::write_snapshot_batch() {
  int64_t budget =
      std::min(snapshot_credit_bytes_, server_knobs().memory_store_snapshot_batch_bytes_max);
  if (BUGGIFY) budget = 1;  // one item per batch: changes interleave with the pass
  if (!pass_.active) {
    pass_ = Pass{true, next_pass_number_++, std::string()};
    pending_.push_back(
        {RecordType::pass_begin, pass_.number, encode_pass(RecordType::pass_begin, pass_.number)});
  }
  int64_t written = 0;
  auto next = data_.lower_bound(pass_.cursor);
  // At least one item per batch, so a pass always progresses.
  while (next != data_.end() && written < budget) {
    std::string record = encode_pair(RecordType::snapshot_item, next->first, next->second);
    written += static_cast<int64_t>(record.size());
    pending_.push_back({RecordType::snapshot_item, pass_.number, std::move(record)});
    ++stats_.snapshot_items_written;
    ++next;
  }
  snapshot_credit_bytes_ -= written;
  if (next != data_.end()) {
    // Every key between the last item and `next` is absent right now: the invariant on
    // the cursor holds with the cursor at `next`.
    pass_.cursor = next->first;
    return;
  }
  pending_.push_back(
      {RecordType::pass_end, pass_.number, encode_pass(RecordType::pass_end, pass_.number)});
  pass_.active = false;
  ++stats_.passes_completed;
  // A completed pass uses up the grant: the next pass starts with a later commit's
  // credit, so a small store is not rewritten many times per commit.
  snapshot_credit_bytes_ = std::min<int64_t>(snapshot_credit_bytes_, 0);
}

// ---- the map ----

void MemoryStore::put(std::string_view key, std::string_view value) {
  auto [pair, inserted] = data_.try_emplace(key);
  if (inserted) data_bytes_ += static_cast<int64_t>(key.size());
  data_bytes_ += static_cast<int64_t>(value.size()) - static_cast<int64_t>(pair->second.size());
  pair->second.assign(value);
  STRATA_ASSERT(data_bytes_ >= 0);
}

void MemoryStore::erase(const KeyRange& range) {
  auto first = data_.lower_bound(range.begin);
  auto last = data_.lower_bound(range.end);
  for (auto pair = first; pair != last; ++pair)
    data_bytes_ -= static_cast<int64_t>(pair->first.size() + pair->second.size());
  data_.erase(first, last);
  STRATA_ASSERT(data_bytes_ >= 0);
}

// ---- reads ----

Future<std::optional<Value>> MemoryStore::read_value(Key key) {
  auto found = data_.find(key);
  if (found == data_.end()) return std::optional<Value>();
  return std::optional<Value>(found->second);
}

Future<RangeReadResult> MemoryStore::read_range(KeyRange range, int row_limit, int64_t byte_limit,
                                                bool reverse) {
  STRATA_ASSERT_MSG(row_limit > 0 && byte_limit > 0, "range read limits must be positive");
  RangeReadResult result;
  if (range.empty()) return result;
  auto first = data_.lower_bound(range.begin);
  auto last = data_.lower_bound(range.end);
  int64_t bytes = 0;
  auto take = [&](const std::pair<const std::string, std::string>& pair) {
    if (static_cast<int>(result.rows.size()) == row_limit || bytes >= byte_limit) {
      result.more = true;
      return false;
    }
    result.rows.push_back(KeyValue{pair.first, pair.second});
    bytes += static_cast<int64_t>(pair.first.size() + pair.second.size());
    return true;
  };
  if (reverse) {
    for (auto pair = last; pair != first;) {
      if (!take(*--pair)) break;
    }
  } else {
    for (auto pair = first; pair != last; ++pair) {
      if (!take(*pair)) break;
    }
  }
  return result;
}

StorageBytes MemoryStore::storage_bytes() const {
  StorageBytes bytes;
  bytes.used = queue_->bytes_on_disk();
  bytes.available = std::max<int64_t>(0, server_knobs().memory_store_bytes_max - data_bytes_);
  return bytes;
}

}  // namespace strata
