// The controller's pure parts: where roles are recruited, the core state's encoding and
// checks, the configuration words, and which leader a client follows.

#include "server/cluster_controller/recruitment.h"

#include <set>

#include <gtest/gtest.h>

#include "client/leader_monitor.h"
#include "interfaces/database_configuration.h"
#include "rpc/sealed_record.h"
#include "rpc/serialize.h"
#include "server/cluster_controller/core_state.h"
#include "server/cluster_controller/storage_teams.h"

namespace strata {
namespace {

RecruitCandidate candidate(uint16_t port, ProcessClass process_class, std::string zone,
                           bool excluded = false) {
  return RecruitCandidate{NetworkAddress(0x0a000001, port), Locality{process_class, zone, zone},
                          excluded};
}

std::vector<uint16_t> ports(const std::vector<RecruitCandidate>& candidates,
                            const std::vector<size_t>& picks) {
  std::vector<uint16_t> result;
  for (size_t pick : picks)
    result.push_back(candidates[pick].address.port());
  std::sort(result.begin(), result.end());
  return result;
}

TEST(RecruitmentTest, RolesGoToTheProcessesOfTheirClass) {
  std::vector<RecruitCandidate> candidates = {
      candidate(1, ProcessClass::storage, "a"), candidate(2, ProcessClass::stateless, "b"),
      candidate(3, ProcessClass::log, "c"), candidate(4, ProcessClass::log, "d"),
      candidate(5, ProcessClass::unset, "e")};
  RecruitLoad load;
  EXPECT_EQ(ports(candidates, pick_processes(candidates, RoleKind::log, 2, load)),
            (std::vector<uint16_t>{3, 4}));
  EXPECT_EQ(ports(candidates, pick_processes(candidates, RoleKind::sequencer, 1, load)),
            (std::vector<uint16_t>{2}));
  EXPECT_EQ(ports(candidates, pick_processes(candidates, RoleKind::storage, 1, load)),
            (std::vector<uint16_t>{1}));
  // A second stateless role: the stateless process is still the best fit...
  EXPECT_EQ(ports(candidates, pick_processes(candidates, RoleKind::commit_proxy, 1, load)),
            (std::vector<uint16_t>{2}));
  // ...and with more copies than stateless processes, the unset one takes the second, and
  // the stateless one the third: a second copy on it costs what a first on the unset one
  // does, and the log and storage processes fit worse still.
  EXPECT_EQ(ports(candidates, pick_processes(candidates, RoleKind::resolver, 3, load)),
            (std::vector<uint16_t>{2, 2, 5}));
}

TEST(RecruitmentTest, CopiesOfDataNeverShareAZoneWhileAnotherZoneHasAProcess) {
  // Two log processes in one zone, an unset one and a storage one elsewhere.
  std::vector<RecruitCandidate> candidates = {
      candidate(1, ProcessClass::log, "a"), candidate(2, ProcessClass::log, "a"),
      candidate(3, ProcessClass::unset, "b"), candidate(4, ProcessClass::storage, "c")};
  RecruitLoad load;
  EXPECT_EQ(ports(candidates, pick_processes(candidates, RoleKind::log, 2, load)),
            (std::vector<uint16_t>{1, 3}));
  RecruitLoad again;
  EXPECT_EQ(ports(candidates, pick_processes(candidates, RoleKind::log, 3, again)),
            (std::vector<uint16_t>{1, 3, 4}));
  // More copies than zones: the zones are used evenly, then the best fit.
  RecruitLoad more;
  std::vector<size_t> four = pick_processes(candidates, RoleKind::log, 4, more);
  EXPECT_EQ(ports(candidates, four), (std::vector<uint16_t>{1, 2, 3, 4}));
}

TEST(RecruitmentTest, MoreCopiesThanProcessesReuseThemEvenly) {
  std::vector<RecruitCandidate> candidates = {candidate(1, ProcessClass::unset, "a"),
                                              candidate(2, ProcessClass::unset, "b")};
  RecruitLoad load;
  EXPECT_EQ(ports(candidates, pick_processes(candidates, RoleKind::commit_proxy, 4, load)),
            (std::vector<uint16_t>{1, 1, 2, 2}));
  EXPECT_TRUE(pick_processes({}, RoleKind::log, 2, load).empty());
}

TEST(RecruitmentTest, BusyProcessesAreAvoidedWhileOthersFitAsWell) {
  std::vector<RecruitCandidate> candidates = {candidate(1, ProcessClass::stateless, "a"),
                                              candidate(2, ProcessClass::stateless, "b")};
  RecruitLoad load;
  load[candidates[0].address] = 1;  // the controller's own process
  EXPECT_EQ(ports(candidates, pick_processes(candidates, RoleKind::sequencer, 1, load)),
            (std::vector<uint16_t>{2}));
}

TEST(RecruitmentTest, StorageProcessesWithoutAStorageServerJoin) {
  std::vector<RecruitCandidate> candidates = {
      candidate(1, ProcessClass::storage, "a"),       candidate(2, ProcessClass::storage, "b"),
      candidate(3, ProcessClass::storage, "c", true), candidate(4, ProcessClass::unset, "d"),
      candidate(5, ProcessClass::log, "e"),           candidate(6, ProcessClass::storage, "f")};
  // 1 hosts one already; 3 is excluded; 4 and 5 are not storage processes.
  std::set<NetworkAddress> hosting = {candidates[0].address};
  EXPECT_EQ(ports(candidates, storage_joiners(candidates, hosting)), (std::vector<uint16_t>{2, 6}));
  for (const RecruitCandidate& each : candidates)
    hosting.insert(each.address);
  EXPECT_TRUE(storage_joiners(candidates, hosting).empty());
}

TEST(RecruitmentTest, ExcludedProcessesAreTheLastResort) {
  // The stateless process and a log process are excluded.
  std::vector<RecruitCandidate> candidates = {
      candidate(1, ProcessClass::stateless, "a", true), candidate(2, ProcessClass::storage, "b"),
      candidate(3, ProcessClass::log, "c", true), candidate(4, ProcessClass::log, "d"),
      candidate(5, ProcessClass::unset, "e")};
  RecruitLoad load;
  // Stateless roles go to the processes that are not excluded, however many copies and
  // however well the excluded stateless process would fit.
  EXPECT_EQ(ports(candidates, pick_processes(candidates, RoleKind::sequencer, 1, load)),
            (std::vector<uint16_t>{5}));
  RecruitLoad proxies;
  for (uint16_t port :
       ports(candidates, pick_processes(candidates, RoleKind::commit_proxy, 6, proxies)))
    EXPECT_TRUE(port != 1 && port != 3) << "a proxy on excluded process " << port;
  // Copies of data: the log process left, then a zone of its own before an excluded one...
  RecruitLoad logs;
  EXPECT_EQ(ports(candidates, pick_processes(candidates, RoleKind::log, 3, logs)),
            (std::vector<uint16_t>{2, 4, 5}));
  // ...but an excluded process in a new zone before a second copy in a used zone.
  RecruitLoad many;
  EXPECT_EQ(ports(candidates, pick_processes(candidates, RoleKind::log, 5, many)),
            (std::vector<uint16_t>{1, 2, 3, 4, 5}));
  // Only excluded processes: they still take the roles.
  std::vector<RecruitCandidate> excluded = {candidate(1, ProcessClass::unset, "a", true)};
  RecruitLoad last;
  EXPECT_EQ(ports(excluded, pick_processes(excluded, RoleKind::sequencer, 1, last)),
            (std::vector<uint16_t>{1}));
}

// What every team assignment must give: one team per shard, `replication` servers each,
// in distinct zones, every server in some team.
void expect_valid_teams(const std::vector<std::string>& zones, int replication) {
  std::vector<std::vector<size_t>> teams = initial_teams(zones, replication);
  ASSERT_EQ(teams.size(), zones.size());
  std::vector<int> use(zones.size());
  for (const std::vector<size_t>& team : teams) {
    ASSERT_EQ(team.size(), static_cast<size_t>(replication));
    std::set<std::string> distinct;
    for (size_t server : team) {
      ASSERT_LT(server, zones.size());
      distinct.insert(zones[server]);
      ++use[server];
    }
    EXPECT_EQ(distinct.size(), team.size()) << "two copies in one zone";
  }
  for (size_t server = 0; server < zones.size(); ++server)
    EXPECT_GT(use[server], 0) << "server " << server << " holds nothing";
}

TEST(StorageTeamsTest, EveryShardHasACopyInEachOfDistinctZones) {
  expect_valid_teams({"a"}, 1);
  expect_valid_teams({"a", "b", "c"}, 3);
  expect_valid_teams({"a", "a", "b", "b", "c", "c"}, 3);
  expect_valid_teams({"a", "a", "a", "b", "c"}, 3);
  expect_valid_teams({"a", "b", "a", "b", "c", "d", "e"}, 2);
  expect_valid_teams({"a", "a", "a", "a"}, 1);
  // Evenly spread zones give every server the same share.
  std::vector<std::vector<size_t>> teams = initial_teams({"a", "a", "b", "b", "c", "c"}, 3);
  std::vector<int> use(6);
  for (const auto& team : teams)
    for (size_t server : team)
      ++use[server];
  EXPECT_EQ(use, std::vector<int>(6, 3));
}

TEST(StorageTeamsTest, TooFewZonesForTheCopiesIsRefusedWithTheZonesNamed) {
  try {
    initial_teams({"east", "east", "west"}, 3);
    FAIL() << "three copies were placed in two zones";
  } catch (Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::no_more_servers);
    EXPECT_NE(std::string(error.detail()).find("east, west"), std::string::npos) << error.message();
    EXPECT_NE(std::string(error.detail()).find("triple"), std::string::npos) << error.message();
  }
}

CoreState sample_state() {
  CoreState state;
  state.cluster_id = UID(7, 7);
  state.epoch = 5;
  state.current = LogGenerationState{
      5, 2000, std::numeric_limits<Version>::max(), {{UID(1, 1), NetworkAddress(1, 1)}}};
  state.old = {LogGenerationState{3, 1000, 2000, {{UID(2, 2), NetworkAddress(2, 2)}}},
               LogGenerationState{2, 0, 1000, {{UID(3, 3), NetworkAddress(3, 3)}}}};
  state.storage = {StorageServerState{UID(4, 4), 0, NetworkAddress(4, 4),
                                      Locality{ProcessClass::storage, "a", "m1"}, 1},
                   StorageServerState{UID(5, 5), 1, NetworkAddress(5, 5),
                                      Locality{ProcessClass::storage, "b", "m2"}, 1}};
  state.shard_map = {
      ShardMapEntry{KeyRange{"", "\x80"}, ShardTeams{{UID(4, 4)}, {}}},
      ShardMapEntry{KeyRange{"\x80", all_keys_end}, ShardTeams{{UID(4, 4), UID(5, 5)}, {}}}};
  state.shard_map_version = 2000;
  state.configuration.replication = 2;
  state.configuration.logs = 2;
  return state;
}

TEST(CoreStateTest, EncodesAndDecodesAndRefusesDamage) {
  CoreState state = sample_state();
  check_core_state(state);
  std::string encoded = encode_core_state(state);
  EXPECT_EQ(decode_core_state(encoded), state);
  std::string damaged = encoded;
  damaged[damaged.size() / 2] ^= 0x20;
  try {
    decode_core_state(damaged);
    FAIL() << "a damaged core state decoded";
  } catch (Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::file_corrupt);
  }
  try {
    decode_core_state(encoded.substr(0, 3));
    FAIL() << "a cut core state decoded";
  } catch (Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::file_corrupt);
  }
}

// A core state as the first format wrote it: one shard per storage server, no redundancy
// mode, no zones.
struct Format1Storage {
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

TEST(CoreStateTest, AFirstFormatCoreStateIsReadAsSingleRedundancy) {
  BinaryWriter writer;
  uint32_t format = 1;
  UID cluster_id(7, 7);
  uint64_t epoch = 4;
  std::optional<LogGenerationState> current = LogGenerationState{
      4, 100, std::numeric_limits<Version>::max(), {{UID(1, 1), NetworkAddress(1, 1)}}};
  std::vector<LogGenerationState> old;
  std::vector<Format1Storage> storage = {
      {UID(4, 4), 0, KeyRange{"", "\x80"}, NetworkAddress(4, 4), 1},
      {UID(5, 5), 1, KeyRange{"\x80", all_keys_end}, NetworkAddress(5, 5), 1}};
  int logs = 2, commit_proxies = 1, grv_proxies = 1, resolvers = 3;
  std::string engine = "rocksdb", moving_to;
  writer(format, cluster_id, epoch, current, old, storage, logs, commit_proxies, grv_proxies,
         resolvers, engine, moving_to);
  CoreState state = decode_core_state(seal_record(writer.data()));
  check_core_state(state);
  EXPECT_EQ(state.cluster_id, cluster_id);
  EXPECT_EQ(state.epoch, 4u);
  EXPECT_EQ(state.current, current);
  EXPECT_EQ(state.configuration.replication, 1);
  EXPECT_EQ(state.configuration.logs, 2);
  EXPECT_EQ(state.configuration.resolvers, 3);
  EXPECT_EQ(state.configuration.storage_engine, "rocksdb");
  ASSERT_EQ(state.storage.size(), 2u);
  ASSERT_EQ(state.shard_map.size(), 2u);
  EXPECT_EQ(state.shard_map[1].range, (KeyRange{"\x80", all_keys_end}));
  EXPECT_EQ(state.shard_map[1].teams.src, std::vector<UID>{UID(5, 5)});
  // The generation's logs hold no map changes from before it.
  EXPECT_EQ(state.shard_map_version, 100);
  EXPECT_EQ(state.storage[1].tag, 1);
  // Written again, it is the current format.
  EXPECT_EQ(decode_core_state(encode_core_state(state)), state);
}

// A core state as the second format wrote it: each storage server with its shards.
struct Format2Storage {
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

TEST(CoreStateTest, ASecondFormatCoreStateIsReadWithItsShardMap) {
  BinaryWriter writer;
  uint32_t format = 2;
  UID cluster_id(7, 7);
  uint64_t epoch = 6;
  std::optional<LogGenerationState> current = LogGenerationState{
      6, 300, std::numeric_limits<Version>::max(), {{UID(1, 1), NetworkAddress(1, 1)}}};
  std::vector<LogGenerationState> old;
  std::vector<Format2Storage> storage = {{UID(4, 4),
                                          0,
                                          {KeyRange{"", "\x80"}, KeyRange{"\x80", all_keys_end}},
                                          NetworkAddress(4, 4),
                                          Locality{ProcessClass::storage, "a", "m1"},
                                          1},
                                         {UID(5, 5),
                                          1,
                                          {KeyRange{"\x80", all_keys_end}},
                                          NetworkAddress(5, 5),
                                          Locality{ProcessClass::storage, "b", "m2"},
                                          1}};
  DatabaseConfiguration configuration;
  configuration.replication = 2;
  std::string moving_to;
  writer(format, cluster_id, epoch, current, old, storage, configuration, moving_to);
  CoreState state = decode_core_state(seal_record(writer.data()));
  check_core_state(state);
  ASSERT_EQ(state.shard_map.size(), 2u);
  EXPECT_EQ(state.shard_map[0].range, (KeyRange{"", "\x80"}));
  EXPECT_EQ(state.shard_map[0].teams.src, std::vector<UID>{UID(4, 4)});
  EXPECT_EQ(state.shard_map[1].teams.src, (std::vector<UID>{UID(4, 4), UID(5, 5)}));
  EXPECT_TRUE(state.shard_map[1].teams.dest.empty());
  EXPECT_EQ(state.shard_map_version, 300);
  EXPECT_EQ(state.storage[1].locality.zone, "b");
  EXPECT_EQ(decode_core_state(encode_core_state(state)), state);
}

TEST(CoreStateTest, ShardTeamsNameTheServersOfTheShardMap) {
  CoreState state = sample_state();
  state.shard_map[0].teams.dest = {UID(5, 5)};
  std::vector<ShardTeam> teams = shard_teams(state);
  ASSERT_EQ(teams.size(), 2u);
  EXPECT_EQ(teams[0].range, (KeyRange{"", "\x80"}));
  EXPECT_EQ(teams[0].servers, std::vector<size_t>{0});
  EXPECT_EQ(teams[0].moving_to, std::vector<size_t>{1});
  EXPECT_EQ(teams[1].servers, (std::vector<size_t>{0, 1}));
}

TEST(CoreStateTest, ShardsMustCoverTheKeySpaceWithCopiesInDistinctZones) {
  CoreState gap = sample_state();
  gap.shard_map[0].range.end = "\x70";
  EXPECT_DEATH(check_core_state(gap), "gap");
  CoreState stale = sample_state();
  stale.shard_map_version = 1999;
  EXPECT_DEATH(check_core_state(stale), "older than the current generation");
  CoreState same_zone = sample_state();
  same_zone.storage[1].locality.zone = "a";
  EXPECT_DEATH(check_core_state(same_zone), "one zone");
}

TEST(CoreStateTest, GenerationsMustBeContiguous) {
  CoreState state = sample_state();
  state.old[1].end = 999;
  EXPECT_DEATH(check_core_state(state), "contiguous");
}

TEST(DatabaseConfigurationTest, FoundationDbWordsChangeTheCounts) {
  DatabaseConfiguration configuration = apply_configuration_words(
      DatabaseConfiguration{}, {"logs=3", "proxies=2", "resolvers=4", "ssd", "double"});
  EXPECT_EQ(configuration.replication, 2);
  EXPECT_EQ(configuration.logs, 3);
  EXPECT_EQ(configuration.commit_proxies, 2);
  EXPECT_EQ(configuration.grv_proxies, 2);
  EXPECT_EQ(configuration.resolvers, 4);
  EXPECT_EQ(configuration.storage_engine, "rocksdb");
  EXPECT_EQ(configuration.to_string(),
            "double logs=3 commit_proxies=2 grv_proxies=2 resolvers=4 storage_engine=rocksdb");
  EXPECT_EQ(apply_configuration_words(configuration, {"redundancy_mode=triple"}).replication, 3);
  EXPECT_EQ(apply_configuration_words(configuration, {"single"}).replication, 1);
  // A generation keeps a log per copy, whatever the count asked for.
  EXPECT_EQ(apply_configuration_words(DatabaseConfiguration{}, {"triple", "logs=1"}).log_count(),
            3);
  for (const char* bad : {"logs=0", "logs=x", "logs=", "grv_proxies=65", "colour=blue", "ext4",
                          "quadruple", "redundancy_mode=double_dc", "storage_engine=triple"}) {
    try {
      apply_configuration_words(DatabaseConfiguration{}, {bad});
      FAIL() << bad << " was accepted";
    } catch (Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::client_invalid_operation);
      EXPECT_NE(std::string(error.detail()).find(bad), std::string::npos) << error.message();
    }
  }
}

TEST(LeaderMonitorTest, FollowsTheLeaderMostCoordinatorsName) {
  LeaderInfo a{UID(1, 1), NetworkAddress(1, 1), 0};
  LeaderInfo b{UID(2, 2), NetworkAddress(2, 2), 0};
  EXPECT_EQ(agreed_leader({a, b, a}), std::optional<LeaderInfo>(a));
  EXPECT_EQ(agreed_leader({std::nullopt, b, std::nullopt}), std::optional<LeaderInfo>(b));
  EXPECT_EQ(agreed_leader({std::nullopt, std::nullopt}), std::nullopt);
  // A tie goes to the better candidate (lower fitness, then lower id).
  LeaderInfo fitter{UID(9, 9), NetworkAddress(3, 3), 0};
  LeaderInfo unfit{UID(1, 1), NetworkAddress(4, 4), 2};
  EXPECT_EQ(agreed_leader({unfit, fitter}), std::optional<LeaderInfo>(fitter));
}

}  // namespace
}  // namespace strata
