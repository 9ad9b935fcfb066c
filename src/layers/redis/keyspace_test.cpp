// The Redis layer's keys and metadata: where each kind of key lies, that a key's elements,
// the expiry index and the pub/sub log sort as the layer reads them, and the metadata's
// bytes.

#include "layers/redis/keyspace.h"

#include <string>

#include <gtest/gtest.h>

#include "client/atomic_ops.h"
#include "layers/redis/metadata.h"
#include "runtime/error.h"

namespace strata::redis {
namespace {

bool in(const TupleRange& range, const std::string& key) {
  return range.begin <= key && key < range.end;
}

TEST(RedisKeyspace, EachKindOfKeyInItsOwnRange) {
  Keyspace space("r/");
  const std::string meta = space.metadata_key(0, "user:1");
  EXPECT_TRUE(meta.starts_with("r/"));
  EXPECT_TRUE(in(space.metadata_range(0), meta));
  EXPECT_FALSE(in(space.metadata_range(1), meta));
  EXPECT_EQ(Tuple::unpack(meta.substr(2)),
            Tuple().append_int(0).append_int(0).append_bytes("user:1"));

  const std::string field = space.element_key(0, "user:1", 7, Tuple().append_bytes("name"));
  EXPECT_TRUE(in(space.element_range(0, "user:1", 7), field));
  EXPECT_FALSE(in(space.element_range(0, "user:1", 8), field));
  EXPECT_TRUE(in(space.all_elements_range(0, "user:1"), field));
  // A name that extends another is not among its elements.
  EXPECT_FALSE(in(space.all_elements_range(0, "user:1"),
                  space.element_key(0, "user:10", 7, Tuple().append_bytes("name"))));
  EXPECT_EQ(space.element_of(field, 0, "user:1", 7), Tuple().append_bytes("name"));
  EXPECT_THROW(space.element_of(field, 0, "user:1", 8), Error);

  for (const TupleRange& range : space.database_ranges(0)) {
    EXPECT_FALSE(in(range, space.metadata_key(1, "user:1")));
    EXPECT_FALSE(in(range, space.expiry_key(5, 0, "user:1")));
  }
  EXPECT_TRUE(in(space.database_ranges(0)[0], meta));
  EXPECT_TRUE(in(space.database_ranges(0)[1], field));
}

TEST(RedisKeyspace, ExpiryIndexInTimeOrder) {
  Keyspace space("r/");
  const std::string early = space.expiry_key(999, 3, "z");
  const std::string due = space.expiry_key(1000, 0, "a");
  const std::string later = space.expiry_key(1001, 0, "a");
  EXPECT_LT(early, due);
  EXPECT_LT(due, later);
  const TupleRange range = space.expiry_due_range(1000);
  EXPECT_TRUE(in(range, early));
  EXPECT_TRUE(in(range, due));
  EXPECT_FALSE(in(range, later));
  EXPECT_FALSE(in(range, space.metadata_key(0, "a")));
  EXPECT_FALSE(in(range, space.element_key(0, "a", 0, Tuple())));
}

TEST(RedisMetadata, RoundTripsEveryType) {
  Metadata text{RedisType::string, 3, 5, 1'700'000'000'000, 0, 0, {}, "hello"};
  EXPECT_EQ(decode_metadata(encode_metadata(text)), text);
  EXPECT_EQ(encode_metadata(text).size(), 26u + 5u);
  Metadata list{RedisType::list, 9, 2, 0, -1, 1, {}, ""};
  EXPECT_EQ(decode_metadata(encode_metadata(list)), list);
  EXPECT_EQ(encode_metadata(list).size(), 42u);
  for (RedisType type : {RedisType::hash, RedisType::set, RedisType::zset, RedisType::stream}) {
    Metadata collection{type, 1, 10, 0, 0, 0, {}, ""};
    EXPECT_EQ(decode_metadata(encode_metadata(collection)), collection);
  }
  EXPECT_EQ(type_name(RedisType::zset), "zset");
}

// The pub/sub log's keys, as the commit fills in their versionstamps: in commit order,
// then in the order of one transaction's messages, each in the log and after a position.
TEST(RedisKeyspace, PubSubLogKeysSortInCommitOrder) {
  Keyspace space("r/");
  auto committed = [&](int64_t sequence, Version version, uint16_t batch_index) {
    const std::string parameter = space.pubsub_log_key_to_stamp(sequence);
    const std::optional<size_t> position = versionstamp_position(parameter);
    EXPECT_TRUE(position.has_value());
    return fill_in_versionstamp(parameter, *position, make_versionstamp(version, batch_index));
  };
  const std::string first = committed(9, 1000, 3);
  const std::string second = committed(2, 1000, 4);
  const std::string third = committed(3, 1000, 4);
  const std::string fourth = committed(0, 256, 0);
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_LT(fourth, first);
  EXPECT_EQ(space.pubsub_log_version(first), 1000);
  EXPECT_EQ(space.pubsub_log_version(fourth), 256);
  for (const std::string& key : {first, second, third, fourth})
    EXPECT_TRUE(in(space.pubsub_log_range(), key));
  EXPECT_FALSE(in(space.pubsub_log_after(second), second));
  EXPECT_TRUE(in(space.pubsub_log_after(second), third));
  EXPECT_FALSE(in(space.pubsub_log_after(second), first));
  EXPECT_TRUE(in(space.pubsub_log_above(999), first));
  EXPECT_FALSE(in(space.pubsub_log_above(1000), third));
  EXPECT_TRUE(in(space.pubsub_log_above(255), fourth));
  EXPECT_THROW(space.pubsub_log_version(space.pubsub_notice_key()), Error);

  const std::string entry = space.pubsub_registry_key(1, "news.*", "instance-a");
  EXPECT_TRUE(in(space.pubsub_registry_range(1, "news.*"), entry));
  EXPECT_FALSE(in(space.pubsub_registry_range(1, "news."), entry));
  EXPECT_FALSE(in(space.pubsub_registry_range(0), entry));
  EXPECT_TRUE(in(space.pubsub_registry_range(), entry));
  const Keyspace::RegistryEntry parsed = space.pubsub_registry_entry_of(entry);
  EXPECT_EQ(parsed.kind, 1);
  EXPECT_EQ(parsed.name, "news.*");
  EXPECT_EQ(parsed.instance, "instance-a");
  const std::string lease = space.pubsub_lease_key("instance-a");
  EXPECT_TRUE(in(space.pubsub_lease_range(), lease));
  EXPECT_EQ(space.pubsub_lease_instance_of(lease), "instance-a");
  EXPECT_FALSE(in(space.pubsub_registry_range(), lease));
}

TEST(RedisMetadata, WhatIsNotMetadataIsNamed) {
  auto message_of = [](std::string bytes) {
    try {
      decode_metadata(bytes);
    } catch (Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::client_invalid_operation);
      return error.message();
    }
    return std::string("no error");
  };
  EXPECT_NE(message_of("").find("fewer than"), std::string::npos);
  std::string good = encode_metadata(Metadata{RedisType::hash, 1, 1, 0, 0, 0, {}, ""});
  std::string wrong_format = good;
  wrong_format[0] = 2;
  EXPECT_NE(message_of(wrong_format).find("format 2"), std::string::npos);
  std::string wrong_type = good;
  wrong_type[1] = 9;
  EXPECT_NE(message_of(wrong_type).find("type 9"), std::string::npos);
  EXPECT_NE(message_of(good + "x").find("after a hash"), std::string::npos);
  std::string negative = good;
  negative[17] = static_cast<char>(0x80);
  EXPECT_NE(message_of(negative).find("negative"), std::string::npos);
  std::string short_list = encode_metadata(Metadata{RedisType::list, 1, 0, 0, 0, 0, {}, ""});
  short_list.pop_back();
  EXPECT_NE(message_of(short_list).find("list's metadata"), std::string::npos);
}

}  // namespace
}  // namespace strata::redis
