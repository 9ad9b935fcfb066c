#include "server/data_distributor/data_distributor.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "client/exclusions.h"
#include "client/management.h"
#include "client/move_keys.h"
#include "interfaces/storage_interface.h"
#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "runtime/trace.h"
#include "server/data_distributor/size_plan.h"
#include "server/server_knobs.h"
#include "server/wait_failure.h"
#include "strata/transaction.h"

namespace strata {

namespace {

struct DistributorState {
  DataDistributorInterface interface;
  Database database;
  // The copies every shard must have.
  int replication = 1;
  // When each storage server failed, while it is failed.
  std::map<UID, std::optional<double>> failed_since;
  // The watchers of the servers it knows.
  std::map<UID, Future<Void>> watchers;
  // The excluded processes, as of the current look at the map.
  Exclusions exclusions;
  // When the sizes of the shards are next looked at.
  double next_size_check = 0;
  // The repair moves running now (disjoint ranges), by first key, and where they run
  // (run_data_distributor's actors: a move that finds the lock lost fails the distributor).
  std::map<Key, KeyRange> moving;
  ActorCollection* moves = nullptr;
  // Ranges whose repair ended since the current look read the map: the map may show them
  // as they were before, so the look leaves them to the next one.
  std::vector<KeyRange> ended_during_look;
  // The balancing moves running now (disjoint from each other and from the repairs), by
  // first key: the range and the team it goes to. Sizes are planned as if they were done.
  std::map<Key, std::pair<KeyRange, std::vector<UID>>> balancing;
};

// Whether the server answers a request itself: any reply, an error it sends included (a
// read at version 0 is too old), rather than a failure of the connection or silence.
Future<bool> answers(const StorageInterface& server) {
  try {
    co_await timeout_error(server.get_value.get_reply(GetValueRequest{Key(), 0, {}}),
                           server_knobs().failure_detection_timeout_s);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    if (error.is(ErrorCode::connection_failed) || error.is(ErrorCode::broken_promise) ||
        error.is(ErrorCode::request_maybe_delivered) || error.is(ErrorCode::timed_out)) {
      co_return false;
    }
  }
  co_return true;
}

// Keeps `failed_since[id]` up to date: a server counts as failed (since it was first seen)
// until it answers, healthy from then until it fails, and so on.
Future<Void> watch_server(DistributorState* state, StorageInterface server) {
  const double timeout = server_knobs().failure_detection_timeout_s;
  while (true) {
    while (!co_await answers(server))
      co_await delay(timeout);
    state->failed_since[server.id].reset();
    co_await wait_for_failure(server.wait_failure);
    state->failed_since[server.id] = now();
    TraceEvent("DistributorServerFailed").id(state->interface.id).detail("Server", server.id);
  }
}

bool failed_for_long(const DistributorState& state, const UID& id) {
  auto found = state.failed_since.find(id);
  return found != state.failed_since.end() && found->second &&
         now() - *found->second >= server_knobs().dd_failed_storage_s;
}

bool is_healthy(const DistributorState& state, const UID& id) {
  auto found = state.failed_since.find(id);
  return found != state.failed_since.end() && !found->second;
}

// Whether a shard may stay on, or move to, `server`: it answers and is not excluded.
bool may_hold(const DistributorState& state, const StorageServerRecord& server) {
  return is_healthy(state, server.id) && !state.exclusions.covers(server.address);
}

// Whether `server` is to be given up: gone for long, or excluded as failed.
bool given_up(const DistributorState& state, const StorageServerRecord& server) {
  return failed_for_long(state, server.id) || state.exclusions.covers_failed(server.address);
}

// A team for `entry` of servers that may hold it: its source members that may, plus the
// servers that may holding the fewest shards, in zones the team lacks. Empty when there
// are not enough such servers.
std::vector<UID> replacement_team(const DistributorState& state, const ShardMapEntry& entry,
                                  const std::vector<StorageServerRecord>& servers,
                                  const std::map<UID, int>& shard_counts) {
  std::map<UID, const StorageServerRecord*> by_id;
  for (const StorageServerRecord& server : servers)
    by_id[server.id] = &server;
  const auto copies = static_cast<size_t>(state.replication);
  std::vector<UID> team;
  std::set<std::string> zones;
  for (const UID& id : entry.teams.src) {
    if (team.size() >= copies) break;
    if (!by_id.count(id) || !may_hold(state, *by_id[id])) continue;
    // A source kept from an abandoned move may share a zone with another.
    const std::string& zone = by_id[id]->locality.zone;
    if (!zone.empty() && zones.count(zone)) continue;
    team.push_back(id);
    zones.insert(zone);
  }
  std::vector<const StorageServerRecord*> candidates;
  for (const StorageServerRecord& server : servers) {
    if (may_hold(state, server) && std::find(team.begin(), team.end(), server.id) == team.end()) {
      candidates.push_back(&server);
    }
  }
  auto count = [&shard_counts](const UID& id) {
    auto found = shard_counts.find(id);
    return found == shard_counts.end() ? 0 : found->second;
  };
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&count](const StorageServerRecord* a, const StorageServerRecord* b) {
                     return count(a->id) < count(b->id);
                   });
  for (const StorageServerRecord* candidate : candidates) {
    if (team.size() >= copies) break;
    const std::string& zone = candidate->locality.zone;
    if (!zone.empty() && zones.count(zone)) continue;
    team.push_back(candidate->id);
    zones.insert(zone);
  }
  if (team.size() < copies) return {};
  return team;
}

// Removes a server no shard names any more: from the core state first (the controller
// refuses while its recorded map, a moment behind the database's, still names it), then from
// \xff/serverList/ and its serverKeys. In that order a refusal leaves the server listed, so
// the next look asks again; the other order once left a server the database no longer
// listed running for good. (A distributor that ends between the two steps leaves a listed
// server the controller has dropped: the next one removes it again, and the controller
// answers that it is dropped already.)
Future<bool> remove_server(DistributorState* state, UID id) {
  try {
    co_await remove_storage_server(state->database, id);
  } catch (Error& error) {
    if (error.is_cancellation() || !error.is(ErrorCode::operation_failed)) throw;
    STRATA_PROBE(true, "the controller refuses to drop a storage server its recorded map names");
    co_return false;
  }
  co_await state->database.run([id](Transaction& tr) -> Future<Void> {
    set_data_distribution_options(tr, true);
    tr.clear(server_list_key(id));
    tr.clear_range(server_keys_key(id, ""), strinc(server_keys_key(id, "")));
    co_return;
  });
  state->watchers.erase(id);
  state->failed_since.erase(id);
  TraceEvent("DistributorServerRemoved").id(state->interface.id).detail("Server", id);
  co_return true;
}

// Moves `range` to `team`, giving the move up as soon as a member of the new team fails (the
// next look picks another team) or when it fails otherwise; only losing the move lock ends
// the distributor.
Future<Void> move_shard(DistributorState* state, KeyRange range, std::vector<UID> team, UID owner) {
  try {
    Future<Void> moved =
        move_keys(state->database, range, team, owner, server_knobs().dd_move_timeout_s);
    Future<Void> member_failed = [](DistributorState* state,
                                    std::vector<UID> team) -> Future<Void> {
      while (std::all_of(team.begin(), team.end(),
                         [state](const UID& id) { return is_healthy(*state, id); })) {
        co_await delay(server_knobs().dd_check_interval_s);
      }
    }(state, team);
    if (co_await first_ready(moved, member_failed) == 1) {
      TraceEvent(Severity::warn, "DistributorMoveAbandoned")
          .id(state->interface.id)
          .detail("Begin", printable(range.begin))
          .detail("Reason", "a server of the new team failed");
    } else {
      co_await moved;
    }
  } catch (Error& error) {
    if (error.is_cancellation() || error.is(ErrorCode::movekeys_conflict)) throw;
    TraceEvent(Severity::warn, "DistributorMoveFailed").id(state->interface.id).error(error);
  }
}

Future<bool> holds_move_keys_lock(Database database, UID owner);

// A repair or balancing move, one of several at once: it leaves `moving` or `balancing`
// when it ends, however it ends. A conflict ends the distributor only when the lock went to
// another one.
Future<Void> background_move(DistributorState* state, KeyRange range, std::vector<UID> team,
                             UID owner, bool balancing) {
  struct Leave {
    DistributorState* state;
    KeyRange range;
    bool balancing;
    ~Leave() {
      if (balancing) {
        state->balancing.erase(range.begin);
      } else {
        state->moving.erase(range.begin);
      }
      state->ended_during_look.push_back(range);
    }
  } leave{state, range, balancing};
  std::optional<Error> conflict;
  try {
    co_await move_shard(state, range, team, owner);
  } catch (Error& error) {
    if (error.is_cancellation() || !error.is(ErrorCode::movekeys_conflict)) throw;
    conflict = error;
  }
  if (conflict && !co_await holds_move_keys_lock(state->database, owner)) throw *conflict;
}

Future<bool> holds_move_keys_lock(Database database, UID owner) {
  std::optional<Value> lock =
      co_await database.run([](Transaction& tr) -> Future<std::optional<Value>> {
        set_data_distribution_options(tr, false);
        co_return co_await tr.get(move_keys_lock_key);
      });
  co_return lock == owner.to_string();
}

// The estimated size of every shard of `map` from one of its members that may hold it (its
// byte sample), with points that would cut it into pieces of half the largest size;
// nullopt when some shard's estimate is not to be had yet (no member answers, or a member's
// sample is still being rebuilt after a restart).
Future<std::optional<std::vector<ShardSize>>> shard_sizes(
    DistributorState* state, const std::vector<ShardMapEntry>& map,
    const std::map<UID, const StorageServerRecord*>& by_id) {
  const ServerKnobs& knobs = server_knobs();
  std::vector<Future<RangeStatsReply>> replies;
  for (const ShardMapEntry& entry : map) {
    const StorageServerRecord* member = nullptr;
    for (const UID& id : entry.teams.src) {
      if (by_id.count(id) && is_healthy(*state, id)) member = by_id.at(id);
    }
    if (!member) co_return std::nullopt;
    StorageInterface server =
        storage_interface_at(member->id, member->tag, member->address, member->locality);
    replies.push_back(timeout_error(
        server.range_stats.get_reply(RangeStatsRequest{entry.range,
                                                       knobs.dd_shard_max_bytes / 2,
                                                       true,
                                                       knobs.dd_shard_max_write_bytes_per_s / 2,
                                                       {}}),
        knobs.failure_detection_timeout_s));
  }
  std::vector<ShardSize> sizes;
  for (size_t i = 0; i < map.size(); ++i) {
    std::optional<RangeStatsReply> reply;
    try {
      reply = co_await replies[i];
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
    if (!reply || !reply->complete) co_return std::nullopt;
    sizes.push_back(ShardSize{map[i], reply->bytes, std::move(reply->split_points),
                              reply->write_bytes_per_s, std::move(reply->write_split_points)});
  }
  co_return sizes;
}

// Splits, merges or moves one shard for its size (size_plan.h). Returns whether it did.
Future<bool> resize_once(DistributorState* state, UID owner, const std::vector<ShardMapEntry>& map,
                         const std::vector<StorageServerRecord>& servers,
                         const std::map<UID, const StorageServerRecord*>& by_id) {
  const ServerKnobs& knobs = server_knobs();
  if (now() < state->next_size_check) co_return false;
  state->next_size_check = now() + knobs.dd_size_check_interval_s;
  std::optional<std::vector<ShardSize>> sizes = co_await shard_sizes(state, map, by_id);
  if (!sizes) co_return false;
  // A balancing move whose first step the map does not show yet counts as under way.
  for (ShardSize& size : *sizes) {
    auto running = state->balancing.find(size.entry.range.begin);
    if (running != state->balancing.end() && size.entry.teams.dest.empty())
      size.entry.teams.dest = running->second.second;
  }
  std::vector<StorageServerRecord> usable;
  for (const StorageServerRecord& server : servers) {
    if (may_hold(*state, server)) usable.push_back(server);
  }
  SizeStep step =
      plan_size_step(*sizes, usable,
                     SizeLimits{knobs.dd_shard_max_bytes, knobs.dd_shard_merge_bytes,
                                knobs.dd_balance_bytes, knobs.dd_shard_max_write_bytes_per_s});
  if (step.kind == SizeStep::Kind::none) co_return false;
  const auto balance_moves_max = static_cast<size_t>(std::max(1, knobs.dd_balance_moves_max));
  if (step.kind == SizeStep::Kind::move && state->balancing.size() >= balance_moves_max) {
    co_return false;
  }
  // Splits and merges change the map under the moves: they wait for them to end.
  if (step.kind != SizeStep::Kind::move && !state->balancing.empty()) co_return false;
  const char* kind = step.kind == SizeStep::Kind::split   ? "split"
                     : step.kind == SizeStep::Kind::merge ? "merge"
                                                          : "move";
  TraceEvent("DistributorResize")
      .id(state->interface.id)
      .detail("Kind", kind)
      .detail("Begin", printable(step.range.begin))
      .detail("End", printable(step.range.end))
      .detail("Pieces", step.points.size() + 1)
      .detail("Reason", step.reason);
  // Sizes are a moment old: a shard that changed since is left for the next look.
  std::optional<Error> conflict;
  try {
    switch (step.kind) {
      case SizeStep::Kind::split:
        STRATA_PROBE(step.reason.ends_with("bytes"),
                     "the data distributor splits a shard grown too big");
        STRATA_PROBE(step.reason.ends_with("a second"),
                     "the data distributor splits a shard written too fast");
        co_await split_shard(state->database, step.range, step.points, owner);
        break;
      case SizeStep::Kind::merge:
        STRATA_PROBE(true, "the data distributor merges two small shards");
        co_await merge_shards(state->database, step.range, step.second, owner);
        break;
      case SizeStep::Kind::move:
        STRATA_PROBE(true, "the data distributor moves a shard to even out the servers");
        STRATA_PROBE(!state->balancing.empty(),
                     "the data distributor runs several balancing moves at once");
        state->balancing[step.range.begin] = {step.range, step.team};
        state->moves->add(background_move(state, step.range, step.team, owner, true));
        break;
      case SizeStep::Kind::none:
        break;
    }
  } catch (Error& error) {
    if (error.is_cancellation() || !error.is(ErrorCode::movekeys_conflict)) throw;
    conflict = error;
  }
  if (conflict && !co_await holds_move_keys_lock(state->database, owner)) throw *conflict;
  // One step may call for the next (a split, then a move onto a server that joined): look
  // again at once rather than after the interval, so that no kind of step starves another.
  state->next_size_check = now();
  co_return true;
}

// Whether a move of this distributor runs on `range`, or ended since the map was read.
bool overlaps_a_move(const DistributorState& state, const KeyRange& range) {
  for (const KeyRange& ended : state.ended_during_look) {
    if (ended.begin < range.end && range.begin < ended.end) return true;
  }
  auto after = state.moving.lower_bound(range.end);
  if (after != state.moving.begin() && std::prev(after)->second.end > range.begin) return true;
  auto balanced = state.balancing.lower_bound(range.end);
  return balanced != state.balancing.begin() && std::prev(balanced)->second.first.end > range.begin;
}

// One look at the map: starts moves of the shards that need one (a lost, excluded or
// missing copy, a move left unfinished), up to dd_move_parallelism at once, or removes one
// server that is gone or excluded and holds nothing, or, with no move running, takes one
// step for the shards' sizes. Returns whether it did anything.
Future<bool> distribute_once(DistributorState* state, UID owner) {
  state->ended_during_look.clear();
  state->exclusions = co_await read_exclusions(state->database);
  std::vector<StorageServerRecord> servers = co_await read_server_list(state->database);
  std::map<UID, const StorageServerRecord*> by_id;
  for (const StorageServerRecord& server : servers)
    by_id[server.id] = &server;
  for (const StorageServerRecord& server : servers) {
    if (state->watchers.count(server.id)) continue;
    state->failed_since[server.id] = now();  // not healthy until it answers
    state->watchers[server.id] = watch_server(
        state, storage_interface_at(server.id, server.tag, server.address, server.locality));
  }
  std::vector<ShardMapEntry> map =
      co_await read_shard_map(state->database, KeyRange{Key(), all_keys_end});
  std::map<UID, int> shard_counts;
  for (const ShardMapEntry& entry : map) {
    for (const UID& id : entry.teams.all())
      ++shard_counts[id];
  }
  const auto parallelism = static_cast<size_t>(server_knobs().dd_move_parallelism);
  bool started = false;
  for (const ShardMapEntry& entry : map) {
    if (state->moving.size() >= parallelism) break;
    if (overlaps_a_move(*state, entry.range)) continue;
    std::vector<UID> members = entry.teams.all();
    bool lost = std::any_of(members.begin(), members.end(), [&](const UID& id) {
      return by_id.count(id) ? given_up(*state, *by_id[id]) : failed_for_long(*state, id);
    });
    bool excluded = std::any_of(members.begin(), members.end(), [&](const UID& id) {
      return by_id.count(id) && state->exclusions.covers(by_id[id]->address);
    });
    // A move nobody is finishing (this distributor's own are skipped above).
    bool stranded = !entry.teams.dest.empty();
    bool resized = entry.teams.src.size() != static_cast<size_t>(state->replication);
    if (!lost && !excluded && !stranded && !resized) continue;
    std::vector<UID> team = replacement_team(*state, entry, servers, shard_counts);
    if (team.empty()) {
      TraceEvent(Severity::warn, "DistributorNoTeam")
          .id(state->interface.id)
          .detail("Begin", printable(entry.range.begin));
      continue;
    }
    TraceEvent("DistributorMove")
        .id(state->interface.id)
        .detail("Begin", printable(entry.range.begin))
        .detail("End", printable(entry.range.end))
        .detail("Reason", lost       ? "a member is gone"
                          : excluded ? "a member is excluded"
                          : stranded ? "a move was left unfinished"
                                     : "the redundancy mode changed");
    STRATA_PROBE(!state->moving.empty(), "the data distributor runs several moves at once");
    // The next choice of this look counts this move's destinations.
    for (const UID& id : team)
      ++shard_counts[id];
    state->moving[entry.range.begin] = entry.range;
    state->moves->add(background_move(state, entry.range, team, owner, false));
    started = true;
  }
  if (started) co_return true;
  // Servers gone for long or excluded that no shard names any more.
  for (const StorageServerRecord& server : servers) {
    if ((failed_for_long(*state, server.id) || state->exclusions.covers(server.address)) &&
        !shard_counts.count(server.id)) {
      STRATA_PROBE(state->exclusions.covers(server.address),
                   "the data distributor removes an excluded storage server it emptied");
      co_return co_await remove_server(state, server.id);
    }
  }
  // Sizes are planned on a map no repair is changing.
  if (!state->moving.empty()) co_return false;
  co_return co_await resize_once(state, owner, map, servers, by_id);
}

Future<bool> distribution_enabled(Database database) {
  std::optional<Value> mode =
      co_await database.run([](Transaction& tr) -> Future<std::optional<Value>> {
        set_data_distribution_options(tr, false);
        co_return co_await tr.get(data_distribution_mode_key);
      });
  co_return !mode || *mode != "0";
}

}  // namespace

DataDistributorInterface make_data_distributor_interface(UID id) {
  DataDistributorInterface interface;
  interface.id = id;
  interface.wait_failure = RequestStream<WaitFailureRequest>::serve();
  interface.address = interface.wait_failure.endpoint().address;
  return interface;
}

Future<Void> run_data_distributor(DataDistributorInterface interface, uint64_t epoch,
                                  int replication, Database database) {
  STRATA_ASSERT_MSG(replication >= 1, "a data distributor keeps at least one copy");
  DistributorState state{
      interface, std::move(database), replication, {}, {}, {}, 0, {}, nullptr, {}, {}};
  TraceEvent("DataDistributorStarted")
      .id(interface.id)
      .detail("Epoch", epoch)
      .detail("Replication", replication);
  // Declared after the state: its actors (the moves among them) end before the state does.
  ActorCollection actors;
  state.moves = &actors;
  actors.add(serve_wait_failure(interface.wait_failure.requests()));
  actors.add([](DistributorState* state) -> Future<Void> {
    // Let the failure watchers see which servers are down before choosing any team.
    co_await delay(2 * server_knobs().failure_detection_timeout_s);
    bool locked = false;
    while (true) {
      if (!co_await distribution_enabled(state->database)) {
        co_await delay(server_knobs().dd_check_interval_s);
        continue;
      }
      // The one mover from now on: an older distributor's next move fails. (One that
      // loses the lock to another mover fails with movekeys_conflict and is replaced.)
      if (!locked) {
        co_await take_move_keys_lock(state->database, state->interface.id);
        locked = true;
      } else if (!co_await holds_move_keys_lock(state->database, state->interface.id)) {
        // A newer distributor took over.
        throw Error(ErrorCode::movekeys_conflict, "another data distributor took the move lock");
      }
      bool acted = co_await distribute_once(state, state->interface.id);
      if (!acted) co_await delay(server_knobs().dd_check_interval_s);
    }
  }(&state));
  co_await actors.result();
}

}  // namespace strata
