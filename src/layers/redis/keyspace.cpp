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
constexpr int64_t pubsub_log_kind = 5;
constexpr int64_t pubsub_notice_kind = 6;
constexpr int64_t pubsub_registry_kind = 7;
constexpr int64_t pubsub_lease_kind = 8;

// FoundationDB's tuple code for a versionstamp: 10 bytes of stamp (the commit version and
// the transaction's place in its batch, big-endian) and 2 of user version.
constexpr char versionstamp_code = 0x33;
constexpr size_t stamp_bytes = 10;

std::string big_endian_64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8)
    bytes[static_cast<size_t>(i)] = static_cast<char>(value & 0xff);
  return bytes;
}

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

std::string Keyspace::pubsub_log_key_to_stamp(int64_t sequence) const {
  STRATA_ASSERT_MSG(sequence >= 0, "message sequences are not negative");
  std::string key = head(pubsub_log_kind).pack_after(prefix_);
  key.push_back(versionstamp_code);
  const size_t placeholder_at = key.size();
  key.append(stamp_bytes + 2, '\0');
  key += Tuple().append_int(sequence).pack();
  // set_versionstamped_key: the key ends with the placeholder's offset, 4 bytes
  // little-endian.
  const auto offset = static_cast<uint32_t>(placeholder_at);
  for (int i = 0; i < 4; ++i)
    key.push_back(static_cast<char>((offset >> (8 * i)) & 0xff));
  return key;
}

TupleRange Keyspace::pubsub_log_range() const {
  return tuple_range(prefix_, head(pubsub_log_kind));
}

TupleRange Keyspace::pubsub_log_after(std::string_view key) const {
  const TupleRange log = pubsub_log_range();
  STRATA_ASSERT_MSG(key >= log.begin && key < log.end, "a position in the log is a log key");
  return TupleRange{std::string(key) + '\0', log.end};
}

TupleRange Keyspace::pubsub_log_above(int64_t version) const {
  STRATA_ASSERT_MSG(version >= 0, "versions are not negative");
  std::string begin = head(pubsub_log_kind).pack_after(prefix_);
  begin.push_back(versionstamp_code);
  begin += big_endian_64(static_cast<uint64_t>(version) + 1);
  return TupleRange{std::move(begin), pubsub_log_range().end};
}

int64_t Keyspace::pubsub_log_version(std::string_view key) const {
  const std::string start = head(pubsub_log_kind).pack_after(prefix_) + versionstamp_code;
  if (!key.starts_with(start) || key.size() < start.size() + stamp_bytes + 2) {
    throw Error(ErrorCode::client_invalid_operation, "not a key of the Redis pub/sub log");
  }
  uint64_t version = 0;
  for (size_t i = 0; i < 8; ++i)
    version = (version << 8) | static_cast<uint8_t>(key[start.size() + i]);
  return static_cast<int64_t>(version);
}

std::string Keyspace::pubsub_notice_key() const {
  return head(pubsub_notice_kind).pack_after(prefix_);
}

std::string Keyspace::pubsub_registry_key(int64_t kind, std::string_view name,
                                          std::string_view instance) const {
  return head(pubsub_registry_kind)
      .append_int(kind)
      .append_bytes(name)
      .append_bytes(instance)
      .pack_after(prefix_);
}

TupleRange Keyspace::pubsub_registry_range(int64_t kind) const {
  return tuple_range(prefix_, head(pubsub_registry_kind).append_int(kind));
}

TupleRange Keyspace::pubsub_registry_range(int64_t kind, std::string_view name) const {
  return tuple_range(prefix_, head(pubsub_registry_kind).append_int(kind).append_bytes(name));
}

TupleRange Keyspace::pubsub_registry_range() const {
  return tuple_range(prefix_, head(pubsub_registry_kind));
}

Keyspace::RegistryEntry Keyspace::pubsub_registry_entry_of(std::string_view key) const {
  const std::string start = head(pubsub_registry_kind).pack_after(prefix_);
  if (!key.starts_with(start)) {
    throw Error(ErrorCode::client_invalid_operation, "not a key of the Redis pub/sub registry");
  }
  const Tuple rest = Tuple::unpack(key.substr(start.size()));
  if (rest.size() != 3) {
    throw Error(ErrorCode::client_invalid_operation,
                "a Redis pub/sub registry key of " + std::to_string(rest.size()) + " elements");
  }
  return RegistryEntry{rest.int_at(0), rest.bytes_at(1), rest.bytes_at(2)};
}

std::string Keyspace::pubsub_lease_key(std::string_view instance) const {
  return head(pubsub_lease_kind).append_bytes(instance).pack_after(prefix_);
}

TupleRange Keyspace::pubsub_lease_range() const {
  return tuple_range(prefix_, head(pubsub_lease_kind));
}

std::string Keyspace::pubsub_lease_instance_of(std::string_view key) const {
  const std::string start = head(pubsub_lease_kind).pack_after(prefix_);
  if (!key.starts_with(start)) {
    throw Error(ErrorCode::client_invalid_operation, "not a Redis pub/sub lease key");
  }
  const Tuple rest = Tuple::unpack(key.substr(start.size()));
  if (rest.size() != 1) {
    throw Error(ErrorCode::client_invalid_operation,
                "a Redis pub/sub lease key of " + std::to_string(rest.size()) + " elements");
  }
  return rest.bytes_at(0);
}

std::vector<TupleRange> Keyspace::database_ranges(int64_t db) const {
  return {metadata_range(db), tuple_range(prefix_, head(element_kind).append_int(db)),
          tuple_range(prefix_, head(counter_kind).append_int(db))};
}

}  // namespace strata::redis
