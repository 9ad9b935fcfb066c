#include "interfaces/shard_map.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "rpc/serialize.h"
#include "runtime/error.h"
#include "runtime/random.h"

namespace strata {

// Let failed expectations print the map's values readably.
static void PrintTo(const UID& id, std::ostream* out) {  // NOLINT: googletest's name
  *out << id.first() << "." << id.second();
}

static void PrintIds(const std::vector<UID>& ids, std::ostream* out) {
  *out << "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) *out << ",";
    PrintTo(ids[i], out);
  }
  *out << "}";
}

static void PrintKey(std::string_view key, std::ostream* out) {
  *out << '"';
  for (unsigned char c : key) {
    if (c >= 0x20 && c < 0x7f) {
      *out << c;
    } else {
      static const char digits[] = "0123456789abcdef";
      *out << "\\x" << digits[c >> 4] << digits[c & 15];
    }
  }
  *out << '"';
}

static void PrintTo(const KeyRange& range, std::ostream* out) {  // NOLINT: googletest's name
  *out << "[";
  PrintKey(range.begin, out);
  *out << ", ";
  PrintKey(range.end, out);
  *out << ")";
}

static void PrintTo(const ShardTeams& teams, std::ostream* out) {  // NOLINT: googletest's name
  *out << "src=";
  PrintIds(teams.src, out);
  *out << " dest=";
  PrintIds(teams.dest, out);
}

static void PrintTo(const ShardMapEntry& entry, std::ostream* out) {  // NOLINT
  PrintTo(entry.range, out);
  *out << " ";
  PrintTo(entry.teams, out);
}

static void PrintTo(const ShardChange& change, std::ostream* out) {  // NOLINT
  PrintTo(change.server, out);
  *out << (change.owned ? " owns " : " loses ");
  PrintTo(change.range, out);
  if (change.owned) {
    *out << " from ";
    PrintIds(change.sources, out);
  }
}

namespace {

// The project's seeded generator, in the shape std::shuffle wants.
struct Rng {
  using result_type = uint64_t;
  explicit Rng(uint64_t seed) : random(seed) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  result_type operator()() { return random.next_u64(); }
  // Uniform in [low, high].
  size_t between(size_t low, size_t high) {
    return static_cast<size_t>(
        random.uniform(static_cast<int64_t>(low), static_cast<int64_t>(high) + 1));
  }
  Random random;
};

using Changes = std::vector<ShardChange>;
using Entries = std::vector<ShardMapEntry>;
using Ids = std::vector<UID>;

UID s(uint64_t n) {
  return UID(n, 0);
}

KeyRange range(std::string_view begin, std::string_view end) {
  return KeyRange{Key(begin), Key(end)};
}

ShardTeams teams(Ids src, Ids dest = {}) {
  return ShardTeams{std::move(src), std::move(dest)};
}

Mutation set_shard(std::string_view begin, const ShardTeams& shard_teams) {
  return Mutation{MutationType::set_value, key_servers_key(begin), encode_shard_teams(shard_teams)};
}

// Clears the map's boundaries in [begin, end).
Mutation clear_shards(std::string_view begin, std::string_view end) {
  return Mutation{MutationType::clear_range, key_servers_key(begin), key_servers_key(end)};
}

Mutation clear_raw(std::string_view begin, std::string_view end) {
  return Mutation{MutationType::clear_range, std::string(begin), std::string(end)};
}

ShardChange owns(UID server, KeyRange keys, Ids sources) {
  return ShardChange{server, std::move(keys), true, std::move(sources)};
}

ShardChange loses(UID server, KeyRange keys) {
  return ShardChange{server, std::move(keys), false, {}};
}

bool change_less(const ShardChange& a, const ShardChange& b) {
  return std::tie(a.server, a.owned, a.range, a.sources) <
         std::tie(b.server, b.owned, b.range, b.sources);
}

Changes sorted(Changes changes) {
  std::sort(changes.begin(), changes.end(), change_less);
  return changes;
}

// Applies a mutation the way a commit proxy does: only one that touches the map and
// passes the check.
Changes apply_checked(ShardMap& map, const Mutation& mutation) {
  EXPECT_TRUE(ShardMap::touches(mutation));
  ShardMap::check(mutation);
  return map.apply(mutation);
}

// Whether `check` refuses `mutation` with client_invalid_operation.
::testing::AssertionResult refused(const Mutation& mutation) {
  try {
    ShardMap::check(mutation);
  } catch (const Error& error) {
    if (error.is(ErrorCode::client_invalid_operation)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "refused with the wrong error: " << error.message();
  }
  return ::testing::AssertionFailure() << "accepted";
}

// Three shards: ["", g) on 1, [g, p) on 2, [p, end) on 3.
ShardMap three_shards() {
  return ShardMap(Entries{{range("", "g"), teams({s(1)})},
                          {range("g", "p"), teams({s(2)})},
                          {range("p", all_keys_end), teams({s(3)})}});
}

TEST(ShardMapTest, ConstructsFromEntries) {
  const Entries entries{{range("", "m"), teams({s(1), s(2)})},
                        {range("m", all_keys_end), teams({s(3)}, {s(4)})}};
  ShardMap map(entries);
  EXPECT_EQ(map.shard_count(), 2u);
  EXPECT_EQ(map.entries(), entries);
  EXPECT_EQ(map.teams_of(""), teams({s(1), s(2)}));
  EXPECT_EQ(map.teams_of("a"), teams({s(1), s(2)}));
  EXPECT_EQ(map.teams_of("l\xff\xff"), teams({s(1), s(2)}));
  EXPECT_EQ(map.teams_of("m"), teams({s(3)}, {s(4)}));
  EXPECT_EQ(map.teams_of(std::string("m\0", 2)), teams({s(3)}, {s(4)}));
  EXPECT_EQ(map.teams_of("\xff\xfe"), teams({s(3)}, {s(4)}));
  EXPECT_EQ(map.teams_of(std::string("\xff\xff", 2)), teams({s(3)}, {s(4)}));
}

TEST(ShardMapTest, AllIsSourceThenDestinationWithoutRepeats) {
  EXPECT_EQ(teams({s(2), s(1)}).all(), (Ids{s(2), s(1)}));
  EXPECT_EQ(teams({s(2), s(1)}, {s(3), s(1), s(4)}).all(), (Ids{s(2), s(1), s(3), s(4)}));
  EXPECT_EQ(teams({s(5)}, {s(6)}).all(), (Ids{s(5), s(6)}));
}

TEST(ShardMapTest, TeamsRoundTripThroughTheirEncoding) {
  const ShardTeams moving = teams({s(1), UID(2, 3)}, {UID(0, 9)});
  EXPECT_EQ(decode_shard_teams(encode_shard_teams(moving)), moving);
  EXPECT_EQ(decode_shard_teams(encode_shard_teams(ShardTeams{})), ShardTeams{});
  try {
    decode_shard_teams("not teams");
    ADD_FAILURE() << "decoded garbage";
  } catch (const Error& error) {
    EXPECT_TRUE(error.is(ErrorCode::client_invalid_operation)) << error.message();
  }
}

TEST(ShardMapTest, IntersectingListsTheShardsARangeTouches) {
  ShardMap map = three_shards();
  const ShardMapEntry first{range("", "g"), teams({s(1)})};
  const ShardMapEntry second{range("g", "p"), teams({s(2)})};
  const ShardMapEntry third{range("p", all_keys_end), teams({s(3)})};
  EXPECT_EQ(map.intersecting(range("a", "b")), Entries{first});
  EXPECT_EQ(map.intersecting(range("", "g")), Entries{first});
  EXPECT_EQ(map.intersecting(range("f", std::string("g\0", 2))), (Entries{first, second}));
  EXPECT_EQ(map.intersecting(range("g", "p")), Entries{second});
  EXPECT_EQ(map.intersecting(range("h", "i")), Entries{second});
  EXPECT_EQ(map.intersecting(range("o", "q")), (Entries{second, third}));
  EXPECT_EQ(map.intersecting(range("z", "\xff")), Entries{third});
  EXPECT_EQ(map.intersecting(range("", all_keys_end)), (Entries{first, second, third}));
  EXPECT_EQ(map.intersecting(range("", "\xff\xff\xff")), (Entries{first, second, third}));
  EXPECT_EQ(map.intersecting(range("q", "q")), Entries{});
  EXPECT_EQ(map.intersecting(range("q", "a")), Entries{});
  EXPECT_EQ(map.entries(), (Entries{first, second, third}));
}

TEST(ShardMapTest, TeamsOfFindsTheShardHoldingAKey) {
  ShardMap map = three_shards();
  EXPECT_EQ(map.teams_of(""), teams({s(1)}));
  EXPECT_EQ(map.teams_of("f\xff"), teams({s(1)}));
  EXPECT_EQ(map.teams_of("g"), teams({s(2)}));
  EXPECT_EQ(map.teams_of("ozz"), teams({s(2)}));
  EXPECT_EQ(map.teams_of("p"), teams({s(3)}));
  EXPECT_EQ(map.teams_of("\xff/keyServers/a"), teams({s(3)}));
}

TEST(ShardMapTest, ASetAtANewBoundarySplitsAShard) {
  ShardMap map(Entries{{range("", all_keys_end), teams({s(1), s(2)})}});
  Changes changes = apply_checked(map, set_shard("m", teams({s(2), s(3)})));
  EXPECT_EQ(sorted(changes), sorted({owns(s(3), range("m", all_keys_end), {s(1), s(2)}),
                                     loses(s(1), range("m", all_keys_end))}));
  EXPECT_EQ(map.entries(), (Entries{{range("", "m"), teams({s(1), s(2)})},
                                    {range("m", all_keys_end), teams({s(2), s(3)})}}));
}

TEST(ShardMapTest, ASplitInTheMiddleChangesOnlyTheSplitPart) {
  ShardMap map = three_shards();
  Changes changes = apply_checked(map, set_shard("k", teams({s(4)})));
  EXPECT_EQ(sorted(changes),
            sorted({owns(s(4), range("k", "p"), {s(2)}), loses(s(2), range("k", "p"))}));
  EXPECT_EQ(map.shard_count(), 4u);
  EXPECT_EQ(map.teams_of("j"), teams({s(2)}));
  EXPECT_EQ(map.teams_of("k"), teams({s(4)}));
  EXPECT_EQ(map.teams_of("p"), teams({s(3)}));
}

TEST(ShardMapTest, ASplitOfAMovingShardTakesSourcesFromItsSourceTeam) {
  ShardMap map(Entries{{range("", all_keys_end), teams({s(1)}, {s(2)})}});
  Changes changes = apply_checked(map, set_shard("m", teams({s(3)})));
  EXPECT_EQ(sorted(changes),
            sorted({owns(s(3), range("m", all_keys_end), {s(1)}),
                    loses(s(1), range("m", all_keys_end)), loses(s(2), range("m", all_keys_end))}));
}

TEST(ShardMapTest, ASetThatChangesNothingReportsNothing) {
  ShardMap map = three_shards();
  EXPECT_EQ(apply_checked(map, set_shard("g", teams({s(2)}))), Changes{});
  EXPECT_EQ(map.shard_count(), 3u);
  // A new boundary with the same teams splits the shard but moves no keys.
  EXPECT_EQ(apply_checked(map, set_shard("h", teams({s(2)}))), Changes{});
  EXPECT_EQ(map.shard_count(), 4u);
}

TEST(ShardMapTest, StartingAMoveGivesTheDestinationServersTheShard) {
  ShardMap map(
      Entries{{range("", "m"), teams({s(1), s(2)})}, {range("m", all_keys_end), teams({s(5)})}});
  Changes changes = apply_checked(map, set_shard("", teams({s(1), s(2)}, {s(3), s(4)})));
  EXPECT_EQ(sorted(changes), sorted({owns(s(3), range("", "m"), {s(1), s(2)}),
                                     owns(s(4), range("", "m"), {s(1), s(2)})}));
  EXPECT_EQ(map.shard_count(), 2u);

  // A move of part of a shard, from a new boundary.
  changes = apply_checked(map, set_shard("q", teams({s(5)}, {s(6)})));
  EXPECT_EQ(changes, Changes{owns(s(6), range("q", all_keys_end), {s(5)})});
  EXPECT_EQ(map.teams_of("p"), teams({s(5)}));
  EXPECT_EQ(map.teams_of("q"), teams({s(5)}, {s(6)}));
}

TEST(ShardMapTest, FinishingAMoveTakesTheShardFromTheOldSources) {
  ShardMap map(Entries{{range("", all_keys_end), teams({s(1), s(2)})}});
  // Move [c, h), which has an interior boundary at e, to server 3.
  EXPECT_EQ(apply_checked(map, set_shard("h", teams({s(1), s(2)}))), Changes{});
  EXPECT_EQ(apply_checked(map, set_shard("e", teams({s(1), s(2)}, {s(3)}))),
            Changes{owns(s(3), range("e", "h"), {s(1), s(2)})});
  EXPECT_EQ(apply_checked(map, set_shard("c", teams({s(1), s(2)}, {s(3)}))),
            Changes{owns(s(3), range("c", "e"), {s(1), s(2)})});
  ASSERT_EQ(map.shard_count(), 4u);

  // The move finishes: dest becomes src, and the interior boundary goes.
  Changes changes = apply_checked(map, set_shard("c", teams({s(3)})));
  EXPECT_EQ(sorted(changes), sorted({loses(s(1), range("c", "e")), loses(s(2), range("c", "e"))}));
  changes = apply_checked(map, clear_shards(std::string("c\0", 2), "h"));
  EXPECT_EQ(sorted(changes), sorted({loses(s(1), range("e", "h")), loses(s(2), range("e", "h"))}));
  EXPECT_EQ(map.entries(), (Entries{{range("", "c"), teams({s(1), s(2)})},
                                    {range("c", "h"), teams({s(3)})},
                                    {range("h", all_keys_end), teams({s(1), s(2)})}}));
}

TEST(ShardMapTest, FinishingAMoveInOneSetAfterTheClear) {
  ShardMap map(Entries{{range("", "c"), teams({s(1)})},
                       {range("c", "e"), teams({s(1)}, {s(2)})},
                       {range("e", "h"), teams({s(1)}, {s(2)})},
                       {range("h", all_keys_end), teams({s(1)})}});
  // Clearing the interior boundary first changes nothing: both sides have the same teams.
  EXPECT_EQ(apply_checked(map, clear_shards("d", "h")), Changes{});
  EXPECT_EQ(map.shard_count(), 3u);
  EXPECT_EQ(apply_checked(map, set_shard("c", teams({s(2)}))),
            Changes{loses(s(1), range("c", "h"))});
}

TEST(ShardMapTest, AClearOfBoundariesMergesShards) {
  ShardMap map = three_shards();
  Changes changes = apply_checked(map, clear_shards("g", "p"));
  EXPECT_EQ(sorted(changes),
            sorted({owns(s(1), range("g", "p"), {s(2)}), loses(s(2), range("g", "p"))}));
  EXPECT_EQ(map.entries(),
            (Entries{{range("", "p"), teams({s(1)})}, {range("p", all_keys_end), teams({s(3)})}}));
}

TEST(ShardMapTest, AClearToTheEndOfTheMapMergesEveryShardAfterIt) {
  ShardMap map = three_shards();
  Changes changes = apply_checked(map, clear_raw(key_servers_key("g"), key_servers_end));
  // Server 1 gains two pieces with different sources: two changes.
  EXPECT_EQ(
      sorted(changes),
      sorted({owns(s(1), range("g", "p"), {s(2)}), owns(s(1), range("p", all_keys_end), {s(3)}),
              loses(s(2), range("g", "p")), loses(s(3), range("p", all_keys_end))}));
  EXPECT_EQ(map.entries(), (Entries{{range("", all_keys_end), teams({s(1)})}}));
}

TEST(ShardMapTest, AClearOfSeveralShardsWithOneSourceReportsOneRange) {
  ShardMap map(Entries{{range("", "c"), teams({s(1)})},
                       {range("c", "f"), teams({s(2)})},
                       {range("f", "k"), teams({s(2)}, {s(3)})},
                       {range("k", all_keys_end), teams({s(4)})}});
  Changes changes = apply_checked(map, clear_shards("b", "k"));
  EXPECT_EQ(sorted(changes), sorted({owns(s(1), range("c", "k"), {s(2)}),
                                     loses(s(2), range("c", "k")), loses(s(3), range("f", "k"))}));
  EXPECT_EQ(map.entries(),
            (Entries{{range("", "k"), teams({s(1)})}, {range("k", all_keys_end), teams({s(4)})}}));
}

TEST(ShardMapTest, AClearWithoutBoundariesChangesNothing) {
  ShardMap map = three_shards();
  EXPECT_EQ(apply_checked(map, clear_shards("h", "o")), Changes{});
  EXPECT_EQ(map.shard_count(), 3u);
}

TEST(ShardMapTest, TheEndMarkerIsIgnored) {
  ShardMap map = three_shards();
  const Entries before = map.entries();
  const Mutation marker{MutationType::set_value, key_servers_prefix + all_keys_end, ""};
  EXPECT_TRUE(ShardMap::touches(marker));
  EXPECT_NO_THROW(ShardMap::check(marker));
  EXPECT_EQ(map.apply(marker), Changes{});
  EXPECT_EQ(map.entries(), before);

  const Mutation clear_marker =
      clear_raw(key_servers_prefix + all_keys_end, key_servers_prefix + all_keys_end + '\0');
  EXPECT_TRUE(ShardMap::touches(clear_marker));
  EXPECT_NO_THROW(ShardMap::check(clear_marker));
  EXPECT_EQ(map.apply(clear_marker), Changes{});
  EXPECT_EQ(map.entries(), before);
}

TEST(ShardMapTest, CheckAcceptsWhatTheMapCanApply) {
  EXPECT_NO_THROW(ShardMap::check(set_shard("", teams({s(1)}))));
  EXPECT_NO_THROW(ShardMap::check(set_shard("a", teams({s(1), s(2)}, {s(3)}))));
  EXPECT_NO_THROW(ShardMap::check(clear_shards("a", "b")));
  EXPECT_NO_THROW(ShardMap::check(clear_shards(std::string("\0", 1), "b")));
  EXPECT_NO_THROW(ShardMap::check(clear_raw(key_servers_key("a"), key_servers_end)));
  EXPECT_NO_THROW(ShardMap::check(clear_raw(key_servers_key("a"), "\xff\xff")));
}

TEST(ShardMapTest, CheckRefusesAtomicOperations) {
  for (MutationType type : {MutationType::add, MutationType::bit_or, MutationType::append_if_fits,
                            MutationType::set_versionstamped_value, MutationType::byte_max,
                            MutationType::compare_and_clear}) {
    const Mutation atomic{type, key_servers_key("a"), encode_shard_teams(teams({s(1)}))};
    EXPECT_TRUE(ShardMap::touches(atomic)) << mutation_type_name(type);
    EXPECT_TRUE(refused(atomic)) << mutation_type_name(type);
  }
}

TEST(ShardMapTest, CheckRefusesValuesThatDoNotDecode) {
  EXPECT_TRUE(refused(Mutation{MutationType::set_value, key_servers_key("a"), "garbage"}));
  EXPECT_TRUE(refused(Mutation{MutationType::set_value, key_servers_key("a"), ""}));
  std::string encoded = encode_shard_teams(teams({s(1)}, {s(2)}));
  EXPECT_TRUE(refused(Mutation{MutationType::set_value, key_servers_key("a"),
                               encoded.substr(0, encoded.size() - 1)}));
  EXPECT_TRUE(refused(Mutation{MutationType::set_value, key_servers_key("a"), encoded + "x"}));
}

TEST(ShardMapTest, CheckRefusesAShardWithoutSources) {
  EXPECT_TRUE(refused(set_shard("a", teams({}))));
  EXPECT_TRUE(refused(set_shard("a", teams({}, {s(1)}))));
  EXPECT_TRUE(refused(set_shard("", teams({}))));
}

TEST(ShardMapTest, CheckRefusesAServerNamedTwiceInOneTeam) {
  EXPECT_TRUE(refused(set_shard("a", teams({s(1), s(1)}))));
  EXPECT_TRUE(refused(set_shard("a", teams({s(1)}, {s(3), s(3)}))));
  // A destination team may keep members of the source team.
  EXPECT_FALSE(refused(set_shard("a", teams({s(1), s(2)}, {s(2), s(3)}))));
}

TEST(ShardMapTest, AMoveToATeamSharingAMemberChangesOnlyTheOthers) {
  ShardMap map({ShardMapEntry{KeyRange{"", all_keys_end}, teams({s(1), s(2)})}});
  std::vector<ShardChange> started = map.apply(set_shard("", teams({s(1), s(2)}, {s(2), s(3)})));
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].server, s(3));
  EXPECT_TRUE(started[0].owned);
  EXPECT_EQ(started[0].sources, (std::vector<UID>{s(1), s(2)}));
  std::vector<ShardChange> finished = map.apply(set_shard("", teams({s(2), s(3)})));
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0].server, s(1));
  EXPECT_FALSE(finished[0].owned);
}

TEST(ShardMapTest, CheckRefusesAClearOfTheFirstBoundary) {
  EXPECT_TRUE(refused(clear_shards("", "c")));
  EXPECT_TRUE(refused(clear_raw(key_servers_prefix, key_servers_end)));
  EXPECT_TRUE(refused(clear_raw("\xff/", key_servers_key("c"))));
  EXPECT_TRUE(refused(clear_raw("", "\xff\xff")));
  EXPECT_TRUE(refused(clear_raw("", key_servers_key(std::string("\0", 1)))));
}

TEST(ShardMapTest, TouchesSetsInsideTheMap) {
  auto set = [](std::string key) { return Mutation{MutationType::set_value, std::move(key), "v"}; };
  EXPECT_TRUE(ShardMap::touches(set(key_servers_key("a"))));
  EXPECT_TRUE(ShardMap::touches(set(key_servers_prefix)));
  EXPECT_TRUE(ShardMap::touches(set(key_servers_key("\xff\xff"))));
  EXPECT_FALSE(ShardMap::touches(set("a")));
  EXPECT_FALSE(ShardMap::touches(set("\xff/keyServers")));
  EXPECT_FALSE(ShardMap::touches(set("\xff/keyServerz/a")));
  EXPECT_FALSE(ShardMap::touches(set(key_servers_end)));
  EXPECT_FALSE(ShardMap::touches(set(server_keys_key(s(1), "a"))));
  EXPECT_FALSE(ShardMap::touches(set(move_keys_lock_key)));
}

TEST(ShardMapTest, TouchesClearsThatReachIntoTheMap) {
  EXPECT_TRUE(ShardMap::touches(clear_shards("a", "b")));
  EXPECT_TRUE(ShardMap::touches(clear_raw("", "\xff\xff")));
  EXPECT_TRUE(ShardMap::touches(clear_raw("\xff/", key_servers_key("a"))));
  EXPECT_TRUE(ShardMap::touches(clear_raw("\xff/", key_servers_prefix + '\0')));
  EXPECT_TRUE(ShardMap::touches(clear_raw(key_servers_key("z"), "\xff\xff")));
  EXPECT_TRUE(ShardMap::touches(clear_raw(key_servers_prefix, key_servers_end)));
  EXPECT_FALSE(ShardMap::touches(clear_raw("a", "b")));
  EXPECT_FALSE(ShardMap::touches(clear_raw("", "\xff")));
  EXPECT_FALSE(ShardMap::touches(clear_raw("\xff/", key_servers_prefix)));
  EXPECT_FALSE(ShardMap::touches(clear_raw(key_servers_end, "\xff\xff")));
  EXPECT_FALSE(ShardMap::touches(clear_raw(server_keys_prefix, server_keys_end)));
  EXPECT_FALSE(ShardMap::touches(clear_shards("a", "a")));
  EXPECT_FALSE(ShardMap::touches(clear_shards("b", "a")));
  EXPECT_FALSE(ShardMap::touches(clear_raw(key_servers_end, key_servers_prefix)));
}

TEST(ShardMapTest, ShardChangesRoundTripThroughPrivateMutations) {
  const std::vector<ShardChange> changes{
      owns(UID(7, 8), range("b", "q"), {s(1), s(2)}),
      loses(UID(7, 8), range("b", "q")),
      owns(s(3), range("", all_keys_end), {}),
      loses(s(4), range(std::string("a\0b", 3), "\xff\x01")),
  };
  for (const ShardChange& change : changes) {
    const Mutation mutation = shard_change_mutation(change);
    EXPECT_EQ(mutation.type, MutationType::set_value);
    EXPECT_EQ(mutation.param1, private_shard_prefix + change.range.begin);
    EXPECT_TRUE(is_private_shard_mutation(mutation));
    EXPECT_FALSE(ShardMap::touches(mutation));
    EXPECT_EQ(decode_shard_change(mutation, change.server), change);
    // The server comes from the stream the mutation arrived in, not from the mutation.
    ShardChange elsewhere = change;
    elsewhere.server = s(99);
    EXPECT_EQ(decode_shard_change(mutation, s(99)), elsewhere);
  }
}

TEST(ShardMapTest, OnlyPrivateShardSetsArePrivateShardMutations) {
  EXPECT_FALSE(is_private_shard_mutation(set_shard("a", teams({s(1)}))));
  EXPECT_FALSE(is_private_shard_mutation(
      Mutation{MutationType::clear_range, private_shard_prefix, private_shard_prefix + "z"}));
  EXPECT_FALSE(is_private_shard_mutation(Mutation{MutationType::set_value, "a", "b"}));
  EXPECT_FALSE(
      is_private_shard_mutation(Mutation{MutationType::add, private_shard_prefix + "a", "b"}));
}

TEST(ShardMapTest, AMalformedPrivateShardMutationFailsToDecode) {
  const Mutation malformed{MutationType::set_value, private_shard_prefix + "a", "junk"};
  try {
    decode_shard_change(malformed, s(1));
    ADD_FAILURE() << "decoded junk";
  } catch (const Error& error) {
    EXPECT_TRUE(error.is(ErrorCode::serialization_failed)) << error.message();
  }
}

// ---------------------------------------------------------------------------------------
// A randomized comparison with a model: the map's keys are drawn from "" and "a".."h", and
// the model is, for each of those keys, the value of the \xff/keyServers/ row at it (if
// any). A key is held by the teams of the last row at or before it; since every boundary is
// one of these keys, the teams are constant from each of them to the next. A server may be
// in both a shard's src and its dest (a move to a team that keeps some of the source team);
// who holds a key is the set src ∪ dest, so such a server gains nothing when the move starts
// and loses nothing when it finishes.

const std::array<Key, 9> alphabet{"", "a", "b", "c", "d", "e", "f", "g", "h"};
constexpr uint64_t server_count = 6;

struct Model {
  std::array<std::optional<ShardTeams>, alphabet.size()> rows;

  // The teams holding alphabet[i] and every key up to the next alphabet key.
  ShardTeams owner(size_t i) const {
    for (size_t j = i + 1; j-- > 0;) {
      if (rows[j]) return *rows[j];
    }
    ADD_FAILURE() << "the model has no first row";
    return {};
  }
};

Key piece_end(size_t i) {
  return i + 1 < alphabet.size() ? alphabet[i + 1] : all_keys_end;
}

std::set<UID> everyone(const ShardTeams& shard_teams) {
  std::set<UID> ids(shard_teams.src.begin(), shard_teams.src.end());
  ids.insert(shard_teams.dest.begin(), shard_teams.dest.end());
  return ids;
}

// The changes from `before` to `after` (owners of each alphabet piece): for each server,
// the maximal runs of pieces it gains from the same sources, and of pieces it loses.
Changes expected_changes(const std::vector<ShardTeams>& before,
                         const std::vector<ShardTeams>& after) {
  Changes changes;
  for (uint64_t n = 1; n <= server_count; ++n) {
    const UID server = s(n);
    std::optional<ShardChange> run;
    for (size_t i = 0; i < alphabet.size(); ++i) {
      const bool had = everyone(before[i]).contains(server);
      const bool has = everyone(after[i]).contains(server);
      std::optional<ShardChange> piece;
      if (has && !had) piece = owns(server, range(alphabet[i], piece_end(i)), before[i].src);
      if (had && !has) piece = loses(server, range(alphabet[i], piece_end(i)));
      if (run && piece && run->owned == piece->owned && run->sources == piece->sources) {
        run->range.end = piece->range.end;
        continue;
      }
      if (run) changes.push_back(*run);
      run = piece;
    }
    if (run) changes.push_back(*run);
  }
  return changes;
}

Ids random_ids(Rng& rng, size_t count, std::vector<UID>& pool) {
  std::shuffle(pool.begin(), pool.end(), rng);
  Ids ids(pool.begin(), pool.begin() + count);
  pool.erase(pool.begin(), pool.begin() + count);
  return ids;
}

std::vector<UID> all_servers() {
  std::vector<UID> pool;
  for (uint64_t n = 1; n <= server_count; ++n)
    pool.push_back(s(n));
  return pool;
}

bool shares_a_server(const ShardTeams& shard_teams) {
  return std::any_of(shard_teams.dest.begin(), shard_teams.dest.end(), [&](const UID& id) {
    return std::find(shard_teams.src.begin(), shard_teams.src.end(), id) != shard_teams.src.end();
  });
}

// A destination team for a move from `src`: no server twice, and sometimes (about two
// times in three) sharing servers with `src`.
Ids random_dest(Rng& rng, const Ids& src) {
  std::vector<UID> others;
  for (const UID& id : all_servers()) {
    if (std::find(src.begin(), src.end(), id) == src.end()) others.push_back(id);
  }
  Ids dest;
  switch (rng() % 3) {
    case 0: {
      // Disjoint from src.
      const size_t size = rng.between(1, 2);
      dest = random_ids(rng, std::min(size, others.size()), others);
      break;
    }
    case 1: {
      // Keeps one or more members of src (perhaps all), and adds up to two others.
      std::vector<UID> kept_pool = src;
      const size_t kept = rng.between(1, src.size());
      dest = random_ids(rng, kept, kept_pool);
      const size_t added = rng.between(0, 2);
      for (const UID& id : random_ids(rng, std::min(added, others.size()), others))
        dest.push_back(id);
      std::shuffle(dest.begin(), dest.end(), rng);
      break;
    }
    default: {
      // Any servers, src's or not.
      std::vector<UID> pool = all_servers();
      dest = random_ids(rng, rng.between(1, 3), pool);
      break;
    }
  }
  return dest;
}

ShardTeams random_teams(Rng& rng) {
  std::vector<UID> pool = all_servers();
  const size_t src_size = rng.between(1, 3);
  ShardTeams result;
  result.src = random_ids(rng, src_size, pool);
  // Half of the shards are moving.
  if (rng() % 2 == 0) result.dest = random_dest(rng, result.src);
  return result;
}

// A shard map key in the model's terms: an alphabet key, sometimes just past one.
Key random_map_key(Rng& rng, size_t& index) {
  index = rng() % alphabet.size();
  Key key = alphabet[index];
  if (rng() % 4 == 0) key.push_back('\0');
  return key;
}

void run_random_comparison(uint32_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  Rng rng(seed);
  const ShardTeams initial = teams({s(1)});
  ShardMap map(Entries{{range("", all_keys_end), initial}});
  Model model;
  model.rows[0] = initial;
  // Accepted sets whose dest shares a server with their src.
  int overlapping_sets = 0;

  for (int step = 0; step < 600; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    Mutation mutation;
    const uint32_t kind = rng() % 100;
    if (kind < 40) {
      // A set at an alphabet key.
      const size_t i = rng() % alphabet.size();
      const ShardTeams shard_teams = random_teams(rng);
      if (shares_a_server(shard_teams)) ++overlapping_sets;
      mutation = set_shard(alphabet[i], shard_teams);
    } else if (kind < 55) {
      // A move's next step at an alphabet key, as the teams there stand: a moving shard's
      // move finishes (dest becomes src), a still one starts moving (often to a team that
      // keeps some of its servers).
      const size_t i = rng() % alphabet.size();
      const ShardTeams current = model.owner(i);
      ShardTeams next;
      if (current.dest.empty()) {
        next = teams(current.src, random_dest(rng, current.src));
      } else {
        next = teams(current.dest);
      }
      if (shares_a_server(next)) ++overlapping_sets;
      mutation = set_shard(alphabet[i], next);
    } else if (kind < 60) {
      // A set the check must refuse: no source, or a server twice in one team (which may
      // also be in the other team).
      const size_t i = rng() % alphabet.size();
      ShardTeams bad = random_teams(rng);
      switch (rng() % 4) {
        case 0:
          bad.src.clear();
          break;
        case 1:
          bad.src.push_back(bad.src.front());
          break;
        case 2:
          if (bad.dest.empty()) bad.dest.push_back(bad.src.back());
          bad.dest.push_back(bad.dest.front());
          break;
        default:
          bad.src.push_back(bad.src.back());
          if (bad.dest.empty()) bad.dest.push_back(bad.src.back());
          break;
      }
      std::shuffle(bad.dest.begin(), bad.dest.end(), rng);
      mutation = set_shard(alphabet[i], bad);
      ASSERT_TRUE(refused(mutation));
      continue;
    } else if (kind < 95) {
      // A clear, from an alphabet key (or just past one) to a later one, or to the end.
      size_t i = 0;
      size_t j = 0;
      Key begin = random_map_key(rng, i);
      std::string end_key;
      switch (rng() % 6) {
        case 0:
          end_key = key_servers_end;
          break;
        case 1:
          end_key = key_servers_prefix + all_keys_end;
          break;
        default:
          end_key = key_servers_key(random_map_key(rng, j));
          break;
      }
      std::string begin_key = key_servers_key(begin);
      if (i == 0 && begin.empty() && rng() % 2 == 0) begin_key = "\xff/";
      mutation = clear_raw(begin_key, end_key);
      // It touches the map when it clears some key of [prefix, strinc(prefix)).
      if (!(begin_key < end_key && key_servers_prefix < end_key)) {
        EXPECT_FALSE(ShardMap::touches(mutation));
        continue;
      }
      ASSERT_TRUE(ShardMap::touches(mutation));
      // Removing the first row is refused; any other clear is applied.
      if (begin_key <= key_servers_prefix) {
        ASSERT_TRUE(refused(mutation));
        continue;
      }
    } else {
      // The end marker.
      mutation = Mutation{MutationType::set_value, key_servers_prefix + all_keys_end, ""};
    }

    // Apply to the model: rows as in the database.
    std::vector<ShardTeams> before;
    for (size_t i = 0; i < alphabet.size(); ++i)
      before.push_back(model.owner(i));
    if (mutation.type == MutationType::set_value) {
      for (size_t i = 0; i < alphabet.size(); ++i) {
        if (key_servers_key(alphabet[i]) == mutation.param1) {
          model.rows[i] = decode_shard_teams(mutation.param2);
        }
      }
    } else {
      for (size_t i = 0; i < alphabet.size(); ++i) {
        const Key row = key_servers_key(alphabet[i]);
        if (mutation.param1 <= row && row < mutation.param2) model.rows[i].reset();
      }
    }
    ASSERT_TRUE(model.rows[0].has_value());
    std::vector<ShardTeams> after;
    for (size_t i = 0; i < alphabet.size(); ++i)
      after.push_back(model.owner(i));

    Changes changes;
    try {
      changes = apply_checked(map, mutation);
    } catch (const Error& error) {
      FAIL() << "refused: " << error.message();
    }

    // (a) Every key is held by the model's teams, alphabet keys and those between them.
    for (size_t i = 0; i < alphabet.size(); ++i) {
      ASSERT_EQ(map.teams_of(alphabet[i]), after[i]) << "key " << alphabet[i];
      ASSERT_EQ(map.teams_of(alphabet[i] + "\x01zz"), after[i]) << "after key " << alphabet[i];
    }
    ASSERT_EQ(map.teams_of("\xff\xfe"), after.back());

    // (b) The changes are exactly what differs between before and after.
    ASSERT_EQ(sorted(changes), sorted(expected_changes(before, after)));

    // (c) The entries are consecutive, cover the key space, and start at the model's rows.
    const Entries entries = map.entries();
    ASSERT_FALSE(entries.empty());
    ASSERT_EQ(entries.front().range.begin, "");
    ASSERT_EQ(entries.back().range.end, all_keys_end);
    ASSERT_EQ(entries.size(), map.shard_count());
    size_t entry = 0;
    for (size_t i = 0; i < alphabet.size(); ++i) {
      if (!model.rows[i]) continue;
      ASSERT_LT(entry, entries.size());
      ASSERT_EQ(entries[entry].range.begin, alphabet[i]);
      ASSERT_EQ(entries[entry].teams, *model.rows[i]);
      ++entry;
    }
    ASSERT_EQ(entry, entries.size());
    for (size_t k = 0; k < entries.size(); ++k) {
      ASSERT_FALSE(entries[k].range.empty());
      if (k > 0) ASSERT_EQ(entries[k].range.begin, entries[k - 1].range.end);
    }

    // And intersecting agrees with entries on a random range.
    size_t i = 0;
    size_t j = 0;
    Key lo = random_map_key(rng, i);
    Key hi = random_map_key(rng, j);
    if (hi < lo) std::swap(lo, hi);
    Entries expected;
    for (const ShardMapEntry& e : entries) {
      if (e.range.intersects(range(lo, hi))) expected.push_back(e);
    }
    ASSERT_EQ(map.intersecting(range(lo, hi)), expected);
  }
  // The generator did make moves that keep servers of the source team.
  EXPECT_GT(overlapping_sets, 0);
}

TEST(ShardMapTest, RandomChangesMatchAModel) {
  for (uint32_t seed : {1u, 2u, 3u, 42u, 1234u, 99999u}) {
    run_random_comparison(seed);
    if (HasFatalFailure()) return;
  }
}

// The \xff/serverKeys/ rows of `rows` (shard_map_rows writes every kind).
std::vector<KeyValue> server_keys_of(const std::vector<KeyValue>& rows) {
  std::vector<KeyValue> only;
  for (const KeyValue& row : rows) {
    if (row.key.starts_with(server_keys_prefix)) only.push_back(row);
  }
  return only;
}

TEST(ShardMapTest, TheRowsOfANewDatabaseAgreeWithItsMap) {
  const Entries entries{{range("", "g"), teams({s(1), s(2)})},
                        {range("g", "p"), teams({s(2)}, {s(3)})},
                        {range("p", all_keys_end), teams({s(1), s(3)})}};
  std::vector<KeyValue> rows = server_keys_of(shard_map_rows(entries, {}));
  EXPECT_TRUE(shard_map_disagreements(entries, rows, {s(1), s(2), s(3)}).empty());
  // A split keeps every server's rows as they were.
  const Entries split{{range("", "c"), teams({s(1), s(2)})},
                      {range("c", "g"), teams({s(1), s(2)})},
                      {range("g", "p"), teams({s(2)}, {s(3)})},
                      {range("p", all_keys_end), teams({s(1), s(3)})}};
  EXPECT_TRUE(shard_map_disagreements(split, rows, {s(1), s(2), s(3)}).empty());
}

TEST(ShardMapTest, RowsThatDisagreeWithTheMapAreNamed) {
  const Entries entries{{range("", "g"), teams({s(1)})}, {range("g", all_keys_end), teams({s(2)})}};
  std::vector<KeyValue> rows = server_keys_of(shard_map_rows(entries, {}));
  // Server 1's rows say it holds everything.
  std::vector<KeyValue> wrong = rows;
  for (KeyValue& row : wrong) {
    if (row.key == server_keys_key(s(1), "g")) row.value = server_keys_true;
  }
  std::vector<std::string> found = shard_map_disagreements(entries, wrong, {s(1), s(2)});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].find("storage server " + s(1).to_string()), std::string::npos) << found[0];
  EXPECT_NE(found[0].find("says it holds ['', '\\xff\\xff')"), std::string::npos) << found[0];
  // A member the server list does not list; rows of a server that is gone.
  found = shard_map_disagreements(entries, rows, {s(1)});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_NE(found[0].find("does not list it"), std::string::npos) << found[0];
  EXPECT_NE(found[1].find("still has rows"), std::string::npos) << found[1];
}

}  // namespace
}  // namespace strata
