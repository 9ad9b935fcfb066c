#include "layers/redis/key_store.h"

#include <algorithm>

#include "layers/redis/command_error.h"
#include "layers/redis/redis_knobs.h"
#include "runtime/assert.h"

namespace strata::redis {

namespace {

// A string whose metadata holds fewer bytes than its size lies in chunks.
bool chunked(const Metadata& metadata) {
  return metadata.type == RedisType::string &&
         static_cast<int64_t>(metadata.value.size()) != metadata.size;
}

}  // namespace

Future<std::vector<KeyValue>> read_rows(Transaction& transaction, std::string begin,
                                        std::string end, bool reverse, int64_t count) {
  std::vector<KeyValue> all;
  while (begin < end) {
    const int64_t left = count > 0 ? count - static_cast<int64_t>(all.size()) : 0;
    RangeResult rows = co_await transaction.get_range(
        begin, end, static_cast<int>(std::min<int64_t>(left, 100'000)), reverse);
    for (KeyValue& row : rows.rows)
      all.push_back(std::move(row));
    if (!rows.more || rows.rows.empty()) break;
    if (count > 0 && static_cast<int64_t>(all.size()) >= count) break;
    if (reverse) {
      end = all.back().key;
    } else {
      begin = all.back().key + '\0';
    }
  }
  co_return all;
}

void fail_string_too_long() {
  fail("ERR string exceeds maximum allowed size (" +
       std::to_string(redis_knobs().string_bytes_max) +
       " bytes: a string is written in one transaction)");
}

KeyStore::KeyStore(Transaction& transaction, const Keyspace& keyspace, int64_t db, int64_t now_ms)
    : transaction_(transaction), keyspace_(keyspace), db_(db), now_ms_(now_ms) {
  STRATA_ASSERT_MSG(db >= 0, "a Redis database number is not negative");
}

KeyStore KeyStore::in_database(int64_t db) const {
  return KeyStore(transaction_, keyspace_, db, now_ms_);
}

Future<std::optional<Metadata>> KeyStore::find(std::string name) {
  std::optional<Value> stored = co_await transaction_.get(keyspace_.metadata_key(db_, name));
  if (!stored) co_return std::nullopt;
  Metadata metadata = decode_metadata(*stored);
  if (metadata.expire_at_ms != 0 && metadata.expire_at_ms <= now_ms_) {
    remove(name, metadata);
    co_return std::nullopt;
  }
  co_return metadata;
}

Future<std::optional<Metadata>> KeyStore::find_typed(std::string name, RedisType type) {
  std::optional<Metadata> metadata = co_await find(std::move(name));
  if (metadata && metadata->type != type) fail_wrong_type();
  co_return metadata;
}

Future<Metadata> KeyStore::new_metadata(RedisType type) {
  Metadata metadata;
  metadata.type = type;
  metadata.version = co_await transaction_.get_read_version();
  co_return metadata;
}

void KeyStore::put(std::string_view name, const Metadata& metadata,
                   const std::optional<Metadata>& previous) {
  transaction_.set(keyspace_.metadata_key(db_, name), encode_metadata(metadata));
  if (!previous) count(keyspace_.key_count_key(db_), 1);
  const int64_t previous_expire_ms = previous ? previous->expire_at_ms : 0;
  if (previous_expire_ms == metadata.expire_at_ms) return;
  if (previous_expire_ms != 0) {
    transaction_.clear(keyspace_.expiry_key(previous_expire_ms, db_, name));
    count(keyspace_.expiring_count_key(db_), -1);
  }
  if (metadata.expire_at_ms != 0) {
    transaction_.set(keyspace_.expiry_key(metadata.expire_at_ms, db_, name), "");
    count(keyspace_.expiring_count_key(db_), 1);
  }
}

void KeyStore::remove(std::string_view name, const Metadata& metadata) {
  transaction_.clear(keyspace_.metadata_key(db_, name));
  count(keyspace_.key_count_key(db_), -1);
  if (metadata.type != RedisType::string || chunked(metadata)) {
    const TupleRange elements = keyspace_.all_elements_range(db_, name);
    transaction_.clear_range(elements.begin, elements.end);
  }
  if (metadata.expire_at_ms != 0) {
    transaction_.clear(keyspace_.expiry_key(metadata.expire_at_ms, db_, name));
    count(keyspace_.expiring_count_key(db_), -1);
  }
}

void KeyStore::count(const std::string& counter, int64_t delta) {
  std::string operand(8, '\0');
  const auto bits = static_cast<uint64_t>(delta);
  for (int i = 0; i < 8; ++i)
    operand[static_cast<size_t>(i)] = static_cast<char>((bits >> (8 * i)) & 0xff);
  transaction_.atomic_op(counter, operand, MutationType::add);
}

Future<int64_t> KeyStore::read_count(std::string counter) {
  std::optional<Value> stored = co_await transaction_.get(counter, /*snapshot=*/true);
  uint64_t bits = 0;
  if (stored) {
    for (size_t i = std::min<size_t>(stored->size(), 8); i-- > 0;)
      bits = (bits << 8) | static_cast<uint8_t>((*stored)[i]);
  }
  co_return static_cast<int64_t>(bits);
}

Future<int64_t> KeyStore::key_count() {
  return read_count(keyspace_.key_count_key(db_));
}

Future<int64_t> KeyStore::expiring_count() {
  return read_count(keyspace_.expiring_count_key(db_));
}

Future<std::string> KeyStore::read_string(std::string name, Metadata metadata) {
  STRATA_ASSERT_MSG(metadata.type == RedisType::string, "read_string reads a string");
  if (!chunked(metadata)) co_return std::move(metadata.value);
  const TupleRange range = keyspace_.element_range(db_, name, metadata.version);
  std::string value;
  value.reserve(static_cast<size_t>(metadata.size));
  for (const KeyValue& row : co_await read_whole_range(transaction_, range.begin, range.end))
    value += row.value;
  if (static_cast<int64_t>(value.size()) != metadata.size) {
    throw Error(ErrorCode::client_invalid_operation,
                "a Redis string's chunks hold " + std::to_string(value.size()) +
                    " bytes, its metadata says " + std::to_string(metadata.size));
  }
  co_return value;
}

Future<Void> KeyStore::write_string(std::string name, std::string value, int64_t expire_at_ms,
                                    std::optional<Metadata> previous) {
  if (static_cast<int64_t>(value.size()) > redis_knobs().string_bytes_max) fail_string_too_long();
  if (previous && (previous->type != RedisType::string || chunked(*previous))) {
    const TupleRange elements = keyspace_.all_elements_range(db_, name);
    transaction_.clear_range(elements.begin, elements.end);
  }
  Metadata metadata = co_await new_metadata(RedisType::string);
  metadata.size = static_cast<int64_t>(value.size());
  metadata.expire_at_ms = expire_at_ms;
  const auto chunk = static_cast<size_t>(redis_knobs().string_chunk_bytes);
  if (value.size() <= chunk) {
    metadata.value = std::move(value);
  } else {
    for (size_t at = 0, index = 0; at < value.size(); at += chunk, ++index) {
      transaction_.set(keyspace_.element_key(db_, name, metadata.version,
                                             Tuple().append_int(static_cast<int64_t>(index))),
                       std::string_view(value).substr(at, chunk));
    }
  }
  put(name, metadata, previous);
  co_return;
}

Future<std::vector<std::pair<Tuple, std::string>>> KeyStore::read_elements(std::string name,
                                                                           Metadata metadata) {
  const TupleRange range = keyspace_.element_range(db_, name, metadata.version);
  std::vector<std::pair<Tuple, std::string>> elements;
  for (KeyValue& row : co_await read_whole_range(transaction_, range.begin, range.end)) {
    elements.emplace_back(keyspace_.element_of(row.key, db_, name, metadata.version),
                          std::move(row.value));
  }
  co_return elements;
}

}  // namespace strata::redis
