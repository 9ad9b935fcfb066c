#include "interfaces/exclusions.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

NetworkAddress at(const char* text) {
  return NetworkAddress::parse(text);
}

TEST(AddressExclusionTest, AProcessExclusionCoversThatPortOnly) {
  std::optional<AddressExclusion> exclusion = AddressExclusion::try_parse("10.0.0.5:4500");
  ASSERT_TRUE(exclusion);
  EXPECT_FALSE(exclusion->whole_machine());
  EXPECT_TRUE(exclusion->covers(at("10.0.0.5:4500")));
  EXPECT_FALSE(exclusion->covers(at("10.0.0.5:4501")));
  EXPECT_FALSE(exclusion->covers(at("10.0.0.6:4500")));
  EXPECT_EQ(exclusion->to_string(), "10.0.0.5:4500");
}

TEST(AddressExclusionTest, AMachineExclusionCoversEveryPort) {
  std::optional<AddressExclusion> exclusion = AddressExclusion::try_parse("10.0.0.5");
  ASSERT_TRUE(exclusion);
  EXPECT_TRUE(exclusion->whole_machine());
  EXPECT_TRUE(exclusion->covers(at("10.0.0.5:4500")));
  EXPECT_TRUE(exclusion->covers(at("10.0.0.5:1")));
  EXPECT_FALSE(exclusion->covers(at("10.0.0.50:4500")));
  EXPECT_EQ(exclusion->to_string(), "10.0.0.5");
  EXPECT_NE(*exclusion, *AddressExclusion::try_parse("10.0.0.5:0"));
}

TEST(AddressExclusionTest, AnythingElseDoesNotParse) {
  for (const char* text : {"", "10.0.0", "10.0.0.256", "10.0.0.1:", "10.0.0.1:65536", "host:4500",
                           "10.0.0.1:45a", "all", "failed", " 10.0.0.1"}) {
    EXPECT_FALSE(AddressExclusion::try_parse(text)) << text;
  }
}

TEST(ExclusionsTest, RowsOfBothListsAreRead) {
  std::vector<KeyValue> excluded = {{excluded_servers_prefix + "10.0.0.1:4500", ""},
                                    {excluded_servers_prefix + "10.0.0.2", ""},
                                    {excluded_servers_prefix + "not an address", ""}};
  std::vector<KeyValue> failed = {{failed_servers_prefix + "10.0.0.3:4500", ""}};
  Exclusions exclusions = exclusions_of_rows(excluded, failed);
  ASSERT_EQ(exclusions.excluded.size(), 2u);
  ASSERT_EQ(exclusions.failed.size(), 1u);
  EXPECT_TRUE(exclusions.covers(at("10.0.0.1:4500")));
  EXPECT_FALSE(exclusions.covers(at("10.0.0.1:4501")));
  EXPECT_TRUE(exclusions.covers(at("10.0.0.2:9")));
  EXPECT_TRUE(exclusions.covers(at("10.0.0.3:4500")));
  EXPECT_TRUE(exclusions.covers_failed(at("10.0.0.3:4500")));
  EXPECT_FALSE(exclusions.covers_failed(at("10.0.0.1:4500")));
  EXPECT_FALSE(exclusions.covers(at("10.0.0.4:4500")));
}

TEST(ExclusionsTest, TheVersionKeyIsNotARowOfTheList) {
  EXPECT_FALSE(exclusion_of_key(excluded_servers_version_key, excluded_servers_prefix));
  EXPECT_LT(excluded_servers_version_key, excluded_servers_prefix);
}

}  // namespace
}  // namespace strata
