#include "tools/bench/strata_runner.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <optional>
#include <vector>

#include "client/management.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "strata/database.h"
#include "tools/bench/timings.h"

namespace strata::bench {

namespace {

struct StrataRun {
  const BenchOptions* options = nullptr;
  Workload* workload = nullptr;
  double measure_start = 0;
  double measure_end = 0;
  // The start of the next transaction under --rate.
  double next_slot = 0;
  Timings timings;

  bool measuring(double at) const { return at >= measure_start && at < measure_end; }
};

// The run's transactions: in the tenant --tenant names, if any.
Transaction new_transaction(const Database& database, const BenchOptions& options) {
  return options.tenant ? database.open_tenant(*options.tenant).create_transaction()
                        : database.create_transaction();
}

// Rows loaded per transaction, and transactions loading at once.
constexpr int64_t load_batch_rows = 500;
constexpr int load_streams = 8;

Future<Void> load(Database database, const Workload& workload, const BenchOptions& options) {
  int64_t total = workload.load_count();
  int64_t next = 0;
  int64_t done = 0;
  auto stream = [&]() -> Future<Void> {
    while (next < total) {
      int64_t first = next;
      int64_t last = std::min(total, first + load_batch_rows);
      next = last;
      auto rows = [&workload, first, last](Transaction& tr) -> Future<Void> {
        for (int64_t i = first; i < last; ++i) {
          KeyValue row = workload.load_row(i);
          tr.set(row.key, row.value);
        }
        co_return;
      };
      co_await (options.tenant ? database.open_tenant(*options.tenant).run(rows)
                               : database.run(rows));
      done += last - first;
    }
  };
  auto progress = [&]() -> Future<Void> {
    while (true) {
      co_await delay(1.0);
      std::printf("loading: %" PRId64 " of %" PRId64 " rows\n", done, total);
      std::fflush(stdout);
    }
  };
  Future<Void> reporter = progress();
  std::vector<Future<Void>> streams;
  for (int i = 0; i < load_streams; ++i)
    streams.push_back(stream());
  co_await when_all(std::move(streams));
  std::printf("loaded %" PRId64 " rows\n", total);
}

// Runs one transaction's operations; throws what the transaction throws.
Future<Void> execute(Transaction& tr, const TransactionPlan& plan, bool measured,
                     Timings& timings) {
  double step = now();
  co_await tr.get_read_version();
  if (measured) timings.read_version.add(now() - step);
  for (const Op& op : plan.ops) {
    switch (op.kind) {
      case OpKind::read:
      case OpKind::read_modify_write: {
        step = now();
        std::optional<Value> value = co_await tr.get(op.key);
        if (measured) timings.read.add(now() - step);
        if (op.kind == OpKind::read_modify_write) tr.set(op.key, op.value);
        break;
      }
      case OpKind::scan: {
        step = now();
        RangeResult rows = co_await tr.get_range(op.key, op.end, RangeLimits{op.rows, 0});
        if (measured) {
          timings.read.add(now() - step);
          timings.rows_read += rows.rows.size();
        }
        break;
      }
      case OpKind::write:
      case OpKind::insert:
        tr.set(op.key, op.value);
        break;
    }
  }
  if (plan.writes()) {
    step = now();
    co_await tr.commit();
    if (measured) timings.commit.add(now() - step);
  }
}

// One client: transactions back to back (or at its --rate slots) until the run ends.
Future<Void> client(StrataRun* run, Database database) {
  Random random(run->options->seed * 1000003 + env().random().next_u64());
  while (now() < run->measure_end) {
    if (run->options->rate > 0) {
      double slot = std::max(now(), run->next_slot);
      run->next_slot = slot + 1.0 / run->options->rate;
      if (slot > now()) co_await delay(slot - now());
    }
    TransactionPlan plan = run->workload->next(random);
    double started = now();
    bool measured = run->measuring(started);
    Transaction tr = new_transaction(database, *run->options);
    while (true) {
      std::optional<Error> failure;
      try {
        tr.set_priority(run->options->priority);
        co_await execute(tr, plan, measured, run->timings);
        break;
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        failure = error;
      }
      if (measured) ++run->timings.retries;
      co_await tr.on_error(*failure);  // throws what cannot be retried
    }
    if (!measured) continue;
    ++run->timings.transactions;
    run->timings.operations += plan.ops.size();
    run->timings.transaction.add(now() - started);
  }
}

Future<Void> report_progress(StrataRun* run) {
  uint64_t last = 0;
  while (true) {
    co_await delay(1.0);
    if (now() < run->measure_start) {
      std::printf("warming up...\n");
    } else {
      std::printf("%8.1f s  %10" PRIu64 " transactions/s  %" PRIu64 " retries\n",
                  now() - run->measure_start, run->timings.transactions - last,
                  run->timings.retries);
      last = run->timings.transactions;
    }
    std::fflush(stdout);
  }
}

}  // namespace

Future<int> run_strata(const BenchOptions& options, Workload& workload) {
  StrataRun run;
  run.options = &options;
  run.workload = &workload;
  std::vector<Database> databases;
  try {
    ClusterConnectionString connection = co_await read_cluster_file(options.cluster_file);
    for (int i = 0; i < options.connections; ++i)
      databases.push_back(Database::open(connection));
    if (options.tenant)
      co_await set_tenant_exists(databases.front(), *options.tenant, /*exists=*/true);
    if (options.load) co_await load(databases.front(), workload, options);
  } catch (Error& error) {
    std::fprintf(stderr, "strata-bench: %s\n", error.message().c_str());
    co_return 1;
  }
  run.measure_start = now() + options.warmup_s;
  run.measure_end = run.measure_start + options.duration_s;
  Future<Void> progress = report_progress(&run);
  std::vector<Future<Void>> clients;
  for (const Database& database : databases) {
    for (int i = 0; i < options.in_flight; ++i)
      clients.push_back(client(&run, database));
  }
  try {
    co_await when_all(std::move(clients));
  } catch (Error& error) {
    std::fprintf(stderr, "strata-bench: a transaction failed: %s\n", error.message().c_str());
    co_return 1;
  }
  co_return report(options, options.duration_s, run.timings) ? 0 : 1;
}

}  // namespace strata::bench
