#pragma once

// Requests between roles of one generation. Until recovery replaces a failed role with a
// new generation, a role keeps retrying a request whose answer it needs: every such
// request is idempotent (versions and request numbers make a retry harmless), so network
// faults only delay the pipeline.

#include <initializer_list>
#include <optional>
#include <type_traits>
#include <vector>

#include "rpc/request_stream.h"
#include "runtime/combinators.h"
#include "server/server_knobs.h"

namespace strata {

// Sends `request` until it is answered. Errors in `fatal` are returned at once (they say
// the generation is over, not that the network hiccuped).
template <class Request>
Future<ReplyType<Request>> request_until_answered(RequestStream<Request> stream, Request request,
                                                  std::initializer_list<ErrorCode> fatal = {
                                                      ErrorCode::tlog_stopped}) {
  std::vector<ErrorCode> fatal_codes(fatal);
  while (true) {
    std::optional<Error> failure;
    try {
      if constexpr (std::is_same_v<ReplyType<Request>, Void>) {
        co_await stream.get_reply(request);
        co_return;
      } else {
        co_return co_await stream.get_reply(request);
      }
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    for (ErrorCode code : fatal_codes) {
      if (failure->is(code)) throw *failure;
    }
    co_await delay(server_knobs().role_retry_delay_s);
  }
}

}  // namespace strata
