#include "server/ordered_key_map.h"

#include <map>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "runtime/random.h"

namespace strata {
namespace {

// Keys longer than std::string's inline capacity, as real keys are, plus short ones and
// the empty key, from a small space so that lookups hit and miss.
std::string random_key(Random& random) {
  int64_t index = random.uniform(0, 300);
  if (index == 0) return "";
  if (index < 20) return std::string(1, static_cast<char>('a' + index));
  return "subspace/key/" + std::to_string(index * 7919 % 1000);
}

// Every entry the map walks in order is the model's, and every key is found through the
// index, with bounds that agree with the model's.
void expect_same(const OrderedKeyMap<int>& map, const std::map<std::string, int>& model,
                 Random& random) {
  ASSERT_EQ(map.size(), model.size());
  auto expected = model.begin();
  for (const auto& [key, value] : map) {
    ASSERT_EQ(key, expected->first);
    ASSERT_EQ(value, expected->second);
    auto found = map.find(key);
    ASSERT_NE(found, map.end());
    ASSERT_EQ(&*found, &*map.lower_bound(key));
    ++expected;
  }
  for (int probe = 0; probe < 20; ++probe) {
    std::string key = random_key(random);
    auto lower = map.lower_bound(key);
    auto model_lower = model.lower_bound(key);
    ASSERT_EQ(lower == map.end(), model_lower == model.end()) << key;
    if (model_lower != model.end()) ASSERT_EQ(lower->first, model_lower->first) << key;
    auto upper = map.upper_bound(key);
    auto model_upper = model.upper_bound(key);
    ASSERT_EQ(upper == map.end(), model_upper == model.end()) << key;
    if (model_upper != model.end()) ASSERT_EQ(upper->first, model_upper->first) << key;
    ASSERT_EQ(map.find(key) == map.end(), !model.contains(key)) << key;
  }
}

TEST(OrderedKeyMapTest, AgreesWithAnOrderedMapUnderRandomChanges) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Random random(seed);
    OrderedKeyMap<int> map;
    std::map<std::string, int> model;
    for (int step = 0; step < 2000; ++step) {
      std::string key = random_key(random);
      auto value = static_cast<int>(random.uniform(0, 1000000));
      switch (random.uniform(0, 5)) {
        case 0: {  // insert or update
          auto [entry, inserted] = map.try_emplace(key);
          ASSERT_EQ(inserted, !model.contains(key));
          entry->second = value;
          model[key] = value;
          break;
        }
        case 1: {  // insert next to a hint, or find the key there already
          auto hint = map.lower_bound(key);
          auto entry = map.emplace_hint(hint, key, value);
          ASSERT_EQ(entry->first, key);
          model.try_emplace(key, value);
          ASSERT_EQ(entry->second, model[key]);
          break;
        }
        case 2: {  // erase one entry
          auto found = map.find(key);
          if (found != map.end()) map.erase(found);
          model.erase(key);
          break;
        }
        case 3: {  // erase a range
          std::string end = random_key(random);
          if (end < key) std::swap(key, end);
          map.erase(map.lower_bound(key), map.lower_bound(end));
          model.erase(model.lower_bound(key), model.lower_bound(end));
          break;
        }
        default: {  // move the whole map: the index must stay right
          OrderedKeyMap<int> moved(std::move(map));
          map = std::move(moved);
          break;
        }
      }
      expect_same(map, model, random);
    }
  }
}

}  // namespace
}  // namespace strata
