// The simulator's speed: how many simulated events it runs per wall-clock second while a
// few processes exchange echo requests over the simulated network.

#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "interfaces/echo_interface.h"
#include "rpc/transport.h"
#include "runtime/sim/simulator.h"
#include "workloads/echo_service.h"

namespace strata::bench {
namespace {

// Machines, each running one echo server and one client of the next machine's server.
constexpr int machine_count = 3;
constexpr int client_in_flight = 8;
constexpr uint16_t server_port = 4500;
constexpr uint16_t client_port = 4600;
constexpr int64_t warm_up_round_trips = 1024;

Future<Void> echo_client_main(NetworkAddress server, EchoTally* tally) {
  Transport::install(NetworkAddress());
  co_await delay(0.1);  // the servers boot at time zero; let them listen first
  co_await echo_client(RequestStream<EchoRequest>(Endpoint{server, well_known::test_echo}),
                       client_in_flight, tally);
}

// Time is per simulated round trip (wall clock); events_per_second is the simulator's
// throughput in Simulator::events() per wall second, and simulated_seconds_per_second how
// much faster than real time the simulated world runs.
void BM_SimulatedEchoRoundTrip(benchmark::State& state) {
  LiveActorCheck live_actor_check(state);
  EchoTally tally;
  sim::Simulator simulator(1);
  std::vector<sim::SimMachine*> machines;
  for (int i = 0; i < machine_count; ++i) {
    std::string number = std::to_string(i);
    machines.push_back(&simulator.add_machine("machine" + number, "zone" + number));
    simulator.add_process(*machines.back(), "server" + number, server_port, "/server" + number,
                          echo_server_main, false);
  }
  for (int i = 0; i < machine_count; ++i) {
    NetworkAddress server(machines[(i + 1) % machine_count]->ip, server_port);
    std::string number = std::to_string(i);
    simulator.add_process(
        *machines[i], "client" + number, client_port, "/client" + number,
        [server, &tally] { return echo_client_main(server, &tally); }, false);
  }
  if (!run_echo_round_trips(state, simulator, tally, warm_up_round_trips)) return;

  const uint64_t events_before = simulator.events();
  const double simulated_before_s = simulator.now();
  while (state.KeepRunningBatch(echo_batch_round_trips)) {
    if (!run_echo_round_trips(state, simulator, tally, echo_batch_round_trips)) return;
  }
  const auto events = static_cast<double>(simulator.events() - events_before);
  const double simulated_s = simulator.now() - simulated_before_s;

  if (tally.wrong_replies > 0) state.SkipWithError("an echo reply did not match its request");
  state.SetItemsProcessed(state.iterations());
  state.counters["events_per_second"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["events_per_round_trip"] =
      benchmark::Counter(events, benchmark::Counter::kAvgIterations);
  state.counters["simulated_seconds_per_second"] =
      benchmark::Counter(simulated_s, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulatedEchoRoundTrip)->UseRealTime();

}  // namespace
}  // namespace strata::bench
