#include "runtime/random.h"

#include <cmath>

namespace strata {

namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotate_left(uint64_t value, int bits) {
  return (value << bits) | (value >> (64 - bits));
}

}  // namespace

Random::Random(uint64_t seed) : seed_(seed) {
  uint64_t mix = seed;
  for (uint64_t& word : state_)
    word = splitmix64(mix);
}

uint64_t Random::next_u64() {
  ++draws_;
  const uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
  const uint64_t shifted = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= shifted;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

int64_t Random::uniform(int64_t low, int64_t high) {
  STRATA_ASSERT(low < high);
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  // Rejection sampling keeps the distribution exactly uniform.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % range);
  uint64_t draw;
  do {
    draw = next_u64();
  } while (draw >= limit);
  return static_cast<int64_t>(static_cast<uint64_t>(low) + draw % range);
}

double Random::uniform01() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double Random::exponential(double mean) {
  return -mean * std::log1p(-uniform01());
}

std::string Random::bytes(size_t length) {
  std::string out(length, '\0');
  for (size_t i = 0; i < length; i += 8) {
    uint64_t word = next_u64();
    for (size_t j = i; j < length && j < i + 8; ++j) {
      out[j] = static_cast<char>(word & 0xff);
      word >>= 8;
    }
  }
  return out;
}

UID Random::unique_id() {
  UID id;
  do {
    id = UID(next_u64(), next_u64());
  } while (!id.is_valid());
  return id;
}

}  // namespace strata
