#pragma once

// Runs a client body on the calling thread: a fresh real environment with a client
// transport, until the body finishes. A body that throws fails the test with the error.

#include <gtest/gtest.h>

#include "rpc/transport.h"
#include "runtime/real/real_environment.h"

namespace strata::testing {

template <class Body>
void run_client(Body body) {
  real::RealEnvironment environment;
  Transport::install(NetworkAddress());
  auto wrapper = [&]() -> Future<Void> {
    try {
      co_await body();
    } catch (Error& error) {
      ADD_FAILURE() << error.message();
    }
    env().stop();
  };
  Future<Void> done = wrapper();
  environment.run();
}

}  // namespace strata::testing
