#pragma once

// Strata's native C++ client.
//
//   Database db = co_await Database::open_cluster_file("strata.cluster");
//   co_await db.run([](Transaction& tr) -> Future<Void> {
//     std::optional<Value> balance = co_await tr.get("alice");
//     tr.set("alice", "100");
//     co_return;
//   });
//
// The client runs on Strata's runtime: the calling process must have an environment
// running (see src/runtime/environment.h) and a client transport installed
// (Transport::install with no listen address). Every call is made from the environment's
// loop; calls returning a Future may suspend. Errors are FoundationDB's codes (see
// transaction.h).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "client/cluster_connection.h"
#include "runtime/future.h"
#include "strata/transaction.h"

namespace strata {

class DatabaseContext;
class Tenant;

class Database {
 public:
  // Reads a cluster file (description:id@ip:port,...). Fails with file_not_found or
  // connection_string_invalid naming the file.
  static Future<Database> open_cluster_file(std::string path);
  static Database open(ClusterConnectionString connection);
  // With `cluster_file` (the file `connection` came from): when the coordinators move the
  // cluster to a new set, the file is rewritten with the new connection string.
  static Database open(ClusterConnectionString connection, std::string cluster_file);

  Database() = default;
  bool is_valid() const { return context_ != nullptr; }

  Transaction create_transaction() const;
  // Tenant `name` (see Tenant); whether it exists is checked by its transactions. Fails
  // with invalid_tenant_name (2134) for a name beginning with \xff.
  Tenant open_tenant(std::string name) const;

  // FoundationDB's max_watches option: at most this many watches wait at once (default
  // 10,000; [0, 1,000,000]); one more fails with too_many_watches (1032).
  void set_max_watches(int64_t limit);

  // FoundationDB's machine_id and datacenter_id options: reads go first to the copies of a
  // shard on the machine named (a server's --machine), then to those in the zone named (a
  // server's --zone; Strata's zones take the part of FoundationDB's data centres here).
  void set_machine_id(std::string machine);
  void set_datacenter_id(std::string zone);

  // Runs `body(transaction)` and commits, retrying as on_error says until it succeeds or
  // fails with an error that is not retryable. `body` returns a Future; its value is the
  // result. The body may run several times, so it must not have effects outside the
  // transaction that cannot be repeated.
  template <class Body>
  auto run(Body body) -> std::invoke_result_t<Body&, Transaction&>;

  std::shared_ptr<DatabaseContext> context() const { return context_; }

 private:
  explicit Database(std::shared_ptr<DatabaseContext> context) : context_(std::move(context)) {}

  std::shared_ptr<DatabaseContext> context_;
};

// A tenant (FoundationDB's): a named key space of its own. Its transactions read and write
// only its keys, given without the tenant's prefix; they have no system keyspace and no
// special key space. They fail with tenant_not_found (2131) while the tenant does not
// exist, and with tenants_disabled (2136) while the cluster's tenant_mode does not allow
// tenants. Tenants are created and deleted through FoundationDB's management module,
// \xff\xff/management/tenant/map/<name> (see transaction.h).
class Tenant {
 public:
  Tenant(Database database, std::string name);
  const std::string& name() const { return name_; }
  Transaction create_transaction() const;
  // The tenant's id now (its prefix is the id's 8 bytes, big-endian); tenant_not_found
  // if it does not exist.
  Future<int64_t> get_id() const;
  // As Database::run, in the tenant.
  template <class Body>
  auto run(Body body) const -> std::invoke_result_t<Body&, Transaction&>;

 private:
  Database database_;
  std::string name_;
};

namespace detail {

template <class Result>
Future<Result> run_transaction(Transaction transaction,
                               std::function<Future<Result>(Transaction&)> body) {
  while (true) {
    std::optional<Error> failure;
    try {
      if constexpr (std::is_same_v<Result, Void>) {
        co_await body(transaction);
        co_await transaction.commit();
        co_return;
      } else {
        Result result = co_await body(transaction);
        co_await transaction.commit();
        co_return result;
      }
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    co_await transaction.on_error(*failure);
  }
}

}  // namespace detail

template <class Body>
auto Database::run(Body body) -> std::invoke_result_t<Body&, Transaction&> {
  using ResultFuture = std::invoke_result_t<Body&, Transaction&>;
  using Result = typename ResultFuture::ValueType;
  return detail::run_transaction<Result>(
      create_transaction(), std::function<Future<Result>(Transaction&)>(std::move(body)));
}

template <class Body>
auto Tenant::run(Body body) const -> std::invoke_result_t<Body&, Transaction&> {
  using ResultFuture = std::invoke_result_t<Body&, Transaction&>;
  using Result = typename ResultFuture::ValueType;
  return detail::run_transaction<Result>(
      create_transaction(), std::function<Future<Result>(Transaction&)>(std::move(body)));
}

}  // namespace strata
