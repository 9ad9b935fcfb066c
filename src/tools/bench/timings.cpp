#include "tools/bench/timings.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "runtime/json_writer.h"

namespace strata::bench {

void Latencies::merge(const Latencies& other) {
  samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
  sorted_ = false;
}

double Latencies::percentile(double fraction) {
  if (samples_.empty()) return 0;
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
  size_t index = static_cast<size_t>(fraction * static_cast<double>(samples_.size() - 1));
  return samples_[index];
}

void Timings::merge(const Timings& other) {
  transactions += other.transactions;
  operations += other.operations;
  rows_read += other.rows_read;
  retries += other.retries;
  read_version.merge(other.read_version);
  read.merge(other.read);
  commit.merge(other.commit);
  transaction.merge(other.transaction);
}

bool report(const BenchOptions& options, double measured_s, Timings& timings) {
  double transactions_per_s = static_cast<double>(timings.transactions) / measured_s;
  double operations_per_s = static_cast<double>(timings.operations) / measured_s;
  double rows_per_s = static_cast<double>(timings.rows_read) / measured_s;
  std::printf("\n%s, workload %s, %d connection(s) x %d in flight, %.0f s measured\n",
              target_name(options.target).c_str(), options.workload.c_str(), options.connections,
              options.in_flight, measured_s);
  std::printf("  transactions/s %12.0f\n  operations/s   %12.0f\n", transactions_per_s,
              operations_per_s);
  if (timings.rows_read > 0) std::printf("  rows read/s    %12.0f\n", rows_per_s);
  std::printf("  retries        %12" PRIu64 "\n", timings.retries);
  std::printf("  latency (ms)      p50      p95      p99      max\n");

  JsonWriter json;
  json.begin_object();
  json.key("target").value(target_name(options.target));
  json.key("workload").value(options.workload);
  json.key("connections").value(options.connections);
  json.key("in_flight").value(options.in_flight);
  json.key("duration_s").value(measured_s);
  json.key("transactions_per_sec").value(transactions_per_s);
  json.key("ops_per_sec").value(operations_per_s);
  json.key("rows_read_per_sec").value(rows_per_s);
  json.key("retries").value(timings.retries);
  json.key("latency_ms").begin_object();
  // The headline: whole transactions.
  json.key("p50").value(timings.transaction.percentile(0.5) * 1000);
  json.key("p95").value(timings.transaction.percentile(0.95) * 1000);
  json.key("p99").value(timings.transaction.percentile(0.99) * 1000);
  json.key("max").value(timings.transaction.percentile(1.0) * 1000);
  auto row = [&](const char* name, Latencies& latencies) {
    if (latencies.empty()) return;
    double p50 = latencies.percentile(0.5) * 1000;
    double p95 = latencies.percentile(0.95) * 1000;
    double p99 = latencies.percentile(0.99) * 1000;
    double max = latencies.percentile(1.0) * 1000;
    std::printf("  %-14s %8.3f %8.3f %8.3f %8.3f\n", name, p50, p95, p99, max);
    json.key(name).begin_object();
    json.key("p50").value(p50).key("p95").value(p95).key("p99").value(p99).key("max").value(max);
    json.end_object();
  };
  row("read_version", timings.read_version);
  row("read", timings.read);
  row("commit", timings.commit);
  row("transaction", timings.transaction);
  json.end_object();
  json.end_object();
  std::fflush(stdout);
  if (!options.json_file) return true;
  // The tool writes its report where the user asked, outside any simulation.
  std::FILE* file =
      std::fopen(options.json_file->c_str(), "w");  // lint: allows file because it is a CLI report
  if (!file) {
    std::fprintf(stderr, "strata-bench: cannot write %s\n", options.json_file->c_str());
    return false;
  }
  std::fprintf(file, "%s\n", json.text().c_str());
  std::fclose(file);
  return true;
}

}  // namespace strata::bench
