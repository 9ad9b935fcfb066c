// conflict_range: clients commit transactions that declare random read and write conflict
// ranges (explicit ones, over a small key space, so that they overlap often) and check
// every decision against the rule the resolver must follow:
//
//   T commits unless a transaction U that committed after T's read version and before T
//   (an earlier commit version, or the same version earlier in its batch) wrote into a
//   range T read.
//
// To know every committed transaction's place exactly, unknown results included, each
// transaction also writes a marker key whose value is versionstamped: after the run the
// markers give each committed transaction's version and batch index. Checks:
//   - a transaction that committed has no such U (no missed conflict);
//   - a transaction told not_committed has a U that committed after its read version and
//     no later than the read version of a transaction that started after the answer (no
//     conflict out of nothing; its own commit version is not known, so this is the bound);
//   - every acknowledged transaction's marker is there with the answer's versionstamp, and
//     every marker belongs to a transaction acknowledged or of unknown result.

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "client/atomic_ops.h"
#include "runtime/combinators.h"
#include "workloads/workload.h"

namespace strata {

namespace {

bool intersects(const std::vector<KeyRange>& a, const std::vector<KeyRange>& b) {
  for (const KeyRange& x : a) {
    for (const KeyRange& y : b) {
      if (x.begin < y.end && y.begin < x.end) return true;
    }
  }
  return false;
}

std::string describe_ranges(const std::vector<KeyRange>& ranges) {
  std::string text;
  for (const KeyRange& range : ranges)
    text +=
        (text.empty() ? "[" : " [") + printable(range.begin) + ", " + printable(range.end) + ")";
  return text.empty() ? "(none)" : text;
}

class ConflictRangeWorkload final : public Workload {
 public:
  explicit ConflictRangeWorkload(Options& options)
      : clients_(options.get_int("clients", 6)),
        keys_(options.get_int("keys", 30)),
        ranges_max_(options.get_int("ranges_max", 3)),
        transaction_interval_s_(options.get_double("transaction_interval_s", 0.02)),
        prefix_(options.get_string("prefix", "conflicts/")) {}

  std::string name() const override { return "conflict_range"; }

  Future<Void> start(WorkloadContext& context) override {
    end_time_ = now() + context.duration_s();
    co_await run_clients(
        clients_, [this, database = context.database()](int64_t i) { return client(database, i); });
  }

  Future<Void> check(WorkloadContext& context) override {
    std::vector<KeyValue> markers =
        co_await context.database().run([this](Transaction& tr) -> Future<std::vector<KeyValue>> {
          RangeResult rows = co_await tr.get_range(marker_prefix(), strinc(marker_prefix()));
          co_return rows.rows;
        });
    // Every committed transaction, in commit order.
    std::map<std::pair<Version, uint16_t>, const Attempt*> committed;
    for (const KeyValue& marker : markers) {
      std::string id = marker.key.substr(marker_prefix().size());
      auto attempt = attempts_.find(id);
      if (attempt == attempts_.end() || marker.value.size() != versionstamp_bytes ||
          (attempt->second.outcome != Outcome::committed &&
           attempt->second.outcome != Outcome::unknown)) {
        context.fail(name(), "marker " + printable(marker.key) + " = " + printable(marker.value) +
                                 " belongs to no transaction that may have committed");
        co_return;
      }
      if (attempt->second.outcome == Outcome::committed && attempt->second.stamp != marker.value) {
        context.fail(name(), "transaction " + id + " was told stamp " +
                                 printable(attempt->second.stamp) + " but its marker holds " +
                                 printable(marker.value));
      }
      committed[versionstamp_place(marker.value)] = &attempt->second;
    }
    for (const auto& [id, attempt] : attempts_) {
      if (attempt.outcome == Outcome::committed) {
        if (!committed.count(versionstamp_place(attempt.stamp))) {
          context.fail(name(), "acknowledged transaction " + id + " left no marker");
        }
        check_committed(context, id, attempt, committed);
      } else if (attempt.outcome == Outcome::conflict) {
        check_conflict(context, id, attempt, committed);
      }
    }
    if (committed_ == 0 || conflicts_ == 0) {
      context.fail(name(), "the run needs commits and conflicts to check anything: " +
                               std::to_string(committed_) + " and " + std::to_string(conflicts_));
    }
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"committed", std::to_string(committed_)},
            {"conflicts", std::to_string(conflicts_)},
            {"unknown_results", std::to_string(unknown_results_)}};
  }

 private:
  enum class Outcome { pending, committed, conflict, unknown, other };
  struct Attempt {
    Version read_version = 0;
    std::vector<KeyRange> reads;
    std::vector<KeyRange> writes;
    Outcome outcome = Outcome::pending;
    std::string stamp;
    // For a conflict: the smallest read version taken after the answer arrived, an upper
    // bound of the version the transaction would have committed at.
    Version later_read_version = std::numeric_limits<Version>::max();
  };

  std::string marker_prefix() const { return prefix_ + "marker/"; }

  void fail(const std::string& what) { sim::simulator().fail(name() + ": " + what); }

  std::string key_of(int64_t index) const {
    std::string digits = std::to_string(index);
    return prefix_ + "k" + std::string(3 - digits.size(), '0') + digits;
  }

  std::vector<KeyRange> random_ranges() {
    Random& random = env().random();
    std::vector<KeyRange> ranges;
    int64_t count = random.uniform(0, ranges_max_ + 1);
    for (int64_t i = 0; i < count; ++i) {
      int64_t begin = random.uniform(0, keys_);
      int64_t end = random.coinflip() ? begin + 1 : random.uniform(begin, keys_ + 1);
      if (begin < end) ranges.push_back(KeyRange{key_of(begin), key_of(end)});
    }
    return ranges;
  }

  // Committed transactions placed after `attempt`'s read version and before `until`.
  template <class Visit>
  static void committed_between(const std::map<std::pair<Version, uint16_t>, const Attempt*>& all,
                                Version after, std::pair<Version, uint16_t> until, Visit visit) {
    for (auto it = all.upper_bound({after, UINT16_MAX}); it != all.end() && it->first < until;
         ++it) {
      visit(it->first, *it->second);
    }
  }

  void check_committed(WorkloadContext& context, const std::string& id, const Attempt& attempt,
                       const std::map<std::pair<Version, uint16_t>, const Attempt*>& committed) {
    committed_between(committed, attempt.read_version, versionstamp_place(attempt.stamp),
                      [&](std::pair<Version, uint16_t> place, const Attempt& other) {
                        if (intersects(other.writes, attempt.reads)) {
                          context.fail(name(), "transaction " + id + " read " +
                                                   describe_ranges(attempt.reads) + " at version " +
                                                   std::to_string(attempt.read_version) +
                                                   " and committed, though a transaction "
                                                   "committed at " +
                                                   std::to_string(place.first) + " wrote " +
                                                   describe_ranges(other.writes));
                        }
                      });
  }

  void check_conflict(WorkloadContext& context, const std::string& id, const Attempt& attempt,
                      const std::map<std::pair<Version, uint16_t>, const Attempt*>& committed) {
    bool explained = false;
    committed_between(committed, attempt.read_version, {attempt.later_read_version, UINT16_MAX},
                      [&](std::pair<Version, uint16_t>, const Attempt& other) {
                        explained = explained || intersects(other.writes, attempt.reads);
                      });
    if (!explained) {
      context.fail(name(), "transaction " + id + " read " + describe_ranges(attempt.reads) +
                               " at version " + std::to_string(attempt.read_version) +
                               " and was told not_committed, but no transaction that committed "
                               "after it wrote there");
    }
  }

  Future<Void> client(Database database, int64_t client_id) {
    Random& random = env().random();
    uint64_t sequence = 0;
    const std::string placeholder(versionstamp_bytes, '\0');
    const std::string position("\0\0\0\0", 4);
    while (now() < end_time_) {
      co_await delay(random.exponential(transaction_interval_s_));
      std::string id = std::to_string(client_id) + "-" + std::to_string(++sequence);
      Attempt& attempt = attempts_[id];
      attempt.reads = random_ranges();
      attempt.writes = random_ranges();
      Transaction tr = database.create_transaction();
      // Conflicts answered before this read version is asked for committed (if at all) no
      // later than it: their answers came after their batches were reported committed.
      std::vector<std::string> bounded = std::move(awaiting_bound_);
      awaiting_bound_.clear();
      std::optional<Error> failure;
      try {
        attempt.read_version = co_await tr.get_read_version();
        for (const std::string& earlier : bounded) {
          Version& bound = attempts_.at(earlier).later_read_version;
          bound = std::min(bound, attempt.read_version);
        }
        for (const KeyRange& range : attempt.reads)
          tr.add_read_conflict_range(range.begin, range.end);
        for (const KeyRange& range : attempt.writes)
          tr.add_write_conflict_range(range.begin, range.end);
        tr.atomic_op(marker_prefix() + id, placeholder + position,
                     MutationType::set_versionstamped_value);
        Future<std::string> stamp = tr.get_versionstamp();
        co_await tr.commit();
        attempt.stamp = co_await stamp;
        attempt.outcome = Outcome::committed;
        ++committed_;
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        failure = error;
      }
      if (!failure) continue;
      if (failure->is(ErrorCode::not_committed)) {
        attempt.outcome = Outcome::conflict;
        ++conflicts_;
        awaiting_bound_.push_back(id);
      } else if (failure->is(ErrorCode::commit_unknown_result)) {
        attempt.outcome = Outcome::unknown;
        ++unknown_results_;
      } else {
        attempt.outcome = Outcome::other;
      }
      // Anything FoundationDB's retry rule would not retry is a bug here.
      std::optional<Error> fatal;
      try {
        co_await tr.on_error(*failure);
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        fatal = error;
      }
      if (fatal) fail("transaction " + id + " failed: " + fatal->message());
    }
  }

  const int64_t clients_;
  const int64_t keys_;
  const int64_t ranges_max_;
  const double transaction_interval_s_;
  const std::string prefix_;
  double end_time_ = 0;
  std::map<std::string, Attempt> attempts_;
  // Conflicts whose bound waits for the next read version asked for.
  std::vector<std::string> awaiting_bound_;
  uint64_t committed_ = 0;
  uint64_t conflicts_ = 0;
  uint64_t unknown_results_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_conflict_range_workload(Options& options) {
  return std::make_unique<ConflictRangeWorkload>(options);
}

}  // namespace strata
