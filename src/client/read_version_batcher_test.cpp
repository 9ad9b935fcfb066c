// Read-version sharing: how many requests go out for how many transactions, and that no
// transaction is ever answered by a request sent before it asked (which could miss a
// commit acknowledged in between).

#include "client/read_version_batcher.h"

#include <vector>

#include <gtest/gtest.h>

#include "runtime/random.h"

namespace strata {
namespace {

// The requests a batcher sends, held until the test answers them.
struct Requests {
  struct Sent {
    uint32_t transaction_count;
    Promise<Version> reply;
    uint64_t sent_at;  // on the test's clock of events
  };
  std::vector<Sent> sent;
  uint64_t clock = 0;

  ReadVersionBatcher::SendRequest sender() {
    return [this](uint32_t transaction_count) {
      sent.push_back(Sent{transaction_count, Promise<Version>(), ++clock});
      return sent.back().reply.get_future();
    };
  }
};

TEST(ReadVersionBatcher, TransactionsThatAskWhileTheBoundIsOutShareTheNextRequest) {
  Requests requests;
  ReadVersionBatcher batcher(2, requests.sender());
  std::vector<Future<Version>> versions;
  for (int i = 0; i < 5; ++i)
    versions.push_back(batcher.get());
  // The first two go out alone; the other three wait.
  ASSERT_EQ(requests.sent.size(), 2u);
  EXPECT_EQ(requests.sent[0].transaction_count, 1u);
  EXPECT_EQ(requests.sent[1].transaction_count, 1u);
  EXPECT_EQ(batcher.transactions_waiting(), 3u);

  requests.sent[0].reply.send(100);
  ASSERT_TRUE(versions[0].is_ready());
  EXPECT_EQ(versions[0].get(), 100);
  // One request, sent now, for the three that waited: not answered by the first.
  ASSERT_EQ(requests.sent.size(), 3u);
  EXPECT_EQ(requests.sent[2].transaction_count, 3u);
  for (int i = 2; i < 5; ++i)
    EXPECT_FALSE(versions[i].is_ready());

  requests.sent[2].reply.send(300);
  for (int i = 2; i < 5; ++i) {
    ASSERT_TRUE(versions[i].is_ready());
    EXPECT_EQ(versions[i].get(), 300);
  }
  EXPECT_FALSE(versions[1].is_ready());
  requests.sent[1].reply.send(200);
  ASSERT_TRUE(versions[1].is_ready());
  EXPECT_EQ(versions[1].get(), 200);
  EXPECT_EQ(requests.sent.size(), 3u);
  EXPECT_EQ(batcher.requests_in_flight(), 0);
}

TEST(ReadVersionBatcher, AFailedRequestFailsOnlyItsOwnTransactions) {
  Requests requests;
  ReadVersionBatcher batcher(1, requests.sender());
  Future<Version> first = batcher.get();
  Future<Version> second = batcher.get();
  Future<Version> third = batcher.get();
  ASSERT_EQ(requests.sent.size(), 1u);
  requests.sent[0].reply.send_error(Error(ErrorCode::broken_promise, "proxy gone"));
  ASSERT_TRUE(first.is_error());
  EXPECT_EQ(first.error().code(), ErrorCode::broken_promise);
  ASSERT_EQ(requests.sent.size(), 2u);
  EXPECT_EQ(requests.sent[1].transaction_count, 2u);
  EXPECT_FALSE(second.is_ready());
  requests.sent[1].reply.send(7);
  EXPECT_EQ(second.get(), 7);
  EXPECT_EQ(third.get(), 7);
}

TEST(ReadVersionBatcher, WithNoBoundEveryTransactionSendsItsOwn) {
  Requests requests;
  ReadVersionBatcher batcher(0, requests.sender());
  std::vector<Future<Version>> versions;
  for (int i = 0; i < 4; ++i)
    versions.push_back(batcher.get());
  ASSERT_EQ(requests.sent.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(requests.sent[i].transaction_count, 1u);
    requests.sent[i].reply.send(static_cast<Version>(10 + i));
    EXPECT_EQ(versions[i].get(), static_cast<Version>(10 + i));
  }
}

// Random interleavings of asking and answering. Each request answers with its own number,
// so a transaction's answer names the request that served it; checked against when the
// transaction asked, the bound on requests out, and the counts the requests carried.
TEST(ReadVersionBatcher, RandomInterleavingsKeepCausalityAndTheBound) {
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    Random random(seed);
    const int bound = static_cast<int>(random.uniform(1, 5));
    Requests requests;
    ReadVersionBatcher batcher(bound, requests.sender());
    struct Asked {
      Future<Version> version;
      uint64_t asked_at;
    };
    std::vector<Asked> asked;
    std::vector<size_t> unanswered;  // indexes into requests.sent
    size_t seen = 0;
    auto note_new_requests = [&] {
      for (; seen < requests.sent.size(); ++seen)
        unanswered.push_back(seen);
    };
    for (int step = 0; step < 300; ++step) {
      const bool ask = unanswered.empty() || !random.chance(1.0 / 3);
      if (ask && step < 250) {
        const uint64_t asked_at = ++requests.clock;
        asked.push_back(Asked{batcher.get(), asked_at});
      } else if (!unanswered.empty()) {
        auto pick = static_cast<size_t>(random.uniform(0, static_cast<int64_t>(unanswered.size())));
        size_t index = unanswered[pick];
        unanswered.erase(unanswered.begin() + static_cast<std::ptrdiff_t>(pick));
        requests.sent[index].reply.send(static_cast<Version>(index));
      }
      note_new_requests();
      ASSERT_LE(batcher.requests_in_flight(), bound) << "seed " << seed;
      ASSERT_EQ(static_cast<int>(unanswered.size()), batcher.requests_in_flight())
          << "seed " << seed;
    }
    while (!unanswered.empty()) {
      size_t index = unanswered.back();
      unanswered.pop_back();
      requests.sent[index].reply.send(static_cast<Version>(index));
      note_new_requests();
    }
    std::vector<uint32_t> served(requests.sent.size(), 0);
    for (const Asked& transaction : asked) {
      ASSERT_TRUE(transaction.version.is_ready()) << "seed " << seed;
      const auto index = static_cast<size_t>(transaction.version.get());
      ASSERT_LT(index, requests.sent.size());
      EXPECT_GT(requests.sent[index].sent_at, transaction.asked_at)
          << "seed " << seed << ": answered by a request sent before it asked";
      ++served[index];
    }
    for (size_t i = 0; i < requests.sent.size(); ++i)
      EXPECT_EQ(served[i], requests.sent[i].transaction_count) << "seed " << seed;
    EXPECT_LT(requests.sent.size(), asked.size()) << "seed " << seed << ": nothing was shared";
  }
}

}  // namespace
}  // namespace strata
