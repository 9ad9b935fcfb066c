#include "server/cluster_controller/coordinators_change.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "client/client_knobs.h"
#include "runtime/trace.h"

namespace strata {

namespace {

// Every new coordinator must answer before the move is recorded: a move to coordinators
// that cannot answer would leave the cluster stuck.
Future<Void> check_reachable(const std::vector<NetworkAddress>& coordinators,
                             std::string connection) {
  std::vector<Future<GenerationReadReply>> probes;
  for (const NetworkAddress& address : coordinators) {
    probes.push_back(timeout_error(CoordinatorInterface::at(address).read.get_reply(
                                       GenerationReadRequest{connection, UniqueGeneration{}, {}}),
                                   client_knobs().coordinator_request_timeout_s));
  }
  std::string silent;
  for (size_t i = 0; i < probes.size(); ++i) {
    try {
      co_await probes[i];
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      silent += (silent.empty() ? "" : "; ") + coordinators[i].to_string() + ": " + error.message();
    }
  }
  if (!silent.empty()) {
    throw Error(ErrorCode::new_coordinators_timed_out,
                "not every new coordinator answered (" + silent + "); nothing was changed");
  }
}

std::vector<NetworkAddress> sorted(std::vector<NetworkAddress> addresses) {
  std::sort(addresses.begin(), addresses.end());
  return addresses;
}

}  // namespace

Future<Void> finish_coordinators_move(ControllerState* state, CoreState core) {
  STRATA_ASSERT(!core.moving_to.empty());
  ClusterConnectionString target = ClusterConnectionString::parse(core.moving_to);
  TraceEvent(Severity::warn_always, "CoordinatorsMoving")
      .detail("From", state->coordinated->connection().to_string())
      .detail("To", core.moving_to);
  CoreState moved = core;
  moved.moving_to.clear();
  CoordinatedState next(target);
  co_await next.read();
  co_await next.write(encode_core_state(moved));
  // Then the old coordinators send everyone to the new ones.
  const ClusterConnectionString& old = state->coordinated->connection();
  std::vector<Future<Void>> forwards;
  for (const NetworkAddress& address : old.coordinators) {
    forwards.push_back(timeout_error(CoordinatorInterface::at(address).forward.get_reply(
                                         ForwardRequest{old.to_string(), core.moving_to, {}}),
                                     client_knobs().coordinator_request_timeout_s));
  }
  co_await quorum(forwards, coordinator_majority(forwards.size()));
  TraceEvent(Severity::warn_always, "CoordinatorsMoved").detail("To", core.moving_to);
}

std::vector<NetworkAddress> choose_coordinators(const ControllerState& state) {
  const std::vector<NetworkAddress>& current = state.options.connection.coordinators;
  // One process per zone: the current coordinator there if any, else the first by class
  // (a coordinator's disk writes are small and rare: any class does) and address.
  std::map<std::string, NetworkAddress> by_zone;
  for (const auto& [address, worker] : state.workers) {
    if (worker.failed) continue;
    const std::string& zone = worker.interface.locality.zone;
    auto rank = [&current](NetworkAddress candidate) {
      bool coordinator = std::find(current.begin(), current.end(), candidate) != current.end();
      return std::make_tuple(!coordinator, candidate);
    };
    auto found = by_zone.find(zone);
    if (found == by_zone.end() || rank(address) < rank(found->second)) by_zone[zone] = address;
  }
  size_t count = by_zone.size() >= 5 ? 5 : by_zone.size() >= 3 ? 3 : 1;
  std::vector<NetworkAddress> zones_first;
  for (const auto& [zone, address] : by_zone)
    zones_first.push_back(address);
  // Current coordinators first, so that as many stay as the count allows.
  std::stable_partition(zones_first.begin(), zones_first.end(), [&current](NetworkAddress address) {
    return std::find(current.begin(), current.end(), address) != current.end();
  });
  zones_first.resize(std::min(count, zones_first.size()));
  return sorted(zones_first);
}

Future<Void> change_coordinators(ControllerState* state, ChangeCoordinatorsRequest request) {
  ClusterConnectionString next;
  bool recorded = false;
  try {
    std::vector<NetworkAddress> chosen =
        request.automatic ? choose_coordinators(*state) : request.coordinators;
    std::set<NetworkAddress> distinct(chosen.begin(), chosen.end());
    if (chosen.empty() || distinct.size() != chosen.size()) {
      throw Error(ErrorCode::client_invalid_operation,
                  "coordinators: name each coordinator once, at least one");
    }
    if (chosen.size() % 2 == 0) {
      throw Error(ErrorCode::client_invalid_operation,
                  "coordinators: " + std::to_string(chosen.size()) +
                      " is an even number: a majority of an even set survives no more failures "
                      "than one fewer; name 1, 3 or 5 coordinators");
    }
    for (const NetworkAddress& address : chosen) {
      auto worker = state->workers.find(address);
      if (worker == state->workers.end() || worker->second.failed) {
        throw Error(ErrorCode::client_invalid_operation,
                    "coordinators: " + address.to_string() +
                        " is not a live server process of this cluster");
      }
    }
    const ClusterConnectionString& current = state->options.connection;
    if (sorted(chosen) == sorted(current.coordinators)) {
      request.reply.send(ChangeCoordinatorsReply{current.to_string()});
      co_return;
    }
    next.description = current.description;
    next.id = env().random().unique_id().short_string();
    next.coordinators = chosen;
    co_await check_reachable(chosen, next.to_string());
    // Record the move, then do it.
    std::optional<std::string> value = co_await state->coordinated->read();
    CoreState core = value ? decode_core_state(*value) : CoreState{};
    core.moving_to = next.to_string();
    co_await state->coordinated->write(encode_core_state(core));
    state->core = core;
    recorded = true;
    co_await finish_coordinators_move(state, core);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    if (!recorded) {
      request.reply.send_error(error);
      co_return;
    }
    // The move is recorded: the next recovery finishes it.
    request.reply.send_error(Error(ErrorCode::new_coordinators_timed_out,
                                   "the move to " + next.to_string() +
                                       " is recorded but not finished (" + error.message() +
                                       "); the cluster finishes it when it recovers"));
    throw;
  }
  request.reply.send(ChangeCoordinatorsReply{next.to_string()});
  throw_coordinators_changed(next.to_string());
}

}  // namespace strata
