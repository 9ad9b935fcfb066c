// tenants: `tenants` tenants hold the same `accounts` account keys (relative to each
// tenant), each starting with `initial_balance`. Clients move random amounts between two
// accounts of one random tenant, in the tenant. A churn client keeps creating a scratch
// tenant, writing into it, deleting it (after checking that a deletion is refused while it
// holds keys) and checking that its transactions then fail with tenant_not_found.
// Invariants, checked during the run and at the end:
//   - each tenant's balances add up to what they started with: a tenant's transactions
//     read and write only its own keys, atomically;
//   - a tenant's keys seen raw under its prefix are exactly those seen in the tenant;
//   - nothing lies under the tenant prefixes but the live tenants' keys (a deleted tenant
//     leaves nothing behind, and no tenant's write escaped its prefix).

#include <map>
#include <string>

#include "client/management.h"
#include "interfaces/tenant_map.h"
#include "runtime/combinators.h"
#include "workloads/workload.h"

namespace strata {

namespace {

// Every tenant prefix the workload can produce: ids are far below 2^16.
const std::string tenant_prefixes_begin(6, '\0');
const std::string tenant_prefixes_end = std::string(5, '\0') + '\x01';

class TenantsWorkload final : public Workload {
 public:
  explicit TenantsWorkload(Options& options)
      : tenants_(options.get_int("tenants", 4)),
        accounts_(options.get_int("accounts", 8)),
        initial_balance_(options.get_int("initial_balance", 1000)),
        clients_(options.get_int("clients", 4)),
        transaction_interval_s_(options.get_double("transaction_interval_s", 0.05)),
        churn_interval_s_(options.get_double("churn_interval_s", 1.0)) {}

  std::string name() const override { return "tenants"; }

  Future<Void> setup(WorkloadContext& context) override {
    Database database = context.database();
    co_await configure_database(database, {"tenant_mode=optional_experimental"});
    for (int64_t t = 0; t < tenants_; ++t) {
      co_await set_tenant_exists(database, tenant_name(t), /*exists=*/true);
      co_await database.open_tenant(tenant_name(t)).run([this](Transaction& tr) -> Future<Void> {
        for (int64_t a = 0; a < accounts_; ++a)
          tr.set(account_key(a), std::to_string(initial_balance_));
        co_return;
      });
    }
  }

  Future<Void> start(WorkloadContext& context) override {
    end_time_ = now() + context.duration_s();
    Database database = context.database();
    Future<Void> churn = churn_client(database, &context);
    co_await run_clients(clients_, [this, database](int64_t) { return client(database); });
    co_await churn;
  }

  Future<Void> check(WorkloadContext& context) override {
    Database database = context.database();
    std::map<Key, std::vector<KeyValue>> expected_raw;  // by prefix
    for (int64_t t = 0; t < tenants_; ++t) {
      Tenant tenant = database.open_tenant(tenant_name(t));
      RangeResult rows = co_await tenant.run(
          [](Transaction& tr) { return tr.get_range("", std::string(normal_keys_end)); });
      int64_t total = 0;
      for (const KeyValue& row : rows.rows)
        total += std::stoll(row.value);
      if (static_cast<int64_t>(rows.rows.size()) != accounts_ ||
          total != accounts_ * initial_balance_) {
        context.fail(name(), "tenant " + tenant_name(t) + " holds " +
                                 std::to_string(rows.rows.size()) + " accounts adding up to " +
                                 std::to_string(total) + ", not " + std::to_string(accounts_) +
                                 " adding up to " + std::to_string(accounts_ * initial_balance_));
      }
      const Key prefix = tenant_prefix(co_await tenant.get_id());
      for (KeyValue& row : rows.rows)
        expected_raw[prefix].push_back(KeyValue{prefix + row.key, row.value});
    }
    RangeResult raw = co_await database.run(
        [](Transaction& tr) { return tr.get_range(tenant_prefixes_begin, tenant_prefixes_end); });
    std::vector<KeyValue> expected;
    for (auto& [prefix, rows] : expected_raw)
      expected.insert(expected.end(), rows.begin(), rows.end());
    if (raw.rows != expected) {
      context.fail(name(), "the keys under the tenant prefixes (" +
                               std::to_string(raw.rows.size()) +
                               ") are not exactly the live tenants' keys (" +
                               std::to_string(expected.size()) + ")");
    }
    if (transfers_ == 0) context.fail(name(), "no transfer ever committed");
    if (scratch_rounds_ == 0)
      context.fail(name(), "no scratch tenant was ever created and deleted");
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"transfers", std::to_string(transfers_)},
            {"scratch_rounds", std::to_string(scratch_rounds_)}};
  }

 private:
  static std::string tenant_name(int64_t t) { return "tenant/" + std::to_string(t); }

  std::string account_key(int64_t account) const {
    std::string digits = std::to_string(account);
    return "account/" + std::string(6 - digits.size(), '0') + digits;
  }

  Future<Void> client(Database database) {
    Random& random = env().random();
    while (now() < end_time_) {
      co_await delay(random.exponential(transaction_interval_s_));
      const int64_t from = random.uniform(0, accounts_);
      const int64_t to = random.uniform(0, accounts_);
      if (from == to) continue;
      const int64_t amount = random.uniform(1, initial_balance_ / 2 + 1);
      Tenant tenant = database.open_tenant(tenant_name(random.uniform(0, tenants_)));
      // A retry after an unknown result may move the money twice: the totals hold anyway.
      co_await tenant.run([&](Transaction& tr) -> Future<Void> {
        const int64_t from_balance = std::stoll((co_await tr.get(account_key(from))).value_or("0"));
        const int64_t to_balance = std::stoll((co_await tr.get(account_key(to))).value_or("0"));
        if (from_balance < amount) co_return;
        tr.set(account_key(from), std::to_string(from_balance - amount));
        tr.set(account_key(to), std::to_string(to_balance + amount));
      });
      ++transfers_;
    }
  }

  Future<Void> churn_client(Database database, WorkloadContext* context) {
    Random& random = env().random();
    for (int64_t round = 0; now() < end_time_; ++round) {
      co_await delay(random.exponential(churn_interval_s_));
      const std::string name = "scratch/" + std::to_string(round);
      co_await set_tenant_exists(database, name, /*exists=*/true);
      Tenant tenant = database.open_tenant(name);
      const Key prefix = tenant_prefix(co_await tenant.get_id());
      co_await tenant.run([](Transaction& tr) -> Future<Void> {
        tr.set("a", "1");
        tr.set("b", "2");
        co_return;
      });
      RangeResult raw = co_await database.run(
          [prefix](Transaction& tr) { return tr.get_range(prefix, strinc(prefix)); });
      if (raw.rows != std::vector<KeyValue>{{prefix + "a", "1"}, {prefix + "b", "2"}}) {
        context->fail(this->name(), "scratch tenant " + name + "'s keys are not under its prefix");
      }
      std::optional<ErrorCode> refused;
      try {
        co_await set_tenant_exists(database, name, /*exists=*/false);
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        refused = error.code();
      }
      if (refused != ErrorCode::tenant_not_empty) {
        context->fail(this->name(), "deleting scratch tenant " + name + " while it held keys " +
                                        (refused ? "failed with another error" : "succeeded"));
        co_return;
      }
      co_await tenant.run([](Transaction& tr) -> Future<Void> {
        tr.clear_range("", std::string(normal_keys_end));
        co_return;
      });
      co_await set_tenant_exists(database, name, /*exists=*/false);
      std::optional<ErrorCode> after;
      try {
        co_await tenant.run([](Transaction& tr) { return tr.get("a"); });
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        after = error.code();
      }
      if (after != ErrorCode::tenant_not_found) {
        context->fail(this->name(), "a transaction of deleted tenant " + name +
                                        " did not fail with tenant_not_found");
      }
      ++scratch_rounds_;
    }
  }

  const int64_t tenants_;
  const int64_t accounts_;
  const int64_t initial_balance_;
  const int64_t clients_;
  const double transaction_interval_s_;
  const double churn_interval_s_;
  double end_time_ = 0;
  uint64_t transfers_ = 0;
  uint64_t scratch_rounds_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_tenants_workload(Options& options) {
  return std::make_unique<TenantsWorkload>(options);
}

}  // namespace strata
