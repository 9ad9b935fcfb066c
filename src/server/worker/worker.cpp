#include "server/worker/worker.h"

#include "client/cluster_connection.h"
#include "interfaces/status_interface.h"
#include "rpc/protocol_version.h"
#include "rpc/request_stream.h"
#include "rpc/transport.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "runtime/json_writer.h"
#include "runtime/trace.h"
#include "server/cluster_controller/cluster_controller.h"
#include "server/role_metrics.h"
#include "server/role_requests.h"
#include "server/worker/worker_roles.h"

namespace strata {

namespace {

constexpr const char* strata_version = "0.1.0";

struct WorkerState {
  WorkerOptions options;
  ClusterConnectionString connection;
  double started_at = 0;
  std::unique_ptr<WorkerRoles> roles;
  bool runs_cluster_controller = false;
};

// The cluster file names the coordinators; a new single node coordinates itself.
Future<ClusterConnectionString> ensure_cluster_file(const WorkerOptions& options) {
  if (co_await env().file_exists(options.cluster_file)) {
    ClusterConnectionString existing = co_await read_cluster_file(options.cluster_file);
    bool listed = false;
    for (const NetworkAddress& coordinator : existing.coordinators) {
      listed = listed || coordinator == options.listen_address;
    }
    if (!listed) {
      TraceEvent(Severity::warn_always, "NotACoordinator")
          .detail("ClusterFile", options.cluster_file)
          .detail("Address", options.listen_address)
          .detail("ConnectionString", existing.to_string());
    }
    co_return existing;
  }
  ClusterConnectionString created;
  created.description = "strata";
  UID id = env().random().unique_id();
  created.id = id.short_string();
  created.coordinators.push_back(options.listen_address);
  co_await write_cluster_file(options.cluster_file, created);
  TraceEvent("ClusterFileCreated")
      .detail("ClusterFile", options.cluster_file)
      .detail("ConnectionString", created.to_string());
  co_return created;
}

std::string status_json(const WorkerState& state) {
  const TransportStats& stats = Transport::current().stats();
  JsonWriter json;
  json.begin_object();
  json.key("process").begin_object();
  json.key("address").value(state.options.listen_address.to_string());
  json.key("version").value(strata_version);
  json.key("protocol_version").value(protocol_version_string(protocol_version_current));
  json.key("uptime_s").value(now() - state.started_at);
  json.key("data_dir").value(state.options.data_dir);
  json.key("cluster_file").value(state.options.cluster_file);
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
  json.key("connection_string").value(state.connection.to_string());
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

// Samples the roles' counters each second, so that status reports recent rates.
Future<Void> sample_role_metrics() {
  RoleMetrics::install();
  while (true) {
    RoleMetrics::of_this_process()->sample(now());
    co_await delay(1.0);
  }
}

// Registers with the cluster controller, and again every few seconds: a controller that
// restarted learns about this worker without it having to notice.
Future<Void> keep_registered(WorkerState* state) {
  NetworkAddress controller = state->connection.coordinators.front();
  while (true) {
    try {
      // Roles recruited since the last registration have folders now: report them too.
      std::vector<StoredRole> stored_roles =
          co_await WorkerRoles::find_stored_roles(state->options.data_dir);
      co_await register_worker_stream_at(controller)
          .get_reply(RegisterWorkerRequest{state->roles->interface(), stored_roles, {}});
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
    co_await delay(1.0);
  }
}

// Follows the controller's ServerDBInfo into `db_info` (a long poll).
Future<Void> follow_server_db_info(WorkerState* state,
                                   std::shared_ptr<AsyncVar<ServerDBInfo>> db_info) {
  NetworkAddress controller = state->connection.coordinators.front();
  while (true) {
    bool answered = false;
    try {
      ServerDBInfo info = co_await server_db_info_stream_at(controller)
                              .get_reply(GetServerDBInfoRequest{db_info->get().id, {}});
      if (info.epoch >= db_info->get().epoch) db_info->set(std::move(info));
      answered = true;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
    if (!answered) co_await delay(server_knobs().role_retry_delay_s);
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
  if (options.connection) {
    state.connection = *options.connection;
  } else {
    state.connection = co_await ensure_cluster_file(options);
  }

  Transport& transport = Transport::install(options.listen_address);
  transport.listen();
  auto ping = RequestStream<PingRequest>::serve_well_known(well_known::server_ping);
  auto status = RequestStream<ServerStatusRequest>::serve_well_known(well_known::server_status);
  auto db_info = std::make_shared<AsyncVar<ServerDBInfo>>();
  state.roles = std::make_unique<WorkerRoles>(options.data_dir, db_info);
  ActorCollection actors;
  actors.add(serve_ping(ping.requests()));
  actors.add(sample_role_metrics());
  actors.add(serve_status(status.requests(), &state));
  // Until coordinators elect one, the first coordinator runs the cluster controller.
  if (state.connection.coordinators.front() == options.listen_address) {
    state.runs_cluster_controller = true;
    actors.add(run_cluster_controller(
        ClusterControllerOptions{options.configuration, options.data_dir, state.connection}));
  }
  actors.add(state.roles->serve());
  actors.add(keep_registered(&state));
  actors.add(follow_server_db_info(&state, db_info));
  TraceEvent("WorkerStarted")
      .detail("Address", options.listen_address)
      .detail("DataDir", options.data_dir)
      .detail("ConnectionString", state.connection.to_string());
  listening.send(Void{});
  co_await actors.result();
}

}  // namespace strata
