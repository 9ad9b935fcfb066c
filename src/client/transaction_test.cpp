// The checks a transaction makes before anything reaches a server: FoundationDB's limits
// and argument rules, with its error codes and a message that names the offending key.
// None of these calls touches the network, so the database is never started.

#include "strata/transaction.h"

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "client/database_context.h"
#include "rpc/transport.h"
#include "runtime/sim/simulator.h"
#include "strata/database.h"

namespace strata {
namespace {

Transaction make_transaction() {
  auto connection = ClusterConnectionString::parse("test:id@127.0.0.1:4500");
  return Transaction(std::make_shared<DatabaseContext>(connection));
}

// The error `call` throws; fails the test if it throws none.
template <class Call>
Error error_of(Call call) {
  try {
    call();
  } catch (Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorCode::success);
}

// The little-endian position suffix of a versionstamped parameter.
std::string position(uint32_t at) {
  std::string suffix(4, '\0');
  for (size_t i = 0; i < 4; ++i)
    suffix[i] = static_cast<char>(at >> (8 * i));
  return suffix;
}

const std::string placeholder(10, '\0');

TEST(TransactionLimits, KeyTooLargeNamesTheKey) {
  Transaction tr = make_transaction();
  std::string key = "big/" + std::string(key_size_limit, 'k');
  Error error = error_of([&] { tr.set(key, "v"); });
  EXPECT_EQ(error.code(), ErrorCode::key_too_large);
  EXPECT_EQ(static_cast<int>(error.code()), 2102);
  EXPECT_NE(error.message().find("big/kkk"), std::string::npos) << error.message();
  EXPECT_EQ(error_of([&] { tr.clear(key); }).code(), ErrorCode::key_too_large);
  EXPECT_EQ(error_of([&] { tr.atomic_op(key, "x", MutationType::add); }).code(),
            ErrorCode::key_too_large);
  // Exactly at the limit is fine.
  tr.set(std::string(key_size_limit, 'k'), "v");
}

TEST(TransactionLimits, ValueTooLargeNamesTheKey) {
  Transaction tr = make_transaction();
  Error error = error_of([&] { tr.set("the-key", std::string(value_size_limit + 1, 'v')); });
  EXPECT_EQ(static_cast<int>(error.code()), 2103);
  EXPECT_NE(error.message().find("the-key"), std::string::npos) << error.message();
  EXPECT_EQ(error_of([&] {
              tr.atomic_op("the-key", std::string(value_size_limit + 1, 'v'),
                           MutationType::append_if_fits);
            }).code(),
            ErrorCode::value_too_large);
  tr.set("the-key", std::string(value_size_limit, 'v'));
}

TEST(TransactionLimits, TransactionTooLargeFailsTheCommit) {
  Transaction tr = make_transaction();
  for (int i = 0; i < 101; ++i)
    tr.set("key" + std::to_string(i), std::string(value_size_limit, 'v'));
  Future<Void> commit = tr.commit();
  ASSERT_TRUE(commit.is_ready());
  ASSERT_TRUE(commit.is_error());
  EXPECT_EQ(static_cast<int>(commit.error().code()), 2101);
  EXPECT_GT(tr.approximate_size(), transaction_size_limit);
}

TEST(TransactionLimits, SizeLimitOptionLowersTheLimit) {
  Transaction tr = make_transaction();
  EXPECT_EQ(static_cast<int>(error_of([&] { tr.set_size_limit(31); }).code()), 2006);
  EXPECT_EQ(error_of([&] { tr.set_size_limit(10'000'001); }).code(),
            ErrorCode::invalid_option_value);
  tr.set_size_limit(100);
  tr.set("key", std::string(200, 'v'));
  Future<Void> commit = tr.commit();
  ASSERT_TRUE(commit.is_ready());
  ASSERT_TRUE(commit.is_error());
  EXPECT_EQ(commit.error().code(), ErrorCode::transaction_too_large);
  EXPECT_NE(commit.error().message().find("limit is 100"), std::string::npos)
      << commit.error().message();
}

TEST(TransactionOptions, RetryLimitMakesOnErrorThrow) {
  Transaction tr = make_transaction();
  EXPECT_EQ(error_of([&] { tr.set_retry_limit(-2); }).code(), ErrorCode::invalid_option_value);
  EXPECT_EQ(error_of([&] { tr.set_max_retry_delay_ms(-1); }).code(),
            ErrorCode::invalid_option_value);
  // transaction_too_old is retried at once, without a delay, so no loop is needed here.
  tr.set_retry_limit(1);
  Future<Void> first = tr.on_error(Error(ErrorCode::transaction_too_old));
  ASSERT_TRUE(first.is_ready());
  EXPECT_FALSE(first.is_error());
  Future<Void> second = tr.on_error(Error(ErrorCode::transaction_too_old));
  ASSERT_TRUE(second.is_ready());
  ASSERT_TRUE(second.is_error());
  EXPECT_EQ(second.error().code(), ErrorCode::transaction_too_old);
  // reset() clears the option and the count.
  tr.reset();
  for (int i = 0; i < 3; ++i) {
    Future<Void> retried = tr.on_error(Error(ErrorCode::future_version));
    ASSERT_TRUE(retried.is_ready());
    EXPECT_FALSE(retried.is_error());
  }
  // Errors that are not retryable are thrown back whatever the limit.
  Future<Void> fatal = tr.on_error(Error(ErrorCode::key_too_large));
  ASSERT_TRUE(fatal.is_ready());
  EXPECT_EQ(fatal.error().code(), ErrorCode::key_too_large);
}

TEST(TransactionErrors, PredicatesAndOnErrorFollowFoundationDB) {
  const std::vector<ErrorCode> maybe_committed = {ErrorCode::commit_unknown_result,
                                                  ErrorCode::cluster_version_changed};
  const std::vector<ErrorCode> not_committed = {ErrorCode::not_committed,
                                                ErrorCode::transaction_too_old,
                                                ErrorCode::future_version,
                                                ErrorCode::database_locked,
                                                ErrorCode::grv_proxy_memory_limit_exceeded,
                                                ErrorCode::commit_proxy_memory_limit_exceeded,
                                                ErrorCode::batch_transaction_throttled,
                                                ErrorCode::process_behind,
                                                ErrorCode::tag_throttled,
                                                ErrorCode::proxy_tag_throttled};
  for (ErrorCode code : maybe_committed) {
    EXPECT_TRUE(error_maybe_committed(code)) << error_name(code);
    EXPECT_FALSE(error_retryable_not_committed(code)) << error_name(code);
    EXPECT_TRUE(error_retryable(code)) << error_name(code);
  }
  for (ErrorCode code : not_committed) {
    EXPECT_FALSE(error_maybe_committed(code)) << error_name(code);
    EXPECT_TRUE(error_retryable_not_committed(code)) << error_name(code);
    EXPECT_TRUE(error_retryable(code)) << error_name(code);
  }
  for (ErrorCode code : {ErrorCode::transaction_timed_out, ErrorCode::transaction_cancelled,
                         ErrorCode::key_too_large, ErrorCode::too_many_watches,
                         ErrorCode::operation_cancelled, ErrorCode::internal_error}) {
    EXPECT_FALSE(error_retryable(code)) << error_name(code);
  }
  // on_error gives back what it does not retry: cluster_version_changed (the multi-version
  // client's to handle) and every non-retryable error; the transaction is then cancelled
  // until reset().
  Transaction tr = make_transaction();
  for (ErrorCode code : {ErrorCode::cluster_version_changed, ErrorCode::transaction_timed_out,
                         ErrorCode::transaction_cancelled}) {
    tr.reset();
    Future<Void> result = tr.on_error(Error(code));
    ASSERT_TRUE(result.is_ready());
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code(), code);
    Future<Void> after = tr.on_error(Error(ErrorCode::not_committed));
    ASSERT_TRUE(after.is_ready());
    ASSERT_TRUE(after.is_error());
    EXPECT_EQ(after.error().code(), ErrorCode::transaction_cancelled);
  }
}

TEST(TransactionLimits, SystemKeysAreRefused) {
  Transaction tr = make_transaction();
  EXPECT_EQ(error_of([&] { tr.set("\xff/x", "v"); }).code(), ErrorCode::key_outside_legal_range);
  EXPECT_EQ(error_of([&] { tr.clear_range("a", "\xff\x01"); }).code(),
            ErrorCode::key_outside_legal_range);
  EXPECT_EQ(error_of([&] { tr.clear_range("b", "a"); }).code(), ErrorCode::inverted_range);
  // The whole user keyspace may be cleared.
  tr.clear_range("", "\xff");
}

TEST(TransactionConflictRanges, AreCheckedAndCountTowardsTheSize) {
  Transaction tr = make_transaction();
  EXPECT_EQ(error_of([&] { tr.add_read_conflict_range("b", "a"); }).code(),
            ErrorCode::inverted_range);
  EXPECT_EQ(error_of([&] { tr.add_write_conflict_range("a", "\xff\x01"); }).code(),
            ErrorCode::key_outside_legal_range);
  EXPECT_EQ(error_of([&] { tr.add_read_conflict_key("\xff"); }).code(),
            ErrorCode::key_outside_legal_range);
  size_t before = tr.approximate_size();
  tr.add_read_conflict_range("a", "a");  // empty: nothing
  EXPECT_EQ(tr.approximate_size(), before);
  tr.add_read_conflict_range("a", "c");
  tr.add_write_conflict_key("k");
  EXPECT_GT(tr.approximate_size(), before);
  tr.add_read_conflict_range("", "\xff");  // the whole user keyspace is allowed
}

// FoundationDB's get_approximate_size sums what every operation added: a clear over earlier
// writes, or a conflict range that merges with others, never makes it smaller.
TEST(TransactionLimits, ApproximateSizeAddsUpEveryOperation) {
  Transaction tr = make_transaction();
  tr.set("k", std::string(100'000, 'v'));
  const size_t after_set = tr.approximate_size();
  EXPECT_GE(after_set, 100'001u);
  tr.clear_range("a", "z");
  EXPECT_GT(tr.approximate_size(), after_set);
  const size_t after_clear = tr.approximate_size();
  tr.add_read_conflict_range("a", "b");
  tr.add_read_conflict_range("a", "c");  // covers the first
  EXPECT_EQ(tr.approximate_size(), after_clear + 2 + 2);
  tr.reset();
  EXPECT_EQ(tr.approximate_size(), 0u);
}

TEST(TransactionOptions, ReadYourWritesDisableMustComeFirst) {
  Transaction tr = make_transaction();
  tr.set_read_your_writes_disable();
  tr.set("k", "v");
  Error error = error_of([&] { tr.set_read_your_writes_disable(); });
  EXPECT_EQ(static_cast<int>(error.code()), 2000);
  // Without it, a read of a key the transaction set answers from its own writes at once,
  // without a database (the simulation workloads check the option's effect on reads).
  Transaction other = make_transaction();
  other.set("k", "v");
  Future<std::optional<Value>> own = other.get("k");
  ASSERT_TRUE(own.is_ready());
  EXPECT_EQ(own.get(), std::optional<Value>("v"));
}

TEST(RangeLimits, StreamingModesAsFoundationDB) {
  auto bytes = [](int target, StreamingMode mode, int iteration = 1) {
    return range_limits(0, target, mode, iteration).bytes;
  };
  EXPECT_EQ(bytes(0, StreamingMode::small), 256);
  EXPECT_EQ(bytes(0, StreamingMode::medium), 1000);
  EXPECT_EQ(bytes(0, StreamingMode::large), 4096);
  EXPECT_EQ(bytes(0, StreamingMode::serial), 80'000);
  EXPECT_EQ(bytes(0, StreamingMode::want_all), 80'000);
  EXPECT_EQ(bytes(0, StreamingMode::iterator, 1), 4096);
  EXPECT_EQ(bytes(0, StreamingMode::iterator, 2), 6144);
  EXPECT_EQ(bytes(0, StreamingMode::iterator, 10), 120'000);
  EXPECT_EQ(bytes(0, StreamingMode::iterator, 1000), 120'000);
  // A target below the mode's caps it; exact has no cap of its own.
  EXPECT_EQ(bytes(100, StreamingMode::large), 100);
  EXPECT_EQ(bytes(5000, StreamingMode::large), 4096);
  EXPECT_EQ(bytes(5000, StreamingMode::exact), 5000);
  EXPECT_EQ(range_limits(7, 0, StreamingMode::exact, 0).rows, 7);
  EXPECT_EQ(range_limits(7, 0, StreamingMode::exact, 0).bytes, 0);

  auto code = [](int limit, int target, StreamingMode mode, int iteration) {
    return static_cast<int>(error_of([&] { range_limits(limit, target, mode, iteration); }).code());
  };
  EXPECT_EQ(code(0, 0, StreamingMode::exact, 0), 2210);
  EXPECT_EQ(code(-1, 0, StreamingMode::small, 0), 2012);
  EXPECT_EQ(code(0, -1, StreamingMode::small, 0), 2012);
  EXPECT_EQ(code(0, 0, StreamingMode::iterator, 0), 2000);
  EXPECT_EQ(code(0, 0, static_cast<StreamingMode>(5), 1), 2000);
}

TEST(TransactionKeySelectors, SystemKeysAreRefused) {
  Transaction tr = make_transaction();
  Future<Key> key = tr.get_key(KeySelector::first_greater_or_equal("\xff/x"));
  EXPECT_TRUE(key.is_ready() && key.error().is(ErrorCode::key_outside_legal_range));
  Future<RangeResult> rows = tr.get_range(KeySelector::first_greater_or_equal("a"),
                                          KeySelector::first_greater_or_equal("b"), {-1, 0});
  EXPECT_TRUE(rows.is_ready() && rows.error().is(ErrorCode::range_limits_invalid));
  EXPECT_EQ(KeySelector::last_less_or_equal("k"), (KeySelector{"k", true, 0}));
  EXPECT_EQ(KeySelector::first_greater_than("k"), (KeySelector{"k", true, 1}));
}

TEST(TransactionAtomicOps, OnlyAtomicTypesAreAccepted) {
  Transaction tr = make_transaction();
  Error error = error_of([&] { tr.atomic_op("k", "v", MutationType::set_value); });
  EXPECT_EQ(static_cast<int>(error.code()), 2018);
  EXPECT_EQ(error_of([&] { tr.atomic_op("k", "v", static_cast<MutationType>(3)); }).code(),
            ErrorCode::invalid_mutation_type);
  tr.atomic_op("k", "\x01", MutationType::add);
}

TEST(TransactionAtomicOps, VersionstampPlaceholderMustFit) {
  Transaction tr = make_transaction();
  auto stamped_key = [&](const std::string& key) {
    return error_of([&] { tr.atomic_op(key, "v", MutationType::set_versionstamped_key); });
  };
  EXPECT_EQ(static_cast<int>(stamped_key("abc").code()), 2000);
  EXPECT_EQ(stamped_key("k" + placeholder + position(2)).code(),
            ErrorCode::client_invalid_operation);
  EXPECT_EQ(error_of([&] {
              tr.atomic_op("k", "short" + position(0), MutationType::set_versionstamped_value);
            }).code(),
            ErrorCode::client_invalid_operation);
  // A versionstamped key may not land in the system keyspace.
  tr.atomic_op("\xfe" + placeholder + position(1), "v", MutationType::set_versionstamped_key);
  EXPECT_EQ(stamped_key(placeholder + position(0)).code(), ErrorCode::key_outside_legal_range);
  // The 4-byte position does not count against the key's limit.
  std::string longest = std::string(key_size_limit - 10, 'k') + placeholder;
  tr.atomic_op(longest + position(key_size_limit - 10), "v", MutationType::set_versionstamped_key);
  EXPECT_EQ(stamped_key("k" + longest + position(key_size_limit - 9)).code(),
            ErrorCode::key_too_large);
}

TEST(TransactionAtomicOps, VersionstampedValueMakesTheKeyUnreadable) {
  Transaction tr = make_transaction();
  tr.atomic_op("k", placeholder + position(0), MutationType::set_versionstamped_value);
  Future<std::optional<Value>> read = tr.get("k");
  ASSERT_TRUE(read.is_ready());
  ASSERT_TRUE(read.is_error());
  EXPECT_EQ(static_cast<int>(read.error().code()), 1036);
}

TEST(TransactionVersionstamp, ResetFailsAnOutstandingRequest) {
  Transaction tr = make_transaction();
  Future<std::string> stamp = tr.get_versionstamp();
  EXPECT_FALSE(stamp.is_ready());
  tr.reset();
  ASSERT_TRUE(stamp.is_ready());
  EXPECT_EQ(stamp.error().code(), ErrorCode::transaction_cancelled);
}

TEST(TransactionVersionstamp, ReadOnlyCommitHasNone) {
  Transaction tr = make_transaction();
  Future<std::string> stamp = tr.get_versionstamp();
  Future<Void> commit = tr.commit();
  ASSERT_TRUE(commit.is_ready());
  EXPECT_FALSE(commit.is_error());
  ASSERT_TRUE(stamp.is_ready());
  EXPECT_EQ(static_cast<int>(stamp.error().code()), 2021);
}

// Runs `body` in a simulated client process whose cluster never answers (nothing listens
// at the coordinator's address), so every read stays pending until something ends it.
void run_with_unreachable_cluster(std::function<Future<Void>(Database)> body) {
  sim::Simulator simulator(7);
  sim::SimMachine& machine = simulator.add_machine("client", "z1");
  Promise<Void> done;
  simulator.add_process(machine, "client", 1, "/c", [&]() -> Future<Void> {
    Transport::install(NetworkAddress());
    Database database = Database::open(ClusterConnectionString::parse("test:id@10.9.9.9:4500"));
    co_await body(database);
    done.send(Void{});
  });
  ASSERT_TRUE(simulator.run_until(done.get_future(), 100));
}

TEST(TransactionControls, TimeoutFailsPendingAndLaterUsesUntilReset) {
  run_with_unreachable_cluster([](Database database) -> Future<Void> {
    Transaction tr = database.create_transaction();
    tr.set_timeout_ms(500);
    double started = now();
    std::optional<Error> failure;
    try {
      co_await tr.get("k");
    } catch (Error& error) {
      failure = error;
    }
    EXPECT_TRUE(failure && failure->is(ErrorCode::transaction_timed_out));
    if (!failure) co_return;
    EXPECT_NEAR(now() - started, 0.5, 0.01);
    EXPECT_EQ(static_cast<int>(error_of([&] { tr.set("k", "v"); }).code()), 1031);
    Future<Void> retried = tr.on_error(*failure);
    EXPECT_TRUE(retried.is_ready() && retried.is_error());  // not retryable
    tr.reset();
    tr.set("k", "v");  // usable again, without a timeout
  });
}

TEST(TransactionControls, CancelFailsPendingAndLaterUses) {
  run_with_unreachable_cluster([](Database database) -> Future<Void> {
    Transaction tr = database.create_transaction();
    Future<std::optional<Value>> read = tr.get("k");
    co_await delay(1.0);
    EXPECT_FALSE(read.is_ready());
    tr.cancel();
    EXPECT_TRUE(read.is_ready() && static_cast<int>(read.error().code()) == 1025);
    EXPECT_EQ(error_of([&] { tr.clear("k"); }).code(), ErrorCode::transaction_cancelled);
    Future<Void> commit = tr.commit();
    EXPECT_TRUE(commit.is_ready() && commit.error().is(ErrorCode::transaction_cancelled));
    tr.reset();
    tr.clear("k");
  });
}

}  // namespace
}  // namespace strata
