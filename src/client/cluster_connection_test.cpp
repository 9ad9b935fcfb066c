#include "client/cluster_connection.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(ClusterConnectionTest, ParsesFoundationDbFormat) {
  ClusterConnectionString connection =
      ClusterConnectionString::parse("my_cluster:a1B2c3@10.0.0.1:4500,10.0.0.2:4501");
  EXPECT_EQ(connection.description, "my_cluster");
  EXPECT_EQ(connection.id, "a1B2c3");
  ASSERT_EQ(connection.coordinators.size(), 2u);
  EXPECT_EQ(connection.coordinators[1].to_string(), "10.0.0.2:4501");
  EXPECT_EQ(connection.to_string(), "my_cluster:a1B2c3@10.0.0.1:4500,10.0.0.2:4501");
}

TEST(ClusterConnectionTest, RejectsMalformedStringsWithAReason) {
  for (const char* text : {"", "nocolon@1.2.3.4:5", "desc:id", "de-sc:id@1.2.3.4:5",
                           "desc:i_d@1.2.3.4:5", "desc:id@1.2.3.4", "desc:id@1.2.3.4:5,",
                           "desc:id@1.2.3.4:5,1.2.3.4:5", "desc:id@999.2.3.4:5"}) {
    try {
      ClusterConnectionString::parse(text);
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::connection_string_invalid);
      EXPECT_NE(error.detail().find("expected description:id@ip:port"), std::string_view::npos);
    }
  }
}

}  // namespace
}  // namespace strata
