#include "strata/database.h"

#include "client/database_context.h"
#include "interfaces/tenant_map.h"

namespace strata {

Future<Database> Database::open_cluster_file(std::string path) {
  ClusterConnectionString connection = co_await read_cluster_file(path);
  co_return open(std::move(connection), std::move(path));
}

Database Database::open(ClusterConnectionString connection, std::string cluster_file) {
  auto context = std::make_shared<DatabaseContext>(std::move(connection));
  context->start(std::move(cluster_file));
  return Database(std::move(context));
}

Database Database::open(ClusterConnectionString connection) {
  auto context = std::make_shared<DatabaseContext>(std::move(connection));
  context->start();
  return Database(std::move(context));
}

Transaction Database::create_transaction() const {
  return Transaction(context_);
}

Tenant Database::open_tenant(std::string name) const {
  return Tenant(*this, std::move(name));
}

Tenant::Tenant(Database database, std::string name)
    : database_(std::move(database)), name_(std::move(name)) {
  check_tenant_name(name_);
}

Transaction Tenant::create_transaction() const {
  return Transaction(database_.context(), name_);
}

Future<int64_t> Tenant::get_id() const {
  return run([](Transaction& transaction) { return transaction.get_tenant_id(); });
}

void Database::set_max_watches(int64_t limit) {
  if (limit < 0 || limit > 1'000'000) {
    throw Error(ErrorCode::invalid_option_value,
                "max_watches takes 0 to 1000000, not " + std::to_string(limit));
  }
  context_->set_max_watches(limit);
}

void Database::set_machine_id(std::string machine) {
  context_->locality().machine = std::move(machine);
}

void Database::set_datacenter_id(std::string zone) {
  context_->locality().zone = std::move(zone);
}

}  // namespace strata
