#include "server/ratekeeper/rate_plan.h"

#include <gtest/gtest.h>

#include "rpc/serialize.h"

namespace strata {
namespace {

// Targets of round numbers, so that the expected limits can be worked out by hand:
// storage queue 1000 (spring 100), lag 400 (spring 100), log queue 5000 (spring 1000).
RateTargets targets() {
  return RateTargets{QueueTarget{1000, 100}, QueueTarget{400, 100}, QueueTarget{5000, 1000}};
}

StorageQueueSample server(uint64_t id, std::string zone, int64_t queue, Version lag = 0) {
  StorageQueueSample sample;
  sample.id = UID(id, 1);
  sample.zone = std::move(zone);
  sample.queue_bytes = queue;
  sample.lag_versions = lag;
  return sample;
}

RateInputs inputs(std::vector<StorageQueueSample> storage, double released = 100) {
  RateInputs in;
  in.storage = std::move(storage);
  in.released_tps = released;
  in.tps_max = 1e6;
  in.tps_min = 0;
  return in;
}

TEST(RatePlanTest, ShortQueuesLimitNothing) {
  // Under half of target - spring (450).
  RatePlan plan = plan_rate(inputs({server(1, "a", 449), server(2, "b", 10)}), targets());
  EXPECT_EQ(plan.limit.reason, LimitReason::workload);
  EXPECT_EQ(plan.limit.tps, 1e6);
  EXPECT_EQ(plan.worst.storage_queue_bytes, 449);
  EXPECT_EQ(plan.worst.storage_queue_server, UID(1, 1));
}

TEST(RatePlanTest, AQueueAtItsTargetHoldsTheRateWhereItIs) {
  // At the target, its 0.2 s of input at 5000 B/s: the cluster may go on at the rate it has.
  StorageQueueSample at_target = server(1, "a", 1000);
  at_target.input_bytes_per_s = 5000;
  at_target.queue_span_s = 0.2;
  RatePlan plan = plan_rate(inputs({at_target, server(2, "b", 0)}, 80), targets());
  EXPECT_EQ(plan.limit.reason, LimitReason::storage_server_write_queue_size);
  EXPECT_EQ(plan.limit.server, UID(1, 1));
  EXPECT_DOUBLE_EQ(plan.limit.tps, 80);
}

TEST(RatePlanTest, TheLimitLetsInWhatTheQueueCanHoldOverItsDurabilityLag) {
  // Past target - spring, its queue spans 0.5 s: it holds its target of 1000 bytes at 2000
  // B/s; 4000 come in for 100 transactions a second, so 50 may start.
  StorageQueueSample slow = server(1, "a", 950);
  slow.input_bytes_per_s = 4000;
  slow.queue_span_s = 0.5;
  RatePlan plan = plan_rate(inputs({slow}), targets());
  EXPECT_DOUBLE_EQ(plan.limit.tps, 50);
  // Its input already cut to 1000 B/s (the queue still holds the older, faster input):
  // twice the rate could start, but the rate climbs by `growth` at most.
  slow.input_bytes_per_s = 1000;
  RateInputs in = inputs({slow});
  in.growth = 3;
  EXPECT_DOUBLE_EQ(plan_rate(in, targets()).limit.tps, 200);
  in.growth = 1.5;
  EXPECT_DOUBLE_EQ(plan_rate(in, targets()).limit.tps, 150);
  // Warm but below target - spring, the same.
  slow.queue_bytes = 600;
  slow.input_bytes_per_s = 4000;
  EXPECT_DOUBLE_EQ(plan_rate(inputs({slow}), targets()).limit.tps, 50);
}

TEST(RatePlanTest, AQueueBehindOnItsDiskDrainsAtHalfThePaceItShowed) {
  // Past target + spring (pressure 2), spanning 0.25 s, beyond the 0.2 s of a server that
  // keeps up. Its span alone would hold the rate (1000 / 0.25 = 4000 B/s, what comes in);
  // but 1000 B/s left it lately: 100 * 1000 / (4000 * 2) = 12.5.
  StorageQueueSample behind = server(1, "a", 1500);
  behind.input_bytes_per_s = 4000;
  behind.queue_span_s = 0.25;
  behind.drained_bytes_per_s = 1000;
  RateInputs in = inputs({behind});
  in.window_s = 0.2;
  RatePlan plan = plan_rate(in, targets());
  EXPECT_EQ(plan.limit.reason, LimitReason::storage_server_write_queue_size);
  EXPECT_DOUBLE_EQ(plan.limit.tps, 12.5);
  // Nothing left it lately: released / pressure.
  in.storage[0].drained_bytes_per_s = 0;
  EXPECT_DOUBLE_EQ(plan_rate(in, targets()).limit.tps, 50);
  // Within its window it drains by itself as the window passes: only its span counts.
  in.storage[0].drained_bytes_per_s = 1000;
  in.window_s = 0.3;
  EXPECT_DOUBLE_EQ(plan_rate(in, targets()).limit.tps, 100);
}

TEST(RatePlanTest, AfterAHoldTheLimitClimbsByGrowthAnUpdate) {
  // Every queue cold: nothing limits but the climb from the previous limit, which keeps
  // its reason.
  RateInputs in = inputs({server(1, "a", 10)}, 9);
  in.growth = 1.5;
  in.previous = RateLimit{10, LimitReason::storage_server_write_queue_size, UID(1, 1)};
  RatePlan plan = plan_rate(in, targets());
  EXPECT_DOUBLE_EQ(plan.limit.tps, 15);
  EXPECT_EQ(plan.limit.reason, LimitReason::storage_server_write_queue_size);
  EXPECT_EQ(plan.limit.server, UID(1, 1));
  // From what was released, when that is more.
  in.released_tps = 40;
  EXPECT_DOUBLE_EQ(plan_rate(in, targets()).limit.tps, 60);
  // A limit the workload did not use up (6 of 10, under 10 / 1.5) climbs alike, but holds
  // nothing back: the workload is what limits.
  in.released_tps = 6;
  EXPECT_DOUBLE_EQ(plan_rate(in, targets()).limit.tps, 15);
  EXPECT_EQ(plan_rate(in, targets()).limit.reason, LimitReason::workload);
  in.released_tps = 40;
  // Once it has climbed past what it ever needs, nothing limits.
  in.previous = RateLimit{1e6, LimitReason::workload, UID()};
  EXPECT_EQ(plan_rate(in, targets()).limit.reason, LimitReason::workload);
  EXPECT_DOUBLE_EQ(plan_rate(in, targets()).limit.tps, 1e6);
}

TEST(RatePlanTest, ASpringIsNeverWiderThanItsTarget) {
  EXPECT_EQ(queue_target(1000, 100).spring, 100);
  EXPECT_EQ(queue_target(1000, 5000).spring, 1000);
  EXPECT_EQ(queue_target(1000, 0).spring, 1);
  EXPECT_EQ(queue_target(0, 10).target, 1);
}

TEST(RatePlanTest, AWarmQueueLetsTheRateClimbOnlyGently) {
  // Below target - spring (900) but past half of it: at most `growth` times the released.
  RateInputs in = inputs({server(1, "a", 600)});
  in.growth = 1.5;
  RatePlan plan = plan_rate(in, targets());
  EXPECT_EQ(plan.limit.reason, LimitReason::storage_server_write_queue_size);
  EXPECT_DOUBLE_EQ(plan.limit.tps, 150);
  in.storage = {server(1, "a", 449)};  // cold
  EXPECT_EQ(plan_rate(in, targets()).limit.reason, LimitReason::workload);
}

TEST(RatePlanTest, PastTargetPlusSpringThePressureStopsAtTwo) {
  // Without measured rates: released / pressure, the pressure at most 2.
  RatePlan plan = plan_rate(inputs({server(1, "a", 1'000'000)}), targets());
  EXPECT_DOUBLE_EQ(plan.limit.tps, 50);
  plan = plan_rate(inputs({server(1, "a", 1100)}), targets());
  EXPECT_DOUBLE_EQ(plan.limit.tps, 50);
}

TEST(RatePlanTest, NothingReleasedStillCountsAsOneTransactionASecond) {
  // Otherwise a limit that reached 0 could never grow again.
  RatePlan plan = plan_rate(inputs({server(1, "a", 1100)}, 0), targets());
  EXPECT_DOUBLE_EQ(plan.limit.tps, 0.5);
}

TEST(RatePlanTest, TheWorstZonesMayFallBehind) {
  std::vector<StorageQueueSample> storage = {server(1, "a", 5000), server(2, "a", 1050),
                                             server(3, "b", 1000), server(4, "c", 0)};
  RateInputs in = inputs(storage);
  in.ignored_zones = 1;
  // Zone a (both its servers) is left out; b's server, at its target, limits.
  RatePlan plan = plan_rate(in, targets());
  EXPECT_EQ(plan.limit.server, UID(3, 1));
  EXPECT_DOUBLE_EQ(plan.limit.tps, 100);
  EXPECT_EQ(plan.worst.storage_queue_bytes, 5000);
  EXPECT_EQ(plan.worst.limiting_storage_queue_bytes, 1000);
  in.ignored_zones = 2;
  plan = plan_rate(in, targets());
  EXPECT_EQ(plan.limit.reason, LimitReason::workload);
  in.ignored_zones = 0;
  plan = plan_rate(in, targets());
  EXPECT_EQ(plan.limit.server, UID(1, 1));
  EXPECT_DOUBLE_EQ(plan.limit.tps, 50);
}

TEST(RatePlanTest, ALaggingServerLimitsAsReadableBehind) {
  // Lag 450 of target 400, spring 100: pressure 1.5.
  RatePlan plan = plan_rate(inputs({server(1, "a", 0, 450), server(2, "b", 0, 10)}), targets());
  EXPECT_EQ(plan.limit.reason, LimitReason::storage_server_readable_behind);
  EXPECT_EQ(plan.limit.server, UID(1, 1));
  EXPECT_NEAR(plan.limit.tps, 100 / 1.5, 1e-9);
  EXPECT_EQ(plan.worst.storage_lag_versions, 450);
}

TEST(RatePlanTest, ALaggingServerLimitsToThePaceItKeepsUpWith) {
  // Pressure 1.5; its version advanced at 0.6 of real time: 100 * 0.6 / 1.5 = 40.
  StorageQueueSample slow = server(1, "a", 0, 450);
  slow.apply_pace = 0.6;
  RatePlan plan = plan_rate(inputs({slow}), targets());
  EXPECT_EQ(plan.limit.reason, LimitReason::storage_server_readable_behind);
  EXPECT_NEAR(plan.limit.tps, 40, 1e-9);
  // Catching up faster than real time counts as keeping up.
  slow.apply_pace = 1.7;
  EXPECT_NEAR(plan_rate(inputs({slow}), targets()).limit.tps, 100 / 1.5, 1e-9);
}

TEST(RatePlanTest, AServerBehindTheLogsWasSentMoreThanItApplied) {
  // Past target - spring, spanning 0.5 s: it holds 2000 B/s. It applied 1000 B/s, but at
  // half the pace of real time, so 2000 were sent: the rate holds (100), where the applied
  // input alone would let it climb by growth (120).
  StorageQueueSample behind = server(1, "a", 950);
  behind.input_bytes_per_s = 1000;
  behind.queue_span_s = 0.5;
  RatePlan plan = plan_rate(inputs({behind}), targets());
  EXPECT_DOUBLE_EQ(plan.limit.tps, 120);
  behind.apply_pace = 0.5;
  plan = plan_rate(inputs({behind}), targets());
  EXPECT_DOUBLE_EQ(plan.limit.tps, 100);
  // A server that nearly stopped counts as a quarter of the pace at least: 4000 B/s, 50.
  behind.apply_pace = 0.01;
  EXPECT_DOUBLE_EQ(plan_rate(inputs({behind}), targets()).limit.tps, 50);
}

TEST(RatePlanTest, ALogQueueLimitsAndTheLowestLimitWins) {
  RateInputs in = inputs({server(1, "a", 1000)});     // storage limit: 100
  in.logs = {LogQueueSample{UID(9, 9), 5500, 0, 0}};  // pressure 1.5: 66.7
  RatePlan plan = plan_rate(in, targets());
  EXPECT_EQ(plan.limit.reason, LimitReason::log_server_write_queue);
  EXPECT_EQ(plan.limit.server, UID(9, 9));
  EXPECT_EQ(plan.worst.log_queue_bytes, 5500);
  in.logs = {LogQueueSample{UID(9, 9), 1900, 0, 0}};  // cold: no limit
  plan = plan_rate(in, targets());
  EXPECT_EQ(plan.limit.reason, LimitReason::storage_server_write_queue_size);
  // Measured: 5500 bytes over 2 s, 4000 B/s coming in: 100 * (5000 / 2) / 4000 = 62.5.
  in.logs = {LogQueueSample{UID(9, 9), 5500, 4000, 2}};
  plan = plan_rate(in, targets());
  EXPECT_EQ(plan.limit.reason, LimitReason::log_server_write_queue);
  EXPECT_DOUBLE_EQ(plan.limit.tps, 62.5);
}

TEST(RatePlanTest, LowerTargetsHoldBatchPriorityFirst) {
  RateTargets batch = targets();
  batch.storage_queue = QueueTarget{400, 100};
  RateInputs in = inputs({server(1, "a", 440)});  // cold for default priority
  EXPECT_EQ(plan_rate(in, targets()).limit.reason, LimitReason::workload);
  EXPECT_NEAR(plan_rate(in, batch).limit.tps, 100 / 1.4, 1e-9);
}

TEST(RatePlanTest, TheLimitStaysWithinItsBounds) {
  RateInputs in = inputs({server(1, "a", 2000)}, 1);
  in.tps_min = 2;
  EXPECT_DOUBLE_EQ(plan_rate(in, targets()).limit.tps, 2);
  in.tps_max = 10;
  in.storage = {};
  EXPECT_DOUBLE_EQ(plan_rate(in, targets()).limit.tps, 10);
}

TEST(RatePlanTest, ALimitWithAnUnknownReasonIsRefusedWhenDecoded) {
  RateLimit limit{12.5, LimitReason::log_server_write_queue, UID(3, 4)};
  const RateLimit decoded = deserialize_from_bytes<RateLimit>(serialize_to_bytes(limit));
  EXPECT_EQ(decoded.tps, 12.5);
  EXPECT_EQ(decoded.reason, LimitReason::log_server_write_queue);
  EXPECT_EQ(decoded.server, UID(3, 4));
  limit.reason = static_cast<LimitReason>(limit_reason_count);
  EXPECT_THROW(deserialize_from_bytes<RateLimit>(serialize_to_bytes(limit)), Error);
}

}  // namespace
}  // namespace strata
