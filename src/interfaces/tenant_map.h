#pragma once

// Tenants (FoundationDB's): named key spaces, each under its own prefix. A tenant's
// transactions see only their own keys, given without the prefix; the rest of the database
// sees them with it. The map lives in the system keyspace, in Strata's encoding:
//
//   \xff/tenant/map/<name>  -> the tenant's id, 8 bytes big-endian
//   \xff/tenant/last_id     -> the last id given out, 8 bytes big-endian
//   \xff/conf/tenant_mode   -> disabled | optional_experimental (absent: disabled)
//
// A tenant's prefix is its id's 8 bytes, big-endian, as FoundationDB's is; ids start at 1
// and are never given out twice. The map changes only through transactions (see
// client/tenant_changes.h), so a tenant transaction that reads its entry at its read
// version, and conflicts on it, sees its tenant exactly as it is at that version.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "interfaces/types.h"

namespace strata {

inline const std::string tenant_map_prefix = system_keys_begin + "/tenant/map/";
inline const std::string tenant_last_id_key = system_keys_begin + "/tenant/last_id";
inline const std::string tenant_mode_key = system_keys_begin + "/conf/tenant_mode";
// FoundationDB's management module: <this><name> reads as the tenant's entry; written with
// special_key_space_enable_writes, a set creates the tenant and a clear deletes it.
inline const std::string tenant_management_prefix = special_keys_begin + "/management/tenant/map/";

// What the cluster allows: no tenants (the default), or tenants beside raw access.
// FoundationDB's required_experimental (no raw access without a tenant) is not provided.
enum class TenantMode { disabled, optional };

// FoundationDB's names: disabled, optional_experimental.
std::string_view tenant_mode_name(TenantMode mode);
// The mode a name or a stored value means; nullopt for anything else. An absent value
// (nullopt) means disabled.
std::optional<TenantMode> parse_tenant_mode(std::string_view name);
TenantMode tenant_mode_of(const std::optional<Value>& stored);

inline Key tenant_map_key(std::string_view name) {
  return tenant_map_prefix + std::string(name);
}

// The 8-byte big-endian form of an id (an entry's value, the last id, a tenant's prefix).
std::string encode_tenant_id(int64_t id);
// The id an entry or the last id holds; throws internal_error naming the key if `stored`
// is not 8 bytes (the map was written by something else than Strata).
int64_t decode_tenant_id(std::string_view key, std::string_view stored);
inline Key tenant_prefix(int64_t id) {
  return encode_tenant_id(id);
}

// A tenant name may not begin with \xff; throws invalid_tenant_name (2134) naming it.
void check_tenant_name(std::string_view name);

// The entry as FoundationDB's management module shows it:
// {"id":1,"lock_state":"unlocked","name":{"base64":..,"printable":..},"prefix":{..}}.
std::string tenant_entry_json(std::string_view name, int64_t id);

}  // namespace strata
