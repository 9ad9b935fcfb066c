#include "client/atomic_ops.h"

#include <cstdint>

#include "runtime/assert.h"

namespace strata {

namespace {

uint8_t byte_at(std::string_view bytes, size_t index) {
  return static_cast<uint8_t>(bytes[index]);
}

// `existing` (empty when missing) as a little-endian integer of exactly `length` bytes:
// truncated, or zero-extended at the high end.
std::string resize_little_endian(const std::optional<std::string>& existing, size_t length) {
  std::string resized = existing ? existing->substr(0, length) : std::string();
  resized.resize(length, '\0');
  return resized;
}

// Compares little-endian unsigned integers of equal length: the last byte is the most
// significant.
int compare_little_endian(std::string_view left, std::string_view right) {
  STRATA_ASSERT(left.size() == right.size());
  for (size_t index = left.size(); index-- > 0;) {
    if (byte_at(left, index) != byte_at(right, index)) {
      return byte_at(left, index) < byte_at(right, index) ? -1 : 1;
    }
  }
  return 0;
}

std::string add(const std::optional<std::string>& existing, std::string_view operand) {
  std::string sum = resize_little_endian(existing, operand.size());
  unsigned carry = 0;
  for (size_t index = 0; index < operand.size(); ++index) {
    unsigned byte_sum = byte_at(sum, index) + byte_at(operand, index) + carry;
    sum[index] = static_cast<char>(byte_sum & 0xff);
    carry = byte_sum >> 8;
  }
  // A carry out of the last byte is dropped: the sum wraps around at the operand's width.
  return sum;
}

template <class Combine>
std::string bitwise(const std::optional<std::string>& existing, std::string_view operand,
                    Combine combine) {
  std::string result = resize_little_endian(existing, operand.size());
  for (size_t index = 0; index < operand.size(); ++index) {
    result[index] = static_cast<char>(combine(byte_at(result, index), byte_at(operand, index)));
  }
  return result;
}

std::string append_if_fits(const std::optional<std::string>& existing, std::string_view operand) {
  if (!existing || existing->empty()) return std::string(operand);
  if (existing->size() + operand.size() > value_size_limit) return *existing;
  return *existing + std::string(operand);
}

std::string little_endian_max(const std::optional<std::string>& existing,
                              std::string_view operand) {
  std::string current = resize_little_endian(existing, operand.size());
  return compare_little_endian(current, operand) > 0 ? current : std::string(operand);
}

std::string little_endian_min(const std::optional<std::string>& existing,
                              std::string_view operand) {
  if (!existing) return std::string(operand);
  std::string current = resize_little_endian(existing, operand.size());
  return compare_little_endian(current, operand) < 0 ? current : std::string(operand);
}

}  // namespace

bool is_atomic_operation(MutationType type) {
  return type != MutationType::set_value && type != MutationType::clear_range;
}

bool is_versionstamp_operation(MutationType type) {
  return type == MutationType::set_versionstamped_key ||
         type == MutationType::set_versionstamped_value;
}

std::optional<std::string> apply_atomic_op(MutationType type,
                                           const std::optional<std::string>& existing,
                                           std::string_view operand) {
  switch (type) {
    case MutationType::add:
      return add(existing, operand);
    case MutationType::bit_and:
      if (!existing) return std::string(operand);
      return bitwise(existing, operand, [](uint8_t left, uint8_t right) { return left & right; });
    case MutationType::bit_or:
      return bitwise(existing, operand, [](uint8_t left, uint8_t right) { return left | right; });
    case MutationType::bit_xor:
      return bitwise(existing, operand, [](uint8_t left, uint8_t right) { return left ^ right; });
    case MutationType::append_if_fits:
      return append_if_fits(existing, operand);
    case MutationType::max:
      return little_endian_max(existing, operand);
    case MutationType::min:
      return little_endian_min(existing, operand);
    case MutationType::byte_min:
      if (!existing || std::string_view(*existing) >= operand) return std::string(operand);
      return existing;
    case MutationType::byte_max:
      if (!existing || std::string_view(*existing) <= operand) return std::string(operand);
      return existing;
    case MutationType::compare_and_clear:
      if (!existing || *existing == operand) return std::nullopt;
      return existing;
    case MutationType::set_value:
    case MutationType::clear_range:
    case MutationType::set_versionstamped_key:
    case MutationType::set_versionstamped_value:
      break;
  }
  STRATA_UNREACHABLE("apply_atomic_op: not an atomic operation on a value");
}

std::optional<std::string> apply_atomic_ops(const AtomicOperations& operations,
                                            std::optional<std::string> existing) {
  for (const auto& [type, operand] : operations) {
    existing = apply_atomic_op(type, existing, operand);
  }
  return existing;
}

const std::vector<MutationType>& value_atomic_operations() {
  static const std::vector<MutationType> types{MutationType::add,
                                               MutationType::bit_and,
                                               MutationType::bit_or,
                                               MutationType::bit_xor,
                                               MutationType::append_if_fits,
                                               MutationType::max,
                                               MutationType::min,
                                               MutationType::byte_min,
                                               MutationType::byte_max,
                                               MutationType::compare_and_clear};
  return types;
}

std::string make_versionstamp(Version version, uint16_t batch_index) {
  std::string stamp(versionstamp_bytes, '\0');
  auto bits = static_cast<uint64_t>(version);
  for (size_t i = 0; i < 8; ++i)
    stamp[i] = static_cast<char>(bits >> (56 - 8 * i));
  stamp[8] = static_cast<char>(batch_index >> 8);
  stamp[9] = static_cast<char>(batch_index);
  return stamp;
}

std::pair<Version, uint16_t> versionstamp_place(std::string_view stamp) {
  STRATA_ASSERT_MSG(stamp.size() == versionstamp_bytes, "a versionstamp is 10 bytes");
  uint64_t version = 0;
  for (size_t i = 0; i < 8; ++i)
    version = (version << 8) | static_cast<uint8_t>(stamp[i]);
  auto index =
      static_cast<uint16_t>((static_cast<uint8_t>(stamp[8]) << 8) | static_cast<uint8_t>(stamp[9]));
  return {static_cast<Version>(version), index};
}

std::optional<size_t> versionstamp_position(std::string_view parameter) {
  if (parameter.size() < 4) return std::nullopt;
  uint32_t position = 0;
  for (size_t i = 4; i > 0; --i)
    position = (position << 8) | static_cast<uint8_t>(parameter[parameter.size() - 5 + i]);
  size_t length = parameter.size() - 4;
  if (position > length || length - position < versionstamp_bytes) return std::nullopt;
  return position;
}

std::string fill_in_versionstamp(std::string_view parameter, size_t position,
                                 std::string_view stamp) {
  std::string filled(parameter.substr(0, parameter.size() - 4));
  filled.replace(position, stamp.size(), stamp);
  return filled;
}

}  // namespace strata
