#include "server/storage/byte_sample.h"

#include <xxhash.h>

#include "runtime/assert.h"

namespace strata {

ByteSample::ByteSample(int64_t unit, int64_t overhead) : unit_(unit), overhead_(overhead) {
  STRATA_ASSERT(unit_ > 0 && overhead_ >= 0);
}

int64_t sample_weight(std::string_view key, int64_t size, int64_t unit, int64_t overhead,
                      uint64_t salt) {
  const double scale = static_cast<double>((static_cast<int64_t>(key.size()) + overhead) * unit);
  const double probability = static_cast<double>(size) / scale;
  if (probability >= 1.0) return size;
  // The top 53 bits of the hash, as a fraction in [0, 1).
  const double draw =
      static_cast<double>(XXH3_64bits_withSeed(key.data(), key.size(), salt) >> 11) * 0x1.0p-53;
  if (draw >= probability) return 0;
  return static_cast<int64_t>(scale);  // size / probability
}

std::vector<Key> weighted_split_points(const std::map<Key, int64_t, std::less<>>& weights,
                                       const KeyRange& range, int64_t chunk) {
  STRATA_ASSERT(chunk > 0);
  std::vector<Key> points;
  int64_t piece = 0;
  for (auto it = weights.lower_bound(range.begin); it != weights.end() && it->first < range.end;
       ++it) {
    if (piece >= chunk && it->first != range.begin) {
      points.push_back(it->first);
      piece = 0;
    }
    piece += it->second;
  }
  // A last piece much smaller than a chunk joins the one before it.
  if (!points.empty() && piece < chunk / 2) points.pop_back();
  return points;
}

int64_t ByteSample::weight_of(const Key& key, int64_t value_size) const {
  // Salt 0: the key alone decides, so every copy samples alike.
  return sample_weight(key, static_cast<int64_t>(key.size()) + value_size, unit_, overhead_, 0);
}

void ByteSample::set(const Key& key, int64_t value_size) {
  const int64_t weight = weight_of(key, value_size);
  auto it = weights_.find(key);
  if (it != weights_.end()) {
    total_ -= it->second;
    if (weight == 0) {
      weights_.erase(it);
    } else {
      it->second = weight;
    }
  } else if (weight != 0) {
    weights_.emplace(key, weight);
  }
  total_ += weight;
  STRATA_ASSERT(total_ >= 0);
}

void ByteSample::erase(const KeyRange& range) {
  if (range.empty()) return;
  auto first = weights_.lower_bound(range.begin);
  auto last = weights_.lower_bound(range.end);
  for (auto it = first; it != last; ++it)
    total_ -= it->second;
  weights_.erase(first, last);
  STRATA_ASSERT(total_ >= 0);
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
  return weighted_split_points(weights_, range, chunk_bytes);
}

WriteSample::WriteSample(double window_s, int64_t unit, int64_t overhead)
    : window_s_(window_s), unit_(unit), overhead_(overhead) {
  STRATA_ASSERT(window_s_ > 0 && unit_ > 0 && overhead_ >= 0);
}

void WriteSample::add(const Key& key, int64_t bytes, Version version, double at) {
  STRATA_ASSERT(in_window_.empty() || at >= std::get<0>(in_window_.back()));
  forget_before(at - window_s_);
  const int64_t weight =
      sample_weight(key, bytes, unit_, overhead_, static_cast<uint64_t>(version));
  if (weight == 0) return;
  in_window_.emplace_back(at, key, weight);
  by_key_[key] += weight;
}

void WriteSample::forget_before(double at) {
  while (!in_window_.empty() && std::get<0>(in_window_.front()) < at) {
    const auto& [time, key, weight] = in_window_.front();
    auto found = by_key_.find(key);
    STRATA_ASSERT(found != by_key_.end() && found->second >= weight);
    found->second -= weight;
    if (found->second == 0) by_key_.erase(found);
    in_window_.pop_front();
  }
}

double WriteSample::bytes_per_s(const KeyRange& range, double at) {
  forget_before(at - window_s_);
  int64_t total = 0;
  for (auto it = by_key_.lower_bound(range.begin); it != by_key_.end() && it->first < range.end;
       ++it) {
    total += it->second;
  }
  return static_cast<double>(total) / window_s_;
}

std::vector<Key> WriteSample::split_points(const KeyRange& range, double chunk_bytes_per_s,
                                           double at) {
  forget_before(at - window_s_);
  const auto chunk = static_cast<int64_t>(chunk_bytes_per_s * window_s_);
  if (chunk <= 0) return {};
  return weighted_split_points(by_key_, range, chunk);
}

}  // namespace strata
