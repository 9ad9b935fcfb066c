#pragma once

// A commit proxy: batches client commits, gets each batch a commit version from the
// sequencer, has the resolvers decide conflicts, tags every committed mutation with the
// storage servers that own its key, pushes the batch to every log, waits until all logs
// have it durably, reports the version to the sequencer, and only then answers the
// clients. It also answers where keys live (the shard map), and applies each committed
// change to the map at its version (see interfaces/shard_map.h). Runs until cancelled.

#include <cstdint>
#include <vector>

#include "interfaces/cluster_interface.h"
#include "runtime/future.h"

namespace strata {

CommitProxyInterface make_commit_proxy_interface(UID id);

struct CommitProxyOptions {
  uint64_t epoch = 0;
  // Its place among the generation's commit proxies.
  int index = 0;
  // The generation's first version: commits chain from it.
  Version start_version = 0;
  SequencerInterface sequencer;
  std::vector<ResolverInterface> resolvers;
  // The key range each resolver decides, in order: together the whole key space.
  std::vector<KeyRange> resolver_ranges;
  std::vector<LogInterface> logs;
  // The shard map as of the generation's recovery version, and the storage servers it names.
  std::vector<ShardMapEntry> shard_map;
  std::vector<StorageInterface> storage_servers;
};

Future<Void> run_commit_proxy(CommitProxyInterface interface, CommitProxyOptions options);

}  // namespace strata
