#include "client/database_context.h"

#include "client/client_knobs.h"
#include "interfaces/cluster_status_interface.h"
#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "runtime/trace.h"

namespace strata {

namespace {

// Failures that say "this attempt did not get through; another may".
bool worth_retrying(const Error& error) {
  return error.is(ErrorCode::connection_failed) || error.is(ErrorCode::request_maybe_delivered) ||
         error.is(ErrorCode::broken_promise) || error.is(ErrorCode::wrong_shard_server);
}

template <class T>
const T& pick(const std::vector<T>& choices) {
  return env().random().pick(choices);
}

}  // namespace

DatabaseContext::DatabaseContext(ClusterConnectionString connection)
    : monitor_(std::move(connection)) {}

void DatabaseContext::start(std::optional<std::string> cluster_file) {
  monitor_actor_ = monitor_.run();
  follower_ = follow_client_info();
  if (cluster_file) forward_follower_ = follow_forwards(std::move(*cluster_file));
}

Future<NetworkAddress> DatabaseContext::controller_address() {
  return monitor_.leader_address();
}

// Long-polls the elected controller for the proxies, following it across elections.
Future<Void> DatabaseContext::follow_client_info() {
  // The last info received: the controller answers once it has another.
  UID known;
  while (true) {
    NetworkAddress controller = co_await monitor_.leader_address();
    if (!monitor_.leader().get()) continue;
    const UID leader = monitor_.leader().get()->change_id;
    Future<ClientDBInfo> info =
        open_database_stream_at(controller).get_reply(OpenDatabaseRequest{known, {}});
    while (!info.is_ready() && monitor_.leader().get() &&
           monitor_.leader().get()->change_id == leader) {
      Future<Void> changed = monitor_.leader().on_change();
      co_await first_ready(info, changed);
    }
    if (info.is_ready() && !info.is_error()) {
      known = info.get().id;
      if (info.get().epoch >= info_.get().epoch) {
        const bool newer = info.get().epoch > info_.get().epoch;
        info_.set(info.get());
        if (newer) std::exchange(generation_ended_, Promise<Void>()).send(Void{});
      }
    } else if (info.is_ready()) {
      co_await delay(client_knobs().retry_delay_s);
    }
  }
}

Future<Void> DatabaseContext::follow_forwards(std::string cluster_file) {
  while (true) {
    co_await monitor_.connection().on_change();
    try {
      co_await write_cluster_file(cluster_file, monitor_.connection().get());
      TraceEvent(Severity::warn_always, "ClusterFileUpdated")
          .detail("ClusterFile", cluster_file)
          .detail("ConnectionString", monitor_.connection().get().to_string());
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      TraceEvent(Severity::warn_always, "ClusterFileNotUpdated")
          .detail("ClusterFile", cluster_file)
          .error(error);
    }
  }
}

Future<Void> DatabaseContext::generation_replaced(uint64_t epoch) {
  // A promise's future, not an actor: every request waits on one and drops it when answered,
  // and dropping an actor's future unwinds it (an exception) where a promise's costs nothing.
  if (info_.get().epoch > epoch) return ready();
  return generation_ended_.get_future();
}

Future<ClientDBInfo> DatabaseContext::current_info() {
  while (info_.get().grv_proxies.empty() || info_.get().commit_proxies.empty()) {
    co_await info_.on_change();
  }
  co_return info_.get();
}

Future<Version> DatabaseContext::get_read_version(ReadVersionPriority priority,
                                                  bool causal_read_risky) {
  std::unique_ptr<ReadVersionBatcher>& batcher =
      read_version_batchers_[{priority, causal_read_risky}];
  if (!batcher) {
    batcher = std::make_unique<ReadVersionBatcher>(
        client_knobs().read_version_requests_in_flight_max,
        [this, priority, causal_read_risky](uint32_t transaction_count) {
          return request_read_version(priority, causal_read_risky, transaction_count);
        });
  }
  return batcher->get();
}

Future<Version> DatabaseContext::request_read_version(ReadVersionPriority priority,
                                                      bool causal_read_risky, uint32_t count) {
  while (true) {
    ClientDBInfo info = co_await current_info();
    std::optional<Error> failure;
    // A newer generation's proxies replace these: ask them instead (the request may wait
    // in the transport for a proxy that died).
    Future<GetReadVersionReply> asked = pick(info.grv_proxies)
                                            .get_read_version.get_reply(GetReadVersionRequest{
                                                count, priority, causal_read_risky, {}});
    Future<Void> replaced = generation_replaced(info.epoch);
    co_await first_ready(asked, replaced);
    if (!asked.is_ready()) continue;
    try {
      co_return (co_await asked).version;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (!worth_retrying(*failure)) throw *failure;
    Future<Void> changed = info_.on_change();
    Future<Void> pause = delay(client_knobs().retry_delay_s);
    co_await first_ready(changed, pause);
  }
}

Future<CommitReply> DatabaseContext::commit(CommitTransactionRequest request) {
  while (true) {
    ClientDBInfo info = co_await current_info();
    std::optional<Error> failure;
    Future<CommitReply> sent = pick(info.commit_proxies).commit.get_reply(request);
    Future<Void> replaced = generation_replaced(info.epoch);
    co_await first_ready(sent, replaced);
    if (!sent.is_ready()) {
      // A newer generation replaced this proxy's: the commit can no longer be decided by
      // it, but may have been before its generation ended.
      throw Error(ErrorCode::commit_unknown_result,
                  "a recovery replaced the commit proxy while the commit was in flight");
    }
    try {
      co_return co_await sent;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    // Never sent: safe to send again. Sent and unanswered: it may have committed.
    if (!failure->is(ErrorCode::connection_failed)) {
      if (failure->is(ErrorCode::request_maybe_delivered) ||
          failure->is(ErrorCode::broken_promise)) {
        throw Error(ErrorCode::commit_unknown_result,
                    "the connection to the commit proxy failed while the commit was in flight");
      }
      throw *failure;
    }
    Future<Void> changed = info_.on_change();
    Future<Void> pause = delay(client_knobs().retry_delay_s);
    co_await first_ready(changed, pause);
  }
}

Future<ShardLocation> DatabaseContext::location_of(std::string key, bool before) {
  // Cached: the shard holding `key` (or, before, the key just below it).
  auto it = before ? locations_.lower_bound(key) : locations_.upper_bound(key);
  if (it != locations_.begin()) {
    const ShardLocation& shard = std::prev(it)->second;
    bool holds =
        before ? (shard.range.begin < key && key <= shard.range.end) : shard.range.contains(key);
    if (holds) co_return shard;
  }
  while (true) {
    ClientDBInfo info = co_await current_info();
    GetKeyServerLocationsRequest request;
    request.range = before ? KeyRange{"", key} : KeyRange{key, all_keys_end};
    request.limit = 1;
    request.reverse = before;
    std::optional<Error> failure;
    try {
      GetKeyServerLocationsReply reply =
          co_await pick(info.commit_proxies).get_key_server_locations.get_reply(request);
      if (reply.shards.empty()) throw Error(ErrorCode::internal_error, "no shard holds the key");
      if (static_cast<int>(locations_.size()) > client_knobs().location_cache_shards_max) {
        locations_.clear();
      }
      for (const ShardLocation& shard : reply.shards)
        cache_location(shard);
      co_return reply.shards.front();
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (!worth_retrying(*failure)) throw *failure;
    co_await delay(client_knobs().retry_delay_s);
  }
}

void DatabaseContext::cache_location(const ShardLocation& shard) {
  // Shards move and split: whatever the cache held over this range is out of date.
  auto first = locations_.lower_bound(shard.range.begin);
  if (first != locations_.begin() && std::prev(first)->second.range.end > shard.range.begin) {
    --first;
  }
  locations_.erase(first, locations_.lower_bound(shard.range.end));
  locations_[shard.range.begin] = shard;
}

void DatabaseContext::forget_location(const KeyRange& shard) {
  locations_.erase(shard.begin);
}

Future<Void> DatabaseContext::after_storage_failure(Error failure, KeyRange shard) {
  if (!worth_retrying(failure)) throw failure;
  // The shard may have moved or its server failed: ask where it is again, after a pause.
  forget_location(shard);
  co_await delay(client_knobs().retry_delay_s);
}

Future<std::optional<Value>> DatabaseContext::read_value(std::string key, Version version) {
  while (true) {
    ShardLocation shard = co_await location_of(key, false);
    std::optional<Error> failure;
    try {
      GetValueReply reply =
          co_await load_balance(shard.servers, &StorageInterface::get_value,
                                GetValueRequest{key, version, {}}, locality_, true, &penalties_);
      co_return std::move(reply.value);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    co_await after_storage_failure(*failure, shard.range);
  }
}

DatabaseContext::WatchSlot::WatchSlot(std::shared_ptr<DatabaseContext> database)
    : database_(std::move(database)) {
  if (database_->outstanding_watches_ >= database_->max_watches_) {
    throw Error(ErrorCode::too_many_watches,
                "the database already has " + std::to_string(database_->outstanding_watches_) +
                    " watches waiting; the limit (option max_watches) is " +
                    std::to_string(database_->max_watches_));
  }
  ++database_->outstanding_watches_;
}

Future<Version> DatabaseContext::watch_value(std::string key, std::optional<Value> value,
                                             Version version) {
  while (true) {
    ShardLocation shard = co_await location_of(key, false);
    std::optional<Error> failure;
    try {
      WatchValueReply reply = co_await load_balance(shard.servers, &StorageInterface::watch_value,
                                                    WatchValueRequest{key, value, version, {}},
                                                    locality_, false, &penalties_);
      co_return reply.version;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    // The server's watch timeout: ask again. A version that did not arrive in time: ask
    // again after a pause.
    if (failure->is(ErrorCode::timed_out)) continue;
    if (failure->is(ErrorCode::future_version)) {
      co_await delay(client_knobs().retry_delay_s);
      continue;
    }
    co_await after_storage_failure(*failure, shard.range);
  }
}

Future<int64_t> DatabaseContext::range_stats(KeyRange range, int64_t chunk_bytes,
                                             std::vector<Key>* split_points) {
  int64_t bytes = 0;
  while (!range.empty()) {
    ShardLocation shard = co_await location_of(range.begin, false);
    KeyRange part{range.begin, std::min(range.end, shard.range.end)};
    std::optional<Error> failure;
    try {
      RangeStatsReply reply = co_await load_balance(
          shard.servers, &StorageInterface::range_stats,
          RangeStatsRequest{part, chunk_bytes, false, 0, {}}, locality_, true, &penalties_);
      bytes += reply.bytes;
      if (split_points) {
        split_points->insert(split_points->end(), reply.split_points.begin(),
                             reply.split_points.end());
      }
      range.begin = part.end;
      continue;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    co_await after_storage_failure(*failure, shard.range);
  }
  co_return bytes;
}

Future<std::string> DatabaseContext::cluster_status() {
  while (true) {
    NetworkAddress controller = co_await monitor_.leader_address();
    std::optional<Error> failure;
    try {
      ClusterStatusReply reply =
          co_await cluster_status_stream_at(controller).get_reply(ClusterStatusRequest{});
      co_return std::move(reply.json);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    // The controller moved or went away: ask again once the coordinators say where it is.
    if (!worth_retrying(*failure)) throw *failure;
    co_await delay(client_knobs().retry_delay_s);
  }
}

Future<ShardLocation> DatabaseContext::current_shard(std::string key) {
  auto cached = locations_.upper_bound(key);
  if (cached != locations_.begin()) locations_.erase(std::prev(cached));
  co_return co_await location_of(std::move(key), false);
}

Future<std::vector<std::string>> DatabaseContext::addresses_for_key(std::string key) {
  ShardLocation shard = co_await location_of(std::move(key), false);
  std::vector<std::string> addresses;
  for (const StorageInterface& server : shard.servers)
    addresses.push_back(server.address.to_string());
  co_return addresses;
}

Future<Key> DatabaseContext::resolve_key(KeySelector selector, Version version, Key max_key) {
  while (true) {
    const bool forward = selector.offset >= 1;
    const Key edge = selector.or_equal ? single_key_range(selector.key).end : selector.key;
    if (forward && edge >= max_key) co_return max_key;
    if (!forward && edge.empty()) co_return Key();
    ShardLocation shard = co_await location_of(edge, !forward);
    std::optional<Error> failure;
    try {
      GetKeyReply reply =
          co_await load_balance(shard.servers, &StorageInterface::get_key,
                                GetKeyRequest{selector, version, {}}, locality_, true, &penalties_);
      if (reply.resolved) co_return std::min(reply.key, max_key);
      STRATA_PROBE(true, "a key selector continues in the next shard");
      selector = std::move(reply.next);
      continue;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    co_await after_storage_failure(*failure, shard.range);
  }
}

Future<GetKeyValuesReply> DatabaseContext::read_range_part(KeyRange range, Version version,
                                                           int limit, int64_t byte_limit,
                                                           bool reverse, KeyRange* covered) {
  while (true) {
    ShardLocation shard = co_await location_of(reverse ? range.end : range.begin, reverse);
    KeyRange part{std::max(range.begin, shard.range.begin), std::min(range.end, shard.range.end)};
    std::optional<Error> failure;
    try {
      GetKeyValuesReply reply =
          co_await load_balance(shard.servers, &StorageInterface::get_key_values,
                                GetKeyValuesRequest{part, version, limit, byte_limit, reverse, {}},
                                locality_, true, &penalties_);
      *covered = part;
      co_return reply;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    co_await after_storage_failure(*failure, shard.range);
  }
}

}  // namespace strata
