// strata-server as a real process, reached over real TCP from this (test) process.

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <signal.h>

#include "child_process.h"
#include "interfaces/cluster_status_interface.h"
#include "interfaces/status_interface.h"
#include "rpc/transport.h"
#include "runtime/combinators.h"
#include "runtime/real/real_environment.h"

namespace strata {
namespace {

using testing::ChildProcess;
using testing::TemporaryDirectory;

constexpr double hang_guard_s = 60;

std::string read_file(const std::string& path) {
  std::ifstream input(path);
  std::stringstream contents;
  contents << input.rdbuf();
  return contents.str();
}

struct ServerAnswers {
  std::optional<PingReply> ping;
  std::optional<ServerStatusReply> status;
  std::optional<Error> error;
};

// Pings the server and asks for its status from a client transport in this process.
ServerAnswers ask_server(NetworkAddress address) {
  real::RealEnvironment environment;
  Transport::install(NetworkAddress());
  ServerAnswers answers;
  auto ask = [&]() -> Future<Void> {
    try {
      answers.ping =
          co_await timeout_error(ping_stream_at(address).get_reply(PingRequest{}), hang_guard_s);
      answers.status = co_await timeout_error(
          status_stream_at(address).get_reply(ServerStatusRequest{}), hang_guard_s);
    } catch (Error& error) {
      answers.error = error;
    }
    env().stop();
  };
  Future<Void> done = ask();
  environment.run();
  return answers;
}

// Asks the cluster controller at `address` for the cluster status until it reports the
// database available (recovery takes a moment after the server listens) or the guard runs
// out. Returns the last document, or the last error's message.
std::string wait_for_available_cluster(NetworkAddress address) {
  real::RealEnvironment environment;
  Transport::install(NetworkAddress());
  std::string last;
  auto ask = [&]() -> Future<Void> {
    double deadline = now() + hang_guard_s;
    while (now() < deadline) {
      try {
        ClusterStatusReply reply = co_await timeout_error(
            cluster_status_stream_at(address).get_reply(ClusterStatusRequest{}), hang_guard_s);
        last = reply.json;
        if (last.find("\"database_available\":true") != std::string::npos) break;
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        last = error.message();
      }
      co_await delay(0.1);
    }
    env().stop();
  };
  Future<Void> done = ask();
  environment.run();
  return last;
}

class ServerProcessTest : public ::testing::Test {
 protected:
  std::string listen() const { return "127.0.0.1:" + std::to_string(port_); }
  NetworkAddress address() const { return NetworkAddress::parse(listen()); }

  TemporaryDirectory directory_;
  int port_ = testing::free_loopback_port();
};

TEST_F(ServerProcessTest, AnswersPingAndStatusThenStopsCleanlyOnSigterm) {
  ChildProcess server(STRATA_SERVER_PATH, {"--listen", listen()}, directory_.path());
  ASSERT_TRUE(server.wait_for_line("listening on " + listen(), hang_guard_s))
      << server.transcript();

  ServerAnswers answers = ask_server(address());
  ASSERT_FALSE(answers.error) << answers.error->message();
  ASSERT_TRUE(answers.ping);
  EXPECT_GT(answers.ping->server_time, 0);
  ASSERT_TRUE(answers.status);
  EXPECT_NE(answers.status->json.find("\"address\":\"" + listen() + "\""), std::string::npos)
      << answers.status->json;

  // The defaults: a cluster file naming this server, a data folder, trace logs in it.
  std::string cluster_file = read_file(directory_.path() + "/strata.cluster");
  EXPECT_NE(cluster_file.find("@" + listen()), std::string::npos) << cluster_file;
  EXPECT_NE(answers.status->json.find(cluster_file.substr(0, cluster_file.find('\n'))),
            std::string::npos);

  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait(hang_guard_s), 0) << server.transcript();
  EXPECT_NE(server.transcript().find("strata-server stopped"), std::string::npos);
}

TEST_F(ServerProcessTest, ControllerAnswersClusterStatusOnceRecovered) {
  ChildProcess server(STRATA_SERVER_PATH, {"--listen", listen()}, directory_.path());
  ASSERT_TRUE(server.wait_for_line("listening on " + listen(), hang_guard_s))
      << server.transcript();

  std::string json = wait_for_available_cluster(address());
  EXPECT_NE(json.find("\"database_available\":true"), std::string::npos) << json;
  EXPECT_NE(json.find("\"name\":\"fully_recovered\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"database_status\":{\"available\":true,\"healthy\":true}"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"generation\":1"), std::string::npos) << json;
  // This one process hosts every role, and its own document is embedded.
  EXPECT_NE(json.find("\"processes\":{\"" + listen() + "\":{\"address\":\"" + listen() + "\""),
            std::string::npos)
      << json;
  for (const char* role : {"cluster_controller", "sequencer", "resolver", "log", "storage",
                           "commit_proxy", "grv_proxy"}) {
    EXPECT_NE(json.find("{\"role\":\"" + std::string(role) + "\""), std::string::npos)
        << role << " in " << json;
  }
  EXPECT_NE(json.find("\"uptime_s\":"), std::string::npos) << json;
  EXPECT_NE(json.find("\"messages\":[]"), std::string::npos) << json;

  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait(hang_guard_s), 0) << server.transcript();
}

TEST_F(ServerProcessTest, SigintStopsCleanlyToo) {
  ChildProcess server(STRATA_SERVER_PATH, {"--listen", listen(), "--data", "d"}, directory_.path());
  ASSERT_TRUE(server.wait_for_line("listening on", hang_guard_s)) << server.transcript();
  server.send_signal(SIGINT);
  EXPECT_EQ(server.wait(hang_guard_s), 0) << server.transcript();
}

TEST_F(ServerProcessTest, SecondServerOnTheSameDataFolderRefusesToStart) {
  ChildProcess first(STRATA_SERVER_PATH, {"--listen", listen()}, directory_.path());
  ASSERT_TRUE(first.wait_for_line("listening on", hang_guard_s)) << first.transcript();
  int other_port = testing::free_loopback_port();
  ChildProcess second(STRATA_SERVER_PATH, {"--listen", "127.0.0.1:" + std::to_string(other_port)},
                      directory_.path());
  EXPECT_EQ(second.wait(hang_guard_s), 1) << second.transcript();
  EXPECT_NE(second.transcript().find("lock_file_failure"), std::string::npos)
      << second.transcript();
  // The first one is unharmed.
  ServerAnswers answers = ask_server(address());
  EXPECT_TRUE(answers.ping) << (answers.error ? answers.error->message() : "");
}

TEST_F(ServerProcessTest, BusyPortAndBadArgumentsAreClearErrors) {
  ChildProcess first(STRATA_SERVER_PATH, {"--listen", listen(), "--data", "a"}, directory_.path());
  ASSERT_TRUE(first.wait_for_line("listening on", hang_guard_s)) << first.transcript();
  ChildProcess busy(STRATA_SERVER_PATH, {"--listen", listen(), "--data", "b"}, directory_.path());
  EXPECT_EQ(busy.wait(hang_guard_s), 1);
  EXPECT_NE(busy.transcript().find("address_in_use"), std::string::npos) << busy.transcript();

  ChildProcess bad(STRATA_SERVER_PATH, {"--listen", "localhost"}, directory_.path());
  EXPECT_EQ(bad.wait(hang_guard_s), 2);
  EXPECT_NE(bad.transcript().find("127.0.0.1:4500"), std::string::npos) << bad.transcript();
}

TEST_F(ServerProcessTest, MalformedClusterFileIsNamedInTheError) {
  {
    std::ofstream cluster(directory_.path() + "/strata.cluster");
    cluster << "not a connection string\n";
  }
  ChildProcess server(STRATA_SERVER_PATH, {"--listen", listen()}, directory_.path());
  EXPECT_EQ(server.wait(hang_guard_s), 1);
  EXPECT_NE(server.transcript().find("connection_string_invalid"), std::string::npos)
      << server.transcript();
  EXPECT_NE(server.transcript().find("strata.cluster"), std::string::npos) << server.transcript();
}

}  // namespace
}  // namespace strata
