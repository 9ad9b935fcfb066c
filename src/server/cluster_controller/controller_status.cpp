#include "server/cluster_controller/controller_status.h"

#include <map>
#include <set>

#include "interfaces/status_interface.h"
#include "rpc/transport.h"
#include "runtime/combinators.h"
#include "server/server_knobs.h"

namespace strata {

namespace {

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
    ProcessFacts& process = processes[address];
    process.address = address;
    process.worker_id = worker.interface.id;
    process.locality = worker.interface.locality;
    process.failed = worker.failed;
    process.excluded = state.exclusions.covers(address);
  }
  NetworkAddress own_address = Transport::current().listen_address();
  processes[own_address].address = own_address;
  processes[own_address].roles.push_back(ProcessRole{"cluster_controller", state.id});
  for (const NetworkAddress& coordinator : state.options.connection.coordinators) {
    processes[coordinator].address = coordinator;
    processes[coordinator].roles.push_back(ProcessRole{"coordinator", UID()});
  }
  const ServerDBInfo& info = state.db_info.get();
  if (info.epoch != 0) {
    add_roles(processes, "sequencer", std::vector<SequencerInterface>{info.sequencer});
    add_roles(processes, "resolver", info.resolvers);
    add_roles(processes, "log", info.logs.logs);
    add_roles(processes, "storage", info.storage_servers);
    add_roles(processes, "commit_proxy", info.client.commit_proxies);
    add_roles(processes, "grv_proxy", info.client.grv_proxies);
  }
  if (state.data_distributor) {
    add_roles(processes, "data_distributor",
              std::vector<DataDistributorInterface>{*state.data_distributor});
  }
  if (state.ratekeeper)
    add_roles(processes, "ratekeeper", std::vector<RatekeeperInterface>{*state.ratekeeper});
  std::vector<ProcessFacts> known;
  for (auto& [address, process] : processes)
    known.push_back(std::move(process));
  return known;
}

// Whether a live registered worker reports the stored role `id`.
bool held_by_live_worker(const ControllerState& state, StoredRole::Kind kind, const UID& id) {
  for (const auto& [address, worker] : state.workers) {
    if (worker.failed) continue;
    for (const StoredRole& role : worker.stored_roles) {
      if (role.kind == kind && role.id == id) return true;
    }
  }
  return false;
}

std::vector<std::string> missing_roles(const ControllerState& state) {
  std::vector<std::string> missing;
  if (!state.core) return missing;
  for (const StorageServerState& storage : state.core->storage) {
    if (!held_by_live_worker(state, StoredRole::Kind::storage, storage.id)) {
      missing.push_back("storage server " + storage.id.short_string() + " (last on " +
                        storage.address.to_string() + ")");
    }
  }
  for (const LogGenerationState& generation : state.core->old) {
    bool any = false;
    for (const LogLocation& log : generation.logs)
      any = any || held_by_live_worker(state, StoredRole::Kind::log, log.id);
    if (!any) {
      missing.push_back("every log of old generation " + std::to_string(generation.epoch) +
                        " (storage servers may still need its data)");
    }
  }
  return missing;
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

}  // namespace

ClusterStatusFacts current_facts(const ControllerState& state) {
  ClusterStatusFacts facts;
  facts.connection_string = state.options.connection.to_string();
  for (const NetworkAddress& coordinator : state.options.connection.coordinators)
    facts.coordinators.push_back(CoordinatorFacts{coordinator, false});
  facts.timestamp_s = env().wall_time();
  facts.generation = state.db_info.get().epoch;
  const RecoveryProgress& recovery = state.recovery;
  facts.recovery.state = recovery.state;
  facts.recovery.waiting_for = recovery.waiting_for;
  facts.recovery.reason = recovery.reason;
  facts.recovery.error = recovery.error;
  facts.recovery.last_completed_timestamp_s = recovery.last_completed_wall_time;
  facts.recovery.last_duration_s = recovery.last_duration_s;
  facts.recovery.completed = recovery.completed;
  facts.database_exists = state.core && state.core->database_exists();
  facts.configuration =
      facts.database_exists ? state.core->configuration : state.options.new_database.database;
  facts.tenant_mode = state.tenant_mode;
  if (state.data_distributor) facts.data_distributor = state.data_distributor->address;
  if (state.ratekeeper) facts.ratekeeper = state.ratekeeper->address;
  if (state.core) {
    facts.storage_servers = static_cast<int>(state.core->storage.size());
    for (const ShardTeam& team : shard_teams(*state.core)) {
      ShardTeamFacts added{team.range, {}, {}};
      auto facts_of = [&state](size_t member) {
        const StorageServerState& server = state.core->storage[member];
        return TeamMemberFacts{server.id, server.address, server.locality.zone,
                               held_by_live_worker(state, StoredRole::Kind::storage, server.id),
                               server.tag};
      };
      for (size_t member : team.servers)
        added.members.push_back(facts_of(member));
      for (size_t member : team.moving_to)
        added.moving_to.push_back(facts_of(member));
      facts.teams.push_back(std::move(added));
    }
    auto add_generation = [&facts](const LogGenerationState& generation, bool current) {
      LogGenerationFacts added;
      added.epoch = generation.epoch;
      added.current = current;
      added.begin = generation.begin;
      if (!current) added.end = generation.end;
      for (const LogLocation& log : generation.logs)
        added.logs.emplace_back(log.id, log.address);
      facts.log_generations.push_back(std::move(added));
    };
    if (state.core->current) add_generation(*state.core->current, true);
    for (const LogGenerationState& old : state.core->old)
      add_generation(old, false);
  }
  facts.workers_registered = static_cast<int>(state.workers.size());
  facts.missing = missing_roles(state);
  facts.process_timeout_s = server_knobs().cluster_status_process_timeout_s;
  facts.versions_per_second = static_cast<double>(server_knobs().versions_per_second);
  facts.processes = known_processes(state);
  return facts;
}

// The queue of each log of the current generation that answers in time.
Future<std::map<UID, LogQueueFacts>> ask_log_queues(std::vector<LogLocation> logs,
                                                    double timeout_s) {
  std::vector<Future<std::optional<LogStatusReply>>> asking;
  for (const LogLocation& log : logs) {
    asking.push_back(timeout(
        log_interface_at(log.id, log.address).status.get_reply(LogStatusRequest{}), timeout_s));
  }
  std::map<UID, LogQueueFacts> queues;
  for (size_t i = 0; i < logs.size(); ++i) {
    try {
      std::optional<LogStatusReply> reply = co_await asking[i];
      if (!reply) continue;
      queues[logs[i].id] = LogQueueFacts{reply->durable, reply->queue_bytes, reply->memory_bytes,
                                         reply->spilled_through, reply->popped_by_tag};
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
  }
  co_return queues;
}

// The ratekeeper's limits and queues, if it answers in time.
Future<std::optional<RatekeeperStatusReply>> ask_ratekeeper(RatekeeperInterface ratekeeper,
                                                            double timeout_s) {
  try {
    co_return co_await timeout(ratekeeper.status.get_reply(RatekeeperStatusRequest{}), timeout_s);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
  }
  co_return std::nullopt;
}

Future<std::string> build_cluster_status(const ControllerState* state) {
  ClusterStatusFacts facts = current_facts(*state);
  Future<std::map<UID, LogQueueFacts>> queues =
      state->core && state->core->current
          ? ask_log_queues(state->core->current->logs, facts.process_timeout_s)
          : Future<std::map<UID, LogQueueFacts>>(std::map<UID, LogQueueFacts>{});
  std::set<NetworkAddress> addresses;
  for (const ProcessFacts& process : facts.processes)
    addresses.insert(process.address);
  std::vector<NetworkAddress> asked(addresses.begin(), addresses.end());
  Future<std::optional<RatekeeperStatusReply>> qos =
      state->ratekeeper ? ask_ratekeeper(*state->ratekeeper, facts.process_timeout_s)
                        : Future<std::optional<RatekeeperStatusReply>>(std::nullopt);
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
  facts.log_queues = co_await queues;
  facts.qos = co_await qos;
  co_return cluster_status_json(facts);
}

}  // namespace strata
