#include "server/data_distributor/size_plan.h"

#include <algorithm>
#include <map>
#include <set>

namespace strata {

SizeStep plan_size_step(const std::vector<ShardSize>& shards,
                        const std::vector<StorageServerRecord>& servers, const SizeLimits& limits) {
  SizeStep step;
  // Splits first: a shard too big to move or serve well, or written too fast.
  auto split_at = [&step](const ShardSize& shard, const std::vector<Key>& proposed,
                          std::string reason) {
    std::vector<Key> points;
    for (const Key& point : proposed) {
      if (shard.entry.range.begin < point && point < shard.entry.range.end &&
          (points.empty() || points.back() < point)) {
        points.push_back(point);
      }
    }
    if (points.empty()) return false;
    step.kind = SizeStep::Kind::split;
    step.range = shard.entry.range;
    step.points = std::move(points);
    step.reason = std::move(reason);
    return true;
  };
  for (const ShardSize& shard : shards) {
    if (!shard.entry.teams.dest.empty()) continue;
    if (shard.bytes > limits.shard_max_bytes &&
        split_at(shard, shard.split_points, std::to_string(shard.bytes) + " bytes")) {
      return step;
    }
    if (limits.shard_max_write_bytes_per_s > 0 &&
        shard.write_bytes_per_s > limits.shard_max_write_bytes_per_s &&
        split_at(shard, shard.write_split_points,
                 std::to_string(static_cast<int64_t>(shard.write_bytes_per_s)) +
                     " bytes written a second")) {
      return step;
    }
  }
  // Merges: small neighbours of one team.
  for (size_t i = 0; i + 1 < shards.size(); ++i) {
    const ShardSize& a = shards[i];
    const ShardSize& b = shards[i + 1];
    if (!a.entry.teams.dest.empty() || !b.entry.teams.dest.empty()) continue;
    if (a.entry.teams.src != b.entry.teams.src) continue;
    if (b.entry.range.begin == system_keys_begin) continue;
    // Under half the split size too, or the merged shard could be split again.
    if (a.bytes + b.bytes >= std::min(limits.shard_merge_bytes, limits.shard_max_bytes / 2)) {
      continue;
    }
    if (limits.shard_max_write_bytes_per_s > 0 &&
        a.write_bytes_per_s + b.write_bytes_per_s >= limits.shard_max_write_bytes_per_s / 2) {
      continue;
    }
    step.kind = SizeStep::Kind::merge;
    step.range = a.entry.range;
    step.second = b.entry.range;
    step.reason = std::to_string(a.bytes + b.bytes) + " bytes together";
    return step;
  }
  // Balance: the fullest server gives a shard to the emptiest.
  std::map<UID, const StorageServerRecord*> usable;
  for (const StorageServerRecord& server : servers)
    usable[server.id] = &server;
  if (usable.size() < 2) return step;
  std::map<UID, int64_t> held;
  for (const auto& [id, server] : usable)
    held[id] = 0;
  // As the servers will hold once the moves under way are done: a moving shard counts for
  // its new team, so that moves running at once do not all give to the same server.
  for (const ShardSize& shard : shards) {
    const std::vector<UID>& holders =
        shard.entry.teams.dest.empty() ? shard.entry.teams.src : shard.entry.teams.dest;
    for (const UID& id : holders) {
      if (held.count(id)) held[id] += shard.bytes;
    }
  }
  auto by_bytes = [](const auto& a, const auto& b) { return a.second < b.second; };
  const auto emptiest = *std::min_element(held.begin(), held.end(), by_bytes);
  // Givers from the fullest down, while they hold enough more: the first that has a shard
  // the emptiest may take (its zone may already hold a copy of the fullest's shards).
  std::vector<std::pair<UID, int64_t>> givers(held.begin(), held.end());
  std::stable_sort(givers.begin(), givers.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  const ShardSize* best = nullptr;
  UID giver;
  int64_t difference = 0;
  for (const auto& [candidate, bytes] : givers) {
    difference = bytes - emptiest.second;
    if (difference <= limits.balance_bytes) return step;
    for (const ShardSize& shard : shards) {
      const std::vector<UID>& src = shard.entry.teams.src;
      if (!shard.entry.teams.dest.empty() || shard.bytes <= 0 || shard.bytes >= difference) {
        continue;
      }
      if (std::find(src.begin(), src.end(), candidate) == src.end()) continue;
      if (std::find(src.begin(), src.end(), emptiest.first) != src.end()) continue;
      // The team keeps its copies in distinct zones.
      std::set<std::string> zones;
      bool fits = true;
      for (const UID& id : src) {
        if (id == candidate) continue;
        fits = fits && usable.count(id) != 0;
        if (usable.count(id)) zones.insert(usable[id]->locality.zone);
      }
      const std::string& zone = usable[emptiest.first]->locality.zone;
      if (!fits || (!zone.empty() && zones.count(zone))) continue;
      auto distance = [difference](int64_t b) { return std::abs(2 * b - difference); };
      if (!best || distance(shard.bytes) < distance(best->bytes)) best = &shard;
    }
    if (best) {
      giver = candidate;
      break;
    }
  }
  if (!best) return step;
  step.kind = SizeStep::Kind::move;
  step.range = best->entry.range;
  for (const UID& id : best->entry.teams.src) {
    if (id != giver) step.team.push_back(id);
  }
  step.team.push_back(emptiest.first);
  std::sort(step.team.begin(), step.team.end());
  step.reason = "its servers differ by " + std::to_string(difference) + " bytes";
  return step;
}

}  // namespace strata
