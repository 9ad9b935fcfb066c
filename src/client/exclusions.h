#pragma once

// Excluding processes (the shell's exclude and include): the lists in the database
// (interfaces/exclusions.h), the checks that an exclusion is safe, and whether the excluded
// processes still hold anything.

#include <optional>
#include <string>
#include <vector>

#include "interfaces/exclusions.h"
#include "runtime/future.h"
#include "strata/database.h"

namespace strata {

// Both lists as the database holds them now.
Future<Exclusions> read_exclusions(Database database);

// Why excluding `exclusions` now could lose data or stop the cluster, or nothing when it is
// safe. Excluded processes leave: the processes left (live and not excluded) must span as
// many zones as the redundancy mode keeps copies. Failed processes are given up at once:
// every shard must keep a copy elsewhere.
Future<std::optional<std::string>> exclusion_unsafe_because(
    Database database, std::vector<AddressExclusion> exclusions, bool failed);

// Adds `exclusions` to the excluded list (or to the failed list) in one transaction, after
// exclusion_unsafe_because, which `force` skips; fails with client_invalid_operation saying
// why it is unsafe (nothing is changed then).
Future<Void> exclude_servers(Database database, std::vector<AddressExclusion> exclusions,
                             bool failed, bool force);

// Takes `exclusions` out of both lists; all of them when nullopt.
Future<Void> include_servers(Database database,
                             std::optional<std::vector<AddressExclusion>> exclusions);

// What still stands on the processes `exclusions` cover, a line each: storage servers the
// database still lists there, and roles status shows there (coordinators and the cluster
// controller aside: exclusion does not move them). Empty once the processes can be shut
// down for good.
Future<std::vector<std::string>> exclusion_remaining(Database database,
                                                     std::vector<AddressExclusion> exclusions);

// Polls exclusion_remaining until it is empty.
Future<Void> wait_for_exclusion(Database database, std::vector<AddressExclusion> exclusions);

}  // namespace strata
