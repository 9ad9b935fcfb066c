// cluster_growth: the cluster grows while it runs. After `after_s`, `processes` new
// storage-class processes join (each on a new machine in a zone of its own); each must get
// a storage server of its own and hold a copy of at least one shard within `timeout_s`, the
// data distributor moving shards onto it. With `full_disk_s` > 0, each new process's disk
// has room for no more than a few pages for that long after it joins (a storage server
// cannot be created on it): its join fails and must be tried again once the disk has room.

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "client/database_context.h"
#include "runtime/combinators.h"
#include "runtime/trace.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class ClusterGrowthWorkload final : public Workload {
 public:
  explicit ClusterGrowthWorkload(Options& options)
      : processes_(options.get_int("processes", 2)),
        after_s_(options.get_double("after_s", 5.0)),
        timeout_s_(options.get_double("timeout_s", 120.0)),
        full_disk_s_(options.get_double("full_disk_s", 0.0)) {}

  std::string name() const override { return "cluster_growth"; }

  Future<Void> start(WorkloadContext& context) override {
    co_await delay(after_s_);
    std::set<std::string> joined;
    ActorCollection disks;
    for (int64_t i = 0; i < processes_; ++i) {
      sim::SimProcess& process = context.add_cluster_process(ProcessClass::storage);
      joined.insert(process.address.to_string());
      if (full_disk_s_ > 0) disks.add(fill_disk_for_a_while(*process.machine));
    }
    const double added_at = now();
    while (true) {
      std::set<std::string> holding = addresses_holding_shards(co_await status(context));
      bool all = true;
      for (const std::string& address : joined)
        all = all && holding.contains(address);
      if (all) break;
      if (now() - added_at > timeout_s_) {
        std::string missing;
        for (const std::string& address : joined) {
          if (!holding.contains(address)) missing += (missing.empty() ? "" : ", ") + address;
        }
        context.fail(name(), "after " + std::to_string(timeout_s_) +
                                 " s no shard had a copy on the processes that joined: " + missing);
        co_return;
      }
      co_await delay(1.0);
    }
    spread_s_ = now() - added_at;
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"seconds_until_every_new_process_holds_data", std::to_string(spread_s_)}};
  }

 private:
  static Future<nlohmann::json> status(WorkloadContext& context) {
    try {
      std::string document =
          co_await timeout_error(context.database().context()->cluster_status(), 5.0);
      nlohmann::json parsed = nlohmann::json::parse(document, nullptr, false);
      if (!parsed.is_discarded()) co_return parsed;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
    co_return nlohmann::json::object();
  }

  // The addresses of the storage servers that hold a copy of some shard (not one moving in).
  static std::set<std::string> addresses_holding_shards(const nlohmann::json& status) {
    std::set<std::string> holding;
    // A const document's operator[] must only name keys it has (a status taken during a
    // recovery has no storage_teams).
    if (!status.contains("cluster") || !status["cluster"].is_object() ||
        !status["cluster"].contains("storage_teams")) {
      return holding;
    }
    const nlohmann::json& teams = status["cluster"]["storage_teams"];
    if (!teams.is_array()) return holding;
    for (const nlohmann::json& team : teams) {
      if (!team.contains("servers") || !team["servers"].is_array()) continue;
      for (const nlohmann::json& member : team["servers"])
        holding.insert(member.value("address", ""));
    }
    return holding;
  }

  Future<Void> fill_disk_for_a_while(sim::SimMachine& machine) {
    machine.files.capacity_bytes = machine.files.used_bytes() + 8192;
    TraceEvent("ClusterGrowthDiskFull").detail("Machine", machine.id).detail("S", full_disk_s_);
    co_await delay(full_disk_s_);
    machine.files.capacity_bytes = INT64_MAX;
  }

  const int64_t processes_;
  const double after_s_;
  const double timeout_s_;
  const double full_disk_s_;
  double spread_s_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_cluster_growth_workload(Options& options) {
  return std::make_unique<ClusterGrowthWorkload>(options);
}

}  // namespace strata
