// strata-server as a real process, reached over real TCP from this (test) process.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

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
// database available and fully recovered (recovery takes a moment after the server
// listens) or the guard runs out. Returns the last document, or the last error's message.
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
        if (last.find("\"database_available\":true") != std::string::npos &&
            last.find("\"name\":\"fully_recovered\"") != std::string::npos) {
          break;
        }
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
  for (const char* role : {"cluster_controller", "coordinator", "sequencer", "resolver", "log",
                           "storage", "commit_proxy", "grv_proxy"}) {
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

// ---- what a cluster refuses, with a message, changing nothing ----

// Starts a single-node cluster in `folder` with the cluster file `cluster` and waits until
// it has created its database (it has recorded the database's id in its folder).
void create_database(const std::string& directory, const std::string& folder,
                     const std::string& cluster, const std::string& listen) {
  ChildProcess server(STRATA_SERVER_PATH,
                      {"--listen", listen, "--data", folder, "--cluster-file", cluster}, directory);
  ASSERT_TRUE(server.wait_for_line("listening on", hang_guard_s)) << server.transcript();
  std::string id_file = directory + "/" + folder + "/cluster-id";
  for (int attempt = 0; attempt < 1200 && !std::ifstream(id_file); ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(std::ifstream(id_file)) << server.transcript();
  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait(hang_guard_s), 0) << server.transcript();
}

TEST_F(ServerProcessTest, DataFolderOfAnotherClusterIsRefused) {
  int other = testing::free_loopback_port();
  std::string other_listen = "127.0.0.1:" + std::to_string(other);
  create_database(directory_.path(), "old", "old.cluster", other_listen);
  std::string old_id = read_file(directory_.path() + "/old/cluster-id");
  // A new cluster, and a process that joins it with the old cluster's folder.
  ChildProcess cluster(STRATA_SERVER_PATH,
                       {"--listen", listen(), "--data", "new", "--cluster-file", "new.cluster"},
                       directory_.path());
  ASSERT_TRUE(cluster.wait_for_line("listening on", hang_guard_s)) << cluster.transcript();
  ChildProcess stray(STRATA_SERVER_PATH,
                     {"--listen", other_listen, "--data", "old", "--cluster-file", "new.cluster"},
                     directory_.path());
  EXPECT_EQ(stray.wait(hang_guard_s), 1) << stray.transcript();
  EXPECT_NE(stray.transcript().find("invalid_cluster_id (1217)"), std::string::npos)
      << stray.transcript();
  EXPECT_NE(stray.transcript().find("belongs to database"), std::string::npos)
      << stray.transcript();
  EXPECT_NE(stray.transcript().find("empty data folder"), std::string::npos) << stray.transcript();
  // Nothing of the old folder was touched: it still belongs to its own database.
  EXPECT_EQ(read_file(directory_.path() + "/old/cluster-id"), old_id);
}

TEST_F(ServerProcessTest, ClusterFileNamingCoordinatorsOfTwoDatabasesIsRefused) {
  std::vector<int> ports = {port_, testing::free_loopback_port(), testing::free_loopback_port()};
  auto at = [](int port) { return "127.0.0.1:" + std::to_string(port); };
  // Two databases made apart under the same cluster key, each coordinated by one process.
  std::ofstream(directory_.path() + "/x.cluster") << "same:key@" << at(ports[0]) << "\n";
  std::ofstream(directory_.path() + "/y.cluster") << "same:key@" << at(ports[1]) << "\n";
  create_database(directory_.path(), "x", "x.cluster", at(ports[0]));
  create_database(directory_.path(), "y", "y.cluster", at(ports[1]));
  std::ofstream(directory_.path() + "/z.cluster")
      << "same:key@" << at(ports[0]) << "," << at(ports[1]) << "," << at(ports[2]) << "\n";
  std::vector<std::unique_ptr<ChildProcess>> servers;
  for (int i = 0; i < 3; ++i) {
    servers.push_back(std::make_unique<ChildProcess>(
        STRATA_SERVER_PATH,
        std::vector<std::string>{"--listen", at(ports[static_cast<size_t>(i)]), "--data",
                                 std::string(1, "xyz"[i]), "--cluster-file", "z.cluster"},
        directory_.path()));
  }
  // Whichever is elected finds the two databases and stops with the reason.
  std::optional<int> refused;
  for (int round = 0; round < 1200 && !refused; ++round) {
    for (size_t i = 0; i < 3 && !refused; ++i) {
      if (std::optional<int> status = servers[i]->wait(0.0)) {
        EXPECT_EQ(*status, 1) << servers[i]->transcript();
        EXPECT_NE(servers[i]->transcript().find("hold different databases"), std::string::npos)
            << servers[i]->transcript();
        EXPECT_NE(servers[i]->transcript().find("nothing was changed"), std::string::npos);
        refused = static_cast<int>(i);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(refused.has_value()) << "nobody noticed the two databases";
}

// The single node's coordinator loses its state (its file deleted): the process must not
// create an empty database over its folder, but stop and say why.
TEST_F(ServerProcessTest, LostCoordinatorStateIsNotReplacedByAnEmptyDatabase) {
  create_database(directory_.path(), "data", "strata.cluster", listen());
  std::string id = read_file(directory_.path() + "/data/cluster-id");
  ASSERT_EQ(std::remove((directory_.path() + "/data/coordination").c_str()), 0);
  ChildProcess server(STRATA_SERVER_PATH, {"--listen", listen(), "--data", "data"},
                      directory_.path());
  EXPECT_EQ(server.wait(hang_guard_s), 1) << server.transcript();
  EXPECT_NE(server.transcript().find("hold no database"), std::string::npos) << server.transcript();
  EXPECT_NE(server.transcript().find("restore the coordinators"), std::string::npos)
      << server.transcript();
  EXPECT_EQ(read_file(directory_.path() + "/data/cluster-id"), id);
}

TEST_F(ServerProcessTest, CoordinatorsWithoutAMajorityAreNamedAndWaitedFor) {
  int second = testing::free_loopback_port();
  int third = testing::free_loopback_port();
  std::ofstream(directory_.path() + "/three.cluster")
      << "three:alone@" << listen() << ",127.0.0.1:" << second << ",127.0.0.1:" << third << "\n";
  ChildProcess server(STRATA_SERVER_PATH, {"--listen", listen(), "--cluster-file", "three.cluster"},
                      directory_.path());
  std::optional<std::string> report = server.wait_for_line("no cluster controller", hang_guard_s);
  ASSERT_TRUE(report) << server.transcript();
  EXPECT_NE(report->find("1 of 3 coordinators answer"), std::string::npos) << *report;
  EXPECT_NE(report->find("127.0.0.1:" + std::to_string(second)), std::string::npos) << *report;
  EXPECT_NE(report->find("A majority of the coordinators"), std::string::npos) << *report;
  // It waits rather than exits: the others may still come.
  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait(hang_guard_s), 0) << server.transcript();
}

}  // namespace
}  // namespace strata
