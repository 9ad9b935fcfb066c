#include "server/cluster_controller/cluster_controller.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "client/exclusions.h"
#include "client/management.h"
#include "interfaces/cluster_interface.h"
#include "interfaces/cluster_status_interface.h"
#include "interfaces/status_interface.h"
#include "rpc/transport.h"
#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "runtime/notified.h"
#include "runtime/trace.h"
#include "server/cluster_controller/cluster_recovery.h"
#include "server/cluster_controller/controller_status.h"
#include "server/cluster_controller/coordinators_change.h"
#include "server/cluster_controller/shard_map_changes.h"
#include "server/server_knobs.h"
#include "server/wait_failure.h"

namespace strata {

void end_generation(ControllerState& state, const std::string& why) {
  TraceEvent(Severity::warn_always, "GenerationEnding")
      .detail("Reason", why)
      .detail("Epoch", state.db_info.get().epoch);
  // Only the first failure starts the clock; later ones restart the attempt.
  if (state.recovery.state == RecoveryState::fully_recovered ||
      state.recovery.state == RecoveryState::accepting_commits) {
    state.recovery.reason = why;
    state.recovery.started_at = now();
  }
  // The generation is being replaced: its processes failing next is no news.
  state.generation_processes.clear();
  state.generation_failures.set(state.generation_failures.get() + 1);
}

namespace {

// ---- workers ----

// Pings a registered worker for as long as it stays registered at this incarnation, and
// marks it failed while it does not answer within failure_detection_timeout_s, or at once
// when its address refuses connections (its process is gone) (forgotten
// after worker_forget_s: it registers again if it returns). A failed process of the
// published generation ends the generation.
Future<Void> monitor_worker(ControllerState* state, NetworkAddress address, UID incarnation) {
  const ServerKnobs& knobs = server_knobs();
  while (true) {
    auto found = state->workers.find(address);
    if (found == state->workers.end() || found->second.interface.id != incarnation) co_return;
    bool answered = false;
    try {
      co_await timeout_error(ping_stream_at(address).get_reply(PingRequest{}),
                             knobs.failure_detection_timeout_s);
      answered = true;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
    found = state->workers.find(address);
    if (found == state->workers.end() || found->second.interface.id != incarnation) co_return;
    RegisteredWorker& worker = found->second;
    if (answered) {
      worker.last_answer_at = now();
      if (worker.failed) {
        worker.failed = false;
        TraceEvent("WorkerAvailable").detail("Worker", address);
        state->registrations.set(state->registrations.get() + 1);
      }
    } else if (worker.failed && now() - worker.last_answer_at >= knobs.worker_forget_s) {
      TraceEvent(Severity::warn_always, "WorkerForgotten").detail("Worker", address);
      state->workers.erase(found);
      state->registrations.set(state->registrations.get() + 1);
      co_return;
    } else if (!worker.failed &&
               (now() - worker.last_answer_at >= knobs.failure_detection_timeout_s ||
                Transport::current().failure_monitor().is_refusing(address))) {
      worker.failed = true;
      TraceEvent(Severity::warn_always, "WorkerFailed").detail("Worker", address);
      state->registrations.set(state->registrations.get() + 1);
      auto hosting = state->generation_processes.find(address);
      if (hosting != state->generation_processes.end()) {
        end_generation(*state, "process " + address.to_string() +
                                   " of the current generation stopped answering");
      }
    }
    co_await delay(knobs.failure_detection_interval_s);
  }
}

Future<Void> serve_registrations(ControllerState* state, ActorCollection* monitors,
                                 FutureStream<RegisterWorkerRequest> requests) {
  while (true) {
    RegisterWorkerRequest request = co_await requests;
    const NetworkAddress address = request.worker.address;
    if (state->core && request.cluster_id.is_valid() &&
        request.cluster_id != state->core->cluster_id) {
      TraceEvent(Severity::warn_always, "WorkerOfAnotherDatabase")
          .detail("Worker", address)
          .detail("Its", request.cluster_id)
          .detail("Ours", state->core->cluster_id);
      request.reply.send_error(foreign_data_folder(*state, address, request.cluster_id));
      continue;
    }
    auto [it, added] = state->workers.try_emplace(address);
    RegisteredWorker& worker = it->second;
    const bool new_process = added || worker.interface.id != request.worker.id;
    const bool new_roles = worker.stored_roles.size() != request.stored_roles.size() ||
                           worker.cluster_id != request.cluster_id;
    worker.interface = request.worker;
    worker.stored_roles = request.stored_roles;
    worker.cluster_id = request.cluster_id;
    request.reply.send(Void{});
    if (new_process) {
      worker.failed = false;
      worker.last_answer_at = now();
      TraceEvent("WorkerRegistered")
          .detail("Worker", address)
          .detail("Class", process_class_name(request.worker.locality.process_class))
          .detail("Zone", request.worker.locality.zone);
      auto hosting = state->generation_processes.find(address);
      if (hosting != state->generation_processes.end() && hosting->second.is_valid() &&
          hosting->second != request.worker.id) {
        end_generation(*state,
                       "process " + address.to_string() + " of the current generation restarted");
      }
      monitors->add(monitor_worker(state, address, request.worker.id));
    }
    if (new_process || new_roles) state->registrations.set(state->registrations.get() + 1);
  }
}

// ---- publishing ----

Future<Void> answer_server_db_info(ControllerState* state, GetServerDBInfoRequest request) {
  // Nothing to say until a generation is published.
  while (state->db_info.get().id == request.known_id || !state->db_info.get().id.is_valid())
    co_await state->db_info.on_change();
  request.reply.send(state->db_info.get());
}

Future<Void> serve_server_db_info(ControllerState* state,
                                  FutureStream<GetServerDBInfoRequest> requests) {
  ActorCollection polls;
  while (true)
    polls.add(answer_server_db_info(state, co_await requests));
}

Future<Void> answer_open_database(ControllerState* state, OpenDatabaseRequest request) {
  while (state->db_info.get().client.id == request.known_id ||
         !state->db_info.get().client.id.is_valid()) {
    co_await state->db_info.on_change();
  }
  request.reply.send(state->db_info.get().client);
}

Future<Void> serve_open_database(ControllerState* state,
                                 FutureStream<OpenDatabaseRequest> requests) {
  ActorCollection polls;
  while (true)
    polls.add(answer_open_database(state, co_await requests));
}

// ---- management ----

// Why the cluster cannot keep `copies` copies in distinct zones now: its storage servers or
// its live processes span fewer zones. Nothing when it can.
std::optional<std::string> zones_short_of(const ControllerState& state, int copies) {
  std::set<std::string> storage_zones;
  for (const StorageServerState& server : state.core->storage)
    storage_zones.insert(server.locality.zone);
  std::set<std::string> live_zones;
  for (const auto& [address, worker] : state.workers) {
    if (!worker.failed) live_zones.insert(worker.interface.locality.zone);
  }
  auto count = [](size_t n) { return std::to_string(n) + (n == 1 ? " zone" : " zones"); };
  if (storage_zones.size() < static_cast<size_t>(copies)) {
    return "the database's storage servers span " + count(storage_zones.size());
  }
  if (live_zones.size() < static_cast<size_t>(copies)) {
    return "the live processes span " + count(live_zones.size());
  }
  return std::nullopt;
}

Future<Void> serve_configure(ControllerState* state, FutureStream<ConfigureRequest> requests) {
  while (true) {
    ConfigureRequest request = co_await requests;
    DatabaseConfiguration base = state->pending_configuration ? *state->pending_configuration
                                 : state->core && state->core->database_exists()
                                     ? state->core->configuration
                                     : state->options.new_database.database;
    DatabaseConfiguration wanted;
    try {
      wanted = apply_configuration_words(base, request.words);
    } catch (Error& error) {
      request.reply.send_error(error);
      continue;
    }
    if (state->core && state->core->database_exists() &&
        wanted.replication != state->core->configuration.replication) {
      // The recovery recruits a log per copy in distinct zones, and the data distributor
      // moves every shard to a team of the new size: both need that many zones.
      if (std::optional<std::string> short_of = zones_short_of(*state, wanted.replication)) {
        request.reply.send_error(
            Error(ErrorCode::client_invalid_operation,
                  "configure: " + std::string(redundancy_mode_name(wanted.replication)) +
                      " keeps " + std::to_string(wanted.replication) +
                      " copies in distinct zones, but " + *short_of + " (nothing was changed)"));
        continue;
      }
    }
    if (!state->pending_configuration && state->core && state->core->database_exists() &&
        wanted == state->core->configuration) {
      request.reply.send(ConfigureReply{wanted.to_string()});
      continue;
    }
    if (state->pending_configuration && wanted == *state->pending_configuration) {
      // Already on its way: answered with the others when it is recorded.
      state->configure_waiters.push_back(request.reply);
      continue;
    }
    TraceEvent("ConfigurationChangeRequested").detail("Configuration", wanted.to_string());
    state->pending_configuration = wanted;
    state->configure_waiters.push_back(request.reply);
    end_generation(*state, "the configuration changed to " + wanted.to_string());
  }
}

// ---- exclusions ----

// Follows the excluded processes the database lists (interfaces/exclusions.h), and its
// tenant_mode for status (interfaces/tenant_map.h): recruitment
// puts roles there only as a last resort, and a generation with a role on a process
// excluded since its logs were recruited is replaced, which moves it. (Not on every look
// while the role stays there: when nowhere else would do, the next generation's
// recruitment knew of the exclusion and chose it anyway.)
Future<Void> follow_exclusions(ControllerState* state) {
  while (state->db_info.get().epoch == 0)
    co_await state->db_info.on_change();
  Database database = Database::open(state->options.connection);
  while (true) {
    Exclusions exclusions = co_await read_exclusions(database);
    state->tenant_mode = co_await read_tenant_mode(database);
    const bool changed = exclusions != state->exclusions;
    if (changed) {
      state->exclusions = exclusions;
      state->exclusion_changes.set(state->exclusion_changes.get() + 1);
      TraceEvent("ExclusionsChanged")
          .detail("Excluded", exclusions.excluded.size())
          .detail("Failed", exclusions.failed.size());
    }
    for (const auto& [address, incarnation] : state->generation_processes) {
      if (!exclusions.covers(address) || state->generation_exclusions.covers(address)) continue;
      STRATA_PROBE(!changed, "a generation recruited while an exclusion was unknown is replaced");
      STRATA_PROBE(true, "excluding a process of the generation starts a recovery");
      end_generation(*state, "process " + address.to_string() + " was excluded");
      break;
    }
    co_await delay(server_knobs().exclusion_check_interval_s);
  }
}

// ---- the generation ----

// Ends the generation when any of its roles fails (the processes are watched by
// monitor_worker).
Future<Void> watch_role(ControllerState* state, RequestStream<WaitFailureRequest> stream,
                        std::string role) {
  co_await wait_for_failure(std::move(stream));
  end_generation(*state, "the " + role + " failed");
}

// Writes `next` as the core state (the same generation) and republishes it. Returns false,
// having ended the generation, when it cannot be written.
Future<bool> write_core_state(ControllerState* state, CoreState next) {
  check_core_state(next);
  try {
    co_await state->coordinated->write(encode_core_state(next));
  } catch (Error& error) {
    if (error.is_cancellation() || error.is(ErrorCode::coordinators_changed)) throw;
    // Another controller wrote, or no majority answers: a recovery sorts it out.
    end_generation(*state, "the core state could not be written: " + error.message());
    co_return false;
  }
  state->core = next;
  // The same generation: clients have nothing new to learn.
  ServerDBInfo info = server_db_info_of(next, *state->published_roles);
  info.client = state->db_info.get().client;
  info.ratekeeper = state->db_info.get().ratekeeper;
  state->db_info.set(std::move(info));
  co_return true;
}

// Records the shard map's committed changes in the core state, then lets the logs forget
// them (see shard_map_changes.h): so that a recovery reads few of them, and the logs' queues
// never keep them without bound.
Future<bool> record_shard_map(ControllerState* state) {
  const CoreState& core = *state->core;
  std::vector<LogInterface> logs;
  for (const LogLocation& log : core.current->logs)
    logs.push_back(log_interface_at(log.id, log.address));
  ShardMapChanges changes;
  try {
    changes = co_await read_shard_map_changes(logs, core.shard_map_version, std::nullopt);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    co_return true;  // the logs' failure ends the generation by itself
  }
  if (changes.through <= state->core->shard_map_version) co_return true;
  if (!changes.mutations.empty()) {
    CoreState next = *state->core;
    ShardMap map(next.shard_map);
    for (const Mutation& mutation : changes.mutations)
      map.apply(mutation);
    next.shard_map = map.entries();
    next.shard_map_version = changes.through;
    if (!co_await write_core_state(state, std::move(next))) co_return false;
    STRATA_PROBE(true, "the controller records shard map changes in the core state");
    TraceEvent("ShardMapRecorded")
        .detail("Changes", changes.mutations.size())
        .detail("Shards", state->core->shard_map.size())
        .detail("Version", changes.through);
  } else {
    // Nothing changed: the recorded map is the map as of `through` as well, and nothing
    // after its version is on the logs below `through`.
    CoreState next = *state->core;
    next.shard_map_version = changes.through;
    state->core = next;
  }
  for (const LogInterface& log : logs)
    log.pop.send(LogPopRequest{txs_tag, changes.through, {}});
  co_return true;
}

// Drops the storage servers the data distributor asked to drop that no shard of the
// recorded map names (see RemoveStorageServerRequest), and lets every log forget their tags.
Future<bool> remove_storage_servers(ControllerState* state) {
  if (state->removals.empty()) co_return true;
  std::vector<RemoveStorageServerRequest> removals = std::move(state->removals);
  state->removals.clear();
  CoreState next = *state->core;
  std::vector<RemoveStorageServerRequest> removed;
  std::vector<Tag> tags;
  for (RemoveStorageServerRequest& request : removals) {
    auto server =
        std::find_if(next.storage.begin(), next.storage.end(),
                     [&request](const StorageServerState& s) { return s.id == request.id; });
    if (server == next.storage.end()) {
      request.reply.send(Void{});  // dropped already
      continue;
    }
    const bool named =
        std::any_of(next.shard_map.begin(), next.shard_map.end(), [&request](const auto& entry) {
          std::vector<UID> members = entry.teams.all();
          return std::find(members.begin(), members.end(), request.id) != members.end();
        });
    if (named) {
      request.reply.send_error(
          Error(ErrorCode::operation_failed, "storage server " + request.id.to_string() +
                                                 " still holds keys in the recorded shard map"));
      continue;
    }
    tags.push_back(server->tag);
    next.storage.erase(server);
    removed.push_back(std::move(request));
  }
  if (removed.empty()) co_return true;
  if (!co_await write_core_state(state, std::move(next))) {
    for (RemoveStorageServerRequest& request : removed)
      request.reply.send_error(
          Error(ErrorCode::operation_failed, "the core state could not be written"));
    co_return false;
  }
  // No generation needs their data any more.
  std::vector<const LogGenerationState*> generations{&*state->core->current};
  for (const LogGenerationState& old : state->core->old)
    generations.push_back(&old);
  for (const LogGenerationState* generation : generations) {
    for (const LogLocation& log : generation->logs) {
      for (Tag tag : tags)
        log_interface_at(log.id, log.address)
            .pop.send(LogPopRequest{tag, std::numeric_limits<Version>::max(), {}});
    }
  }
  for (RemoveStorageServerRequest& request : removed) {
    TraceEvent("StorageServerRemoved").detail("Server", request.id);
    request.reply.send(Void{});
  }
  co_return true;
}

Future<Void> serve_removals(ControllerState* state,
                            FutureStream<RemoveStorageServerRequest> requests) {
  while (true)
    state->removals.push_back(co_await requests);
}

// Drops the oldest old generation of logs once every storage tag has popped past its end
// (any one of its logs knows: storage servers pop all of them), and records the shard map.
// One actor does both, so that its core state writes never overlap.
Future<Void> maintain_core_state(ControllerState* state) {
  const ServerKnobs& knobs = server_knobs();
  while (true) {
    co_await delay(knobs.old_generation_check_interval_s);
    if (!state->core || !state->published_roles) continue;
    if (!co_await record_shard_map(state)) co_return;
    if (!co_await remove_storage_servers(state)) co_return;
    if (state->core->old.empty()) continue;
    const LogGenerationState oldest = state->core->old.back();
    bool popped = false;
    for (const LogLocation& log : oldest.logs) {
      try {
        LogStatusReply reply = co_await timeout_error(
            log_interface_at(log.id, log.address).status.get_reply(LogStatusRequest{}),
            knobs.failure_detection_timeout_s);
        // The map's changes of an ended generation were recorded by the recovery that
        // ended it.
        Version storage_popped = reply.popped_by_tag.empty() ? reply.popped : INT64_MAX;
        for (const auto& [tag, version] : reply.popped_by_tag) {
          if (tag != txs_tag) storage_popped = std::min(storage_popped, version);
        }
        popped = storage_popped >= oldest.end;
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
      }
      if (popped) break;
    }
    if (!popped) continue;
    CoreState next = *state->core;
    STRATA_ASSERT(next.old.back() == oldest);
    next.old.pop_back();
    if (!co_await write_core_state(state, std::move(next))) co_return;
    TraceEvent("OldGenerationDropped")
        .detail("Epoch", oldest.epoch)
        .detail("End", oldest.end)
        .detail("Remaining", state->core->old.size());
  }
}

// Serves a published generation until it fails; handles coordinators changes meanwhile.
Future<Void> serve_generation(ControllerState* state,
                              FutureStream<ChangeCoordinatorsRequest>* coordinators_changes) {
  const uint64_t failures = state->generation_failures.get();
  ActorCollection watchers;
  const ServerDBInfo info = state->db_info.get();
  watchers.add(watch_role(state, info.sequencer.wait_failure, "sequencer"));
  for (const ResolverInterface& resolver : info.resolvers)
    watchers.add(watch_role(state, resolver.wait_failure, "resolver"));
  for (const CommitProxyInterface& proxy : info.client.commit_proxies)
    watchers.add(watch_role(state, proxy.wait_failure, "commit proxy"));
  for (const GrvProxyInterface& proxy : info.client.grv_proxies)
    watchers.add(watch_role(state, proxy.wait_failure, "read-version proxy"));
  for (const LogInterface& log : info.logs.logs)
    watchers.add(watch_role(state, log.wait_failure, "log " + log.id.short_string()));
  watchers.add(wait_fully_recovered(state));
  watchers.add(maintain_core_state(state));
  while (state->generation_failures.get() == failures) {
    Future<Void> failed = state->generation_failures.on_change();
    co_await first_ready(failed, *coordinators_changes, watchers.result());
    if (watchers.result().is_ready()) co_await watchers.result();
    if (coordinators_changes->is_ready()) {
      co_await change_coordinators(state, co_await *coordinators_changes);
    }
  }
}

// Errors that end the controller: the coordinators moved (it re-forms around the new ones),
// or the cluster holds another database than it should (an operator must act).
bool is_fatal(const Error& error) {
  return error.is(ErrorCode::coordinators_changed) || error.is(ErrorCode::invalid_cluster_id);
}

Future<Void> recovery_loop(ControllerState* state,
                           FutureStream<ChangeCoordinatorsRequest> coordinators_changes) {
  const ServerKnobs& knobs = server_knobs();
  while (true) {
    // One attempt; a failure of the generation meanwhile starts the next one at once.
    const uint64_t failures = state->generation_failures.get();
    std::optional<Error> failure;
    try {
      Future<Void> attempt = recover(state);
      Future<Void> failed = state->generation_failures.on_change();
      co_await first_ready(attempt, failed);
      if (!attempt.is_ready()) {
        TraceEvent(Severity::warn, "RecoveryRestarted").detail("Reason", state->recovery.reason);
        continue;
      }
      co_await attempt;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      // The coordinators moved, or hold what no recovery may touch: stop, and say why.
      if (is_fatal(error)) throw;
      failure = error;
    }
    if (failure) {
      TraceEvent(Severity::warn, "RecoveryFailed").error(*failure);
      state->recovery.error = failure->message();
      if (state->generation_failures.get() == failures) {
        Future<Void> failed = state->generation_failures.on_change();
        Future<Void> pause = delay(knobs.recovery_retry_delay_s);
        co_await first_ready(failed, pause);
      }
      continue;
    }
    co_await serve_generation(state, &coordinators_changes);
  }
}

// ---- status ----

// One document at a time: every request waiting when a build starts shares its document,
// and requests that arrive meanwhile wait for the next one. The endpoint's queue bounds
// how many wait (endpoint_queue_requests_max).
Future<Void> serve_cluster_status(const ControllerState* state,
                                  FutureStream<ClusterStatusRequest> requests) {
  while (true) {
    std::vector<ClusterStatusRequest> waiting;
    waiting.push_back(co_await requests);
    while (requests.is_ready())
      waiting.push_back(co_await requests);
    std::string json = co_await build_cluster_status(state);
    for (ClusterStatusRequest& request : waiting)
      request.reply.send(ClusterStatusReply{json});
  }
}

}  // namespace

Future<Void> run_cluster_controller(ClusterControllerOptions options) {
  ControllerState state;
  state.options = std::move(options);
  state.id = env().random().unique_id();
  state.elected_at = now();
  state.recovery.started_at = now();
  state.coordinated = std::make_unique<CoordinatedState>(state.options.connection);
  auto registrations =
      RequestStream<RegisterWorkerRequest>::serve_well_known(well_known::register_worker);
  auto server_info =
      RequestStream<GetServerDBInfoRequest>::serve_well_known(well_known::server_db_info);
  auto open_database =
      RequestStream<OpenDatabaseRequest>::serve_well_known(well_known::open_database);
  auto cluster_status =
      RequestStream<ClusterStatusRequest>::serve_well_known(well_known::cluster_status);
  auto configure =
      RequestStream<ConfigureRequest>::serve_well_known(well_known::configure_database);
  auto coordinators_changes =
      RequestStream<ChangeCoordinatorsRequest>::serve_well_known(well_known::change_coordinators);
  auto removals = RequestStream<RemoveStorageServerRequest>::serve_well_known(
      well_known::remove_storage_server);
  TraceEvent("ClusterControllerStarted")
      .detail("Id", state.id)
      .detail("ConnectionString", state.options.connection.to_string());
  ActorCollection monitors;
  ActorCollection actors;
  actors.add(serve_registrations(&state, &monitors, registrations.requests()));
  actors.add(serve_server_db_info(&state, server_info.requests()));
  actors.add(serve_open_database(&state, open_database.requests()));
  actors.add(serve_cluster_status(&state, cluster_status.requests()));
  actors.add(serve_configure(&state, configure.requests()));
  actors.add(serve_removals(&state, removals.requests()));
  actors.add(keep_data_distributor(&state));
  actors.add(keep_ratekeeper(&state));
  actors.add(follow_exclusions(&state));
  actors.add(watch_storage_joins(&state));
  actors.add(recovery_loop(&state, coordinators_changes.requests()));
  co_await first_ready(actors.result(), monitors.result());
  // Only errors end it.
  co_await actors.result();
  co_await monitors.result();
}

}  // namespace strata
