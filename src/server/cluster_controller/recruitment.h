#pragma once

// Where the controller puts roles: copies of data (logs, storage servers) in distinct zones
// while there are zones left, never two in one zone when another zone has a process;
// within that, and for the stateless roles, on the processes whose class fits the role
// best (role_fitness), spread over zones and then over the processes with the fewest
// roles so far. Pure
// functions of the registered workers, so they are tested on their own.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "interfaces/locality.h"
#include "runtime/network_address.h"

namespace strata {

struct RecruitCandidate {
  NetworkAddress address;
  Locality locality;
  // Excluded by the operator: the last resort for every role (copies of data still go to
  // distinct zones first).
  bool excluded = false;
};

// How many roles each process was given so far in one recruitment.
using RecruitLoad = std::map<NetworkAddress, int>;

// Indexes into `candidates` of the processes for `count` copies of `role` (the same
// process may come back when there are fewer processes than copies). Counts the picks in
// `load`. Empty only when `candidates` is.
std::vector<size_t> pick_processes(const std::vector<RecruitCandidate>& candidates, RoleKind role,
                                   int count, RecruitLoad& load);

// Indexes into `candidates` of the storage-class processes that are not excluded and host
// no storage server yet (`hosting`: the addresses that do): each joins the database with a
// storage server of its own. Processes of other classes take storage servers only when a
// database is created.
std::vector<size_t> storage_joiners(const std::vector<RecruitCandidate>& candidates,
                                    const std::set<NetworkAddress>& hosting);

// Throws no_more_servers, naming the zones, when `zones` (of the processes picked for
// copies of `what`, e.g. "every key") span fewer than `replication` distinct zones.
// `processes` names the processes in the message ("storage processes", "logs").
void require_distinct_zones(const std::vector<std::string>& zones, int replication,
                            std::string_view what, std::string_view processes);

}  // namespace strata
