#include "interfaces/types.h"

namespace strata {

std::string strinc(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty() && static_cast<unsigned char>(out.back()) == 0xff)
    out.pop_back();
  if (!out.empty()) out.back() = static_cast<char>(static_cast<unsigned char>(out.back()) + 1);
  return out;
}

bool is_known_mutation_type(uint8_t type) {
  switch (static_cast<MutationType>(type)) {
    case MutationType::set_value:
    case MutationType::clear_range:
    case MutationType::add:
    case MutationType::bit_and:
    case MutationType::bit_or:
    case MutationType::bit_xor:
    case MutationType::append_if_fits:
    case MutationType::max:
    case MutationType::min:
    case MutationType::set_versionstamped_key:
    case MutationType::set_versionstamped_value:
    case MutationType::byte_min:
    case MutationType::byte_max:
    case MutationType::compare_and_clear:
      return true;
  }
  return false;
}

std::string_view mutation_type_name(MutationType type) {
  switch (type) {
    case MutationType::set_value:
      return "set_value";
    case MutationType::clear_range:
      return "clear_range";
    case MutationType::add:
      return "add";
    case MutationType::bit_and:
      return "bit_and";
    case MutationType::bit_or:
      return "bit_or";
    case MutationType::bit_xor:
      return "bit_xor";
    case MutationType::append_if_fits:
      return "append_if_fits";
    case MutationType::max:
      return "max";
    case MutationType::min:
      return "min";
    case MutationType::set_versionstamped_key:
      return "set_versionstamped_key";
    case MutationType::set_versionstamped_value:
      return "set_versionstamped_value";
    case MutationType::byte_min:
      return "byte_min";
    case MutationType::byte_max:
      return "byte_max";
    case MutationType::compare_and_clear:
      return "compare_and_clear";
  }
  return "unknown";
}

}  // namespace strata
