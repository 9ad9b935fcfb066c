#include "server/proxy/grv_proxy.h"

#include <algorithm>
#include <deque>
#include <optional>

#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "runtime/trace.h"
#include "server/role_metrics.h"
#include "server/role_requests.h"
#include "server/server_knobs.h"
#include "server/wait_failure.h"

namespace strata {

namespace {

// The live committed version, once every log confirms the generation is still current
// (unless `confirm` is false: every request of the round allowed causal_read_risky).
Future<Version> confirmed_committed_version(const GrvProxyOptions& options, bool confirm) {
  Future<GetLiveCommittedVersionReply> committed = request_until_answered(
      options.sequencer.get_live_committed_version, GetLiveCommittedVersionRequest{});
  if (!confirm) co_return (co_await committed).version;
  std::vector<Future<Void>> confirmations;
  for (const LogInterface& log : options.logs) {
    confirmations.push_back(
        request_until_answered(log.confirm_running, LogConfirmRunningRequest{options.epoch, {}}));
  }
  co_await when_all(std::move(confirmations));
  co_return (co_await committed).version;
}

// What the proxy knows of its rates, and what it has started.
struct Throttle {
  // Transactions per second, this proxy's share; valid until lease_until.
  double rate_normal = 0;
  double rate_batch = 0;
  double lease_until = 0;
  double budget_normal = 0;
  double budget_batch = 0;
  double refilled_at = 0;
  int64_t started_normal = 0;
  int64_t started_batch = 0;

  void refill() {
    const double elapsed = now() - refilled_at;
    refilled_at = now();
    const bool leased = now() < lease_until;
    auto fill = [&](double& budget, double rate) {
      if (!leased) rate = 0;
      // At most a short burst's worth accumulates (one transaction at least, so that a
      // slow rate still lets one through now and then).
      const double cap = std::max(1.0, rate * server_knobs().grv_budget_window_s);
      budget = std::min(cap, budget + rate * elapsed);
    };
    fill(budget_normal, rate_normal);
    fill(budget_batch, rate_batch);
  }
};

struct GrvState {
  GrvProxyInterface interface;
  GrvProxyOptions options;
  Throttle throttle;
  // Waiting requests, by priority (ReadVersionPriority's values).
  std::deque<GetReadVersionRequest> waiting[3];
  AsyncVar<uint64_t> arrivals{0};
  // Rounds asking for a read version now.
  AsyncVar<int> rounds_in_flight{0};
};

Future<Void> take_requests(GrvState* state, FutureStream<GetReadVersionRequest> requests) {
  while (true) {
    GetReadVersionRequest request = co_await requests;
    const auto priority = static_cast<size_t>(request.priority);
    STRATA_ASSERT_MSG(priority < 3, "decoding refuses an unknown priority");
    if (request.transaction_count == 0) {
      // Counts drive the ratekeeper's budget: a request must stand for some transaction.
      request.reply.send_error(Error(ErrorCode::client_invalid_operation,
                                     "a read-version request stands for no transaction"));
      continue;
    }
    state->waiting[priority].push_back(std::move(request));
    state->arrivals.set(state->arrivals.get() + 1);
  }
}

// Asks the ratekeeper named in ServerDBInfo for this proxy's rates, again and again.
Future<Void> follow_rates(GrvState* state) {
  const ServerKnobs& knobs = server_knobs();
  while (true) {
    const RatekeeperInterface ratekeeper = state->options.db_info->get().ratekeeper;
    if (ratekeeper.is_valid()) {
      try {
        std::optional<GetRateInfoReply> reply = co_await timeout(
            ratekeeper.get_rate_info.get_reply(GetRateInfoRequest{state->interface.id,
                                                                  state->throttle.started_normal,
                                                                  state->throttle.started_batch,
                                                                  {}}),
            knobs.failure_detection_timeout_s);
        if (reply) {
          state->throttle.refill();
          state->throttle.rate_normal = reply->tps_normal;
          state->throttle.rate_batch = reply->tps_batch;
          state->throttle.lease_until = now() + reply->lease_s;
        }
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
      }
    }
    co_await first_ready(delay(knobs.rk_update_interval_s), state->options.db_info->on_change());
  }
}

// Takes the requests the budgets allow: every system-immediate one, then default ones
// while their budget is positive, then batch ones while both budgets are (a batch
// transaction spends default priority's budget too: it only takes what default priority
// leaves, and never while a default one waits). A request may take a budget below zero:
// a batch of many transactions is not starved by small ones.
// With `immediate_only`, only the system-immediate ones.
std::vector<GetReadVersionRequest> releasable(GrvState* state, bool immediate_only) {
  Throttle& throttle = state->throttle;
  throttle.refill();
  std::vector<GetReadVersionRequest> released;
  const int most = server_knobs().grv_batch_requests_max;
  auto& immediate = state->waiting[static_cast<size_t>(ReadVersionPriority::immediate)];
  auto& normal = state->waiting[static_cast<size_t>(ReadVersionPriority::normal)];
  auto& batch = state->waiting[static_cast<size_t>(ReadVersionPriority::batch)];
  auto room = [&] { return static_cast<int>(released.size()) < most; };
  auto release = [&](std::deque<GetReadVersionRequest>& queue) {
    released.push_back(std::move(queue.front()));
    queue.pop_front();
  };
  while (!immediate.empty() && room())
    release(immediate);
  if (immediate_only) return released;
  while (!normal.empty() && room() && throttle.budget_normal > 0) {
    throttle.budget_normal -= normal.front().transaction_count;
    throttle.started_normal += normal.front().transaction_count;
    release(normal);
  }
  while (normal.empty() && !batch.empty() && room() && throttle.budget_normal > 0 &&
         throttle.budget_batch > 0) {
    throttle.budget_normal -= batch.front().transaction_count;
    throttle.budget_batch -= batch.front().transaction_count;
    throttle.started_batch += batch.front().transaction_count;
    release(batch);
  }
  return released;
}

// How long until a waiting request's budget turns positive (or the rates may change).
double until_budget(const GrvState& state) {
  const Throttle& throttle = state.throttle;
  double wait = server_knobs().rk_update_interval_s;
  auto consider = [&](size_t priority, double budget, double rate) {
    if (state.waiting[priority].empty() || rate <= 0 || now() >= throttle.lease_until) return;
    wait = std::min(wait, std::max(1e-3, -budget / rate + 1e-6));
  };
  consider(static_cast<size_t>(ReadVersionPriority::normal), throttle.budget_normal,
           throttle.rate_normal);
  consider(static_cast<size_t>(ReadVersionPriority::batch), throttle.budget_batch,
           throttle.rate_batch);
  consider(static_cast<size_t>(ReadVersionPriority::batch), throttle.budget_normal,
           throttle.rate_normal);
  return wait;
}

// One round: the confirmed committed version, answered to every request of `batch`.
Future<Void> answer_round(GrvState* state, std::vector<GetReadVersionRequest> batch) {
  const bool confirm = std::any_of(batch.begin(), batch.end(),
                                   [](const auto& request) { return !request.causal_read_risky; });
  std::optional<Error> failure;
  Version version = 0;
  const double started = now();
  try {
    version = co_await confirmed_committed_version(state->options, confirm);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    // The generation is over: the client must find the new proxies.
    failure = Error(ErrorCode::broken_promise, "this read-version proxy's generation ended");
  }
  RoleMetrics* metrics = RoleMetrics::of_this_process();
  for (GetReadVersionRequest& request : batch) {
    if (failure) {
      request.reply.send_error(*failure);
    } else {
      request.reply.send(GetReadVersionReply{version});
      if (metrics) {
        // A client's request may stand for several transactions (it shares them).
        metrics->counters.transactions_started += request.transaction_count;
        metrics->read_version_latency.add(now() - started);
      }
    }
  }
  state->rounds_in_flight.set(state->rounds_in_flight.get() - 1);
}

// Rounds overlap (up to grv_rounds_in_flight_max): a request that arrives while one is out
// starts the next at once instead of waiting for it to come back. Each round asks the
// sequencer and the logs only after its requests arrived, so every reply is at least the
// version of every commit acknowledged before its request came. System-immediate requests
// may start one round past the cap, so that a busy proxy does not make them wait for the
// rounds of the throttled priorities.
Future<Void> serve_read_versions(GrvState* state) {
  ActorCollection rounds;
  const auto& immediate = state->waiting[static_cast<size_t>(ReadVersionPriority::immediate)];
  while (true) {
    const int cap = server_knobs().grv_rounds_in_flight_max;
    const int in_flight = state->rounds_in_flight.get();
    if (in_flight > cap || (in_flight == cap && immediate.empty())) {
      co_await first_ready(state->rounds_in_flight.on_change(), state->arrivals.on_change());
      continue;
    }
    const bool immediate_only = in_flight == cap;
    STRATA_PROBE(immediate_only, "system-immediate read versions start a round past the cap");
    std::vector<GetReadVersionRequest> batch = releasable(state, immediate_only);
    if (batch.empty()) {
      STRATA_PROBE(!state->waiting[static_cast<size_t>(ReadVersionPriority::normal)].empty(),
                   "a read-version proxy holds a default-priority request for the ratekeeper");
      STRATA_PROBE(!state->waiting[static_cast<size_t>(ReadVersionPriority::batch)].empty(),
                   "a read-version proxy holds a batch-priority request for the ratekeeper");
      co_await first_ready(delay(until_budget(*state)), state->arrivals.on_change());
      continue;
    }
    STRATA_PROBE(state->rounds_in_flight.get() > 0,
                 "a read-version round starts while another is out");
    state->rounds_in_flight.set(state->rounds_in_flight.get() + 1);
    rounds.add(answer_round(state, std::move(batch)));
  }
}

}  // namespace

GrvProxyInterface make_grv_proxy_interface(UID id) {
  GrvProxyInterface interface;
  interface.id = id;
  interface.get_read_version = RequestStream<GetReadVersionRequest>::serve();
  interface.wait_failure = RequestStream<WaitFailureRequest>::serve();
  interface.address = interface.get_read_version.endpoint().address;
  return interface;
}

Future<Void> run_grv_proxy(GrvProxyInterface interface, GrvProxyOptions options) {
  STRATA_ASSERT_MSG(options.db_info, "a read-version proxy follows ServerDBInfo");
  TraceEvent("GrvProxyStarted").id(interface.id).detail("Epoch", options.epoch);
  GrvState state{interface, std::move(options), {}, {}, AsyncVar<uint64_t>(0), AsyncVar<int>(0)};
  // Until the ratekeeper is heard from, one lease without limits: a new generation's proxy
  // must not wait for it to start.
  state.throttle.rate_normal = server_knobs().rk_tps_max;
  state.throttle.rate_batch = server_knobs().rk_tps_max;
  state.throttle.lease_until = now() + server_knobs().rk_lease_s;
  state.throttle.refilled_at = now();
  ActorCollection actors;
  actors.add(take_requests(&state, interface.get_read_version.requests()));
  actors.add(follow_rates(&state));
  actors.add(serve_read_versions(&state));
  actors.add(serve_wait_failure(interface.wait_failure.requests()));
  co_await actors.result();
}

}  // namespace strata
