#pragma once

// What clients ask the proxies: read versions (GRV proxies), commits and shard locations
// (commit proxies).

#include <cstdint>
#include <string>
#include <vector>

#include "interfaces/storage_interface.h"
#include "interfaces/types.h"
#include "interfaces/wait_failure.h"
#include "rpc/request_stream.h"

namespace strata {

struct CommitReply {
  Version version = 0;
  // The transaction's place in its commit batch: with the version, its versionstamp.
  uint16_t batch_index = 0;
  // Only for a request with report_conflicting_keys: it conflicted (and did not commit),
  // and these read ranges were written after its read version.
  bool conflicted = false;
  std::vector<KeyRange> conflicting_ranges;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(version, batch_index, conflicted, conflicting_ranges);
  }
};

// Fails with not_committed (a conflict; unless report_conflicting_keys, which answers
// with the conflicting ranges instead) or transaction_too_old (its read version left the
// MVCC window).
struct CommitTransactionRequest {
  Version read_version = 0;
  std::vector<KeyRange> read_conflict_ranges;
  std::vector<KeyRange> write_conflict_ranges;
  std::vector<Mutation> mutations;
  bool report_conflicting_keys = false;
  ReplyPromise<CommitReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(read_version, read_conflict_ranges, write_conflict_ranges, mutations,
            report_conflicting_keys, reply);
  }
};

struct GetReadVersionReply {
  Version version = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(version);
  }
};

struct GetReadVersionRequest {
  // How many transactions this request stands for (clients batch their own requests).
  uint32_t transaction_count = 1;
  ReadVersionPriority priority = ReadVersionPriority::normal;
  // causal_read_risky: the proxy may answer without confirming with the logs that its
  // generation is still current (a read may then miss a commit acknowledged by a newer
  // generation during a recovery).
  bool causal_read_risky = false;
  ReplyPromise<GetReadVersionReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(transaction_count, priority, causal_read_risky, reply);
    if constexpr (!Archive::is_writer) {
      if (static_cast<uint8_t>(priority) > static_cast<uint8_t>(ReadVersionPriority::immediate))
        archive.fail("unknown read version priority " + std::to_string(static_cast<int>(priority)));
    }
  }
};

// One shard: a key range and the storage servers holding it.
struct ShardLocation {
  KeyRange range;
  std::vector<StorageInterface> servers;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(range, servers);
  }
};

struct GetKeyServerLocationsReply {
  // Consecutive shards covering the request, in key order (reverse: from the end).
  std::vector<ShardLocation> shards;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(shards);
  }
};

// The shards that hold [range.begin, range.end), at most `limit` of them, starting at
// range.begin (reverse: ending at range.end).
struct GetKeyServerLocationsRequest {
  KeyRange range;
  int32_t limit = 0;
  bool reverse = false;
  ReplyPromise<GetKeyServerLocationsReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(range, limit, reverse, reply);
  }
};

struct CommitProxyInterface {
  UID id;
  NetworkAddress address;
  RequestStream<CommitTransactionRequest> commit;
  RequestStream<GetKeyServerLocationsRequest> get_key_server_locations;
  RequestStream<WaitFailureRequest> wait_failure;

  bool is_valid() const { return id.is_valid(); }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, address, commit, get_key_server_locations, wait_failure);
  }
};

struct GrvProxyInterface {
  UID id;
  NetworkAddress address;
  RequestStream<GetReadVersionRequest> get_read_version;
  RequestStream<WaitFailureRequest> wait_failure;

  bool is_valid() const { return id.is_valid(); }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, address, get_read_version, wait_failure);
  }
};

}  // namespace strata
