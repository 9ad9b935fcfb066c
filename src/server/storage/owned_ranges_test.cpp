#include "server/storage/owned_ranges.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(OwnedRangesTest, AdjacentRangesTogetherCoverARangeAcrossThem) {
  // Three ranges that came to the server apart: two readable from different versions, and
  // one behind a gap.
  OwnedRanges owned({OwnedRange{KeyRange{"a", "c"}, false, 10, {}},
                     OwnedRange{KeyRange{"c", "f"}, false, 30, {}},
                     OwnedRange{KeyRange{"g", "k"}, false, 5, {}}});
  std::optional<OwnedRange> both = owned.covering(KeyRange{"b", "e"});
  ASSERT_TRUE(both);
  EXPECT_EQ(both->range, (KeyRange{"b", "e"}));
  EXPECT_FALSE(both->fetching);
  EXPECT_EQ(both->since, 30);  // readable once both parts are
  std::optional<OwnedRange> one = owned.covering(KeyRange{"a", "b"});
  ASSERT_TRUE(one);
  EXPECT_EQ(one->since, 10);
  // Across the gap, or past the end, or before the start: not held.
  EXPECT_FALSE(owned.covering(KeyRange{"e", "h"}));
  EXPECT_FALSE(owned.covering(KeyRange{"h", "m"}));
  EXPECT_FALSE(owned.covering(KeyRange{"", "b"}));
  // A single key at a boundary.
  ASSERT_TRUE(owned.covering(KeyRange{"c", "c\\0"}));
}

TEST(OwnedRangesTest, APartBeingFetchedMakesTheWholeFetching) {
  OwnedRanges owned({OwnedRange{KeyRange{"a", "c"}, false, 10, {}}});
  owned.assign(KeyRange{"c", "e"}, 20, {UID(1, 2)});
  std::optional<OwnedRange> both = owned.covering(KeyRange{"a", "e"});
  ASSERT_TRUE(both);
  EXPECT_TRUE(both->fetching);
  owned.finish_fetch(KeyRange{"c", "e"}, 25);
  both = owned.covering(KeyRange{"a", "e"});
  ASSERT_TRUE(both);
  EXPECT_FALSE(both->fetching);
  EXPECT_EQ(both->since, 25);
}

}  // namespace
}  // namespace strata
