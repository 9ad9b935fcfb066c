#pragma once

// Running for cluster controller: a candidacy at every coordinator until a majority
// nominates this process, then a lease renewed with heartbeats for as long as a majority
// keeps nominating it. A coordinator nominates a new leader only once the old one's lease
// has expired there, and a leader gives up before its own view of the lease expires (it
// counts from when it sent the heartbeat, which is before any coordinator got it), so two
// processes never both believe they lead.

#include <vector>

#include "client/cluster_connection.h"
#include "interfaces/coordinator_interface.h"
#include "runtime/future.h"

namespace strata {

// When each coordinator last renewed the lease (the send time of the heartbeat it accepted).
struct LeaderLease {
  std::vector<double> renewed_at;
};

// Ready once a majority of the coordinators nominate `candidate` and have renewed its first
// lease. Fails with coordinators_changed (detail: the new connection string) when they
// forward.
Future<LeaderLease> become_leader(ClusterConnectionString connection, LeaderInfo candidate);

// Renews the lease; ready when leadership is lost (a majority stopped nominating this
// process, or did not renew in time). Fails with coordinators_changed like become_leader.
Future<Void> hold_leadership(ClusterConnectionString connection, LeaderInfo leader,
                             LeaderLease lease);

}  // namespace strata
