#include "client/move_keys.h"

#include <algorithm>

#include "interfaces/storage_interface.h"
#include "rpc/serialize.h"
#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "runtime/trace.h"
#include "strata/transaction.h"

namespace strata {

namespace {

void check_lock(const std::optional<Value>& lock, const UID& owner) {
  if (lock != owner.to_string()) {
    throw Error(ErrorCode::movekeys_conflict,
                "another mover took the move lock from " + owner.short_string());
  }
}

// The shards intersecting `range`, clipped to it, and the teams of the shard holding
// range.end (nullopt when range.end is the end of the key space).
struct MapAround {
  std::vector<ShardMapEntry> inside;
  std::optional<ShardTeams> at_end;
  bool end_is_boundary = false;
};

Future<MapAround> read_map_around(Transaction& tr, KeyRange range) {
  // From the boundary at or before range.begin through the one at or before range.end.
  RangeResult rows = co_await tr.get_range(
      KeySelector::last_less_or_equal(key_servers_key(range.begin)),
      KeySelector::first_greater_than(key_servers_key(range.end)), RangeLimits{});
  MapAround map;
  std::vector<std::pair<Key, ShardTeams>> boundaries;
  for (const KeyValue& row : rows.rows) {
    if (!row.key.starts_with(key_servers_prefix)) continue;
    Key boundary = row.key.substr(key_servers_prefix.size());
    if (boundary >= all_keys_end) break;
    boundaries.emplace_back(std::move(boundary), decode_shard_teams(row.value));
  }
  if (boundaries.empty() || boundaries.front().first > range.begin) {
    throw Error(ErrorCode::internal_error,
                "the shard map has no shard holding '" + printable(range.begin) + "'");
  }
  for (size_t i = 0; i < boundaries.size(); ++i) {
    const Key& begin = boundaries[i].first;
    if (begin >= range.end) break;
    Key end = i + 1 < boundaries.size() ? boundaries[i + 1].first : all_keys_end;
    KeyRange piece{std::max(begin, range.begin), std::min(end, range.end)};
    if (!piece.empty()) map.inside.push_back(ShardMapEntry{piece, boundaries[i].second});
  }
  if (range.end < all_keys_end) {
    map.at_end = boundaries.back().second;
    map.end_is_boundary = boundaries.back().first == range.end;
  }
  co_return map;
}

// Records in \xff/serverKeys/ whether `server` holds `range`, keeping what follows it.
Future<Void> set_server_keys(Transaction& tr, UID server, KeyRange range, bool held) {
  const Key end_key = server_keys_key(server, range.end);
  RangeResult before_end =
      co_await tr.get_range(KeySelector::last_less_or_equal(end_key),
                            KeySelector::first_greater_than(end_key), RangeLimits{1, 0});
  Value after = server_keys_false;
  if (!before_end.rows.empty() &&
      before_end.rows.front().key.starts_with(server_keys_key(server, ""))) {
    after = before_end.rows.front().value;
  }
  tr.clear_range(server_keys_key(server, range.begin), end_key);
  tr.set(server_keys_key(server, range.begin), held ? server_keys_true : server_keys_false);
  if (range.end < all_keys_end) tr.set(end_key, after);
}

}  // namespace

void set_data_distribution_options(Transaction& tr, bool writes) {
  if (writes) {
    tr.set_access_system_keys();
  } else {
    tr.set_read_system_keys();
  }
  tr.set_priority(ReadVersionPriority::immediate);
}

Future<Void> take_move_keys_lock(Database database, UID owner) {
  co_await database.run([owner](Transaction& tr) -> Future<Void> {
    set_data_distribution_options(tr, true);
    tr.set(move_keys_lock_key, owner.to_string());
    co_return;
  });
}

Future<std::vector<StorageServerRecord>> read_server_list(Database database) {
  co_return co_await database.run([](Transaction& tr) -> Future<std::vector<StorageServerRecord>> {
    set_data_distribution_options(tr, false);
    RangeResult rows = co_await tr.get_range(server_list_prefix, server_list_end);
    std::vector<StorageServerRecord> records;
    for (const KeyValue& row : rows.rows)
      records.push_back(deserialize_from_bytes<StorageServerRecord>(row.value));
    co_return records;
  });
}

Future<std::vector<ShardMapEntry>> read_shard_map(Database database, KeyRange range) {
  co_return co_await database.run([range](Transaction& tr) -> Future<std::vector<ShardMapEntry>> {
    set_data_distribution_options(tr, false);
    MapAround map = co_await read_map_around(tr, range);
    co_return map.inside;
  });
}

namespace {

// The shards of `range` as the map holds them now, when they are exactly `expected` (by
// range), none moving and all of one team; throws movekeys_conflict otherwise.
Future<ShardTeams> unmoving_shards(Transaction& tr, KeyRange range, std::vector<KeyRange> expected,
                                   const UID& owner) {
  check_lock(co_await tr.get(move_keys_lock_key), owner);
  MapAround map = co_await read_map_around(tr, range);
  bool same =
      map.inside.size() == expected.size() && map.end_is_boundary == (range.end < all_keys_end);
  for (size_t i = 0; same && i < expected.size(); ++i) {
    const ShardMapEntry& entry = map.inside[i];
    same = entry.range == expected[i] && entry.teams.dest.empty() &&
           entry.teams.src == map.inside.front().teams.src;
  }
  if (!same || map.inside.empty()) {
    throw Error(ErrorCode::movekeys_conflict,
                "the shards from '" + printable(range.begin) + "' changed under the distributor");
  }
  co_return map.inside.front().teams;
}

}  // namespace

Future<Void> split_shard(Database database, KeyRange shard, std::vector<Key> points, UID owner) {
  STRATA_ASSERT(!points.empty());
  for (size_t i = 0; i < points.size(); ++i) {
    STRATA_ASSERT_MSG(
        shard.begin < points[i] && points[i] < shard.end && (i == 0 || points[i - 1] < points[i]),
        "split points must lie inside the shard, in order");
  }
  co_await database.run([&](Transaction& tr) -> Future<Void> {
    set_data_distribution_options(tr, true);
    ShardTeams teams = co_await unmoving_shards(tr, shard, {shard}, owner);
    for (const Key& point : points)
      tr.set(key_servers_key(point), encode_shard_teams(teams));
  });
}

Future<Void> merge_shards(Database database, KeyRange first, KeyRange second, UID owner) {
  STRATA_ASSERT_MSG(first.end == second.begin && !first.empty() && !second.empty(),
                    "only adjacent shards merge");
  co_await database.run([&](Transaction& tr) -> Future<Void> {
    set_data_distribution_options(tr, true);
    co_await unmoving_shards(tr, KeyRange{first.begin, second.end}, {first, second}, owner);
    tr.clear(key_servers_key(second.begin));
  });
}

namespace {

// The servers of earlier moves' destinations in `range` (other than `dest`) that already
// serve all of their piece (in memory at least), with those pieces. They stay sources of the new
// move: when every source of a piece failed while it moved, one of them may hold the only copy
// left.
Future<std::vector<std::pair<UID, KeyRange>>> finished_destinations(Database database,
                                                                    KeyRange range,
                                                                    std::vector<UID> dest) {
  std::vector<std::pair<UID, KeyRange>> asked;
  std::vector<Future<Version>> answers;
  std::vector<StorageServerRecord> servers;
  for (const ShardMapEntry& piece : co_await read_shard_map(database, range)) {
    for (const UID& id : piece.teams.dest) {
      if (std::find(dest.begin(), dest.end(), id) != dest.end()) continue;
      if (servers.empty()) servers = co_await read_server_list(database);
      auto record = std::find_if(servers.begin(), servers.end(),
                                 [&id](const StorageServerRecord& r) { return r.id == id; });
      if (record == servers.end()) continue;
      StorageInterface server =
          storage_interface_at(record->id, record->tag, record->address, record->locality);
      asked.emplace_back(id, piece.range);
      answers.push_back(timeout_error(
          server.wait_readable.get_reply(WaitReadableRequest{piece.range, 0, false, {}}), 1.0));
    }
  }
  std::vector<std::pair<UID, KeyRange>> finished;
  for (size_t i = 0; i < answers.size(); ++i) {
    try {
      co_await answers[i];
      finished.push_back(asked[i]);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
  }
  co_return finished;
}

}  // namespace

Future<Void> move_keys(Database database, KeyRange range, std::vector<UID> dest, UID owner,
                       double readable_timeout_s) {
  STRATA_ASSERT_MSG(!range.empty() && range.end <= all_keys_end, "a move needs a range of keys");
  std::sort(dest.begin(), dest.end());
  STRATA_ASSERT_MSG(!dest.empty() && std::adjacent_find(dest.begin(), dest.end()) == dest.end(),
                    "a move needs distinct destination servers");
  // 1. start. (Repeating it after commit_unknown_result writes the same again.)
  const std::vector<std::pair<UID, KeyRange>> finished =
      co_await finished_destinations(database, range, dest);
  Version started = 0;
  Transaction tr = database.create_transaction();
  while (true) {
    std::optional<Error> failure;
    try {
      set_data_distribution_options(tr, true);
      check_lock(co_await tr.get(move_keys_lock_key), owner);
      MapAround map = co_await read_map_around(tr, range);
      // Earlier destinations that neither stay nor are kept as sources lose the piece.
      std::vector<std::pair<UID, KeyRange>> dropped;
      for (const ShardMapEntry& piece : map.inside) {
        std::vector<UID> src = piece.teams.src;
        for (const auto& [id, served] : finished) {
          const bool still_dest = std::find(piece.teams.dest.begin(), piece.teams.dest.end(), id) !=
                                  piece.teams.dest.end();
          if (still_dest && served.begin <= piece.range.begin && piece.range.end <= served.end &&
              std::find(src.begin(), src.end(), id) == src.end()) {
            STRATA_PROBE(true, "a finished destination of an abandoned move stays a source");
            src.push_back(id);
          }
        }
        tr.set(key_servers_key(piece.range.begin), encode_shard_teams(ShardTeams{src, dest}));
        for (const UID& id : piece.teams.dest) {
          if (std::find(src.begin(), src.end(), id) == src.end() &&
              std::find(dest.begin(), dest.end(), id) == dest.end()) {
            dropped.emplace_back(id, piece.range);
          }
        }
      }
      if (map.at_end && !map.end_is_boundary)
        tr.set(key_servers_key(range.end), encode_shard_teams(*map.at_end));
      for (const auto& [server, piece] : dropped)
        co_await set_server_keys(tr, server, piece, false);
      for (const UID& server : dest)
        co_await set_server_keys(tr, server, range, true);
      co_await tr.commit();
      started = tr.committed_version();
      break;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    co_await tr.on_error(*failure);
  }

  // 2. wait for every destination server to serve the range.
  std::vector<StorageServerRecord> servers = co_await read_server_list(database);
  std::vector<Future<Version>> readable;
  for (const UID& id : dest) {
    auto record = std::find_if(servers.begin(), servers.end(),
                               [&id](const StorageServerRecord& r) { return r.id == id; });
    if (record == servers.end()) {
      throw Error(ErrorCode::client_invalid_operation,
                  "storage server " + id.to_string() + " is not listed in \\xff/serverList/");
    }
    StorageInterface server =
        storage_interface_at(record->id, record->tag, record->address, record->locality);
    readable.push_back(
        [](StorageInterface server, KeyRange range, Version version) -> Future<Version> {
          while (true) {
            try {
              co_return co_await server.wait_readable.get_reply(
                  WaitReadableRequest{range, version, true, {}});
            } catch (Error& error) {
              if (error.is_cancellation() || error.is(ErrorCode::wrong_shard_server)) throw;
            }
            co_await delay(0.1);
          }
        }(server, range, started));
  }
  co_await timeout_error(when_all(std::move(readable)), readable_timeout_s);

  // 3. finish.
  co_await database.run([&](Transaction& tr) -> Future<Void> {
    set_data_distribution_options(tr, true);
    check_lock(co_await tr.get(move_keys_lock_key), owner);
    MapAround map = co_await read_map_around(tr, range);
    // Already finished (an earlier attempt committed after all).
    if (map.inside.size() == 1 && map.inside.front().range == range &&
        map.inside.front().teams.dest.empty()) {
      std::vector<UID> src = map.inside.front().teams.src;
      std::sort(src.begin(), src.end());
      if (src == dest) co_return;
    }
    std::vector<UID> sources;
    for (const ShardMapEntry& piece : map.inside) {
      std::vector<UID> piece_dest = piece.teams.dest;
      std::sort(piece_dest.begin(), piece_dest.end());
      if (piece_dest != dest) {
        throw Error(ErrorCode::movekeys_conflict, "another move replaced the destination of [" +
                                                      printable(piece.range.begin) + ", " +
                                                      printable(piece.range.end) + ")");
      }
      for (const UID& id : piece.teams.src) {
        if (std::find(sources.begin(), sources.end(), id) == sources.end()) sources.push_back(id);
      }
    }
    tr.set(key_servers_key(range.begin), encode_shard_teams(ShardTeams{dest, {}}));
    tr.clear_range(key_servers_key(range.begin) + '\0', key_servers_key(range.end));
    if (map.at_end && !map.end_is_boundary)
      tr.set(key_servers_key(range.end), encode_shard_teams(*map.at_end));
    for (const UID& id : sources) {
      if (!std::binary_search(dest.begin(), dest.end(), id))
        co_await set_server_keys(tr, id, range, false);
    }
    co_return;
  });
  TraceEvent("MoveKeysDone")
      .detail("Begin", printable(range.begin))
      .detail("End", printable(range.end))
      .detail("Started", started);
}

}  // namespace strata
