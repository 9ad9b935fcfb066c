#include <cmath>

#include "tools/bench/workload.h"

namespace strata::bench {

namespace {

class UniformChooser final : public KeyChooser {
 public:
  explicit UniformChooser(int64_t items) : items_(items) {}
  int64_t next(Random& random) override { return random.uniform(0, items_); }

 private:
  int64_t items_;
};

// Gray et al.'s generator ("Quickly generating billion-record synthetic databases"), as
// YCSB uses it: rank r has probability proportional to 1 / r^theta.
class ZipfianChooser final : public KeyChooser {
 public:
  explicit ZipfianChooser(int64_t items) : items_(items) {
    for (int64_t i = 1; i <= items; ++i)
      zeta_n_ += 1.0 / std::pow(static_cast<double>(i), theta);
    double zeta_2 = 1.0 + 1.0 / std::pow(2.0, theta);
    alpha_ = 1.0 / (1.0 - theta);
    eta_ =
        (1.0 - std::pow(2.0 / static_cast<double>(items), 1.0 - theta)) / (1.0 - zeta_2 / zeta_n_);
  }

  int64_t next(Random& random) override {
    double u = random.uniform01();
    double uz = u * zeta_n_;
    int64_t rank;
    if (uz < 1.0) {
      rank = 0;
    } else if (uz < 1.0 + std::pow(0.5, theta)) {
      rank = 1;
    } else {
      rank = static_cast<int64_t>(static_cast<double>(items_) *
                                  std::pow(eta_ * u - eta_ + 1.0, alpha_));
    }
    if (rank >= items_) rank = items_ - 1;
    return static_cast<int64_t>(scramble(static_cast<uint64_t>(rank)) %
                                static_cast<uint64_t>(items_));
  }

 private:
  static constexpr double theta = 0.99;

  // FNV-1a over the rank's bytes, as YCSB's scrambled generator hashes.
  static uint64_t scramble(uint64_t value) {
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (int i = 0; i < 8; ++i) {
      hash ^= (value >> (8 * i)) & 0xff;
      hash *= 0x100000001b3ULL;
    }
    return hash;
  }

  int64_t items_;
  double zeta_n_ = 0;
  double alpha_ = 0;
  double eta_ = 0;
};

}  // namespace

std::unique_ptr<KeyChooser> uniform_chooser(int64_t items) {
  return std::make_unique<UniformChooser>(items);
}

std::unique_ptr<KeyChooser> zipfian_chooser(int64_t items) {
  return std::make_unique<ZipfianChooser>(items);
}

}  // namespace strata::bench
