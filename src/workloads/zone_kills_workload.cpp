// zone_kills: a whole zone (a rack, a power feed, a room) goes down at once: every process
// in `zones` random zones crashes together and boots again after one shared downtime. With
// zones below the copies the redundancy mode keeps, nothing acknowledged may be lost and
// reads and commits resume; with as many zones as copies, the cluster may stop, but must
// lose nothing and come back once the zones return (the load workloads' checks say so).

#include <set>

#include "workloads/workload.h"

namespace strata {

namespace {

class ZoneKillsWorkload final : public Workload {
 public:
  explicit ZoneKillsWorkload(Options& options)
      : zones_(options.get_int("zones", 1)),
        kills_(options.get_int("kills", 2)),
        downtime_s_min_(options.get_double("downtime_s_min", 1.0)),
        downtime_s_max_(options.get_double("downtime_s_max", 10.0)) {
    if (zones_ < 1) throw Error(ErrorCode::test_specification_invalid, "zone_kills: zones >= 1");
  }

  std::string name() const override { return "zone_kills"; }

  Future<Void> start(WorkloadContext& context) override {
    Random& random = env().random();
    const double interval = context.duration_s() / static_cast<double>(kills_ + 1);
    for (int64_t i = 0; i < kills_; ++i) {
      co_await delay(random.uniform_real(0.5, 1.0) * interval);
      std::set<std::string> names;
      for (sim::SimProcess* process : context.cluster_processes())
        names.insert(process->machine->zone);
      std::vector<std::string> zones(names.begin(), names.end());
      std::set<std::string> chosen;
      while (static_cast<int64_t>(chosen.size()) < zones_ && chosen.size() < zones.size())
        chosen.insert(random.pick(zones));
      const double downtime = random.uniform_real(downtime_s_min_, downtime_s_max_);
      std::string which;
      for (const std::string& zone : chosen)
        which += (which.empty() ? "" : ",") + zone;
      TraceEvent(Severity::warn_always, "ZoneKill")
          .detail("Zones", which)
          .detail("DowntimeS", downtime);
      for (sim::SimProcess* process : context.cluster_processes()) {
        if (chosen.count(process->machine->zone) && process->is_alive() && process->killable) {
          context.simulator().reboot_process(*process, downtime);
        }
      }
      ++done_;
      // One outage at a time: the zones are back before the next.
      co_await delay(downtime);
    }
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"zone_kills", std::to_string(done_)}};
  }

 private:
  const int64_t zones_;
  const int64_t kills_;
  const double downtime_s_min_;
  const double downtime_s_max_;
  uint64_t done_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_zone_kills_workload(Options& options) {
  return std::make_unique<ZoneKillsWorkload>(options);
}

}  // namespace strata
