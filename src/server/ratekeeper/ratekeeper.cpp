#include "server/ratekeeper/ratekeeper.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "runtime/trace.h"
#include "server/ratekeeper/rate_plan.h"
#include "server/server_knobs.h"
#include "server/wait_failure.h"

namespace strata {

namespace {

// The rate at which a counter grows (it only grows until its source restarts, which starts
// the measurement again), smoothed exponentially over rk_smoothing_s.
class SmoothedRate {
 public:
  void sample(int64_t counter, double at) {
    if (last_at_ && counter >= last_ && at > *last_at_) {
      const double elapsed = at - *last_at_;
      const double rate = static_cast<double>(counter - last_) / elapsed;
      const double weight = 1 - std::exp(-elapsed / server_knobs().rk_smoothing_s);
      rate_ = known_ ? rate_ + (rate - rate_) * weight : rate;
      known_ = true;
    }
    last_ = counter;
    last_at_ = at;
  }
  double rate() const { return rate_; }

 private:
  int64_t last_ = 0;
  std::optional<double> last_at_;
  double rate_ = 0;
  bool known_ = false;
};

struct StorageTracker {
  StorageInterface server;
  std::optional<StorageQueueReply> last;
  double answered_at = 0;
  SmoothedRate input;
  // Versions applied a second.
  SmoothedRate applied;
  // Bytes that left the queue: what came in less what it holds.
  SmoothedRate drained;
  Future<Void> poller;
};

struct LogTracker {
  LogInterface log;
  std::optional<LogStatusReply> last;
  double answered_at = 0;
  SmoothedRate input;
  // Bytes that left the queue: what came in less what it holds.
  SmoothedRate drained;
  Future<Void> poller;
};

struct ProxyTracker {
  SmoothedRate normal;
  SmoothedRate batch;
  double asked_at = 0;
};

struct RatekeeperState {
  RatekeeperInterface interface;
  int replication = 1;
  std::shared_ptr<AsyncVar<ServerDBInfo>> db_info;
  std::map<UID, StorageTracker> storage;
  std::map<UID, LogTracker> logs;
  std::map<UID, ProxyTracker> proxies;
  RatePlan normal;
  RatePlan batch;
  double released_tps = 0;
  double released_batch_tps = 0;
  int storage_answering = 0;
};

// Asks `ask` every rk_update_interval_s, handing each answer to `answered`.
template <class Ask, class Answered>
Future<Void> poll(Ask ask, Answered answered) {
  while (true) {
    try {
      auto reply = co_await timeout(ask(), server_knobs().failure_detection_timeout_s);
      if (reply) answered(*reply);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
    co_await delay(server_knobs().rk_update_interval_s);
  }
}

// Starts watching the servers and logs `info` names, and stops watching the others.
void follow_servers(RatekeeperState* state, const ServerDBInfo& info) {
  std::map<UID, bool> listed;
  for (const StorageInterface& server : info.storage_servers) {
    listed[server.id] = true;
    if (state->storage.contains(server.id)) continue;
    StorageTracker& tracker = state->storage[server.id];
    tracker.server = server;
    tracker.poller = poll([server] { return server.queue.get_reply(StorageQueueRequest{}); },
                          [&tracker](const StorageQueueReply& reply) {
                            tracker.input.sample(reply.input_bytes, now());
                            tracker.applied.sample(reply.version, now());
                            tracker.drained.sample(reply.input_bytes - reply.queue_bytes, now());
                            tracker.last = reply;
                            tracker.answered_at = now();
                          });
  }
  std::erase_if(state->storage, [&](const auto& entry) { return !listed.contains(entry.first); });
  listed.clear();
  for (const LogInterface& log : info.logs.logs) {
    listed[log.id] = true;
    if (state->logs.contains(log.id)) continue;
    LogTracker& tracker = state->logs[log.id];
    tracker.log = log;
    tracker.poller =
        poll([log] { return log.status.get_reply(LogStatusRequest{}); },
             [&tracker](const LogStatusReply& reply) {
               tracker.input.sample(reply.memory_input_bytes, now());
               tracker.drained.sample(reply.memory_input_bytes - reply.memory_bytes, now());
               tracker.last = reply;
               tracker.answered_at = now();
             });
  }
  std::erase_if(state->logs, [&](const auto& entry) { return !listed.contains(entry.first); });
}

// Plans both limits from the newest answers: a server that has not answered lately counts
// as failed, which is the data distributor's business, not a queue.
void plan(RatekeeperState* state) {
  const ServerKnobs& knobs = server_knobs();
  const double fresh_after = now() - 2 * knobs.failure_detection_timeout_s;
  RateInputs inputs;
  // The logs' newest version, and when it was heard.
  Version newest = 0;
  double newest_at = now();
  for (const auto& [id, log] : state->logs) {
    if (!log.last || log.answered_at < fresh_after) continue;
    if (log.last->durable > newest) {
      newest = log.last->durable;
      newest_at = log.answered_at;
    }
    const Version oldest = log.last->memory_oldest;
    inputs.logs.push_back(LogQueueSample{id, log.last->memory_bytes, log.input.rate(),
                                         oldest == 0
                                             ? 0
                                             : static_cast<double>(log.last->durable - oldest) /
                                                   static_cast<double>(knobs.versions_per_second),
                                         log.drained.rate()});
  }
  state->storage_answering = 0;
  for (const auto& [id, tracker] : state->storage) {
    if (!tracker.last || tracker.answered_at < fresh_after) continue;
    ++state->storage_answering;
    StorageQueueSample sample;
    sample.id = id;
    sample.zone = tracker.server.locality.zone;
    sample.queue_bytes = tracker.last->queue_bytes;
    sample.input_bytes_per_s = tracker.input.rate();
    sample.drained_bytes_per_s = tracker.drained.rate();
    sample.queue_span_s =
        static_cast<double>(tracker.last->version - tracker.last->durable_version) /
        static_cast<double>(knobs.versions_per_second);
    // Its own measure, or, if larger, the least the logs' newest version says: a server
    // that stopped hearing from the logs does not know how far behind it is. (When the logs
    // answered after the server, their version may have grown meanwhile by the time between:
    // that much is taken off.)
    const auto skew = static_cast<Version>(std::max(0.0, newest_at - tracker.answered_at) *
                                           static_cast<double>(knobs.versions_per_second));
    sample.lag_versions =
        std::max<Version>({0, tracker.last->logs_committed_version - tracker.last->version,
                           newest - skew - tracker.last->version});
    sample.apply_pace = tracker.applied.rate() / static_cast<double>(knobs.versions_per_second);
    inputs.storage.push_back(std::move(sample));
  }
  double released = 0;
  double released_batch = 0;
  const double lease_start = now() - knobs.rk_lease_s;
  std::erase_if(state->proxies,
                [&](const auto& entry) { return entry.second.asked_at < lease_start; });
  for (const auto& [id, proxy] : state->proxies) {
    released += proxy.normal.rate() + proxy.batch.rate();
    released_batch += proxy.batch.rate();
  }
  state->released_tps = released;
  state->released_batch_tps = released_batch;
  inputs.released_tps = released;
  inputs.ignored_zones = std::min(knobs.rk_ignored_zones_max, state->replication - 1);
  inputs.growth = knobs.rk_limit_growth;
  inputs.tps_max = knobs.rk_tps_max;
  inputs.tps_min = knobs.rk_tps_min;
  // A storage server keeps its MVCC window in memory and persists every interval, a log
  // holds the same versions until the storage servers persist them: beyond that, a queue's
  // server is behind on its disk.
  inputs.window_s = static_cast<double>(knobs.mvcc_window_versions) /
                        static_cast<double>(knobs.versions_per_second) +
                    2 * knobs.storage_persist_interval_s;
  RateTargets normal{
      queue_target(knobs.rk_storage_queue_target_bytes, knobs.rk_storage_queue_spring_bytes),
      queue_target(knobs.rk_storage_lag_target_versions, knobs.rk_storage_lag_spring_versions),
      queue_target(knobs.rk_log_queue_target_bytes, knobs.rk_log_queue_spring_bytes)};
  RateTargets batch{
      queue_target(knobs.rk_storage_queue_target_bytes_batch,
                   knobs.rk_storage_queue_spring_bytes_batch),
      queue_target(knobs.rk_storage_lag_target_versions_batch,
                   knobs.rk_storage_lag_spring_versions_batch),
      queue_target(knobs.rk_log_queue_target_bytes_batch, knobs.rk_log_queue_spring_bytes_batch)};
  const LimitReason before = state->normal.limit.reason;
  inputs.previous = state->normal.limit;
  state->normal = plan_rate(inputs, normal);
  inputs.tps_min = 0;  // batch priority may be held altogether
  inputs.previous = state->batch.limit;
  state->batch = plan_rate(inputs, batch);
  // Batch priority never gets more than default priority.
  if (state->batch.limit.tps > state->normal.limit.tps) state->batch.limit = state->normal.limit;
  const LimitReason reason = state->normal.limit.reason;
  STRATA_PROBE(reason == LimitReason::storage_server_write_queue_size,
               "the ratekeeper limits transactions for a storage server's queue");
  STRATA_PROBE(reason == LimitReason::storage_server_readable_behind,
               "the ratekeeper limits transactions for a storage server's lag");
  STRATA_PROBE(reason == LimitReason::log_server_write_queue,
               "the ratekeeper limits transactions for a log's queue");
  STRATA_PROBE(
      state->batch.limit.reason != LimitReason::workload && reason == LimitReason::workload,
      "the ratekeeper holds batch priority while default priority runs free");
  TraceEvent(Severity::debug, "RatekeeperUpdate")
      .id(state->interface.id)
      .detail("Reason", limit_reason_name(reason))
      .detail("Tps", state->normal.limit.tps)
      .detail("BatchTps", state->batch.limit.tps)
      .detail("ReleasedTps", released)
      .detail("ReleasedBatchTps", released_batch)
      .detail("WorstStorageQueue", state->normal.worst.storage_queue_bytes)
      .detail("WorstStorageLag", state->normal.worst.storage_lag_versions)
      .detail("WorstLogQueue", state->normal.worst.log_queue_bytes);
  if (reason != before) {
    TraceEvent("RatekeeperLimitChanged")
        .id(state->interface.id)
        .detail("Reason", limit_reason_name(reason))
        .detail("Tps", state->normal.limit.tps)
        .detail("BatchTps", state->batch.limit.tps)
        .detail("Server", state->normal.limit.server)
        .detail("ReleasedTps", released);
  }
}

Future<Void> serve_rate_info(RatekeeperState* state, FutureStream<GetRateInfoRequest> requests) {
  while (true) {
    GetRateInfoRequest request = co_await requests;
    ProxyTracker& proxy = state->proxies[request.proxy_id];
    proxy.normal.sample(request.started_normal, now());
    proxy.batch.sample(request.started_batch, now());
    proxy.asked_at = now();
    // Each proxy of the generation gets an equal share.
    const double proxies =
        static_cast<double>(std::max<size_t>(1, state->db_info->get().client.grv_proxies.size()));
    request.reply.send(GetRateInfoReply{state->normal.limit.tps / proxies,
                                        state->batch.limit.tps / proxies,
                                        server_knobs().rk_lease_s});
  }
}

Future<Void> serve_status(RatekeeperState* state, FutureStream<RatekeeperStatusRequest> requests) {
  while (true) {
    RatekeeperStatusRequest request = co_await requests;
    RatekeeperStatusReply reply;
    reply.normal = state->normal.limit;
    reply.batch = state->batch.limit;
    reply.released_tps = state->released_tps;
    reply.released_batch_tps = state->released_batch_tps;
    reply.worst = state->normal.worst;
    reply.storage_servers_answering = state->storage_answering;
    reply.storage_servers = static_cast<int>(state->storage.size());
    request.reply.send(reply);
  }
}

}  // namespace

RatekeeperInterface make_ratekeeper_interface(UID id) {
  RatekeeperInterface interface;
  interface.id = id;
  interface.get_rate_info = RequestStream<GetRateInfoRequest>::serve();
  interface.status = RequestStream<RatekeeperStatusRequest>::serve();
  interface.wait_failure = RequestStream<WaitFailureRequest>::serve();
  interface.address = interface.get_rate_info.endpoint().address;
  return interface;
}

Future<Void> run_ratekeeper(RatekeeperInterface interface, int replication,
                            std::shared_ptr<AsyncVar<ServerDBInfo>> db_info) {
  STRATA_ASSERT_MSG(replication >= 1, "a ratekeeper's shards keep at least one copy");
  RatekeeperState state;
  state.interface = interface;
  state.replication = replication;
  state.db_info = std::move(db_info);
  const double tps_max = server_knobs().rk_tps_max;
  state.normal.limit = RateLimit{tps_max, LimitReason::workload, UID()};
  state.batch.limit = state.normal.limit;
  TraceEvent("RatekeeperStarted").id(interface.id).detail("Replication", replication);
  ActorCollection actors;
  actors.add(serve_wait_failure(interface.wait_failure.requests()));
  actors.add(serve_rate_info(&state, interface.get_rate_info.requests()));
  actors.add(serve_status(&state, interface.status.requests()));
  // It ends once ServerDBInfo, having named it, names another; or, never named (its
  // controller went before publishing it), when another is named a lease after its start.
  const double started = now();
  bool named = false;
  while (true) {
    const ServerDBInfo& info = state.db_info->get();
    named = named || info.ratekeeper.id == interface.id;
    if (info.ratekeeper.is_valid() && info.ratekeeper.id != interface.id &&
        (named || now() - started > server_knobs().rk_lease_s)) {
      TraceEvent("RatekeeperReplaced").id(interface.id).detail("By", info.ratekeeper.id);
      co_return;
    }
    follow_servers(&state, info);
    plan(&state);
    co_await first_ready(delay(server_knobs().rk_update_interval_s), actors.result());
  }
}

}  // namespace strata
