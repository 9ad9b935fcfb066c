#pragma once

// How a new database is laid out when the controller creates one (the coordinators hold no
// core state yet). Afterwards the configuration lives in the core state and `configure`
// changes it.

#include <cstdint>
#include <string>
#include <vector>

#include "interfaces/database_configuration.h"
#include "interfaces/types.h"
#include "server/storage/engines/key_value_store.h"

namespace strata {

struct ClusterConfiguration {
  // Workers that must have registered before a new database is created. 0: the processes
  // of the coordinators, then new_database_settle_s without a new registration.
  int workers_expected = 0;
  // Storage servers of a new database. 0: one per process of class storage (or, when there
  // is none, per process of class unset; at least one).
  int storage_servers = 0;
  // The roles each generation recruits and the storage engine; logs = 0 asks for one log
  // per process of class log (at least one, at most five).
  DatabaseConfiguration database;
};

// The shards of `count` storage servers (or the key ranges of `count` resolvers): the key
// space cut at evenly spaced first bytes.
std::vector<KeyRange> initial_shards(int count);

}  // namespace strata
