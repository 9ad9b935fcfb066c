#include "client/tenant_changes.h"

#include <map>

#include "interfaces/tenant_map.h"
#include "runtime/error.h"
#include "runtime/trace.h"

namespace strata {

namespace {

std::string tenant_name_of(const Key& entry) {
  return "tenant '" + printable(std::string_view(entry).substr(tenant_map_prefix.size())) + "'";
}

}  // namespace

Future<std::vector<Mutation>> tenant_map_mutations(std::vector<TenantChange> changes,
                                                   TenantMapReads reads) {
  // The map as this transaction's earlier changes left it: entry key -> id (nullopt:
  // removed). Entries not here are as the database holds them at the read version.
  std::map<Key, std::optional<int64_t>> changed;
  std::optional<int64_t> last_id;
  std::optional<TenantMode> mode;
  bool ids_given = false;
  std::vector<Mutation> mutations;
  for (const TenantChange& change : changes) {
    if (change.kind == TenantChange::Kind::create) {
      const Key& entry = change.entries.begin;
      std::optional<int64_t> existing;
      if (auto it = changed.find(entry); it != changed.end()) {
        existing = it->second;
      } else if (std::optional<Value> stored = co_await reads.get(entry)) {
        existing = decode_tenant_id(entry, *stored);
      }
      if (existing) continue;
      if (!mode) mode = tenant_mode_of(co_await reads.get(tenant_mode_key));
      if (*mode == TenantMode::disabled) {
        throw Error(ErrorCode::tenants_disabled,
                    tenant_name_of(entry) +
                        " cannot be created: the cluster's tenant_mode is disabled (`configure "
                        "tenant_mode=optional_experimental' allows tenants)");
      }
      if (!last_id) {
        std::optional<Value> stored = co_await reads.get(tenant_last_id_key);
        last_id = stored ? decode_tenant_id(tenant_last_id_key, *stored) : 0;
      }
      const int64_t id = ++*last_id;
      ids_given = true;
      const Key prefix = tenant_prefix(id);
      if (!(co_await reads.range(KeyRange{prefix, strinc(prefix)}, 1)).empty()) {
        throw Error(ErrorCode::tenant_prefix_allocator_conflict,
                    tenant_name_of(entry) + " would get the prefix '" + printable(prefix) +
                        "', under which keys are stored already");
      }
      changed[entry] = id;
      mutations.push_back(Mutation{MutationType::set_value, entry, encode_tenant_id(id)});
      continue;
    }
    // Remove: the entries in the range, as the database and the earlier changes have them.
    std::map<Key, int64_t> present;
    for (const KeyValue& row : co_await reads.range(change.entries, 0)) {
      present[row.key] = decode_tenant_id(row.key, row.value);
    }
    for (auto it = changed.lower_bound(change.entries.begin);
         it != changed.end() && it->first < change.entries.end; ++it) {
      if (it->second) {
        present[it->first] = *it->second;
      } else {
        present.erase(it->first);
      }
    }
    for (const auto& [entry, id] : present) {
      const Key prefix = tenant_prefix(id);
      if (!(co_await reads.range(KeyRange{prefix, strinc(prefix)}, 1)).empty()) {
        throw Error(ErrorCode::tenant_not_empty,
                    tenant_name_of(entry) + " still holds keys: clear them before deleting it");
      }
      changed[entry] = std::nullopt;
      mutations.push_back(Mutation{MutationType::clear_range, entry, single_key_range(entry).end});
    }
  }
  if (ids_given) {
    mutations.push_back(
        Mutation{MutationType::set_value, tenant_last_id_key, encode_tenant_id(*last_id)});
  }
  co_return mutations;
}

}  // namespace strata
