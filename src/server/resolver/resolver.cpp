#include "server/resolver/resolver.h"

#include <algorithm>
#include <deque>
#include <map>

#include "interfaces/shard_map.h"
#include "runtime/combinators.h"
#include "runtime/notified.h"
#include "runtime/trace.h"
#include "server/resolver/conflict_set.h"
#include "server/server_knobs.h"
#include "server/wait_failure.h"

namespace strata {

namespace {

struct ResolverState {
  explicit ResolverState(const ResolverOptions& options)
      : conflicts(options.start_version),
        version(options.start_version),
        holds_metadata(options.range.contains(key_servers_prefix)),
        delivered(static_cast<size_t>(options.commit_proxies), options.start_version) {}

  ConflictSet conflicts;
  // The last batch resolved.
  NotifiedValue<Version> version;
  // Decisions of recent batches, by version, for retries.
  std::map<Version, ResolveBatchReply> recent;
  // Whether this resolver relays the shard map's changes: then `changes` holds those of
  // the batches some proxy has not been handed yet, and `delivered` each proxy's newest
  // batch (every batch before it has been handed to it).
  bool holds_metadata = false;
  std::deque<MetadataMutations> changes;
  std::vector<Version> delivered;
};

// Records the batch's committed map changes and takes those the asking proxy has not seen.
void relay_metadata(ResolverState* state, const ResolveBatchRequest& request,
                    ResolveBatchReply& reply) {
  if (!state->holds_metadata) {
    if (!request.metadata.empty()) {
      throw Error(ErrorCode::internal_error,
                  "shard map mutations reached a resolver that does not hold the system keys");
    }
    return;
  }
  if (request.proxy_index >= state->delivered.size()) {
    throw Error(ErrorCode::internal_error, "commit proxy " + std::to_string(request.proxy_index) +
                                               " is not one of the generation's " +
                                               std::to_string(state->delivered.size()));
  }
  MetadataMutations committed{request.version, {}};
  for (const auto& [index, mutations] : request.metadata) {
    if (index >= reply.outcomes.size()) {
      throw Error(ErrorCode::internal_error,
                  "shard map mutations of a transaction the batch does not have");
    }
    if (reply.outcomes[index] != ResolveOutcome::committed) continue;
    committed.mutations.insert(committed.mutations.end(), mutations.begin(), mutations.end());
  }
  if (!committed.mutations.empty()) state->changes.push_back(std::move(committed));
  Version& delivered = state->delivered[request.proxy_index];
  for (const MetadataMutations& change : state->changes) {
    if (change.version > delivered) reply.metadata.push_back(change);
  }
  delivered = request.version;
  // What every proxy has been handed is needed no more.
  const Version everyone = *std::min_element(state->delivered.begin(), state->delivered.end());
  while (!state->changes.empty() && state->changes.front().version <= everyone)
    state->changes.pop_front();
}

Future<Void> resolve_batch(ResolverState* state, ResolveBatchRequest request) {
  // Batches chain: wait for the one before this one.
  co_await state->version.when_at_least(request.prev_version);
  if (request.version <= state->version.get()) {
    auto found = state->recent.find(request.version);
    if (found != state->recent.end()) {
      request.reply.send(found->second);
    } else {
      request.reply.send_error(
          Error(ErrorCode::operation_failed, "batch " + std::to_string(request.version) +
                                                 " was resolved too long ago to answer again"));
    }
    co_return;
  }
  STRATA_ASSERT_MSG(state->version.get() == request.prev_version,
                    "a batch skipped the one before it");
  ResolveBatchReply reply;
  reply.outcomes =
      state->conflicts.resolve(request.transactions, request.version, &reply.conflicting_ranges);
  relay_metadata(state, request, reply);
  state->conflicts.set_oldest_version(request.version - server_knobs().mvcc_window_versions);
  state->recent[request.version] = reply;
  while (state->recent.size() > 1000)
    state->recent.erase(state->recent.begin());
  state->version.set(request.version);
  request.reply.send(std::move(reply));
}

Future<Void> serve_batches(ResolverState* state, FutureStream<ResolveBatchRequest> requests) {
  ActorCollection batches;
  while (true) {
    ResolveBatchRequest request = co_await requests;
    batches.add(resolve_batch(state, std::move(request)));
  }
}

}  // namespace

ResolverInterface make_resolver_interface(UID id) {
  ResolverInterface interface;
  interface.id = id;
  interface.resolve = RequestStream<ResolveBatchRequest>::serve();
  interface.wait_failure = RequestStream<WaitFailureRequest>::serve();
  interface.address = interface.resolve.endpoint().address;
  return interface;
}

Future<Void> run_resolver(ResolverInterface interface, ResolverOptions options) {
  STRATA_ASSERT_MSG(options.commit_proxies >= 1, "a resolver serves at least one commit proxy");
  STRATA_ASSERT_MSG(
      !options.range.contains(key_servers_prefix) || options.range.end >= key_servers_end,
      "the shard map's keys must lie within one resolver's range");
  ResolverState state(options);
  TraceEvent("ResolverStarted")
      .id(interface.id)
      .detail("Epoch", options.epoch)
      .detail("StartVersion", options.start_version)
      .detail("HoldsMetadata", state.holds_metadata);
  ActorCollection actors;
  actors.add(serve_batches(&state, interface.resolve.requests()));
  actors.add(serve_wait_failure(interface.wait_failure.requests()));
  co_await actors.result();
}

}  // namespace strata
