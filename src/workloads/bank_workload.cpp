// bank: `accounts` accounts start with `initial_balance` each. Clients move random amounts
// between random accounts (never below zero), and each transfer also writes a record of
// itself in the same transaction. Invariants, checked at the end:
//   - the balances add up to what they started with (no money made or lost);
//   - every transfer the client saw commit has its record (nothing acknowledged lost);
//   - the balances are exactly the starting ones plus the recorded transfers (no
//     transaction applied in part, none applied twice).

#include <map>
#include <set>
#include <string>

#include "runtime/combinators.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class BankWorkload final : public Workload {
 public:
  explicit BankWorkload(Options& options)
      : accounts_(options.get_int("accounts", 20)),
        initial_balance_(options.get_int("initial_balance", 1000)),
        clients_(options.get_int("clients", 6)),
        transaction_interval_s_(options.get_double("transaction_interval_s", 0.05)),
        prefix_(options.get_string("prefix", "bank/")) {}

  std::string name() const override { return "bank"; }

  Future<Void> setup(WorkloadContext& context) override {
    co_await context.database().run([this](Transaction& tr) -> Future<Void> {
      for (int64_t i = 0; i < accounts_; ++i)
        tr.set(account_key(i), std::to_string(initial_balance_));
      co_return;
    });
  }

  Future<Void> start(WorkloadContext& context) override {
    end_time_ = now() + context.duration_s();
    co_await run_clients(
        clients_, [this, database = context.database()](int64_t i) { return client(database, i); });
  }

  Future<Void> check(WorkloadContext& context) override {
    auto [balances, transfers] = co_await context.database().run(
        [this](Transaction& tr) -> Future<std::pair<std::vector<KeyValue>, std::vector<KeyValue>>> {
          RangeResult balances =
              co_await tr.get_range(prefix_ + "account/", strinc(prefix_ + "account/"));
          RangeResult transfers =
              co_await tr.get_range(prefix_ + "transfer/", strinc(prefix_ + "transfer/"));
          co_return std::make_pair(balances.rows, transfers.rows);
        });
    std::map<int64_t, int64_t> expected;
    for (int64_t i = 0; i < accounts_; ++i)
      expected[i] = initial_balance_;
    std::set<std::string> recorded;
    for (const KeyValue& transfer : transfers) {
      recorded.insert(transfer.key.substr(prefix_.size() + 9));
      int64_t from = 0;
      int64_t to = 0;
      int64_t amount = 0;
      if (std::sscanf(transfer.value.c_str(), "%ld,%ld,%ld", &from, &to, &amount) != 3) {
        context.fail(name(), "transfer record " + transfer.key + " does not parse");
        co_return;
      }
      expected[from] -= amount;
      expected[to] += amount;
    }
    int64_t total = 0;
    for (const KeyValue& balance : balances) {
      int64_t account = std::stoll(balance.key.substr(prefix_.size() + 8));
      int64_t amount = std::stoll(balance.value);
      total += amount;
      if (expected[account] != amount) {
        context.fail(name(), "account " + std::to_string(account) + " holds " +
                                 std::to_string(amount) + " but its recorded transfers say " +
                                 std::to_string(expected[account]));
      }
    }
    if (static_cast<int64_t>(balances.size()) != accounts_) {
      context.fail(name(),
                   std::to_string(balances.size()) + " accounts, not " + std::to_string(accounts_));
    }
    if (total != accounts_ * initial_balance_) {
      context.fail(name(), "the balances add up to " + std::to_string(total) + ", not " +
                               std::to_string(accounts_ * initial_balance_));
    }
    for (const std::string& id : acknowledged_) {
      if (!recorded.count(id)) {
        context.fail(name(), "acknowledged transfer " + id + " is missing");
        break;
      }
    }
    if (acknowledged_.empty()) context.fail(name(), "no transfer ever committed");
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"acknowledged", std::to_string(acknowledged_.size())},
            {"unknown_results", std::to_string(unknown_results_)},
            {"retries", std::to_string(retries_)}};
  }

 private:
  std::string account_key(int64_t account) const {
    std::string digits = std::to_string(account);
    return prefix_ + "account/" + std::string(6 - digits.size(), '0') + digits;
  }

  Future<Void> client(Database database, int64_t client_id) {
    Random& random = env().random();
    uint64_t sequence = 0;
    while (now() < end_time_) {
      co_await delay(random.exponential(transaction_interval_s_));
      int64_t from = random.uniform(0, accounts_);
      int64_t to = random.uniform(0, accounts_);
      if (from == to) continue;
      int64_t amount = random.uniform(1, initial_balance_ / 2 + 1);
      std::string id = std::to_string(client_id) + "-" + std::to_string(++sequence);
      Transaction tr = database.create_transaction();
      while (true) {
        std::optional<Error> failure;
        try {
          // A retry after an unknown result: if the first attempt committed, its record
          // is there and the transfer must not happen twice.
          if (co_await tr.get(prefix_ + "transfer/" + id)) {
            acknowledged_.insert(id);
            break;
          }
          int64_t from_balance = std::stoll((co_await tr.get(account_key(from))).value_or("0"));
          int64_t to_balance = std::stoll((co_await tr.get(account_key(to))).value_or("0"));
          if (from_balance < amount) break;  // not enough money: no transfer
          tr.set(account_key(from), std::to_string(from_balance - amount));
          tr.set(account_key(to), std::to_string(to_balance + amount));
          tr.set(prefix_ + "transfer/" + id,
                 std::to_string(from) + "," + std::to_string(to) + "," + std::to_string(amount));
          co_await tr.commit();
          acknowledged_.insert(id);
          break;
        } catch (Error& error) {
          if (error.is_cancellation()) throw;
          failure = error;
        }
        if (failure->is(ErrorCode::commit_unknown_result)) ++unknown_results_;
        ++retries_;
        co_await tr.on_error(*failure);
      }
    }
  }

  const int64_t accounts_;
  const int64_t initial_balance_;
  const int64_t clients_;
  const double transaction_interval_s_;
  const std::string prefix_;
  double end_time_ = 0;
  std::set<std::string> acknowledged_;
  uint64_t unknown_results_ = 0;
  uint64_t retries_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_bank_workload(Options& options) {
  return std::make_unique<BankWorkload>(options);
}

}  // namespace strata
