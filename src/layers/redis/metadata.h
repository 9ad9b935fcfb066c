#pragma once

// The value of a Redis key's metadata key (keyspace.h): what the key is, and for a string
// its value. Fixed-width fields, so that a size can change without moving the value:
//
//   byte 0       format (1)
//   byte 1       type (RedisType)
//   bytes 2-9    version of the key's elements (little-endian, >= 0)
//   bytes 10-17  size: elements of a collection, bytes of a string
//   bytes 18-25  expires at, in milliseconds since the Unix epoch (0: never)
//   lists only:  bytes 26-33 head, 34-41 tail: the items' indexes run from head to tail - 1
//   streams only: bytes 26-89, eight unsigned fields (StreamFields, in its order)
//   strings only: the value, from byte 26
//
// Decoding anything else fails with client_invalid_operation saying what is wrong: a
// layer that finds it has found data it did not write.

#include <cstdint>
#include <string>
#include <string_view>

#include "layers/redis/stream_id.h"

namespace strata::redis {

enum class RedisType : uint8_t { string = 1, hash = 2, set = 3, list = 4, zset = 5, stream = 6 };

// Redis's name for the type (TYPE's answer).
std::string_view type_name(RedisType type);

// What a stream keeps beside its entries (Redis's stream struct).
struct StreamFields {
  // The greatest ID the stream ever had (XADD's IDs must be above it).
  StreamId last_id;
  // How many entries were ever added, and the greatest ID XDEL removed: consumer groups'
  // lag is counted from them.
  uint64_t entries_added = 0;
  StreamId max_deleted_id;
  // Redis keeps entries in nodes of at most stream-node-max-entries entries (and
  // stream-node-max-bytes bytes), and approximate trimming (MAXLEN ~, MINID ~) removes only
  // whole nodes. Each entry records its node's number, so that trimming here removes what
  // Redis's would: the tail node's number, and its entries (deleted ones included) and
  // bytes so far.
  uint64_t tail_node = 0;
  uint64_t tail_node_entries = 0;
  uint64_t tail_node_bytes = 0;

  bool operator==(const StreamFields&) const = default;
};

struct Metadata {
  RedisType type = RedisType::string;
  int64_t version = 0;
  int64_t size = 0;
  int64_t expire_at_ms = 0;
  int64_t list_head = 0;
  int64_t list_tail = 0;
  StreamFields stream;
  std::string value;

  bool operator==(const Metadata&) const = default;
};

std::string encode_metadata(const Metadata& metadata);
Metadata decode_metadata(std::string_view bytes);

}  // namespace strata::redis
