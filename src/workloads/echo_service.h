#pragma once

// The server side of EchoRequest, for simulation workloads and transport tests.

#include "interfaces/echo_interface.h"
#include "runtime/future.h"

namespace strata {

// Serves EchoRequest at well_known::test_echo until cancelled. The transport of the
// current process must be installed and listening.
Future<Void> serve_echo_requests();

// A process main: installs a transport at the process's address, listens, and serves
// echo requests.
Future<Void> echo_server_main();

}  // namespace strata
