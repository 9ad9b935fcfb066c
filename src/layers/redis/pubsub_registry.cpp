#include "layers/redis/pubsub_registry.h"

#include "layers/redis/command_executor.h"
#include "layers/redis/glob.h"
#include "layers/redis/key_store.h"
#include "layers/redis/redis_knobs.h"
#include "runtime/assert.h"
#include "runtime/combinators.h"
#include "runtime/trace.h"
#include "strata/tuple.h"

namespace strata::redis {

namespace {

// Counts and lease times are stored as one-integer tuples.
std::string encode_integer(int64_t value) {
  return Tuple().append_int(value).pack();
}

int64_t decode_integer(std::string_view bytes) {
  const Tuple tuple = Tuple::unpack(bytes);
  if (tuple.size() != 1) {
    throw Error(ErrorCode::client_invalid_operation,
                "a Redis pub/sub count of " + std::to_string(tuple.size()) + " elements");
  }
  return tuple.int_at(0);
}

int64_t lease_ms() {
  return static_cast<int64_t>(redis_knobs().pubsub_lease_s * 1000.0);
}

}  // namespace

PubSubRegistry::PubSubRegistry(Database database, const Keyspace& keyspace, std::string instance)
    : database_(std::move(database)), keyspace_(keyspace), instance_(std::move(instance)) {
  STRATA_ASSERT_MSG(!instance_.empty(), "an instance has a name");
}

void PubSubRegistry::add(ChannelKind kind, const std::string& name) {
  const Name key{kind, name};
  ++counts_[key];
  changed(key);
}

void PubSubRegistry::remove(ChannelKind kind, const std::string& name) {
  const Name key{kind, name};
  auto found = counts_.find(key);
  STRATA_ASSERT_MSG(found != counts_.end() && found->second > 0,
                    "a client leaves only what it subscribed to");
  if (--found->second == 0) counts_.erase(found);
  changed(key);
}

void PubSubRegistry::changed(const Name& name) {
  dirty_.insert(name);
  wake_.set(wake_.get() + 1);
}

Future<Version> PubSubRegistry::flush() {
  Promise<Version> written;
  Future<Version> result = written.get_future();
  waiting_.push_back(std::move(written));
  wake_.set(wake_.get() + 1);
  return result;
}

Future<Void> PubSubRegistry::run() {
  while (true) {
    const double renew_s = redis_knobs().pubsub_lease_s / 3;
    if (dirty_.empty() && waiting_.empty()) co_await first_ready(wake_.on_change(), delay(renew_s));
    std::set<Name> names = std::exchange(dirty_, {});
    std::vector<Promise<Version>> waiting = std::exchange(waiting_, {});
    std::optional<Error> failure;
    Version version = -1;
    try {
      version = co_await write(names);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (!failure) {
      for (Promise<Version>& promise : waiting)
        promise.send(version);
      continue;
    }
    // Only errors that are not retryable reach here (the cluster unreachable past a
    // timeout, say): the changes wait for the next write, the flushes hear of it.
    TraceEvent(Severity::warn, "RedisPubSubRegistryWriteFailed").error(*failure);
    dirty_.insert(names.begin(), names.end());
    for (Promise<Version>& promise : waiting)
      promise.send_error(*failure);
    co_await delay(renew_s);
  }
}

int64_t PubSubRegistry::local_count(ChannelKind kind, const std::string& name) const {
  auto found = counts_.find(Name{kind, name});
  return found == counts_.end() ? 0 : found->second;
}

std::map<std::string, int64_t> PubSubRegistry::local_counts(ChannelKind kind) const {
  std::map<std::string, int64_t> counts;
  for (auto it = counts_.lower_bound(Name{kind, ""});
       it != counts_.end() && it->first.first == kind; ++it)
    counts.emplace(it->first.second, it->second);
  return counts;
}

Future<Version> PubSubRegistry::write(std::set<Name> names) {
  co_return co_await database_.run([&](Transaction& tr) -> Future<Version> {
    const int64_t now_ms = unix_time_ms();
    const std::string lease_key = keyspace_.pubsub_lease_key(instance_);
    // A read, not a snapshot: a cleanup that clears this instance's entries conflicts with
    // the renewal, or this write with the cleanup.
    const std::optional<Value> lease = co_await tr.get(lease_key);
    std::set<Name> to_write = names;
    if (!lease || decode_integer(*lease) <= now_ms) {
      for (const auto& [name, count] : counts_)
        to_write.insert(name);
    }
    for (const Name& name : to_write) {
      const std::string key =
          keyspace_.pubsub_registry_key(static_cast<int64_t>(name.first), name.second, instance_);
      auto found = counts_.find(name);
      if (found == counts_.end()) {
        tr.clear(key);
      } else {
        STRATA_ASSERT(found->second > 0);
        tr.set(key, encode_integer(found->second));
      }
    }
    tr.set(lease_key, encode_integer(now_ms + lease_ms()));
    co_return co_await tr.get_read_version();
  });
}

Future<Void> RegistryReader::read_leases() {
  if (leases_read_) co_return;
  for (const KeyValue& row : co_await read(keyspace_.pubsub_lease_range())) {
    if (decode_integer(row.value) > now_ms_)
      live_.insert(keyspace_.pubsub_lease_instance_of(row.key));
  }
  leases_read_ = true;
}

Future<std::vector<KeyValue>> RegistryReader::read(TupleRange range) {
  std::vector<KeyValue> all;
  std::string begin = std::move(range.begin);
  while (begin < range.end) {
    RangeResult rows = co_await transaction_.get_range(begin, range.end, 0, false, true);
    for (KeyValue& row : rows.rows)
      all.push_back(std::move(row));
    if (!rows.more || rows.rows.empty()) break;
    begin = all.back().key + '\0';
  }
  co_return all;
}

int64_t RegistryReader::live_count(const KeyValue& row) const {
  const Keyspace::RegistryEntry entry = keyspace_.pubsub_registry_entry_of(row.key);
  if (entry.instance == local_.instance()) return 0;
  return live_.contains(entry.instance) ? decode_integer(row.value) : 0;
}

Future<int64_t> RegistryReader::subscribers(ChannelKind kind, std::string name) {
  co_await read_leases();
  int64_t total = local_.local_count(kind, name);
  for (const KeyValue& row :
       co_await read(keyspace_.pubsub_registry_range(static_cast<int64_t>(kind), name)))
    total += live_count(row);
  co_return total;
}

Future<int64_t> RegistryReader::receivers(ChannelKind kind, std::string channel) {
  STRATA_ASSERT_MSG(kind != ChannelKind::pattern, "messages go to channels");
  int64_t total = co_await subscribers(kind, channel);
  if (kind == ChannelKind::shard) co_return total;
  // Every pattern of every instance, as Redis tries every pattern for each message.
  const auto patterns = static_cast<int64_t>(ChannelKind::pattern);
  for (const KeyValue& row : co_await read(keyspace_.pubsub_registry_range(patterns))) {
    const Keyspace::RegistryEntry entry = keyspace_.pubsub_registry_entry_of(row.key);
    if (glob_match(entry.name, channel)) total += live_count(row);
  }
  for (const auto& [pattern, count] : local_.local_counts(ChannelKind::pattern)) {
    if (glob_match(pattern, channel)) total += count;
  }
  co_return total;
}

Future<std::map<std::string, int64_t>> RegistryReader::all(ChannelKind kind) {
  co_await read_leases();
  std::map<std::string, int64_t> counts = local_.local_counts(kind);
  for (const KeyValue& row :
       co_await read(keyspace_.pubsub_registry_range(static_cast<int64_t>(kind)))) {
    const int64_t count = live_count(row);
    if (count > 0) counts[keyspace_.pubsub_registry_entry_of(row.key).name] += count;
  }
  co_return counts;
}

Future<Void> clear_dead_instances(Database database, const Keyspace& keyspace) {
  std::string resume = keyspace.pubsub_registry_range().begin;
  while (true) {
    // Whether the registry was read to its end, and where the next batch starts.
    const auto [done, next] =
        co_await database.run([&](Transaction& tr) -> Future<std::pair<bool, std::string>> {
          const int64_t now_ms = unix_time_ms();
          const TupleRange leases = keyspace.pubsub_lease_range();
          // Reads, not snapshots: an instance that renews its lease meanwhile makes this
          // transaction conflict, and keeps its entries.
          std::set<std::string> dead;
          for (const KeyValue& row : co_await read_whole_range(tr, leases.begin, leases.end)) {
            if (decode_integer(row.value) <= now_ms)
              dead.insert(keyspace.pubsub_lease_instance_of(row.key));
          }
          if (dead.empty()) co_return std::pair<bool, std::string>{true, ""};
          const TupleRange registry = keyspace.pubsub_registry_range();
          const RangeLimits limits{redis_knobs().pubsub_batch_messages, 0};
          RangeResult rows = co_await tr.get_range(resume, registry.end, limits, false, true);
          for (const KeyValue& row : rows.rows) {
            if (dead.contains(keyspace.pubsub_registry_entry_of(row.key).instance))
              tr.clear(row.key);
          }
          if (rows.more && !rows.rows.empty())
            co_return std::pair<bool, std::string>{false, rows.rows.back().key + '\0'};
          // The last batch: no entry of theirs is left before the leases go.
          for (const std::string& instance : dead) {
            tr.clear(keyspace.pubsub_lease_key(instance));
            TraceEvent(Severity::info, "RedisPubSubInstanceExpired").detail("Instance", instance);
          }
          co_return std::pair<bool, std::string>{true, ""};
        });
    if (done) co_return;
    resume = next;
  }
}

}  // namespace strata::redis
