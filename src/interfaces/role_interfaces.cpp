// The interfaces of roles whose endpoints derive from their ids, rebuilt from an id and an
// address: logs and storage servers keep their endpoints across restarts.

#include "interfaces/log_interface.h"
#include "interfaces/storage_interface.h"
#include "rpc/endpoint.h"

namespace strata {

LogInterface log_interface_at(UID id, NetworkAddress address) {
  auto at = [&](uint64_t index) { return Endpoint{address, role_token(id, index)}; };
  LogInterface interface;
  interface.id = id;
  interface.address = address;
  interface.commit = RequestStream<LogCommitRequest>(at(1));
  interface.peek = RequestStream<LogPeekRequest>(at(2));
  interface.pop = RequestStream<LogPopRequest>(at(3));
  interface.lock = RequestStream<LogLockRequest>(at(4));
  interface.confirm_running = RequestStream<LogConfirmRunningRequest>(at(5));
  interface.status = RequestStream<LogStatusRequest>(at(6));
  interface.wait_failure = RequestStream<WaitFailureRequest>(at(7));
  return interface;
}

StorageInterface storage_interface_at(UID id, Tag tag, NetworkAddress address, Locality locality) {
  auto at = [&](uint64_t index) { return Endpoint{address, role_token(id, index)}; };
  StorageInterface interface;
  interface.id = id;
  interface.address = address;
  interface.tag = tag;
  interface.locality = std::move(locality);
  interface.get_value = RequestStream<GetValueRequest>(at(1));
  interface.get_key_values = RequestStream<GetKeyValuesRequest>(at(2));
  interface.get_key = RequestStream<GetKeyRequest>(at(3));
  interface.watch_value = RequestStream<WatchValueRequest>(at(4));
  interface.range_stats = RequestStream<RangeStatsRequest>(at(5));
  interface.wait_readable = RequestStream<WaitReadableRequest>(at(6));
  interface.wait_failure = RequestStream<WaitFailureRequest>(at(7));
  interface.queue = RequestStream<StorageQueueRequest>(at(8));
  return interface;
}

}  // namespace strata
