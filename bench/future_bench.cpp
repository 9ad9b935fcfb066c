// Futures and promises without any actor: the cost of the shared state itself.

#include <cstdint>

#include <benchmark/benchmark.h>

#include "runtime/future.h"

namespace strata::bench {
namespace {

// One Promise<int>: make it, take its future, send, read the value back.
void BM_PromiseFutureRoundTrip(benchmark::State& state) {
  int64_t total = 0;
  for (auto _ : state) {
    Promise<int> promise;
    Future<int> future = promise.get_future();
    promise.send(1);
    total += future.get();
  }
  benchmark::DoNotOptimize(total);
  if (total != state.iterations()) state.SkipWithError("a future read the wrong value");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PromiseFutureRoundTrip);

// A future made ready at construction (what an actor returns when it never waits).
void BM_ReadyFutureCreateAndRead(benchmark::State& state) {
  int64_t total = 0;
  for (auto _ : state) {
    Future<int> future(1);
    total += future.get();
  }
  benchmark::DoNotOptimize(total);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReadyFutureCreateAndRead);

}  // namespace
}  // namespace strata::bench
