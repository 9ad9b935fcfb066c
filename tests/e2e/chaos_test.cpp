// Chaos on a triple-redundancy cluster: five strata-server processes on loopback, each a
// zone of its own and a coordinator, under the bank workload, while a driver SIGKILLs and
// SIGSTOPs random processes, never more than two at once (what triple redundancy is for),
// and brings each back after a few seconds (a restart, or SIGCONT). After a minute every
// process returns; then every transfer a client saw commit must be there, the money must
// add up, and every copy of every shard must agree (the consistency check). The gap
// between each fault and the next acknowledged commit is printed, as `[ fault ]` lines and
// a summary. STRATA_CHAOS_SEED=N repeats a run's choices; STRATA_CLUSTER_TEST_KEEP=DIR
// keeps the processes' folders.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <signal.h>

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

constexpr double chaos_s = 60;
constexpr size_t processes = 5;
constexpr size_t down_at_once_max = 2;
constexpr int client_threads = 3;
constexpr double operation_timeout_s = 1.0;

struct Fault {
  Clock::time_point at;
  std::string what;
};

struct Down {
  size_t index = 0;
  bool paused = false;
  Clock::time_point back_at;
};

// The faults' gaps: from each fault to the first commit acknowledged after it.
void print_gaps(const std::vector<Fault>& faults, Ledger& ledger) {
  std::vector<double> gaps;
  for (const Fault& fault : faults) {
    Ledger::FirstCommits first = ledger.first_commits(fault.at, -1);
    if (!first.any) continue;
    double gap = seconds_between(fault.at, *first.any);
    gaps.push_back(gap);
    std::printf("[ fault    ] %-34s next commit %.3f s later\n", fault.what.c_str(), gap);
  }
  if (gaps.empty()) return;
  std::sort(gaps.begin(), gaps.end());
  auto at = [&](double fraction) {
    return gaps[std::min(gaps.size() - 1, static_cast<size_t>(fraction * gaps.size()))];
  };
  std::printf(
      "[ faults   ] %zu faults; commit gap after a fault: p50 %.3f s, p90 %.3f s, max %.3f s\n",
      gaps.size(), at(0.5), at(0.9), gaps.back());
  std::fflush(stdout);
}

TEST(ChaosTest, TripleRedundancyLosesNothingWhileTwoProcessesAtATimeAreKilledOrPaused) {
  unsigned seed = std::random_device{}();
  if (const char* fixed = std::getenv("STRATA_CHAOS_SEED"))
    seed = static_cast<unsigned>(std::atoll(fixed));
  std::printf("[ chaos    ] seed %u (STRATA_CHAOS_SEED=%u repeats the driver's choices)\n", seed,
              seed);
  std::mt19937 random(seed);
  LocalCluster cluster(std::vector<std::string>(processes, "unset"), processes,
                       {"--redundancy", "triple"});
  for (size_t i = 0; i < cluster.size(); ++i)
    ASSERT_NO_FATAL_FAILURE(cluster.start(i));
  Json status;
  ASSERT_NO_FATAL_FAILURE(testing::wait_for_status(
      cluster,
      [&](const Json& s) {
        return testing::settled(s, cluster) && testing::fully_replicated_without(s, "", 3);
      },
      "the cluster to be created and settled, every storage server live", &status));
  ASSERT_EQ(status["cluster"]["configuration"].value("redundancy_mode", ""), "triple");
  ASSERT_FALSE(status["cluster"]["storage_teams"].empty());
  for (const Json& team : status["cluster"]["storage_teams"])
    ASSERT_EQ(team["servers"].size(), 3u) << team.dump();
  EXPECT_EQ(status["cluster"]["fault_tolerance"].value("max_zone_failures_without_losing_data", -1),
            2);

  const ClusterConnectionString connection = cluster.connection();
  testing::open_accounts(connection, hang_guard_s);
  Ledger ledger;
  testing::ClusterLoad load(connection, client_threads, seed, operation_timeout_s, &ledger);

  // The chaos: a fault every 0.5 to 3 s while fewer than two processes are down, each
  // down for 1 to 6 s.
  std::vector<Fault> faults;
  std::vector<Down> down;
  auto uniform = [&](double low, double high) {
    return std::uniform_real_distribution<double>(low, high)(random);
  };
  auto after = [](double seconds) {
    return Clock::now() +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  };
  auto bring_back = [&](const Down& gone) {
    if (gone.paused) {
      cluster.process(gone.index).send_signal(SIGCONT);
    } else {
      cluster.start(gone.index);
    }
  };
  const Clock::time_point end = after(chaos_s);
  Clock::time_point next_fault = after(uniform(0.5, 3));
  while (Clock::now() < end) {
    for (size_t i = 0; i < down.size();) {
      if (Clock::now() < down[i].back_at) {
        ++i;
        continue;
      }
      ASSERT_NO_FATAL_FAILURE(bring_back(down[i]));
      down.erase(down.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (Clock::now() >= next_fault && down.size() < down_at_once_max) {
      std::vector<size_t> up;
      for (size_t i = 0; i < cluster.size(); ++i) {
        bool is_down = std::any_of(down.begin(), down.end(),
                                   [i](const Down& gone) { return gone.index == i; });
        if (!is_down) up.push_back(i);
      }
      size_t victim = up[std::uniform_int_distribution<size_t>(0, up.size() - 1)(random)];
      bool pause = std::uniform_int_distribution<int>(0, 1)(random) == 1;
      double downtime = uniform(1, 6);
      faults.push_back(
          {Clock::now(), std::string(pause ? "SIGSTOP " : "SIGKILL ") + cluster.address(victim)});
      if (pause) {
        cluster.process(victim).send_signal(SIGSTOP);
      } else {
        ASSERT_NO_FATAL_FAILURE(cluster.kill(victim));
      }
      down.push_back({victim, pause, after(downtime)});
      next_fault = after(uniform(0.5, 3));
    }
    // Only running, unpaused processes are drained; a paused one just waits.
    for (size_t i = 0; i < cluster.size(); ++i) {
      bool paused = std::any_of(down.begin(), down.end(),
                                [i](const Down& gone) { return gone.index == i && gone.paused; });
      if (cluster.running(i) && !paused) {
        while (cluster.process(i).read_line(0.001)) {
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (const Down& gone : down)
    ASSERT_NO_FATAL_FAILURE(bring_back(gone));
  down.clear();
  const Clock::time_point returned = Clock::now();
  ASSERT_NO_FATAL_FAILURE(testing::wait_for_status(
      cluster, [&](const Json& s) { return testing::settled(s, cluster); },
      "every process back and the cluster settled after the chaos", &status));
  // The load goes on after the chaos too.
  Clock::time_point deadline = after(hang_guard_s);
  while (!ledger.first_commits(returned, -1).transfer && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(ledger.first_commits(returned, -1).transfer) << "no transfer after the chaos";

  load.stop();
  print_gaps(faults, ledger);
  EXPECT_GE(faults.size(), 10u) << "the driver made too few faults to mean anything";

  testing::BankState bank = testing::read_bank(connection, hang_guard_s);
  {
    std::lock_guard<std::mutex> lock(ledger.mutex);
    EXPECT_GT(ledger.acknowledged.size(), 0u) << "no transfer ever committed";
    size_t lost = testing::check_bank(bank, ledger.acknowledged, "after the chaos");
    std::printf("[ bank     ] %zu transfers acknowledged, %zu recorded, %zu lost\n",
                ledger.acknowledged.size(), bank.transfers.size(), lost);
  }

  ConsistencyReport report;
  testing::run_client([&]() -> Future<Void> {
    report =
        co_await timeout_error(check_consistency(Database::open(connection), 10.0), hang_guard_s);
  });
  std::printf("[ replicas ] %d shards, %d copies compared, %lld rows, %zu unreachable\n",
              report.shards, report.copies_compared, static_cast<long long>(report.rows),
              report.unreachable.size());
  for (const std::string& difference : report.differences)
    ADD_FAILURE() << "copies differ: " << difference;
  for (const std::string& missing : report.unreachable)
    ADD_FAILURE() << "a copy did not answer: " << missing;
  EXPECT_EQ(report.copies_compared, report.shards * 3);
  std::fflush(stdout);
}

}  // namespace
}  // namespace strata
