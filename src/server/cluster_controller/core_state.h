#pragma once

// The cluster's core state: what the coordinators keep (in their generation registers) so
// that any process elected cluster controller can recover the database. It names the
// database, the newest generation claimed, the logs of the last recovered generation and
// of older ones whose data storage servers may still need, the storage servers, the shard
// map as of a recent version, and the configuration. It changes at recoveries,
// configuration changes, when old generations are dropped, and when the controller records
// the shard map's changes (which the database itself keeps in \xff/keyServers/: the copy
// here is how a recovery learns the map without reading the database).

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "interfaces/database_configuration.h"
#include "interfaces/locality.h"
#include "interfaces/log_interface.h"
#include "interfaces/shard_map.h"
#include "interfaces/types.h"
#include "runtime/network_address.h"
#include "runtime/uid.h"

namespace strata {

struct LogLocation {
  UID id;
  // Where the log's worker was when the log was recorded; its endpoints derive from its id.
  NetworkAddress address;

  friend bool operator==(const LogLocation&, const LogLocation&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, address);
  }
};

// One generation's logs: they hold the versions after `begin`, up to `end` once a later
// recovery ended the generation. Every log listed holds all of them.
struct LogGenerationState {
  uint64_t epoch = 0;
  Version begin = 0;
  Version end = std::numeric_limits<Version>::max();
  std::vector<LogLocation> logs;

  friend bool operator==(const LogGenerationState&, const LogGenerationState&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, begin, end, logs);
  }
};

struct StorageServerState {
  UID id;
  Tag tag = 0;
  NetworkAddress address;
  // The locality of the process it was created on (a storage server never moves).
  Locality locality;
  // The generation it was created in.
  uint64_t epoch = 0;

  friend bool operator==(const StorageServerState&, const StorageServerState&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, tag, address, locality, epoch);
  }
};

// One shard and the storage servers holding it (indexes into CoreState::storage): its
// source team, and while it moves, the team it moves to.
struct ShardTeam {
  KeyRange range;
  std::vector<size_t> servers;
  std::vector<size_t> moving_to;
};

struct CoreState {
  // Names the database; recorded in every server's data folder.
  UID cluster_id;
  // The newest generation a recovery claimed. Every recovery claims a new one before it
  // recruits anything, so no two attempts ever share an epoch.
  uint64_t epoch = 0;
  // The last generation that completed its recovery; none until the database exists.
  std::optional<LogGenerationState> current;
  // Older generations, newest first; each one's end is the begin of the one after it.
  std::vector<LogGenerationState> old;
  std::vector<StorageServerState> storage;
  // The shard map as of `shard_map_version`: every shard is held by a team of servers in
  // distinct zones, one per copy the redundancy mode keeps. Its later changes are on the
  // current generation's logs (txs_tag).
  std::vector<ShardMapEntry> shard_map;
  Version shard_map_version = 0;
  DatabaseConfiguration configuration;
  // While the coordinators change: the new connection string. Whoever reads a core state
  // with this set finishes the move before anything else.
  std::string moving_to;

  bool database_exists() const { return current.has_value(); }
  friend bool operator==(const CoreState&, const CoreState&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(cluster_id, epoch, current, old, storage, shard_map, shard_map_version, configuration,
            moving_to);
  }
};

// The register value: a format version, then the state, sealed with a checksum.
std::string encode_core_state(const CoreState& state);
// Throws file_corrupt when the value is damaged, and unsupported_operation for a format
// this version does not know.
CoreState decode_core_state(std::string_view value);

// The shard map with each team as indexes into state.storage.
std::vector<ShardTeam> shard_teams(const CoreState& state);

// Checks the invariants a core state must keep (generations contiguous and newest first,
// each with logs, epochs increasing, tags and ids unique, the shards covering the key space
// once, each held by at least one server and never twice in one zone); asserts on a
// violation.
void check_core_state(const CoreState& state);

}  // namespace strata
