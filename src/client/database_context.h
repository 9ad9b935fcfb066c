#pragma once

// What every transaction of one database shares: the cluster's proxies (followed from the
// cluster controller the coordinators elected), a cache of which storage servers hold which keys,
// and the requests to proxies and storage servers with the retries that hide ordinary failures from
// the transaction (a restarted proxy, a moved shard, a dropped connection).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/cluster_connection.h"
#include "client/leader_monitor.h"
#include "client/load_balance.h"
#include "client/read_version_batcher.h"
#include "interfaces/cluster_interface.h"
#include "runtime/future.h"
#include "runtime/notified.h"

namespace strata {

class DatabaseContext : public std::enable_shared_from_this<DatabaseContext> {
 public:
  explicit DatabaseContext(ClusterConnectionString connection);
  DatabaseContext(const DatabaseContext&) = delete;
  DatabaseContext& operator=(const DatabaseContext&) = delete;

  // Starts following the coordinators and the cluster controller. Called once, by
  // Database::open. With a cluster file, the file is rewritten when the coordinators
  // forward the cluster to a new set.
  void start(std::optional<std::string> cluster_file = std::nullopt);

  // A read version from a read-version proxy (retrying across proxy changes). Transactions
  // that ask while enough requests are on their way share the next request: its answer
  // is computed after they all asked, so each reads everything committed before it asked.
  Future<Version> get_read_version(ReadVersionPriority priority = ReadVersionPriority::normal,
                                   bool causal_read_risky = false);
  // Sends a commit; maps transport failures to FoundationDB's errors: sent but unanswered
  // is commit_unknown_result.
  Future<CommitReply> commit(CommitTransactionRequest request);

  // The value of `key` at `version` from the storage server that holds it.
  Future<std::optional<Value>> read_value(std::string key, Version version);
  // One storage request's worth of [range) at `version`: rows within a single shard,
  // starting at range.begin (reverse: ending at range.end). `covered` receives the part
  // of `range` the answer speaks for (the shard's part of it).
  Future<GetKeyValuesReply> read_range_part(KeyRange range, Version version, int limit,
                                            int64_t byte_limit, bool reverse, KeyRange* covered);
  // The key `selector` names at `version`, resolved by the storage servers shard after
  // shard; "" before the first key, `max_key` (the end of the readable keys) after the
  // last.
  Future<Key> resolve_key(KeySelector selector, Version version, Key max_key);

  // Waits until `key` holds something other than `value` at a version after `version`,
  // and returns a version at which it does, as the storage server saw it (it may not be
  // committed). Follows the key across shard moves and storage-server restarts.
  Future<Version> watch_value(std::string key, std::optional<Value> value, Version version);

  // Bytes of keys and values in `range`, summed over its shards; with chunk_bytes > 0, the
  // keys splitting it into chunks of about that size go to `split_points`.
  Future<int64_t> range_stats(KeyRange range, int64_t chunk_bytes, std::vector<Key>* split_points);
  // The cluster's status document (JSON), from the cluster controller.
  Future<std::string> cluster_status();
  // The elected cluster controller's address, once one is known.
  Future<NetworkAddress> controller_address();
  // The shard holding `key` and its team, asked afresh of a commit proxy.
  Future<ShardLocation> current_shard(std::string key);
  // The addresses (ip:port) of the storage servers holding `key`.
  Future<std::vector<std::string>> addresses_for_key(std::string key);

  // FoundationDB's max_watches option: how many watches may wait at once (too_many_watches,
  // 1032, beyond).
  void set_max_watches(int64_t limit) { max_watches_ = limit; }
  // FoundationDB's machine_id and datacenter_id options: reads prefer the members of a
  // shard's team on this machine, then in this zone.
  ClientLocality& locality() { return locality_; }
  // Counts a watch for as long as it is held; throws too_many_watches when the limit is
  // reached.
  class WatchSlot {
   public:
    explicit WatchSlot(std::shared_ptr<DatabaseContext> database);
    WatchSlot(const WatchSlot&) = delete;
    WatchSlot& operator=(const WatchSlot&) = delete;
    ~WatchSlot() { --database_->outstanding_watches_; }

   private:
    std::shared_ptr<DatabaseContext> database_;
  };

  // The coordinators, as the cluster last forwarded them.
  const ClusterConnectionString& connection() const { return monitor_.connection().get(); }

 private:
  Future<Void> follow_client_info();
  Future<Void> follow_forwards(std::string cluster_file);
  Future<ClientDBInfo> current_info();
  // One request for `count` transactions' read version.
  Future<Version> request_read_version(ReadVersionPriority priority, bool causal_read_risky,
                                       uint32_t count);
  // Ready once proxies of a generation newer than `epoch` are known.
  Future<Void> generation_replaced(uint64_t epoch);
  // The cached shard holding `key` (reverse: the key just before `key`).
  Future<ShardLocation> location_of(std::string key, bool before);
  // A storage request failed: throws `failure` unless it is worth retrying, otherwise
  // forgets where `shard` is and pauses before the retry.
  Future<Void> after_storage_failure(Error failure, KeyRange shard);
  void forget_location(const KeyRange& shard);
  // Caches where a shard is, replacing what the cache held over its range.
  void cache_location(const ShardLocation& shard);

  LeaderMonitor monitor_;
  AsyncVar<ClientDBInfo> info_;
  // Sent when info_ moves to a newer generation (epoch), then replaced.
  Promise<Void> generation_ended_;
  // Shards by their first key.
  std::map<Key, ShardLocation> locations_;
  Future<Void> follower_;
  Future<Void> monitor_actor_;
  Future<Void> forward_follower_;
  int64_t max_watches_ = 10'000;
  ClientLocality locality_;
  MemberPenalties penalties_;
  int64_t outstanding_watches_ = 0;
  // Read-version requests shared among transactions, by priority and causal_read_risky.
  // Last: destroyed (their requests cancelled) before what the requests use.
  std::map<std::pair<ReadVersionPriority, bool>, std::unique_ptr<ReadVersionBatcher>>
      read_version_batchers_;
};

}  // namespace strata
