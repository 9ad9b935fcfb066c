#include "layers/redis/instance.h"

#include "layers/redis/command_lanes.h"
#include "layers/redis/redis_knobs.h"
#include "runtime/environment.h"

namespace strata::redis {

uint64_t ScanCursors::save(std::string name) {
  const uint64_t cursor = next_++;
  names_.emplace(cursor, std::move(name));
  order_.push_back(cursor);
  while (order_.size() > static_cast<size_t>(std::max(1, redis_knobs().scan_cursors_max))) {
    names_.erase(order_.front());
    order_.pop_front();
  }
  return cursor;
}

std::optional<std::string> ScanCursors::find(uint64_t cursor) const {
  auto found = names_.find(cursor);
  if (found == names_.end()) return std::nullopt;
  return found->second;
}

void InstanceStats::count_error(std::string_view message) {
  // Redis's rule: the code is the first word, looked for in the first 32 bytes; "ERR" when
  // there is none.
  const size_t space = message.substr(0, 32).find(' ');
  ++errors[space == std::string_view::npos ? std::string("ERR")
                                           : std::string(message.substr(0, space))];
  ++error_replies;
}

Instance::Instance(Database database, std::string prefix, std::optional<std::string> password)
    : database_(std::move(database)),
      keyspace_(std::move(prefix)),
      password_(std::move(password)),
      id_(env().random().unique_id()),
      started_at_(env().now()),
      pubsub_(database_, keyspace_, id_.to_string()),
      lanes_(std::make_unique<CommandLanes>(*this)) {
  config_ = {
      {"appendonly", "yes"},
      {"appendfsync", "always"},
      {"save", ""},
      {"databases", std::to_string(database_count)},
      {"maxmemory", "0"},
      {"maxmemory-policy", "noeviction"},
      {"timeout", "0"},
      {"tcp-keepalive", "300"},
      {"maxclients", "10000"},
      {"proto-max-bulk-len", std::to_string(redis_knobs().argument_bytes_max)},
      {"client-query-buffer-limit", std::to_string(redis_knobs().query_buffer_bytes_max)},
      {"notify-keyspace-events", ""},
      {"hash-max-listpack-entries", "128"},
      {"hash-max-listpack-value", "64"},
      {"hash-max-ziplist-entries", "128"},
      {"hash-max-ziplist-value", "64"},
      {"set-max-intset-entries", "512"},
      {"set-max-listpack-entries", "128"},
      {"zset-max-listpack-entries", "128"},
      {"zset-max-listpack-value", "64"},
      {"zset-max-ziplist-entries", "128"},
      {"zset-max-ziplist-value", "64"},
      {"list-max-listpack-size", "-2"},
      {"list-max-ziplist-size", "-2"},
      {"list-compress-depth", "0"},
      {"stream-node-max-bytes", "4096"},
      {"stream-node-max-entries", "100"},
      {"lazyfree-lazy-user-del", "no"},
      {"lazyfree-lazy-user-flush", "no"},
      {"slowlog-log-slower-than", "10000"},
      {"slowlog-max-len", "128"},
      {"latency-tracking", "no"},
      {"lua-time-limit", "5000"},
      {"busy-reply-threshold", "5000"},
      {"cluster-enabled", "no"},
      {"appendfilename", "appendonly.aof"},
      {"dir", "."},
      {"port", "0"},
      {"bind", ""},
  };
}

std::string Instance::next_commit_marker(int64_t now_ms) {
  return keyspace_.commit_marker_key(now_ms / 1000, id_.to_string(),
                                     static_cast<int64_t>(next_marker_++));
}

Instance::~Instance() = default;

}  // namespace strata::redis
