// strata-redis against a real strata-server: strings and keys with Redis's replies and
// errors, the protocol (pipelining, inline commands, protocol errors, HELLO, AUTH),
// MULTI/EXEC and WATCH across two instances, active expiry, pub/sub across instances (the
// counts of a killed one ending with its lease), and the kill of an instance in the middle
// of pipelined writes, after which everything it acknowledged is read through the other
// one.

#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>

#include "child_process.h"
#include "resp_client.h"

namespace strata {
namespace {

using testing::ChildProcess;
using testing::RespClient;
using testing::TemporaryDirectory;
using Replies = std::vector<std::string>;

// Only against hangs: nothing here is timed.
constexpr double hang_guard_s = 120;

class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override { server_ = testing::start_single_server(directory_.path(), hang_guard_s); }

  // Starts a strata-redis instance; returns its port.
  int start_instance(std::vector<std::string> extra = {}) {
    const int port = testing::free_loopback_port();
    std::vector<std::string> arguments{"--cluster-file", directory_.path() + "/strata.cluster",
                                       "--listen", "127.0.0.1:" + std::to_string(port)};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    instances_.push_back(
        std::make_unique<ChildProcess>(STRATA_REDIS_PATH, arguments, directory_.path()));
    EXPECT_TRUE(instances_.back()->wait_for_line("listening on", hang_guard_s))
        << instances_.back()->transcript();
    return port;
  }

  TemporaryDirectory directory_;
  std::unique_ptr<ChildProcess> server_;
  std::vector<std::unique_ptr<ChildProcess>> instances_;
};

TEST_F(RedisTest, StringsAsRedisAnswersThem) {
  RespClient r(start_instance());
  EXPECT_EQ(r.call({"GET", "s"}), "nil");
  EXPECT_EQ(r.call({"SET", "s", "hello"}), "+OK");
  EXPECT_EQ(r.call({"GET", "s"}), "$hello");
  EXPECT_EQ(r.call({"SET", "s", "x", "NX"}), "nil");
  EXPECT_EQ(r.call({"SET", "t", "x", "XX"}), "nil");
  EXPECT_EQ(r.call({"SET", "s", "world", "XX", "GET"}), "$hello");
  EXPECT_EQ(r.call({"SET", "s", "v", "NX", "XX"}), "-ERR syntax error");
  EXPECT_EQ(r.call({"SET", "s", "v", "EX", "0"}), "-ERR invalid expire time in 'set' command");
  EXPECT_EQ(r.call({"SET", "s", "v", "EX", "x"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(r.call({"SET", "s"}), "-ERR wrong number of arguments for 'set' command");
  EXPECT_EQ(r.call({"GET", "s"}), "$world");
  EXPECT_EQ(r.call({"APPEND", "s", "!"}), ":6");
  EXPECT_EQ(r.call({"STRLEN", "s"}), ":6");
  EXPECT_EQ(r.call({"GETRANGE", "s", "1", "-2"}), "$orld");
  EXPECT_EQ(r.call({"GETRANGE", "s", "-100", "100"}), "$world!");
  EXPECT_EQ(r.call({"SETRANGE", "p", "3", "ab"}), ":5");
  EXPECT_EQ(r.call({"GET", "p"}), std::string("$\0\0\0ab", 6));
  EXPECT_EQ(r.call({"SETRANGE", "p", "-1", "ab"}), "-ERR offset is out of range");

  EXPECT_EQ(r.call({"INCR", "n"}), ":1");
  EXPECT_EQ(r.call({"INCRBY", "n", "41"}), ":42");
  EXPECT_EQ(r.call({"DECRBY", "n", "2"}), ":40");
  EXPECT_EQ(r.call({"DECR", "n"}), ":39");
  EXPECT_EQ(r.call({"INCR", "s"}), "-ERR value is not an integer or out of range");
  EXPECT_EQ(r.call({"SET", "big", "9223372036854775807"}), "+OK");
  EXPECT_EQ(r.call({"INCR", "big"}), "-ERR increment or decrement would overflow");
  EXPECT_EQ(r.call({"INCRBYFLOAT", "f", "10.5"}), "$10.5");
  EXPECT_EQ(r.call({"INCRBYFLOAT", "f", "0.1"}), "$10.6");
  EXPECT_EQ(r.call({"INCRBYFLOAT", "f", "abc"}), "-ERR value is not a valid float");
  EXPECT_EQ(r.call({"INCRBYFLOAT", "f", "+inf"}), "-ERR increment would produce NaN or Infinity");

  EXPECT_EQ(r.call({"MSET", "a", "1", "b", "2"}), "+OK");
  EXPECT_EQ(r.call({"MSET", "a", "1", "b"}), "-ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(r.call({"MGET", "a", "nope", "b"}), "[$1, nil, $2]");
  EXPECT_EQ(r.call({"MSETNX", "a", "9", "c", "3"}), ":0");
  EXPECT_EQ(r.call({"MSETNX", "c", "3", "d", "4"}), ":1");
  EXPECT_EQ(r.call({"GETSET", "a", "10"}), "$1");
  EXPECT_EQ(r.call({"GETDEL", "a"}), "$10");
  EXPECT_EQ(r.call({"EXISTS", "a"}), ":0");
  EXPECT_EQ(r.call({"SETNX", "a", "x"}), ":1");
  EXPECT_EQ(r.call({"SETNX", "a", "y"}), ":0");

  EXPECT_EQ(r.call({"SETBIT", "bits", "7", "1"}), ":0");
  EXPECT_EQ(r.call({"SETBIT", "bits", "7", "0"}), ":1");
  EXPECT_EQ(r.call({"SETBIT", "bits", "100", "1"}), ":0");
  EXPECT_EQ(r.call({"GETBIT", "bits", "100"}), ":1");
  EXPECT_EQ(r.call({"STRLEN", "bits"}), ":13");
  EXPECT_EQ(r.call({"SETBIT", "bits", "1", "2"}), "-ERR bit is not an integer or out of range");
  EXPECT_EQ(r.call({"SET", "pop", "foobar"}), "+OK");
  EXPECT_EQ(r.call({"BITCOUNT", "pop"}), ":26");
  EXPECT_EQ(r.call({"BITCOUNT", "pop", "1", "1"}), ":6");
  EXPECT_EQ(r.call({"BITCOUNT", "pop", "5", "30", "BIT"}), ":17");
}

TEST_F(RedisTest, StringsLargerThanAValueAreSplitAndLimited) {
  RespClient r(start_instance());
  std::string value(1'000'000, 'x');
  for (size_t i = 0; i < value.size(); i += 997)
    value[i] = static_cast<char>('a' + i % 26);
  EXPECT_EQ(r.call({"SET", "large", value}), "+OK");
  EXPECT_EQ(r.call({"GET", "large"}), "$" + value);
  EXPECT_EQ(r.call({"STRLEN", "large"}), ":1000000");
  EXPECT_EQ(r.call({"APPEND", "large", "tail"}), ":1000004");
  EXPECT_EQ(r.call({"GETRANGE", "large", "-4", "-1"}), "$tail");
  // Overwriting a split string with a short one leaves nothing of it behind.
  EXPECT_EQ(r.call({"SET", "large", "small"}), "+OK");
  EXPECT_EQ(r.call({"GET", "large"}), "$small");
  const std::string too_long(9 * 1024 * 1024, 'y');
  const std::string error = r.call({"SET", "huge", too_long});
  EXPECT_TRUE(error.starts_with("-ERR string exceeds maximum allowed size")) << error;
  EXPECT_EQ(r.call({"EXISTS", "huge"}), ":0");
}

TEST_F(RedisTest, KeysExpiryAndDatabases) {
  RespClient r(start_instance());
  EXPECT_EQ(r.call({"MSET", "k1", "a", "k2", "b", "other", "c"}), "+OK");
  EXPECT_EQ(r.call({"DBSIZE"}), ":3");
  EXPECT_EQ(r.call({"EXISTS", "k1", "k1", "nope"}), ":2");
  EXPECT_EQ(r.call({"TYPE", "k1"}), "+string");
  EXPECT_EQ(r.call({"TYPE", "nope"}), "+none");
  EXPECT_EQ(r.call({"KEYS", "k*"}), "[$k1, $k2]");
  EXPECT_EQ(r.call({"KEYS", "[ko]?*"}), "[$k1, $k2, $other]");
  EXPECT_EQ(r.call({"RENAME", "k1", "k3"}), "+OK");
  EXPECT_EQ(r.call({"RENAME", "nope", "k4"}), "-ERR no such key");
  EXPECT_EQ(r.call({"RENAMENX", "k3", "k2"}), ":0");
  EXPECT_EQ(r.call({"COPY", "k3", "k2"}), ":0");
  EXPECT_EQ(r.call({"COPY", "k3", "k2", "REPLACE"}), ":1");
  EXPECT_EQ(r.call({"GET", "k2"}), "$a");
  EXPECT_EQ(r.call({"COPY", "k3", "k3"}), "-ERR source and destination objects are the same");

  EXPECT_EQ(r.call({"EXPIRE", "k2", "100"}), ":1");
  EXPECT_EQ(r.call({"TTL", "k2"}), ":100");
  EXPECT_EQ(r.call({"EXPIRE", "k2", "50", "GT"}), ":0");
  EXPECT_EQ(r.call({"EXPIRE", "k2", "50", "LT"}), ":1");
  EXPECT_EQ(r.call({"EXPIRE", "k2", "70", "NX"}), ":0");
  EXPECT_EQ(r.call({"EXPIRE", "k3", "70", "XX"}), ":0");
  EXPECT_EQ(r.call({"EXPIRE", "k3", "70", "NX", "GT"}),
            "-ERR NX and XX, GT or LT options at the same time are not compatible");
  EXPECT_EQ(r.call({"EXPIRE", "k3", "70", "FOO"}), "-ERR Unsupported option FOO");
  EXPECT_EQ(r.call({"TTL", "k3"}), ":-1");
  EXPECT_EQ(r.call({"TTL", "nope"}), ":-2");
  EXPECT_EQ(r.call({"PERSIST", "k2"}), ":1");
  EXPECT_EQ(r.call({"TTL", "k2"}), ":-1");
  EXPECT_EQ(r.call({"PEXPIREAT", "k2", "1000"}), ":1");  // in the past: deleted
  EXPECT_EQ(r.call({"EXISTS", "k2"}), ":0");
  EXPECT_EQ(r.call({"SET", "t", "v", "EXAT", "4102444800"}), "+OK");
  EXPECT_EQ(r.call({"EXPIRETIME", "t"}), ":4102444800");
  EXPECT_EQ(r.call({"PEXPIRETIME", "t"}), ":4102444800000");
  EXPECT_EQ(r.call({"SET", "t", "w", "KEEPTTL"}), "+OK");
  EXPECT_EQ(r.call({"EXPIRETIME", "t"}), ":4102444800");
  EXPECT_EQ(r.call({"SET", "t", "w"}), "+OK");
  EXPECT_EQ(r.call({"EXPIRETIME", "t"}), ":-1");
  EXPECT_EQ(r.call({"GETEX", "t", "PX", "100000"}), "$w");
  EXPECT_NE(r.call({"PTTL", "t"}), ":-1");
  EXPECT_EQ(r.call({"GETEX", "t", "PERSIST"}), "$w");
  EXPECT_EQ(r.call({"PTTL", "t"}), ":-1");

  // Databases are apart.
  EXPECT_EQ(r.call({"MOVE", "t", "1"}), ":1");
  EXPECT_EQ(r.call({"EXISTS", "t"}), ":0");
  EXPECT_EQ(r.call({"SELECT", "1"}), "+OK");
  EXPECT_EQ(r.call({"GET", "t"}), "$w");
  EXPECT_EQ(r.call({"DBSIZE"}), ":1");
  EXPECT_EQ(r.call({"SELECT", "16"}), "-ERR DB index is out of range");
  EXPECT_EQ(r.call({"FLUSHDB"}), "+OK");
  EXPECT_EQ(r.call({"DBSIZE"}), ":0");
  EXPECT_EQ(r.call({"SELECT", "0"}), "+OK");
  EXPECT_EQ(r.call({"DBSIZE"}), ":2");  // k3 and other

  // SCAN visits every key once, in pages.
  for (int i = 0; i < 50; ++i)
    r.call({"SET", "scan:" + std::to_string(i), "v"});
  std::set<std::string> seen;
  std::string cursor = "0";
  int pages = 0;
  do {
    RespClient& c = r;
    c.send_raw(testing::encode_command({"SCAN", cursor, "MATCH", "scan:*", "COUNT", "7"}));
    const std::string reply = c.read_reply().value_or("");
    // [$cursor, [$name, ...]]
    const size_t comma = reply.find(", ");
    cursor = reply.substr(2, comma - 2);
    std::string names = reply.substr(comma + 3, reply.size() - comma - 5);
    size_t at = 0;
    while (!names.empty() && at != std::string::npos) {
      const size_t next = names.find(", ", at);
      const std::string name =
          names.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
      EXPECT_TRUE(seen.insert(name).second) << name;
      at = next == std::string::npos ? next : next + 2;
    }
    ++pages;
  } while (cursor != "0" && pages < 1000);
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_GT(pages, 5);
  EXPECT_EQ(r.call({"FLUSHALL"}), "+OK");
  EXPECT_EQ(r.call({"DBSIZE"}), ":0");
  EXPECT_EQ(r.call({"RANDOMKEY"}), "nil");
}

TEST_F(RedisTest, Hashes) {
  RespClient r(start_instance());
  EXPECT_EQ(r.call({"HSET", "h", "a", "1", "b", "2"}), ":2");
  EXPECT_EQ(r.call({"HSET", "h", "a", "3", "c", "4"}), ":1");
  EXPECT_EQ(r.call({"HSET", "h", "a"}), "-ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(r.call({"HGETALL", "h"}), "[$a, $3, $b, $2, $c, $4]");
  EXPECT_EQ(r.call({"HLEN", "h"}), ":3");
  EXPECT_EQ(r.call({"HMGET", "h", "a", "zz", "c"}), "[$3, nil, $4]");
  EXPECT_EQ(r.call({"HSETNX", "h", "a", "9"}), ":0");
  EXPECT_EQ(r.call({"HSETNX", "h", "d", "5"}), ":1");
  EXPECT_EQ(r.call({"HKEYS", "h"}), "[$a, $b, $c, $d]");
  EXPECT_EQ(r.call({"HVALS", "h"}), "[$3, $2, $4, $5]");
  EXPECT_EQ(r.call({"HEXISTS", "h", "d"}), ":1");
  EXPECT_EQ(r.call({"HSTRLEN", "h", "d"}), ":1");
  EXPECT_EQ(r.call({"HINCRBY", "h", "a", "10"}), ":13");
  EXPECT_EQ(r.call({"HINCRBYFLOAT", "h", "n", "1.5"}), "$1.5");
  EXPECT_EQ(r.call({"HSET", "h", "w", "word"}), ":1");
  EXPECT_EQ(r.call({"HINCRBY", "h", "w", "1"}), "-ERR hash value is not an integer");
  EXPECT_EQ(r.call({"HINCRBYFLOAT", "h", "w", "1"}), "-ERR hash value is not a float");
  EXPECT_EQ(r.call({"HDEL", "h", "a", "b", "nope"}), ":2");
  EXPECT_EQ(r.call({"HLEN", "h"}), ":4");
  EXPECT_EQ(r.call({"TYPE", "h"}), "+hash");
  EXPECT_EQ(r.call({"GET", "h"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(r.call({"HGET", "nohash", "a"}), "nil");
  EXPECT_EQ(r.call({"SET", "str", "v"}), "+OK");
  EXPECT_EQ(r.call({"HSET", "str", "a", "1"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value");
  const std::string field = r.call({"HRANDFIELD", "h"});
  EXPECT_TRUE(field == "$c" || field == "$d" || field == "$n" || field == "$w") << field;
  EXPECT_EQ(r.call({"HRANDFIELD", "h", "-6"}).size() > 0, true);
  EXPECT_EQ(r.call({"HDEL", "h", "c", "d", "n", "w"}), ":4");
  EXPECT_EQ(r.call({"EXISTS", "h"}), ":0");  // an emptied hash is gone
  // A hash deleted whole leaves nothing for a new one of the same name.
  EXPECT_EQ(r.call({"HSET", "h2", "x", "1", "y", "2"}), ":2");
  EXPECT_EQ(r.call({"DEL", "h2"}), ":1");
  EXPECT_EQ(r.call({"HSET", "h2", "z", "3"}), ":1");
  EXPECT_EQ(r.call({"HGETALL", "h2"}), "[$z, $3]");
  // RENAME and COPY carry the fields.
  EXPECT_EQ(r.call({"RENAME", "h2", "h3"}), "+OK");
  EXPECT_EQ(r.call({"COPY", "h3", "h4"}), ":1");
  EXPECT_EQ(r.call({"HGETALL", "h4"}), "[$z, $3]");
  EXPECT_EQ(r.call({"HGETALL", "h2"}), "[]");
  for (int i = 0; i < 30; ++i)
    r.call({"HSET", "many", "f" + std::to_string(i), "v"});
  std::set<std::string> seen;
  std::string cursor = "0";
  do {
    const std::string reply = r.call({"HSCAN", "many", cursor, "COUNT", "4"});
    const size_t comma = reply.find(", ");
    cursor = reply.substr(2, comma - 2);
    size_t at = reply.find("$f", comma);
    while (at != std::string::npos) {
      const size_t end = reply.find(',', at);
      EXPECT_TRUE(seen.insert(reply.substr(at + 1, end - at - 1)).second);
      at = reply.find("$f", end);
    }
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 30u);
}

TEST_F(RedisTest, Sets) {
  RespClient r(start_instance());
  EXPECT_EQ(r.call({"SADD", "s", "a", "b", "c", "a"}), ":3");
  EXPECT_EQ(r.call({"SADD", "s", "d"}), ":1");
  EXPECT_EQ(r.call({"SCARD", "s"}), ":4");
  EXPECT_EQ(r.call({"SMEMBERS", "s"}), "[$a, $b, $c, $d]");
  EXPECT_EQ(r.call({"SISMEMBER", "s", "b"}), ":1");
  EXPECT_EQ(r.call({"SMISMEMBER", "s", "b", "z"}), "[:1, :0]");
  EXPECT_EQ(r.call({"SREM", "s", "a", "z"}), ":1");
  EXPECT_EQ(r.call({"SADD", "t", "c", "d", "e"}), ":3");
  EXPECT_EQ(r.call({"SINTER", "s", "t"}), "[$c, $d]");
  EXPECT_EQ(r.call({"SUNION", "s", "t", "none"}), "[$b, $c, $d, $e]");
  EXPECT_EQ(r.call({"SDIFF", "s", "t"}), "[$b]");
  EXPECT_EQ(r.call({"SINTER", "s", "none"}), "[]");
  EXPECT_EQ(r.call({"SINTERCARD", "2", "s", "t"}), ":2");
  EXPECT_EQ(r.call({"SINTERCARD", "2", "s", "t", "LIMIT", "1"}), ":1");
  EXPECT_EQ(r.call({"SINTERCARD", "0", "s"}), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(r.call({"SUNIONSTORE", "u", "s", "t"}), ":4");
  EXPECT_EQ(r.call({"SDIFFSTORE", "u", "u", "s"}), ":1");
  EXPECT_EQ(r.call({"SMEMBERS", "u"}), "[$e]");
  EXPECT_EQ(r.call({"SINTERSTORE", "u", "s", "none"}), ":0");
  EXPECT_EQ(r.call({"EXISTS", "u"}), ":0");
  EXPECT_EQ(r.call({"SMOVE", "s", "t", "b"}), ":1");
  EXPECT_EQ(r.call({"SMOVE", "s", "t", "zz"}), ":0");
  EXPECT_EQ(r.call({"SMEMBERS", "t"}), "[$b, $c, $d, $e]");
  EXPECT_EQ(r.call({"SET", "str", "v"}), "+OK");
  EXPECT_EQ(r.call({"SMOVE", "t", "str", "b"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(r.call({"SMOVE", "none", "str", "b"}), ":0");
  EXPECT_EQ(r.call({"SINTER", "s", "str"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(r.call({"SPOP", "t", "-1"}), "-ERR value is out of range, must be positive");
  const std::string popped = r.call({"SPOP", "t", "3"});
  EXPECT_EQ(std::count(popped.begin(), popped.end(), '$'), 3) << popped;
  EXPECT_EQ(r.call({"SCARD", "t"}), ":1");
  const std::string repeated = r.call({"SRANDMEMBER", "s", "-5"});
  EXPECT_EQ(std::count(repeated.begin(), repeated.end(), '$'), 5) << repeated;
  const std::string every = r.call({"SRANDMEMBER", "s", "5"});  // every member, once
  EXPECT_TRUE(every == "[$c, $d]" || every == "[$d, $c]") << every;
  EXPECT_EQ(r.call({"SRANDMEMBER", "none"}), "nil");
}

TEST_F(RedisTest, Lists) {
  RespClient r(start_instance());
  EXPECT_EQ(r.call({"RPUSH", "l", "a", "b", "c"}), ":3");
  EXPECT_EQ(r.call({"LPUSH", "l", "x", "y"}), ":5");
  EXPECT_EQ(r.call({"LRANGE", "l", "0", "-1"}), "[$y, $x, $a, $b, $c]");
  EXPECT_EQ(r.call({"LRANGE", "l", "-2", "100"}), "[$b, $c]");
  EXPECT_EQ(r.call({"LRANGE", "l", "3", "1"}), "[]");
  EXPECT_EQ(r.call({"LLEN", "l"}), ":5");
  EXPECT_EQ(r.call({"LINDEX", "l", "-1"}), "$c");
  EXPECT_EQ(r.call({"LINDEX", "l", "9"}), "nil");
  EXPECT_EQ(r.call({"LPOP", "l"}), "$y");
  EXPECT_EQ(r.call({"RPOP", "l", "2"}), "[$c, $b]");
  EXPECT_EQ(r.call({"LPOP", "l", "-1"}), "-ERR value is out of range, must be positive");
  EXPECT_EQ(r.call({"LPOP", "none", "2"}), "nil");
  EXPECT_EQ(r.call({"LINSERT", "l", "BEFORE", "a", "q"}), ":3");
  EXPECT_EQ(r.call({"LINSERT", "l", "AFTER", "zz", "q"}), ":-1");
  EXPECT_EQ(r.call({"LSET", "l", "0", "z"}), "+OK");
  EXPECT_EQ(r.call({"LSET", "l", "9", "z"}), "-ERR index out of range");
  EXPECT_EQ(r.call({"LSET", "none", "0", "z"}), "-ERR no such key");
  EXPECT_EQ(r.call({"RPUSH", "l", "a", "b", "a", "c", "a"}), ":8");
  EXPECT_EQ(r.call({"LPOS", "l", "a"}), ":2");
  EXPECT_EQ(r.call({"LPOS", "l", "a", "RANK", "-1", "COUNT", "0"}), "[:7, :5, :3, :2]");
  EXPECT_EQ(r.call({"LPOS", "l", "a", "RANK", "2", "MAXLEN", "3"}), "nil");
  EXPECT_EQ(r.call({"LREM", "l", "-2", "a"}), ":2");
  EXPECT_EQ(r.call({"LRANGE", "l", "0", "-1"}), "[$z, $q, $a, $a, $b, $c]");
  EXPECT_EQ(r.call({"LTRIM", "l", "1", "-2"}), "+OK");
  EXPECT_EQ(r.call({"LRANGE", "l", "0", "-1"}), "[$q, $a, $a, $b]");
  EXPECT_EQ(r.call({"LMOVE", "l", "m", "LEFT", "RIGHT"}), "$q");
  EXPECT_EQ(r.call({"RPOPLPUSH", "l", "l"}), "$b");
  EXPECT_EQ(r.call({"LRANGE", "l", "0", "-1"}), "[$b, $a, $a]");
  EXPECT_EQ(r.call({"LPUSHX", "none", "a"}), ":0");
  EXPECT_EQ(r.call({"RPUSHX", "m", "r"}), ":2");
  EXPECT_EQ(r.call({"LTRIM", "m", "5", "10"}), "+OK");
  EXPECT_EQ(r.call({"EXISTS", "m"}), ":0");  // trimmed to nothing: gone
  EXPECT_EQ(r.call({"RPOP", "l", "5"}), "[$a, $a, $b]");
  EXPECT_EQ(r.call({"LPOP", "l", "1", "2"}), "-ERR wrong number of arguments for 'lpop' command");
  EXPECT_EQ(r.call({"RPUSH", "m1", "a", "b", "c"}), ":3");
  EXPECT_EQ(r.call({"LMPOP", "2", "none", "m1", "RIGHT", "COUNT", "2"}), "[$m1, [$c, $b]]");
  EXPECT_EQ(r.call({"LMPOP", "1", "none", "LEFT"}), "nil");
  EXPECT_EQ(r.call({"LMPOP", "0", "m1", "LEFT"}), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(r.call({"LMPOP", "1", "m1", "UP"}), "-ERR syntax error");
  EXPECT_EQ(r.call({"LMPOP", "1", "m1", "LEFT", "COUNT", "0"}),
            "-ERR count should be greater than 0");
  EXPECT_EQ(r.call({"EXISTS", "l"}), ":0");
  EXPECT_EQ(r.call({"SET", "str", "v"}), "+OK");
  EXPECT_EQ(r.call({"LPUSH", "str", "a"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value");
  // Pushes and pops at both ends, many times: positions stay right past zero.
  for (int i = 0; i < 50; ++i) {
    r.call({"LPUSH", "deque", "l" + std::to_string(i)});
    r.call({"RPUSH", "deque", "r" + std::to_string(i)});
  }
  EXPECT_EQ(r.call({"LINDEX", "deque", "0"}), "$l49");
  EXPECT_EQ(r.call({"LINDEX", "deque", "99"}), "$r49");
  EXPECT_EQ(r.call({"LRANGE", "deque", "49", "50"}), "[$l0, $r0]");
}

TEST_F(RedisTest, SortedSets) {
  RespClient r(start_instance());
  EXPECT_EQ(r.call({"ZADD", "z", "1", "a", "2", "b", "3", "c"}), ":3");
  EXPECT_EQ(r.call({"ZADD", "z", "CH", "1.5", "b", "4", "d"}), ":2");
  EXPECT_EQ(r.call({"ZRANGE", "z", "0", "-1", "WITHSCORES"}), "[$a, $1, $b, $1.5, $c, $3, $d, $4]");
  EXPECT_EQ(r.call({"ZRANGE", "z", "0", "-1", "REV"}), "[$d, $c, $b, $a]");
  EXPECT_EQ(r.call({"ZSCORE", "z", "b"}), "$1.5");
  EXPECT_EQ(r.call({"ZMSCORE", "z", "c", "none"}), "[$3, nil]");
  EXPECT_EQ(r.call({"ZRANK", "z", "c"}), ":2");
  EXPECT_EQ(r.call({"ZREVRANK", "z", "c"}), ":1");
  EXPECT_EQ(r.call({"ZRANK", "z", "none"}), "nil");
  EXPECT_EQ(r.call({"ZCARD", "z"}), ":4");
  EXPECT_EQ(r.call({"ZCOUNT", "z", "(1", "3"}), ":2");
  EXPECT_EQ(r.call({"ZCOUNT", "z", "x", "3"}), "-ERR min or max is not a float");
  EXPECT_EQ(r.call({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "2"}), "[$b, $c]");
  EXPECT_EQ(r.call({"ZREVRANGEBYSCORE", "z", "+inf", "(3", "WITHSCORES"}), "[$d, $4]");
  EXPECT_EQ(r.call({"ZRANGE", "z", "(1", "3", "BYSCORE"}), "[$b, $c]");
  EXPECT_EQ(r.call({"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"}),
            "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
            "BYLEX");
  EXPECT_EQ(r.call({"ZADD", "z", "NX", "XX", "1", "a"}),
            "-ERR XX and NX options at the same time are not compatible");
  EXPECT_EQ(r.call({"ZADD", "z", "GT", "LT", "1", "a"}),
            "-ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(r.call({"ZADD", "z", "INCR", "1", "a", "2", "b"}),
            "-ERR INCR option supports a single increment-element pair");
  EXPECT_EQ(r.call({"ZADD", "z", "x", "a"}), "-ERR value is not a valid float");
  EXPECT_EQ(r.call({"ZADD", "z", "INCR", "10", "a"}), "$11");
  EXPECT_EQ(r.call({"ZADD", "z", "GT", "5", "a"}), ":0");
  EXPECT_EQ(r.call({"ZSCORE", "z", "a"}), "$11");
  EXPECT_EQ(r.call({"ZINCRBY", "z", "-20", "a"}), "$-9");
  EXPECT_EQ(r.call({"ZPOPMIN", "z"}), "[$a, $-9]");
  EXPECT_EQ(r.call({"ZPOPMAX", "z", "2"}), "[$d, $4, $c, $3]");
  EXPECT_EQ(r.call({"ZREM", "z", "b", "none"}), ":1");
  EXPECT_EQ(r.call({"EXISTS", "z"}), ":0");
  EXPECT_EQ(r.call({"ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d"}), ":4");
  EXPECT_EQ(r.call({"ZRANGEBYLEX", "lex", "[b", "(d"}), "[$b, $c]");
  EXPECT_EQ(r.call({"ZREVRANGEBYLEX", "lex", "+", "(b"}), "[$d, $c]");
  EXPECT_EQ(r.call({"ZLEXCOUNT", "lex", "-", "+"}), ":4");
  EXPECT_EQ(r.call({"ZRANGEBYLEX", "lex", "b", "d"}),
            "-ERR min or max not valid string range item");
  EXPECT_EQ(r.call({"ZREMRANGEBYLEX", "lex", "-", "[b"}), ":2");
  EXPECT_EQ(r.call({"ZREMRANGEBYRANK", "lex", "0", "0"}), ":1");
  EXPECT_EQ(r.call({"ZRANGE", "lex", "0", "-1"}), "[$d]");
  EXPECT_EQ(r.call({"ZADD", "s1", "1", "x", "2", "y"}), ":2");
  EXPECT_EQ(r.call({"SADD", "s2", "x", "z"}), ":2");
  EXPECT_EQ(r.call({"ZUNIONSTORE", "u", "2", "s1", "s2", "WEIGHTS", "2", "3"}), ":3");
  EXPECT_EQ(r.call({"ZRANGE", "u", "0", "-1", "WITHSCORES"}), "[$z, $3, $y, $4, $x, $5]");
  EXPECT_EQ(r.call({"ZINTERSTORE", "i", "2", "s1", "s2", "AGGREGATE", "MAX"}), ":1");
  EXPECT_EQ(r.call({"ZRANGE", "i", "0", "-1", "WITHSCORES"}), "[$x, $1]");
  EXPECT_EQ(r.call({"ZREMRANGEBYSCORE", "u", "4", "+inf"}), ":2");
  EXPECT_EQ(r.call({"ZSCAN", "u", "0"}), "[$0, [$z, $3]]");
  EXPECT_EQ(r.call({"ZUNION", "2", "s1", "s2", "WITHSCORES"}), "[$z, $1, $x, $2, $y, $2]");
  EXPECT_EQ(r.call({"ZINTER", "2", "s1", "s2"}), "[$x]");
  EXPECT_EQ(r.call({"ZDIFF", "2", "s1", "s2"}), "[$y]");
  EXPECT_EQ(r.call({"ZDIFFSTORE", "d", "2", "s1", "s2"}), ":1");
  EXPECT_EQ(r.call({"ZINTERCARD", "2", "s1", "s2"}), ":1");
  EXPECT_EQ(r.call({"ZINTERCARD", "0", "s1"}),
            "-ERR at least 1 input key is needed for 'zintercard' command");
  EXPECT_EQ(r.call({"ZRANGESTORE", "r", "s1", "1", "+inf", "BYSCORE", "LIMIT", "1", "1"}), ":1");
  EXPECT_EQ(r.call({"ZRANGE", "r", "0", "-1"}), "[$y]");
  EXPECT_EQ(r.call({"ZRANGE", "s1", "0", "-10"}), "[]");  // an end before the start
  EXPECT_EQ(r.call({"ZMPOP", "2", "none", "s1", "MAX", "COUNT", "5"}),
            "[$s1, [[$y, $2], [$x, $1]]]");
  EXPECT_EQ(r.call({"ZMPOP", "1", "s1", "MIN"}), "nil");
  EXPECT_EQ(r.call({"ZADD", "s1", "1", "x", "2", "y"}), ":2");
  EXPECT_EQ(r.call({"HELLO", "3"}).substr(0, 8), "{$server");
  EXPECT_EQ(r.call({"ZRANGE", "s1", "0", "-1", "WITHSCORES"}), "[[$x, ,1], [$y, ,2]]");
  EXPECT_EQ(r.call({"ZSCORE", "s1", "y"}), ",2");
}

TEST_F(RedisTest, BlockingPopsWakeOnAPushThroughAnotherInstance) {
  const int first = start_instance();
  const int second = start_instance();
  RespClient waiter(first);
  RespClient pusher(second);
  RespClient observer(first);  // blocked clients are counted by the instance they wait on
  // Until the waiter's command has found nothing and waits (Redis's wait_for_blocked_client).
  auto wait_until_blocked = [&observer] {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (observer.call({"INFO", "clients"}).find("blocked_clients:1") == std::string::npos &&
           std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  };
  // Nothing there: a timeout answers nil.
  EXPECT_EQ(waiter.call({"BLPOP", "queue", "0.2"}), "nil");
  EXPECT_EQ(waiter.call({"BLPOP", "queue", "-1"}), "-ERR timeout is negative");
  EXPECT_EQ(waiter.call({"BLPOP", "queue", "x"}), "-ERR timeout is not a float or out of range");
  // Waiting with no timeout; another instance pushes.
  waiter.send_raw(testing::encode_command({"BLPOP", "other", "queue", "0"}));
  wait_until_blocked();
  EXPECT_EQ(pusher.call({"RPUSH", "queue", "job1", "job2"}), ":2");
  EXPECT_EQ(waiter.read_reply(), "[$queue, $job1]");
  EXPECT_EQ(pusher.call({"LRANGE", "queue", "0", "-1"}), "[$job2]");
  waiter.send_raw(testing::encode_command({"BLMOVE", "empty", "done", "LEFT", "RIGHT", "0"}));
  wait_until_blocked();
  EXPECT_EQ(pusher.call({"LPUSH", "empty", "job3"}), ":1");
  EXPECT_EQ(waiter.read_reply(), "$job3");
  EXPECT_EQ(pusher.call({"LRANGE", "done", "0", "-1"}), "[$job3]");
  waiter.send_raw(testing::encode_command({"BZPOPMIN", "ranked", "0"}));
  wait_until_blocked();
  EXPECT_EQ(pusher.call({"ZADD", "ranked", "2", "two", "1", "one"}), ":2");
  EXPECT_EQ(waiter.read_reply(), "[$ranked, $one, $1]");
  waiter.send_raw(testing::encode_command({"BLMPOP", "0", "1", "mq", "LEFT", "COUNT", "2"}));
  wait_until_blocked();
  EXPECT_NE(observer.call({"INFO", "clients"}).find("blocked_clients:1"), std::string::npos);
  EXPECT_NE(observer.call({"CLIENT", "LIST"}).find("flags=b"), std::string::npos);
  EXPECT_EQ(pusher.call({"RPUSH", "mq", "1", "2", "3"}), ":3");
  EXPECT_EQ(waiter.read_reply(), "[$mq, [$1, $2]]");
  // CLIENT UNBLOCK ends a wait, as a timeout or with an error.
  const std::string waiter_id = waiter.call({"CLIENT", "ID"}).substr(1);
  waiter.send_raw(testing::encode_command({"BLPOP", "never", "0"}));
  wait_until_blocked();
  EXPECT_EQ(observer.call({"CLIENT", "UNBLOCK", waiter_id, "ERROR"}), ":1");
  EXPECT_EQ(waiter.read_reply(), "-UNBLOCKED client unblocked via CLIENT UNBLOCK");
  waiter.send_raw(testing::encode_command({"BLPOP", "never", "0"}));
  wait_until_blocked();
  EXPECT_EQ(observer.call({"CLIENT", "UNBLOCK", waiter_id}), ":1");
  EXPECT_EQ(waiter.read_reply(), "nil");
  EXPECT_EQ(observer.call({"CLIENT", "UNBLOCK", waiter_id}), ":0");
  // Woken by a key that became another type, a blocked pop waits on.
  waiter.send_raw(testing::encode_command({"BLPOP", "turns", "5"}));
  wait_until_blocked();
  EXPECT_EQ(pusher.call({"SET", "turns", "a string"}), "+OK");
  EXPECT_EQ(pusher.call({"DEL", "turns"}), ":1");
  EXPECT_EQ(pusher.call({"RPUSH", "turns", "item"}), ":1");
  EXPECT_EQ(waiter.read_reply(), "[$turns, $item]");
  // Commands sent while a client waits run after the blocking one, in order.
  waiter.send_raw(testing::encode_command({"BLPOP", "piped", "0"}));
  wait_until_blocked();
  waiter.send_raw(testing::encode_command({"PING"}) + testing::encode_command({"ECHO", "after"}));
  EXPECT_EQ(pusher.call({"RPUSH", "piped", "first"}), ":1");
  EXPECT_EQ(waiter.read_reply(), "[$piped, $first]");
  EXPECT_EQ(waiter.read_reply(), "+PONG");
  EXPECT_EQ(waiter.read_reply(), "$after");
  // A blocked client that goes away is forgotten at once (no longer counted, no longer
  // waiting), as in Redis, even though its wait had no end.
  {
    RespClient leaving(first);
    leaving.send_raw(testing::encode_command({"XREAD", "BLOCK", "0", "STREAMS", "gone", "$"}));
    wait_until_blocked();
  }
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (observer.call({"INFO", "clients"}).find("blocked_clients:0") == std::string::npos &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(observer.call({"INFO", "clients"}).find("blocked_clients:0"), std::string::npos);
  // Inside MULTI a blocking pop does not wait.
  EXPECT_EQ(waiter.call({"MULTI"}), "+OK");
  EXPECT_EQ(waiter.call({"BRPOP", "empty", "0"}), "+QUEUED");
  EXPECT_EQ(waiter.call({"EXEC"}), "[nil]");
  // A client blocked on an instance that dies reconnects elsewhere: nothing is lost.
  waiter.send_raw(testing::encode_command({"BLPOP", "late", "0"}));
  wait_until_blocked();
  instances_[0]->send_signal(SIGKILL);
  EXPECT_EQ(waiter.read_reply(), std::nullopt);
  EXPECT_EQ(pusher.call({"RPUSH", "late", "message"}), ":1");
  RespClient again(second);
  EXPECT_EQ(again.call({"BLPOP", "late", "0"}), "[$late, $message]");
}

TEST_F(RedisTest, StreamsAsRedisAnswersThem) {
  RespClient r(start_instance());
  EXPECT_EQ(r.call({"XADD", "s", "1-1", "f", "v"}), "$1-1");
  EXPECT_EQ(r.call({"XADD", "s", "1-*", "g", "w"}), "$1-2");
  EXPECT_EQ(r.call({"XADD", "s", "1-2", "h", "x"}),
            "-ERR The ID specified in XADD is equal or smaller than the target stream top item");
  EXPECT_EQ(r.call({"XADD", "s", "0-0", "h", "x"}),
            "-ERR The ID specified in XADD must be greater than 0-0");
  EXPECT_EQ(r.call({"XADD", "s", "1-x", "h", "x"}),
            "-ERR Invalid stream ID specified as stream command argument");
  EXPECT_EQ(r.call({"XADD", "s", "*", "f"}), "-ERR wrong number of arguments for 'xadd' command");
  // "*": milliseconds now, so past 1-2.
  const std::string automatic = r.call({"XADD", "s", "*", "h", "x"});
  ASSERT_EQ(automatic.rfind("$", 0), 0u) << automatic;
  EXPECT_GT(std::stoull(automatic.substr(1)), 1'600'000'000'000ull);
  EXPECT_EQ(r.call({"XLEN", "s"}), ":3");
  EXPECT_EQ(r.call({"XRANGE", "s", "-", "+", "COUNT", "2"}),
            "[[$1-1, [$f, $v]], [$1-2, [$g, $w]]]");
  EXPECT_EQ(r.call({"XRANGE", "s", "(1-1", "1"}), "[[$1-2, [$g, $w]]]");
  EXPECT_EQ(r.call({"XREVRANGE", "s", "1-2", "-"}), "[[$1-2, [$g, $w]], [$1-1, [$f, $v]]]");
  EXPECT_EQ(r.call({"XRANGE", "s", "-", "+", "COUNT", "0"}), "nil");
  EXPECT_EQ(r.call({"XRANGE", "missing", "-", "+"}), "[]");
  EXPECT_EQ(r.call({"XDEL", "s", "1-2", "9-9"}), ":1");
  EXPECT_EQ(r.call({"XADD", "missing", "NOMKSTREAM", "*", "f", "v"}), "nil");
  EXPECT_EQ(r.call({"EXISTS", "missing"}), ":0");
  EXPECT_EQ(r.call({"SET", "text", "x"}), "+OK");
  EXPECT_EQ(r.call({"XADD", "text", "*", "f", "v"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(r.call({"TYPE", "s"}), "+stream");
  // Trimming: exact, then approximate by whole nodes of stream-node-max-entries entries.
  EXPECT_EQ(r.call({"XTRIM", "s", "MAXLEN", "1"}), ":1");
  EXPECT_EQ(r.call({"XLEN", "s"}), ":1");
  EXPECT_EQ(r.call({"CONFIG", "SET", "stream-node-max-entries", "10"}), "+OK");
  for (int i = 1; i <= 100; ++i)
    ASSERT_EQ(r.call({"XADD", "t", std::to_string(i), "n", std::to_string(i)}),
              "$" + std::to_string(i) + "-0");
  EXPECT_EQ(r.call({"XTRIM", "t", "MAXLEN", "~", "55"}), ":40");
  EXPECT_EQ(r.call({"XRANGE", "t", "-", "+", "COUNT", "1"}), "[[$41-0, [$n, $41]]]");
  EXPECT_EQ(r.call({"XTRIM", "t", "MINID", "45"}), ":4");
  EXPECT_EQ(r.call({"XTRIM", "t", "MAXLEN", "1", "LIMIT", "5"}),
            "-ERR syntax error, LIMIT cannot be used without the special ~ option");
  // An emptied stream stays, with what it had added.
  EXPECT_EQ(r.call({"XTRIM", "t", "MAXLEN", "0"}), ":56");
  EXPECT_EQ(r.call({"EXISTS", "t"}), ":1");
  const std::string info = r.call({"XINFO", "STREAM", "t"});
  EXPECT_NE(info.find("$length, :0"), std::string::npos) << info;
  EXPECT_NE(info.find("$last-generated-id, $100-0"), std::string::npos) << info;
  EXPECT_NE(info.find("$entries-added, :100"), std::string::npos) << info;
  EXPECT_EQ(r.call({"XSETID", "t", "5"}), "+OK");
  EXPECT_EQ(r.call({"XADD", "t", "4", "f", "v"}),
            "-ERR The ID specified in XADD is equal or smaller than the target stream top item");
  EXPECT_EQ(r.call({"XGROUP", "HELP", "x"}),
            "-ERR wrong number of arguments for 'xgroup|help' command");
  EXPECT_EQ(r.call({"XINFO", "NOPE", "t"}), "-ERR unknown subcommand 'NOPE'. Try XINFO HELP.");
}

TEST_F(RedisTest, SortAsRedisAnswersIt) {
  RespClient r(start_instance());
  EXPECT_EQ(r.call({"RPUSH", "n", "3", "10", "-1.5", "2"}), ":4");
  EXPECT_EQ(r.call({"SORT", "n"}), "[$-1.5, $2, $3, $10]");
  EXPECT_EQ(r.call({"SORT", "n", "DESC", "LIMIT", "1", "2"}), "[$3, $2]");
  // As strings: "10" before "2".
  EXPECT_EQ(r.call({"SORT", "n", "ALPHA"}), "[$-1.5, $10, $2, $3]");
  EXPECT_EQ(r.call({"SORT", "n", "LIMIT", "3", "100"}), "[$10]");
  EXPECT_EQ(r.call({"SORT", "n", "LIMIT", "9", "1"}), "[]");
  // BY a pattern: weights from string keys, then from hash fields; a missing weight is 0.
  EXPECT_EQ(r.call({"MSET", "w_3", "1", "w_10", "30", "w_2", "20"}), "+OK");
  EXPECT_EQ(r.call({"SORT", "n", "BY", "w_*"}), "[$-1.5, $3, $2, $10]");
  EXPECT_EQ(r.call({"HSET", "h_3", "f", "9"}), ":1");
  EXPECT_EQ(r.call({"HSET", "h_2", "f", "5"}), ":1");
  EXPECT_EQ(r.call({"SORT", "n", "BY", "h_*->f", "DESC"}), "[$3, $2, $10, $-1.5]");
  // GET: "#" is the element; a key that is not there (or a pattern without '*') is nil.
  EXPECT_EQ(r.call({"SORT", "n", "BY", "w_*", "GET", "#", "GET", "w_*", "LIMIT", "0", "2"}),
            "[$-1.5, nil, $3, $1]");
  EXPECT_EQ(r.call({"SORT", "n", "GET", "h_*->f", "GET", "fixed", "LIMIT", "1", "1"}), "[$5, nil]");
  // BY a pattern without '*': the list's own order, reversed by DESC.
  EXPECT_EQ(r.call({"SORT", "n", "BY", "nosort"}), "[$3, $10, $-1.5, $2]");
  EXPECT_EQ(r.call({"SORT", "n", "BY", "nosort", "DESC", "LIMIT", "0", "3"}), "[$2, $-1.5, $10]");
  // Sorted sets kept in score order; sets sorted by member for STORE.
  EXPECT_EQ(r.call({"ZADD", "z", "1", "c", "2", "a", "3", "b"}), ":3");
  EXPECT_EQ(r.call({"SORT", "z", "BY", "nosort", "LIMIT", "1", "2"}), "[$a, $b]");
  EXPECT_EQ(r.call({"SORT", "z", "ALPHA", "DESC"}), "[$c, $b, $a]");
  EXPECT_EQ(r.call({"SADD", "s", "b", "c", "a"}), ":3");
  // STORE: the destination becomes a list whatever it held; an empty result deletes it.
  EXPECT_EQ(r.call({"SET", "out", "text"}), "+OK");
  EXPECT_EQ(r.call({"SORT", "s", "BY", "nosort", "STORE", "out"}), ":3");
  EXPECT_EQ(r.call({"LRANGE", "out", "0", "-1"}), "[$a, $b, $c]");
  EXPECT_EQ(r.call({"SORT", "n", "GET", "w_*", "STORE", "out"}), ":4");
  EXPECT_EQ(r.call({"LRANGE", "out", "0", "-1"}), "[$, $20, $1, $30]");
  EXPECT_EQ(r.call({"SORT", "missing", "STORE", "out"}), ":0");
  EXPECT_EQ(r.call({"EXISTS", "out"}), ":0");
  // Errors, in Redis's words.
  EXPECT_EQ(r.call({"RPUSH", "words", "1", "x"}), ":2");
  EXPECT_EQ(r.call({"SORT", "words"}), "-ERR One or more scores can't be converted into double");
  EXPECT_EQ(r.call({"SORT", "w_3"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(r.call({"SORT", "n", "LIMIT", "1"}), "-ERR syntax error");
  EXPECT_EQ(r.call({"SORT", "n", "LIMIT", "a", "1"}),
            "-ERR value is not an integer or out of range");
  EXPECT_EQ(r.call({"SORT_RO", "n", "STORE", "out"}), "-ERR syntax error");
  EXPECT_EQ(r.call({"SORT_RO", "n", "DESC"}), "[$10, $3, $2, $-1.5]");
  EXPECT_EQ(r.call({"COMMAND", "GETKEYS", "SORT", "n", "STORE", "a", "STORE", "b"}), "[$n, $b]");
  EXPECT_EQ(r.call({"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"}), "[$a, $b]");
  EXPECT_EQ(r.call({"COMMAND", "GETKEYS", "PING"}), "-ERR The command has no key arguments");
}

TEST_F(RedisTest, ConsumerGroupsDeliverEachEntryToOneConsumerAcrossInstances) {
  const int first = start_instance();
  const int second = start_instance();
  RespClient producer(second);
  EXPECT_EQ(producer.call({"XGROUP", "CREATE", "jobs", "workers", "$", "MKSTREAM"}), "+OK");
  EXPECT_EQ(producer.call({"XGROUP", "CREATE", "jobs", "workers", "$"}),
            "-BUSYGROUP Consumer Group name already exists");
  EXPECT_EQ(producer.call({"XREADGROUP", "GROUP", "nobody", "c", "STREAMS", "jobs", ">"}),
            "-NOGROUP No such key 'jobs' or consumer group 'nobody' in XREADGROUP with GROUP "
            "option");
  // Two consumers, one on each instance, read and acknowledge while entries come in.
  constexpr int entries = 60;
  std::atomic<int> acknowledged{0};
  std::vector<std::vector<std::string>> received(2);
  std::vector<std::thread> consumers;
  for (int i = 0; i < 2; ++i) {
    consumers.emplace_back([&, i] {
      RespClient consumer(i == 0 ? first : second);
      const std::string name = "consumer" + std::to_string(i);
      while (acknowledged < entries) {
        const std::string reply = consumer.call({"XREADGROUP", "GROUP", "workers", name, "COUNT",
                                                 "3", "BLOCK", "100", "STREAMS", "jobs", ">"});
        // [[$jobs, [[$id, [$n, $value]], ...]]]: each entry's ID follows "[[$" or ", [$".
        size_t at = 0;
        while ((at = reply.find("[$", at)) != std::string::npos) {
          const size_t end = reply.find_first_of(",]", at);
          const std::string token = reply.substr(at + 2, end - at - 2);
          at = end;
          if (token == "jobs" || token == "n" || token.find('-') == std::string::npos) continue;
          received[i].push_back(token);
          EXPECT_EQ(consumer.call({"XACK", "jobs", "workers", token}), ":1");
          ++acknowledged;
        }
      }
    });
  }
  std::set<std::string> added;
  for (int n = 0; n < entries; ++n) {
    RespClient& through = producer;
    const std::string id = through.call({"XADD", "jobs", "*", "n", std::to_string(n)});
    ASSERT_EQ(id.rfind("$", 0), 0u) << id;
    added.insert(id.substr(1));
  }
  for (std::thread& consumer : consumers)
    consumer.join();
  std::multiset<std::string> delivered(received[0].begin(), received[0].end());
  delivered.insert(received[1].begin(), received[1].end());
  EXPECT_EQ(std::set<std::string>(delivered.begin(), delivered.end()), added);
  EXPECT_EQ(delivered.size(), added.size()) << "an entry went to two consumers";
  EXPECT_EQ(producer.call({"XPENDING", "jobs", "workers"}), "[:0, nil, nil, nil]");
  const std::string groups = producer.call({"XINFO", "GROUPS", "jobs"});
  EXPECT_NE(groups.find("$entries-read, :60, $lag, :0"), std::string::npos) << groups;

  // A consumer whose instance dies leaves its entries pending; another claims them.
  RespClient doomed(first);
  EXPECT_EQ(producer.call({"XGROUP", "CREATE", "tasks", "workers", "0", "MKSTREAM"}), "+OK");
  EXPECT_EQ(producer.call({"XADD", "tasks", "100-1", "n", "last"}), "$100-1");
  EXPECT_EQ(doomed.call({"XREADGROUP", "GROUP", "workers", "doomed", "STREAMS", "tasks", ">"}),
            "[[$tasks, [[$100-1, [$n, $last]]]]]");
  RespClient observer(first);
  doomed.send_raw(testing::encode_command(
      {"XREADGROUP", "GROUP", "workers", "doomed", "BLOCK", "0", "STREAMS", "tasks", ">"}));
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (observer.call({"INFO", "clients"}).find("blocked_clients:1") == std::string::npos &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  instances_[0]->send_signal(SIGKILL);
  EXPECT_EQ(doomed.read_reply(), std::nullopt);
  EXPECT_EQ(producer.call({"XPENDING", "tasks", "workers", "-", "+", "10", "doomed"}).substr(0, 20),
            "[[$100-1, $doomed, :");
  // Added after the kill: nothing was taken for the dead client.
  EXPECT_EQ(producer.call({"XADD", "tasks", "100-2", "n", "after"}), "$100-2");
  RespClient heir(second);
  EXPECT_EQ(heir.call({"XREADGROUP", "GROUP", "workers", "heir", "STREAMS", "tasks", ">"}),
            "[[$tasks, [[$100-2, [$n, $after]]]]]");
  EXPECT_EQ(heir.call({"XAUTOCLAIM", "tasks", "workers", "heir", "0", "-"}),
            "[$0-0, [[$100-1, [$n, $last]], [$100-2, [$n, $after]]], []]");
  EXPECT_EQ(heir.call({"XPENDING", "tasks", "workers"}), "[:2, $100-1, $100-2, [[$heir, $2]]]");
  EXPECT_EQ(heir.call({"XCLAIM", "tasks", "workers", "other", "3600000", "100-1"}), "[]");
  EXPECT_EQ(heir.call({"XACK", "tasks", "workers", "100-1", "100-2", "100-2"}), ":2");
  EXPECT_EQ(heir.call({"XPENDING", "tasks", "workers"}), "[:0, nil, nil, nil]");
  EXPECT_EQ(heir.call({"XGROUP", "DELCONSUMER", "tasks", "workers", "doomed"}), ":0");
}

// Polls `probe` until it answers `expected` (what another instance does in the background:
// a disconnected subscriber leaving the registry, a lease running out).
void expect_eventually(const std::function<std::string()>& probe, const std::string& expected) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string last = probe();
  while (last != expected && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    last = probe();
  }
  EXPECT_EQ(last, expected);
}

TEST_F(RedisTest, PubSubAcrossInstances) {
  const int first = start_instance();
  const int second = start_instance();
  RespClient subscriber(first);
  RespClient publisher(second);
  // Subscribed on one instance, published through the other; the reply counts the receiver.
  subscriber.send_raw(testing::encode_command({"SUBSCRIBE", "news", "sport"}));
  EXPECT_EQ(subscriber.read_reply(), "[$subscribe, $news, :1]");
  EXPECT_EQ(subscriber.read_reply(), "[$subscribe, $sport, :2]");
  EXPECT_EQ(publisher.call({"PUBLISH", "news", "hello"}), ":1");
  EXPECT_EQ(publisher.call({"PUBLISH", "weather", "rain"}), ":0");
  EXPECT_EQ(subscriber.read_reply(), "[$message, $news, $hello]");
  // Patterns, on the other instance; a message reaches both, channel first.
  RespClient watcher(second);
  watcher.send_raw(testing::encode_command({"PSUBSCRIBE", "n*", "s?ort"}));
  EXPECT_EQ(watcher.read_reply(), "[$psubscribe, $n*, :1]");
  EXPECT_EQ(watcher.read_reply(), "[$psubscribe, $s?ort, :2]");
  EXPECT_EQ(publisher.call({"PUBLISH", "news", "both"}), ":2");
  EXPECT_EQ(subscriber.read_reply(), "[$message, $news, $both]");
  EXPECT_EQ(watcher.read_reply(), "[$pmessage, $n*, $news, $both]");
  RespClient local(first);
  EXPECT_EQ(local.call({"PUBLISH", "sport", "goal"}), ":2");
  EXPECT_EQ(subscriber.read_reply(), "[$message, $sport, $goal]");
  EXPECT_EQ(watcher.read_reply(), "[$pmessage, $s?ort, $sport, $goal]");
  // The registry answers for every instance.
  RespClient second_subscriber(second);
  second_subscriber.send_raw(testing::encode_command({"SUBSCRIBE", "news"}));
  EXPECT_EQ(second_subscriber.read_reply(), "[$subscribe, $news, :1]");
  for (RespClient* asking : {&local, &publisher}) {
    EXPECT_EQ(asking->call({"PUBSUB", "NUMSUB", "news", "sport", "none"}),
              "[$news, :2, $sport, :1, $none, :0]");
    EXPECT_EQ(asking->call({"PUBSUB", "CHANNELS"}), "[$news, $sport]");
    EXPECT_EQ(asking->call({"PUBSUB", "CHANNELS", "s*"}), "[$sport]");
    EXPECT_EQ(asking->call({"PUBSUB", "NUMPAT"}), ":2");
  }
  EXPECT_EQ(publisher.call({"PUBLISH", "news", "three"}), ":3");
  EXPECT_EQ(subscriber.read_reply(), "[$message, $news, $three]");
  EXPECT_EQ(watcher.read_reply(), "[$pmessage, $n*, $news, $three]");
  EXPECT_EQ(second_subscriber.read_reply(), "[$message, $news, $three]");
  // Messages arrive in commit order, those of one MULTI in command order.
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(publisher.call({"PUBLISH", "sport", std::to_string(i)}), ":2");
  EXPECT_EQ(publisher.call({"MULTI"}), "+OK");
  EXPECT_EQ(publisher.call({"PUBLISH", "sport", "a"}), "+QUEUED");
  EXPECT_EQ(publisher.call({"PUBLISH", "sport", "b"}), "+QUEUED");
  EXPECT_EQ(publisher.call({"EXEC"}), "[:2, :2]");
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(subscriber.read_reply(), "[$message, $sport, $" + std::to_string(i) + "]");
    EXPECT_EQ(watcher.read_reply(), "[$pmessage, $s?ort, $sport, $" + std::to_string(i) + "]");
  }
  EXPECT_EQ(subscriber.read_reply(), "[$message, $sport, $a]");
  EXPECT_EQ(subscriber.read_reply(), "[$message, $sport, $b]");
  EXPECT_EQ(watcher.read_reply(), "[$pmessage, $s?ort, $sport, $a]");
  EXPECT_EQ(watcher.read_reply(), "[$pmessage, $s?ort, $sport, $b]");
  // Leaving: counted no more once the reply came.
  subscriber.send_raw(testing::encode_command({"UNSUBSCRIBE", "news"}));
  EXPECT_EQ(subscriber.read_reply(), "[$unsubscribe, $news, :1]");
  EXPECT_EQ(publisher.call({"PUBSUB", "NUMSUB", "news"}), "[$news, :1]");
  subscriber.send_raw(testing::encode_command({"UNSUBSCRIBE"}));
  EXPECT_EQ(subscriber.read_reply(), "[$unsubscribe, $sport, :0]");
  subscriber.send_raw(testing::encode_command({"UNSUBSCRIBE"}));
  EXPECT_EQ(subscriber.read_reply(), "[$unsubscribe, nil, :0]");
  subscriber.send_raw(testing::encode_command({"PUNSUBSCRIBE"}));
  EXPECT_EQ(subscriber.read_reply(), "[$punsubscribe, nil, :0]");
  EXPECT_EQ(subscriber.call({"GET", "x"}), "nil");
  watcher.send_raw(testing::encode_command({"PUNSUBSCRIBE", "n*", "nothing"}));
  EXPECT_EQ(watcher.read_reply(), "[$punsubscribe, $n*, :1]");
  EXPECT_EQ(watcher.read_reply(), "[$punsubscribe, $nothing, :1]");
  EXPECT_EQ(publisher.call({"PUBLISH", "news", "four"}), ":1");
  EXPECT_EQ(second_subscriber.read_reply(), "[$message, $news, $four]");
  // A client that disconnects leaves in the background.
  {
    RespClient leaving(first);
    leaving.send_raw(testing::encode_command({"SUBSCRIBE", "gone"}));
    EXPECT_EQ(leaving.read_reply(), "[$subscribe, $gone, :1]");
    EXPECT_EQ(publisher.call({"PUBLISH", "gone", "x"}), ":1");
  }
  expect_eventually([&] { return publisher.call({"PUBLISH", "gone", "x"}); }, ":0");
  // A message is one Strata value.
  const std::string error = publisher.call({"PUBLISH", "news", std::string(100'000, 'x')});
  EXPECT_TRUE(error.starts_with("-ERR message exceeds maximum allowed size (90000 bytes")) << error;
}

TEST_F(RedisTest, PubSubContextsAndProtocols) {
  const int port = start_instance();
  RespClient r(port);
  RespClient publisher(port);
  // RESP2: a subscribed client runs only pub/sub commands, PING, QUIT and RESET.
  r.send_raw(testing::encode_command({"SUBSCRIBE", "c"}));
  EXPECT_EQ(r.read_reply(), "[$subscribe, $c, :1]");
  EXPECT_EQ(r.call({"GET", "k"}),
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context");
  EXPECT_EQ(r.call({"PING"}), "[$pong, $]");
  EXPECT_EQ(r.call({"PING", "hi"}), "[$pong, $hi]");
  r.send_raw(testing::encode_command({"PSUBSCRIBE", "c*"}));
  EXPECT_EQ(r.read_reply(), "[$psubscribe, $c*, :2]");
  EXPECT_EQ(publisher.call({"PUBLISH", "c", "m"}), ":2");
  EXPECT_EQ(r.read_reply(), "[$message, $c, $m]");
  EXPECT_EQ(r.read_reply(), "[$pmessage, $c*, $c, $m]");
  // RESET leaves every subscription.
  EXPECT_EQ(r.call({"RESET"}), "+RESET");
  EXPECT_EQ(publisher.call({"PUBLISH", "c", "m"}), ":0");
  EXPECT_EQ(r.call({"PING"}), "+PONG");
  EXPECT_EQ(r.call({"MULTI"}), "+OK");
  EXPECT_EQ(r.call({"SUBSCRIBE", "c"}), "-ERR Command not allowed inside a transaction");
  EXPECT_EQ(r.call({"DISCARD"}), "+OK");
  // RESP3: replies and messages are pushes, and every command runs.
  EXPECT_EQ(r.call({"HELLO", "3"}).substr(0, 8), "{$server");
  r.send_raw(testing::encode_command({"SUBSCRIBE", "c"}));
  EXPECT_EQ(r.read_reply(), ">[$subscribe, $c, :1]");
  EXPECT_EQ(r.call({"GET", "k"}), "nil");
  EXPECT_EQ(r.call({"PING"}), "+PONG");
  EXPECT_EQ(publisher.call({"PUBLISH", "c", "pushed"}), ":1");
  EXPECT_EQ(r.read_reply(), ">[$message, $c, $pushed]");
  // Shard channels are a namespace of their own, with their own count.
  r.send_raw(testing::encode_command({"SSUBSCRIBE", "c", "d"}));
  EXPECT_EQ(r.read_reply(), ">[$ssubscribe, $c, :1]");
  EXPECT_EQ(r.read_reply(), ">[$ssubscribe, $d, :2]");
  EXPECT_EQ(publisher.call({"SPUBLISH", "c", "sharded"}), ":1");
  EXPECT_EQ(r.read_reply(), ">[$smessage, $c, $sharded]");
  EXPECT_EQ(publisher.call({"PUBSUB", "SHARDCHANNELS"}), "[$c, $d]");
  EXPECT_EQ(publisher.call({"PUBSUB", "SHARDNUMSUB", "c", "x"}), "[$c, :1, $x, :0]");
  EXPECT_EQ(publisher.call({"PUBSUB", "NUMSUB", "d"}), "[$d, :0]");
  r.send_raw(testing::encode_command({"SUNSUBSCRIBE"}));
  EXPECT_EQ(r.read_reply(), ">[$sunsubscribe, $c, :1]");
  EXPECT_EQ(r.read_reply(), ">[$sunsubscribe, $d, :0]");
  r.send_raw(testing::encode_command({"UNSUBSCRIBE"}));
  EXPECT_EQ(r.read_reply(), ">[$unsubscribe, $c, :0]");
  EXPECT_TRUE(publisher.call({"PUBSUB", "HELP"})
                  .starts_with("[+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:, "
                               "+CHANNELS [<pattern>], "));
  EXPECT_EQ(publisher.call({"PUBSUB", "NOPE"}),
            "-ERR unknown subcommand or wrong number of arguments for 'NOPE'. Try PUBSUB HELP.");
  EXPECT_EQ(publisher.call({"SUBSCRIBE"}),
            "-ERR wrong number of arguments for 'subscribe' command");
}

TEST_F(RedisTest, PubSubCountsOfAKilledInstanceEndWithItsLease) {
  const int doomed = start_instance({"--knob", "pubsub_lease_s=2"});
  const int survivor = start_instance({"--knob", "pubsub_lease_s=2"});
  RespClient subscriber(doomed);
  RespClient publisher(survivor);
  subscriber.send_raw(testing::encode_command({"SUBSCRIBE", "c"}));
  EXPECT_EQ(subscriber.read_reply(), "[$subscribe, $c, :1]");
  subscriber.send_raw(testing::encode_command({"PSUBSCRIBE", "*"}));
  EXPECT_EQ(subscriber.read_reply(), "[$psubscribe, $*, :2]");
  EXPECT_EQ(publisher.call({"PUBLISH", "c", "m"}), ":2");
  // Renewed while the instance lives: still counted after several leases.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  EXPECT_EQ(publisher.call({"PUBLISH", "c", "m"}), ":2");
  instances_[0]->send_signal(SIGKILL);
  expect_eventually([&] { return publisher.call({"PUBLISH", "c", "m"}); }, ":0");
  EXPECT_EQ(publisher.call({"PUBSUB", "NUMSUB", "c"}), "[$c, :0]");
  EXPECT_EQ(publisher.call({"PUBSUB", "NUMPAT"}), ":0");
  EXPECT_EQ(publisher.call({"PUBSUB", "CHANNELS"}), "[]");
}

TEST_F(RedisTest, PubSubClosesASubscriberThatDoesNotRead) {
  const int port = start_instance({"--knob", "pubsub_output_hard_bytes_max=1000000"});
  RespClient idle(port);
  RespClient publisher(port);
  idle.send_raw(testing::encode_command({"SUBSCRIBE", "flood"}));
  EXPECT_EQ(idle.read_reply(), "[$subscribe, $flood, :1]");
  const std::string message(80'000, 'm');
  // The kernel's socket buffers take some megabytes before the instance holds any.
  for (int i = 0; i < 400 && publisher.call({"PUBLISH", "flood", message}) == ":1"; ++i) {
  }
  expect_eventually([&] { return publisher.call({"PUBSUB", "NUMSUB", "flood"}); }, "[$flood, :0]");
}

TEST_F(RedisTest, KeysExpireWithoutBeingTouched) {
  RespClient r(start_instance());
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(r.call({"SET", "e" + std::to_string(i), "v", "PX", "200"}), "+OK");
  EXPECT_EQ(r.call({"SET", "stays", "v"}), "+OK");
  EXPECT_EQ(r.call({"DBSIZE"}), ":21");
  // DBSIZE reads a counter, not the keys: it falls only when active expiry deletes them.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (r.call({"DBSIZE"}) != ":1" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(r.call({"DBSIZE"}), ":1");
  EXPECT_EQ(r.call({"KEYS", "*"}), "[$stays]");
  const std::string info = r.call({"INFO", "keyspace"});
  EXPECT_NE(info.find("db0:keys=1,expires=0"), std::string::npos) << info;
}

TEST_F(RedisTest, ProtocolPipeliningAndErrors) {
  RespClient r(start_instance());
  std::vector<std::vector<std::string>> commands;
  for (int i = 0; i < 200; ++i)
    commands.push_back({"INCR", "counter"});
  Replies replies = r.pipeline(commands);
  ASSERT_EQ(replies.size(), 200u);
  for (int i = 0; i < 200; ++i)
    EXPECT_EQ(replies[i], ":" + std::to_string(i + 1));
  r.send_raw("PING\r\nECHO \"a b\"\r\nset inline 'x y'\r\nGET inline\r\n");
  EXPECT_EQ(r.read_reply(), "+PONG");
  EXPECT_EQ(r.read_reply(), "$a b");
  EXPECT_EQ(r.read_reply(), "+OK");
  EXPECT_EQ(r.read_reply(), "$x y");
  EXPECT_EQ(r.call({"NOSUCH", "a", "b"}),
            "-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ");
  EXPECT_EQ(r.call({"COMMAND", "COUNT"}).starts_with(":"), true);
  EXPECT_EQ(r.call({"CLIENT", "SETNAME", "tester"}), "+OK");
  EXPECT_EQ(r.call({"CLIENT", "GETNAME"}), "$tester");
  EXPECT_EQ(r.call({"CLIENT", "SETNAME", "a b"}),
            "-ERR Client names cannot contain spaces, newlines or special characters.");
  EXPECT_NE(r.call({"CLIENT", "LIST"}).find("name=tester"), std::string::npos);
  EXPECT_EQ(r.call({"CONFIG", "GET", "appendonly"}), "[$appendonly, $yes]");
  const std::string hello = r.call({"HELLO", "3"});
  EXPECT_TRUE(hello.starts_with("{$server: $redis, $version: $7.0.15, $proto: :3")) << hello;
  EXPECT_EQ(r.call({"GET", "nothing"}), "nil");
  EXPECT_EQ(r.call({"HELLO", "4"}), "-NOPROTO unsupported protocol version");
  EXPECT_EQ(r.call({"RESET"}), "+RESET");
  // A malformed request is answered, and the connection closed.
  r.send_raw("*1\r\n$x\r\n");
  EXPECT_EQ(r.read_reply(), "-ERR Protocol error: invalid bulk length");
  EXPECT_TRUE(r.closed_by_server());
}

TEST_F(RedisTest, PasswordIsRequiredWhenSet) {
  const int port = start_instance({"--requirepass", "secret"});
  RespClient r(port);
  EXPECT_EQ(r.call({"GET", "a"}), "-NOAUTH Authentication required.");
  EXPECT_EQ(r.call({"AUTH", "wrong"}),
            "-WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(r.call({"AUTH", "secret"}), "+OK");
  EXPECT_EQ(r.call({"SET", "a", "1"}), "+OK");
  RespClient other(port);
  const std::string hello = other.call({"HELLO", "3", "AUTH", "default", "secret"});
  EXPECT_TRUE(hello.starts_with("{$server")) << hello;
  EXPECT_EQ(other.call({"GET", "a"}), "$1");
}

TEST_F(RedisTest, MultiExecAndWatchAcrossInstances) {
  const int first = start_instance();
  const int second = start_instance();
  RespClient a(first);
  RespClient b(second);
  EXPECT_EQ(a.call({"MULTI"}), "+OK");
  EXPECT_EQ(a.call({"SET", "x", "1"}), "+QUEUED");
  EXPECT_EQ(a.call({"INCR", "x"}), "+QUEUED");
  EXPECT_EQ(a.call({"INCR", "s"}), "+QUEUED");
  EXPECT_EQ(b.call({"GET", "x"}), "nil");  // nothing before EXEC
  EXPECT_EQ(a.call({"EXEC"}), "[+OK, :2, :1]");
  EXPECT_EQ(b.call({"GET", "x"}), "$2");

  // A command refused while queueing aborts the transaction.
  EXPECT_EQ(a.call({"MULTI"}), "+OK");
  EXPECT_EQ(a.call({"SET", "x", "9"}), "+QUEUED");
  EXPECT_EQ(a.call({"SET", "x"}), "-ERR wrong number of arguments for 'set' command");
  EXPECT_EQ(a.call({"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(a.call({"GET", "x"}), "$2");
  // An error while running does not undo the others.
  EXPECT_EQ(a.call({"SET", "word", "abc"}), "+OK");
  EXPECT_EQ(a.call({"MULTI"}), "+OK");
  EXPECT_EQ(a.call({"INCR", "word"}), "+QUEUED");
  EXPECT_EQ(a.call({"SET", "x", "3"}), "+QUEUED");
  EXPECT_EQ(a.call({"EXEC"}), "[-ERR value is not an integer or out of range, +OK]");
  EXPECT_EQ(b.call({"GET", "x"}), "$3");
  EXPECT_EQ(a.call({"EXEC"}), "-ERR EXEC without MULTI");
  EXPECT_EQ(a.call({"MULTI"}), "+OK");
  EXPECT_EQ(a.call({"MULTI"}), "-ERR MULTI calls can not be nested");
  EXPECT_EQ(a.call({"DISCARD"}), "+OK");

  // WATCH: a change through the other instance makes EXEC answer nil.
  EXPECT_EQ(a.call({"WATCH", "x"}), "+OK");
  EXPECT_EQ(b.call({"SET", "x", "changed"}), "+OK");
  EXPECT_EQ(a.call({"MULTI"}), "+OK");
  EXPECT_EQ(a.call({"SET", "x", "mine"}), "+QUEUED");
  EXPECT_EQ(a.call({"EXEC"}), "nil");
  EXPECT_EQ(b.call({"GET", "x"}), "$changed");
  // Unchanged, it runs; and EXEC forgets the watch.
  EXPECT_EQ(a.call({"WATCH", "x"}), "+OK");
  EXPECT_EQ(a.call({"MULTI"}), "+OK");
  EXPECT_EQ(a.call({"SET", "x", "mine"}), "+QUEUED");
  EXPECT_EQ(a.call({"EXEC"}), "[+OK]");
  EXPECT_EQ(b.call({"SET", "x", "again"}), "+OK");
  EXPECT_EQ(a.call({"MULTI"}), "+OK");
  EXPECT_EQ(a.call({"GET", "x"}), "+QUEUED");
  EXPECT_EQ(a.call({"EXEC"}), "[$again]");
  // UNWATCH forgets it too.
  EXPECT_EQ(a.call({"WATCH", "x"}), "+OK");
  EXPECT_EQ(b.call({"SET", "x", "later"}), "+OK");
  EXPECT_EQ(a.call({"UNWATCH"}), "+OK");
  EXPECT_EQ(a.call({"MULTI"}), "+OK");
  EXPECT_EQ(a.call({"GET", "x"}), "+QUEUED");
  EXPECT_EQ(a.call({"EXEC"}), "[$later]");
}

TEST_F(RedisTest, AnInstanceKilledMidPipelineLosesNothingItAcknowledged) {
  const int doomed = start_instance();
  const int survivor = start_instance();
  // Pipelined batches of SETs, an INCR and a MULTI/EXEC to the doomed instance, from a
  // thread, until the kill cuts them off; every reply received is an acknowledgement.
  std::atomic<int> acknowledged_sets{0};
  std::atomic<int> acknowledged_incrs{0};
  std::atomic<int> sent_incrs{0};
  std::atomic<int> acknowledged_execs{0};
  std::atomic<bool> started{false};
  std::thread writer([&] {
    RespClient w(doomed);
    for (int batch = 0; batch < 100000; ++batch) {
      std::vector<std::vector<std::string>> commands;
      for (int i = 0; i < 20; ++i) {
        const int n = batch * 20 + i;
        commands.push_back({"SET", "key:" + std::to_string(n), std::to_string(n)});
      }
      commands.push_back({"INCR", "acknowledged"});
      // A transaction: both counters move together or neither does.
      commands.push_back({"MULTI"});
      commands.push_back({"INCR", "together"});
      commands.push_back({"INCRBY", "twice", "2"});
      commands.push_back({"EXEC"});
      try {
        w.send_raw([&] {
          std::string bytes;
          for (const auto& command : commands)
            bytes += testing::encode_command(command);
          return bytes;
        }());
      } catch (const std::exception&) {
        return;
      }
      ++sent_incrs;
      for (size_t i = 0; i < commands.size(); ++i) {
        std::optional<std::string> reply = w.read_reply();
        if (!reply) return;
        if (i < 20) {
          EXPECT_EQ(*reply, "+OK");
          acknowledged_sets = batch * 20 + static_cast<int>(i) + 1;
        } else if (i == 20) {
          ++acknowledged_incrs;
          started = true;
        } else if (i + 1 == commands.size()) {
          EXPECT_EQ(reply->rfind("[:", 0), 0u) << *reply;
          ++acknowledged_execs;
        }
      }
    }
  });
  while (acknowledged_incrs < 50)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  instances_[0]->send_signal(SIGKILL);
  writer.join();
  ASSERT_TRUE(started);

  RespClient r(survivor);
  const int sets = acknowledged_sets;
  for (int n = 0; n < sets; ++n)
    ASSERT_EQ(r.call({"GET", "key:" + std::to_string(n)}), "$" + std::to_string(n)) << n;
  const std::string counter = r.call({"GET", "acknowledged"});
  const int value = std::stoi(counter.substr(1));
  EXPECT_GE(value, acknowledged_incrs.load());
  EXPECT_LE(value, sent_incrs.load());
  // Every acknowledged EXEC applied, and no EXEC applied in part.
  const int together = std::stoi(r.call({"GET", "together"}).substr(1));
  EXPECT_GE(together, acknowledged_execs.load());
  EXPECT_LE(together, sent_incrs.load());
  EXPECT_EQ(r.call({"GET", "twice"}), "$" + std::to_string(2 * together));
}

}  // namespace
}  // namespace strata
