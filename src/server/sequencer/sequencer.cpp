#include "server/sequencer/sequencer.h"

#include <algorithm>
#include <map>

#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "runtime/notified.h"
#include "runtime/trace.h"
#include "server/server_knobs.h"
#include "server/wait_failure.h"

namespace strata {

namespace {

struct SequencerState {
  uint64_t epoch = 0;
  Version last_version = 0;
  double last_version_time = 0;
  // The newest version durable on every log of the generation (reported by the proxies;
  // at first the generation's start version, which the recovery made durable).
  NotifiedValue<Version> live_committed_version;
  // Per proxy: its requests are answered in the order of their numbers, and a retry of
  // one gets the answer it had.
  struct ProxyRequests {
    // The answers to its recent requests, by number.
    std::map<uint64_t, GetCommitVersionReply> answered;
    // The number of the last request answered (requests start at 1).
    NotifiedValue<uint64_t> last_answered{0};
  };
  std::map<UID, ProxyRequests> proxies;
};

// Versions advance with clock time (about versions_per_second), by at least one per batch
// and at most one MVCC window at a time.
Version next_version(SequencerState& state) {
  const ServerKnobs& knobs = server_knobs();
  double elapsed = now() - state.last_version_time;
  auto step = static_cast<Version>(elapsed * static_cast<double>(knobs.versions_per_second));
  step = std::clamp<Version>(step, 1, knobs.mvcc_window_versions);
  state.last_version_time = now();
  return state.last_version + step;
}

// One request of a proxy: answered once the proxy's request before it is, so that a
// proxy's versions follow its batch numbers even when a request overtakes an earlier one
// (the earlier one's first send failed and its retry comes later). Otherwise the earlier
// batch would get a later version than the batch after it, or, arriving after it, be
// refused forever as stale while the proxy waits on it to tag its mutations.
Future<Void> answer_commit_version(SequencerState* state, GetCommitVersionRequest request) {
  STRATA_ASSERT_MSG(request.request_number >= 1, "a proxy numbers its requests from 1");
  SequencerState::ProxyRequests& proxy = state->proxies[request.proxy_id];
  const uint64_t number = request.request_number;
  if (number > proxy.last_answered.get() + 1) {
    STRATA_PROBE(true, "a proxy's commit version request waits for the one before it");
    co_await proxy.last_answered.when_at_least(number - 1);
  }
  // A retry gets the answer the request had.
  auto answered_already = [&proxy, &request, number] {
    auto found = proxy.answered.find(number);
    if (found == proxy.answered.end()) return false;
    request.reply.send(found->second);
    return true;
  };
  if (answered_already()) co_return;
  if (number <= proxy.last_answered.get()) {
    // Answered, and then forgotten: the proxy gave up on it long ago.
    request.reply.send_error(Error(ErrorCode::operation_failed, "stale commit version request"));
    co_return;
  }
  // Never more than max_versions_in_flight past what is committed: a later recovery
  // starts the next generation above every version this one handed out.
  const Version in_flight_max = server_knobs().max_versions_in_flight;
  while (state->last_version + 1 > state->live_committed_version.get() + in_flight_max) {
    STRATA_PROBE(true, "the sequencer waits for commits before it hands out more versions");
    co_await state->live_committed_version.when_at_least(state->last_version + 1 - in_flight_max);
  }
  // A retry of this request that arrived meanwhile may have been answered first.
  if (answered_already()) co_return;
  GetCommitVersionReply reply{state->last_version, next_version(*state)};
  reply.version = std::min(reply.version, state->live_committed_version.get() + in_flight_max);
  STRATA_ASSERT(reply.version > reply.prev_version);
  STRATA_ASSERT_MSG(proxy.last_answered.get() == number - 1,
                    "a proxy's commit versions are handed out in the order of its requests");
  state->last_version = reply.version;
  proxy.answered[number] = reply;
  // A proxy has at most a few batches in flight; older answers are no longer asked for.
  while (proxy.answered.size() > 1000)
    proxy.answered.erase(proxy.answered.begin());
  request.reply.send(reply);
  proxy.last_answered.set(number);
}

Future<Void> serve_commit_versions(SequencerState* state,
                                   FutureStream<GetCommitVersionRequest> requests) {
  ActorCollection answering;
  while (true) {
    answering.add(answer_commit_version(state, co_await requests));
  }
}

Future<Void> serve_reports(SequencerState* state,
                           FutureStream<ReportCommittedVersionRequest> requests) {
  while (true) {
    ReportCommittedVersionRequest request = co_await requests;
    if (request.version > state->live_committed_version.get()) {
      state->live_committed_version.set(request.version);
    }
    request.reply.send(Void{});
  }
}

Future<Void> serve_live_committed(SequencerState* state,
                                  FutureStream<GetLiveCommittedVersionRequest> requests) {
  while (true) {
    GetLiveCommittedVersionRequest request = co_await requests;
    request.reply.send(GetLiveCommittedVersionReply{state->live_committed_version.get()});
  }
}

}  // namespace

SequencerInterface make_sequencer_interface(UID id) {
  SequencerInterface interface;
  interface.id = id;
  interface.get_commit_version = RequestStream<GetCommitVersionRequest>::serve();
  interface.report_committed_version = RequestStream<ReportCommittedVersionRequest>::serve();
  interface.get_live_committed_version = RequestStream<GetLiveCommittedVersionRequest>::serve();
  interface.wait_failure = RequestStream<WaitFailureRequest>::serve();
  interface.address = interface.get_commit_version.endpoint().address;
  return interface;
}

Future<Void> run_sequencer(SequencerInterface interface, uint64_t epoch, Version start_version) {
  STRATA_ASSERT_MSG(server_knobs().recovery_version_jump > server_knobs().max_versions_in_flight,
                    "a new generation must start above every version the old one handed out");
  SequencerState state;
  state.epoch = epoch;
  state.last_version = start_version;
  state.last_version_time = now();
  state.live_committed_version.set(start_version);
  TraceEvent("SequencerStarted")
      .id(interface.id)
      .detail("Epoch", epoch)
      .detail("StartVersion", start_version);
  ActorCollection actors;
  actors.add(serve_commit_versions(&state, interface.get_commit_version.requests()));
  actors.add(serve_reports(&state, interface.report_committed_version.requests()));
  actors.add(serve_live_committed(&state, interface.get_live_committed_version.requests()));
  actors.add(serve_wait_failure(interface.wait_failure.requests()));
  co_await actors.result();
}

}  // namespace strata
