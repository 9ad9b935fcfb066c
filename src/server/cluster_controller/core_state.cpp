#include "server/cluster_controller/core_state.h"

#include <map>
#include <set>

#include "rpc/sealed_record.h"
#include "rpc/serialize.h"
#include "runtime/assert.h"

namespace strata {

namespace {

// Format 2 added redundancy modes: a configuration's copies, storage servers' zones and
// several shards per server.
constexpr uint32_t core_state_format = 2;

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
    CoreState state{cluster_id, epoch, current, old, {}, configuration.configuration, moving_to};
    for (const Storage& server : storage) {
      state.storage.push_back(StorageServerState{
          server.id, server.tag, {server.shard}, server.address, {}, server.epoch});
    }
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

std::vector<ShardTeam> shard_teams(const std::vector<StorageServerState>& storage) {
  std::map<Key, ShardTeam> by_begin;
  for (size_t i = 0; i < storage.size(); ++i) {
    for (const KeyRange& shard : storage[i].shards) {
      ShardTeam& team = by_begin[shard.begin];
      STRATA_ASSERT_MSG(team.servers.empty() || team.range == shard,
                        "two storage servers hold overlapping shards that differ");
      team.range = shard;
      team.servers.push_back(i);
    }
  }
  std::vector<ShardTeam> teams;
  for (auto& [begin, team] : by_begin)
    teams.push_back(std::move(team));
  return teams;
}

void check_core_state(const CoreState& state) {
  if (!state.current) {
    STRATA_ASSERT_MSG(state.old.empty() && state.storage.empty(),
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
  for (const ShardTeam& team : shard_teams(state.storage)) {
    STRATA_ASSERT_MSG(team.range.begin == next, "the shards leave a gap or overlap");
    STRATA_ASSERT_MSG(team.range.begin < team.range.end, "a shard is empty");
    std::set<std::string> zones;
    for (size_t server : team.servers) {
      const std::string& zone = state.storage[server].locality.zone;
      STRATA_ASSERT_MSG(zone.empty() || zones.insert(zone).second,
                        "two copies of a shard are in one zone");
    }
    next = team.range.end;
  }
  STRATA_ASSERT_MSG(state.storage.empty() || next == all_keys_end,
                    "the shards do not reach the end of the key space");
}

}  // namespace strata
