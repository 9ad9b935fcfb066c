#include "layers/redis/metadata.h"

#include "runtime/assert.h"
#include "runtime/error.h"

namespace strata::redis {

namespace {

constexpr uint8_t format_version = 1;
constexpr size_t fixed_bytes = 26;
constexpr size_t list_bytes = fixed_bytes + 16;
constexpr size_t stream_bytes = fixed_bytes + 64;

void put_int(std::string& out, int64_t value) {
  const auto bits = static_cast<uint64_t>(value);
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

int64_t int_at(std::string_view bytes, size_t at) {
  uint64_t bits = 0;
  for (int i = 7; i >= 0; --i)
    bits = (bits << 8) | static_cast<uint8_t>(bytes[at + static_cast<size_t>(i)]);
  return static_cast<int64_t>(bits);
}

[[noreturn]] void corrupt(const std::string& what) {
  throw Error(ErrorCode::client_invalid_operation, "not a Redis key's metadata: " + what);
}

}  // namespace

std::string_view type_name(RedisType type) {
  switch (type) {
    case RedisType::string:
      return "string";
    case RedisType::hash:
      return "hash";
    case RedisType::set:
      return "set";
    case RedisType::list:
      return "list";
    case RedisType::zset:
      return "zset";
    case RedisType::stream:
      return "stream";
  }
  return "unknown";
}

std::string encode_metadata(const Metadata& metadata) {
  STRATA_ASSERT_MSG(metadata.version >= 0 && metadata.size >= 0 && metadata.expire_at_ms >= 0,
                    "metadata figures are not negative");
  STRATA_ASSERT_MSG(metadata.type == RedisType::string || metadata.value.empty(),
                    "only a string has a value in its metadata");
  std::string out;
  out.reserve(fixed_bytes + metadata.value.size());
  out.push_back(static_cast<char>(format_version));
  out.push_back(static_cast<char>(metadata.type));
  put_int(out, metadata.version);
  put_int(out, metadata.size);
  put_int(out, metadata.expire_at_ms);
  if (metadata.type == RedisType::list) {
    STRATA_ASSERT_MSG(metadata.list_head <= metadata.list_tail, "a list's head is before its tail");
    put_int(out, metadata.list_head);
    put_int(out, metadata.list_tail);
  } else {
    STRATA_ASSERT_MSG(metadata.list_head == 0 && metadata.list_tail == 0,
                      "only a list has a head and a tail");
  }
  if (metadata.type == RedisType::stream) {
    const StreamFields& stream = metadata.stream;
    for (uint64_t field : {stream.last_id.ms, stream.last_id.seq, stream.entries_added,
                           stream.max_deleted_id.ms, stream.max_deleted_id.seq, stream.tail_node,
                           stream.tail_node_entries, stream.tail_node_bytes})
      put_int(out, static_cast<int64_t>(field));
  } else {
    STRATA_ASSERT_MSG(metadata.stream == StreamFields{}, "only a stream has stream fields");
  }
  out += metadata.value;
  return out;
}

Metadata decode_metadata(std::string_view bytes) {
  if (bytes.size() < fixed_bytes) {
    corrupt(std::to_string(bytes.size()) + " bytes, fewer than the " + std::to_string(fixed_bytes) +
            " every one has");
  }
  if (static_cast<uint8_t>(bytes[0]) != format_version) {
    corrupt("format " + std::to_string(static_cast<uint8_t>(bytes[0])) + ", not " +
            std::to_string(format_version));
  }
  const auto type_code = static_cast<uint8_t>(bytes[1]);
  if (type_code < 1 || type_code > 6) corrupt("type " + std::to_string(type_code));
  Metadata metadata;
  metadata.type = static_cast<RedisType>(type_code);
  metadata.version = int_at(bytes, 2);
  metadata.size = int_at(bytes, 10);
  metadata.expire_at_ms = int_at(bytes, 18);
  if (metadata.version < 0 || metadata.size < 0 || metadata.expire_at_ms < 0) {
    corrupt("a negative version, size or expiry");
  }
  size_t at = fixed_bytes;
  if (metadata.type == RedisType::list) {
    if (bytes.size() != list_bytes) {
      corrupt("a list's metadata of " + std::to_string(bytes.size()) + " bytes, not " +
              std::to_string(list_bytes));
    }
    metadata.list_head = int_at(bytes, fixed_bytes);
    metadata.list_tail = int_at(bytes, fixed_bytes + 8);
    if (metadata.list_head > metadata.list_tail) corrupt("a list's head after its tail");
    at = list_bytes;
  }
  if (metadata.type == RedisType::stream) {
    if (bytes.size() != stream_bytes) {
      corrupt("a stream's metadata of " + std::to_string(bytes.size()) + " bytes, not " +
              std::to_string(stream_bytes));
    }
    auto field = [&](size_t index) {
      return static_cast<uint64_t>(int_at(bytes, fixed_bytes + 8 * index));
    };
    StreamFields& stream = metadata.stream;
    stream.last_id = StreamId{field(0), field(1)};
    stream.entries_added = field(2);
    stream.max_deleted_id = StreamId{field(3), field(4)};
    stream.tail_node = field(5);
    stream.tail_node_entries = field(6);
    stream.tail_node_bytes = field(7);
    at = stream_bytes;
  }
  if (metadata.type == RedisType::string) {
    metadata.value = std::string(bytes.substr(at));
  } else if (bytes.size() != at) {
    corrupt(std::to_string(bytes.size() - at) + " bytes after a " +
            std::string(type_name(metadata.type)) + "'s metadata");
  }
  return metadata;
}

}  // namespace strata::redis
