#pragma once

// What a run measured: counts and latency samples, per client (no sharing while the run
// goes), merged at the end; and the report, as a table and as JSON.

#include <cstdint>
#include <string>
#include <vector>

#include "tools/bench/bench_options.h"

namespace strata::bench {

// Latencies of one kind of operation during the measured period, in seconds.
class Latencies {
 public:
  void add(double seconds) { samples_.push_back(seconds); }
  void merge(const Latencies& other);
  bool empty() const { return samples_.empty(); }
  // The `fraction` quantile (0.5: the median, 1: the maximum); sorts the samples.
  double percentile(double fraction);

 private:
  std::vector<double> samples_;
  bool sorted_ = false;
};

struct Timings {
  uint64_t transactions = 0;
  uint64_t operations = 0;
  uint64_t rows_read = 0;
  // Attempts that failed and were retried (conflicts, mostly).
  uint64_t retries = 0;
  Latencies read_version;  // Strata only: the read version of each transaction
  Latencies read;          // each read, scan or read of a read-modify-write
  Latencies commit;        // the commit of each transaction that wrote
  Latencies transaction;   // each transaction, first attempt to success

  void merge(const Timings& other);
};

// Prints the results and writes the JSON report if asked; false if the file could not be
// written.
bool report(const BenchOptions& options, double measured_s, Timings& timings);

}  // namespace strata::bench
