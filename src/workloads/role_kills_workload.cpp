// role_kills: kills processes that host a given role (the cluster controller, the
// sequencer, a log, a coordinator, ...) the way a real cluster loses them: a crash and
// reboot, a reboot with the disk wiped, a process lost for good, or a machine replaced by a
// new, empty one. It never takes a majority of the coordinators, loses storage servers'
// data for good only up to storage_losses_max processes (default 0: with one copy of each
// shard, none; with more, fewer than the copies), and before each permanent loss
// waits for the cluster to settle, so that no old generation's last log goes with it.

#include <algorithm>

#include "workloads/cluster_faults.h"
#include "workloads/workload.h"

namespace strata {

namespace {

enum class KillMode { reboot, wipe, permanent, replace };

KillMode parse_mode(const std::string& name) {
  if (name == "reboot") return KillMode::reboot;
  if (name == "wipe") return KillMode::wipe;
  if (name == "permanent") return KillMode::permanent;
  if (name == "replace") return KillMode::replace;
  throw Error(ErrorCode::test_specification_invalid,
              "role_kills: mode takes reboot, wipe, permanent or replace, not '" + name + "'");
}

class RoleKillsWorkload final : public Workload {
 public:
  explicit RoleKillsWorkload(Options& options)
      : role_(options.get_string("role", "transaction")),
        mode_(parse_mode(options.get_string("mode", "reboot"))),
        kills_(options.get_int("kills", 3)),
        downtime_s_max_(options.get_double("downtime_s_max", 5.0)),
        // Processes that must stay alive (and not be lost) whatever the kills.
        keep_alive_(options.get_int("keep_alive", 1)),
        // Storage processes whose data may be lost for good: at most one copy fewer than
        // the redundancy mode keeps, so that every shard keeps a copy.
        storage_losses_max_(options.get_int("storage_losses_max", 0)),
        // Before each destructive kill, also wait for every shard to have all its copies
        // again: losses one after another, each after re-replication, as an operator
        // replacing machines would have them.
        await_full_teams_(options.get_bool("await_full_teams", false)) {
    if (!is_role_target(role_)) {
      throw Error(ErrorCode::test_specification_invalid,
                  "role_kills: role '" + role_ + "' is not a role a process hosts");
    }
  }

  std::string name() const override { return "role_kills"; }

  Future<Void> start(WorkloadContext& context) override {
    Random& random = env().random();
    const double interval = context.duration_s() / static_cast<double>(kills_ + 1);
    for (int64_t i = 0; i < kills_; ++i) {
      co_await delay(random.uniform_real(0.5, 1.5) * interval);
      std::vector<NetworkAddress> current_logs;
      if (mode_ != KillMode::reboot) {
        std::optional<std::vector<NetworkAddress>> settled =
            co_await wait_until_settled(context, interval, await_full_teams_);
        if (!settled) {
          ++skipped_;
          continue;
        }
        current_logs = *settled;
      }
      std::optional<ProcessRoles> victim = choose_victim(context, current_logs);
      if (!victim) {
        ++skipped_;
        continue;
      }
      if (mode_ != KillMode::reboot && victim->hosts("storage")) ++storage_losses_;
      kill(context, *victim);
      ++done_;
    }
    // The test's quiet period (and the checks after it) start once every process rebooted
    // here is back: a reboot is a fault that ends.
    if (back_by_ > now()) co_await delay(back_by_ - now());
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"kills", std::to_string(done_)}, {"skipped", std::to_string(skipped_)}};
  }

 private:
  // For a loss for good, `current_logs` holds the hosts of the current generation's logs.
  std::optional<ProcessRoles> choose_victim(WorkloadContext& context,
                                            const std::vector<NetworkAddress>& current_logs) {
    std::vector<ProcessRoles> live = cluster_roles(context);
    if (static_cast<int64_t>(live.size()) <= keep_alive_) return std::nullopt;
    std::vector<ProcessRoles> candidates;
    for (const ProcessRoles& process : live) {
      if (!process.hosts(role_) || !process.process->killable) continue;
      // A storage server's disk is lost only while every shard keeps another copy; and
      // never every log of the current generation at once.
      if (mode_ != KillMode::reboot) {
        if (process.hosts("storage") && storage_losses_ >= storage_losses_max_) continue;
        auto on_victim =
            std::count(current_logs.begin(), current_logs.end(), process.process->address);
        if (on_victim > 0 && static_cast<size_t>(on_victim) == current_logs.size()) continue;
      }
      if (!coordinators_survive_without(context, process.process)) continue;
      candidates.push_back(process);
    }
    if (candidates.empty()) return std::nullopt;
    return env().random().pick(candidates);
  }

  void kill(WorkloadContext& context, const ProcessRoles& chosen) {
    sim::SimProcess& victim = *chosen.process;
    sim::Simulator& simulator = context.simulator();
    Random& random = env().random();
    double downtime = random.uniform_real(0, downtime_s_max_);
    if (mode_ == KillMode::reboot || mode_ == KillMode::wipe)
      back_by_ = std::max(back_by_, now() + downtime);
    TraceEvent(Severity::warn_always, "RoleKill")
        .detail("Process", victim.name)
        .detail("Role", role_)
        .detail("Mode", static_cast<int>(mode_))
        .detail("DowntimeS", downtime);
    switch (mode_) {
      case KillMode::reboot:
        simulator.reboot_process(victim, downtime);
        break;
      case KillMode::wipe: {
        simulator.kill_process(victim, sim::KillMode::crash);
        sim::SimProcess* process = &victim;
        simulator.schedule(nullptr, downtime, [&simulator, process] {
          if (process->is_alive()) return;
          process->machine->files.wipe();
          simulator.boot_process(*process);
        });
        break;
      }
      case KillMode::permanent:
        simulator.kill_process(victim, sim::KillMode::crash);
        victim.killable = false;  // nothing else may boot it again
        break;
      case KillMode::replace: {
        simulator.kill_process(victim, sim::KillMode::crash);
        victim.killable = false;
        victim.machine->files.wipe();
        // A new machine takes its place, with a process of the same class.
        context.add_cluster_process(chosen.process_class);
        break;
      }
    }
  }

  const std::string role_;
  const KillMode mode_;
  const int64_t kills_;
  const double downtime_s_max_;
  const int64_t keep_alive_;
  const int64_t storage_losses_max_;
  const bool await_full_teams_;
  int64_t storage_losses_ = 0;
  // When the last process rebooted here is due back.
  double back_by_ = 0;
  uint64_t done_ = 0;
  uint64_t skipped_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_role_kills_workload(Options& options) {
  return std::make_unique<RoleKillsWorkload>(options);
}

}  // namespace strata
