#include "interfaces/exclusions.h"

#include <algorithm>

namespace strata {

std::optional<AddressExclusion> AddressExclusion::try_parse(std::string_view text) {
  if (text.find(':') != std::string_view::npos) {
    std::optional<NetworkAddress> address = NetworkAddress::try_parse(text);
    if (!address) return std::nullopt;
    return process(*address);
  }
  std::optional<NetworkAddress> address = NetworkAddress::try_parse(std::string(text) + ":0");
  if (!address) return std::nullopt;
  return machine(*address);
}

std::string AddressExclusion::to_string() const {
  return whole_machine_ ? address_.ip_string() : address_.to_string();
}

bool Exclusions::covers(const NetworkAddress& address) const {
  auto covering = [&address](const AddressExclusion& exclusion) {
    return exclusion.covers(address);
  };
  return std::any_of(excluded.begin(), excluded.end(), covering) || covers_failed(address);
}

bool Exclusions::covers_failed(const NetworkAddress& address) const {
  return std::any_of(failed.begin(), failed.end(), [&address](const AddressExclusion& exclusion) {
    return exclusion.covers(address);
  });
}

std::optional<AddressExclusion> exclusion_of_key(std::string_view key, std::string_view prefix) {
  if (!key.starts_with(prefix)) return std::nullopt;
  return AddressExclusion::try_parse(key.substr(prefix.size()));
}

Exclusions exclusions_of_rows(const std::vector<KeyValue>& excluded_rows,
                              const std::vector<KeyValue>& failed_rows) {
  Exclusions exclusions;
  for (const KeyValue& row : excluded_rows) {
    if (auto exclusion = exclusion_of_key(row.key, excluded_servers_prefix)) {
      exclusions.excluded.push_back(*exclusion);
    }
  }
  for (const KeyValue& row : failed_rows) {
    if (auto exclusion = exclusion_of_key(row.key, failed_servers_prefix)) {
      exclusions.failed.push_back(*exclusion);
    }
  }
  return exclusions;
}

}  // namespace strata
