// Redis's glob patterns, with the cases of Redis's own keyspace tests and its
// stringmatchlen's corners; and Redis's printing of INCRBYFLOAT's numbers.

#include "layers/redis/glob.h"

#include <gtest/gtest.h>

#include "layers/redis/arguments.h"

namespace strata::redis {
namespace {

TEST(GlobTest, StarsQuestionMarksAndClasses) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("foo*", "foo"));
  EXPECT_TRUE(glob_match("foo*", "foobar"));
  EXPECT_FALSE(glob_match("foo*", "fo"));
  EXPECT_TRUE(glob_match("*bar", "foobar"));
  EXPECT_TRUE(glob_match("f*o*r", "foobar"));
  EXPECT_FALSE(glob_match("f*o*z", "foobar"));
  EXPECT_TRUE(glob_match("h?llo", "hello"));
  EXPECT_FALSE(glob_match("h?llo", "hllo"));
  EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
  EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_TRUE(glob_match("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(glob_match("h[b-a]llo", "hallo"));  // a reversed range still counts
  EXPECT_FALSE(glob_match("h[a-b]llo", "hcllo"));
  EXPECT_TRUE(glob_match("h\\*llo", "h*llo"));
  EXPECT_FALSE(glob_match("h\\*llo", "hello"));
  EXPECT_TRUE(glob_match("[\\]]", "]"));
  EXPECT_TRUE(glob_match("a*b*c*d", "aXbYcZd"));
  EXPECT_TRUE(glob_match("*a*a*a*a*a*a*a*a*b", std::string(30, 'a') + "b"));
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*b", std::string(60, 'a')));
}

TEST(GlobTest, IgnoringCase) {
  EXPECT_TRUE(glob_match("APPEND*", "appendonly", true));
  EXPECT_FALSE(glob_match("APPEND*", "appendonly", false));
  EXPECT_TRUE(glob_match("[A-C]x", "bx", true));
}

TEST(FloatTextTest, AsIncrbyfloatPrintsThem) {
  EXPECT_EQ(format_long_double(10.5L), "10.5");
  EXPECT_EQ(format_long_double(3.0e3L), "3000");
  EXPECT_EQ(format_long_double(-0.0L), "0");
  EXPECT_EQ(format_long_double(5.0e-1L), "0.5");
  EXPECT_EQ(*parse_long_double("10.5") + *parse_long_double("0.1"), 10.6L);
  EXPECT_FALSE(parse_long_double(" 1").has_value());
  EXPECT_FALSE(parse_long_double("1 ").has_value());
  EXPECT_FALSE(parse_long_double("nan").has_value());
  EXPECT_FALSE(parse_long_double("").has_value());
  EXPECT_TRUE(parse_long_double("+inf").has_value());
}

}  // namespace
}  // namespace strata::redis
