// Kill -9 in a cluster: five strata-server processes on loopback, the first three of them
// coordinators (classes stateless, log, log, storage, storage), bank transfers from client
// threads, and one after the other a SIGKILL of the processes holding the cluster
// controller and the sequencer, of a coordinator, and of the commit proxies' process.
// After each kill the cluster must commit again without the killed process (in a new
// generation when the process held a role of the current one) before that process starts
// again, so that a majority of the coordinators is always up. At the end every transfer a
// client saw commit is there and the money adds up. Storage processes are never killed:
// each shard has one copy until replication exists.
//
// The recovery times (from the kill to the first acknowledged commit of the new
// generation) are printed, as `[ recovery ]` lines. Waits are bounded only by hang guards.
// STRATA_CLUSTER_TEST_KEEP=DIR keeps the processes' folders (and trace logs) in DIR.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include "bank_accounts.h"
#include "child_process.h"
#include "client/database_context.h"
#include "client_thread.h"
#include "local_cluster.h"
#include "runtime/combinators.h"
#include "strata/database.h"

namespace strata {
namespace {

using testing::BankState;
using testing::ChildProcess;
using testing::Clock;
using testing::fetch_status;
using testing::first_version_after_epoch;
using testing::generation_of;
using testing::hang_guard_s;
using testing::holders_of;
using testing::Json;
using testing::Ledger;
using testing::LocalCluster;
using testing::recovery_state_of;
using testing::roles_of;
using testing::run_client;
using testing::seconds_between;
using testing::settled;
using testing::TemporaryDirectory;

// How long one client operation may take before the transfer is given up.
constexpr double operation_timeout_s = 1.0;
constexpr int client_threads = 3;
constexpr size_t coordinators = 3;
constexpr std::array<std::string_view, 5> process_classes = {"stateless", "log", "log", "storage",
                                                             "storage"};

// Whether the death of a process holding `role` ends the generation.
bool ends_generation(std::string_view role) {
  constexpr std::array<std::string_view, 6> roles = {
      "cluster_controller", "sequencer", "commit_proxy", "grv_proxy", "resolver", "log"};
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

// ---- the processes ----

// ---- the test ----

struct Recovery {
  std::string step;
  std::string address;
  std::string roles;
  double seconds = 0;
  // The controller's own figure: from the failure it answered to the first durable commit.
  double controller_seconds = 0;
};

class ClusterTest : public ::testing::Test {
 protected:
  template <class Predicate>
  void wait_for_status(Predicate done, const std::string& what, Json* status) {
    testing::wait_for_status(cluster_, done, what, status);
  }

  void wait_settled(Json* status) {
    wait_for_status([&](const Json& s) { return settled(s, cluster_); },
                    "every process to be registered and the cluster fully recovered", status);
  }

  // Waits until a transfer commits after `since` at a version above `version`; `at`: when
  // the first commit of any kind there was acknowledged.
  void wait_for_commit(Clock::time_point since, Version version, Clock::time_point* at) {
    const Clock::time_point start = Clock::now();
    while (seconds_between(start, Clock::now()) < hang_guard_s) {
      ASSERT_NO_FATAL_FAILURE(cluster_.drain());
      Ledger::FirstCommits firsts = ledger_.first_commits(since, version);
      if (firsts.transfer) {
        *at = *firsts.any;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "no transfer committed above version " << version << " within " << hang_guard_s
           << " s";
  }

  void kill_and_recover(size_t victim, const std::string& step, Json* status);
  void check_bank();

  LocalCluster cluster_{{process_classes.begin(), process_classes.end()}, coordinators};
  Ledger ledger_;
  std::vector<Recovery> recoveries_;
};

// Kills `victim`, waits until a transfer commits without it (in a new generation when it
// held a role of the current one), then starts it again and waits until the cluster has
// settled. `status`: the settled document before, and after.
void ClusterTest::kill_and_recover(size_t victim, const std::string& step, Json* status) {
  const std::string address = cluster_.address(victim);
  const std::vector<std::string> roles = roles_of(*status, address);
  std::string role_list;
  bool generation_ends = false;
  for (const std::string& role : roles) {
    role_list += (role_list.empty() ? "" : ",") + role;
    generation_ends = generation_ends || ends_generation(role);
    ASSERT_NE(role, "storage") << step << ": " << address << " holds a storage server";
  }
  ASSERT_NE(cluster_.process_class(victim), "storage") << step << ": " << address;
  const uint64_t generation = generation_of(*status);

  const Clock::time_point killed_at = Clock::now();
  const double killed_at_unix_s =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  ASSERT_NO_FATAL_FAILURE(cluster_.kill(victim));
  // Commits of the new generation are above the versions its logs begin after; with no new
  // generation, any commit after the kill shows the cluster serves.
  Version above = -1;
  Json recovered;
  if (generation_ends) {
    ASSERT_NO_FATAL_FAILURE(wait_for_status(
        [&](const Json& s) {
          std::string state = recovery_state_of(s);
          return generation_of(s) > generation &&
                 (state == "accepting_commits" || state == "fully_recovered") &&
                 first_version_after_epoch(s, generation).has_value();
        },
        "a generation after " + std::to_string(generation) + " once " + address + " was killed",
        &recovered));
    above = *first_version_after_epoch(recovered, generation);
  }
  Clock::time_point committed;
  ASSERT_NO_FATAL_FAILURE(wait_for_commit(killed_at, above, &committed));
  EXPECT_FALSE(cluster_.running(victim));

  Recovery recovery{step, address, role_list, seconds_between(killed_at, committed), 0};
  ASSERT_NO_FATAL_FAILURE(cluster_.start(victim));
  ASSERT_NO_FATAL_FAILURE(wait_settled(status));
  recovery.controller_seconds =
      (*status)["cluster"]["recovery_state"].value("last_recovery_duration_seconds", 0.0);
  std::printf(
      "[ recovery ] %-18s killed %s (%s) at %.3f: generation %llu -> %llu, first "
      "commit %.3f s after the kill (controller: %.3f s)\n",
      step.c_str(), address.c_str(), role_list.c_str(), killed_at_unix_s,
      static_cast<unsigned long long>(generation),
      static_cast<unsigned long long>(generation_of(*status)), recovery.seconds,
      recovery.controller_seconds);
  std::fflush(stdout);
  recoveries_.push_back(recovery);
}

// Every acknowledged transfer is there, the balances agree with the transfer records, and
// the money adds up.
void ClusterTest::check_bank() {
  BankState state = testing::read_bank(cluster_.connection(), hang_guard_s);
  std::lock_guard<std::mutex> lock(ledger_.mutex);
  EXPECT_GT(ledger_.acknowledged.size(), 0u) << "no transfer ever committed";
  size_t lost = testing::check_bank(state, ledger_.acknowledged, "at the end");
  std::printf("[ bank     ] %zu transfers acknowledged, %zu recorded, %zu lost\n",
              ledger_.acknowledged.size(), state.transfers.size(), lost);
}

// The coordinator to kill: not a storage process and not the controller's, preferably one
// holding a role of the current generation (its loss then needs a recovery too).
std::optional<size_t> coordinator_to_kill(const Json& status, const LocalCluster& cluster) {
  std::vector<std::string> controllers = holders_of(status, "cluster_controller");
  std::optional<size_t> chosen;
  for (const Json& entry : status["cluster"]["coordinators"]) {
    std::optional<size_t> index = cluster.index_of(entry.get<std::string>());
    if (!index || cluster.process_class(*index) == "storage") continue;
    const std::string address = cluster.address(*index);
    if (std::find(controllers.begin(), controllers.end(), address) != controllers.end()) continue;
    bool hosts = false;
    for (const std::string& role : roles_of(status, address))
      hosts = hosts || ends_generation(role);
    if (!chosen || hosts) chosen = index;
    if (hosts) break;
  }
  return chosen;
}

TEST_F(ClusterTest, RecoversFromKillsOfControllerSequencerCoordinatorAndProxies) {
  for (size_t i = 0; i < cluster_.size(); ++i)
    ASSERT_NO_FATAL_FAILURE(cluster_.start(i));
  Json status;
  ASSERT_NO_FATAL_FAILURE(wait_settled(&status));
  const ClusterConnectionString connection = cluster_.connection();
  testing::open_accounts(connection, hang_guard_s);

  testing::ClusterLoad load(connection, client_threads, 0, operation_timeout_s, &ledger_);
  Clock::time_point loaded;
  ASSERT_NO_FATAL_FAILURE(wait_for_commit(Clock::now(), -1, &loaded));

  auto index_holding = [&](const std::string& role) -> size_t {
    std::vector<std::string> holders = holders_of(status, role);
    EXPECT_FALSE(holders.empty()) << "no process holds the " << role << ": " << status.dump();
    std::optional<size_t> index = holders.empty() ? std::nullopt : cluster_.index_of(holders[0]);
    EXPECT_TRUE(index) << "the " << role << " is on no process of the cluster";
    return index.value_or(0);
  };
  // The controller's process, then the sequencer's unless that was the same one.
  const size_t controller = index_holding("cluster_controller");
  const size_t sequencer = index_holding("sequencer");
  ASSERT_FALSE(HasFailure());
  ASSERT_NO_FATAL_FAILURE(kill_and_recover(controller, "cluster controller", &status));
  if (sequencer != controller) {
    ASSERT_NO_FATAL_FAILURE(kill_and_recover(index_holding("sequencer"), "sequencer", &status));
  }
  std::optional<size_t> coordinator = coordinator_to_kill(status, cluster_);
  ASSERT_TRUE(coordinator) << "no coordinator that is not a storage process: " << status.dump();
  ASSERT_NO_FATAL_FAILURE(kill_and_recover(*coordinator, "coordinator", &status));
  const size_t proxies = index_holding("commit_proxy");
  ASSERT_FALSE(HasFailure());
  ASSERT_NO_FATAL_FAILURE(kill_and_recover(proxies, "commit proxies", &status));

  // The ratekeeper reports the transactions the proxies start under the load; its process
  // killed, another is recruited and transactions go on.
  auto ratekeeper_reports = [](const Json& s) {
    const Json& qos = s["cluster"]["qos"];
    return qos.contains("performance_limited_by") &&
           qos.value("released_transactions_per_second", 0.0) > 0;
  };
  ASSERT_NO_FATAL_FAILURE(wait_for_status(
      ratekeeper_reports, "the ratekeeper to report started transactions", &status));
  // Each recovery moves versions ahead by the recovery jump, so until the storage servers
  // have read the new generation's logs they count as behind; once they have, a light
  // load is limited by nothing.
  ASSERT_NO_FATAL_FAILURE(wait_for_status(
      [&](const Json& s) {
        return ratekeeper_reports(s) &&
               s["cluster"]["qos"]["performance_limited_by"].value("name", "") == "workload";
      },
      "a light load to be limited by nothing (performance_limited_by: workload)", &status));
  const size_t ratekeeper = index_holding("ratekeeper");
  ASSERT_FALSE(HasFailure());
  if (cluster_.process_class(ratekeeper) != "storage") {
    ASSERT_NO_FATAL_FAILURE(kill_and_recover(ratekeeper, "ratekeeper", &status));
    ASSERT_NO_FATAL_FAILURE(wait_for_status(
        ratekeeper_reports, "a new ratekeeper to report started transactions", &status));
    EXPECT_TRUE(status["cluster"]["qos"]["ratekeeper"].value("running", false));
  }

  load.stop();
  check_bank();
  for (const Recovery& recovery : recoveries_) {
    RecordProperty("recovery_s_" + std::to_string(&recovery - recoveries_.data()),
                   std::to_string(recovery.seconds) + " (" + recovery.step + ")");
  }
}

}  // namespace
}  // namespace strata
