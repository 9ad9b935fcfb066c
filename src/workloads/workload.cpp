#include "workloads/workload.h"

#include <algorithm>

#include "runtime/combinators.h"
#include "runtime/error.h"

namespace strata {

std::vector<sim::SimProcess*> WorkloadContext::killable_processes() const {
  std::vector<sim::SimProcess*> out;
  for (const auto& process : simulator_.processes()) {
    if (process->killable) out.push_back(process.get());
  }
  return out;
}

std::vector<sim::SimMachine*> WorkloadContext::machines_with_killable_processes() const {
  std::vector<sim::SimMachine*> out;
  for (sim::SimProcess* process : killable_processes()) {
    if (std::find(out.begin(), out.end(), process->machine) == out.end()) {
      out.push_back(process->machine);
    }
  }
  return out;
}

Future<Void> run_clients(int64_t count, std::function<Future<Void>(int64_t)> client) {
  std::vector<Future<Void>> clients;
  for (int64_t i = 0; i < count; ++i)
    clients.push_back(client(i));
  co_await when_all(std::move(clients));
}

Future<Void> crash_repeatedly(WorkloadContext& context, sim::SimProcess& process, double interval_s,
                              double downtime_s_max, uint64_t* crashes,
                              std::function<void()> after_crash) {
  double end = now() + context.duration_s();
  Random& random = env().random();
  while (now() < end) {
    co_await delay(random.exponential(interval_s));
    context.simulator().reboot_process(process, random.uniform_real(0, downtime_s_max));
    ++*crashes;
    if (after_crash) after_crash();
  }
}

sim::SimProcess& WorkloadContext::add_cluster_process(ProcessClass process_class) {
  STRATA_ASSERT_MSG(add_process_ != nullptr, "the test runs no cluster");
  sim::SimProcess& added = add_process_(process_class);
  cluster_processes_.push_back(&added);
  return added;
}

Database WorkloadContext::database() {
  STRATA_ASSERT_MSG(has_cluster(), "the test runs no cluster (set cluster_processes)");
  if (!database_.is_valid()) database_ = Database::open(connection_);
  return database_;
}

const std::vector<WorkloadInfo>& workload_catalog() {
  static const std::vector<WorkloadInfo> catalog = {
      {"rpc_requests",
       "processes that serve and send echo requests to each other; every request must end in "
       "its reply or a clear retryable error, none may hang",
       make_rpc_requests_workload},
      {"disk_durability",
       "a writer appends checksummed records and syncs; after every kill, synced records are "
       "intact and no garbled record passes as valid",
       make_disk_durability_workload},
      {"disk_queue",
       "pushes, commits and pops records in the disk queue across crashes; committed records "
       "come back intact and in order, popped ones never, garbage never",
       make_disk_queue_workload},
      {"kv_store",
       "random sets and clears in the memory storage engine across crashes; every recovery "
       "finds the last completed commit or the one in progress, snapshot passes pop the log",
       make_kv_store_workload},
      {"cycle",
       "swaps neighbours in a ring of keys from concurrent transactions; the ring must keep "
       "its length (strict serializability, no lost or torn commit)",
       make_cycle_workload},
      {"bank",
       "moves money between accounts with a record of each transfer; the total never changes, "
       "every acknowledged transfer is there, and balances match the records exactly",
       make_bank_workload},
      {"tenants",
       "transfers inside tenants while scratch tenants are created, filled and deleted; each "
       "tenant's total holds, and the keys under the prefixes are exactly the live tenants'",
       make_tenants_workload},
      {"redis_model",
       "the Redis layer's commands through two instances, every reply checked against a model; "
       "a shared counter, queue and consumer group checked for exactly-once delivery",
       make_redis_model_workload},
      {"model_check",
       "random operations, every read checked against a model of the database with the "
       "transaction's own writes, and reads at old versions checked against old models",
       make_model_check_workload},
      {"conflict_range",
       "transactions with random explicit read and write conflict ranges; every commit and "
       "every conflict checked against the resolver's rule, placed by versionstamped markers",
       make_conflict_range_workload},
      {"watch",
       "watchers and writers on a few keys: no wake-up without a change, none lost; the "
       "watch errors (too_many_watches, watches_disabled, transaction_cancelled)",
       make_watch_workload},
      {"versionstamp",
       "versionstamped keys and values with get_versionstamp: stamps unique, increasing in "
       "commit order, and the key, the value and the answer agree",
       make_versionstamp_workload},
      {"cluster_restart",
       "kills every process of the cluster at once and restarts them; its check does it once "
       "more so later checks prove durability",
       make_cluster_restart_workload},
      {"random_clogging", "clogs random links and machines for random times",
       make_random_clogging_workload},
      {"partitions", "splits the machines into two groups that cannot talk for a while",
       make_partition_workload},
      {"attrition", "kills and reboots random processes", make_attrition_workload},
      {"connection_drops", "breaks random live connections", make_connection_drop_workload},
      {"role_kills",
       "kills processes that host a given role (the controller, the sequencer, a log, a "
       "coordinator, ...): rebooted, wiped, lost for good or replaced by a new machine",
       make_role_kills_workload},
      {"data_churn",
       "fills a prefix with keys, then clears it, a few rounds: shards that grow and shrink",
       make_data_churn_workload},
      {"cluster_growth",
       "adds storage processes while the cluster runs; each must get a storage server and a "
       "copy of some shard",
       make_cluster_growth_workload},
      {"overload",
       "writes at default and batch priority faster than storage servers may queue, and "
       "checks that the ratekeeper holds every queue near its target, batch priority first",
       make_overload_workload},
      {"exclusions",
       "excludes live processes under load (or, failed, processes lost for good) and checks "
       "that every role and shard leaves them; includes them again",
       make_exclusions_workload},
      {"isolation",
       "cuts the process hosting a given role (the controller, the sequencer, ...) off from "
       "every other process for a while",
       make_isolation_workload},
      {"configure", "changes the number of logs, proxies and resolvers under load",
       make_configure_workload},
      {"coordinator_changes", "moves the cluster to other coordinators under load",
       make_coordinator_changes_workload},
      {"consistency_check",
       "after the faults, reads every copy of every shard at one version and compares them "
       "key by key",
       make_consistency_check_workload},
      {"zone_kills", "crashes every process of random zones at once and boots them together",
       make_zone_kills_workload},
      {"shard_moves",
       "moves random ranges (the system keys included) to random teams under load, as the "
       "data distributor does",
       make_shard_moves_workload},
  };
  return catalog;
}

std::unique_ptr<Workload> create_workload(const WorkloadSpec& spec) {
  for (const WorkloadInfo& info : workload_catalog()) {
    if (info.name != spec.name) continue;
    Options options("workload " + spec.name, spec.options);
    std::unique_ptr<Workload> workload = info.create(options);
    options.check_all_read();
    return workload;
  }
  throw Error(
      ErrorCode::test_specification_invalid,
      "line " + std::to_string(spec.line) + ": there is no workload named '" + spec.name + "'");
}

}  // namespace strata
