#pragma once

// A sample of a storage server's key-value pairs from which it estimates the bytes of any
// range without reading it (FoundationDB's byte sample), for the data distributor's
// splits, merges and balance.
//
// A pair of `size` bytes (key plus value) is in the sample with probability
//   p = min(1, size / ((key size + overhead) * unit)),
// decided by a hash of the key alone, so every copy of a shard samples the same keys, and
// counts size / p. The expected total of any range is its true size; the sample holds
// about one pair per `unit` pairs of small values, and every pair of at least
// (key size + overhead) * unit bytes, counted exactly.
//
// The sample follows the mutations as they are applied (a rollback in memory leaves what
// it undid in the sample: it is an estimate).
//
// WriteSample, below, samples the bytes a server takes in the same way, for the write rate
// of any range over the last few seconds (FoundationDB's bandwidth sample): the data
// distributor splits a shard written faster than one server should take.

#include <cstdint>
#include <deque>
#include <map>
#include <string_view>
#include <tuple>
#include <vector>

#include "interfaces/types.h"

namespace strata {

// What `size` bytes at `key` count in a sample of that `unit` and `overhead`: size / p when
// sampled (decided by a hash of the key and `salt`), else 0.
int64_t sample_weight(std::string_view key, int64_t size, int64_t unit, int64_t overhead,
                      uint64_t salt);

// Keys of `weights` inside `range` (not its first) that cut it into pieces of at least
// `chunk` each, in order (a last piece under half a chunk joins the one before).
std::vector<Key> weighted_split_points(const std::map<Key, int64_t, std::less<>>& weights,
                                       const KeyRange& range, int64_t chunk);

class ByteSample {
 public:
  explicit ByteSample(int64_t unit = 250, int64_t overhead = 100);

  // The pair at `key` now holds a value of `value_size` bytes.
  void set(const Key& key, int64_t value_size);
  // The pairs of `range` are gone.
  void erase(const KeyRange& range);

  // The estimated bytes of the pairs in `range`.
  int64_t bytes(const KeyRange& range) const;
  // The estimated bytes of every pair (kept as the sample changes, not summed).
  int64_t total_bytes() const { return total_; }
  // Keys inside `range` (not its first) that cut it into pieces of at least `chunk_bytes`
  // each, in order (a last piece under half a chunk joins the one before). Empty when no
  // cut is needed.
  std::vector<Key> split_points(const KeyRange& range, int64_t chunk_bytes) const;

  // What one pair counts in the sample: 0 when it is not in it.
  int64_t weight_of(const Key& key, int64_t value_size) const;
  size_t sampled_pairs() const { return weights_.size(); }

 private:
  const int64_t unit_;
  const int64_t overhead_;
  std::map<Key, int64_t, std::less<>> weights_;
  // The sum of weights_.
  int64_t total_ = 0;
};

// The bytes written over the last `window_s` seconds. Each write is sampled by its key and
// its version, so that every write of a hot key has its chance.
class WriteSample {
 public:
  explicit WriteSample(double window_s, int64_t unit = 250, int64_t overhead = 100);

  // `bytes` written at `key` at `version`, at time `at` (not before the last one added).
  void add(const Key& key, int64_t bytes, Version version, double at);
  // Estimated bytes per second written to `range` over the window ending at `at`.
  double bytes_per_s(const KeyRange& range, double at);
  // Keys inside `range` that cut it into pieces written at about `chunk_bytes_per_s` each
  // (see weighted_split_points).
  std::vector<Key> split_points(const KeyRange& range, double chunk_bytes_per_s, double at);
  size_t sampled_writes() const { return in_window_.size(); }

 private:
  void forget_before(double at);

  const double window_s_;
  const int64_t unit_;
  const int64_t overhead_;
  // The sampled writes of the window, oldest first, and their weights summed by key.
  std::deque<std::tuple<double, Key, int64_t>> in_window_;
  std::map<Key, int64_t, std::less<>> by_key_;
};

}  // namespace strata
