#include "server/cluster_controller/core_state.h"

#include <map>
#include <set>

#include "rpc/sealed_record.h"
#include "rpc/serialize.h"
#include "runtime/assert.h"

namespace strata {

namespace {

// Format 2 added redundancy modes: a configuration's copies, storage servers' zones and
// several shards per server. Format 3 moved the shards from the servers into a shard map
// with moving teams, as of a version.
constexpr uint32_t core_state_format = 3;

// The shard map of a format 1 or 2 core state, from each server's shards.
std::vector<ShardMapEntry> map_of_server_shards(
    const std::vector<std::pair<UID, std::vector<KeyRange>>>& shards) {
  std::map<Key, ShardMapEntry> by_begin;
  for (const auto& [id, ranges] : shards) {
    for (const KeyRange& range : ranges) {
      ShardMapEntry& entry = by_begin[range.begin];
      entry.range = range;
      entry.teams.src.push_back(id);
    }
  }
  std::vector<ShardMapEntry> map;
  for (auto& [begin, entry] : by_begin)
    map.push_back(std::move(entry));
  return map;
}

// Format 2, read so that a cluster created before the shard map moved recovers.
struct CoreStateFormat2 {
  struct Storage {
    UID id;
    Tag tag = 0;
    std::vector<KeyRange> shards;
    NetworkAddress address;
    Locality locality;
    uint64_t epoch = 0;

    template <class Archive>
    void serialize(Archive& archive) {
      archive(id, tag, shards, address, locality, epoch);
    }
  };
  UID cluster_id;
  uint64_t epoch = 0;
  std::optional<LogGenerationState> current;
  std::vector<LogGenerationState> old;
  std::vector<Storage> storage;
  DatabaseConfiguration configuration;
  std::string moving_to;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(cluster_id, epoch, current, old, storage, configuration, moving_to);
  }

  CoreState upgraded() const {
    CoreState state{cluster_id,    epoch,    current, old, {}, {}, current ? current->begin : 0,
                    configuration, moving_to};
    std::vector<std::pair<UID, std::vector<KeyRange>>> shards;
    for (const Storage& server : storage) {
      state.storage.push_back(
          StorageServerState{server.id, server.tag, server.address, server.locality, server.epoch});
      shards.emplace_back(server.id, server.shards);
    }
    state.shard_map = map_of_server_shards(shards);
    return state;
  }
};

// Format 1, read so that a cluster created before redundancy modes recovers (as single).
struct CoreStateFormat1 {
  struct Storage {
    UID id;
    Tag tag = 0;
    KeyRange shard;
    NetworkAddress address;
    uint64_t epoch = 0;

    template <class Archive>
    void serialize(Archive& archive) {
      archive(id, tag, shard, address, epoch);
    }
  };
  struct Configuration {
    DatabaseConfiguration configuration;

    template <class Archive>
    void serialize(Archive& archive) {
      archive(configuration.logs, configuration.commit_proxies, configuration.grv_proxies,
              configuration.resolvers, configuration.storage_engine);
    }
  };
  UID cluster_id;
  uint64_t epoch = 0;
  std::optional<LogGenerationState> current;
  std::vector<LogGenerationState> old;
  std::vector<Storage> storage;
  Configuration configuration;
  std::string moving_to;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(cluster_id, epoch, current, old, storage, configuration, moving_to);
  }

  CoreState upgraded() const {
    CoreState state{cluster_id,
                    epoch,
                    current,
                    old,
                    {},
                    {},
                    current ? current->begin : 0,
                    configuration.configuration,
                    moving_to};
    std::vector<std::pair<UID, std::vector<KeyRange>>> shards;
    for (const Storage& server : storage) {
      state.storage.push_back(
          StorageServerState{server.id, server.tag, server.address, {}, server.epoch});
      shards.emplace_back(server.id, std::vector<KeyRange>{server.shard});
    }
    state.shard_map = map_of_server_shards(shards);
    return state;
  }
};

struct VersionedCoreState {
  uint32_t format = core_state_format;
  CoreState state;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(format);
    if constexpr (!Archive::is_writer) {
      if (format == 1) {
        CoreStateFormat1 old;
        archive(old);
        state = old.upgraded();
        return;
      }
      if (format == 2) {
        CoreStateFormat2 old;
        archive(old);
        state = old.upgraded();
        return;
      }
      if (format != core_state_format) {
        throw Error(ErrorCode::unsupported_operation,
                    "the coordinators hold a core state of format " + std::to_string(format) +
                        "; this version of Strata reads format " +
                        std::to_string(core_state_format));
      }
    }
    archive(state);
  }
};

}  // namespace

std::string encode_core_state(const CoreState& state) {
  VersionedCoreState versioned{core_state_format, state};
  return seal_record(serialize_to_bytes(versioned));
}

CoreState decode_core_state(std::string_view value) {
  std::string_view body = unseal_record(value, "the core state held by the coordinators");
  VersionedCoreState versioned;
  try {
    versioned = deserialize_from_bytes<VersionedCoreState>(body);
  } catch (Error& error) {
    if (!error.is(ErrorCode::serialization_failed)) throw;
    throw Error(ErrorCode::file_corrupt,
                "the core state held by the coordinators does not decode: " + error.message());
  }
  return std::move(versioned.state);
}

std::vector<ShardTeam> shard_teams(const CoreState& state) {
  std::map<UID, size_t> index;
  for (size_t i = 0; i < state.storage.size(); ++i)
    index[state.storage[i].id] = i;
  auto indexes = [&index](const std::vector<UID>& ids) {
    std::vector<size_t> found;
    for (const UID& id : ids) {
      auto it = index.find(id);
      STRATA_ASSERT_MSG(it != index.end(), "the shard map names an unknown storage server");
      found.push_back(it->second);
    }
    return found;
  };
  std::vector<ShardTeam> teams;
  for (const ShardMapEntry& entry : state.shard_map)
    teams.push_back(ShardTeam{entry.range, indexes(entry.teams.src), indexes(entry.teams.dest)});
  return teams;
}

void check_core_state(const CoreState& state) {
  if (!state.current) {
    STRATA_ASSERT_MSG(state.old.empty() && state.storage.empty() && state.shard_map.empty(),
                      "a core state without a database holds generations or storage servers");
    return;
  }
  STRATA_ASSERT_MSG(state.current->epoch <= state.epoch, "the current generation is unclaimed");
  STRATA_ASSERT_MSG(!state.current->logs.empty(), "the current generation has no logs");
  const LogGenerationState* newer = &*state.current;
  for (const LogGenerationState& old : state.old) {
    STRATA_ASSERT_MSG(!old.logs.empty(), "an old generation has no logs");
    STRATA_ASSERT_MSG(old.epoch < newer->epoch, "old generations are not newest first");
    STRATA_ASSERT_MSG(old.end == newer->begin, "old generations are not contiguous");
    STRATA_ASSERT_MSG(old.begin <= old.end, "an old generation ends before it begins");
    newer = &old;
  }
  std::set<Tag> tags;
  std::set<UID> ids;
  for (const StorageServerState& storage : state.storage) {
    STRATA_ASSERT_MSG(tags.insert(storage.tag).second, "two storage servers share a tag");
    STRATA_ASSERT_MSG(ids.insert(storage.id).second, "two storage servers share an id");
  }
  const int replication = state.configuration.replication;
  STRATA_ASSERT_MSG(replication >= 1 && replication <= replication_max,
                    "the configuration keeps no valid number of copies");
  Key next;
  for (const ShardTeam& team : shard_teams(state)) {
    STRATA_ASSERT_MSG(team.range.begin == next, "the shards leave a gap or overlap");
    STRATA_ASSERT_MSG(team.range.begin < team.range.end, "a shard is empty");
    STRATA_ASSERT_MSG(!team.servers.empty(), "a shard has no source team");
    for (const std::vector<size_t>* members : {&team.servers, &team.moving_to}) {
      // While a shard moves, its sources may include servers an abandoned earlier move
      // had filled (kept for their copy, see move_keys), in any zone.
      if (members == &team.servers && !team.moving_to.empty()) continue;
      std::set<std::string> zones;
      for (size_t server : *members) {
        const std::string& zone = state.storage[server].locality.zone;
        STRATA_ASSERT_MSG(zone.empty() || zones.insert(zone).second,
                          "two copies of a shard are in one zone");
      }
    }
    next = team.range.end;
  }
  STRATA_ASSERT_MSG(state.storage.empty() || next == all_keys_end,
                    "the shards do not reach the end of the key space");
  // A recovery reads the map's later changes from the current generation's logs.
  STRATA_ASSERT_MSG(state.shard_map_version >= state.current->begin,
                    "the shard map is older than the current generation");
}

}  // namespace strata
