// The byte sample against the true sizes of the pairs it sampled from (kept by the test in
// a plain map, the model).

#include "server/storage/byte_sample.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "runtime/random.h"

namespace strata {
namespace {

std::string key_of(int i) {
  char text[32];
  std::snprintf(text, sizeof text, "key/%08d", i);
  return text;
}

// The true bytes of the model's pairs in [begin, end).
int64_t true_bytes(const std::map<std::string, int64_t>& model, const std::string& begin,
                   const std::string& end) {
  int64_t total = 0;
  for (auto it = model.lower_bound(begin); it != model.end() && it->first < end; ++it)
    total += static_cast<int64_t>(it->first.size()) + it->second;
  return total;
}

// The running total follows every set, overwrite, shrink and range erase: it equals the
// sum of what the sample holds for every key.
TEST(ByteSampleTest, TotalFollowsEveryChange) {
  ByteSample sample(250, 100);
  Random random(11);
  for (int step = 0; step < 20'000; ++step) {
    const int i = static_cast<int>(random.uniform(0, 2000));
    if (random.uniform(0, 10) == 0) {
      sample.erase(KeyRange{key_of(i), key_of(i + static_cast<int>(random.uniform(0, 50)))});
    } else {
      sample.set(key_of(i), random.coinflip() ? random.uniform(0, 200) : random.uniform(0, 60'000));
    }
  }
  EXPECT_GT(sample.total_bytes(), 0);
  EXPECT_EQ(sample.total_bytes(), sample.bytes(KeyRange{"", "\xff"}));
  sample.erase(KeyRange{"", "\xff"});
  EXPECT_EQ(sample.total_bytes(), 0);
}

TEST(ByteSampleTest, LargePairsAreCountedExactly) {
  ByteSample sample(250, 100);
  // (12 + 100) * 250 = 28,000 bytes and more: always in, at their size.
  sample.set("key/large/01", 30'000);
  sample.set("key/large/02", 50'000);
  EXPECT_EQ(sample.bytes(KeyRange{"key/", "key0"}), 12 + 30'000 + 12 + 50'000);
  EXPECT_EQ(sample.weight_of("key/large/01", 30'000), 12 + 30'000);
  sample.erase(KeyRange{"key/large/01", "key/large/02"});
  EXPECT_EQ(sample.bytes(KeyRange{"key/", "key0"}), 12 + 50'000);
  // A pair that shrinks leaves the sample or counts as a sampled small pair.
  sample.set("key/large/02", 0);
  EXPECT_LE(sample.bytes(KeyRange{"key/", "key0"}), (12 + 100) * 250);
}

TEST(ByteSampleTest, EstimatesOfManySmallPairsAreCloseToTheTruth) {
  ByteSample sample(250, 100);
  std::map<std::string, int64_t> model;
  for (int i = 0; i < 200'000; ++i) {
    const int64_t value_size = 50 + (i * 7919) % 950;
    sample.set(key_of(i), value_size);
    model[key_of(i)] = value_size;
  }
  // Far fewer pairs than the data.
  EXPECT_LT(sample.sampled_pairs(), model.size() / 50);
  for (const auto& [begin, end] : std::vector<std::pair<int, int>>{
           {0, 200'000}, {0, 100'000}, {50'000, 150'000}, {120'000, 200'000}}) {
    const int64_t truth = true_bytes(model, key_of(begin), key_of(end));
    const int64_t estimate = sample.bytes(KeyRange{key_of(begin), key_of(end)});
    EXPECT_NEAR(static_cast<double>(estimate), static_cast<double>(truth), 0.1 * truth)
        << "keys " << begin << " to " << end;
  }
  // Clearing half leaves an estimate of the other half.
  sample.erase(KeyRange{key_of(0), key_of(100'000)});
  const int64_t rest = true_bytes(model, key_of(100'000), key_of(200'000));
  EXPECT_NEAR(static_cast<double>(sample.bytes(KeyRange{"", "\xff"})), static_cast<double>(rest),
              0.1 * rest);
}

TEST(ByteSampleTest, EveryCopyOfAShardSamplesTheSameKeys) {
  ByteSample a;
  ByteSample b;
  // The same pairs, written in another order, with other values first.
  for (int i = 0; i < 20'000; ++i)
    a.set(key_of(i), 100);
  for (int i = 20'000; i-- > 0;) {
    b.set(key_of(i), 900);
    b.set(key_of(i), 100);
  }
  EXPECT_EQ(a.sampled_pairs(), b.sampled_pairs());
  EXPECT_EQ(a.bytes(KeyRange{"", "\xff"}), b.bytes(KeyRange{"", "\xff"}));
  EXPECT_EQ(a.split_points(KeyRange{"", "\xff"}, 100'000),
            b.split_points(KeyRange{"", "\xff"}, 100'000));
}

TEST(ByteSampleTest, SplitPointsCutTheRangeIntoChunks) {
  ByteSample sample(250, 100);
  std::map<std::string, int64_t> model;
  for (int i = 0; i < 100'000; ++i) {
    sample.set(key_of(i), 500);
    model[key_of(i)] = 500;
  }
  const KeyRange all{key_of(0), key_of(100'000)};
  const int64_t total = true_bytes(model, all.begin, all.end);
  const int64_t chunk = total / 10;
  std::vector<Key> points = sample.split_points(all, chunk);
  ASSERT_GE(points.size(), 7u);
  ASSERT_LE(points.size(), 12u);
  // In order, inside the range, and each piece near a chunk of true bytes.
  Key previous = all.begin;
  for (size_t i = 0; i <= points.size(); ++i) {
    const Key end = i < points.size() ? points[i] : all.end;
    ASSERT_LT(previous, end);
    const int64_t piece = true_bytes(model, previous, end);
    EXPECT_GT(piece, chunk / 2) << "piece " << i;
    EXPECT_LT(piece, 2 * chunk) << "piece " << i;
    previous = end;
  }
  EXPECT_TRUE(sample.split_points(all, 2 * total).empty());
  EXPECT_TRUE(sample.split_points(KeyRange{"a", "b"}, 1).empty());
}

// The write sample against the bytes the test wrote (its model: a count per key and time).
TEST(WriteSampleTest, RatesOfManyWritesAreCloseToTheTruthAndForgottenAfterTheWindow) {
  WriteSample sample(10.0, 250, 100);
  Random random(7);
  int64_t written_lower = 0;  // bytes written to keys below key/00005000
  int64_t written = 0;
  Version version = 1;
  // 200,000 writes of 20 to 300 value bytes over 10 s: about 1,200 sampled, so the estimate's
  // standard deviation is about 3%.
  for (int i = 0; i < 200'000; ++i) {
    const std::string key = key_of(static_cast<int>(random.uniform(0, 10'000)));
    const auto bytes = static_cast<int64_t>(key.size()) + random.uniform(20, 301);
    sample.add(key, bytes, version++, i * (10.0 / 200'000));
    written += bytes;
    if (key < key_of(5'000)) written_lower += bytes;
  }
  const double at = 10.0;
  EXPECT_NEAR(sample.bytes_per_s(KeyRange{"key/", "key0"}, at), written / 10.0,
              0.1 * written / 10.0);
  EXPECT_NEAR(sample.bytes_per_s(KeyRange{"key/", key_of(5'000)}, at), written_lower / 10.0,
              0.15 * written_lower / 10.0);
  // Few writes are kept: about one in (key + overhead) * unit / bytes.
  EXPECT_LT(sample.sampled_writes(), 200'000u / 100);
  // Ten seconds later nothing of it is in the window.
  EXPECT_EQ(sample.bytes_per_s(KeyRange{"key/", "key0"}, 20.5), 0);
  EXPECT_EQ(sample.sampled_writes(), 0u);
}

TEST(WriteSampleTest, EveryWriteOfAHotKeyHasItsChance) {
  // One key written 200,000 times with small values: sampled by key and version, it is
  // counted near its true rate (about 300 writes sampled: a standard deviation near 6%),
  // where a sample by the key alone would count it all or nothing.
  WriteSample sample(5.0, 250, 100);
  const std::string hot = key_of(42);
  for (int i = 0; i < 200'000; ++i)
    sample.add(hot, static_cast<int64_t>(hot.size() + 30), i + 1, i * (5.0 / 200'000));
  const double truth = 200'000.0 * static_cast<double>(hot.size() + 30) / 5.0;
  EXPECT_NEAR(sample.bytes_per_s(KeyRange{"key/", "key0"}, 5.0), truth, 0.2 * truth);
}

TEST(WriteSampleTest, SplitPointsShareTheWritesOut) {
  WriteSample sample(10.0, 1, 0);  // every write counted exactly
  for (int i = 0; i < 100; ++i)
    sample.add(key_of(i), 100, i + 1, 1.0);
  // 1,000 bytes a second in all: pieces of about 250 a second.
  std::vector<Key> points = sample.split_points(KeyRange{"key/", "key0"}, 250.0, 2.0);
  EXPECT_EQ(points, (std::vector<Key>{key_of(25), key_of(50), key_of(75)}));
}

}  // namespace
}  // namespace strata
