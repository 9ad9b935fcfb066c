#include "server/role_metrics.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(RoleMetricsTest, RatesCoverTheLastSecondsOnly) {
  RoleMetrics metrics;
  metrics.sample(0);
  metrics.counters.transactions_committed = 1000;  // in the first second
  for (int second = 1; second <= 10; ++second)
    metrics.sample(second);
  // Ten seconds later nothing more committed: the window no longer holds the burst.
  EXPECT_EQ(metrics.snapshot(10).transactions_committed_hz, 0);
  metrics.counters.transactions_committed += 50;
  metrics.counters.reads += 500;
  EXPECT_DOUBLE_EQ(metrics.snapshot(10.5).transactions_committed_hz, 50 / 5.5);
  EXPECT_DOUBLE_EQ(metrics.snapshot(10.5).reads_hz, 500 / 5.5);
}

TEST(RoleMetricsTest, LatenciesAreOfTheLastRequests) {
  LatencySamples samples;
  EXPECT_EQ(samples.percentile(0.5), 0);
  for (int i = 0; i < 5000; ++i)
    samples.add(1.0);  // old, slow requests
  for (int i = 1; i <= 1024; ++i)
    samples.add(i / 1000.0);  // the last 1,024: 1 ms to 1.024 s
  EXPECT_NEAR(samples.percentile(0.5), 0.512, 0.002);
  EXPECT_NEAR(samples.percentile(0.99), 1.013, 0.002);
  EXPECT_EQ(samples.percentile(1.0), 1.024);
}

TEST(RoleMetricsTest, StorageBytesAddUpPerStorageServer) {
  RoleMetrics metrics;
  metrics.set_storage_bytes({UID(1, 1), 80, 100});
  metrics.set_storage_bytes({UID(1, 2), 20, 50});
  metrics.set_storage_bytes({UID(1, 1), 200, 300});  // a later persist of the same server
  ProcessMetrics snapshot = metrics.snapshot(0);
  EXPECT_EQ(snapshot.storage_disk_used_bytes, 350);
  ASSERT_EQ(snapshot.storage_servers.size(), 2u);
  EXPECT_EQ(snapshot.storage_servers[0].id, UID(1, 1));
  EXPECT_EQ(snapshot.storage_servers[0].stored_bytes, 200);
  EXPECT_EQ(snapshot.storage_servers[0].disk_used_bytes, 300);
  EXPECT_EQ(snapshot.storage_servers[1].stored_bytes, 20);
  // A server that ended here no longer counts.
  metrics.forget_storage(UID(1, 1));
  snapshot = metrics.snapshot(0);
  EXPECT_EQ(snapshot.storage_disk_used_bytes, 50);
  ASSERT_EQ(snapshot.storage_servers.size(), 1u);
  EXPECT_EQ(snapshot.storage_servers[0].id, UID(1, 2));
}

}  // namespace
}  // namespace strata
