#pragma once

// What the benchmark groups share: a pipelined echo client that hands control back to
// the benchmark loop after each batch, the loop driver that goes with it, and a check
// that no actor outlives the benchmark that started it.
//
// Each benchmark owns its environment (a RealEnvironment or a Simulator) from start to
// end; the helpers here only borrow it.

#include <cstdint>
#include <optional>
#include <string>

#include <benchmark/benchmark.h>

#include "interfaces/echo_interface.h"
#include "rpc/request_stream.h"
#include "runtime/environment.h"
#include "runtime/future.h"

namespace strata::bench {

// The payload of every echo request: small, like most control-plane messages.
constexpr size_t echo_payload_bytes = 16;

// Round trips the echo client completes between two returns to the benchmark loop:
// large enough that stopping and restarting the loop costs nothing measurable.
constexpr int64_t echo_batch_round_trips = 1024;

// What echo_client has done, and how far the benchmark wants it to go. Shared by every
// client of one benchmark; owned by the benchmark, which must keep it alive until the
// clients are gone.
struct EchoTally {
  // The client stops the event loop once `completed` reaches `target`.
  int64_t target = 0;
  int64_t completed = 0;
  // Round trips whose reply was not there yet when the client came to read it: the
  // times the client actually suspended.
  int64_t waits = 0;
  // Replies whose id or payload did not match the request.
  int64_t wrong_replies = 0;
  // Set when a request failed; the client has stopped the loop.
  std::optional<Error> failure;
};

// Keeps `in_flight` echo requests outstanding on `stream` until cancelled, reading the
// replies oldest first (one connection answers in order). Each completed round trip
// counts in `tally`; when `tally->target` is reached it stops the event loop and waits
// for the next turn of the loop, so that the benchmark can raise the target and run the
// loop again. A failed request stops the loop and fails the actor.
Future<Void> echo_client(RequestStream<EchoRequest> stream, int in_flight, EchoTally* tally);

// Runs `environment` until the echo clients have completed `round_trips` more round
// trips. Returns false (after marking the benchmark skipped with the reason) when a
// request failed or the loop ran out of work first.
bool run_echo_round_trips(benchmark::State& state, Environment& environment, EchoTally& tally,
                          int64_t round_trips);

// Fails the benchmark if, when it ends, more actors are alive than when it started: an
// actor left behind would run (or leak) into the next benchmark. Declare it first in the
// benchmark so that it checks after everything else is destroyed.
class LiveActorCheck {
 public:
  explicit LiveActorCheck(benchmark::State& state);
  LiveActorCheck(const LiveActorCheck&) = delete;
  LiveActorCheck& operator=(const LiveActorCheck&) = delete;
  ~LiveActorCheck();

 private:
  benchmark::State& state_;
  int64_t live_actors_before_;
};

}  // namespace strata::bench
