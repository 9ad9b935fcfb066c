// versionstamp: clients commit transactions that each write one versionstamped key
// (PREFIX/vs/<stamp>, holding the attempt's id) and one versionstamped value
// (PREFIX/id/<id>, holding the stamp), and ask for their versionstamp. Invariants:
//   - get_versionstamp() answers the commit's version and batch index: its first 8 bytes
//     are the committed version;
//   - stamps are unique, and strictly increase in commit order: a transaction that starts
//     after another's commit was acknowledged gets a larger stamp;
//   - in the database, every acknowledged attempt's key and value carry its stamp, both
//     the same, and every versionstamped key belongs to an attempt that was acknowledged
//     or whose result is unknown (nothing invented, nothing written twice);
//   - reading a key in the transaction that wrote a versionstamped value to it fails with
//     accessed_unreadable.
// An attempt whose result is unknown is never retried under the same id: it may have
// committed, and a retry would write a second key with another stamp.

#include <map>
#include <set>
#include <string>

#include "client/atomic_ops.h"
#include "runtime/combinators.h"
#include "workloads/workload.h"

namespace strata {

namespace {

// The 4-byte little-endian position versionstamped parameters end with.
std::string position_suffix(size_t position) {
  std::string suffix(4, '\0');
  for (size_t i = 0; i < 4; ++i)
    suffix[i] = static_cast<char>((position >> (8 * i)) & 0xff);
  return suffix;
}

class VersionstampWorkload final : public Workload {
 public:
  explicit VersionstampWorkload(Options& options)
      : clients_(options.get_int("clients", 4)),
        transaction_interval_s_(options.get_double("transaction_interval_s", 0.05)),
        prefix_(options.get_string("prefix", "stamps/")) {}

  std::string name() const override { return "versionstamp"; }

  Future<Void> setup(WorkloadContext&) override { co_return; }

  Future<Void> start(WorkloadContext& context) override {
    end_time_ = now() + context.duration_s();
    co_await run_clients(
        clients_, [this, database = context.database()](int64_t i) { return client(database, i); });
  }

  Future<Void> check(WorkloadContext& context) override {
    auto [keys, values] = co_await context.database().run(
        [this](Transaction& tr) -> Future<std::pair<std::vector<KeyValue>, std::vector<KeyValue>>> {
          RangeResult keys = co_await tr.get_range(prefix_ + "vs/", strinc(prefix_ + "vs/"));
          RangeResult values = co_await tr.get_range(prefix_ + "id/", strinc(prefix_ + "id/"));
          co_return std::make_pair(keys.rows, values.rows);
        });
    // id -> stamp, as the database holds them.
    std::map<std::string, std::string> stamp_of_key;
    for (const KeyValue& row : keys) {
      std::string stamp = row.key.substr(prefix_.size() + 3);
      if (stamp.size() != versionstamp_bytes) {
        context.fail(name(), "versionstamped key " + printable(row.key) + " has no 10-byte stamp");
        co_return;
      }
      if (!acknowledged_.count(row.value) && !unknown_.count(row.value)) {
        context.fail(name(), "versionstamped key " + printable(row.key) + " holds attempt " +
                                 row.value + ", which never committed");
      }
      if (!stamp_of_key.emplace(row.value, stamp).second) {
        context.fail(name(), "attempt " + row.value + " wrote two versionstamped keys");
      }
    }
    std::map<std::string, std::string> stamp_of_value;
    for (const KeyValue& row : values)
      stamp_of_value[row.key.substr(prefix_.size() + 3)] = row.value;
    for (const auto& [id, attempt] : acknowledged_) {
      auto key = stamp_of_key.find(id);
      auto value = stamp_of_value.find(id);
      if (key == stamp_of_key.end() || value == stamp_of_value.end()) {
        context.fail(name(), "acknowledged attempt " + id + " is missing");
        continue;
      }
      if (key->second != attempt.stamp || value->second != attempt.stamp) {
        context.fail(name(), "attempt " + id + " got stamp " + printable(attempt.stamp) +
                                 " but wrote key stamp " + printable(key->second) + " and value " +
                                 printable(value->second));
      }
    }
    for (const auto& [id, stamp] : stamp_of_key) {
      auto value = stamp_of_value.find(id);
      if (value == stamp_of_value.end() || value->second != stamp) {
        context.fail(name(), "attempt " + id + "'s versionstamped key and value disagree");
      }
    }
    check_order(context);
    if (acknowledged_.empty()) context.fail(name(), "no transaction ever committed");
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"acknowledged", std::to_string(acknowledged_.size())},
            {"unknown_results", std::to_string(unknown_.size())}};
  }

 private:
  struct Attempt {
    std::string stamp;
    // Positions in one sequence of events: when the attempt started, when its commit was
    // acknowledged.
    uint64_t started = 0;
    uint64_t acknowledged = 0;
  };

  // Stamps unique, and larger for an attempt that started after another was acknowledged.
  void check_order(WorkloadContext& context) {
    std::map<std::string, const std::string*> by_stamp;
    for (const auto& [id, attempt] : acknowledged_) {
      if (!by_stamp.emplace(attempt.stamp, &id).second) {
        context.fail(name(), "stamp " + printable(attempt.stamp) + " was given twice");
        return;
      }
    }
    // Walking in stamp order, no attempt may have started after one with a larger stamp
    // was acknowledged: track the earliest acknowledgement among larger stamps.
    uint64_t earliest_later_acknowledgement = UINT64_MAX;
    const std::string* earliest_later = nullptr;
    for (auto it = by_stamp.rbegin(); it != by_stamp.rend(); ++it) {
      const Attempt& attempt = acknowledged_.at(*it->second);
      if (attempt.started > earliest_later_acknowledgement) {
        context.fail(name(), "attempt " + *it->second + " started after attempt " +
                                 *earliest_later + " was acknowledged, but got a smaller stamp");
        return;
      }
      if (attempt.acknowledged < earliest_later_acknowledgement) {
        earliest_later_acknowledgement = attempt.acknowledged;
        earliest_later = it->second;
      }
    }
  }

  Future<Void> client(Database database, int64_t client_id) {
    Random& random = env().random();
    uint64_t sequence = 0;
    const std::string placeholder(versionstamp_bytes, '\0');
    while (now() < end_time_) {
      co_await delay(random.exponential(transaction_interval_s_));
      Transaction tr = database.create_transaction();
      while (true) {
        std::string id = std::to_string(client_id) + "-" + std::to_string(++sequence);
        uint64_t started = ++events_;
        std::optional<Error> failure;
        try {
          std::string key_prefix = prefix_ + "vs/";
          tr.atomic_op(key_prefix + placeholder + position_suffix(key_prefix.size()), id,
                       MutationType::set_versionstamped_key);
          std::string value_key = prefix_ + "id/" + id;
          tr.atomic_op(value_key, placeholder + position_suffix(0),
                       MutationType::set_versionstamped_value);
          co_await expect_unreadable(tr, value_key);
          Future<std::string> stamp = tr.get_versionstamp();
          co_await tr.commit();
          Attempt attempt{co_await stamp, started, ++events_};
          if (versionstamp_place(attempt.stamp).first != tr.committed_version()) {
            fail("attempt " + id + " committed at " + std::to_string(tr.committed_version()) +
                 " but its stamp says " + std::to_string(versionstamp_place(attempt.stamp).first));
          }
          acknowledged_.emplace(id, std::move(attempt));
          break;
        } catch (Error& error) {
          if (error.is_cancellation()) throw;
          failure = error;
        }
        if (failure->is(ErrorCode::commit_unknown_result)) unknown_.insert(id);
        co_await tr.on_error(*failure);
      }
    }
  }

  Future<Void> expect_unreadable(Transaction& tr, std::string key) {
    std::optional<Error> failure;
    try {
      co_await tr.get(key);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (!failure || !failure->is(ErrorCode::accessed_unreadable)) {
      fail("reading " + printable(key) + " after writing a versionstamped value to it gave " +
           (failure ? failure->message() : std::string("a value")) + ", not accessed_unreadable");
    }
  }

  void fail(const std::string& what) { sim::simulator().fail(name() + ": " + what); }

  const int64_t clients_;
  const double transaction_interval_s_;
  const std::string prefix_;
  double end_time_ = 0;
  uint64_t events_ = 0;
  std::map<std::string, Attempt> acknowledged_;
  std::set<std::string> unknown_;
};

}  // namespace

std::unique_ptr<Workload> make_versionstamp_workload(Options& options) {
  return std::make_unique<VersionstampWorkload>(options);
}

}  // namespace strata
