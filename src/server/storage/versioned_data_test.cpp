#include "server/storage/versioned_data.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

using Kind = VersionedData::KeyState::Kind;

Mutation set(std::string key, std::string value) {
  return Mutation{MutationType::set_value, std::move(key), std::move(value)};
}
Mutation clear(std::string begin, std::string end) {
  return Mutation{MutationType::clear_range, std::move(begin), std::move(end)};
}

TEST(VersionedDataTest, ReadsSeeTheNewestChangeAtTheirVersion) {
  VersionedData data;
  data.apply(1, set("a", "1"));
  data.apply(2, set("a", "2"));
  data.apply(3, clear("a", std::string("a\0", 2)));
  EXPECT_EQ(data.get("a", 1).value, "1");
  EXPECT_EQ(data.get("a", 2).value, "2");
  EXPECT_EQ(data.get("a", 3).kind, Kind::absent);
  EXPECT_EQ(data.get("b", 3).kind, Kind::unknown);  // the engine's business
}

TEST(VersionedDataTest, ForgettingDropsOnlyWhatTheEngineNowHolds) {
  VersionedData data;
  data.apply(1, set("a", "1"));
  data.apply(1, set("b", "1"));
  data.apply(2, set("a", "2"));
  data.apply(3, clear("b", std::string("b\0", 2)));
  data.apply(4, clear("c", "d"));
  data.apply(5, set("c1", "5"));
  data.forget_up_to(2);
  EXPECT_EQ(data.durable_version(), 2);
  // a's changes are all in the engine now: memory knows nothing of it.
  EXPECT_EQ(data.get("a", 5).kind, Kind::unknown);
  // b's clear at 3 is still here; the set at 1 is gone.
  EXPECT_EQ(data.get("b", 3).kind, Kind::absent);
  EXPECT_EQ(data.get("c0", 4).kind, Kind::absent);
  EXPECT_EQ(data.get("c1", 5).value, "5");
  ASSERT_EQ(data.mutations_between(2, 5).size(), 3u);

  data.forget_up_to(4);
  EXPECT_EQ(data.get("b", 5).kind, Kind::unknown);
  EXPECT_EQ(data.get("c0", 5).kind, Kind::unknown);  // the range clear went to the engine
  EXPECT_EQ(data.get("c1", 5).value, "5");
  data.forget_up_to(5);
  EXPECT_EQ(data.get("c1", 5).kind, Kind::unknown);
  EXPECT_EQ(data.bytes(), 0);
  EXPECT_TRUE(data.mutations_between(5, 10).empty());
}

TEST(VersionedDataTest, ForgettingTheSameKeyAcrossManyVersions) {
  VersionedData data;
  for (Version v = 1; v <= 100; ++v)
    data.apply(v, set("hot", std::to_string(v)));
  data.forget_up_to(60);
  EXPECT_EQ(data.get("hot", 60).kind, Kind::unknown);
  EXPECT_EQ(data.get("hot", 61).value, "61");
  EXPECT_EQ(data.get("hot", 100).value, "100");
  std::optional<Key> truncated;
  VersionedData::RangeView view = data.view(KeyRange{"a", "z"}, 100, 10, 10, false, &truncated);
  ASSERT_EQ(view.keys.size(), 1u);
  EXPECT_EQ(view.keys[0].value, "100");
}

// A view stops at as many present keys as asked for, but passes cleared ones (they answer
// no row) up to its bound on keys, and says where it stopped.
TEST(VersionedDataTest, ViewStopsAfterThePresentKeysWanted) {
  VersionedData data;
  data.apply(1, set("a", "1"));
  data.apply(1, set("b", "1"));
  data.apply(1, set("c", "1"));
  data.apply(1, set("d", "1"));
  data.apply(2, clear("b", "c"));
  data.apply(2, clear("c", std::string("c\0", 2)));
  std::optional<Key> truncated;
  VersionedData::RangeView view = data.view(KeyRange{"a", "z"}, 2, 100, 2, false, &truncated);
  ASSERT_EQ(view.keys.size(), 4u);  // a, b and c cleared, d
  EXPECT_EQ(view.keys[3].key, "d");
  EXPECT_FALSE(truncated.has_value());
  view = data.view(KeyRange{"a", "z"}, 2, 100, 1, true, &truncated);
  ASSERT_EQ(view.keys.size(), 1u);
  EXPECT_EQ(view.keys[0].key, "d");
  EXPECT_EQ(truncated, std::optional<Key>("c"));
  view = data.view(KeyRange{"a", "z"}, 2, 2, 100, false, &truncated);
  EXPECT_EQ(view.keys.size(), 2u);
  EXPECT_EQ(truncated, std::optional<Key>("c"));
}

}  // namespace
}  // namespace strata
