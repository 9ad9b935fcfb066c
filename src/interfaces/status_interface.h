#pragma once

// What every strata-server answers from the moment it starts listening, at well-known
// tokens, so that a tool knowing only an address can ask whether the process is alive
// and what it is.

#include <cstdint>
#include <string>
#include <vector>

#include "rpc/request_stream.h"
#include "runtime/uid.h"

namespace strata {

struct PingReply {
  // The server's clock when it answered, for a rough round-trip view.
  double server_time = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(server_time);
  }
};

struct PingRequest {
  ReplyPromise<PingReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(reply);
  }
};

// What one storage server of a process holds.
struct StorageServerBytes {
  UID id;
  // Estimated bytes of its key-value pairs (its byte sample).
  int64_t stored_bytes = 0;
  // Bytes of its storage engine's files, as of its last persist.
  int64_t disk_used_bytes = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, stored_bytes, disk_used_bytes);
  }
};

// What the roles of a process did lately, for the cluster's workload figures (the
// cluster status document sums them over the processes).
struct ProcessMetrics {
  // Per second, over the last few seconds.
  double transactions_started_hz = 0;     // read versions given out
  double transactions_committed_hz = 0;   // commits that succeeded
  double transactions_conflicted_hz = 0;  // commits refused with not_committed
  double reads_hz = 0;                    // storage reads, point and range
  double writes_hz = 0;                   // mutations committed
  // Of the last requests served, in seconds, measured in the role from the request's
  // arrival (reads, read versions) or the commit batch's start to the reply; 0 when none.
  double read_version_p50_s = 0;
  double read_version_p99_s = 0;
  double read_p50_s = 0;
  double read_p99_s = 0;
  double commit_p50_s = 0;
  double commit_p99_s = 0;
  // Bytes of the storage engines' files.
  int64_t storage_disk_used_bytes = 0;
  // Each storage server's, in id order.
  std::vector<StorageServerBytes> storage_servers;
  // The process's CPU use over the last few seconds (1.0: one core all the time), and its
  // resident memory.
  double cpu_usage_cores = 0;
  int64_t resident_bytes = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(transactions_started_hz, transactions_committed_hz, transactions_conflicted_hz,
            reads_hz, writes_hz, read_version_p50_s, read_version_p99_s, read_p50_s, read_p99_s,
            commit_p50_s, commit_p99_s, storage_disk_used_bytes, storage_servers, cpu_usage_cores,
            resident_bytes);
  }
};

struct ServerStatusReply {
  // A JSON document describing the process (see docs/architecture.md).
  std::string json;
  ProcessMetrics metrics;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(json, metrics);
  }
};

struct ServerStatusRequest {
  ReplyPromise<ServerStatusReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(reply);
  }
};

// Asks the process to restart, as a crash and restart would (FoundationDB's `kill`): it
// answers, then drops every role and starts again from its data folder after `delay_s`.
struct RebootRequest {
  double delay_s = 0;
  ReplyPromise<Void> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(delay_s, reply);
  }
};

inline RequestStream<RebootRequest> reboot_stream_at(NetworkAddress address) {
  return RequestStream<RebootRequest>(Endpoint{address, well_known::server_reboot});
}

inline RequestStream<PingRequest> ping_stream_at(NetworkAddress address) {
  return RequestStream<PingRequest>(Endpoint{address, well_known::server_ping});
}

inline RequestStream<ServerStatusRequest> status_stream_at(NetworkAddress address) {
  return RequestStream<ServerStatusRequest>(Endpoint{address, well_known::server_status});
}

}  // namespace strata
