#pragma once

// What every transaction of one database shares: the cluster's proxies (followed from the
// cluster controller), a cache of which storage servers hold which keys, and the requests
// to proxies and storage servers with the retries that hide ordinary failures from the
// transaction (a restarted proxy, a moved shard, a dropped connection).

#include <map>
#include <memory>
#include <vector>

#include "client/cluster_connection.h"
#include "interfaces/cluster_interface.h"
#include "runtime/future.h"
#include "runtime/notified.h"

namespace strata {

class DatabaseContext : public std::enable_shared_from_this<DatabaseContext> {
 public:
  explicit DatabaseContext(ClusterConnectionString connection);
  DatabaseContext(const DatabaseContext&) = delete;
  DatabaseContext& operator=(const DatabaseContext&) = delete;

  // Starts following the cluster controller. Called once, by Database::open.
  void start();

  // A read version from a read-version proxy (retrying across proxy changes).
  Future<Version> get_read_version();
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
  // shard; "" before the first key, normal_keys_end after the last.
  Future<Key> resolve_key(KeySelector selector, Version version);

  const ClusterConnectionString& connection() const { return connection_; }

 private:
  Future<Void> follow_client_info();
  Future<ClientDBInfo> current_info();
  // The cached shard holding `key` (reverse: the key just before `key`).
  Future<ShardLocation> location_of(std::string key, bool before);
  // A storage request failed: throws `failure` unless it is worth retrying, otherwise
  // forgets where `shard` is and pauses before the retry.
  Future<Void> after_storage_failure(Error failure, KeyRange shard);
  void forget_location(const KeyRange& shard);

  ClusterConnectionString connection_;
  AsyncVar<ClientDBInfo> info_;
  // Shards by their first key.
  std::map<Key, ShardLocation> locations_;
  Future<Void> follower_;
};

}  // namespace strata
