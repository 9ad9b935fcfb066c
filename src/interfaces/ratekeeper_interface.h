#pragma once

// The ratekeeper: a singleton the cluster controller recruits once the database exists,
// and again elsewhere whenever it fails. It watches the queues of the storage servers (bytes
// not yet durable, and how far their versions lag the logs) and of the logs (bytes held in
// memory), and sets how many transactions per second the read-version proxies may start,
// one limit for default priority and a lower one for batch priority, so that no queue grows
// past its target (FoundationDB's ratekeeper). System-immediate requests are never held.
// Proxies find it in ServerDBInfo and ask it for their share of the limits.

#include <cstdint>
#include <string>
#include <vector>

#include "interfaces/types.h"
#include "interfaces/wait_failure.h"
#include "rpc/request_stream.h"
#include "runtime/uid.h"

namespace strata {

// Why a limit is what it is: FoundationDB's names (status shows them).
enum class LimitReason : uint8_t {
  workload = 0,  // not limited: the clients ask for less than the cluster can take
  storage_server_write_queue_size = 1,
  storage_server_readable_behind = 2,
  log_server_write_queue = 3,
};
constexpr uint8_t limit_reason_count = 4;

std::string_view limit_reason_name(LimitReason reason);
std::string_view limit_reason_description(LimitReason reason);

struct RateLimit {
  // Transactions per second the whole cluster may start.
  double tps = 0;
  LimitReason reason = LimitReason::workload;
  // The server whose queue set the limit (unset for workload).
  UID server;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(tps, reason, server);
    if constexpr (!Archive::is_writer) {
      if (static_cast<uint8_t>(reason) >= limit_reason_count)
        archive.fail("unknown limit reason " + std::to_string(static_cast<int>(reason)));
    }
  }
};

struct GetRateInfoReply {
  // This proxy's share, in transactions per second.
  double tps_normal = 0;
  double tps_batch = 0;
  // How long the rates hold: a proxy that hears nothing newer for this long starts no
  // transaction of default or batch priority (an unwatched cluster could be overloaded).
  double lease_s = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(tps_normal, tps_batch, lease_s);
  }
};

// A read-version proxy asks for its share of the limits, telling how many transactions it
// has started so far at each priority (counts since it started, so a lost request loses
// nothing).
struct GetRateInfoRequest {
  UID proxy_id;
  int64_t started_normal = 0;
  int64_t started_batch = 0;
  ReplyPromise<GetRateInfoReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(proxy_id, started_normal, started_batch, reply);
  }
};

// The worst queues the ratekeeper saw.
struct WorstQueues {
  int64_t storage_queue_bytes = 0;
  UID storage_queue_server;
  // The largest storage queue that counted (the worst zones that may fall behind are left
  // out of the limit).
  int64_t limiting_storage_queue_bytes = 0;
  Version storage_lag_versions = 0;
  Version limiting_storage_lag_versions = 0;
  int64_t log_queue_bytes = 0;
  UID log_queue_server;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(storage_queue_bytes, storage_queue_server, limiting_storage_queue_bytes,
            storage_lag_versions, limiting_storage_lag_versions, log_queue_bytes, log_queue_server);
  }
};

// The ratekeeper's view, for status.
struct RatekeeperStatusReply {
  RateLimit normal;
  RateLimit batch;
  // Transactions per second the proxies started, smoothed.
  double released_tps = 0;
  double released_batch_tps = 0;
  WorstQueues worst;
  int storage_servers_answering = 0;
  int storage_servers = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(normal, batch, released_tps, released_batch_tps, worst, storage_servers_answering,
            storage_servers);
  }
};

struct RatekeeperStatusRequest {
  ReplyPromise<RatekeeperStatusReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(reply);
  }
};

struct RatekeeperInterface {
  UID id;
  NetworkAddress address;
  RequestStream<GetRateInfoRequest> get_rate_info;
  RequestStream<RatekeeperStatusRequest> status;
  RequestStream<WaitFailureRequest> wait_failure;

  bool is_valid() const { return id.is_valid(); }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, address, get_rate_info, status, wait_failure);
  }
};

// Starts the ratekeeper of generation `epoch` (it outlives later generations, until
// ServerDBInfo names another one). A repeated request gets the same ratekeeper.
// `replication`: the copies each shard keeps (a change of it starts a new ratekeeper).
struct InitializeRatekeeperRequest {
  uint64_t epoch = 0;
  int replication = 1;
  ReplyPromise<RatekeeperInterface> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, replication, reply);
  }
};

}  // namespace strata
