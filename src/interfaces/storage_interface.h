#pragma once

// A storage server holds the data of its shards: the last few seconds of versions in
// memory over a durable storage engine. It serves reads at any version inside that window:
// a read above the server's newest version waits a bounded time (then future_version), a
// read below the window fails with transaction_too_old, and a key outside its shards
// fails with wrong_shard_server (the client then refreshes its shard map).

#include <cstdint>
#include <optional>
#include <vector>

#include "interfaces/locality.h"
#include "interfaces/log_interface.h"
#include "interfaces/types.h"
#include "interfaces/wait_failure.h"
#include "rpc/request_stream.h"

namespace strata {

struct GetValueReply {
  std::optional<Value> value;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(value);
  }
};

struct GetValueRequest {
  Key key;
  Version version = 0;
  ReplyPromise<GetValueReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(key, version, reply);
  }
};

struct GetKeyValuesReply {
  std::vector<KeyValue> data;
  // More pairs exist in the requested range beyond the last one returned.
  bool more = false;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(data, more);
  }
};

// Pairs of [begin, end) at `version`, in key order (reverse: from the end), at most
// `limit` of them and about `byte_limit` bytes.
struct GetKeyValuesRequest {
  KeyRange range;
  Version version = 0;
  int32_t limit = 0;
  int64_t byte_limit = 0;
  bool reverse = false;
  ReplyPromise<GetKeyValuesReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(range, version, limit, byte_limit, reverse, reply);
  }
};

struct GetKeyReply {
  // The selector's key, when this server could resolve it.
  bool resolved = false;
  Key key;
  // Otherwise the selector to continue with, at the edge of this server's shard: the
  // offset it has left, from the shard's end (moving forward) or begin (backward).
  KeySelector next;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(resolved, key, next);
  }
};

// Resolves a key selector at `version` within the shard holding where it starts: forward
// from the selector's key (offset >= 1) or backward from it (offset <= 0).
struct GetKeyRequest {
  KeySelector selector;
  Version version = 0;
  ReplyPromise<GetKeyReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(selector, version, reply);
  }
};

struct WatchValueReply {
  // A version at which the key held something other than the watched value. It may not
  // be committed yet: the client confirms the change at a read version.
  Version version = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(version);
  }
};

// Answers once `key` holds something other than `value` (nullopt: absent), looking at
// versions from `version` on: at once if it already does. Fails with timed_out after
// storage_watch_timeout_s without a change (the client asks again), and with
// future_version if `version` does not arrive in time.
struct WatchValueRequest {
  Key key;
  std::optional<Value> value;
  Version version = 0;
  ReplyPromise<WatchValueReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(key, value, version, reply);
  }
};

struct RangeStatsReply {
  // Bytes of keys and values in the range, at the server's newest version.
  int64_t bytes = 0;
  // Keys splitting the range into chunks of about chunk_bytes each (when asked).
  std::vector<Key> split_points;
  // For an estimate: whether the server's byte sample covers everything it holds (it is
  // rebuilt from the engine after a restart).
  bool complete = true;
  // For an estimate: bytes per second written to the range lately, and (when asked) keys
  // cutting it into pieces written at about write_chunk_bytes_per_s each.
  double write_bytes_per_s = 0;
  std::vector<Key> write_split_points;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(bytes, split_points, complete, write_bytes_per_s, write_split_points);
  }
};

// The size of `range` (inside one shard of the server), and, when chunk_bytes > 0, the
// keys where chunks of that many bytes end: counted by reading the range, or with
// `estimate` from the server's byte sample without reading it (server/storage/byte_sample.h).
struct RangeStatsRequest {
  KeyRange range;
  int64_t chunk_bytes = 0;
  bool estimate = false;
  double write_chunk_bytes_per_s = 0;
  ReplyPromise<RangeStatsReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(range, chunk_bytes, estimate, write_chunk_bytes_per_s, reply);
  }
};

// Answered, once the server has applied `version` and serves all of `range` (after fetching
// what it was assigned), with the version it serves the range from; fails with
// wrong_shard_server when some of the range is not assigned to it at `version`, and with
// future_version when `version` does not arrive in time.
struct WaitReadableRequest {
  KeyRange range;
  Version version = 0;
  // Also wait until the range is durable on the server (a move finishing needs that).
  bool durable = true;
  ReplyPromise<Version> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(range, version, durable, reply);
  }
};

// What the ratekeeper watches: the server's queue of changes not yet durable, and how far
// its versions have come.
struct StorageQueueReply {
  // The newest version applied, and the newest its engine holds.
  Version version = 0;
  Version durable_version = 0;
  // Bytes of changes held in memory (applied, not yet forgotten as durable).
  int64_t queue_bytes = 0;
  // Bytes of changes applied since the server started: its rate says how fast the server
  // takes data in.
  int64_t input_bytes = 0;
  // The newest version the logs knew committed when the server last heard from them: less
  // `version`, how far behind it is, measured by the server itself (a ratekeeper comparing
  // polls of logs and servers made at different moments would add their skew).
  Version logs_committed_version = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(version, durable_version, queue_bytes, input_bytes, logs_committed_version);
  }
};

struct StorageQueueRequest {
  ReplyPromise<StorageQueueReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(reply);
  }
};

struct StorageInterface {
  UID id;
  NetworkAddress address;
  Tag tag = 0;
  // Where its process is: clients prefer a member of a shard's team in their own zone.
  Locality locality;
  RequestStream<GetValueRequest> get_value;
  RequestStream<GetKeyValuesRequest> get_key_values;
  RequestStream<GetKeyRequest> get_key;
  RequestStream<WatchValueRequest> watch_value;
  RequestStream<RangeStatsRequest> range_stats;
  RequestStream<WaitReadableRequest> wait_readable;
  RequestStream<StorageQueueRequest> queue;
  // Held until the server ends (see wait_failure.h): the data distributor watches it.
  RequestStream<WaitFailureRequest> wait_failure;

  bool is_valid() const { return id.is_valid(); }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, address, tag, locality, get_value, get_key_values, get_key, watch_value,
            range_stats, wait_readable, queue, wait_failure);
  }
};

// The interface of storage server `id` hosted at `address` (its tokens derive from the id).
StorageInterface storage_interface_at(UID id, Tag tag, NetworkAddress address,
                                      Locality locality = {});

}  // namespace strata
