#include "interfaces/tenant_map.h"

#include <nlohmann/json.hpp>

#include "runtime/error.h"
#include "runtime/trace.h"

namespace strata {

std::string_view tenant_mode_name(TenantMode mode) {
  return mode == TenantMode::optional ? "optional_experimental" : "disabled";
}

std::optional<TenantMode> parse_tenant_mode(std::string_view name) {
  if (name == "disabled") return TenantMode::disabled;
  if (name == "optional_experimental") return TenantMode::optional;
  return std::nullopt;
}

TenantMode tenant_mode_of(const std::optional<Value>& stored) {
  if (!stored) return TenantMode::disabled;
  // A value Strata did not write counts as the safe choice: no tenants.
  return parse_tenant_mode(*stored).value_or(TenantMode::disabled);
}

std::string encode_tenant_id(int64_t id) {
  std::string bytes(8, '\0');
  auto value = static_cast<uint64_t>(id);
  for (int i = 7; i >= 0; --i) {
    bytes[static_cast<size_t>(i)] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return bytes;
}

int64_t decode_tenant_id(std::string_view key, std::string_view stored) {
  if (stored.size() != 8) {
    throw Error(ErrorCode::internal_error, "the tenant map's " + printable(key) + " holds " +
                                               std::to_string(stored.size()) +
                                               " bytes, not an 8-byte id");
  }
  uint64_t value = 0;
  for (char byte : stored)
    value = (value << 8) | static_cast<uint8_t>(byte);
  return static_cast<int64_t>(value);
}

void check_tenant_name(std::string_view name) {
  if (!name.empty() && name.front() == '\xff') {
    throw Error(ErrorCode::invalid_tenant_name,
                "tenant name '" + printable(name) + "' begins with \\xff");
  }
}

namespace {

std::string base64(std::string_view bytes) {
  static constexpr char digits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t group = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) group |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) group |= static_cast<uint8_t>(bytes[i + 2]);
    text += digits[(group >> 18) & 63];
    text += digits[(group >> 12) & 63];
    text += i + 1 < bytes.size() ? digits[(group >> 6) & 63] : '=';
    text += i + 2 < bytes.size() ? digits[group & 63] : '=';
  }
  return text;
}

// FoundationDB's form of a binary string in JSON: its base64 and its printable form.
nlohmann::json binary_json(std::string_view bytes) {
  return {{"base64", base64(bytes)}, {"printable", printable(bytes, Backslash::doubled)}};
}

}  // namespace

std::string tenant_entry_json(std::string_view name, int64_t id) {
  nlohmann::json entry = {{"id", id},
                          {"lock_state", "unlocked"},
                          {"name", binary_json(name)},
                          {"prefix", binary_json(tenant_prefix(id))}};
  return entry.dump();
}

}  // namespace strata
