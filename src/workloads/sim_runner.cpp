#include "workloads/sim_runner.h"

#include <algorithm>
#include <memory>

#include "rpc/transport.h"
#include "runtime/buggify.h"
#include "runtime/knobs.h"
#include "workloads/sim_cluster.h"
#include "workloads/workload.h"

namespace strata {

namespace {

// The tester process: runs every workload's setup, then all starts together, lets the
// cluster recover once the faults stop, then runs every check.
Future<Void> run_workloads(std::vector<Workload*> workloads, WorkloadContext* context,
                           double quiet_s, Promise<Void> finished) {
  Transport::install(NetworkAddress());
  auto guarded = [context](Workload* workload, const char* phase,
                           Future<Void> work) -> Future<Void> {
    try {
      co_await work;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      context->fail(workload->name(), std::string(phase) + " failed: " + error.message());
    }
  };
  for (Workload* workload : workloads) {
    co_await guarded(workload, "setup", workload->setup(*context));
  }
  std::vector<Future<Void>> running;
  for (Workload* workload : workloads) {
    running.push_back(guarded(workload, "start", workload->start(*context)));
  }
  for (Future<Void>& work : running)
    co_await work;
  TraceEvent("TestQuiescing").detail("QuietS", quiet_s);
  co_await delay(quiet_s);
  for (Workload* workload : workloads) {
    co_await guarded(workload, "check", workload->check(*context));
  }
  finished.send(Void{});
}

}  // namespace

TestRunResult run_simulation_test(const TestSpec& spec, const RunOptions& run) {
  Options options("test " + spec.name, spec.options);
  const double duration_s = options.get_double("duration_s", 30);
  const double quiet_s = options.get_double("quiet_s", 20);
  const double time_limit_s = options.get_double("time_limit_s", duration_s + quiet_s + 600);
  const bool buggify = run.buggify.value_or(options.get_bool("buggify", true));
  const bool randomize_knobs = options.get_bool("randomize_knobs", true);
  ClusterSpec cluster = read_cluster_spec(options);
  const std::map<std::string, std::string> pinned_knobs = options.with_prefix("knob.");
  options.get_string("title", "");
  options.get_int("ci_seeds", 0);  // read by the build, which runs that many seeds in CI
  options.get_int("ci_determinism_seeds", 0);     // and checks determinism on that many
  options.get_int("ci_sanitized_seeds", 0);       // and runs that many under the sanitizers
  options.get_string("ci_regression_seeds", "");  // and these seeds, found failing once
  options.check_all_read();

  const int64_t actors_before = ActorBase::live_actors();
  // Workloads outlive the simulator: actors they own unwind while it is destroyed.
  std::vector<std::unique_ptr<Workload>> workloads;
  for (const WorkloadSpec& workload_spec : spec.workloads) {
    workloads.push_back(create_workload(workload_spec));
  }
  TestRunResult result;
  reset_all_knobs();
  {
    sim::Simulator simulator(run.seed);
    if (randomize_knobs) randomize_all_knobs(simulator.random());
    for (const auto& [name, value] : pinned_knobs)
      set_knob(name, value);
    for (const auto& [name, value] : run.knobs)
      set_knob(name, value);
    if (buggify) set_buggify(&simulator.random());
    if (run.echo_severity) {
      // Debug events are not even built unless asked for; building them changes the trace
      // hash but not the run.
      set_trace_severity_min(std::min(*run.echo_severity, Severity::info));
      simulator.set_trace_echo(*run.echo_severity);
    }
    TraceEvent("TestStarting")
        .detail("Test", spec.name)
        .detail("Seed", run.seed)
        .detail("Buggify", buggify);

    WorkloadContext context(simulator, duration_s);
    if (cluster.processes > 0) start_cluster(simulator, cluster, context);
    std::vector<Workload*> running;
    for (auto& workload : workloads)
      running.push_back(workload.get());
    Promise<Void> finished;
    Future<Void> done = finished.get_future();
    sim::SimMachine& tester_machine = simulator.add_machine("tester", "tester");
    simulator.add_process(
        tester_machine, "tester", 1, "/tester",
        [&]() { return run_workloads(running, &context, quiet_s, finished); },
        /*killable=*/false);
    if (!simulator.run_until(done, time_limit_s)) {
      simulator.fail("the test did not finish within " + std::to_string(time_limit_s) +
                     " simulated seconds: something hangs");
    }
    result.simulation = simulator.result();
    for (auto& workload : workloads) {
      for (auto& [name, value] : workload->metrics()) {
        result.metrics.emplace_back(workload->name() + "." + name, value);
      }
    }
  }
  reset_all_knobs();
  set_trace_severity_min(Severity::info);
  // The workloads go first: what they own (a database's own actors, say) ends with them,
  // and any actor still alive after that belongs to nothing.
  workloads.clear();
  int64_t leaked = ActorBase::live_actors() - actors_before;
  if (leaked != 0) {
    result.simulation.passed = false;
    result.simulation.failures.push_back(std::to_string(leaked) +
                                         " actors outlived the simulation (leaked, not cancelled)");
  }
  return result;
}

}  // namespace strata
