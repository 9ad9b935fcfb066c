// The coordinators in the simulator: the generation register's promises (an older writer
// is refused; a read sees the newest write that reached a majority, after coordinators
// died, came back, or lost their disks), forwarding, and the leader lease (never two
// leaders at once, whatever the partitions).

#include <algorithm>

#include <gtest/gtest.h>

#include "rpc/transport.h"
#include "runtime/combinators.h"
#include "runtime/sim/sim_network.h"
#include "runtime/sim/simulator.h"
#include "server/coordinator/coordinated_state.h"
#include "server/coordinator/coordinator_server.h"
#include "server/coordinator/leader_election.h"
#include "server/server_knobs.h"

namespace strata {
namespace {

constexpr uint16_t port = 4500;

Future<Void> serve_coordinator(NetworkAddress address, std::string directory) {
  Transport& transport = Transport::install(address);
  transport.listen();
  co_await run_coordinator_server(directory);
}

// Coordinators on machines of their own, and a client process to drive them from.
struct Cluster {
  explicit Cluster(uint64_t seed, int count) : simulator(seed) {
    connection.description = "test";
    connection.id = "register";
    for (int i = 0; i < count; ++i) {
      sim::SimMachine& machine =
          simulator.add_machine("c" + std::to_string(i), "z" + std::to_string(i));
      NetworkAddress address(machine.ip, port);
      connection.coordinators.push_back(address);
      coordinators.push_back(
          &simulator.add_process(machine, "coordinator" + std::to_string(i), port, "/data",
                                 [address] { return serve_coordinator(address, "/data"); }));
    }
    client_machine = &simulator.add_machine("client", "zc");
  }

  // Runs `body` in a new process of `machine` (the client machine unless given) until it
  // finishes.
  void run(std::function<Future<Void>()> body, sim::SimMachine* machine = nullptr) {
    Promise<Void> done;
    auto main = [&]() -> Future<Void> {
      Transport::install(NetworkAddress());
      co_await body();
      done.send(Void{});
    };
    simulator.add_process(machine ? *machine : *client_machine,
                          "client" + std::to_string(++clients), 1, "/client", main,
                          /*killable=*/false);
    ASSERT_TRUE(simulator.run_until(done.get_future(), simulator.now() + 600)) << "hung";
  }

  void kill(int i) {
    simulator.kill_process(*coordinators[static_cast<size_t>(i)], sim::KillMode::crash);
  }
  void boot(int i) { simulator.boot_process(*coordinators[static_cast<size_t>(i)]); }
  void wipe(int i) { coordinators[static_cast<size_t>(i)]->machine->files.wipe(); }

  sim::Simulator simulator;
  ClusterConnectionString connection;
  std::vector<sim::SimProcess*> coordinators;
  sim::SimMachine* client_machine = nullptr;
  int clients = 0;
};

Future<Void> write_value(ClusterConnectionString connection, std::string value) {
  CoordinatedState state(connection);
  co_await state.read();
  co_await state.write(value);
}

Future<std::optional<std::string>> read_value(ClusterConnectionString connection) {
  CoordinatedState state(connection);
  co_return co_await state.read();
}

TEST(CoordinationTest, NewClusterReadsNothingAndThenItsWrites) {
  Cluster cluster(1, 3);
  cluster.run([&]() -> Future<Void> {
    EXPECT_EQ(co_await read_value(cluster.connection), std::nullopt);
    co_await write_value(cluster.connection, "first");
    EXPECT_EQ(co_await read_value(cluster.connection), std::optional<std::string>("first"));
  });
}

TEST(CoordinationTest, WriterOvertakenByANewerReaderIsRefused) {
  Cluster cluster(2, 3);
  cluster.run([&]() -> Future<Void> {
    CoordinatedState older(cluster.connection);
    CoordinatedState newer(cluster.connection);
    co_await older.read();
    co_await newer.read();
    std::optional<ErrorCode> refused;
    try {
      co_await older.write("older");
    } catch (Error& error) {
      refused = error.code();
    }
    EXPECT_EQ(refused, ErrorCode::coordinated_state_conflict);
    co_await newer.write("newer");
    EXPECT_EQ(co_await read_value(cluster.connection), std::optional<std::string>("newer"));
    // And once someone else wrote, the older one's next write is refused too.
    refused.reset();
    try {
      co_await older.write("older again");
    } catch (Error& error) {
      refused = error.code();
    }
    EXPECT_EQ(refused, ErrorCode::coordinated_state_conflict);
  });
}

TEST(CoordinationTest, AMinorityDownChangesNothing) {
  Cluster cluster(3, 3);
  cluster.run([&]() -> Future<Void> {
    co_await write_value(cluster.connection, "v1");
    cluster.kill(2);
    // Written with the third coordinator down: only two hold it.
    co_await write_value(cluster.connection, "v2");
    cluster.boot(2);
    cluster.kill(0);
    EXPECT_EQ(co_await read_value(cluster.connection), std::optional<std::string>("v2"));
  });
}

// The write of v2 reached coordinators 0 and 1; then 0 loses its disk. Whichever majority
// a reader hears, it must get v2: the wiped coordinator learns from the others before it
// answers, and must hear from coordinator 1 (the only other holder of v2) to do so.
TEST(CoordinationTest, CoordinatorThatLostItsDiskLearnsBeforeItAnswers) {
  for (uint64_t seed = 10; seed < 20; ++seed) {
    Cluster cluster(seed, 3);
    cluster.run([&]() -> Future<Void> {
      co_await write_value(cluster.connection, "v1");
      cluster.kill(2);
      co_await write_value(cluster.connection, "v2");
      cluster.boot(2);
      cluster.kill(0);
      cluster.wipe(0);
      cluster.boot(0);
      co_await delay(1.0);
      // The reader cannot reach coordinator 1: its majority is 0 (wiped) and 2 (holds v1).
      sim::Simulator& simulator = cluster.simulator;
      simulator.network().clog_link(cluster.client_machine->ip,
                                    cluster.coordinators[1]->machine->ip, 1000);
      EXPECT_EQ(co_await read_value(cluster.connection), std::optional<std::string>("v2"))
          << "seed " << seed;
    });
  }
}

// Coordinator 1 missed the write of v2; coordinator 2 then loses its disk and learns from
// both others. A reader that hears only 0 and 2 must still see that v1 is held too (it is
// how a controller notices a cluster file naming coordinators of two databases).
TEST(CoordinationTest, CoordinatorThatLearnedReportsWhatTheOthersHeld) {
  Cluster cluster(21, 3);
  cluster.run([&]() -> Future<Void> {
    co_await write_value(cluster.connection, "v1");
    co_await delay(1.0);  // the write reached all three, not only a majority
    cluster.kill(1);
    co_await write_value(cluster.connection, "v2");
    cluster.boot(1);
    cluster.kill(2);
    cluster.wipe(2);
    cluster.boot(2);
    co_await delay(1.0);
    cluster.simulator.network().clog_link(cluster.client_machine->ip,
                                          cluster.coordinators[1]->machine->ip, 1000);
    CoordinatedState state(cluster.connection);
    EXPECT_EQ(co_await state.read(), std::optional<std::string>("v2"));
    std::vector<std::string> seen = state.values_seen();
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, (std::vector<std::string>{"v1", "v2"}));
  });
}

// Coordinator 2 is up, but the writer's requests never reach it (a controller's connection
// to it was not up when the cluster was created), so only 0 and 1 hold the core state.
// Clients and workers ask every coordinator for the leader; once coordinator 2 hears of
// the cluster so, it must learn the register while 0 and 1 can teach it, so that losing
// coordinator 0 afterwards (a minority) still leaves a majority that can answer.
TEST(CoordinationTest, CoordinatorThatMissedEveryWriteLearnsOnceItHearsOfTheCluster) {
  Cluster cluster(22, 3);
  sim::SimMachine* other_client = &cluster.simulator.add_machine("client2", "zc2");
  cluster.simulator.network().clog_link(cluster.client_machine->ip,
                                        cluster.coordinators[2]->machine->ip, 100000);
  cluster.run([&]() -> Future<Void> { co_await write_value(cluster.connection, "v1"); });
  cluster.run(
      [&]() -> Future<Void> {
        co_await CoordinatorInterface::at(cluster.connection.coordinators[2])
            .get_leader.get_reply(GetLeaderRequest{cluster.connection.to_string(), UID(), {}});
        co_await delay(10.0);
        cluster.kill(0);
        std::optional<std::string> read;
        std::string failure;
        try {
          read = co_await read_value(cluster.connection);
        } catch (Error& error) {
          failure = error.message();
        }
        EXPECT_EQ(failure, "");
        EXPECT_EQ(read, std::optional<std::string>("v1"));
      },
      other_client);
}

TEST(CoordinationTest, ForwardedRegisterSendsEveryoneToTheNewCoordinators) {
  Cluster cluster(4, 3);
  cluster.run([&]() -> Future<Void> {
    co_await write_value(cluster.connection, "state");
    std::string moved = "test:moved@10.9.9.9:4500";
    for (const NetworkAddress& address : cluster.connection.coordinators) {
      co_await CoordinatorInterface::at(address).forward.get_reply(
          ForwardRequest{cluster.connection.to_string(), moved, {}});
    }
    std::optional<Error> failure;
    try {
      co_await read_value(cluster.connection);
    } catch (Error& error) {
      failure = error;
    }
    // (No ASSERT in a coroutine: it returns.)
    EXPECT_TRUE(failure.has_value());
    if (!failure) co_return;
    EXPECT_EQ(failure->code(), ErrorCode::coordinators_changed);
    EXPECT_EQ(failure->detail(), moved);
  });
}

TEST(CoordinationTest, RequestForAClusterThatDoesNotNameTheCoordinatorIsRefused) {
  Cluster cluster(5, 1);
  cluster.run([&]() -> Future<Void> {
    ClusterConnectionString elsewhere = ClusterConnectionString::parse("test:other@10.9.9.9:4500");
    std::optional<Error> failure;
    try {
      co_await CoordinatorInterface::at(cluster.connection.coordinators[0])
          .read.get_reply(
              GenerationReadRequest{elsewhere.to_string(), UniqueGeneration{1, UID(1, 1)}, {}});
    } catch (Error& error) {
      failure = error;
    }
    EXPECT_TRUE(failure.has_value());
    if (!failure) co_return;
    EXPECT_EQ(failure->code(), ErrorCode::connection_string_invalid);
    EXPECT_NE(std::string(failure->detail()).find("is not one of the coordinators"),
              std::string::npos);
  });
}

// Candidates on three machines of their own campaign, lead until they lose the lease, and
// campaign again, while random partitions cut leaders off. Every leadership is recorded
// from the moment it was won to the moment its holder gave it up: none may overlap.
TEST(CoordinationTest, NeverTwoLeadersAtOnce) {
  for (uint64_t seed = 30; seed < 40; ++seed) {
    Cluster cluster(seed, 3);
    struct Term {
      double won = 0;
      double lost = -1;
    };
    std::vector<Term> terms;
    std::vector<sim::SimProcess*> candidates;
    for (int i = 0; i < 3; ++i) {
      sim::SimMachine& machine = cluster.simulator.add_machine("p" + std::to_string(i), "zp");
      NetworkAddress address(machine.ip, port);
      auto campaign = [&cluster, &terms, address]() -> Future<Void> {
        Transport::install(address).listen();
        while (true) {
          LeaderInfo me{env().random().unique_id(), address, 0};
          LeaderLease lease = co_await become_leader(cluster.connection, me);
          size_t term = terms.size();
          terms.push_back(Term{now(), -1});
          co_await hold_leadership(cluster.connection, me, lease);
          terms[term].lost = now();
        }
      };
      candidates.push_back(&cluster.simulator.add_process(machine, "candidate" + std::to_string(i),
                                                          port, "/p", campaign, false));
    }
    cluster.run([&]() -> Future<Void> {
      Random& random = env().random();
      for (int round = 0; round < 15; ++round) {
        co_await delay(random.uniform_real(0.5, 4.0));
        sim::SimProcess* victim = random.pick(candidates);
        std::vector<uint32_t> others;
        for (const auto& machine : cluster.simulator.machines()) {
          if (machine.get() != victim->machine) others.push_back(machine->ip);
        }
        cluster.simulator.network().partition({victim->machine->ip}, others,
                                              random.uniform_real(0.2, 3.0));
      }
      co_await delay(10.0);
    });
    ASSERT_GE(terms.size(), 2u) << "seed " << seed << ": leadership never moved";
    for (size_t i = 1; i < terms.size(); ++i) {
      ASSERT_GE(terms[i - 1].lost, 0) << "seed " << seed << ": two leaders at once";
      EXPECT_LE(terms[i - 1].lost, terms[i].won) << "seed " << seed << ": leaders overlap";
    }
  }
}

}  // namespace
}  // namespace strata
