// exclusions: excludes live cluster processes under load, the way an operator drains a
// machine before retiring it, and checks that the exclusion finishes: `exclude`'s wait
// ends, and then no worker of the process runs a role any more (read from the worker
// itself, not from status). With `failed`, the process is first lost for good and then
// excluded as failed, so that its storage server is given up without waiting. With
// `include` (default on) each exclusion is taken back once it finished. Exclusions that
// the safety check refuses (too few zones left, or every copy of some keys lost) are
// skipped and counted.

#include <algorithm>

#include "client/exclusions.h"
#include "runtime/combinators.h"
#include "workloads/cluster_faults.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class ExclusionsWorkload final : public Workload {
 public:
  explicit ExclusionsWorkload(Options& options)
      : rounds_(options.get_int("exclusions", 1)),
        failed_(options.get_bool("failed", false)),
        include_(options.get_bool("include", true)),
        drain_timeout_s_(options.get_double("drain_timeout_s", 300.0)) {}

  std::string name() const override { return "exclusions"; }

  Future<Void> start(WorkloadContext& context) override {
    Random& random = env().random();
    const double interval = context.duration_s() / static_cast<double>(rounds_ + 1);
    for (int64_t i = 0; i < rounds_; ++i) {
      co_await delay(random.uniform_real(0.5, 1.5) * interval);
      std::optional<ProcessRoles> victim = co_await choose_victim(context);
      if (!victim) {
        ++skipped_;
        continue;
      }
      co_await exclude(context, *victim);
    }
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"excluded", std::to_string(excluded_)}, {"skipped", std::to_string(skipped_)}};
  }

 private:
  // A live process that is not a coordinator (exclusion does not move coordinators, and
  // a process lost for good must not take their majority) and that is safe to exclude.
  Future<std::optional<ProcessRoles>> choose_victim(WorkloadContext& context) {
    std::vector<ProcessRoles> candidates;
    for (ProcessRoles& roles : cluster_roles(context)) {
      if (roles.coordinator || !roles.process->killable) continue;
      candidates.push_back(std::move(roles));
    }
    if (candidates.empty()) co_return std::nullopt;
    ProcessRoles chosen = candidates[static_cast<size_t>(
        env().random().uniform(0, static_cast<int64_t>(candidates.size())))];
    std::optional<std::string> unsafe;
    try {
      unsafe = co_await timeout_error(
          exclusion_unsafe_because(context.database(),
                                   {AddressExclusion::process(chosen.process->address)}, failed_),
          30.0);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      unsafe = error.message();
    }
    if (unsafe) {
      TraceEvent("ExclusionSkipped").detail("Process", chosen.process->name).detail("Why", *unsafe);
      co_return std::nullopt;
    }
    co_return chosen;
  }

  Future<Void> exclude(WorkloadContext& context, ProcessRoles victim) {
    const AddressExclusion exclusion = AddressExclusion::process(victim.process->address);
    TraceEvent(Severity::warn_always, "ExclusionStarted")
        .detail("Process", victim.process->name)
        .detail("Failed", failed_);
    if (failed_) {
      context.simulator().kill_process(*victim.process, sim::KillMode::crash);
      victim.process->killable = false;  // lost for good
    }
    const double started = now();
    // Forced: the workload checked just before; the cluster may have changed since, and
    // a refusal now would only skip the round.
    co_await exclude_servers(context.database(), {exclusion}, failed_, true);
    std::optional<Void> drained;
    try {
      drained = co_await timeout_error(wait_for_exclusion(context.database(), {exclusion}),
                                       drain_timeout_s_);
    } catch (Error& error) {
      if (error.is_cancellation() || !error.is(ErrorCode::timed_out)) throw;
    }
    if (!drained) {
      std::vector<std::string> remaining =
          co_await exclusion_remaining(context.database(), {exclusion});
      context.fail(name(), "excluding " + victim.process->name + " did not finish within " +
                               std::to_string(drain_timeout_s_) + " s; still there: " +
                               (remaining.empty() ? "nothing" : remaining.front()));
      co_return;
    }
    // Roles of older generations end once nothing needs them: the worker must run none
    // soon after.
    if (!failed_) {
      const double deadline = now() + 60.0;
      std::vector<std::string> running;
      while (true) {
        running = roles_on(context, victim.process);
        if (running.empty() || now() > deadline) break;
        co_await delay(1.0);
      }
      if (!running.empty()) {
        context.fail(name(), victim.process->name + " still runs " + running.front() +
                                 " a minute after its exclusion finished");
      }
    }
    ++excluded_;
    TraceEvent(Severity::warn_always, "ExclusionDone")
        .detail("Process", victim.process->name)
        .detail("TookS", now() - started);
    if (include_) co_await include_servers(context.database(), std::vector{exclusion});
  }

  // The roles the worker of `process` runs, but coordination and the cluster controller,
  // which exclusion does not move.
  static std::vector<std::string> roles_on(WorkloadContext& context, sim::SimProcess* process) {
    for (const ProcessRoles& roles : cluster_roles(context)) {
      if (roles.process == process) return roles.roles;
    }
    return {};
  }

  const int64_t rounds_;
  const bool failed_;
  const bool include_;
  const double drain_timeout_s_;
  int excluded_ = 0;
  int skipped_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_exclusions_workload(Options& options) {
  return std::make_unique<ExclusionsWorkload>(options);
}

}  // namespace strata
