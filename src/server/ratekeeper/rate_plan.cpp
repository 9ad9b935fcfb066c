#include "server/ratekeeper/rate_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "runtime/assert.h"

namespace strata {

namespace {

// Past half of target - spring: the rate may only climb gently.
bool warm(int64_t queue, const QueueTarget& target) {
  return 2 * queue > target.target - target.spring;
}

// How far past target - spring `queue` is, in springs (at most 2); <= 0 limits nothing.
double pressure(int64_t queue, const QueueTarget& target) {
  const double spring = static_cast<double>(std::max<int64_t>(1, target.spring));
  const double over = static_cast<double>(queue - target.target) + spring;
  return std::min(over / spring, 2.0);
}

// The zones whose storage servers count: all but the `ignored` worst by `measure` (each
// zone counts as bad as its worst server).
template <class Measure>
std::set<std::string> counted_zones(const std::vector<StorageQueueSample>& storage, int ignored,
                                    Measure measure) {
  std::map<std::string, double> worst_of_zone;
  for (const StorageQueueSample& server : storage) {
    double value = measure(server);
    auto [it, inserted] = worst_of_zone.emplace(server.zone, value);
    if (!inserted) it->second = std::max(it->second, value);
  }
  std::vector<std::pair<double, std::string>> ranked;
  for (const auto& [zone, value] : worst_of_zone)
    ranked.emplace_back(value, zone);
  std::sort(ranked.begin(), ranked.end(), std::greater<>());
  std::set<std::string> counted;
  for (size_t i = static_cast<size_t>(std::max(0, ignored)); i < ranked.size(); ++i)
    counted.insert(ranked[i].second);
  return counted;
}

}  // namespace

QueueTarget queue_target(int64_t target, int64_t spring) {
  const int64_t bounded_target = std::max<int64_t>(1, target);
  return QueueTarget{bounded_target, std::clamp<int64_t>(spring, 1, bounded_target)};
}

RatePlan plan_rate(const RateInputs& inputs, const RateTargets& targets) {
  STRATA_ASSERT(inputs.tps_max >= inputs.tps_min && inputs.tps_min >= 0);
  RatePlan plan;
  plan.limit = RateLimit{inputs.tps_max, LimitReason::workload, UID()};
  // A rate that went to nothing must be able to come back: what is released never counts
  // as less than one transaction a second.
  const double released = std::max(1.0, inputs.released_tps);
  auto consider = [&plan](double tps, LimitReason reason, const UID& server) {
    if (tps < plan.limit.tps) plan.limit = RateLimit{tps, reason, server};
  };
  // Limits from a queue: by its pressure r (`limit_at(r)`), or, warm, by the growth
  // allowed.
  auto consider_queue = [&](int64_t queue, const QueueTarget& target, LimitReason reason,
                            const UID& server, auto limit_at) {
    const double r = pressure(queue, target);
    if (r > 0) {
      consider(limit_at(r), reason, server);
    } else if (warm(queue, target)) {
      consider(released * inputs.growth, reason, server);
    }
  };
  auto released_over = [released](double r) { return released / r; };
  // A queue of measured input: what it holds its target at, for the transactions started
  // now (never climbing faster than growth allows); past target - spring and behind on its
  // disk, also what lets it drain at 1/r of the pace it drained at lately.
  auto consider_measured = [&](int64_t queue, double input_bytes_per_s, double span_s,
                               double drained_bytes_per_s, const QueueTarget& target,
                               LimitReason reason, const UID& server) {
    if (input_bytes_per_s <= 0 || span_s <= 0) {
      consider_queue(queue, target, reason, server, released_over);
      return;
    }
    if (warm(queue, target)) {
      const double holdable_bytes_per_s = static_cast<double>(target.target) / span_s;
      consider(released * std::min(inputs.growth, holdable_bytes_per_s / input_bytes_per_s), reason,
               server);
    }
    const double r = pressure(queue, target);
    if (r <= 0 || span_s <= inputs.window_s) return;
    if (drained_bytes_per_s > 0) {
      consider(released * drained_bytes_per_s / (input_bytes_per_s * r), reason, server);
    } else {
      // Nothing left the queue lately: it can only grow.
      consider(released_over(r), reason, server);
    }
  };

  for (const StorageQueueSample& server : inputs.storage) {
    if (server.queue_bytes > plan.worst.storage_queue_bytes ||
        !plan.worst.storage_queue_server.is_valid()) {
      plan.worst.storage_queue_bytes = server.queue_bytes;
      plan.worst.storage_queue_server = server.id;
    }
    plan.worst.storage_lag_versions =
        std::max(plan.worst.storage_lag_versions, server.lag_versions);
  }
  const std::set<std::string> queue_zones = counted_zones(
      inputs.storage, inputs.ignored_zones,
      [](const StorageQueueSample& server) { return static_cast<double>(server.queue_bytes); });
  const std::set<std::string> lag_zones = counted_zones(
      inputs.storage, inputs.ignored_zones,
      [](const StorageQueueSample& server) { return static_cast<double>(server.lag_versions); });
  for (const StorageQueueSample& server : inputs.storage) {
    if (queue_zones.contains(server.zone)) {
      plan.worst.limiting_storage_queue_bytes =
          std::max(plan.worst.limiting_storage_queue_bytes, server.queue_bytes);
      // A server behind the logs takes in only part of what is sent to it: what comes in
      // for it is its input over its pace (taken to be at least a quarter, since a server
      // that stopped has no measure of its input; the lag limits those).
      const double offered_bytes_per_s =
          server.apply_pace > 0
              ? server.input_bytes_per_s / std::clamp(server.apply_pace, 0.25, 1.0)
              : server.input_bytes_per_s;
      consider_measured(server.queue_bytes, offered_bytes_per_s, server.queue_span_s,
                        server.drained_bytes_per_s, targets.storage_queue,
                        LimitReason::storage_server_write_queue_size, server.id);
    }
    if (lag_zones.contains(server.zone)) {
      plan.worst.limiting_storage_lag_versions =
          std::max(plan.worst.limiting_storage_lag_versions, server.lag_versions);
      const double pace = server.apply_pace > 0 ? std::min(1.0, server.apply_pace) : 1.0;
      consider_queue(server.lag_versions, targets.storage_lag,
                     LimitReason::storage_server_readable_behind, server.id,
                     [&](double r) { return released * pace / r; });
    }
  }
  for (const LogQueueSample& log : inputs.logs) {
    if (log.queue_bytes > plan.worst.log_queue_bytes || !plan.worst.log_queue_server.is_valid()) {
      plan.worst.log_queue_bytes = log.queue_bytes;
      plan.worst.log_queue_server = log.id;
    }
    consider_measured(log.queue_bytes, log.input_bytes_per_s, log.queue_span_s,
                      log.drained_bytes_per_s, targets.log_queue,
                      LimitReason::log_server_write_queue, log.id);
  }
  if (inputs.previous) {
    const double climb = std::max(inputs.previous->tps, released) * inputs.growth;
    if (climb < plan.limit.tps) {
      // Still climbing back from what set the previous limit, while the workload uses the
      // limit up (it started at least 1 / growth of it); otherwise it holds nothing back.
      const bool used = released >= inputs.previous->tps / inputs.growth;
      plan.limit = used ? RateLimit{climb, inputs.previous->reason, inputs.previous->server}
                        : RateLimit{climb, LimitReason::workload, UID()};
    }
  }
  plan.limit.tps = std::clamp(plan.limit.tps, inputs.tps_min, inputs.tps_max);
  return plan;
}

}  // namespace strata
