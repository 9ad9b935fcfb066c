#include "server/cluster_controller/recruitment.h"

#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "interfaces/database_configuration.h"
#include "runtime/error.h"

namespace strata {

std::vector<size_t> pick_processes(const std::vector<RecruitCandidate>& candidates, RoleKind role,
                                   int count, RecruitLoad& load) {
  std::vector<size_t> picked;
  if (candidates.empty()) return picked;
  std::map<std::string, int> zone_use;
  std::map<size_t, int> process_use;
  for (int copy = 0; copy < count; ++copy) {
    std::optional<size_t> best;
    // A process's cost for a copy: its fitness, plus one for each copy of this role it
    // already has (a second copy on a process fits no better than a first copy one fitness
    // worse). Copies of data (logs, storage servers) go to the least used zone first and
    // the lowest cost within it; stateless roles go to the lowest cost first and the least
    // used zone within it. Then the fewest roles of any kind, then address order. Excluded
    // processes come after all others, but for copies of data only within a zone: a copy
    // in a zone of its own matters more.
    const bool data = role == RoleKind::log || role == RoleKind::storage;
    auto rank = [&](size_t i) {
      const RecruitCandidate& candidate = candidates[i];
      int cost = role_fitness(candidate.locality.process_class, role) + process_use[i];
      int zone = zone_use[candidate.locality.zone];
      int excluded = candidate.excluded ? 1 : 0;
      return std::make_tuple(data ? zone : excluded, data ? excluded : cost, data ? cost : zone,
                             load[candidate.address], candidate.address);
    };
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (!best || rank(i) < rank(*best)) best = i;
    }
    picked.push_back(*best);
    ++zone_use[candidates[*best].locality.zone];
    ++process_use[*best];
    ++load[candidates[*best].address];
  }
  return picked;
}

void require_distinct_zones(const std::vector<std::string>& zones, int replication,
                            std::string_view what, std::string_view processes) {
  std::set<std::string> distinct(zones.begin(), zones.end());
  if (static_cast<int>(distinct.size()) >= replication) return;
  std::string names;
  for (const std::string& zone : distinct)
    names += (names.empty() ? "" : ", ") + zone;
  throw Error(ErrorCode::no_more_servers,
              std::string(redundancy_mode_name(replication)) + " redundancy keeps " +
                  std::to_string(replication) + " copies of " + std::string(what) +
                  " in distinct zones, but the live " + std::string(processes) + " are in " +
                  std::to_string(distinct.size()) + " zone(s)" +
                  (names.empty() ? "" : " (" + names + ")") +
                  ": start processes in other zones, or configure fewer copies");
}

std::vector<size_t> storage_joiners(const std::vector<RecruitCandidate>& candidates,
                                    const std::set<NetworkAddress>& hosting) {
  std::vector<size_t> joiners;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const RecruitCandidate& candidate = candidates[i];
    if (candidate.locality.process_class == ProcessClass::storage && !candidate.excluded &&
        !hosting.contains(candidate.address)) {
      joiners.push_back(i);
    }
  }
  return joiners;
}

}  // namespace strata
