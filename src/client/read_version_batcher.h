#pragma once

// Shares read-version requests among the transactions of one client (of one priority).
//
// While `in_flight_max` requests are on their way, a transaction that asks waits; when one
// comes back, every transaction waiting goes out in one request, which counts them all
// (the proxies and the ratekeeper see transactions, not requests).
//
// Invariant (what makes sharing safe for strict serializability): a transaction gets the
// answer of a request sent after it asked, never of one already on its way. A proxy
// answers with at least every version acknowledged before the request arrived, so the
// transaction reads everything committed before it asked.
//
// Not thread-safe; runs on the client's network thread.

#include <cstdint>
#include <functional>
#include <vector>

#include "interfaces/types.h"
#include "runtime/combinators.h"
#include "runtime/future.h"

namespace strata {

class ReadVersionBatcher {
 public:
  // Sends one request standing for `transaction_count` transactions.
  using SendRequest = std::function<Future<Version>(uint32_t transaction_count)>;

  // `in_flight_max` <= 0: every transaction sends its own request.
  ReadVersionBatcher(int in_flight_max, SendRequest send_request);
  ReadVersionBatcher(const ReadVersionBatcher&) = delete;
  ReadVersionBatcher& operator=(const ReadVersionBatcher&) = delete;

  // One transaction's read version.
  Future<Version> get();

  int requests_in_flight() const { return in_flight_; }
  size_t transactions_waiting() const { return waiting_.size(); }

 private:
  void send();
  Future<Void> answer(std::vector<Promise<Version>> waiting);

  const int in_flight_max_;
  const SendRequest send_request_;
  std::vector<Promise<Version>> waiting_;
  int in_flight_ = 0;
  // Last: destroyed (cancelled) before what it uses.
  ActorCollection requests_;
};

}  // namespace strata
