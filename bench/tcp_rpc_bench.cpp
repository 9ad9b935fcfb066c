// Request/reply over loopback TCP to an echo server in another OS process: one client
// transport, one connection, many requests pipelined on it.

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_support.h"
#include "interfaces/echo_interface.h"
#include "rpc/transport.h"
#include "runtime/real/real_environment.h"
#include "workloads/echo_service.h"

namespace strata::bench {
namespace {

constexpr int64_t warm_up_round_trips = 4096;

// A loopback port nobody listens on now. Transport::listen cannot report the port the
// kernel picked for port 0, so the port is chosen here and the server binds it again.
uint16_t free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

Future<Void> stop_when_ready(Future<Void> signal) {
  co_await signal;
  env().stop();
}

// The child's whole life: its own event loop serving EchoRequest at `address` until it
// is asked to stop (SIGTERM), including when the benchmark process dies. Writes "ok" or
// the reason it could not listen to `ready_fd`.
[[noreturn]] void serve_echo_in_child(NetworkAddress address, int ready_fd, pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(0);  // the parent died before prctl took effect
  {
    real::RealEnvironment environment(
        real::RealEnvironmentOptions{.handle_signals = true, .identity = {.address = address}});
    std::string outcome = "ok";
    try {
      Transport::install(address).listen();
    } catch (Error& error) {
      outcome = error.message();
    }
    [[maybe_unused]] ssize_t written = ::write(ready_fd, outcome.data(), outcome.size());
    ::close(ready_fd);
    if (outcome != "ok") _exit(1);
    Future<Void> server = serve_echo_requests();
    Future<Void> stopper = stop_when_ready(environment.shutdown_requested());
    environment.run();
  }
  // Skip the parent's atexit handlers and stdio buffers, which are not this process's.
  _exit(0);
}

// An echo server in a forked process, stopped and reaped on destruction. Fork before
// this process has an environment, so that the child starts with no loop, no threads
// and no sockets of the parent.
class EchoServerProcess {
 public:
  EchoServerProcess() {
    STRATA_ASSERT_MSG(!has_env(), "fork the echo server before creating an environment");
    uint16_t port = free_loopback_port();
    if (port == 0) {
      problem_ = std::string("no free loopback port: ") + std::strerror(errno);
      return;
    }
    address_ = NetworkAddress::from_octets(127, 0, 0, 1, port);
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) {
      problem_ = std::string("pipe: ") + std::strerror(errno);
      return;
    }
    std::cout.flush();
    std::fflush(nullptr);
    pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) {
      problem_ = std::string("fork: ") + std::strerror(errno);
      ::close(ready[0]);
      ::close(ready[1]);
      return;
    }
    if (pid_ == 0) {
      ::close(ready[0]);
      serve_echo_in_child(address_, ready[1], parent);
    }
    ::close(ready[1]);
    std::string outcome;
    char buffer[256];
    ssize_t got;
    while ((got = ::read(ready[0], buffer, sizeof(buffer))) > 0 || (got < 0 && errno == EINTR)) {
      if (got > 0) outcome.append(buffer, static_cast<size_t>(got));
    }
    ::close(ready[0]);
    if (outcome != "ok") {
      problem_ = outcome.empty() ? "the echo server exited before listening"
                                 : "the echo server could not listen: " + outcome;
    }
  }
  EchoServerProcess(const EchoServerProcess&) = delete;
  EchoServerProcess& operator=(const EchoServerProcess&) = delete;
  ~EchoServerProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }

  // Empty when the server listens at address().
  const std::string& problem() const { return problem_; }
  NetworkAddress address() const { return address_; }

  // CPU time the server process has used so far (user and system), in seconds.
  double cpu_seconds() const {
    clockid_t clock;
    timespec used{};
    if (clock_getcpuclockid(pid_, &clock) != 0 || clock_gettime(clock, &used) != 0) return 0;
    return static_cast<double>(used.tv_sec) + static_cast<double>(used.tv_nsec) * 1e-9;
  }

 private:
  pid_t pid_ = -1;
  NetworkAddress address_;
  std::string problem_;
};

// Time is per round trip (wall clock). The server_* counters say how much of one core
// the server used: round_trips_per_server_cpu_second is what one server core could
// sustain if the client kept up. waits_per_round_trip is 1 even with 64 in flight: the
// transport decodes the frames of a read one at a time, and each reply resumes the
// client (which then waits for the next) before the following frame is decoded.
void BM_TcpEchoRoundTrip(benchmark::State& state) {
  LiveActorCheck live_actor_check(state);
  const int in_flight = static_cast<int>(state.range(0));
  EchoServerProcess server;
  if (!server.problem().empty()) {
    state.SkipWithError(server.problem().c_str());
    return;
  }
  real::RealEnvironment environment;
  Transport::install(NetworkAddress());
  EchoTally tally;
  Future<Void> client =
      echo_client(RequestStream<EchoRequest>(Endpoint{server.address(), well_known::test_echo}),
                  in_flight, &tally);
  if (!run_echo_round_trips(state, environment, tally, warm_up_round_trips)) return;

  const EchoTally before = tally;
  const double server_cpu_before_s = server.cpu_seconds();
  const double started_s = environment.now();
  while (state.KeepRunningBatch(echo_batch_round_trips)) {
    if (!run_echo_round_trips(state, environment, tally, echo_batch_round_trips)) return;
  }
  const double wall_s = environment.now() - started_s;
  const double server_cpu_s = server.cpu_seconds() - server_cpu_before_s;
  const auto round_trips = static_cast<double>(tally.completed - before.completed);

  if (tally.wrong_replies > 0) state.SkipWithError("an echo reply did not match its request");
  state.SetItemsProcessed(state.iterations());
  state.counters["waits_per_round_trip"] = benchmark::Counter(
      static_cast<double>(tally.waits - before.waits), benchmark::Counter::kAvgIterations);
  state.counters["server_cpu_us_per_round_trip"] = server_cpu_s * 1e6 / round_trips;
  state.counters["server_core_utilization"] = server_cpu_s / wall_s;
  state.counters["round_trips_per_server_cpu_second"] = round_trips / server_cpu_s;
}
BENCHMARK(BM_TcpEchoRoundTrip)->ArgName("in_flight")->Arg(1)->Arg(64)->UseRealTime();

}  // namespace
}  // namespace strata::bench
