#include "rpc/failure_monitor.h"

namespace strata {

void FailureMonitor::set_failed(NetworkAddress address, bool failed, bool refused) {
  Status& status = statuses_[address];
  refused = failed && refused;
  if (status.failed == failed && status.refused == refused) return;
  status.failed = failed;
  status.refused = refused;
  Promise<Void> changed = std::exchange(status.changed, Promise<Void>());
  changed.send(Void{});
}

bool FailureMonitor::is_failed(NetworkAddress address) const {
  auto it = statuses_.find(address);
  return it != statuses_.end() && it->second.failed;
}

bool FailureMonitor::is_refusing(NetworkAddress address) const {
  auto it = statuses_.find(address);
  return it != statuses_.end() && it->second.refused;
}

Future<Void> FailureMonitor::on_state_changed(NetworkAddress address) {
  return statuses_[address].changed.get_future();
}

namespace {

Future<Void> wait_until_failed(FailureMonitor* monitor, NetworkAddress address) {
  while (!monitor->is_failed(address))
    co_await monitor->on_state_changed(address);
}

Future<Void> wait_until_refusing(FailureMonitor* monitor, NetworkAddress address) {
  while (!monitor->is_refusing(address))
    co_await monitor->on_state_changed(address);
}

}  // namespace

Future<Void> FailureMonitor::on_failed(NetworkAddress address) {
  if (is_failed(address)) return ready();
  return wait_until_failed(this, address);
}

Future<Void> FailureMonitor::on_refusing(NetworkAddress address) {
  if (is_refusing(address)) return ready();
  return wait_until_refusing(this, address);
}

}  // namespace strata
