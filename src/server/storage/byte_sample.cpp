#include "server/storage/byte_sample.h"

#include <xxhash.h>

#include "runtime/assert.h"

namespace strata {

ByteSample::ByteSample(int64_t unit, int64_t overhead) : unit_(unit), overhead_(overhead) {
  STRATA_ASSERT(unit_ > 0 && overhead_ >= 0);
}

int64_t ByteSample::weight_of(const Key& key, int64_t value_size) const {
  const auto size = static_cast<int64_t>(key.size()) + value_size;
  const double scale = static_cast<double>((static_cast<int64_t>(key.size()) + overhead_) * unit_);
  const double probability = static_cast<double>(size) / scale;
  if (probability >= 1.0) return size;
  // The top 53 bits of the key's hash, as a fraction in [0, 1).
  const double draw = static_cast<double>(XXH3_64bits(key.data(), key.size()) >> 11) * 0x1.0p-53;
  if (draw >= probability) return 0;
  return static_cast<int64_t>(scale);  // size / probability
}

void ByteSample::set(const Key& key, int64_t value_size) {
  const int64_t weight = weight_of(key, value_size);
  if (weight == 0) {
    weights_.erase(key);
  } else {
    weights_[key] = weight;
  }
}

void ByteSample::erase(const KeyRange& range) {
  if (range.empty()) return;
  weights_.erase(weights_.lower_bound(range.begin), weights_.lower_bound(range.end));
}

int64_t ByteSample::bytes(const KeyRange& range) const {
  int64_t total = 0;
  for (auto it = weights_.lower_bound(range.begin); it != weights_.end() && it->first < range.end;
       ++it) {
    total += it->second;
  }
  return total;
}

std::vector<Key> ByteSample::split_points(const KeyRange& range, int64_t chunk_bytes) const {
  STRATA_ASSERT(chunk_bytes > 0);
  std::vector<Key> points;
  int64_t piece = 0;
  for (auto it = weights_.lower_bound(range.begin); it != weights_.end() && it->first < range.end;
       ++it) {
    if (piece >= chunk_bytes && it->first != range.begin) {
      points.push_back(it->first);
      piece = 0;
    }
    piece += it->second;
  }
  // A last piece much smaller than a chunk joins the one before it.
  if (!points.empty() && piece < chunk_bytes / 2) points.pop_back();
  return points;
}

}  // namespace strata
