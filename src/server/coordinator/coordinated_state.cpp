#include "server/coordinator/coordinated_state.h"

#include <algorithm>

#include "client/client_knobs.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "runtime/trace.h"

namespace strata {

namespace {

// Waits for a majority of `asks` (one per coordinator, in the connection's order) and
// explains a failure by naming each coordinator that did not answer.
template <class T>
Future<Void> await_majority(const ClusterConnectionString& connection,
                            const std::vector<Future<T>>& asks, const char* what) {
  size_t majority = coordinator_majority(asks.size());
  try {
    co_await quorum(asks, majority);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    // A refusal or a forward says more than a silence: report it as it is.
    for (const Future<T>& ask : asks) {
      if (ask.is_ready() && ask.is_error() &&
          (ask.error().is(ErrorCode::coordinated_state_conflict) ||
           ask.error().is(ErrorCode::coordinators_changed))) {
        throw ask.error();
      }
    }
    std::string detail;
    for (size_t i = 0; i < asks.size(); ++i) {
      if (!asks[i].is_ready() || !asks[i].is_error()) continue;
      if (!detail.empty()) detail += "; ";
      detail += connection.coordinators[i].to_string() + ": " + asks[i].error().message();
    }
    throw Error(ErrorCode::timed_out, std::string("no majority of the coordinators answered ") +
                                          what + " (" + std::to_string(majority) + " of " +
                                          std::to_string(asks.size()) + " needed; " + detail + ")");
  }
}

}  // namespace

[[noreturn]] void throw_coordinators_changed(const std::string& forward) {
  throw Error(ErrorCode::coordinators_changed, forward);
}

CoordinatedState::CoordinatedState(ClusterConnectionString connection)
    : connection_(std::move(connection)), connection_text_(connection_.to_string()) {}

Future<std::optional<std::string>> CoordinatedState::read() {
  // Before this object wrote anything, a newer promise only means that an earlier
  // controller read: read again above it (which fences that controller out). After a write
  // of ours, it means someone read since: a conflict.
  const int attempts = written_.empty() ? 3 : 1;
  for (int attempt = 1;; ++attempt) {
    UniqueGeneration generation{std::max(highest_counter_seen_, generation_.counter) + 1,
                                env().random().unique_id()};
    const double timeout_s = client_knobs().coordinator_request_timeout_s;
    std::vector<Future<GenerationReadReply>> asks;
    for (const NetworkAddress& address : connection_.coordinators) {
      asks.push_back(timeout_error(CoordinatorInterface::at(address).read.get_reply(
                                       GenerationReadRequest{connection_text_, generation, {}}),
                                   timeout_s));
    }
    co_await await_majority(connection_, asks, "a read of the core state");
    std::optional<GenerationReadReply> newest;
    values_seen_.clear();
    bool conflict = false;
    for (const Future<GenerationReadReply>& ask : asks) {
      if (!ask.is_ready() || ask.is_error()) continue;
      const GenerationReadReply& reply = ask.get();
      if (!reply.forward.empty()) throw_coordinators_changed(reply.forward);
      highest_counter_seen_ = std::max(
          {highest_counter_seen_, reply.read_generation.counter, reply.write_generation.counter});
      if (reply.read_generation > generation) conflict = true;
      std::vector<std::string> values = reply.also_seen;
      if (reply.value) values.push_back(*reply.value);
      for (std::string& value : values) {
        if (std::find(values_seen_.begin(), values_seen_.end(), value) == values_seen_.end()) {
          values_seen_.push_back(std::move(value));
        }
      }
      if (!newest || reply.write_generation > newest->write_generation) newest = reply;
    }
    if (conflict) {
      if (attempt < attempts) continue;
      throw Error(ErrorCode::coordinated_state_conflict,
                  "a coordinator promised a newer generation of the core state to someone else");
    }
    if (!written_.empty()) {
      if (std::find(written_.begin(), written_.end(), newest->write_generation) == written_.end()) {
        throw Error(ErrorCode::coordinated_state_conflict,
                    "someone else wrote the core state since this controller did");
      }
      written_ = {newest->write_generation};
    }
    generation_ = generation;
    may_write_ = true;
    co_return newest->value;
  }
}

namespace {

// One coordinator's write, failing with coordinated_state_conflict when it refused.
Future<Void> write_one(NetworkAddress address, GenerationWriteRequest request) {
  UniqueGeneration generation = request.generation;
  GenerationWriteReply reply =
      co_await timeout_error(CoordinatorInterface::at(address).write.get_reply(std::move(request)),
                             client_knobs().coordinator_request_timeout_s);
  if (!reply.forward.empty()) throw_coordinators_changed(reply.forward);
  if (reply.generation != generation) {
    throw Error(ErrorCode::coordinated_state_conflict,
                "coordinator " + address.to_string() +
                    " refused the write: it promised a newer generation to someone else");
  }
}

}  // namespace

Future<Void> CoordinatedState::write(std::string value) {
  if (!may_write_) co_await read();
  // Recorded before anything is sent: if this is cancelled now, a later read must still
  // recognise the write as this object's own.
  written_.push_back(generation_);
  may_write_ = false;
  std::vector<Future<Void>> asks;
  for (const NetworkAddress& address : connection_.coordinators) {
    asks.push_back(
        write_one(address, GenerationWriteRequest{connection_text_, value, generation_, {}}));
  }
  co_await await_majority(connection_, asks, "a write of the core state");
}

}  // namespace strata
