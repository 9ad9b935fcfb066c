// Reads spread over a shard's team, under the simulator: a member that lags behind the read
// version, or answers slowly, is passed over for a while instead of costing every read.

#include "client/load_balance.h"

#include <functional>

#include <gtest/gtest.h>

#include "client/client_knobs.h"
#include "rpc/request_stream.h"
#include "rpc/transport.h"
#include "runtime/sim/simulator.h"
#include "runtime/sim/simulator_test_fixture.h"

namespace strata {
namespace {

using sim::SimMachine;
using sim::Simulator;

const UID get_value_token(0x10ad, 0xba1a);

// How a simulated member of the team answers a read.
enum class Behaviour { answer, behind, slow };

// Serves GetValueRequest at `get_value_token`, counting the requests it receives.
Future<Void> serve_member(Behaviour behaviour, int* received) {
  Transport& transport = Transport::install(env().process().identity().address);
  transport.listen();
  auto stream = RequestStream<GetValueRequest>::serve_at(get_value_token);
  FutureStream<GetValueRequest> requests = stream.requests();
  ActorCollection answers;
  while (true) {
    GetValueRequest request = co_await requests;
    ++*received;
    answers.add([](Behaviour behaviour, GetValueRequest request) -> Future<Void> {
      switch (behaviour) {
        case Behaviour::answer:
          request.reply.send(GetValueReply{Value("fresh")});
          break;
        case Behaviour::behind:
          // A storage server waits a while for the version, then refuses it.
          co_await delay(0.5);
          request.reply.send_error(Error(ErrorCode::future_version, "not there yet"));
          break;
        case Behaviour::slow:
          co_await delay(2.0);
          request.reply.send(GetValueReply{Value("late")});
          break;
      }
    }(behaviour, std::move(request)));
  }
}

class LoadBalanceTest : public SimulatorTest {
 protected:
  // A team of two members on their own machines: one that answers at once and one that
  // behaves as told. Runs `body` as a client process on a third machine.
  void run(Behaviour other, std::function<Future<Void>(std::vector<StorageInterface>)> body) {
    simulator_ = std::make_unique<Simulator>(7);
    std::vector<StorageInterface> team;
    for (int i = 0; i < 2; ++i) {
      SimMachine& machine =
          simulator_->add_machine("member" + std::to_string(i), "z" + std::to_string(i));
      Behaviour behaviour = i == 0 ? Behaviour::answer : other;
      int* received = &received_[i];
      sim::SimProcess& process = simulator_->add_process(
          machine, "member" + std::to_string(i), 4500, "/member" + std::to_string(i),
          [behaviour, received] { return serve_member(behaviour, received); });
      StorageInterface member;
      member.id = UID(1, static_cast<uint64_t>(i + 1));
      member.address = process.address;
      member.get_value = RequestStream<GetValueRequest>(Endpoint{process.address, get_value_token});
      team.push_back(member);
    }
    SimMachine& client_machine = simulator_->add_machine("client", "z9");
    Promise<Void> done;
    Future<Void> finished = done.get_future();
    simulator_->add_process(client_machine, "client", 1, "/client",
                            [body, team, done]() mutable -> Future<Void> {
                              Transport::install(NetworkAddress());
                              co_await delay(0.5);
                              co_await body(team);
                              done.send(Void{});
                            });
    ASSERT_TRUE(simulator_->run_until(finished, 1000)) << "the client hung";
  }

  int received_[2] = {0, 0};
};

Future<Value> read(const std::vector<StorageInterface>& team, MemberPenalties* penalties) {
  GetValueReply reply =
      co_await load_balance(team, &StorageInterface::get_value, GetValueRequest{"key", 1, {}},
                            ClientLocality{}, true, penalties);
  co_return reply.value.value_or("");
}

TEST_F(LoadBalanceTest, AMemberBehindTheVersionIsPassedOverWhileItsPenaltyLasts) {
  int fresh = 0;
  double reads_took_s = 0;
  run(Behaviour::behind, [&](std::vector<StorageInterface> team) -> Future<Void> {
    MemberPenalties penalties;
    const double start = now();
    for (int i = 0; i < 40; ++i) {
      if (co_await read(team, &penalties) == "fresh") ++fresh;
    }
    reads_took_s = now() - start;
    EXPECT_TRUE(penalties.penalized(team[1].id));
    EXPECT_FALSE(penalties.penalized(team[0].id));
    // Once the penalty ends the member is tried again like any other.
    co_await delay(client_knobs().load_balance_penalty_s + 0.1);
    EXPECT_FALSE(penalties.penalized(team[1].id));
  });
  EXPECT_EQ(fresh, 40);
  EXPECT_EQ(received_[0], 40);
  // Without the penalty about half the reads would go to the lagging member first. The
  // first read that does marks it; it may also get a hedged copy of that one read.
  EXPECT_LE(received_[1], 2);
  // Simulated time: far below the 40 backup delays the lagging member would cost.
  EXPECT_LT(reads_took_s, 20 * client_knobs().load_balance_backup_delay_s);
}

TEST_F(LoadBalanceTest, AMemberThatLosesTheRaceToAnotherIsPassedOver) {
  int fresh = 0;
  run(Behaviour::slow, [&](std::vector<StorageInterface> team) -> Future<Void> {
    MemberPenalties penalties;
    for (int i = 0; i < 40; ++i) {
      if (co_await read(team, &penalties) == "fresh") ++fresh;
    }
    EXPECT_TRUE(penalties.penalized(team[1].id));
  });
  EXPECT_EQ(fresh, 40);
  EXPECT_LE(received_[1], 2);
}

TEST_F(LoadBalanceTest, WithoutPenaltiesBothMembersShareTheReads) {
  run(Behaviour::answer, [&](std::vector<StorageInterface> team) -> Future<Void> {
    MemberPenalties penalties;
    for (int i = 0; i < 200; ++i)
      co_await read(team, &penalties);
  });
  // Random order: each member comes first about half the time.
  EXPECT_GT(received_[0], 50);
  EXPECT_GT(received_[1], 50);
}

}  // namespace
}  // namespace strata
