#include "client/load_balance.h"

#include "rpc/transport.h"

namespace strata {

void MemberPenalties::penalize(const UID& member) {
  const double time = now();
  // Expired entries go once there are many: a client meets few servers, but forever.
  if (until_.size() >= 256)
    std::erase_if(until_, [time](const auto& entry) { return entry.second <= time; });
  until_[member] = time + client_knobs().load_balance_penalty_s;
}

bool MemberPenalties::penalized(const UID& member) const {
  auto it = until_.find(member);
  return it != until_.end() && it->second > now();
}

std::vector<size_t> read_order(const std::vector<StorageInterface>& team,
                               const ClientLocality& here, const MemberPenalties& penalties) {
  const FailureMonitor& monitor = Transport::current().failure_monitor();
  // Lower ranks first: live before failed, members without a penalty before those with one,
  // then the client's machine, its zone, the rest.
  auto rank = [&](const StorageInterface& member) {
    int nearness = 2;
    if (!here.machine.empty() && member.locality.machine == here.machine) {
      nearness = 0;
    } else if (!here.zone.empty() && member.locality.zone == here.zone) {
      nearness = 1;
    }
    return (monitor.is_failed(member.address) ? 6 : 0) + (penalties.penalized(member.id) ? 3 : 0) +
           nearness;
  };
  std::vector<size_t> order(team.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  Random& random = env().random();
  for (size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[static_cast<size_t>(random.uniform(0, static_cast<int64_t>(i)))]);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rank(team[a]) < rank(team[b]); });
  return order;
}

bool another_member_may_answer(const Error& error) {
  return error.is(ErrorCode::connection_failed) || error.is(ErrorCode::request_maybe_delivered) ||
         error.is(ErrorCode::broken_promise) || error.is(ErrorCode::future_version);
}

}  // namespace strata
