#include "tools/bench/workload.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace strata::bench {

bool TransactionPlan::writes() const {
  return std::any_of(ops.begin(), ops.end(), [](const Op& op) {
    return op.kind != OpKind::read && op.kind != OpKind::scan;
  });
}

std::string bench_key(int64_t index, int key_bytes) {
  char digits[32];
  std::snprintf(digits, sizeof(digits), "%" PRId64, index);
  std::string key = "bench/";
  size_t width = static_cast<size_t>(key_bytes) - key.size();
  size_t length = std::char_traits<char>::length(digits);
  if (length < width) key.append(width - length, '0');
  key += digits;
  return key;
}

namespace {

// The key-value workloads: one key space of `keys` items, "bench/NNN...".
class KeyValueWorkload final : public Workload {
 public:
  explicit KeyValueWorkload(const BenchOptions& options)
      : options_(options),
        value_(static_cast<size_t>(options.value_bytes), 'v'),
        next_insert_(options.keys) {
    bool ycsb = options.workload.rfind("ycsb-", 0) == 0;
    std::string distribution = options.distribution.value_or(ycsb ? "zipfian" : "uniform");
    chooser_ =
        distribution == "zipfian" ? zipfian_chooser(options.keys) : uniform_chooser(options.keys);
  }

  TransactionPlan next(Random& random) override {
    const std::string& name = options_.workload;
    TransactionPlan plan;
    if (name == "reads") {
      // FoundationDB's read test: ten reads share a transaction and its read version.
      for (int i = 0; i < 10; ++i)
        plan.ops.push_back(read(random));
    } else if (name == "ycsb-c") {
      plan.ops.push_back(read(random));
    } else if (name == "writes") {
      plan.ops.push_back(write(random));
    } else if (name == "writes10") {
      for (int i = 0; i < 10; ++i)
        plan.ops.push_back(write(random));
    } else if (name == "mixed90") {
      for (int i = 0; i < 9; ++i)
        plan.ops.push_back(read(random));
      plan.ops.push_back(write(random));
    } else if (name == "range") {
      int64_t last_start = std::max<int64_t>(1, options_.keys - options_.range_rows);
      plan.ops.push_back(scan(random.uniform(0, last_start), options_.range_rows));
    } else if (name == "ycsb-a") {
      plan.ops.push_back(random.chance(0.5) ? read(random) : write(random));
    } else if (name == "ycsb-b") {
      plan.ops.push_back(random.chance(0.95) ? read(random) : write(random));
    } else if (name == "ycsb-d") {
      if (random.chance(0.95)) {
        // The most recently inserted items are the most popular.
        int64_t newest = next_insert_.load() - 1;
        int64_t back = chooser_->next(random) % options_.keys;
        plan.ops.push_back(Op{OpKind::read, key(std::max<int64_t>(0, newest - back)), "", "", 0});
      } else {
        plan.ops.push_back(insert());
      }
    } else if (name == "ycsb-e") {
      if (random.chance(0.95)) {
        int rows = static_cast<int>(random.uniform(1, std::min(100, options_.range_rows) + 1));
        plan.ops.push_back(scan(chooser_->next(random), rows));
      } else {
        plan.ops.push_back(insert());
      }
    } else {  // ycsb-f
      if (random.chance(0.5)) {
        plan.ops.push_back(read(random));
      } else {
        plan.ops.push_back(
            Op{OpKind::read_modify_write, key(chooser_->next(random)), value_, "", 0});
      }
    }
    return plan;
  }

  int64_t load_count() const override { return options_.keys; }
  KeyValue load_row(int64_t index) const override { return KeyValue{key(index), value_}; }
  bool scans() const override {
    return options_.workload == "range" || options_.workload == "ycsb-e";
  }

 private:
  std::string key(int64_t index) const { return bench_key(index, options_.key_bytes); }
  Op read(Random& random) { return Op{OpKind::read, key(chooser_->next(random)), "", "", 0}; }
  Op write(Random& random) { return Op{OpKind::write, key(chooser_->next(random)), value_, "", 0}; }
  Op scan(int64_t start, int rows) { return Op{OpKind::scan, key(start), "", "bench0", rows}; }
  Op insert() { return Op{OpKind::insert, key(next_insert_++), value_, "", 0}; }

  BenchOptions options_;
  std::string value_;
  std::unique_ptr<KeyChooser> chooser_;
  std::atomic<int64_t> next_insert_;
};

// A TPC-C-style mix of new-order and payment transactions (each about half), on the
// benchmark's tables kept as key ranges: warehouses, districts (10 per warehouse),
// customers (300 per district), items (10,000) and stock (an item per warehouse). Order,
// order-line, new-order and history rows are inserted. The operations follow TPC-C's
// reads and writes; the figures are not TPC-C results (no think times, no terminals,
// two of the five transaction types).
class TpccWorkload final : public Workload {
 public:
  explicit TpccWorkload(const BenchOptions& options)
      : warehouses_(options.warehouses), row_(100, 'r') {}

  TransactionPlan next(Random& random) override {
    int64_t w = random.uniform(0, warehouses_);
    int64_t d = random.uniform(0, districts);
    int64_t c = random.uniform(0, customers);
    TransactionPlan plan;
    auto read = [&](std::string key) {
      plan.ops.push_back(Op{OpKind::read, std::move(key), "", "", 0});
    };
    auto update = [&](std::string key) {
      plan.ops.push_back(Op{OpKind::read_modify_write, std::move(key), row_, "", 0});
    };
    auto insert = [&](std::string key) {
      plan.ops.push_back(Op{OpKind::insert, std::move(key), row_, "", 0});
    };
    if (random.coinflip()) {
      // New order: 5 to 15 distinct items, each from this warehouse's stock.
      int64_t order = next_id_++;
      read(warehouse_key(w));
      update(district_key(w, d));
      read(customer_key(w, d, c));
      int64_t lines = random.uniform(5, 16);
      std::vector<int64_t> picked;
      while (static_cast<int64_t>(picked.size()) < lines) {
        int64_t item = random.uniform(0, items);
        if (std::find(picked.begin(), picked.end(), item) == picked.end()) picked.push_back(item);
      }
      std::sort(picked.begin(), picked.end());  // a fixed lock order, as TPC-C kits do
      for (int64_t item : picked) {
        read(format("tpcc/i/%06" PRId64, item));
        update(format("tpcc/s/%04" PRId64 "/%06" PRId64, w, item));
      }
      insert(format("tpcc/o/%04" PRId64 "/%02" PRId64 "/%010" PRId64, w, d, order));
      insert(format("tpcc/no/%04" PRId64 "/%02" PRId64 "/%010" PRId64, w, d, order));
      for (int64_t line = 0; line < lines; ++line)
        insert(format("tpcc/ol/%04" PRId64 "/%02" PRId64 "/%010" PRId64 "/%02" PRId64, w, d, order,
                      line));
    } else {
      // Payment.
      update(warehouse_key(w));
      update(district_key(w, d));
      update(customer_key(w, d, c));
      insert(format("tpcc/h/%012" PRId64, next_id_++));
    }
    return plan;
  }

  int64_t load_count() const override {
    return warehouses_ * (1 + districts + districts * customers + items) + items;
  }

  KeyValue load_row(int64_t index) const override {
    if (index < items) return KeyValue{format("tpcc/i/%06" PRId64, index), row_};
    index -= items;
    int64_t per_warehouse = 1 + districts + districts * customers + items;
    int64_t w = index / per_warehouse;
    int64_t within = index % per_warehouse;
    if (within == 0) return KeyValue{warehouse_key(w), row_};
    within -= 1;
    if (within < districts) return KeyValue{district_key(w, within), row_};
    within -= districts;
    if (within < districts * customers)
      return KeyValue{customer_key(w, within / customers, within % customers), row_};
    within -= districts * customers;
    return KeyValue{format("tpcc/s/%04" PRId64 "/%06" PRId64, w, within), row_};
  }

 private:
  static constexpr int64_t districts = 10;
  static constexpr int64_t customers = 300;
  static constexpr int64_t items = 10000;

  template <class... Args>
  static std::string format(const char* pattern, Args... args) {
    char text[96];
    std::snprintf(text, sizeof(text), pattern, args...);
    return text;
  }
  static std::string warehouse_key(int64_t w) { return format("tpcc/w/%04" PRId64, w); }
  static std::string district_key(int64_t w, int64_t d) {
    return format("tpcc/d/%04" PRId64 "/%02" PRId64, w, d);
  }
  static std::string customer_key(int64_t w, int64_t d, int64_t c) {
    return format("tpcc/c/%04" PRId64 "/%02" PRId64 "/%05" PRId64, w, d, c);
  }

  int64_t warehouses_;
  std::string row_;
  // Order and history ids, unique across the clients of a run.
  std::atomic<int64_t> next_id_{0};
};

}  // namespace

std::unique_ptr<Workload> Workload::create(const BenchOptions& options) {
  if (options.workload == "tpcc") return std::make_unique<TpccWorkload>(options);
  return std::make_unique<KeyValueWorkload>(options);
}

}  // namespace strata::bench
