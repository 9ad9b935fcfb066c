#pragma once

// How a cluster is laid out: how many processes it waits for before it first starts, and
// how many of each stateful role it runs. (Set at startup for now; `configure` changes it
// once the configuration lives in the database.)

#include <cstdint>
#include <string>
#include <vector>

#include "interfaces/types.h"
#include "server/storage/engines/key_value_store.h"

namespace strata {

struct ClusterConfiguration {
  // Processes that must have registered before a new cluster is first recruited.
  int workers_expected = 1;
  // Log servers; each holds every mutation (full replicas).
  int logs = 1;
  // Storage servers; the keyspace is split evenly among them, one shard each.
  int storage_servers = 1;
  StorageEngine engine = StorageEngine::memory;
};

// The shards of `count` storage servers: the keyspace cut at evenly spaced first bytes.
std::vector<KeyRange> initial_shards(int count);

}  // namespace strata
