// The tuple encoding: FoundationDB's own examples (its tuple layer's specification), the
// edges of every integer width, round trips, and that packed keys sort as the tuples do,
// checked against an ordering written from the specification's rules.

#include "strata/tuple.h"

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "runtime/error.h"
#include "runtime/random.h"

namespace strata {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values)
    out.push_back(static_cast<char>(v));
  return out;
}

TEST(Tuple, FoundationDBExamples) {
  using namespace std::string_literals;
  EXPECT_EQ(Tuple().append_string("foo\0bar"s).pack(), "\x02"s + "foo\0\xff"s + "bar\0"s);
  EXPECT_EQ(Tuple().append_bytes("foo\0bar"s).pack(), "\x01"s + "foo\0\xff"s + "bar\0"s);
  Tuple nested;
  nested.append_bytes("foo\0bar"s).append_null().append_tuple(Tuple());
  EXPECT_EQ(Tuple().append_tuple(nested).pack(),
            "\x05\x01"s + "foo\0\xff"s + "bar\0\0\xff\x05\0\0"s);
  EXPECT_EQ(Tuple().append_null().pack(), "\0"s);
  EXPECT_EQ(Tuple().append_bool(false).append_bool(true).pack(), "\x26\x27");
  EXPECT_EQ(Tuple().append_double(1.0).pack(), bytes({0x21, 0xbf, 0xf0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Tuple().append_double(-1.0).pack(),
            bytes({0x21, 0x40, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  std::array<uint8_t, 16> id{};
  id[15] = 7;
  EXPECT_EQ(Tuple().append_uuid(id).pack(), "\x30"s + std::string(15, '\0') + "\x07");
}

TEST(Tuple, IntegersAtEveryWidth) {
  EXPECT_EQ(Tuple().append_int(0).pack(), bytes({0x14}));
  EXPECT_EQ(Tuple().append_int(1).pack(), bytes({0x15, 0x01}));
  EXPECT_EQ(Tuple().append_int(-1).pack(), bytes({0x13, 0xfe}));
  EXPECT_EQ(Tuple().append_int(255).pack(), bytes({0x15, 0xff}));
  EXPECT_EQ(Tuple().append_int(256).pack(), bytes({0x16, 0x01, 0x00}));
  EXPECT_EQ(Tuple().append_int(-255).pack(), bytes({0x13, 0x00}));
  EXPECT_EQ(Tuple().append_int(-256).pack(), bytes({0x12, 0xfe, 0xff}));
  EXPECT_EQ(Tuple().append_int(std::numeric_limits<int64_t>::max()).pack(),
            bytes({0x1c, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Tuple().append_int(std::numeric_limits<int64_t>::min()).pack(),
            bytes({0x0c, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  for (int64_t value : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{255}, int64_t{-256},
                        int64_t{1} << 40, -(int64_t{1} << 40), std::numeric_limits<int64_t>::max(),
                        std::numeric_limits<int64_t>::min()}) {
    EXPECT_EQ(Tuple::unpack(Tuple().append_int(value).pack()).int_at(0), value) << value;
  }
}

TEST(Tuple, MalformedInputNamesWhatIsWrong) {
  auto message_of = [](std::string packed) {
    try {
      Tuple::unpack(packed);
    } catch (Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::client_invalid_operation);
      return error.message();
    }
    return std::string("no error");
  };
  EXPECT_NE(message_of("\x01"
                       "abc")
                .find("bytes without their end"),
            std::string::npos);
  EXPECT_NE(message_of("\x16\x01").find("cut short"), std::string::npos);
  EXPECT_NE(message_of("\x33").find("type code 0x33"), std::string::npos);
  EXPECT_NE(message_of("\x05\x14").find("nested tuple without its end"), std::string::npos);
  // Nine bytes of integer (FoundationDB's arbitrary-precision codes) are past 64 bits.
  EXPECT_NE(message_of(bytes({0x1d, 0x09, 1, 0, 0, 0, 0, 0, 0, 0, 0})).find("type code 0x1d"),
            std::string::npos);
  EXPECT_NE(message_of(bytes({0x1c, 0x80, 0, 0, 0, 0, 0, 0, 0})).find("64-bit"), std::string::npos);
  EXPECT_NE(
      message_of(bytes({0x0c, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe})).find("64-bit"),
      std::string::npos);
  Tuple one = Tuple().append_int(3);
  EXPECT_THROW(one.bytes_at(0), Error);
  EXPECT_THROW(one.int_at(1), Error);
}

// A random element; nested tuples up to `depth` deep.
Tuple::Element random_element(Random& random, int depth) {
  switch (random.uniform(0, depth > 0 ? 9 : 8)) {
    case 0:
      return std::monostate{};
    case 1:
    case 2: {
      std::string value;
      const int64_t size = random.uniform(0, 4);
      // Few distinct bytes, zeros and 0xff among them, so that prefixes and escapes meet.
      for (int64_t i = 0; i < size; ++i)
        value.push_back(
            "\x00\x01\xff"
            "a"[random.uniform(0, 4)]);
      if (random.coinflip()) return TupleBytes{value};
      return TupleString{value};
    }
    case 3: {
      // Every width: shifted right by 1 to 63 bits.
      const auto magnitude = static_cast<int64_t>(random.next_u64() >> random.uniform(1, 64));
      return random.coinflip() ? magnitude
                               : -magnitude - static_cast<int64_t>(random.uniform(0, 2));
    }
    case 4: {
      const double special[] = {0.0,
                                -0.0,
                                std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity(),
                                1e-310,
                                -1e300};
      if (random.coinflip()) return special[random.uniform(0, 6)];
      return random.uniform_real(-1000, 1000);
    }
    case 5:
    case 6:
      return random.coinflip();
    case 7: {
      TupleUuid uuid;
      for (uint8_t& b : uuid.value)
        b = static_cast<uint8_t>(random.uniform(0, 3) * 127);
      return uuid;
    }
    default: {
      Tuple nested;
      const int64_t size = random.uniform(0, 3);
      for (int64_t i = 0; i < size; ++i)
        nested.append(random_element(random, depth - 1));
      return nested;
    }
  }
}

int compare_tuples(const Tuple& a, const Tuple& b);

// The specification's order: by type (null, bytes, string, nested, integer, double, false,
// true, UUID), then within a type: bytes by unsigned bytes, integers by value, doubles by
// value with -0 before +0, nested tuples element by element, a prefix first.
int compare_elements(const Tuple::Element& a, const Tuple::Element& b) {
  auto rank = [](const Tuple::Element& e) {
    if (std::holds_alternative<std::monostate>(e)) return 0;
    if (std::holds_alternative<TupleBytes>(e)) return 1;
    if (std::holds_alternative<TupleString>(e)) return 2;
    if (std::holds_alternative<Tuple>(e)) return 3;
    if (std::holds_alternative<int64_t>(e)) return 4;
    if (std::holds_alternative<double>(e)) return 5;
    if (std::holds_alternative<bool>(e)) return std::get<bool>(e) ? 7 : 6;
    return 8;
  };
  if (rank(a) != rank(b)) return rank(a) < rank(b) ? -1 : 1;
  auto three_way = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  auto unsigned_bytes = [&](const std::string& x, const std::string& y) {
    return three_way(std::basic_string<unsigned char>(x.begin(), x.end()),
                     std::basic_string<unsigned char>(y.begin(), y.end()));
  };
  switch (rank(a)) {
    case 1:
      return unsigned_bytes(std::get<TupleBytes>(a).value, std::get<TupleBytes>(b).value);
    case 2:
      return unsigned_bytes(std::get<TupleString>(a).value, std::get<TupleString>(b).value);
    case 3:
      return compare_tuples(std::get<Tuple>(a), std::get<Tuple>(b));
    case 4:
      return three_way(std::get<int64_t>(a), std::get<int64_t>(b));
    case 5: {
      const double x = std::get<double>(a);
      const double y = std::get<double>(b);
      if (x == y) return three_way(!std::signbit(x), !std::signbit(y));
      return three_way(x, y);
    }
    case 8:
      return three_way(std::get<TupleUuid>(a).value, std::get<TupleUuid>(b).value);
    default:
      return 0;
  }
}

int compare_tuples(const Tuple& a, const Tuple& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (int c = compare_elements(a[i], b[i]); c != 0) return c;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

TEST(Tuple, PackedKeysSortAsTheTuplesAndUnpackToThem) {
  Random random(20261207);
  for (int round = 0; round < 20000; ++round) {
    Tuple a;
    Tuple b;
    for (int64_t i = random.uniform(0, 4); i > 0; --i)
      a.append(random_element(random, 2));
    // Often b shares a's first elements, so that later ones decide.
    for (size_t i = 0; i < a.size() && random.chance(0.6); ++i)
      b.append(a[i]);
    for (int64_t i = random.uniform(0, 3); i > 0; --i)
      b.append(random_element(random, 2));
    const std::string pa = a.pack();
    const std::string pb = b.pack();
    ASSERT_TRUE(Tuple::unpack(pa) == a) << round;
    const int expected = compare_tuples(a, b);
    const int got = pa < pb ? -1 : (pb < pa ? 1 : 0);
    ASSERT_EQ(got, expected) << "round " << round;
  }
}

TEST(Tuple, RangeHoldsExactlyTheLongerTuples) {
  Tuple base = Tuple().append_string("user").append_int(7);
  TupleRange range = tuple_range("p/", base);
  std::string inside = Tuple(base).append_null().pack_after("p/");
  std::string also = Tuple(base).append_bytes("\xff\xff").pack_after("p/");
  EXPECT_TRUE(range.begin <= inside && inside < range.end);
  EXPECT_TRUE(range.begin <= also && also < range.end);
  EXPECT_FALSE(range.begin <= base.pack_after("p/"));
  EXPECT_FALSE(Tuple().append_string("user").append_int(8).pack_after("p/") < range.end);
}

}  // namespace
}  // namespace strata
