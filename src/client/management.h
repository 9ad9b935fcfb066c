#pragma once

// Managing a cluster (what the shell's configure, coordinators and kill do): requests to
// the elected cluster controller, or to one server process.

#include <string>
#include <vector>

#include "interfaces/tenant_map.h"
#include "runtime/future.h"
#include "runtime/network_address.h"
#include "runtime/uid.h"
#include "strata/database.h"

namespace strata {

// Changes the database configuration with FoundationDB's words (logs=N, commit_proxies=N,
// grv_proxies=N, resolvers=N, proxies=N, memory, rocksdb) and returns the configuration
// now recorded. It takes effect through a recovery. tenant_mode=disabled|
// optional_experimental (whether tenants may be created and used) takes effect at once.
// Fails with client_invalid_operation naming a bad word.
Future<std::string> configure_database(Database database, std::vector<std::string> words);

// Creates (`exists`) or deletes tenant `name` through the management module, retrying as
// on_error says; creating one that exists or deleting one that does not changes nothing.
// Fails as the module does (tenants_disabled, tenant_not_empty, ...).
Future<Void> set_tenant_exists(Database database, std::string name, bool exists);

// The database's tenant_mode (interfaces/tenant_map.h).
Future<TenantMode> read_tenant_mode(Database database);

// Moves the cluster to these coordinators (automatic: a set the controller picks across
// zones) and returns the new connection string. Fails with client_invalid_operation when
// the set is refused (even, repeated, not processes of the cluster) and
// new_coordinators_timed_out when they do not all answer.
Future<std::string> change_coordinators(Database database, std::vector<NetworkAddress> coordinators,
                                        bool automatic);

// Drops storage server `id` from the database once no shard names it (the data
// distributor's last step for a server lost for good); fails with operation_failed while a
// shard still does, as the controller last recorded the map.
Future<Void> remove_storage_server(Database database, UID id);

// Asks the server process at `address` to restart (it answers first).
Future<Void> reboot_process(NetworkAddress address, double delay_s = 0);

}  // namespace strata
