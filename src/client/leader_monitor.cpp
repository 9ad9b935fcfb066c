#include "client/leader_monitor.h"

#include <map>

#include "client/client_knobs.h"
#include "runtime/combinators.h"
#include "runtime/trace.h"

namespace strata {

namespace {

struct Reports {
  std::vector<std::optional<LeaderInfo>> leaders;
  // Why each coordinator did not answer its last question ("" when it did).
  std::shared_ptr<std::vector<std::string>> failures;
  AsyncVar<uint64_t> changes{0};
};

Future<Void> ask_coordinator(Reports* reports, size_t index, std::string connection,
                             NetworkAddress coordinator) {
  const ClientKnobs& knobs = client_knobs();
  UID known;
  while (true) {
    std::optional<NomineeReply> reply;
    try {
      reply =
          co_await timeout_error(CoordinatorInterface::at(coordinator)
                                     .get_leader.get_reply(GetLeaderRequest{connection, known, {}}),
                                 knobs.coordinator_poll_s + knobs.coordinator_request_timeout_s);
      (*reports->failures)[index].clear();
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      (*reports->failures)[index] = error.message();
    }
    if (!reply) {
      if (reports->leaders[index]) {
        reports->leaders[index].reset();
        reports->changes.set(reports->changes.get() + 1);
      }
      known = UID();
      co_await delay(knobs.retry_delay_s);
      continue;
    }
    if (!reply->forward.empty()) throw Error(ErrorCode::coordinators_changed, reply->forward);
    known = reply->nominee ? reply->nominee->change_id : UID();
    reports->leaders[index] = reply->nominee;
    reports->changes.set(reports->changes.get() + 1);
  }
}

bool same_leader(const std::optional<LeaderInfo>& a, const std::optional<LeaderInfo>& b) {
  if (!a || !b) return !a && !b;
  return a->change_id == b->change_id;
}

}  // namespace

std::optional<LeaderInfo> agreed_leader(const std::vector<std::optional<LeaderInfo>>& reports) {
  std::map<UID, std::pair<int, LeaderInfo>> votes;
  for (const std::optional<LeaderInfo>& report : reports) {
    if (!report) continue;
    auto [it, added] = votes.emplace(report->change_id, std::make_pair(0, *report));
    ++it->second.first;
  }
  std::optional<std::pair<int, LeaderInfo>> best;
  for (const auto& [id, vote] : votes) {
    if (!best || vote.first > best->first ||
        (vote.first == best->first && vote.second.better_than(best->second))) {
      best = vote;
    }
  }
  if (!best) return std::nullopt;
  return best->second;
}

std::vector<std::pair<NetworkAddress, std::string>> LeaderMonitor::coordinator_health() const {
  std::vector<std::pair<NetworkAddress, std::string>> health;
  const std::vector<NetworkAddress>& coordinators = connection_.get().coordinators;
  for (size_t i = 0; i < coordinators.size(); ++i) {
    health.emplace_back(coordinators[i], i < failures_->size() ? (*failures_)[i] : "");
  }
  return health;
}

LeaderMonitor::LeaderMonitor(ClusterConnectionString connection)
    : connection_(std::move(connection)) {}

Future<NetworkAddress> LeaderMonitor::leader_address() {
  while (!leader_.get())
    co_await leader_.on_change();
  co_return leader_.get()->address;
}

Future<Void> LeaderMonitor::follow(ClusterConnectionString connection) {
  Reports reports;
  reports.leaders.resize(connection.coordinators.size());
  failures_->assign(connection.coordinators.size(), std::string());
  reports.failures = failures_;
  const std::string text = connection.to_string();
  ActorCollection actors;
  for (size_t i = 0; i < connection.coordinators.size(); ++i) {
    actors.add(ask_coordinator(&reports, i, text, connection.coordinators[i]));
  }
  while (true) {
    std::optional<LeaderInfo> agreed = agreed_leader(reports.leaders);
    if (!same_leader(agreed, leader_.get())) {
      TraceEvent("ClusterControllerChanged")
          .detail("Leader", agreed ? agreed->address.to_string() : std::string("none"));
      leader_.set(agreed);
    }
    Future<Void> changed = reports.changes.on_change();
    co_await first_ready(changed, actors.result());
    if (actors.result().is_ready()) co_await actors.result();
  }
}

Future<Void> LeaderMonitor::run() {
  while (true) {
    ClusterConnectionString connection = connection_.get();
    std::optional<ClusterConnectionString> forwarded;
    try {
      co_await follow(connection);
    } catch (Error& error) {
      if (!error.is(ErrorCode::coordinators_changed)) throw;
      forwarded = ClusterConnectionString::parse(error.detail());
    }
    TraceEvent(Severity::warn_always, "CoordinatorsForwarded")
        .detail("From", connection.to_string())
        .detail("To", forwarded->to_string());
    leader_.set(std::nullopt);
    connection_.set(*forwarded);
  }
}

}  // namespace strata
