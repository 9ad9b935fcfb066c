#pragma once

// A transaction's changes to the tenant map, made through FoundationDB's management module
// (\xff\xff/management/tenant/map/<name>, with special_key_space_enable_writes) and carried
// out at commit, in the order they were made, as FoundationDB's module does:
//
// - Creating a tenant that exists changes nothing; otherwise it takes the next id
//   (\xff/tenant/last_id), provided the cluster's tenant_mode allows tenants
//   (tenants_disabled, 2136) and nothing is stored under the new prefix yet
//   (tenant_prefix_allocator_conflict, 2135).
// - Deleting a tenant that does not exist changes nothing (so clearing an empty map
//   succeeds whatever the mode); deleting one that still holds keys fails with
//   tenant_not_empty (2133).
//
// Every read is made at the transaction's read version with a read conflict, so two
// transactions that both create tenants, or one that deletes a tenant while another
// writes into it, cannot both commit.

#include <functional>
#include <optional>
#include <vector>

#include "interfaces/types.h"
#include "runtime/future.h"

namespace strata {

struct TenantChange {
  enum class Kind { create, remove };
  Kind kind = Kind::create;
  // Keys of the tenant map (see interfaces/tenant_map.h): one entry's key to create, or the
  // entries to remove.
  KeyRange entries;
};

// Reads at the transaction's read version that add read conflicts.
struct TenantMapReads {
  std::function<Future<std::optional<Value>>(Key)> get;
  // The first `limit` rows of a range (0: every row).
  std::function<Future<std::vector<KeyValue>>(KeyRange, int)> range;
};

// The mutations that carry out `changes`, to add to the commit's. Fails with the errors
// above, naming the tenant.
Future<std::vector<Mutation>> tenant_map_mutations(std::vector<TenantChange> changes,
                                                   TenantMapReads reads);

}  // namespace strata
