// coordinator_changes: moves the cluster to other coordinators under load: a random odd set
// of its live processes, or the one the controller picks (`coordinators auto`). Checks that
// each acknowledged move is followed (the cluster, and the clients, end up on the new
// connection string) and that the cluster keeps serving.

#include <algorithm>

#include "client/database_context.h"
#include "client/management.h"
#include "runtime/combinators.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class CoordinatorChangesWorkload final : public Workload {
 public:
  explicit CoordinatorChangesWorkload(Options& options)
      : changes_(options.get_int("changes", 3)),
        automatic_probability_(options.get_double("automatic_probability", 0.3)) {}

  std::string name() const override { return "coordinator_changes"; }

  Future<Void> start(WorkloadContext& context) override {
    Random& random = env().random();
    const double interval = context.duration_s() / static_cast<double>(changes_ + 1);
    for (int64_t i = 0; i < changes_; ++i) {
      co_await delay(random.uniform_real(0.5, 1.5) * interval);
      std::vector<NetworkAddress> live;
      for (sim::SimProcess* process : context.cluster_processes()) {
        if (process->is_alive()) live.push_back(process->address);
      }
      const bool automatic = random.uniform_real(0, 1) < automatic_probability_;
      std::vector<NetworkAddress> chosen;
      if (!automatic) {
        size_t count = live.size() >= 5 && random.coinflip() ? 5 : live.size() >= 3 ? 3 : 1;
        while (chosen.size() < count) {
          NetworkAddress candidate = random.pick(live);
          if (std::find(chosen.begin(), chosen.end(), candidate) == chosen.end())
            chosen.push_back(candidate);
        }
      }
      std::optional<std::string> moved;
      try {
        moved = co_await timeout_error(change_coordinators(context.database(), chosen, automatic),
                                       60.0);
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        TraceEvent(Severity::warn, "CoordinatorChangeUnanswered").error(error);
        uncertain_ = true;
        continue;
      }
      TraceEvent(Severity::warn_always, "CoordinatorsChanged").detail("To", *moved);
      last_ = moved;
      uncertain_ = false;
      ++done_;
    }
  }

  Future<Void> check(WorkloadContext& context) override {
    if (!last_ || uncertain_) co_return;
    // The client followed the forward, and the cluster answers at the new coordinators.
    ClusterConnectionString expected = ClusterConnectionString::parse(*last_);
    ClusterConnectionString followed = context.database().context()->connection();
    if (followed.to_string() != expected.to_string()) {
      context.fail(name(), "the client follows " + followed.to_string() +
                               ", not the last acknowledged coordinators " + *last_);
    }
    co_await context.database().context()->cluster_status();
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"changes", std::to_string(done_)}};
  }

 private:
  const int64_t changes_;
  const double automatic_probability_;
  std::optional<std::string> last_;
  bool uncertain_ = false;
  uint64_t done_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_coordinator_changes_workload(Options& options) {
  return std::make_unique<CoordinatorChangesWorkload>(options);
}

}  // namespace strata
