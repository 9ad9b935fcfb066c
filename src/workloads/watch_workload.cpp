// watch: watchers read a key, watch it and commit, then wait; writers change the keys
// (sets of values never written before, and clears), each change counting itself in the
// key's change counter within the same transaction. Invariants:
//   - no wake-up without a change: when a watch fires, the key's change counter is past
//     the one the watcher read with the watched value;
//   - no lost wake-up: after the load stops, every watcher holds a committed watch (or
//     is done); one more change to every key then wakes every one of them within
//     wake_deadline_s of simulated time, whatever faults happened before;
//   - too_many_watches beyond the database's max_watches, watches_disabled without
//     read-your-writes, transaction_cancelled for a watch whose transaction is reset.
// A watch that fails is retried like a transaction (on_error): FoundationDB's contract is
// that a watch fires or errors, and the error is retryable.

#include <map>
#include <string>
#include <vector>

#include "client/database_context.h"
#include "runtime/combinators.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class WatchWorkload final : public Workload {
 public:
  explicit WatchWorkload(Options& options)
      : keys_(options.get_int("keys", 6)),
        watchers_(options.get_int("watchers", 6)),
        writers_(options.get_int("writers", 2)),
        write_interval_s_(options.get_double("write_interval_s", 0.3)),
        wake_deadline_s_(options.get_double("wake_deadline_s", 60.0)),
        prefix_(options.get_string("prefix", "watch/")) {}

  std::string name() const override { return "watch"; }

  Future<Void> setup(WorkloadContext& context) override { co_await check_watch_errors(context); }

  Future<Void> start(WorkloadContext& context) override {
    end_time_ = now() + context.duration_s();
    Database database = context.database();
    watcher_state_.assign(static_cast<size_t>(watchers_), WatcherState::running);
    watched_key_.assign(static_cast<size_t>(watchers_), 0);
    for (int64_t i = 0; i < watchers_; ++i)
      watcher_actors_.push_back(watcher(database, i));
    co_await run_clients(writers_, [this, database](int64_t) { return writer(database); });
  }

  Future<Void> check(WorkloadContext& context) override {
    Database database = context.database();
    // Every watcher must settle: waiting on a committed watch, or done.
    const double settle_deadline = now() + wake_deadline_s_;
    while (!all_settled()) {
      if (now() > settle_deadline) {
        context.fail(name(), "a watcher could not set a watch within " +
                                 std::to_string(wake_deadline_s_) + " s after the load stopped");
        co_return;
      }
      co_await delay(0.1);
    }
    for (int64_t key = 0; key < keys_; ++key)
      co_await change_key(database, key, /*clear=*/false);
    const double wake_deadline = now() + wake_deadline_s_;
    while (now() < wake_deadline) {
      bool all_done = true;
      for (WatcherState state : watcher_state_)
        all_done = all_done && state == WatcherState::done;
      if (all_done) break;
      co_await delay(0.1);
    }
    for (size_t i = 0; i < watcher_state_.size(); ++i) {
      if (watcher_state_[i] != WatcherState::done) {
        context.fail(name(), "lost wake-up: watcher " + std::to_string(i) + " on key " +
                                 std::to_string(watched_key_[i]) + " did not wake within " +
                                 std::to_string(wake_deadline_s_) +
                                 " s of the final change to every key");
      }
    }
    if (wake_ups_ == 0) context.fail(name(), "no watch ever fired during the load");
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"wake_ups", std::to_string(wake_ups_)},
            {"changes", std::to_string(changes_)},
            {"watch_errors", std::to_string(watch_errors_)}};
  }

 private:
  // running: between watches; waiting: on a committed watch; done: woke after the load.
  enum class WatcherState { running, waiting, done };

  std::string key_name(int64_t key) const { return prefix_ + "k/" + std::to_string(key); }
  std::string counter_name(int64_t key) const { return prefix_ + "n/" + std::to_string(key); }

  static int64_t counter_of(const std::optional<Value>& value) {
    return value ? std::stoll(*value) : 0;
  }

  // Every watcher waits on a committed watch or is done.
  bool all_settled() const {
    for (WatcherState state : watcher_state_) {
      if (state == WatcherState::running) return false;
    }
    return true;
  }

  // One change to `key` (a set of a value never written before, or a clear of a present
  // key), counted in its change counter in the same transaction.
  Future<Void> change_key(Database database, int64_t key, bool clear) {
    const std::string value = "v" + std::to_string(++values_written_);
    co_await database.run([this, key, clear, value](Transaction& tr) -> Future<Void> {
      std::optional<Value> current = co_await tr.get(key_name(key));
      std::optional<Value> count = co_await tr.get(counter_name(key));
      if (clear && !current) co_return;  // not a change
      if (clear) {
        tr.clear(key_name(key));
      } else {
        tr.set(key_name(key), value);
      }
      tr.set(counter_name(key), std::to_string(counter_of(count) + 1));
    });
    ++changes_;
  }

  Future<Void> writer(Database database) {
    Random& random = env().random();
    while (now() < end_time_) {
      co_await delay(random.exponential(write_interval_s_));
      co_await change_key(database, random.uniform(0, keys_), random.chance(0.25));
    }
  }

  Future<Void> watcher(Database database, int64_t index) {
    Random& random = env().random();
    const auto slot = static_cast<size_t>(index);
    while (true) {
      const int64_t key = random.uniform(0, keys_);
      watched_key_[slot] = key;
      Transaction tr = database.create_transaction();
      Future<Void> fired;
      int64_t count_before = 0;
      while (true) {
        std::optional<Error> failure;
        try {
          co_await tr.get(key_name(key));
          count_before = counter_of(co_await tr.get(counter_name(key)));
          fired = tr.watch(key_name(key));
          co_await tr.commit();
          break;
        } catch (Error& error) {
          if (error.is_cancellation()) throw;
          failure = error;
        }
        co_await tr.on_error(*failure);
      }
      watcher_state_[slot] = WatcherState::waiting;
      std::optional<Error> failure;
      try {
        co_await fired;
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        failure = error;
      }
      watcher_state_[slot] = WatcherState::running;
      if (failure) {
        // A watch may fail, but only with an error that on_error retries.
        ++watch_errors_;
        bool retryable = true;
        try {
          co_await tr.on_error(*failure);
        } catch (Error& error) {
          if (error.is_cancellation()) throw;
          retryable = false;
        }
        if (!retryable) {
          fail("a committed watch on " + key_name(key) + " failed with " + failure->message() +
               ", which is not retryable");
          watcher_state_[slot] = WatcherState::done;
          co_return;
        }
        continue;
      }
      ++wake_ups_;
      int64_t count_after =
          co_await database.run([this, key](Transaction& check) -> Future<int64_t> {
            co_return counter_of(co_await check.get(counter_name(key)));
          });
      if (count_after <= count_before) {
        fail("watch on " + key_name(key) + " fired without a change: its change counter is " +
             std::to_string(count_after) + ", as when the watch was set");
      }
      if (now() >= end_time_) {
        watcher_state_[slot] = WatcherState::done;
        co_return;
      }
    }
  }

  // The errors watches promise in particular situations.
  Future<Void> check_watch_errors(WorkloadContext& context) {
    Database limited = Database::open(context.database().context()->connection());
    limited.set_max_watches(2);
    Transaction tr = limited.create_transaction();
    Future<Void> first = tr.watch(key_name(0));
    Future<Void> second = tr.watch(key_name(1));
    co_await expect_error(tr.watch(key_name(2)), ErrorCode::too_many_watches,
                          "a third watch with max_watches 2");
    tr.reset();
    co_await expect_error(first, ErrorCode::transaction_cancelled,
                          "a watch whose transaction was reset before committing");
    co_await expect_error(second, ErrorCode::transaction_cancelled,
                          "a watch whose transaction was reset before committing");
    // The slots of finished watches are free again.
    Future<Void> again = tr.watch(key_name(0));
    if (again.is_ready() && again.is_error()) {
      fail("a watch failed although the earlier ones had finished: " + again.error().message());
    }
    Transaction no_ryw = limited.create_transaction();
    no_ryw.set_read_your_writes_disable();
    std::optional<Error> failure;
    try {
      Future<Void> disabled = no_ryw.watch(key_name(0));
    } catch (Error& error) {
      failure = error;
    }
    if (!failure || !failure->is(ErrorCode::watches_disabled)) {
      fail("a watch without read-your-writes did not fail with watches_disabled");
    }
  }

  Future<Void> expect_error(Future<Void> future, ErrorCode expected, std::string what) {
    std::optional<Error> failure;
    try {
      co_await future;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (!failure || !failure->is(expected)) {
      fail(what + " gave " + (failure ? failure->message() : std::string("success")) +
           ", not error " + std::to_string(static_cast<int>(expected)));
    }
  }

  void fail(const std::string& what) { sim::simulator().fail(name() + ": " + what); }

  const int64_t keys_;
  const int64_t watchers_;
  const int64_t writers_;
  const double write_interval_s_;
  const double wake_deadline_s_;
  const std::string prefix_;
  double end_time_ = 0;
  uint64_t values_written_ = 0;
  uint64_t changes_ = 0;
  uint64_t wake_ups_ = 0;
  uint64_t watch_errors_ = 0;
  std::vector<WatcherState> watcher_state_;
  std::vector<int64_t> watched_key_;
  std::vector<Future<Void>> watcher_actors_;
};

}  // namespace

std::unique_ptr<Workload> make_watch_workload(Options& options) {
  return std::make_unique<WatchWorkload>(options);
}

}  // namespace strata
