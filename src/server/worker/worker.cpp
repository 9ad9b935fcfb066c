#include "server/worker/worker.h"

#include "client/client_knobs.h"
#include "client/cluster_connection.h"
#include "client/leader_monitor.h"
#include "interfaces/status_interface.h"
#include "rpc/protocol_version.h"
#include "rpc/request_stream.h"
#include "rpc/sealed_record.h"
#include "rpc/serialize.h"
#include "rpc/transport.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "runtime/file_utils.h"
#include "runtime/json_writer.h"
#include "runtime/trace.h"
#include "server/cluster_controller/cluster_controller.h"
#include "server/coordinator/coordinator_server.h"
#include "server/coordinator/leader_election.h"
#include "server/role_metrics.h"
#include "server/role_requests.h"
#include "server/server_knobs.h"
#include "server/worker/worker_roles.h"

namespace strata {

namespace {

constexpr const char* strata_version = "0.1.0";
constexpr double registration_interval_s = 1.0;

struct WorkerState;

// The per-process service behind view_worker: points at the running worker's state.
struct WorkerIntrospection {
  WorkerState* state = nullptr;
};

struct WorkerState {
  ~WorkerState() {
    if (introspection) introspection->state = nullptr;
  }

  WorkerIntrospection* introspection = nullptr;
  WorkerOptions options;
  std::unique_ptr<LeaderMonitor> monitor;
  double started_at = 0;
  std::unique_ptr<WorkerRoles> roles;
  std::shared_ptr<AsyncVar<ServerDBInfo>> db_info;
  // The database the data folder belongs to (invalid until the first ServerDBInfo).
  UID cluster_id;
  bool runs_cluster_controller = false;
};

std::string cluster_id_path(const WorkerOptions& options) {
  return options.data_dir + "/cluster-id";
}

Future<UID> read_cluster_id(const WorkerOptions& options) {
  std::string path = cluster_id_path(options);
  std::optional<std::string> bytes = co_await read_file_if_exists(path, 4096);
  if (!bytes) co_return UID();
  co_return deserialize_from_bytes<UID>(unseal_record(*bytes, path));
}

// The cluster file names the coordinators; a new single node coordinates itself.
Future<ClusterConnectionString> ensure_cluster_file(const WorkerOptions& options) {
  if (co_await env().file_exists(options.cluster_file)) {
    co_return co_await read_cluster_file(options.cluster_file);
  }
  ClusterConnectionString created;
  if (options.connection) {
    created = *options.connection;
  } else {
    created.description = "strata";
    created.id = env().random().unique_id().short_string();
    created.coordinators.push_back(options.listen_address);
  }
  co_await write_cluster_file(options.cluster_file, created);
  TraceEvent("ClusterFileCreated")
      .detail("ClusterFile", options.cluster_file)
      .detail("ConnectionString", created.to_string());
  co_return created;
}

bool is_coordinator(const WorkerState& state) {
  const ClusterConnectionString& connection = state.monitor->connection().get();
  for (const NetworkAddress& coordinator : connection.coordinators) {
    if (coordinator == state.options.listen_address) return true;
  }
  return false;
}

std::string status_json(const WorkerState& state) {
  const TransportStats& stats = Transport::current().stats();
  const Locality& locality = state.options.locality;
  JsonWriter json;
  json.begin_object();
  json.key("process").begin_object();
  json.key("address").value(state.options.listen_address.to_string());
  json.key("version").value(strata_version);
  json.key("protocol_version").value(protocol_version_string(protocol_version_current));
  json.key("uptime_s").value(now() - state.started_at);
  json.key("data_dir").value(state.options.data_dir);
  json.key("cluster_file").value(state.options.cluster_file);
  json.key("class_type").value(process_class_name(locality.process_class));
  json.key("zone").value(locality.zone);
  json.key("machine").value(locality.machine);
  json.key("coordinator").value(is_coordinator(state));
  json.key("roles").begin_array();
  if (state.runs_cluster_controller) json.value("cluster_controller");
  for (const std::string& role : state.roles->running_roles())
    json.value(role);
  json.end_array();
  json.key("network").begin_object();
  json.key("connections_opened").value(stats.connections_opened);
  json.key("connections_failed").value(stats.connections_failed);
  json.key("frames_received").value(stats.frames_received);
  json.key("frames_sent").value(stats.frames_sent);
  json.key("corrupt_frames").value(stats.corrupt_frames);
  json.end_object();
  json.end_object();
  json.key("cluster").begin_object();
  json.key("connection_string").value(state.monitor->connection().get().to_string());
  if (state.cluster_id.is_valid()) json.key("cluster_id").value(state.cluster_id.to_string());
  json.end_object();
  json.end_object();
  return json.text();
}

Future<Void> serve_ping(FutureStream<PingRequest> requests) {
  while (true) {
    PingRequest request = co_await requests;
    request.reply.send(PingReply{now()});
  }
}

Future<Void> serve_status(FutureStream<ServerStatusRequest> requests, const WorkerState* state) {
  while (true) {
    ServerStatusRequest request = co_await requests;
    RoleMetrics* metrics = RoleMetrics::of_this_process();
    request.reply.send(ServerStatusReply{status_json(*state),
                                         metrics ? metrics->snapshot(now()) : ProcessMetrics{}});
  }
}

// The shell's `kill`: answer, then end the worker with please_reboot (the caller starts it
// again).
Future<Void> serve_reboot(FutureStream<RebootRequest> requests) {
  RebootRequest request = co_await requests;
  TraceEvent(Severity::warn_always, "WorkerRebootRequested").detail("DelayS", request.delay_s);
  request.reply.send(Void{});
  // Let the answer leave before everything stops.
  co_await delay(std::max(request.delay_s, 0.05));
  throw Error(ErrorCode::please_reboot, "a reboot was requested");
}

// Samples the roles' counters each second, so that status reports recent rates.
Future<Void> sample_role_metrics() {
  RoleMetrics::install();
  while (true) {
    RoleMetrics::of_this_process()->sample(now());
    co_await delay(1.0);
  }
}

// Ready when the leader changes from `known` (or is lost).
Future<Void> leader_changed(LeaderMonitor* monitor, std::optional<LeaderInfo> known) {
  auto same = [&known](const std::optional<LeaderInfo>& current) {
    return current.has_value() == known.has_value() &&
           (!current || current->change_id == known->change_id);
  };
  while (same(monitor->leader().get()))
    co_await monitor->leader().on_change();
}

// Registers with the elected controller, again every second (a controller that was just
// elected learns about this worker without it having to notice) and whenever its stored
// roles change. A controller that says the data folder belongs to another database ends
// the worker.
Future<Void> keep_registered(WorkerState* state) {
  while (true) {
    NetworkAddress controller = co_await state->monitor->leader_address();
    std::optional<LeaderInfo> leader = state->monitor->leader().get();
    // A registration to a controller that just died may wait in the transport: the newly
    // elected one must hear at once.
    Future<Void> moved = leader_changed(state->monitor.get(), leader);
    Future<Void> registered =
        register_worker_stream_at(controller)
            .get_reply(RegisterWorkerRequest{
                state->roles->interface(), state->roles->stored_roles(), state->cluster_id, {}});
    Future<Void> given_up = delay(registration_interval_s * 2);
    co_await first_ready(registered, moved, given_up);
    if (registered.is_ready() && registered.is_error() &&
        registered.error().is(ErrorCode::invalid_cluster_id)) {
      throw registered.error();
    }
    if (moved.is_ready()) continue;
    // A refused registration is retried soon: the newly elected controller may not have
    // opened its endpoint yet when the coordinators already name it.
    bool refused = registered.is_ready() && registered.is_error();
    Future<Void> pause =
        delay(refused ? server_knobs().role_retry_delay_s : registration_interval_s);
    Future<Void> roles = state->roles->stored_roles_changes().on_change();
    co_await first_ready(pause, moved, roles);
  }
}

// Checks the database a ServerDBInfo belongs to against the data folder's, recording it
// the first time.
Future<Void> check_cluster_id(WorkerState* state, const UID& cluster_id) {
  if (!cluster_id.is_valid() || cluster_id == state->cluster_id) co_return;
  if (state->cluster_id.is_valid()) {
    throw Error(ErrorCode::invalid_cluster_id,
                "the data folder " + state->options.data_dir + " belongs to database " +
                    state->cluster_id.to_string() + ", but the cluster serves database " +
                    cluster_id.to_string() +
                    ": start it with its own cluster's cluster file, or with an empty data "
                    "folder to join this cluster");
  }
  co_await write_file_atomically(cluster_id_path(state->options),
                                 seal_record(serialize_to_bytes(cluster_id)));
  state->cluster_id = cluster_id;
  TraceEvent("WorkerJoinedDatabase").detail("ClusterId", cluster_id);
}

// Follows the controller's ServerDBInfo into `db_info` (a long poll), across elections.
Future<Void> follow_server_db_info(WorkerState* state) {
  // The last info received: the controller answers once it has another.
  UID known;
  while (true) {
    NetworkAddress controller = co_await state->monitor->leader_address();
    std::optional<LeaderInfo> leader = state->monitor->leader().get();
    Future<ServerDBInfo> info =
        server_db_info_stream_at(controller).get_reply(GetServerDBInfoRequest{known, {}});
    Future<Void> moved = leader_changed(state->monitor.get(), leader);
    co_await first_ready(info, moved);
    if (!info.is_ready()) continue;
    if (info.is_error()) {
      co_await delay(server_knobs().role_retry_delay_s);
      continue;
    }
    ServerDBInfo received = info.get();
    known = received.id;
    co_await check_cluster_id(state, received.cluster_id);
    if (received.epoch >= state->db_info->get().epoch) state->db_info->set(std::move(received));
  }
}

// Runs for cluster controller, and runs the controller while elected.
Future<Void> run_for_controller(WorkerState* state) {
  const ServerKnobs& knobs = server_knobs();
  while (true) {
    ClusterConnectionString connection = state->monitor->connection().get();
    LeaderInfo candidate{env().random().unique_id(), state->options.listen_address,
                         static_cast<uint8_t>(role_fitness(state->options.locality.process_class,
                                                           RoleKind::cluster_controller))};
    Future<Void> moved = state->monitor->connection().on_change();
    bool forwarded = false;
    try {
      Future<LeaderLease> elected = become_leader(connection, candidate);
      co_await first_ready(elected, moved);
      if (elected.is_ready()) {
        LeaderLease lease = co_await elected;
        state->runs_cluster_controller = true;
        ClusterControllerOptions options{state->options.new_database, connection};
        Future<Void> controller = run_cluster_controller(options);
        Future<Void> held = hold_leadership(connection, candidate, lease);
        co_await first_ready(controller, held, moved);
        state->runs_cluster_controller = false;
        if (controller.is_ready()) co_await controller;
        if (held.is_ready()) co_await held;
      }
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      // The coordinators or workers hold another database: nothing may go on (the process
      // stops with the message).
      if (error.is(ErrorCode::invalid_cluster_id)) throw;
      state->runs_cluster_controller = false;
      TraceEvent(error.is(ErrorCode::coordinators_changed) ? Severity::info : Severity::warn_always,
                 "ClusterControllerEnded")
          .error(error);
      forwarded = error.is(ErrorCode::coordinators_changed);
    }
    if (forwarded) {
      // The monitor hears the forward too; wait for it rather than campaign at the old set.
      Future<Void> pause = delay(client_knobs().coordinator_request_timeout_s);
      co_await first_ready(moved, pause);
    }
    co_await delay(knobs.role_retry_delay_s);
  }
}

// While no controller is known, says so every leaderless_report_interval_s, naming the
// coordinators that do not answer and what to do.
Future<Void> report_missing_controller(WorkerState* state) {
  constexpr int leaderless_report_interval_s = 10;
  while (true) {
    while (state->monitor->leader().get())
      co_await state->monitor->leader().on_change();
    Future<Void> found = state->monitor->leader().on_change();
    Future<Void> waited = delay(leaderless_report_interval_s);
    co_await first_ready(found, waited);
    if (found.is_ready()) continue;
    std::string silent;
    size_t answering = 0;
    std::vector<std::pair<NetworkAddress, std::string>> health =
        state->monitor->coordinator_health();
    for (const auto& [address, failure] : health) {
      if (failure.empty()) {
        ++answering;
      } else {
        silent += (silent.empty() ? "" : "; ") + address.to_string() + ": " + failure;
      }
    }
    std::string message =
        "no cluster controller elected for " + std::to_string(leaderless_report_interval_s) +
        " s: " + std::to_string(answering) + " of " + std::to_string(health.size()) +
        " coordinators answer" + (silent.empty() ? "" : " (" + silent + ")") +
        ". A majority of the coordinators named in " + state->options.cluster_file +
        " must run and reach each other (a new cluster of three needs all three the first "
        "time); start them, or correct the cluster file.";
    TraceEvent(Severity::warn_always, "NoClusterController").detail("Message", message);
    if (state->options.tell_operator) state->options.tell_operator(message);
  }
}

// Rewrites the cluster file when the coordinators forward the cluster to a new set.
Future<Void> follow_forwards(WorkerState* state) {
  while (true) {
    co_await state->monitor->connection().on_change();
    ClusterConnectionString connection = state->monitor->connection().get();
    std::optional<Error> failure;
    try {
      co_await write_cluster_file(state->options.cluster_file, connection);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (failure) {
      // The process goes on with the new coordinators; only its next start would not.
      std::string message = "could not rewrite the cluster file " + state->options.cluster_file +
                            " with the new coordinators " + connection.to_string() + ": " +
                            failure->message() + "; write it by hand before this process restarts";
      TraceEvent(Severity::warn_always, "ClusterFileNotUpdated").detail("Message", message);
      if (state->options.tell_operator) state->options.tell_operator(message);
      continue;
    }
    TraceEvent(Severity::warn_always, "ClusterFileUpdated")
        .detail("ClusterFile", state->options.cluster_file)
        .detail("ConnectionString", connection.to_string());
  }
}

}  // namespace

Future<Void> run_worker(WorkerOptions options, Promise<Void> listening) {
  WorkerState state;
  state.options = options;
  state.started_at = now();
  co_await env().create_directories(options.data_dir);
  // Held open (and so locked) for as long as this worker runs.
  std::shared_ptr<File> lock =
      co_await env().open_file(options.data_dir + "/strata.lock",
                               open_flags::read_write | open_flags::create | open_flags::lock);
  ClusterConnectionString connection = co_await ensure_cluster_file(options);
  state.cluster_id = co_await read_cluster_id(options);

  Transport& transport = Transport::install(options.listen_address);
  transport.listen();
  auto ping = RequestStream<PingRequest>::serve_well_known(well_known::server_ping);
  auto status = RequestStream<ServerStatusRequest>::serve_well_known(well_known::server_status);
  auto reboot = RequestStream<RebootRequest>::serve_well_known(well_known::server_reboot);
  state.db_info = std::make_shared<AsyncVar<ServerDBInfo>>();
  state.monitor = std::make_unique<LeaderMonitor>(connection);
  state.roles = std::make_unique<WorkerRoles>(options.data_dir, options.locality, state.db_info);
  ProcessContext& process = env().process();
  if (!process.find_service<WorkerIntrospection>()) {
    process.set_service(std::make_shared<WorkerIntrospection>());
  }
  state.introspection = process.find_service<WorkerIntrospection>();
  state.introspection->state = &state;
  ActorCollection actors;
  actors.add(serve_ping(ping.requests()));
  actors.add(sample_role_metrics());
  actors.add(serve_status(status.requests(), &state));
  actors.add(serve_reboot(reboot.requests()));
  actors.add(run_coordinator_server(options.data_dir));
  actors.add(state.monitor->run());
  actors.add(follow_forwards(&state));
  actors.add(state.roles->serve());
  actors.add(keep_registered(&state));
  actors.add(follow_server_db_info(&state));
  actors.add(run_for_controller(&state));
  actors.add(report_missing_controller(&state));
  TraceEvent("WorkerStarted")
      .detail("Address", options.listen_address)
      .detail("DataDir", options.data_dir)
      .detail("Class", process_class_name(options.locality.process_class))
      .detail("Zone", options.locality.zone)
      .detail("ConnectionString", connection.to_string());
  if (listening.is_valid() && !listening.is_set()) listening.send(Void{});
  co_await actors.result();
}

std::optional<WorkerView> view_worker(ProcessContext& process) {
  WorkerIntrospection* introspection = process.find_service<WorkerIntrospection>();
  if (!introspection || !introspection->state || !introspection->state->roles) {
    return std::nullopt;
  }
  const WorkerState& state = *introspection->state;
  return WorkerView{state.options.locality.process_class, state.runs_cluster_controller,
                    state.roles->running_roles()};
}

Future<Void> run_worker_rebooting(WorkerOptions options, Promise<Void> listening) {
  while (true) {
    try {
      co_await run_worker(options, listening);
    } catch (Error& error) {
      if (!error.is(ErrorCode::please_reboot)) throw;
    }
    // As a restarted process would: nothing of the old incarnation survives.
    env().process().clear_services();
    TraceEvent(Severity::warn_always, "WorkerRebooting").detail("Address", options.listen_address);
    co_await delay(0.1);
  }
}

}  // namespace strata
