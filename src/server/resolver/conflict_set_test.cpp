#include "server/resolver/conflict_set.h"

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "rpc/serialize.h"
#include "runtime/random.h"

namespace strata {

// Lets failed expectations print outcomes by name.
void PrintTo(ResolveOutcome outcome, std::ostream* out) {  // NOLINT: googletest's name
  *out << resolve_outcome_name(outcome);
}

namespace {

using Outcomes = std::vector<ResolveOutcome>;
constexpr ResolveOutcome committed = ResolveOutcome::committed;
constexpr ResolveOutcome conflict = ResolveOutcome::conflict;
constexpr ResolveOutcome too_old = ResolveOutcome::too_old;

KeyRange range(std::string_view begin, std::string_view end) {
  return KeyRange{Key(begin), Key(end)};
}

KeyRange key(std::string_view key) {
  return single_key_range(key);
}

ConflictTransaction reader(Version snapshot, std::vector<KeyRange> reads) {
  return ConflictTransaction{snapshot, std::move(reads), {}};
}

ConflictTransaction writer(std::vector<KeyRange> writes) {
  return ConflictTransaction{0, {}, std::move(writes)};
}

ConflictTransaction reader_writer(Version snapshot, std::vector<KeyRange> reads,
                                  std::vector<KeyRange> writes) {
  return ConflictTransaction{snapshot, std::move(reads), std::move(writes)};
}

// A transaction that asks is told which of its read ranges conflicted, and only those;
// one that does not ask, or that committed, is not listed.
TEST(ConflictSetTest, ReportsTheReadRangesThatConflicted) {
  ConflictSet set;
  ASSERT_EQ(set.resolve({writer({key("b"), range("m", "n")})}, 10), Outcomes{committed});
  ConflictTransaction asks = reader(5, {range("a", "c"), key("x"), range("l", "ma")});
  asks.report_conflicts = true;
  ConflictTransaction silent = reader(5, {key("b")});
  ConflictTransaction fine = reader(5, {key("z")});
  fine.report_conflicts = true;
  std::vector<std::pair<uint32_t, std::vector<KeyRange>>> conflicting;
  EXPECT_EQ(set.resolve({silent, asks, fine}, 11, &conflicting),
            (Outcomes{conflict, conflict, committed}));
  ASSERT_EQ(conflicting.size(), 1u);
  EXPECT_EQ(conflicting[0].first, 1u);
  EXPECT_EQ(conflicting[0].second, (std::vector<KeyRange>{range("a", "c"), range("l", "ma")}));
}

TEST(ConflictSetTest, AdjacentRangesDoNotConflict) {
  ConflictSet set;
  ASSERT_EQ(set.resolve({writer({range("b", "c")})}, 10), Outcomes{committed});
  EXPECT_EQ(set.resolve({reader(5, {range("a", "b")}), reader(5, {range("c", "d")})}, 11),
            (Outcomes{committed, committed}));
  // Reads that reach just into the write: "b" is its first key, "bzzz" one near its end.
  EXPECT_EQ(
      set.resolve({reader(5, {range("a", std::string("b\0", 2))}), reader(5, {range("bzzz", "d")})},
                  12),
      (Outcomes{conflict, conflict}));
  EXPECT_EQ(set.check_invariants(), "");
}

TEST(ConflictSetTest, OverlappingRangesConflict) {
  ConflictSet set;
  ASSERT_EQ(set.resolve({writer({range("b", "d")})}, 10), Outcomes{committed});
  EXPECT_EQ(set.resolve({reader(5, {range("a", "c")}), reader(5, {range("c", "e")}),
                         reader(5, {range("bb", "bc")}), reader(5, {range("", "z")}),
                         reader(5, {key("c")})},
                        11),
            (Outcomes{conflict, conflict, conflict, conflict, conflict}));
  // One conflicting range among several is enough.
  EXPECT_EQ(set.resolve({reader(5, {key("a"), key("x"), key("b")})}, 12), Outcomes{conflict});
}

TEST(ConflictSetTest, ReadAtTheWriteVersionDoesNotConflict) {
  ConflictSet set;
  ASSERT_EQ(set.resolve({writer({key("k")})}, 10), Outcomes{committed});
  EXPECT_EQ(
      set.resolve({reader(9, {key("k")}), reader(10, {key("k")}), reader(11, {key("k")})}, 12),
      (Outcomes{conflict, committed, committed}));
}

TEST(ConflictSetTest, LaterTransactionsOfABatchSeeEarlierCommittedWrites) {
  ConflictSet set;
  EXPECT_EQ(set.resolve({writer({key("k")}), reader(5, {key("k")})}, 10),
            (Outcomes{committed, conflict}));
  // In the other order the reader comes first and the write is after its turn.
  EXPECT_EQ(set.resolve({reader(15, {key("j")}), writer({key("j")})}, 20),
            (Outcomes{committed, committed}));
  // A transaction's own writes never conflict with its own reads.
  EXPECT_EQ(set.resolve({reader_writer(25, {key("m")}, {key("m")})}, 30), Outcomes{committed});
}

TEST(ConflictSetTest, TransactionsThatFailRecordNoWrites) {
  ConflictSet set;
  ASSERT_EQ(set.resolve({writer({key("a")})}, 10), Outcomes{committed});
  size_t steps_before = set.range_count();
  // The first conflicts on "a"; its write of "b" must not fail the second, in this batch
  // or later.
  EXPECT_EQ(set.resolve({reader_writer(5, {key("a")}, {key("b"), range("c", "z")}),
                         reader(5, {key("b"), key("d")})},
                        20),
            (Outcomes{conflict, committed}));
  EXPECT_EQ(set.resolve({reader(15, {range("b", "z")})}, 30), Outcomes{committed});
  EXPECT_EQ(set.range_count(), steps_before);

  // Nor do transactions that are too old.
  set.set_oldest_version(25);
  ASSERT_EQ(set.range_count(), 1u);
  EXPECT_EQ(set.resolve({reader_writer(24, {key("q")}, {key("c")}), reader(26, {key("c")})}, 40),
            (Outcomes{too_old, committed}));
  EXPECT_EQ(set.range_count(), 1u);
}

TEST(ConflictSetTest, SnapshotsBelowTheOldestVersionAreTooOld) {
  ConflictSet set(100);
  EXPECT_EQ(set.oldest_version(), 100);
  EXPECT_EQ(set.resolve({reader(99, {key("a")}), reader(100, {key("a")})}, 110),
            (Outcomes{too_old, committed}));

  ASSERT_EQ(set.resolve({writer({key("w")})}, 120), Outcomes{committed});
  set.set_oldest_version(125);
  EXPECT_EQ(set.oldest_version(), 125);
  // Too old whether or not the read would have conflicted.
  EXPECT_EQ(
      set.resolve({reader(124, {key("w")}), reader(124, {key("x")}), reader(125, {key("x")})}, 130),
      (Outcomes{too_old, too_old, committed}));
  // A transaction without read ranges is never too old; one whose read ranges are all
  // empty still is, like any transaction that declared reads.
  EXPECT_EQ(set.resolve({writer({key("y")}), reader(0, {range("b", "b")})}, 140),
            (Outcomes{committed, too_old}));
  EXPECT_EQ(set.resolve({reader(135, {key("y")})}, 150), Outcomes{conflict});

  // The oldest version never moves backwards.
  set.set_oldest_version(50);
  EXPECT_EQ(set.oldest_version(), 125);
  EXPECT_EQ(set.resolve({reader(124, {key("z")})}, 160), Outcomes{too_old});
}

TEST(ConflictSetTest, EmptyRangesNeverConflictAndRecordNothing) {
  ConflictSet set;
  ASSERT_EQ(set.resolve({writer({range("a", "z")})}, 10), Outcomes{committed});
  EXPECT_EQ(set.resolve({reader(5, {range("c", "c")}), reader(5, {range("d", "c")}),
                         reader(5, {range("", "")})},
                        20),
            (Outcomes{committed, committed, committed}));
  size_t steps_before = set.range_count();
  EXPECT_EQ(set.resolve({writer({range("zz", "zz"), range("zz", "a"), range("", "")})}, 30),
            Outcomes{committed});
  EXPECT_EQ(set.range_count(), steps_before);
  EXPECT_EQ(set.resolve({reader(20, {range("", "\xff\xff")})}, 40), Outcomes{committed});
}

TEST(ConflictSetTest, KeysCompareAsUnsignedBytes) {
  ConflictSet set;
  ASSERT_EQ(set.resolve({writer({range("\x80", "\xff")})}, 10), Outcomes{committed});
  EXPECT_EQ(set.resolve({reader(5, {key("\x90")}), reader(5, {key("a")}),
                         reader(5, {range("\xff", "\xff\xff")})},
                        20),
            (Outcomes{conflict, committed, committed}));

  // "a\0" is the key right after "a", and a different key.
  ASSERT_EQ(set.resolve({writer({key("a")})}, 30), Outcomes{committed});
  std::string after_a("a\0", 2);
  EXPECT_EQ(set.resolve({reader(25, {key(after_a)}), reader(25, {range("", "a")}),
                         reader(25, {range("", after_a)})},
                        40),
            (Outcomes{committed, committed, conflict}));
}

TEST(ConflictSetTest, ForgettingEveryBatchLeavesOneStep) {
  ConflictSet set;
  size_t empty_bytes = set.memory_bytes();
  EXPECT_EQ(set.range_count(), 1u);
  Version version = 0;
  for (int batch = 0; batch < 50; ++batch) {
    std::vector<ConflictTransaction> transactions;
    for (int index = 0; index < 10; ++index) {
      std::string name = "key" + std::to_string(batch * 10 + index);
      transactions.push_back(writer({key(name), range(name + "a", name + "b")}));
    }
    set.resolve(transactions, ++version);
    ASSERT_EQ(set.check_invariants(), "");
  }
  EXPECT_GT(set.range_count(), 100u);
  EXPECT_GT(set.memory_bytes(), empty_bytes);

  // Forgetting half the batches forgets some steps, not all.
  size_t steps_before = set.range_count();
  set.set_oldest_version(version / 2);
  EXPECT_EQ(set.check_invariants(), "");
  EXPECT_LT(set.range_count(), steps_before);
  EXPECT_GT(set.range_count(), 1u);

  set.set_oldest_version(version + 1);
  EXPECT_EQ(set.check_invariants(), "");
  EXPECT_EQ(set.range_count(), 1u);
  EXPECT_EQ(set.memory_bytes(), empty_bytes);
}

TEST(ConflictSetTest, StepsMergeAndWideWritesReplaceWhatTheyCover) {
  ConflictSet set;
  // Adjacent writes of one batch are one step (plus the step where they end).
  ASSERT_EQ(
      set.resolve({writer({range("a", "b")}), writer({range("b", "c")}), writer({range("c", "d")})},
                  10),
      (Outcomes{committed, committed, committed}));
  EXPECT_EQ(set.range_count(), 3u);

  std::vector<ConflictTransaction> points;
  for (char letter = 'e'; letter <= 'y'; ++letter)
    points.push_back(writer({key(std::string(1, letter))}));
  set.resolve(points, 20);
  EXPECT_GT(set.range_count(), 20u);
  set.resolve({writer({range("a", "z")})}, 30);
  EXPECT_EQ(set.range_count(), 3u);
  EXPECT_EQ(set.check_invariants(), "");
  EXPECT_EQ(set.resolve({reader(25, {key("m")}), reader(30, {range("", "\xff")})}, 40),
            (Outcomes{conflict, committed}));
}

TEST(ConflictSetTest, LongKeysAreCountedInMemory) {
  ConflictSet set;
  size_t empty_bytes = set.memory_bytes();
  std::string long_key(1000, 'k');
  set.resolve({writer({key(long_key)})}, 10);
  EXPECT_GT(set.memory_bytes(), empty_bytes + 2 * long_key.size());
  EXPECT_EQ(set.check_invariants(), "");
}

TEST(ConflictSetTest, TransactionsAndOutcomesSerialize) {
  ConflictTransaction transaction =
      reader_writer(42, {key("a"), range("b", "c")}, {range("", std::string("\0\xff", 2))});
  EXPECT_EQ(deserialize_from_bytes<ConflictTransaction>(serialize_to_bytes(transaction)),
            transaction);
  Outcomes outcomes{committed, conflict, too_old};
  EXPECT_EQ(deserialize_from_bytes<Outcomes>(serialize_to_bytes(outcomes)), outcomes);
}

TEST(ConflictSetDeathTest, BatchesMustAdvanceInVersion) {
  ConflictSet set;
  set.resolve({}, 10);
  EXPECT_DEATH(set.resolve({}, 10), "version order");
  EXPECT_DEATH(set.resolve({reader(11, {key("a")})}, 11), "below its commit version");
}

// The brute-force model the set must agree with: every recorded write, checked linearly.
class ReferenceConflictSet {
 public:
  Outcomes resolve(const std::vector<ConflictTransaction>& batch, Version version) {
    Outcomes outcomes;
    for (const ConflictTransaction& transaction : batch) {
      if (!transaction.read_ranges.empty() && transaction.read_snapshot < oldest_version_) {
        outcomes.push_back(too_old);
      } else if (conflicts(transaction)) {
        outcomes.push_back(conflict);
      } else {
        outcomes.push_back(committed);
        for (const KeyRange& range : transaction.write_ranges) {
          if (!range.empty()) writes_.push_back({range, version});
        }
      }
    }
    return outcomes;
  }

  void set_oldest_version(Version oldest) {
    oldest_version_ = std::max(oldest_version_, oldest);
    // Writes below the window cannot conflict with any snapshot that is not too old.
    std::erase_if(writes_, [&](const Write& write) { return write.version < oldest_version_; });
  }

  Version oldest_version() const { return oldest_version_; }
  size_t write_count() const { return writes_.size(); }

 private:
  struct Write {
    KeyRange range;
    Version version;
  };

  bool conflicts(const ConflictTransaction& transaction) const {
    for (const KeyRange& read : transaction.read_ranges) {
      for (const Write& write : writes_) {
        if (write.version > transaction.read_snapshot && read.intersects(write.range)) return true;
      }
    }
    return false;
  }

  std::vector<Write> writes_;
  Version oldest_version_ = 0;
};

// Keys from a few bytes, among them the smallest and largest, so that ranges overlap often
// and ordering mistakes between signed and unsigned bytes show.
class RandomKeys {
 public:
  explicit RandomKeys(Random& random) : random_(random) {
    const std::string bytes("\0ab\x7f\x80\xff", 6);
    auto byte_count = static_cast<int64_t>(bytes.size());
    for (int64_t count = random.uniform(2, byte_count + 1); count > 0; --count) {
      alphabet_.push_back(bytes[static_cast<size_t>(random.uniform(0, byte_count))]);
    }
    length_max_ = random.uniform(1, 4);
  }

  Key key() {
    Key key;
    int64_t length = random_.uniform(0, length_max_ + 1);
    for (int64_t index = 0; index < length; ++index) {
      key.push_back(random_.pick(alphabet_));
    }
    return key;
  }

  KeyRange range() {
    switch (random_.uniform(0, 10)) {
      case 0:
      case 1:
      case 2:
      case 3:
        return single_key_range(key());
      case 4:
        return KeyRange{Key(), key()};
      case 5:
        return KeyRange{key(), Key("\xff\xff")};
      case 6: {
        Key begin = key();
        return KeyRange{begin, begin};
      }
      default:
        // Reversed (empty) about half the time.
        return KeyRange{key(), key()};
    }
  }

 private:
  Random& random_;
  std::vector<char> alphabet_;
  int64_t length_max_;
};

struct OutcomeTally {
  int64_t batches = 0;
  int64_t counts[3] = {0, 0, 0};
};

// Runs one seed against the reference. Returns a description of the first disagreement,
// or an empty string.
std::string compare_with_reference(uint64_t seed, OutcomeTally& tally) {
  Random random(seed);
  RandomKeys keys(random);
  Version oldest = random.uniform(0, 5);
  ConflictSet set(oldest);
  ReferenceConflictSet reference;
  reference.set_oldest_version(oldest);
  int64_t batch_count = random.uniform(5, 40);
  int64_t transactions_max = random.uniform(1, 13);
  int64_t snapshot_lag_max = random.uniform(1, 30);
  Version version = oldest;
  for (int64_t batch_index = 0; batch_index < batch_count; ++batch_index) {
    version += random.uniform(1, 4);
    std::vector<ConflictTransaction> batch(
        static_cast<size_t>(random.uniform(0, transactions_max)));
    for (ConflictTransaction& transaction : batch) {
      transaction.read_snapshot =
          std::max<Version>(0, version - random.uniform(1, snapshot_lag_max + 1));
      transaction.read_snapshot = std::min(transaction.read_snapshot, version - 1);
      for (int64_t count = random.uniform(0, 4); count > 0; --count) {
        transaction.read_ranges.push_back(keys.range());
      }
      for (int64_t count = random.uniform(0, 3); count > 0; --count) {
        transaction.write_ranges.push_back(keys.range());
      }
    }
    Outcomes expected = reference.resolve(batch, version);
    Outcomes actual = set.resolve(batch, version);
    std::string where = "seed " + std::to_string(seed) + ", batch " + std::to_string(batch_index) +
                        " at version " + std::to_string(version) + ": ";
    for (size_t index = 0; index < batch.size(); ++index) {
      if (actual[index] != expected[index]) {
        return where + "transaction " + std::to_string(index) + " is " +
               std::string(resolve_outcome_name(actual[index])) + ", expected " +
               std::string(resolve_outcome_name(expected[index]));
      }
      ++tally.counts[static_cast<size_t>(expected[index])];
    }
    ++tally.batches;

    if (random.chance(0.3)) {
      // Mostly forward within the window, sometimes backwards (ignored), sometimes past
      // every batch so far.
      Version oldest_next = version + 1 - random.uniform(0, 2 * snapshot_lag_max);
      if (random.chance(0.1)) oldest_next = version + 1;
      if (random.chance(0.1)) oldest_next = reference.oldest_version() - random.uniform(0, 3);
      set.set_oldest_version(oldest_next);
      reference.set_oldest_version(oldest_next);
      if (set.oldest_version() != reference.oldest_version()) {
        return where + "oldest version " + std::to_string(set.oldest_version()) + ", expected " +
               std::to_string(reference.oldest_version());
      }
    }
    if (std::string broken = set.check_invariants(); !broken.empty()) return where + broken;
    // Memory follows the writes inside the window, not everything ever written.
    if (set.range_count() > 1 + 4 * reference.write_count()) {
      return where + std::to_string(set.range_count()) + " steps for " +
             std::to_string(reference.write_count()) + " writes in the window";
    }
  }
  return "";
}

TEST(ConflictSetTest, AgreesWithABruteForceReference) {
  OutcomeTally tally;
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    std::string disagreement = compare_with_reference(seed, tally);
    ASSERT_EQ(disagreement, "");
  }
  // The random cases must reach every outcome often, or they prove little.
  EXPECT_GT(tally.batches, 15000);
  EXPECT_GT(tally.counts[static_cast<size_t>(committed)], 15000);
  EXPECT_GT(tally.counts[static_cast<size_t>(conflict)], 8000);
  EXPECT_GT(tally.counts[static_cast<size_t>(too_old)], 4000);
}

}  // namespace
}  // namespace strata
