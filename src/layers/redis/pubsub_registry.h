#pragma once

// The pub/sub registry: which channels, patterns and shard channels have subscribers, how
// many, on which instance. It lives in the keyspace, so that a PUBLISH or PUBSUB through
// any instance counts the subscribers of all of them (docs/redis-layer.md, "Pub/sub").
//
// - An instance writes only its own entries, (7, kind, name, instance) -> how many of its
//   clients subscribe, as absolute values, and from one writer at a time (run()): a write
//   retried after an unknown result leaves the same value, and two writes of one instance
//   never commit out of order.
// - Its lease, (8, instance) -> until when (Unix ms) its entries count, is renewed by every
//   write and every third of pubsub_lease_s. Readers ignore the entries of an instance
//   whose lease has passed (a killed instance), and the cleanup of any instance clears
//   them. An instance that finds its own lease gone (paused for longer than the lease)
//   writes all its entries again.
// - A subscription is committed before its client's reply (flush()), so a PUBLISH that
//   starts after the reply counts it; an unsubscription too.
//
// Leases compare the wall clocks of instances: they must agree to well within the lease.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "interfaces/types.h"
#include "layers/redis/keyspace.h"
#include "runtime/future.h"
#include "runtime/notified.h"
#include "strata/database.h"

namespace strata::redis {

// What a subscription names; the numbers are the registry's.
enum class ChannelKind : int64_t { channel = 0, pattern = 1, shard = 2 };

class PubSubRegistry {
 public:
  // `keyspace` outlives the registry; `instance` names this instance's entries.
  PubSubRegistry(Database database, const Keyspace& keyspace, std::string instance);
  PubSubRegistry(const PubSubRegistry&) = delete;
  PubSubRegistry& operator=(const PubSubRegistry&) = delete;

  // One more, or one less, local client subscribed to `name`; written by the next flush.
  void add(ChannelKind kind, const std::string& name);
  void remove(ChannelKind kind, const std::string& name);
  // Ready once every change made before the call is committed, with the read version of
  // the transaction that committed it. Fails with the write's error if that was not
  // retryable (the change is then tried again by the next write).
  Future<Version> flush();
  // Writes the changes as they come and renews the lease, until cancelled. Suspends.
  Future<Void> run();

  const std::string& instance() const { return instance_; }
  // This instance's clients subscribed to `name` now, written or not.
  int64_t local_count(ChannelKind kind, const std::string& name) const;
  // Every name of `kind` this instance's clients subscribe to now, with their number.
  std::map<std::string, int64_t> local_counts(ChannelKind kind) const;

 private:
  using Name = std::pair<ChannelKind, std::string>;
  void changed(const Name& name);
  // Writes the counts of `names` (all of them if the lease was lost) and the lease.
  Future<Version> write(std::set<Name> names);

  Database database_;
  const Keyspace& keyspace_;
  std::string instance_;
  // Local clients per name; a name without clients has no entry.
  std::map<Name, int64_t> counts_;
  // Names whose count changed since the last write began.
  std::set<Name> dirty_;
  // Flushes waiting for the next write.
  std::vector<Promise<Version>> waiting_;
  AsyncVar<int64_t> wake_;
};

// Reads of the registry, inside a command's transaction. Snapshot reads: a count made
// while subscriptions change is as of the read version, and conflicts with nothing. The
// instance's own subscribers are counted as they are now (`local`), not as the registry
// last heard of them: a client that left, or disconnected, a moment before is not counted
// by the instance it was on, as in Redis, even before the registry has it.
class RegistryReader {
 public:
  RegistryReader(Transaction& transaction, const Keyspace& keyspace, const PubSubRegistry& local,
                 int64_t now_ms)
      : transaction_(transaction), keyspace_(keyspace), local_(local), now_ms_(now_ms) {}

  // The receivers of a message to `channel` (kind channel or shard) on every live
  // instance: its subscribers and, for a channel, the subscribers of every pattern that
  // matches it (Redis counts a client once per subscription).
  Future<int64_t> receivers(ChannelKind kind, std::string channel);
  // The subscribers of `name` on every live instance.
  Future<int64_t> subscribers(ChannelKind kind, std::string name);
  // Every name of `kind` with subscribers on a live instance, with their number, in name
  // order.
  Future<std::map<std::string, int64_t>> all(ChannelKind kind);

 private:
  Future<Void> read_leases();
  // Every row of the range (snapshot).
  Future<std::vector<KeyValue>> read(TupleRange range);
  // The count of a registry row, 0 if its instance is not live or is this one.
  int64_t live_count(const KeyValue& row) const;

  Transaction& transaction_;
  const Keyspace& keyspace_;
  const PubSubRegistry& local_;
  int64_t now_ms_;
  bool leases_read_ = false;
  std::set<std::string> live_;
};

// Clears the registry entries and the leases of instances whose lease has passed, in
// transactions of at most pubsub_batch_messages entries. Suspends; fails with the
// database's errors.
Future<Void> clear_dead_instances(Database database, const Keyspace& keyspace);

}  // namespace strata::redis
