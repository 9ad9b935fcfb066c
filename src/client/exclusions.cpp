#include "client/exclusions.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "client/database_context.h"
#include "client/move_keys.h"
#include "interfaces/database_configuration.h"
#include "runtime/environment.h"
#include "strata/transaction.h"

namespace strata {

namespace {

bool covered_by(const std::vector<AddressExclusion>& exclusions, const NetworkAddress& address) {
  return std::any_of(exclusions.begin(), exclusions.end(),
                     [&address](const AddressExclusion& e) { return e.covers(address); });
}

std::string names_of(const std::vector<AddressExclusion>& exclusions) {
  std::string names;
  for (const AddressExclusion& exclusion : exclusions)
    names += (names.empty() ? "" : ", ") + exclusion.to_string();
  return names;
}

Future<nlohmann::json> read_status(Database database) {
  std::string document = co_await database.context()->cluster_status();
  nlohmann::json status = nlohmann::json::parse(document, nullptr, false);
  if (status.is_discarded() || !status["cluster"].is_object()) {
    throw Error(ErrorCode::internal_error, "the cluster's status document is not readable");
  }
  co_return status;
}

}  // namespace

Future<Exclusions> read_exclusions(Database database) {
  co_return co_await database.run([](Transaction& tr) -> Future<Exclusions> {
    tr.set_read_system_keys();
    RangeResult excluded =
        co_await tr.get_range(excluded_servers_prefix, strinc(excluded_servers_prefix));
    RangeResult failed =
        co_await tr.get_range(failed_servers_prefix, strinc(failed_servers_prefix));
    co_return exclusions_of_rows(excluded.rows, failed.rows);
  });
}

Future<std::optional<std::string>> exclusion_unsafe_because(
    Database database, std::vector<AddressExclusion> exclusions, bool failed) {
  Exclusions existing = co_await read_exclusions(database);
  auto leaving = [&](const NetworkAddress& address) {
    return existing.covers(address) || covered_by(exclusions, address);
  };
  if (failed) {
    // Every shard must keep a member that is not given up.
    std::vector<StorageServerRecord> servers = co_await read_server_list(database);
    std::map<UID, NetworkAddress> address_of;
    for (const StorageServerRecord& server : servers)
      address_of[server.id] = server.address;
    for (const ShardMapEntry& entry :
         co_await read_shard_map(database, KeyRange{Key(), all_keys_end})) {
      bool kept = std::any_of(entry.teams.src.begin(), entry.teams.src.end(), [&](const UID& id) {
        auto found = address_of.find(id);
        return found != address_of.end() && !existing.covers_failed(found->second) &&
               !covered_by(exclusions, found->second);
      });
      if (!kept) {
        co_return "every copy of the keys from '" + printable(entry.range.begin) + "' to '" +
            printable(entry.range.end) + "' is on the processes given up, so they would be lost";
      }
    }
    co_return std::nullopt;
  }
  nlohmann::json status = co_await read_status(database);
  const int copies = std::max(1, replication_of_mode(status["cluster"]["configuration"].value(
                                     "redundancy_mode", "single")));
  std::set<std::string> zones;
  for (const auto& [key, process] : status["cluster"]["processes"].items()) {
    std::optional<NetworkAddress> address =
        NetworkAddress::try_parse(process.value("address", std::string()));
    if (!address || !process.contains("locality") || !process.value("reachable", false)) continue;
    if (leaving(*address)) continue;
    zones.insert(process["locality"].value("zoneid", std::string()));
  }
  auto count = [](size_t n) { return std::to_string(n) + (n == 1 ? " zone" : " zones"); };
  const std::string keeps = "the redundancy mode keeps " + std::to_string(copies) +
                            (copies == 1 ? " copy" : " copies in distinct zones");
  if (static_cast<int>(zones.size()) < copies) {
    co_return keeps + ", but the live processes left would span " + count(zones.size());
  }
  // The shards need teams of storage servers that stay.
  std::set<std::string> storage_zones;
  for (const StorageServerRecord& server : co_await read_server_list(database)) {
    if (!leaving(server.address)) storage_zones.insert(server.locality.zone);
  }
  if (static_cast<int>(storage_zones.size()) < copies) {
    co_return keeps + ", but the storage servers left would span " + count(storage_zones.size());
  }
  co_return std::nullopt;
}

Future<Void> exclude_servers(Database database, std::vector<AddressExclusion> exclusions,
                             bool failed, bool force) {
  if (exclusions.empty()) co_return;
  if (!force) {
    if (std::optional<std::string> unsafe =
            co_await exclusion_unsafe_because(database, exclusions, failed)) {
      throw Error(ErrorCode::client_invalid_operation,
                  std::string(failed ? "excluding failed " : "excluding ") + names_of(exclusions) +
                      " is unsafe: " + *unsafe + " (nothing was changed)");
    }
  }
  const std::string version = env().random().unique_id().to_string();
  co_await database.run([&](Transaction& tr) -> Future<Void> {
    tr.set_access_system_keys();
    for (const AddressExclusion& exclusion : exclusions) {
      tr.set((failed ? failed_servers_prefix : excluded_servers_prefix) + exclusion.to_string(),
             "");
    }
    tr.set(excluded_servers_version_key, version);
    co_return;
  });
}

Future<Void> include_servers(Database database,
                             std::optional<std::vector<AddressExclusion>> exclusions) {
  const std::string version = env().random().unique_id().to_string();
  co_await database.run([&](Transaction& tr) -> Future<Void> {
    tr.set_access_system_keys();
    if (!exclusions) {
      tr.clear_range(excluded_servers_prefix, strinc(excluded_servers_prefix));
      tr.clear_range(failed_servers_prefix, strinc(failed_servers_prefix));
    } else {
      for (const AddressExclusion& exclusion : *exclusions) {
        tr.clear(excluded_servers_prefix + exclusion.to_string());
        tr.clear(failed_servers_prefix + exclusion.to_string());
      }
    }
    tr.set(excluded_servers_version_key, version);
    co_return;
  });
}

Future<std::vector<std::string>> exclusion_remaining(Database database,
                                                     std::vector<AddressExclusion> exclusions) {
  std::vector<std::string> remaining;
  for (const StorageServerRecord& server : co_await read_server_list(database)) {
    if (covered_by(exclusions, server.address)) {
      remaining.push_back("storage server " + server.id.short_string() + " on " +
                          server.address.to_string());
    }
  }
  nlohmann::json status = co_await read_status(database);
  for (const auto& [key, process] : status["cluster"]["processes"].items()) {
    std::optional<NetworkAddress> address =
        NetworkAddress::try_parse(process.value("address", std::string()));
    if (!address || !covered_by(exclusions, *address)) continue;
    for (const nlohmann::json& role : process["roles"]) {
      const std::string name = role.value("role", std::string());
      // Storage servers were counted above; exclusion moves neither of these.
      if (name == "storage" || name == "coordinator" || name == "cluster_controller") continue;
      remaining.push_back(name + " on " + address->to_string());
    }
  }
  co_return remaining;
}

Future<Void> wait_for_exclusion(Database database, std::vector<AddressExclusion> exclusions) {
  while (!(co_await exclusion_remaining(database, exclusions)).empty())
    co_await delay(1.0);
}

}  // namespace strata
