// cycle: `nodes` keys form a ring (each holds the index of the next). Clients run
// transactions that take three consecutive nodes a -> b -> c -> d and reorder them to
// a -> c -> b -> d: the ring keeps its length whatever order the swaps commit in, but any
// lost update, torn transaction or read of a stale value breaks it. The check walks the
// ring: it must come back to the start after exactly `nodes` steps.

#include <string>

#include "runtime/combinators.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class CycleWorkload final : public Workload {
 public:
  explicit CycleWorkload(Options& options)
      : nodes_(options.get_int("nodes", 100)),
        clients_(options.get_int("clients", 8)),
        transaction_interval_s_(options.get_double("transaction_interval_s", 0.05)),
        prefix_(options.get_string("prefix", "cycle/")) {}

  std::string name() const override { return "cycle"; }

  Future<Void> setup(WorkloadContext& context) override {
    Database database = context.database();
    // Node i points to i + 1; the last back to the first.
    for (int64_t first = 0; first < nodes_; first += 100) {
      int64_t last = std::min(nodes_, first + 100);
      co_await database.run([this, first, last](Transaction& tr) -> Future<Void> {
        for (int64_t i = first; i < last; ++i)
          tr.set(key(i), std::to_string((i + 1) % nodes_));
        co_return;
      });
    }
  }

  Future<Void> start(WorkloadContext& context) override {
    end_time_ = now() + context.duration_s();
    co_await run_clients(
        clients_, [this, database = context.database()](int64_t) { return client(database); });
  }

  Future<Void> check(WorkloadContext& context) override {
    Database database = context.database();
    std::vector<int64_t> next =
        co_await database.run([this](Transaction& tr) -> Future<std::vector<int64_t>> {
          RangeResult rows = co_await tr.get_range(prefix_, strinc(prefix_));
          std::vector<int64_t> pointers;
          for (const KeyValue& row : rows.rows)
            pointers.push_back(std::stoll(row.value));
          co_return pointers;
        });
    if (static_cast<int64_t>(next.size()) != nodes_) {
      context.fail(name(), "the ring has " + std::to_string(next.size()) + " nodes, not " +
                               std::to_string(nodes_));
      co_return;
    }
    int64_t position = 0;
    for (int64_t step = 1; step <= nodes_; ++step) {
      int64_t pointer = next[static_cast<size_t>(position)];
      if (pointer < 0 || pointer >= nodes_) {
        context.fail(name(), "node " + std::to_string(position) + " points outside the ring");
        co_return;
      }
      position = pointer;
      if (position == 0 && step != nodes_) {
        context.fail(name(), "the ring closes after " + std::to_string(step) + " steps, not " +
                                 std::to_string(nodes_));
        co_return;
      }
    }
    if (position != 0) context.fail(name(), "the ring does not come back to its start");
    if (committed_ == 0) context.fail(name(), "no swap ever committed");
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"committed", std::to_string(committed_)}, {"retries", std::to_string(retries_)}};
  }

 private:
  // Fixed width, so that key order is index order.
  std::string key(int64_t index) const {
    std::string digits = std::to_string(index);
    return prefix_ + std::string(8 - digits.size(), '0') + digits;
  }

  Future<Void> client(Database database) {
    Random& random = env().random();
    while (now() < end_time_) {
      co_await delay(random.exponential(transaction_interval_s_));
      int64_t start = random.uniform(0, nodes_);
      Transaction tr = database.create_transaction();
      while (true) {
        std::optional<Error> failure;
        try {
          int64_t b = std::stoll(co_await read(tr, start));
          int64_t c = std::stoll(co_await read(tr, b));
          int64_t d = std::stoll(co_await read(tr, c));
          tr.set(key(start), std::to_string(c));
          tr.set(key(c), std::to_string(b));
          tr.set(key(b), std::to_string(d));
          co_await tr.commit();
          ++committed_;
          break;
        } catch (Error& error) {
          if (error.is_cancellation()) throw;
          failure = error;
        }
        ++retries_;
        co_await tr.on_error(*failure);
      }
    }
  }

  Future<std::string> read(Transaction& tr, int64_t index) {
    std::optional<Value> value = co_await tr.get(key(index));
    if (!value)
      throw Error(ErrorCode::internal_error, "cycle node " + std::to_string(index) + " is missing");
    co_return *value;
  }

  const int64_t nodes_;
  const int64_t clients_;
  const double transaction_interval_s_;
  const std::string prefix_;
  double end_time_ = 0;
  uint64_t committed_ = 0;
  uint64_t retries_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_cycle_workload(Options& options) {
  return std::make_unique<CycleWorkload>(options);
}

}  // namespace strata
