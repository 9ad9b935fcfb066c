#include "server/cluster_controller/cluster_recovery.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "interfaces/status_interface.h"
#include "rpc/transport.h"
#include "runtime/buggify.h"
#include "runtime/trace.h"
#include "server/cluster_controller/coordinators_change.h"
#include "server/cluster_controller/recruitment.h"
#include "server/cluster_controller/shard_map_changes.h"
#include "server/cluster_controller/storage_teams.h"
#include "server/role_requests.h"
#include "server/server_knobs.h"
#include "server/storage/engines/key_value_store.h"
#include "server/wait_failure.h"

namespace strata {

namespace {

void enter(ControllerState* state, RecoveryState phase, std::string waiting_for = "") {
  state->recovery.state = phase;
  state->recovery.waiting_for = std::move(waiting_for);
  TraceEvent("RecoveryPhase")
      .detail("Phase", recovery_state_name(phase))
      .detail("WaitingFor", state->recovery.waiting_for);
}

// A recruitment request, given up when the worker restarts (its endpoints are gone), its
// process dies (its address refuses connections) or it does not answer in time: the
// attempt then fails and the next one recruits elsewhere.
template <class Request>
Future<ReplyType<Request>> recruit(RequestStream<Request> stream, Request request) {
  const NetworkAddress address = stream.endpoint().address;
  Future<ReplyType<Request>> reply = timeout_error(
      request_until_answered(std::move(stream), std::move(request), {ErrorCode::broken_promise}),
      server_knobs().recruitment_timeout_s);
  Future<Void> gone = Transport::current().failure_monitor().on_refusing(address);
  co_await first_ready(reply, gone);
  if (!reply.is_ready()) {
    throw Error(ErrorCode::connection_failed,
                "the process at " + address.to_string() +
                    " died while being recruited (it refuses connections)");
  }
  if constexpr (std::is_same_v<ReplyType<Request>, Void>) {
    co_await reply;
  } else {
    co_return co_await reply;
  }
}

// ---- 1. reading_coordinated_state ----

Future<CoreState> read_core_state(ControllerState* state) {
  enter(state, RecoveryState::reading_coordinated_state, "a majority of the coordinators");
  // Each attempt starts from whatever is newest, whoever wrote it: a write of another
  // controller (one that lost its lease part way) is a conflict only within a generation.
  state->coordinated = std::make_unique<CoordinatedState>(state->coordinated->connection());
  std::optional<std::string> value = co_await state->coordinated->read();
  // Coordinators of one cluster never hold two databases: the cluster file names
  // coordinators of different clusters. Nothing may be written over either.
  std::map<UID, std::string> databases;
  for (const std::string& seen : state->coordinated->values_seen()) {
    CoreState held = decode_core_state(seen);
    if (held.cluster_id.is_valid()) databases[held.cluster_id] = seen;
  }
  if (databases.size() > 1) {
    std::string ids;
    for (const auto& [id, seen] : databases)
      ids += (ids.empty() ? "" : ", ") + id.to_string();
    throw Error(ErrorCode::invalid_cluster_id,
                "the coordinators of " + state->coordinated->connection().to_string() +
                    " hold different databases (" + ids +
                    "): the cluster file names coordinators of different clusters; correct it "
                    "(nothing was changed)");
  }
  CoreState core = value ? decode_core_state(*value) : CoreState{};
  check_core_state(core);
  if (!core.moving_to.empty()) {
    // A controller died while moving the coordinators: finish its move, then step down.
    co_await finish_coordinators_move(state, core);
    throw_coordinators_changed(core.moving_to);
  }
  co_return core;
}

// ---- 2. locking_coordinated_state ----

Future<CoreState> claim_epoch(ControllerState* state, CoreState core) {
  enter(state, RecoveryState::locking_coordinated_state, "a majority of the coordinators");
  const uint64_t read_epoch = core.epoch;
  if (!core.cluster_id.is_valid()) core.cluster_id = env().random().unique_id();
  // The first claim of a new cluster takes the layout it was started with.
  if (read_epoch == 0 && !state->pending_configuration) {
    core.configuration = state->options.new_database.database;
  }
  if (state->pending_configuration) core.configuration = *state->pending_configuration;
  core.epoch = read_epoch + 1;
  co_await state->coordinated->write(encode_core_state(core));
  state->core = core;
  if (state->pending_configuration && *state->pending_configuration == core.configuration) {
    state->pending_configuration.reset();
    for (ReplyPromise<ConfigureReply>& waiter : state->configure_waiters)
      waiter.send(ConfigureReply{core.configuration.to_string()});
    state->configure_waiters.clear();
  }
  TraceEvent("RecoveryEpochClaimed")
      .detail("Epoch", core.epoch)
      .detail("ClusterId", core.cluster_id)
      .detail("DatabaseExists", core.database_exists());
  STRATA_ASSERT(core.epoch == read_epoch + 1);
  co_return core;
}

// ---- 3. configuration_never_created ----

std::vector<const RegisteredWorker*> live_workers(const ControllerState& state,
                                                  const UID& cluster_id) {
  std::vector<const RegisteredWorker*> live;
  const FailureMonitor& monitor = Transport::current().failure_monitor();
  for (const auto& [address, worker] : state.workers) {
    // A refusing address is a dead process the pings have not caught up with yet.
    if (worker.failed || monitor.is_refusing(address)) continue;
    if (worker.cluster_id.is_valid() && worker.cluster_id != cluster_id) continue;
    live.push_back(&worker);
  }
  return live;
}

Future<Void> wait_for_first_workers(ControllerState* state, const CoreState& core) {
  const ServerKnobs& knobs = server_knobs();
  const int expected = state->options.new_database.workers_expected;
  double quiet_since = now();
  uint64_t seen = state->registrations.get();
  // Workers whose folders hold another database do not count (their next registration
  // is refused, and they stop saying why): a database is never created over them.
  while (true) {
    if (state->registrations.get() != seen) {
      seen = state->registrations.get();
      quiet_since = now();
    }
    const size_t live = live_workers(*state, core.cluster_id).size();
    std::vector<std::string> missing;
    if (expected > 0) {
      if (live >= static_cast<size_t>(expected)) co_return;
      missing.push_back(std::to_string(expected - live) + " more of " + std::to_string(expected) +
                        " workers");
    } else {
      for (const NetworkAddress& coordinator : state->options.connection.coordinators) {
        auto found = state->workers.find(coordinator);
        if (found == state->workers.end() || found->second.failed) {
          missing.push_back("the worker at " + coordinator.to_string());
        }
      }
      if (missing.empty() && live > 0 && now() - quiet_since >= knobs.new_database_settle_s) {
        co_return;
      }
    }
    std::string waiting = missing.empty() ? "workers to stop joining" : missing.front();
    enter(state, RecoveryState::configuration_never_created, waiting);
    Future<Void> registered = state->registrations.on_change();
    Future<Void> settle = delay(knobs.new_database_settle_s);
    co_await first_ready(registered, settle);
  }
}

// A new database laid out automatically gets a log per log process (at least one, at most
// five).
int new_database_logs(const ControllerState& state, const CoreState& core) {
  int logs = 0;
  for (const RegisteredWorker* worker : live_workers(state, core.cluster_id))
    logs += worker->interface.locality.process_class == ProcessClass::log;
  return std::clamp(logs, 1, 5);
}

// Ready when `future` is, whatever its outcome.
template <class T>
Future<Void> settled(Future<T> future) {
  try {
    co_await future;
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
  }
}

// ---- 4. locking_old_transaction_servers ----

struct LockedGeneration {
  Version recovery_version = 0;
  Version known_committed_version = 0;
  // The logs that answered the lock: each holds every version up to the recovery version.
  std::vector<LogLocation> logs;
};

Future<LockedGeneration> lock_old_generation(ControllerState* state, const CoreState& core) {
  STRATA_ASSERT(core.current.has_value());
  const LogGenerationState& current = *core.current;
  const ServerKnobs& knobs = server_knobs();
  std::string names;
  for (const LogLocation& log : current.logs)
    names += (names.empty() ? "" : ", ") + log.address.to_string();
  enter(state, RecoveryState::locking_old_transaction_servers,
        "a log of generation " + std::to_string(current.epoch) + " (on " + names + ")");
  while (true) {
    std::vector<Future<LogLockReply>> locks;
    for (const LogLocation& log : current.logs) {
      locks.push_back(timeout_error(
          log_interface_at(log.id, log.address).lock.get_reply(LogLockRequest{core.epoch, {}}),
          knobs.failure_detection_timeout_s));
    }
    // They run at once. Wait for each to answer or fail, except that once one log is
    // locked, a log whose worker the controller saw fail, or whose address refuses
    // connections, is not waited for: every log holds every acknowledged commit, and that
    // one would only time out (or fail after the transport's reconnection delay).
    FailureMonitor& monitor = Transport::current().failure_monitor();
    while (true) {
      bool any_locked = false;
      for (const Future<LogLockReply>& lock : locks)
        any_locked = any_locked || (lock.is_ready() && !lock.is_error());
      std::vector<Future<Void>> waits;
      for (size_t i = 0; i < locks.size(); ++i) {
        if (locks[i].is_ready()) continue;
        auto worker = state->workers.find(current.logs[i].address);
        bool failed = (worker != state->workers.end() && worker->second.failed) ||
                      monitor.is_refusing(current.logs[i].address);
        if (!(any_locked && failed)) waits.push_back(settled(locks[i]));
      }
      if (waits.empty()) break;
      waits.push_back(state->registrations.on_change());
      for (size_t i = 0; i < locks.size(); ++i) {
        const NetworkAddress& address = current.logs[i].address;
        if (!locks[i].is_ready() && !monitor.is_refusing(address)) {
          waits.push_back(monitor.on_refusing(address));
        }
      }
      co_await first_ready(waits);
    }
    LockedGeneration locked;
    locked.recovery_version = std::numeric_limits<Version>::max();
    for (size_t i = 0; i < locks.size(); ++i) {
      if (!locks[i].is_ready() || locks[i].is_error()) {
        TraceEvent(Severity::warn, "RecoveryLogNotLocked")
            .detail("Log", current.logs[i].id)
            .detail("Address", current.logs[i].address)
            .detail("Reason", locks[i].is_ready() ? locks[i].error().message()
                                                  : std::string("its worker failed"));
        continue;
      }
      const LogLockReply& reply = locks[i].get();
      STRATA_ASSERT_MSG(reply.end >= current.begin, "a log ended before its generation began");
      locked.recovery_version = std::min(locked.recovery_version, reply.end);
      locked.known_committed_version =
          std::max(locked.known_committed_version, reply.known_committed_version);
      locked.logs.push_back(current.logs[i]);
    }
    if (!locked.logs.empty()) {
      STRATA_ASSERT(locked.known_committed_version <= locked.recovery_version);
      TraceEvent("RecoveryLogsLocked")
          .detail("Epoch", current.epoch)
          .detail("Locked", locked.logs.size())
          .detail("Of", current.logs.size())
          .detail("RecoveryVersion", locked.recovery_version)
          .detail("KnownCommittedVersion", locked.known_committed_version);
      co_return locked;
    }
    // No log of the generation answers: no recovery can know what it committed.
    TraceEvent(Severity::warn_always, "RecoveryWaitingForLogs").detail("Logs", names);
    co_await delay(knobs.recovery_retry_delay_s);
  }
}

// The shard map as of the recovery version: the core state's, with the changes the last
// generation committed after it, read from the locked logs.
Future<CoreState> recover_shard_map(CoreState core, const LockedGeneration& locked) {
  STRATA_ASSERT_MSG(core.shard_map_version <= locked.recovery_version,
                    "the recorded shard map is newer than the recovery version");
  std::vector<LogInterface> logs;
  for (const LogLocation& log : locked.logs)
    logs.push_back(log_interface_at(log.id, log.address));
  ShardMapChanges changes =
      co_await read_shard_map_changes(logs, core.shard_map_version, locked.recovery_version);
  ShardMap map(core.shard_map);
  for (const Mutation& mutation : changes.mutations)
    map.apply(mutation);
  STRATA_PROBE(!changes.mutations.empty(), "a recovery reads shard map changes from the logs");
  core.shard_map = map.entries();
  core.shard_map_version = locked.recovery_version;
  TraceEvent("RecoveryShardMap")
      .detail("Changes", changes.mutations.size())
      .detail("Shards", core.shard_map.size())
      .detail("Version", core.shard_map_version);
  co_return core;
}

// ---- 5. recruiting_transaction_servers ----

// Asks `address` for a ping, only so that the transport dials it: a process that is gone
// then refuses the connection, and the failure monitor says so.
Future<Void> dial(NetworkAddress address) {
  try {
    co_await timeout_error(ping_stream_at(address).get_reply(PingRequest{}),
                           server_knobs().failure_detection_timeout_s);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
  }
}

// After an election the controller knows no workers yet: wait a moment for those of the
// last generation to register, but not for a process whose address refuses connections
// (it is gone; a machine that is down altogether costs the whole wait).
Future<Void> wait_for_known_workers(ControllerState* state, const CoreState& core) {
  std::set<NetworkAddress> expected;
  for (const LogLocation& log : core.current->logs)
    expected.insert(log.address);
  for (const StorageServerState& storage : core.storage)
    expected.insert(storage.address);
  const double deadline = state->elected_at + server_knobs().recruitment_wait_s;
  FailureMonitor& monitor = Transport::current().failure_monitor();
  ActorCollection dials;
  std::set<NetworkAddress> dialed;
  while (true) {
    std::vector<NetworkAddress> missing;
    for (const NetworkAddress& address : expected) {
      auto found = state->workers.find(address);
      bool present = found != state->workers.end() && !found->second.failed;
      if (!present && !monitor.is_refusing(address)) missing.push_back(address);
    }
    bool any = !live_workers(*state, core.cluster_id).empty();
    if (any && (missing.empty() || now() >= deadline)) co_return;
    enter(state, RecoveryState::recruiting_transaction_servers, "workers to register");
    std::vector<Future<Void>> changes{state->registrations.on_change(),
                                      delay(std::max(0.05, deadline - now()))};
    for (const NetworkAddress& address : missing) {
      if (dialed.insert(address).second) dials.add(dial(address));
      changes.push_back(monitor.on_refusing(address));
    }
    co_await first_ready(changes);
  }
}

// The first version's mutations for storage servers that join: each one's row in
// \xff/serverList/, tagged for the servers holding that key (both teams of a moving shard).
std::vector<TaggedMutations> joined_server_rows(const std::vector<ShardMapEntry>& shard_map,
                                                const std::vector<StorageServerState>& storage,
                                                const std::vector<StorageServerState>& joined) {
  const ShardMap map(shard_map);
  std::map<Tag, std::vector<Mutation>> by_tag;
  for (const StorageServerState& server : joined) {
    const Key key = server_list_key(server.id);
    const Mutation row{MutationType::set_value, key,
                       serialize_to_bytes(StorageServerRecord{server.id, server.tag, server.address,
                                                              server.locality})};
    for (const UID& holder : map.teams_of(key).all()) {
      auto found = std::find_if(storage.begin(), storage.end(),
                                [&](const StorageServerState& s) { return s.id == holder; });
      STRATA_ASSERT_MSG(found != storage.end(), "the shard map names an unknown storage server");
      by_tag[found->tag].push_back(row);
    }
  }
  std::vector<TaggedMutations> messages;
  for (auto& [tag, mutations] : by_tag)
    messages.push_back(TaggedMutations{tag, std::move(mutations)});
  return messages;
}

struct Recruits {
  LogGenerationState logs;
  // The generation's first version (durable on its logs).
  Version start_version = 0;
  std::vector<LogInterface> log_interfaces;
  // A new database's storage servers, or those that join an existing one.
  std::vector<StorageServerState> new_storage;
  // A new database's shard map.
  std::vector<ShardMapEntry> new_shard_map;
  StatelessRoles roles;
};

// Storage servers of a new database: one per storage process (or unset process), unless
// the layout says how many.
int new_storage_count(const ClusterConfiguration& layout,
                      const std::vector<const RegisteredWorker*>& workers) {
  if (layout.storage_servers > 0) return layout.storage_servers;
  int storage = 0;
  int unset = 0;
  for (const RegisteredWorker* worker : workers) {
    storage += worker->interface.locality.process_class == ProcessClass::storage;
    unset += worker->interface.locality.process_class == ProcessClass::unset;
  }
  return std::max(1, storage > 0 ? storage : unset);
}

// Where each storage server of the core state is now: the worker that reports it, or where
// it was recorded.
NetworkAddress storage_address(const ControllerState& state, const StorageServerState& storage) {
  for (const auto& [address, worker] : state.workers) {
    for (const StoredRole& role : worker.stored_roles) {
      if (role.kind == StoredRole::Kind::storage && role.id == storage.id) return address;
    }
  }
  return storage.address;
}

// The processes not to give a storage server now: those that host one, and storage
// processes whose last join failed less than storage_join_retry_delay_s ago (a process
// whose recruitment keeps failing must not start a recovery every few seconds).
std::set<NetworkAddress> not_joining(const ControllerState& state,
                                     const std::vector<StorageServerState>& storage) {
  std::set<NetworkAddress> skipped;
  for (const StorageServerState& server : storage)
    skipped.insert(storage_address(state, server));
  for (const auto& [address, failed_at] : state.storage_join_failed_at) {
    if (now() - failed_at < server_knobs().storage_join_retry_delay_s) skipped.insert(address);
  }
  return skipped;
}

Future<Recruits> recruit_generation(ControllerState* state, const CoreState& core,
                                    Version recovery_version) {
  if (core.database_exists()) co_await wait_for_known_workers(state, core);
  enter(state, RecoveryState::recruiting_transaction_servers, "recruited roles to start");
  const DatabaseConfiguration& configuration = core.configuration;
  std::vector<const RegisteredWorker*> workers = live_workers(*state, core.cluster_id);
  if (workers.empty()) throw Error(ErrorCode::no_more_servers, "no live worker is registered");
  state->recruiting_exclusions = state->exclusions;
  // Copies: the map of workers may change while this waits.
  std::vector<RecruitCandidate> candidates;
  std::vector<WorkerInterface> interfaces;
  for (const RegisteredWorker* worker : workers) {
    candidates.push_back({worker->interface.address, worker->interface.locality,
                          state->exclusions.covers(worker->interface.address)});
    interfaces.push_back(worker->interface);
  }
  const uint64_t epoch = core.epoch;
  RecruitLoad load;
  // The controller's own process counts as busy: roles go elsewhere while they fit as well.
  load[Transport::current().listen_address()] = 1;
  Recruits recruits;

  // Storage servers: those of the database, or a new database's first ones, one shard per
  // server and each shard on a team of `replication` servers in distinct zones.
  std::vector<StorageServerState> storage = core.storage;
  if (!core.database_exists()) {
    const int count = std::max(configuration.replication,
                               new_storage_count(state->options.new_database, workers));
    std::vector<size_t> picks = pick_processes(candidates, RoleKind::storage, count, load);
    std::vector<std::string> zones;
    for (size_t pick : picks)
      zones.push_back(candidates[pick].locality.zone);
    std::vector<std::vector<size_t>> teams = initial_teams(zones, configuration.replication);
    std::vector<KeyRange> shards = initial_shards(count);
    for (size_t i = 0; i < picks.size(); ++i) {
      recruits.new_storage.push_back(
          StorageServerState{env().random().unique_id(), static_cast<Tag>(i),
                             candidates[picks[i]].address, candidates[picks[i]].locality, epoch});
    }
    for (size_t shard = 0; shard < shards.size(); ++shard) {
      ShardMapEntry entry{shards[shard], {}};
      for (size_t member : teams[shard])
        entry.teams.src.push_back(recruits.new_storage[member].id);
      recruits.new_shard_map.push_back(std::move(entry));
    }
    std::vector<StorageServerRecord> records;
    for (const StorageServerState& created : recruits.new_storage)
      records.push_back(
          StorageServerRecord{created.id, created.tag, created.address, created.locality});
    const std::vector<KeyValue> rows = shard_map_rows(recruits.new_shard_map, records);
    std::vector<Future<InitializeStorageReply>> starting;
    for (size_t i = 0; i < picks.size(); ++i) {
      const StorageServerState& created = recruits.new_storage[i];
      std::vector<KeyRange> held;
      for (const ShardMapEntry& entry : recruits.new_shard_map) {
        const std::vector<UID>& team = entry.teams.src;
        if (std::find(team.begin(), team.end(), created.id) != team.end())
          held.push_back(entry.range);
      }
      starting.push_back(recruit(
          interfaces[picks[i]].initialize_storage,
          InitializeStorageRequest{
              created.id, created.tag, epoch, configuration.storage_engine, held, rows, 0, {}}));
    }
    co_await when_all(std::move(starting));
    storage = recruits.new_storage;
  } else {
    // Storage processes that joined: a storage server each, with no shards (the data
    // distributor moves some onto it), starting at the recovery version (this generation's
    // logs are the first to keep its tag), and listed in \xff/serverList/ by the
    // generation's first version.
    Tag next_tag = 0;
    for (const StorageServerState& server : storage)
      next_tag = std::max<Tag>(next_tag, server.tag + 1);
    std::vector<Future<InitializeStorageReply>> starting;
    std::vector<StorageServerState> joining;
    for (size_t pick : storage_joiners(candidates, not_joining(*state, storage))) {
      StorageServerState created{env().random().unique_id(), next_tag++, candidates[pick].address,
                                 candidates[pick].locality, epoch};
      TraceEvent("StorageServerJoining")
          .detail("Server", created.id)
          .detail("Address", created.address)
          .detail("Tag", created.tag);
      starting.push_back(recruit(interfaces[pick].initialize_storage,
                                 InitializeStorageRequest{created.id,
                                                          created.tag,
                                                          epoch,
                                                          configuration.storage_engine,
                                                          {},
                                                          {},
                                                          recovery_version,
                                                          {}}));
      joining.push_back(created);
    }
    // One that cannot be recruited (its process died) is left out: it must not hold up
    // the recovery. Its process deletes the server once a generation leaves it out.
    for (size_t i = 0; i < joining.size(); ++i) {
      try {
        co_await starting[i];
        recruits.new_storage.push_back(joining[i]);
        state->storage_join_failed_at.erase(joining[i].address);
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        STRATA_PROBE(true, "a storage process that joined could not be given a storage server");
        state->storage_join_failed_at[joining[i].address] = now();
        TraceEvent(Severity::warn, "StorageServerJoinFailed")
            .detail("Address", joining[i].address)
            .error(error);
      }
    }
    storage.insert(storage.end(), recruits.new_storage.begin(), recruits.new_storage.end());
  }
  const std::vector<ShardMapEntry>& shard_map =
      core.database_exists() ? core.shard_map : recruits.new_shard_map;
  // Every log keeps the shard map's changes too, for the next recovery.
  std::vector<Tag> tags{txs_tag};
  std::vector<StorageInterface> storage_interfaces;
  for (const StorageServerState& server : storage) {
    tags.push_back(server.tag);
    storage_interfaces.push_back(storage_interface_at(
        server.id, server.tag, storage_address(*state, server), server.locality));
  }

  // Logs of the new generation: they hold the versions after the recovery version.
  recruits.logs.epoch = epoch;
  recruits.logs.begin = recovery_version;
  {
    std::vector<size_t> picks =
        pick_processes(candidates, RoleKind::log, configuration.log_count(), load);
    std::vector<std::string> zones;
    for (size_t pick : picks)
      zones.push_back(candidates[pick].locality.zone);
    require_distinct_zones(zones, configuration.replication, "every log record", "processes");
    std::vector<Future<LogInterface>> starting;
    for (size_t pick : picks) {
      UID id = env().random().unique_id();
      starting.push_back(recruit(interfaces[pick].initialize_log,
                                 InitializeLogRequest{id, epoch, recovery_version, tags, {}}));
    }
    recruits.log_interfaces = co_await when_all(std::move(starting));
    for (const LogInterface& log : recruits.log_interfaces)
      recruits.logs.logs.push_back(LogLocation{log.id, log.address});
  }

  // The generation's first version, durable on every new log before anything else runs:
  // far enough past the recovery version to be above every version the last generation
  // handed out (its sequencer stayed within max_versions_in_flight of its committed
  // versions, which are at most the recovery version), and committed before the generation
  // is recorded, so that the next recovery version is at least this one.
  const Version start_version = recovery_version + server_knobs().recovery_version_jump;
  enter(state, RecoveryState::recruiting_transaction_servers,
        "the new logs to make the generation's first version durable");
  {
    std::vector<TaggedMutations> messages;
    if (core.database_exists())
      messages = joined_server_rows(core.shard_map, storage, recruits.new_storage);
    std::vector<Future<Void>> durable;
    for (const LogInterface& log : recruits.log_interfaces) {
      durable.push_back(recruit(
          log.commit, LogCommitRequest{
                          epoch, recovery_version, start_version, recovery_version, messages, {}}));
    }
    co_await when_all(std::move(durable));
  }
  recruits.start_version = start_version;

  // The stateless roles, which start from the first version.
  size_t sequencer_pick = pick_processes(candidates, RoleKind::sequencer, 1, load).front();
  recruits.roles.sequencer = co_await recruit(interfaces[sequencer_pick].initialize_sequencer,
                                              InitializeSequencerRequest{epoch, start_version, {}});
  std::vector<KeyRange> resolver_ranges = initial_shards(configuration.resolvers);
  {
    std::vector<size_t> picks =
        pick_processes(candidates, RoleKind::resolver, configuration.resolvers, load);
    std::vector<Future<ResolverInterface>> starting;
    for (size_t i = 0; i < picks.size(); ++i) {
      starting.push_back(recruit(interfaces[picks[i]].initialize_resolver,
                                 InitializeResolverRequest{epoch,
                                                           static_cast<int>(i),
                                                           start_version,
                                                           resolver_ranges[i],
                                                           configuration.commit_proxies,
                                                           {}}));
    }
    recruits.roles.resolvers = co_await when_all(std::move(starting));
  }
  {
    std::vector<size_t> picks =
        pick_processes(candidates, RoleKind::commit_proxy, configuration.commit_proxies, load);
    std::vector<Future<CommitProxyInterface>> starting;
    for (size_t i = 0; i < picks.size(); ++i) {
      starting.push_back(recruit(interfaces[picks[i]].initialize_commit_proxy,
                                 InitializeCommitProxyRequest{epoch,
                                                              static_cast<int>(i),
                                                              start_version,
                                                              recruits.roles.sequencer,
                                                              recruits.roles.resolvers,
                                                              resolver_ranges,
                                                              recruits.log_interfaces,
                                                              shard_map,
                                                              storage_interfaces,
                                                              {}}));
    }
    recruits.roles.commit_proxies = co_await when_all(std::move(starting));
  }
  {
    std::vector<size_t> picks =
        pick_processes(candidates, RoleKind::grv_proxy, configuration.grv_proxies, load);
    std::vector<Future<GrvProxyInterface>> starting;
    for (size_t i = 0; i < picks.size(); ++i) {
      starting.push_back(recruit(
          interfaces[picks[i]].initialize_grv_proxy,
          InitializeGrvProxyRequest{
              epoch, static_cast<int>(i), recruits.roles.sequencer, recruits.log_interfaces, {}}));
    }
    recruits.roles.grv_proxies = co_await when_all(std::move(starting));
  }
  STRATA_ASSERT(recruits.logs.logs.size() == static_cast<size_t>(configuration.log_count()));
  STRATA_ASSERT(recruits.roles.resolvers.size() == static_cast<size_t>(configuration.resolvers));
  co_return recruits;
}

// ---- 6. writing_coordinated_state ----

Future<CoreState> write_generation(ControllerState* state, CoreState core,
                                   const LockedGeneration& locked, const Recruits& recruits) {
  enter(state, RecoveryState::writing_coordinated_state, "a majority of the coordinators");
  const Version recovery_version = recruits.logs.begin;
  CoreState next = core;
  if (core.current) {
    STRATA_ASSERT(recovery_version == locked.recovery_version);
    // The last generation becomes an old one, ending at the recovery version, made of the
    // logs that were locked (a log that did not answer may lack some of its versions). A
    // generation that ended where it began holds nothing and is left out.
    LogGenerationState ended = *core.current;
    ended.end = recovery_version;
    ended.logs = locked.logs;
    if (ended.end > ended.begin) next.old.insert(next.old.begin(), ended);
    next.storage.insert(next.storage.end(), recruits.new_storage.begin(),
                        recruits.new_storage.end());
  } else {
    next.storage = recruits.new_storage;
    next.shard_map = recruits.new_shard_map;
    next.shard_map_version = recovery_version;
  }
  next.current = recruits.logs;
  for (StorageServerState& storage : next.storage)
    storage.address = storage_address(*state, storage);
  check_core_state(next);
  co_await state->coordinated->write(encode_core_state(next));
  state->core = next;
  co_return next;
}

// ---- 7. accepting_commits ----

void publish(ControllerState* state, const CoreState& core, const StatelessRoles& roles) {
  ServerDBInfo info = server_db_info_of(core, roles);
  state->generation_processes.clear();
  state->generation_exclusions = state->recruiting_exclusions;
  auto hosts = [state](NetworkAddress address) {
    auto found = state->workers.find(address);
    state->generation_processes[address] =
        found == state->workers.end() ? UID() : found->second.interface.id;
  };
  hosts(roles.sequencer.address);
  for (const ResolverInterface& resolver : roles.resolvers)
    hosts(resolver.address);
  for (const CommitProxyInterface& proxy : roles.commit_proxies)
    hosts(proxy.address);
  for (const GrvProxyInterface& proxy : roles.grv_proxies)
    hosts(proxy.address);
  for (const LogInterface& log : info.logs.logs)
    hosts(log.address);
  state->published_roles = roles;
  // The ratekeeper outlives generations.
  info.ratekeeper = state->db_info.get().ratekeeper;
  state->db_info.set(info);
  enter(state, RecoveryState::accepting_commits, "the first commit of the new generation");
  TraceEvent("RecoveryPublished")
      .detail("Epoch", info.epoch)
      .detail("RecoveryVersion", info.recovery_version)
      .detail("Logs", info.logs.logs.size())
      .detail("OldGenerations", info.old_logs.size())
      .detail("StorageServers", info.storage_servers.size());
}

}  // namespace

Error foreign_data_folder(const ControllerState& state, NetworkAddress address,
                          const UID& folder_id) {
  const std::string coordinators = state.options.connection.to_string();
  if (!state.core || !state.core->database_exists()) {
    return Error(ErrorCode::invalid_cluster_id,
                 "the coordinators of " + coordinators +
                     " hold no database, but the data folder of " + address.to_string() +
                     " belongs to database " + folder_id.to_string() +
                     ": the coordinators lost their state, or that process belongs to another "
                     "cluster; restore the coordinators' folders, or start the process with an "
                     "empty data folder (nothing was changed)");
  }
  return Error(ErrorCode::invalid_cluster_id,
               "the data folder of " + address.to_string() + " belongs to database " +
                   folder_id.to_string() + ", but the coordinators of " + coordinators +
                   " serve database " + state.core->cluster_id.to_string() +
                   ": start it with the cluster file of its own cluster, or with an empty data "
                   "folder to join this one (nothing was changed)");
}

ServerDBInfo server_db_info_of(const CoreState& core, const StatelessRoles& roles) {
  STRATA_ASSERT(core.current.has_value());
  auto generation = [](const LogGenerationState& state) {
    LogGeneration generation;
    generation.epoch = state.epoch;
    generation.begin = state.begin;
    generation.end = state.end;
    for (const LogLocation& log : state.logs)
      generation.logs.push_back(log_interface_at(log.id, log.address));
    return generation;
  };
  ServerDBInfo info;
  info.id = env().random().unique_id();
  info.epoch = core.current->epoch;
  info.cluster_id = core.cluster_id;
  info.recovery_version = core.current->begin;
  info.sequencer = roles.sequencer;
  info.resolvers = roles.resolvers;
  info.logs = generation(*core.current);
  for (const LogGenerationState& old : core.old)
    info.old_logs.push_back(generation(old));
  for (const StorageServerState& storage : core.storage)
    info.storage_servers.push_back(
        storage_interface_at(storage.id, storage.tag, storage.address, storage.locality));
  info.client.id = env().random().unique_id();
  info.client.epoch = info.epoch;
  info.client.grv_proxies = roles.grv_proxies;
  info.client.commit_proxies = roles.commit_proxies;
  return info;
}

Future<Void> recover(ControllerState* state) {
  CoreState core = co_await read_core_state(state);
  core = co_await claim_epoch(state, std::move(core));
  LockedGeneration locked;
  if (core.database_exists()) {
    locked = co_await lock_old_generation(state, core);
    core = co_await recover_shard_map(std::move(core), locked);
  } else {
    co_await wait_for_first_workers(state, core);
    if (core.configuration.logs == 0) core.configuration.logs = new_database_logs(*state, core);
  }
  Recruits recruits = co_await recruit_generation(state, core, locked.recovery_version);
  core = co_await write_generation(state, std::move(core), locked, recruits);
  publish(state, core, recruits.roles);
}

namespace {

// Keeps one role of kind `kind` running somewhere (the data distributor, the ratekeeper):
// recruits it with `recruit_on(worker, epoch, replication)` once the database exists, hands
// it to `record` (nullopt when it is gone), and recruits another whenever it fails, the
// redundancy mode changes, or its process is excluded.
template <class Interface>
Future<Void> keep_singleton(
    ControllerState* state, RoleKind kind, std::string name,
    std::function<Future<Interface>(const WorkerInterface&, uint64_t, int)> recruit_on,
    std::function<void(std::optional<Interface>)> record) {
  const ServerKnobs& knobs = server_knobs();
  // Once the database exists: these roles work through it.
  while (state->db_info.get().epoch == 0)
    co_await state->db_info.on_change();
  // Named by the generation it started in; it outlives later ones.
  while (true) {
    const uint64_t epoch = state->db_info.get().epoch;
    std::vector<const RegisteredWorker*> workers =
        live_workers(*state, state->core ? state->core->cluster_id : UID());
    if (workers.empty()) {
      co_await delay(knobs.role_retry_delay_s);
      continue;
    }
    std::vector<RecruitCandidate> candidates;
    for (const RegisteredWorker* worker : workers)
      candidates.push_back({worker->interface.address, worker->interface.locality,
                            state->exclusions.covers(worker->interface.address)});
    RecruitLoad load;
    // Away from the controller while another process fits as well.
    load[Transport::current().listen_address()] = 1;
    const RegisteredWorker* chosen = workers[pick_processes(candidates, kind, 1, load).front()];
    const int replication = state->core->configuration.replication;
    std::optional<Interface> role;
    try {
      role = co_await recruit_on(chosen->interface, epoch, replication);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      TraceEvent(Severity::warn, name + "RecruitFailed").error(error);
    }
    if (role) {
      TraceEvent(name + "Recruited").detail("Address", role->address).detail("Epoch", epoch);
      record(role);
      // Until it fails, the redundancy mode changes or its process is excluded. One
      // recruited onto an excluded process (nothing else fitted) stays until the
      // exclusions change again.
      Future<Void> failed = wait_for_failure(role->wait_failure);
      auto excluded = [&] { return state->exclusions.covers(role->address); };
      const bool excluded_at_start = excluded();
      const uint64_t exclusions_at_start = state->exclusion_changes.get();
      auto must_move = [&] {
        return excluded() &&
               (!excluded_at_start || state->exclusion_changes.get() != exclusions_at_start);
      };
      while (!failed.is_ready() && state->core->configuration.replication == replication &&
             !must_move()) {
        co_await first_ready(failed, state->db_info.on_change(),
                             state->exclusion_changes.on_change());
      }
      record(std::nullopt);
      if (failed.is_ready()) {
        TraceEvent(Severity::warn, name + "Failed").detail("Address", role->address);
      } else {
        TraceEvent(name + "Replaced")
            .detail("Replication", state->core->configuration.replication)
            .detail("Excluded", excluded());
        if (excluded_at_start) co_await delay(knobs.role_retry_delay_s);
        continue;
      }
    }
    co_await delay(knobs.role_retry_delay_s);
  }
}

}  // namespace

Future<Void> keep_data_distributor(ControllerState* state) {
  // A new distributor takes the move lock, which ends the one before it.
  return keep_singleton<DataDistributorInterface>(
      state, RoleKind::data_distributor, "DataDistributor",
      [state](const WorkerInterface& worker, uint64_t epoch, int replication) {
        return recruit(worker.initialize_data_distributor,
                       InitializeDataDistributorRequest{
                           epoch, state->options.connection.to_string(), replication, {}});
      },
      [state](std::optional<DataDistributorInterface> distributor) {
        state->data_distributor = distributor;
      });
}

Future<Void> keep_ratekeeper(ControllerState* state) {
  // ServerDBInfo names it: proxies find it there, and an older one, seeing another named,
  // ends. While none runs, the last one stays named (proxies keep its rates for a lease).
  return keep_singleton<RatekeeperInterface>(
      state, RoleKind::ratekeeper, "Ratekeeper",
      [](const WorkerInterface& worker, uint64_t epoch, int replication) {
        return recruit(worker.initialize_ratekeeper,
                       InitializeRatekeeperRequest{epoch, replication, {}});
      },
      [state](std::optional<RatekeeperInterface> ratekeeper) {
        state->ratekeeper = ratekeeper;
        if (!ratekeeper) return;
        ServerDBInfo info = state->db_info.get();
        info.id = env().random().unique_id();  // so that the workers' long polls hear it
        info.ratekeeper = *ratekeeper;
        state->db_info.set(std::move(info));
      });
}

Future<Void> watch_storage_joins(ControllerState* state) {
  while (true) {
    co_await first_ready(state->registrations.on_change(), state->exclusion_changes.on_change(),
                         delay(server_knobs().exclusion_check_interval_s));
    if (!state->core || !state->core->database_exists() ||
        state->recovery.state != RecoveryState::fully_recovered) {
      continue;
    }
    std::vector<RecruitCandidate> candidates;
    for (const RegisteredWorker* worker : live_workers(*state, state->core->cluster_id))
      candidates.push_back({worker->interface.address, worker->interface.locality,
                            state->exclusions.covers(worker->interface.address)});
    std::vector<size_t> joiners =
        storage_joiners(candidates, not_joining(*state, state->core->storage));
    if (joiners.empty()) continue;
    STRATA_PROBE(true, "a storage process joining the database starts a recovery");
    end_generation(
        *state, "storage process " + candidates[joiners.front()].address.to_string() + " joined");
  }
}

Future<Void> wait_fully_recovered(ControllerState* state) {
  const ServerDBInfo info = state->db_info.get();
  while (true) {
    std::optional<GetLiveCommittedVersionReply> reply;
    try {
      reply = co_await timeout_error(
          info.sequencer.get_live_committed_version.get_reply(GetLiveCommittedVersionRequest{}),
          server_knobs().failure_detection_timeout_s);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
    // Past the first version the recovery committed: a proxy's commit is durable.
    if (reply && reply->version > info.recovery_version + server_knobs().recovery_version_jump) {
      break;
    }
    co_await delay(server_knobs().role_retry_delay_s);
  }
  RecoveryProgress& recovery = state->recovery;
  recovery.last_duration_s = now() - recovery.started_at;
  recovery.last_completed_wall_time = env().wall_time();
  ++recovery.completed;
  recovery.error.reset();
  enter(state, RecoveryState::fully_recovered);
  TraceEvent("RecoveryComplete")
      .detail("Epoch", info.epoch)
      .detail("RecoveryVersion", info.recovery_version)
      .detail("DurationS", recovery.last_duration_s)
      .detail("Reason", recovery.reason);
}

}  // namespace strata
