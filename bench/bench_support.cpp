#include "bench_support.h"

#include <vector>

#include "runtime/actor.h"

namespace strata::bench {

Future<Void> echo_client(RequestStream<EchoRequest> stream, int in_flight, EchoTally* tally) {
  STRATA_ASSERT(in_flight > 0);
  // Start inside the loop the benchmark drives, not in the call that creates the actor.
  co_await yield();
  const std::string payload(echo_payload_bytes, 'e');
  try {
    // A ring of outstanding requests: slot i % in_flight holds request i.
    std::vector<Future<EchoReply>> window;
    window.reserve(static_cast<size_t>(in_flight));
    uint64_t next_id = 0;
    for (int i = 0; i < in_flight; ++i) {
      window.push_back(stream.get_reply(EchoRequest{next_id++, payload, 0, {}}));
    }
    for (uint64_t expected_id = 0;; ++expected_id) {
      Future<EchoReply>& oldest = window[expected_id % window.size()];
      if (!oldest.is_ready()) ++tally->waits;
      EchoReply reply = co_await std::move(oldest);
      if (reply.id != expected_id || reply.payload != payload) ++tally->wrong_replies;
      oldest = stream.get_reply(EchoRequest{next_id++, payload, 0, {}});
      if (++tally->completed >= tally->target) {
        env().stop();
        // Suspend even when every reply is already there (as in the same-process path,
        // which answers inside get_reply), so that run() can return.
        co_await yield();
      }
    }
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    tally->failure = error;
    env().stop();
    throw;
  }
}

bool run_echo_round_trips(benchmark::State& state, Environment& environment, EchoTally& tally,
                          int64_t round_trips) {
  tally.target += round_trips;
  if (tally.completed < tally.target && !tally.failure) environment.run();
  if (tally.failure) {
    state.SkipWithError(("an echo request failed: " + tally.failure->message()).c_str());
    return false;
  }
  if (tally.completed < tally.target) {
    state.SkipWithError("the event loop stopped before the echo clients finished their batch");
    return false;
  }
  return true;
}

LiveActorCheck::LiveActorCheck(benchmark::State& state)
    : state_(state), live_actors_before_(ActorBase::live_actors()) {}

LiveActorCheck::~LiveActorCheck() {
  int64_t left = ActorBase::live_actors() - live_actors_before_;
  if (left != 0) {
    state_.SkipWithError((std::to_string(left) + " actors outlived the benchmark").c_str());
  }
}

}  // namespace strata::bench
