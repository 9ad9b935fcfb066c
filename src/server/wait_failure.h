#pragma once

// Failure detection of roles (see interfaces/wait_failure.h): the role holds every
// wait_failure request until it ends; the cluster controller waits for one to fail.

#include "interfaces/wait_failure.h"
#include "runtime/future.h"

namespace strata {

// Serves `requests` until cancelled: holds them (dropping them when the role ends answers
// broken_promise); beyond a bound, answers the oldest with success ("still alive").
Future<Void> serve_wait_failure(FutureStream<WaitFailureRequest> requests);

// Ready once the role behind `stream` has failed: it ended (broken_promise), its address
// refuses connections (the process is gone), or it could not be reached for
// failure_detection_timeout_s (which may be a partition: only time tells).
Future<Void> wait_for_failure(RequestStream<WaitFailureRequest> stream);

}  // namespace strata
