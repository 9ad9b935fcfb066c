#pragma once

// TCP for the real backend: non-blocking sockets with TCP_NODELAY on the reactor. Writes
// are buffered and flushed once per loop round, so many small messages written in one
// round leave in one system call.

#include <memory>

#include "runtime/environment.h"

namespace strata::real {

class RealEnvironment;

Future<std::shared_ptr<Connection>> connect_tcp(RealEnvironment& environment,
                                                NetworkAddress address);
std::shared_ptr<Listener> listen_tcp(RealEnvironment& environment, NetworkAddress address);

}  // namespace strata::real
