#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>

#include "runtime/real/threads.h"
#include "tools/bench/peer_session.h"

namespace strata::bench {

namespace {

using real::monotonic_seconds;

constexpr int64_t load_batch_rows = 100;
constexpr int load_streams = 8;

// Spreads transaction starts at `rate` per second over all threads (0: no limit).
class RateLimiter {
 public:
  explicit RateLimiter(double rate) : interval_s_(rate > 0 ? 1.0 / rate : 0) {}
  void wait() {
    if (interval_s_ == 0) return;
    double now = monotonic_seconds();
    double current = next_.load();
    double slot;
    do {
      slot = std::max(current, now);
    } while (!next_.compare_exchange_weak(current, slot + interval_s_));
    real::sleep_for_seconds(slot - now);
  }

 private:
  double interval_s_;
  std::atomic<double> next_{0};
};

// The errors the threads meet: the first one stops the run, and is what the user sees.
class ThreadErrors {
 public:
  explicit ThreadErrors(int threads) : messages_(static_cast<size_t>(threads)) {}
  void record(int thread, const PeerError& error) {
    messages_[static_cast<size_t>(thread)] = error.what();
    failed_ = true;
  }
  bool failed() const { return failed_.load(); }
  // Prints the first thread's error, after `context`.
  void print(const char* context) const {
    for (const std::string& message : messages_) {
      if (message.empty()) continue;
      std::fprintf(stderr, "strata-bench: %s%s\n", context, message.c_str());
      return;
    }
  }

 private:
  std::atomic<bool> failed_{false};
  std::vector<std::string> messages_;  // each written by its own thread only
};

}  // namespace

std::pair<std::string, int> split_host_port(const std::string& address, const std::string& what) {
  size_t colon = address.rfind(':');
  int port = 0;
  if (colon != std::string::npos) port = std::atoi(address.c_str() + colon + 1);
  if (colon == std::string::npos || colon == 0 || port <= 0 || port > 65535)
    throw PeerError(what + " takes HOST:PORT, not '" + address + "'");
  return {address.substr(0, colon), port};
}

std::unique_ptr<PeerSession> connect_peer(const BenchOptions& options) {
  switch (options.target) {
    case Target::postgres:
      return connect_postgres(options);
    case Target::etcd:
      return connect_etcd(options);
    case Target::redis:
      return connect_redis(options);
    case Target::strata:
      break;
  }
  throw PeerError("strata is not a peer");
}

bool peer_supports(const BenchOptions& options, const Workload& workload) {
  return !(options.target == Target::redis && workload.scans());
}

int run_peer(const BenchOptions& options, Workload& workload) {
  if (!peer_supports(options, workload)) {
    std::fprintf(stderr, "strata-bench: %s cannot run %s: it has no ordered range reads\n",
                 target_name(options.target).c_str(), options.workload.c_str());
    return 3;
  }
  int sessions = options.concurrency();
  std::vector<std::unique_ptr<PeerSession>> connections;
  try {
    for (int i = 0; i < sessions; ++i)
      connections.push_back(connect_peer(options));
    connections.front()->prepare();
  } catch (const PeerError& error) {
    std::fprintf(stderr, "strata-bench: %s\n", error.what());
    return 1;
  }
  ThreadErrors errors(sessions + 1);

  if (options.load) {
    int64_t total = workload.load_count();
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0};
    int loaders = std::min(load_streams, sessions);
    std::atomic<int> finished{0};
    real::run_on_threads(loaders + 1, [&](int index) {
      if (index == loaders) {
        double last_print = monotonic_seconds();
        while (finished.load() < loaders) {
          real::sleep_for_seconds(0.05);
          if (monotonic_seconds() - last_print >= 1.0) {
            last_print = monotonic_seconds();
            std::printf("loading: %" PRId64 " of %" PRId64 " rows\n", done.load(), total);
            std::fflush(stdout);
          }
        }
        return;
      }
      try {
        while (!errors.failed()) {
          int64_t first = next.fetch_add(load_batch_rows);
          if (first >= total) break;
          int64_t last = std::min(total, first + load_batch_rows);
          std::vector<KeyValue> rows;
          for (int64_t i = first; i < last; ++i)
            rows.push_back(workload.load_row(i));
          connections[static_cast<size_t>(index)]->load(rows);
          done += last - first;
        }
      } catch (const PeerError& error) {
        errors.record(index, error);
      }
      ++finished;
    });
    if (errors.failed()) {
      errors.print("loading: ");
      return 1;
    }
    std::printf("loaded %" PRId64 " rows\n", total);
  }

  double measure_start = monotonic_seconds() + options.warmup_s;
  double measure_end = measure_start + options.duration_s;
  std::vector<Timings> timings(static_cast<size_t>(sessions));
  std::atomic<uint64_t> committed{0};
  std::atomic<uint64_t> retried{0};
  std::atomic<int> finished{0};
  RateLimiter limiter(options.rate);
  real::run_on_threads(sessions + 1, [&](int index) {
    if (index == sessions) {
      uint64_t last = 0;
      double next_print = monotonic_seconds() + 1.0;
      while (finished.load() < sessions) {
        real::sleep_for_seconds(0.05);
        double now = monotonic_seconds();
        if (now < next_print) continue;
        next_print += 1.0;
        if (now < measure_start) {
          std::printf("warming up...\n");
        } else {
          uint64_t total = committed.load();
          std::printf("%8.1f s  %10" PRIu64 " transactions/s  %" PRIu64 " retries\n",
                      now - measure_start, total - last, retried.load());
          last = total;
        }
        std::fflush(stdout);
      }
      return;
    }
    PeerSession& session = *connections[static_cast<size_t>(index)];
    Timings& mine = timings[static_cast<size_t>(index)];
    Random random(options.seed * 1000003 + static_cast<uint64_t>(index) + 1);
    try {
      while (!errors.failed() && monotonic_seconds() < measure_end) {
        limiter.wait();
        TransactionPlan plan = workload.next(random);
        double started = monotonic_seconds();
        bool measured = started >= measure_start && started < measure_end;
        while (!session.run(plan, measured, mine)) {
          if (measured) {
            ++mine.retries;
            ++retried;
          }
        }
        if (!measured) continue;
        ++mine.transactions;
        ++committed;
        mine.operations += plan.ops.size();
        mine.transaction.add(monotonic_seconds() - started);
      }
    } catch (const PeerError& error) {
      errors.record(index, error);
    }
    ++finished;
  });
  if (errors.failed()) {
    errors.print("");
    return 1;
  }
  Timings all;
  for (const Timings& part : timings)
    all.merge(part);
  return report(options, options.duration_s, all) ? 0 : 1;
}

}  // namespace strata::bench
