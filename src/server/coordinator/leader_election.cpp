#include "server/coordinator/leader_election.h"

#include <algorithm>
#include <vector>

#include "client/client_knobs.h"
#include "runtime/combinators.h"
#include "runtime/notified.h"
#include "runtime/trace.h"
#include "server/coordinator/coordinated_state.h"
#include "server/server_knobs.h"

namespace strata {

namespace {

struct Campaign {
  std::vector<std::optional<LeaderInfo>> nominees;
  AsyncVar<uint64_t> changes{0};
};

// Keeps the candidacy alive at one coordinator and records whom it nominates.
Future<Void> campaign_at(Campaign* campaign, size_t index, std::string connection,
                         NetworkAddress coordinator, LeaderInfo candidate) {
  const ClientKnobs& knobs = client_knobs();
  UID known;
  while (true) {
    std::optional<NomineeReply> reply;
    try {
      reply = co_await timeout_error(
          CoordinatorInterface::at(coordinator)
              .candidacy.get_reply(CandidacyRequest{connection, candidate, known, {}}),
          knobs.coordinator_poll_s + knobs.coordinator_request_timeout_s);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
    if (!reply) {
      campaign->nominees[index].reset();
      campaign->changes.set(campaign->changes.get() + 1);
      co_await delay(knobs.retry_delay_s);
      continue;
    }
    if (!reply->forward.empty()) throw_coordinators_changed(reply->forward);
    campaign->nominees[index] = reply->nominee;
    known = reply->nominee ? reply->nominee->change_id : UID();
    campaign->changes.set(campaign->changes.get() + 1);
  }
}

struct Lease {
  // Per coordinator: when the newest heartbeat it accepted was sent.
  std::vector<double> renewed_at;
  std::vector<bool> refused;
  AsyncVar<uint64_t> changes{0};
};

Future<Void> heartbeat_at(Lease* lease, size_t index, std::string connection,
                          NetworkAddress coordinator, LeaderInfo leader) {
  const double sent_at = now();
  std::optional<LeaderHeartbeatReply> reply;
  try {
    reply = co_await timeout_error(
        CoordinatorInterface::at(coordinator)
            .heartbeat.get_reply(LeaderHeartbeatRequest{connection, leader, {}}),
        server_knobs().leader_lease_s);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
  }
  if (!reply) co_return;
  if (!reply->forward.empty()) throw_coordinators_changed(reply->forward);
  if (reply->still_leader) {
    lease->renewed_at[index] = std::max(lease->renewed_at[index], sent_at);
    lease->refused[index] = false;
  } else {
    lease->refused[index] = true;
  }
  lease->changes.set(lease->changes.get() + 1);
}

// Until when the lease holds: the majority-th newest renewal, plus a lease shortened by a
// margin for clocks that run at slightly different rates.
double lease_expiry(const Lease& lease) {
  std::vector<double> renewals = lease.renewed_at;
  std::sort(renewals.begin(), renewals.end(), std::greater<>());
  double renewed = renewals[coordinator_majority(renewals.size()) - 1];
  return renewed + 0.8 * server_knobs().leader_lease_s;
}

size_t refusals(const Lease& lease) {
  return static_cast<size_t>(std::count(lease.refused.begin(), lease.refused.end(), true));
}

}  // namespace

Future<LeaderLease> become_leader(ClusterConnectionString connection, LeaderInfo candidate) {
  const size_t count = connection.coordinators.size();
  const size_t majority = coordinator_majority(count);
  const std::string text = connection.to_string();
  while (true) {
    {
      Campaign campaign;
      campaign.nominees.resize(count);
      ActorCollection actors;
      for (size_t i = 0; i < count; ++i) {
        actors.add(campaign_at(&campaign, i, text, connection.coordinators[i], candidate));
      }
      while (true) {
        size_t votes = static_cast<size_t>(
            std::count_if(campaign.nominees.begin(), campaign.nominees.end(),
                          [&](const std::optional<LeaderInfo>& nominee) {
                            return nominee && nominee->change_id == candidate.change_id;
                          }));
        if (votes >= majority) break;
        Future<Void> changed = campaign.changes.on_change();
        co_await first_ready(changed, actors.result());
        if (actors.result().is_ready()) co_await actors.result();  // a forward
      }
    }
    // Nominated by a majority: take the first lease with one round of heartbeats.
    Lease lease;
    lease.renewed_at.assign(count, -1e9);
    lease.refused.assign(count, false);
    {
      ActorCollection beats;
      for (size_t i = 0; i < count; ++i) {
        beats.add(heartbeat_at(&lease, i, text, connection.coordinators[i], candidate));
      }
      const double deadline = now() + server_knobs().leader_lease_s;
      while (lease_expiry(lease) <= now() && refusals(lease) + majority <= count &&
             now() < deadline) {
        Future<Void> changed = lease.changes.on_change();
        Future<Void> expired = delay(deadline - now());
        co_await first_ready(changed, expired, beats.result());
        if (beats.result().is_ready()) co_await beats.result();
      }
    }
    if (lease_expiry(lease) > now()) {
      TraceEvent("LeaderElected").detail("Leader", candidate.address);
      co_return LeaderLease{lease.renewed_at};
    }
    // Another candidate overtook this one meanwhile: campaign again.
  }
}

Future<Void> hold_leadership(ClusterConnectionString connection, LeaderInfo leader,
                             LeaderLease first_lease) {
  const size_t count = connection.coordinators.size();
  const size_t majority = coordinator_majority(count);
  const std::string text = connection.to_string();
  STRATA_ASSERT(first_lease.renewed_at.size() == count);
  Lease lease;
  lease.renewed_at = std::move(first_lease.renewed_at);
  lease.refused.assign(count, false);
  ActorCollection beats;
  double next_beat = now();
  while (true) {
    if (now() >= next_beat) {
      for (size_t i = 0; i < count; ++i)
        beats.add(heartbeat_at(&lease, i, text, connection.coordinators[i], leader));
      next_beat = now() + server_knobs().leader_heartbeat_interval_s;
    }
    if (refusals(lease) + majority > count) {
      TraceEvent(Severity::warn_always, "LeadershipLost")
          .detail("Leader", leader.address)
          .detail("Reason", "a majority of the coordinators nominate another process");
      co_return;
    }
    const double expiry = lease_expiry(lease);
    if (expiry <= now()) {
      TraceEvent(Severity::warn_always, "LeadershipLost")
          .detail("Leader", leader.address)
          .detail("Reason", "the lease was not renewed by a majority of the coordinators in time");
      co_return;
    }
    Future<Void> changed = lease.changes.on_change();
    Future<Void> wake = delay(std::min(next_beat, expiry) - now());
    co_await first_ready(changed, wake, beats.result());
    if (beats.result().is_ready()) co_await beats.result();  // a forward
  }
}

}  // namespace strata
