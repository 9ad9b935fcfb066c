#include "runtime/json_validate.h"

#include <string>

#include <gtest/gtest.h>

#include "runtime/json_writer.h"

namespace strata {
namespace {

TEST(JsonValidateTest, AcceptsJsonValues) {
  for (const char* text :
       {"{}", "[]", "0", "-0", "1.5", "-12.25e+3", "1E-2", "true", "false", "null", "\"\"",
        "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\"", " { \"a\" : [ 1 , { } , [ ] , \"x\" ] } ",
        "{\"a\":{\"b\":{\"c\":null}},\"d\":[true,false]}", "\"caf\xc3\xa9\""}) {
    EXPECT_TRUE(is_valid_json(text)) << text;
  }
}

TEST(JsonValidateTest, RefusesWhatIsNotOneJsonValue) {
  const char* invalid[] = {"",
                           " ",
                           "{",
                           "}",
                           "[1,]",
                           "[,1]",
                           "{\"a\"}",
                           "{\"a\":}",
                           "{\"a\":1,}",
                           "{a:1}",
                           "{\"a\" 1}",
                           "[1 2]",
                           "01",
                           "1.",
                           ".5",
                           "-",
                           "1e",
                           "+1",
                           "tru",
                           "nul",
                           "True",
                           "\"unterminated",
                           "\"bad \\x escape\"",
                           "\"\\u12G4\"",
                           "\"tab\tinside\"",
                           "{} {}",
                           "[]]",
                           "[1}",
                           "{\"a\":1]",
                           "NaN"};
  for (const char* text : invalid) {
    EXPECT_FALSE(is_valid_json(text)) << text;
  }
}

TEST(JsonValidateTest, NestingDeeperThanTheLimitIsRefusedWithoutRecursion) {
  EXPECT_TRUE(is_valid_json("[[[]]]", 3));
  EXPECT_FALSE(is_valid_json("[[[]]]", 2));
  EXPECT_TRUE(is_valid_json("{\"a\":{\"b\":{}}}", 3));
  EXPECT_FALSE(is_valid_json("{\"a\":{\"b\":{}}}", 2));
  std::string deep = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  EXPECT_FALSE(is_valid_json(deep));
  EXPECT_TRUE(is_valid_json(deep, deep.size()));
}

TEST(JsonValidateTest, WhatJsonWriterWritesIsValidAndRawEmbedsADocument) {
  JsonWriter inner;
  inner.begin_object().key("quote\"d").value("line\nbreak\x01").key("n").value(-1.5);
  inner.key("list").begin_array().value(true).null().end_array().end_object();
  ASSERT_TRUE(is_valid_json(inner.text())) << inner.text();
  JsonWriter outer;
  outer.begin_object().key("embedded").raw(inner.text()).key("after").value(1).end_object();
  EXPECT_TRUE(is_valid_json(outer.text())) << outer.text();
  EXPECT_EQ(outer.text(), "{\"embedded\":" + inner.text() + ",\"after\":1}");
}

}  // namespace
}  // namespace strata
