#pragma once

// Where the Redis layer keeps a Redis database in Strata's key space (docs/redis-layer.md).
// Every key is the layer's prefix followed by a tuple (strata/tuple.h) whose first element
// says what the key is:
//
//   (0, db, name)                 the metadata of Redis key `name` in database `db` (0-15):
//                                 its type, version, size, expiry and, for a string, its
//                                 value (encoded by redis_metadata.h)
//   (1, db, name, version, ...)   an element of a collection (a hash field, a set member, a
//                                 list item, ...) written under that version of the key
//   (2, at_ms, db, name)          the expiry index: `name` expires at `at_ms`
//   (4, db, "keys" | "expires")   how many keys database `db` holds, and how many of them
//                                 expire (64-bit little-endian, kept by atomic adds)
//   (3, at_s, instance, sequence) a write command's commit marker (command_executor.h),
//                                 made at `at_s` (Unix seconds) by an instance
//   (5, stamp, sequence)          a published message (pubsub_log.h), under the
//                                 versionstamp of the PUBLISH that wrote it, so the log is in
//                                 commit order; the value is (kind, channel, message, at_ms)
//   (6)                           the pub/sub notice: a counter every PUBLISH adds 1 to, which
//                                 every instance watches
//   (7, kind, name, instance)     the subscription registry (pubsub_registry.h): how many of
//                                 an instance's clients subscribe to the channel, pattern or
//                                 shard channel `name` (kind 0, 1, 2)
//   (8, instance)                 an instance's lease: until when (Unix ms) its registry
//                                 entries count
//
// A key's elements carry the version its metadata had when they were written, so deleting
// or overwriting a collection only replaces its metadata (O(1)): elements of any other
// version are garbage, never read, and removed in the background. Integers sort by value in
// a tuple, so the expiry index is in time order and a key's elements are contiguous.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/tuple.h"

namespace strata::redis {

class Keyspace {
 public:
  // `prefix`: the layer's subspace (strata-redis --prefix), kept apart from other data.
  explicit Keyspace(std::string prefix) : prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }

  std::string metadata_key(int64_t db, std::string_view name) const;
  // Every metadata key of database `db`, in name order.
  TupleRange metadata_range(int64_t db) const;
  // The name in a metadata key of database `db` (client_invalid_operation if it is not one).
  std::string name_of(std::string_view metadata_key, int64_t db) const;

  // The counters of database `db`.
  std::string key_count_key(int64_t db) const;
  std::string expiring_count_key(int64_t db) const;

  // The element key of `name`'s version `version`, followed by `element`'s elements.
  std::string element_key(int64_t db, std::string_view name, int64_t version,
                          const Tuple& element) const;
  // Every element of that version.
  TupleRange element_range(int64_t db, std::string_view name, int64_t version) const;
  // Every element of every version of `name`.
  TupleRange all_elements_range(int64_t db, std::string_view name) const;
  // What follows the version in an element key of `name` (nullopt-like: throws
  // client_invalid_operation for a key that is not one).
  Tuple element_of(std::string_view key, int64_t db, std::string_view name, int64_t version) const;

  std::string expiry_key(int64_t at_ms, int64_t db, std::string_view name) const;
  struct ExpiryEntry {
    int64_t at_ms = 0;
    int64_t db = 0;
    std::string name;
  };
  // What an expiry index key says (client_invalid_operation if it is not one).
  ExpiryEntry expiry_entry_of(std::string_view key) const;
  // Expiry entries due at or before `at_ms`: [start of the index, entries of at_ms + 1).
  TupleRange expiry_due_range(int64_t at_ms) const;

  std::string commit_marker_key(int64_t at_s, std::string_view instance, int64_t sequence) const;
  // The commit markers made before `at_s`.
  TupleRange commit_markers_before(int64_t at_s) const;

  // Pub/sub. The log key of a message a PUBLISH writes, as set_versionstamped_key takes it
  // (a placeholder for the versionstamp, its offset at the end); `sequence` orders the
  // messages of one transaction.
  std::string pubsub_log_key_to_stamp(int64_t sequence) const;
  // The whole log, and the part of it after `key` (a log key).
  TupleRange pubsub_log_range() const;
  TupleRange pubsub_log_after(std::string_view key) const;
  // The log from the first message committed at a version above `version`.
  TupleRange pubsub_log_above(int64_t version) const;
  // The commit version of a log key's message (client_invalid_operation if it is not one).
  int64_t pubsub_log_version(std::string_view key) const;
  std::string pubsub_notice_key() const;
  // kind: 0 channel, 1 pattern, 2 shard channel.
  std::string pubsub_registry_key(int64_t kind, std::string_view name,
                                  std::string_view instance) const;
  // Every entry of `kind`, and those of one name.
  TupleRange pubsub_registry_range(int64_t kind) const;
  TupleRange pubsub_registry_range(int64_t kind, std::string_view name) const;
  // The whole registry, every kind.
  TupleRange pubsub_registry_range() const;
  struct RegistryEntry {
    int64_t kind = 0;
    std::string name;
    std::string instance;
  };
  // What a registry key says (client_invalid_operation if it is not one).
  RegistryEntry pubsub_registry_entry_of(std::string_view key) const;
  std::string pubsub_lease_key(std::string_view instance) const;
  TupleRange pubsub_lease_range() const;
  // The instance of a lease key (client_invalid_operation if it is not one).
  std::string pubsub_lease_instance_of(std::string_view key) const;

  // Everything of database `db` (FLUSHDB): metadata, elements and counters; the expiry index is
  // shared by the databases and cleaned as its entries come due.
  std::vector<TupleRange> database_ranges(int64_t db) const;

 private:
  Tuple head(int64_t kind) const { return Tuple().append_int(kind); }

  std::string prefix_;
};

}  // namespace strata::redis
