// Coroutine actors: resuming a long-lived actor, and the life of a short one.

#include <cstdint>
#include <utility>

#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "runtime/future.h"
#include "runtime/stream.h"

namespace strata::bench {
namespace {

// Adds up every value of the stream, forever: each value resumes it once.
Future<Void> add_up_stream(FutureStream<int> values, int64_t* total) {
  while (true)
    *total += co_await values;
}

// The cost of one resume of a suspended actor: PromiseStream::send wakes the actor,
// which takes the value and suspends again before send returns. The actor lives across
// the whole benchmark, so nothing here creates or destroys it.
void BM_ActorResumeFromStream(benchmark::State& state) {
  LiveActorCheck live_actor_check(state);
  PromiseStream<int> values;
  int64_t total = 0;
  Future<Void> adder = add_up_stream(values.get_future(), &total);
  for (auto _ : state) {
    values.send(1);
  }
  if (total != state.iterations()) state.SkipWithError("the actor missed a resume");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ActorResumeFromStream);

struct PromiseChain {
  Promise<int> next;
  int64_t total = 0;
};

// Waits on the chain's current promise, forever; the driver replaces it before sending.
Future<Void> follow_chain(PromiseChain* chain) {
  while (true)
    chain->total += co_await chain->next.get_future();
}

// One resume through a fresh promise each time, as an actor waiting on one reply after
// another does: includes making and freeing that promise's state.
void BM_ActorResumeFromFreshPromise(benchmark::State& state) {
  LiveActorCheck live_actor_check(state);
  PromiseChain chain;
  Future<Void> follower = follow_chain(&chain);
  for (auto _ : state) {
    Promise<int> current = std::exchange(chain.next, Promise<int>());
    current.send(1);
  }
  if (chain.total != state.iterations()) state.SkipWithError("the actor missed a resume");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ActorResumeFromFreshPromise);

// Not inlined, as an actor defined in another file would not be: the compiler could
// otherwise place the coroutine frame on the caller's stack and hide its allocation.
[[gnu::noinline]] Future<int> return_at_once(int value) {
  co_return value;
}

// An actor that finishes without waiting: frame allocation, the future's state, the
// return value and the frame's destruction.
void BM_ActorCreateAndComplete(benchmark::State& state) {
  LiveActorCheck live_actor_check(state);
  int64_t total = 0;
  for (auto _ : state) {
    Future<int> result = return_at_once(1);
    total += result.get();
  }
  if (total != state.iterations()) state.SkipWithError("an actor returned the wrong value");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ActorCreateAndComplete);

[[gnu::noinline]] Future<int> wait_once(Future<int> input) {
  co_return co_await input;
}

// The whole life of an actor that waits once: make a promise, start the actor (it
// suspends on the promise's future), send, and read what the actor returned.
void BM_ActorCreateWaitOnceComplete(benchmark::State& state) {
  LiveActorCheck live_actor_check(state);
  int64_t total = 0;
  for (auto _ : state) {
    Promise<int> input;
    Future<int> result = wait_once(input.get_future());
    input.send(1);
    total += result.get();
  }
  if (total != state.iterations()) state.SkipWithError("an actor returned the wrong value");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ActorCreateWaitOnceComplete);

}  // namespace
}  // namespace strata::bench
