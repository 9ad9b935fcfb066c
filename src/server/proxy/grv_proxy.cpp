#include "server/proxy/grv_proxy.h"

#include <algorithm>

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

Future<Void> serve_read_versions(const GrvProxyOptions* options_pointer,
                                 FutureStream<GetReadVersionRequest> requests) {
  const GrvProxyOptions& options = *options_pointer;
  while (true) {
    // Everything that queued during the previous round is answered together.
    std::vector<GetReadVersionRequest> batch;
    do {
      batch.push_back(co_await requests);
    } while (requests.is_ready() &&
             static_cast<int>(batch.size()) < server_knobs().grv_batch_requests_max);
    // Highest priority first. (No rate keeper throttles any priority yet, so every request
    // of the round is answered; the order only matters to who hears first.)
    std::stable_sort(batch.begin(), batch.end(),
                     [](const auto& a, const auto& b) { return a.priority > b.priority; });
    const bool confirm = std::any_of(
        batch.begin(), batch.end(), [](const auto& request) { return !request.causal_read_risky; });
    std::optional<Error> failure;
    Version version = 0;
    const double started = now();
    try {
      version = co_await confirmed_committed_version(options, confirm);
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
          ++metrics->counters.transactions_started;
          metrics->read_version_latency.add(now() - started);
        }
      }
    }
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
  TraceEvent("GrvProxyStarted").id(interface.id).detail("Epoch", options.epoch);
  ActorCollection actors;
  actors.add(serve_read_versions(&options, interface.get_read_version.requests()));
  actors.add(serve_wait_failure(interface.wait_failure.requests()));
  co_await actors.result();
}

}  // namespace strata
