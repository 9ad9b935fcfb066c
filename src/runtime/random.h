#pragma once

// A seeded pseudo-random generator (xoshiro256**, seeded through splitmix64). Every
// draw is a pure function of the seed and the draws before it, on every platform, which
// is what makes a simulation reproducible from its seed. The standard library's
// distributions are not used because their output differs between implementations.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/assert.h"
#include "runtime/uid.h"

namespace strata {

class Random {
 public:
  explicit Random(uint64_t seed);

  uint64_t next_u64();
  // Uniform in [low, high); requires low < high.
  int64_t uniform(int64_t low, int64_t high);
  // Uniform in [0, 1).
  double uniform01();
  // Uniform in [low, high).
  double uniform_real(double low, double high) { return low + (high - low) * uniform01(); }
  bool coinflip() { return (next_u64() >> 63) != 0; }
  // True with probability `probability`.
  bool chance(double probability) { return uniform01() < probability; }
  // Exponentially distributed with the given mean.
  double exponential(double mean);
  std::string bytes(size_t length);
  // A random non-zero 128-bit id.
  UID unique_id();

  template <class T>
  const T& pick(const std::vector<T>& items) {
    STRATA_ASSERT(!items.empty());
    return items[static_cast<size_t>(uniform(0, static_cast<int64_t>(items.size())))];
  }

  uint64_t seed() const { return seed_; }
  uint64_t draws() const { return draws_; }

 private:
  uint64_t seed_;
  uint64_t draws_ = 0;
  uint64_t state_[4];
};

}  // namespace strata
