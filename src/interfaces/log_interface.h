#pragma once

// A log keeps the committed mutations of the current generation durably (fsync before it
// answers), indexed by the tag of each storage server that must apply them. Storage
// servers peek their tag and pop it once their own copy is durable.
//
// Every commit names the generation (epoch) it belongs to: a log takes the commits of its
// own generation only, and none once it is locked (a newer generation is recovering).

#include <cstdint>
#include <map>
#include <vector>

#include "interfaces/types.h"
#include "interfaces/wait_failure.h"
#include "rpc/request_stream.h"

namespace strata {

// Identifies a storage server in the log system.
using Tag = int16_t;
// The tag of the shard map's changes (\xff/keyServers/ mutations), which no storage server
// pulls: a recovery reads them from the last generation's logs to learn the map as of its
// recovery version, and the controller pops them once it has recorded the map.
constexpr Tag txs_tag = -2;

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
  // Everything up to this version is durable on the log, and the log will never
  // acknowledge a commit after it: the lock answers only once every commit it received is
  // durable, and refuses every commit from then on.
  Version end = 0;
  Version known_committed_version = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(end, known_committed_version);
  }
};

// Stops the log's generation: it refuses commits from now on. `epoch` is the generation
// that locks it (for traces).
struct LogLockRequest {
  uint64_t epoch = 0;
  ReplyPromise<LogLockReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, reply);
  }
};

// Answered when `epoch` is still the log's generation and the log is not locked; fails with
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

struct LogStatusReply {
  uint64_t epoch = 0;
  bool locked = false;
  // The log holds the versions after `begin`, up to `durable`.
  Version begin = 0;
  Version durable = 0;
  // The lowest version any of its tags has popped to: every version up to it is no longer
  // needed from this log.
  Version popped = 0;
  int64_t queue_bytes = 0;
  // Bytes of unpopped mutations held in memory, and the newest version spilled out of it
  // (peeks at or below it read the disk queue).
  int64_t memory_bytes = 0;
  Version spilled_through = 0;
  // Each tag's popped version.
  std::map<Tag, Version> popped_by_tag;
  // Bytes that entered memory since the log started (their rate is its input), and the
  // oldest version memory still holds (0: none).
  int64_t memory_input_bytes = 0;
  Version memory_oldest = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, locked, begin, durable, popped, queue_bytes, memory_bytes, spilled_through,
            popped_by_tag, memory_input_bytes, memory_oldest);
  }
};

struct LogStatusRequest {
  ReplyPromise<LogStatusReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(reply);
  }
};

// A log instance belongs to one generation (epoch): it is created when its generation is
// recruited, takes that generation's commits, and after a later recovery locks it, serves
// peeks until every storage server has popped its data, and is then retired. Its endpoints
// derive from its id, so they stay the same when its process restarts.
struct LogInterface {
  UID id;
  NetworkAddress address;
  RequestStream<LogCommitRequest> commit;
  RequestStream<LogPeekRequest> peek;
  RequestStream<LogPopRequest> pop;
  RequestStream<LogLockRequest> lock;
  RequestStream<LogConfirmRunningRequest> confirm_running;
  RequestStream<LogStatusRequest> status;
  RequestStream<WaitFailureRequest> wait_failure;

  bool is_valid() const { return id.is_valid(); }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, address, commit, peek, pop, lock, confirm_running, status, wait_failure);
  }
};

// The interface of log `id` hosted at `address` (its tokens derive from the id).
LogInterface log_interface_at(UID id, NetworkAddress address);

}  // namespace strata
