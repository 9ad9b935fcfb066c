// The resolver's conflict set in a steady state: each iteration resolves one batch of
// transactions against a window that already holds about a million steps, then moves
// the window forward by one batch, as a resolver does.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "runtime/random.h"
#include "server/resolver/conflict_set.h"

namespace strata::bench {
namespace {

constexpr int64_t key_count = 1'000'000;
constexpr int64_t transactions_per_batch = 100;
constexpr int64_t reads_per_transaction = 5;
constexpr int64_t writes_per_transaction = 2;
// Batches inside the MVCC window. With point writes over key_count keys this keeps about
// a million steps in the set (each written key is a step and the step after it).
constexpr int64_t window_batches = 3500;
// Read snapshots trail the batch version by up to this many batches.
constexpr int64_t snapshot_lag_batches_max = 50;

// Fixed width, so that the order of keys is the order of their numbers.
Key bench_key(int64_t index) {
  Key key = "k00000000";
  for (size_t position = key.size() - 1; index > 0; --position, index /= 10) {
    key[position] = static_cast<char>('0' + index % 10);
  }
  return key;
}

struct WorkloadShape {
  // Keys covered by each read and each write range; 1 means a single key.
  int64_t read_span = 1;
  int64_t write_span = 1;
  bool operator==(const WorkloadShape&) const = default;
};

// A conflict set filled to its steady state, and the generator that keeps feeding it.
// Filling takes seconds, so the last one built is kept for the next run of the same shape.
class SteadyState {
 public:
  explicit SteadyState(WorkloadShape shape)
      : shape_(shape), random_(shape.read_span * 1000 + shape.write_span) {
    for (int64_t batch = 0; batch < window_batches; ++batch) {
      resolve_next(make_batch());
    }
  }

  std::vector<ConflictTransaction> make_batch() {
    std::vector<ConflictTransaction> batch(transactions_per_batch);
    for (ConflictTransaction& transaction : batch) {
      transaction.read_snapshot =
          std::max<Version>(0, version_ - random_.uniform(0, snapshot_lag_batches_max));
      for (int64_t read = 0; read < reads_per_transaction; ++read) {
        transaction.read_ranges.push_back(random_range(shape_.read_span));
      }
      for (int64_t write = 0; write < writes_per_transaction; ++write) {
        transaction.write_ranges.push_back(random_range(shape_.write_span));
      }
    }
    return batch;
  }

  // Resolves `batch` at the next version and moves the window past the oldest batch.
  // Returns the number of transactions that conflicted (none is too old: snapshots trail
  // by far less than the window).
  int64_t resolve_next(const std::vector<ConflictTransaction>& batch) {
    ++version_;
    std::vector<ResolveOutcome> outcomes = set_.resolve(batch, version_);
    set_.set_oldest_version(version_ - window_batches + 1);
    int64_t conflicts = 0;
    for (ResolveOutcome outcome : outcomes) {
      conflicts += outcome == ResolveOutcome::conflict;
    }
    return conflicts;
  }

  const WorkloadShape& shape() const { return shape_; }
  const ConflictSet& set() const { return set_; }

 private:
  KeyRange random_range(int64_t span) {
    int64_t first = random_.uniform(0, key_count);
    if (span == 1) return single_key_range(bench_key(first));
    return KeyRange{bench_key(first), bench_key(first + span)};
  }

  WorkloadShape shape_;
  Random random_;
  ConflictSet set_;
  // Batch versions advance by one; the first batch is at version 1.
  Version version_ = 0;
};

SteadyState& steady_state(WorkloadShape shape) {
  static std::unique_ptr<SteadyState> kept;
  if (!kept || kept->shape() != shape) {
    kept.reset();  // Free the old set before filling the new one.
    kept = std::make_unique<SteadyState>(shape);
  }
  return *kept;
}

// Arguments: keys per read range, keys per write range.
void BM_ConflictSetResolveBatch(benchmark::State& state) {
  SteadyState& steady = steady_state(WorkloadShape{state.range(0), state.range(1)});
  int64_t conflicts = 0;
  for (auto _ : state) {
    // Only the resolver's work is measured, not making up the transactions.
    state.PauseTiming();
    std::vector<ConflictTransaction> batch = steady.make_batch();
    state.ResumeTiming();
    conflicts += steady.resolve_next(batch);
  }
  int64_t transactions = state.iterations() * transactions_per_batch;
  state.SetItemsProcessed(transactions);
  state.counters["conflict_fraction"] =
      static_cast<double>(conflicts) / static_cast<double>(std::max<int64_t>(transactions, 1));
  state.counters["steps"] = static_cast<double>(steady.set().range_count());
  state.counters["memory_mb"] = static_cast<double>(steady.set().memory_bytes()) / 1e6;
}
BENCHMARK(BM_ConflictSetResolveBatch)
    ->ArgNames({"read_span", "write_span"})
    ->Args({1, 1})
    ->Args({100, 1})
    ->Args({1, 100})
    ->Args({10, 10})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace strata::bench
