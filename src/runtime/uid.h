#pragma once

// A 128-bit identifier: endpoint tokens, process and machine ids, debug ids.

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace strata {

class UID {
 public:
  constexpr UID() = default;
  constexpr UID(uint64_t first, uint64_t second) : first_(first), second_(second) {}

  constexpr uint64_t first() const { return first_; }
  constexpr uint64_t second() const { return second_; }
  constexpr bool is_valid() const { return first_ != 0 || second_ != 0; }
  // 32 lowercase hex digits.
  std::string to_string() const;
  // The inverse of to_string(); nullopt unless `text` is exactly 32 hex digits.
  static std::optional<UID> parse(std::string_view text);
  // 16 hex digits of the first half: enough to tell ids apart in a trace.
  std::string short_string() const;

  friend constexpr auto operator<=>(const UID&, const UID&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(first_, second_);
  }

 private:
  uint64_t first_ = 0;
  uint64_t second_ = 0;
};

struct UIDHash {
  size_t operator()(const UID& id) const {
    return std::hash<uint64_t>()(id.first() ^ (id.second() * 0x9e3779b97f4a7c15ULL));
  }
};

}  // namespace strata
