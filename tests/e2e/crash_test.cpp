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

#include "child_process.h"
#include "client_thread.h"
#include "rpc/transport.h"
#include "runtime/combinators.h"
#include "runtime/real/real_environment.h"
#include "strata/database.h"

namespace strata {
namespace {

using testing::ChildProcess;
using testing::run_client;
using testing::TemporaryDirectory;

constexpr double hang_guard_s = 120;
constexpr int accounts = 20;
constexpr int64_t initial_balance = 1000;
constexpr int client_threads = 4;
constexpr int rounds = 20;

std::string account_key(int account) {
  return "bank/account/" + std::to_string(100 + account);
}

// The acknowledged transfers of every client thread.
struct Ledger {
  std::mutex mutex;
  std::set<std::string> acknowledged;
};

// One client thread: transfers until `stop`, recording each one it saw commit.
void transfer_until_stopped(NetworkAddress server, int thread, int round, std::atomic<bool>* stop,
                            Ledger* ledger) {
  run_client([&]() -> Future<Void> {
    Database database = Database::open(ClusterConnectionString{"test", "crash", {server}});
    std::mt19937 random(static_cast<unsigned>(thread * 1000 + round));
    int sequence = 0;
    while (!stop->load()) {
      int from = static_cast<int>(random() % accounts);
      int to = static_cast<int>(random() % accounts);
      if (from == to) continue;
      int64_t amount = 1 + static_cast<int64_t>(random() % 50);
      std::string id =
          std::to_string(round) + "-" + std::to_string(thread) + "-" + std::to_string(++sequence);
      Transaction tr = database.create_transaction();
      // A bounded number of attempts: once the server is killed, give up on this transfer.
      for (int attempt = 0; attempt < 5 && !stop->load(); ++attempt) {
        std::optional<Error> failure;
        try {
          if (co_await timeout_error(tr.get("bank/transfer/" + id), 2.0)) {
            std::lock_guard<std::mutex> lock(ledger->mutex);
            ledger->acknowledged.insert(id);
            break;
          }
          int64_t from_balance =
              std::stoll((co_await timeout_error(tr.get(account_key(from)), 2.0)).value_or("0"));
          int64_t to_balance =
              std::stoll((co_await timeout_error(tr.get(account_key(to)), 2.0)).value_or("0"));
          if (from_balance < amount) break;
          tr.set(account_key(from), std::to_string(from_balance - amount));
          tr.set(account_key(to), std::to_string(to_balance + amount));
          tr.set("bank/transfer/" + id,
                 std::to_string(from) + "," + std::to_string(to) + "," + std::to_string(amount));
          co_await timeout_error(tr.commit(), 2.0);
          std::lock_guard<std::mutex> lock(ledger->mutex);
          ledger->acknowledged.insert(id);
          break;
        } catch (Error& error) {
          failure = error;
        }
        std::optional<Error> fatal;
        try {
          co_await tr.on_error(*failure);
        } catch (Error& error) {
          fatal = error;
        }
        if (fatal) break;  // timed out or another final error: the server is probably gone
      }
    }
  });
}

struct BankState {
  std::vector<int64_t> balances;
  std::map<std::string, std::string> transfers;
};

BankState read_bank(NetworkAddress server) {
  BankState state;
  run_client([&]() -> Future<Void> {
    Database database = Database::open(ClusterConnectionString{"test", "crash", {server}});
    co_await timeout_error(database.run([&](Transaction& tr) -> Future<Void> {
      RangeResult balances = co_await tr.get_range("bank/account/", "bank/account0");
      RangeResult transfers = co_await tr.get_range("bank/transfer/", "bank/transfer0");
      state.balances.clear();
      for (const KeyValue& row : balances.rows)
        state.balances.push_back(std::stoll(row.value));
      state.transfers.clear();
      for (const KeyValue& row : transfers.rows)
        state.transfers[row.key.substr(14)] = row.value;
      co_return;
    }),
                           hang_guard_s);
  });
  return state;
}

void open_accounts(NetworkAddress server) {
  run_client([&]() -> Future<Void> {
    Database database = Database::open(ClusterConnectionString{"test", "crash", {server}});
    co_await timeout_error(database.run([](Transaction& tr) -> Future<Void> {
      for (int i = 0; i < accounts; ++i)
        tr.set(account_key(i), std::to_string(initial_balance));
      co_return;
    }),
                           hang_guard_s);
  });
}

class CrashTest : public ::testing::TestWithParam<const char*> {};

TEST_P(CrashTest, NoAcknowledgedTransferIsLostAcrossKill9) {
  TemporaryDirectory directory;
  int port = testing::free_loopback_port();
  std::string listen = "127.0.0.1:" + std::to_string(port);
  NetworkAddress server_address = NetworkAddress::parse(listen);
  std::vector<std::string> arguments = {"--listen", listen, "--storage-engine", GetParam()};
  Ledger ledger;
  std::mt19937 random(1234);
  // The last start only checks the last kill.
  for (int round = 0; round <= rounds; ++round) {
    ChildProcess server(STRATA_SERVER_PATH, arguments, directory.path());
    ASSERT_TRUE(server.wait_for_line("listening on", hang_guard_s)) << server.transcript();
    if (round == 0) open_accounts(server_address);

    // Everything acknowledged so far survived the last kill.
    BankState state = read_bank(server_address);
    ASSERT_EQ(state.balances.size(), static_cast<size_t>(accounts)) << "round " << round;
    std::vector<int64_t> expected(accounts, initial_balance);
    for (const auto& [id, record] : state.transfers) {
      int from = 0;
      int to = 0;
      long amount = 0;
      ASSERT_EQ(std::sscanf(record.c_str(), "%d,%d,%ld", &from, &to, &amount), 3);
      expected[static_cast<size_t>(from)] -= amount;
      expected[static_cast<size_t>(to)] += amount;
    }
    EXPECT_EQ(state.balances, expected)
        << "balances disagree with the transfer records, round " << round;
    int64_t total = 0;
    for (int64_t balance : state.balances)
      total += balance;
    EXPECT_EQ(total, accounts * initial_balance) << "round " << round;
    {
      std::lock_guard<std::mutex> lock(ledger.mutex);
      for (const std::string& id : ledger.acknowledged) {
        ASSERT_TRUE(state.transfers.count(id))
            << "acknowledged transfer " << id << " was lost, round " << round;
      }
    }

    if (round == rounds) break;
    // Load, then kill -9 at a random moment.
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int thread = 0; thread < client_threads; ++thread) {
      clients.emplace_back(transfer_until_stopped, server_address, thread, round, &stop, &ledger);
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
