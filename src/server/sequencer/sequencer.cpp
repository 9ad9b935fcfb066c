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
  // Per proxy, the answers to its recent requests by number, so a retry gets the same one.
  std::map<UID, std::map<uint64_t, GetCommitVersionReply>> answered;
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

Future<Void> serve_commit_versions(SequencerState* state,
                                   FutureStream<GetCommitVersionRequest> requests) {
  while (true) {
    GetCommitVersionRequest request = co_await requests;
    auto& answered = state->answered[request.proxy_id];
    auto found = answered.find(request.request_number);
    if (found != answered.end()) {
      request.reply.send(found->second);
      continue;
    }
    if (!answered.empty() && request.request_number < answered.begin()->first) {
      // Older than anything remembered: the proxy gave up on it long ago.
      request.reply.send_error(Error(ErrorCode::operation_failed, "stale commit version request"));
      continue;
    }
    // Never more than max_versions_in_flight past what is committed: a later recovery
    // starts the next generation above every version this one handed out.
    const Version in_flight_max = server_knobs().max_versions_in_flight;
    if (state->last_version + 1 > state->live_committed_version.get() + in_flight_max) {
      STRATA_PROBE(true, "the sequencer waits for commits before it hands out more versions");
      co_await state->live_committed_version.when_at_least(state->last_version + 1 - in_flight_max);
    }
    GetCommitVersionReply reply{state->last_version, next_version(*state)};
    reply.version = std::min(reply.version, state->live_committed_version.get() + in_flight_max);
    STRATA_ASSERT(reply.version > reply.prev_version);
    state->last_version = reply.version;
    answered[request.request_number] = reply;
    // A proxy has at most a few batches in flight; older answers are no longer asked for.
    while (answered.size() > 1000)
      answered.erase(answered.begin());
    request.reply.send(reply);
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
