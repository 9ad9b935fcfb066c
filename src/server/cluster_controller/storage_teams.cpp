#include "server/cluster_controller/storage_teams.h"

#include <algorithm>
#include <map>
#include <set>

#include "interfaces/database_configuration.h"
#include "runtime/assert.h"
#include "runtime/error.h"
#include "server/cluster_controller/recruitment.h"

namespace strata {

std::vector<std::vector<size_t>> initial_teams(const std::vector<std::string>& zones,
                                               int replication) {
  STRATA_ASSERT(replication >= 1 && replication <= replication_max);
  require_distinct_zones(zones, replication, "every key", "storage processes");
  std::map<std::string, std::vector<size_t>> by_zone;
  for (size_t i = 0; i < zones.size(); ++i)
    by_zone[zones[i]].push_back(i);
  // Servers in an order that alternates zones (the fullest zones first), so that a run of
  // consecutive servers mostly spans distinct zones.
  std::vector<std::vector<size_t>> queues;
  for (auto& [zone, servers] : by_zone)
    queues.push_back(servers);
  std::stable_sort(queues.begin(), queues.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  std::vector<size_t> order;
  for (size_t round = 0; order.size() < zones.size(); ++round) {
    for (const std::vector<size_t>& queue : queues) {
      if (round < queue.size()) order.push_back(queue[round]);
    }
  }
  std::vector<std::vector<size_t>> teams;
  for (size_t start = 0; start < order.size(); ++start) {
    std::vector<size_t> team;
    std::set<std::string> used;
    for (size_t step = 0; step < order.size() && static_cast<int>(team.size()) < replication;
         ++step) {
      size_t server = order[(start + step) % order.size()];
      if (used.insert(zones[server]).second) team.push_back(server);
    }
    STRATA_ASSERT(static_cast<int>(team.size()) == replication);
    teams.push_back(std::move(team));
  }
  return teams;
}

}  // namespace strata
