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
  // Expiry entries due at or before `at_ms`: [start of the index, entries of at_ms + 1).
  TupleRange expiry_due_range(int64_t at_ms) const;

  // Everything of database `db` (FLUSHDB): metadata and elements; the expiry index is
  // shared by the databases and cleaned as its entries come due.
  std::vector<TupleRange> database_ranges(int64_t db) const;

 private:
  Tuple head(int64_t kind) const { return Tuple().append_int(kind); }

  std::string prefix_;
};

}  // namespace strata::redis
