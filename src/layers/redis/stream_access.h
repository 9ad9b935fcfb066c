#pragma once

// A stream as one transaction sees it (stream_commands.cpp, stream_read_commands.cpp,
// stream_group_commands.cpp). Under the stream's version (keyspace.h):
//
//   (0, id)                          an entry: (node, field, value, field, value, ...)
//   (1, group)                       a consumer group: (last delivered ID, entries read)
//   (2, group, 0, consumer)          a consumer: (seen time)
//   (2, group, 1, id)                the group's pending entry: (consumer, delivery time,
//                                    delivery count)
//   (2, group, 2, consumer, id)      the same entry, in its consumer's index
//
// IDs are 16 bytes (stream_id.h), so entries and pending entries lie in ID order. A
// pending entry is in both the group's list and its consumer's index, or in neither: every
// write here keeps them together. Counts (pending entries, consumers, groups) are read, not
// kept: they cost what they count.
//
// The stream's own figures (last ID, entries added, greatest deleted ID, the tail node) are
// in its metadata (metadata.h). Unlike the other types, a stream stays when it becomes
// empty, as in Redis.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "layers/redis/key_store.h"
#include "layers/redis/stream_id.h"

namespace strata::redis {

struct StreamEntry {
  StreamId id;
  // Field, value, field, value, ...
  std::vector<std::string> fields;
  // The node it was added to (metadata.h, StreamFields).
  uint64_t node = 0;
};

struct ConsumerGroup {
  StreamId last_id;
  // How many of the stream's entries the group has read, counting from the first entry
  // ever added; -1 when that is not known (Redis's SCG_INVALID_ENTRIES_READ).
  int64_t entries_read = -1;
};

struct PendingEntry {
  std::string consumer;
  int64_t delivery_time_ms = 0;
  int64_t delivery_count = 0;
};

// XADD's and XTRIM's trimming (MAXLEN or MINID, "~" for approximate, LIMIT).
struct TrimArguments {
  enum class Strategy { none, maxlen, minid };
  Strategy strategy = Strategy::none;
  bool approximate = false;
  // Entries removed at most (0: no limit); only with "~".
  int64_t limit = 0;
  int64_t maxlen = 0;
  StreamId minid;
};

// Redis's SCG_INVALID_ENTRIES_READ.
inline constexpr int64_t entries_read_unknown = -1;

class Stream {
 public:
  Stream(KeyStore& store, std::string name, Metadata metadata);

  const Metadata& metadata() const { return metadata_; }
  StreamFields& fields() { return metadata_.stream; }
  const StreamFields& fields() const { return metadata_.stream; }
  int64_t length() const { return metadata_.size; }

  // Entries with IDs in [start, end], from the start (`reverse`: from the end), at most
  // `count` of them (0: all).
  Future<std::vector<StreamEntry>> range(StreamId start, StreamId end, bool reverse, int64_t count);
  Future<std::optional<StreamEntry>> entry(StreamId id);
  // The first entry's ID; 0-0 when empty (Redis's first_id).
  Future<StreamId> first_id();

  // Adds an entry at `id`, which must be above the last ID; `node_max_entries` and
  // `node_max_bytes` are the settings stream-node-max-entries and stream-node-max-bytes.
  void add(StreamId id, const std::vector<std::string>& fields, uint64_t node_max_entries,
           uint64_t node_max_bytes);
  // XDEL of one ID: whether there was such an entry.
  Future<bool> remove(StreamId id);
  // Trims as Redis's streamTrim would; how many entries went.
  Future<int64_t> trim(TrimArguments arguments);

  Future<std::optional<ConsumerGroup>> group(std::string name);
  void put_group(std::string_view name, const ConsumerGroup& group);
  // Every group, by name.
  Future<std::vector<std::pair<std::string, ConsumerGroup>>> groups();
  // Deletes the group, its consumers and its pending entries.
  void remove_group(std::string_view name);

  // A consumer's seen time, if it exists.
  Future<std::optional<int64_t>> consumer(std::string group, std::string name);
  void put_consumer(std::string_view group, std::string_view name, int64_t seen_time_ms);
  // Every consumer of the group, by name, with its seen time.
  Future<std::vector<std::pair<std::string, int64_t>>> consumers(std::string group);
  // Deletes the consumer and its pending entries; how many it had.
  Future<int64_t> remove_consumer(std::string group, std::string name);

  Future<std::optional<PendingEntry>> pending(std::string group, StreamId id);
  // Writes a pending entry; `previous_owner`: the consumer that had it, if any.
  void put_pending(std::string_view group, StreamId id, const PendingEntry& entry,
                   const std::optional<std::string>& previous_owner);
  void remove_pending(std::string_view group, StreamId id, std::string_view owner);
  // The group's pending entries with IDs in [start, end], at most `count` (0: all).
  Future<std::vector<std::pair<StreamId, PendingEntry>>> pending_range(std::string group,
                                                                       StreamId start, StreamId end,
                                                                       int64_t count);
  // The IDs a consumer has pending in [start, end], at most `count` (0: all).
  Future<std::vector<StreamId>> consumer_pending(std::string group, std::string consumer,
                                                 StreamId start, StreamId end, int64_t count);

  // Redis's streamEstimateDistanceFromFirstEverEntry: the read counter of `id`, or
  // entries_read_unknown.
  Future<int64_t> estimate_entries_read(StreamId id);
  // Redis's streamRangeHasTombstones from `start` to the end.
  Future<bool> has_tombstones_from(StreamId start);
  // The group's lag (entries not delivered yet); nullopt when it cannot be known.
  Future<std::optional<int64_t>> lag(ConsumerGroup group);
  // What delivering `id` (above the group's last ID) does to the group: its last ID and
  // read counter move (Redis's streamReplyWithRange).
  Future<Void> advance(ConsumerGroup& group, StreamId id);

  // The key whose change a client blocked on the group waits for (XGROUP DESTROY).
  std::string group_watch_key(std::string_view group) const { return group_key(group); }

  // Writes the metadata (a stream is kept when empty).
  void save(const std::optional<Metadata>& found) { store_.put(name_, metadata_, found); }

 private:
  std::string element(const Tuple& element) const;
  std::string entry_key(StreamId id) const;
  std::string group_key(std::string_view group) const;
  std::string consumer_key(std::string_view group, std::string_view consumer) const;
  std::string pending_key(std::string_view group, StreamId id) const;
  std::string owned_key(std::string_view group, std::string_view consumer, StreamId id) const;
  // Every key under an element tuple prefix.
  std::pair<std::string, std::string> under(const Tuple& prefix) const;
  StreamEntry decode_entry(const KeyValue& row) const;
  // Starts a new tail node: the last one is gone (trimmed or deleted whole).
  void new_tail_node();

  KeyStore& store_;
  std::string name_;
  Metadata metadata_;
};

}  // namespace strata::redis
