#include "client/read_version_batcher.h"

#include <optional>
#include <utility>

#include "runtime/assert.h"

namespace strata {

ReadVersionBatcher::ReadVersionBatcher(int in_flight_max, SendRequest send_request)
    : in_flight_max_(in_flight_max), send_request_(std::move(send_request)) {
  STRATA_ASSERT_MSG(send_request_ != nullptr, "a batcher needs a way to send requests");
}

Future<Version> ReadVersionBatcher::get() {
  if (in_flight_max_ <= 0) return send_request_(1);
  Promise<Version> promise;
  Future<Version> version = promise.get_future();
  waiting_.push_back(std::move(promise));
  if (in_flight_ < in_flight_max_) send();
  return version;
}

void ReadVersionBatcher::send() {
  STRATA_ASSERT_MSG(!waiting_.empty(), "a request stands for some transaction");
  STRATA_ASSERT_MSG(in_flight_ < in_flight_max_, "no more requests out than the bound");
  ++in_flight_;
  requests_.add(answer(std::exchange(waiting_, {})));
}

Future<Void> ReadVersionBatcher::answer(std::vector<Promise<Version>> waiting) {
  std::optional<Error> failure;
  Version version = -1;
  try {
    version = co_await send_request_(static_cast<uint32_t>(waiting.size()));
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    failure = error;
  }
  --in_flight_;
  // Those that asked meanwhile go out in the next request. Before the answers: an answer
  // may end the last transaction of the database, and this batcher with it, so nothing
  // here touches it after them.
  if (!waiting_.empty()) send();
  for (Promise<Version>& promise : waiting)
    failure ? promise.send_error(*failure) : promise.send(version);
}

}  // namespace strata
