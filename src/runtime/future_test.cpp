#include "runtime/future.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/combinators.h"
#include "runtime/stream.h"

namespace strata {
namespace {

// Every test must leave no actor behind: a leaked actor is a leaked coroutine frame.
class FutureTest : public ::testing::Test {
 protected:
  void SetUp() override { actors_before_ = ActorBase::live_actors(); }
  void TearDown() override { EXPECT_EQ(ActorBase::live_actors(), actors_before_); }

 private:
  int64_t actors_before_ = 0;
};

Future<int> add_one(Future<int> input) {
  int value = co_await input;
  co_return value + 1;
}

TEST_F(FutureTest, PromiseDeliversValueToWaitingActor) {
  Promise<int> promise;
  Future<int> result = add_one(promise.get_future());
  EXPECT_FALSE(result.is_ready());
  promise.send(41);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.get(), 42);
}

TEST_F(FutureTest, ReadyFutureDoesNotSuspend) {
  Future<int> result = add_one(Future<int>(1));
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.get(), 2);
}

TEST_F(FutureTest, ErrorPropagatesThroughActors) {
  Promise<int> promise;
  Future<int> result = add_one(add_one(promise.get_future()));
  promise.send_error(Error(ErrorCode::io_error, "disk went away"));
  ASSERT_TRUE(result.is_error());
  EXPECT_EQ(result.error().code(), ErrorCode::io_error);
  EXPECT_EQ(result.error().detail(), "disk went away");
  EXPECT_THROW(result.get(), Error);
}

TEST_F(FutureTest, DroppedPromiseBreaksWaiters) {
  auto promise = std::make_unique<Promise<int>>();
  Future<int> result = add_one(promise->get_future());
  promise.reset();
  ASSERT_TRUE(result.is_error());
  EXPECT_EQ(result.error().code(), ErrorCode::broken_promise);
}

struct CancelProbe {
  bool saw_cancellation = false;
  bool finished = false;
};

Future<Void> wait_and_record(Future<int> input, CancelProbe* probe) {
  try {
    co_await input;
    probe->finished = true;
  } catch (Error& error) {
    if (error.is_cancellation()) probe->saw_cancellation = true;
    throw;
  }
}

TEST_F(FutureTest, DroppingLastFutureCancelsActorAtItsWait) {
  Promise<int> promise;
  CancelProbe probe;
  Future<Void> actor = wait_and_record(promise.get_future(), &probe);
  EXPECT_TRUE(promise.has_futures());
  actor.cancel();
  EXPECT_TRUE(probe.saw_cancellation);
  EXPECT_FALSE(probe.finished);
  // The actor's own wait was dropped with it.
  EXPECT_FALSE(promise.has_futures());
}

TEST_F(FutureTest, CopiesKeepActorAlive) {
  Promise<int> promise;
  CancelProbe probe;
  Future<Void> actor = wait_and_record(promise.get_future(), &probe);
  Future<Void> copy = actor;
  actor.cancel();
  EXPECT_FALSE(probe.saw_cancellation);
  promise.send(1);
  EXPECT_TRUE(probe.finished);
  EXPECT_TRUE(copy.is_ready());
}

Future<int> middle(Future<int> input, CancelProbe* probe) {
  try {
    co_return co_await add_one(std::move(input));
  } catch (Error& error) {
    if (error.is_cancellation()) probe->saw_cancellation = true;
    throw;
  }
}

TEST_F(FutureTest, CancellationPropagatesDownAChain) {
  Promise<int> promise;
  CancelProbe probe;
  Future<int> top = add_one(middle(promise.get_future(), &probe));
  top.cancel();
  EXPECT_TRUE(probe.saw_cancellation);
  EXPECT_FALSE(promise.has_futures());
}

Future<int> swallow_cancellation(Future<int> first, Future<int> second, int* waits_after) {
  try {
    co_await first;
  } catch (Error&) {
    // Wrong on purpose: cancellation must be rethrown.
  }
  try {
    co_await second;
  } catch (Error& error) {
    if (error.is_cancellation()) ++*waits_after;
    throw;
  }
  co_return 0;
}

TEST_F(FutureTest, SwallowedCancellationCannotWaitAgain) {
  Promise<int> first;
  Promise<int> second;
  int waits_after = 0;
  Future<int> actor = swallow_cancellation(first.get_future(), second.get_future(), &waits_after);
  actor.cancel();
  EXPECT_EQ(waits_after, 1);
  EXPECT_FALSE(second.has_futures());
}

TEST_F(FutureTest, RvalueAwaitMovesSoleValue) {
  Promise<std::vector<int>> promise;
  auto consume = [](Future<std::vector<int>> input) -> Future<size_t> {
    std::vector<int> values = co_await std::move(input);
    co_return values.size();
  };
  Future<size_t> result = consume(promise.get_future());
  promise.send(std::vector<int>(1000, 7));
  EXPECT_EQ(result.get(), 1000u);
}

TEST_F(FutureTest, CallbacksFireInRegistrationOrder) {
  Promise<int> promise;
  std::vector<int> order;
  auto record = [&order](Future<int> input, int tag) -> Future<Void> {
    co_await input;
    order.push_back(tag);
  };
  std::vector<Future<Void>> actors;
  for (int tag = 0; tag < 5; ++tag)
    actors.push_back(record(promise.get_future(), tag));
  promise.send(0);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

Future<std::vector<int>> drain(FutureStream<int> stream) {
  std::vector<int> values;
  try {
    while (true)
      values.push_back(co_await stream);
  } catch (Error& error) {
    if (!error.is(ErrorCode::end_of_stream)) throw;
  }
  co_return values;
}

TEST_F(FutureTest, StreamDeliversInOrderThenEnds) {
  PromiseStream<int> stream;
  stream.send(1);
  Future<std::vector<int>> result = drain(stream.get_future());
  stream.send(2);
  stream.send(3);
  EXPECT_FALSE(result.is_ready());
  stream.send_error(Error(ErrorCode::end_of_stream));
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.get(), (std::vector<int>{1, 2, 3}));
}

TEST_F(FutureTest, DroppedPromiseStreamBreaksReceiver) {
  auto stream = std::make_unique<PromiseStream<int>>();
  Future<std::vector<int>> result = drain(stream->get_future());
  stream->send(5);
  stream.reset();
  ASSERT_TRUE(result.is_error());
  EXPECT_EQ(result.error().code(), ErrorCode::broken_promise);
}

TEST_F(FutureTest, StreamWithoutReceiversDropsValues) {
  PromiseStream<std::shared_ptr<int>> stream;
  auto value = std::make_shared<int>(1);
  {
    FutureStream<std::shared_ptr<int>> receiver = stream.get_future();
    stream.send(value);
    EXPECT_EQ(value.use_count(), 2);
  }
  EXPECT_EQ(value.use_count(), 1);
  EXPECT_FALSE(stream.has_receivers());
  stream.send(value);
  EXPECT_EQ(value.use_count(), 1);
}

TEST_F(FutureTest, WhenAllWaitsForEveryValue) {
  Promise<int> a;
  Promise<int> b;
  Future<std::vector<int>> all = when_all(std::vector<Future<int>>{a.get_future(), b.get_future()});
  b.send(2);
  EXPECT_FALSE(all.is_ready());
  a.send(1);
  ASSERT_TRUE(all.is_ready());
  EXPECT_EQ(all.get(), (std::vector<int>{1, 2}));
}

TEST_F(FutureTest, WhenAllFailsFast) {
  Promise<int> a;
  Promise<int> b;
  Future<std::vector<int>> all = when_all(std::vector<Future<int>>{a.get_future(), b.get_future()});
  b.send_error(Error(ErrorCode::timed_out));
  ASSERT_TRUE(all.is_error());
  EXPECT_EQ(all.error().code(), ErrorCode::timed_out);
  EXPECT_FALSE(a.has_futures());
}

TEST_F(FutureTest, WhenAnyTakesFirstAndCancelsRest) {
  Promise<int> a;
  Promise<int> b;
  Future<int> any = when_any(std::vector<Future<int>>{a.get_future(), b.get_future()});
  b.send(7);
  ASSERT_TRUE(any.is_ready());
  EXPECT_EQ(any.get(), 7);
  EXPECT_FALSE(a.has_futures());
}

TEST_F(FutureTest, FirstReadyMixesFuturesAndStreams) {
  Promise<int> promise;
  PromiseStream<std::string> stream;
  FutureStream<std::string> receiver = stream.get_future();
  auto select = [](Future<int> future, FutureStream<std::string> input) -> Future<std::string> {
    size_t index = co_await first_ready(future, input);
    if (index == 0) co_return std::to_string(co_await future);
    co_return co_await input;
  };
  Future<std::string> result = select(promise.get_future(), receiver);
  stream.send("from stream");
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.get(), "from stream");
}

TEST_F(FutureTest, CancelledSelectDetachesFromEverything) {
  Promise<int> a;
  Promise<int> b;
  Future<int> any = when_any(std::vector<Future<int>>{a.get_future(), b.get_future()});
  any.cancel();
  EXPECT_FALSE(a.has_futures());
  EXPECT_FALSE(b.has_futures());
}

TEST_F(FutureTest, ActorCollectionReportsFirstFailureAndCancelsOnClear) {
  Promise<int> fails;
  Promise<int> waits;
  CancelProbe probe;
  ActorCollection actors;
  auto fail_later = [](Future<int> input) -> Future<Void> {
    co_await input;
    throw Error(ErrorCode::io_error);
  };
  actors.add(fail_later(fails.get_future()));
  actors.add(wait_and_record(waits.get_future(), &probe));
  Future<Void> result = actors.result();
  EXPECT_EQ(actors.size(), 2u);
  fails.send(0);
  ASSERT_TRUE(result.is_error());
  EXPECT_EQ(result.error().code(), ErrorCode::io_error);
  EXPECT_EQ(actors.size(), 1u);
  actors.clear();
  EXPECT_TRUE(probe.saw_cancellation);
}

TEST_F(FutureTest, NeverIsNeverReady) {
  Future<int> result = add_one(never<int>());
  EXPECT_FALSE(result.is_ready());
}

}  // namespace
}  // namespace strata
