#include "client/load_balance.h"

#include "rpc/transport.h"

namespace strata {

std::vector<size_t> read_order(const std::vector<StorageInterface>& team,
                               const ClientLocality& here) {
  const FailureMonitor& monitor = Transport::current().failure_monitor();
  // Lower ranks first: live before failed, then the client's machine, its zone, the rest.
  auto rank = [&](const StorageInterface& member) {
    int nearness = 2;
    if (!here.machine.empty() && member.locality.machine == here.machine) {
      nearness = 0;
    } else if (!here.zone.empty() && member.locality.zone == here.zone) {
      nearness = 1;
    }
    return (monitor.is_failed(member.address) ? 3 : 0) + nearness;
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
