// The transport under the simulator: replies, and each way a request can fail.

#include "rpc/transport.h"

#include <functional>
#include <optional>

#include <gtest/gtest.h>

#include "interfaces/echo_interface.h"
#include "rpc/request_stream.h"
#include "runtime/sim/sim_knobs.h"
#include "runtime/sim/sim_network.h"
#include "runtime/sim/simulator.h"
#include "runtime/sim/simulator_test_fixture.h"
#include "workloads/echo_service.h"

namespace strata {
namespace {

using sim::KillMode;
using sim::SimMachine;
using sim::SimProcess;
using sim::Simulator;

// A server machine running the echo service and a client machine; the test body runs
// as the client process's main.
class TransportTest : public SimulatorTest {
 protected:
  void start(uint64_t seed) {
    simulator_ = std::make_unique<Simulator>(seed);
    server_machine_ = &simulator_->add_machine("server", "z1");
    client_machine_ = &simulator_->add_machine("client", "z2");
    server_ =
        &simulator_->add_process(*server_machine_, "server", 4500, "/server", echo_server_main);
  }

  NetworkAddress server_address() const { return server_->address; }

  RequestStream<EchoRequest> echo_stream() const {
    return RequestStream<EchoRequest>(Endpoint{server_address(), well_known::test_echo});
  }

  // Runs `body` as a client process (after the server had time to boot).
  void run_client(std::function<Future<Void>()> body, double time_limit_s = 1000) {
    Promise<Void> done;
    Future<Void> finished = done.get_future();
    simulator_->add_process(*client_machine_, "client", 1, "/client",
                            [body, done]() mutable -> Future<Void> {
                              Transport::install(NetworkAddress());
                              co_await delay(0.5);
                              co_await body();
                              done.send(Void{});
                            });
    ASSERT_TRUE(simulator_->run_until(finished, time_limit_s)) << "the client hung";
  }

  Transport& server_transport() { return server_->context().service<Transport>(); }

  SimMachine* server_machine_ = nullptr;
  SimMachine* client_machine_ = nullptr;
  SimProcess* server_ = nullptr;
};

Future<std::optional<Error>> request_error(RequestStream<EchoRequest> stream, EchoRequest request) {
  try {
    co_await stream.get_reply(std::move(request));
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    co_return error;
  }
  co_return std::nullopt;
}

TEST_F(TransportTest, ManyConcurrentRequestsAllAnsweredCorrectly) {
  start(1);
  int correct = 0;
  run_client([&]() -> Future<Void> {
    std::vector<Future<EchoReply>> replies;
    for (uint64_t i = 0; i < 200; ++i) {
      replies.push_back(echo_stream().get_reply(EchoRequest{i, std::string(i, 'p'), 0, {}}));
    }
    for (uint64_t i = 0; i < replies.size(); ++i) {
      EchoReply reply = co_await replies[i];
      if (reply.id == i && reply.payload == std::string(i, 'p')) ++correct;
    }
  });
  EXPECT_EQ(correct, 200);
}

TEST_F(TransportTest, KillingTheServerMidRequestFailsItRetryably) {
  start(2);
  std::optional<Error> failure;
  double failed_at = 0;
  run_client([&]() -> Future<Void> {
    simulator_->schedule(nullptr, 1.0,
                         [&] { simulator_->kill_process(*server_, KillMode::crash); });
    failure = co_await request_error(echo_stream(), EchoRequest{1, "x", 5.0, {}});
    failed_at = now();
  });
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code(), ErrorCode::request_maybe_delivered) << failure->message();
  EXPECT_LT(failed_at, 5.0);
}

TEST_F(TransportTest, NobodyListeningFailsWithConnectionFailed) {
  start(3);
  std::optional<Error> failure;
  run_client([&]() -> Future<Void> {
    RequestStream<EchoRequest> nowhere(
        Endpoint{NetworkAddress(server_machine_->ip, 9999), well_known::test_echo});
    failure = co_await request_error(nowhere, EchoRequest{1, "x", 0, {}});
  });
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code(), ErrorCode::connection_failed);
  EXPECT_NE(failure->detail().find("refused"), std::string_view::npos) << failure->message();
}

TEST_F(TransportTest, UnknownEndpointAnswersBrokenPromise) {
  start(4);
  std::optional<Error> failure;
  run_client([&]() -> Future<Void> {
    RequestStream<EchoRequest> missing(Endpoint{server_address(), UID(12345, 678)});
    failure = co_await request_error(missing, EchoRequest{1, "x", 0, {}});
  });
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code(), ErrorCode::broken_promise);
}

TEST_F(TransportTest, CorruptedBytesCloseTheConnectionAndNothingCorruptIsDelivered) {
  start(5);
  std::optional<Error> failure;
  std::optional<EchoReply> after;
  run_client([&]() -> Future<Void> {
    co_await echo_stream().get_reply(EchoRequest{1, "warm up", 0, {}});
    sim::sim_knobs().sim_corrupt_chunk_probability = 1.0;
    failure = co_await request_error(echo_stream(), EchoRequest{2, std::string(1000, 'c'), 0, {}});
    sim::sim_knobs().sim_corrupt_chunk_probability = 0.0;
    // The transport reconnects and works again.
    after = co_await echo_stream().get_reply(EchoRequest{3, "after", 0, {}});
  });
  ASSERT_TRUE(failure);
  EXPECT_TRUE(failure->is(ErrorCode::request_maybe_delivered) ||
              failure->is(ErrorCode::connection_failed))
      << failure->message();
  EXPECT_GE(server_transport().stats().corrupt_frames, 1u);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->payload, "after");
}

TEST_F(TransportTest, IncompatibleProtocolVersionIsReportedClearly) {
  start(6);
  std::optional<Error> failure;
  run_client([&]() -> Future<Void> {
    Transport::current().set_protocol_version(protocol_version_current + (1ULL << 16));
    failure = co_await request_error(echo_stream(), EchoRequest{1, "x", 0, {}});
  });
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code(), ErrorCode::incompatible_protocol_version);
  EXPECT_NE(failure->detail().find("protocol version"), std::string_view::npos)
      << failure->message();
}

TEST_F(TransportTest, PartitionedPeerFailsRequestsBeforeThePartitionHeals) {
  start(7);
  std::optional<Error> failure;
  double failed_at = 0;
  run_client([&]() -> Future<Void> {
    co_await echo_stream().get_reply(EchoRequest{1, "warm up", 0, {}});
    double started = now();
    simulator_->network().partition({server_machine_->ip}, {client_machine_->ip}, 60.0);
    failure = co_await request_error(echo_stream(), EchoRequest{2, "x", 0, {}});
    failed_at = now() - started;
  });
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code(), ErrorCode::request_maybe_delivered) << failure->message();
  EXPECT_LT(failed_at, 30.0);
}

TEST_F(TransportTest, DroppedReplyFutureStopsListening) {
  start(8);
  std::optional<EchoReply> later;
  run_client([&]() -> Future<Void> {
    {
      Future<EchoReply> abandoned = echo_stream().get_reply(EchoRequest{1, "slow", 2.0, {}});
      co_await delay(0.5);
    }
    co_await delay(3.0);  // the late reply arrives for nobody
    later = co_await echo_stream().get_reply(EchoRequest{2, "fine", 0, {}});
  });
  ASSERT_TRUE(later);
  EXPECT_EQ(later->id, 2u);
}

TEST_F(TransportTest, RebootedServerIsReachedAgain) {
  start(9);
  std::optional<EchoReply> after;
  run_client([&]() -> Future<Void> {
    co_await echo_stream().get_reply(EchoRequest{1, "before", 0, {}});
    simulator_->reboot_process(*server_, 2.0);
    co_await delay(5.0);
    while (!after) {
      try {
        after = co_await echo_stream().get_reply(EchoRequest{2, "after", 0, {}});
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
      }
      if (!after) co_await delay(0.5);
    }
  });
  ASSERT_TRUE(after);
  EXPECT_EQ(after->payload, "after");
}

}  // namespace
}  // namespace strata
