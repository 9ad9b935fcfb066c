#include "interfaces/shard_map.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "rpc/serialize.h"
#include "runtime/assert.h"

namespace strata {

namespace {

// The map key a keyServers key stands for: the part after the prefix ("" before the map,
// \xff\xff past it).
Key map_key_of(std::string_view key) {
  if (key <= key_servers_prefix) return Key();
  if (key >= key_servers_end) return all_keys_end;
  return Key(key.substr(key_servers_prefix.size()));
}

bool contains_id(const std::vector<UID>& ids, const UID& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

std::string server_keys_key(const UID& server, std::string_view key) {
  return server_keys_prefix + server.to_string() + "/" + std::string(key);
}

std::string server_list_key(const UID& server) {
  return server_list_prefix + server.to_string();
}

std::vector<UID> ShardTeams::all() const {
  std::vector<UID> ids = src;
  for (const UID& id : dest) {
    if (!contains_id(ids, id)) ids.push_back(id);
  }
  return ids;
}

std::string encode_shard_teams(const ShardTeams& teams) {
  return serialize_to_bytes(teams);
}

ShardTeams decode_shard_teams(std::string_view value) {
  try {
    return deserialize_from_bytes<ShardTeams>(value);
  } catch (Error& error) {
    throw Error(ErrorCode::client_invalid_operation,
                "a \\xff/keyServers/ value does not decode as a shard's teams: " + error.message());
  }
}

ShardMap::ShardMap(const std::vector<ShardMapEntry>& entries) {
  STRATA_ASSERT_MSG(!entries.empty() && entries.front().range.begin.empty() &&
                        entries.back().range.end == all_keys_end,
                    "the shard map must cover the key space");
  for (size_t i = 0; i < entries.size(); ++i) {
    STRATA_ASSERT_MSG(i == 0 || entries[i].range.begin == entries[i - 1].range.end,
                      "the shard map's shards must be consecutive");
    STRATA_ASSERT_MSG(!entries[i].range.empty() && !entries[i].teams.src.empty(),
                      "every shard must be held by a team");
    shards_[entries[i].range.begin] = entries[i].teams;
  }
}

std::vector<ShardMapEntry> ShardMap::entries() const {
  return intersecting(KeyRange{Key(), all_keys_end});
}

std::vector<ShardMapEntry> ShardMap::intersecting(const KeyRange& range) const {
  std::vector<ShardMapEntry> found;
  if (range.empty() || shards_.empty()) return found;
  auto it = shards_.upper_bound(range.begin);
  if (it != shards_.begin()) --it;
  for (; it != shards_.end() && it->first < range.end; ++it) {
    auto next = std::next(it);
    Key end = next == shards_.end() ? all_keys_end : next->first;
    found.push_back(ShardMapEntry{KeyRange{it->first, std::move(end)}, it->second});
  }
  return found;
}

const ShardTeams& ShardMap::teams_of(std::string_view key) const {
  auto it = shards_.upper_bound(key);
  STRATA_ASSERT_MSG(it != shards_.begin(), "the shard map does not start at the empty key");
  return std::prev(it)->second;
}

bool ShardMap::touches(const Mutation& mutation) {
  if (mutation.type == MutationType::clear_range) {
    return mutation.param1 < key_servers_end && key_servers_prefix < mutation.param2 &&
           mutation.param1 < mutation.param2;
  }
  return mutation.param1.starts_with(key_servers_prefix);
}

void ShardMap::check(const Mutation& mutation) {
  if (mutation.type == MutationType::clear_range) {
    if (map_key_of(mutation.param1).empty()) {
      throw Error(ErrorCode::client_invalid_operation,
                  "a clear may not remove the first shard of \\xff/keyServers/");
    }
    return;
  }
  if (mutation.type != MutationType::set_value) {
    throw Error(ErrorCode::client_invalid_operation,
                "only sets and clears may change \\xff/keyServers/, not " +
                    std::string(mutation_type_name(mutation.type)));
  }
  if (map_key_of(mutation.param1) >= all_keys_end) return;  // the end marker
  ShardTeams teams = decode_shard_teams(mutation.param2);
  if (teams.src.empty()) {
    throw Error(ErrorCode::client_invalid_operation,
                "a \\xff/keyServers/ value must name at least one source server");
  }
  // A destination team may keep members of the source team, but no team names one twice.
  for (const std::vector<UID>* team : {&teams.src, &teams.dest}) {
    if (std::set<UID>(team->begin(), team->end()).size() != team->size()) {
      throw Error(ErrorCode::client_invalid_operation,
                  "a \\xff/keyServers/ value names a server twice in one team");
    }
  }
}

std::vector<ShardChange> ShardMap::apply(const Mutation& mutation) {
  STRATA_ASSERT(touches(mutation));
  // The stretch the mutation can change: from the start of the shard holding its first
  // key to the first boundary at or after its last.
  Key lo;
  Key hi;
  if (mutation.type == MutationType::clear_range) {
    lo = map_key_of(mutation.param1);
    hi = map_key_of(mutation.param2);
  } else {
    lo = map_key_of(mutation.param1);
    if (lo >= all_keys_end) return {};  // the end marker
    hi = lo + '\0';
  }
  auto first = shards_.upper_bound(lo);
  STRATA_ASSERT(first != shards_.begin());
  const Key span_begin = std::prev(first)->first;
  auto last = shards_.lower_bound(hi);
  const Key span_end = last == shards_.end() ? all_keys_end : last->first;
  const KeyRange span{span_begin, span_end};
  std::vector<ShardMapEntry> before = intersecting(span);

  if (mutation.type == MutationType::clear_range) {
    STRATA_ASSERT_MSG(!lo.empty(), "the first shard of the map was cleared");
    shards_.erase(shards_.lower_bound(lo), shards_.lower_bound(hi));
  } else {
    shards_[lo] = decode_shard_teams(mutation.param2);
  }
  std::vector<ShardMapEntry> after = intersecting(span);

  // Compare the teams piece by piece over every boundary either side has.
  std::set<Key> points;
  for (const ShardMapEntry& entry : before)
    points.insert(std::max(entry.range.begin, span.begin));
  for (const ShardMapEntry& entry : after)
    points.insert(std::max(entry.range.begin, span.begin));
  points.insert(span.end);
  std::vector<ShardChange> changes;
  auto teams_at = [](const std::vector<ShardMapEntry>& entries, const Key& key) {
    for (const ShardMapEntry& entry : entries) {
      if (entry.range.contains(key)) return entry.teams;
    }
    STRATA_UNREACHABLE("a piece outside the shards around it");
  };
  auto add = [&changes](ShardChange change) {
    // Adjacent pieces of the same change are one.
    for (ShardChange& existing : changes) {
      if (existing.server == change.server && existing.owned == change.owned &&
          existing.sources == change.sources && existing.range.end == change.range.begin) {
        existing.range.end = change.range.end;
        return;
      }
    }
    changes.push_back(std::move(change));
  };
  for (auto it = points.begin(); std::next(it) != points.end(); ++it) {
    const KeyRange piece{*it, *std::next(it)};
    const ShardTeams old_teams = teams_at(before, piece.begin);
    const ShardTeams new_teams = teams_at(after, piece.begin);
    const std::vector<UID> old_all = old_teams.all();
    const std::vector<UID> new_all = new_teams.all();
    for (const UID& server : new_all) {
      if (!contains_id(old_all, server)) add(ShardChange{server, piece, true, old_teams.src});
    }
    for (const UID& server : old_all) {
      if (!contains_id(new_all, server)) add(ShardChange{server, piece, false, {}});
    }
  }
  return changes;
}

namespace {

// Adjacent or overlapping ranges joined, in key order.
std::vector<KeyRange> joined(std::vector<KeyRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const KeyRange& a, const KeyRange& b) { return a.begin < b.begin; });
  std::vector<KeyRange> result;
  for (const KeyRange& range : ranges) {
    if (range.empty()) continue;
    if (!result.empty() && result.back().end >= range.begin) {
      result.back().end = std::max(result.back().end, range.end);
    } else {
      result.push_back(range);
    }
  }
  return result;
}

std::string describe_ranges(const std::vector<KeyRange>& ranges) {
  std::string text;
  for (const KeyRange& range : ranges) {
    text += (text.empty() ? "" : ", ") + std::string("['") + printable(range.begin) + "', '" +
            printable(range.end) + "')";
  }
  return text.empty() ? "nothing" : text;
}

}  // namespace

std::vector<std::string> shard_map_disagreements(const std::vector<ShardMapEntry>& map,
                                                 const std::vector<KeyValue>& server_keys_rows,
                                                 const std::vector<UID>& listed) {
  std::vector<std::string> found;
  // What the map says each server holds (or receives, while a shard moves to it).
  std::map<UID, std::vector<KeyRange>> named;
  for (const ShardMapEntry& entry : map) {
    for (const UID& id : entry.teams.all())
      named[id].push_back(entry.range);
  }
  // What each server's rows say: from each row's key to the next row's, held when "1".
  std::map<UID, std::vector<std::pair<Key, bool>>> rows_of;
  for (const KeyValue& row : server_keys_rows) {
    if (!row.key.starts_with(server_keys_prefix)) continue;
    const std::string_view rest = std::string_view(row.key).substr(server_keys_prefix.size());
    const size_t slash = rest.find('/');
    std::optional<UID> id =
        slash == std::string_view::npos ? std::nullopt : UID::parse(rest.substr(0, slash));
    if (!id) {
      found.push_back("row '" + printable(row.key) + "' of \\xff/serverKeys/ names no server");
      continue;
    }
    rows_of[*id].emplace_back(Key(rest.substr(slash + 1)), row.value == server_keys_true);
  }
  std::set<UID> servers(listed.begin(), listed.end());
  for (const auto& [id, ranges] : named) {
    if (!servers.count(id)) {
      found.push_back("the shard map names storage server " + id.to_string() + " at " +
                      describe_ranges(joined(ranges)) + ", but \\xff/serverList/ does not list it");
    }
  }
  for (auto& [id, rows] : rows_of) {
    if (!servers.count(id)) {
      found.push_back("\\xff/serverKeys/ still has rows of storage server " + id.to_string() +
                      ", which \\xff/serverList/ does not list");
    }
  }
  for (const UID& id : listed) {
    std::vector<std::pair<Key, bool>>& rows = rows_of[id];
    std::sort(rows.begin(), rows.end());
    std::vector<KeyRange> held;
    for (size_t i = 0; i < rows.size(); ++i) {
      const Key end = i + 1 < rows.size() ? rows[i + 1].first : all_keys_end;
      if (rows[i].second) held.push_back(KeyRange{rows[i].first, end});
    }
    std::vector<KeyRange> says = joined(held);
    std::vector<KeyRange> map_says = joined(named[id]);
    if (says != map_says) {
      found.push_back("storage server " + id.to_string() + ": \\xff/serverKeys/ says it holds " +
                      describe_ranges(says) + ", the shard map names it at " +
                      describe_ranges(map_says));
    }
  }
  return found;
}

std::vector<KeyValue> shard_map_rows(const std::vector<ShardMapEntry>& map,
                                     const std::vector<StorageServerRecord>& records) {
  std::vector<KeyValue> rows;
  std::set<UID> servers;
  for (const ShardMapEntry& entry : map) {
    rows.push_back(KeyValue{key_servers_key(entry.range.begin), encode_shard_teams(entry.teams)});
    for (const UID& id : entry.teams.all())
      servers.insert(id);
  }
  rows.push_back(KeyValue{key_servers_key(all_keys_end), Value()});
  for (const UID& id : servers) {
    for (const ShardMapEntry& entry : map) {
      const std::vector<UID> members = entry.teams.all();
      rows.push_back(KeyValue{server_keys_key(id, entry.range.begin),
                              contains_id(members, id) ? server_keys_true : server_keys_false});
    }
    rows.push_back(KeyValue{server_keys_key(id, all_keys_end), server_keys_false});
  }
  for (const StorageServerRecord& record : records)
    rows.push_back(KeyValue{server_list_key(record.id), serialize_to_bytes(record)});
  std::sort(rows.begin(), rows.end(),
            [](const KeyValue& a, const KeyValue& b) { return a.key < b.key; });
  return rows;
}

Mutation shard_change_mutation(const ShardChange& change) {
  return Mutation{
      MutationType::set_value, private_shard_prefix + change.range.begin,
      serialize_to_bytes(ShardAssignment{change.range.end, change.owned, change.sources})};
}

bool is_private_shard_mutation(const Mutation& mutation) {
  return mutation.type == MutationType::set_value &&
         mutation.param1.starts_with(private_shard_prefix);
}

ShardChange decode_shard_change(const Mutation& mutation, const UID& server) {
  STRATA_ASSERT(is_private_shard_mutation(mutation));
  ShardAssignment assignment = deserialize_from_bytes<ShardAssignment>(mutation.param2);
  return ShardChange{
      server,
      KeyRange{mutation.param1.substr(private_shard_prefix.size()), std::move(assignment.end)},
      assignment.owned, std::move(assignment.sources)};
}

}  // namespace strata
