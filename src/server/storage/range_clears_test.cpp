// The range clear index against the plainest model: every clear in a list, scanned whole.
// Random clears (nested, overlapping, disjoint, many at one version), forgetting from the
// front and rolling back from the end, and every question asked of both.

#include "server/storage/range_clears.h"

#include <gtest/gtest.h>

#include "runtime/random.h"

namespace strata {
namespace {

struct ModelClear {
  Version version;
  std::string begin;
  std::string end;
};

std::optional<Version> model_newest(const std::vector<ModelClear>& clears, const std::string& key,
                                    Version after, Version upto) {
  std::optional<Version> newest;
  for (const ModelClear& clear : clears) {
    if (clear.version > after && clear.version <= upto && clear.begin <= key && key < clear.end) {
      newest = std::max(newest.value_or(clear.version), clear.version);
    }
  }
  return newest;
}

bool model_covered(const std::vector<ModelClear>& clears, const std::string& key, Version upto) {
  for (const ModelClear& clear : clears) {
    if (clear.version <= upto && clear.begin <= key && key < clear.end) return true;
  }
  return false;
}

std::string random_key(Random& random) {
  // Short keys over a small alphabet: ranges meet, nest and touch often.
  std::string key(1 + random.next_u64() % 3, 'a');
  for (char& c : key)
    c = static_cast<char>('a' + random.next_u64() % 5);
  return key;
}

TEST(RangeClearsTest, AnswersAsAScanOfEveryClearWould) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Random random(seed);
    RangeClears index;
    std::vector<ModelClear> model;
    Version version = 10;
    Version forgotten = 0;
    for (int step = 0; step < 2000; ++step) {
      const uint64_t action = random.next_u64() % 100;
      if (action < 55) {
        version += random.next_u64() % 3;  // several clears may share a version
        std::string a = random_key(random), b = random_key(random);
        if (b < a) std::swap(a, b);
        if (random.next_u64() % 4 == 0) a = "";  // a window from the start, as an allocator clears
        if (a == b) b += "z";
        index.push_back(version, KeyRange{a, b});
        model.push_back({version, a, b});
      } else if (action < 60 && version > forgotten + 20) {
        forgotten += 1 + random.next_u64() % 10;
        index.forget_up_to(forgotten);
        std::erase_if(model, [&](const ModelClear& c) { return c.version <= forgotten; });
      } else if (action < 63) {
        Version back = std::max(forgotten, version - static_cast<Version>(random.next_u64() % 10));
        index.rollback_after(back);
        std::erase_if(model, [&](const ModelClear& c) { return c.version > back; });
        version = back;
      } else {
        std::string key = random_key(random);
        Version upto =
            forgotten + static_cast<Version>(random.next_u64() % (version - forgotten + 3));
        Version after =
            forgotten + static_cast<Version>(random.next_u64() % (upto - forgotten + 1));
        ASSERT_EQ(index.newest_covering(key, after, upto), model_newest(model, key, after, upto))
            << "seed " << seed << " step " << step << " key " << key;
        std::string a = random_key(random), b = random_key(random);
        if (b < a) std::swap(a, b);
        b += "z";
        std::vector<KeyRange> covered = index.covering(KeyRange{a, b}, upto);
        for (size_t i = 1; i < covered.size(); ++i)
          ASSERT_LT(covered[i - 1].end, covered[i].begin) << "not sorted and disjoint";
        for (int probe = 0; probe < 8; ++probe) {
          std::string k = random_key(random);
          if (k < a || k >= b) continue;
          ASSERT_EQ(ranges_contain(covered, k), model_covered(model, k, upto))
              << "seed " << seed << " step " << step << " key " << k;
        }
      }
    }
  }
}

}  // namespace
}  // namespace strata
