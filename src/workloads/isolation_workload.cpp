// isolation: now and then cuts the process hosting a given role (the cluster controller,
// the sequencer, a log, ...) off from every other machine for a while, then heals: the
// partitions a real cluster meets when one machine's network fails.

#include "runtime/sim/sim_network.h"
#include "workloads/cluster_faults.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class IsolationWorkload final : public Workload {
 public:
  explicit IsolationWorkload(Options& options)
      : role_(options.get_string("role", "cluster_controller")),
        interval_s_(options.get_double("interval_s", 10.0)),
        isolation_s_max_(options.get_double("isolation_s_max", 8.0)) {
    if (!is_role_target(role_)) {
      throw Error(ErrorCode::test_specification_invalid,
                  "isolation: role '" + role_ + "' is not a role a process hosts");
    }
  }

  std::string name() const override { return "isolation"; }

  Future<Void> start(WorkloadContext& context) override {
    Random& random = env().random();
    const double end = now() + context.duration_s();
    while (now() < end) {
      co_await delay(random.exponential(interval_s_));
      std::vector<sim::SimProcess*> hosts;
      for (const ProcessRoles& process : cluster_roles(context)) {
        if (process.hosts(role_) && process.process->killable) hosts.push_back(process.process);
      }
      if (hosts.empty()) continue;
      sim::SimProcess* victim = random.pick(hosts);
      std::vector<uint32_t> others;
      for (const auto& machine : context.simulator().machines()) {
        if (machine.get() != victim->machine) others.push_back(machine->ip);
      }
      double seconds = random.uniform_real(0.5, isolation_s_max_);
      context.simulator().network().partition({victim->machine->ip}, others, seconds);
      TraceEvent(Severity::warn_always, "ProcessIsolated")
          .detail("Process", victim->name)
          .detail("Role", role_)
          .detail("DurationS", seconds);
      ++isolations_;
      co_await delay(seconds);
    }
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"isolations", std::to_string(isolations_)}};
  }

 private:
  const std::string role_;
  const double interval_s_;
  const double isolation_s_max_;
  uint64_t isolations_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_isolation_workload(Options& options) {
  return std::make_unique<IsolationWorkload>(options);
}

}  // namespace strata
