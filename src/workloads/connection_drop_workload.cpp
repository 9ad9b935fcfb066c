// connection_drops: now and then breaks a random live connection, as a reset by the
// network would.

#include "runtime/sim/sim_network.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class ConnectionDropWorkload final : public Workload {
 public:
  explicit ConnectionDropWorkload(Options& options)
      : interval_s_(options.get_double("interval_s", 3.0)) {}

  std::string name() const override { return "connection_drops"; }

  Future<Void> start(WorkloadContext& context) override {
    Random& random = env().random();
    double end = now() + context.duration_s();
    while (now() < end) {
      co_await delay(random.exponential(interval_s_));
      std::vector<std::shared_ptr<sim::SimConnection>> live =
          context.simulator().network().live_connections();
      if (live.empty()) continue;
      random.pick(live)->break_connection("dropped by the network");
      ++drops_;
    }
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"drops", std::to_string(drops_)}};
  }

 private:
  const double interval_s_;
  uint64_t drops_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_connection_drop_workload(Options& options) {
  return std::make_unique<ConnectionDropWorkload>(options);
}

}  // namespace strata
