#pragma once

// A simulation workload: load, faults, or a checker, run by the tester process of a
// simulated cluster. Each lives in one file: its options with defaults (read in the
// constructor), setup(), start() (runs for the test's duration), check() (after the
// faults have stopped and the cluster has had time to recover), and metrics().

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "interfaces/locality.h"
#include "runtime/future.h"
#include "runtime/sim/simulator.h"
#include "strata/database.h"
#include "workloads/test_spec.h"

namespace strata {

class WorkloadContext {
 public:
  WorkloadContext(sim::Simulator& simulator, double duration_s)
      : simulator_(simulator), duration_s_(duration_s) {}

  sim::Simulator& simulator() { return simulator_; }
  // How long start() should keep generating load or faults.
  double duration_s() const { return duration_s_; }
  // Records a failed invariant; the run fails, and every reason is reported.
  void fail(const std::string& workload, const std::string& reason) {
    simulator_.fail(workload + ": " + reason);
  }
  // Machines and processes that fault workloads may break.
  std::vector<sim::SimProcess*> killable_processes() const;
  std::vector<sim::SimMachine*> machines_with_killable_processes() const;

  // The simulated cluster's processes (empty when the test runs none), and the database
  // they serve, opened in the tester process.
  const std::vector<sim::SimProcess*>& cluster_processes() const { return cluster_processes_; }
  void set_cluster(std::vector<sim::SimProcess*> processes, ClusterConnectionString connection) {
    cluster_processes_ = std::move(processes);
    connection_ = std::move(connection);
  }
  bool has_cluster() const { return !cluster_processes_.empty(); }
  // A machine replaced by a new, empty one: adds a machine with one new cluster process of
  // `process_class` (booting it) and returns it.
  sim::SimProcess& add_cluster_process(ProcessClass process_class);
  void set_cluster_process_factory(std::function<sim::SimProcess&(ProcessClass)> factory) {
    add_process_ = std::move(factory);
  }
  // Opens the database on first use (from the tester process).
  Database database();

 private:
  sim::Simulator& simulator_;
  double duration_s_;
  std::vector<sim::SimProcess*> cluster_processes_;
  std::function<sim::SimProcess&(ProcessClass)> add_process_;
  ClusterConnectionString connection_;
  Database database_;
};

class Workload {
 public:
  virtual ~Workload() = default;

  virtual std::string name() const = 0;
  virtual Future<Void> setup(WorkloadContext& context) { return ready(); }
  virtual Future<Void> start(WorkloadContext& context) = 0;
  virtual Future<Void> check(WorkloadContext& context) { return ready(); }
  // (name, value) pairs reported after the run.
  virtual std::vector<std::pair<std::string, std::string>> metrics() const { return {}; }
};

// Runs `count` clients, client(0) to client(count - 1), until all of them are done: the
// start() of the transaction workloads.
Future<Void> run_clients(int64_t count, std::function<Future<Void>(int64_t)> client);

// Until the test's duration is over: waits a random time (mean `interval_s`), crashes
// `process` and boots it again after up to `downtime_s_max`, counts it in `crashes`, and
// calls `after_crash` (if any). The start() of the single-process crash workloads.
Future<Void> crash_repeatedly(WorkloadContext& context, sim::SimProcess& process, double interval_s,
                              double downtime_s_max, uint64_t* crashes,
                              std::function<void()> after_crash = {});

struct WorkloadInfo {
  std::string name;
  std::string description;
  std::function<std::unique_ptr<Workload>(Options&)> create;
};

// Every workload this binary knows.
const std::vector<WorkloadInfo>& workload_catalog();
// Throws test_specification_invalid for an unknown name or option.
std::unique_ptr<Workload> create_workload(const WorkloadSpec& spec);

// The factories, one per workload file.
std::unique_ptr<Workload> make_rpc_requests_workload(Options& options);
std::unique_ptr<Workload> make_disk_durability_workload(Options& options);
std::unique_ptr<Workload> make_disk_queue_workload(Options& options);
std::unique_ptr<Workload> make_cycle_workload(Options& options);
std::unique_ptr<Workload> make_bank_workload(Options& options);
std::unique_ptr<Workload> make_model_check_workload(Options& options);
std::unique_ptr<Workload> make_versionstamp_workload(Options& options);
std::unique_ptr<Workload> make_conflict_range_workload(Options& options);
std::unique_ptr<Workload> make_watch_workload(Options& options);
std::unique_ptr<Workload> make_cluster_restart_workload(Options& options);
std::unique_ptr<Workload> make_kv_store_workload(Options& options);
std::unique_ptr<Workload> make_random_clogging_workload(Options& options);
std::unique_ptr<Workload> make_partition_workload(Options& options);
std::unique_ptr<Workload> make_attrition_workload(Options& options);
std::unique_ptr<Workload> make_connection_drop_workload(Options& options);
std::unique_ptr<Workload> make_role_kills_workload(Options& options);
std::unique_ptr<Workload> make_exclusions_workload(Options& options);
std::unique_ptr<Workload> make_data_churn_workload(Options& options);
std::unique_ptr<Workload> make_overload_workload(Options& options);
std::unique_ptr<Workload> make_cluster_growth_workload(Options& options);
std::unique_ptr<Workload> make_isolation_workload(Options& options);
std::unique_ptr<Workload> make_configure_workload(Options& options);
std::unique_ptr<Workload> make_redis_model_workload(Options& options);
std::unique_ptr<Workload> make_coordinator_changes_workload(Options& options);
std::unique_ptr<Workload> make_consistency_check_workload(Options& options);
std::unique_ptr<Workload> make_zone_kills_workload(Options& options);
std::unique_ptr<Workload> make_shard_moves_workload(Options& options);
std::unique_ptr<Workload> make_tenants_workload(Options& options);

}  // namespace strata
