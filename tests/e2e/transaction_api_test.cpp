// The transaction API against a real strata-server: watches (across a kill -9 of the
// server too), estimated range sizes and split points, addresses for a key, the system
// keyspace options, next_write_no_write_conflict_range, read-version options, and the
// status document at \xff\xff/status/json.

#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>

#include "child_process.h"
#include "client_thread.h"
#include "runtime/combinators.h"
#include "strata/database.h"

namespace strata {
namespace {

using testing::ChildProcess;
using testing::run_client;
using testing::TemporaryDirectory;

// Only against hangs: nothing here is timed.
constexpr double hang_guard_s = 120;

class TransactionApiTest : public ::testing::Test {
 protected:
  void SetUp() override { start_server(); }

  void start_server() {
    if (listen_.empty()) listen_ = "127.0.0.1:" + std::to_string(testing::free_loopback_port());
    server_ = std::make_unique<ChildProcess>(
        STRATA_SERVER_PATH, std::vector<std::string>{"--listen", listen_}, directory_.path());
    ASSERT_TRUE(server_->wait_for_line("listening on", hang_guard_s)) << server_->transcript();
  }

  void kill_server() {
    server_->send_signal(SIGKILL);
    EXPECT_EQ(server_->wait(hang_guard_s), 128 + SIGKILL);
    server_.reset();
  }

  Database open() const {
    return Database::open(testing::cluster_file_at(directory_.path() + "/strata.cluster"));
  }

  // The error `operation` fails with at once, thrown or in the future it returns (nullopt
  // if none).
  template <class Operation>
  static std::optional<ErrorCode> error_of(Operation operation) {
    try {
      if constexpr (std::is_void_v<decltype(operation())>) {
        operation();
      } else {
        auto result = operation();
        if (result.is_ready() && result.is_error()) return result.error().code();
      }
    } catch (Error& error) {
      return error.code();
    }
    return std::nullopt;
  }

  TemporaryDirectory directory_;
  std::string listen_;
  std::unique_ptr<ChildProcess> server_;
};

Future<Void> set_key(Database database, std::string key, std::string value) {
  co_await timeout_error(database.run([&](Transaction& tr) -> Future<Void> {
    tr.set(key, value);
    co_return;
  }),
                         hang_guard_s);
}

// A committed watch on `key`, as it is now.
Future<Future<Void>> committed_watch(Database database, std::string key) {
  Transaction tr = database.create_transaction();
  co_await timeout_error(tr.get(key), hang_guard_s);
  Future<Void> watch = tr.watch(key);
  co_await timeout_error(tr.commit(), hang_guard_s);
  co_return watch;
}

TEST_F(TransactionApiTest, WatchFiresOnAChangeAndNotBefore) {
  run_client([&]() -> Future<Void> {
    Database database = open();
    co_await set_key(database, "w/key", "one");
    Future<Void> watch = co_await committed_watch(database, "w/key");
    // Writing the same value is no change; another key is none either.
    co_await set_key(database, "w/key", "one");
    co_await set_key(database, "w/other", "x");
    co_await delay(0.5);
    EXPECT_FALSE(watch.is_ready()) << "the watch fired without a change";
    co_await set_key(database, "w/key", "two");
    co_await timeout_error(watch, hang_guard_s);

    // A change between the read and the commit counts too.
    Transaction tr = database.create_transaction();
    co_await tr.get("w/key");
    Future<Void> early = tr.watch("w/key");
    co_await set_key(database, "w/key", "three");
    co_await tr.commit();
    co_await timeout_error(early, hang_guard_s);

    // The transaction's own write after creating the watch fires it once committed.
    Transaction own = database.create_transaction();
    Future<Void> mine = own.watch("w/key");
    own.set("w/key", "four");
    co_await own.commit();
    co_await timeout_error(mine, hang_guard_s);

    // But not when it wrote the very value the watch compares with; a later change does.
    co_await set_key(database, "w/key", "0");
    Transaction same = database.create_transaction();
    Future<Void> unchanged = same.watch("w/key");
    same.set("w/key", "0");
    co_await same.commit();
    co_await delay(1.0);
    EXPECT_FALSE(unchanged.is_ready()) << "the watch fired on its own write of the same value";
    co_await set_key(database, "w/key", "1");
    co_await timeout_error(unchanged, hang_guard_s);
  });
}

TEST_F(TransactionApiTest, WatchSurvivesAKillOfTheServer) {
  run_client([&]() -> Future<Void> {
    Database database = open();
    co_await set_key(database, "w/restart", "before");
    Future<Void> watch = co_await committed_watch(database, "w/restart");
    kill_server();
    start_server();
    EXPECT_FALSE(watch.is_ready())
        << "the watch finished although nothing changed"
        << (watch.is_ready() && watch.is_error() ? ": " + watch.error().message() : std::string());
    co_await set_key(database, "w/restart", "after");
    co_await timeout_error(watch, hang_guard_s);
  });
}

TEST_F(TransactionApiTest, WatchLimitAndDisabledWatches) {
  run_client([&]() -> Future<Void> {
    Database database = open();
    database.set_max_watches(1);
    Transaction tr = database.create_transaction();
    Future<Void> first = tr.watch("w/a");
    Future<Void> second = tr.watch("w/b");
    EXPECT_TRUE(second.is_error() && second.error().is(ErrorCode::too_many_watches));
    EXPECT_EQ(error_of([&] { database.set_max_watches(-1); }), ErrorCode::invalid_option_value);
    Transaction no_ryw = database.create_transaction();
    no_ryw.set_read_your_writes_disable();
    EXPECT_EQ(error_of([&] { return no_ryw.watch("w/a"); }), ErrorCode::watches_disabled);
    co_return;
  });
}

TEST_F(TransactionApiTest, EstimatedRangeSizeAndSplitPoints) {
  run_client([&]() -> Future<Void> {
    Database database = open();
    int64_t total = 0;
    co_await timeout_error(database.run([&](Transaction& tr) -> Future<Void> {
      total = 0;
      for (int i = 0; i < 100; ++i) {
        std::string key = "size/" + std::to_string(1000 + i);
        tr.set(key, std::string(1000, 'v'));
        total += static_cast<int64_t>(key.size() + 1000);
      }
      co_return;
    }),
                           hang_guard_s);
    // The storage server applies the commit shortly after it is acknowledged.
    int64_t estimate = -1;
    for (int attempt = 0; attempt < 400 && estimate != total; ++attempt) {
      Transaction tr = database.create_transaction();
      estimate =
          co_await timeout_error(tr.get_estimated_range_size_bytes("size/", "size0"), hang_guard_s);
      if (estimate != total) co_await delay(0.05);
    }
    EXPECT_EQ(estimate, total);
    Transaction tr = database.create_transaction();
    std::vector<Key> points =
        co_await timeout_error(tr.get_range_split_points("size/", "size0", 10'000), hang_guard_s);
    EXPECT_GE(points.size(), 3u);
    if (points.size() < 3) co_return;
    EXPECT_EQ(points.front(), "size/");
    EXPECT_EQ(points.back(), "size0");
    for (size_t i = 1; i < points.size(); ++i)
      EXPECT_LT(points[i - 1], points[i]);
    // About one point per 10,000 bytes: 100 rows of 1,009 bytes make 10 chunks.
    EXPECT_EQ(points.size(), 2u + 10u - 1u);
    EXPECT_EQ(error_of([&] { return tr.get_range_split_points("size/", "size0", 0); }),
              ErrorCode::invalid_option_value);
    EXPECT_EQ(error_of([&] { return tr.get_estimated_range_size_bytes("b", "a"); }),
              ErrorCode::inverted_range);
  });
}

TEST_F(TransactionApiTest, AddressesForAKeyNameTheServer) {
  run_client([&]() -> Future<Void> {
    Database database = open();
    Transaction tr = database.create_transaction();
    std::vector<std::string> addresses =
        co_await timeout_error(tr.get_addresses_for_key("anything"), hang_guard_s);
    EXPECT_EQ(addresses, std::vector<std::string>{listen_});
  });
}

TEST_F(TransactionApiTest, SystemKeysNeedTheirOptions) {
  run_client([&]() -> Future<Void> {
    Database database = open();
    const std::string system_key = std::string("\xff", 1) + "/app/config";
    Transaction plain = database.create_transaction();
    EXPECT_EQ(error_of([&] { plain.set(system_key, "v"); }), ErrorCode::key_outside_legal_range);
    EXPECT_EQ(error_of([&] { return plain.get_range("a", std::string("\xff\x01", 2)); }),
              ErrorCode::key_outside_legal_range);
    EXPECT_EQ(error_of([&] { return plain.get(system_key); }), ErrorCode::key_outside_legal_range);

    Transaction writer = database.create_transaction();
    writer.set_access_system_keys();
    writer.set(system_key, "v");
    // System keys may be up to 30,000 bytes long.
    writer.set(system_key + std::string(20'000, 'x'), "long");
    EXPECT_EQ(error_of([&] { writer.set(system_key + std::string(30'000, 'x'), "v"); }),
              ErrorCode::key_too_large);
    co_await timeout_error(writer.commit(), hang_guard_s);

    Transaction reader = database.create_transaction();
    reader.set_read_system_keys();
    std::optional<Value> value = co_await timeout_error(reader.get(system_key), hang_guard_s);
    EXPECT_EQ(value, std::optional<Value>("v"));
    RangeResult rows = co_await timeout_error(
        reader.get_range(std::string("\xff", 1) + "/app/", std::string("\xff", 1) + "/app0"),
        hang_guard_s);
    EXPECT_EQ(rows.rows.size(), 2u);
    // The database's own rows are there too: its shard map, in FoundationDB's layout.
    RangeResult map =
        co_await timeout_error(reader.get_range(std::string("\xff", 1) + "/keyServers/",
                                                std::string("\xff", 1) + "/keyServers0"),
                               hang_guard_s);
    EXPECT_GE(map.rows.size(), 2u);
    if (!map.rows.empty()) EXPECT_EQ(map.rows.front().key, std::string("\xff", 1) + "/keyServers/");
    if (!map.rows.empty())
      EXPECT_EQ(map.rows.back().key, std::string("\xff", 1) + "/keyServers/\xff\xff");
    EXPECT_EQ(error_of([&] { reader.set(system_key, "w"); }), ErrorCode::key_outside_legal_range);
    // A selector past the last key clamps at \xff\xff with system access, \xff without.
    Key last = co_await timeout_error(
        reader.get_key(KeySelector{std::string("\xff\xff", 2), false, 1}), hang_guard_s);
    EXPECT_EQ(last, std::string("\xff\xff", 2));
  });
}

TEST_F(TransactionApiTest, NextWriteWithoutWriteConflictRange) {
  run_client([&]() -> Future<Void> {
    Database database = open();
    // Without the option, a write into what another transaction read makes it conflict;
    // with it, the same write does not.
    for (bool skip_conflict : {false, true}) {
      Transaction reader = database.create_transaction();
      co_await timeout_error(reader.get("nc/key"), hang_guard_s);
      Transaction writer = database.create_transaction();
      if (skip_conflict) writer.set_next_write_no_write_conflict_range();
      writer.set("nc/key", "written");
      co_await timeout_error(writer.commit(), hang_guard_s);
      reader.set("nc/other", "x");
      std::optional<ErrorCode> failure;
      try {
        co_await timeout_error(reader.commit(), hang_guard_s);
      } catch (Error& error) {
        failure = error.code();
      }
      if (skip_conflict) {
        EXPECT_EQ(failure, std::nullopt) << "the write added a conflict range anyway";
      } else {
        EXPECT_EQ(failure, ErrorCode::not_committed);
      }
    }
  });
}

TEST_F(TransactionApiTest, ReadVersionOptionsStillSeeEveryAcknowledgedCommit) {
  run_client([&]() -> Future<Void> {
    Database database = open();
    Transaction writer = database.create_transaction();
    writer.set("rv/key", "x");
    co_await timeout_error(writer.commit(), hang_guard_s);
    for (int variant = 0; variant < 4; ++variant) {
      Transaction tr = database.create_transaction();
      if (variant == 0) tr.set_priority(ReadVersionPriority::batch);
      if (variant == 1) tr.set_priority(ReadVersionPriority::immediate);
      if (variant == 2) tr.set_causal_read_risky();
      if (variant == 3) tr.set_lock_aware();
      Version version = co_await timeout_error(tr.get_read_version(), hang_guard_s);
      EXPECT_GE(version, writer.committed_version()) << "variant " << variant;
      std::optional<Value> value = co_await timeout_error(tr.get("rv/key"), hang_guard_s);
      EXPECT_EQ(value, std::optional<Value>("x"));
    }
  });
}

TEST_F(TransactionApiTest, StatusJsonIsTheClusterStatusDocument) {
  run_client([&]() -> Future<Void> {
    Database database = open();
    std::string status;
    for (int attempt = 0; attempt < 400; ++attempt) {
      Transaction tr = database.create_transaction();
      std::optional<Value> value =
          co_await timeout_error(tr.get(std::string("\xff\xff", 2) + "/status/json"), hang_guard_s);
      EXPECT_TRUE(value.has_value());
      status = value.value_or("");
      if (status.find("\"fully_recovered\"") != std::string::npos) break;
      co_await delay(0.05);
    }
    EXPECT_NE(status.find("\"fully_recovered\""), std::string::npos) << status;
    EXPECT_NE(status.find("\"database_available\":true"), std::string::npos) << status;
    EXPECT_EQ(status.front(), '{');
  });
}

}  // namespace
}  // namespace strata
