// Redis's request protocol and reply encoding: the cases of Redis's own protocol tests
// (tests/unit/protocol.tcl), inline splitting as redis-cli users type it, pipelining over
// every way of cutting the bytes, and the replies' bytes in RESP2 and RESP3.

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "layers/redis/inline_args.h"
#include "layers/redis/redis_integer.h"
#include "layers/redis/reply_writer.h"
#include "layers/redis/request_parser.h"
#include "runtime/random.h"

namespace strata::redis {
namespace {

using Args = std::vector<std::string>;
using Status = RequestParser::Status;

// Every request in `bytes`, parsed at once; the error, if the bytes end in one.
struct Parsed {
  std::vector<Args> commands;
  std::string error;
  size_t left = 0;
};

Parsed parse_all(std::string_view bytes, RequestLimits limits = {}, bool authenticated = true) {
  RequestParser parser(limits);
  parser.append(bytes);
  Parsed parsed;
  while (true) {
    RequestParser::Result result = parser.next(authenticated);
    if (result.status == Status::command) {
      parsed.commands.push_back(std::move(result.arguments));
      continue;
    }
    if (result.status == Status::protocol_error) parsed.error = result.error;
    parsed.left = parser.buffered_bytes();
    return parsed;
  }
}

// The multibulk form of `args`, written out by hand from the protocol's definition.
std::string multibulk(const Args& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& arg : args)
    out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  return out;
}

TEST(RedisInteger, ReadsAsRedisDoes) {
  EXPECT_EQ(parse_redis_integer("0"), 0);
  EXPECT_EQ(parse_redis_integer("-1"), -1);
  EXPECT_EQ(parse_redis_integer("123456"), 123456);
  EXPECT_EQ(parse_redis_integer("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(parse_redis_integer("-9223372036854775808"), std::numeric_limits<int64_t>::min());
  for (const char* bad : {"", "-", "+1", "01", "-0", " 1", "1 ", "1x", "9223372036854775808",
                          "-9223372036854775809", "99999999999999999999", "1.0"}) {
    EXPECT_EQ(parse_redis_integer(bad), std::nullopt) << bad;
  }
}

TEST(InlineArgs, SplitsAsRedisCliUsersType) {
  EXPECT_EQ(split_inline_args("set key value"), (Args{"set", "key", "value"}));
  EXPECT_EQ(split_inline_args("  ping \t "), (Args{"ping"}));
  EXPECT_EQ(split_inline_args(""), Args{});
  EXPECT_EQ(split_inline_args("set \"a b\" 'c d'"), (Args{"set", "a b", "c d"}));
  EXPECT_EQ(split_inline_args("echo \"\\x41\\n\\t\\\"q\\\\\""),
            (Args{"echo", std::string("A\n\t\"q\\")}));
  EXPECT_EQ(split_inline_args("echo 'it\\'s' \"\""), (Args{"echo", "it's", ""}));
  // A quote inside an argument opens a quoted part of it.
  EXPECT_EQ(split_inline_args("a\"b c\""), (Args{"ab c"}));
  // \x with fewer than two hex digits is an escaped 'x'.
  EXPECT_EQ(split_inline_args("\"\\xZZ\""), (Args{"xZZ"}));
  for (const char* bad : {"set \"\"\"test-key\"\"\" test-value", "\"open", "'open", "\"closed\"x",
                          "'closed'x", "\"ends in \\"}) {
    EXPECT_EQ(split_inline_args(bad), std::nullopt) << bad;
  }
}

TEST(RequestParser, RedisProtocolTestCases) {
  // Handle an empty query; a negative multibulk length: nothing, then a PING works.
  EXPECT_EQ(parse_all("\r\nPING\r\n").commands, (std::vector<Args>{{"PING"}}));
  EXPECT_EQ(parse_all("*-10\r\n*1\r\n$4\r\nPING\r\n").commands, (std::vector<Args>{{"PING"}}));
  EXPECT_EQ(parse_all("*0\r\n").commands.size(), 0u);
  // Out of range multibulk length.
  EXPECT_EQ(parse_all("*20000000\r\n").error, "Protocol error: invalid multibulk length");
  // Wrong multibulk payload header.
  EXPECT_EQ(parse_all("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n").error,
            "Protocol error: expected '$', got 'f'");
  // Negative, out of range and non-number multibulk payload lengths.
  for (const char* length : {"-10", "2000000000", "blabla"}) {
    EXPECT_EQ(parse_all(std::string("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$") + length + "\r\n").error,
              "Protocol error: invalid bulk length")
        << length;
  }
  // Multi bulk request not followed by bulk arguments.
  EXPECT_EQ(parse_all("*1\r\nfoo\r\n").error, "Protocol error: expected '$', got 'f'");
  // Unbalanced number of quotes.
  EXPECT_EQ(parse_all("set \"\"\"test-key\"\"\" test-value\r\nping\r\n").error,
            "Protocol error: unbalanced quotes in request");
  // Bad multibulk count.
  EXPECT_EQ(parse_all("*x\r\n").error, "Protocol error: invalid multibulk length");
}

TEST(RequestParser, LongLinesWithoutTheirEndFailAtTheLimit) {
  RequestLimits limits;
  limits.inline_bytes_max = 100;
  EXPECT_EQ(parse_all(std::string(101, 'a'), limits).error,
            "Protocol error: too big inline request");
  // Within the limit it waits for the rest.
  Parsed waiting = parse_all(std::string(100, 'a'), limits);
  EXPECT_EQ(waiting.error, "");
  EXPECT_EQ(waiting.left, 100u);
  // With its end there too: the answer does not depend on how the bytes arrived.
  EXPECT_EQ(parse_all(std::string(101, 'a') + "\r\n", limits).error,
            "Protocol error: too big inline request");
  EXPECT_EQ(parse_all(std::string(100, 'a') + "\n", limits).commands.size(), 1u);
  EXPECT_EQ(parse_all("*" + std::string(101, '1'), limits).error,
            "Protocol error: too big mbulk count string");
  EXPECT_EQ(parse_all("*1\r\n$" + std::string(101, '1'), limits).error,
            "Protocol error: too big bulk count string");
}

TEST(RequestParser, LimitsAndStrangers) {
  RequestLimits limits;
  limits.arguments_max = 3;
  limits.argument_bytes_max = 5;
  EXPECT_EQ(parse_all(multibulk({"a", "b", "c"}), limits).commands.size(), 1u);
  EXPECT_EQ(parse_all(multibulk({"a", "b", "c", "d"}), limits).error,
            "Protocol error: invalid multibulk length");
  EXPECT_EQ(parse_all(multibulk({"12345"}), limits).commands.size(), 1u);
  EXPECT_EQ(parse_all(multibulk({"123456"}), limits).error, "Protocol error: invalid bulk length");
  // Before authentication: at most 10 arguments of 16 KiB (Redis's CVE-2021-32675 limits).
  EXPECT_EQ(parse_all(multibulk(Args(11, "x")), {}, false).error,
            "Protocol error: unauthenticated multibulk length");
  EXPECT_EQ(parse_all(multibulk({"AUTH", std::string(16 * 1024 + 1, 'p')}), {}, false).error,
            "Protocol error: unauthenticated bulk length");
  EXPECT_EQ(parse_all(multibulk({"AUTH", std::string(16 * 1024, 'p')}), {}, false).commands.size(),
            1u);
}

TEST(RequestParser, StaysFailedAfterAnError) {
  RequestParser parser;
  parser.append("*1\r\nfoo\r\n");
  EXPECT_EQ(parser.next().status, Status::protocol_error);
  parser.append(multibulk({"PING"}));
  RequestParser::Result again = parser.next();
  EXPECT_EQ(again.status, Status::protocol_error);
  EXPECT_EQ(again.error, "Protocol error: expected '$', got 'f'");
}

TEST(RequestParser, BinaryArgumentsKeepEveryByte) {
  const std::string binary("a\0b\r\nc$*\xff", 9);
  EXPECT_EQ(parse_all(multibulk({"SET", binary, ""})).commands,
            (std::vector<Args>{{"SET", binary, ""}}));
}

// A pipeline of random commands in both forms, fed in chunks cut at random (one byte at a
// time included), gives back exactly the commands, in order.
TEST(RequestParser, PipelinesCutAnywhere) {
  Random random(20261207);
  for (int round = 0; round < 200; ++round) {
    std::vector<Args> expected;
    std::string bytes;
    const int commands = 1 + static_cast<int>(random.next_u64() % 20);
    for (int c = 0; c < commands; ++c) {
      Args args;
      const int count = 1 + static_cast<int>(random.next_u64() % 5);
      const bool as_inline = random.next_u64() % 3 == 0;
      for (int a = 0; a < count; ++a) {
        std::string arg;
        const int size = as_inline ? 1 + static_cast<int>(random.next_u64() % 8)
                                   : static_cast<int>(random.next_u64() % 40);
        for (int i = 0; i < size; ++i) {
          arg.push_back(as_inline ? static_cast<char>('a' + random.next_u64() % 26)
                                  : static_cast<char>(random.next_u64() % 256));
        }
        args.push_back(arg);
      }
      if (as_inline) {
        std::string line;
        for (const std::string& arg : args)
          line += (line.empty() ? "" : " ") + arg;
        bytes += line + (random.next_u64() % 2 ? "\r\n" : "\n");
      } else {
        bytes += multibulk(args);
      }
      expected.push_back(args);
    }
    RequestParser parser;
    std::vector<Args> got;
    size_t at = 0;
    while (at < bytes.size()) {
      const size_t chunk = std::min(
          bytes.size() - at, round % 4 == 0 ? 1 : 1 + static_cast<size_t>(random.next_u64() % 64));
      parser.append(std::string_view(bytes).substr(at, chunk));
      at += chunk;
      while (true) {
        RequestParser::Result result = parser.next();
        ASSERT_NE(result.status, Status::protocol_error) << result.error;
        if (result.status == Status::need_more) break;
        got.push_back(std::move(result.arguments));
      }
    }
    EXPECT_EQ(got, expected) << "round " << round;
    EXPECT_EQ(parser.buffered_bytes(), 0u);
  }
}

TEST(ReplyWriter, Resp2) {
  ReplyWriter out(2);
  out.simple_string("O\nK");
  out.error("ERR bad\r\nthing");
  out.integer(-42);
  out.bulk_string(std::string("a\0b", 3));
  out.null();
  out.null_array();
  out.array(2);
  out.map(1);
  out.set(0);
  out.push(3);
  out.double_value(1.5);
  out.boolean(true);
  EXPECT_EQ(out.take(),
            std::string("+O K\r\n-ERR bad  thing\r\n:-42\r\n$3\r\na\0b\r\n$-1\r\n*-1\r\n"
                        "*2\r\n*2\r\n*0\r\n*3\r\n$3\r\n1.5\r\n:1\r\n",
                        77));
  EXPECT_EQ(out.buffer(), "");
}

TEST(ReplyWriter, Resp3) {
  ReplyWriter out(3);
  out.null();
  out.null_array();
  out.map(2);
  out.set(1);
  out.push(3);
  out.double_value(-0.25);
  out.double_value(std::numeric_limits<double>::infinity());
  out.boolean(false);
  EXPECT_EQ(out.take(), "_\r\n_\r\n%2\r\n~1\r\n>3\r\n,-0.25\r\n,inf\r\n#f\r\n");
}

TEST(ReplyWriter, DoublesAsRedisFormatsThem) {
  EXPECT_EQ(format_redis_double(0.1), "0.10000000000000001");
  EXPECT_EQ(format_redis_double(3), "3");
  EXPECT_EQ(format_redis_double(1e20), "1e+20");
  EXPECT_EQ(format_redis_double(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(format_redis_double(std::nan("")), "nan");
}

}  // namespace
}  // namespace strata::redis
