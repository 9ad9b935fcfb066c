// strata-bench: a load generator for a running Strata cluster, in its own process.
//
//   strata-bench --workload writes --cluster-file strata.cluster --duration 20 --concurrency 100
//
// Workloads: reads (point reads, one per transaction), writes (one write per transaction),
// writes10 (ten writes per transaction), mixed90 (nine reads and one write). It loads the
// key space first (--keys), warms up, measures for --duration seconds, and reports
// throughput and latency percentiles of read versions, reads and commits, as a table and
// optionally as JSON (--json FILE).

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/transport.h"
#include "runtime/combinators.h"
#include "runtime/json_writer.h"
#include "runtime/real/real_environment.h"
#include "strata/database.h"

namespace {

using namespace strata;

constexpr const char* usage_text =
    "usage: strata-bench --workload NAME [--cluster-file FILE] [--duration SECONDS]\n"
    "                    [--warmup SECONDS] [--concurrency N] [--keys N] [--value-bytes N]\n"
    "                    [--json FILE]\n"
    "\n"
    "  --workload NAME     reads, writes, writes10 or mixed90\n"
    "  --cluster-file FILE the cluster to load (default ./strata.cluster)\n"
    "  --duration SECONDS  how long to measure (default 20)\n"
    "  --warmup SECONDS    load before measuring starts (default 2)\n"
    "  --concurrency N     transactions in flight at once (default 100)\n"
    "  --keys N            size of the key space, loaded first (default 100000)\n"
    "  --value-bytes N     size of each value (default 100)\n"
    "  --json FILE         also write the results as JSON\n";

struct BenchOptions {
  std::string workload;
  std::string cluster_file = "strata.cluster";
  double duration_s = 20;
  double warmup_s = 2;
  int concurrency = 100;
  int64_t keys = 100000;
  int value_bytes = 100;
  std::optional<std::string> json_file;
};

[[noreturn]] void usage_error(const std::string& problem) {
  std::fprintf(stderr, "strata-bench: %s\n\n%s", problem.c_str(), usage_text);
  std::exit(2);
}

BenchOptions parse_arguments(int argc, char** argv) {
  BenchOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(std::string(flag) + " needs a value");
      return argv[++i];
    };
    auto number = [&](std::string text) {
      char* end = nullptr;
      double parsed = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || parsed < 0) {
        usage_error(std::string(flag) + " takes a non-negative number, not '" + text + "'");
      }
      return parsed;
    };
    if (flag == "--workload") {
      options.workload = value();
    } else if (flag == "--cluster-file") {
      options.cluster_file = value();
    } else if (flag == "--duration") {
      options.duration_s = number(value());
    } else if (flag == "--warmup") {
      options.warmup_s = number(value());
    } else if (flag == "--concurrency") {
      options.concurrency = static_cast<int>(number(value()));
    } else if (flag == "--keys") {
      options.keys = static_cast<int64_t>(number(value()));
    } else if (flag == "--value-bytes") {
      options.value_bytes = static_cast<int>(number(value()));
    } else if (flag == "--json") {
      options.json_file = value();
    } else if (flag == "--help" || flag == "-h") {
      std::printf("%s", usage_text);
      std::exit(0);
    } else {
      usage_error("unknown argument '" + std::string(flag) + "'");
    }
  }
  const std::vector<std::string> workloads = {"reads", "writes", "writes10", "mixed90"};
  if (std::find(workloads.begin(), workloads.end(), options.workload) == workloads.end()) {
    usage_error("--workload takes reads, writes, writes10 or mixed90");
  }
  if (options.concurrency < 1 || options.keys < 1)
    usage_error("--concurrency and --keys must be at least 1");
  return options;
}

// Latencies of one kind of operation during the measured period, in seconds.
struct Latencies {
  std::vector<double> samples;
  void add(double seconds) { samples.push_back(seconds); }
  double percentile(double fraction) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    size_t index = static_cast<size_t>(fraction * static_cast<double>(samples.size() - 1));
    return samples[index];
  }
};

struct BenchState {
  BenchOptions options;
  Database database;
  double measure_start = 0;
  double measure_end = 0;
  uint64_t transactions = 0;
  uint64_t operations = 0;
  uint64_t errors = 0;
  Latencies read_version;
  Latencies read;
  Latencies commit;
  Latencies transaction;

  bool measuring(double at) const { return at >= measure_start && at < measure_end; }
};

std::string key_of(int64_t index) {
  char text[32];
  std::snprintf(text, sizeof(text), "bench/%012" PRId64, index);
  return text;
}

Future<Void> load_keys(BenchState* state) {
  const int64_t per_transaction = 500;
  std::string value(static_cast<size_t>(state->options.value_bytes), 'v');
  std::printf("loading %" PRId64 " keys...\n", state->options.keys);
  std::fflush(stdout);
  std::vector<Future<Void>> loaders;
  int64_t next = 0;
  auto loader = [state, &next, &value]() -> Future<Void> {
    while (next < state->options.keys) {
      int64_t first = next;
      int64_t last = std::min(state->options.keys, first + per_transaction);
      next = last;
      co_await state->database.run([first, last, &value](Transaction& tr) -> Future<Void> {
        for (int64_t i = first; i < last; ++i)
          tr.set(key_of(i), value);
        co_return;
      });
    }
  };
  for (int i = 0; i < 8; ++i)
    loaders.push_back(loader());
  co_await when_all(std::move(loaders));
}

// One client: transactions back to back until the measured period ends.
Future<Void> client(BenchState* state) {
  Random& random = env().random();
  const std::string& workload = state->options.workload;
  int reads = workload == "reads" ? 1 : workload == "mixed90" ? 9 : 0;
  int writes = workload == "writes"     ? 1
               : workload == "writes10" ? 10
               : workload == "mixed90"  ? 1
                                        : 0;
  std::string value(static_cast<size_t>(state->options.value_bytes), 'w');
  while (now() < state->measure_end) {
    double started = now();
    Transaction tr = state->database.create_transaction();
    std::optional<Error> failure;
    try {
      double step = now();
      co_await tr.get_read_version();
      if (state->measuring(started)) state->read_version.add(now() - step);
      for (int i = 0; i < reads; ++i) {
        step = now();
        co_await tr.get(key_of(random.uniform(0, state->options.keys)));
        if (state->measuring(started)) state->read.add(now() - step);
      }
      for (int i = 0; i < writes; ++i)
        tr.set(key_of(random.uniform(0, state->options.keys)), value);
      if (writes > 0) {
        step = now();
        co_await tr.commit();
        if (state->measuring(started)) state->commit.add(now() - step);
      }
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (!state->measuring(started)) continue;
    if (failure) {
      ++state->errors;
      continue;
    }
    state->transaction.add(now() - started);
    ++state->transactions;
    state->operations += static_cast<uint64_t>(reads + writes);
  }
}

Future<Void> report_progress(BenchState* state) {
  uint64_t last = 0;
  while (true) {
    co_await delay(1.0);
    if (now() < state->measure_start) {
      std::printf("warming up...\n");
    } else {
      std::printf("%8.1f s  %10" PRIu64 " transactions/s  %" PRIu64 " errors\n",
                  now() - state->measure_start, state->transactions - last, state->errors);
      last = state->transactions;
    }
    std::fflush(stdout);
  }
}

void print_and_write(BenchState& state) {
  double seconds = state.measure_end - state.measure_start;
  double transactions_per_s = static_cast<double>(state.transactions) / seconds;
  double operations_per_s = static_cast<double>(state.operations) / seconds;
  std::printf("\nworkload %s, concurrency %d, %.0f s measured\n", state.options.workload.c_str(),
              state.options.concurrency, seconds);
  std::printf("  transactions/s %12.0f\n  operations/s   %12.0f\n  errors         %12" PRIu64 "\n",
              transactions_per_s, operations_per_s, state.errors);
  std::printf("  latency (ms)      p50      p95      p99      max\n");
  JsonWriter json;
  json.begin_object();
  json.key("workload").value(state.options.workload);
  json.key("concurrency").value(state.options.concurrency);
  json.key("duration_s").value(seconds);
  json.key("transactions_per_sec").value(transactions_per_s);
  json.key("ops_per_sec").value(operations_per_s);
  json.key("errors").value(state.errors);
  json.key("latency_ms").begin_object();
  auto row = [&](const char* name, Latencies& latencies) {
    if (latencies.samples.empty()) return;
    double p50 = latencies.percentile(0.5) * 1000;
    double p95 = latencies.percentile(0.95) * 1000;
    double p99 = latencies.percentile(0.99) * 1000;
    double max = latencies.percentile(1.0) * 1000;
    std::printf("  %-14s %8.3f %8.3f %8.3f %8.3f\n", name, p50, p95, p99, max);
    json.key(name).begin_object();
    json.key("p50").value(p50).key("p95").value(p95).key("p99").value(p99).key("max").value(max);
    json.end_object();
  };
  row("read_version", state.read_version);
  row("read", state.read);
  row("commit", state.commit);
  row("transaction", state.transaction);
  json.end_object();
  // The headline figures at the top level too, for scripts.
  json.key("p50").value(state.transaction.percentile(0.5) * 1000);
  json.key("p99").value(state.transaction.percentile(0.99) * 1000);
  json.end_object();
  if (state.options.json_file) {
    const char* path = state.options.json_file->c_str();
    // The tool writes its report where the user asked, outside any simulation.
    std::FILE* file = std::fopen(path, "w");  // lint: allows file because it is a CLI report
    if (!file) {
      std::fprintf(stderr, "strata-bench: cannot write %s\n", state.options.json_file->c_str());
      return;
    }
    std::fprintf(file, "%s\n", json.text().c_str());
    std::fclose(file);
  }
}

Future<int> run(BenchOptions options) {
  BenchState state;
  state.options = std::move(options);
  try {
    state.database = co_await Database::open_cluster_file(state.options.cluster_file);
    co_await load_keys(&state);
  } catch (Error& error) {
    std::fprintf(stderr, "strata-bench: %s\n", error.message().c_str());
    co_return 1;
  }
  state.measure_start = now() + state.options.warmup_s;
  state.measure_end = state.measure_start + state.options.duration_s;
  Future<Void> progress = report_progress(&state);
  std::vector<Future<Void>> clients;
  for (int i = 0; i < state.options.concurrency; ++i)
    clients.push_back(client(&state));
  co_await when_all(std::move(clients));
  print_and_write(state);
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  BenchOptions options = parse_arguments(argc, argv);
  real::RealEnvironment environment;
  Transport::install(NetworkAddress());
  int status = 1;
  auto main_actor = [&]() -> Future<Void> {
    status = co_await run(options);
    env().stop();
  };
  Future<Void> done = main_actor();
  environment.run();
  return status;
}
