#include "server/role_metrics.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "runtime/environment.h"

namespace strata {

void LatencySamples::add(double seconds) {
  samples_[count_ % capacity] = seconds;
  ++count_;
}

double LatencySamples::percentile(double fraction) const {
  size_t held = std::min(count_, capacity);
  if (held == 0) return 0;
  std::vector<double> sorted(samples_.begin(), samples_.begin() + static_cast<long>(held));
  size_t index = static_cast<size_t>(fraction * static_cast<double>(held - 1));
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(index), sorted.end());
  return sorted[index];
}

RoleMetrics* RoleMetrics::of_this_process() {
  return env().process().find_service<RoleMetrics>();
}

void RoleMetrics::install() {
  if (of_this_process() == nullptr) env().process().set_service(std::make_shared<RoleMetrics>());
}

namespace {

// The process's figures (none without an environment: a role's unit test).
ProcessUsage process_usage() {
  return has_env() ? env().process_usage() : ProcessUsage{};
}

double cpu_seconds(const ProcessUsage& usage) {
  return usage.cpu_user_s + usage.cpu_system_s;
}

}  // namespace

void RoleMetrics::sample(double now) {
  samples_.push_back(Sample{now, counters, cpu_seconds(process_usage())});
  // Keep one sample at or before the window's start, so that rates span the whole window.
  while (samples_.size() > 2 && samples_[1].at <= now - rate_window_s)
    samples_.pop_front();
}

ProcessMetrics RoleMetrics::snapshot(double now) const {
  ProcessMetrics metrics;
  const ProcessUsage usage = process_usage();
  metrics.resident_bytes = usage.resident_bytes;
  if (!samples_.empty() && now > samples_.front().at) {
    const Counters& then = samples_.front().counters;
    double seconds = now - samples_.front().at;
    metrics.cpu_usage_cores =
        std::max(0.0, (cpu_seconds(usage) - samples_.front().cpu_seconds) / seconds);
    auto rate = [seconds](uint64_t later, uint64_t earlier) {
      return static_cast<double>(later - earlier) / seconds;
    };
    metrics.transactions_started_hz =
        rate(counters.transactions_started, then.transactions_started);
    metrics.transactions_committed_hz =
        rate(counters.transactions_committed, then.transactions_committed);
    metrics.transactions_conflicted_hz =
        rate(counters.transactions_conflicted, then.transactions_conflicted);
    metrics.reads_hz = rate(counters.reads, then.reads);
    metrics.writes_hz = rate(counters.writes, then.writes);
  }
  metrics.read_version_p50_s = read_version_latency.percentile(0.5);
  metrics.read_version_p99_s = read_version_latency.percentile(0.99);
  metrics.read_p50_s = read_latency.percentile(0.5);
  metrics.read_p99_s = read_latency.percentile(0.99);
  metrics.commit_p50_s = commit_latency.percentile(0.5);
  metrics.commit_p99_s = commit_latency.percentile(0.99);
  for (const auto& [storage, bytes] : storage_bytes_) {
    metrics.storage_disk_used_bytes += bytes.disk_used_bytes;
    metrics.storage_servers.push_back(bytes);
  }
  return metrics;
}

}  // namespace strata
