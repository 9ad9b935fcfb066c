#pragma once

// Excluded processes, in FoundationDB's layout:
//
//   \xff/conf/excluded/<ip[:port]>  -> ""  data and roles move off the process(es)
//   \xff/conf/failed/<ip[:port]>    -> ""  the same, for processes gone for good: their
//                                          storage servers are dropped without waiting
//   \xff/conf/excluded              -> a new random id on every change of either list
//
// An exclusion without a port covers every process on that machine. The data distributor
// moves every shard off an excluded process's storage servers and then removes them; the
// cluster controller recruits no role there, and starts a recovery when the current
// generation has one there. Nothing moves coordinators: they are changed with
// `coordinators`.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interfaces/types.h"
#include "runtime/network_address.h"

namespace strata {

inline const std::string excluded_servers_prefix = system_keys_begin + "/conf/excluded/";
inline const std::string failed_servers_prefix = system_keys_begin + "/conf/failed/";
inline const std::string excluded_servers_version_key = system_keys_begin + "/conf/excluded";

// One process (ip:port) or every process of a machine (ip).
class AddressExclusion {
 public:
  AddressExclusion() = default;
  static AddressExclusion process(NetworkAddress address) {
    return AddressExclusion(address, false);
  }
  static AddressExclusion machine(NetworkAddress address) {
    return AddressExclusion(address, true);
  }
  // "a.b.c.d:port" or "a.b.c.d"; nullopt for anything else.
  static std::optional<AddressExclusion> try_parse(std::string_view text);

  bool covers(const NetworkAddress& address) const {
    return address.ip() == address_.ip() && (whole_machine_ || address.port() == address_.port());
  }
  bool whole_machine() const { return whole_machine_; }
  std::string to_string() const;

  bool operator==(const AddressExclusion&) const = default;
  auto operator<=>(const AddressExclusion& other) const {
    return std::make_pair(address_, whole_machine_) <=>
           std::make_pair(other.address_, other.whole_machine_);
  }

 private:
  AddressExclusion(NetworkAddress address, bool whole_machine)
      : address_(whole_machine ? NetworkAddress(address.ip(), 0) : address),
        whole_machine_(whole_machine) {}

  NetworkAddress address_;
  bool whole_machine_ = false;
};

// What the database records: every exclusion, and whether it was made as `failed`.
struct Exclusions {
  std::vector<AddressExclusion> excluded;
  std::vector<AddressExclusion> failed;

  // Excluded either way.
  bool covers(const NetworkAddress& address) const;
  bool covers_failed(const NetworkAddress& address) const;
  bool operator==(const Exclusions&) const = default;
};

// The exclusion a row of either list names; nullopt when the key is not one.
std::optional<AddressExclusion> exclusion_of_key(std::string_view key, std::string_view prefix);

// Both lists from their rows (rows outside them, or that do not parse, are ignored).
Exclusions exclusions_of_rows(const std::vector<KeyValue>& excluded_rows,
                              const std::vector<KeyValue>& failed_rows);

}  // namespace strata
