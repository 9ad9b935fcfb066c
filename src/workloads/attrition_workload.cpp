// attrition: kills random processes (as a crash: unsynced writes may be lost) and
// reboots them after a random downtime.

#include "workloads/workload.h"

namespace strata {

namespace {

class AttritionWorkload final : public Workload {
 public:
  explicit AttritionWorkload(Options& options)
      : kills_(options.get_int("kills", 4)),
        downtime_s_max_(options.get_double("downtime_s_max", 5.0)) {}

  std::string name() const override { return "attrition"; }

  Future<Void> start(WorkloadContext& context) override {
    Random& random = env().random();
    double interval = context.duration_s() / static_cast<double>(kills_ + 1);
    for (int64_t i = 0; i < kills_; ++i) {
      co_await delay(random.uniform_real(0.5, 1.5) * interval);
      std::vector<sim::SimProcess*> candidates;
      for (sim::SimProcess* process : context.killable_processes()) {
        if (process->is_alive()) candidates.push_back(process);
      }
      if (candidates.empty()) continue;
      sim::SimProcess* victim = random.pick(candidates);
      double downtime = random.uniform_real(0, downtime_s_max_);
      TraceEvent("AttritionKill").detail("Process", victim->name).detail("DowntimeS", downtime);
      context.simulator().reboot_process(*victim, downtime);
      ++done_;
    }
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"kills", std::to_string(done_)}};
  }

 private:
  const int64_t kills_;
  const double downtime_s_max_;
  uint64_t done_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_attrition_workload(Options& options) {
  return std::make_unique<AttritionWorkload>(options);
}

}  // namespace strata
