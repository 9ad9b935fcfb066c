#pragma once

// The ratekeeper's arithmetic, apart from any messaging so that it can be tested alone:
// from the queues it last measured, how many transactions per second the cluster may
// start, and why.
//
// Each queue has a target and a spring. Past half of target - spring a queue is warm:
// while one is, the limit is at most `growth` times what was released, so that the rate
// climbs back gently rather than leaping from held to unlimited.
//
// A storage server's queue is what it has applied and not yet made durable: the input of
// the last W seconds (its newest version less its durable one, the MVCC window at least).
// A log's queue is the unpopped data it holds in memory, W seconds' worth (its newest
// version less the oldest it holds). So a queue holds its target T when it takes in T / W
// bytes a second; with I bytes a second coming in now for the `released` transactions a
// second started lately, a warm queue limits the rate to released * T / (W * I). That acts
// on the input of now, not on the queue, which answers a change of rate only W seconds
// later (acting on it alone makes the rate swing).
//
// That law holds a queue at its target but is slow to empty one whose server is behind on
// its disk (its queue spans more than `window_s`, the span of a queue that keeps up): the
// span grows only as the backlog does. So for such a queue past target - spring, with
// r = (queue - target + spring) / spring (at most 2), the input is also held to D / r, D the
// bytes a second that lately left the queue: the limit is released * D / (I * r), and at
// r = 2 the backlog drains at half the pace the disk showed. (A queue within its window
// drains only as its window passes: there D is the input of a window ago, not what the
// server can do, and acting on it would swing the rate.)
//
// A queue whose rates are not measured yet limits to released / r. A version lag limits to
// released * p / r, p the pace at which the server's version advanced lately as a fraction
// of real time (at most 1): a server keeping up with p of real time keeps up with p of the
// input, so at r = 1 the lag holds and past it shrinks, at the pace the server showed.
//
// A storage server's input is what it applied; one whose version advanced at a pace p < 1 of
// real time lately was sent input / p.
//
// The limit climbs by at most `growth` an update from the previous one (or from what was
// released, if more): a queue that went cold after a hold must not let a burst in at once.
// While it climbs, its reason stays the previous one's if the workload uses the limit up
// (it started at least 1 / growth of it), and is `workload` if not: then the limit holds
// nothing back.
//
// The lowest limit wins; its queue is the reason. The storage servers of the worst
// `ignored_zones` zones are left out (their shards have other copies, and one slow machine
// must not hold back the whole cluster).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interfaces/ratekeeper_interface.h"
#include "interfaces/types.h"

namespace strata {

struct StorageQueueSample {
  UID id;
  std::string zone;
  int64_t queue_bytes = 0;
  // Bytes per second taken in (0 when not yet measured), and how many seconds of input its
  // queue spans (its newest version less its durable one).
  double input_bytes_per_s = 0;
  double queue_span_s = 0;
  // Bytes per second that left its queue (made durable), 0 when not yet measured.
  double drained_bytes_per_s = 0;
  // How far its newest version trails the logs', and the pace its version advanced at
  // lately, as a fraction of real time (0 when not yet measured).
  Version lag_versions = 0;
  double apply_pace = 0;
};

struct LogQueueSample {
  UID id;
  int64_t queue_bytes = 0;
  // As for a storage server: its input, the seconds of it its queue spans, and what left
  // its memory a second (popped or spilled).
  double input_bytes_per_s = 0;
  double queue_span_s = 0;
  double drained_bytes_per_s = 0;
};

// A queue's target and spring (bytes, or versions for a lag).
struct QueueTarget {
  int64_t target = 0;
  int64_t spring = 1;
};

// A queue's target and spring from their settings. The spring is kept within [1, target]:
// a wider one (settings changed one at a time) would put every queue, even an empty one,
// past target - spring, and the rate would drift down on the noise of its measurements.
QueueTarget queue_target(int64_t target, int64_t spring);

struct RateTargets {
  QueueTarget storage_queue;
  QueueTarget storage_lag;
  QueueTarget log_queue;
};

struct RateInputs {
  std::vector<StorageQueueSample> storage;
  std::vector<LogQueueSample> logs;
  // Transactions per second released lately (smoothed).
  double released_tps = 0;
  // Zones whose storage servers are left out (the worst ones).
  int ignored_zones = 0;
  // While a queue is warm, the limit is at most this many times the released rate.
  double growth = 1.2;
  // The limit when nothing limits, and the least a limit may go to.
  double tps_max = 1e7;
  double tps_min = 0;
  // The span of a queue whose server keeps up with its disk (seconds).
  double window_s = 0;
  // The previous update's limit, if any.
  std::optional<RateLimit> previous;
};

struct RatePlan {
  RateLimit limit;
  WorstQueues worst;
};

RatePlan plan_rate(const RateInputs& inputs, const RateTargets& targets);

}  // namespace strata
