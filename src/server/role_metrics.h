#pragma once

// The counters and latency samples that the roles of one process keep for its status
// (ProcessMetrics): a per-process service, installed by the worker. Roles look it up and
// record into it; where no worker installed one (a role in a unit test), they skip it.

#include <array>
#include <cstdint>
#include <deque>
#include <map>

#include "interfaces/status_interface.h"
#include "runtime/uid.h"

namespace strata {

// The last requests' latencies, in seconds: a ring, so that recording costs nothing and
// the figures follow the current load.
class LatencySamples {
 public:
  void add(double seconds);
  // The `fraction` quantile of the samples held (0 when there are none).
  double percentile(double fraction) const;

 private:
  static constexpr size_t capacity = 1024;
  std::array<double, capacity> samples_{};
  size_t count_ = 0;  // samples recorded in all
};

class RoleMetrics {
 public:
  // This process's metrics, or nullptr when none were installed.
  static RoleMetrics* of_this_process();
  // Installs them for this process (once; later calls keep the first).
  static void install();

  struct Counters {
    uint64_t transactions_started = 0;
    uint64_t transactions_committed = 0;
    uint64_t transactions_conflicted = 0;
    uint64_t reads = 0;
    uint64_t writes = 0;
  };
  Counters counters;
  LatencySamples read_version_latency;
  LatencySamples read_latency;
  LatencySamples commit_latency;

  // What storage server `bytes.id` holds now.
  void set_storage_bytes(const StorageServerBytes& bytes) { storage_bytes_[bytes.id] = bytes; }
  // Storage server `id` no longer runs here.
  void forget_storage(const UID& id) { storage_bytes_.erase(id); }

  // Remembers the counters now (the worker calls it about once a second): rates are taken
  // over the samples of the last `rate_window_s`.
  void sample(double now);
  ProcessMetrics snapshot(double now) const;

 private:
  static constexpr double rate_window_s = 5.0;
  struct Sample {
    double at;
    Counters counters;
    double cpu_seconds;  // the process's, user and kernel
  };
  std::deque<Sample> samples_;
  std::map<UID, StorageServerBytes> storage_bytes_;
};

}  // namespace strata
