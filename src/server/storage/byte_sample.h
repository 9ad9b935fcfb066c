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

#include <cstdint>
#include <map>
#include <vector>

#include "interfaces/types.h"

namespace strata {

class ByteSample {
 public:
  explicit ByteSample(int64_t unit = 250, int64_t overhead = 100);

  // The pair at `key` now holds a value of `value_size` bytes.
  void set(const Key& key, int64_t value_size);
  // The pairs of `range` are gone.
  void erase(const KeyRange& range);

  // The estimated bytes of the pairs in `range`.
  int64_t bytes(const KeyRange& range) const;
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
};

}  // namespace strata
