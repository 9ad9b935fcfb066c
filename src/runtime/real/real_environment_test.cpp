// The real backend: timers, files through the thread pool, TCP on loopback, cross-thread
// posts, and typed same-process RPC without serialization.

#include "runtime/real/real_environment.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "interfaces/echo_interface.h"
#include "rpc/request_stream.h"
#include "rpc/transport.h"
#include "runtime/combinators.h"
#include "workloads/echo_service.h"

namespace strata::real {
namespace {

// Runs `body` as an actor on a fresh real environment until it finishes.
template <class Body>
void run_actor(Body body) {
  RealEnvironment environment;
  std::optional<Error> failure;
  auto wrapper = [&]() -> Future<Void> {
    try {
      co_await body();
    } catch (Error& error) {
      failure = error;
    }
    env().stop();
  };
  Future<Void> done = wrapper();
  environment.run();
  ASSERT_FALSE(failure) << failure->message();
}

std::string scratch_directory(const char* name) {
  return ::testing::TempDir() + "strata-real-" + name + "-" + std::to_string(::getpid());
}

TEST(RealEnvironmentTest, DelaysWaitAtLeastTheirTime) {
  run_actor([]() -> Future<Void> {
    double start = now();
    co_await delay(0.02);
    EXPECT_GE(now() - start, 0.02);
    // Shorter timers fire first whatever order they were made in.
    std::vector<int> order;
    auto mark = [&order](double seconds, int tag) -> Future<Void> {
      co_await delay(seconds);
      order.push_back(tag);
    };
    Future<Void> late = mark(0.03, 2);
    Future<Void> early = mark(0.001, 1);
    co_await when_all(late, early);
    EXPECT_EQ(order, (std::vector<int>{1, 2}));
  });
}

TEST(RealEnvironmentTest, FilesWriteSyncReadRenameListAndLock) {
  std::string directory = scratch_directory("files");
  run_actor([directory]() -> Future<Void> {
    co_await env().create_directories(directory + "/nested");
    std::string path = directory + "/nested/data";
    std::shared_ptr<File> file =
        co_await env().open_file(path, open_flags::read_write | open_flags::create);
    co_await file->write(0, "hello ");
    co_await file->write(6, "world");
    co_await file->sync();
    EXPECT_EQ(co_await file->size(), 11);
    EXPECT_EQ(co_await file->read(0, 100), "hello world");
    EXPECT_EQ(co_await file->read(6, 5), "world");
    co_await file->truncate(5);
    EXPECT_EQ(co_await file->read(0, 100), "hello");
    co_await file->write_and_sync(5, ", again");
    EXPECT_EQ(co_await file->read(0, 100), "hello, again");

    co_await env().rename_file(path, directory + "/nested/renamed");
    EXPECT_FALSE(co_await env().file_exists(path));
    EXPECT_EQ(co_await env().list_directory(directory + "/nested"),
              std::vector<std::string>{"renamed"});
    co_await env().sync_directory(directory + "/nested");

    std::optional<Error> missing;
    try {
      co_await env().open_file(directory + "/nope", open_flags::read_only);
    } catch (Error& error) {
      missing = error;
    }
    EXPECT_TRUE(missing && missing->is(ErrorCode::file_not_found));
    EXPECT_NE(missing->detail().find("/nope"), std::string_view::npos);

    unsigned locking = open_flags::read_write | open_flags::create | open_flags::lock;
    std::shared_ptr<File> held = co_await env().open_file(directory + "/lock", locking);
    std::optional<Error> refused;
    try {
      co_await env().open_file(directory + "/lock", locking);
    } catch (Error& error) {
      refused = error;
    }
    EXPECT_TRUE(refused && refused->is(ErrorCode::lock_file_failure));
    held.reset();
    std::shared_ptr<File> again = co_await env().open_file(directory + "/lock", locking);
    co_await env().delete_file(directory + "/lock");
    co_await env().delete_file(directory + "/lock");  // deleting a missing file is fine
  });
}

TEST(RealEnvironmentTest, BlockingWorkRunsOffTheLoopAndReturnsResultsAndErrors) {
  run_actor([]() -> Future<Void> {
    std::thread::id loop_thread = std::this_thread::get_id();
    std::thread::id work_thread = co_await run_blocking([] { return std::this_thread::get_id(); });
    EXPECT_NE(work_thread, loop_thread);
    std::vector<Future<int>> many;
    for (int i = 0; i < 50; ++i)
      many.push_back(run_blocking([i] { return i * i; }));
    std::vector<int> squares = co_await when_all(std::move(many));
    EXPECT_EQ(squares[7], 49);
    std::optional<Error> failure;
    try {
      co_await run_blocking(
          []() -> int { throw Error(ErrorCode::io_error, "from a pool thread"); });
    } catch (Error& error) {
      failure = error;
    }
    EXPECT_TRUE(failure && failure->detail() == "from a pool thread");
  });
}

TEST(RealEnvironmentTest, TasksPostedFromOtherThreadsRunOnTheLoop) {
  RealEnvironment environment;
  std::atomic<int> ran{0};
  std::thread::id loop_thread = std::this_thread::get_id();
  std::thread poster([&] {
    for (int i = 0; i < 100; ++i) {
      environment.post_from_any_thread([&] {
        EXPECT_EQ(std::this_thread::get_id(), loop_thread);
        if (++ran == 100) env().stop();
      });
    }
  });
  environment.run();
  poster.join();
  EXPECT_EQ(ran.load(), 100);
}

Future<Void> echo_bytes(std::shared_ptr<Listener> listener) {
  std::shared_ptr<Connection> connection = co_await listener->accept();
  while (true)
    connection->write(co_await connection->read());
}

TEST(RealEnvironmentTest, LoopbackTcpCarriesBytesBothWays) {
  run_actor([]() -> Future<Void> {
    std::shared_ptr<Listener> listener = env().listen(NetworkAddress::from_octets(127, 0, 0, 1, 0));
    EXPECT_NE(listener->address().port(), 0);
    Future<Void> server = echo_bytes(listener);
    std::shared_ptr<Connection> client = co_await env().connect(listener->address());
    std::string sent(300000, 'z');
    client->write(sent);
    std::string received;
    while (received.size() < sent.size())
      received += co_await client->read();
    EXPECT_EQ(received, sent);
    client->close();
    std::optional<Error> closed;
    try {
      co_await client->read();
    } catch (Error& error) {
      closed = error;
    }
    EXPECT_TRUE(closed && closed->is(ErrorCode::connection_failed));
  });
}

// Writes past connection_write_early_bytes are sent at once, the rest at the end of the
// loop's round: either way the bytes arrive whole and in order.
TEST(RealEnvironmentTest, ManySmallWritesArriveInOrderWhetherSentEarlyOrLate) {
  run_actor([]() -> Future<Void> {
    std::shared_ptr<Listener> listener = env().listen(NetworkAddress::from_octets(127, 0, 0, 1, 0));
    Future<Void> server = echo_bytes(listener);
    std::shared_ptr<Connection> client = co_await env().connect(listener->address());
    std::string sent;
    for (int round = 0; round < 20; ++round) {
      // Without suspending: many messages of one round, some of them large.
      for (int message = 0; message < 50; ++message) {
        std::string bytes(static_cast<size_t>((round * 50 + message) % 700 + 1),
                          static_cast<char>('a' + message % 26));
        if (message == 25) bytes.append(10000, '#');
        client->write(bytes);
        sent += bytes;
      }
      co_await env().yield();
    }
    std::string received;
    while (received.size() < sent.size())
      received += co_await client->read();
    EXPECT_EQ(received, sent);
  });
}

// A write that finds the peer gone fails the connection, and the reader hears of it,
// from a task of its own rather than inside the write.
TEST(RealEnvironmentTest, WritingToAPeerThatClosedFailsTheConnection) {
  run_actor([]() -> Future<Void> {
    std::shared_ptr<Listener> listener = env().listen(NetworkAddress::from_octets(127, 0, 0, 1, 0));
    Future<std::shared_ptr<Connection>> accepted = listener->accept();
    std::shared_ptr<Connection> client = co_await env().connect(listener->address());
    (co_await accepted)->close();
    Future<std::string> reading = client->read();
    std::optional<Error> failure;
    for (int attempt = 0; attempt < 1000 && !failure; ++attempt) {
      client->write(std::string(64 * 1024, 'x'));  // never throws; a failure comes later
      co_await delay(0.001);
      if (reading.is_ready()) {
        try {
          co_await reading;
        } catch (Error& error) {
          failure = error;
        }
      }
    }
    EXPECT_TRUE(failure && failure->is(ErrorCode::connection_failed));
  });
}

TEST(RealEnvironmentTest, ConnectingWhereNobodyListensFailsClearly) {
  run_actor([]() -> Future<Void> {
    std::shared_ptr<Listener> listener = env().listen(NetworkAddress::from_octets(127, 0, 0, 1, 0));
    NetworkAddress unused = listener->address();
    listener.reset();
    std::optional<Error> failure;
    try {
      co_await env().connect(unused);
    } catch (Error& error) {
      failure = error;
    }
    EXPECT_TRUE(failure && failure->is(ErrorCode::connection_failed));
    EXPECT_NE(failure->detail().find(unused.to_string()), std::string_view::npos);
  });
}

TEST(RealEnvironmentTest, SameProcessRequestsAreHandedOverWithoutTheNetwork) {
  run_actor([]() -> Future<Void> {
    Transport& transport = Transport::install(NetworkAddress::from_octets(127, 0, 0, 1, 0));
    transport.listen();
    Future<Void> server = serve_echo_requests();
    RequestStream<EchoRequest> stream(Endpoint{transport.listen_address(), well_known::test_echo});
    EchoReply reply = co_await stream.get_reply(EchoRequest{5, "local", 0, {}});
    EXPECT_EQ(reply.payload, "local");
    // Handed over as an object: nothing went through a connection.
    EXPECT_EQ(transport.stats().frames_sent, 0u);
    EXPECT_EQ(transport.stats().connections_opened, 0u);
  });
}

}  // namespace
}  // namespace strata::real
