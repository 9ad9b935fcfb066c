// Redis through hiredis: GET and SET, the writes of a transaction in one MULTI/EXEC. No
// isolation for reads (Redis transactions cannot read and then decide): it is the
// in-memory, non-transactional ceiling, not a like-for-like peer.

#include <string>

#include <hiredis/hiredis.h>

#include "runtime/real/threads.h"
#include "tools/bench/peer_session.h"

namespace strata::bench {

namespace {

using real::monotonic_seconds;

class Reply {
 public:
  explicit Reply(void* reply) : reply_(static_cast<redisReply*>(reply)) {}
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  ~Reply() {
    if (reply_) freeReplyObject(reply_);
  }
  redisReply* get() const { return reply_; }

 private:
  redisReply* reply_;
};

class RedisSession final : public PeerSession {
 public:
  explicit RedisSession(const std::string& address) {
    auto [host, port] = split_host_port(address, "--redis");
    context_ = redisConnect(host.c_str(), port);
    if (context_ == nullptr || context_->err) {
      std::string message = context_ ? context_->errstr : "out of memory";
      if (context_) redisFree(context_);
      throw PeerError("cannot connect to Redis at " + address + ": " + message);
    }
  }
  ~RedisSession() override { redisFree(context_); }

  void load(const std::vector<KeyValue>& rows) override {
    for (const KeyValue& row : rows)
      append_set(row.key, row.value);
    for (size_t i = 0; i < rows.size(); ++i)
      take_reply("loading");
  }

  bool run(const TransactionPlan& plan, bool measured, Timings& timings) override {
    size_t writes = 0;
    for (const Op& op : plan.ops) {
      if (op.kind == OpKind::read || op.kind == OpKind::read_modify_write) {
        double started = monotonic_seconds();
        Reply reply(redisCommand(context_, "GET %b", op.key.data(), op.key.size()));
        check(reply, "GET");
        if (measured) timings.read.add(monotonic_seconds() - started);
      }
      if (op.kind != OpKind::read && op.kind != OpKind::scan) ++writes;
    }
    if (writes == 0) return true;
    double started = monotonic_seconds();
    if (writes > 1) append("MULTI");
    for (const Op& op : plan.ops) {
      if (op.kind != OpKind::read && op.kind != OpKind::scan) append_set(op.key, op.value);
    }
    if (writes > 1) append("EXEC");
    size_t replies = writes > 1 ? writes + 2 : 1;
    for (size_t i = 0; i < replies; ++i)
      take_reply("SET");
    if (measured) timings.commit.add(monotonic_seconds() - started);
    return true;
  }

 private:
  void append(const char* command) {
    if (redisAppendCommand(context_, command) != REDIS_OK) fail(command);
  }
  void append_set(const std::string& key, const std::string& value) {
    if (redisAppendCommand(context_, "SET %b %b", key.data(), key.size(), value.data(),
                           value.size()) != REDIS_OK)
      fail("SET");
  }
  void take_reply(const char* what) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK) fail(what);
    Reply reply(raw);
    check(reply, what);
  }
  void check(const Reply& reply, const char* what) {
    if (reply.get() == nullptr) fail(what);
    if (reply.get()->type == REDIS_REPLY_ERROR)
      throw PeerError(std::string("Redis failed ") + what + ": " + reply.get()->str);
  }
  [[noreturn]] void fail(const char* what) {
    throw PeerError(std::string("Redis connection failed during ") + what + ": " +
                    context_->errstr);
  }

  redisContext* context_ = nullptr;
};

}  // namespace

std::unique_ptr<PeerSession> connect_redis(const BenchOptions& options) {
  return std::make_unique<RedisSession>(options.redis);
}

}  // namespace strata::bench
