#include "server/proxy/commit_proxy.h"

#include <algorithm>
#include <map>
#include <set>

#include "client/atomic_ops.h"
#include "interfaces/shard_map.h"
#include "runtime/combinators.h"
#include "runtime/notified.h"
#include "runtime/trace.h"
#include "server/role_metrics.h"
#include "server/role_requests.h"
#include "server/server_knobs.h"
#include "server/wait_failure.h"

namespace strata {

namespace {

struct CommitProxyState {
  CommitProxyInterface interface;
  CommitProxyOptions options;
  // The shard map as of `map_version`, and the servers it names.
  ShardMap map;
  Version map_version = 0;
  std::map<UID, StorageInterface> servers;
  // Which resolver relays the map's changes.
  size_t metadata_resolver = 0;
  uint64_t next_request_number = 1;
  // Every version up to here is durable on all logs, as far as this proxy knows.
  Version committed_version = 0;
  uint64_t batches_started = 0;
  NotifiedValue<uint64_t> batches_finished{0};
  // Batches apply map changes and tag their mutations one at a time, in version order.
  NotifiedValue<uint64_t> batches_tagged{0};
  // The batches in flight; the first to fail ends the proxy.
  ActorCollection batches;
};

const StorageInterface& server_of(const CommitProxyState& proxy, const UID& id) {
  auto found = proxy.servers.find(id);
  STRATA_ASSERT_MSG(found != proxy.servers.end(), "the shard map names an unknown storage server");
  return found->second;
}

// The storage tags that must apply `mutation` (and the map's own tag for a change to it).
std::set<Tag> tags_of(const CommitProxyState& proxy, const Mutation& mutation) {
  std::set<Tag> tags;
  auto add = [&](const ShardTeams& teams) {
    for (const UID& id : teams.src)
      tags.insert(server_of(proxy, id).tag);
    for (const UID& id : teams.dest)
      tags.insert(server_of(proxy, id).tag);
  };
  if (mutation.type != MutationType::clear_range) {
    add(proxy.map.teams_of(mutation.param1));
  } else if (mutation.param1 < mutation.param2) {
    for (const ShardMapEntry& entry :
         proxy.map.intersecting(KeyRange{mutation.param1, mutation.param2}))
      add(entry.teams);
  }
  if (ShardMap::touches(mutation)) tags.insert(txs_tag);
  return tags;
}

// A transaction that changes the shard map is checked before it is resolved, so that
// applying it at its version cannot fail: each change must be one the map can apply, name
// only servers of the database, and its conflict ranges must lie in the system keys (the
// metadata resolver then decides it alone). Returns its map mutations.
std::vector<Mutation> check_map_changes(const CommitProxyState& proxy,
                                        const CommitTransactionRequest& request) {
  std::vector<Mutation> changes;
  for (const Mutation& mutation : request.mutations) {
    if (!ShardMap::touches(mutation)) continue;
    ShardMap::check(mutation);
    if (mutation.type == MutationType::set_value && mutation.param1 < key_servers_end &&
        mutation.param1 != key_servers_key(all_keys_end)) {
      ShardTeams teams = decode_shard_teams(mutation.param2);
      for (const UID& id : teams.all()) {
        if (!proxy.servers.count(id)) {
          throw Error(ErrorCode::client_invalid_operation,
                      "a \\xff/keyServers/ value names " + id.to_string() +
                          ", which is not a storage server of the database");
        }
      }
    }
    changes.push_back(mutation);
  }
  if (changes.empty()) return changes;
  auto inside_system_keys = [](const std::vector<KeyRange>& ranges) {
    return std::all_of(ranges.begin(), ranges.end(), [](const KeyRange& range) {
      return range.empty() || (range.begin >= system_keys_begin && range.end <= all_keys_end);
    });
  };
  if (!inside_system_keys(request.read_conflict_ranges) ||
      !inside_system_keys(request.write_conflict_ranges)) {
    throw Error(ErrorCode::client_invalid_operation,
                "a transaction that changes \\xff/keyServers/ may read and write only system keys");
  }
  return changes;
}

// Turns the transaction's versionstamped operations into the sets they amount to, and
// adds the keys they write to its write conflict ranges. Fails with
// client_invalid_operation when a placeholder's position does not fit its parameter.
void fill_in_versionstamps(CommitTransactionRequest& request, std::string_view stamp) {
  for (Mutation& mutation : request.mutations) {
    if (!is_versionstamp_operation(mutation.type)) continue;
    bool in_key = mutation.type == MutationType::set_versionstamped_key;
    const std::string& parameter = in_key ? mutation.param1 : mutation.param2;
    std::optional<size_t> position = versionstamp_position(parameter);
    if (!position) {
      throw Error(ErrorCode::client_invalid_operation,
                  "the versionstamp placeholder's position does not fit in its " +
                      std::string(in_key ? "key" : "value"));
    }
    std::string filled = fill_in_versionstamp(parameter, *position, stamp);
    if (in_key) {
      const size_t limit = filled >= system_keys_begin ? system_key_size_limit : key_size_limit;
      if (filled.size() > limit || filled >= all_keys_end) {
        throw Error(ErrorCode::key_outside_legal_range,
                    "a versionstamped key is not a legal key: '" + printable(filled) + "'");
      }
      mutation.param1 = std::move(filled);
      request.write_conflict_ranges.push_back(single_key_range(mutation.param1));
    } else {
      mutation.param2 = std::move(filled);
    }
    mutation.type = MutationType::set_value;
  }
}

// The part of `ranges` inside `within`.
std::vector<KeyRange> clipped(const std::vector<KeyRange>& ranges, const KeyRange& within) {
  std::vector<KeyRange> inside;
  for (const KeyRange& range : ranges) {
    KeyRange part{std::max(range.begin, within.begin), std::min(range.end, within.end)};
    if (!part.empty()) inside.push_back(std::move(part));
  }
  return inside;
}

// Asks every resolver about the batch (each about the conflict ranges in its key range;
// every resolver sees every batch, to keep the version chain) and combines their answers:
// a transaction commits only if every resolver says so, and is too old if any says so.
// (A resolver that let a transaction through records its writes even when another one
// refused it: later transactions may then conflict when they need not, never the reverse.)
Future<ResolveBatchReply> resolve_batch(const CommitProxyState& proxy, ResolveBatchRequest batch) {
  const CommitProxyOptions& options = proxy.options;
  const size_t count = batch.transactions.size();
  std::vector<Future<ResolveBatchReply>> answers;
  for (size_t r = 0; r < options.resolvers.size(); ++r) {
    ResolveBatchRequest part{
        batch.prev_version,
        batch.version,
        static_cast<uint32_t>(options.index),
        {},
        r == proxy.metadata_resolver ? batch.metadata : decltype(batch.metadata){},
        {}};
    if (options.resolvers.size() == 1) {
      part.transactions = batch.transactions;
    } else {
      for (const ConflictTransaction& transaction : batch.transactions) {
        part.transactions.push_back(ConflictTransaction{
            transaction.read_snapshot, clipped(transaction.read_ranges, options.resolver_ranges[r]),
            clipped(transaction.write_ranges, options.resolver_ranges[r]),
            transaction.report_conflicts});
      }
    }
    answers.push_back(request_until_answered(options.resolvers[r].resolve, std::move(part)));
  }
  std::vector<ResolveBatchReply> replies = co_await when_all(std::move(answers));
  ResolveBatchReply combined;
  combined.metadata = std::move(replies[proxy.metadata_resolver].metadata);
  combined.outcomes.assign(count, ResolveOutcome::committed);
  for (const ResolveBatchReply& reply : replies) {
    if (reply.outcomes.size() != count) {
      throw Error(ErrorCode::internal_error,
                  "a resolver answered for the wrong number of transactions");
    }
    for (size_t i = 0; i < count; ++i) {
      ResolveOutcome& outcome = combined.outcomes[i];
      if (reply.outcomes[i] == ResolveOutcome::too_old) {
        outcome = ResolveOutcome::too_old;
      } else if (reply.outcomes[i] == ResolveOutcome::conflict &&
                 outcome == ResolveOutcome::committed) {
        outcome = ResolveOutcome::conflict;
      }
    }
    // Each resolver reports the conflicting ranges of its part of the key space.
    for (const auto& reported : reply.conflicting_ranges) {
      const uint32_t index = reported.first;
      if (index >= count) {
        throw Error(ErrorCode::internal_error,
                    "a resolver reported conflicts of a transaction the batch does not have");
      }
      auto same =
          std::find_if(combined.conflicting_ranges.begin(), combined.conflicting_ranges.end(),
                       [index](const auto& entry) { return entry.first == index; });
      if (same == combined.conflicting_ranges.end()) {
        combined.conflicting_ranges.push_back(reported);
      } else {
        same->second.insert(same->second.end(), reported.second.begin(), reported.second.end());
      }
    }
  }
  co_return combined;
}

struct BatchTransaction {
  CommitTransactionRequest request;
  // Set when the transaction was refused before resolution.
  std::optional<Error> refused;
};

Future<Void> commit_batch(CommitProxyState* proxy, std::vector<CommitTransactionRequest> requests) {
  const CommitProxyOptions& options = proxy->options;
  const double started = now();
  uint64_t number = proxy->next_request_number++;
  std::vector<BatchTransaction> batch;
  for (CommitTransactionRequest& request : requests)
    batch.push_back({std::move(request), {}});
  try {
    GetCommitVersionReply versions =
        co_await request_until_answered(options.sequencer.get_commit_version,
                                        GetCommitVersionRequest{proxy->interface.id, number, {}});

    // Resolution. A read version from the future cannot be checked for conflicts.
    ResolveBatchRequest resolve{
        versions.prev_version, versions.version, static_cast<uint32_t>(options.index), {}, {}, {}};
    std::vector<size_t> resolved_index;  // transaction i of the batch -> its place in `resolve`
    for (size_t i = 0; i < batch.size(); ++i) {
      CommitTransactionRequest& request = batch[i].request;
      // A transaction's versionstamp is its version and its place in the batch.
      try {
        fill_in_versionstamps(request,
                              make_versionstamp(versions.version, static_cast<uint16_t>(i)));
      } catch (Error& error) {
        batch[i].refused = error;
        continue;
      }
      std::vector<Mutation> map_changes;
      try {
        map_changes = check_map_changes(*proxy, request);
      } catch (Error& error) {
        batch[i].refused = error;
        continue;
      }
      if (request.read_version >= versions.version) {
        batch[i].refused =
            Error(ErrorCode::future_version, "the transaction's read version " +
                                                 std::to_string(request.read_version) +
                                                 " is not before its commit version");
        continue;
      }
      resolved_index.push_back(i);
      if (!map_changes.empty()) {
        resolve.metadata.emplace_back(static_cast<uint32_t>(resolve.transactions.size()),
                                      std::move(map_changes));
      }
      resolve.transactions.push_back(
          ConflictTransaction{request.read_version, request.read_conflict_ranges,
                              request.write_conflict_ranges, request.report_conflicting_keys});
    }
    ResolveBatchReply decisions = co_await resolve_batch(*proxy, std::move(resolve));
    // Transaction i of the batch -> the read ranges that conflicted, when it asked.
    std::vector<std::vector<KeyRange>> conflicting(batch.size());
    for (auto& [k, ranges] : decisions.conflicting_ranges) {
      if (k < resolved_index.size()) conflicting[resolved_index[k]] = std::move(ranges);
    }

    // The map as of this version: every change of the batches before it, then this
    // batch's own, which each server that gains or loses keys hears of at this version.
    co_await proxy->batches_tagged.when_at_least(number - 1);
    std::map<Tag, std::vector<Mutation>> by_tag;
    for (const MetadataMutations& change : decisions.metadata) {
      STRATA_ASSERT_MSG(change.version > proxy->map_version && change.version <= versions.version,
                        "shard map changes arrived out of version order");
      for (const Mutation& mutation : change.mutations) {
        for (const ShardChange& shard_change : proxy->map.apply(mutation)) {
          if (change.version != versions.version) continue;
          by_tag[server_of(*proxy, shard_change.server).tag].push_back(
              shard_change_mutation(shard_change));
        }
      }
      proxy->map_version = change.version;
    }
    // The mutations of committed transactions, per storage tag, in commit order.
    std::vector<ResolveOutcome> outcome(batch.size(), ResolveOutcome::conflict);
    for (size_t k = 0; k < resolved_index.size(); ++k) {
      size_t i = resolved_index[k];
      outcome[i] = decisions.outcomes[k];
      if (outcome[i] != ResolveOutcome::committed) continue;
      for (const Mutation& mutation : batch[i].request.mutations) {
        for (Tag tag : tags_of(*proxy, mutation))
          by_tag[tag].push_back(mutation);
      }
    }
    proxy->batches_tagged.set(number);
    LogCommitRequest push{
        options.epoch, versions.prev_version, versions.version, proxy->committed_version, {}, {}};
    for (auto& [tag, mutations] : by_tag)
      push.messages.push_back({tag, std::move(mutations)});
    std::vector<Future<Void>> pushes;
    for (const LogInterface& log : options.logs) {
      pushes.push_back(request_until_answered(log.commit, push));
    }
    co_await when_all(std::move(pushes));
    // Durable on every log: committed. Readers must see it before its writers hear so.
    co_await request_until_answered(options.sequencer.report_committed_version,
                                    ReportCommittedVersionRequest{versions.version, {}});
    proxy->committed_version = std::max(proxy->committed_version, versions.version);

    RoleMetrics* metrics = RoleMetrics::of_this_process();
    for (size_t i = 0; i < batch.size(); ++i) {
      const ReplyPromise<CommitReply>& reply = batch[i].request.reply;
      if (batch[i].refused) {
        reply.send_error(*batch[i].refused);
      } else if (outcome[i] == ResolveOutcome::committed) {
        reply.send(CommitReply{versions.version, static_cast<uint16_t>(i), false, {}});
        if (metrics) {
          ++metrics->counters.transactions_committed;
          metrics->counters.writes += batch[i].request.mutations.size();
          metrics->commit_latency.add(now() - started);
        }
      } else if (outcome[i] == ResolveOutcome::too_old) {
        reply.send_error(Error(ErrorCode::transaction_too_old,
                               "the transaction's read version left the MVCC window"));
      } else {
        if (batch[i].request.report_conflicting_keys) {
          reply.send(CommitReply{0, 0, true, std::move(conflicting[i])});
        } else {
          reply.send_error(Error(ErrorCode::not_committed));
        }
        if (metrics) ++metrics->counters.transactions_conflicted;
      }
    }
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    // The generation ended under this batch: whether it committed is unknown. The version
    // chain is broken (this batch's version may never reach the logs), so the proxy ends
    // too; the controller sees it fail and recovers.
    TraceEvent(Severity::warn_always, "CommitBatchFailed").id(proxy->interface.id).error(error);
    for (BatchTransaction& transaction : batch) {
      transaction.request.reply.send_error(Error(ErrorCode::commit_unknown_result));
    }
    throw Error(
        ErrorCode::commit_proxy_failed,
        "a commit batch failed (" + std::string(error.name()) + "): the generation cannot go on");
  }
  proxy->batches_finished.set(proxy->batches_finished.get() + 1);
}

Future<Void> batch_commits(CommitProxyState* proxy,
                           FutureStream<CommitTransactionRequest> requests) {
  const ServerKnobs& knobs = server_knobs();
  ActorCollection& batches = proxy->batches;
  // A new generation's first commit at once: it makes the recovery durable on the new logs
  // (the controller waits for it to call the recovery complete) without waiting for a
  // client or the idle interval.
  ++proxy->batches_started;
  batches.add(commit_batch(proxy, {}));
  while (true) {
    std::vector<CommitTransactionRequest> batch;
    int64_t bytes = 0;
    // Idle for a while: an empty batch moves the versions on (see commit_idle_interval_s).
    if (!requests.is_ready()) {
      Future<Void> idle = delay(knobs.commit_idle_interval_s);
      if (co_await first_ready(requests, idle) == 1) {
        uint64_t started = ++proxy->batches_started;
        if (started > static_cast<uint64_t>(knobs.commit_batches_in_flight_max)) {
          co_await proxy->batches_finished.when_at_least(started -
                                                         knobs.commit_batches_in_flight_max);
        }
        batches.add(commit_batch(proxy, {}));
        continue;
      }
    }
    // Everything that queued while the previous batch started goes together.
    do {
      CommitTransactionRequest request = co_await requests;
      for (const Mutation& mutation : request.mutations) {
        bytes += static_cast<int64_t>(mutation.param1.size() + mutation.param2.size());
      }
      batch.push_back(std::move(request));
    } while (requests.is_ready() &&
             static_cast<int>(batch.size()) < knobs.commit_batch_transactions_max &&
             bytes < knobs.commit_batch_bytes_max);
    // A bounded pipeline: wait while too many batches are in flight.
    uint64_t started = ++proxy->batches_started;
    if (started > static_cast<uint64_t>(knobs.commit_batches_in_flight_max)) {
      co_await proxy->batches_finished.when_at_least(started - knobs.commit_batches_in_flight_max);
    }
    batches.add(commit_batch(proxy, std::move(batch)));
  }
}

ShardLocation location_of(const CommitProxyState& proxy, ShardMapEntry entry) {
  ShardLocation location{std::move(entry.range), {}};
  // Only the source team serves reads: a destination is still fetching.
  for (const UID& id : entry.teams.src)
    location.servers.push_back(server_of(proxy, id));
  return location;
}

Future<Void> serve_locations(CommitProxyState* proxy,
                             FutureStream<GetKeyServerLocationsRequest> requests) {
  while (true) {
    GetKeyServerLocationsRequest request = co_await requests;
    GetKeyServerLocationsReply reply;
    const auto limit = static_cast<size_t>(std::max(1, request.limit));
    const KeyRange& range = request.range;
    std::vector<ShardMapEntry> entries;
    if (!request.reverse) {
      // From the shard holding range.begin (that one even for an empty range).
      entries = proxy->map.intersecting(range.empty() ? single_key_range(range.begin) : range);
    } else if (!range.end.empty()) {
      // From the shard holding the last key before range.end, backwards.
      entries = proxy->map.intersecting(KeyRange{range.empty() ? Key() : range.begin, range.end});
      std::reverse(entries.begin(), entries.end());
      if (range.empty()) entries.resize(std::min<size_t>(entries.size(), 1));
    }
    if (entries.size() > limit) entries.resize(limit);
    for (ShardMapEntry& entry : entries)
      reply.shards.push_back(location_of(*proxy, std::move(entry)));
    request.reply.send(std::move(reply));
  }
}

}  // namespace

CommitProxyInterface make_commit_proxy_interface(UID id) {
  CommitProxyInterface interface;
  interface.id = id;
  interface.commit = RequestStream<CommitTransactionRequest>::serve();
  interface.get_key_server_locations = RequestStream<GetKeyServerLocationsRequest>::serve();
  interface.wait_failure = RequestStream<WaitFailureRequest>::serve();
  interface.address = interface.commit.endpoint().address;
  return interface;
}

Future<Void> run_commit_proxy(CommitProxyInterface interface, CommitProxyOptions options) {
  STRATA_ASSERT_MSG(
      !options.resolvers.empty() && options.resolvers.size() == options.resolver_ranges.size(),
      "every resolver needs its key range");
  STRATA_ASSERT_MSG(options.resolver_ranges.front().begin.empty() &&
                        options.resolver_ranges.back().end == all_keys_end,
                    "the resolvers must cover the whole key space");
  for (size_t r = 1; r < options.resolver_ranges.size(); ++r) {
    STRATA_ASSERT_MSG(options.resolver_ranges[r].begin == options.resolver_ranges[r - 1].end,
                      "the resolvers' key ranges must be contiguous");
  }
  STRATA_ASSERT_MSG(!options.logs.empty(), "a commit proxy needs logs");
  CommitProxyState proxy;
  proxy.interface = interface;
  proxy.options = std::move(options);
  proxy.committed_version = proxy.options.start_version;
  proxy.map = ShardMap(proxy.options.shard_map);
  proxy.map_version = proxy.options.start_version;
  for (const StorageInterface& server : proxy.options.storage_servers)
    proxy.servers[server.id] = server;
  for (const ShardMapEntry& entry : proxy.options.shard_map) {
    for (const UID& id : entry.teams.all()) {
      STRATA_ASSERT_MSG(proxy.servers.count(id), "the shard map names an unknown storage server");
    }
  }
  proxy.metadata_resolver = proxy.options.resolver_ranges.size();
  for (size_t r = 0; r < proxy.options.resolver_ranges.size(); ++r) {
    if (proxy.options.resolver_ranges[r].contains(key_servers_prefix)) proxy.metadata_resolver = r;
  }
  STRATA_ASSERT_MSG(
      proxy.metadata_resolver < proxy.options.resolver_ranges.size() &&
          proxy.options.resolver_ranges[proxy.metadata_resolver].end >= key_servers_end,
      "one resolver must hold the whole shard map");
  STRATA_ASSERT_MSG(proxy.options.index >= 0, "a commit proxy's index is its place");
  STRATA_ASSERT_MSG(server_knobs().commit_batch_transactions_max <=
                        static_cast<int>(commit_batch_transactions_limit),
                    "a commit batch's transactions must fit the versionstamp's batch index");
  TraceEvent("CommitProxyStarted")
      .id(interface.id)
      .detail("Epoch", proxy.options.epoch)
      .detail("StartVersion", proxy.options.start_version);
  ActorCollection actors;
  actors.add(batch_commits(&proxy, interface.commit.requests()));
  actors.add(serve_locations(&proxy, interface.get_key_server_locations.requests()));
  actors.add(serve_wait_failure(interface.wait_failure.requests()));
  co_await first_ready(actors.result(), proxy.batches.result());
  co_await actors.result();
  co_await proxy.batches.result();
}

}  // namespace strata
