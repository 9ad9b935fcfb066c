// cluster_restart: now and then every process of the cluster dies at once (a power cut:
// unsynced writes may be lost or garbled) and comes back after a short downtime. Its check
// does it once more and waits until the cluster answers again, so the checks of the
// workloads after it in the spec prove that every acknowledged commit survived.

#include "runtime/combinators.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class ClusterRestartWorkload final : public Workload {
 public:
  explicit ClusterRestartWorkload(Options& options)
      : restarts_(options.get_int("restarts", 2)),
        downtime_s_max_(options.get_double("downtime_s_max", 3.0)),
        final_restart_(options.get_bool("final_restart", true)) {}

  std::string name() const override { return "cluster_restart"; }

  Future<Void> start(WorkloadContext& context) override {
    Random& random = env().random();
    double interval = context.duration_s() / static_cast<double>(restarts_ + 1);
    for (int64_t i = 0; i < restarts_; ++i) {
      co_await delay(random.uniform_real(0.5, 1.5) * interval);
      restart_all(context);
    }
  }

  Future<Void> check(WorkloadContext& context) override {
    if (final_restart_) restart_all(context);
    // Available again: a transaction commits.
    co_await context.database().run([](Transaction& tr) -> Future<Void> {
      tr.set("cluster_restart/alive", "yes");
      co_return;
    });
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"restarts", std::to_string(done_)}};
  }

 private:
  void restart_all(WorkloadContext& context) {
    Random& random = env().random();
    TraceEvent("ClusterRestart").detail("Processes", context.cluster_processes().size());
    for (sim::SimProcess* process : context.cluster_processes()) {
      context.simulator().reboot_process(*process, random.uniform_real(0, downtime_s_max_));
    }
    ++done_;
  }

  const int64_t restarts_;
  const double downtime_s_max_;
  const bool final_restart_;
  uint64_t done_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_cluster_restart_workload(Options& options) {
  return std::make_unique<ClusterRestartWorkload>(options);
}

}  // namespace strata
