// partitions: now and then splits the machines into two random groups that cannot reach
// each other for a while, then heals.

#include "runtime/sim/sim_network.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class PartitionWorkload final : public Workload {
 public:
  explicit PartitionWorkload(Options& options)
      : interval_s_(options.get_double("interval_s", 10.0)),
        partition_s_max_(options.get_double("partition_s_max", 15.0)) {}

  std::string name() const override { return "partitions"; }

  Future<Void> start(WorkloadContext& context) override {
    Random& random = env().random();
    double end = now() + context.duration_s();
    while (now() < end) {
      co_await delay(random.exponential(interval_s_));
      std::vector<uint32_t> side_a;
      std::vector<uint32_t> side_b;
      for (sim::SimMachine* machine : context.machines_with_killable_processes()) {
        (random.coinflip() ? side_a : side_b).push_back(machine->ip);
      }
      if (side_a.empty() || side_b.empty()) continue;
      double seconds = random.uniform_real(1.0, partition_s_max_);
      context.simulator().network().partition(side_a, side_b, seconds);
      TraceEvent("PartitionStarted")
          .detail("SideA", side_a.size())
          .detail("SideB", side_b.size())
          .detail("DurationS", seconds);
      ++partitions_;
    }
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"partitions", std::to_string(partitions_)}};
  }

 private:
  const double interval_s_;
  const double partition_s_max_;
  uint64_t partitions_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_partition_workload(Options& options) {
  return std::make_unique<PartitionWorkload>(options);
}

}  // namespace strata
