#include "layers/redis/redis_integer.h"

#include <limits>

namespace strata::redis {

std::optional<int64_t> parse_redis_integer(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text == "0") return 0;
  const bool negative = text.front() == '-';
  std::string_view digits = negative ? text.substr(1) : text;
  if (digits.empty() || digits.front() < '1' || digits.front() > '9') return std::nullopt;
  // Accumulated as a magnitude, so that the most negative value fits too.
  uint64_t magnitude = 0;
  constexpr uint64_t most = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (magnitude > (most - digit) / 10) return std::nullopt;
    magnitude = magnitude * 10 + digit;
  }
  if (negative) {
    if (magnitude == most) return std::numeric_limits<int64_t>::min();
    return -static_cast<int64_t>(magnitude);
  }
  if (magnitude == most) return std::nullopt;
  return static_cast<int64_t>(magnitude);
}

}  // namespace strata::redis
