// Stream IDs: Redis's reading of them as arguments (forms, errors, exclusive bounds), the
// next and previous ID at the edges of the range, and their 16 bytes in keys sorting as the
// IDs do; a stream's fields in its metadata.

#include "layers/redis/stream_id.h"

#include <limits>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "layers/redis/metadata.h"
#include "runtime/error.h"
#include "runtime/random.h"

namespace strata::redis {
namespace {

constexpr uint64_t top = std::numeric_limits<uint64_t>::max();

// The error a command would answer, or "" if `parse` does not fail.
template <class Parse>
std::string failure_of(Parse parse) {
  try {
    parse();
  } catch (Error& error) {
    return std::string(error.detail());
  }
  return "";
}

TEST(RedisStreamId, ArgumentsReadAsRedisReadsThem) {
  EXPECT_EQ(parse_stream_id("5-3", 0, true), (StreamId{5, 3}));
  EXPECT_EQ(parse_stream_id("5", 7, true), (StreamId{5, 7}));
  EXPECT_EQ(parse_stream_id("007-01", 0, true), (StreamId{7, 1}));
  EXPECT_EQ(parse_stream_id("18446744073709551615-18446744073709551615", 0, true),
            (StreamId{top, top}));
  EXPECT_EQ(parse_stream_id("-", 0, false), (StreamId{0, 0}));
  EXPECT_EQ(parse_stream_id("+", 0, false), (StreamId{top, top}));
  bool seq_given = true;
  EXPECT_EQ(parse_stream_id("9-*", 0, true, &seq_given), (StreamId{9, 0}));
  EXPECT_FALSE(seq_given);
  EXPECT_EQ(parse_stream_id("9-4", 0, true, &seq_given), (StreamId{9, 4}));
  EXPECT_TRUE(seq_given);
  const std::string invalid = "ERR Invalid stream ID specified as stream command argument";
  for (const char* text : {"", "-1", "1-", "1--2", "1-2-3", "a", "1-x", " 1", "1 ",
                           "18446744073709551616", "1-18446744073709551616", "9-*"}) {
    EXPECT_EQ(failure_of([&] { parse_stream_id(text, 0, true); }), invalid) << text;
  }
  EXPECT_EQ(failure_of([] { parse_stream_id("-", 0, true); }), invalid);
  EXPECT_EQ(failure_of([] { parse_stream_id("+", 0, true); }), invalid);
  EXPECT_EQ(failure_of([] { parse_stream_id(std::string(128, '1'), 0, true); }), invalid);
}

TEST(RedisStreamId, RangeBoundsAndTheEdges) {
  EXPECT_EQ(range_bound("5", true), (StreamId{5, 0}));
  EXPECT_EQ(range_bound("5", false), (StreamId{5, top}));
  EXPECT_EQ(range_bound("(5-1", true), (StreamId{5, 2}));
  EXPECT_EQ(range_bound("(5-0", false), (StreamId{4, top}));
  EXPECT_EQ(range_bound("(5", true), (StreamId{5, 1}));
  EXPECT_EQ(failure_of([] { range_bound("(18446744073709551615-18446744073709551615", true); }),
            "ERR invalid start ID for the interval");
  EXPECT_EQ(failure_of([] { range_bound("(0-0", false); }), "ERR invalid end ID for the interval");
  EXPECT_EQ(failure_of([] { range_bound("(-", true); }),
            "ERR Invalid stream ID specified as stream command argument");
  StreamId id{3, top};
  EXPECT_TRUE(next_stream_id(id));
  EXPECT_EQ(id, (StreamId{4, 0}));
  EXPECT_TRUE(previous_stream_id(id));
  EXPECT_EQ(id, (StreamId{3, top}));
  id = StreamId{top, top};
  EXPECT_FALSE(next_stream_id(id));
  EXPECT_EQ(id, (StreamId{0, 0}));
  EXPECT_FALSE(previous_stream_id(id));
  EXPECT_EQ(id, (StreamId{top, top}));
  EXPECT_EQ(format_stream_id(StreamId{top, 0}), "18446744073709551615-0");
}

TEST(RedisStreamId, BytesSortAsIdsOverTheWholeRange) {
  Random random(20261207);
  auto draw = [&]() -> uint64_t {
    // Mostly the edges and the sign bit of a signed integer, where encodings go wrong.
    static const uint64_t near[] = {0, 1, (1ull << 63) - 1, 1ull << 63, top - 1, top};
    return random.uniform(0, 3) == 0 ? near[random.uniform(0, 6)] : random.next_u64();
  };
  for (int i = 0; i < 20000; ++i) {
    const StreamId a{draw(), draw()};
    const StreamId b{draw(), draw()};
    const std::string ab = stream_id_bytes(a);
    const std::string bb = stream_id_bytes(b);
    ASSERT_EQ(ab.size(), 16u);
    EXPECT_EQ(std::tie(a.ms, a.seq) < std::tie(b.ms, b.seq), ab < bb);
    EXPECT_EQ(stream_id_from_bytes(ab), a);
  }
  EXPECT_THROW(stream_id_from_bytes("short"), Error);
}

TEST(RedisStreamId, AStreamsFieldsLiveInItsMetadata) {
  Metadata stream;
  stream.type = RedisType::stream;
  stream.version = 12;
  stream.size = 3;
  stream.stream.last_id = StreamId{top, 2};
  stream.stream.entries_added = 9;
  stream.stream.max_deleted_id = StreamId{1ull << 63, 0};
  stream.stream.tail_node = 4;
  stream.stream.tail_node_entries = 100;
  stream.stream.tail_node_bytes = 4000;
  const std::string bytes = encode_metadata(stream);
  EXPECT_EQ(bytes.size(), 90u);
  EXPECT_EQ(decode_metadata(bytes), stream);
  EXPECT_THROW(decode_metadata(bytes.substr(0, 89)), Error);
  EXPECT_THROW(decode_metadata(bytes + "x"), Error);
}

}  // namespace
}  // namespace strata::redis
