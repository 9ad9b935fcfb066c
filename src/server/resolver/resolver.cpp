#include "server/resolver/resolver.h"

#include <map>

#include "runtime/combinators.h"
#include "runtime/notified.h"
#include "runtime/trace.h"
#include "server/resolver/conflict_set.h"
#include "server/server_knobs.h"
#include "server/wait_failure.h"

namespace strata {

namespace {

struct ResolverState {
  explicit ResolverState(Version start_version)
      : conflicts(start_version), version(start_version) {}

  ConflictSet conflicts;
  // The last batch resolved.
  NotifiedValue<Version> version;
  // Decisions of recent batches, by version, for retries.
  std::map<Version, ResolveBatchReply> recent;
};

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

Future<Void> run_resolver(ResolverInterface interface, uint64_t epoch, Version start_version) {
  ResolverState state(start_version);
  TraceEvent("ResolverStarted")
      .id(interface.id)
      .detail("Epoch", epoch)
      .detail("StartVersion", start_version);
  ActorCollection actors;
  actors.add(serve_batches(&state, interface.resolve.requests()));
  actors.add(serve_wait_failure(interface.wait_failure.requests()));
  co_await actors.result();
}

}  // namespace strata
