#include "layers/redis/keyspace.h"

#include "runtime/assert.h"
#include "runtime/error.h"

namespace strata::redis {

namespace {

constexpr int64_t metadata_kind = 0;
constexpr int64_t element_kind = 1;
constexpr int64_t expiry_kind = 2;
constexpr int64_t marker_kind = 3;
constexpr int64_t counter_kind = 4;

}  // namespace

std::string Keyspace::metadata_key(int64_t db, std::string_view name) const {
  return head(metadata_kind).append_int(db).append_bytes(name).pack_after(prefix_);
}

TupleRange Keyspace::metadata_range(int64_t db) const {
  return tuple_range(prefix_, head(metadata_kind).append_int(db));
}

std::string Keyspace::name_of(std::string_view metadata_key, int64_t db) const {
  const std::string start = head(metadata_kind).append_int(db).pack_after(prefix_);
  if (!metadata_key.starts_with(start)) {
    throw Error(ErrorCode::client_invalid_operation,
                "not a metadata key of Redis database " + std::to_string(db));
  }
  const Tuple rest = Tuple::unpack(metadata_key.substr(start.size()));
  if (rest.size() != 1) {
    throw Error(
        ErrorCode::client_invalid_operation,
        "a Redis metadata key of " + std::to_string(rest.size()) + " elements after the database");
  }
  return rest.bytes_at(0);
}

std::string Keyspace::key_count_key(int64_t db) const {
  return head(counter_kind).append_int(db).append_string("keys").pack_after(prefix_);
}

std::string Keyspace::expiring_count_key(int64_t db) const {
  return head(counter_kind).append_int(db).append_string("expires").pack_after(prefix_);
}

std::string Keyspace::element_key(int64_t db, std::string_view name, int64_t version,
                                  const Tuple& element) const {
  STRATA_ASSERT_MSG(version >= 0, "element versions are not negative");
  std::string key =
      head(element_kind).append_int(db).append_bytes(name).append_int(version).pack_after(prefix_);
  key += element.pack();
  return key;
}

TupleRange Keyspace::element_range(int64_t db, std::string_view name, int64_t version) const {
  return tuple_range(prefix_,
                     head(element_kind).append_int(db).append_bytes(name).append_int(version));
}

TupleRange Keyspace::all_elements_range(int64_t db, std::string_view name) const {
  return tuple_range(prefix_, head(element_kind).append_int(db).append_bytes(name));
}

Tuple Keyspace::element_of(std::string_view key, int64_t db, std::string_view name,
                           int64_t version) const {
  const std::string start =
      head(element_kind).append_int(db).append_bytes(name).append_int(version).pack_after(prefix_);
  if (!key.starts_with(start)) {
    throw Error(ErrorCode::client_invalid_operation,
                "not an element key of this version of the Redis key");
  }
  return Tuple::unpack(key.substr(start.size()));
}

std::string Keyspace::expiry_key(int64_t at_ms, int64_t db, std::string_view name) const {
  return head(expiry_kind).append_int(at_ms).append_int(db).append_bytes(name).pack_after(prefix_);
}

Keyspace::ExpiryEntry Keyspace::expiry_entry_of(std::string_view key) const {
  const std::string start = head(expiry_kind).pack_after(prefix_);
  if (!key.starts_with(start)) {
    throw Error(ErrorCode::client_invalid_operation, "not a key of the Redis expiry index");
  }
  const Tuple rest = Tuple::unpack(key.substr(start.size()));
  if (rest.size() != 3) {
    throw Error(ErrorCode::client_invalid_operation,
                "a Redis expiry index key of " + std::to_string(rest.size()) + " elements");
  }
  return ExpiryEntry{rest.int_at(0), rest.int_at(1), rest.bytes_at(2)};
}

TupleRange Keyspace::expiry_due_range(int64_t at_ms) const {
  return TupleRange{tuple_range(prefix_, head(expiry_kind)).begin,
                    head(expiry_kind).append_int(at_ms + 1).pack_after(prefix_)};
}

std::string Keyspace::commit_marker_key(int64_t at_s, std::string_view instance,
                                        int64_t sequence) const {
  return head(marker_kind)
      .append_int(at_s)
      .append_bytes(instance)
      .append_int(sequence)
      .pack_after(prefix_);
}

TupleRange Keyspace::commit_markers_before(int64_t at_s) const {
  return TupleRange{tuple_range(prefix_, head(marker_kind)).begin,
                    head(marker_kind).append_int(at_s).pack_after(prefix_)};
}

std::vector<TupleRange> Keyspace::database_ranges(int64_t db) const {
  return {metadata_range(db), tuple_range(prefix_, head(element_kind).append_int(db)),
          tuple_range(prefix_, head(counter_kind).append_int(db))};
}

}  // namespace strata::redis
