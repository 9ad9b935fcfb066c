#pragma once

// What this process believes about the reachability of others: an address is failed
// after a connection to it could not be made or broke, and available again once a
// connection completes its handshake. Roles use it to notice that a peer is gone
// without waiting for a request to time out.

#include <map>

#include "runtime/future.h"
#include "runtime/network_address.h"

namespace strata {

class FailureMonitor {
 public:
  // `refused`: a connection attempt was answered with a refusal (not a silence): nothing
  // listens at the address, so the process that did is gone, whatever the network does
  // next. A silence (a timeout, a partition) proves nothing of the kind.
  void set_failed(NetworkAddress address, bool failed, bool refused = false);
  bool is_failed(NetworkAddress address) const;
  // Failed, and the last attempt to connect was refused.
  bool is_refusing(NetworkAddress address) const;
  // Ready the next time the address's state changes.
  Future<Void> on_state_changed(NetworkAddress address);
  // Ready once the address is failed (at once if it is).
  Future<Void> on_failed(NetworkAddress address);
  // Ready once the address refuses connections (at once if it does).
  Future<Void> on_refusing(NetworkAddress address);

 private:
  struct Status {
    bool failed = false;
    bool refused = false;
    Promise<Void> changed;
  };
  std::map<NetworkAddress, Status> statuses_;
};

}  // namespace strata
