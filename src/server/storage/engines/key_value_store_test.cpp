// The storage engines on the real backend: one conformance suite run against memory and
// rocksdb (changes, clears, binary keys, range reads with limits, durability across
// reopening, large values), then the memory engine's snapshot, pops and corruption
// handling, and the refusal of rocksdb in simulation.

#include "server/storage/engines/key_value_store.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>  // lint: allows file because the test removes its scratch directory
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "runtime/random.h"
#include "runtime/real/real_environment.h"
#include "runtime/sim/simulator.h"
#include "server/disk/disk_queue.h"
#include "server/server_knobs.h"
#include "server/storage/engines/memory_store.h"

namespace strata {

// Names the engine in parameterized test names and messages.
void PrintTo(StorageEngine engine, std::ostream* out) {
  *out << storage_engine_name(engine);
}

namespace {

using Model = std::map<std::string, std::string>;

// Runs `body(directory)` as an actor on a fresh real environment until it finishes, with
// a scratch directory that is removed afterwards.
template <class Body>
void run_in_directory(Body body) {
  real::RealEnvironment environment;
  std::string directory =
      ::testing::TempDir() + "strata-kv-" + environment.random().unique_id().to_string();
  std::optional<Error> failure;
  auto wrapper = [&]() -> Future<Void> {
    try {
      co_await body(directory);
    } catch (Error& error) {
      failure = error;
    }
    env().stop();
  };
  Future<Void> done = wrapper();
  environment.run();
  std::filesystem::remove_all(directory);  // lint: allows file because it is test cleanup
  ASSERT_FALSE(failure) << failure->message();
}

// Restores the server knobs a test changed.
class ServerKnobsGuard {
 public:
  ServerKnobsGuard() : saved_(server_knobs()) {}
  ~ServerKnobsGuard() { server_knobs() = saved_; }

 private:
  ServerKnobs saved_;
};

// Every key the tests use.
KeyRange everything() {
  return KeyRange{"", std::string(3, '\xff')};
}

// Every pair of the store, read a few rows at a time so that paging is exercised too.
Future<Model> read_all(KeyValueStore& store) {
  Model contents;
  KeyRange rest = everything();
  while (true) {
    RangeReadResult page = co_await store.read_range(rest, 7, 1 << 30, false);
    for (const KeyValue& pair : page.rows)
      contents[pair.key] = pair.value;
    if (!page.more) break;
    rest.begin = page.rows.back().key + std::string(1, '\0');
  }
  co_return contents;
}

// What a range read must return, computed from a model.
RangeReadResult expected_range(const Model& model, const KeyRange& range, int row_limit,
                               int64_t byte_limit, bool reverse) {
  std::vector<KeyValue> in_range;
  for (const auto& [key, value] : model) {
    if (range.contains(key)) in_range.push_back(KeyValue{key, value});
  }
  if (reverse) std::reverse(in_range.begin(), in_range.end());
  RangeReadResult result;
  int64_t bytes = 0;
  for (const KeyValue& pair : in_range) {
    if (static_cast<int>(result.rows.size()) == row_limit || bytes >= byte_limit) {
      result.more = true;
      break;
    }
    result.rows.push_back(pair);
    bytes += static_cast<int64_t>(pair.key.size() + pair.value.size());
  }
  return result;
}

std::string numbered_key(int i) {
  char key[16];
  std::snprintf(key, sizeof(key), "key%05d", i);
  return key;
}

class KeyValueStoreTest : public ::testing::TestWithParam<StorageEngine> {
 protected:
  StorageEngine engine() const { return GetParam(); }
};

std::string engine_test_name(const ::testing::TestParamInfo<StorageEngine>& info) {
  return std::string(storage_engine_name(info.param));
}

TEST_P(KeyValueStoreTest, SetsOverwritesEmptyValuesAndPointReads) {
  run_in_directory([engine = engine()](std::string directory) -> Future<Void> {
    std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
    EXPECT_EQ(store->engine(), engine);
    store->set("a", "1");
    store->set("b", "2");
    store->set("a", "3");
    store->set("empty", "");
    co_await store->commit();
    EXPECT_EQ(co_await store->read_value("a"), std::optional<Value>("3"));
    EXPECT_EQ(co_await store->read_value("b"), std::optional<Value>("2"));
    EXPECT_EQ(co_await store->read_value("empty"), std::optional<Value>(""));
    EXPECT_EQ(co_await store->read_value("missing"), std::nullopt);
    EXPECT_EQ(co_await read_all(*store), (Model{{"a", "3"}, {"b", "2"}, {"empty", ""}}));
  });
}

TEST_P(KeyValueStoreTest, ClearsPointsAndRanges) {
  run_in_directory([engine = engine()](std::string directory) -> Future<Void> {
    std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
    Model model;
    for (int i = 0; i < 10; ++i) {
      store->set(numbered_key(i), "v" + std::to_string(i));
      model[numbered_key(i)] = "v" + std::to_string(i);
    }
    co_await store->commit();
    store->clear(single_key_range(numbered_key(3)));
    store->clear(KeyRange{numbered_key(5), numbered_key(8)});
    store->clear(KeyRange{"zzz", "aaa"});  // inverted: empty, clears nothing
    store->clear(KeyRange{"x", "x"});      // empty
    co_await store->commit();
    for (int i : {3, 5, 6, 7})
      model.erase(numbered_key(i));
    EXPECT_EQ(co_await read_all(*store), model);
    EXPECT_EQ(co_await store->read_value(numbered_key(5)), std::nullopt);
    // A key set again after its clear is back.
    store->clear(KeyRange{"", numbered_key(2)});
    store->set(numbered_key(0), "again");
    co_await store->commit();
    model.erase(numbered_key(1));
    model[numbered_key(0)] = "again";
    EXPECT_EQ(co_await read_all(*store), model);
  });
}

TEST_P(KeyValueStoreTest, BinaryKeysOrderBytewise) {
  run_in_directory([engine = engine()](std::string directory) -> Future<Void> {
    std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
    const std::vector<std::string> keys = {
        std::string(1, '\0'),    std::string("a\0b", 3),     std::string("a"),
        std::string("a\xff", 2), std::string("\x7f"),        std::string("\x80"),
        std::string("\xff"),     std::string("\xff\xff", 2), std::string("\xff\x00\x01", 3)};
    Model model;
    for (const std::string& key : keys) {
      std::string value = key + std::string("\0\xff", 2);
      store->set(key, value);
      model[key] = value;
    }
    co_await store->commit();
    EXPECT_EQ(co_await read_all(*store), model);
    RangeReadResult reversed = co_await store->read_range(everything(), 100, 1 << 20, true);
    EXPECT_EQ(reversed.rows, expected_range(model, everything(), 100, 1 << 20, true).rows);
    // A range between binary bounds.
    KeyRange middle{std::string("a\0", 2), std::string("\xff\x00", 2)};
    RangeReadResult part = co_await store->read_range(middle, 100, 1 << 20, false);
    EXPECT_EQ(part.rows, expected_range(model, middle, 100, 1 << 20, false).rows);
    EXPECT_FALSE(part.more);
    store->clear(KeyRange{std::string(1, '\0'), std::string("a\xff", 2)});
    co_await store->commit();
    EXPECT_EQ(co_await store->read_value(std::string("a\0b", 3)), std::nullopt);
    EXPECT_EQ(co_await store->read_value(std::string("a\xff", 2)),
              std::optional<Value>(model[std::string("a\xff", 2)]));
  });
}

TEST_P(KeyValueStoreTest, RangeReadsHonorRowAndByteLimitsAndReverse) {
  run_in_directory([engine = engine()](std::string directory) -> Future<Void> {
    std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
    // Ten pairs of exactly 10 bytes each: "key0000N" and "vv".
    for (int i = 0; i < 10; ++i)
      store->set(numbered_key(i), "vv");
    co_await store->commit();
    KeyRange all{numbered_key(0), numbered_key(10)};

    RangeReadResult rows = co_await store->read_range(all, 3, 1 << 20, false);
    EXPECT_EQ(rows.rows.size(), 3u);
    EXPECT_TRUE(rows.more);
    EXPECT_EQ(rows.rows.front().key, numbered_key(0));
    EXPECT_EQ(rows.rows.back().key, numbered_key(2));

    // A row limit equal to what is there: nothing more.
    RangeReadResult exact = co_await store->read_range(all, 10, 1 << 20, false);
    EXPECT_EQ(exact.rows.size(), 10u);
    EXPECT_FALSE(exact.more);
    RangeReadResult one_short = co_await store->read_range(all, 9, 1 << 20, false);
    EXPECT_EQ(one_short.rows.size(), 9u);
    EXPECT_TRUE(one_short.more);

    // Byte limits: stop after the pair that reaches the limit.
    RangeReadResult bytes = co_await store->read_range(all, 100, 25, false);
    EXPECT_EQ(bytes.rows.size(), 3u);
    EXPECT_TRUE(bytes.more);
    RangeReadResult bytes_exact = co_await store->read_range(all, 100, 30, false);
    EXPECT_EQ(bytes_exact.rows.size(), 3u);
    EXPECT_TRUE(bytes_exact.more);
    RangeReadResult one_byte = co_await store->read_range(all, 100, 1, false);
    EXPECT_EQ(one_byte.rows.size(), 1u);
    EXPECT_TRUE(one_byte.more);
    // Reaching the byte limit with the last pair: nothing more.
    RangeReadResult all_bytes = co_await store->read_range(all, 100, 100, false);
    EXPECT_EQ(all_bytes.rows.size(), 10u);
    EXPECT_FALSE(all_bytes.more);

    RangeReadResult reverse = co_await store->read_range(all, 4, 1 << 20, true);
    EXPECT_EQ(reverse.rows.size(), 4u);
    EXPECT_TRUE(reverse.more);
    EXPECT_EQ(reverse.rows.front().key, numbered_key(9));
    EXPECT_EQ(reverse.rows.back().key, numbered_key(6));
    RangeReadResult reverse_bytes = co_await store->read_range(all, 100, 11, true);
    EXPECT_EQ(reverse_bytes.rows.size(), 2u);
    EXPECT_TRUE(reverse_bytes.more);
    // The end is excluded, the beginning included, in both directions.
    KeyRange inner{numbered_key(2), numbered_key(5)};
    RangeReadResult inner_reverse = co_await store->read_range(inner, 100, 1 << 20, true);
    EXPECT_EQ(inner_reverse.rows.size(), 3u);
    EXPECT_FALSE(inner_reverse.more);
    EXPECT_EQ(inner_reverse.rows.front().key, numbered_key(4));
    EXPECT_EQ(inner_reverse.rows.back().key, numbered_key(2));

    RangeReadResult empty = co_await store->read_range(KeyRange{"b", "a"}, 5, 5, false);
    EXPECT_TRUE(empty.rows.empty());
    EXPECT_FALSE(empty.more);
    RangeReadResult nothing = co_await store->read_range(KeyRange{"x", "y"}, 5, 5, true);
    EXPECT_TRUE(nothing.rows.empty());
    EXPECT_FALSE(nothing.more);
  });
}

TEST_P(KeyValueStoreTest, RandomChangesAndRangeReadsMatchAModel) {
  run_in_directory([engine = engine()](std::string directory) -> Future<Void> {
    std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
    Random random(11);
    Model model;
    auto random_key = [&random] { return numbered_key(static_cast<int>(random.uniform(0, 200))); };
    for (int round = 0; round < 30; ++round) {
      for (int change = 0; change < 20; ++change) {
        if (random.chance(0.8)) {
          std::string key = random_key();
          std::string value = random.bytes(static_cast<size_t>(random.uniform(0, 40)));
          store->set(key, value);
          model[key] = value;
        } else {
          KeyRange range{random_key(), random_key()};
          store->clear(range);
          if (!range.empty())
            model.erase(model.lower_bound(range.begin), model.lower_bound(range.end));
        }
      }
      co_await store->commit();
      for (int read = 0; read < 10; ++read) {
        KeyRange range{random_key(), random_key()};
        if (random.coinflip()) range.end = everything().end;
        int rows = static_cast<int>(random.uniform(1, 30));
        int64_t bytes = random.uniform(1, 600);
        bool reverse = random.coinflip();
        RangeReadResult got = co_await store->read_range(range, rows, bytes, reverse);
        RangeReadResult want = expected_range(model, range, rows, bytes, reverse);
        EXPECT_EQ(got.rows, want.rows);
        EXPECT_EQ(got.more, want.more);
      }
    }
    EXPECT_EQ(co_await read_all(*store), model);
  });
}

TEST_P(KeyValueStoreTest, CommittedChangesSurviveReopening) {
  run_in_directory([engine = engine()](std::string directory) -> Future<Void> {
    {
      std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
      store->set("kept", "yes");
      store->set("cleared", "soon");
      co_await store->commit();
      store->clear(single_key_range("cleared"));
      store->set("second", "commit");
      co_await store->commit();
      EXPECT_GT(store->storage_bytes().used, 0);
    }
    std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
    EXPECT_EQ(co_await read_all(*store), (Model{{"kept", "yes"}, {"second", "commit"}}));
  });
}

TEST_P(KeyValueStoreTest, UncommittedChangesAreLostExactly) {
  run_in_directory([engine = engine()](std::string directory) -> Future<Void> {
    {
      std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
      store->set("a", "committed");
      store->set("b", "committed");
      co_await store->commit();
      // Closed without a commit: these never happened.
      store->set("a", "uncommitted");
      store->clear(single_key_range("b"));
      store->set("c", "uncommitted");
    }
    {
      std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
      EXPECT_EQ(co_await read_all(*store), (Model{{"a", "committed"}, {"b", "committed"}}));
      store->set("d", "committed later");
      co_await store->commit();
      store->clear(KeyRange{"", "z"});
    }
    std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
    EXPECT_EQ(co_await read_all(*store),
              (Model{{"a", "committed"}, {"b", "committed"}, {"d", "committed later"}}));
  });
}

TEST_P(KeyValueStoreTest, CommitsMadeTogetherApplyInOrder) {
  run_in_directory([engine = engine()](std::string directory) -> Future<Void> {
    {
      std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
      std::vector<Future<Void>> commits;
      for (int i = 0; i < 20; ++i) {
        store->set("counter", std::to_string(i));
        store->set(numbered_key(i), "x");
        commits.push_back(store->commit());
      }
      co_await when_all(std::move(commits));
      EXPECT_EQ(co_await store->read_value("counter"), std::optional<Value>("19"));
    }
    std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
    Model contents = co_await read_all(*store);
    EXPECT_EQ(contents.size(), 21u);
    EXPECT_EQ(contents["counter"], "19");
  });
}

TEST_P(KeyValueStoreTest, LargeValuesAndManyKeys) {
  run_in_directory([engine = engine()](std::string directory) -> Future<Void> {
    Random random(5);
    Model model;
    {
      std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
      for (int i = 0; i < 20; ++i) {
        std::string value = random.bytes(100'000);
        store->set("large" + std::to_string(i), value);
        model["large" + std::to_string(i)] = value;
      }
      co_await store->commit();
      for (int batch = 0; batch < 10; ++batch) {
        for (int i = 0; i < 2000; ++i) {
          std::string key = numbered_key(batch * 2000 + i);
          std::string value = random.bytes(static_cast<size_t>(random.uniform(0, 30)));
          store->set(key, value);
          model[key] = value;
        }
        co_await store->commit();
      }
      RangeReadResult large =
          co_await store->read_range(KeyRange{"large", "largf"}, 100, 250'000, false);
      EXPECT_EQ(large.rows.size(), 3u);
      EXPECT_TRUE(large.more);
    }
    std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
    EXPECT_EQ(co_await store->read_value("large7"), std::optional<Value>(model["large7"]));
    Model contents = co_await read_all(*store);
    EXPECT_EQ(contents.size(), model.size());
    EXPECT_TRUE(contents == model);
  });
}

TEST_P(KeyValueStoreTest, ASecondOpenOfTheDirectoryIsRefused) {
  run_in_directory([engine = engine()](std::string directory) -> Future<Void> {
    std::unique_ptr<KeyValueStore> store = co_await open_key_value_store(engine, directory);
    std::optional<Error> refused;
    try {
      co_await open_key_value_store(engine, directory);
    } catch (Error& error) {
      refused = error;
    }
    EXPECT_TRUE(refused && refused->is(ErrorCode::lock_file_failure))
        << (refused ? refused->message() : "opened twice");
    if (refused) EXPECT_NE(refused->detail().find(directory), std::string_view::npos);
  });
}

INSTANTIATE_TEST_SUITE_P(Engines, KeyValueStoreTest,
                         ::testing::Values(StorageEngine::memory, StorageEngine::rocksdb),
                         engine_test_name);

TEST(StorageEngineTest, NamesParseBackAndUnknownNamesAreRefused) {
  for (StorageEngine engine : {StorageEngine::memory, StorageEngine::rocksdb})
    EXPECT_EQ(parse_storage_engine(storage_engine_name(engine)), engine);
  try {
    parse_storage_engine("leveldb");
    ADD_FAILURE() << "leveldb was accepted";
  } catch (Error& error) {
    EXPECT_TRUE(error.is(ErrorCode::invalid_option_value));
    EXPECT_NE(error.detail().find("leveldb"), std::string_view::npos);
  }
}

TEST(StorageEngineTest, RocksDbIsRefusedInSimulation) {
  sim::Simulator simulator(1);
  Future<std::unique_ptr<KeyValueStore>> opened =
      open_key_value_store(StorageEngine::rocksdb, "/data/store");
  ASSERT_TRUE(opened.is_ready());
  ASSERT_TRUE(opened.is_error());
  EXPECT_TRUE(opened.error().is(ErrorCode::unsupported_operation)) << opened.error().message();
  EXPECT_NE(opened.error().detail().find("/data/store"), std::string_view::npos);
}

// RocksDB's own errors become Strata errors that name the directory.
TEST(RocksDbStoreTest, ADamagedStoreIsFileCorrupt) {
  run_in_directory([](std::string directory) -> Future<Void> {
    {
      std::unique_ptr<KeyValueStore> store =
          co_await open_key_value_store(StorageEngine::rocksdb, directory);
      store->set("a", "b");
      co_await store->commit();
    }
    // CURRENT names the live manifest; without its newline RocksDB calls it corrupt.
    std::shared_ptr<File> current =
        co_await env().open_file(directory + "/CURRENT", open_flags::read_write);
    co_await current->truncate(0);
    co_await current->write(0, "MANIFEST-garbage");
    co_await current->sync();
    std::optional<Error> failure;
    try {
      co_await open_key_value_store(StorageEngine::rocksdb, directory);
    } catch (Error& error) {
      failure = error;
    }
    EXPECT_TRUE(failure && failure->is(ErrorCode::file_corrupt))
        << (failure ? failure->message() : "opened");
    if (failure) EXPECT_NE(failure->detail().find(directory), std::string_view::npos);
  });
}

// Many commits of small changes over a few hundred keys, with a small file target: passes
// complete, the queue is popped and its files are reused, and every reopening replays
// exactly the committed contents.
TEST(MemoryStoreTest, SnapshotPassesCompleteAndTheQueueIsPopped) {
  ServerKnobsGuard knobs;
  server_knobs().memory_store_snapshot_bytes_per_commit = 2048;
  server_knobs().memory_store_snapshot_batch_bytes_max = 512;
  server_knobs().disk_queue_file_bytes_target = 64 * 1024;
  run_in_directory([](std::string directory) -> Future<Void> {
    Random random(3);
    Model model;
    int64_t bytes_on_disk_max = 0;
    uint64_t passes = 0;
    uint64_t pops = 0;
    for (int reopening = 0; reopening < 4; ++reopening) {
      std::unique_ptr<MemoryStore> store = co_await MemoryStore::open(directory);
      EXPECT_EQ(co_await read_all(*store), model);
      for (int commit = 0; commit < 150; ++commit) {
        for (int change = 0; change < 5; ++change) {
          std::string key = numbered_key(static_cast<int>(random.uniform(0, 300)));
          std::string value = random.bytes(static_cast<size_t>(random.uniform(20, 200)));
          store->set(key, value);
          model[key] = value;
        }
        if (random.chance(0.1)) {
          int first = static_cast<int>(random.uniform(0, 300));
          KeyRange range{numbered_key(first), numbered_key(first + 5)};
          store->clear(range);
          model.erase(model.lower_bound(range.begin), model.lower_bound(range.end));
        }
        co_await store->commit();
        co_await yield();
        bytes_on_disk_max = std::max(bytes_on_disk_max, store->queue().bytes_on_disk());
      }
      EXPECT_EQ(store->data_bytes(), [&] {
        int64_t bytes = 0;
        for (const auto& [key, value] : model)
          bytes += static_cast<int64_t>(key.size() + value.size());
        return bytes;
      }());
      EXPECT_GE(store->stats().passes_completed, 3u);
      EXPECT_GE(store->stats().pops, 2u);
      EXPECT_GT(store->queue().popped_location(), 0u);
      passes += store->stats().passes_completed;
      pops += store->stats().pops;
    }
    std::unique_ptr<MemoryStore> store = co_await MemoryStore::open(directory);
    EXPECT_EQ(co_await read_all(*store), model);
    // 600 commits wrote at least 600 pages (2.4 MB); the files stay near the file target
    // plus what the last two passes need.
    EXPECT_LT(bytes_on_disk_max, int64_t{512} * 1024) << "passes " << passes << ", pops " << pops;
    EXPECT_LT(store->stats().records_replayed, 600u * 5);
  });
}

// A record that does not decode, or snapshot records that contradict each other, make the
// store file_corrupt, naming the directory.
TEST(MemoryStoreTest, RecordsThatDoNotDecodeAreFileCorrupt) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"unknown type",
       {std::string("\x63"
                    "abc",
                    4)}},
      {"truncated set",
       {std::string("\x01\x05\x00\x00\x00"
                    "ab",
                    7)}},
      {"trailing bytes",
       {std::string("\x01\x01\x00\x00\x00"
                    "a"
                    "\x01\x00\x00\x00"
                    "b"
                    "zz",
                    13)}},
      {"empty record", {std::string()}},
      {"item outside a pass",
       {std::string("\x03\x01\x00\x00\x00"
                    "a"
                    "\x00\x00\x00\x00",
                    10)}},
      {"end without a begin", {std::string("\x05\x07\x00\x00\x00\x00\x00\x00\x00", 9)}},
  };
  for (const auto& test_case : cases) {
    SCOPED_TRACE(test_case.first);
    const std::vector<std::string>& records = test_case.second;
    run_in_directory([&records](std::string directory) -> Future<Void> {
      co_await env().create_directories(directory);
      {
        DiskQueue::Recovery recovery = co_await DiskQueue::open(directory + "/memory-store");
        for (const std::string& record : records)
          recovery.queue->push(record);
        co_await recovery.queue->commit();
        // The queue's write loop is still on the stack: destroy it from a later task.
        co_await yield();
      }
      std::optional<Error> failure;
      try {
        co_await MemoryStore::open(directory);
      } catch (Error& error) {
        failure = error;
      }
      EXPECT_TRUE(failure && failure->is(ErrorCode::file_corrupt))
          << (failure ? failure->message() : "opened");
      if (failure) EXPECT_NE(failure->detail().find(directory), std::string_view::npos);
    });
  }
}

}  // namespace
}  // namespace strata
