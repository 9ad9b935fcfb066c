// redis_model: the Redis layer's command logic (strata-redis's executor: one transaction
// per command, MULTI/EXEC as one, commit markers resolving unknown commit results, and the
// lanes that merge clients' commands into shared transactions) driven through two layer
// instances on the simulated cluster, under the spec's faults.
//
// Each client owns a few keys and keeps its own model of them, written here from Redis's
// documented behaviour: strings, counters, lists, hashes, sets, sorted sets and streams,
// type errors, RENAME, and MULTI/EXEC of several commands. Every reply is checked against
// the reply the model expects, byte for byte (RESP2). The clients also share keys whose
// end state is checked once the faults stop:
//   - a counter every client INCRs: it ends equal to the INCRs acknowledged (each one
//     applied exactly once, even when a commit's outcome was unknown);
//   - a list used as a queue (RPUSH, LPOP): no item popped twice, every acknowledged push
//     popped or still there;
//   - a stream read by a consumer group (XADD, XREADGROUP, XACK): no entry delivered
//     twice, every acknowledged XADD delivered, nothing left pending.
// A reply that is an error of the database rather than of the command (the executor gave
// up on a transaction) leaves the command's outcome unknown: the client stops (its keys'
// model no longer holds), and the shared checks allow for it.

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "layers/redis/command_executor.h"
#include "layers/redis/command_lanes.h"
#include "layers/redis/instance.h"
#include "runtime/combinators.h"
#include "workloads/workload.h"

namespace strata {

namespace {

// RESP2 replies, as the model expects them.
std::string ok() {
  return "+OK\r\n";
}
std::string integer(int64_t value) {
  return ":" + std::to_string(value) + "\r\n";
}
std::string bulk(const std::string& bytes) {
  return "$" + std::to_string(bytes.size()) + "\r\n" + bytes + "\r\n";
}
std::string nil() {
  return "$-1\r\n";
}
std::string array(const std::vector<std::string>& items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (const std::string& item : items)
    out += item;
  return out;
}
std::string error(const std::string& message) {
  return "-" + message + "\r\n";
}
// The bytes of a bulk-string reply; nullopt for nil or another reply.
std::optional<std::string> bulk_payload(const std::string& reply) {
  if (!reply.starts_with("$") || reply.starts_with("$-1")) return std::nullopt;
  const size_t start = reply.find("\r\n") + 2;
  return reply.substr(start, reply.size() - start - 2);
}
const std::string wrong_type =
    error("WRONGTYPE Operation against a key holding the wrong kind of value");

struct StreamValue {
  std::vector<std::pair<int64_t, std::vector<std::string>>> entries;  // (ms, fields), seq 0
  int64_t last_ms = 0;
};
using Value = std::variant<std::string, std::deque<std::string>, std::map<std::string, std::string>,
                           std::set<std::string>, std::map<std::string, int64_t>, StreamValue>;
// The variant's index is the type: TYPE's answers, in that order.
const std::vector<std::string> type_names = {"string", "list", "hash", "set", "zset", "stream"};

using Command = std::vector<std::string>;

class RedisModelWorkload final : public Workload {
 public:
  explicit RedisModelWorkload(Options& options)
      : clients_(options.get_int("clients", 6)),
        keys_per_client_(options.get_int("keys_per_client", 4)),
        interval_s_(options.get_double("interval_s", 0.02)),
        shared_share_(options.get_double("shared_share", 0.35)),
        prefix_(options.get_string("prefix", "redis_model")) {}

  std::string name() const override { return "redis_model"; }

  Future<Void> start(WorkloadContext& context) override {
    Database database = context.database();
    // Two instances of the layer, as two strata-redis processes would be.
    instances_.push_back(std::make_unique<redis::Instance>(database, prefix_, std::nullopt));
    instances_.push_back(std::make_unique<redis::Instance>(database, prefix_, std::nullopt));
    for (auto& instance : instances_)
      lanes_running_.push_back(instance->lanes().run());
    end_time_ = now() + context.duration_s();
    const std::string created =
        co_await run({{"XGROUP", "CREATE", shared("stream"), "group", "0", "MKSTREAM"}}, false);
    if (created != ok()) {
      context.fail(name(), "XGROUP CREATE answered " + printable(created));
      co_return;
    }
    co_await run_clients(clients_, [this, &context](int64_t i) { return client(context, i); });
  }

  Future<Void> check(WorkloadContext& context) override {
    co_await check_counter(context);
    co_await check_queue(context);
    co_await check_stream(context);
    // The lanes wait on the instances, not on the simulation: they end here, not with it.
    lanes_running_.clear();
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    int64_t unknown_results = 0;
    int64_t retries = 0;
    for (const auto& instance : instances_) {
      unknown_results += instance->stats().unknown_results_resolved;
      retries += instance->stats().transaction_retries;
    }
    return {{"commands_checked", std::to_string(commands_checked_)},
            {"unknown_results_resolved_as_committed", std::to_string(unknown_results)},
            {"transaction_retries", std::to_string(retries)},
            {"transactions_checked", std::to_string(transactions_checked_)},
            {"clients_stopped_by_errors", std::to_string(clients_stopped_)},
            {"incrs_acknowledged", std::to_string(incrs_acknowledged_)},
            {"queue_pops", std::to_string(popped_.size())},
            {"stream_deliveries", std::to_string(delivered_.size())}};
  }

 private:
  // Runs commands (one, or several as MULTI/EXEC) through a random instance; the reply. A
  // command outside MULTI goes, as strata-redis's connections send it, through the
  // instance's lanes, in a transaction shared with other clients' commands, or alone.
  Future<std::string> run(std::vector<Command> commands, bool multi) {
    redis::Execution execution;
    execution.commands = std::move(commands);
    execution.multi = multi;
    Random& random = env().random();
    redis::Instance& instance = *instances_[static_cast<size_t>(random.uniform(0, 2))];
    if (!multi && random.coinflip()) {
      const std::string key(redis::lane_key(execution.commands.front()));
      redis::ExecutionResult result =
          co_await instance.lanes().submit(redis::Session{}, std::move(execution), key);
      co_return result.reply;
    }
    redis::ExecutionResult result = co_await redis::execute(instance, redis::Session{}, execution);
    co_return result.reply;
  }

  // An error of the database, not of the command: its outcome is unknown.
  static bool database_error(const std::string& reply) {
    return reply.starts_with("-ERR ") && reply.find("Operation against") == std::string::npos &&
           !reply.starts_with("-ERR value is not") && !reply.starts_with("-ERR no such key");
  }

  std::string random_value() {
    Random& random = env().random();
    static const std::vector<std::string> values = {"a", "bb", "7", "-3", "x y", "", "12"};
    return random.chance(0.8) ? random.pick(values) : std::to_string(random.uniform(0, 100));
  }

  // One random command on the client's keys, applied to the model: the command and the
  // reply the model expects.
  std::pair<Command, std::string> next_command(std::map<std::string, Value>& model,
                                               int64_t client) {
    Random& random = env().random();
    auto key_name = [&] {
      return prefix_ + ":" + std::to_string(client) + ":" +
             std::to_string(random.uniform(0, keys_per_client_));
    };
    const std::string key = key_name();
    auto found = model.find(key);
    Value* value = found == model.end() ? nullptr : &found->second;
    const std::string v = random_value();
    switch (random.uniform(0, 20)) {
      case 0:
        model[key] = v;
        return {{"SET", key, v}, ok()};
      case 1:
        if (!value) return {{"GET", key}, nil()};
        if (auto* s = std::get_if<std::string>(value)) return {{"GET", key}, bulk(*s)};
        return {{"GET", key}, wrong_type};
      case 2: {
        if (!value) {
          model[key] = v;
          return {{"APPEND", key, v}, integer(static_cast<int64_t>(v.size()))};
        }
        auto* s = std::get_if<std::string>(value);
        if (!s) return {{"APPEND", key, v}, wrong_type};
        *s += v;
        return {{"APPEND", key, v}, integer(static_cast<int64_t>(s->size()))};
      }
      case 3: {
        if (!value) {
          model[key] = std::string("1");
          return {{"INCR", key}, integer(1)};
        }
        auto* s = std::get_if<std::string>(value);
        if (!s) return {{"INCR", key}, wrong_type};
        std::optional<int64_t> number = as_integer(*s);
        if (!number || *number == INT64_MAX) {
          return {{"INCR", key}, error("ERR value is not an integer or out of range")};
        }
        *s = std::to_string(*number + 1);
        return {{"INCR", key}, integer(*number + 1)};
      }
      case 4: {
        const bool existed = value != nullptr;
        model.erase(key);
        return {{"DEL", key}, integer(existed ? 1 : 0)};
      }
      case 5: {
        if (value && !std::holds_alternative<std::deque<std::string>>(*value))
          return {{"RPUSH", key, v, "z"}, wrong_type};
        auto& list = std::get<std::deque<std::string>>(
            value ? *value : (model[key] = std::deque<std::string>{}));
        list.push_back(v);
        list.push_back("z");
        return {{"RPUSH", key, v, "z"}, integer(static_cast<int64_t>(list.size()))};
      }
      case 6: {
        if (!value) return {{"LPOP", key}, nil()};
        auto* list = std::get_if<std::deque<std::string>>(value);
        if (!list) return {{"LPOP", key}, wrong_type};
        const std::string first = list->front();
        list->pop_front();
        if (list->empty()) model.erase(key);
        return {{"LPOP", key}, bulk(first)};
      }
      case 7: {
        if (!value) return {{"LRANGE", key, "0", "-1"}, array({})};
        auto* list = std::get_if<std::deque<std::string>>(value);
        if (!list) return {{"LRANGE", key, "0", "-1"}, wrong_type};
        std::vector<std::string> items;
        for (const std::string& item : *list)
          items.push_back(bulk(item));
        return {{"LRANGE", key, "0", "-1"}, array(items)};
      }
      case 8: {
        const std::string field = "f" + std::to_string(random.uniform(0, 3));
        if (value && !std::holds_alternative<std::map<std::string, std::string>>(*value))
          return {{"HSET", key, field, v}, wrong_type};
        auto& hash = std::get<std::map<std::string, std::string>>(
            value ? *value : (model[key] = std::map<std::string, std::string>{}));
        const bool added = !hash.contains(field);
        hash[field] = v;
        return {{"HSET", key, field, v}, integer(added ? 1 : 0)};
      }
      case 9: {
        if (!value) return {{"HGETALL", key}, array({})};
        auto* hash = std::get_if<std::map<std::string, std::string>>(value);
        if (!hash) return {{"HGETALL", key}, wrong_type};
        std::vector<std::string> items;
        for (const auto& [field, field_value] : *hash) {
          items.push_back(bulk(field));
          items.push_back(bulk(field_value));
        }
        return {{"HGETALL", key}, array(items)};
      }
      case 10: {
        if (value && !std::holds_alternative<std::set<std::string>>(*value))
          return {{"SADD", key, v}, wrong_type};
        auto& set = std::get<std::set<std::string>>(value ? *value
                                                          : (model[key] = std::set<std::string>{}));
        return {{"SADD", key, v}, integer(set.insert(v).second ? 1 : 0)};
      }
      case 11: {
        if (!value) return {{"SMEMBERS", key}, array({})};
        auto* set = std::get_if<std::set<std::string>>(value);
        if (!set) return {{"SMEMBERS", key}, wrong_type};
        std::vector<std::string> items;
        for (const std::string& member : *set)
          items.push_back(bulk(member));
        return {{"SMEMBERS", key}, array(items)};
      }
      case 12: {
        const int64_t score = random.uniform(-5, 6);
        if (value && !std::holds_alternative<std::map<std::string, int64_t>>(*value))
          return {{"ZADD", key, std::to_string(score), v}, wrong_type};
        auto& zset = std::get<std::map<std::string, int64_t>>(
            value ? *value : (model[key] = std::map<std::string, int64_t>{}));
        const bool added = !zset.contains(v);
        zset[v] = score;
        return {{"ZADD", key, std::to_string(score), v}, integer(added ? 1 : 0)};
      }
      case 13: {
        const Command command{"ZRANGE", key, "0", "-1", "WITHSCORES"};
        if (!value) return {command, array({})};
        auto* zset = std::get_if<std::map<std::string, int64_t>>(value);
        if (!zset) return {command, wrong_type};
        std::set<std::pair<int64_t, std::string>> ordered;
        for (const auto& [member, score] : *zset)
          ordered.emplace(score, member);
        std::vector<std::string> items;
        for (const auto& [score, member] : ordered) {
          items.push_back(bulk(member));
          items.push_back(bulk(std::to_string(score)));
        }
        return {command, array(items)};
      }
      case 14:
        return {{"TYPE", key},
                value ? "+" + type_names[value->index()] + "\r\n" : std::string("+none\r\n")};
      case 15: {
        if (value && !std::holds_alternative<StreamValue>(*value))
          return {{"XADD", key, "1-0", "f", v}, wrong_type};
        auto& stream = std::get<StreamValue>(value ? *value : (model[key] = StreamValue{}));
        const int64_t ms = stream.last_ms + random.uniform(1, 3);
        const std::string id = std::to_string(ms) + "-0";
        stream.entries.push_back({ms, {"f", v}});
        stream.last_ms = ms;
        return {{"XADD", key, id, "f", v}, bulk(id)};
      }
      case 16: {
        if (!value) return {{"XRANGE", key, "-", "+"}, array({})};
        auto* stream = std::get_if<StreamValue>(value);
        if (!stream) return {{"XRANGE", key, "-", "+"}, wrong_type};
        std::vector<std::string> entries;
        for (const auto& [ms, fields] : stream->entries) {
          std::vector<std::string> values;
          for (const std::string& field : fields)
            values.push_back(bulk(field));
          entries.push_back(array({bulk(std::to_string(ms) + "-0"), array(values)}));
        }
        return {{"XRANGE", key, "-", "+"}, array(entries)};
      }
      case 17: {
        if (!value) return {{"XLEN", key}, integer(0)};
        auto* stream = std::get_if<StreamValue>(value);
        if (!stream) return {{"XLEN", key}, wrong_type};
        return {{"XLEN", key}, integer(static_cast<int64_t>(stream->entries.size()))};
      }
      default: {
        const std::string target = key_name();
        if (!value) return {{"RENAME", key, target}, error("ERR no such key")};
        if (target != key) {
          model[target] = std::move(*value);
          model.erase(key);
        }
        return {{"RENAME", key, target}, ok()};
      }
    }
  }

  static std::optional<int64_t> as_integer(const std::string& text) {
    if (text.empty() || text.size() > 20) return std::nullopt;
    size_t used = 0;
    try {
      const int64_t value = std::stoll(text, &used);
      // Redis's strict reading: no sign but '-', no leading zeros, nothing after it.
      if (used != text.size() || text[0] == '+' || (text.size() > 1 && text[0] == '0') ||
          (text.size() > 1 && text[0] == '-' && text[1] == '0') || text == "-") {
        return std::nullopt;
      }
      return value;
    } catch (...) {
      return std::nullopt;
    }
  }

  Future<Void> client(WorkloadContext& context, int64_t index) {
    Random& random = env().random();
    std::map<std::string, Value> model;
    const std::string me = std::to_string(index);
    int64_t sequence = 0;
    while (now() < end_time_) {
      co_await delay(random.exponential(interval_s_));
      const double roll = random.uniform01();
      if (roll < shared_share_) {
        co_await shared_step(random, me, sequence++);
        continue;
      }
      const bool multi = roll < shared_share_ + 0.15;
      std::vector<Command> commands;
      std::vector<std::string> expected;
      const int64_t count = multi ? random.uniform(1, 5) : 1;
      for (int64_t i = 0; i < count; ++i) {
        auto [command, reply] = next_command(model, index);
        commands.push_back(std::move(command));
        expected.push_back(std::move(reply));
      }
      const std::string want = multi ? array(expected) : expected.front();
      const std::string got = co_await run(commands, multi);
      if (got == want) {
        multi ? ++transactions_checked_ : ++commands_checked_;
        continue;
      }
      if (database_error(got)) {
        ++clients_stopped_;
        co_return;
      }
      std::string sent;
      for (const Command& command : commands) {
        for (const std::string& argument : command)
          sent += argument + " ";
        sent += "; ";
      }
      context.fail(name(), "client " + me + " sent " + sent + "and got " + printable(got) +
                               " where the model expects " + printable(want));
      co_return;
    }
  }

  static std::string printable(const std::string& reply) {
    std::string out;
    for (char c : reply)
      out += c == '\r' ? std::string("\\r") : c == '\n' ? std::string("\\n") : std::string(1, c);
    return out;
  }

  std::string shared(const std::string& what) const { return prefix_ + ":shared:" + what; }

  // One step on the shared keys.
  Future<Void> shared_step(Random& random, const std::string& me, int64_t sequence) {
    const std::string item = me + ":" + std::to_string(sequence);
    switch (random.uniform(0, 6)) {
      case 0: {
        const std::string reply = co_await run({{"INCR", shared("counter")}}, false);
        if (reply.starts_with(":")) {
          ++incrs_acknowledged_;
        } else {
          ++incrs_unknown_;
        }
        break;
      }
      case 1: {
        pushed_.insert(item);
        const std::string reply = co_await run({{"RPUSH", shared("queue"), item}}, false);
        if (reply.starts_with(":")) pushes_acknowledged_.insert(item);
        break;
      }
      case 2:
      case 3: {
        const std::string reply = co_await run({{"LPOP", shared("queue")}}, false);
        record_pop(reply);
        break;
      }
      case 4: {
        const std::string reply =
            co_await run({{"XADD", shared("stream"), "*", "item", item}}, false);
        if (std::optional<std::string> id = bulk_payload(reply)) added_.insert(*id);
        break;
      }
      default:
        co_await consume("consumer" + me, 5);
        break;
    }
  }

  void record_pop(const std::string& reply) {
    if (std::optional<std::string> item = bulk_payload(reply)) {
      popped_.push_back(*item);
    } else if (database_error(reply)) {
      ++pops_unknown_;
    }
  }

  // XREADGROUP for `consumer` (creating the group first if needed), then XACK of what it
  // got; the IDs delivered are recorded.
  Future<int64_t> consume(std::string consumer, int64_t count) {
    const std::string reply =
        co_await run({{"XREADGROUP", "GROUP", "group", consumer, "COUNT", std::to_string(count),
                       "STREAMS", shared("stream"), ">"}},
                     false);
    // *1 *2 $key *n (*2 $id *2 $item $value)...: each entry's ID is the bulk string after
    // an entry's "*2\r\n".
    std::vector<std::string> ids;
    size_t at = 0;
    while ((at = reply.find("*2\r\n$", at)) != std::string::npos) {
      at += 4;
      const size_t line_end = reply.find("\r\n", at);
      const std::string text =
          reply.substr(line_end + 2, std::stoul(reply.substr(at + 1, line_end - at - 1)));
      if (text.find('-') != std::string::npos && text != shared("stream")) ids.push_back(text);
    }
    if (database_error(reply)) ++reads_unknown_;
    for (const std::string& id : ids)
      delivered_.push_back(id);
    if (!ids.empty()) {
      Command ack{"XACK", shared("stream"), "group"};
      ack.insert(ack.end(), ids.begin(), ids.end());
      if (database_error(co_await run({ack}, false))) ++acks_unknown_;
    }
    co_return static_cast<int64_t>(ids.size());
  }

  Future<Void> check_counter(WorkloadContext& context) {
    const std::string reply = co_await run({{"GET", shared("counter")}}, false);
    const int64_t value =
        reply.starts_with("$-1") ? 0 : std::stoll(reply.substr(reply.find("\r\n") + 2));
    if (value < incrs_acknowledged_ || value > incrs_acknowledged_ + incrs_unknown_) {
      context.fail(name(), "the shared counter is " + std::to_string(value) + " after " +
                               std::to_string(incrs_acknowledged_) + " acknowledged INCRs and " +
                               std::to_string(incrs_unknown_) + " of unknown outcome");
    }
  }

  Future<Void> check_queue(WorkloadContext& context) {
    while (true) {
      const std::string reply = co_await run({{"LPOP", shared("queue")}}, false);
      if (!reply.starts_with("$") || reply.starts_with("$-1")) break;
      record_pop(reply);
    }
    std::set<std::string> seen;
    for (const std::string& item : popped_) {
      if (!seen.insert(item).second) context.fail(name(), "queue item " + item + " popped twice");
      if (!pushed_.contains(item)) context.fail(name(), "queue item " + item + " never pushed");
    }
    // A pop whose reply was lost may have taken an item.
    int64_t missing = 0;
    for (const std::string& item : pushes_acknowledged_)
      missing += seen.contains(item) ? 0 : 1;
    if (missing > pops_unknown_) {
      context.fail(name(), std::to_string(missing) + " acknowledged queue items lost (" +
                               std::to_string(pops_unknown_) + " pops of unknown outcome)");
    }
  }

  Future<Void> check_stream(WorkloadContext& context) {
    while (co_await consume("checker", 100) > 0) {
    }
    if (reads_unknown_ + acks_unknown_ > 0) {
      // Entries a read of unknown outcome took, or whose acknowledgement was lost, are
      // still pending: the checker claims them (each is delivered, to someone, once).
      const std::string claimed = co_await run({{"XAUTOCLAIM", shared("stream"), "group", "checker",
                                                 "0", "0-0", "COUNT", "100000", "JUSTID"}},
                                               false);
      size_t at = 0;
      while ((at = claimed.find("\r\n$", at)) != std::string::npos) {
        at += 3;
        const size_t line_end = claimed.find("\r\n", at);
        const std::string id =
            claimed.substr(line_end + 2, std::stoul(claimed.substr(at, line_end - at)));
        if (id != "0-0" && !std::count(delivered_.begin(), delivered_.end(), id))
          delivered_.push_back(id);
      }
      co_await run({{"XGROUP", "DESTROY", shared("stream"), "group"}}, false);
      check_deliveries(context);
      co_return;
    }
    check_deliveries(context);
    const std::string pending = co_await run({{"XPENDING", shared("stream"), "group"}}, false);
    if (!added_.empty() && !pending.starts_with("*4\r\n:0\r\n")) {
      context.fail(name(), "entries left pending after every delivery was acknowledged: " +
                               printable(pending));
    }
  }

  void check_deliveries(WorkloadContext& context) {
    std::set<std::string> seen;
    for (const std::string& id : delivered_) {
      if (!seen.insert(id).second) context.fail(name(), "stream entry " + id + " delivered twice");
    }
    for (const std::string& id : added_) {
      if (!seen.contains(id)) {
        context.fail(name(), "acknowledged stream entry " + id + " never delivered");
      }
    }
  }

  int64_t clients_;
  int64_t keys_per_client_;
  double interval_s_;
  // The share of steps on the shared keys (which clients' transactions merge on).
  double shared_share_;
  std::string prefix_;
  double end_time_ = 0;
  std::vector<std::unique_ptr<redis::Instance>> instances_;
  std::vector<Future<Void>> lanes_running_;
  int64_t commands_checked_ = 0;
  int64_t transactions_checked_ = 0;
  int64_t clients_stopped_ = 0;
  int64_t incrs_acknowledged_ = 0;
  int64_t incrs_unknown_ = 0;
  int64_t pops_unknown_ = 0;
  int64_t reads_unknown_ = 0;
  int64_t acks_unknown_ = 0;
  std::set<std::string> pushed_;
  std::set<std::string> pushes_acknowledged_;
  std::vector<std::string> popped_;
  std::set<std::string> added_;
  std::vector<std::string> delivered_;
};

}  // namespace

std::unique_ptr<Workload> make_redis_model_workload(Options& options) {
  return std::make_unique<RedisModelWorkload>(options);
}

}  // namespace strata
