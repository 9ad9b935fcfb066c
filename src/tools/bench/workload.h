#pragma once

// The workloads: what each transaction reads and writes, and the data loaded first. A
// workload produces plans; each target (Strata, or a peer) executes them its own way, so
// that every store runs exactly the same operations.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "interfaces/types.h"
#include "runtime/random.h"
#include "tools/bench/bench_options.h"

namespace strata::bench {

enum class OpKind {
  read,               // the value of `key`
  write,              // set `key` to `value`
  scan,               // up to `rows` rows from `key` on, below `end`
  read_modify_write,  // read `key`, then write `value` to it in the same transaction
  insert,             // set a new `key` to `value`
};

struct Op {
  OpKind kind = OpKind::read;
  std::string key;
  std::string value;
  std::string end;  // scan: the end of the range
  int rows = 0;     // scan: the most rows
};

struct TransactionPlan {
  std::vector<Op> ops;
  bool writes() const;
};

class Workload {
 public:
  static std::unique_ptr<Workload> create(const BenchOptions& options);
  virtual ~Workload() = default;

  // The next transaction. Thread-safe when each caller passes its own Random.
  virtual TransactionPlan next(Random& random) = 0;

  // The data loaded before the run: rows 0 .. load_count() - 1.
  virtual int64_t load_count() const = 0;
  virtual KeyValue load_row(int64_t index) const = 0;

  // Whether it needs range reads (some peers have none).
  virtual bool scans() const { return false; }
};

// Chooses item numbers in [0, n): uniformly, or Zipfian with YCSB's constant 0.99 and its
// scrambling (the popular items are spread over the key space, not clustered at the start).
class KeyChooser {
 public:
  virtual ~KeyChooser() = default;
  virtual int64_t next(Random& random) = 0;
};
std::unique_ptr<KeyChooser> uniform_chooser(int64_t items);
std::unique_ptr<KeyChooser> zipfian_chooser(int64_t items);

// The key of item `index`: "bench/" and the zero-padded number, `key_bytes` long.
std::string bench_key(int64_t index, int key_bytes);

}  // namespace strata::bench
