// A storage process destroyed for good (SIGKILL, its folder deleted) in a double-redundancy
// cluster of four processes on loopback, under the bank workload: the data distributor must
// copy each shard it held to a live server in another zone and drop it, so that every shard
// has two live copies again, with no help. Then every acknowledged transfer must be there,
// the money must add up, and both copies of every shard must agree. The time it took is
// printed.

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bank_accounts.h"
#include "client/consistency_check.h"
#include "client_thread.h"
#include "local_cluster.h"
#include "runtime/combinators.h"
#include "strata/database.h"

namespace strata {
namespace {

using testing::Clock;
using testing::hang_guard_s;
using testing::Json;
using testing::Ledger;
using testing::LocalCluster;
using testing::seconds_between;

// Every shard on two live servers, none of them at `gone`, and nothing moving.
bool fully_replicated_without(const Json& status, const std::string& gone) {
  const Json& cluster = status["cluster"];
  if (!cluster.contains("storage_teams") || cluster["storage_teams"].empty()) return false;
  for (const Json& team : cluster["storage_teams"]) {
    if (team.contains("moving_to") || team["servers"].size() != 2) return false;
    for (const Json& server : team["servers"]) {
      if (!server.value("live", false) || server.value("address", "") == gone) return false;
    }
  }
  return cluster.contains("data") && cluster["data"].value("moving_partitions", -1) == 0;
}

TEST(ReReplicationTest, AStorageProcessLostForGoodIsReplacedByTheDataDistributor) {
  LocalCluster cluster(std::vector<std::string>(4, "unset"), 3,
                       {"--redundancy", "double", "--knob", "dd_failed_storage_s=3"});
  for (size_t i = 0; i < cluster.size(); ++i)
    ASSERT_NO_FATAL_FAILURE(cluster.start(i));
  Json status;
  ASSERT_NO_FATAL_FAILURE(testing::wait_for_status(
      cluster,
      [&](const Json& s) {
        return testing::settled(s, cluster) && fully_replicated_without(s, "");
      },
      "the cluster to be created and settled, every storage server live", &status));

  const ClusterConnectionString connection = cluster.connection();
  testing::open_accounts(connection, hang_guard_s);
  Ledger ledger;
  testing::ClusterLoad load(connection, 2, 1, 1.0, &ledger);
  std::this_thread::sleep_for(std::chrono::seconds(2));

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

  // The load went on meanwhile, and goes on.
  const Clock::time_point replaced = Clock::now();
  const Clock::time_point deadline =
      replaced + std::chrono::seconds(static_cast<int>(hang_guard_s));
  while (!ledger.first_commits(replaced, -1).transfer && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(ledger.first_commits(replaced, -1).transfer) << "no transfer after the loss";
  load.stop();

  testing::BankState bank = testing::read_bank(connection, hang_guard_s);
  {
    std::lock_guard<std::mutex> lock(ledger.mutex);
    EXPECT_GT(ledger.acknowledged.size(), 0u) << "no transfer ever committed";
    size_t lost_transfers = testing::check_bank(bank, ledger.acknowledged, "after the loss");
    std::printf("[ bank     ] %zu transfers acknowledged, %zu lost\n", ledger.acknowledged.size(),
                lost_transfers);
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
  EXPECT_EQ(report.copies_compared, report.shards * 2);
  std::fflush(stdout);
}

}  // namespace
}  // namespace strata
