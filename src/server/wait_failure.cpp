#include "server/wait_failure.h"

#include <deque>

#include "rpc/transport.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "server/server_knobs.h"

namespace strata {

namespace {
constexpr size_t held_requests_max = 100;
}  // namespace

Future<Void> serve_wait_failure(FutureStream<WaitFailureRequest> requests) {
  std::deque<ReplyPromise<Void>> held;
  while (true) {
    WaitFailureRequest request = co_await requests;
    held.push_back(std::move(request.reply));
    if (held.size() > held_requests_max) {
      held.front().send(Void{});
      held.pop_front();
    }
  }
}

Future<Void> wait_for_failure(RequestStream<WaitFailureRequest> stream) {
  const ServerKnobs& knobs = server_knobs();
  std::optional<double> unreachable_since;
  while (true) {
    std::optional<Error> failure;
    try {
      co_await stream.get_reply(WaitFailureRequest{});
      unreachable_since.reset();
      continue;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    // The role is gone from a process that answers: failed.
    if (failure->is(ErrorCode::broken_promise)) co_return;
    // Nothing listens at its address any more: its process is gone.
    if (Transport::current().failure_monitor().is_refusing(stream.endpoint().address)) co_return;
    // The connection failed or timed out: the process may be gone, or the network hiccuped.
    if (!unreachable_since) unreachable_since = now();
    if (now() - *unreachable_since >= knobs.failure_detection_timeout_s) co_return;
    co_await delay(knobs.role_retry_delay_s);
  }
}

}  // namespace strata
