// random_clogging: now and then clogs the link between two random machines, one way or
// both, or a whole machine, for a random time. Messages wait; connections that stay
// silent too long are closed by the transport.

#include "runtime/sim/sim_network.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class RandomCloggingWorkload final : public Workload {
 public:
  explicit RandomCloggingWorkload(Options& options)
      : interval_s_(options.get_double("interval_s", 2.0)),
        clog_s_max_(options.get_double("clog_s_max", 8.0)) {}

  std::string name() const override { return "random_clogging"; }

  Future<Void> start(WorkloadContext& context) override {
    Random& random = env().random();
    double end = now() + context.duration_s();
    while (now() < end) {
      co_await delay(random.exponential(interval_s_));
      std::vector<sim::SimMachine*> machines = context.machines_with_killable_processes();
      if (machines.size() < 2) continue;
      sim::SimMachine* a = random.pick(machines);
      sim::SimMachine* b = random.pick(machines);
      double seconds = random.uniform_real(0, clog_s_max_);
      sim::SimNetwork& network = context.simulator().network();
      switch (random.uniform(0, 3)) {
        case 0:
          network.clog_link(a->ip, b->ip, seconds);
          break;
        case 1:
          network.clog_link(a->ip, b->ip, seconds);
          network.clog_link(b->ip, a->ip, seconds);
          break;
        default:
          network.clog_machine(a->ip, seconds);
          break;
      }
      ++clogs_;
    }
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"clogs", std::to_string(clogs_)}};
  }

 private:
  const double interval_s_;
  const double clog_s_max_;
  uint64_t clogs_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_random_clogging_workload(Options& options) {
  return std::make_unique<RandomCloggingWorkload>(options);
}

}  // namespace strata
