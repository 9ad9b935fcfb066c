// strata-bench: a load generator in its own process, for Strata and for the stores it is
// compared with (PostgreSQL, etcd, Redis), running the same workloads:
//
//   strata-bench --workload writes10 --cluster-file strata.cluster --duration 20
//   strata-bench --workload ycsb-a --target postgres --postgres "host=127.0.0.1 port=5432"
//
// It loads the data first (with a progress line), warms up, measures for --duration
// seconds with a progress line each second, and reports throughput and latency
// percentiles (read version, reads, commits, whole transactions) as a table and, with
// --json FILE, as JSON. bench/compare runs it against every store side by side.

#include <cstdio>
#include <memory>

#include "rpc/transport.h"
#include "runtime/knobs.h"
#include "runtime/real/real_environment.h"
#include "tools/bench/bench_options.h"
#include "tools/bench/peer_session.h"
#include "tools/bench/strata_runner.h"
#include "tools/bench/workload.h"

int main(int argc, char** argv) {
  using namespace strata;
  bench::BenchOptions options = bench::parse_arguments(argc, argv);
  std::unique_ptr<bench::Workload> workload = bench::Workload::create(options);
  if (options.target != bench::Target::strata) return bench::run_peer(options, *workload);
  try {
    for (const auto& [name, value] : options.knobs)
      set_knob(name, value);
  } catch (const Error& error) {
    std::fprintf(stderr, "strata-bench: %s\n", error.message().c_str());
    return 2;
  }

  real::RealEnvironment environment;
  Transport::install(NetworkAddress());
  int status = 1;
  auto main_actor = [&]() -> Future<Void> {
    status = co_await bench::run_strata(options, *workload);
    env().stop();
  };
  Future<Void> done = main_actor();
  environment.run();
  return status;
}
