// Kill -9 under load: strata-server on a real disk, bank transfers from several client
// threads, SIGKILL at a random moment, restart on the same folder, and check that every
// transfer a client saw commit is there and the money adds up. Twenty rounds per engine.

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>

#include "bank_accounts.h"
#include "child_process.h"
#include "client_thread.h"
#include "rpc/transport.h"
#include "runtime/combinators.h"
#include "runtime/real/real_environment.h"
#include "strata/database.h"

namespace strata {
namespace {

using testing::BankState;
using testing::ChildProcess;
using testing::TemporaryDirectory;

constexpr double hang_guard_s = 120;
constexpr int client_threads = 4;
constexpr int rounds = 20;
constexpr double operation_timeout_s = 2.0;

// The acknowledged transfers of every client thread.
struct Ledger {
  std::mutex mutex;
  std::set<std::string> acknowledged;
};

class CrashTest : public ::testing::TestWithParam<const char*> {};

TEST_P(CrashTest, NoAcknowledgedTransferIsLostAcrossKill9) {
  TemporaryDirectory directory;
  int port = testing::free_loopback_port();
  std::string listen = "127.0.0.1:" + std::to_string(port);
  std::vector<std::string> arguments = {"--listen", listen, "--storage-engine", GetParam()};
  Ledger ledger;
  std::mt19937 random(1234);
  // The last start only checks the last kill.
  for (int round = 0; round <= rounds; ++round) {
    ChildProcess server(STRATA_SERVER_PATH, arguments, directory.path());
    ASSERT_TRUE(server.wait_for_line("listening on", hang_guard_s)) << server.transcript();
    // The server wrote the cluster file when it first started.
    ClusterConnectionString cluster =
        testing::cluster_file_at(directory.path() + "/strata.cluster");
    if (round == 0) testing::open_accounts(cluster, hang_guard_s);

    // Everything acknowledged so far survived the last kill.
    BankState state = testing::read_bank(cluster, hang_guard_s);
    {
      std::lock_guard<std::mutex> lock(ledger.mutex);
      testing::check_bank(state, ledger.acknowledged, "round " + std::to_string(round));
    }

    if (round == rounds) break;
    // Load, then kill -9 at a random moment.
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int thread = 0; thread < client_threads; ++thread) {
      clients.emplace_back([&, thread] {
        testing::transfer_until_stopped(cluster, static_cast<unsigned>(thread * 1000 + round),
                                        std::to_string(round) + "-" + std::to_string(thread) + "-",
                                        operation_timeout_s, stop,
                                        [&](const std::string& id, std::optional<Version>) {
                                          std::lock_guard<std::mutex> lock(ledger.mutex);
                                          ledger.acknowledged.insert(id);
                                        });
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + random() % 800));
    server.send_signal(SIGKILL);
    EXPECT_EQ(server.wait(hang_guard_s), 128 + SIGKILL);
    stop = true;
    for (std::thread& client : clients)
      client.join();
  }
  std::lock_guard<std::mutex> lock(ledger.mutex);
  EXPECT_GT(ledger.acknowledged.size(), 0u) << "no transfer ever committed";
}

INSTANTIATE_TEST_SUITE_P(BothEngines, CrashTest, ::testing::Values("memory", "rocksdb"));

}  // namespace
}  // namespace strata
