// The data distributor on real processes, four on loopback (each its own zone) under the
// bank workload:
// - a storage process destroyed for good (SIGKILL, its folder deleted) in a double cluster:
//   each shard it held must be copied to a live server in another zone and the server
//   dropped, so that every shard has two live copies again, with no help;
// - `configure triple`: every shard must reach a team of three;
// - the shell's `exclude` of a live process: it must return only once no shard and no role
//   is left there, every shard still having two live copies elsewhere; `include` takes it
//   back.
// Then every acknowledged transfer must be there, the money must add up, and every copy of
// every shard must agree. The time each took is printed.

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "bank_accounts.h"
#include "client/consistency_check.h"
#include "client/management.h"
#include "client_thread.h"
#include "local_cluster.h"
#include "runtime/combinators.h"
#include "shell_driver.h"
#include "strata/database.h"

namespace strata {
namespace {

using testing::Clock;
using testing::fully_replicated_without;
using testing::hang_guard_s;
using testing::Json;
using testing::Ledger;
using testing::LocalCluster;
using testing::seconds_between;

// Checks that no acknowledged transfer is missing and that every copy of every shard agrees.
void check_data(const ClusterConnectionString& connection, Ledger& ledger, int copies) {
  testing::BankState bank = testing::read_bank(connection, hang_guard_s);
  {
    std::lock_guard<std::mutex> lock(ledger.mutex);
    EXPECT_GT(ledger.acknowledged.size(), 0u) << "no transfer ever committed";
    size_t lost = testing::check_bank(bank, ledger.acknowledged, "at the end");
    std::printf("[ bank     ] %zu transfers acknowledged, %zu lost\n", ledger.acknowledged.size(),
                lost);
  }
  ConsistencyReport report;
  testing::run_client([&]() -> Future<Void> {
    report =
        co_await timeout_error(check_consistency(Database::open(connection), 10.0), hang_guard_s);
  });
  for (const std::string& difference : report.differences)
    ADD_FAILURE() << "copies differ: " << difference;
  for (const std::string& missing : report.unreachable)
    ADD_FAILURE() << "a copy did not answer: " << missing;
  EXPECT_EQ(report.copies_compared, report.shards * copies);
  std::fflush(stdout);
}

// Starts every process of `cluster`, waits until it is settled with every shard on two live
// servers, and opens the bank's accounts.
void start_with_accounts(LocalCluster& cluster) {
  Json status;
  for (size_t i = 0; i < cluster.size(); ++i)
    ASSERT_NO_FATAL_FAILURE(cluster.start(i));
  ASSERT_NO_FATAL_FAILURE(testing::wait_for_status(
      cluster,
      [&](const Json& s) {
        return testing::settled(s, cluster) && fully_replicated_without(s, "");
      },
      "the cluster to be created and settled, every storage server live", &status));
  testing::open_accounts(cluster.connection(), hang_guard_s);
}

TEST(ReReplicationTest, AStorageProcessLostForGoodIsReplacedByTheDataDistributor) {
  LocalCluster cluster(std::vector<std::string>(4, "unset"), 3,
                       {"--redundancy", "double", "--knob", "dd_failed_storage_s=3"});
  ASSERT_NO_FATAL_FAILURE(start_with_accounts(cluster));
  const ClusterConnectionString connection = cluster.connection();
  Ledger ledger;
  testing::ClusterLoad load(connection, 2, 1, 1.0, &ledger);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  Json status;

  // The last process is not a coordinator: the cluster keeps its majority.
  const size_t victim = cluster.size() - 1;
  const std::string gone = cluster.address(victim);
  ASSERT_NO_FATAL_FAILURE(cluster.kill(victim));
  std::filesystem::remove_all(cluster.folder(victim));
  const Clock::time_point lost = Clock::now();
  std::printf("[ lost     ] %s, folder deleted\n", gone.c_str());

  ASSERT_NO_FATAL_FAILURE(testing::wait_for_status(
      cluster, [&](const Json& s) { return fully_replicated_without(s, gone); },
      "every shard back on two live servers without " + gone, &status));
  const double took = seconds_between(lost, Clock::now());
  std::printf("[ replaced ] every shard on two live servers again %.1f s after the loss\n", took);
  EXPECT_EQ(status["cluster"]["fault_tolerance"].value("max_zone_failures_without_losing_data", -1),
            1);
  const Json& data_state = status["cluster"]["data"]["state"];
  EXPECT_TRUE(data_state.value("healthy", false)) << data_state;
  EXPECT_EQ(data_state.value("min_replicas_remaining", -1), 2) << data_state;

  // The load went on meanwhile, and goes on.
  const Clock::time_point replaced = Clock::now();
  const Clock::time_point deadline =
      replaced + std::chrono::seconds(static_cast<int>(hang_guard_s));
  while (!ledger.first_commits(replaced, -1).transfer && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(ledger.first_commits(replaced, -1).transfer) << "no transfer after the loss";
  load.stop();
  check_data(connection, ledger, 2);
}

TEST(ReReplicationTest, ConfigureTripleGivesEveryShardThreeCopiesUnderLoad) {
  LocalCluster cluster(std::vector<std::string>(4, "unset"), 3, {"--redundancy", "double"});
  ASSERT_NO_FATAL_FAILURE(start_with_accounts(cluster));
  const ClusterConnectionString connection = cluster.connection();
  Json status;
  Ledger ledger;
  testing::ClusterLoad load(connection, 2, 2, 1.0, &ledger);
  std::this_thread::sleep_for(std::chrono::seconds(2));

  const Clock::time_point asked = Clock::now();
  std::string recorded;
  testing::run_client([&]() -> Future<Void> {
    recorded = co_await timeout_error(configure_database(Database::open(connection), {"triple"}),
                                      hang_guard_s);
  });
  EXPECT_NE(recorded.find("triple"), std::string::npos) << recorded;
  ASSERT_NO_FATAL_FAILURE(testing::wait_for_status(
      cluster, [&](const Json& s) { return fully_replicated_without(s, "", 3); },
      "every shard on three live servers", &status));
  std::printf("[ triple   ] every shard on three live servers %.1f s after configure\n",
              seconds_between(asked, Clock::now()));
  EXPECT_EQ(status["cluster"]["fault_tolerance"].value("max_zone_failures_without_losing_data", -1),
            2);
  load.stop();
  check_data(connection, ledger, 3);
}

// Runs the shell's `command` against `cluster`, draining the processes' output meanwhile.
testing::ProgramRun shell(LocalCluster& cluster, const std::string& command) {
  testing::ProgramRun run;
  std::atomic<bool> done = false;
  std::thread shell_thread([&] {
    run = testing::run_program(STRATA_SHELL_PATH, {"-C", cluster.cluster_file(), "--exec", command},
                               cluster.folder(0) + "/..", "", {}, hang_guard_s);
    done = true;
  });
  while (!done) {
    cluster.drain();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  shell_thread.join();
  return run;
}

// Whether `status` shows a role other than coordinator and cluster controller (which
// exclusion does not move) on the process at `address`.
bool holds_roles(const Json& status, const std::string& address) {
  for (const std::string& role : testing::roles_of(status, address)) {
    if (role != "coordinator" && role != "cluster_controller") return true;
  }
  return false;
}

Json current_status(LocalCluster& cluster) {
  Json status;
  testing::wait_for_status(
      cluster, [](const Json&) { return true; }, "a status document", &status);
  return status;
}

TEST(ReReplicationTest, ExcludeDrainsALiveProcessUnderLoadAndIncludeTakesItBack) {
  LocalCluster cluster(std::vector<std::string>(4, "unset"), 3, {"--redundancy", "double"});
  ASSERT_NO_FATAL_FAILURE(start_with_accounts(cluster));
  const ClusterConnectionString connection = cluster.connection();
  Ledger ledger;
  testing::ClusterLoad load(connection, 2, 1, 1.0, &ledger);
  std::this_thread::sleep_for(std::chrono::seconds(2));

  // Not a coordinator: exclusion does not move coordinators.
  const size_t drained = cluster.size() - 1;
  const std::string address = cluster.address(drained);
  Json status = current_status(cluster);
  ASSERT_TRUE(holds_roles(status, address)) << "nothing to drain on " << address;

  const Clock::time_point asked = Clock::now();
  testing::ProgramRun excluded = shell(cluster, "exclude " + address);
  const double took = seconds_between(asked, Clock::now());
  ASSERT_EQ(excluded.status, 0) << excluded.output << excluded.errors;
  EXPECT_NE(excluded.output.find(address + " ---- Successfully excluded"), std::string::npos)
      << excluded.output;
  std::printf("[ exclude  ] %s drained %.1f s after `exclude'\n", address.c_str(), took);

  // When it returned, nothing was left there, and every shard had two copies elsewhere.
  status = current_status(cluster);
  EXPECT_FALSE(holds_roles(status, address)) << status.dump(2);
  EXPECT_TRUE(fully_replicated_without(status, address)) << status["cluster"]["storage_teams"];
  bool shown = false;
  for (const auto& [key, process] : status["cluster"]["processes"].items()) {
    if (process.value("address", "") == address) shown = process.value("excluded", false);
  }
  EXPECT_TRUE(shown) << "status does not show " << address << " as excluded";
  testing::ProgramRun listed = shell(cluster, "exclude");
  EXPECT_NE(listed.output.find("  " + address), std::string::npos) << listed.output;

  // Shut down for good: the cluster does not need it.
  ASSERT_NO_FATAL_FAILURE(cluster.kill(drained));
  const Clock::time_point gone = Clock::now();
  const Clock::time_point deadline = gone + std::chrono::seconds(static_cast<int>(hang_guard_s));
  while (!ledger.first_commits(gone, -1).transfer && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(ledger.first_commits(gone, -1).transfer) << "no transfer after the shutdown";

  testing::ProgramRun included = shell(cluster, "include all");
  EXPECT_EQ(included.status, 0) << included.output << included.errors;
  listed = shell(cluster, "exclude");
  EXPECT_NE(listed.output.find("no servers or localities excluded"), std::string::npos)
      << listed.output;
  load.stop();
  check_data(connection, ledger, 2);
}

// Grows a cluster of three storage processes by two under load: each new process gets a
// storage server of its own and a copy of some shards, and nothing is lost. (Small shard and
// balance limits, so that the little data of the test moves.)
TEST(ReReplicationTest, StorageProcessesThatJoinGetStorageServersAndShards) {
  LocalCluster cluster({"unset", "unset", "storage", "storage", "storage", "storage", "storage"}, 3,
                       {"--redundancy", "double", "--knob", "dd_shard_max_bytes=20000", "--knob",
                        "dd_balance_bytes=5000", "--knob", "storage_byte_sample_unit=1", "--knob",
                        "dd_size_check_interval_s=1"});
  const size_t first = 5;
  for (size_t i = 0; i < first; ++i)
    ASSERT_NO_FATAL_FAILURE(cluster.start(i));
  Json status;
  ASSERT_NO_FATAL_FAILURE(testing::wait_for_status(
      cluster,
      [&](const Json& s) {
        return testing::recovery_state_of(s) == "fully_recovered" &&
               fully_replicated_without(s, "");
      },
      "the cluster of five processes to be created, every shard on two live servers", &status));
  testing::open_accounts(cluster.connection(), hang_guard_s);
  const ClusterConnectionString connection = cluster.connection();
  Ledger ledger;
  testing::ClusterLoad load(connection, 2, 1, 1.0, &ledger);
  std::this_thread::sleep_for(std::chrono::seconds(3));

  const Clock::time_point joined = Clock::now();
  std::vector<std::string> added;
  for (size_t i = first; i < cluster.size(); ++i) {
    ASSERT_NO_FATAL_FAILURE(cluster.start(i));
    added.push_back(cluster.address(i));
  }
  auto holds_shards = [](const Json& s, const std::string& address) {
    if (!s["cluster"].contains("storage_teams")) return false;
    for (const Json& team : s["cluster"]["storage_teams"]) {
      for (const Json& server : team["servers"]) {
        if (server.value("address", "") == address) return true;
      }
    }
    return false;
  };
  ASSERT_NO_FATAL_FAILURE(testing::wait_for_status(
      cluster,
      [&](const Json& s) {
        return holds_shards(s, added[0]) && holds_shards(s, added[1]) &&
               testing::every_shard_has_live_copies(s);
      },
      "both new processes to hold copies of shards, every shard on two live servers", &status));
  std::printf("[ joined   ] %s and %s hold shards %.1f s after they started\n", added[0].c_str(),
              added[1].c_str(), seconds_between(joined, Clock::now()));
  // The storage servers' own figures: the new ones hold data (not just empty shards).
  auto storage_bytes = [](const Json& s, const char* figure) {
    std::map<std::string, int64_t> bytes;
    for (const auto& [address, process] : s["cluster"]["processes"].items()) {
      for (const Json& role : process["roles"]) {
        if (role.value("role", "") == "storage" && role.contains(figure))
          bytes[address] += role[figure].get<int64_t>();
      }
    }
    return bytes;
  };
  ASSERT_NO_FATAL_FAILURE(testing::wait_for_status(
      cluster,
      [&](const Json& s) {
        std::map<std::string, int64_t> stored = storage_bytes(s, "stored_bytes");
        return stored[added[0]] > 0 && stored[added[1]] > 0;
      },
      "both new processes' storage servers to report stored bytes", &status));
  std::map<std::string, int64_t> disk = storage_bytes(status, "kvstore_used_bytes");
  for (const auto& [address, bytes] : storage_bytes(status, "stored_bytes")) {
    std::printf("[ storage  ] %s holds %lld bytes, %lld bytes of files\n", address.c_str(),
                static_cast<long long>(bytes), static_cast<long long>(disk[address]));
  }
  load.stop();
  check_data(connection, ledger, 2);
}

}  // namespace
}  // namespace strata
