#include "server/data_distributor/size_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "runtime/random.h"

namespace strata {
namespace {

const SizeLimits limits{1000, 200, 300, 0};

UID server_id(int i) {
  return UID(7, static_cast<uint64_t>(i));
}

StorageServerRecord server(int i, std::string zone) {
  return StorageServerRecord{server_id(i), static_cast<Tag>(i),
                             NetworkAddress(0x0a000001, 4500 + i),
                             Locality{ProcessClass::storage, zone, zone}};
}

ShardSize shard(Key begin, Key end, std::vector<int> src, int64_t bytes,
                std::vector<Key> points = {}) {
  std::vector<UID> team;
  for (int i : src)
    team.push_back(server_id(i));
  std::sort(team.begin(), team.end());
  return ShardSize{ShardMapEntry{KeyRange{begin, end}, ShardTeams{team, {}}}, bytes, points, 0, {}};
}

// How far apart the fullest and emptiest servers are, a shard counted for the team it
// moves to when it moves.
int64_t spread(const std::vector<StorageServerRecord>& servers,
               const std::vector<ShardSize>& shards) {
  std::map<UID, int64_t> held;
  for (const StorageServerRecord& s : servers)
    held[s.id] = 0;
  for (const ShardSize& s : shards) {
    for (const UID& id : s.entry.teams.dest.empty() ? s.entry.teams.src : s.entry.teams.dest)
      held[id] += s.bytes;
  }
  int64_t most = 0;
  int64_t least = INT64_MAX;
  for (const auto& [id, bytes] : held) {
    most = std::max(most, bytes);
    least = std::min(least, bytes);
  }
  return most - least;
}

TEST(SizePlanTest, AShardWrittenTooFastIsSplitAtItsWritePoints) {
  const SizeLimits by_writes{1000, 200, 300, 100.0};
  std::vector<ShardSize> shards = {shard("", "m", {1}, 50), shard("m", all_keys_end, {1}, 50)};
  shards[1].write_bytes_per_s = 250;
  shards[1].write_split_points = {"p", "t"};
  SizeStep step = plan_size_step(shards, {server(1, "z1")}, by_writes);
  ASSERT_EQ(step.kind, SizeStep::Kind::split);
  EXPECT_EQ(step.range, (KeyRange{"m", all_keys_end}));
  EXPECT_EQ(step.points, (std::vector<Key>{"p", "t"}));
  EXPECT_EQ(step.reason, "250 bytes written a second");
  // Under the limit, the small neighbours merge; written together at half of it or more,
  // they do not (they would be split again).
  shards[1].write_bytes_per_s = 40;
  EXPECT_EQ(plan_size_step(shards, {server(1, "z1")}, by_writes).kind, SizeStep::Kind::merge);
  shards[0].write_bytes_per_s = 10;
  EXPECT_EQ(plan_size_step(shards, {server(1, "z1")}, by_writes).kind, SizeStep::Kind::none);
  // Without a write limit, writes do not count.
  shards[1].write_bytes_per_s = 1e9;
  EXPECT_EQ(plan_size_step(shards, {server(1, "z1")}, limits).kind, SizeStep::Kind::merge);
}

TEST(SizePlanTest, AShardOverTheLimitIsSplitAtItsPoints) {
  std::vector<ShardSize> shards = {shard("", "m", {1}, 500),
                                   shard("m", all_keys_end, {1}, 5000, {"a", "p", "t", "t"})};
  SizeStep step = plan_size_step(shards, {server(1, "z1")}, limits);
  ASSERT_EQ(step.kind, SizeStep::Kind::split);
  EXPECT_EQ(step.range, (KeyRange{"m", all_keys_end}));
  // Points outside the shard or repeated are dropped.
  EXPECT_EQ(step.points, (std::vector<Key>{"p", "t"}));
  // Without points it cannot be split, and nothing else is due.
  shards[1].split_points.clear();
  EXPECT_EQ(plan_size_step(shards, {server(1, "z1")}, limits).kind, SizeStep::Kind::none);
}

TEST(SizePlanTest, SmallNeighboursOfOneTeamMerge) {
  std::vector<StorageServerRecord> servers = {server(1, "z1"), server(2, "z2")};
  std::vector<ShardSize> shards = {shard("", "c", {1}, 150), shard("c", "f", {2}, 10),
                                   shard("f", "k", {2}, 50), shard("k", all_keys_end, {2}, 900)};
  // A balanced enough pair of servers: 150 and 960 differ by more than 300, but only a
  // shard of server 2 under 810 bytes that server 1 lacks could move; merging comes first.
  SizeStep step = plan_size_step(shards, servers, limits);
  ASSERT_EQ(step.kind, SizeStep::Kind::merge);
  EXPECT_EQ(step.range, (KeyRange{"c", "f"}));
  EXPECT_EQ(step.second, (KeyRange{"f", "k"}));
  // A moving shard, or the start of the system keys, never merges.
  shards[2].entry.teams.dest = {server_id(1)};
  EXPECT_NE(plan_size_step(shards, servers, limits).kind, SizeStep::Kind::merge);
  std::vector<ShardSize> system = {shard("", system_keys_begin, {1}, 10),
                                   shard(system_keys_begin, all_keys_end, {1}, 10)};
  EXPECT_EQ(plan_size_step(system, {server(1, "z1")}, limits).kind, SizeStep::Kind::none);
}

TEST(SizePlanTest, TheFullestServerGivesTheEmptiestAShardOfAboutHalfTheDifference) {
  // Server 3 is new and empty.
  std::vector<StorageServerRecord> servers = {server(1, "z1"), server(2, "z2"), server(3, "z3")};
  std::vector<ShardSize> shards = {shard("", "c", {1, 2}, 250), shard("c", "f", {1, 2}, 600),
                                   shard("f", all_keys_end, {1, 2}, 900)};
  SizeStep step = plan_size_step(shards, servers, limits);
  ASSERT_EQ(step.kind, SizeStep::Kind::move);
  // 1750 bytes apart: the 900-byte shard is closest to half of it.
  EXPECT_EQ(step.range, (KeyRange{"f", all_keys_end}));
  std::vector<UID> team = step.team;
  EXPECT_EQ(team.size(), 2u);
  EXPECT_TRUE(std::find(team.begin(), team.end(), server_id(3)) != team.end());
  // Never two copies in one zone: a new server in zone z2 cannot take server 1's place
  // next to server 2.
  servers[2] = server(3, "z2");
  EXPECT_EQ(plan_size_step(shards, servers, limits).kind, SizeStep::Kind::move);
  std::vector<ShardSize> one_team = shards;
  SizeStep zoned = plan_size_step(one_team, servers, limits);
  for (const UID& id : zoned.team)
    EXPECT_NE(id, server_id(2)) << "two copies in zone z2";
}

// Applies steps to a random map until none is due, as the distributor would, and checks
// what must hold after every step and at the end.
TEST(SizePlanTest, RepeatedStepsEndWithTheServersBalancedWithinAShard) {
  Random random(42);
  for (int round = 0; round < 50; ++round) {
    std::vector<StorageServerRecord> servers;
    const int count = static_cast<int>(random.uniform(3, 8));
    for (int i = 0; i < count; ++i)
      servers.push_back(server(i, "z" + std::to_string(i)));
    // Every shard on servers 0 and 1: the others are new.
    std::vector<ShardSize> shards;
    const int pieces = static_cast<int>(random.uniform(2, 30));
    int64_t largest = 0;
    for (int i = 0; i < pieces; ++i) {
      Key begin = i == 0 ? Key() : Key(1, static_cast<char>('a' + i));
      Key end = i + 1 == pieces ? all_keys_end : Key(1, static_cast<char>('a' + i + 1));
      int64_t bytes = random.uniform(201, 999);
      largest = std::max(largest, bytes);
      shards.push_back(shard(begin, end, {0, 1}, bytes));
    }
    int steps = 0;
    for (;; ++steps) {
      ASSERT_LT(steps, 1000) << "the steps never end";
      SizeStep step = plan_size_step(shards, servers, limits);
      if (step.kind == SizeStep::Kind::none) break;
      ASSERT_EQ(step.kind, SizeStep::Kind::move) << step.reason;
      auto moved = std::find_if(shards.begin(), shards.end(),
                                [&](const ShardSize& s) { return s.entry.range == step.range; });
      ASSERT_NE(moved, shards.end());
      ASSERT_EQ(step.team.size(), 2u);
      std::set<UID> distinct(step.team.begin(), step.team.end());
      ASSERT_EQ(distinct.size(), 2u);
      moved->entry.teams.src = step.team;
    }
    EXPECT_LE(spread(servers, shards), std::max(limits.balance_bytes, 2 * largest))
        << "round " << round;
  }
}

// Balancing moves run several at once: each step's move is left under way (the shard keeps
// its old team and shows its new one as the destination), and the next steps must plan
// for the servers as they will be, not give the same empty server shard after shard.
TEST(SizePlanTest, MovesUnderWayCountForTheirNewTeams) {
  Random random(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<StorageServerRecord> servers;
    for (int i = 0; i < 4; ++i)
      servers.push_back(server(i, "z" + std::to_string(i)));
    std::vector<ShardSize> shards;
    const int pieces = static_cast<int>(random.uniform(4, 30));
    int64_t largest = 0;
    for (int i = 0; i < pieces; ++i) {
      Key begin = i == 0 ? Key() : Key(1, static_cast<char>('a' + i));
      Key end = i + 1 == pieces ? all_keys_end : Key(1, static_cast<char>('a' + i + 1));
      const int64_t bytes = random.uniform(201, 999);
      largest = std::max(largest, bytes);
      shards.push_back(shard(begin, end, {0, 1}, bytes));
    }
    for (int steps = 0;; ++steps) {
      ASSERT_LT(steps, 1000) << "the steps never end";
      SizeStep step = plan_size_step(shards, servers, limits);
      if (step.kind == SizeStep::Kind::none) break;
      ASSERT_EQ(step.kind, SizeStep::Kind::move) << step.reason;
      auto moved = std::find_if(shards.begin(), shards.end(),
                                [&](const ShardSize& s) { return s.entry.range == step.range; });
      ASSERT_NE(moved, shards.end());
      ASSERT_TRUE(moved->entry.teams.dest.empty()) << "a shard already moving moves again";
      moved->entry.teams.dest = step.team;
    }
    // Counted as the servers will hold once every move is done.
    EXPECT_LE(spread(servers, shards), std::max(limits.balance_bytes, 2 * largest))
        << "round " << round;
  }
}

}  // namespace
}  // namespace strata
