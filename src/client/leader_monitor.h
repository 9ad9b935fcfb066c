#pragma once

// Follows which process the coordinators have elected cluster controller, and where the
// coordinators moved when they changed. Workers and clients know only the cluster file:
// they ask every coordinator (a long poll each) and take the leader that most of them,
// ideally a majority, report.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/cluster_connection.h"
#include "interfaces/coordinator_interface.h"
#include "runtime/future.h"
#include "runtime/notified.h"

namespace strata {

class LeaderMonitor {
 public:
  explicit LeaderMonitor(ClusterConnectionString connection);
  LeaderMonitor(const LeaderMonitor&) = delete;
  LeaderMonitor& operator=(const LeaderMonitor&) = delete;

  // Follows the coordinators until cancelled (the future is the follower).
  Future<Void> run();

  // The elected leader; nullopt while none is known.
  const AsyncVar<std::optional<LeaderInfo>>& leader() const { return leader_; }
  // Ready with the leader's address once one is known.
  Future<NetworkAddress> leader_address();
  // The coordinators; changes when they forward to a new set.
  const AsyncVar<ClusterConnectionString>& connection() const { return connection_; }
  // What each coordinator last answered, for messages: "" when it answered, else why not.
  std::vector<std::pair<NetworkAddress, std::string>> coordinator_health() const;

 private:
  Future<Void> follow(ClusterConnectionString connection);

  AsyncVar<ClusterConnectionString> connection_;
  AsyncVar<std::optional<LeaderInfo>> leader_;
  std::shared_ptr<std::vector<std::string>> failures_ =
      std::make_shared<std::vector<std::string>>();
};

// The leader most of `reports` name: one a majority names if any, else the one named most
// often (the better one on a tie); nullopt when none names any.
std::optional<LeaderInfo> agreed_leader(const std::vector<std::optional<LeaderInfo>>& reports);

}  // namespace strata
