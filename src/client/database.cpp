#include "strata/database.h"

#include "client/database_context.h"

namespace strata {

Future<Database> Database::open_cluster_file(std::string path) {
  ClusterConnectionString connection = co_await read_cluster_file(std::move(path));
  co_return open(std::move(connection));
}

Database Database::open(ClusterConnectionString connection) {
  auto context = std::make_shared<DatabaseContext>(std::move(connection));
  context->start();
  return Database(std::move(context));
}

Transaction Database::create_transaction() const {
  return Transaction(context_);
}

}  // namespace strata
