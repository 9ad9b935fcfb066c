// fdb_create_database and the fdb_database_* and fdb_tenant_* functions.

#define FDB_API_VERSION 730
#include <cstdlib>
#include <fstream>  // lint: allows file because the cluster file is read before any loop runs
#include <sstream>

#include "fdb_c/future_cell.h"
#include "fdb_c/handles.h"
#include "fdb_c/network.h"
#include "foundationdb/fdb_c.h"
#include "interfaces/tenant_map.h"
#include "runtime/combinators.h"
#include "runtime/json_writer.h"

using strata::Error;
using strata::ErrorCode;
using strata::Future;
using strata::fdb_c::Network;

namespace {

constexpr fdb_error_t code(ErrorCode error) {
  return static_cast<fdb_error_t>(error);
}

// How long fdb_database_get_client_status waits for a read version before it reports the
// database unhealthy.
constexpr double client_status_probe_s = 2.0;

// The file's contents, or nullopt if it cannot be read.
std::optional<std::string> read_whole_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);  // lint: allows file because no loop runs yet
  if (!file) return std::nullopt;
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad()) return std::nullopt;
  return contents.str();
}

// FoundationDB's search for a cluster file when none is named: $FDB_CLUSTER_FILE, then
// ./fdb.cluster, then /etc/foundationdb/fdb.cluster.
std::vector<std::string> cluster_file_candidates(const char* named) {
  if (named != nullptr && named[0] != '\0') return {named};
  std::vector<std::string> candidates;
  if (const char* from_environment = std::getenv("FDB_CLUSTER_FILE");
      from_environment != nullptr && from_environment[0] != '\0') {
    return {from_environment};
  }
  return {"fdb.cluster", "/etc/foundationdb/fdb.cluster"};
}

Future<std::string> client_status(strata::Database database, std::string cluster_file,
                                  strata::ClusterConnectionString connection) {
  bool healthy = true;
  try {
    co_await strata::timeout_error(database.create_transaction().get_read_version(),
                                   client_status_probe_s);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    healthy = false;
  }
  strata::JsonWriter json;
  json.begin_object();
  json.key("Healthy").value(healthy);
  json.key("InitializationState").value("initialized");
  json.key("ConnectionRecord").value(cluster_file);
  json.key("ConnectionString").value(connection.to_string());
  json.key("Coordinators").begin_array();
  for (const strata::NetworkAddress& address : connection.coordinators)
    json.value(address.to_string());
  json.end_array();
  json.end_object();
  co_return json.text();
}

}  // namespace

extern "C" {

fdb_error_t fdb_create_database(const char* cluster_file_path, FDBDatabase** out_database) {
  if (Network::instance().api_version() == 0) return code(ErrorCode::api_version_unset);
  std::string path;
  std::optional<std::string> contents;
  for (const std::string& candidate : cluster_file_candidates(cluster_file_path)) {
    contents = read_whole_file(candidate);
    if (contents) {
      path = candidate;
      break;
    }
  }
  if (!contents) return code(ErrorCode::no_cluster_file_found);
  auto database = std::make_unique<FDBDatabase>();
  try {
    database->connection = strata::parse_cluster_file(*contents, path);
  } catch (const Error& error) {
    return error.number();
  }
  database->cluster_file = path;
  FDBDatabase* handle = database.release();
  Network::instance().post(
      [handle] { handle->database = strata::Database::open(handle->connection); });
  *out_database = handle;
  return 0;
}

void fdb_database_destroy(FDBDatabase* d) {
  // After the network stopped, the handle is left as it is (see release_future).
  Network::instance().post([d] { delete d; });
}

fdb_error_t fdb_database_set_option(FDBDatabase* d, FDBDatabaseOption option, uint8_t const* value,
                                    int value_length) {
  strata::fdb_c::DatabaseOption parsed;
  if (fdb_error_t error =
          strata::fdb_c::parse_database_option(option, value, value_length, &parsed)) {
    return error;
  }
  if (parsed.transaction_default.code != 0) d->defaults->add(parsed.transaction_default);
  if (parsed.max_watches >= 0) {
    Network::instance().post(
        [d, limit = parsed.max_watches] { d->database.set_max_watches(limit); });
  }
  if (parsed.machine_id) {
    Network::instance().post([d, id = *parsed.machine_id] { d->database.set_machine_id(id); });
  }
  if (parsed.datacenter_id) {
    Network::instance().post(
        [d, id = *parsed.datacenter_id] { d->database.set_datacenter_id(id); });
  }
  return 0;
}

fdb_error_t fdb_database_create_transaction(FDBDatabase* d, FDBTransaction** out_transaction) {
  auto transaction = std::make_unique<FDBTransaction>();
  transaction->core->defaults = d->defaults;
  Network::instance().post([d, core = transaction->core] {
    core->transaction.emplace(d->database.create_transaction());
    strata::fdb_c::apply_default_options(*core);
  });
  *out_transaction = transaction.release();
  return 0;
}

fdb_error_t fdb_database_open_tenant(FDBDatabase* d, uint8_t const* name, int name_length,
                                     FDBTenant** out_tenant) {
  if (name_length < 0 || (name == nullptr && name_length > 0)) {
    return code(ErrorCode::invalid_tenant_name);
  }
  std::string tenant_name(reinterpret_cast<const char*>(name), static_cast<size_t>(name_length));
  try {
    strata::check_tenant_name(tenant_name);
  } catch (Error& error) {
    return error.number();
  }
  auto tenant = std::make_unique<FDBTenant>();
  tenant->defaults = d->defaults;
  Network::instance().post([d, handle = tenant.get(), tenant_name = std::move(tenant_name)] {
    handle->tenant.emplace(d->database.open_tenant(tenant_name));
  });
  *out_tenant = tenant.release();
  return 0;
}

FDBFuture* fdb_database_get_client_status(FDBDatabase* d) {
  return strata::fdb_c::start_operation<std::string>(
      [d] { return client_status(d->database, d->cluster_file, d->connection); },
      [](FDBFuture& future, const std::string& json) { strata::fdb_c::fill_key(future, json); });
}

fdb_error_t fdb_tenant_create_transaction(FDBTenant* tenant, FDBTransaction** out_transaction) {
  auto transaction = std::make_unique<FDBTransaction>();
  transaction->core->defaults = tenant->defaults;
  transaction->core->in_tenant = true;
  Network::instance().post([tenant, core = transaction->core] {
    core->transaction.emplace(tenant->tenant->create_transaction());
    strata::fdb_c::apply_default_options(*core);
  });
  *out_transaction = transaction.release();
  return 0;
}

void fdb_tenant_destroy(FDBTenant* tenant) {
  // After the tasks naming it, as fdb_database_destroy.
  Network::instance().post([tenant] { delete tenant; });
}

FDBFuture* fdb_tenant_get_id(FDBTenant* tenant) {
  return strata::fdb_c::start_operation<int64_t>(
      [tenant] { return tenant->tenant->get_id(); },
      [](FDBFuture& future, const int64_t& id) { strata::fdb_c::fill_number(future, id); });
}

}  // extern "C"
