// kv_store: a process applies random sets, point clears and range clears to the memory
// storage engine, commits now and then (keeping on changing things while commits are in
// flight, up to commits_in_flight_max of them), and is crashed and rebooted again and
// again on a disk that loses or garbles unsynced pages. The workload keeps the model
// state after the last completed commit and after each commit in progress (commits
// complete in order, so those are the only states a crash may leave). Invariants:
//   - after every recovery the store's contents (and its byte count) equal the model at
//     the last completed commit or at a commit in progress when the crash came, and the
//     workload goes on from whichever it was;
//   - while running, point and range reads (with random limits, either direction) agree
//     with every change made so far;
//   - over the run, commits complete, snapshot passes complete and the log is popped.

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "server/storage/engines/memory_store.h"
#include "workloads/workload.h"

namespace strata {

namespace {

using Model = std::map<std::string, std::string>;

int64_t model_bytes(const Model& model) {
  int64_t bytes = 0;
  for (const auto& [key, value] : model)
    bytes += static_cast<int64_t>(key.size() + value.size());
  return bytes;
}

// What a range read must return, computed from a model.
RangeReadResult expected_range(const Model& model, const KeyRange& range, int row_limit,
                               int64_t byte_limit, bool reverse) {
  RangeReadResult result;
  if (range.empty()) return result;
  auto first = model.lower_bound(range.begin);
  auto last = model.lower_bound(range.end);
  int64_t bytes = 0;
  auto take = [&](const std::pair<const std::string, std::string>& pair) {
    if (static_cast<int>(result.rows.size()) == row_limit || bytes >= byte_limit) {
      result.more = true;
      return false;
    }
    result.rows.push_back(KeyValue{pair.first, pair.second});
    bytes += static_cast<int64_t>(pair.first.size() + pair.second.size());
    return true;
  };
  if (reverse) {
    for (auto pair = last; pair != first;) {
      if (!take(*--pair)) break;
    }
  } else {
    for (auto pair = first; pair != last; ++pair) {
      if (!take(*pair)) break;
    }
  }
  return result;
}

// A key as a failure message can show it: other bytes than printable ASCII as \xNN.
std::string printable(std::string_view key) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (char c : key) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(digits[byte >> 4]);
      out.push_back(digits[byte & 0xf]);
    }
  }
  return out;
}

// The first difference between two models, for failure messages.
std::string describe_difference(const Model& found, const Model& expected) {
  auto size_of = [](const Model& model, const std::string& key) {
    auto pair = model.find(key);
    return pair == model.end() ? std::string("absent")
                               : std::to_string(pair->second.size()) + "-byte value";
  };
  std::vector<std::string> keys;
  for (const auto& [key, value] : found)
    keys.push_back(key);
  for (const auto& [key, value] : expected)
    keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  for (const std::string& key : keys) {
    auto in_found = found.find(key);
    auto in_expected = expected.find(key);
    bool same = in_found != found.end() && in_expected != expected.end()
                    ? in_found->second == in_expected->second
                    : (in_found == found.end()) == (in_expected == expected.end());
    if (!same) {
      return "key '" + printable(key) + "': found " + size_of(found, key) + ", expected " +
             size_of(expected, key);
    }
  }
  return "no difference";
}

// How long check() waits for the store to recover after its last reboot.
constexpr double recovery_wait_s_max = 60;

class KvStoreWorkload final : public Workload {
 public:
  explicit KvStoreWorkload(Options& options)
      : keys_(options.get_int("keys", 300)),
        value_bytes_max_(options.get_int("value_bytes_max", 1000)),
        commits_in_flight_max_(options.get_int("commits_in_flight_max", 3)),
        crash_interval_s_(options.get_double("crash_interval_s", 4.0)) {}

  std::string name() const override { return "kv_store"; }

  Future<Void> setup(WorkloadContext& context) override {
    sim::SimMachine& machine = context.simulator().add_machine("store", "zone-store");
    process_ = &context.simulator().add_process(machine, "store", 4500, "/store",
                                                [this] { return store_main(); });
    return ready();
  }

  Future<Void> start(WorkloadContext& context) override {
    return crash_repeatedly(context, *process_, crash_interval_s_, 0.5, &crashes_);
  }

  Future<Void> check(WorkloadContext& context) override {
    uint64_t before = recoveries_;
    context.simulator().reboot_process(*process_, 0.1);
    double deadline = now() + recovery_wait_s_max;
    while (recoveries_ == before && now() < deadline)
      co_await delay(0.5);
    if (recoveries_ == before)
      context.fail(name(), "the store did not recover after the last reboot");
    if (commits_completed_ == 0) context.fail(name(), "no commit ever completed");
    if (recoveries_ < 3)
      context.fail(name(), "only " + std::to_string(recoveries_) + " recoveries");
    if (passes_completed_ == 0) context.fail(name(), "no snapshot pass ever completed");
    if (pops_ == 0) context.fail(name(), "the log was never popped");
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"crashes", std::to_string(crashes_)},
            {"recoveries", std::to_string(recoveries_)},
            {"commits_completed", std::to_string(commits_completed_)},
            {"crashes_with_commits_in_flight", std::to_string(crashes_with_commits_in_flight_)},
            {"in_progress_commits_recovered", std::to_string(in_progress_recovered_)},
            {"snapshot_passes_completed", std::to_string(passes_completed_)},
            {"log_pops", std::to_string(pops_)},
            {"records_replayed_max", std::to_string(records_replayed_max_)}};
  }

 private:
  void fail(const std::string& reason) { sim::simulator().fail(name() + ": " + reason); }

  // Keys are printable, some with binary tails so that ordering by bytes matters.
  std::string key_for(int64_t index) const {
    std::string key = "k" + std::to_string(100000 + index);
    if (index % 7 == 0) key += std::string("\xff\x00", 2);
    if (index % 11 == 0) key += std::string(1, '\0');
    return key;
  }

  std::string random_key(Random& random) const { return key_for(random.uniform(0, keys_)); }

  // Every pair of the store, read with random limits in a random direction.
  Future<Model> read_all(MemoryStore& store) {
    Random& random = env().random();
    bool reverse = random.coinflip();
    KeyRange rest{"", std::string(2, '\xff')};
    Model contents;
    while (true) {
      int rows = static_cast<int>(random.uniform(1, 100));
      int64_t bytes = random.uniform(1, 20000);
      RangeReadResult page = co_await store.read_range(rest, rows, bytes, reverse);
      for (const KeyValue& pair : page.rows)
        contents[pair.key] = pair.value;
      if (!page.more) break;
      if (page.rows.empty()) {
        fail("a range read returned no rows but said there were more");
        break;
      }
      if (reverse) {
        rest.end = page.rows.back().key;
      } else {
        rest.begin = page.rows.back().key + std::string(1, '\0');
      }
    }
    co_return contents;
  }

  // The recovered store must hold the last completed commit or one in progress.
  Future<Void> verify_recovery(MemoryStore& store) {
    Model contents = co_await read_all(store);
    if (!in_flight_.empty()) ++crashes_with_commits_in_flight_;
    // The latest state it matches (consecutive commits may leave equal states).
    auto in_progress = std::find(in_flight_.rbegin(), in_flight_.rend(), contents);
    if (in_progress != in_flight_.rend()) {
      if (contents != committed_) ++in_progress_recovered_;
      committed_ = std::move(contents);
    } else if (contents != committed_) {
      fail("after recovery " + std::to_string(recoveries_ + 1) +
           " the store matches neither the last completed commit (" +
           describe_difference(contents, committed_) + ") nor any of the " +
           std::to_string(in_flight_.size()) + " commits in progress" +
           (in_flight_.empty()
                ? std::string()
                : " (the last: " + describe_difference(contents, in_flight_.back()) + ")"));
      committed_ = std::move(contents);  // reported; go on from what is there
    }
    in_flight_.clear();
    if (store.data_bytes() != model_bytes(committed_)) {
      fail("the store counts " + std::to_string(store.data_bytes()) + " bytes of data, not " +
           std::to_string(model_bytes(committed_)));
    }
    working_ = committed_;
  }

  void change_randomly(MemoryStore& store, Random& random) {
    double choice = random.uniform01();
    if (choice < 0.85) {
      std::string key = random_key(random);
      int64_t size =
          random.chance(0.02) ? random.uniform(0, 20000) : random.uniform(0, value_bytes_max_ + 1);
      std::string value = random.bytes(static_cast<size_t>(size));
      store.set(key, value);
      working_[key] = value;
    } else {
      // Mostly point clears and short ranges (some inverted, hence empty); now and then
      // a clear of most of the key space.
      int64_t first = random.uniform(0, keys_);
      int64_t last = choice < 0.998 ? first + random.uniform(-2, 8) : random.uniform(0, keys_);
      KeyRange range = choice < 0.93 ? single_key_range(key_for(first))
                                     : KeyRange{key_for(first), key_for(last)};
      store.clear(range);
      if (!range.empty()) {
        working_.erase(working_.lower_bound(range.begin), working_.lower_bound(range.end));
      }
    }
  }

  // Reads must see every change made so far (this engine serves them from memory).
  Future<Void> read_randomly(MemoryStore& store, Random& random) {
    std::string key = random_key(random);
    std::optional<Value> value = co_await store.read_value(key);
    auto expected = working_.find(key);
    if (value != (expected == working_.end() ? std::nullopt : std::optional(expected->second))) {
      fail("reading key '" + printable(key) + "' did not return its last value");
    }
    KeyRange range{random_key(random), random_key(random)};
    int rows = static_cast<int>(random.uniform(1, 50));
    int64_t bytes = random.uniform(1, 5000);
    bool reverse = random.coinflip();
    RangeReadResult got = co_await store.read_range(range, rows, bytes, reverse);
    RangeReadResult want = expected_range(working_, range, rows, bytes, reverse);
    if (got.rows != want.rows || got.more != want.more) {
      size_t same = 0;
      while (same < got.rows.size() && same < want.rows.size() &&
             got.rows[same] == want.rows[same]) {
        ++same;
      }
      fail("a range read of ['" + printable(range.begin) + "', '" + printable(range.end) +
           "') returned " + std::to_string(got.rows.size()) + " rows (more " +
           std::to_string(got.more) + ") where the model has " + std::to_string(want.rows.size()) +
           " (more " + std::to_string(want.more) + "); they differ from row " +
           std::to_string(same));
    }
  }

  // Commits complete in the order they were made: this one is the oldest in flight.
  Future<Void> track_commit(Future<Void> done) {
    co_await done;
    STRATA_ASSERT(!in_flight_.empty());
    committed_ = std::move(in_flight_.front());
    in_flight_.pop_front();
    ++commits_completed_;
  }

  Future<Void> store_main() {
    std::unique_ptr<MemoryStore> store = co_await MemoryStore::open("/store/kv");
    co_await verify_recovery(*store);
    ++recoveries_;
    records_replayed_max_ = std::max(records_replayed_max_, store->stats().records_replayed);
    uint64_t passes_seen = 0;
    uint64_t pops_seen = 0;
    Random& random = env().random();
    ActorCollection commits;
    while (true) {
      int changes = static_cast<int>(random.uniform(1, 8));
      for (int i = 0; i < changes; ++i)
        change_randomly(*store, random);
      if (random.chance(0.2)) co_await read_randomly(*store, random);
      if (commits.result().is_ready()) commits.result().get();  // rethrows a failure
      if (static_cast<int64_t>(in_flight_.size()) < commits_in_flight_max_ && random.chance(0.4)) {
        in_flight_.push_back(working_);
        Future<Void> commit = track_commit(store->commit());
        commits.add(commit);
        // Usually wait for it; otherwise keep changing things while it is written.
        if (random.chance(0.6)) co_await commit;
      }
      passes_completed_ += store->stats().passes_completed - passes_seen;
      pops_ += store->stats().pops - pops_seen;
      passes_seen = store->stats().passes_completed;
      pops_seen = store->stats().pops;
      co_await delay(random.exponential(0.005));
    }
  }

  const int64_t keys_;
  const int64_t value_bytes_max_;
  const int64_t commits_in_flight_max_;
  const double crash_interval_s_;
  sim::SimProcess* process_ = nullptr;

  // The model: after the last completed commit, after each commit in flight (oldest
  // first), and with every change made so far (the last exists only while the process
  // runs).
  Model committed_;
  std::deque<Model> in_flight_;
  Model working_;

  uint64_t crashes_ = 0;
  uint64_t recoveries_ = 0;
  uint64_t commits_completed_ = 0;
  uint64_t crashes_with_commits_in_flight_ = 0;
  uint64_t in_progress_recovered_ = 0;
  uint64_t passes_completed_ = 0;
  uint64_t pops_ = 0;
  uint64_t records_replayed_max_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_kv_store_workload(Options& options) {
  return std::make_unique<KvStoreWorkload>(options);
}

}  // namespace strata
