// model_check: random operations checked against an in-memory model of the database.
// Each client owns a key prefix and runs one transaction at a time: random sets, clears,
// range clears, atomic operations (all but the versionstamped ones, with short operands),
// point reads, key selectors and range reads (any limit, either direction, snapshot or
// not), some writes without write conflict ranges; one client works in the system keyspace
// (access_system_keys). Every read is
// compared with the model plus the transaction's own writes (read-your-writes), or with
// the model alone when read_your_writes_disable (or snapshot_ryw_disable, for a snapshot
// read) hides them, and a
// committed transaction's writes become the model. Now and then a client reads at the
// version of an earlier commit and must see exactly the data of that moment (MVCC), unless
// the version has left the window (transaction_too_old).
//
// A commit with an unknown result is settled through the client's marker key: every
// transaction reads it (a read conflict) and writes its own number there. A settling
// transaction reads the marker and overwrites it: if the marker holds the number, the
// transaction committed; if not, it never will, because it read the marker before the
// settling transaction wrote it and so would conflict. The settling transaction writes its
// verdict into the marker: its own commit may have an unknown result too, and a retry that
// finds the verdict there takes it (that attempt committed, so what it read still held).

#include <deque>
#include <map>
#include <string>

#include "client/atomic_ops.h"
#include "runtime/combinators.h"
#include "workloads/workload.h"

namespace strata {

namespace {

using Model = std::map<std::string, std::string>;

std::string describe_rows(const std::vector<KeyValue>& rows) {
  std::string text;
  for (const KeyValue& row : rows)
    text += printable(row.key) + "=" + printable(row.value) + " ";
  return text.empty() ? "(none)" : text;
}

class ModelCheckWorkload final : public Workload {
 public:
  explicit ModelCheckWorkload(Options& options)
      : clients_(options.get_int("clients", 3)),
        keys_(options.get_int("keys", 40)),
        operations_max_(options.get_int("operations_max", 12)),
        value_bytes_max_(options.get_int("value_bytes_max", 200)),
        system_keys_client_(options.get_bool("system_keys_client", true)) {}

  std::string name() const override { return "model_check"; }

  Future<Void> start(WorkloadContext& context) override {
    end_time_ = now() + context.duration_s();
    co_await run_clients(
        clients_, [this, database = context.database()](int64_t i) { return client(database, i); });
    if (committed_ == 0) context.fail(name(), "no transaction ever committed");
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"committed", std::to_string(committed_)},
            {"reads_checked", std::to_string(reads_checked_)},
            {"old_version_reads_checked", std::to_string(old_reads_checked_)},
            {"old_version_reads_retried", std::to_string(old_reads_retried_)},
            {"atomic_operations", std::to_string(atomic_operations_)},
            {"key_selectors_checked", std::to_string(key_selectors_checked_)},
            {"unknown_results", std::to_string(unknown_results_)}};
  }

 private:
  struct ClientState {
    std::string prefix;
    Model model;
    uint64_t transactions = 0;
    // Models as of recent commits, by commit version.
    std::deque<std::pair<Version, Model>> history;
  };

  std::string key_of(const ClientState& client, int64_t index) const {
    std::string digits = std::to_string(index);
    return client.prefix + "k" + std::string(4 - digits.size(), '0') + digits;
  }
  std::string marker_key(const ClientState& client) const { return client.prefix + "marker"; }

  void fail(const std::string& what) { sim::simulator().fail(name() + ": " + what); }

  // What a range read of the model sees.
  static std::vector<KeyValue> model_range(const Model& model, const std::string& begin,
                                           const std::string& end, size_t limit, bool reverse) {
    std::vector<KeyValue> rows;
    auto first = model.lower_bound(begin);
    auto last = model.lower_bound(end);
    if (!reverse) {
      for (auto it = first; it != last && rows.size() < limit; ++it)
        rows.push_back({it->first, it->second});
    } else {
      for (auto it = last; it != first && rows.size() < limit;) {
        --it;
        rows.push_back({it->first, it->second});
      }
    }
    return rows;
  }

  // How the transaction's reads see its own writes (FoundationDB's options).
  struct ReadOptions {
    bool read_your_writes = true;
    bool snapshot_read_your_writes = true;
  };

  // A key selector's answer against the model. Only the client's own keys (prefix + "k...")
  // are modelled: when the walk leaves them, the answer must lie beyond them in the
  // direction of the walk.
  void check_key_selector(const ClientState& client, const Model& model,
                          const KeySelector& selector, const Key& found) {
    ++key_selectors_checked_;
    const std::string low = client.prefix + "k";
    const std::string high = client.prefix + "l";
    const bool forward = selector.offset >= 1;
    const std::string edge = selector.or_equal ? selector.key + '\0' : selector.key;
    auto it = model.lower_bound(edge);
    std::optional<std::string> expected;
    if (forward) {
      for (int32_t step = 1; it != model.end() && step < selector.offset; ++step)
        ++it;
      if (it != model.end()) expected = it->first;
    } else {
      int32_t steps = 1 - selector.offset;
      for (; steps > 0 && it != model.begin(); --steps)
        --it;
      if (steps == 0) expected = it->first;
    }
    bool right = expected ? found == *expected : (forward ? found >= high : found < low);
    if (!right) {
      fail("get_key(" + printable(selector.key) + (selector.or_equal ? ", or_equal, " : ", ") +
           std::to_string(selector.offset) + ") returned " + printable(found) + " but the model " +
           (expected ? "says " + printable(*expected)
                     : std::string("runs out of keys, so it must lie ") +
                           (forward ? "after " + printable(high) : "before " + printable(low))));
    }
  }

  // One transaction of random operations; returns the model it would commit.
  Future<Model> random_operations(ClientState* client, Transaction& tr, ReadOptions options) {
    Random& random = env().random();
    Model view = client->model;
    // What a read sees: the transaction's view, or only the database (the client's model:
    // nobody else writes its keys) when the options hide the transaction's own writes.
    auto seen = [&](bool snapshot) -> const Model& {
      bool own_writes =
          options.read_your_writes && (!snapshot || options.snapshot_read_your_writes);
      return own_writes ? view : client->model;
    };
    int64_t operations = random.uniform(1, operations_max_ + 1);
    for (int64_t op = 0; op < operations; ++op) {
      std::string key = key_of(*client, random.uniform(0, keys_));
      // Now and then the next write adds no write conflict range: what it writes is the
      // same (nobody else writes these keys, so no conflict could tell). The option is set
      // only just before a write: left pending, it would reach the marker's write, which
      // must conflict for an unknown result to be settled.
      const bool no_write_conflict = random.chance(0.05);
      auto before_write = [&] {
        if (no_write_conflict) tr.set_next_write_no_write_conflict_range();
      };
      switch (random.uniform(0, 8)) {
        case 0:
        case 1: {
          std::string value =
              random.bytes(static_cast<size_t>(random.uniform(0, value_bytes_max_ + 1)));
          before_write();
          tr.set(key, value);
          view[key] = value;
          break;
        }
        case 2: {
          before_write();
          tr.clear(key);
          view.erase(key);
          break;
        }
        case 3: {
          std::string end = key_of(*client, random.uniform(0, keys_ + 1));
          if (end < key) std::swap(key, end);
          before_write();
          tr.clear_range(key, end);
          view.erase(view.lower_bound(key), view.lower_bound(end));
          break;
        }
        case 5: {
          // An atomic operation; short operands, so that the resizing rules get exercised.
          MutationType type = random.pick(value_atomic_operations());
          std::string operand = random.bytes(static_cast<size_t>(random.uniform(0, 9)));
          if (type == MutationType::compare_and_clear && random.coinflip()) {
            auto current = view.find(key);
            if (current != view.end()) operand = current->second;  // so that it does clear
          }
          before_write();
          tr.atomic_op(key, operand, type);
          auto current = view.find(key);
          std::optional<Value> existing;
          if (current != view.end()) existing = current->second;
          std::optional<Value> result = apply_atomic_op(type, existing, operand);
          if (result) {
            view[key] = std::move(*result);
          } else {
            view.erase(key);
          }
          ++atomic_operations_;
          break;
        }
        case 6: {
          KeySelector selector{key, random.coinflip(), static_cast<int32_t>(random.uniform(-3, 5))};
          bool snapshot = random.chance(0.3);
          Key found = co_await tr.get_key(selector, snapshot);
          check_key_selector(*client, seen(snapshot), selector, found);
          break;
        }
        case 4: {
          bool snapshot = random.chance(0.3);
          std::optional<Value> read = co_await tr.get(key, snapshot);
          const Model& model = seen(snapshot);
          auto expected = model.find(key);
          bool matches = expected == model.end() ? !read : (read && *read == expected->second);
          ++reads_checked_;
          if (!matches) {
            fail("get " + printable(key) + " returned " + (read ? printable(*read) : "nothing") +
                 " but the model holds " +
                 (expected == model.end() ? "nothing" : printable(expected->second)));
          }
          break;
        }
        default: {
          std::string end = key_of(*client, random.uniform(0, keys_ + 1));
          if (end < key) std::swap(key, end);
          int limit = random.coinflip() ? 0 : static_cast<int>(random.uniform(1, 10));
          bool reverse = random.coinflip();
          bool snapshot = random.chance(0.3);
          // Sometimes a byte limit too: rows up to the one that reaches it.
          int byte_limit = random.chance(0.3) ? static_cast<int>(random.uniform(1, 400)) : 0;
          RangeResult result =
              co_await tr.get_range(key, end, RangeLimits{limit, byte_limit}, reverse, snapshot);
          std::vector<KeyValue> expected =
              model_range(seen(snapshot), key, end,
                          limit == 0 ? SIZE_MAX : static_cast<size_t>(limit), reverse);
          size_t bytes = 0;
          for (size_t i = 0; byte_limit > 0 && i < expected.size(); ++i) {
            bytes += expected[i].key.size() + expected[i].value.size();
            if (bytes >= static_cast<size_t>(byte_limit)) {
              expected.resize(i + 1);
              break;
            }
          }
          ++reads_checked_;
          if (result.rows != expected) {
            fail("get_range [" + printable(key) + ", " + printable(end) + ") limit " +
                 std::to_string(limit) + " bytes " + std::to_string(byte_limit) +
                 (reverse ? " reverse" : "") + " returned " + describe_rows(result.rows) +
                 " but the model holds " + describe_rows(expected));
          }
          break;
        }
      }
    }
    co_return view;
  }

  // Reads the whole prefix at an earlier commit's version and compares with that model.
  Future<Void> check_old_version(ClientState* client, Database database) {
    Random& random = env().random();
    const auto& [version, model] = client->history[static_cast<size_t>(
        random.uniform(0, static_cast<int64_t>(client->history.size())))];
    Transaction tr = database.create_transaction();
    std::optional<RangeResult> result;
    // A storage server that lags (a clogged link) answers future_version for a while: the
    // client retries, as FoundationDB's do, until it catches up or the version leaves the
    // window (transaction_too_old, which ends the check: the window moves on regardless).
    while (!result) {
      std::optional<Error> failure;
      try {
        tr.set_read_version(version);
        tr.set_read_system_keys();  // the system-keyspace client's keys (harmless for others)
        result = co_await tr.get_range(client->prefix + "k", client->prefix + "l");
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        failure = error;
      }
      if (!failure) break;
      if (failure->is(ErrorCode::transaction_too_old)) co_return;
      if (!failure->is(ErrorCode::future_version)) {
        fail("reading at old version " + std::to_string(version) +
             " failed: " + failure->message());
        co_return;
      }
      ++old_reads_retried_;
      co_await tr.on_error(*failure);
    }
    std::vector<KeyValue> expected =
        model_range(model, client->prefix + "k", client->prefix + "l", SIZE_MAX, false);
    ++old_reads_checked_;
    if (result->rows != expected) {
      fail("at old version " + std::to_string(version) + " the data was " +
           describe_rows(result->rows) + " but then the model held " + describe_rows(expected));
    }
  }

  // Did transaction `number` commit? Settles it for good (see the top of the file).
  Future<bool> committed_marker(ClientState* client, Database database, uint64_t number) {
    co_return co_await database.run([this, client, number](Transaction& tr) -> Future<bool> {
      tr.set_access_system_keys();
      std::optional<Value> marker = co_await tr.get(marker_key(*client));
      const std::string settled = "settled " + std::to_string(number) + " ";
      bool committed = marker && *marker == std::to_string(number);
      if (marker && marker->starts_with(settled))
        committed = marker->substr(settled.size()) == "yes";
      tr.set(marker_key(*client), settled + (committed ? "yes" : "no"));
      co_return committed;
    });
  }

  Future<Void> client(Database database, int64_t index) {
    ClientState client;
    // The last client works in the system keyspace (access_system_keys), where the same
    // rules hold, with selectors clamped at \xff\xff instead of \xff.
    const bool system_keys = system_keys_client_ && index == clients_ - 1;
    client.prefix = (system_keys ? "\xff/model/" : "model/") + std::to_string(index) + "/";
    Random& random = env().random();
    while (now() < end_time_) {
      co_await delay(random.exponential(0.02));
      if (!client.history.empty() && random.chance(0.1)) {
        co_await check_old_version(&client, database);
        continue;
      }
      uint64_t number = ++client.transactions;
      Transaction tr = database.create_transaction();
      ReadOptions options;
      options.read_your_writes = !random.chance(0.1);
      options.snapshot_read_your_writes = !random.chance(0.2);
      std::string last_failure;
      while (true) {
        std::optional<Error> failure;
        Model view;
        try {
          if (!options.read_your_writes) tr.set_read_your_writes_disable();
          if (system_keys) tr.set_access_system_keys();
          tr.set_snapshot_read_your_writes(options.snapshot_read_your_writes);
          std::optional<Value> marker = co_await tr.get(marker_key(client));
          if (marker && *marker == std::to_string(number)) {
            // Only an attempt of this transaction writes its number: one that failed, with
            // an error other than commit_unknown_result, committed after all.
            fail("transaction " + std::to_string(number) + " of " + client.prefix +
                 " committed although its commit failed with " + last_failure);
            co_return;
          }
          view = co_await random_operations(&client, tr, options);
          tr.set(marker_key(client), std::to_string(number));
          co_await tr.commit();
        } catch (Error& error) {
          if (error.is_cancellation()) throw;
          failure = error;
        }
        if (!failure) {
          client.model = std::move(view);
          ++committed_;
          client.history.emplace_back(tr.committed_version(), client.model);
          if (client.history.size() > 8) client.history.pop_front();
          break;
        }
        if (failure->is(ErrorCode::commit_unknown_result)) {
          ++unknown_results_;
          if (co_await committed_marker(&client, database, number)) {
            client.model = std::move(view);
            ++committed_;
            break;
          }
        }
        last_failure = failure->message();
        co_await tr.on_error(*failure);
        // Every attempt starts from the committed model with fresh random operations.
      }
    }
  }

  const int64_t clients_;
  const int64_t keys_;
  const int64_t operations_max_;
  const int64_t value_bytes_max_;
  const bool system_keys_client_;
  double end_time_ = 0;
  uint64_t committed_ = 0;
  uint64_t reads_checked_ = 0;
  uint64_t old_reads_checked_ = 0;
  uint64_t old_reads_retried_ = 0;
  uint64_t atomic_operations_ = 0;
  uint64_t key_selectors_checked_ = 0;
  uint64_t unknown_results_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_model_check_workload(Options& options) {
  return std::make_unique<ModelCheckWorkload>(options);
}

}  // namespace strata
