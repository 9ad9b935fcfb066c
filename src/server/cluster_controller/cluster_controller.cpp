#include "server/cluster_controller/cluster_controller.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "interfaces/cluster_interface.h"
#include "interfaces/cluster_status_interface.h"
#include "interfaces/status_interface.h"
#include "rpc/frame.h"
#include "rpc/serialize.h"
#include "rpc/transport.h"
#include "runtime/combinators.h"
#include "runtime/notified.h"
#include "runtime/trace.h"
#include "server/cluster_controller/cluster_status.h"
#include "server/role_requests.h"

namespace strata {

namespace {

// The cluster's durable layout, in DATA/cluster-state.
struct PersistedClusterState {
  struct Storage {
    UID id;
    Tag tag = 0;
    KeyRange shard;

    template <class Archive>
    void serialize(Archive& archive) {
      archive(id, tag, shard);
    }
  };

  uint64_t epoch = 0;
  uint8_t engine = 0;
  std::vector<UID> logs;
  std::vector<Storage> storage;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, engine, logs, storage);
  }
};

struct RegisteredWorker {
  WorkerInterface interface;
  std::vector<StoredRole> stored_roles;
};

struct ControllerState {
  ClusterControllerOptions options;
  // This controller's id, for status.
  UID id;
  std::map<NetworkAddress, RegisteredWorker> workers;
  // Bumped whenever a worker registers as a new process.
  AsyncVar<uint64_t> registrations{0};
  std::optional<PersistedClusterState> persisted;
  AsyncVar<ServerDBInfo> db_info;
  // Processes whose loss ends the current generation: address -> worker incarnation.
  std::map<NetworkAddress, UID> generation_processes;
  // Storage servers of the current generation: their worker's address and incarnation.
  std::map<UID, std::pair<NetworkAddress, UID>> storage_processes;
  AsyncVar<uint64_t> generation_breaks{0};
  // Where recovery is, and why its last attempt failed (until one completes), for status.
  RecoveryState recovery_state = RecoveryState::reading_cluster_state;
  std::optional<std::string> recovery_error;
  ActorCollection background;
};

std::string state_path(const ControllerState& state) {
  return state.options.data_dir + "/cluster-state";
}

Future<std::optional<PersistedClusterState>> read_persisted(std::string path) {
  if (!co_await env().file_exists(path)) co_return std::nullopt;
  std::shared_ptr<File> file = co_await env().open_file(path, open_flags::read_only);
  std::string bytes = co_await file->read(0, co_await file->size());
  if (bytes.size() < 4) throw Error(ErrorCode::file_corrupt, path + " is cut short");
  auto checksum = BinaryReader(std::string_view(bytes).substr(0, 4)).read_integer<uint32_t>();
  std::string_view body = std::string_view(bytes).substr(4);
  if (checksum != frame_checksum(body))
    throw Error(ErrorCode::file_corrupt, path + " fails its checksum");
  co_return deserialize_from_bytes<PersistedClusterState>(body);
}

// Atomically and durably: write aside, sync, rename over, sync the folder.
Future<Void> write_persisted(std::string directory, std::string path, PersistedClusterState state) {
  std::string body = serialize_to_bytes(state);
  BinaryWriter writer;
  writer.write_integer(frame_checksum(body));
  writer.write_raw(body.data(), body.size());
  std::shared_ptr<File> file =
      co_await env().open_file(path + ".tmp", open_flags::read_write | open_flags::create);
  co_await file->truncate(0);
  co_await file->write(0, writer.take());
  co_await file->sync();
  co_await env().rename_file(path + ".tmp", path);
  co_await env().sync_directory(directory);
}

const RegisteredWorker* worker_holding(const ControllerState& state, StoredRole::Kind kind,
                                       const UID& id) {
  for (const auto& [address, worker] : state.workers) {
    for (const StoredRole& role : worker.stored_roles) {
      if (role.kind == kind && role.id == id) return &worker;
    }
  }
  return nullptr;
}

// The stored roles of the last generation that no registered worker holds.
std::vector<std::string> missing_roles(const ControllerState& state) {
  std::vector<std::string> missing;
  if (!state.persisted) return missing;
  for (const UID& log : state.persisted->logs) {
    if (!worker_holding(state, StoredRole::Kind::log, log))
      missing.push_back("log " + log.to_string());
  }
  for (const auto& storage : state.persisted->storage) {
    if (!worker_holding(state, StoredRole::Kind::storage, storage.id)) {
      missing.push_back("storage " + storage.id.to_string());
    }
  }
  return missing;
}

bool workers_ready(const ControllerState& state) {
  if (!state.persisted) {
    return static_cast<int>(state.workers.size()) >= state.options.configuration.workers_expected;
  }
  return missing_roles(state).empty();
}

Future<Void> wait_for_workers(ControllerState* state) {
  while (!workers_ready(*state)) {
    Future<Void> registered = state->registrations.on_change();
    Future<Void> timeout = delay(5.0);
    co_await first_ready(registered, timeout);
    if (!registered.is_ready()) {
      TraceEvent event(Severity::warn, "ClusterWaitingForWorkers");
      event.detail("Registered", state->workers.size())
          .detail("Expected", state->options.configuration.workers_expected);
      std::vector<std::string> missing = missing_roles(*state);
      if (!missing.empty()) event.detail("Missing", missing.front());
    }
  }
}

// Requests to a worker during recovery give up if the worker turned into a new process
// (its endpoints are gone): the recovery then starts over.
template <class Request>
Future<ReplyType<Request>> ask_worker(RequestStream<Request> stream, Request request) {
  return request_until_answered(std::move(stream), std::move(request),
                                {ErrorCode::broken_promise, ErrorCode::tlog_stopped});
}

Future<Void> recover(ControllerState* state) {
  state->recovery_state = RecoveryState::waiting_for_workers;
  co_await wait_for_workers(state);
  state->recovery_state = RecoveryState::locking_old_transaction_servers;
  const ClusterConfiguration& configuration = state->options.configuration;
  std::vector<const RegisteredWorker*> workers;
  for (const auto& [address, worker] : state->workers)
    workers.push_back(&worker);
  const size_t n = workers.size();
  PersistedClusterState next;
  bool fresh = !state->persisted;
  next.epoch = (fresh ? 0 : state->persisted->epoch) + 1;
  next.engine = fresh ? static_cast<uint8_t>(configuration.engine) : state->persisted->engine;
  TraceEvent("RecoveryStarting")
      .detail("Epoch", next.epoch)
      .detail("Workers", n)
      .detail("Fresh", fresh);

  // Where the stateful roles are (or go).
  std::vector<std::pair<UID, const RegisteredWorker*>> logs;
  std::vector<std::pair<PersistedClusterState::Storage, const RegisteredWorker*>> storage;
  if (fresh) {
    for (int i = 0; i < configuration.logs; ++i) {
      logs.emplace_back(env().random().unique_id(), workers[(2 + i) % n]);
    }
    std::vector<KeyRange> shards = initial_shards(configuration.storage_servers);
    for (int i = 0; i < configuration.storage_servers; ++i) {
      storage.emplace_back(PersistedClusterState::Storage{env().random().unique_id(),
                                                          static_cast<Tag>(i), shards[i]},
                           workers[(3 + i) % n]);
    }
  } else {
    for (const UID& log : state->persisted->logs) {
      logs.emplace_back(log, worker_holding(*state, StoredRole::Kind::log, log));
    }
    for (const auto& stored : state->persisted->storage) {
      storage.emplace_back(stored, worker_holding(*state, StoredRole::Kind::storage, stored.id));
    }
  }
  std::vector<Tag> tags;
  for (const auto& [stored, worker] : storage)
    tags.push_back(stored.tag);

  // Logs: recover (or create) them, stop the old generation, agree on where it ended.
  std::vector<LogInterface> log_interfaces;
  Version recovery_version = INT64_MAX;
  for (const auto& [id, worker] : logs) {
    InitializeLogReply started =
        co_await ask_worker(worker->interface.initialize_log, InitializeLogRequest{id, tags, {}});
    LogLockReply locked = co_await ask_worker(started.log.lock, LogLockRequest{next.epoch, {}});
    log_interfaces.push_back(started.log);
    recovery_version = std::min(recovery_version, locked.end);
  }
  for (const LogInterface& log : log_interfaces) {
    co_await ask_worker(log.start_epoch, LogStartEpochRequest{next.epoch, recovery_version, {}});
  }

  // The stateless roles of the new generation.
  state->recovery_state = RecoveryState::recruiting_transaction_servers;
  const RegisteredWorker& first = *workers[0];
  const RegisteredWorker& second = *workers[1 % n];
  SequencerInterface sequencer =
      co_await ask_worker(first.interface.initialize_sequencer,
                          InitializeSequencerRequest{next.epoch, recovery_version, {}});
  ResolverInterface resolver =
      co_await ask_worker(first.interface.initialize_resolver,
                          InitializeResolverRequest{next.epoch, recovery_version, {}});

  // Storage servers recover from their files (or start empty).
  std::vector<StorageInterface> storage_interfaces;
  std::vector<ShardLocation> shard_map;
  for (const auto& [stored, worker] : storage) {
    InitializeStorageReply started = co_await ask_worker(
        worker->interface.initialize_storage,
        InitializeStorageRequest{stored.id, stored.tag, next.engine, {stored.shard}, {}});
    storage_interfaces.push_back(started.storage);
    shard_map.push_back(ShardLocation{stored.shard, {started.storage}});
    next.storage.push_back(stored);
  }
  for (const auto& [id, worker] : logs)
    next.logs.push_back(id);

  CommitProxyInterface commit_proxy = co_await ask_worker(
      second.interface.initialize_commit_proxy,
      InitializeCommitProxyRequest{
          next.epoch, recovery_version, sequencer, {resolver}, log_interfaces, shard_map, {}});
  GrvProxyInterface grv_proxy =
      co_await ask_worker(second.interface.initialize_grv_proxy,
                          InitializeGrvProxyRequest{next.epoch, sequencer, log_interfaces, {}});

  // The new generation is recorded before anyone may use it.
  state->recovery_state = RecoveryState::writing_cluster_state;
  co_await write_persisted(state->options.data_dir, state_path(*state), next);
  state->persisted = next;

  state->generation_processes.clear();
  state->storage_processes.clear();
  auto critical = [state](const RegisteredWorker& worker) {
    state->generation_processes[worker.interface.address] = worker.interface.id;
  };
  critical(first);
  critical(second);
  for (const auto& [id, worker] : logs)
    critical(*worker);
  for (const auto& [stored, worker] : storage) {
    state->storage_processes[stored.id] = {worker->interface.address, worker->interface.id};
  }

  ServerDBInfo info;
  info.id = env().random().unique_id();
  info.epoch = next.epoch;
  info.recovery_version = recovery_version;
  info.sequencer = sequencer;
  info.resolvers = {resolver};
  info.logs = log_interfaces;
  info.storage_servers = storage_interfaces;
  info.client.id = env().random().unique_id();
  info.client.epoch = next.epoch;
  info.client.grv_proxies = {grv_proxy};
  info.client.commit_proxies = {commit_proxy};
  state->recovery_state = RecoveryState::fully_recovered;
  state->recovery_error.reset();
  state->db_info.set(info);
  TraceEvent("RecoveryComplete")
      .detail("Epoch", next.epoch)
      .detail("RecoveryVersion", recovery_version)
      .detail("Logs", log_interfaces.size())
      .detail("StorageServers", storage_interfaces.size());
}

// A storage server's process came back: start the server again from its files.
Future<Void> restart_storage(ControllerState* state, RegisteredWorker worker,
                             PersistedClusterState::Storage stored) {
  try {
    co_await ask_worker(
        worker.interface.initialize_storage,
        InitializeStorageRequest{stored.id,
                                 stored.tag,
                                 state->persisted ? state->persisted->engine : uint8_t{0},
                                 {stored.shard},
                                 {}});
    state->storage_processes[stored.id] = {worker.interface.address, worker.interface.id};
    TraceEvent("StorageServerRestarted")
        .detail("Storage", stored.id)
        .detail("Worker", worker.interface.address);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    // The worker restarted again; its next registration tries again.
  }
}

void on_registration(ControllerState* state, const RegisteredWorker& worker) {
  NetworkAddress address = worker.interface.address;
  auto critical = state->generation_processes.find(address);
  if (critical != state->generation_processes.end() && critical->second != worker.interface.id) {
    TraceEvent(Severity::warn_always, "GenerationProcessRestarted").detail("Worker", address);
    state->generation_processes.clear();
    state->generation_breaks.set(state->generation_breaks.get() + 1);
    return;
  }
  if (!state->persisted) return;
  for (const auto& stored : state->persisted->storage) {
    auto found = state->storage_processes.find(stored.id);
    if (found != state->storage_processes.end() && found->second.first == address &&
        found->second.second != worker.interface.id) {
      found->second.second = worker.interface.id;
      state->background.add(restart_storage(state, worker, stored));
    }
  }
}

Future<Void> serve_registrations(ControllerState* state,
                                 FutureStream<RegisterWorkerRequest> requests) {
  while (true) {
    RegisterWorkerRequest request = co_await requests;
    RegisteredWorker& worker = state->workers[request.worker.address];
    bool new_process = worker.interface.id != request.worker.id;
    bool new_roles = worker.stored_roles.size() != request.stored_roles.size();
    worker = RegisteredWorker{request.worker, request.stored_roles};
    request.reply.send(Void{});
    if (new_process) {
      TraceEvent("WorkerRegistered").detail("Worker", request.worker.address);
      on_registration(state, worker);
    }
    if (new_process || new_roles) state->registrations.set(state->registrations.get() + 1);
  }
}

Future<Void> answer_server_db_info(ControllerState* state, GetServerDBInfoRequest request) {
  while (state->db_info.get().id == request.known_id)
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

// ---- the cluster status document ----

template <class Interface>
void add_roles(std::map<NetworkAddress, ProcessFacts>& processes, const std::string& role,
               const std::vector<Interface>& interfaces) {
  for (const Interface& interface : interfaces) {
    ProcessFacts& process = processes[interface.address];
    process.address = interface.address;
    process.roles.push_back(ProcessRole{role, interface.id});
  }
}

// The processes the controller knows and the roles of the published generation on them.
std::vector<ProcessFacts> known_processes(const ControllerState& state) {
  std::map<NetworkAddress, ProcessFacts> processes;
  for (const auto& [address, worker] : state.workers) {
    processes[address].address = address;
    processes[address].worker_id = worker.interface.id;
  }
  NetworkAddress own_address = Transport::current().listen_address();
  processes[own_address].address = own_address;
  processes[own_address].roles.push_back(ProcessRole{"cluster_controller", state.id});
  const ServerDBInfo& info = state.db_info.get();
  if (info.epoch != 0) {
    add_roles(processes, "sequencer", std::vector<SequencerInterface>{info.sequencer});
    add_roles(processes, "resolver", info.resolvers);
    add_roles(processes, "log", info.logs);
    add_roles(processes, "storage", info.storage_servers);
    add_roles(processes, "commit_proxy", info.client.commit_proxies);
    add_roles(processes, "grv_proxy", info.client.grv_proxies);
  }
  std::vector<ProcessFacts> known;
  for (auto& [address, process] : processes)
    known.push_back(std::move(process));
  return known;
}

// What the controller knows now, before it asks the processes.
ClusterStatusFacts current_facts(const ControllerState& state) {
  ClusterStatusFacts facts;
  facts.connection_string = state.options.connection.to_string();
  for (const NetworkAddress& coordinator : state.options.connection.coordinators)
    facts.coordinators.push_back(CoordinatorFacts{coordinator, false});
  facts.timestamp_s = env().wall_time();
  facts.generation = state.persisted ? state.persisted->epoch : 0;
  facts.recovery_state = state.recovery_state;
  facts.configuration = state.options.configuration;
  if (state.persisted) {
    facts.configuration.logs = static_cast<int>(state.persisted->logs.size());
    facts.configuration.storage_servers = static_cast<int>(state.persisted->storage.size());
    facts.configuration.engine = static_cast<StorageEngine>(state.persisted->engine);
  }
  facts.workers_registered = static_cast<int>(state.workers.size());
  if (state.recovery_state == RecoveryState::waiting_for_workers) {
    facts.missing_roles = missing_roles(state);
  }
  facts.recovery_error = state.recovery_error;
  facts.process_timeout_s = server_knobs().cluster_status_process_timeout_s;
  facts.processes = known_processes(state);
  return facts;
}

struct ProcessAnswer {
  std::optional<std::string> json;
  std::optional<ProcessMetrics> metrics;
  std::string failure;
};

// Never fails: a process that does not answer in time is an answer too.
Future<ProcessAnswer> ask_process_status(NetworkAddress address, double timeout_s) {
  ProcessAnswer answer;
  try {
    ServerStatusReply reply = co_await timeout_error(
        status_stream_at(address).get_reply(ServerStatusRequest{}), timeout_s);
    answer.json = std::move(reply.json);
    answer.metrics = reply.metrics;
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    answer.failure = error.message();
  }
  co_return answer;
}

// Asks every known process and every coordinator for its status, all at once, and takes
// at most the timeout.
Future<std::string> build_cluster_status(const ControllerState* state) {
  ClusterStatusFacts facts = current_facts(*state);
  std::set<NetworkAddress> addresses;
  for (const ProcessFacts& process : facts.processes)
    addresses.insert(process.address);
  for (const CoordinatorFacts& coordinator : facts.coordinators)
    addresses.insert(coordinator.address);
  std::vector<NetworkAddress> asked(addresses.begin(), addresses.end());
  std::vector<Future<ProcessAnswer>> asking;
  for (const NetworkAddress& address : asked)
    asking.push_back(ask_process_status(address, facts.process_timeout_s));
  std::vector<ProcessAnswer> answers = co_await when_all(std::move(asking));
  std::map<NetworkAddress, ProcessAnswer> by_address;
  for (size_t i = 0; i < asked.size(); ++i)
    by_address[asked[i]] = std::move(answers[i]);
  for (ProcessFacts& process : facts.processes) {
    process.status_json = by_address[process.address].json;
    process.metrics = by_address[process.address].metrics;
    process.failure = by_address[process.address].failure;
  }
  for (CoordinatorFacts& coordinator : facts.coordinators)
    coordinator.reachable = by_address[coordinator.address].json.has_value();
  co_return cluster_status_json(facts);
}

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

Future<Void> recovery_loop(ControllerState* state) {
  state->persisted = co_await read_persisted(state_path(*state));
  while (true) {
    uint64_t breaks = state->generation_breaks.get();
    std::optional<Error> failure;
    try {
      co_await recover(state);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (failure) {
      TraceEvent(Severity::warn_always, "RecoveryFailed").error(*failure);
      state->recovery_error = failure->message();
      co_await delay(0.5);
      continue;
    }
    // Serve until a process of this generation is lost.
    while (state->generation_breaks.get() == breaks)
      co_await state->generation_breaks.on_change();
  }
}

}  // namespace

Future<Void> run_cluster_controller(ClusterControllerOptions options) {
  ControllerState state;
  state.options = std::move(options);
  state.id = env().random().unique_id();
  auto registrations =
      RequestStream<RegisterWorkerRequest>::serve_well_known(well_known::register_worker);
  auto server_info =
      RequestStream<GetServerDBInfoRequest>::serve_well_known(well_known::server_db_info);
  auto open_database =
      RequestStream<OpenDatabaseRequest>::serve_well_known(well_known::open_database);
  auto cluster_status =
      RequestStream<ClusterStatusRequest>::serve_well_known(well_known::cluster_status);
  TraceEvent("ClusterControllerStarted").detail("DataDir", state.options.data_dir);
  ActorCollection actors;
  actors.add(serve_registrations(&state, registrations.requests()));
  actors.add(serve_server_db_info(&state, server_info.requests()));
  actors.add(serve_open_database(&state, open_database.requests()));
  actors.add(serve_cluster_status(&state, cluster_status.requests()));
  actors.add(recovery_loop(&state));
  co_await first_ready(actors.result(), state.background.result());
  // Only errors end it.
  co_await actors.result();
  co_await state.background.result();
}

}  // namespace strata
