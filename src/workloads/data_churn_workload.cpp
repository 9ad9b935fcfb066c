// data_churn: data that comes and goes, as a queue or a cache makes it: `keys` keys of
// `value_bytes` each are written under `prefix`, left for a while, then cleared, `rounds`
// times. It gives the data distributor shards that grow past its split size and then
// shrink to nothing (to merge). Each round checks that the clear left nothing behind and
// that every key of the fill reads back as written before it.

#include <string>

#include "runtime/combinators.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class DataChurnWorkload final : public Workload {
 public:
  explicit DataChurnWorkload(Options& options)
      : rounds_(options.get_int("rounds", 3)),
        keys_(options.get_int("keys", 200)),
        value_bytes_(options.get_int("value_bytes", 100)),
        prefix_(options.get_string("prefix", "churn/")) {}

  std::string name() const override { return "data_churn"; }

  Future<Void> start(WorkloadContext& context) override {
    Database database = context.database();
    const double interval = context.duration_s() / static_cast<double>(2 * rounds_ + 1);
    for (int64_t round = 0; round < rounds_; ++round) {
      const std::string value = std::to_string(round) + std::string(value_bytes_, 'v');
      for (int64_t first = 0; first < keys_; first += 20) {
        const int64_t last = std::min(keys_, first + 20);
        co_await database.run([&](Transaction& tr) -> Future<Void> {
          for (int64_t i = first; i < last; ++i)
            tr.set(key(i), value);
          co_return;
        });
      }
      co_await delay(interval);
      RangeResult filled = co_await read_all(database);
      if (static_cast<int64_t>(filled.rows.size()) != keys_) {
        context.fail(name(), "round " + std::to_string(round) + " wrote " + std::to_string(keys_) +
                                 " keys but " + std::to_string(filled.rows.size()) + " read back");
      }
      for (const KeyValue& row : filled.rows) {
        if (row.value != value) context.fail(name(), "key " + row.key + " lost its value");
      }
      co_await database.run([this](Transaction& tr) -> Future<Void> {
        tr.clear_range(prefix_, strinc(prefix_));
        co_return;
      });
      RangeResult left = co_await read_all(database);
      if (!left.rows.empty()) {
        context.fail(name(), "the clear of round " + std::to_string(round) + " left " +
                                 std::to_string(left.rows.size()) + " keys");
      }
      ++rounds_done_;
      co_await delay(interval);
    }
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"rounds", std::to_string(rounds_done_)}};
  }

 private:
  std::string key(int64_t i) const {
    std::string digits = std::to_string(i);
    return prefix_ + std::string(6 - std::min<size_t>(6, digits.size()), '0') + digits;
  }

  Future<RangeResult> read_all(Database database) {
    co_return co_await database.run([this](Transaction& tr) -> Future<RangeResult> {
      co_return co_await tr.get_range(prefix_, strinc(prefix_));
    });
  }

  const int64_t rounds_;
  const int64_t keys_;
  const int64_t value_bytes_;
  const std::string prefix_;
  int rounds_done_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_data_churn_workload(Options& options) {
  return std::make_unique<DataChurnWorkload>(options);
}

}  // namespace strata
