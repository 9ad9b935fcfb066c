// Request/reply between two actors of one real process: RequestStream::get_reply hands
// the request to the served stream without serializing it, and the echo server answers
// through a local promise.

#include <cstdint>

#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "interfaces/echo_interface.h"
#include "rpc/transport.h"
#include "runtime/real/real_environment.h"
#include "workloads/echo_service.h"

namespace strata::bench {
namespace {

// The process's transport address; nothing listens on it, it only makes endpoints at
// this address local.
constexpr NetworkAddress local_address = NetworkAddress::from_octets(127, 0, 0, 1, 4500);

constexpr int64_t warm_up_round_trips = 1024;

// Time is per round trip. The echo server answers inside get_reply (push, resume the
// server, answer through the local promise), so a reply is always ready before the client
// reads it and "in flight" never really exceeds one: waits_per_round_trip, how often the
// client had to suspend for a reply, stays at zero. The in_flight:64 variant measures the
// same hand-over with the client's bookkeeping of a 64-deep window.
void BM_SameProcessEchoRoundTrip(benchmark::State& state) {
  LiveActorCheck live_actor_check(state);
  const int in_flight = static_cast<int>(state.range(0));
  real::RealEnvironment environment;
  Transport::install(local_address);
  Future<Void> server = serve_echo_requests();
  EchoTally tally;
  Future<Void> client =
      echo_client(RequestStream<EchoRequest>(Endpoint{local_address, well_known::test_echo}),
                  in_flight, &tally);
  if (!run_echo_round_trips(state, environment, tally, warm_up_round_trips)) return;

  const EchoTally before = tally;
  while (state.KeepRunningBatch(echo_batch_round_trips)) {
    if (!run_echo_round_trips(state, environment, tally, echo_batch_round_trips)) return;
  }
  if (tally.wrong_replies > 0) state.SkipWithError("an echo reply did not match its request");
  state.SetItemsProcessed(state.iterations());
  state.counters["waits_per_round_trip"] = benchmark::Counter(
      static_cast<double>(tally.waits - before.waits), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_SameProcessEchoRoundTrip)->ArgName("in_flight")->Arg(1)->Arg(64)->UseRealTime();

}  // namespace
}  // namespace strata::bench
