#include "server/coordinator/coordinator_server.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <type_traits>

#include "client/client_knobs.h"
#include "client/cluster_connection.h"
#include "interfaces/coordinator_interface.h"
#include "rpc/sealed_record.h"
#include "rpc/serialize.h"
#include "rpc/transport.h"
#include "runtime/combinators.h"
#include "runtime/file_utils.h"
#include "runtime/notified.h"
#include "runtime/stream.h"
#include "runtime/trace.h"
#include "server/coordinator/coordinated_state.h"
#include "server/server_knobs.h"

namespace strata {

namespace {

struct GenerationRegister {
  UniqueGeneration read_generation;
  UniqueGeneration write_generation;
  std::optional<std::string> value;
  // Non-empty once the cluster moved to other coordinators: its new connection string.
  std::string forward;
  // Learned registers only, until the next write: the other values the coordinators it
  // learned from held. Reported with every read, so that a reader that hears this
  // coordinator sees what the others hold (two databases under one cluster file, say)
  // even when the others do not answer it.
  std::vector<std::string> also_seen;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(read_generation, write_generation, value, forward, also_seen);
  }
};

struct LeaderRegister {
  struct Candidate {
    LeaderInfo info;
    double last_seen = 0;
  };
  // By address: a restarted process replaces its earlier candidacy.
  std::map<NetworkAddress, Candidate> candidates;
  std::optional<LeaderInfo> nominee;
  // Whether the nominee renewed a lease (it is the leader, not just the best candidate).
  bool nominee_leads = false;
  double nominee_renewed_at = 0;
  // Bumped whenever the nominee changes or becomes the leader: wakes the long polls.
  AsyncVar<uint64_t> changes{0};
};

struct CoordinatorState {
  std::string path;
  NetworkAddress self;
  // By cluster key (the connection string before '@').
  std::map<std::string, GenerationRegister> registers;
  // Keys being learned from the other coordinators: ready once learned.
  std::map<std::string, Future<Void>> learning;
  // Keys whose learning was queued on hearing of their cluster (see learn_on_hearing).
  std::set<std::string> learning_queued;
  std::map<std::string, LeaderRegister> leaders;
  // Reads and writes that change a register run one at a time, in arrival order.
  PromiseStream<std::function<Future<Void>()>> changes;
  ActorCollection polls;
};

constexpr int64_t coordination_file_bytes_max = 16 * 1024 * 1024;

std::string cluster_key(const ClusterConnectionString& connection) {
  return connection.description + ":" + connection.id;
}

// The connection string of a request, checked: it must parse and name this process.
ClusterConnectionString checked_connection(const CoordinatorState& state, const std::string& text) {
  ClusterConnectionString connection = ClusterConnectionString::parse(text);
  if (std::find(connection.coordinators.begin(), connection.coordinators.end(), state.self) ==
      connection.coordinators.end()) {
    throw Error(ErrorCode::connection_string_invalid,
                state.self.to_string() + " is not one of the coordinators of " + text);
  }
  return connection;
}

// Makes `value` the register of `key`: on disk first, then in memory, so that nothing is
// ever answered from a register that a crash could take back. (Changes run one at a time.)
Future<Void> store(CoordinatorState* state, std::string key, GenerationRegister value) {
  std::map<std::string, GenerationRegister> registers = state->registers;
  registers[key] = value;
  co_await write_file_atomically(state->path, seal_record(serialize_to_bytes(registers)));
  state->registers[key] = std::move(value);
}

Future<Void> load(CoordinatorState* state) {
  std::optional<std::string> bytes =
      co_await read_file_if_exists(state->path, coordination_file_bytes_max);
  if (!bytes) co_return;
  std::string_view body = unseal_record(*bytes, state->path);
  try {
    state->registers = deserialize_from_bytes<std::map<std::string, GenerationRegister>>(body);
  } catch (Error& error) {
    if (!error.is(ErrorCode::serialization_failed)) throw;
    throw Error(ErrorCode::file_corrupt, state->path + " does not decode: " + error.message());
  }
}

// ---- learning a register this coordinator does not hold ----

// How many of the other coordinators a coordinator that holds nothing must hear from: enough
// that they include a survivor of any majority a write reached. A write reached a majority
// M; if this coordinator was in M, the rest of M (at least majority - 1 others) still hold
// the value, and any n - majority + 1 of the n - 1 others include one of them.
size_t others_needed_to_learn(size_t coordinators) {
  if (coordinators <= 1) return 0;
  return coordinators - coordinator_majority(coordinators) + 1;
}

Future<Void> learn_register(CoordinatorState* state, ClusterConnectionString connection) {
  const std::string key = cluster_key(connection);
  const std::string text = connection.to_string();
  const size_t needed = others_needed_to_learn(connection.coordinators.size());
  while (true) {
    std::vector<Future<GenerationReadReply>> asks;
    for (const NetworkAddress& address : connection.coordinators) {
      if (address == state->self) continue;
      asks.push_back(timeout_error(CoordinatorInterface::at(address).read.get_reply(
                                       GenerationReadRequest{text, UniqueGeneration{}, {}}),
                                   client_knobs().coordinator_request_timeout_s));
    }
    bool reached = true;
    try {
      co_await quorum(asks, needed);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      reached = false;
    }
    if (reached) {
      GenerationRegister learned;
      size_t holders = 0;
      std::vector<std::string> values;
      for (const Future<GenerationReadReply>& ask : asks) {
        if (!ask.is_ready() || ask.is_error() || !ask.get().initialized) continue;
        const GenerationReadReply& reply = ask.get();
        ++holders;
        learned.read_generation = std::max(learned.read_generation, reply.read_generation);
        if (reply.write_generation >= learned.write_generation) {
          learned.write_generation = reply.write_generation;
          learned.value = reply.value;
        }
        if (!reply.forward.empty()) learned.forward = reply.forward;
        if (reply.value) values.push_back(*reply.value);
        values.insert(values.end(), reply.also_seen.begin(), reply.also_seen.end());
      }
      for (std::string& value : values) {
        if (value != learned.value && std::find(learned.also_seen.begin(), learned.also_seen.end(),
                                                value) == learned.also_seen.end()) {
          learned.also_seen.push_back(std::move(value));
        }
      }
      // A register that exists only here (a crash between learning and the write below)
      // may have been set meanwhile: never go back.
      auto existing = state->registers.find(key);
      if (existing == state->registers.end()) {
        co_await store(state, key, learned);
        TraceEvent(Severity::warn_always, "CoordinatorLearnedRegister")
            .detail("Cluster", key)
            .detail("FromCoordinators", holders)
            .detail("HasValue", learned.value.has_value());
      }
      co_return;
    }
    TraceEvent(Severity::warn, "CoordinatorCannotLearnRegister")
        .detail("Cluster", key)
        .detail("Needed", needed);
    co_await delay(client_knobs().coordinator_request_timeout_s);
  }
}

// The register of `connection`, learned first if this coordinator does not hold it.
Future<GenerationRegister*> held_register(CoordinatorState* state,
                                          ClusterConnectionString connection) {
  const std::string key = cluster_key(connection);
  while (!state->registers.count(key)) {
    auto learning = state->learning.find(key);
    if (learning == state->learning.end()) {
      learning = state->learning.emplace(key, learn_register(state, connection)).first;
    }
    Future<Void> learned = learning->second;
    co_await learned;
    state->learning.erase(key);
  }
  co_return &state->registers[key];
}

// Learns the register of a cluster this coordinator hears of but does not hold, in its
// turn among the changes. Waiting for the first read or write would be too late: one that
// missed every write (down, or its connections not yet up, when the cluster was created)
// would hold nothing until the next recovery, and once another coordinator failed it could
// no longer learn (it must hear from all the others but one), so a minority lost would stop
// the cluster. Every worker and client asks each coordinator for the leader, so this runs
// while the coordinators that can teach it are still there.
Future<Void> learn_queued_register(CoordinatorState* state, ClusterConnectionString connection) {
  co_await held_register(state, connection);
  state->learning_queued.erase(cluster_key(connection));
}

// ---- the generation register ----

Future<Void> handle_read(CoordinatorState* state, ClusterConnectionString connection,
                         GenerationReadRequest request) {
  GenerationRegister* reg = co_await held_register(state, connection);
  if (!reg->forward.empty()) {
    request.reply.send(GenerationReadReply{{}, {}, {}, true, reg->forward, {}});
    co_return;
  }
  if (reg->read_generation < request.generation) {
    GenerationRegister promised = *reg;
    promised.read_generation = request.generation;
    co_await store(state, cluster_key(connection), std::move(promised));
  }
  request.reply.send(GenerationReadReply{reg->value, reg->write_generation, reg->read_generation,
                                         true, std::string(), reg->also_seen});
}

Future<Void> handle_write(CoordinatorState* state, ClusterConnectionString connection,
                          GenerationWriteRequest request) {
  GenerationRegister* reg = co_await held_register(state, connection);
  if (!reg->forward.empty()) {
    request.reply.send(GenerationWriteReply{{}, reg->forward});
    co_return;
  }
  if (reg->read_generation <= request.generation && reg->write_generation < request.generation) {
    GenerationRegister written = *reg;
    written.write_generation = request.generation;
    written.value = std::move(request.value);
    written.also_seen.clear();
    co_await store(state, cluster_key(connection), std::move(written));
    request.reply.send(GenerationWriteReply{request.generation, std::string()});
    co_return;
  }
  // Refused, unless this is a retry of the write that succeeded (then the generations match).
  request.reply.send(
      GenerationWriteReply{std::max(reg->read_generation, reg->write_generation), std::string()});
}

Future<Void> handle_forward(CoordinatorState* state, ClusterConnectionString connection,
                            ForwardRequest request) {
  GenerationRegister* reg = co_await held_register(state, connection);
  if (reg->forward != request.new_connection) {
    GenerationRegister forwarded = *reg;
    forwarded.forward = request.new_connection;
    co_await store(state, cluster_key(connection), std::move(forwarded));
    TraceEvent(Severity::warn_always, "CoordinatorForwarded")
        .detail("Cluster", cluster_key(connection))
        .detail("To", request.new_connection);
    LeaderRegister& leader = state->leaders[cluster_key(connection)];
    leader.changes.set(leader.changes.get() + 1);
  }
  request.reply.send(Void{});
}

// Queues a change to the registers, to run in its turn. A request that is malformed or
// not for this coordinator is answered with the error at once; a change that fails (the
// disk) fails the coordinator.
template <class Request>
void queue_change(CoordinatorState* state, Request request,
                  Future<Void> (*handle)(CoordinatorState*, ClusterConnectionString, Request)) {
  ClusterConnectionString connection;
  try {
    connection = checked_connection(*state, request.connection);
    if constexpr (std::is_same_v<Request, ForwardRequest>) {
      ClusterConnectionString::parse(request.new_connection);
    }
  } catch (Error& error) {
    request.reply.send_error(error);
    return;
  }
  state->changes.send(
      [state, connection, request = std::move(request), handle]() mutable -> Future<Void> {
        return handle(state, connection, std::move(request));
      });
}

// Queues the learning of `connection`'s register unless it is held or already queued.
void learn_on_hearing(CoordinatorState* state, const ClusterConnectionString& connection) {
  const std::string key = cluster_key(connection);
  if (state->registers.count(key) || !state->learning_queued.insert(key).second) return;
  state->changes.send(
      [state, connection]() -> Future<Void> { return learn_queued_register(state, connection); });
}

Future<Void> run_changes(CoordinatorState* state) {
  FutureStream<std::function<Future<Void>()>> changes = state->changes.get_future();
  while (true) {
    std::function<Future<Void>()> change = co_await changes;
    co_await change();
  }
}

// Peeks (the zero generation) are answered at once from memory, even while a register is
// being learned: two coordinators learning at the same time ask each other.
void answer_peek(CoordinatorState* state, GenerationReadRequest& request) {
  ClusterConnectionString connection = checked_connection(*state, request.connection);
  learn_on_hearing(state, connection);
  auto found = state->registers.find(cluster_key(connection));
  if (found == state->registers.end()) {
    request.reply.send(GenerationReadReply{{}, {}, {}, false, std::string(), {}});
    return;
  }
  const GenerationRegister& reg = found->second;
  request.reply.send(GenerationReadReply{reg.value, reg.write_generation, reg.read_generation, true,
                                         reg.forward, reg.also_seen});
}

Future<Void> serve_reads(CoordinatorState* state, FutureStream<GenerationReadRequest> requests) {
  while (true) {
    GenerationReadRequest request = co_await requests;
    if (!request.generation.is_zero()) {
      queue_change(state, std::move(request), handle_read);
      continue;
    }
    try {
      answer_peek(state, request);
    } catch (Error& error) {
      request.reply.send_error(error);
    }
  }
}

template <class Request>
Future<Void> serve_changes(CoordinatorState* state, FutureStream<Request> requests,
                           Future<Void> (*handle)(CoordinatorState*, ClusterConnectionString,
                                                  Request)) {
  while (true)
    queue_change(state, co_await requests, handle);
}

// ---- the leader register ----

double candidate_expiry_s() {
  return 2 * client_knobs().coordinator_poll_s + client_knobs().coordinator_request_timeout_s;
}

bool leader_holds_lease(const LeaderRegister& leader) {
  return leader.nominee_leads && now() - leader.nominee_renewed_at <= server_knobs().leader_lease_s;
}

// Forgets candidates that stopped asking, and nominates the best live candidate unless a
// leader still holds its lease. Live: it asked recently, and its connection to this
// coordinator has not broken since (a process that died leaves its long poll behind).
void reevaluate(LeaderRegister& leader) {
  const double expiry = candidate_expiry_s();
  for (auto it = leader.candidates.begin(); it != leader.candidates.end();) {
    it = now() - it->second.last_seen > expiry ? leader.candidates.erase(it) : std::next(it);
  }
  if (leader_holds_lease(leader)) return;
  if (leader.nominee_leads) {
    TraceEvent("CoordinatorLeaderLeaseExpired")
        .detail("Leader", leader.nominee->address)
        .detail("RenewedAt", leader.nominee_renewed_at);
    // A leader that lost its lease steps down and runs again under a new change id: its
    // old candidacy must not win the next election.
    auto old = leader.candidates.find(leader.nominee->address);
    if (old != leader.candidates.end() && old->second.info.change_id == leader.nominee->change_id) {
      leader.candidates.erase(old);
    }
  }
  const FailureMonitor& monitor = Transport::current().failure_monitor();
  std::optional<LeaderInfo> best;
  for (const auto& [address, candidate] : leader.candidates) {
    if (monitor.is_failed(address)) continue;
    if (!best || candidate.info.better_than(*best)) best = candidate.info;
  }
  bool same = best && leader.nominee && best->change_id == leader.nominee->change_id;
  if (same && !leader.nominee_leads) return;
  leader.nominee = best;
  leader.nominee_leads = false;
  leader.nominee_renewed_at = now();
  leader.changes.set(leader.changes.get() + 1);
}

std::string forward_of(const CoordinatorState& state, const std::string& key) {
  auto found = state.registers.find(key);
  return found == state.registers.end() ? std::string() : found->second.forward;
}

// Holds a long poll until `ready()` or coordinator_poll_s, then answers with `answer()`.
Future<Void> hold_poll(LeaderRegister* leader, std::function<bool()> ready,
                       std::function<void()> answer) {
  const double deadline = now() + client_knobs().coordinator_poll_s;
  while (!ready() && now() < deadline) {
    Future<Void> changed = leader->changes.on_change();
    Future<Void> expired = delay(deadline - now());
    co_await first_ready(changed, expired);
  }
  answer();
}

void handle_candidacy(CoordinatorState* state, CandidacyRequest request) {
  ClusterConnectionString connection = checked_connection(*state, request.connection);
  const std::string key = cluster_key(connection);
  learn_on_hearing(state, connection);
  LeaderRegister* leader = &state->leaders[key];
  leader->candidates[request.candidate.address] = {request.candidate, now()};
  reevaluate(*leader);
  UID known = request.known_nominee;
  ReplyPromise<NomineeReply> reply = request.reply;
  auto ready = [state, leader, key, known] {
    return !forward_of(*state, key).empty() ||
           (leader->nominee ? leader->nominee->change_id : UID()) != known;
  };
  auto answer = [state, leader, key, reply] {
    reply.send(NomineeReply{leader->nominee, forward_of(*state, key)});
  };
  state->polls.add(hold_poll(leader, ready, answer));
}

void handle_get_leader(CoordinatorState* state, GetLeaderRequest request) {
  ClusterConnectionString connection = checked_connection(*state, request.connection);
  const std::string key = cluster_key(connection);
  learn_on_hearing(state, connection);
  LeaderRegister* leader = &state->leaders[key];
  reevaluate(*leader);
  UID known = request.known_leader;
  ReplyPromise<NomineeReply> reply = request.reply;
  auto elected = [leader]() -> std::optional<LeaderInfo> {
    if (leader_holds_lease(*leader)) return leader->nominee;
    return std::nullopt;
  };
  auto ready = [state, key, known, elected] {
    std::optional<LeaderInfo> current = elected();
    return !forward_of(*state, key).empty() || (current ? current->change_id : UID()) != known;
  };
  auto answer = [state, key, reply, elected] {
    reply.send(NomineeReply{elected(), forward_of(*state, key)});
  };
  state->polls.add(hold_poll(leader, ready, answer));
}

void handle_heartbeat(CoordinatorState* state, LeaderHeartbeatRequest request) {
  ClusterConnectionString connection = checked_connection(*state, request.connection);
  const std::string key = cluster_key(connection);
  learn_on_hearing(state, connection);
  std::string forward = forward_of(*state, key);
  if (!forward.empty()) {
    request.reply.send(LeaderHeartbeatReply{false, forward});
    return;
  }
  LeaderRegister& leader = state->leaders[key];
  reevaluate(leader);
  bool nominated = leader.nominee && leader.nominee->change_id == request.leader.change_id;
  if (!nominated && leader_holds_lease(leader)) {
    request.reply.send(LeaderHeartbeatReply{false, std::string()});
    return;
  }
  // The nominee renews its lease; a leader this coordinator did not nominate (it restarted,
  // or its nominee never led) is adopted, since a majority elected it.
  bool news = !nominated || !leader.nominee_leads;
  leader.nominee = request.leader;
  leader.nominee_leads = true;
  leader.nominee_renewed_at = now();
  if (news) {
    TraceEvent("CoordinatorLeaderRenewed").detail("Leader", request.leader.address);
    leader.changes.set(leader.changes.get() + 1);
  }
  request.reply.send(LeaderHeartbeatReply{true, std::string()});
}

template <class Request>
Future<Void> serve_leader_requests(CoordinatorState* state, FutureStream<Request> requests,
                                   void (*handle)(CoordinatorState*, Request)) {
  while (true) {
    Request request = co_await requests;
    auto reply = request.reply;
    try {
      handle(state, std::move(request));
    } catch (Error& error) {
      if (!reply.is_answered()) reply.send_error(error);
    }
  }
}

// Leases expire with time, not only when a request arrives: wake the long polls then.
Future<Void> expire_leases(CoordinatorState* state) {
  while (true) {
    co_await delay(server_knobs().leader_lease_s / 10);
    for (auto& [key, leader] : state->leaders)
      reevaluate(leader);
  }
}

}  // namespace

Future<Void> run_coordinator_server(std::string data_dir) {
  CoordinatorState state;
  state.path = data_dir + "/coordination";
  state.self = Transport::current().listen_address();
  co_await load(&state);
  CoordinatorInterface interface = CoordinatorInterface::serve();
  TraceEvent("CoordinatorStarted")
      .detail("Registers", state.registers.size())
      .detail("Path", state.path);
  ActorCollection actors;
  actors.add(run_changes(&state));
  actors.add(serve_reads(&state, interface.read.requests()));
  actors.add(serve_changes(&state, interface.write.requests(), handle_write));
  actors.add(serve_changes(&state, interface.forward.requests(), handle_forward));
  actors.add(serve_leader_requests(&state, interface.candidacy.requests(), handle_candidacy));
  actors.add(serve_leader_requests(&state, interface.heartbeat.requests(), handle_heartbeat));
  actors.add(serve_leader_requests(&state, interface.get_leader.requests(), handle_get_leader));
  actors.add(expire_leases(&state));
  co_await first_ready(actors.result(), state.polls.result());
  co_await actors.result();
  co_await state.polls.result();
}

}  // namespace strata
