#include "client/write_map.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/random.h"

namespace strata {
namespace {

using namespace std::literals;

using Database = std::map<std::string, std::string>;

constexpr size_t unlimited = std::numeric_limits<size_t>::max();

KeyRange range_of(std::string_view begin, std::string_view end) {
  return KeyRange{std::string(begin), std::string(end)};
}

// The rows of `database` inside `range`, in `direction` order.
std::vector<KeyValue> database_rows(const Database& database, const KeyRange& range,
                                    ReadDirection direction) {
  std::vector<KeyValue> rows;
  for (auto it = database.lower_bound(range.begin); it != database.end() && it->first < range.end;
       ++it) {
    rows.push_back(KeyValue{it->first, it->second});
  }
  if (direction == ReadDirection::reverse) std::reverse(rows.begin(), rows.end());
  return rows;
}

struct RangeRead {
  std::vector<KeyValue> rows;
  bool unreadable = false;
  // The read stopped before the end of its range (limit reached).
  bool more = false;
  int database_reads = 0;
};

// The transaction's get_range loop, as the header of write_map.h describes it: the
// database answers at most `chunk_rows` rows at a time.
RangeRead read_through(const WriteMap::RangeWrites& writes, const Database& database,
                       const KeyRange& range, ReadDirection direction, size_t limit,
                       size_t chunk_rows) {
  RangeRead read;
  KeyRange remaining = range;
  while (!remaining.empty() && read.rows.size() < limit) {
    if (++read.database_reads > 1000) {
      ADD_FAILURE() << "the read makes no progress";
      break;
    }
    std::vector<KeyValue> rows = database_rows(database, remaining, direction);
    const bool more = rows.size() > chunk_rows;
    if (more) rows.resize(chunk_rows);
    const size_t rows_before = read.rows.size();
    auto step = writes.merge(remaining, rows, more, direction, limit - read.rows.size(), read.rows);
    EXPECT_EQ(step.rows_added, read.rows.size() - rows_before);
    if (step.unreadable) {
      read.unreadable = true;
      break;
    }
    // Each round accounts for at least one more key: the rest is a strictly smaller part.
    const bool inside = step.remaining.empty() || (remaining.begin <= step.remaining.begin &&
                                                   step.remaining.end <= remaining.end);
    EXPECT_TRUE(inside && step.remaining != remaining) << "no progress";
    remaining = step.remaining;
  }
  read.more = !read.unreadable && !remaining.empty();
  return read;
}

// Applies what the commit sends. A set_versionstamped_value stores its operand: the test's
// stand-in for the versionstamp.
Database commit(const Database& database, const std::vector<Mutation>& mutations) {
  Database result = database;
  for (const Mutation& mutation : mutations) {
    switch (mutation.type) {
      case MutationType::clear_range:
        result.erase(result.lower_bound(mutation.param1), result.lower_bound(mutation.param2));
        break;
      case MutationType::set_value:
      case MutationType::set_versionstamped_value:
        result[mutation.param1] = mutation.param2;
        break;
      case MutationType::set_versionstamped_key:
        ADD_FAILURE() << "unexpected versionstamped key";
        break;
      default: {
        auto it = result.find(mutation.param1);
        std::optional<std::string> existing;
        if (it != result.end()) existing = it->second;
        auto value = apply_atomic_op(mutation.type, existing, mutation.param2);
        if (value) {
          result[mutation.param1] = *value;
        } else {
          result.erase(mutation.param1);
        }
      }
    }
  }
  return result;
}

size_t sent_bytes(const std::vector<Mutation>& mutations) {
  size_t bytes = 0;
  for (const Mutation& mutation : mutations)
    bytes += mutation.param1.size() + mutation.param2.size();
  return bytes;
}

size_t range_bytes(const std::vector<KeyRange>& ranges) {
  size_t bytes = 0;
  for (const KeyRange& range : ranges)
    bytes += range.begin.size() + range.end.size();
  return bytes;
}

// ---------------------------------------------------------------------------------------

TEST(KeyRangeSet, MergesOverlappingAndTouchingRanges) {
  KeyRangeSet set;
  set.insert(range_of("b", "d"));
  set.insert(range_of("f", "h"));
  EXPECT_EQ(set.size(), 2u);
  set.insert(range_of("d", "e"));  // touches [b, d)
  EXPECT_EQ(set.ranges(), (std::vector<KeyRange>{range_of("b", "e"), range_of("f", "h")}));
  set.insert(range_of("a", "g"));
  EXPECT_EQ(set.ranges(), (std::vector<KeyRange>{range_of("a", "h")}));
  set.insert(range_of("b", "c"));  // inside
  set.insert(range_of("c", "c"));  // empty
  EXPECT_EQ(set.ranges(), (std::vector<KeyRange>{range_of("a", "h")}));
  EXPECT_EQ(set.bytes(), 2u);
}

TEST(KeyRangeSet, EraseSplits) {
  KeyRangeSet set;
  set.insert(range_of("a", "z"));
  set.erase(range_of("c", "e"));
  EXPECT_EQ(set.ranges(), (std::vector<KeyRange>{range_of("a", "c"), range_of("e", "z")}));
  EXPECT_TRUE(set.contains("b"));
  EXPECT_FALSE(set.contains("c"));
  EXPECT_FALSE(set.contains("d"));
  EXPECT_TRUE(set.contains("e"));
  EXPECT_FALSE(set.contains("z"));
  set.erase(range_of("", "b"));
  set.erase(range_of("y", "\xff"));
  EXPECT_EQ(set.ranges(), (std::vector<KeyRange>{range_of("b", "c"), range_of("e", "y")}));
  EXPECT_EQ(set.intersecting(range_of("bb", "f")),
            (std::vector<KeyRange>{range_of("bb", "c"), range_of("e", "f")}));
  EXPECT_EQ(set.bytes(), 4u);
  set.erase(range_of("a", "z"));
  EXPECT_TRUE(set.empty());
  EXPECT_EQ(set.bytes(), 0u);
}

// ---------------------------------------------------------------------------------------

TEST(WriteMap, UnwrittenKeysReadTheDatabase) {
  WriteMap writes;
  auto found = writes.lookup("a");
  EXPECT_EQ(found.kind, WriteMap::Lookup::Kind::database);
  EXPECT_TRUE(found.pending.empty());
  EXPECT_EQ(found.resolve(std::string("db")), "db");
  EXPECT_TRUE(writes.empty());
}

TEST(WriteMap, SetAndClearDecideTheValue) {
  WriteMap writes;
  writes.set("a", "1");
  writes.clear("b");
  writes.clear_range("c", "e");
  writes.set("d", "4");
  EXPECT_EQ(writes.lookup("a").kind, WriteMap::Lookup::Kind::known);
  EXPECT_EQ(writes.lookup("a").value, "1");
  EXPECT_EQ(writes.lookup("b").kind, WriteMap::Lookup::Kind::known);
  EXPECT_EQ(writes.lookup("b").value, std::nullopt);
  EXPECT_EQ(writes.lookup("b\0"sv).kind, WriteMap::Lookup::Kind::database);
  EXPECT_EQ(writes.lookup("c").value, std::nullopt);
  EXPECT_EQ(writes.lookup("d").value, "4");
  EXPECT_EQ(writes.lookup("dz").kind, WriteMap::Lookup::Kind::known);
  EXPECT_EQ(writes.lookup("e").kind, WriteMap::Lookup::Kind::database);
  writes.clear_range("a", "z");
  EXPECT_EQ(writes.lookup("a").value, std::nullopt);
  EXPECT_EQ(writes.lookup("d").value, std::nullopt);
  EXPECT_EQ(writes.mutations(), (std::vector<Mutation>{{MutationType::clear_range, "a", "z"}}));
}

TEST(WriteMap, AtomicOperationsOnKnownValuesApplyAtOnce) {
  WriteMap writes;
  writes.set("k", std::string("\x01\x00", 2));
  writes.atomic_op("k", MutationType::add, std::string("\xff\x00", 2));
  EXPECT_EQ(writes.lookup("k").value, std::string("\x00\x01", 2));
  writes.clear("c");
  writes.atomic_op("c", MutationType::bit_and, "xy");  // missing: the operand
  EXPECT_EQ(writes.lookup("c").value, "xy");
  writes.clear("m");
  writes.atomic_op("m", MutationType::compare_and_clear, "");
  EXPECT_EQ(writes.lookup("m").kind, WriteMap::Lookup::Kind::known);
  EXPECT_EQ(writes.lookup("m").value, std::nullopt);
  EXPECT_EQ(writes.mutations(),
            (std::vector<Mutation>{{MutationType::clear_range, "c", "c\0"s},
                                   {MutationType::clear_range, "m", "m\0"s},
                                   {MutationType::set_value, "c", "xy"},
                                   {MutationType::set_value, "k", "\x00\x01"s}}));
}

TEST(WriteMap, CompareAndClearOfAKnownValueClearsTheKey) {
  WriteMap writes;
  writes.set("k", "v");
  writes.atomic_op("k", MutationType::compare_and_clear, "v");
  EXPECT_EQ(writes.lookup("k").kind, WriteMap::Lookup::Kind::known);
  EXPECT_EQ(writes.lookup("k").value, std::nullopt);
  EXPECT_EQ(writes.mutations(), (std::vector<Mutation>{{MutationType::clear_range, "k", "k\0"s}}));
  writes.atomic_op("k", MutationType::append_if_fits, "w");
  EXPECT_EQ(writes.lookup("k").value, "w");
}

TEST(WriteMap, AtomicOperationsOnUnknownValuesWaitForTheDatabase) {
  WriteMap writes;
  writes.atomic_op("k", MutationType::add, std::string("\x01\x00", 2));
  writes.atomic_op("k", MutationType::bit_xor, std::string("\xff", 1));
  auto found = writes.lookup("k");
  ASSERT_EQ(found.kind, WriteMap::Lookup::Kind::database);
  EXPECT_EQ(found.pending,
            (AtomicOperations{{MutationType::add, "\x01\x00"s}, {MutationType::bit_xor, "\xff"s}}));
  EXPECT_EQ(found.resolve(std::nullopt), "\xfe"s);
  EXPECT_EQ(found.resolve("\x05\x07"s), "\xf9"s);
  // A set replaces the stack; an operation on top then applies at once.
  writes.set("k", "\x02"s);
  writes.atomic_op("k", MutationType::add, "\x03"s);
  EXPECT_EQ(writes.lookup("k").value, "\x05"s);
}

TEST(WriteMap, ConsecutiveOperationsOfOneTypeMergeAsInFoundationDB) {
  WriteMap writes;
  writes.atomic_op("k", MutationType::add, "\x01\x00"s);
  writes.atomic_op("k", MutationType::add, "\xff\x00"s);
  EXPECT_EQ(writes.lookup("k").pending, (AtomicOperations{{MutationType::add, "\x00\x01"s}}));
  // Operands of different lengths do not merge: the carry would be lost differently.
  writes.atomic_op("k", MutationType::add, "\x01"s);
  EXPECT_EQ(writes.lookup("k").pending.size(), 2u);
  // bit_and merges whatever the lengths.
  writes.atomic_op("a", MutationType::bit_and, "\x0f\x0f"s);
  writes.atomic_op("a", MutationType::bit_and, "\x03"s);
  EXPECT_EQ(writes.lookup("a").pending, (AtomicOperations{{MutationType::bit_and, "\x03"s}}));
  EXPECT_EQ(writes.lookup("a").resolve("\xff\xff"s), "\x03"s);
  // compare_and_clear never merges.
  writes.atomic_op("c", MutationType::compare_and_clear, "x");
  writes.atomic_op("c", MutationType::compare_and_clear, "y");
  EXPECT_EQ(writes.lookup("c").pending.size(), 2u);
  EXPECT_EQ(writes.lookup("c").resolve("x"s), std::nullopt);
  EXPECT_EQ(writes.lookup("c").resolve("z"s), "z");
  EXPECT_EQ(writes.mutations().size(), 5u);
}

// FoundationDB merges two append_if_fits on an unknown value into one append of both
// operands, which is all or nothing: near the value size limit, neither is applied where
// applying them one after the other would have applied the first.
TEST(WriteMap, AppendIfFitsMergesAllOrNothingAsInFoundationDB) {
  WriteMap writes;
  writes.atomic_op("k", MutationType::append_if_fits, "12345");
  writes.atomic_op("k", MutationType::append_if_fits, "67890");
  auto found = writes.lookup("k");
  EXPECT_EQ(found.pending, (AtomicOperations{{MutationType::append_if_fits, "1234567890"}}));
  const std::string near_limit(value_size_limit - 7, 'x');
  EXPECT_EQ(found.resolve(near_limit), near_limit);
  EXPECT_EQ(found.resolve(std::nullopt), "1234567890");
  EXPECT_EQ(writes.mutations(),
            (std::vector<Mutation>{{MutationType::append_if_fits, "k", "1234567890"}}));
}

TEST(WriteMap, VersionstampedValueIsUnreadableUntilCleared) {
  WriteMap writes;
  writes.atomic_op("k", MutationType::set_versionstamped_value, "stamp\0\0\0\0"s);
  EXPECT_EQ(writes.lookup("k").kind, WriteMap::Lookup::Kind::unreadable);
  writes.atomic_op("k", MutationType::add, "\x01"s);
  EXPECT_EQ(writes.lookup("k").kind, WriteMap::Lookup::Kind::unreadable);
  EXPECT_EQ(writes.mutations(),
            (std::vector<Mutation>{{MutationType::set_versionstamped_value, "k", "stamp\0\0\0\0"s},
                                   {MutationType::add, "k", "\x01"s}}));
  // Operations on an unreadable key are never merged, as in FoundationDB.
  writes.atomic_op("k", MutationType::add, "\x02"s);
  EXPECT_EQ(writes.mutations().size(), 3u);
  // A set does not make it readable (FoundationDB's rule)...
  writes.set("k", "v");
  EXPECT_EQ(writes.lookup("k").kind, WriteMap::Lookup::Kind::unreadable);
  EXPECT_EQ(writes.mutations(), (std::vector<Mutation>{{MutationType::set_value, "k", "v"}}));
  // ...a clear does.
  writes.clear("k");
  EXPECT_EQ(writes.lookup("k").kind, WriteMap::Lookup::Kind::known);
  EXPECT_EQ(writes.write_conflict_ranges(), (std::vector<KeyRange>{single_key_range("k")}));
}

TEST(WriteMap, VersionstampedKeyMakesItsPossibleKeysUnreadable) {
  WriteMap writes;
  writes.set("p/a", "1");
  const std::string parameter = "p/\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x02\x00\x00\x00"s;
  writes.set_versionstamped_key(parameter, "value", range_of("p/\x01", "p/\x02"));
  EXPECT_EQ(writes.lookup("p/a").kind, WriteMap::Lookup::Kind::known);
  EXPECT_EQ(writes.lookup("p/\x01\x05").kind, WriteMap::Lookup::Kind::unreadable);
  EXPECT_EQ(writes.lookup("p/\x02").kind, WriteMap::Lookup::Kind::database);
  EXPECT_EQ(writes.mutations(),
            (std::vector<Mutation>{{MutationType::set_value, "p/a", "1"},
                                   {MutationType::set_versionstamped_key, parameter, "value"}}));
  // No write conflict: the commit adds the real key's.
  EXPECT_EQ(writes.write_conflict_ranges(), (std::vector<KeyRange>{single_key_range("p/a")}));
  EXPECT_EQ(writes.mutation_bytes(), 3u + 1u + parameter.size() + 5u);

  // Reads fail when they reach the range: forward at once, reverse after the keys above.
  auto range = writes.read_range(range_of("p/", "p0"));
  Database database{{"p/0", "x"}, {"p/\x01\x07", "y"}};
  RangeRead read = read_through(range, database, range.range(), ReadDirection::forward, 10, 10);
  EXPECT_TRUE(read.unreadable);
  EXPECT_TRUE(read.rows.empty());
  read = read_through(range, database, range.range(), ReadDirection::reverse, 10, 1);
  EXPECT_TRUE(read.unreadable);
  EXPECT_EQ(read.rows, (std::vector<KeyValue>{{"p/a", "1"}, {"p/0", "x"}}));
  // A read that reaches its limit first does not fail.
  read = read_through(range, database, range.range(), ReadDirection::reverse, 2, 1);
  EXPECT_FALSE(read.unreadable);
  EXPECT_EQ(read.rows.size(), 2u);

  // A clear of the key drops the write and makes the range readable again.
  writes.clear_range("p/", "p0");
  EXPECT_EQ(writes.lookup("p/\x01\x05").kind, WriteMap::Lookup::Kind::known);
  EXPECT_EQ(writes.mutations(), (std::vector<Mutation>{{MutationType::clear_range, "p/", "p0"}}));
}

TEST(WriteMap, WriteConflictRangesAreMergedAndOptional) {
  WriteMap writes;
  writes.set("a", "1");
  writes.set("a\0"s, "2");
  writes.clear_range("c", "e");
  writes.set("d", "3");
  writes.set("x", "4", WriteConflict::skip);
  writes.atomic_op("y", MutationType::add, "\x01"s, WriteConflict::skip);
  writes.set("a", "5", WriteConflict::skip);  // keeps the conflict range of the first set
  writes.add_write_conflict_range(range_of("m", "n"));
  EXPECT_EQ(
      writes.write_conflict_ranges(),
      (std::vector<KeyRange>{range_of("a", "a\0\0"s), range_of("c", "e"), range_of("m", "n")}));
  EXPECT_EQ(writes.write_conflict_bytes(), 4u + 2u + 2u);
  EXPECT_EQ(writes.size_bytes(),
            sent_bytes(writes.mutations()) + range_bytes(writes.write_conflict_ranges()));
  writes.clear();
  EXPECT_TRUE(writes.empty());
  EXPECT_EQ(writes.size_bytes(), 0u);
  EXPECT_TRUE(writes.mutations().empty());
}

TEST(WriteMap, ConflictRangeAloneMakesTheMapNonEmpty) {
  WriteMap writes;
  writes.add_write_conflict_range(range_of("a", "b"));
  EXPECT_FALSE(writes.empty());
  EXPECT_TRUE(writes.mutations().empty());
}

// ---------------------------------------------------------------------------------------
// Range reads

class WriteMapRange : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}};
    writes_.set("b", "20");
    writes_.clear("c");
    writes_.atomic_op("d", MutationType::add, "\x01"s);  // '4' + 1 = '5'
    writes_.set("e", "5");
    writes_.atomic_op("f", MutationType::byte_max, "6");  // not in the database
  }

  Database database_;
  WriteMap writes_;
};

TEST_F(WriteMapRange, MergesForwardAndReverse) {
  auto range = writes_.read_range(range_of("", "z"));
  const std::vector<KeyValue> expected{{"a", "1"}, {"b", "20"}, {"d", "5"}, {"e", "5"}, {"f", "6"}};
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, unlimited}) {
    SCOPED_TRACE(chunk);
    RangeRead forward =
        read_through(range, database_, range.range(), ReadDirection::forward, unlimited, chunk);
    EXPECT_EQ(forward.rows, expected);
    EXPECT_FALSE(forward.more);
    RangeRead reverse =
        read_through(range, database_, range.range(), ReadDirection::reverse, unlimited, chunk);
    EXPECT_EQ(reverse.rows, std::vector<KeyValue>(expected.rbegin(), expected.rend()));
  }
}

TEST_F(WriteMapRange, StopsAtTheLimitRightAfterTheLastRow) {
  auto range = writes_.read_range(range_of("", "z"));
  std::vector<KeyValue> rows;
  auto step =
      range.merge(range.range(), database_rows(database_, range.range(), ReadDirection::forward),
                  false, ReadDirection::forward, 2, rows);
  EXPECT_TRUE(step.limit_reached);
  EXPECT_EQ(rows, (std::vector<KeyValue>{{"a", "1"}, {"b", "20"}}));
  EXPECT_EQ(step.remaining, range_of("b\0"s, "z"));

  rows.clear();
  step = range.merge(range.range(), database_rows(database_, range.range(), ReadDirection::reverse),
                     false, ReadDirection::reverse, 2, rows);
  EXPECT_EQ(rows, (std::vector<KeyValue>{{"f", "6"}, {"e", "5"}}));
  EXPECT_EQ(step.remaining, range_of("", "e"));
}

TEST_F(WriteMapRange, ClaimsNothingBeyondATruncatedDatabasePart) {
  auto range = writes_.read_range(range_of("", "z"));
  std::vector<KeyValue> rows;
  // The database returned only "a" and has more: the written "b" and "e" must wait.
  auto step = range.merge(range.range(), std::vector<KeyValue>{{"a", "1"}}, true,
                          ReadDirection::forward, 10, rows);
  EXPECT_EQ(rows, (std::vector<KeyValue>{{"a", "1"}}));
  EXPECT_FALSE(step.limit_reached);
  EXPECT_EQ(step.remaining, range_of("a\0"s, "z"));

  rows.clear();
  step = range.merge(range_of("", "z"), std::vector<KeyValue>{{"d", "4"}}, true,
                     ReadDirection::reverse, 10, rows);
  EXPECT_EQ(rows, (std::vector<KeyValue>{{"f", "6"}, {"e", "5"}, {"d", "5"}}));
  EXPECT_EQ(step.remaining, range_of("", "d"));
}

TEST_F(WriteMapRange, ClearedRowsMakeTheLoopAskAgain) {
  writes_.clear_range("a", "d");
  auto range = writes_.read_range(range_of("", "z"));
  RangeRead read = read_through(range, database_, range.range(), ReadDirection::forward, 1, 1);
  EXPECT_EQ(read.rows, (std::vector<KeyValue>{{"d", "5"}}));
  EXPECT_TRUE(read.more);
  EXPECT_EQ(read.database_reads, 4);
}

TEST_F(WriteMapRange, ASnapshotIgnoresLaterWrites) {
  auto range = writes_.read_range(range_of("", "z"));
  writes_.clear_range("", "z");
  RangeRead read =
      read_through(range, database_, range.range(), ReadDirection::forward, unlimited, 2);
  EXPECT_EQ(read.rows.size(), 5u);
}

TEST_F(WriteMapRange, DatabaseRangesLeaveOutWhatTheTransactionDecided) {
  writes_.clear_range("g", "i");
  auto range = writes_.read_range(range_of("a", "z"));
  // b is set, c cleared, d pending, e set, f pending, [g, i) cleared; keys between them
  // ("b\0", "ba", ...) read the database.
  EXPECT_EQ(range.database_ranges(range_of("a", "z")),
            (std::vector<KeyRange>{range_of("a", "b"), range_of("b\0"s, "c"), range_of("c\0"s, "e"),
                                   range_of("e\0"s, "g"), range_of("i", "z")}));
  EXPECT_EQ(range.database_ranges(range_of("h", "h\0"s)), std::vector<KeyRange>{});
  EXPECT_EQ(range.database_ranges(range_of("bb", "c")),
            (std::vector<KeyRange>{range_of("bb", "c")}));
}

// ---------------------------------------------------------------------------------------
// Model check: random writes against a brute-force model that applies every write, in
// order, to a copy of the database.

const std::vector<std::string>& model_keys() {
  static const std::vector<std::string> keys{"", "a", "a\0"s, "aa", "b", "ba", "c", "d"};
  return keys;
}

const std::vector<std::string>& model_bounds() {
  static const std::vector<std::string> bounds = [] {
    std::vector<std::string> all = model_keys();
    for (const std::string& extra : {"a\0\0"s, "b\xff"s, "e"s, "\xff"s})
      all.push_back(extra);
    return all;
  }();
  return bounds;
}

struct Model {
  Database database;
  // The database with every write applied in order.
  Database view;
  std::set<std::string> unreadable;
  std::vector<KeyRange> conflicts;
};

std::string random_bytes(Random& random) {
  static const std::vector<int> bytes{0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 'a'};
  std::string out;
  for (int64_t length = random.uniform(0, 4); length > 0; --length) {
    out.push_back(static_cast<char>(random.pick(bytes)));
  }
  return out;
}

KeyRange random_range(Random& random) {
  std::string begin = random.pick(model_bounds());
  std::string end = random.pick(model_bounds());
  while (begin == end)
    end = random.pick(model_bounds());
  if (end < begin) std::swap(begin, end);
  return KeyRange{begin, end};
}

// Makes one random write to both the map and the model; returns what it did.
std::string random_write(Random& random, WriteMap& writes, Model& model) {
  const std::vector<MutationType>& atomic_types = value_atomic_operations();
  const std::string key = random.pick(model_keys());
  const WriteConflict conflict = random.chance(0.1) ? WriteConflict::skip : WriteConflict::add;
  auto add_conflict = [&](KeyRange range) {
    if (conflict == WriteConflict::add) model.conflicts.push_back(std::move(range));
  };
  const int64_t choice = random.uniform(0, 100);
  if (choice < 25) {
    add_conflict(single_key_range(key));
    std::string value = random_bytes(random);
    writes.set(key, value, conflict);
    model.view[key] = value;
    return "set " + key;
  }
  if (choice < 35 || choice >= 95) {
    KeyRange range = choice < 35 ? single_key_range(key) : random_range(random);
    add_conflict(range);
    writes.clear_range(range.begin, range.end, conflict);
    model.view.erase(model.view.lower_bound(range.begin), model.view.lower_bound(range.end));
    model.unreadable.erase(model.unreadable.lower_bound(range.begin),
                           model.unreadable.lower_bound(range.end));
    return "clear_range " + range.begin + " " + range.end;
  }
  if (choice < 40) {
    std::string operand = random_bytes(random) + std::string(4, '\0');
    add_conflict(single_key_range(key));
    writes.atomic_op(key, MutationType::set_versionstamped_value, operand, conflict);
    model.view[key] = operand;
    model.unreadable.insert(key);
    return "set_versionstamped_value " + key;
  }
  if (choice < 42) {
    KeyRange range = random_range(random);
    writes.add_write_conflict_range(range);
    model.conflicts.push_back(range);
    return "add_write_conflict_range";
  }
  MutationType type = random.pick(atomic_types);
  auto current = model.view.find(key);
  std::string operand = random_bytes(random);
  if (type == MutationType::compare_and_clear && current != model.view.end() && random.coinflip()) {
    operand = current->second;
  }
  add_conflict(single_key_range(key));
  writes.atomic_op(key, type, operand, conflict);
  std::optional<std::string> existing;
  if (current != model.view.end()) existing = current->second;
  auto value = apply_atomic_op(type, existing, operand);
  if (value) {
    model.view[key] = *value;
  } else {
    model.view.erase(key);
  }
  return std::string(mutation_type_name(type)) + " " + key;
}

// What a range read must return: the model's rows in order, stopping at the limit, or
// failing at the first unreadable key reached before it.
RangeRead expected_read(const Model& model, const KeyRange& range, ReadDirection direction,
                        size_t limit) {
  std::set<std::string> positions;
  for (const auto& [key, value] : model.view) {
    if (range.contains(key)) positions.insert(key);
  }
  for (const std::string& key : model.unreadable) {
    if (range.contains(key)) positions.insert(key);
  }
  std::vector<std::string> ordered(positions.begin(), positions.end());
  if (direction == ReadDirection::reverse) std::reverse(ordered.begin(), ordered.end());
  RangeRead read;
  for (const std::string& key : ordered) {
    if (read.rows.size() == limit) {
      read.more = true;
      break;
    }
    if (model.unreadable.contains(key)) {
      read.unreadable = true;
      break;
    }
    auto it = model.view.find(key);
    if (it != model.view.end()) read.rows.push_back(KeyValue{key, it->second});
  }
  return read;
}

std::vector<KeyRange> merged_ranges(std::vector<KeyRange> ranges) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<KeyRange> merged;
  for (KeyRange& range : ranges) {
    if (!merged.empty() && range.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, range.end);
    } else {
      merged.push_back(std::move(range));
    }
  }
  return merged;
}

void check_lookups(const WriteMap& writes, const Model& model) {
  for (const std::string& key : model_keys()) {
    SCOPED_TRACE("key " + key);
    auto found = writes.lookup(key);
    if (model.unreadable.contains(key)) {
      EXPECT_EQ(found.kind, WriteMap::Lookup::Kind::unreadable);
      continue;
    }
    ASSERT_NE(found.kind, WriteMap::Lookup::Kind::unreadable);
    std::optional<std::string> database_value;
    if (auto it = model.database.find(key); it != model.database.end()) database_value = it->second;
    std::optional<std::string> expected;
    if (auto it = model.view.find(key); it != model.view.end()) expected = it->second;
    EXPECT_EQ(found.resolve(database_value), expected);
    if (found.kind == WriteMap::Lookup::Kind::known) EXPECT_TRUE(found.pending.empty());
  }
}

void check_commit(const WriteMap& writes, const Model& model) {
  const std::vector<Mutation> mutations = writes.mutations();
  EXPECT_EQ(commit(model.database, mutations), model.view);
  const std::vector<KeyRange> conflicts = writes.write_conflict_ranges();
  EXPECT_EQ(conflicts, merged_ranges(model.conflicts));
  EXPECT_EQ(writes.mutation_bytes(), sent_bytes(mutations));
  EXPECT_EQ(writes.size_bytes(), sent_bytes(mutations) + range_bytes(conflicts));
  EXPECT_EQ(writes.empty(), mutations.empty() && conflicts.empty());
}

void check_database_ranges(const WriteMap& writes, const Model& model) {
  const KeyRange everything = range_of("", "\xff");
  auto range = writes.read_range(everything);
  const std::vector<KeyRange> dependent = range.database_ranges(everything);
  for (const std::string& key : model_keys()) {
    if (model.unreadable.contains(key)) continue;
    bool listed = std::any_of(dependent.begin(), dependent.end(),
                              [&](const KeyRange& r) { return r.contains(key); });
    EXPECT_EQ(listed, writes.lookup(key).kind == WriteMap::Lookup::Kind::database) << key;
  }
}

void run_model_check(uint64_t seed) {
  Random random(seed);
  Model model;
  for (const std::string& key : model_keys()) {
    if (random.coinflip()) model.database[key] = random_bytes(random);
  }
  model.view = model.database;
  WriteMap writes;
  std::string history;
  for (int step = 0; step < 120; ++step) {
    // A range read starts before the write and must not see it.
    const KeyRange range = random_range(random);
    const ReadDirection direction =
        random.coinflip() ? ReadDirection::forward : ReadDirection::reverse;
    const size_t limit = random.chance(0.3) ? unlimited : static_cast<size_t>(random.uniform(1, 5));
    const size_t chunk = random.chance(0.3) ? unlimited : static_cast<size_t>(random.uniform(1, 4));
    const RangeRead expected = expected_read(model, range, direction, limit);
    const WriteMap::RangeWrites snapshot = writes.read_range(range);

    history += random_write(random, writes, model) + "; ";
    SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(step) + ": " + history);

    RangeRead read = read_through(snapshot, model.database, range, direction, limit, chunk);
    EXPECT_EQ(read.rows, expected.rows) << "range " << range.begin << " " << range.end;
    EXPECT_EQ(read.unreadable, expected.unreadable);
    if (!read.unreadable && read.more) EXPECT_EQ(read.rows.size(), limit);

    check_lookups(writes, model);
    check_commit(writes, model);
    if (step % 10 == 0) check_database_ranges(writes, model);
    if (::testing::Test::HasFailure()) return;
    if (random.chance(0.01)) {
      writes.clear();
      model.view = model.database;
      model.unreadable.clear();
      model.conflicts.clear();
      history += "reset; ";
    }
  }
}

TEST(WriteMapModel, MatchesApplyingEveryWriteInOrder) {
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    run_model_check(seed);
    if (HasFailure()) {
      ADD_FAILURE() << "model check failed with seed " << seed;
      return;
    }
  }
}

}  // namespace
}  // namespace strata
