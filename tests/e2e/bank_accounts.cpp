#include "bank_accounts.h"

#include <cstdio>
#include <random>

#include <gtest/gtest.h>

#include "client_thread.h"
#include "runtime/combinators.h"

namespace strata::testing {

namespace {
const std::string transfer_prefix = "bank/transfer/";
}  // namespace

std::string account_key(int account) {
  return "bank/account/" + std::to_string(100 + account);
}

void open_accounts(const ClusterConnectionString& connection, double guard_s) {
  run_client([&]() -> Future<Void> {
    Database database = Database::open(connection);
    co_await timeout_error(database.run([](Transaction& tr) -> Future<Void> {
      for (int i = 0; i < bank_accounts; ++i)
        tr.set(account_key(i), std::to_string(bank_initial_balance));
      co_return;
    }),
                           guard_s);
  });
}

Future<TransferOutcome> try_transfer(Transaction& tr, const std::string& id, int from, int to,
                                     int64_t amount, double operation_timeout_s) {
  if (co_await timeout_error(tr.get(transfer_prefix + id), operation_timeout_s)) {
    co_return TransferOutcome::found_committed;
  }
  int64_t from_balance = std::stoll(
      (co_await timeout_error(tr.get(account_key(from)), operation_timeout_s)).value_or("0"));
  int64_t to_balance = std::stoll(
      (co_await timeout_error(tr.get(account_key(to)), operation_timeout_s)).value_or("0"));
  if (from_balance < amount) co_return TransferOutcome::skipped;
  tr.set(account_key(from), std::to_string(from_balance - amount));
  tr.set(account_key(to), std::to_string(to_balance + amount));
  tr.set(transfer_prefix + id,
         std::to_string(from) + "," + std::to_string(to) + "," + std::to_string(amount));
  co_await timeout_error(tr.commit(), operation_timeout_s);
  co_return TransferOutcome::committed;
}

void transfer_until_stopped(const ClusterConnectionString& connection, unsigned seed,
                            const std::string& id_prefix, double operation_timeout_s,
                            const std::atomic<bool>& stop,
                            const TransferAcknowledged& acknowledged) {
  run_client([&]() -> Future<Void> {
    Database database = Database::open(connection);
    std::mt19937 random(seed);
    int sequence = 0;
    while (!stop.load()) {
      int from = static_cast<int>(random() % bank_accounts);
      int to = static_cast<int>(random() % bank_accounts);
      if (from == to) continue;
      int64_t amount = 1 + static_cast<int64_t>(random() % 50);
      std::string id = id_prefix + std::to_string(++sequence);
      Transaction tr = database.create_transaction();
      for (int attempt = 0; attempt < 5 && !stop.load(); ++attempt) {
        std::optional<Error> failure;
        try {
          TransferOutcome outcome =
              co_await try_transfer(tr, id, from, to, amount, operation_timeout_s);
          if (outcome == TransferOutcome::committed) acknowledged(id, tr.committed_version());
          if (outcome == TransferOutcome::found_committed) acknowledged(id, std::nullopt);
          break;
        } catch (Error& error) {
          if (error.is_cancellation()) throw;
          failure = error;
        }
        std::optional<Error> fatal;
        try {
          co_await tr.on_error(*failure);
        } catch (Error& error) {
          if (error.is_cancellation()) throw;
          fatal = error;
        }
        if (fatal) break;  // timed out, or another final error: on to the next transfer
      }
    }
  });
}

BankState read_bank(const ClusterConnectionString& connection, double guard_s) {
  BankState state;
  run_client([&]() -> Future<Void> {
    Database database = Database::open(connection);
    co_await timeout_error(database.run([&](Transaction& tr) -> Future<Void> {
      RangeResult balances = co_await tr.get_range("bank/account/", "bank/account0");
      RangeResult transfers = co_await tr.get_range(transfer_prefix, "bank/transfer0");
      state.balances.clear();
      for (const KeyValue& row : balances.rows)
        state.balances.push_back(std::stoll(row.value));
      state.transfers.clear();
      for (const KeyValue& row : transfers.rows)
        state.transfers[row.key.substr(transfer_prefix.size())] = row.value;
      co_return;
    }),
                           guard_s);
  });
  return state;
}

size_t check_bank(const BankState& state, const std::set<std::string>& acknowledged,
                  const std::string& context) {
  EXPECT_EQ(state.balances.size(), static_cast<size_t>(bank_accounts)) << context;
  std::vector<int64_t> expected(bank_accounts, bank_initial_balance);
  for (const auto& [id, record] : state.transfers) {
    int from = 0;
    int to = 0;
    long amount = 0;
    if (std::sscanf(record.c_str(), "%d,%d,%ld", &from, &to, &amount) != 3 || from < 0 || to < 0 ||
        from >= bank_accounts || to >= bank_accounts) {
      ADD_FAILURE() << "transfer " << id << " has a malformed record '" << record << "', "
                    << context;
      continue;
    }
    expected[static_cast<size_t>(from)] -= amount;
    expected[static_cast<size_t>(to)] += amount;
  }
  EXPECT_EQ(state.balances, expected) << "balances disagree with the transfer records, " << context;
  int64_t total = 0;
  for (int64_t balance : state.balances)
    total += balance;
  EXPECT_EQ(total, bank_accounts * bank_initial_balance) << context;
  size_t lost = 0;
  for (const std::string& id : acknowledged) {
    if (state.transfers.count(id)) continue;
    ++lost;
    ADD_FAILURE() << "acknowledged transfer " << id << " was lost, " << context;
  }
  return lost;
}

}  // namespace strata::testing
