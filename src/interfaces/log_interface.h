#pragma once

// A log keeps the committed mutations of the current generation durably (fsync before it
// answers), indexed by the tag of each storage server that must apply them. Storage
// servers peek their tag and pop it once their own copy is durable.
//
// Every request names the generation (epoch) it belongs to: a log refuses commits from an
// older generation, and a locked log (a newer generation is recovering) refuses commits
// from its own.

#include <cstdint>
#include <vector>

#include "interfaces/types.h"
#include "rpc/request_stream.h"

namespace strata {

// Identifies a storage server in the log system.
using Tag = int16_t;

struct TaggedMutations {
  Tag tag = 0;
  std::vector<Mutation> mutations;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(tag, mutations);
  }
};

struct LogCommitRequest {
  uint64_t epoch = 0;
  Version prev_version = 0;
  Version version = 0;
  // Every version up to this one is durable on all logs (known to the proxy).
  Version known_committed_version = 0;
  // The mutations of this version, per tag, in commit order.
  std::vector<TaggedMutations> messages;
  // Answered once the version is durable on this log.
  ReplyPromise<Void> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, prev_version, version, known_committed_version, messages, reply);
  }
};

struct VersionedMutations {
  Version version = 0;
  std::vector<Mutation> mutations;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(version, mutations);
  }
};

struct LogPeekReply {
  // The tag's mutations at versions in [request.begin, end), oldest first; versions
  // without mutations for the tag are left out.
  std::vector<VersionedMutations> versions;
  // The peeker has everything below this version and continues from it.
  Version end = 0;
  Version known_committed_version = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(versions, end, known_committed_version);
  }
};

// Waits (a bounded time) when nothing at or after `begin` is durable yet.
struct LogPeekRequest {
  Tag tag = 0;
  Version begin = 0;
  ReplyPromise<LogPeekReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(tag, begin, reply);
  }
};

// The tag's mutations up to `version` are no longer needed by its storage server.
struct LogPopRequest {
  Tag tag = 0;
  Version version = 0;
  ReplyPromise<Void> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(tag, version, reply);
  }
};

struct LogLockReply {
  // Everything up to this version is durable on the log; nothing later ever will be in
  // the locked generation.
  Version end = 0;
  Version known_committed_version = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(end, known_committed_version);
  }
};

// Stops the log's generation: commits of `epoch` or older are refused from now on.
struct LogLockRequest {
  uint64_t epoch = 0;
  ReplyPromise<LogLockReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, reply);
  }
};

// Answered when `epoch` is still the log's current, unlocked generation; fails with
// tlog_stopped otherwise. Read-version proxies ask before every answer, so that a
// superseded generation never hands out read versions.
struct LogConfirmRunningRequest {
  uint64_t epoch = 0;
  ReplyPromise<Void> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, reply);
  }
};

// Begins generation `epoch` on a locked log: versions after `recovery_version` (durable
// on this log but not on all of them) are discarded, durably, and commits of `epoch`
// chaining from `recovery_version` are accepted.
struct LogStartEpochRequest {
  uint64_t epoch = 0;
  Version recovery_version = 0;
  ReplyPromise<Void> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, recovery_version, reply);
  }
};

struct LogInterface {
  UID id;
  NetworkAddress address;
  RequestStream<LogCommitRequest> commit;
  RequestStream<LogPeekRequest> peek;
  RequestStream<LogPopRequest> pop;
  RequestStream<LogLockRequest> lock;
  RequestStream<LogStartEpochRequest> start_epoch;
  RequestStream<LogConfirmRunningRequest> confirm_running;

  bool is_valid() const { return id.is_valid(); }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, address, commit, peek, pop, lock, start_epoch, confirm_running);
  }
};

}  // namespace strata
