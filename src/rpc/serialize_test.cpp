#include "rpc/serialize.h"

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rpc/frame.h"
#include "rpc/handshake.h"

namespace strata {
namespace {

struct Sample {
  int8_t small = 0;
  uint16_t medium = 0;
  int64_t large = 0;
  bool flag = false;
  double ratio = 0;
  std::string text;
  std::vector<uint32_t> numbers;
  std::optional<std::string> maybe;
  std::map<std::string, int32_t> table;
  NetworkAddress address;
  UID id;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(small, medium, large, flag, ratio, text, numbers, maybe, table, address, id);
  }

  bool operator==(const Sample&) const = default;
};

Sample sample() {
  Sample value;
  value.small = -5;
  value.medium = 65000;
  value.large = std::numeric_limits<int64_t>::min();
  value.flag = true;
  value.ratio = 0.125;
  value.text = std::string("with\0nul", 8);
  value.numbers = {1, 2, 0xffffffff};
  value.maybe = "present";
  value.table = {{"b", 2}, {"a", -1}};
  value.address = NetworkAddress::from_octets(10, 1, 2, 3, 4500);
  value.id = UID(7, 9);
  return value;
}

TEST(SerializeTest, RoundTripsEveryKind) {
  Sample original = sample();
  std::string bytes = serialize_to_bytes(original);
  EXPECT_EQ(deserialize_from_bytes<Sample>(bytes), original);
}

TEST(SerializeTest, EqualValuesGiveEqualBytes) {
  Sample a = sample();
  Sample b = sample();
  b.table.clear();
  b.table["a"] = -1;  // inserted in the other order
  b.table["b"] = 2;
  EXPECT_EQ(serialize_to_bytes(a), serialize_to_bytes(b));
}

TEST(SerializeTest, IntegersAreLittleEndian) {
  EXPECT_EQ(serialize_to_bytes(uint32_t{0x01020304}), std::string("\x04\x03\x02\x01", 4));
}

TEST(SerializeTest, EveryTruncationFailsCleanly) {
  std::string bytes = serialize_to_bytes(sample());
  for (size_t length = 0; length < bytes.size(); ++length) {
    try {
      deserialize_from_bytes<Sample>(std::string_view(bytes).substr(0, length));
      ADD_FAILURE() << "a truncation to " << length << " bytes decoded";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::serialization_failed);
      EXPECT_FALSE(error.detail().empty());
    }
  }
}

TEST(SerializeTest, TrailingBytesAreRejected) {
  std::string bytes = serialize_to_bytes(uint32_t{1}) + "x";
  EXPECT_THROW(deserialize_from_bytes<uint32_t>(bytes), Error);
}

TEST(SerializeTest, HugeLengthIsRejectedBeforeAllocating) {
  std::string bytes = serialize_to_bytes(uint32_t{0xfffffff0}) + "abc";
  try {
    deserialize_from_bytes<std::string>(bytes);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::serialization_failed);
    EXPECT_NE(error.detail().find("exceeds"), std::string_view::npos);
  }
}

TEST(SerializeTest, InvalidBoolAndUnknownErrorCodeAreRejected) {
  EXPECT_THROW(deserialize_from_bytes<bool>(std::string("\x02", 1)), Error);
  std::string unknown_error =
      serialize_to_bytes(int32_t{77777}) + serialize_to_bytes(std::string());
  EXPECT_THROW(deserialize_from_bytes<Error>(unknown_error), Error);
  Error known(ErrorCode::not_committed, "key 'x' conflicted");
  Error decoded = deserialize_from_bytes<Error>(serialize_to_bytes(known));
  EXPECT_EQ(decoded.code(), ErrorCode::not_committed);
  EXPECT_EQ(decoded.detail(), "key 'x' conflicted");
}

TEST(SerializeTest, RepeatedOrUnorderedMapKeysAreRejected) {
  auto encode = [](const char* first, const char* second) {
    return serialize_to_bytes(uint32_t{2}) + serialize_to_bytes(std::string(first)) +
           serialize_to_bytes(int32_t{1}) + serialize_to_bytes(std::string(second)) +
           serialize_to_bytes(int32_t{2});
  };
  using Map = std::map<std::string, int32_t>;
  EXPECT_THROW(deserialize_from_bytes<Map>(encode("k", "k")), Error);
  // One map, one encoding: keys out of order would be a second one.
  EXPECT_THROW(deserialize_from_bytes<Map>(encode("b", "a")), Error);
  EXPECT_EQ(deserialize_from_bytes<Map>(encode("a", "b")).size(), 2u);
}

TEST(FrameTest, FramesSurviveAnySplitting) {
  std::string stream;
  for (int i = 0; i < 3; ++i) {
    size_t start = begin_frame(stream, UID(1, static_cast<uint64_t>(i)));
    stream += "payload " + std::to_string(i);
    finish_frame(stream, start);
  }
  for (size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    FrameParser parser(1 << 20);
    std::vector<std::string> payloads;
    for (size_t at = 0; at < stream.size(); at += chunk) {
      parser.append(std::string_view(stream).substr(at, chunk));
      Frame frame;
      while (parser.next(frame) == FrameParser::Status::frame) {
        payloads.emplace_back(frame.payload);
      }
    }
    ASSERT_EQ(payloads.size(), 3u) << "chunk " << chunk;
    EXPECT_EQ(payloads[2], "payload 2");
  }
}

TEST(FrameTest, AnyFlippedBitIsCaught) {
  std::string stream;
  size_t start = begin_frame(stream, UID(3, 4));
  stream += "some payload bytes";
  finish_frame(stream, start);
  for (size_t bit = 0; bit < stream.size() * 8; ++bit) {
    std::string corrupted = stream;
    corrupted[bit / 8] = static_cast<char>(corrupted[bit / 8] ^ (1 << (bit % 8)));
    FrameParser parser(1 << 20);
    parser.append(corrupted);
    Frame frame;
    // Corrupt at once, wherever the bit is: a flipped length must not make the reader
    // wait for bytes that are really later frames (the connection would hang).
    EXPECT_EQ(parser.next(frame), FrameParser::Status::corrupt) << "bit " << bit;
  }
}

TEST(FrameTest, OversizedLengthIsCorrupt) {
  std::string stream = serialize_to_bytes(uint32_t{1 << 30}) +
                       serialize_to_bytes(frame_length_check(1 << 30)) +
                       serialize_to_bytes(uint32_t{0});
  FrameParser parser(1 << 20);
  parser.append(stream);
  Frame frame;
  EXPECT_EQ(parser.next(frame), FrameParser::Status::corrupt);
  EXPECT_NE(parser.problem().find("outside"), std::string::npos);
}

TEST(HandshakeTest, RoundTripsAndRejectsStrangers) {
  Handshake original{protocol_version_current, NetworkAddress::from_octets(127, 0, 0, 1, 4500), 0};
  std::string bytes = encode_handshake(original);
  size_t consumed = 0;
  EXPECT_FALSE(decode_handshake(std::string_view(bytes).substr(0, 10), consumed));
  std::optional<Handshake> decoded = decode_handshake(bytes + "rest", consumed);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(consumed, bytes.size());
  EXPECT_EQ(decoded->protocol_version, original.protocol_version);
  EXPECT_EQ(decoded->listen_address, original.listen_address);
  EXPECT_THROW(decode_handshake("GET / HTTP/1.1\r\n\r\n", consumed), Error);
  // A corrupted version fails the checksum instead of passing for another version.
  std::string corrupted = bytes;
  corrupted[14] = static_cast<char>(corrupted[14] ^ 0x01);
  try {
    decode_handshake(corrupted, consumed);
    FAIL() << "a corrupted handshake decoded";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::connection_failed);
    EXPECT_NE(error.detail().find("checksum"), std::string_view::npos);
  }
}

TEST(HandshakeTest, VersionsDifferingOnlyInLowBitsAreCompatible) {
  EXPECT_TRUE(protocol_versions_compatible(protocol_version_current, protocol_version_current + 1));
  EXPECT_FALSE(protocol_versions_compatible(protocol_version_current,
                                            protocol_version_current + (1ULL << 16)));
}

}  // namespace
}  // namespace strata
